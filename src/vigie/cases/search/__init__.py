"""Finding cases: the filter terms and the query planner over them (ADR 0313, ADR 0014)."""

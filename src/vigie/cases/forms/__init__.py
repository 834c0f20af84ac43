"""The case form (one page, in steps: case, people, incidents, exploitation, perpetrators,
route, assistance and justice): model forms over the case models (fields), the steps and
their rows (rows), the formsets and the record they build for services.save_record
(record)."""

from vigie.cases.forms.record import (
    form_to_record,
    formsets_valid,
    problem_field,
    quiet,
    record_to_initial,
    row_formsets,
)
from vigie.cases.forms.rows import GRID_AGES, GRID_SEXES, CaseForm

__all__ = [
    "GRID_AGES",
    "GRID_SEXES",
    "CaseForm",
    "form_to_record",
    "formsets_valid",
    "problem_field",
    "quiet",
    "record_to_initial",
    "row_formsets",
]

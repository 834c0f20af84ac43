"""Case records in and out of files: readers, the CTDC and HTCDS layouts, mapping files and
profiles, the import (checks, staging, bulk writes, uploads) and the exporter (ADR 0014)."""

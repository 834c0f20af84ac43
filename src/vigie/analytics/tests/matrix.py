"""Analytics' rows of the authorization matrix."""

from __future__ import annotations

from vigie.testing import Endpoint

ENDPOINTS = [
    Endpoint("analytics:dashboard", perm="stats.view"),
    Endpoint("analytics:dashboard-data", perm="stats.view"),
    Endpoint("analytics:download", perm="stats.view"),
    Endpoint("analytics:ledger", perm="audit.view"),
    Endpoint("analytics-api:typology", perm="stats.view"),
    Endpoint("analytics-api:trends", perm="stats.view"),
    Endpoint("analytics-api:routes", perm="stats.view"),
    Endpoint("analytics-api:snapshot", perm="stats.view"),
    Endpoint("analytics-api:snapshot", "POST", perm="stats.publish"),
    Endpoint("analytics-api:ledger", perm="audit.view"),
]

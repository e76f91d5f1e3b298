"""Schemathesis over the OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from kg import KnowledgeGraph  # noqa: E402
from kg.faces.server import create_app  # noqa: E402

schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(KnowledgeGraph.load(), allowed_hosts=["testserver", "localhost", "127.0.0.1"]))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:300])

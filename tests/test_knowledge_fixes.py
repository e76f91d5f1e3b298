"""Corrections from the knowledge audit: each test fails on the knowledge before the fix."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("service", ["DAX", "ElastiCache"])
def test_a_database_service_is_not_a_database(g, service):
    answer = g.ask(f"is {g.label(service)} a database")
    assert answer.boolean is not True, answer.text


def test_built_on_and_can_run_on_are_kinds_of_runs_on(g):
    assert g.store.has(("ECS", "runsOn", "EC2"))
    assert g.store.has(("ECS", "runsOn", "Fargate"))

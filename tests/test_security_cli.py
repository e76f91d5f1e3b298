"""Findings 8, 15, 17 and 18: odd limits and inputs get a clear error, never a crash or traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.faces.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _kg(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.faces.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("limit", ["-1", "0", "1001", "99999999999999999999", "ten"])
def test_search_limit_is_validated_in_the_cli(limit):
    done = _kg("search", "--limit", limit, "S3")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "--limit" in done.stderr


@pytest.mark.parametrize("limit", [-1, 0, 10**9, True, "3", 2.5])
def test_search_limit_is_validated_in_the_api(g, limit):
    with pytest.raises(ValueError, match="search limit"):
        g.search("S3", limit)


def test_huge_search_text_is_refused_quickly(g, capsys):
    with pytest.raises(ValueError, match="at most 1000 characters"):
        g.search("x" * 1_000_000)
    assert main(["search", "x" * 120_000]) == 2
    assert "at most 1000 characters" in capsys.readouterr().err


def test_what_is_a_is_a_clear_error(g):
    answer = g.ask("what is a")
    assert not answer.ok and answer.kind == "error"
    assert "ends too early" in answer.text
    done = _kg("ask", "what is a")
    assert done.returncode == 2 and "Traceback" not in done.stderr


@pytest.mark.parametrize("target", ["/", "/dev/full", "/nonexistent-folder/x.ttl"])
def test_export_to_an_unwritable_place_is_a_clear_error(target, capsys):
    assert main(["export", "-o", target]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kg: cannot write") and "Traceback" not in err


@pytest.mark.parametrize("query, message", [
    ("SELECT * FROM NAMED <http://127.0.0.1:9/g> { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("SELECT * { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE is refused"),
    ("SELECT * { ?s ?p ?o } GROUP BY", "not a SPARQL 1.1 query"),
    ("DESCRIBE <urn:x>", "only SELECT and ASK"),
])
def test_sparql_run_refusals_are_clear(query, message, capsys):
    assert main(["sparql", "--run", query]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_sparql_run_row_cap_and_timeout_flags(capsys):
    assert main(["sparql", "--run", "--max-rows", "3", "SELECT ?s { ?s ?p ?o }"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 2 + 3 + 1 and "only the first 3 rows" in out
    assert main(["sparql", "--run", "--timeout", "1", "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }"]) == 2
    assert "ran longer than 1 s" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sparql", "--run", "--timeout", "-5", "ASK {}"])

"""The kg command, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES


def kg(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.faces.cli", *args], input=stdin, capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)


DEFINITIONS = [("EC2", "Amazon EC2"), ("스냅샷", "EBS 스냅샷"), ("Lamda", "AWS Lambda"),
               ("Amazon Machine Image", "Amazon Machine Image")]


@pytest.mark.parametrize(("term", "expected"), DEFINITIONS)
def test_define_finds_the_concept(term, expected):
    result = kg("define", term)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(expected)
    assert "sources:" in result.stdout


def test_define_unknown_term_suggests_and_exits_non_zero():
    result = kg("define", "EC3")
    assert result.returncode == 1
    assert "Amazon EC2" in result.stderr and "Traceback" not in result.stderr


def test_search_ranks_the_misspelling_first():
    result = kg("search", "stroage")
    assert result.returncode == 0
    assert "Amazon S3" in result.stdout.splitlines()[0]


def test_ask_json_contract_and_bad_question():
    data = json.loads(kg("ask", "--json", "what stores EBS backups").stdout)
    assert [a["id"] for a in data["answers"]] == ["S3"] and data["kind"] == "entities"
    bad = kg("ask", "--json", "what is EC3")
    assert bad.returncode == 2
    error = json.loads(bad.stdout)["error"]
    assert "Amazon EC2" in error["suggestions"] and error["position"] == 8


def test_ask_reads_questions_from_stdin_as_json_lines():
    result = kg("ask", "--json", "-", stdin="what is ECS built on\nS3란?\nwhat is EC3\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("kind") for line in lines] == ["entities", "definition", None]
    assert "error" in lines[2]


def test_ask_explain_and_korean():
    result = kg("ask", "--explain", "what stores EBS backups")
    assert "core: SELECT ?x" in result.stdout and "evidence:" in result.stdout and "PREFIX ckg:" in result.stdout
    assert "지식 베이스" in kg("ask", "--lang", "ko", "is S3 a database").stdout


def test_broken_data_file_reports_file_and_line():
    result = kg("define", "EC2", "--data", str(FIXTURES / "broken_syntax.ttl"))
    assert result.returncode == 2
    assert f"{FIXTURES / 'broken_syntax.ttl'}:3:" in result.stderr and "Traceback" not in result.stderr


def test_user_data_extends_the_knowledge():
    result = kg("ask", "what does the test bucket replicate to", "--data", str(FIXTURES / "extra_relation.ttl"))
    assert result.returncode == 0 and "Amazon S3 Glacier" in result.stdout


def test_sparql_generation_and_run():
    assert "SELECT DISTINCT ?x" in kg("sparql", "what stores EBS backups").stdout
    table = kg("sparql", "--run", "SELECT ?l WHERE { <https://w3id.org/cloudkg/id/S3> "
               "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(lang(?l)='en') }")
    assert "Amazon S3" in table.stdout
    refused = kg("sparql", "--run", "DELETE WHERE { ?s ?p ?o }")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_stats_glossary_and_export(tmp_path):
    stats = json.loads(kg("stats", "--json").stdout)
    assert stats["concepts"] >= 80 and stats["inferred_facts"] > 0
    csv_text = kg("glossary", "--format", "csv", "--lang", "ko").stdout
    assert csv_text.startswith("id,term") and "스냅샷" in csv_text
    out = tmp_path / "kb.nt"
    assert kg("export", "--format", "nt", "--inferred", "-o", str(out)).returncode == 0
    from rdflib import Graph

    assert len(Graph().parse(out, format="nt")) > 2500

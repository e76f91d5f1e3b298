"""Answers stay small on big data: evidence is the first few facts plus a count, unless all are asked for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.answers.render import EVIDENCE_LIMIT
from kg.faces.cli import main
from kg.faces.repl.commands import run_command
from kg.faces.repl.state import ReplState

ROOT = Path(__file__).resolve().parents[1]


def test_evidence_is_capped_with_a_count(g):
    answer = g.ask("how many services are there")
    assert len(answer.evidence) == EVIDENCE_LIMIT and answer.evidence_total == answer.count
    every = g.ask("how many services are there", evidence=None)
    assert len(every.evidence) == every.count and every.evidence_total is None
    assert [e.text for e in every.evidence[:EVIDENCE_LIMIT]] == [e.text for e in answer.evidence]
    assert answer.to_dict()["evidence_total"] == answer.count


def test_small_answers_are_not_marked(g):
    answer = g.ask("what stores EBS backups")
    assert answer.evidence_total is None and "evidence_total" not in answer.to_dict()


def test_cli_and_repl_ask_for_all_of_it(g, capsys):
    assert main(["ask", "--json", "how many services are there"]) == 0
    some = json.loads(capsys.readouterr().out)
    assert main(["ask", "--json", "--evidence", "all", "how many services are there"]) == 0
    every = json.loads(capsys.readouterr().out)
    assert len(some["evidence"]) == EVIDENCE_LIMIT < len(every["evidence"]) == some["evidence_total"]
    state = ReplState(g)
    assert "all evidence" in run_command(state, ".explain all")
    assert len(state.ask("how many services are there").evidence) == some["evidence_total"]


@pytest.fixture(scope="module")
def inventory(tmp_path_factory) -> KnowledgeGraph:
    out = tmp_path_factory.mktemp("inventory") / "inventory.nt"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_inventory.py"), "--triples", "10000", "--out", str(out)],
                   check=True, capture_output=True, timeout=120)
    return KnowledgeGraph.load([out], validate=False, cache=False)


def test_json_stays_bounded_on_an_inventory(inventory):
    for question in ("what stores EBS backups", "how many resources does EBS provide", "what is provided by EC2"):
        answer = inventory.ask(question)
        assert answer.ok and len(answer.evidence) <= EVIDENCE_LIMIT
        assert (answer.evidence_total or 0) > EVIDENCE_LIMIT or answer.kind == "entities"
        assert len(json.dumps(answer.to_dict(), ensure_ascii=False)) < 200_000
        assert len(answer.followups) <= 3

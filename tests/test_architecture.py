"""Dependencies run kg -> queries -> ontology, and the vocabulary lives in the data."""

from __future__ import annotations

import ast as pyast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(folder: str) -> set[str]:
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in pyast.walk(pyast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, pyast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, pyast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(("folder", "forbidden"), [("queries", {"kg", "rdflib", "networkx"}),
                                                    ("ontology", {"kg", "queries", "rdflib"})])
def test_import_direction(folder, forbidden):
    assert not (_imports(folder) & forbidden)


def test_a_relation_added_in_turtle_is_askable():
    from kg import KnowledgeGraph

    g = KnowledgeGraph.load([ROOT / "tests" / "fixtures" / "extra_relation.ttl"])
    assert [a.id for a in g.ask("what does the test bucket replicate to").answers] == ["S3Glacier"]
    assert [a.id for a in g.ask("what replicates to S3 Glacier").answers] == ["TestBucket"]
    assert [a.id for a in g.ask("what is S3 Glacier a replica of").answers] == ["TestBucket"]
    assert [a.id for a in g.ask("테스트 버킷이 복제하는 것은?").answers] == ["S3Glacier"]
    assert g.ask("define test bucket").answers[0].definition


def _string_literals(path: Path) -> set[str]:
    tree = pyast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in pyast.walk(tree)
                  if isinstance(node, (pyast.Module, pyast.ClassDef, pyast.FunctionDef)) and node.body
                  and isinstance(node.body[0], pyast.Expr) and isinstance(node.body[0].value, pyast.Constant)}
    return {node.value for node in pyast.walk(tree) if isinstance(node, pyast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings}


def test_no_vocabulary_in_python():
    """Relation phrases and term names live in the Turtle, not in the engine's or the language's code."""
    files = [p for folder in ("kg", "queries") for p in (ROOT / folder).rglob("*.py")]
    literals = set().union(*(_string_literals(p) for p in files))
    folded = {literal.casefold() for literal in literals}
    for phrase in ["built on", "stored in", "backup of", "elastic beanstalk", "stores", "supports", "지원", "저장"]:
        assert phrase not in folded

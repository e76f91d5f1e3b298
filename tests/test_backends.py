"""Every golden question answered through each back-end: the local networkx one and SPARQL stores.

The stores hold only `kg export --format nt` (asserted facts, schema, sources); the schema's logic
travels in the printed SPARQL. Answers are compared as the user sees them: ids, counts, verdicts,
definitions and the shortest paths' facts.
"""

from __future__ import annotations

import pyoxigraph
import pytest
import rdflib
from conftest import golden_rows

from kg import KnowledgeGraph
from kg.engine.backend import Backend
from kg.engine.sparql_backend import OxigraphRunner, RdflibRunner, SparqlBackend


@pytest.fixture(scope="module")
def local() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.fixture(scope="module", params=["pyoxigraph", "pyoxigraph-isolated", "rdflib"])
def remote(request, local: KnowledgeGraph) -> KnowledgeGraph:
    data = local.export("nt")
    if request.param.startswith("pyoxigraph"):
        store = pyoxigraph.Store()
        store.load(data.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
        runner = OxigraphRunner(store)
    else:
        runner = RdflibRunner(rdflib.Graph().parse(data=data, format="nt"))
    return local.using(SparqlBackend(runner, local.relations, isolate=request.param.endswith("isolated")))


def _seen(answer) -> tuple:
    """What the user is told, back-end independent (evidence differs: only the local back-end explains)."""
    paths = sorted(tuple(tuple(step["subject"] + " " + step["relation"] + " " + step["object"] for step in path))
                   for path in answer.path or [])
    return (answer.kind, sorted(a.id for a in answer.answers), answer.count, answer.boolean, paths,
            answer.text if answer.kind == "definition" else None)


def test_both_backends_follow_the_protocol(local: KnowledgeGraph, remote: KnowledgeGraph) -> None:
    assert isinstance(local.backend, Backend) and isinstance(remote.backend, Backend)
    assert local.backend.explainer is not None and remote.backend.explainer is None


@pytest.mark.parametrize("question", [row[0] for row in golden_rows() if not row[2].startswith(("error", "clarify"))])
def test_golden_answers_agree(question: str, local: KnowledgeGraph, remote: KnowledgeGraph) -> None:
    mine, theirs = local.ask(question), remote.ask(question)
    assert _seen(theirs) == _seen(mine)
    assert theirs.basis in (mine.basis, "stated" if mine.basis == "inferred" else mine.basis)


def test_card_relations_agree(local: KnowledgeGraph, remote: KnowledgeGraph) -> None:
    for concept in ("ECS", "S3", "EBSSnapshot"):
        asserted = {e["text"] for e in local.card(concept)["outgoing"] if not e["inferred"]}
        assert asserted <= {e["text"] for e in remote.card(concept)["outgoing"]}

"""Every AST node class is handled by the evaluator, the renderer and (expected) the SPARQL printer."""

from __future__ import annotations

import dataclasses
import inspect
import typing

import pytest

from kg.engine.evaluate import HANDLED
from queries import ast

# One core form per node class: the node each one parses to is what is checked.
EXAMPLES = {
    ast.Select: "SELECT ?x { ?x stores :EBSSnapshot }",
    ast.Count: "COUNT ?x { ?x a :Engine . :RDS supports ?x }",
    ast.Ask: "ASK { :Lambda a :ComputeService }",
    ast.Define: "DEFINE :Lambda",
    ast.Expand: "EXPAND :ElasticBeanstalk",
    ast.Path: "PATH :AutoScaling :EC2",
    ast.Compare: "COMPARE :EBS :EFS",
    ast.Attribute: "VALUE :SSH defaultPort",
}


def _query_classes() -> set[type]:
    """The node classes of the module: dataclasses with a ``core()`` that are not parts of a pattern."""
    parts = {ast.Term, ast.Var, ast.Step, ast.Triple, ast.NotEqual}
    return {c for _, c in inspect.getmembers(ast, inspect.isclass)
            if dataclasses.is_dataclass(c) and hasattr(c, "core") and c not in parts}


def test_node_list_is_complete():
    assert set(ast.NODE_TYPES) == set(typing.get_args(ast.Query)) == _query_classes() == set(EXAMPLES)


@pytest.mark.parametrize("node", ast.NODE_TYPES, ids=lambda c: c.__name__)
def test_evaluator_handles(g, node):
    assert node in HANDLED
    query = g.parse(EXAMPLES[node])
    assert type(query) is node
    assert g.backend.run(query).kind


@pytest.mark.parametrize("node", ast.NODE_TYPES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_renderer_handles(g, node, lang):
    answer = g.ask(EXAMPLES[node], lang=lang)
    assert answer.error is None and answer.text, answer.to_dict()
    assert answer.core == EXAMPLES[node] or type(g.parse(answer.core)) is node


@pytest.mark.parametrize("node", ast.NODE_TYPES, ids=lambda c: c.__name__)
def test_sparql_printer_handles(g, node):
    from queries.sparql import to_sparql

    text = to_sparql(g.parse(EXAMPLES[node]), g.relations)
    assert isinstance(text, str) and ("SELECT" in text or "ASK" in text or "DESCRIBE" in text or "CONSTRUCT" in text)


@pytest.fixture(scope="module")
def sparql_graph(g):
    import pyoxigraph

    from kg.engine.sparql_backend import OxigraphRunner, SparqlBackend

    store = pyoxigraph.Store()
    store.load(g.export("nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return g.using(SparqlBackend(OxigraphRunner(store), g.relations))


@pytest.mark.parametrize("node", ast.NODE_TYPES, ids=lambda c: c.__name__)
def test_sparql_backend_handles(g, sparql_graph, node):
    local, remote = g.ask(EXAMPLES[node]), sparql_graph.ask(EXAMPLES[node])
    assert remote.error is None and remote.kind == local.kind
    assert [a.id for a in remote.answers] == [a.id for a in local.answers]

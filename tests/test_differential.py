"""Every golden question's generated SPARQL, run by rdflib and by pyoxigraph over the exported
asserted data (no reasoner), gives the same answers as the networkx evaluation."""

from __future__ import annotations

import pytest

from queries import ast
from queries.sparql import to_sparql
from tests.conftest import golden_rows

TERM = "https://w3id.org/cloudkg/id/"
ROWS = [r for r in golden_rows() if r[1].split(" ", 1)[0] in ("SELECT", "COUNT", "ASK")]


def _expected(g, query):
    answer = g.ask(query.core())
    if isinstance(query, ast.Select):
        return {a.id for a in answer.answers}
    if isinstance(query, ast.Count):
        return answer.count
    return answer.boolean


def _local(term: str) -> str:
    return str(term).removeprefix(TERM)


@pytest.mark.parametrize(("question", "core", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_rdflib_agrees(g, question, core, expected):
    query = g.parse(question)
    result = g.rdf().query(to_sparql(query, g.relations))
    if isinstance(query, ast.Select):
        got = {_local(row[0]) for row in result}
    elif isinstance(query, ast.Count):
        got = int(next(iter(result))[0])
    else:
        got = result.askAnswer
    assert got == _expected(g, query)


@pytest.mark.parametrize(("question", "core", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_pyoxigraph_agrees(g, oxigraph_store, question, core, expected):
    query = g.parse(question)
    result = oxigraph_store.query(to_sparql(query, g.relations))
    if isinstance(query, ast.Select):
        got = {_local(solution[0].value) for solution in result}
    elif isinstance(query, ast.Count):
        got = int(next(iter(result))[0].value)
    else:
        got = bool(result)
    assert got == _expected(g, query)

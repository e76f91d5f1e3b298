"""Hostile and random input: only QueryError ever escapes, and SPARQL cannot be injected."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries import ast
from queries.errors import QueryError
from queries.sparql import comment, to_sparql

HOSTILE = ["x> } DROP ALL ; #", "EC2\n} INSERT DATA { <a> <b> <c> }", "\" . ?s ?p ?o", "<>", "' OR 1=1 --",
           "\u0000", "ＥＣ２", "??", ":::", "SELECT ?x { ?x a :EC2> }", "ASK { :S3 a :Data\nbase }"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_questions_give_a_query_error(g, text):
    answer = g.ask(text)
    assert answer.ok or answer.error["message"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_random_text_only_raises_query_error(g, text):
    with contextlib.suppress(QueryError):  # anything else fails the test
        g.parse(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_questions_built_from_the_lexicon_always_evaluate(g, data):
    concepts = sorted(g.knowledge.concepts.values(), key=lambda c: c.id)
    concept = data.draw(st.sampled_from(concepts))
    verbs = sorted({v for r in g.relations.values() for v in r.verb})
    copulas = sorted({c for r in g.relations.values() for c in r.copula})
    template = data.draw(st.sampled_from(["what does {t} {v}", "what is {t} {c}", "what is {c} {t}", "define {t}",
                                          "how is {t} related to {u}"]))
    other = data.draw(st.sampled_from(concepts))
    question = template.format(t=concept.label(), u=other.label(), v=data.draw(st.sampled_from(verbs)),
                               c=data.draw(st.sampled_from(copulas)))
    answer = g.ask(question)
    assert answer.ok or answer.kind == "clarify" or answer.error["message"], question
    if answer.ok and answer.core:
        assert g.parse(answer.core) is not None


@pytest.mark.parametrize("hostile_id", HOSTILE)
def test_generated_sparql_cannot_be_injected(g, hostile_id):
    query = ast.Select(ast.Var("x"), (ast.Triple(ast.Var("x"), ast.Step("stores"), ast.Term(hostile_id)),))
    text = to_sparql(query, g.relations, question=hostile_id)
    from rdflib.plugins.sparql import prepareQuery

    prepared = prepareQuery(text)  # parses as one SELECT: nothing escaped the IRI or the comment
    assert prepared.algebra.name == "SelectQuery"
    assert "DROP" not in text.split("\n", 1)[1].upper().replace("%20DROP", "")
    assert list(g.rdf().query(text)) == []
    assert "\n" not in comment(hostile_id)


def test_long_and_empty_questions(g):
    assert g.ask("").error["message"] == "the question is empty"
    assert "1000" in g.ask("what " * 300).error["message"]

"""The parser reads; the rewrite pass settles canonical forms (inverse direction, closure, distinct terms)."""

from __future__ import annotations

import pytest

from queries import ast
from queries.errors import AmbiguityError, QueryError
from queries.lexicon import RelationInfo
from queries.parser import parse, read
from queries.rewrite import canonical_direction, distinct_terms, mark_closure, rewrite
from queries.tokens import RelRef, TermRef, typed
from tests.conftest import golden_rows

QUESTIONS = [q for q, core, _ in golden_rows() if core != "-"]

RELATIONS = {
    "storedIn": RelationInfo("storedIn", "urn:s", inverse="stores"),
    "stores": RelationInfo("stores", "urn:t", inverse="storedIn"),
    "dependsOn": RelationInfo("dependsOn", "urn:d", transitive=True),
    "backupOf": RelationInfo("backupOf", "urn:b"),
}


@pytest.mark.parametrize("question", QUESTIONS)
def test_parse_is_read_then_rewrite(g, question):
    assert parse(question, g.lexicon) == rewrite(read(question, g.lexicon), g.relations)


@pytest.mark.parametrize("question", QUESTIONS)
def test_rewrite_is_idempotent_and_round_trips(g, question):
    query = parse(question, g.lexicon)
    assert rewrite(query, g.relations) == query
    assert parse(query.core(), g.lexicon) == query


def test_reading_keeps_the_phrasing_and_rewrite_settles_it(g):
    reading = read("스냅샷은 어디에 저장돼?", g.lexicon)
    assert reading.where[0].step == ast.Step("stores", inverse=True)
    assert parse("스냅샷은 어디에 저장돼?", g.lexicon).where[0].step == ast.Step("storedIn")
    assert not any(p.step.closure for p in read("what does ECS depend on", g.lexicon).where)
    assert parse("what does ECS depend on", g.lexicon).core() == "SELECT ?x { :ECS dependsOn+ ?x }"


def test_canonical_direction_and_closure_rules():
    assert canonical_direction(ast.Step("storedIn", inverse=True), RELATIONS) == ast.Step("stores")
    assert canonical_direction(ast.Step("backupOf", inverse=True), RELATIONS) == ast.Step("backupOf", inverse=True)
    assert mark_closure(ast.Step("dependsOn"), RELATIONS) == ast.Step("dependsOn", closure=True)
    assert mark_closure(ast.Step("dependsOn", optional=True), RELATIONS).closure is False
    assert mark_closure(ast.Step("unknown"), RELATIONS) == ast.Step("unknown")


def test_core_form_is_taken_as_written(g):
    query = parse("SELECT ?x { :ECS dependsOn ?x }", g.lexicon)
    assert query.where[0].step == ast.Step("dependsOn")
    assert parse("SELECT ?x { ?x ^storedIn :S3 }", g.lexicon).where[0].step == ast.Step("storedIn", inverse=True)


def test_compare_terms_are_distinct():
    a, b = ast.Term("A"), ast.Term("B")
    assert distinct_terms(ast.Compare((a, b, a))) == ast.Compare((a, b))
    with pytest.raises(QueryError):
        distinct_terms(ast.Compare((a, a)))


def test_compare_of_one_thing_is_an_error(g):
    with pytest.raises(QueryError, match="two different"):
        parse("compare EBS and EBS", g.lexicon)


def test_tokens_are_typed_values():
    assert typed("TERM", ["DBInstance", "EC2Instance"]) == TermRef(("DBInstance", "EC2Instance"))
    assert typed("KO_VREL", [("storedIn", True)]) == RelRef("storedIn", passive=True)
    assert typed("VERB", ["stores"]) == RelRef("stores")


def test_ambiguous_term_still_asks_which(g):
    with pytest.raises(AmbiguityError) as caught:
        parse("what is instance", g.lexicon)
    assert caught.value.choices == ["DBInstance", "EC2Instance"]
    assert caught.value.position == 8


def test_lexer_errors_keep_positions_and_suggestions(g):
    with pytest.raises(QueryError) as caught:
        parse("what is EC3", g.lexicon)
    assert caught.value.position == 8 and "Amazon EC2" in caught.value.suggestions

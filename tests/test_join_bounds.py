"""The work of a join is bounded by its answer, not by the data: store look-ups counted on synthetic stores.

Each store has a busy node (a bucket storing ``n`` snapshots, a service providing ``n`` resources);
the number of facts the evaluator reads must not grow with ``n`` for a one-answer question, and
must grow with the answer (not with the busy node's other facts) for a list or a count.
"""

from __future__ import annotations

import pytest

from kg.engine import evaluate as evaluation
from kg.engine.evaluate import evaluate
from kg.engine.store import Store
from queries import ast

SIZES = (50, 2_000)


class CountingStore(Store):
    """A store that counts every fact it hands out or looks up (the evaluator's only way to the data)."""

    reads = 0

    def match(self, s=None, p=None, o=None):
        for fact in super().match(s, p, o):
            self.reads += 1
            yield fact

    def objects(self, s, p):
        found = super().objects(s, p)
        self.reads += len(found)
        return found

    def subjects(self, p, o):
        found = super().subjects(p, o)
        self.reads += len(found)
        return found

    def has(self, fact):
        self.reads += 1
        return super().has(fact)


def _backups(n: int, archives: int | None = None) -> CountingStore:
    """S3 stores ``n`` snapshots, each a backup of a volume EBS provides; Glacier stores ``archives`` (default n)
    archives, which EBS mentions and which back nothing up."""
    facts = {}
    for i in range(n):
        snap, volume = f"snap{i:05}", f"vol{i:05}"
        facts.update({("S3", "stores", snap): None, (snap, "backupOf", volume): None,
                      (volume, "providedBy", "EBS"): None, ("EBS", "provides", volume): None,
                      (volume, ast.TYPE, "Resource"): None})
    for i in range(n if archives is None else archives):
        archive = f"arch{i:05}"
        facts.update({("Glacier", "stores", archive): None, ("EBS", "mentions", archive): None,
                      (archive, ast.TYPE, "Resource"): None})
    facts[("EBSVolume", "providedBy", "EBS")] = None
    return CountingStore(facts, {})


def _node(word: str) -> ast.Node:
    return ast.Var(word[1:]) if word.startswith("?") else ast.Term(word.lstrip(":"))


def parse_core(text: str) -> ast.Query:
    """The core form's AST for plain words (``?v``, ``:Term``, ``rel``, ``rel?``, ``a``, ``!=``); no lexicon needed.

    >>> parse_core("COUNT ?x { ?x a :R . ?x != :S3 }").core()
    'COUNT ?x { ?x a :R . ?x != :S3 }'
    """
    head, _, body = text.partition("{")
    patterns: list[ast.Pattern] = []
    for part in body.rstrip("} ").split(" . "):
        subject, step, obj = part.split()
        if step == "!=":
            patterns.append(ast.NotEqual(ast.Var(subject[1:]), ast.Term(obj[1:])))
            continue
        relation = ast.TYPE if step == "a" else step.rstrip("?")
        patterns.append(ast.Triple(_node(subject), ast.Step(relation, optional=step.endswith("?")), _node(obj)))
    kind, *target = head.split()
    if kind == "ASK":
        return ast.Ask(tuple(patterns))
    return (ast.Select if kind == "SELECT" else ast.Count)(ast.Var(target[0][1:]), tuple(patterns))


def _reads(store: CountingStore, text: str):
    """The result of a core-form question and the facts it read (indexes warmed by a first run)."""
    query = parse_core(text)
    evaluate(query, store, {})
    store.reads = 0
    result = evaluate(query, store, {})
    return result, store.reads


TWO_HOP = "SELECT ?x { ?x stores ?v1 . ?v1 backupOf ?v2 . ?v2 providedBy? :EBS }"


def test_a_one_answer_two_hop_reads_the_same_whatever_the_busy_node_holds():
    reads = []
    for n in SIZES:
        result, count = _reads(_backups(n, archives=3), TWO_HOP)
        assert result.values == ["S3"]
        assert result.facts == [("vol00000", "providedBy", "EBS"), ("snap00000", "backupOf", "vol00000"),
                                ("S3", "stores", "snap00000")]  # in reading order: the most-bound pattern first
        reads.append(count)
    assert reads[0] == reads[1] < 40, reads


def test_a_busy_candidate_without_an_answer_is_read_once():
    reads = [_reads(_backups(n), TWO_HOP)[1] for n in SIZES]  # Glacier stores n archives, none a backup
    assert all(count <= 3 * n + 40 for n, count in zip(SIZES, reads, strict=True)), reads


def test_a_count_reads_in_proportion_to_its_answer_not_the_node_degree():
    for n in SIZES:
        result, count = _reads(_backups(n), "COUNT ?x { ?x a :Resource . :EBS provides ?x }")
        assert result.count == n and len(result.facts) == 2 * n
        assert count <= 3 * n + 10, (n, count)  # the candidates, then two look-ups each: not the 2n other resources


def test_yes_no_stops_at_the_first_witness():
    reads = [_reads(_backups(n), "ASK { :S3 stores ?v . ?v backupOf ?w . ?w providedBy :EBS }") for n in SIZES]
    assert all(result.boolean for result, _ in reads)
    assert reads[0][1] == reads[1][1] < 20


def test_a_failing_candidate_is_not_a_cross_product():
    result, count = _reads(_backups(2_000), "SELECT ?x { ?x stores ?a . ?x stores ?b . ?b backupOf ?v }")
    assert result.values == ["S3"]
    assert count < 10 * 2_000, count  # Glacier's 2,000 archives are each tried once, not 2,000 x 2,000 times


@pytest.mark.parametrize("text", [
    TWO_HOP,
    "SELECT ?x { ?x a :Resource . :EBS provides ?x }",
    "SELECT ?v { :S3 stores ?s . ?s backupOf ?v }",
    "SELECT ?x { ?x stores ?s . ?s a :Resource }",
    "COUNT ?x { ?x stores ?s . ?x != :S3 }",
    "SELECT ?x { ?x providedBy? :EBS . ?x a :Resource }",
    "COUNT ?x { :EBS provides ?x . ?x a :Resource . :EBS provides ?x }",
])
def test_candidates_or_the_join_give_the_same_values_and_witnesses(monkeypatch, text):
    store = _backups(30)
    query = parse_core(text)
    by_candidates = evaluate(query, store, {})
    monkeypatch.setattr(evaluation, "_PREPARED", type(evaluation._PREPARED)())
    monkeypatch.setattr(evaluation, "_plan_cost", lambda *args, **kwargs: 0.0)  # never worth listing candidates
    by_join = evaluate(query, store, {})
    assert (by_candidates.values, by_candidates.facts, by_candidates.count) == \
        (by_join.values, by_join.facts, by_join.count)
    assert by_candidates.values == sorted(by_candidates.values)
    assert all(store.has(fact) for fact in by_candidates.facts)
    assert len(set(by_candidates.facts)) == len(by_candidates.facts)


def test_every_value_has_its_witness_in_the_evidence():
    store = _backups(20)
    result = evaluate(parse_core("SELECT ?v { ?x stores ?s . ?s backupOf ?v }"), store, {})
    assert result.values == [f"vol{i:05}" for i in range(20)]
    assert {f[2] for f in result.facts if f[1] == "backupOf"} == set(result.values)
    assert isinstance(result.facts[0], tuple) and result.facts[0][1] in ("stores", "backupOf")


def test_a_filter_on_the_answer_still_applies_to_candidates():
    result, _ = _reads(_backups(10), "SELECT ?x { ?x stores ?s . ?x != :S3 }")
    assert result.values == ["Glacier"]
    assert ast.NotEqual(ast.Var("x"), ast.Term("S3")) in parse_core("SELECT ?x { ?x stores ?s . ?x != :S3 }").where

"""Bounded work in inference and loading: transitive cycles and chains, the inferred-fact limit,
the file size limit checked before parsing, and malformed property chains (findings #12, #13, #17)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.engine import limits
from kg.engine.errors import DataError, InferenceLimitError
from kg.engine.infer import Derivation, materialise
from kg.engine.load import parse_files, read_knowledge
from kg.engine.model import BUILTIN_RELATIONS
from ontology import data_files
from queries.lexicon import RelationInfo

PREFIXES = """@prefix ckg: <https://w3id.org/cloudkg/schema#> .
@prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix src: <https://w3id.org/cloudkg/source/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""


@pytest.fixture(scope="module")
def bundled():
    return read_knowledge(parse_files(data_files()), data_files())


@pytest.fixture(autouse=True)
def _no_limit_env(monkeypatch):
    monkeypatch.delenv(limits.INFERRED_ENV, raising=False)
    monkeypatch.delenv(limits.FILE_BYTES_ENV, raising=False)


def _write(tmp_path: Path, body: str, name: str = "mine.ttl") -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def _ring(n: int, relation: str = "locatedIn", closed: bool = True) -> dict:
    last = n if closed else n - 1
    return {(f"ring{i}", relation, f"ring{(i + 1) % n}"): () for i in range(last)}


def _check_derivations(derived: dict, relations) -> None:
    """Every derivation is a real rule step whose premises were derived (or asserted) before it."""
    order = {fact: i for i, fact in enumerate(derived)}
    for fact, derivation in derived.items():
        if derivation is None:
            continue
        assert isinstance(derivation, Derivation)
        assert all(order[premise] < order[fact] for premise in derivation.premises), (fact, derivation)
        assert _justified(fact, derivation, relations), (fact, derivation)


def _justified(fact, derivation, relations) -> bool:
    s, p, o = fact
    rule, premises = derivation.rule, derivation.premises
    if rule in ("inverseOf", "subPropertyOf", "symmetric"):
        ((ps, pp, po),) = premises
        rel = relations.get(pp)
        if rule == "inverseOf":
            return (ps, po) == (o, s) and rel is not None and rel.inverse == p
        if rule == "symmetric":
            return (ps, pp, po) == (o, "disjointWith", s) and p == "disjointWith"
        return (ps, po) == (s, o) and rel is not None and p in rel.super_properties
    (a, p1, m1), (m2, p2, c) = premises
    if (a, c) != (s, o) or m1 != m2:
        return False
    if rule == "transitive":
        return p1 == p2 == p and relations[p].transitive
    if rule == "propertyChain":
        return (p1, p2) in relations[p].chains
    return rule == "subClassOf" and (p1, p2, p) == ("type", "subClassOf", "type")


# ---------------------------------------------------------------- transitive cycles and chains
def test_a_500_node_cycle_closes_completely(bundled):
    facts = {**bundled.facts, **_ring(500)}
    derived = materialise(facts, bundled.relations)
    nodes = [f"ring{i}" for i in range(500)]
    for a in nodes[::7]:
        for b in nodes:
            if a != b:
                assert (a, "locatedIn", b) in derived and (b, "hosts", a) in derived
        assert (a, "locatedIn", a) not in derived  # a derived fact never relates a node to itself
    ring_facts = [f for f in derived if f[0].startswith("ring")]
    assert len(ring_facts) == 2 * 500 * 499
    assert set(bundled.facts) <= set(derived)
    for fact in ring_facts[::50]:
        derivation = derived[fact]
        assert derivation is None or all(premise in derived for premise in derivation.premises)
        assert derivation is None or _justified(fact, derivation, bundled.relations)


def test_a_10000_node_chain_stops_at_the_limit_with_a_clear_error(bundled):
    facts = {**bundled.facts, **_ring(10_000, closed=False)}
    with pytest.raises(InferenceLimitError) as caught:
        materialise(facts, bundled.relations, max_inferred=20_000)
    error = caught.value
    assert isinstance(error, DataError) and error.file == "inference" and error.limit == 20_000
    assert error.relations[0] == "locatedIn"
    text = str(error)
    assert "20,000 inferred facts" in text and "'locatedIn'" in text
    assert "--max-inferred" in text and limits.INFERRED_ENV in text


def test_the_limit_comes_from_the_environment_and_names_the_source(bundled, monkeypatch):
    monkeypatch.setenv(limits.INFERRED_ENV, "5_000")
    with pytest.raises(InferenceLimitError) as caught:
        materialise({**_ring(300, "partOf", closed=False)}, bundled.relations, source="mine.ttl")
    assert caught.value.limit == 5000 and str(caught.value).startswith("mine.ttl: ")
    assert caught.value.relations[0] == "partOf"
    monkeypatch.setenv(limits.INFERRED_ENV, "lots")
    with pytest.raises(limits.LimitError, match="CLOUDKG_MAX_INFERRED must be a whole number"):
        materialise(_ring(3), bundled.relations)


def test_the_default_limit_is_the_larger_of_the_floor_and_ten_per_asserted_fact(bundled, monkeypatch):
    assert limits.default_max_inferred(10) == 1_000_000
    assert limits.default_max_inferred(250_000) == 2_500_000
    assert limits.max_inferred(asserted=7, environ={}) == 1_000_000
    monkeypatch.setattr(limits, "INFERRED_FLOOR", 1000)  # small figures keep the test fast
    chain = _ring(100, "partOf", closed=False)  # 99 asserted, 2 * 4851 inferred
    with pytest.raises(InferenceLimitError) as caught:
        materialise(chain, bundled.relations)
    assert caught.value.limit == 1000
    monkeypatch.setattr(limits, "INFERRED_FLOOR", 10)
    with pytest.raises(InferenceLimitError) as caught:
        materialise(chain, bundled.relations)
    assert caught.value.limit == 990  # 10 x 99 asserted


def test_an_inverse_pair_of_transitive_relations_closes_in_near_linear_work(bundled):
    # partOf and hasPart are inverse transitive relations: if the inverse copies of closure facts
    # were joined again, the work would be cubic (~n**3/6 steps) and overrun the step budget of
    # STEPS_PER_FACT per allowed fact; with the limit set to the exact closure size it must finish.
    n = 400
    closure_size = n * (n - 1) - (n - 1)  # partOf and hasPart, every ordered pair, less the n - 1 stated
    derived = materialise(_ring(n, "partOf", closed=False), bundled.relations, max_inferred=closure_size)
    assert ("ring0", "partOf", f"ring{n - 1}") in derived and (f"ring{n - 1}", "hasPart", "ring0") in derived
    assert sum(1 for d in derived.values() if d is not None) == closure_size
    with pytest.raises(InferenceLimitError):
        materialise(_ring(n, "partOf", closed=False), bundled.relations, max_inferred=closure_size - 1)


def test_the_bundled_closure_is_unchanged_and_well_founded(bundled):
    derived = materialise(bundled.facts, bundled.relations)
    assert derived[("EC2Instance", "locatedIn", "Region")].rule in ("transitive", "propertyChain")
    assert ("EBSSnapshot", "backupOf", "EBS") not in derived  # the audit's wrong chain is gone
    _check_derivations(derived, bundled.relations)


# ---------------------------------------------------------------- a naive fixpoint to compare with
def naive_closure(asserted, relations) -> set:
    """The rules applied to every pair of facts until nothing changes (no derived self-loops)."""
    chains = {(r.id, c) for r in relations.values() for c in r.chains if len(c) == 2}
    known = set(asserted)
    for _ in range(1000):
        new = set()
        for s, p, o in known:
            rel = relations.get(p)
            if rel and rel.inverse:
                new.add((o, rel.inverse, s))
            new.update((s, q, o) for q in (rel.super_properties if rel else ()))
            if p == "disjointWith":
                new.add((o, p, s))
            for s2, p2, o2 in known:
                if o != s2:
                    continue
                if p == p2 and rel and rel.transitive:
                    new.add((s, p, o2))
                new.update((s, r, o2) for r, c in chains if c == (p, p2))
                if (p, p2) == ("type", "subClassOf"):
                    new.add((s, "type", o2))
        new = {f for f in new if f[0] != f[2]} - known
        if not new:
            return known
        known |= new
    raise AssertionError("the naive fixpoint did not converge")


NAMES = ["r0", "r1", "r2", "r3"]


@st.composite
def graphs(draw):
    """A few relations with random logic (transitive, inverse, super-properties, two-step chains),
    classes, and up to 20 facts on five nodes, relation facts most often."""
    relations = dict(BUILTIN_RELATIONS)
    for name in NAMES:
        others = [n for n in NAMES if n != name]
        relations[name] = RelationInfo(
            name, f"urn:{name}",
            inverse=draw(st.sampled_from([None, *NAMES])),
            transitive=draw(st.booleans()),
            super_properties=tuple(draw(st.lists(st.sampled_from(others), max_size=2, unique=True))),
            chains=tuple(draw(st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), max_size=2))),
        )
    nodes = ["a", "b", "c", "d", "C"]
    predicates = [*NAMES, *NAMES, "type", "subClassOf", "disjointWith"]
    facts = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(predicates), st.sampled_from(nodes)),
                          max_size=20))
    return facts, relations


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_materialise_equals_the_naive_fixpoint(case):
    facts, relations = case
    derived = materialise(facts, relations)
    assert set(derived) == naive_closure(facts, relations)
    assert all(derived[f] is None for f in facts)
    _check_derivations(derived, relations)


def _relations(**logic) -> dict:
    """Relations r0.. with the given logic, e.g. ``r0=dict(transitive=True, inverse="r1")``."""
    return {**BUILTIN_RELATIONS, **{name: RelationInfo(name, f"urn:{name}", **kw) for name, kw in logic.items()}}


# Cases the property test found against broken variants: without the join of a late base edge
# with the facts entering its subject (T2), and without promoting a closure-only fact to base.
REGRESSIONS = {
    "late base edge": ([("a", "r3", "b"), ("b", "r0", "c")], _relations(
        r0=dict(transitive=True, inverse="r1"), r1=dict(super_properties=("r0",)),
        r2=dict(super_properties=("r0",), chains=(("r3", "r0"),)), r3={})),
    "promotion": ([("b", "r0", "c"), ("b", "r0", "d"), ("b", "r1", "a")], _relations(
        r0=dict(transitive=True, inverse="r3"), r1=dict(inverse="r2"), r2=dict(transitive=True),
        r3=dict(transitive=True, super_properties=("r0", "r1")))),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regressions_equal_the_naive_fixpoint(name):
    facts, relations = REGRESSIONS[name]
    derived = materialise(facts, relations)
    assert set(derived) == naive_closure(facts, relations)
    _check_derivations(derived, relations)


# ---------------------------------------------------------------- the file size limit
def test_an_oversize_file_is_refused_before_parsing(tmp_path, monkeypatch):
    big = tmp_path / "big.ttl"
    big.write_text("this is not Turtle at all " * 100, encoding="utf-8")  # 2,600 bytes
    with pytest.raises(DataError) as caught:
        parse_files([big], max_file_bytes=1000)
    assert caught.value.file == str(big)
    assert "over the limit" in caught.value.message and "--max-file-size" in caught.value.message
    assert limits.FILE_BYTES_ENV in caught.value.message and "not valid Turtle" not in str(caught.value)
    monkeypatch.setenv(limits.FILE_BYTES_ENV, "1KB")
    with pytest.raises(DataError, match="over the limit of 0.001 MB"):
        parse_files([big])
    monkeypatch.setenv(limits.FILE_BYTES_ENV, "1 GiB")
    with pytest.raises(DataError, match="not valid Turtle"):  # within the limit, so it is parsed
        parse_files([big])


def test_an_oversize_user_file_is_refused_when_loading(tmp_path, monkeypatch):
    from kg import KnowledgeGraph

    path = _write(tmp_path, "ck:X a ck:Nothing .\n" * 50)
    monkeypatch.setenv(limits.FILE_BYTES_ENV, "500")
    with pytest.raises(DataError, match="over the limit"):
        KnowledgeGraph.load(extra=[path], cache=False)


def test_the_file_limit_default_and_bad_values():
    assert limits.max_file_bytes(environ={}) == 1 << 30
    assert limits.max_file_bytes(environ={limits.FILE_BYTES_ENV: "52428800"}) == 50 * 1024 * 1024
    assert [limits.parse_size(t) for t in ("500MB", "1GiB", "2048", "1.5 kb", "3k")] == \
        [500_000_000, 1 << 30, 2048, 1500, 3000]
    for bad in ("lots", "-5", "1 XB", "", "1e9"):
        with pytest.raises(ValueError):
            limits.parse_size(bad)
    with pytest.raises(limits.LimitError, match="CLOUDKG_MAX_FILE_BYTES must be a whole number of bytes"):
        limits.max_file_bytes(environ={limits.FILE_BYTES_ENV: "big"})
    with pytest.raises(limits.LimitError, match="not a whole number"):
        limits.parse_count("1.5")
    assert limits.parse_count("1,000,000") == 1_000_000


def test_the_bundled_data_is_within_the_default_limit():
    assert all(p.stat().st_size < limits.DEFAULT_MAX_FILE_BYTES for p in data_files())
    assert len(parse_files(data_files())) > 1000


def test_a_directory_a_device_a_fifo_and_a_missing_file_are_refused(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        parse_files([tmp_path])
    if Path("/dev/zero").exists():
        with pytest.raises(DataError, match="not a regular file"):
            parse_files(["/dev/zero"])
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):  # and does not block on opening it
        parse_files([fifo])
    with pytest.raises(DataError, match="no such file"):
        parse_files([tmp_path / "missing.ttl"])


# ---------------------------------------------------------------- malformed property chains
BAD_CHAINS = {
    "cyclic": "ckg:badChain owl:propertyChainAxiom _:l1 .\n"
              "_:l1 rdf:first ckg:partOf ; rdf:rest _:l2 .\n_:l2 rdf:first ckg:locatedIn ; rdf:rest _:l1 .",
    "self-loop": "ckg:badChain owl:propertyChainAxiom _:l .\n_:l rdf:first ckg:partOf ; rdf:rest _:l .",
    "not a list": "ckg:badChain owl:propertyChainAxiom ckg:partOf .",
    "literal": 'ckg:badChain owl:propertyChainAxiom "partOf" .',
    "empty": "ckg:badChain owl:propertyChainAxiom () .",
    "one step": "ckg:badChain owl:propertyChainAxiom ( ckg:partOf ) .",
    "literal step": 'ckg:badChain owl:propertyChainAxiom ( ckg:partOf "x" ) .',
    "blank step": "ckg:badChain owl:propertyChainAxiom ( ckg:partOf [] ) .",
    "branching": "ckg:badChain owl:propertyChainAxiom _:l .\n"
                 "_:l rdf:first ckg:partOf, ckg:hosts ; rdf:rest ( ckg:locatedIn ) .",
    "unterminated": "ckg:badChain owl:propertyChainAxiom _:l .\n_:l rdf:first ckg:partOf .",
    "endless": "ckg:badChain owl:propertyChainAxiom ( " + "ckg:partOf " * 5000 + ") .",
}


@pytest.mark.parametrize("kind", sorted(BAD_CHAINS))
def test_a_malformed_property_chain_is_a_data_error_naming_the_relation(tmp_path, kind):
    declaration = "ckg:badChain a owl:ObjectProperty ; rdfs:label \"bad chain\"@en, \"나쁜 체인\"@ko .\n"
    path = _write(tmp_path, declaration + BAD_CHAINS[kind] + "\n")
    with pytest.raises(DataError) as caught:
        read_knowledge(parse_files([*data_files(), path]))
    assert "'badChain'" in str(caught.value) and "propertyChainAxiom" in str(caught.value)


def test_a_cyclic_chain_in_user_data_fails_cleanly_when_loading(tmp_path):
    from kg import KnowledgeGraph

    declaration = "ckg:badChain a owl:ObjectProperty ; rdfs:label \"bad chain\"@en, \"나쁜 체인\"@ko .\n"
    path = _write(tmp_path, declaration + BAD_CHAINS["cyclic"] + "\n")
    with pytest.raises(DataError, match="cyclic RDF list"):
        KnowledgeGraph.load(extra=[path], cache=False)


def test_well_formed_chains_are_still_read(bundled, tmp_path):
    assert bundled.relations["locatedIn"].chains == (("locatedIn", "partOf"),)
    path = _write(tmp_path, "ckg:longChain a owl:ObjectProperty ; "
                            "owl:propertyChainAxiom ( ckg:partOf ckg:locatedIn ckg:partOf ) .\n")
    knowledge = read_knowledge(parse_files([*data_files(), path]))
    assert knowledge.relations["longChain"].chains == (("partOf", "locatedIn", "partOf"),)

"""User data adds knowledge but never silently overrides the bundled knowledge (finding #9)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rdflib import Graph

from kg import KnowledgeGraph
from kg.engine.conflicts import find_conflicts
from kg.engine.errors import DataError
from kg.engine.validate import validate_files
from kg.faces.repl.commands import run_command
from kg.faces.repl.state import ReplState
from ontology import data_files
from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile_override.ttl"
SHARED = FIXTURES / "shared_label.ttl"
NAME = HOSTILE.name
PREFIXES = """@prefix ckg: <https://w3id.org/cloudkg/schema#> .
@prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
README_EXAMPLE = """@prefix ckg: <https://w3id.org/cloudkg/schema#> .
@prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix src: <https://w3id.org/cloudkg/source/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

# A new relation is askable at once: its phrases are data.
ckg:replicatesTo a owl:ObjectProperty ; rdfs:label "replicates to"@en, "복제"@ko ;
    owl:inverseOf ckg:replicaOf ; ckg:verb3 "replicates to"@en ; ckg:verb "replicate to"@en ; ckg:koStem "복제"@ko .
ckg:replicaOf a owl:ObjectProperty ; rdfs:label "is a replica of"@en ; ckg:copula "a replica of"@en .

ck:TestBucket a skos:Concept, ck:Resource ; skos:prefLabel "test bucket"@en, "테스트 버킷"@ko ;
    skos:definition "A bucket used only by the test suite."@en, "테스트에서만 쓰는 버킷."@ko ;
    ckg:category ck:cat-storage ; dcterms:source src:note-s3 ;
    ckg:replicatesTo ck:S3Glacier .
"""


def kg(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.faces.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


@pytest.fixture(scope="module")
def bundled() -> Graph:
    from kg.engine.load import parse_files

    return parse_files(data_files())


@pytest.fixture(scope="module")
def overridden() -> KnowledgeGraph:
    return KnowledgeGraph.load([HOSTILE], allow_override=True, validate=False)  # the shapes: tested above


def conflicts_of(bundled: Graph, turtle: str) -> list:
    text = PREFIXES + turtle
    return find_conflicts(bundled, {"mine.ttl": Graph().parse(data=text, format="turtle")}, {"mine.ttl": text})


# ---------------------------------------------------------------- refused
def test_hostile_file_satisfies_the_shapes():
    report = validate_files([*data_files(), HOSTILE])
    assert report.conforms, report.messages


def test_hostile_file_is_refused_naming_each_conflict_with_its_line():
    with pytest.raises(DataError) as caught:
        KnowledgeGraph.load([HOSTILE], cache=False)
    text = str(caught.value)
    assert "4 conflicts" in text and "nothing of it was loaded" in text
    assert f"{HOSTILE}:10: gives the shipped concept ck:S3 another definition" in text
    assert f'{HOSTILE}:11: gives the shipped concept ck:S3 the name "EC2"@en, which names' in text
    assert f'{HOSTILE}:14: changes the shipped relation ckg:stores (rdfs:label "deletes"@en)' in text
    assert f"{HOSTILE}:17: makes ck:DynamoDB both ck:NoSQLDatabase and ck:RelationalDatabase" in text
    assert text.count("pass --allow-override") == 4


def test_refused_file_leaves_the_shipped_answers_unchanged():
    with pytest.raises(DataError):
        KnowledgeGraph.load([HOSTILE])
    g = KnowledgeGraph.load()
    answer = g.ask("is DynamoDB a relational database")
    assert (answer.boolean, answer.basis) == (False, "contradicted")
    assert g.define("S3").details["definitions"]["en"].startswith("Object storage")
    assert "stores" in g.sentence(("S3", "stores", "StaticContent"))
    ec2 = g.ask("what is EC2")
    assert ec2.kind == "definition" and [a.id for a in ec2.answers] == ["EC2"]
    assert all(e.user_data is None for e in answer.evidence)


@pytest.mark.parametrize(("turtle", "kind"), [
    ("ckg:mine a owl:ObjectProperty ; owl:inverseOf ckg:stores .", "relation"),
    ("ckg:mine a owl:ObjectProperty ; owl:equivalentProperty ckg:storedIn .", "relation"),
    ("ckg:stores a owl:TransitiveProperty .", "relation"),
    ('ck:Database ckg:noun "data thing"@en .', "class"),
    ('ck:EC2 skos:prefLabel "Amazon Compute"@en .', "definition"),
    ('ck:EC2 ckg:abbreviation "AEC" .', "definition"),
    ('ck:Lambda skos:hiddenLabel "S3" .', "name"),
    ("<https://example.org/S3> ckg:stores ck:EBSSnapshot .", "id"),
    ('ckg:mine a owl:ObjectProperty ; ckg:verb3 "Stores"@en .', "phrase"),
    ("ck:Mine a owl:Class ; rdfs:subClassOf ck:RelationalDatabase . ck:DynamoDB a ck:Mine .", "disjoint"),
])
def test_each_kind_of_conflict(bundled, turtle, kind):
    found = conflicts_of(bundled, turtle)
    assert [c.kind for c in found] == [kind], found
    assert found[0].line == 6 and str(found[0]).startswith("mine.ttl:6: ")


@pytest.mark.parametrize("turtle", [
    "ckg:mine a owl:ObjectProperty ; rdfs:subPropertyOf ckg:stores .",
    "ck:S3 ckg:stores ck:EBSSnapshot .",  # the same as shipped
    'ck:S3 skos:altLabel "my bucket store"@en .',
    "ck:MyDB a ck:RelationalDatabase .",
])
def test_additions_are_not_conflicts(bundled, turtle):
    """A sub-property adds facts; a shipped triple restated, a new alias or a new instance change nothing."""
    assert conflicts_of(bundled, turtle) == []


# ---------------------------------------------------------------- accepted with --allow-override
def test_allow_override_loads_and_every_answer_on_the_file_says_so(overridden):
    g = overridden
    assert len([w for w in g.warnings if w.startswith("overriding the bundled knowledge")]) == 4
    answer = g.ask("is DynamoDB a relational database")
    assert answer.boolean is True and answer.text.endswith(f"(rests on your data: {NAME})")
    assert answer.to_dict()["evidence"][0]["user_data"] == NAME
    s3 = g.define("S3")
    assert "deletes whatever" in s3.text and s3.evidence[0].user_data == NAME and NAME in s3.text
    stored = g.ask("what stores EBS backups")
    assert any("deletes" in e.text and e.user_data == NAME for e in stored.evidence) and NAME in stored.text
    assert g.ask("what is EC2").kind == "clarify"
    korean = g.ask("DynamoDB는 관계형 데이터베이스야?", lang="ko")
    assert korean.text.endswith(f"(사용자 데이터에 근거: {NAME})")


def test_answers_not_resting_on_user_data_have_no_note(overridden):
    answer = overridden.ask("what does RDS support")
    assert answer.answers and "rests on your data" not in answer.text
    assert {e.to_dict()["user_data"] for e in answer.evidence} == {None}


def test_provenance_survives_the_cache():
    first = KnowledgeGraph.load([FIXTURES / "extra_relation.ttl"], validate=False)
    second = KnowledgeGraph.load([FIXTURES / "extra_relation.ttl"], validate=False)
    for g in (first, second):
        answer = g.ask("what does the test bucket replicate to")
        assert answer.evidence[0].user_data == "extra_relation.ttl"
        assert answer.text == "Amazon S3 Glacier. (rests on your data: extra_relation.ttl)"


def test_inferred_fact_on_a_user_ground_says_so(tmp_path):
    mine = tmp_path / "sub.ttl"
    mine.write_text(PREFIXES + """ckg:archives a owl:ObjectProperty ; rdfs:subPropertyOf ckg:stores ;
    rdfs:label "archives"@en, "보관"@ko ; ckg:verb3 "archives"@en .
ck:EFS ckg:archives ck:EBSSnapshot .
""", encoding="utf-8")
    g = KnowledgeGraph.load([mine], validate=False)
    answer = g.ask("what stores EBS snapshots")
    inferred = [e for e in answer.evidence if e.subject == "EFS"]
    assert inferred and inferred[0].inferred and inferred[0].user_data == "sub.ttl"
    assert inferred[0].to_dict()["from"][0]["user_data"] == "sub.ttl"
    assert "(rests on your data: sub.ttl)" in answer.text


# ---------------------------------------------------------------- shared names and plain additions
def test_shared_label_warns_and_clarifies():
    g = KnowledgeGraph.load([SHARED])
    assert any("'storage'" in w and "ck:Storage (bundled)" in w and "shared_label.ttl" in w for w in g.warnings)
    for answer in (g.define("storage"), g.ask("what is storage")):
        assert answer.kind == "clarify"
        assert {a.id for a in answer.answers} == {"DataStorageTier", "Storage"}


def test_names_shared_within_one_user_file_still_fail_the_shapes(tmp_path):
    entry = ('a skos:Concept, ck:Resource ; skos:prefLabel "{0}"@en, "{0}"@ko ; skos:altLabel "twin"@en ; '
             'skos:definition "x"@en, "x"@ko ; ckg:category ck:cat-storage ; '
             "<http://purl.org/dc/terms/source> <https://w3id.org/cloudkg/source/note-s3> .\n")
    mine = tmp_path / "twins.ttl"
    mine.write_text(PREFIXES + "ck:TwinA " + entry.format("twin a") + "ck:TwinB " + entry.format("twin b"))
    with pytest.raises(DataError) as caught:
        KnowledgeGraph.load([mine])
    assert "the name 'twin' is shared" in str(caught.value)


def test_readme_example_loads_without_conflict_or_warning(tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(README_EXAMPLE, encoding="utf-8")
    g = KnowledgeGraph.load([mine])
    assert g.warnings == []
    assert [a.id for a in g.ask("what does the test bucket replicate to").answers] == ["S3Glacier"]


# ---------------------------------------------------------------- everywhere data is loaded
def test_cli_refuses_then_accepts_with_the_flag():
    refused = kg("ask", "--data", str(HOSTILE), "is DynamoDB a relational database")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.count("pass --allow-override") == 4 and refused.stdout == ""
    accepted = kg("ask", "--data", str(HOSTILE), "--allow-override", "is DynamoDB a relational database")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith("Yes") and f"(rests on your data: {NAME})" in accepted.stdout
    assert "kg: warning: overriding the bundled knowledge" in accepted.stderr


def test_cli_environment_variables_and_shared_name_warning():
    accepted = kg("define", "storage", CLOUDKG_DATA=f"{HOSTILE}{os.pathsep}{SHARED}", CLOUDKG_ALLOW_OVERRIDE="1")
    assert "Traceback" not in accepted.stderr and "data storage tier" in accepted.stdout
    assert "kg: warning: the name 'storage' is shared" in accepted.stderr


def test_serve_takes_the_flag_through_the_same_loader():
    from kg.faces.cli import _load, build_parser

    args = build_parser().parse_args(["serve", "--data", str(HOSTILE), "--allow-override", "--port", "0"])
    assert args.allow_override and "DynamoDB" in _load(args).knowledge.concepts
    with pytest.raises(DataError):
        _load(build_parser().parse_args(["serve", "--data", str(HOSTILE)]))


def test_repl_load_refuses_then_accepts_with_the_flag(g):
    state = ReplState(g)
    refused = run_command(state, f".load {HOSTILE}")
    assert refused.startswith("not loaded") and "ckg:stores" in refused and state.g is g
    accepted = run_command(state, f".load {HOSTILE} --allow-override")
    assert accepted.startswith(f"loaded {HOSTILE}") and "warning: overriding" in accepted
    assert state.g.ask("is DynamoDB a relational database").boolean is True
    more = run_command(state, f".load {FIXTURES / 'extra_relation.ttl'}")  # the override stays accepted
    assert more.startswith("loaded") and state.g.ask("is DynamoDB a relational database").boolean is True


def test_a_disjointness_added_to_a_shipped_class_names_the_statement(bundled):
    found = conflicts_of(bundled, "ck:Database owl:disjointWith ck:Service .")
    assert {c.kind for c in found} == {"class", "disjoint"} and {c.line for c in found} == {6}

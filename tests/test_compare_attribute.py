"""Compare and attribute questions end to end: grammar, AST, evaluation and answers in both languages."""

from __future__ import annotations

import json

import pytest

from kg import KnowledgeGraph
from queries import ast


def test_attribute_answer_carries_a_typed_value_unit_and_source(g):
    answer = g.ask("what is the default port of SSH")
    assert answer.kind == "attribute" and answer.core == "VALUE :SSH defaultPort"
    data = answer.to_dict()
    assert data["value"] == 22 and isinstance(data["value"], int) and data["unit"] is None
    assert "22" in answer.text and "SSH" in answer.text
    assert answer.evidence and answer.evidence[0].sources
    assert any("rfc4253" in s["id"] for s in answer.evidence[0].sources)
    json.dumps(data)  # the whole answer is JSON, SPARQL field included


def test_attribute_with_unit_and_decimal_value(g):
    answer = g.ask("what is the memory of t3.micro")
    assert (answer.value, answer.unit) == (1.0, "GiB")
    assert g.ask("how many vCPUs does t3.micro have").value == 2


def test_attribute_in_korean(g):
    answer = g.ask("SSH의 기본 포트는?", lang="ko")
    assert answer.kind == "attribute" and answer.value == 22
    assert answer.text == "SSH의 기본 포트는 22입니다."


def test_missing_attribute_names_the_values_the_term_has(g):
    answer = g.ask("what is the default port of Lambda")
    assert answer.kind == "attribute" and answer.value is None and not answer.evidence
    assert "no default port" in answer.text and "maximum timeout 900 s" in answer.text
    assert "기본 포트" in g.ask("람다의 기본 포트는?", lang="ko").text


def test_unknown_attribute_in_core_form_suggests(g):
    answer = g.ask("VALUE :SSH defaultPrt")
    assert answer.error is not None or answer.kind != "attribute"
    from queries.errors import QueryError

    with pytest.raises(QueryError) as caught:
        g.parse("VALUE :SSH defaultPrt")
    assert "defaultPort" in caught.value.suggestions


def test_attribute_added_in_turtle_becomes_askable(tmp_path):
    data = tmp_path / "mine.ttl"
    data.write_text("""@prefix ckg: <https://w3id.org/cloudkg/schema#> .
@prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ckg:maxSessions a owl:DatatypeProperty ; rdfs:label "session limit"@en, "세션 한도"@ko ;
    skos:altLabel "maximum sessions"@en ; rdfs:range xsd:integer ; ckg:unit "sessions" .
ck:SSH ckg:maxSessions 10 .
""", encoding="utf-8")
    mine = KnowledgeGraph.load([data], cache=False, validate=False)
    for question in ("what is the session limit of SSH", "what is the maximum sessions of SSH", "SSH의 세션 한도는?"):
        answer = mine.ask(question)
        assert (answer.kind, answer.value, answer.unit) == ("attribute", 10, "sessions"), question


def test_compare_shares_and_differs_with_evidence(g):
    answer = g.ask("compare EBS and EFS", evidence=None)
    assert answer.kind == "compare" and [a.id for a in answer.answers] == ["EBS", "EFS"]
    details = answer.details
    assert [d["id"] for d in details["definitions"]] == ["EBS", "EFS"]
    assert all(d["definition"] for d in details["definitions"])
    shared = {(i["relation"], i["object"]) for i in details["shared"]}
    assert ("type", "StorageService") in shared
    assert ("mountedOn", "EC2Instance") in {(i["relation"], i["object"]) for i in details["different"]["EFS"]}
    assert not shared & {(i["relation"], i["object"]) for i in details["different"]["EBS"]}
    assert {(e.subject, e.relation, e.object) for e in answer.evidence} >= {("EFS", "mountedOn", "EC2Instance")}
    assert "In common" in answer.text and "Only Amazon EFS" in answer.text
    json.dumps(answer.to_dict())


@pytest.mark.parametrize("question", ["compare EBS, EFS and S3", "EBS와 EFS와 S3 비교해줘", "EBS vs EFS vs S3"])
def test_compare_three(g, question):
    assert g.parse(question) == ast.Compare((ast.Term("EBS"), ast.Term("EFS"), ast.Term("S3")))


def test_compare_in_korean(g):
    answer = g.ask("EBS와 S3의 차이는 뭐야?", lang="ko")
    assert answer.kind == "compare" and [a.id for a in answer.answers] == ["EBS", "S3"]
    assert "공통점" in answer.text and "블록 스토리지" in answer.text


@pytest.mark.parametrize("question", ["COMPARE :EBS :EFS", "VALUE :SSH defaultPort", "compare EBS and EFS",
                                      "what is the default port of SSH"])
def test_core_forms_round_trip(g, question):
    query = g.parse(question)
    assert g.parse(query.core()) == query


def test_compare_reading_needs_terms_not_sets(g):
    from queries.errors import QueryError

    with pytest.raises(QueryError):
        g.parse("storage services vs databases")

"""The golden questions: each question's core form and expected answer."""

from __future__ import annotations

import pytest

from tests.conftest import golden_rows

ROWS = golden_rows()


def test_golden_table_is_large_enough():
    assert len(ROWS) >= 60


@pytest.mark.parametrize(("question", "core", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_golden(g, question, core, expected):
    answer = g.ask(question)
    if core != "-":
        assert answer.core == core
    kind, _, value = expected.partition(":")
    if expected.startswith("error"):
        assert answer.error is not None
        if value:
            assert value in answer.error["suggestions"]
        assert answer.error["message"]
    elif expected.startswith("clarify:"):
        assert answer.kind == "clarify"
        assert sorted(a.id for a in answer.answers) == value.split(",")
    elif expected.startswith(("definition:", "expand:")):
        assert answer.kind == "definition"
        assert answer.answers[0].id == value
        assert answer.answers[0].definition
    elif expected.startswith("count="):
        assert answer.kind == "count"
        assert answer.count == int(expected.split("=")[1])
    elif expected.startswith(("yes/", "no/")):
        verdict, basis = expected.split("/")
        assert answer.kind == "boolean"
        assert answer.boolean is (verdict == "yes")
        assert answer.basis == basis
    elif expected.startswith("path~"):
        subject, relation, obj = expected[len("path~"):].split()
        assert answer.kind == "path"
        steps = [(s["subject"], s["relation"], s["object"]) for path in answer.path for s in path]
        assert (subject, relation, obj) in steps
    elif expected.startswith("compare:"):
        assert answer.kind == "compare"
        assert [a.id for a in answer.answers] == value.split(",")
    elif expected.startswith("value="):
        number, _, unit = expected[len("value="):].partition(" ")
        assert answer.kind == "attribute"
        assert answer.value == (None if number == "none" else float(number))
        assert answer.unit == (unit or None) or number == "none"
    else:
        assert answer.kind == "entities"
        assert sorted(a.id for a in answer.answers) == expected.split(",")


@pytest.mark.parametrize(("question", "core", "expected"), [r for r in ROWS if r[1] != "-"], ids=lambda v: str(v)[:40])
def test_core_form_round_trips(g, question, core, expected):
    query = g.parse(question)
    assert g.parse(query.core()) == query


def test_issue_examples(g):
    built_on_ec2 = {a.id for a in g.ask("which services are built on EC2").answers}
    assert {"ECS", "ElasticBeanstalk"} <= built_on_ec2 and "S3" not in built_on_ec2
    storage = {a.id for a in g.ask("list storage services").answers}
    assert {"S3", "EBS", "EFS"} <= storage and "EC2" not in storage and "S3Glacier" not in storage
    assert "Korean" not in g.ask("S3란?", lang="ko").text
    assert g.ask("S3란?", lang="ko").answers[0].definition.startswith("저장 용량")
    assert g.ask("what does EB stand for").text == "EB stands for Elastic Beanstalk."


def test_every_answer_has_evidence_with_sources(g):
    answer = g.ask("what stores EBS backups")
    stated = {(e.subject, e.relation, e.object) for e in answer.evidence if not e.inferred}
    # "EBS backups" are backups of volumes that EBS provides: a path in the query, not an inferred fact.
    assert {("EBSSnapshot", "backupOf", "EBSVolume"), ("EBSVolume", "providedBy", "EBS")} <= stated
    inferred = [e for e in answer.evidence if e.inferred]
    assert inferred and inferred[0].rule == "inverseOf"
    grounds = {(f["subject"], f["relation"], f["object"]) for f in inferred[0].grounds}
    assert ("EBSSnapshot", "storedIn", "S3") in grounds
    assert all(f["sources"] for f in inferred[0].grounds)
    assert all(e.sources for e in answer.evidence if not e.inferred)
    stated = g.ask("is ECS built on EC2").evidence
    assert not stated[0].inferred and any("Study note" in s["label"] for s in stated[0].sources)


def test_contradiction_names_the_disjointness(g):
    answer = g.ask("is DynamoDB a relational database")
    relations = {(e.subject, e.relation, e.object) for e in answer.evidence}
    assert ("DynamoDB", "type", "NoSQLDatabase") in relations
    assert any(r[1] == "disjointWith" for r in relations)


def test_case_spacing_and_punctuation_never_matter(g):
    reference = g.ask("what stores EBS backups").core
    for variant in ["WHAT STORES EBS BACKUPS?", "  what   stores ebs   backups  ", "What stores EBS backups?!"]:
        assert g.ask(variant).core == reference


def test_korean_rendering(g):
    answer = g.ask("is Lambda a compute service", lang="ko")
    assert answer.text.startswith("예")
    assert answer.evidence[0].text.endswith("는 컴퓨팅 서비스의 한 종류이다")  # from type's ckg:koTemplate


def test_followups_are_answerable(g):
    for question in ["define Lambda", "what stores EBS backups", "which engines does RDS support"]:
        followups = g.ask(question).followups
        assert 2 <= len(followups) <= 3
        for followup in followups:
            assert g.ask(followup).ok, followup


def test_json_contract(g):
    data = g.ask("what stores EBS backups").to_dict()
    assert set(data) >= {"question", "kind", "answers", "boolean", "basis", "count", "path", "evidence",
                         "text", "core", "sparql"}
    assert data["answers"][0] == {"id": "S3", "label": "Amazon S3", "definition": data["answers"][0]["definition"]}
    assert "SELECT DISTINCT ?x" in data["sparql"]
    error = g.ask("what is EC3").to_dict()
    assert set(error) == {"question", "error"}
    assert set(error["error"]) >= {"message", "position", "expected", "suggestions"}
    assert error["error"]["position"] == 8

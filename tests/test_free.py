"""The free-phrasing interpreter (queries.free, kg.answers.interpret): readings, scoring, honesty, errors."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from queries import ast
from queries.free.analyse import stop_words
from queries.free.readings import analyse_question
from queries.parser import parse

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("dev_eval_free", ROOT / "bench" / "eval.py")
dev_eval = importlib.util.module_from_spec(_spec)
sys.modules["dev_eval_free"] = dev_eval
_spec.loader.exec_module(dev_eval)
ROWS = dev_eval.load_rows()


@pytest.fixture(scope="module")
def answers(g):
    """Every development question asked once (bounded: the file's rows)."""
    return {row.id: g.ask(row.question, lang=row.lang) for row in ROWS}


@pytest.fixture(scope="module")
def vocab(g):
    from kg.answers.interpret import vocabulary

    return vocabulary(g.describer, g.lexicon)


def test_every_interpretation_parses_to_the_core_that_was_answered(g, answers):
    interpreted = [(rid, a) for rid, a in answers.items() if a.interpretation]
    assert len(interpreted) > 100  # the interpreter does answer much of the set
    for rid, answer in interpreted:
        assert parse(answer.interpretation, g.lexicon).core() == answer.core, rid


def test_interpreted_answers_carry_interpretation_and_confidence(g):
    data = g.ask("is Fargate serverless").to_dict()
    assert data["kind"] == "boolean" and data["boolean"] is True
    assert data["interpretation"] and 0 < data["confidence"] <= 1
    assert "interpretation" not in g.ask("what is S3").to_dict()  # the grammar's own answers have none


def _sub_or_same(g, stated: str, asked: str) -> bool:
    info = g.relations.get(stated)
    return stated == asked or (info is not None and asked in info.super_properties)


def test_no_no_contradicts_a_stored_fact(g, answers):
    """Every yes/no question of the set: a "No" never stands where the store holds the fact."""
    rows = [r for r in ROWS if r.parsed.kind in ("yes", "no")]
    assert len(rows) >= 50
    for row in rows:
        answer = answers[row.id]
        if answer.boolean is not False or not answer.core:
            continue
        query = parse(answer.core, g.lexicon)
        assert isinstance(query, ast.Ask)
        for pattern in query.where:
            s, o, rel = pattern.subject.id, pattern.object.id, pattern.step.relation
            inverse = (g.relations[rel].inverse if rel in g.relations else None) or ""
            held = [f for f in g.backend.facts(s, None, o) if _sub_or_same(g, f[1], rel)]
            held += [f for f in g.backend.facts(o, None, s) if inverse and _sub_or_same(g, f[1], inverse)]
            assert not held, (row.id, held)


def test_an_absent_no_names_the_nearest_facts_held(g):
    answer = g.ask("does ecs sit on lambda")
    assert answer.boolean is False and answer.basis == "absent"
    assert answer.interpretation == "does Amazon ECS run on AWS Lambda"
    assert "not stated" in answer.text and "built on Amazon EC2" in answer.text and "Fargate" in answer.text


@pytest.mark.parametrize("question, kind, ids", [
    ("rds engines", "entities", {"MySQL", "PostgreSQL", "Aurora"}),
    ("show me the storage services", "entities", {"S3", "EBS", "EFS"}),
    ("can i use rabbitmq on amazon mq", "boolean", set()),
    ("what does guardduty do", "definition", {"GuardDuty"}),
    ("where does an ebs volume live", "entities", {"AvailabilityZone"}),
    ("SQS 서버리스인가요", "boolean", set()),
    ("람다와 S3는 무슨 관계야", "path", set()),
    ("스토리지 서비스 목록 알려줘", "entities", {"S3", "EBS", "EFS"}),
    ("elastic beanstlk", "definition", {"ElasticBeanstalk"}),
    ("파게이트는서버리스야", "boolean", set()),
])
def test_free_questions_get_the_reading_that_fits(g, question, kind, ids):
    answer = g.ask(question)
    assert answer.kind == kind, (answer.kind, answer.interpretation, answer.text)
    assert ids <= {e.id for e in answer.answers}
    assert answer.interpretation and parse(answer.interpretation, g.lexicon).core() == answer.core
    if kind == "boolean":
        assert answer.boolean is True


def test_a_korean_question_is_answered_in_korean(g):
    answer = g.ask("EKS는 어디서 돌아가요?")
    assert answer.lang == "ko" and {"EC2", "Fargate"} <= {e.id for e in answer.answers}


def test_stop_words_never_name_a_term(vocab):
    words = sorted(stop_words("en"))
    assert {"i", "or", "top", "me", "show"} <= set(words)
    for word in words:
        analysis = analyse_question(f"{word}", vocab)
        assert not [m for m in analysis.mentions if m.terms or m.classes], word


def test_an_unreadable_question_gets_position_expected_and_safe_suggestions(g):
    labels = {c.label("en").casefold() for c in g.knowledge.concepts.values()}
    for question in ("I", "or", "top"):
        data = g.ask(question).to_dict()
        error = data["error"]
        assert error["position"] == 0 and error["expected"]
        assert error["suggestions"] and not {s.casefold() for s in error["suggestions"]} & labels, question
    data = g.ask("blah blah").to_dict()
    assert "error" in data and data["error"]["position"] == 0


def test_close_readings_of_different_kinds_are_offered_back(g, monkeypatch):
    from kg.answers import interpret

    monkeypatch.setattr(interpret, "CLOSE", 10.0)  # every runner-up of another kind counts as close
    answer = interpret.interpret_answer(g.describer, g.lexicon, g.backend, "is fargate serverless", "en")
    assert answer.kind == "clarify" and len(answer.followups) == 2
    for option in answer.followups:
        parse(option, g.lexicon)


def test_korean_in_the_controlled_forms_does_not_load_the_morphology_model():
    code = ("import sys; from kg import KnowledgeGraph; g = KnowledgeGraph.load(); "
            "g.ask('EC2란?'); g.ask('S3가 뭐야?'); print('kiwipiepy' in sys.modules, end=' '); "
            "g.ask('파게이트는서버리스야'); print('kiwipiepy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.stdout.split() == ["False", "True"], out.stderr[-2000:]


@pytest.mark.parametrize("question, term", [("what is an AMI used for", "AMI"), ("what is sns used for", "SNS")])
def test_an_empty_grammar_reading_gives_way_to_the_interpreter(g, question, term):
    answer = g.ask(question)
    assert answer.kind == "definition" and answer.answers[0].id == term
    assert answer.interpretation and answer.confidence


def test_a_found_answer_stays_the_grammars(g):
    answer = g.ask("what does EB stand for")
    assert answer.kind == "definition" and answer.interpretation is None
    assert answer.value == "Elastic Beanstalk"


@pytest.mark.parametrize("question, basis", [("is DynamoDB a relational database", "contradicted"),
                                             ("is S3 a database", "absent"), ("does RDS support DynamoDB", "absent")])
def test_a_grammar_no_is_never_turned_into_yes(g, question, basis):
    answer = g.ask(question)
    assert answer.boolean is False and answer.basis == basis


def test_a_comparison_is_not_answered_by_its_reverse(g):
    assert g.ask("is on demand cheaper than reserved instances").boolean is False
    assert g.ask("are reserved instances cheaper than on demand").boolean is True


@pytest.mark.parametrize("question, expansion", [("sqs stands for", "Simple Queue Service"),
                                                 ("EBS 약자가 뭐야", "Elastic Block Store")])
def test_stands_for_reads_as_the_expansion(g, question, expansion):
    answer = g.ask(question)
    assert answer.interpretation.startswith("what does") and answer.interpretation.endswith("stand for")
    assert answer.value == expansion


@pytest.mark.parametrize("question", ["where are docker images stored in aws", "컨테이너 이미지는 어디에 저장해요?"])
def test_a_relation_synonym_reaches_its_family(g, question):
    assert [e.id for e in g.ask(question).answers] == ["ECR"]


@pytest.mark.parametrize("question, expected", [("what do you create an ebs volume from", "EBSSnapshot"),
                                                ("what do you launch an ec2 instance from", "AMI")])
def test_a_particle_at_the_end_completes_its_verb(g, question, expected):
    answer = g.ask(question)
    assert answer.kind == "entities" and expected in [e.id for e in answer.answers]


@pytest.mark.parametrize("question, code", [("region code for seoul", "ap-northeast-2"),
                                            ("서울 리전 코드", "ap-northeast-2"),
                                            ("what is the region code of tokyo", "ap-northeast-1")])
def test_a_region_is_named_by_its_place(g, question, code):
    assert g.ask(question).value == code


@pytest.mark.parametrize("question, verdict", [("EC2는 서버리스야?", False), ("다이나모디비 서버리스야?", True)])
def test_a_korean_adjective_with_its_copula_names_a_class(g, question, verdict):
    answer = g.ask(question)
    assert answer.kind == "boolean" and answer.boolean is verdict


def test_an_adjective_before_a_class_noun_names_the_narrower_class(g):
    answer = g.ask("다이나모DB 관계형 DB인가요")
    assert answer.interpretation == "is Amazon DynamoDB a RDBMS" and answer.boolean is False


@pytest.mark.parametrize("question, term", [("aurura database", "Aurora"), ("S3 service", "S3")])
def test_a_term_with_its_own_kind_is_defined(g, question, term):
    answer = g.ask(question)
    assert answer.kind == "definition" and answer.answers[0].id == term


def test_the_core_language_never_falls_back(g):
    answer = g.ask("ASK { :RDS supports :DynamoDB }")
    assert answer.boolean is False and answer.basis == "absent" and answer.interpretation is None

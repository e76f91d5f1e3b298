"""Two REPL faults: follow-ups stayed English under ``.lang ko``; Enter in Ctrl-R search did not submit."""

from __future__ import annotations

import io
import re

import pytest

from kg.answers.followups import questions_about
from kg.answers.korean import particle
from kg.faces.repl.app import _piped, build_session
from kg.faces.repl.state import ReplState

HANGUL = re.compile("[\uac00-\ud7a3]")
KOREAN_QUESTIONS = [
    "S3란?", "EC2란?", "스냅샷은 어디에 저장돼?", "RDS가 지원하는 엔진은?",
    "RDS가 지원하는 엔진은 몇 개야?", "DynamoDB는 관계형 데이터베이스야?",
    "ECS와 S3의 관계는?", "ECS가 기반으로 하는 것은?",
    "람다란?", "아마존 머신 이미지란?", "AMI가 포함하는 것은?",
]
NOT_ANSWERED = ("error", "mentions", "clarify")


def _assert_answerable_in_korean(g, question: str) -> None:
    assert HANGUL.search(question) and not question.startswith(("what ", "how ", "define ")), question
    answer = g.ask(question, lang="ko")
    assert answer.ok and answer.kind not in NOT_ANSWERED, (question, answer.kind, answer.text)
    if answer.kind == "entities":
        assert answer.answers, f"{question!r} has no answer"


@pytest.mark.parametrize("question", KOREAN_QUESTIONS)
def test_korean_answers_have_korean_followups_that_answer(g, question):
    answer = g.ask(question, lang="ko")
    assert answer.ok, answer.text
    assert 1 <= len(answer.followups) <= 3
    for followup in answer.followups:
        _assert_answerable_in_korean(g, followup)


def test_every_concepts_korean_questions_answer(g):
    """Every follow-up the Korean generator can make, for every concept, parses and answers."""
    asked = 0
    for concept in sorted(g.knowledge.concepts):
        for question in questions_about(g.describer, concept, lang="ko"):
            _assert_answerable_in_korean(g, question)
            asked += 1
    assert asked >= len(g.knowledge.concepts)


def test_korean_relation_followups_find_the_fact_they_come_from(g):
    assert questions_about(g.describer, "ECS", lang="ko")[0] == "Amazon ECS가 기반으로 하는 것은?"
    assert "EC2" in [a.id for a in g.ask("Amazon ECS가 기반으로 하는 것은?", lang="ko").answers]
    assert "EBS 스냅샷은 어디에 저장돼?" in questions_about(g.describer, "EBSSnapshot", lang="ko")
    assert "S3" in [a.id for a in g.ask("EBS 스냅샷은 어디에 저장돼?", lang="ko").answers]


def test_english_followups_are_unchanged(g):
    assert g.ask("what stores EBS backups").followups == [
        "define Amazon S3", "what does Amazon S3 invoke", "how is Amazon S3 related to AWS Lambda"]
    assert g.ask("S3란?", lang="en").followups[0].startswith("what does Amazon S3")


@pytest.mark.parametrize(("word", "expected"), [
    ("S3", "가"), ("EC2", "가"), ("RDS", "가"), ("IAM", "이"), ("스냅샷", "이"), ("람다", "가"),
    ("Amazon", "이"), ("Lambda", "가"), ("Route 53", "가"), ("Amazon S3 (Simple)", "가"), ("", "가"),
])
def test_subject_particle_fits_the_word(word, expected):
    assert particle(word, "이") == expected


def test_repl_lang_ko_prints_korean_next_questions(g):
    out = io.StringIO()
    _piped(ReplState(g), [".lang ko", "S3란?", "RDS가 지원하는 엔진은?"], out, json_lines=False)
    nexts = [line for line in out.getvalue().splitlines() if line.startswith("next:")]
    assert len(nexts) == 2
    for line in nexts:
        assert HANGUL.search(line) and "define " not in line and "what " not in line, line


# ---------------------------------------------------------------- Enter in Ctrl-R search
def test_enter_in_reverse_search_submits_the_match(g):
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe:
        session = build_session(ReplState(g), input=pipe, output=DummyOutput(), history=InMemoryHistory())
        pipe.send_text("what stores EBS backups\r")
        assert session.prompt() == "what stores EBS backups"
        pipe.send_text("define S3\r")
        assert session.prompt() == "define S3"
        # Ctrl-R, part of the first question, Enter: submitted as is. The next line is typed fresh
        # (before the fix it landed mid-line: "what define ECSstores EBS backups").
        pipe.send_text("\x12stores EBS\rdefine ECS\r")
        assert session.prompt() == "what stores EBS backups"
        assert session.prompt() == "define ECS"
        assert list(session.history.get_strings()) == [
            "what stores EBS backups", "define S3", "what stores EBS backups", "define ECS"]


def test_enter_in_reverse_search_without_a_match_submits_the_line_unchanged(g):
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe:
        session = build_session(ReplState(g), input=pipe, output=DummyOutput(), history=InMemoryHistory())
        pipe.send_text("define S3\r")
        assert session.prompt() == "define S3"
        pipe.send_text("define E\x12zzz\rCS\r")
        assert session.prompt() == "define E"
        assert session.prompt() == "CS"

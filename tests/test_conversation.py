"""Conversations: pronouns and elliptic follow-ups resolved against the last turns (API, HTTP, MCP, tools, REPL)."""

from __future__ import annotations

import io
import json

import pytest

from kg.answers.conversation import Conversation, ConversationStore, mention_spans


def _turns(g, questions, **options):
    conversation = g.conversation(**options)
    return conversation, [conversation.ask(q) for q in questions]


# ---------------------------------------------------------------- Python API
def test_pronoun_then_ellipsis(g):
    conversation, (first, second, _) = _turns(g, ["what is EBS?", "where are its snapshots stored?", "and EFS?"])
    assert first.answers[0].id == "EBS" and first.interpretation is None
    assert second.interpretation == "where are EBS snapshots stored?"
    assert second.question == "where are its snapshots stored?"
    assert [a.id for a in second.answers] == ["S3"]
    # the third is not a controlled question: the interpreter may restate it, so check what was asked
    assert conversation.turns[-1].resolved == "where are EFS snapshots stored?"


@pytest.mark.parametrize(("questions", "resolved", "kind"), [
    (["what is EBS", "and EFS?"], "what is EFS", "definition"),
    (["what is EBS", "what about Lambda"], "what is Lambda", "definition"),
    (["what is EBS?", "how about Lambda?"], "what is Lambda?", "definition"),
    (["what is EBS", "EFS too?"], "what is EFS", "definition"),
    (["is Lambda a compute service", "and EC2?"], "is EC2 a compute service", "boolean"),
    (["what is Lambda", "is it a compute service?"], "is Lambda a compute service?", "boolean"),
    (["what is Lambda", "what does it invoke"], "what does Lambda invoke", "entities"),
    (["what does RDS support", "how many engines does it support"], "how many engines does RDS support", "count"),
    (["what is ECS", "how is that related to S3"], "how is ECS related to S3", "path"),
    (["define Lambda", "tell me about that"], "tell me about Lambda", "definition"),
    (["which services are built on EC2", "what is it built on"], "what is EC2 built on", "entities"),
])
def test_english_follow_ups(g, questions, resolved, kind):
    conversation, answers = _turns(g, questions)
    assert conversation.turns[-1].resolved == resolved
    assert answers[-1].kind == kind and answers[-1].interpretation


@pytest.mark.parametrize(("questions", "resolved"), [
    (["EBS란?", "EFS는?"], "EFS란?"),
    (["스냅샷이란?", "S3는?"], "S3란?"),  # the particle takes the form that follows the new word
    (["S3란?", "스냅샷은?"], "스냅샷이란?"),
    (["RDS가 지원하는 엔진은?", "그럼 Aurora는?"], None),  # Aurora replaces RDS; asked as written
    (["EBS 스냅샷이란?", "그건 어디에 저장돼?"], "EBS 스냅샷은 어디에 저장돼?"),
    (["S3란?", "그것은 데이터베이스야?"], "S3는 데이터베이스야?"),
    (["스냅샷이란?", "그게 뭐야?"], "스냅샷이 뭐야?"),
    (["what is EBS", "EFS는?"], "what is EFS"),
])
def test_korean_follow_ups(g, questions, resolved):
    conversation, answers = _turns(g, questions)
    assert conversation.turns[-1].resolved == (resolved or "Aurora가 지원하는 엔진은?")
    assert answers[-1].lang == "ko" and answers[-1].interpretation


def test_korean_follow_up_answers(g):
    _, (_, second, third) = _turns(g, ["EBS란?", "EFS는?", "S3도?"])
    assert second.kind == "definition" and second.answers[0].id == "EFS"
    assert third.answers[0].id == "S3" and second.lang == third.lang == "ko"


def test_questions_that_need_no_context_are_unchanged(g):
    conversation, answers = _turns(g, ["what is Lambda", "which services store snapshots",
                                      "list storage services", "what is stored in S3", "is S3 a database"])
    assert all(a.interpretation is None for a in answers)
    assert [a.question for a in answers] == [t.question for t in conversation.turns]


def test_first_turn_is_asked_as_written(g):
    conversation = g.conversation()
    answer = conversation.ask("where are its snapshots stored?")
    assert answer.question == "where are its snapshots stored?"
    assert conversation.turns[-1].resolved == "where are its snapshots stored?"


def test_memory_is_bounded(g):
    conversation, _ = _turns(g, ["what is EBS", "what is Lambda", "what is S3", "what is EC2"], turns=2)
    assert len(conversation.turns) == 2 and conversation.subjects == ["EC2", "S3"]
    conversation.reset()
    assert conversation.subjects == [] and conversation.resolve("and EFS?") == ("and EFS?", None)
    with pytest.raises(ValueError):
        Conversation(g, turns=0)


def test_long_and_odd_messages_are_never_rewritten(g):
    conversation, _ = _turns(g, ["what is EBS"])
    long = "is it " + "x " * 600
    assert conversation.resolve(long)[0] == long
    for odd in ["", "   ", "?", "and", "what about", "and ???", "그건", "it"]:
        answer = conversation.ask(odd)  # never a traceback
        assert answer.text or answer.error


def test_errors_keep_the_resolved_question_for_their_caret(g):
    conversation, _ = _turns(g, ["what is EBS"])
    answer = conversation.ask("is it a zzzqqq")
    if answer.error is not None:
        assert answer.question == "is EBS a zzzqqq"


def test_mention_spans(g):
    spans = mention_spans("where are EBS snapshots stored in S3에?", g.lexicon)
    assert [(m.surface, m.ids) for m in spans][-1] == ("S3", ("S3",))
    assert all("where are EBS snapshots stored in S3에?"[m.start:m.end] == m.surface for m in spans)


def test_conversations_are_independent_and_thread_safe(g):
    from concurrent.futures import ThreadPoolExecutor

    def chat(subject: str) -> str | None:
        conversation = g.conversation()
        conversation.ask(f"what is {subject}")
        return conversation.ask("is it a storage service").interpretation

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(chat, ["EBS", "Lambda", "S3", "EC2"] * 5))
    assert got == [f"is {s} a storage service" for s in ["EBS", "Lambda", "S3", "EC2"] * 5]


# ---------------------------------------------------------------- the server-side store
class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_store_ids_ttl_and_capacity(g):
    clock = Clock()
    store = ConversationStore(capacity=3, ttl=60, clock=clock)
    first, _ = store.ask(g, None, "what is EBS")
    same, answer = store.ask(g, first, "and EFS?")
    assert same == first and answer.interpretation == "what is EFS"
    other, answer = store.ask(g, "no-such-id", "and EFS?")
    assert other not in (first, "no-such-id") and answer.question == "and EFS?"
    assert store.get(g, other)[1].turns[-1].resolved == "and EFS?"
    clock.now = 61
    expired, _ = store.ask(g, first, "and S3?")
    assert expired != first and store.size == 1
    ids = [store.get(g, None)[0] for _ in range(5)]
    assert store.size == 3 and store.get(g, ids[0])[0] != ids[0]  # the oldest were evicted


# ---------------------------------------------------------------- HTTP
@pytest.fixture(scope="module")
def client(g):
    from fastapi.testclient import TestClient

    from kg.faces.server import create_app

    return TestClient(create_app(g), base_url="http://127.0.0.1")


def test_http_conversation(client):
    first = client.post("/ask", json={"question": "what is EBS?", "conversation": "new"}).json()
    conversation = first["conversation"]
    assert conversation != "new" and first["answers"][0]["id"] == "EBS"
    second = client.post("/ask", json={"question": "where are its snapshots stored?",
                                       "conversation": conversation}).json()
    assert second["conversation"] == conversation and second["interpretation"] == "where are EBS snapshots stored?"
    assert [a["id"] for a in second["answers"]] == ["S3"]
    korean = client.post("/ask", json={"question": "what is S3", "conversation": conversation}).json()
    korean = client.post("/ask", json={"question": "EFS는?", "conversation": conversation}).json()
    assert korean["interpretation"] == "what is EFS" and korean["answers"][0]["id"] == "EFS"
    plain = client.post("/ask", json={"question": "where are its snapshots stored?"}).json()
    assert "conversation" not in plain and "interpretation" not in plain or plain["interpretation"] != (
        "where are EBS snapshots stored?")


@pytest.mark.parametrize("conversation", ["", "x" * 65, "has space", "../etc", 5, ["a"]])
def test_http_bad_conversation_ids_are_refused(client, conversation):
    response = client.post("/ask", json={"question": "what is EBS", "conversation": conversation})
    assert response.status_code == 422 and "error" in response.json()


def test_http_unknown_conversation_starts_a_new_one(client):
    data = client.post("/ask", json={"question": "what is EFS", "conversation": "forgotten-id"}).json()
    assert data["conversation"] != "forgotten-id" and data.get("interpretation") is None


# ---------------------------------------------------------------- tools, MCP, REPL
def test_tool_ask_in_a_conversation(g):
    from kg.faces.tools import call_tool

    conversation = g.conversation()
    call_tool(g, "ask", {"question": "what is Lambda"}, conversation=conversation)
    data = call_tool(g, "ask", {"question": "is it a compute service"}, conversation=conversation)
    assert data["interpretation"] == "is Lambda a compute service" and data["boolean"] is True


def test_mcp_sessions_each_have_a_conversation(g):
    import anyio
    from mcp.shared.memory import create_connected_server_and_client_session

    from kg.faces.mcp_server import build_server

    server = build_server(g)

    async def talk():
        async with create_connected_server_and_client_session(server) as one:
            await one.call_tool("ask", {"question": "what is EBS?"})
            follow = await one.call_tool("ask", {"question": "EFS는?"})
            async with create_connected_server_and_client_session(server) as two:
                fresh = await two.call_tool("ask", {"question": "EFS는?"})
        return follow.structuredContent, fresh.structuredContent

    follow, fresh = anyio.run(talk)
    assert follow["interpretation"] == "what is EFS?" and follow["answers"][0]["id"] == "EFS"
    assert "EFS" in follow["text"] and any("\uac00" <= ch <= "\ud7a3" for ch in follow["text"])
    assert fresh.get("interpretation") != "what is EFS?"


def test_repl_keeps_a_conversation(g):
    from kg.faces.repl.app import _piped
    from kg.faces.repl.state import ReplState

    out = io.StringIO()
    _piped(ReplState(g), ["what is EBS?", "where are its snapshots stored?", "and EFS?"], out, json_lines=True)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert answers[1]["interpretation"] == "where are EBS snapshots stored?"
    assert [a["id"] for a in answers[1]["answers"]] == ["S3"]

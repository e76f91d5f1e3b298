"""Answers follow the question's language: detection, and every face (API, CLI, REPL, HTTP, MCP, tools)."""

from __future__ import annotations

import io
import json

import pytest

from kg.answers.language import answer_lang, question_lang


def _korean(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


@pytest.mark.parametrize(("text", "lang"), [
    ("S3가 뭐야?", "ko"), ("EC2란?", "ko"), ("스냅샷", "ko"), ("ㅋㅋ what is S3", "ko"),
    ("what is S3", "en"), ("SELECT ?x { ?x stores :EBSSnapshot }", "en"), ("", "en"), ("Ünïcödé? 123", "en"),
    ("什么是 S3", "en"),
])
def test_question_lang(text, lang):
    assert question_lang(text) == lang


def test_given_language_wins():
    assert answer_lang("S3가 뭐야?", "en") == "en" and answer_lang("what is S3", "ko") == "ko"
    assert answer_lang("S3가 뭐야?", None) == "ko" and answer_lang("what is S3", "") == "en"


def test_api_answers_in_the_questions_language(g):
    korean = g.ask("S3가 뭐야?")
    assert korean.lang == "ko" and _korean(korean.text) and all(_korean(f) for f in korean.followups)
    english = g.ask("what is S3")
    assert english.lang == "en" and not _korean(english.text)
    assert not _korean(g.ask("S3가 뭐야?", lang="en").text)
    assert _korean(g.ask("what is S3", lang="ko").text)


def test_api_korean_labels_and_other_kinds(g):
    boolean = g.ask("DynamoDB는 관계형 데이터베이스야?")
    assert boolean.lang == "ko" and _korean(boolean.text)
    assert g.define("스냅샷").lang == "ko" and g.define("snapshot").lang == "en"
    clarify = g.ask("인스턴스란?")
    if clarify.kind == "clarify":  # the follow-ups of a Korean clarification are Korean questions
        assert all(f.endswith("?") and _korean(f) for f in clarify.followups)


def test_cli_follows_the_question_unless_lang_is_given(capsys):
    from kg.faces.cli import main

    assert main(["ask", "S3가 뭐야?"]) == 0
    assert _korean(capsys.readouterr().out)
    assert main(["ask", "--lang", "en", "S3가 뭐야?"]) == 0
    assert not _korean(capsys.readouterr().out)
    assert main(["ask", "--json", "what is S3"]) == 0
    assert not _korean(json.loads(capsys.readouterr().out)["text"])
    assert main(["define", "스냅샷"]) == 0
    assert capsys.readouterr().out.startswith("EBS 스냅샷")


def test_cli_json_lines_follow_each_question(capsys, monkeypatch):
    from kg.faces.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("what is S3\nS3란?\n"))
    assert main(["ask", "--json", "-"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert not _korean(first["text"]) and _korean(second["text"])


def test_repl_follows_the_question_until_lang_is_set(g):
    from kg.faces.repl.app import _piped
    from kg.faces.repl.state import ReplState

    out = io.StringIO()
    lines = ["S3란?", "what is S3", ".lang en", "S3란?", ".lang auto", "S3란?"]
    assert _piped(ReplState(g), lines, out, json_lines=True) == 0
    texts = [json.loads(line)["text"] for line in out.getvalue().splitlines() if line.startswith("{")]
    assert [_korean(t) for t in texts] == [True, False, False, True]


def test_http_follows_the_question(g):
    from fastapi.testclient import TestClient

    from kg.faces.server import create_app

    client = TestClient(create_app(g), base_url="http://127.0.0.1")
    assert _korean(client.post("/ask", json={"question": "S3란?"}).json()["text"])
    assert not _korean(client.post("/ask", json={"question": "S3란?", "lang": "en"}).json()["text"])
    assert not _korean(client.post("/ask", json={"question": "what is S3"}).json()["text"])
    assert client.get("/define/스냅샷").json()["answers"][0]["label"] == "EBS 스냅샷"
    assert client.post("/ask", json={"question": "S3란?", "lang": None}).status_code == 200


def test_tools_follow_the_question(g):
    from kg.faces.tools import TOOLS, call_tool

    assert _korean(call_tool(g, "ask", {"question": "S3란?"})["text"])
    assert not _korean(call_tool(g, "ask", {"question": "S3란?", "lang": "en"})["text"])
    assert "default" not in TOOLS["ask"]["parameters"]["properties"]["lang"]


def test_mcp_follows_the_question(g):
    import anyio
    from mcp.shared.memory import create_connected_server_and_client_session

    from kg.faces.mcp_server import build_server

    async def talk():
        async with create_connected_server_and_client_session(build_server(g)) as session:
            korean = await session.call_tool("ask", {"question": "S3란?"})
            english = await session.call_tool("ask", {"question": "S3란?", "lang": "en"})
            return korean.structuredContent, english.structuredContent

    korean, english = anyio.run(talk)
    assert _korean(korean["text"]) and not _korean(english["text"])

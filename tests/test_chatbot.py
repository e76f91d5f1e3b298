"""The chatbot faces: Python API, chat tolerance, tools, HTTP JSON + SPARQL endpoint, MCP."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kg.faces.tools import ToolError, call_tool, tool_schemas
from tests.servers import free_port


# ---------------------------------------------------------------- Python API
def test_concurrent_asks_give_the_same_answers(g):
    questions = ["what stores EBS backups", "which engines does RDS support", "S3란?", "what is EC3",
                 "how is Auto Scaling related to EC2", "tell me about s3 and snapshots please"] * 40
    expected = {q: json.dumps(g.ask(q).to_dict(), sort_keys=True) for q in set(questions)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: (q, json.dumps(g.ask(q).to_dict(), sort_keys=True)), questions))
    assert all(answer == expected[q] for q, answer in got)


def test_chat_messages_get_the_mentioned_definitions(g):
    answer = g.ask("tell me about s3 and snapshots please")
    assert answer.kind == "mentions" and [a.id for a in answer.answers] == ["S3", "EBSSnapshot"]
    korean = g.ask("EC2랑 Lambda 보여줘 그냥")
    assert korean.kind == "mentions" and [a.id for a in korean.answers] == ["EC2", "Lambda"]
    assert korean.details["parse_error"]["message"]
    assert g.ask("EC2랑 Lambda 차이가 뭐야?").kind == "compare"  # a comparison, not a list of mentions


def test_ambiguous_terms_ask_which(g):
    answer = g.ask("what is instance")
    assert answer.kind == "clarify" and {a.id for a in answer.answers} == {"EC2Instance", "DBInstance"}


@pytest.mark.parametrize("question", ["what stores EBS backups", "tell me about s3 and snapshots please",
                                      "what is EC3", "what is instance", "define Lambda", "is S3 a database"])
def test_every_answer_has_working_followups(g, question):
    followups = g.ask(question).followups
    assert 1 <= len(followups) <= 3
    for followup in followups:
        assert g.ask(followup).kind not in ("error",), followup


def test_tool_schemas_and_calls(g):
    names = [t["function"]["name"] for t in tool_schemas()]
    assert names == ["ask", "define", "search", "sparql"]
    assert all(t["function"]["parameters"]["type"] == "object" for t in tool_schemas())
    assert call_tool(g, "define", {"term": "Lamda"})["answers"][0]["id"] == "Lambda"
    assert call_tool(g, "search", {"text": "stroage"})["results"][0]["id"] == "S3"
    with pytest.raises(ToolError):
        call_tool(g, "sparql", {"query": "DROP ALL"})
    with pytest.raises(ToolError):
        call_tool(g, "rm", {})


# ---------------------------------------------------------------- HTTP in process
@pytest.fixture(scope="module")
def client(g):
    from fastapi.testclient import TestClient

    from kg.faces.server import create_app

    return TestClient(create_app(g), base_url="http://127.0.0.1")


def test_http_ask_define_search_health(client):
    answer = client.post("/ask", json={"question": "what stores EBS backups"}).json()
    assert answer["answers"][0]["id"] == "S3" and answer["sparql"]
    assert client.post("/ask", json={"question": "S3란?", "lang": "ko"}).json()["kind"] == "definition"
    bad = client.post("/ask", json={"question": "what is EC3"})
    assert bad.status_code == 422 and "Amazon EC2" in bad.json()["error"]["suggestions"]
    assert client.get("/define/EC2").json()["answers"][0]["id"] == "EC2"
    assert client.get("/define/EC3").status_code == 404
    assert client.get("/search", params={"q": "lamda"}).json()["results"][0]["id"] == "Lambda"
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/openapi.json").json()["paths"]["/ask"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("post", "/ask", {"content": b"{not json"}, 422),
    ("post", "/ask", {"json": {"question": ""}}, 422),
    ("post", "/ask", {"json": {"question": "x" * 1001}}, 422),
    ("post", "/ask", {"json": {"question": "define EC2", "lang": "fr"}}, 422),
    ("post", "/ask", {"content": b"x" * 70000, "headers": {"content-type": "application/json"}}, 413),
    ("get", "/nowhere", {}, 404),
    ("delete", "/ask", {}, 405),
    ("get", "/search", {"params": {"q": ""}}, 422),
    ("get", "/sparql", {}, 400),
    ("get", "/sparql", {"params": {"query": "SELECT nonsense"}}, 400),
    ("get", "/sparql", {"params": {"update": "DROP ALL"}}, 403),
    ("post", "/sparql", {"content": b"DROP ALL", "headers": {"content-type": "application/sparql-update"}}, 403),
    ("post", "/sparql", {"content": b"DELETE WHERE { ?s ?p ?o }",
                         "headers": {"content-type": "application/sparql-query"}}, 400),
    ("post", "/sparql", {"content": b"SELECT ?s WHERE { ?s ?p ?o }", "headers": {"content-type": "text/plain"}}, 415),
    ("get", "/sparql", {"params": {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"}}, 413),
    ("get", "/sparql", {"params": {"query": "ASK { ?s ?p ?o }"}, "headers": {"accept": "image/png"}}, 406),
])
def test_http_bad_requests_get_4xx_json(client, method, path, kwargs, status):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert "error" in response.json()


def test_sparql_endpoint_negotiates_formats(client):
    query = "SELECT ?l WHERE { <https://w3id.org/cloudkg/id/S3> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
    as_json = client.get("/sparql", params={"query": query})
    assert as_json.headers["content-type"].startswith("application/sparql-results+json")
    assert {b["l"]["value"] for b in as_json.json()["results"]["bindings"]} == {"Amazon S3"}
    assert "<sparql" in client.get("/sparql", params={"query": query},
                                   headers={"accept": "application/sparql-results+xml"}).text
    assert client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"}).text.startswith("l")
    form = client.post("/sparql", content=f"query={query}".encode(),
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 200


# ---------------------------------------------------------------- a real server process
def test_real_server_process():
    import httpx

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.faces.cli", "serve", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        response = httpx.post(f"http://127.0.0.1:{port}/ask", json={"question": "what stores EBS backups"})
        assert response.json()["answers"][0]["id"] == "S3"
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---------------------------------------------------------------- MCP
def test_mcp_server_over_stdio():
    pytest.importorskip("mcp")
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    async def talk():
        params = StdioServerParameters(command=sys.executable, args=["-m", "kg.faces.cli", "mcp"], env=dict(os.environ))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = {t.name for t in (await session.list_tools()).tools}
            result = await session.call_tool("ask", {"question": "what stores EBS backups"})
            resources = await session.list_resources()
            term = await session.read_resource("glossary://term/EC2")
            return tools, result, resources, term

    tools, result, resources, term = asyncio.run(talk())
    assert tools == {"ask", "define", "search", "sparql"}
    assert not result.isError
    assert result.structuredContent["answers"][0]["id"] == "S3"
    assert "Amazon S3" in result.content[0].text
    assert any(str(r.uri) == "glossary://terms" for r in resources.resources)
    assert json.loads(term.contents[0].text)["id"] == "EC2"

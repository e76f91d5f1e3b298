"""The MCP server under hostile input: malformed JSON-RPC, odd ids, bad tool arguments, huge queries.

A real ``kg mcp`` process is driven with raw JSON-RPC lines; every read has a deadline and every
process is killed at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import selectors
import subprocess
import sys
import time
from typing import Any

import pytest

from kg.faces.mcp_server import ToolRunner, _fit, check_line
from kg.faces.request_limits import RequestLimits
from kg.faces.tools import ToolError, call_tool

READ_SECONDS = 10.0
START_SECONDS = 60.0
SPARQL_REPLY_SECONDS = 2 * RequestLimits().query_seconds + 10  # the call deadline plus a margin


class McpProcess:
    """``kg mcp`` as a subprocess spoken to in raw JSON-RPC lines, with bounded reads."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "kg.faces.cli", "mcp"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=dict(os.environ))
        self.buffer = b""
        self.stash: list[Any] = []
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.process.stdout, selectors.EVENT_READ)

    def send(self, line: str | bytes | dict) -> None:
        data = json.dumps(line).encode() if isinstance(line, dict) else line
        data = data.encode() if isinstance(data, str) else data
        self.process.stdin.write(data + b"\n")
        self.process.stdin.flush()

    def _line(self, deadline: float) -> Any:
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                raise TimeoutError("no reply from the MCP server in time")
            chunk = os.read(self.process.stdout.fileno(), 1 << 16)
            if not chunk:
                raise EOFError(f"the MCP server exited (code {self.process.poll()})")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def reply(self, request_id: Any, seconds: float = READ_SECONDS) -> Any:
        """The next message answering ``request_id`` (None: an error about an unreadable id; a batch reply)."""
        deadline = time.monotonic() + seconds
        for _ in range(10_000):
            for message in self.stash:
                if isinstance(message, list) and request_id is None or \
                        isinstance(message, dict) and message.get("id", "?") == request_id:
                    self.stash.remove(message)
                    return message
            self.stash.append(self._line(deadline))
        raise AssertionError("too many unrelated messages")

    def request(self, request_id: Any, method: str, params: dict | None = None, seconds: float = READ_SECONDS) -> Any:
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        self.send(message if params is None else {**message, "params": params})
        return self.reply(request_id, seconds)

    def ping_works(self) -> bool:
        return self.request("ping-check", "ping") == {"jsonrpc": "2.0", "id": "ping-check", "result": {}}

    def call(self, request_id: int, tool: str, arguments: dict, seconds: float = READ_SECONDS) -> dict:
        return self.request(request_id, "tools/call", {"name": tool, "arguments": arguments}, seconds)

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (subprocess.TimeoutExpired, OSError):
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            self.selector.close()
            self.process.stdout.close()


@pytest.fixture(scope="module")
def mcp():
    server = McpProcess()
    try:
        init = server.request(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                                "clientInfo": {"name": "test", "version": "1"}}, START_SECONDS)
        assert init["result"]["serverInfo"]["name"] == "cloudkg"
        server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        yield server
    finally:
        server.close()


# ---------------------------------------------------------------- malformed JSON-RPC
@pytest.mark.parametrize(("line", "reply_id", "code"), [
    (b"{oops", None, -32700),
    (b'{"jsonrpc": "2.0", "id": 1, "method": "ping"', None, -32700),
    (b"\xff\xfe not utf-8", None, -32700),
    (b"42", None, -32600),
    (b'"ping"', None, -32600),
    (b"null", None, -32600),
    (b"[]", None, -32600),
    (b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}', None, -32600),
    (b'{"jsonrpc": "2.0", "id": [1], "method": "ping"}', None, -32600),
    (b'{"jsonrpc": "2.0", "id": true, "method": "ping"}', None, -32600),
    (b'{"jsonrpc": "2.0", "id": 1.5, "method": "ping"}', None, -32600),
    (b'{"jsonrpc": "2.0", "id": null, "method": "ping"}', None, -32600),
    (b'{"jsonrpc": "2.0", "id": 7}', 7, -32600),
    (b'{"jsonrpc": "2.0", "id": 8, "method": 5}', 8, -32600),
    (b'{"id": 9, "method": "ping"}', 9, -32600),
    (b'{"jsonrpc": "1.0", "id": "v1", "method": "ping"}', "v1", -32600),
    (b'{"jsonrpc": "2.0", "id": 10, "method": "no/such/method"}', 10, -32601),
    (b'{"jsonrpc": "2.0", "id": 11, "method": "ping", "params": [1, 2]}', 11, -32602),
    (b'{"jsonrpc": "2.0", "id": 12, "method": "tools/call"}', 12, -32602),
])
def test_malformed_messages_get_an_error_reply(mcp, line, reply_id, code):
    mcp.send(line)
    reply = mcp.reply(reply_id)
    assert reply["jsonrpc"] == "2.0" and reply["id"] == reply_id
    assert reply["error"]["code"] == code and reply["error"]["message"]
    assert mcp.ping_works()


def test_a_batch_gets_one_error_per_request(mcp):
    mcp.send(b'[{"jsonrpc": "2.0", "id": 21, "method": "ping"}, 3, {"jsonrpc": "2.0", "method": "x"}]')
    replies = mcp.reply(None)
    assert isinstance(replies, list) and [r["id"] for r in replies] == [21, None]
    assert {r["error"]["code"] for r in replies} == {-32600}
    assert mcp.ping_works()


def test_an_oversized_line_is_refused_and_skipped(mcp):
    mcp.send(b'{"jsonrpc": "2.0", "id": 30, "method": "ping", "params": {"pad": "' + b"x" * 200_000 + b'"}}')
    reply = mcp.reply(None)
    assert reply["error"]["code"] == -32600 and "bytes" in reply["error"]["message"]
    assert mcp.ping_works()


# ---------------------------------------------------------------- bad tool calls
@pytest.mark.parametrize(("tool", "arguments", "says"), [
    ("rm", {}, "Unknown tool"),
    ("search", {"text": "s3", "limit": -1}, "between 1 and 50"),
    ("search", {"text": "s3", "limit": 0}, "between 1 and 50"),
    ("search", {"text": "s3", "limit": 51}, "between 1 and 50"),
    ("search", {"text": "s3", "limit": "many"}, "limit"),
    ("ask", {"question": "x" * 5000}, "the limit is 1000"),
    ("ask", {"question": ""}, "empty"),
    ("ask", {"question": "what is S3", "lang": "fr"}, "lang"),
    ("define", {"term": "y" * 201}, "the limit is 200"),
    ("sparql", {"query": "DROP ALL"}, "updates are refused"),
    ("sparql", {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, "SERVICE is refused"),
    ("sparql", {"query": "SELECT * FROM <http://127.0.0.1:9/g> { ?s ?p ?o }"}, "FROM and FROM NAMED are refused"),
    ("sparql", {"query": "S" * 10_001}, "the limit is 10000"),
])
def test_bad_tool_calls_get_a_tool_error(mcp, tool, arguments, says):
    reply = mcp.call(40, tool, arguments)
    result = reply["result"]
    assert result["isError"] is True
    assert says in result["content"][0]["text"]
    assert mcp.ping_works()


def test_good_tool_calls_still_work(mcp):
    found = mcp.call(50, "search", {"text": "stroage", "limit": 3})["result"]
    assert not found["isError"] and found["structuredContent"]["results"][0]["id"] == "S3"
    assert len(found["structuredContent"]["results"]) <= 3
    rows = mcp.call(51, "sparql", {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"})["result"]
    assert not rows["isError"], rows["content"][0]["text"]
    assert len(rows["structuredContent"]["results"]["bindings"]) == 3


def test_a_cartesian_query_is_bounded_and_ping_answers_meanwhile(mcp):
    started = time.monotonic()
    mcp.send({"jsonrpc": "2.0", "id": 60, "method": "tools/call",
              "params": {"name": "sparql", "arguments": {"query": "SELECT * { ?a ?b ?c . ?d ?e ?f }"}}})
    assert mcp.ping_works()
    pinged = time.monotonic() - started
    result = mcp.reply(60, SPARQL_REPLY_SECONDS)["result"]
    took = time.monotonic() - started
    text = result["content"][0]["text"]
    print(f"\ncartesian sparql: ping answered after {pinged:.2f} s, the call after {took:.2f} s, "
          f"{len(text)} characters, error={result['isError']}")
    assert len(text) <= RequestLimits().result_chars
    if result["isError"]:
        assert "unexpected keyword" not in text
        assert any(word in text for word in ("longer than", "time", "LIMIT", "rows", "results")), text
    else:
        assert len(result["structuredContent"]["results"]["bindings"]) <= RequestLimits().results


# ---------------------------------------------------------------- the pieces, in process
def test_check_line_never_accepts_an_odd_id():
    for request_id in ({"a": 1}, [1], True, False, 1.5, None):
        message, reply = check_line(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": "ping"}).encode())
        assert message is None and reply == {"jsonrpc": "2.0", "id": None, "error": reply["error"]}
        assert reply["error"]["code"] == -32600
    message, reply = check_line(b'{"jsonrpc": "2.0", "id": "a", "method": "ping"}')
    assert reply is None and message.root.id == "a"
    _, deep = check_line(b"[" * 100_000 + b"]" * 100_000)
    assert deep["error"]["code"] == -32700


def test_big_sparql_results_are_cut_to_the_character_limit():
    limits = RequestLimits(result_chars=5000)
    rows = [{"s": {"type": "uri", "value": f"https://example.org/{i}"}} for i in range(1000)]
    result = _fit("sparql", {"head": {"vars": ["s"]}, "results": {"bindings": rows}}, limits)
    assert result["truncated"] is True and 0 < len(result["results"]["bindings"]) < 1000
    assert len(json.dumps(result, indent=2)) <= limits.result_chars
    with pytest.raises(ValueError, match="larger than 5000"):
        _fit("ask", {"text": "x" * 6000}, limits)


def test_a_slow_tool_call_gets_an_error_at_the_deadline(g, monkeypatch):
    runner = ToolRunner(g, RequestLimits(query_seconds=0.2, concurrent=1))
    monkeypatch.setattr(runner, "_call", lambda name, arguments: time.sleep(2))
    with pytest.raises(ValueError, match="took longer than 0.4 s"):
        asyncio.run(runner("ask", {"question": "what is S3"}))
    runner.pool.shutdown(wait=False, cancel_futures=True)


@pytest.mark.parametrize(("arguments", "says"), [
    ({"text": "s3", "limit": True}, "integer"), ({"text": "s3", "limit": 2.0}, "integer"),
    ({"text": 5}, "string"), ({"text": "s3", "limit": -1}, "between 1 and 50"), ({}, "missing"),
])
def test_call_tool_refuses_bad_arguments(g, arguments, says):
    with pytest.raises(ToolError, match=says):
        call_tool(g, "search", arguments)

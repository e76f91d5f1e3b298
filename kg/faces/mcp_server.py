"""An MCP (Model Context Protocol) server on stdio, built with the official ``mcp`` SDK.

Tools: ask, define, search, sparql (read-only), each with an input schema and both text and
structured results. The glossary is exposed as resources: ``glossary://terms`` lists every
term, ``glossary://term/{term_id}`` is one term's entry.

Every tool call is bounded by :class:`~kg.faces.request_limits.RequestLimits` (the HTTP API's limits):
arguments are checked, calls run on a small thread pool off the event loop (so ``ping`` is
answered while a query runs), each call has a deadline and each result a size cap.

The stdio transport is our own thin layer over the SDK's: it answers every line the SDK would
only log. Unparseable JSON gets ``-32700``; a JSON value that is not a JSON-RPC 2.0 message, or
whose ``id`` is not a string or an integer (an object, array, boolean, float or null), gets
``-32600`` with ``id: null``; an unknown method gets ``-32601``; a batch (MCP has none since
2025-06-18) gets an array of ``-32600`` errors, one per element that has an id.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from kg.faces.request_limits import DEFAULT_LIMITS, RequestLimits

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from anyio.streams.memory import MemoryObjectSendStream
    from mcp.server.fastmcp import FastMCP

    from kg.answers.conversation import Conversation
    from kg.graph import KnowledgeGraph

__all__ = ["build_server", "check_line", "run_mcp"]

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32601, -32602, -32603
TOO_LONG = object()  # a line longer than the limit (already skipped)


# ---------------------------------------------------------------- tools
def _fit(name: str, result: dict[str, Any], limits: RequestLimits) -> dict[str, Any]:
    """``result`` cut to at most ``limits.result_chars`` characters of text (SPARQL rows are dropped).

    The size is measured as the SDK writes the text (JSON, indented, non-ASCII escaped: an upper bound).
    """
    size = len(json.dumps(result, indent=2))
    bindings = result.get("results", {}).get("bindings") if name == "sparql" else None
    for _ in range(20):
        if size <= limits.result_chars or not bindings:
            break
        keep = min(len(bindings) - 1, int(len(bindings) * limits.result_chars / size * 0.9))
        bindings = bindings[:max(keep, 0)]
        result = {**result, "results": {**result["results"], "bindings": bindings}, "truncated": True,
                  "warning": f"cut to {len(bindings)} rows to stay under {limits.result_chars} characters; "
                             "add a LIMIT or select fewer variables"}
        size = len(json.dumps(result, indent=2))
    if size > limits.result_chars:
        raise ValueError(f"the {name} result is larger than {limits.result_chars} characters; ask for less")
    return result


class ToolRunner:
    """Runs tool calls on a bounded thread pool, each with a deadline and a result size cap."""

    def __init__(self, g: KnowledgeGraph, limits: RequestLimits = DEFAULT_LIMITS) -> None:
        self.g, self.limits = g, limits
        self.pool = ThreadPoolExecutor(max_workers=limits.concurrent, thread_name_prefix="kg-mcp-tool")
        self.conversations: weakref.WeakKeyDictionary[Any, Conversation] = weakref.WeakKeyDictionary()
        # The SPARQL runner stops a query at query_seconds; the margin covers its worker start and a busy pool.
        self.deadline = 2 * limits.query_seconds

    def conversation(self, session: Any) -> Conversation | None:
        """The conversation of an MCP session (one per session, forgotten with it); None without a session."""
        from kg.answers.conversation import Conversation

        if session is None:
            return None
        found = self.conversations.get(session)
        if found is None:  # on the event loop: no other call runs between the get and the set
            found = self.conversations[session] = Conversation(self.g)
        return found

    def _call(self, name: str, arguments: dict[str, Any], conversation: Conversation | None = None) -> dict[str, Any]:
        from kg.faces.tools import ToolError, call_tool

        try:
            return _fit(name, call_tool(self.g, name, arguments, self.limits, conversation), self.limits)
        except ToolError as error:
            raise ValueError(str(error)) from None

    async def __call__(self, name: str, arguments: dict[str, Any], session: Any = None) -> dict[str, Any]:
        """The result of tool ``name``; a ``ValueError`` (an ``isError`` result) for a bad or slow call.

        ``ask`` calls with a ``session`` are turns of that session's conversation.
        """
        arguments = {k: v for k, v in arguments.items() if v is not None}
        conversation = self.conversation(session)
        call = functools.partial(self._call, conversation=conversation) if conversation else self._call
        future = self.pool.submit(call, name, arguments)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.deadline)
        except TimeoutError:
            future.cancel()  # drops a call still queued; a running one ends at the runner's own timeout
            raise ValueError(f"the {name} call took longer than {self.deadline:g} s (server busy or "
                             "query too slow); try a narrower query later") from None


def _text(chars: int, what: str) -> Any:
    return Annotated[str, Field(description=what, json_schema_extra={"minLength": 1, "maxLength": chars})]


# The argument types advertise the limits in each tool's input schema; kg.faces.tools.check_arguments checks them
# (with clearer messages than pydantic's). Module level: FastMCP evaluates the string annotations here.
Question = _text(DEFAULT_LIMITS.question_chars, "The question or chat message.")
Term = _text(DEFAULT_LIMITS.term_chars, "A term, alias or typo.")
Text = _text(DEFAULT_LIMITS.term_chars, "The text to match.")
Query = _text(DEFAULT_LIMITS.query_chars, "A read-only SPARQL 1.1 query.")
Limit = Annotated[int, Field(description="How many terms.",
                             json_schema_extra={"minimum": 1, "maximum": DEFAULT_LIMITS.search_limit_max})]


def build_server(g: KnowledgeGraph, limits: RequestLimits = DEFAULT_LIMITS) -> FastMCP:
    """The MCP server for ``g`` (not yet running); tool calls are bounded by ``limits``."""
    from mcp.server.fastmcp import FastMCP

    from kg.faces.tools import TOOLS

    server = FastMCP("cloudkg", instructions="Questions, glossary and SPARQL over a knowledge graph of cloud concepts.")
    run = ToolRunner(g, limits)

    @server.tool(description=TOOLS["ask"]["description"] + " Questions in one session are a conversation: "
                 "'it', 'its', 'and EFS?' refer back to the last questions' subjects.")
    async def ask(question: Question, lang: Literal["en", "ko"] | None = None) -> dict[str, Any]:
        return await run("ask", {"question": question, "lang": lang}, session=_session(server))

    @server.tool(description=TOOLS["define"]["description"])
    async def define(term: Term, lang: Literal["en", "ko"] | None = None) -> dict[str, Any]:
        return await run("define", {"term": term, "lang": lang})

    @server.tool(description=TOOLS["search"]["description"])
    async def search(text: Text, limit: Limit = 10) -> dict[str, Any]:
        return await run("search", {"text": text, "limit": limit})

    @server.tool(description=TOOLS["sparql"]["description"])
    async def sparql(query: Query) -> dict[str, Any]:
        return await run("sparql", {"query": query})

    _add_resources(server, g)
    return server


def _session(server: FastMCP) -> Any:
    """The MCP session of the call being handled, or None outside one."""
    try:
        return server.get_context().session
    except (LookupError, ValueError):
        return None


def _add_resources(server: FastMCP, g: KnowledgeGraph) -> None:
    @server.resource("glossary://terms", mime_type="application/json", description="Every glossary term")
    def terms() -> str:
        from kg.faces.glossary_export import glossary_rows

        return json.dumps(glossary_rows(g, "en"), ensure_ascii=False)

    @server.resource("glossary://term/{term_id}", mime_type="application/json", description="One term's entry")
    def term(term_id: str) -> str:
        if term_id not in g.knowledge.concepts:
            raise ValueError(f"no term with id {term_id!r}")
        return json.dumps(g.card(term_id), ensure_ascii=False)


# ---------------------------------------------------------------- JSON-RPC checks
def _client_methods() -> frozenset[str]:
    """The request methods the SDK's server session accepts (``initialize``, ``ping``, ``tools/call``, ...)."""
    from typing import get_args

    from mcp.types import ClientRequest

    models = get_args(ClientRequest.model_fields["root"].annotation)
    return frozenset(m for model in models for m in get_args(model.model_fields["method"].annotation))


def _error(code: int, message: str, request_id: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _check_object(message: dict[str, Any], methods: frozenset[str]) -> dict[str, Any] | None:
    """The error reply a JSON object deserves, or None when it is a well-formed MCP message."""
    has_id = "id" in message
    request_id = message.get("id") if _valid_id(message.get("id")) else None
    if has_id and request_id is None:
        kind = "null" if message["id"] is None else type(message["id"]).__name__
        return _error(INVALID_REQUEST, f"Invalid Request: 'id' must be a string or an integer, not {kind}")
    if message.get("jsonrpc") != "2.0":
        return _error(INVALID_REQUEST, "Invalid Request: 'jsonrpc' must be \"2.0\"", request_id)
    method = message.get("method")
    if "method" not in message:
        if has_id and ("result" in message or "error" in message):
            return None  # a response to a request of ours
        return _error(INVALID_REQUEST, "Invalid Request: a request needs a 'method' string", request_id)
    if not isinstance(method, str):
        return _error(INVALID_REQUEST, "Invalid Request: 'method' must be a string", request_id)
    if "params" in message and not isinstance(message["params"], dict | None):
        return _error(INVALID_PARAMS, "Invalid params: 'params' must be an object", request_id)
    if has_id and method not in methods:
        return _error(METHOD_NOT_FOUND, f"Method not found: {method[:100]!r}", request_id)
    return None


def _check_batch(batch: list[Any], methods: frozenset[str]) -> dict[str, Any] | list[dict[str, Any]]:
    """One error per element that carries an id (MCP has no batches); one error for an empty batch."""
    message = "Invalid Request: JSON-RPC batches are not supported (MCP); send one message per line"
    replies = [_error(INVALID_REQUEST, message, m.get("id") if isinstance(m, dict) and _valid_id(m.get("id")) else None)
               for m in batch if not isinstance(m, dict) or "id" in m]
    return replies or _error(INVALID_REQUEST, message)


def check_line(line: bytes, methods: frozenset[str] | None = None) -> tuple[Any, Any]:
    """``(message, reply)``: a message to pass to the SDK, or the error reply the line deserves.

    >>> check_line(b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}')[1]["error"]["code"]
    -32600
    >>> check_line(b'{oops')[1]["error"]["code"]
    -32700
    """
    from mcp.types import JSONRPCMessage
    from pydantic import ValidationError

    methods = _client_methods() if methods is None else methods
    try:
        data = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return None, _error(PARSE_ERROR, "Parse error: the line is not UTF-8")
    except (ValueError, RecursionError) as error:
        return None, _error(PARSE_ERROR, f"Parse error: {str(error)[:200] or 'nested too deeply'}")
    if isinstance(data, list):
        return None, _check_batch(data, methods)
    if not isinstance(data, dict):
        return None, _error(INVALID_REQUEST, f"Invalid Request: a message is a JSON object, not {type(data).__name__}")
    if (reply := _check_object(data, methods)) is not None:
        return None, reply
    try:
        return JSONRPCMessage.model_validate(data), None
    except ValidationError as error:
        request_id = data.get("id") if _valid_id(data.get("id")) else None
        return None, _error(INVALID_REQUEST, f"Invalid Request: {error.errors()[0]['msg']}", request_id)


# ---------------------------------------------------------------- stdio transport
# Raw file descriptors, not sys.stdin/sys.stdout: a thread blocked in sys.stdin.buffer.readline() holds
# the buffer's lock, and a SPARQL worker forked meanwhile deadlocks when multiprocessing closes its stdin.
class FdLines:
    """Lines read from a file descriptor, each at most ``max_bytes`` long (a longer one is skipped)."""

    def __init__(self, fd: int, max_bytes: int) -> None:
        self.fd, self.max_bytes, self.buffer = fd, max_bytes, b""

    def next(self) -> bytes | object | None:
        """The next line, ``TOO_LONG`` for a skipped one, None at the end of the input."""
        skipping = False
        while True:  # ends: each pass finds a line, reads more input, or meets its end
            end = self.buffer.find(b"\n")
            if end >= 0:
                line, self.buffer = self.buffer[:end + 1], self.buffer[end + 1:]
                return TOO_LONG if skipping or len(line) > self.max_bytes + 1 else line
            if len(self.buffer) > self.max_bytes:
                skipping, self.buffer = True, b""
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                rest, self.buffer = self.buffer, b""
                return TOO_LONG if skipping else (rest or None)
            self.buffer += chunk


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _dump(item: Any) -> bytes:
    from mcp.shared.message import SessionMessage

    if isinstance(item, SessionMessage):
        return item.message.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8") + b"\n"
    return json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n"


async def _reader(lines: FdLines, sessions: MemoryObjectSendStream, replies: MemoryObjectSendStream) -> None:
    """Read the input: good messages go to the SDK session, every bad line gets its error reply."""
    import anyio
    from mcp.shared.message import SessionMessage

    methods = _client_methods()
    async with sessions, replies:
        while (line := await anyio.to_thread.run_sync(lines.next)) is not None:
            if line is TOO_LONG:
                await replies.send(_error(INVALID_REQUEST, f"Invalid Request: a message is at most "
                                                           f"{lines.max_bytes} bytes"))
            elif line.strip():
                try:
                    message, reply = check_line(line, methods)
                except Exception as error:  # a bug here must not end the session: answer and go on
                    message, reply = None, _error(INTERNAL_ERROR, f"Internal error: {type(error).__name__}")
                await (sessions.send(SessionMessage(message)) if reply is None else replies.send(reply))


@asynccontextmanager
async def checked_stdio(in_fd: int, out_fd: int,
                        limits: RequestLimits = DEFAULT_LIMITS) -> AsyncIterator[tuple[Any, Any]]:
    """Like :func:`mcp.server.stdio.stdio_server` on two file descriptors, but every malformed line gets a
    JSON-RPC error reply and lines are at most ``limits.body_bytes`` long."""
    import anyio

    to_session, read_stream = anyio.create_memory_object_stream(0)
    write_stream, outgoing = anyio.create_memory_object_stream(0)

    async def writer() -> None:
        async with outgoing:
            async for item in outgoing:
                await anyio.to_thread.run_sync(_write_all, out_fd, _dump(item))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_reader, FdLines(in_fd, limits.body_bytes), to_session, write_stream.clone())
        tasks.start_soon(writer)
        yield read_stream, write_stream


async def serve_stdio(g: KnowledgeGraph, limits: RequestLimits = DEFAULT_LIMITS) -> None:
    """Serve MCP over stdin/stdout until the client closes stdin.

    The protocol gets private copies of the two descriptors; file descriptor 1 then points at stderr,
    so a stray print cannot corrupt the JSON-RPC stream.
    """
    sys.stdout.flush()
    in_fd, out_fd = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    lowlevel = build_server(g, limits)._mcp_server  # FastMCP has no public handle on its low-level server
    try:
        async with checked_stdio(in_fd, out_fd, limits) as (read_stream, write_stream):
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
    finally:
        os.close(in_fd)
        os.close(out_fd)


def run_mcp(g: KnowledgeGraph) -> int:
    """Serve MCP on stdin/stdout until the client closes the connection."""
    import anyio

    anyio.run(serve_stdio, g)
    return 0

"""HTTP JSON API and a read-only SPARQL 1.1 Protocol endpoint (FastAPI on uvicorn).

Every route only calls the :class:`~kg.graph.KnowledgeGraph` facade, off the event loop and
through a :class:`~kg.faces.http_guards.WorkGate`. Every bad request gets a 4xx JSON error; a request
refused for load gets 503 with Retry-After. Limits come from :class:`~kg.faces.request_limits.RequestLimits`.

Routes read the graph from a :class:`GraphHolder` on every request, so ``kg serve`` can swap in
reloaded data (SIGHUP) without stopping. Besides the API: ``/readyz`` and ``/metrics`` for
operators, MCP over streamable HTTP at ``/mcp``, the web pages (:mod:`kg.faces.web`) and offline
``/docs`` (:mod:`kg.faces.web_docs`) when those modules are installed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg import __version__
from kg.answers.conversation import ConversationStore
from kg.faces.graph_holder import GraphHolder
from kg.faces.http_guards import ApiKeyCheck, BodyLimit, Busy, HostCheck, Metrics, RequestLog, WorkGate, default_hosts
from kg.faces.request_limits import DEFAULT_LIMITS, RequestLimits

if TYPE_CHECKING:
    from kg.faces.http_run import ServeOptions
    from kg.graph import KnowledgeGraph

__all__ = ["GraphHolder", "Limits", "create_app", "serve"]

Limits = RequestLimits  # the name earlier releases used

SPARQL_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
}


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=DEFAULT_LIMITS.question_chars,
                          description="A question or chat message.")
    lang: Literal["en", "ko"] | None = Field(None, description="Language of the answer; default: the question's.")
    conversation: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                     description="Ask in a conversation (pronouns and follow-ups resolve against "
                                                 "its last turns): the id an earlier answer returned; an unknown "
                                                 "or expired id (e.g. 'new') starts one. The answer carries the id.")


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse({"error": {"message": message, **extra}}, status_code=status, headers=headers)


def _preferred_format(accept: str) -> str | None:
    """The SPARQL results format the Accept header asks for (JSON when it asks for anything)."""
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in SPARQL_TYPES:
            return SPARQL_TYPES[media]
        if media in ("*/*", "application/*", ""):
            return "json"
    return None


class _CurrentGraph:
    """Stands for the holder's graph of the moment (the MCP tools are built once, the graph can change)."""

    def __init__(self, holder: GraphHolder) -> None:
        self._holder = holder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._holder.get(), name)


def _mcp_security(hosts: Iterable[str]) -> Any:
    """The SDK's Host/Origin check for /mcp, matching the server's own Host check."""
    from mcp.server.transport_security import TransportSecuritySettings

    names = {h.strip("[]").lower() for h in hosts}
    if "*" in names:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    shown = [f"[{n}]" if ":" in n else n for n in names]
    return TransportSecuritySettings(
        allowed_hosts=[form for n in shown for form in (n, f"{n}:*")],
        allowed_origins=[f"{scheme}://{n}{port}" for n in shown for scheme in ("http", "https") for port in ("", ":*")])


class McpEndpoint:
    """MCP over streamable HTTP (stateless, JSON responses) for the holder's graph; an ASGI app.

    Its session manager runs while :meth:`running` is entered (the app's lifespan); outside it,
    requests get 503.
    """

    def __init__(self, holder: GraphHolder, limits: RequestLimits, hosts: Iterable[str]) -> None:
        import logging

        from kg.faces.mcp_server import build_server

        self.lowlevel = build_server(_CurrentGraph(holder), limits)._mcp_server  # type: ignore[arg-type]
        logging.getLogger("mcp").setLevel(logging.WARNING)  # FastMCP logs every session start at INFO
        self.security = _mcp_security(hosts)
        self.manager: Any = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

        manager = StreamableHTTPSessionManager(self.lowlevel, json_response=True, stateless=True,
                                               security_settings=self.security)
        async with manager.run():
            self.manager = manager
            try:
                yield
            finally:
                self.manager = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if self.manager is None:
            from kg.faces.http_guards import json_error

            for message in json_error(503, "MCP is not running (the server is starting or stopping)",
                                      [(b"retry-after", b"1")]):
                await send(message)
            return
        await self.manager.handle_request(scope, receive, send)


def _mcp_endpoint(holder: GraphHolder, limits: RequestLimits, hosts: Iterable[str]) -> McpEndpoint | None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        return None
    return McpEndpoint(holder, limits, hosts)


def _lifespan(mcp: McpEndpoint | None) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if mcp is None:
            yield
            return
        async with mcp.running():
            yield

    return lifespan


def _offline_docs() -> Callable[[FastAPI], None] | None:
    try:
        from kg.faces.web_docs import add_offline_docs
    except ImportError:
        return None
    return add_offline_docs


def create_app(g: KnowledgeGraph | GraphHolder, limits: RequestLimits = DEFAULT_LIMITS,
               allowed_hosts: Iterable[str] | None = None, *, api_key: str | None = None,
               access_log: bool = False) -> FastAPI:
    """The ASGI application serving ``g``; Host must be one of ``allowed_hosts`` (default: loopback).

    With ``api_key``, every route but /healthz and /readyz needs it; ``access_log`` prints a line
    per request on stderr. ``app.state.graph`` is the :class:`GraphHolder` (swap it to reload).
    """
    holder = g if isinstance(g, GraphHolder) else GraphHolder(g)
    hosts = frozenset(allowed_hosts or default_hosts("127.0.0.1"))
    mcp = _mcp_endpoint(holder, limits, hosts)
    docs = _offline_docs()
    app = FastAPI(title="cloudkg", version=__version__, lifespan=_lifespan(mcp),
                  description="Questions, glossary and SPARQL over a knowledge graph of cloud concepts.",
                  **({"docs_url": None, "redoc_url": None} if docs else {}))
    app.state.graph, app.state.metrics = holder, Metrics()
    app.add_middleware(BodyLimit, limit=limits.body_bytes)
    if api_key:
        app.add_middleware(ApiKeyCheck, key=api_key)
    app.add_middleware(HostCheck, allowed=hosts)
    app.add_middleware(RequestLog, metrics=app.state.metrics, access_log=access_log)
    _add_error_handlers(app)
    gate = WorkGate(limits.concurrent)
    _add_routes(app, holder.get, limits, gate)
    _add_ops_routes(app, holder.get)
    _add_sparql_routes(app, holder.get, limits, gate)
    if mcp is not None:
        from starlette.routing import Route

        app.router.routes.append(Route("/mcp", endpoint=mcp, methods=["GET", "POST", "DELETE"]))
    _add_extensions(app, holder.get, gate, docs)
    return app


def _add_extensions(app: FastAPI, graph: Callable[[], KnowledgeGraph], gate: WorkGate,
                    docs: Callable[[FastAPI], None] | None) -> None:
    """W1's web pages and W3's offline /docs, when those modules are there."""
    try:
        from kg.faces.web import add_web_routes
    except ImportError:
        add_web_routes = None
    if add_web_routes is not None:
        add_web_routes(app, graph, gate)
    if docs is not None:
        docs(app)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        details = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
                   for e in exc.errors()]
        return _error(422, "the request does not match the API", details=details)

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        return _error(503, str(exc))


def _add_routes(app: FastAPI, graph: Callable[[], KnowledgeGraph], limits: RequestLimits, gate: WorkGate) -> None:
    store_count = _StoreCount()

    @app.get("/healthz", summary="Liveness, version and size of the loaded knowledge")
    async def healthz() -> Any:
        g = graph()
        found = {"status": "ok", "version": __version__, "fingerprint": getattr(g, "fingerprint", ""),
                 "concepts": len(g.knowledge.concepts), "facts": len(g.store)}
        backend = _store_backend(g)
        if backend is None:
            return found
        from kg.engine.remote import RemoteError

        try:
            facts = await gate.run(store_count.get, backend, limits.query_seconds)
        except RemoteError as error:
            return _error(503, f"the SPARQL store does not answer: {error}")
        return {**found, "concepts": backend.concept_count, "facts": facts}

    conversations = app.state.conversations = ConversationStore()

    def ask_json(g: KnowledgeGraph, body: AskRequest) -> tuple[dict[str, Any], bool]:
        if body.conversation is None:
            answer = g.ask(body.question, lang=body.lang)
            return answer.to_dict(), answer.ok
        conversation, answer = conversations.ask(g, body.conversation, body.question, body.lang)
        return {**answer.to_dict(), "conversation": conversation}, answer.ok

    @app.post("/ask", summary="Answer a question (the `kg ask --json` object; see /schema)")
    async def ask(body: AskRequest) -> JSONResponse:
        data, ok = await gate.run(ask_json, graph(), body)
        return JSONResponse(data, status_code=200 if ok else 422)

    @app.get("/schema", summary="The JSON Schema of the answers (the published contract)")
    async def schema() -> Response:
        from kg.answers.contract import schema_text

        return Response(schema_text(), media_type="application/schema+json")

    @app.get("/define/{term}", summary="A term's glossary entry")
    async def define(term: str, lang: Literal["en", "ko"] | None = None) -> JSONResponse:
        if len(term) > limits.term_chars:
            return _error(414, f"the term is longer than {limits.term_chars} characters")
        answer = await gate.run(graph().define, term, lang)
        return JSONResponse(answer.to_dict(), status_code=404 if answer.kind == "error" else 200)

    @app.get("/search", summary="Glossary terms ranked by how well they match")
    async def search(q: str = Query(min_length=1, max_length=200),
                     limit: int = Query(10, ge=1, le=limits.search_limit_max),
                     lang: Literal["en", "ko"] = "en") -> dict[str, Any]:
        from kg.faces.tools import search_results

        return {"query": q, "results": await gate.run(search_results, graph(), q, limit, lang)}

    @app.get("/tools", summary="JSON Schema function definitions for chatbots")
    async def tools() -> list[dict[str, Any]]:
        from kg.faces.tools import tool_schemas

        return tool_schemas()


def _store_backend(g: KnowledgeGraph) -> Any:
    """The graph's SPARQL store back-end (``kg serve --endpoint``), else None."""
    from kg.engine.remote import RemoteBackend

    backend = getattr(g, "backend", None)
    return backend if isinstance(backend, RemoteBackend) else None


class _StoreCount:
    """The store's triple count, asked at most every ``seconds`` (one COUNT query, bounded by a time-out)."""

    def __init__(self, seconds: float = 30.0) -> None:
        import threading

        self.seconds = seconds
        self._found: tuple[float, int, int] | None = None  # (when, id of the back-end, count)
        self._lock = threading.Lock()

    def get(self, backend: Any, timeout: float) -> int:
        import time

        with self._lock:
            found = self._found
        if found is not None and found[1] == id(backend) and time.monotonic() - found[0] < self.seconds:
            return found[2]
        count = backend.store_facts(timeout)
        with self._lock:
            self._found = (time.monotonic(), id(backend), count)
        return count


def _forwarded(g: KnowledgeGraph, query: str, budget: Any, max_bytes: int) -> Any:
    """The store's rows for a read-only ``query``: checked as the local engine checks it, then sent, bounded."""
    from rdflib import Graph

    from kg.engine.sparql_model import Rows
    from kg.engine.sparql_run import PREFIXES, run_query

    run_query(Graph(), query, budget)  # refuses updates, SERVICE, FROM (and bad syntax) before the store sees it
    head = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())
    results = _store_backend(g).forward(head + query, budget.seconds, max_bytes)
    if isinstance(results.get("boolean"), bool):
        return Rows("ASK", boolean=results["boolean"])
    names = list(results.get("head", {}).get("vars", []))
    bindings = results.get("results", {}).get("bindings", [])
    rows = [[row.get(name) for name in names] for row in bindings[: budget.rows + 1]]
    return Rows("SELECT", names, rows[: budget.rows], truncated=len(rows) > budget.rows)


def _add_ops_routes(app: FastAPI, graph: Callable[[], KnowledgeGraph]) -> None:
    """/readyz and /metrics: for load balancers and Prometheus, not part of the API document."""
    from kg.engine.sparql_worker import is_warm

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        # The SPARQL engine must be warmed before queries fork children (see kg.engine.sparql_worker.warm_up).
        if graph() is None or not is_warm():
            return _error(503, "not ready: the knowledge or the SPARQL engine is still loading")
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        gauges = {"cloudkg_concepts": ("concepts in the loaded knowledge", len(graph().knowledge.concepts))}
        return Response(app.state.metrics.render(gauges), media_type="text/plain; version=0.0.4; charset=utf-8")


def _add_sparql_routes(app: FastAPI, graph: Callable[[], KnowledgeGraph], limits: RequestLimits,
                       gate: WorkGate) -> None:
    from kg.engine.sparql_run import QueryBudget

    budget = QueryBudget(seconds=limits.query_seconds, rows=limits.results)

    async def respond(query: str | None, update: str | None, accept: str) -> Response:
        if update is not None:
            return _error(403, "this endpoint is read-only: SPARQL updates are refused")
        if not query:
            return _error(400, "give a SPARQL query in the 'query' parameter or an application/sparql-query body")
        fmt = _preferred_format(accept or "*/*")
        if fmt is None:
            return _error(406, "results are available as " + ", ".join(sorted(SPARQL_TYPES)))
        from kg.engine.remote import RemoteError
        from kg.engine.sparql_format import MEDIA_TYPES, to_text
        from kg.engine.sparql_run import SparqlBusy, SparqlError, SparqlTimeout, run_query

        g = graph()
        try:
            if _store_backend(g) is not None:  # kg serve --endpoint: the store answers, within the same bounds
                rows = await gate.run(_forwarded, g, query, budget, limits.result_chars * 10)
            else:
                rows = await gate.run(lambda: run_query(g.rdf(), query, budget))
        except RemoteError as error:
            return _error(503, f"the SPARQL store does not answer: {error}")
        except SparqlBusy as error:
            return _error(503, str(error))
        except SparqlTimeout as error:
            app.state.metrics.timeouts += 1
            return _error(408, str(error))
        except SparqlError as error:
            return _error(400, str(error))
        if rows.truncated:
            return _error(413, f"the query has more than {limits.results} results; add a LIMIT")
        return Response(content=to_text(rows, fmt), media_type=MEDIA_TYPES[fmt])

    @app.get("/sparql", summary="SPARQL 1.1 Protocol query (read-only)")
    async def sparql_get(request: Request, query: str | None = Query(None, max_length=limits.query_chars),
                         update: str | None = Query(None, max_length=limits.query_chars)) -> Response:
        return await respond(query, update, request.headers.get("accept", "*/*"))

    @app.post("/sparql", summary="SPARQL 1.1 Protocol query by POST (read-only)")
    async def sparql_post(request: Request) -> Response:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "the body is not UTF-8")
        accept = request.headers.get("accept", "*/*")
        if kind == "application/sparql-update":
            return await respond(None, text, "")
        if kind == "application/sparql-query":
            return await respond(text, None, accept)
        if kind == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qs

            form = parse_qs(text)
            return await respond(form.get("query", [None])[0], form.get("update", [None])[0], accept)
        return _error(415, "send application/sparql-query or application/x-www-form-urlencoded")


def serve(g: KnowledgeGraph, host: str = "127.0.0.1", port: int = 8000,
          allowed_hosts: Iterable[str] = (), limits: RequestLimits = DEFAULT_LIMITS,
          options: ServeOptions | None = None) -> int:
    """Run the server until interrupted (loopback unless told otherwise).

    See :class:`kg.faces.http_run.ServeOptions`.
    """
    from kg.faces.http_run import ServeOptions, run

    options = options or ServeOptions()
    hosts = {*default_hosts(host), *allowed_hosts}
    app = create_app(GraphHolder(g), limits, hosts, api_key=options.api_key, access_log=options.access_log)
    return run(app, host, port, options)

"""HTTP JSON API and a read-only SPARQL 1.1 Protocol endpoint (FastAPI on uvicorn).

Every route only calls the :class:`~kg.graph.KnowledgeGraph` facade, off the event loop and
through a :class:`~kg.http_guards.WorkGate`. Every bad request gets a 4xx JSON error; a request
refused for load gets 503 with Retry-After. Limits come from :class:`~kg.request_limits.RequestLimits`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.http_guards import BodyLimit, Busy, HostCheck, WorkGate, default_hosts
from kg.request_limits import DEFAULT_LIMITS, RequestLimits

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["Limits", "create_app", "serve"]

Limits = RequestLimits  # the name earlier releases used

SPARQL_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
}


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=DEFAULT_LIMITS.question_chars,
                          description="A question or chat message.")
    lang: Literal["en", "ko"] = "en"


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


def create_app(g: KnowledgeGraph, limits: RequestLimits = DEFAULT_LIMITS,
               allowed_hosts: Iterable[str] | None = None) -> FastAPI:
    """The ASGI application serving ``g``; Host must be one of ``allowed_hosts`` (default: loopback)."""
    app = FastAPI(title="cloudkg", version="0.1.0",
                  description="Questions, glossary and SPARQL over a knowledge graph of cloud concepts.")
    app.add_middleware(BodyLimit, limit=limits.body_bytes)
    app.add_middleware(HostCheck, allowed=allowed_hosts or default_hosts("127.0.0.1"))
    _add_error_handlers(app)
    gate = WorkGate(limits.concurrent)
    _add_routes(app, g, limits, gate)
    _add_sparql_routes(app, g, limits, gate)
    return app


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


def _add_routes(app: FastAPI, g: KnowledgeGraph, limits: RequestLimits, gate: WorkGate) -> None:
    @app.get("/healthz", summary="Liveness and size of the loaded knowledge")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "concepts": len(g.knowledge.concepts), "facts": len(g.store)}

    def ask_json(question: str, lang: str) -> tuple[dict[str, Any], bool]:
        answer = g.ask(question, lang=lang)
        return answer.to_dict(), answer.ok

    @app.post("/ask", summary="Answer a question (the `kg ask --json` object)")
    async def ask(body: AskRequest) -> JSONResponse:
        data, ok = await gate.run(ask_json, body.question, body.lang)
        return JSONResponse(data, status_code=200 if ok else 422)

    @app.get("/define/{term}", summary="A term's glossary entry")
    async def define(term: str, lang: Literal["en", "ko"] = "en") -> JSONResponse:
        if len(term) > limits.term_chars:
            return _error(414, f"the term is longer than {limits.term_chars} characters")
        answer = await gate.run(g.define, term, lang)
        return JSONResponse(answer.to_dict(), status_code=404 if answer.kind == "error" else 200)

    @app.get("/search", summary="Glossary terms ranked by how well they match")
    async def search(q: str = Query(min_length=1, max_length=200),
                     limit: int = Query(10, ge=1, le=limits.search_limit_max),
                     lang: Literal["en", "ko"] = "en") -> dict[str, Any]:
        from kg.tools import search_results

        return {"query": q, "results": await gate.run(search_results, g, q, limit, lang)}

    @app.get("/tools", summary="JSON Schema function definitions for chatbots")
    async def tools() -> list[dict[str, Any]]:
        return g.tool_schemas()


def _add_sparql_routes(app: FastAPI, g: KnowledgeGraph, limits: RequestLimits, gate: WorkGate) -> None:
    from kg.sparql_run import QueryBudget

    budget = QueryBudget(seconds=limits.query_seconds, rows=limits.results)

    async def respond(query: str | None, update: str | None, accept: str) -> Response:
        if update is not None:
            return _error(403, "this endpoint is read-only: SPARQL updates are refused")
        if not query:
            return _error(400, "give a SPARQL query in the 'query' parameter or an application/sparql-query body")
        fmt = _preferred_format(accept or "*/*")
        if fmt is None:
            return _error(406, "results are available as " + ", ".join(sorted(SPARQL_TYPES)))
        from kg.sparql_format import MEDIA_TYPES, to_text
        from kg.sparql_run import SparqlBusy, SparqlError, SparqlTimeout, run_query

        try:
            rows = await gate.run(run_query, g, query, budget)
        except SparqlBusy as error:
            return _error(503, str(error))
        except SparqlTimeout as error:
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
          allowed_hosts: Iterable[str] = (), limits: RequestLimits = DEFAULT_LIMITS) -> int:
    """Run the server until interrupted (loopback unless told otherwise)."""
    from kg.http_run import run

    hosts = {*default_hosts(host), *allowed_hosts}
    return run(create_app(g, limits, hosts), g, host, port)

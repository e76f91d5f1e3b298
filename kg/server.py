"""HTTP JSON API and a read-only SPARQL 1.1 Protocol endpoint (FastAPI on uvicorn).

Every route only calls the :class:`~kg.graph.KnowledgeGraph` facade. Every bad request gets a
4xx JSON error: an unknown route, a bad body, a too-long question, an update sent to /sparql,
a query that runs too long.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["Limits", "create_app", "serve"]

SPARQL_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
}


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the server."""

    question_chars: int = 1000
    body_bytes: int = 64 * 1024
    results: int = 1000
    query_seconds: float = 5.0


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=1000, description="A question or chat message.")
    lang: Literal["en", "ko"] = "en"


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"message": message, **extra}}, status_code=status)


def _preferred_format(accept: str) -> str | None:
    """The SPARQL results format the Accept header asks for (JSON when it asks for anything)."""
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in SPARQL_TYPES:
            return SPARQL_TYPES[media]
        if media in ("*/*", "application/*", ""):
            return "json"
    return None


def create_app(g: KnowledgeGraph, limits: Limits = Limits()) -> FastAPI:
    """The ASGI application serving ``g``."""
    app = FastAPI(title="cloudkg", version="0.1.0",
                  description="Questions, glossary and SPARQL over a knowledge graph of cloud concepts.")

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limits.body_bytes):
            return _error(413, f"request body larger than {limits.body_bytes} bytes")
        return await call_next(request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        details = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
                   for e in exc.errors()]
        return _error(422, "the request does not match the API", details=details)

    @app.get("/healthz", summary="Liveness and size of the loaded knowledge")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "concepts": len(g.knowledge.concepts), "facts": len(g.store)}

    # Asks take well under a millisecond: they run on the event loop, since handing each to the
    # thread pool costs more than the ask and makes tail latency much worse under load.
    @app.post("/ask", summary="Answer a question (the `kg ask --json` object)")
    async def ask(body: AskRequest) -> JSONResponse:
        answer = g.ask(body.question, lang=body.lang)
        return JSONResponse(answer.to_dict(), status_code=200 if answer.ok else 422)

    @app.get("/define/{term}", summary="A term's glossary entry")
    async def define(term: str, lang: Literal["en", "ko"] = "en") -> JSONResponse:
        if len(term) > 200:
            return _error(414, "the term is longer than 200 characters")
        answer = g.define(term, lang=lang)
        return JSONResponse(answer.to_dict(), status_code=404 if answer.kind == "error" else 200)

    @app.get("/search", summary="Glossary terms ranked by how well they match")
    async def search(q: str = Query(min_length=1, max_length=200), limit: int = Query(10, ge=1, le=50),
               lang: Literal["en", "ko"] = "en") -> dict[str, Any]:
        from kg.tools import search_results

        return {"query": q, "results": search_results(g, q, limit, lang)}

    @app.get("/tools", summary="JSON Schema function definitions for chatbots")
    def tools() -> list[dict[str, Any]]:
        return g.tool_schemas()

    async def sparql_response(query: str | None, update: str | None, accept: str) -> Response:
        if update is not None:
            return _error(403, "this endpoint is read-only: SPARQL updates are refused")
        if not query:
            return _error(400, "give a SPARQL query in the 'query' parameter or an application/sparql-query body")
        fmt = _preferred_format(accept or "*/*")
        if fmt is None:
            return _error(406, "results are available as " + ", ".join(sorted(SPARQL_TYPES)))
        from kg.sparql_run import SparqlError, query_results

        try:
            result = await asyncio.wait_for(run_in_threadpool(query_results, g, query), limits.query_seconds)
            rows = list(result) if result.type == "SELECT" else None
        except TimeoutError:
            return _error(408, f"the query ran longer than {limits.query_seconds} s")
        except SparqlError as error:
            return _error(400, str(error))
        if rows is not None and len(rows) > limits.results:
            return _error(413, f"the query has more than {limits.results} results; add a LIMIT")
        if result.type not in ("SELECT", "ASK"):
            return _error(400, "only SELECT and ASK queries are served here")
        data = result.serialize(format=fmt)
        media = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv"}[fmt]
        return Response(content=data, media_type=media)

    @app.get("/sparql", summary="SPARQL 1.1 Protocol query (read-only)")
    async def sparql_get(request: Request, query: str | None = Query(None, max_length=10000),
                         update: str | None = Query(None, max_length=10000)) -> Response:
        return await sparql_response(query, update, request.headers.get("accept", "*/*"))

    @app.post("/sparql", summary="SPARQL 1.1 Protocol query by POST (read-only)")
    async def sparql_post(request: Request) -> Response:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = await request.body()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "the body is not UTF-8")
        if kind == "application/sparql-update":
            return await sparql_response(None, text, "")
        if kind == "application/sparql-query":
            return await sparql_response(text, None, request.headers.get("accept", "*/*"))
        if kind == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qs

            form = parse_qs(text)
            update = form.get("update", [None])[0]
            query = form.get("query", [None])[0]
            return await sparql_response(query, update, request.headers.get("accept", "*/*"))
        return _error(415, "send application/sparql-query or application/x-www-form-urlencoded")

    return app


def serve(g: KnowledgeGraph, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Run the server until interrupted (loopback unless told otherwise)."""
    import uvicorn

    uvicorn.run(create_app(g), host=host, port=port, log_level="warning")
    return 0

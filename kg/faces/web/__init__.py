"""The web glossary and graph explorer: server-rendered pages, a small script, and their JSON route.

``add_web_routes(app, graph, gate)`` mounts ``/static`` and adds ``/``, ``/concept/{id}``, ``/az``,
``/category/{id}``, ``/classes`` and ``/api/graph/{id}``. ``graph()`` is called on every request
(the graph can be reloaded); rendering runs off the event loop through ``gate``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from kg.faces.web import pages
from kg.faces.web.links import Links

if TYPE_CHECKING:
    from kg.faces.http_guards import WorkGate
    from kg.graph import KnowledgeGraph

__all__ = ["STATIC_DIR", "add_web_routes"]

STATIC_DIR = Path(__file__).parent / "static"
MAX_TEXT = 500
# Pages load nothing from elsewhere; the policy makes the browser hold them to it.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _lang(request: Request) -> str:
    return "ko" if request.query_params.get("lang") == "ko" else "en"


def _links(request: Request) -> Links:
    return Links(lang=_lang(request), base=request.scope.get("root_path", "").rstrip("/"))


def _switch(request: Request) -> str:
    """This page's URL in the other language."""
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    if _lang(request) == "en":
        params["lang"] = "ko"
    query, root, path = urlencode(params), request.scope.get("root_path", "").rstrip("/"), request.url.path
    return (path if path.startswith(root) else root + path) + (f"?{query}" if query else "")


def _html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=HEADERS)


def add_web_routes(app: FastAPI, graph: Callable[[], KnowledgeGraph], gate: WorkGate) -> None:
    """Mount the static assets and add the glossary pages and ``/api/graph/{id}`` to ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_home(app, graph, gate)
    _add_concept_routes(app, graph, gate)
    _add_index_routes(app, graph, gate)


def _home(g: KnowledgeGraph, links: Links, query: str, question: str, switch: str) -> str:
    from kg.faces.tools import search_results

    results = search_results(g, query, 20, links.lang) if query.strip() else []
    answer = g.ask(question, links.lang).to_dict() if question.strip() else None
    return pages.home_page(links, query, results, question, answer, switch)


def _add_home(app: FastAPI, graph: Callable[[], KnowledgeGraph], gate: WorkGate) -> None:
    @app.get("/", response_class=HTMLResponse, summary="The glossary: search, questions and SPARQL")
    async def home(request: Request, q: str = "", question: str = "") -> HTMLResponse:
        query, question = q[:200], question[:MAX_TEXT]
        return _html(await gate.run(_home, graph(), _links(request), query, question, _switch(request)))


def _concept(g: KnowledgeGraph, concept_id: str, links: Links, switch: str) -> tuple[str, int]:
    if concept_id not in g.knowledge.concepts:
        return pages.not_found_page(g, concept_id[:200], links), 404
    return pages.concept_page(g, concept_id, links, switch), 200


def _graph_json(g: KnowledgeGraph, node_id: str, lang: str) -> dict[str, Any] | None:
    from kg.faces.web.data import neighbourhood

    if node_id not in g.knowledge.concepts and node_id not in g.knowledge.classes:
        return None
    return neighbourhood(g, node_id, lang)


def _add_concept_routes(app: FastAPI, graph: Callable[[], KnowledgeGraph], gate: WorkGate) -> None:
    @app.get("/concept/{concept_id}", response_class=HTMLResponse, summary="A concept's glossary page")
    async def concept(request: Request, concept_id: str) -> HTMLResponse:
        page, status = await gate.run(_concept, graph(), concept_id, _links(request), _switch(request))
        return _html(page, status)

    @app.get("/api/graph/{node_id}", summary="A node and its neighbours, for the graph explorer")
    async def graph_api(request: Request, node_id: str) -> JSONResponse:
        data = await gate.run(_graph_json, graph(), node_id, _lang(request))
        if data is None:
            return JSONResponse({"error": {"message": f"no concept or class with id {node_id[:200]!r}"}},
                                status_code=404)
        return JSONResponse(data)


def _category(g: KnowledgeGraph, category_id: str, links: Links, switch: str) -> tuple[str, int]:
    if category_id not in g.knowledge.categories:
        return pages.not_found_page(g, category_id[:200], links), 404
    return pages.category_page(g, category_id, links, switch), 200


def _add_index_routes(app: FastAPI, graph: Callable[[], KnowledgeGraph], gate: WorkGate) -> None:
    @app.get("/az", response_class=HTMLResponse, summary="Every concept, A to Z, and the categories")
    async def az(request: Request) -> HTMLResponse:
        return _html(await gate.run(pages.az_page, graph(), _links(request), _switch(request)))

    @app.get("/category/{category_id}", response_class=HTMLResponse, summary="The concepts of a category")
    async def category(request: Request, category_id: str) -> HTMLResponse:
        page, status = await gate.run(_category, graph(), category_id, _links(request), _switch(request))
        return _html(page, status)

    @app.get("/classes", response_class=HTMLResponse, summary="The class hierarchy")
    async def classes(request: Request) -> HTMLResponse:
        return _html(await gate.run(pages.classes_page, graph(), _links(request), _switch(request)))

"""An MCP (Model Context Protocol) server on stdio, built with the official ``mcp`` SDK.

Tools: ask, define, search, sparql (read-only), each with an input schema and both text and
structured results. The glossary is exposed as resources: ``glossary://terms`` lists every
term, ``glossary://term/{term_id}`` is one term's entry.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mcp.server.fastmcp import FastMCP

    from kg.graph import KnowledgeGraph

__all__ = ["build_server", "run_mcp"]


def build_server(g: KnowledgeGraph) -> FastMCP:
    """The MCP server for ``g`` (not yet running)."""
    from mcp.server.fastmcp import FastMCP

    from kg.tools import TOOLS, ToolError, call_tool

    server = FastMCP("cloudkg", instructions="Questions, glossary and SPARQL over a knowledge graph of cloud concepts.")

    def run(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        try:
            return call_tool(g, name, {k: v for k, v in arguments.items() if v is not None})
        except ToolError as error:
            raise ValueError(str(error)) from None

    @server.tool(description=TOOLS["ask"]["description"])
    def ask(question: str, lang: Literal["en", "ko"] = "en") -> dict[str, Any]:
        return run("ask", {"question": question, "lang": lang})

    @server.tool(description=TOOLS["define"]["description"])
    def define(term: str, lang: Literal["en", "ko"] = "en") -> dict[str, Any]:
        return run("define", {"term": term, "lang": lang})

    @server.tool(description=TOOLS["search"]["description"])
    def search(text: str, limit: int = 10) -> dict[str, Any]:
        return run("search", {"text": text, "limit": limit})

    @server.tool(description=TOOLS["sparql"]["description"])
    def sparql(query: str) -> dict[str, Any]:
        return run("sparql", {"query": query})

    @server.resource("glossary://terms", mime_type="application/json", description="Every glossary term")
    def terms() -> str:
        from kg.glossary_export import glossary_rows

        return json.dumps(glossary_rows(g, "en"), ensure_ascii=False)

    @server.resource("glossary://term/{term_id}", mime_type="application/json", description="One term's entry")
    def term(term_id: str) -> str:
        if term_id not in g.knowledge.concepts:
            raise ValueError(f"no term with id {term_id!r}")
        return json.dumps(g.card(term_id), ensure_ascii=False)

    return server


def run_mcp(g: KnowledgeGraph) -> int:
    """Serve MCP on stdin/stdout until the client closes the connection."""
    build_server(g).run("stdio")
    return 0

"""Tools for chatbots: JSON Schema function definitions and one dispatcher that runs them.

>>> from kg import KnowledgeGraph
>>> g = KnowledgeGraph.load()
>>> [t["function"]["name"] for t in tool_schemas()]
['ask', 'define', 'search', 'sparql']
>>> call_tool(g, "ask", {"question": "what stores EBS backups"})["answers"][0]["id"]
'S3'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["TOOLS", "ToolError", "call_tool", "tool_schemas"]

_LANG = {"type": "string", "enum": ["en", "ko"], "default": "en", "description": "Language of the answer text."}

TOOLS: dict[str, dict[str, Any]] = {
    "ask": {
        "description": ("Answer a question about cloud (AWS) concepts in controlled English or simple Korean, "
                        "e.g. 'what stores EBS backups', 'is DynamoDB a relational database', 'S3란?'. "
                        "Returns answers with the facts and sources behind them, the core form and SPARQL."),
        "parameters": {"type": "object", "additionalProperties": False, "required": ["question"],
                       "properties": {"question": {"type": "string", "minLength": 1, "maxLength": 1000,
                                                   "description": "The question or chat message."},
                                      "lang": _LANG}},
    },
    "define": {
        "description": ("The glossary entry of a cloud term by any name or alias, English or Korean "
                        "(e.g. 'EC2', '스냅샷')."),
        "parameters": {"type": "object", "additionalProperties": False, "required": ["term"],
                       "properties": {"term": {"type": "string", "minLength": 1, "maxLength": 200}, "lang": _LANG}},
    },
    "search": {
        "description": "Glossary terms ranked by how well their names or definitions match a text; forgives typos.",
        "parameters": {"type": "object", "additionalProperties": False, "required": ["text"],
                       "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 200},
                                      "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}}},
    },
    "sparql": {
        "description": ("Run a read-only SPARQL 1.1 query over the knowledge (prefixes ckg: <https://w3id.org/"
                        "cloudkg/schema#>, ck: <https://w3id.org/cloudkg/id/>); updates are refused."),
        "parameters": {"type": "object", "additionalProperties": False, "required": ["query"],
                       "properties": {"query": {"type": "string", "minLength": 1, "maxLength": 10000}}},
    },
}


class ToolError(Exception):
    """A tool call with an unknown name or bad arguments."""


def tool_schemas() -> list[dict[str, Any]]:
    """Function definitions (OpenAI-style ``{"type": "function", "function": {...}}``)."""
    return [{"type": "function", "function": {"name": name, **spec}} for name, spec in TOOLS.items()]


def search_results(g: KnowledgeGraph, text: str, limit: int = 10, lang: str = "en") -> list[dict[str, Any]]:
    """Search hits as plain dicts."""
    return [{"id": h.concept.id, "label": h.concept.label(lang), "definition": h.concept.definition(lang),
             "score": h.score, "matched": h.matched} for h in g.search(text, limit)]


def call_tool(g: KnowledgeGraph, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Run one tool; the result is JSON-ready. Raises :class:`ToolError` for a bad call."""
    if name not in TOOLS:
        raise ToolError(f"unknown tool {name!r}; tools: {', '.join(TOOLS)}")
    spec = TOOLS[name]["parameters"]
    unknown = set(arguments) - set(spec["properties"])
    missing = [key for key in spec["required"] if not arguments.get(key)]
    if unknown or missing:
        raise ToolError(f"bad arguments for {name}: unknown {sorted(unknown)}, missing {missing}")
    lang = arguments.get("lang", "en")
    if lang not in ("en", "ko"):
        raise ToolError("lang must be 'en' or 'ko'")
    if name == "ask":
        return g.ask(str(arguments["question"])[:1000], lang=lang).to_dict()
    if name == "define":
        return g.define(str(arguments["term"])[:200], lang=lang).to_dict()
    if name == "search":
        limit = max(1, min(50, int(arguments.get("limit", 10))))
        return {"results": search_results(g, str(arguments["text"])[:200], limit)}
    from kg.sparql_run import SparqlError, sparql_json

    try:
        return sparql_json(g, str(arguments["query"]))
    except SparqlError as error:
        raise ToolError(str(error)) from None

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

from kg.faces.request_limits import DEFAULT_LIMITS, RequestLimits

if TYPE_CHECKING:
    from kg.answers.conversation import Conversation
    from kg.graph import KnowledgeGraph

__all__ = ["TOOLS", "ToolError", "call_tool", "check_arguments", "tool_schemas"]

_LANG = {"type": "string", "enum": ["en", "ko"],
         "description": "Language of the answer text; default: the language of the question (or term)."}

TOOLS: dict[str, dict[str, Any]] = {
    "ask": {
        "description": ("Answer a question about cloud (AWS) concepts in controlled English or simple Korean, "
                        "e.g. 'what stores EBS backups', 'is DynamoDB a relational database', 'S3란?'. "
                        "Returns answers with the facts and sources behind them, the core form and SPARQL."),
        "parameters": {"type": "object", "additionalProperties": False, "required": ["question"],
                       "properties": {"question": {"type": "string", "minLength": 1,
                                                   "maxLength": DEFAULT_LIMITS.question_chars,
                                                   "description": "The question or chat message."},
                                      "lang": _LANG}},
    },
    "define": {
        "description": ("The glossary entry of a cloud term by any name or alias, English or Korean "
                        "(e.g. 'EC2', '스냅샷')."),
        "parameters": {"type": "object", "additionalProperties": False, "required": ["term"],
                       "properties": {"term": {"type": "string", "minLength": 1,
                                               "maxLength": DEFAULT_LIMITS.term_chars}, "lang": _LANG}},
    },
    "search": {
        "description": "Glossary terms ranked by how well their names or definitions match a text; forgives typos.",
        "parameters": {"type": "object", "additionalProperties": False, "required": ["text"],
                       "properties": {"text": {"type": "string", "minLength": 1,
                                               "maxLength": DEFAULT_LIMITS.term_chars},
                                      "limit": {"type": "integer", "minimum": 1,
                                                "maximum": DEFAULT_LIMITS.search_limit_max, "default": 10}}},
    },
    "sparql": {
        "description": ("Run a read-only SPARQL 1.1 query over the knowledge (prefixes ckg: <https://w3id.org/"
                        "cloudkg/schema#>, ck: <https://w3id.org/cloudkg/id/>); updates are refused."),
        "parameters": {"type": "object", "additionalProperties": False, "required": ["query"],
                       "properties": {"query": {"type": "string", "minLength": 1,
                                                "maxLength": DEFAULT_LIMITS.query_chars}}},
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


def _check_value(tool: str, key: str, value: Any, schema: dict[str, Any]) -> None:
    """Raise :class:`ToolError` unless ``value`` fits the JSON Schema of argument ``key``."""
    where = f"{tool}: argument {key!r}"
    if schema["type"] == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ToolError(f"{where} must be an integer, not {type(value).__name__}")
        low, high = schema["minimum"], schema["maximum"]
        if not low <= value <= high:
            raise ToolError(f"{where} must be between {low} and {high}, not {value}")
        return
    if not isinstance(value, str):
        raise ToolError(f"{where} must be a string, not {type(value).__name__}")
    if "enum" in schema and value not in schema["enum"]:
        raise ToolError(f"{where} must be one of {schema['enum']}, not {value!r}")
    if len(value) < schema.get("minLength", 0):
        raise ToolError(f"{where} is empty; give some text")
    if len(value) > schema.get("maxLength", len(value)):
        raise ToolError(f"{where} is {len(value)} characters long; the limit is {schema['maxLength']}: shorten it")


def check_arguments(name: str, arguments: Any) -> None:
    """Raise :class:`ToolError` unless ``arguments`` fit the schema of tool ``name``.

    >>> check_arguments("search", {"text": "s3", "limit": 0})
    Traceback (most recent call last):
    kg.faces.tools.ToolError: search: argument 'limit' must be between 1 and 50, not 0
    """
    if name not in TOOLS:
        raise ToolError(f"unknown tool {name!r}; tools: {', '.join(TOOLS)}")
    if not isinstance(arguments, dict):
        raise ToolError(f"{name}: the arguments must be an object, not {type(arguments).__name__}")
    spec = TOOLS[name]["parameters"]
    unknown = set(arguments) - set(spec["properties"])
    missing = [key for key in spec["required"] if key not in arguments]
    if unknown or missing:
        raise ToolError(f"bad arguments for {name}: unknown {sorted(unknown)}, missing {missing}")
    for key, value in arguments.items():
        _check_value(name, key, value, spec["properties"][key])


def call_tool(g: KnowledgeGraph, name: str, arguments: dict[str, Any],
              limits: RequestLimits = DEFAULT_LIMITS, conversation: Conversation | None = None) -> dict[str, Any]:
    """Run one tool; the result is JSON-ready. Raises :class:`ToolError` for a bad call.

    SPARQL queries get at most ``limits.results`` rows and ``limits.query_seconds`` seconds. With a
    ``conversation``, ``ask`` resolves pronouns and follow-ups against its last turns.
    """
    check_arguments(name, arguments)
    lang = arguments.get("lang")
    if name == "ask":
        ask = conversation.ask if conversation is not None else g.ask
        return ask(arguments["question"], lang=lang).to_dict()
    if name == "define":
        return g.define(arguments["term"], lang=lang).to_dict()
    if name == "search":
        return {"results": search_results(g, arguments["text"], arguments.get("limit", 10))}
    from kg.engine.sparql_run import SparqlError, sparql_json

    try:
        return sparql_json(g.rdf(), arguments["query"], max_rows=limits.results, timeout=limits.query_seconds)
    except SparqlError as error:
        raise ToolError(str(error)) from None

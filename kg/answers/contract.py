"""The published answer contract: a JSON Schema (draft 2020-12) of every answer's JSON.

``kg schema`` prints it and ``GET /schema`` serves it. It covers every kind (entities, count,
boolean, definition, path, mentions, error, clarify, compare, attribute), the error object, and
``interpretation`` and ``confidence``. Its ``schema_version`` changes with the contract: the minor
part when fields are added, the major part when a field changes or goes.

>>> answer_schema()["schema_version"] == SCHEMA_VERSION
True
>>> validation_errors({"question": "what is EC3", "error": {"message": "unknown term"}})
[]
>>> validation_errors({"question": "q", "kind": "count"})[0]
"(top): 'answers' is a required property"
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_PATH", "SCHEMA_VERSION", "answer_schema", "schema_text", "validation_errors"]

SCHEMA_PATH = Path(__file__).with_name("answer.schema.json")
SCHEMA_VERSION = "1.0.0"
MAX_ERRORS = 20


@cache
def schema_text() -> str:
    """The schema as published (JSON text)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


def answer_schema() -> dict[str, Any]:
    """The schema as a dict (a fresh copy each time, so callers may change it)."""
    return json.loads(schema_text())


@cache
def _validator() -> Any:
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        raise ImportError("checking answers against the contract needs jsonschema: pip install jsonschema") from None
    schema = answer_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validation_errors(data: Any) -> list[str]:
    """Where and how ``data`` (an answer's JSON) breaks the contract; empty when it follows it.

    Needs the ``jsonschema`` package. Each message is ``path: what``; an answer that fits neither an
    answer nor an error is reported against the branch its keys point to.
    """
    branch = 1 if isinstance(data, dict) and "error" in data and "kind" not in data else 0  # the oneOf's order
    messages = []
    for error in _validator().iter_errors(data):
        causes = [c for c in (error.context or []) if c.relative_schema_path[0] == branch] or [error]
        for cause in sorted(causes, key=lambda c: [str(p) for p in c.absolute_path]):
            where = "/".join(str(p) for p in cause.absolute_path) or "(top)"
            messages.append(f"{where}: {cause.message}")
    return list(dict.fromkeys(messages))[:MAX_ERRORS]

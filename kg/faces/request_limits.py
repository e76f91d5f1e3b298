"""What one request may ask of a server: the limits shared by the HTTP API and the MCP server.

>>> limits = RequestLimits()
>>> limits.question_chars, limits.results, limits.query_seconds
(1000, 1000, 5.0)
>>> RequestLimits(results=10).results
10
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "RequestLimits"]


@dataclass(frozen=True)
class RequestLimits:
    """Bounds on one request (HTTP route or MCP tool call).

    ``results`` caps SPARQL rows, ``query_seconds`` the run time of one query, ``result_chars``
    the text of one result, ``concurrent`` the tool calls running at once.
    """

    question_chars: int = 1000
    term_chars: int = 200
    query_chars: int = 10_000
    search_limit_max: int = 50
    body_bytes: int = 64 * 1024
    results: int = 1000
    query_seconds: float = 5.0
    result_chars: int = 200_000
    concurrent: int = 8


DEFAULT_LIMITS = RequestLimits()

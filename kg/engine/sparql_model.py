"""What a raw SPARQL run takes and gives: its budget, its rows, and the ways it is refused.

Kept apart from :mod:`kg.engine.sparql_run` so that the worker and the result writers can name these
types without importing the runner that imports them.

>>> QueryBudget().seconds, Rows("ASK", boolean=True).truncated
(5.0, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULT_BUDGET", "QueryBudget", "Rows", "SparqlBusy", "SparqlError", "SparqlTimeout"]


class SparqlError(Exception):
    """A SPARQL text this endpoint will not run: not a read-only query, or refused."""


class SparqlTimeout(SparqlError):
    """The query ran past its deadline and was stopped."""


class SparqlBusy(SparqlError):
    """Too many queries are running at once: try again shortly."""


@dataclass(frozen=True)
class QueryBudget:
    """What one query may use: wall time, result rows, memory, and queries at once."""

    seconds: float = 5.0
    rows: int = 1000
    memory_bytes: int = 512 * 1024 * 1024
    concurrent: int = 2


DEFAULT_BUDGET = QueryBudget()


@dataclass
class Rows:
    """A query's result: SELECT variables and rows (SPARQL JSON terms), or an ASK boolean."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[dict[str, str] | None]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False

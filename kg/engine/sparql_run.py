"""Run raw read-only SPARQL over the loaded data, bounded in time, rows and memory, offline.

Each query is parsed and evaluated in a child process forked from this one (so the parsed
rdflib graph is shared, not copied or re-read). The child has no network (its sockets refuse
to connect), a memory ceiling, and stops reading rows one past the cap; the parent kills it at
the deadline, so no CPU keeps burning after a time-out answer. ``SERVICE``, ``FROM`` and
``FROM NAMED`` are refused before anything runs; updates do not parse as queries.

>>> from kg import KnowledgeGraph
>>> g = KnowledgeGraph.load()
>>> rows = run_query(g.rdf(), "SELECT ?x WHERE { ?x ckg:storedIn ck:S3 } ORDER BY ?x LIMIT 1")
>>> rows.variables, rows.rows[0][0]["value"]
(['x'], 'https://w3id.org/cloudkg/id/AutomatedBackup')
>>> run_query(g.rdf(), "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.engine.sparql_model.SparqlError: SERVICE is refused: this engine never reaches the network; ...
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from kg.engine.sparql_format import to_json, to_table, to_text
from kg.engine.sparql_model import DEFAULT_BUDGET, QueryBudget, Rows, SparqlBusy, SparqlError, SparqlTimeout
from queries.sparql import PREFIXES as QUERY_PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["QueryBudget", "Rows", "SparqlBusy", "SparqlError", "SparqlTimeout", "run_query", "run_sparql",
           "sparql_json"]

# The generated queries' prefixes, plus the vocabularies people write raw queries with.
PREFIXES = {**QUERY_PREFIXES, "dcterms": "http://purl.org/dc/terms/", "owl": "http://www.w3.org/2002/07/owl#",
            "src": "https://w3id.org/cloudkg/source/"}


_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def _slots(budget: QueryBudget) -> threading.BoundedSemaphore:
    """One semaphore per concurrency level, shared by every caller in the process."""
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(budget.concurrent, threading.BoundedSemaphore(budget.concurrent))


def run_query(data: Graph, text: str, budget: QueryBudget = DEFAULT_BUDGET) -> Rows:
    """Run one read-only query over ``data`` (the asserted RDF) within ``budget``.

    Raises :class:`SparqlError` and its kinds.
    """
    from kg.engine.sparql_worker import run_in_child

    slots = _slots(budget)
    if not slots.acquire(timeout=min(1.0, budget.seconds)):
        raise SparqlBusy(f"{budget.concurrent} queries are already running; try again shortly")
    try:
        outcome = run_in_child(data, text, budget, PREFIXES)
    finally:
        slots.release()
    if "error" in outcome:
        kind = {"timeout": SparqlTimeout}.get(outcome.get("kind", ""), SparqlError)
        raise kind(outcome["error"])
    return Rows(**outcome["result"])


def run_sparql(data: Graph, text: str, fmt: str = "table", budget: QueryBudget = DEFAULT_BUDGET) -> str:
    """The results as a table, or as SPARQL JSON, XML or CSV text."""
    rows = run_query(data, text, budget)
    if fmt == "table":
        return to_table(rows)
    return to_text(rows, fmt)


def sparql_json(data: Graph, text: str, max_rows: int = 1000, timeout: float = 5.0) -> dict[str, Any]:
    """SPARQL 1.1 JSON results as a dict, at most ``max_rows`` rows (``truncated`` says if cut)."""
    rows = run_query(data, text, QueryBudget(seconds=timeout, rows=max_rows))
    return json.loads(to_json(rows))

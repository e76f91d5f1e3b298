"""Run raw SPARQL (read-only) over the bundled data with rdflib, printing a table or results."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["SparqlError", "run_sparql", "query_results", "sparql_json"]

RESULT_TYPES = {"json": "json", "xml": "xml", "csv": "csv"}


class SparqlError(Exception):
    """A SPARQL text that is not a read-only query rdflib can run."""


def query_results(g: KnowledgeGraph, text: str):
    """Parse and run a query; updates (INSERT, DELETE, LOAD, ...) are refused."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(text)
    except Exception as error:  # rdflib's parser raises pyparsing errors; an update fails here too
        raise SparqlError(f"not a SPARQL 1.1 query (updates are refused): {error}") from None
    try:
        return g.rdf().query(prepared)
    except Exception as error:
        raise SparqlError(str(error)) from None


def run_sparql(g: KnowledgeGraph, text: str, fmt: str = "table") -> str:
    result = query_results(g, text)
    if fmt in RESULT_TYPES:
        data = result.serialize(format=RESULT_TYPES[fmt])
        return (data.decode("utf-8") if isinstance(data, bytes) else data).rstrip("\n") + "\n"
    if result.type == "ASK":
        return ("yes" if result.askAnswer else "no") + "\n"
    names = [str(v) for v in result.vars]
    rows = [[("" if value is None else str(value)) for value in row] for row in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(names), line(["-" * w for w in widths]), *map(line, rows)]) + "\n"


def sparql_json(g: KnowledgeGraph, text: str, max_rows: int = 1000) -> dict:
    """SPARQL 1.1 JSON results as a dict, at most ``max_rows`` rows (``truncated`` says if cut)."""
    import json

    result = query_results(g, text)
    data = json.loads(result.serialize(format="json"))
    bindings = data.get("results", {}).get("bindings")
    if bindings is not None and len(bindings) > max_rows:
        data["results"]["bindings"] = bindings[:max_rows]
        data["truncated"] = True
    return data

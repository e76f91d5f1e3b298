"""SPARQL results written out: SPARQL 1.1 JSON, XML and CSV, and a plain table for terminals.

>>> from kg.engine.sparql_model import Rows
>>> rows = Rows("SELECT", ["x"], [[{"type": "uri", "value": "urn:a"}], [None]])
>>> print(to_table(rows), end="")
x
-----
urn:a
<BLANKLINE>
>>> to_text(Rows("ASK", boolean=True), "csv")
'true\\r\\n'
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from kg.engine.sparql_model import Rows

__all__ = ["MEDIA_TYPES", "to_csv", "to_json", "to_table", "to_text", "to_xml"]

MEDIA_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv"}


def to_json(rows: Rows) -> str:
    """SPARQL 1.1 Query Results JSON; a cut result carries ``"truncated": true``."""
    if rows.kind == "ASK":
        return json.dumps({"head": {}, "boolean": bool(rows.boolean)})
    bindings = [{name: term for name, term in zip(rows.variables, row, strict=True) if term is not None}
                for row in rows.rows]
    data: dict = {"head": {"vars": rows.variables}, "results": {"bindings": bindings}}
    if rows.truncated:
        data["truncated"] = True
    return json.dumps(data, ensure_ascii=False)


def _xml_term(term: dict[str, str]) -> str:
    value = escape(term["value"])
    if term["type"] == "uri":
        return f"<uri>{value}</uri>"
    if term["type"] == "bnode":
        return f"<bnode>{value}</bnode>"
    if "xml:lang" in term:
        return f"<literal xml:lang={quoteattr(term['xml:lang'])}>{value}</literal>"
    if "datatype" in term:
        return f"<literal datatype={quoteattr(term['datatype'])}>{value}</literal>"
    return f"<literal>{value}</literal>"


def to_xml(rows: Rows) -> str:
    """SPARQL Query Results XML."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if rows.kind == "ASK":
        lines += ["<head/>", f"<boolean>{'true' if rows.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(lines) + "\n"
    lines.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in rows.variables) + "</head>")
    lines.append("<results>")
    for row in rows.rows:
        cells = "".join(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
                        for name, term in zip(rows.variables, row, strict=True) if term is not None)
        lines.append(f"<result>{cells}</result>")
    lines += ["</results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def to_csv(rows: Rows) -> str:
    """SPARQL 1.1 Query Results CSV (values only, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if rows.kind == "ASK":
        writer.writerow(["true" if rows.boolean else "false"])
        return out.getvalue()
    writer.writerow(rows.variables)
    for row in rows.rows:
        writer.writerow(["" if term is None else term["value"] for term in row])
    return out.getvalue()


def to_text(rows: Rows, fmt: str) -> str:
    """The results in ``fmt``: json, xml or csv."""
    return {"json": to_json, "xml": to_xml, "csv": to_csv}[fmt](rows)


def to_table(rows: Rows) -> str:
    """Aligned columns for a terminal; ASK answers yes or no."""
    if rows.kind == "ASK":
        return ("yes" if rows.boolean else "no") + "\n"
    cells = [["" if term is None else term["value"] for term in row] for row in rows.rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(rows.variables)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(rows.variables), line(["-" * w for w in widths]), *map(line, cells)]
    if rows.truncated:
        lines.append(f"(only the first {len(cells)} rows; add a LIMIT or raise --max-rows)")
    return "\n".join(lines) + "\n"

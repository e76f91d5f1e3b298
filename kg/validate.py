"""SHACL validation of Turtle files against ontology/shapes.ttl (pyshacl, imported only here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.load import parse_files
from ontology import shapes_file

__all__ = ["Report", "validate_files"]


@dataclass
class Report:
    conforms: bool
    messages: list[str] = field(default_factory=list)
    text: str = ""


def validate_files(files: Sequence[Path | str]) -> Report:
    """Validate the union of ``files`` (a broken file raises DataError before SHACL runs)."""
    from pyshacl import validate
    from rdflib import Graph, Namespace

    data = parse_files(files)
    shapes = Graph().parse(shapes_file(), format="turtle")
    conforms, results, text = validate(data, shacl_graph=shapes, advanced=True, allow_warnings=True)
    if not isinstance(results, Graph):  # pyshacl reports a broken shape as a failure object
        return Report(False, [f"the shapes could not run: {text}"], str(text))
    sh = Namespace("http://www.w3.org/ns/shacl#")
    messages = []
    for result in results.subjects(sh.resultMessage, None):
        focus = results.value(result, sh.focusNode)
        message = results.value(result, sh.resultMessage)
        path = results.value(result, sh.resultPath)
        where = str(focus).rsplit("/", 1)[-1] if focus is not None else "?"
        field_name = str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1] if path else ""
        messages.append(f"{where}: {message}" + (f" ({field_name})" if field_name else ""))
    return Report(bool(conforms), sorted(set(messages)), str(text))

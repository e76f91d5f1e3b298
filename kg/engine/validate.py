"""SHACL validation of Turtle files against ontology/shapes.ttl (pyshacl, imported only here).

The unique-name rule applies within the bundled data and within each user file on its own:
a user concept that shares a name with a concept from another source is not a violation but a
warning (asking for that name then answers ``clarify`` with both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.engine.load import parse_files
from ontology import SCHEMA, shapes_file

__all__ = ["Report", "validate_files", "validate_parts"]

_UNIQUE_NAMES = SCHEMA + "UniqueNamesShape"


@dataclass
class Report:
    """``messages``: the violations, then each warning prefixed ``warning:``; ``warnings`` alone."""

    conforms: bool
    messages: list[str] = field(default_factory=list)
    text: str = ""
    warnings: list[str] = field(default_factory=list)


def validate_files(files: Sequence[Path | str], profile: str = "auto", kb: bool = False) -> Report:
    """Validate the union of ``files`` (a broken file raises DataError before any check runs).

    ``profile``: ``cloudkg`` checks every file against the strict SHACL shapes; ``skos`` checks the
    user's files against the SKOS checks (:mod:`kg.engine.vocab.checks`); ``auto`` picks per file:
    the shapes for files written to the project's profile, the SKOS checks for other vocabularies.
    The bundled files get the shapes, alone or with strict files; a vocabulary checked against the
    SKOS checks is checked on its own. ``kb``: the files stand alone (no bundled knowledge).
    """
    from kg.engine.conflicts import split_files
    from kg.engine.vocab.checks import check_graph
    from kg.engine.vocab.formats import parsed
    from kg.engine.vocab.reader import is_authoring_profile

    bundled_files, user_files = split_files(files)
    user = {str(p): parsed(p) for p in user_files}
    strict = {f: g for f, g in user.items()
              if profile == "cloudkg" or (profile == "auto" and not kb and is_authoring_profile(g))}
    report = Report(True)
    if strict or (bundled_files and not user):  # a vocabulary alone is checked on its own, not with the shapes
        report = validate_parts(parse_files(bundled_files), {f: parse_files([f]) for f in strict})
    for file, graph in user.items():
        if file not in strict:
            found = check_graph(graph, file)
            report.conforms = report.conforms and not found.errors
            report.messages += found.errors + [f"warning: {w}" for w in found.warnings]
            report.warnings += found.warnings
    return report


def validate_parts(bundled, user: Mapping[str, object]) -> Report:
    """Validate parsed graphs: the bundled data and each user file (by name)."""
    from rdflib import Graph

    from kg.engine.conflicts import shared_name_warnings

    shapes = Graph().parse(shapes_file(), format="turtle")
    if not user:
        return _run(bundled, shapes)
    unique, rest = _split_shapes(shapes)
    union = _context(bundled)
    for graph in user.values():
        union += graph
    report = _run(union, rest)
    for file, graph in user.items():
        own = _run(graph, unique)
        report.conforms = report.conforms and own.conforms
        report.messages += [f"{Path(file).name}: {m}" for m in own.messages]
        report.text += own.text if not own.conforms else ""
    report.warnings = shared_name_warnings(bundled, user)
    report.messages += [f"warning: {w}" for w in report.warnings]
    return report


def _context(bundled):
    """What user data is checked against: the bundled data less its own concepts' descriptions.

    The bundled data passes the shapes on its own (a test checks it), so only the user's nodes
    need checking: the bundled concepts keep their types and subclass links (for the domain and
    range checks) but are no longer targets themselves. This keeps a user file's check from
    growing with the bundled knowledge (7.7 s → about 1 s at 374 concepts).
    """
    from rdflib import RDF, RDFS, Graph, URIRef
    from rdflib.namespace import SKOS

    concepts = set(bundled.subjects(RDF.type, SKOS.Concept))
    context = Graph()
    for s, p, o in bundled:
        own = p == RDFS.subClassOf or (p == RDF.type and o != SKOS.Concept)
        if (own if s in concepts else isinstance(s, URIRef)):
            context.add((s, p, o))
    return context


def _split_shapes(shapes):
    """The unique-name shape (with the prefixes it needs) and every other shape."""
    from rdflib import Graph, URIRef

    unique, rest = Graph(), Graph()
    taken = _reachable(shapes, URIRef(_UNIQUE_NAMES))
    for triple in shapes:
        (unique if triple in taken else rest).add(triple)
    for triple in _reachable(shapes, URIRef(SCHEMA)):  # the sh:declare prefixes
        unique.add(triple)
    return unique, rest


def _reachable(graph, node) -> set:
    """The triples about ``node`` and, through blank nodes, everything they lead to."""
    from rdflib import BNode

    found, todo, seen = set(), [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for triple in graph.triples((current, None, None)):
            found.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    return found


def _run(data, shapes) -> Report:
    from pyshacl import validate
    from rdflib import Graph, Namespace

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

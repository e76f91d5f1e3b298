"""RDF files in any syntax vocabularies are published in, read without touching the network.

The syntax comes from the file's content when it is unmistakable (RDF/XML, JSON-LD), else from
its extension, else Turtle. ``owl:imports`` are resolved only to files beside the importing one.

>>> syntax_of(Path("terms.nt"), b"<urn:a> <urn:b> <urn:c> .")
'nt'
>>> syntax_of(Path("pizza.owl"), b'<?xml version="1.0"?><rdf:RDF/>')
'xml'
>>> syntax_of(Path("pizza.owl"), b"@prefix : <urn:x#> .")
'turtle'
"""

from __future__ import annotations

import json
import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL

from kg.engine.errors import DataError

__all__ = ["EXTENSIONS", "find_import", "parse_path", "parsed", "syntax_of"]

EXTENSIONS = {".ttl": "turtle", ".turtle": "turtle", ".n3": "n3", ".nt": "nt", ".ntriples": "nt",
              ".nq": "nquads", ".trig": "trig", ".rdf": "xml", ".owl": "xml", ".xml": "xml",
              ".jsonld": "json-ld", ".json": "json-ld"}
_QUADS = ("nquads", "trig")
MAX_IMPORTS = 64
"""The most files one file's owl:imports may bring in (the imports of imports included)."""


def syntax_of(path: Path, head: bytes) -> str:
    """The rdflib format name of a file, from its first bytes, else its extension, else Turtle."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"<?xml", b"<rdf:RDF", b"<!DOCTYPE rdf")):
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json-ld"
    syntax = EXTENSIONS.get(path.suffix.lower(), "turtle")
    return "turtle" if syntax == "xml" and text[:1] not in (b"<", b"") else syntax


@contextmanager
def _quiet_literals() -> Iterator[None]:
    """rdflib logs a traceback for each ill-typed literal; those are reported as warnings instead."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():  # rdflib's own deprecations (ConjunctiveGraph in its TriG/JSON-LD parsers)
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        logger.setLevel(level)


def _check_json_context(path: Path, data: bytes) -> None:
    """A JSON-LD file naming a remote @context would make rdflib fetch it: refuse, never fetch."""
    def remote(node) -> bool:
        if isinstance(node, dict):
            context = node.get("@context")
            names = context if isinstance(context, list) else [context]
            if any(isinstance(c, str) for c in names):
                return True
            return any(remote(v) for v in node.values() if isinstance(v, (dict, list)))
        return isinstance(node, list) and any(remote(v) for v in node)

    try:
        document = json.loads(data)
    except ValueError as error:
        raise DataError(str(path), getattr(error, "lineno", None), f"not valid JSON-LD: {error}") from None
    if remote(document):
        raise DataError(str(path), None, "names a remote JSON-LD @context, which is never fetched; "
                                         "put the context inline in the file")


def _parse_one(path: Path, graph: Graph) -> None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(str(path), None, "no such file") from None
    syntax = syntax_of(path, data[:512])
    if syntax == "json-ld":
        _check_json_context(path, data)
    try:
        with _quiet_literals():
            if syntax in _QUADS:
                dataset = Dataset()
                dataset.parse(data=data, format=syntax, publicID=path.resolve().as_uri())
                for s, p, o, _ in dataset.quads():
                    graph.add((s, p, o))
            else:
                graph.parse(data=data, format=syntax, publicID=path.resolve().as_uri())
    except Exception as error:  # rdflib raises many kinds; to a user they all mean "not valid"
        line = getattr(error, "lines", None) or getattr(error, "lineno", None) or getattr(error, "_linenumber", None)
        why = getattr(error, "_why", None) or (str(error).splitlines() or [type(error).__name__])[-1]
        name = {"xml": "RDF/XML", "json-ld": "JSON-LD", "nt": "N-Triples", "nquads": "N-Quads",
                "trig": "TriG", "n3": "N3"}.get(syntax, "Turtle")
        shown = line + 1 if isinstance(line, int) and syntax == "turtle" else line
        raise DataError(str(path), shown if isinstance(shown, int) else None, f"not valid {name}: {why}") from None


def find_import(folder: Path, iri: str) -> Path | None:
    """The file beside the importer that an ``owl:imports`` IRI names (by its last part), else None.

    >>> find_import(Path("/nonexistent"), "http://example.org/onto/core.ttl") is None
    True
    """
    name = iri.rstrip("/#").rsplit("/", 1)[-1].split("#", 1)[0]
    if not name or name in (".", ".."):
        return None
    candidates = [folder / name] + [folder / (name + ext) for ext in EXTENSIONS]
    return next((c for c in candidates if c.is_file()), None)


def parse_path(path: Path | str, graph: Graph | None = None) -> Graph:
    """Parse one file of any RDF syntax into ``graph`` (a new one by default), with its local imports.

    A broken file raises :class:`DataError` naming the file (and line where the parser gives one).
    An import with no file beside the importer is left out (the vocabulary checks report it).
    """
    graph = Graph() if graph is None else graph
    path = Path(path)
    done = {path.resolve()}
    todo = [path]
    while todo and len(done) <= MAX_IMPORTS:
        current = todo.pop(0)
        _parse_one(current, graph)
        for iri in sorted(set(graph.objects(None, OWL.imports))):
            found = find_import(current.parent, str(iri)) if isinstance(iri, URIRef) else None
            if found is not None and found.resolve() not in done:
                done.add(found.resolve())
                todo.append(found)
    return graph


_PARSED: dict[tuple, Graph] = {}
_PARSED_LOCK = threading.Lock()
_PARSED_MOST = 4


def parsed(path: Path | str) -> Graph:
    """:func:`parse_path`, remembered per file content (path, size, time) so checking then loading parses once.

    The graph returned is shared: callers only read it (copy it to change it).
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return parse_path(path)  # raises the readable "no such file"
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _PARSED_LOCK:
        if key in _PARSED:
            return _PARSED[key]
    graph = parse_path(path)
    with _PARSED_LOCK:
        while len(_PARSED) >= _PARSED_MOST:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = graph
    return graph

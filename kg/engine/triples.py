"""A compact in-memory triple index with the read API of an rdflib ``Graph``, filled by pyoxigraph.

rdflib parses large files slowly and its graphs are costly to merge; pyoxigraph parses about
30× faster. :func:`parse_index` parses a file with pyoxigraph into a :class:`TripleIndex` that
holds rdflib terms (``URIRef``/``Literal``/``BNode``, each interned once), so code written for an
rdflib graph (``triples``, ``objects``, ``subjects``, ``value``, ``items``…) reads it unchanged.
:class:`UnionIndex` reads several graphs or indexes as one without copying them.

>>> from rdflib import RDF, URIRef
>>> index = TripleIndex()
>>> a, b, c = URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")
>>> index.add((a, RDF.type, b)), index.add((a, RDF.type, b)), len(index)
(True, False, 1)
>>> list(index.subjects(RDF.type, b)), (a, RDF.type, b) in index
([rdflib.term.URIRef('urn:a')], True)
>>> other = TripleIndex([(c, RDF.type, b), (a, RDF.type, b)])
>>> union = UnionIndex([index, other])
>>> len(union), sorted(union.subjects(RDF.type, b))
(2, [rdflib.term.URIRef('urn:a'), rdflib.term.URIRef('urn:c')])
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, URIRef

__all__ = ["FAST_SYNTAXES", "TripleIndex", "UnionIndex", "index_of_graph", "parse_index", "to_graph"]

_BIG = 16  # past this many objects for one (subject, predicate), duplicates are found with a set
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _holds(terms: list, term) -> bool:
    """``term in terms`` for a short list, comparing hashes before rdflib's slow ``__eq__``."""
    wanted = hash(term)
    return any(x is term or (hash(x) == wanted and x == term) for x in terms)


class _Reader:
    """The rdflib ``Graph`` read methods, built on ``triples`` (subclasses add faster paths)."""

    __slots__ = ()

    def triples(self, pattern: tuple) -> Iterator[tuple]:  # pragma: no cover - abstract
        raise NotImplementedError

    def objects(self, subject=None, predicate=None, unique: bool = False) -> Iterator:
        for _, _, o in self.triples((subject, predicate, None)):
            yield o

    def subjects(self, predicate=None, object=None, unique: bool = False) -> Iterator:  # noqa: A002 - rdflib's name
        for s, _, _ in self.triples((None, predicate, object)):
            yield s

    def predicates(self, subject=None, object=None, unique: bool = False) -> Iterator:  # noqa: A002
        for _, p, _ in self.triples((subject, None, object)):
            yield p

    def predicate_objects(self, subject=None, unique: bool = False) -> Iterator[tuple]:
        for _, p, o in self.triples((subject, None, None)):
            yield p, o

    def subject_objects(self, predicate=None, unique: bool = False) -> Iterator[tuple]:
        for s, _, o in self.triples((None, predicate, None)):
            yield s, o

    def subject_predicates(self, object=None, unique: bool = False) -> Iterator[tuple]:  # noqa: A002
        for s, p, _ in self.triples((None, None, object)):
            yield s, p

    def value(self, subject=None, predicate=RDF.value, object=None, default=None, any: bool = True):  # noqa: A002
        """The first object (or subject, when ``subject`` is None) matching, else ``default``."""
        if subject is None:
            return next(self.subjects(predicate, object), default)
        return next(self.objects(subject, predicate), default)

    def items(self, head) -> Iterator:
        """The members of the RDF list at ``head``; a cyclic list raises ValueError (as rdflib does)."""
        seen = set()
        node = head
        while node is not None and node != RDF.nil:
            if node in seen:
                raise ValueError(f"list contains a cycle at {node}")
            seen.add(node)
            item = self.value(node, RDF.first)
            if item is not None:
                yield item
            node = self.value(node, RDF.rest)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        return iter(())


class TripleIndex(_Reader):
    """Triples by subject then predicate; by predicate then object built lazily, per predicate asked."""

    __slots__ = ("_spo", "_pos", "_sets", "_counts", "_size")

    def __init__(self, triples: Iterable[tuple] = ()) -> None:
        self._spo: dict = {}
        self._pos: dict = {}
        self._sets: dict = {}
        self._counts: dict = {}
        self._size = 0
        for triple in triples:
            self.add(triple)

    def add(self, triple: tuple) -> bool:
        """Add one triple; False when it was already there."""
        s, p, o = triple
        by_p = self._spo.get(s)
        if by_p is None:
            by_p = self._spo[s] = {}
        objects = by_p.get(p)
        if objects is None:
            by_p[p] = [o]
        else:
            if len(objects) < _BIG:
                if _holds(objects, o):
                    return False
            else:
                known = self._sets.get((s, p))
                if known is None:
                    known = self._sets[(s, p)] = set(objects)
                if o in known:
                    return False
                known.add(o)
            objects.append(o)
        self._size += 1
        self._counts[p] = self._counts.get(p, 0) + 1
        by_o = self._pos.get(p)
        if by_o is not None:
            by_o.setdefault(o, []).append(s)
        return True

    def __len__(self) -> int:
        return self._size

    def grouped(self) -> Iterable[tuple]:
        """Each subject with its dict of predicate -> objects (read only): one pass over everything."""
        return self._spo.items()

    def __iter__(self) -> Iterator[tuple]:
        for s, by_p in self._spo.items():
            for p, objects in by_p.items():
                for o in objects:
                    yield s, p, o

    def __contains__(self, triple: tuple) -> bool:
        s, p, o = triple
        if s is None or p is None or o is None:
            return next(self.triples(triple), None) is not None
        objects = self._spo.get(s, {}).get(p)
        if objects is None:
            return False
        known = self._sets.get((s, p)) if len(objects) >= _BIG else None
        return _holds(objects, o) if known is None else o in known

    def _by_object(self, p) -> dict:
        """The subjects of ``p`` by object, indexed on first use."""
        by_o = self._pos.get(p)
        if by_o is None:
            by_o = {}
            for s, by_p in self._spo.items():
                for o in by_p.get(p, ()):
                    by_o.setdefault(o, []).append(s)
            self._pos[p] = by_o
        return by_o

    def triples(self, pattern: tuple) -> Iterator[tuple]:
        s, p, o = pattern
        if s is not None:
            by_p = self._spo.get(s)
            if not by_p:
                return
            for pred, objects in (by_p.items() if p is None else ((p, by_p.get(p, ())),)):
                for obj in objects:
                    if o is None or obj == o:
                        yield s, pred, obj
        elif p is not None:
            if p not in self._counts:
                return
            if o is not None:
                for subj in self._by_object(p).get(o, ()):
                    yield subj, p, o
            elif p in self._pos:
                for obj, subjects in self._pos[p].items():
                    for subj in subjects:
                        yield subj, p, obj
            else:
                for subj, by_p in self._spo.items():
                    for obj in by_p.get(p, ()):
                        yield subj, p, obj
        else:
            for triple in self:
                if o is None or triple[2] == o:
                    yield triple

    def objects(self, subject=None, predicate=None, unique: bool = False) -> Iterator:
        if subject is not None and predicate is not None:
            return iter(tuple(self._spo.get(subject, {}).get(predicate, ())))
        return super().objects(subject, predicate, unique)

    def predicates(self, subject=None, object=None, unique: bool = False) -> Iterator:  # noqa: A002
        if subject is None and object is None:  # each predicate once, as the callers here only test membership
            return iter(tuple(self._counts))
        return super().predicates(subject, object, unique)

    def value(self, subject=None, predicate=RDF.value, object=None, default=None, any: bool = True):  # noqa: A002
        if subject is not None and predicate is not None and object is None:
            objects = self._spo.get(subject, {}).get(predicate)
            return objects[0] if objects else default
        return super().value(subject, predicate, object, default, any)


class UnionIndex(_Reader):
    """Several graphs or indexes read as one (a triple in two of them counts once), nothing copied.

    The triples of a part that an earlier part also holds are found once, from the smaller side
    of each pair, so reading the union costs no more than reading the parts.
    """

    __slots__ = ("parts", "_shadowed")

    def __init__(self, parts: Sequence) -> None:
        self.parts = list(parts)
        self._shadowed: list[set] | None = None

    def shadowed(self) -> list[set]:
        """For each part, its triples that an earlier part holds."""
        if self._shadowed is None:
            found: list[set] = [set() for _ in self.parts]
            for i, later in enumerate(self.parts):
                for earlier in self.parts[:i]:
                    small, big = (earlier, later) if len(earlier) <= len(later) else (later, earlier)
                    found[i].update(t for t in small if t in big)
            self._shadowed = found
        return self._shadowed

    def _holding(self, subject) -> list:
        """The parts that may have triples about ``subject``."""
        return [part for part in self.parts
                if not isinstance(part, TripleIndex) or subject in part._spo]  # noqa: SLF001 - same module

    def triples(self, pattern: tuple) -> Iterator[tuple]:
        if pattern[0] is not None and len(self._holding(pattern[0])) < 2:
            for part in self._holding(pattern[0]):
                yield from part.triples(pattern)
            return
        for part, shadowed in zip(self.parts, self.shadowed(), strict=True):
            if shadowed:
                yield from (t for t in part.triples(pattern) if t not in shadowed)
            else:
                yield from part.triples(pattern)

    def __iter__(self) -> Iterator[tuple]:
        return self.triples((None, None, None))

    def __contains__(self, triple: tuple) -> bool:
        return any(triple in part for part in self.parts)

    def objects(self, subject=None, predicate=None, unique: bool = False) -> Iterator:
        if subject is None or predicate is None:
            return super().objects(subject, predicate, unique)
        found = [objects for part in self._holding(subject) if (objects := tuple(part.objects(subject, predicate)))]
        if len(found) < 2:
            return iter(found[0] if found else ())
        return iter(dict.fromkeys(o for objects in found for o in objects))

    def value(self, subject=None, predicate=RDF.value, object=None, default=None, any: bool = True):  # noqa: A002
        if subject is not None and predicate is not None and object is None:
            return next(self.objects(subject, predicate), default)
        return super().value(subject, predicate, object, default, any)

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts) - sum(len(s) for s in self.shadowed())


# ---------------------------------------------------------------------- from pyoxigraph and rdflib
FAST_SYNTAXES = {"turtle": "TURTLE", "nt": "N_TRIPLES", "nquads": "N_QUADS", "trig": "TRIG"}
"""The syntaxes (rdflib's names) read with pyoxigraph; others (RDF/XML, JSON-LD, N3) go through rdflib."""


def _plain_literal(text: str, language: str | None) -> Literal:
    """``Literal(text, lang=language)`` without its checks, which pyoxigraph has made (3× faster).

    >>> _plain_literal("EC2란", "ko") == Literal("EC2란", lang="ko"), _plain_literal("x", None) == Literal("x")
    (True, True)
    """
    term = str.__new__(Literal, text)
    term._language, term._datatype, term._value, term._ill_typed = language or None, None, text, None
    return term


class _Terms:
    """pyoxigraph terms as rdflib terms, each made once (IRIs by text, literals and blank nodes by term)."""

    __slots__ = ("iris", "others")

    def __init__(self) -> None:
        self.iris: dict[str, URIRef] = {}
        self.others: dict = {}

    def iri(self, text: str) -> URIRef:
        term = self.iris.get(text)
        if term is None:
            term = self.iris[text] = URIRef(text)
        return term

    def other(self, node):
        term = self.others.get(node)
        if term is None:
            if hasattr(node, "language"):
                language = node.language
                if language or node.datatype.value == _XSD_STRING:
                    term = _plain_literal(node.value, language)
                else:
                    term = Literal(node.value, datatype=self.iri(node.datatype.value))
            else:  # a blank node: one fresh rdflib node per label per file, as rdflib's own parse gives
                term = BNode()
            self.others[node] = term
        return term


def _fill(index: TripleIndex, quads: Iterable, terms: _Terms) -> None:
    from pyoxigraph import NamedNode

    iri, other, add = terms.iri, terms.other, index.add
    for quad in quads:
        s, o = quad.subject, quad.object
        add((iri(s.value) if type(s) is NamedNode else other(s), iri(quad.predicate.value),
             iri(o.value) if type(o) is NamedNode else other(o)))


def _parse_fast(path: Path, syntax: str, index: TripleIndex) -> bool:
    """Parse ``path`` with pyoxigraph into ``index``; False (``index`` left unusable) when pyoxigraph refuses it."""
    import pyoxigraph

    fmt = getattr(pyoxigraph.RdfFormat, FAST_SYNTAXES[syntax])
    logger = logging.getLogger("rdflib.term")  # it logs a traceback per ill-typed literal, which is no error here
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        _fill(index, pyoxigraph.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()), _Terms())
    except (SyntaxError, ValueError, OSError, TypeError):
        return False
    finally:
        logger.setLevel(level)
    return True


def index_of_graph(graph: Iterable[tuple]) -> TripleIndex:
    """An rdflib graph (or any triples) as an index."""
    return TripleIndex(graph)


def to_graph(index: Iterable[tuple]) -> Graph:
    """An index as a new rdflib graph (for pyshacl and other code that needs a real one)."""
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o in index)
    return graph


def _syntax(path: Path) -> str:
    from kg.engine.vocab.formats import syntax_of

    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return ""
    return syntax_of(path, head)


_UPPER_TAG = re.compile(rb"[\"']@[A-Za-z0-9-]*[A-Z]")


def _upper_case_tags(path: Path) -> bool:
    """Whether a language tag may have capitals: pyoxigraph lowercases them, rdflib keeps ``@EN`` (not English)."""
    try:
        return _UPPER_TAG.search(path.read_bytes()) is not None
    except OSError:
        return False


def parse_index(path: Path | str) -> TripleIndex:
    """One file (with its ``owl:imports`` of files beside it) as an index: pyoxigraph where it can.

    A file pyoxigraph refuses, or in a syntax it is not used for, is parsed by rdflib
    (:func:`kg.engine.vocab.formats.parse_path`), so a file rdflib reads still loads and a
    broken one raises the same :class:`~kg.engine.errors.DataError` (file:line).
    """
    from kg.engine.vocab.formats import parse_path

    path = Path(path)
    syntax = _syntax(path)
    index = TripleIndex()
    if syntax not in FAST_SYNTAXES or _upper_case_tags(path) or not _parse_fast(path, syntax, index):
        return index_of_graph(parse_path(path))
    if any(True for _ in index.subjects(URIRef("http://www.w3.org/2002/07/owl#imports"), None)):
        return index_of_graph(parse_path(path))  # imports are rare: rdflib's reader resolves them
    return index

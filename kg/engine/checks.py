"""Direct checks of user data: what ``ontology/shapes.ttl`` requires of instance data, in one linear pass.

pyshacl checks a 1e5-triple file in about 45 s; these checks read each triple once (about a second)
and report the same problems in the same words, so loading user data (``kg ask --data``) uses them
and ``kg validate`` keeps pyshacl. The shapes covered, as pyshacl reads them on the union of the
bundled context (see :func:`kg.engine.validate._context`) and the user files:

- ``ckg:ConceptShape`` on every ``skos:Concept`` (or instance of a subclass): exactly one ``en`` and one
  ``ko`` ``skos:prefLabel`` (``sh:languageIn``, so ``en-GB`` counts as English and an untagged label as
  neither), at least one ``en`` and one ``ko`` ``skos:definition``, exactly one ``ckg:category`` that is
  a ``ckg:Category``, at least one ``dcterms:source`` and each a ``ckg:Source`` (``sh:class``: an
  ``rdf:type`` then any ``rdfs:subClassOf`` steps);
- ``ckg:DomainShape``: the subject of a property with an ``rdfs:domain`` is of that class;
- ``ckg:RangeShape``: the object of a property with an IRI ``rdfs:range`` other than ``xsd:integer`` is of
  that class, or a literal of that datatype (so a literal where a class is required, or a string with a
  language tag where ``xsd:string`` is, is reported);
- ``ckg:UniqueNamesShape`` within each user file: a name (lower-cased pref, alt or hidden label) of two
  subjects that do not all mark it ``ckg:ambiguousLabel``.

Not covered: nothing the shapes say about instance data; values of ``xsd:integer`` properties are
checked by neither (the range shape skips them).

>>> from rdflib import Literal, URIRef
>>> from kg.engine.triples import TripleIndex
>>> from rdflib.namespace import RDF, SKOS
>>> foo = URIRef("https://w3id.org/cloudkg/id/Foo")
>>> found = check_files(TripleIndex(), {"a.ttl": TripleIndex([(foo, RDF.type, SKOS.Concept),
...     (foo, SKOS.prefLabel, Literal("Foo", lang="en"))])})
>>> found.count, found.problems[0].shacl
(5, 'Foo: needs exactly one Korean preferred label (prefLabel)')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from ontology import SCHEMA

__all__ = ["MAX_PROBLEMS", "Problem", "Problems", "check_files"]

MAX_PROBLEMS = 20
"""How many problems a check keeps (all are counted)."""

_CKG_CATEGORY, _CKG_SOURCE = URIRef(SCHEMA + "Category"), URIRef(SCHEMA + "Source")
_CATEGORY, _AMBIGUOUS = URIRef(SCHEMA + "category"), URIRef(SCHEMA + "ambiguousLabel")
_NAMES = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
_LANGSTRING = RDF.langString


@dataclass(frozen=True)
class Problem:
    """One problem: where (file, term), what (the shape's message and field), and a suggestion."""

    file: str
    term: str
    message: str
    field: str = ""
    suggestion: str = ""

    @property
    def shacl(self) -> str:
        """The problem worded as :mod:`kg.engine.validate` words pyshacl's result."""
        return f"{self.term}: {self.message}" + (f" ({self.field})" if self.field else "")

    def __str__(self) -> str:
        return f"{self.file}: {self.shacl}" + (f"; {self.suggestion}" if self.suggestion else "")


@dataclass
class Problems:
    """The first ``MAX_PROBLEMS`` problems found (in the order met) and how many there were."""

    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    limit: int = MAX_PROBLEMS
    _seen: set = field(default_factory=set, repr=False)

    @property
    def conforms(self) -> bool:
        return self.count == 0

    def add(self, problem: Problem) -> None:
        key = problem.shacl
        if key in self._seen:  # pyshacl reports each (term, message, field) once
            return
        self._seen.add(key)
        self.count += 1
        if len(self.problems) < self.limit:
            self.problems.append(problem)

    def lines(self) -> list[str]:
        """The problems as report lines, then how many more there are."""
        more = self.count - len(self.problems)
        return [f"  - {p}" for p in self.problems] + ([f"  … and {more} more"] if more else [])


def _term(node) -> str:
    """A node as pyshacl's report names its focus (the text after the last /)."""
    return str(node).rsplit("/", 1)[-1]


def _field(iri) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class _Schema:
    """Types, subclass links, domains and ranges of the union (bundled context and user files)."""

    def __init__(self) -> None:
        self.types: dict = {}
        self.parents: dict = {}
        self.domains: dict = {}
        self.ranges: dict = {}
        self._ancestors: dict = {}

    def take(self, s, p, o) -> None:
        """Note one triple if it is a type, subclass, domain or range statement."""
        if p == RDF.type:
            self.types.setdefault(s, set()).add(o)
        elif p == RDFS.subClassOf:
            self.parents.setdefault(s, set()).add(o)
        elif p == RDFS.domain:
            self.domains.setdefault(s, set()).add(o)
        elif p == RDFS.range and isinstance(o, URIRef) and o != XSD.integer:
            self.ranges.setdefault(s, set()).add(o)

    def ancestors(self, cls) -> frozenset:
        """``cls`` and every class above it (``rdfs:subClassOf*``)."""
        found = self._ancestors.get(cls)
        if found is None:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self.parents.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            found = self._ancestors[cls] = frozenset(seen)
        return found

    def is_a(self, node, cls) -> bool:
        """Whether ``node`` is an instance of ``cls`` (``rdf:type/rdfs:subClassOf*``)."""
        return any(cls in self.ancestors(t) for t in self.types.get(node, ()))


def _context(bundled) -> Iterator[tuple]:
    """The bundled triples pyshacl sees beside user data: concepts' types and subclass links, all other IRIs'."""
    concepts = set(bundled.subjects(RDF.type, SKOS.Concept))
    for s, p, o in bundled:
        if s in concepts:
            if p == RDFS.subClassOf or (p == RDF.type and o != SKOS.Concept):
                yield s, p, o
        elif isinstance(s, URIRef):
            yield s, p, o


def check_files(bundled, user: Mapping[str, object], limit: int = MAX_PROBLEMS) -> Problems:
    """Check user files (indexes or graphs, by file name) beside the bundled data, as the shapes would.

    ``bundled``: the bundled knowledge (already known to conform). Returns the problems found.
    """
    from kg.engine.triples import TripleIndex

    indexes = {f: g if isinstance(g, TripleIndex) else TripleIndex(g) for f, g in user.items()}
    context = TripleIndex(_context(bundled))
    schema = _Schema()
    for part in (context, *indexes.values()):
        for p in (RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range):
            for s, o in part.subject_objects(p):
                schema.take(s, p, o)
    found = Problems(limit=limit)
    parts = [("bundled", context), *indexes.items()]
    for s, views in _by_subject(parts):
        file = views[0][0]
        if schema.is_a(s, SKOS.Concept):
            _check_concept(s, [v for _, v in views], schema, file, found)
        for view_file, view in views:
            _check_properties(s, view, schema, view_file, found)
    for file, index in indexes.items():
        _check_unique_names(index, file, found)
    return found


def _by_subject(parts: list[tuple[str, object]]) -> Iterator[tuple[object, list[tuple[str, dict]]]]:
    """Each subject with its predicate -> objects dicts, one per part that holds it."""
    holders = [(name, dict(index.grouped())) for name, index in parts if len(index)]
    if len(holders) == 1:
        name, grouped = holders[0]
        for s, by_p in grouped.items():
            yield s, [(name, by_p)]
        return
    seen: set = set()
    for i, (_, grouped) in enumerate(holders):
        for s in grouped:
            if s not in seen:
                seen.add(s)
                yield s, [(name, other[s]) for name, other in holders[i:] if s in other]


def _check_properties(s, by_p: dict, schema: _Schema, file: str, found: Problems) -> None:
    """``ckg:DomainShape`` and ``ckg:RangeShape`` on the triples of one subject."""
    domains, ranges = schema.domains, schema.ranges
    for p, objects in by_p.items():
        for d in domains.get(p, ()):
            if not schema.is_a(s, d):
                found.add(Problem(file, _term(p), f"{p} is used on {s}, which is not of its domain {d}",
                                  suggestion=f"give {_term(s)} the type {_term(d)} (or a subclass of it), "
                                             f"or use another relation"))
        for r in ranges.get(p, ()):
            for o in objects:
                if not _in_range(o, r, schema):
                    found.add(Problem(file, _term(p), f"{p} points at {o}, which is not of its range {r}",
                                      suggestion=_range_hint(o, r)))


def _in_range(o, r, schema: _Schema) -> bool:
    if isinstance(o, Literal):
        datatype = o.datatype or (_LANGSTRING if o.language else XSD.string)
        return datatype == r
    return schema.is_a(o, r)


def _range_hint(o, r) -> str:
    if isinstance(o, Literal) and not str(r).startswith(str(XSD)):
        return f"point at a term (an IRI) of type {_term(r)}, not a literal"
    if str(r).startswith(str(XSD)):
        return f'write the value as "…"^^xsd:{_field(r)}'
    return f"give {_term(o)} the type {_term(r)} (or a subclass of it)"


_LABEL_RULES = (  # path, language, at least, at most, message, suggestion
    (SKOS.prefLabel, "en", 1, 1, "needs exactly one English preferred label", 'keep one skos:prefLabel "…"@en'),
    (SKOS.prefLabel, "ko", 1, 1, "needs exactly one Korean preferred label", 'keep one skos:prefLabel "…"@ko'),
    (SKOS.definition, "en", 1, None, "needs an English definition", 'add skos:definition "…"@en'),
    (SKOS.definition, "ko", 1, None, "needs a Korean definition", 'add skos:definition "…"@ko'),
)


def _in_language(term, language: str) -> bool:
    """``sh:languageIn ( language )``: a literal whose tag is the language or one of its subtags."""
    tag = term.language if isinstance(term, Literal) else None
    return bool(tag) and (tag.lower() == language or tag.lower().startswith(language + "-"))


def _values(views: list[dict], p) -> list:
    """The objects of ``p`` over the parts, each once."""
    if len(views) == 1:
        return list(views[0].get(p, ()))
    return list(dict.fromkeys(o for view in views for o in view.get(p, ())))


def _check_concept(s, views: list[dict], schema: _Schema, file: str, found: Problems) -> None:
    """``ckg:ConceptShape`` on one concept."""
    term = _term(s)
    for path, language, least, most, message, hint in _LABEL_RULES:
        count = sum(1 for v in _values(views, path) if _in_language(v, language))
        if count < least or (most is not None and count > most):
            found.add(Problem(file, term, message, _field(path), hint))
    categories = _values(views, _CATEGORY)
    if len(categories) != 1 or not schema.is_a(categories[0], _CKG_CATEGORY):
        found.add(Problem(file, term, "needs one category from the schema's categories", "category",
                          "give one ckg:category, e.g. ck:cat-concepts"))
    sources = _values(views, DCTERMS.source)
    if not sources or not all(schema.is_a(x, _CKG_SOURCE) for x in sources):
        found.add(Problem(file, term, "needs a source declared as ckg:Source", "source",
                          "cite it with dcterms:source <…>, and declare that source `a ckg:Source`"))


def _check_unique_names(index, file: str, found: Problems) -> None:
    """``ckg:UniqueNamesShape`` within one file: a name two subjects share, not marked ambiguous by all."""
    holders: dict[str, set] = {}
    for p in _NAMES:
        for s, label in index.subject_objects(p):
            holders.setdefault(str(label).lower(), set()).add(s)
    for name, subjects in holders.items():
        if len(subjects) < 2:
            continue
        marked = sum(1 for s in subjects if any(str(a).lower() == name for a in index.objects(s, _AMBIGUOUS)))
        if marked < len(subjects):
            concepts = ", ".join(sorted(str(s) for s in subjects))
            found.add(Problem(Path(file).name, "schema#", f"the name '{name}' is shared by {concepts}; mark it "
                                                          "with ckg:ambiguousLabel on each if intended",
                              suggestion="rename one, or mark the name ckg:ambiguousLabel on each"))

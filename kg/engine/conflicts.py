"""User data against the bundled knowledge: conflicts, provenance and shared names.

User Turtle may add knowledge but not silently override the bundled knowledge. A conflict is
a change to a shipped relation or class (its labels, phrases or logic, also through
``owl:inverseOf``/``owl:equivalentProperty`` or a new relation taking a shipped phrase),
another preferred label or definition for a shipped concept, a shipped concept given another
shipped concept's name, an IRI whose id is a shipped one's, or a type assertion that breaks the
shipped disjointness once inferred. A sub-property of a shipped relation only adds facts.

>>> from kg.engine.load import parse_files
>>> from ontology import data_files
>>> bundled = parse_files(data_files())
>>> user = Graph().parse(data='''@prefix ckg: <https://w3id.org/cloudkg/schema#> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... ckg:stores rdfs:label "deletes"@en .''', format="turtle")
>>> [c.kind for c in find_conflicts(bundled, {"mine.ttl": user})]
['relation']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from kg.engine.errors import DataError
from kg.engine.model import Fact, Knowledge
from ontology import SCHEMA, TERM, data_files
from queries.relation_ids import DISJOINT_WITH, SUBCLASS_OF, TYPE

__all__ = ["Conflict", "conflict_error", "empty_provenance", "find_conflicts", "shared_name_warnings",
           "split_files", "user_provenance"]

FIX = "use your own IRI, or pass --allow-override"
BUNDLED = "bundled"
_CKG = URIRef(SCHEMA)
_ABBREVIATION, _EXPANSION = URIRef(SCHEMA + "abbreviation"), URIRef(SCHEMA + "expansion")
_ENTRY = frozenset((SKOS.prefLabel, SKOS.definition))  # frozensets: rdflib's __eq__ is slow, a hash is not
_NAMES = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, _ABBREVIATION, _EXPANSION)
_LOGIC_LINKS = frozenset((OWL.inverseOf, OWL.equivalentProperty))
_PHRASES = tuple(URIRef(SCHEMA + name) for name in ("verb3", "verb", "copula", "where", "noun", "nounPlural", "koStem"))
_PREFIXES = {SCHEMA: "ckg:", TERM: "ck:", str(RDF): "rdf:", str(RDFS): "rdfs:", str(OWL): "owl:",
             str(SKOS): "skos:", str(DCTERMS): "dcterms:", "http://www.w3.org/2001/XMLSchema#": "xsd:"}
_VOCABULARIES = tuple(ns for ns in _PREFIXES if ns not in (SCHEMA, TERM))
_NAME_SET, _PHRASE_SET = frozenset(_NAMES), frozenset(_PHRASES)
_SHORT_FORMS = frozenset((_ABBREVIATION, _EXPANSION))
_TYPING = frozenset((RDF.type, RDFS.subClassOf))
_NOT_RELATIONS = _TYPING | {OWL.disjointWith}


@dataclass(frozen=True, slots=True)
class Conflict:
    """One way a user file would change the bundled knowledge."""

    file: str
    line: int | None
    kind: str  # relation, class, phrase, definition, name, id or disjoint
    message: str
    fix: str = FIX

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def describe(self) -> str:
        """Where and what, without the fix."""
        return f"{self.where}: {self.message}"

    def __str__(self) -> str:
        return f"{self.describe()}; {self.fix}"


def split_files(files: Iterable[Path | str]) -> tuple[list[Path], list[Path]]:
    """The bundled files and the user's files among ``files``, each in their order."""
    shipped = {p.resolve() for p in data_files()}
    bundled, user = [], []
    for path in map(Path, files):
        (bundled if path.resolve() in shipped else user).append(path)
    return bundled, user


def conflict_error(conflicts: Sequence[Conflict]) -> DataError:
    """One DataError naming every conflict."""
    files = list(dict.fromkeys(c.file for c in conflicts))
    count = f"{len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''}"
    return DataError(files[0], None, f"{count} with the bundled knowledge; nothing of it was loaded",
                     [f"  - {c}" for c in conflicts])


def short(term) -> str:
    """A compact form of an RDF term for messages.

    >>> short(URIRef("https://w3id.org/cloudkg/id/S3")), short(Literal("x", lang="en"))
    ('ck:S3', '"x"@en')
    """
    if isinstance(term, Literal):
        text = str(term) if len(str(term)) <= 60 else str(term)[:57] + "..."
        return f'"{text}"' + (f"@{term.language}" if term.language else "")
    for namespace, prefix in _PREFIXES.items():
        if str(term).startswith(namespace) and len(str(term)) > len(namespace):
            return prefix + str(term)[len(namespace):]
    return f"<{term}>" if isinstance(term, URIRef) else str(term)


@lru_cache(maxsize=1 << 16)  # asked for every triple's subject, which repeats
def _local_id(iri: str) -> str:
    from kg.engine.load import local_id

    return local_id(iri)


# ---------------------------------------------------------------------- finding lines
class _Lines:
    """Best-effort line numbers: rdflib keeps no positions, so scan the file's text."""

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self.texts = dict(texts or {})
        self.cache: dict[str, list[str]] = {}

    def lines(self, file: str) -> list[str]:
        if file not in self.cache:
            text = self.texts.get(file)
            if text is None:
                try:
                    text = Path(file).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    text = ""
            self.cache[file] = text.splitlines()
        return self.cache[file]

    def prefixes(self, file: str) -> list[tuple[str, str]]:
        """The file's own prefixes (a parsed graph forgets them once merged)."""
        found = _PREFIX.findall("\n".join(self.lines(file)))
        return [(prefix, namespace) for prefix, namespace in found]

    def find(self, file: str, subject, *details) -> int | None:
        """The line of ``subject``'s statement mentioning the most specific of ``details``."""
        lines, prefixes = self.lines(file), self.prefixes(file)
        subject_pattern = _pattern(_tokens(prefixes, subject))
        starts = [i for i, line in enumerate(lines) if subject_pattern.match(line.lstrip())]
        for detail in details:
            pattern = _pattern(_tokens(prefixes, detail))
            for start in starts:
                for i in range(start, _statement_end(lines, start)):
                    text = lines[i].lstrip()
                    if i == start:  # past the subject, which may itself look like a detail
                        text = text[_token_length(subject_pattern, text):]
                    if pattern.search(text):
                        return i + 1
        return starts[0] + 1 if starts else None


_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w\-.]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def _tokens(prefixes: list[tuple[str, str]], term) -> list[str]:
    if isinstance(term, Literal):
        return [f'"{term}"', f"'{term}'"]
    iri = str(term)
    found = [f"<{iri}>"] + (["a"] if term == RDF.type else [])
    for prefix, namespace in prefixes:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            found.append(f"{prefix}:{iri[len(namespace):]}")
    return found


def _pattern(tokens: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=[\s;,(\[]))(?:{alternatives})(?![\w\-:])")


def _token_length(pattern: re.Pattern[str], text: str) -> int:
    match = pattern.match(text)
    return match.end() if match else 0


def _statement_end(lines: list[str], start: int, most: int = 200) -> int:
    """The line after a statement: the next one that starts a new statement at column 0."""
    for i in range(start + 1, min(len(lines), start + most)):
        if lines[i][:1] not in ("", " ", "\t", "#"):
            return i
    return min(len(lines), start + most)


# ---------------------------------------------------------------------- the checks
@dataclass
class _Shipped:
    """What the bundled data defines, by IRI."""

    graph: Graph
    relations: set = field(default_factory=set)
    classes: set = field(default_factory=set)
    concepts: set = field(default_factory=set)
    names: dict[str, set] = field(default_factory=dict)
    phrases: dict[str, set] = field(default_factory=dict)
    ids: dict[str, URIRef] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Graph) -> _Shipped:
        from queries.normalize import normalize

        shipped = cls(graph, set(graph.subjects(RDF.type, OWL.ObjectProperty)),
                      set(graph.subjects(RDF.type, OWL.Class)), set(graph.subjects(RDF.type, SKOS.Concept)))
        for predicate in _NAMES:
            for node, name in graph.subject_objects(predicate):
                if node in shipped.concepts:
                    shipped.names.setdefault(normalize(str(name)), set()).add(node)
        for predicate in _PHRASES:
            for node, phrase in graph.subject_objects(predicate):
                shipped.phrases.setdefault(normalize(str(phrase)), set()).add(node)
        for node in shipped.relations | shipped.classes | shipped.concepts:
            shipped.ids.setdefault(_local_id(str(node)), node)
        return shipped

    def has(self, user: Graph, triple) -> bool:
        """Whether the bundled data states this triple (a list object compared by its items)."""
        s, p, o = triple
        if not isinstance(o, BNode):
            return triple in self.graph
        try:
            items = tuple(user.items(o))
        except ValueError:  # a cyclic rdf:rest list: not bundled; kg.engine.load reports it as a DataError
            return False
        return any(isinstance(b, BNode) and tuple(self.graph.items(b)) == items for b in self.graph.objects(s, p))


def find_conflicts(bundled: Graph, user: Mapping[str, Graph], texts: Mapping[str, str] | None = None,
                   *, union: tuple | None = None) -> list[Conflict]:
    """Every conflict of the ``user`` graphs (by file name) with the ``bundled`` graph.

    ``texts`` (file -> Turtle text) are scanned for line numbers; by default the files are read.
    ``union``: the knowledge of bundled + user and its inferred closure, when the caller has them.
    """
    shipped, lines = _Shipped.of(bundled), _Lines(texts)
    found: list[Conflict] = []
    for file, graph in user.items():
        new = [t for t in graph if not isinstance(t[0], BNode) and not shipped.has(graph, t)]
        found += _schema_conflicts(file, graph, new, shipped, lines)
        found += _entry_conflicts(file, graph, new, shipped, lines)
        found += _id_conflicts(file, graph, new, shipped, lines)
    found += _disjoint_conflicts(bundled, user, lines, union)
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda c: (c.file, c.line or 0, c.message))


def _schema_conflicts(file: str, graph: Graph, new: list, shipped: _Shipped, lines: _Lines) -> list[Conflict]:
    """Triples about a shipped relation or class, or tying a relation to a shipped one's logic."""
    found = []
    for s, p, o in new:
        if s in shipped.relations or s in shipped.classes:
            kind = "relation" if s in shipped.relations else "class"
            what = f"changes the shipped {kind} {short(s)} ({short(p)} {short(o)})"
            found.append(Conflict(file, lines.find(file, s, o, p), kind, what))
        elif p in _LOGIC_LINKS and o in shipped.relations:
            what = f"changes the logic of the shipped relation {short(o)} ({short(s)} {short(p)} {short(o)})"
            found.append(Conflict(file, lines.find(file, s, o, p), "relation", what))
        elif p in _PHRASE_SET and isinstance(o, Literal) and _phrase_owners(shipped, o):
            owners = ", ".join(short(x) for x in _phrase_owners(shipped, o))
            what = f"gives {short(s)} the phrase {short(o)} of the shipped {owners}, so questions with it change"
            found.append(Conflict(file, lines.find(file, s, o, p), "phrase", what,
                                  "use a phrase of your own, or pass --allow-override"))
    return found


def _phrase_owners(shipped: _Shipped, phrase: Literal) -> list:
    from queries.normalize import normalize

    return sorted(shipped.phrases.get(normalize(str(phrase)), ()))


def _entry_conflicts(file: str, graph: Graph, new: list, shipped: _Shipped, lines: _Lines) -> list[Conflict]:
    """Another preferred label or definition for a shipped concept, or another shipped concept's name."""
    from queries.normalize import normalize

    found = []
    for s, p, o in new:
        if s not in shipped.concepts or s in shipped.classes or not isinstance(o, Literal):
            continue
        replaces = p in _ENTRY or (p in _SHORT_FORMS and shipped.graph.value(s, p) is not None)
        if replaces:
            what = {SKOS.prefLabel: "preferred label", SKOS.definition: "definition"}.get(p, short(p))
            found.append(Conflict(file, lines.find(file, s, o, p), "definition",
                                  f"gives the shipped concept {short(s)} another {what} ({short(o)})"))
            continue
        others = sorted(shipped.names.get(normalize(str(o)), set()) - {s}) if p in _NAME_SET else []
        if others:
            named = ", ".join(short(x) for x in others)
            found.append(Conflict(file, lines.find(file, s, o, p), "name",
                                  f"gives the shipped concept {short(s)} the name {short(o)}, "
                                  f"which names the shipped concept {named}"))
    return found


def _id_conflicts(file: str, graph: Graph, new: list, shipped: _Shipped, lines: _Lines) -> list[Conflict]:
    """A user IRI whose id (its last part) is a shipped one's: its facts would merge into the shipped node."""
    found, seen = [], set()
    for s, _p, o in new:
        for node in (s, o):
            if not isinstance(node, URIRef) or node in seen or str(node).startswith(_VOCABULARIES):
                continue
            seen.add(node)
            twin = shipped.ids.get(_local_id(str(node)))
            if twin is not None and twin != node:
                what = (f"{short(node)} has the id '{_local_id(str(node))}' of the shipped {short(twin)}, "
                        "so it would merge into it")
                found.append(Conflict(file, lines.find(file, node), "id", what))
    return found


def _disjoint_conflicts(bundled: Graph, user: Mapping[str, Graph], lines: _Lines,
                        union: tuple | None = None) -> list[Conflict]:
    """Individuals typed, after inference, in two disjoint classes where the bundled data alone has no such clash."""
    if not user:
        return []
    from kg.engine.infer import materialise
    from kg.engine.load import read_knowledge
    from kg.engine.triples import UnionIndex

    before, old = _bundled_clashes(bundled)
    if union is None:  # read through a view of the graphs, not a merged copy
        after = read_knowledge(UnionIndex([bundled, *user.values()]))
        union = (after, materialise(after.facts, after.relations))
    derived = union[1]
    found = []
    for clash, facts in _clashes(derived).items():
        if clash in old:
            continue
        thing, first, second = clash
        grounds = [g for f in facts for g in _grounds(derived, f) if g not in before.facts]
        file, line = _locate(grounds, user, lines)
        what = (f"makes ck:{thing} both ck:{first} and ck:{second}, "
                "which the bundled schema declares disjoint")
        found.append(Conflict(file, line, "disjoint", what, "remove that statement, or pass --allow-override"))
    return found


_BUNDLED_CLASHES: dict[int, tuple] = {}


def _bundled_clashes(bundled: Graph) -> tuple[Knowledge, dict]:
    """The bundled knowledge and its disjointness clashes, worked out once per bundled graph."""
    from kg.engine.infer import materialise
    from kg.engine.load import read_knowledge

    found = _BUNDLED_CLASHES.get(id(bundled))
    if found is None or found[0] is not bundled or found[1] != len(bundled):
        before = read_knowledge(bundled)
        found = (bundled, len(bundled), before, _clashes(materialise(before.facts, before.relations)))
        _BUNDLED_CLASHES.clear()  # one bundled graph at a time; it holds the graph so the id stays its own
        _BUNDLED_CLASHES[id(bundled)] = found
    return found[2], found[3]


def _clashes(derived: Mapping[Fact, object]) -> dict[tuple[str, str, str], tuple[Fact, ...]]:
    types: dict[str, set[str]] = defaultdict(set)
    for s, p, o in derived:
        if p == TYPE:
            types[s].add(o)
    clashes = {}
    for thing, classes in types.items():
        for first in sorted(classes):
            for second in sorted(classes):
                if first < second and (first, DISJOINT_WITH, second) in derived:
                    clashes[(thing, first, second)] = ((thing, TYPE, first), (thing, TYPE, second),
                                                       (first, DISJOINT_WITH, second))
    return clashes


def _grounds(derived: Mapping[Fact, object], fact: Fact, most: int = 10_000) -> list[Fact]:
    """The asserted facts an inferred fact rests on."""
    found, todo, seen = [], [fact], set()
    while todo and len(seen) < most:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        derivation = derived.get(current)
        if derivation is None:
            found.append(current)
        else:
            todo.extend(derivation.premises)
    return found


def _locate(facts: list[Fact], user: Mapping[str, Graph], lines: _Lines) -> tuple[str, int | None]:
    """The file and line asserting the first of ``facts`` found in a user file."""
    for fact in facts:
        for file, graph in user.items():
            for s, p, o in graph:
                if (isinstance(s, URIRef) and isinstance(o, URIRef) and _local_id(str(s)) == fact[0]
                        and _local_id(str(o)) == fact[2] and _local_id(str(p)) == fact[1]):
                    return file, lines.find(file, s, o, p)
    return next(iter(user)), None


# ---------------------------------------------------------------------- provenance
def empty_provenance() -> dict[str, dict]:
    """What of the built knowledge comes from a user file, by file name (plain data, so it caches).

    ``facts``: asserted facts not in the bundled data; ``relations``: relations a user file
    declares or changes; ``concepts``: entries new in, or relabelled or redefined by, a user
    file; ``renamed``: shipped concepts whose preferred label a user file gives.
    """
    return {"facts": {}, "relations": {}, "concepts": {}, "renamed": {}}


def user_provenance(bundled: Graph, user: Mapping[str, Graph], knowledge: Knowledge) -> dict[str, dict]:
    """Mark what ``knowledge`` (built from bundled + user) takes from each user file."""
    shipped = _Shipped.of(bundled)
    props = {r.iri: r.id for r in knowledge.relations.values()}
    classes = {str(c) for c in shipped.classes} | {str(c) for g in user.values()
                                                   for c in g.subjects(RDF.type, OWL.Class)}
    bundled_facts = {f for f in (_fact_of(t, props, classes) for t in bundled) if f}
    provenance = empty_provenance()
    for file, graph in user.items():
        name = Path(file).name
        for triple in graph:
            if isinstance(triple[0], BNode) or shipped.has(graph, triple):
                continue
            _mark(provenance, name, triple, shipped, (props, classes, bundled_facts, knowledge))
    return provenance


def _mark(provenance: dict[str, dict], name: str, triple, shipped: _Shipped, context) -> None:
    props, classes, bundled_facts, knowledge = context
    s, p, o = triple
    fact = _fact_of(triple, props, classes)
    if fact and fact not in bundled_facts and fact in knowledge.facts:
        provenance["facts"].setdefault(fact, name)
    if str(s) in props:
        provenance["relations"].setdefault(props[str(s)], name)
    if p in _LOGIC_LINKS and str(o) in props:
        provenance["relations"].setdefault(props[str(o)], name)
    concept_id = _local_id(str(s))
    if concept_id in knowledge.concepts and (s not in shipped.concepts or p in _ENTRY or p in _SHORT_FORMS):
        provenance["concepts"].setdefault(concept_id, name)
    if s in shipped.concepts and p == SKOS.prefLabel:
        provenance["renamed"].setdefault(concept_id, name)


def _fact_of(triple, props: Mapping[str, str], classes: set[str]) -> Fact | None:
    """The fact a triple asserts, read as :func:`kg.engine.load.read_knowledge` reads it."""
    s, p, o = triple
    if not (isinstance(s, URIRef) and isinstance(o, URIRef)):
        return None
    if str(p) in props and p not in _NOT_RELATIONS:
        relation = props[str(p)]
    elif p in _TYPING and str(o) in classes:
        relation = TYPE if p == RDF.type else SUBCLASS_OF
    elif p == OWL.disjointWith:
        relation = DISJOINT_WITH
    else:
        return None
    return (_local_id(str(s)), relation, _local_id(str(o)))


# ---------------------------------------------------------------------- shared names
def shared_name_warnings(bundled: Graph, user: Mapping[str, Graph]) -> list[str]:
    """Names that concepts from different sources (bundled, or each user file) share.

    These are not conflicts: asking for such a name answers ``clarify`` with every concept.
    """
    from queries.normalize import normalize

    origin: dict = {c: BUNDLED for c in bundled.subjects(RDF.type, SKOS.Concept)}
    for file, graph in user.items():
        for concept in graph.subjects(RDF.type, SKOS.Concept):
            origin.setdefault(concept, Path(file).name)
    holders: dict[str, dict] = {}
    shown: dict[str, str] = {}
    for graph in (bundled, *user.values()):
        for predicate in _NAMES:
            for node, name in graph.subject_objects(predicate):
                if node in origin and normalize(str(name)):
                    holders.setdefault(normalize(str(name)), {})[node] = None
                    shown.setdefault(normalize(str(name)), str(name).lower())
    warnings = []
    for key, nodes in holders.items():
        sources = {origin[n] for n in nodes}
        if len(nodes) > 1 and len(sources) > 1:
            who = " and ".join(f"{short(n)} ({origin[n]})" for n in sorted(nodes, key=str))
            warnings.append(f"the name '{shown[key]}' is shared by {who}; "
                            "asking for it answers with each to choose from")
    return sorted(warnings)

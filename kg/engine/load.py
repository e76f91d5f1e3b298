"""Turtle -> :class:`~kg.engine.model.Knowledge`. The only module that imports rdflib on the load path.

>>> from ontology import data_files
>>> knowledge = read_knowledge(parse_files(data_files()), data_files())
>>> knowledge.concepts["EC2"].label("en")
'Amazon EC2'
>>> ("EBSSnapshot", "storedIn", "S3") in knowledge.facts
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from kg.engine.errors import DataError
from kg.engine.limits import check_file
from kg.engine.limits import max_file_bytes as file_bytes_limit
from kg.engine.model import BUILTIN_RELATIONS, ClassInfo, Concept, Fact, Knowledge
from ontology import SCHEMA, TERM
from queries.lexicon import AttributeInfo, RelationInfo

__all__ = ["parse_files", "read_knowledge", "read_user_file", "local_id"]

CKG = Namespace(SCHEMA)


def local_id(iri: str) -> str:
    """The id of an IRI: its part after the term or schema namespace, else after the last / or #.

    >>> local_id("https://w3id.org/cloudkg/id/EC2"), local_id("https://w3id.org/cloudkg/schema#stores")
    ('EC2', 'stores')
    """
    for namespace in (TERM, SCHEMA):
        if iri.startswith(namespace):
            return iri[len(namespace):]
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def parse_files(paths: Iterable[Path | str], *, max_file_bytes: int | str | None = None) -> Graph:
    """Parse RDF files into one graph; a broken file raises :class:`DataError` (file:line).

    Any syntax vocabularies are published in (Turtle, N-Triples, N-Quads, TriG, RDF/XML,
    JSON-LD; see :mod:`kg.engine.vocab.formats`), with ``owl:imports`` of files beside them.
    Each file is checked before parsing: a regular file of at most ``max_file_bytes`` bytes
    (else $CLOUDKG_MAX_FILE_BYTES, else 1 GiB; see :mod:`kg.engine.limits`).
    """
    from kg.engine.vocab.formats import parse_path

    limit = file_bytes_limit(max_file_bytes)
    graph = Graph()
    for path in paths:
        path = Path(path)
        check_file(path, limit)
        parse_path(path, graph)
    return graph


def _texts(graph: Graph, subject, predicate) -> list[Literal]:
    literals = (o for o in graph.objects(subject, predicate) if isinstance(o, Literal))
    return sorted(literals, key=lambda o: (str(o), o.language or "", str(o.datatype or "")))


def _by_lang(literals: Sequence[Literal]) -> dict[str, str]:
    found: dict[str, str] = {}
    for literal in literals:
        found.setdefault(literal.language or "en", str(literal))
    return found


def _english(graph: Graph, subject, predicate) -> tuple[str, ...]:
    return tuple(str(t) for t in _texts(graph, subject, predicate) if (t.language or "en") == "en")


MAX_CHAIN_STEPS = 16
"""The longest property chain read; a longer (or endless) rdf:rest list is an error."""


def _read_list(graph: Graph, head, what: str) -> list:
    """The members of the RDF list at ``head``, walked with a visited set and a length cap.

    A cyclic, branching, unterminated or over-long list raises :class:`DataError` naming ``what``.
    """
    items, seen, node = [], set(), head
    while node != RDF.nil:
        if node in seen:
            raise DataError(what, None, "is a cyclic RDF list (its rdf:rest leads back to itself); "
                                        "write it as ( ckg:first ckg:second )")
        if len(items) >= MAX_CHAIN_STEPS:
            raise DataError(what, None, f"is longer than {MAX_CHAIN_STEPS} steps")
        seen.add(node)
        firsts = list(graph.objects(node, RDF.first))
        rests = list(graph.objects(node, RDF.rest))
        if len(firsts) != 1 or len(rests) != 1:
            raise DataError(what, None, "is not a well-formed RDF list (each cell needs one rdf:first and one "
                                        "rdf:rest, ending in rdf:nil); write it as ( ckg:first ckg:second )")
        items.append(firsts[0])
        node = rests[0]
    return items


def _read_chain(graph: Graph, prop: URIRef, head) -> tuple[str, ...]:
    """One owl:propertyChainAxiom of ``prop``: two or more property IRIs, else :class:`DataError`."""
    what = f"owl:propertyChainAxiom of {local_id(str(prop))!r}"
    steps = _read_list(graph, head, what)
    if len(steps) < 2:
        raise DataError(what, None, f"has {len(steps)} step{'s' if len(steps) != 1 else ''}; a property chain "
                                    "needs at least two properties, as in ( ckg:first ckg:second )")
    if not all(isinstance(step, URIRef) for step in steps):
        raise DataError(what, None, "has a step that is not a property IRI (a literal or blank node)")
    return tuple(local_id(str(step)) for step in steps)


def _read_relation(graph: Graph, prop: URIRef, inverses: dict[URIRef, URIRef]) -> RelationInfo:
    labels = _by_lang(_texts(graph, prop, RDFS.label))
    chains = [_read_chain(graph, prop, head) for head in graph.objects(prop, OWL.propertyChainAxiom)]
    inverse = inverses.get(prop)
    return RelationInfo(
        id=local_id(str(prop)),
        iri=str(prop),
        label_en=labels.get("en", local_id(str(prop))),
        label_ko=labels.get("ko", labels.get("en", "")),
        inverse=local_id(str(inverse)) if inverse is not None else None,
        transitive=(prop, RDF.type, OWL.TransitiveProperty) in graph,
        super_properties=tuple(sorted(local_id(str(p)) for p in graph.objects(prop, RDFS.subPropertyOf))),
        chains=tuple(sorted(chains)),
        verb3=_english(graph, prop, CKG.verb3),
        verb=_english(graph, prop, CKG.verb),
        copula=_english(graph, prop, CKG.copula),
        where=_english(graph, prop, CKG.where),
        noun=_english(graph, prop, CKG.noun),
        noun_plural=_english(graph, prop, CKG.nounPlural),
        ko_stems=tuple(str(t) for t in _texts(graph, prop, CKG.koStem)),
        in_paths=not bool(graph.value(prop, CKG.excludeFromPaths)),
        ko_template=str(graph.value(prop, CKG.koTemplate) or ""),
        noun_via=local_id(str(via)) if (via := graph.value(prop, CKG.nounVia)) is not None else None,
    )


def _close_super_properties(relations: dict[str, RelationInfo]) -> dict[str, RelationInfo]:
    """Make ``super_properties`` transitive (p <= q <= r gives p <= r)."""
    from dataclasses import replace

    closed = {}
    for rel_id, rel in relations.items():
        seen: list[str] = []
        todo = list(rel.super_properties)
        while todo:
            parent = todo.pop()
            if parent not in seen and parent != rel_id:
                seen.append(parent)
                todo += list(relations[parent].super_properties) if parent in relations else []
        closed[rel_id] = replace(rel, super_properties=tuple(sorted(seen)))
    return closed


# Read once: an rdflib DefinedNamespace attribute costs microseconds, and a concept reads eight of them.
_PREF, _ALT, _HIDDEN, _DEFINITION = SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition
_SOURCE, _ABBREVIATION, _EXPANSION = DCTERMS.source, CKG.abbreviation, CKG.expansion
_CATEGORY, _AMBIGUOUS = CKG.category, CKG.ambiguousLabel


def _read_concept(graph: Graph, node: URIRef, value_properties: frozenset = frozenset()) -> Concept:
    labels = _by_lang(_texts(graph, node, _PREF))
    aliases = tuple((str(t), t.language or "en") for t in _texts(graph, node, _ALT))
    values = tuple(sorted((local_id(str(p)), str(o)) for p, o in graph.predicate_objects(node)
                          if p in value_properties and isinstance(o, Literal))) if value_properties else ()
    abbreviation = graph.value(node, _ABBREVIATION)
    expansion = graph.value(node, _EXPANSION)
    category = graph.value(node, _CATEGORY)
    return Concept(
        id=local_id(str(node)),
        iri=str(node),
        labels=labels,
        aliases=aliases,
        hidden=tuple(str(t) for t in _texts(graph, node, _HIDDEN)),
        abbreviation=str(abbreviation) if abbreviation else None,
        expansion=str(expansion) if expansion else None,
        definitions=_by_lang(_texts(graph, node, _DEFINITION)),
        category=local_id(str(category)) if category else None,
        sources=tuple(sorted(str(s) for s in graph.objects(node, _SOURCE))),
        ambiguous_labels=tuple(str(t) for t in _texts(graph, node, _AMBIGUOUS)),
        values=values,
    )


def _statement_sources(graph: Graph, prop_ids: dict[str, str]) -> dict[Fact, set[str]]:
    """The sources each rdf:Statement gives its fact (several statements of one fact add up).

    A statement missing its subject, predicate or object names no fact and is skipped.
    """
    cited: dict[Fact, set[str]] = {}
    for statement in graph.subjects(RDF.type, RDF.Statement):
        s, p, o = (graph.value(statement, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s is None or p is None or o is None:
            continue
        fact = (local_id(str(s)), prop_ids.get(str(p), local_id(str(p))), local_id(str(o)))
        cited.setdefault(fact, set()).update(str(src) for src in graph.objects(statement, DCTERMS.source))
    return cited


def _read_relations(graph: Graph) -> tuple[dict[str, RelationInfo], dict[str, str]]:
    """The relations (with the built-in ones) and the id of each relation IRI."""
    props = sorted(set(graph.subjects(RDF.type, OWL.ObjectProperty)))
    inverses: dict[URIRef, URIRef] = {}
    for p, q in graph.subject_objects(OWL.inverseOf):
        inverses[p], inverses[q] = q, p
    relations = {r.id: r for r in (_read_relation(graph, p, inverses) for p in props)}
    relations = _close_super_properties(relations)
    relations.update(BUILTIN_RELATIONS)
    return relations, {str(p): local_id(str(p)) for p in props}


def _read_classes(graph: Graph) -> dict[str, ClassInfo]:
    # The schema's own bookkeeping classes (ckg:Source, ckg:Category) are not knowledge.
    class_nodes = sorted(n for n in set(graph.subjects(RDF.type, OWL.Class)) if not str(n).startswith(SCHEMA))
    classes = {}
    for node in class_nodes:
        nouns = tuple((str(t), t.language or "en") for t in _texts(graph, node, CKG.noun))
        plurals = tuple((str(t), t.language or "en") for t in _texts(graph, node, CKG.nounPlural))
        classes[local_id(str(node))] = ClassInfo(local_id(str(node)), nouns, plurals)
    return classes


def _read_facts(graph: Graph, prop_ids: dict[str, str]) -> dict[Fact, tuple[str, ...]]:
    """Relation facts, and type/subClassOf/disjointWith facts between IRIs."""
    class_iris = {str(n) for n in graph.subjects(RDF.type, OWL.Class) if not str(n).startswith(SCHEMA)}
    facts: dict[Fact, tuple[str, ...]] = {}
    ids: dict[str, str] = {}  # each IRI's local id, worked out once (a node is in many facts)
    kinds = {RDF.type: "type", RDFS.subClassOf: "subClassOf"}
    disjoint, source = OWL.disjointWith, DCTERMS.source
    for s, p, o in graph:
        if not (isinstance(s, URIRef) and isinstance(o, URIRef)):
            continue
        relation = prop_ids.get(str(p))
        if relation is None:
            relation = kinds.get(p)
            if relation is None:
                if p != disjoint:
                    continue
                relation = "disjointWith"
            elif str(o) not in class_iris:
                continue
        s_id = ids.get(s) or ids.setdefault(s, local_id(str(s)))
        fact = (s_id, relation, ids.get(o) or ids.setdefault(o, local_id(str(o))))
        # A relation fact cites only its own statements (below); a type/subClassOf/disjointWith
        # fact cites the concept's sources.
        facts[fact] = () if str(p) in prop_ids else tuple(sorted(str(src) for src in graph.objects(s, source)))
    for fact, cited in _statement_sources(graph, prop_ids).items():
        if fact in facts:
            facts[fact] = tuple(sorted(set(facts[fact]) | cited))
    return facts


def _read_attributes(graph: Graph) -> dict[str, AttributeInfo]:
    """The datatype properties: labels and synonyms (rdfs:label, skos:altLabel), unit and datatype."""
    attributes = {}
    for prop in sorted(set(graph.subjects(RDF.type, OWL.DatatypeProperty))):
        names = [(str(t), t.language or "en") for p in (RDFS.label, SKOS.altLabel) for t in _texts(graph, prop, p)]
        unit, datatype = graph.value(prop, CKG.unit), graph.value(prop, RDFS.range)
        attr = AttributeInfo(local_id(str(prop)), str(prop), tuple(names), str(unit) if unit is not None else None,
                             local_id(str(datatype)).rpartition("#")[2] if datatype is not None else "string")
        attributes[attr.id] = attr
    return attributes


def _value_sources(graph: Graph, attributes: dict[str, AttributeInfo]) -> dict[Fact, tuple[str, ...]]:
    """The sources each value's rdf:Statement cites, keyed ``(concept id, attribute id, value)``."""
    iris = {a.iri: a.id for a in attributes.values()}
    cited: dict[Fact, set[str]] = {}
    for statement in graph.subjects(RDF.type, RDF.Statement):
        s, p, o = (graph.value(statement, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s is not None and isinstance(o, Literal) and str(p) in iris:
            key = (local_id(str(s)), iris[str(p)], str(o))
            cited.setdefault(key, set()).update(str(src) for src in graph.objects(statement, DCTERMS.source))
    return {key: tuple(sorted(sources)) for key, sources in cited.items()}


def read_knowledge(graph: Graph, files: Sequence[Path | str] = ()) -> Knowledge:
    """Read concepts, classes, relations, facts and sources out of a parsed graph."""
    relations, prop_ids = _read_relations(graph)
    value_properties = frozenset(graph.subjects(RDF.type, OWL.DatatypeProperty))
    concepts = {}
    for node in sorted(set(graph.subjects(RDF.type, SKOS.Concept))):
        concept = _read_concept(graph, node, value_properties)
        concepts[concept.id] = concept
    sources = {}
    for node in graph.subjects(RDF.type, CKG.Source):
        labels = _by_lang(_texts(graph, node, RDFS.label))
        sources[str(node)] = labels.get("en") or str(node)
    categories = {local_id(str(n)): _by_lang(_texts(graph, n, RDFS.label))
                  for n in graph.subjects(RDF.type, CKG.Category)}
    attributes = _read_attributes(graph)
    return Knowledge(concepts, _read_classes(graph), relations, _read_facts(graph, prop_ids), sources, categories,
                     files=tuple(str(f) for f in files), triples=len(graph), attributes=attributes,
                     value_sources=_value_sources(graph, attributes))


def read_user_file(path: Path | str, taken: frozenset[str] = frozenset()) -> Graph:
    """A user's file, parsed; a vocabulary not written to the project's profile is read as SKOS/RDFS/OWL.

    ``taken``: relation phrases already in use (the bundled ones), which derived phrases leave alone.
    """
    from kg.engine.vocab.formats import parsed
    from kg.engine.vocab.reader import is_authoring_profile, normalise

    check_file(path, file_bytes_limit(None))
    graph = parsed(path)
    if not is_authoring_profile(graph):
        return normalise(graph, taken)
    own = Graph()
    own += graph  # a copy: the parsed graph is shared
    return own

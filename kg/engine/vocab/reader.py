"""Any SKOS, RDFS or OWL graph in the engine's own terms: concepts, labels, definitions and relations.

:func:`normalise` adds to a copy of the graph what the engine reads (``skos:prefLabel``,
``skos:definition``, relation phrases, owl:Class for rdfs:Class…) wherever the data says it
another way, and leaves everything the file already says as it is.

>>> from rdflib import Graph
>>> g = Graph().parse(format="turtle", data='''
... @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <http://example.org/> .
... ex:apple a skos:Concept ; skos:prefLabel "Apfel"@de ; skos:broader ex:fruit .
... ex:fruit a skos:Concept ; skos:scopeNote "Edible plant parts."@en .''')
>>> n = normalise(g)
>>> sorted(str(o) for o in n.objects(EX.apple, SKOS.prefLabel))
['Apfel', 'Apfel (de)']
>>> str(n.value(EX.fruit, SKOS.prefLabel)), str(n.value(EX.fruit, SKOS.definition))
('fruit', 'Edible plant parts.')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from kg.engine.vocab.phrases import derive, words_of
from kg.engine.vocab.skos import CKG, NATIVE, declare
from ontology import SCHEMA, TERM

__all__ = ["EX", "VOCAB", "is_authoring_profile", "local_name", "normalise", "split_name", "taken_phrases"]

EX = Namespace("http://example.org/")  # for the doctests
VOCAB = Namespace("https://w3id.org/cloudkg/vocab#")
SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
_STANDARD = (str(RDF), str(RDFS), str(OWL), str(SKOS), "http://www.w3.org/2001/XMLSchema#",
             "http://www.w3.org/ns/shacl#", str(SKOSXL), SCHEMA, str(VOCAB))
_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
                   OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.FunctionalProperty,
                   OWL.InverseFunctionalProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
                   OWL.IrreflexiveProperty, OWL.OntologyProperty)
_NOT_CONCEPTS = (*_PROPERTY_TYPES, OWL.Ontology, OWL.Restriction, OWL.AllDisjointClasses, RDF.List,
                 OWL.Axiom, RDF.Statement, CKG.Source, URIRef("http://www.w3.org/ns/shacl#NodeShape"),
                 URIRef("http://www.w3.org/ns/shacl#PropertyShape"))
_PHRASES = (CKG.verb3, CKG.verb, CKG.copula, CKG.where, CKG.noun, CKG.nounPlural, CKG.koStem)
_DEFINITIONS = (SKOS.definition, SKOS.scopeNote, RDFS.comment, DCTERMS.description)
_RELATION_TYPES = (OWL.ObjectProperty, OWL.TransitiveProperty, OWL.SymmetricProperty)


def is_authoring_profile(graph: Graph) -> bool:
    """Whether a file is written to the project's own profile (it names the cloudkg schema's or ids' IRIs)."""
    own = (SCHEMA, TERM)
    return any(isinstance(n, URIRef) and str(n).startswith(own) for triple in graph for n in triple)


def local_name(iri: str) -> str:
    """The last part of an IRI (after #, else after /)."""
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def split_name(name: str) -> str:
    """A local name as words, case kept: ``Air_Handling_Unit`` → ``Air Handling Unit``.

    >>> split_name("hasTopping"), split_name("Air_Handling_Unit"), split_name("c042")
    ('has Topping', 'Air Handling Unit', 'c042')
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", re.sub(r"[_\-]+", " ", name))
    return " ".join(spaced.split()) or name


def taken_phrases(graph: Graph) -> frozenset[str]:
    """The relation phrases a graph already uses (a new relation must not take them)."""
    relations = set(graph.subjects(RDF.type, OWL.ObjectProperty))
    return frozenset(str(o) for p in _PHRASES for s, o in graph.subject_objects(p) if s in relations)


def _standard(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(_STANDARD)


def _lang(literal: Literal) -> str:
    return literal.language or "en"


def _texts(graph: Graph, node, predicate) -> list[Literal]:
    found = [o for o in graph.objects(node, predicate) if isinstance(o, Literal) and str(o).strip()]
    return sorted(found, key=lambda o: (_lang(o), str(o)))


def _resource_texts(graph: Graph, node, predicate) -> list[Literal]:
    """Literal values of ``predicate``, and the rdf:value of a resource given instead (SKOS allows both)."""
    found = _texts(graph, node, predicate)
    for resource in graph.objects(node, predicate):
        if not isinstance(resource, Literal):
            found += _texts(graph, resource, RDF.value)
    return found


def _relations(graph: Graph) -> list[URIRef]:
    """Properties that link things: declared object properties and RDFS properties used between IRIs."""
    props = {p for t in _RELATION_TYPES for p in graph.subjects(RDF.type, t) if isinstance(p, URIRef)}
    for prop in graph.subjects(RDF.type, RDF.Property):
        if isinstance(prop, URIRef) and any(isinstance(o, URIRef) for _, o in graph.subject_objects(prop)):
            props.add(prop)
    return sorted(p for p in props if p not in NATIVE and not _standard(p))


def _concept_nodes(graph: Graph, relations: Iterable[URIRef]) -> list[URIRef]:
    """The IRIs that are glossary entries: typed things and labelled things that are not properties."""
    properties = {p for t in _PROPERTY_TYPES for p in graph.subjects(RDF.type, t)} | set(relations)
    excluded = properties | {s for t in _NOT_CONCEPTS for s in graph.subjects(RDF.type, t)}
    found = set(graph.subjects(RDF.type, None))
    for predicate in (SKOS.prefLabel, RDFS.label, SKOS.definition, SKOSXL.prefLabel):
        found.update(graph.subjects(predicate, None))
    return sorted(n for n in found if isinstance(n, URIRef) and n not in excluded and not _standard(n))


def _add_labels(graph: Graph, out: Graph, node: URIRef) -> None:
    """Preferred labels: skos:prefLabel, else SKOS-XL, else rdfs:label, else the local name; English first."""
    for predicate, target in ((SKOSXL.prefLabel, SKOS.prefLabel), (SKOSXL.altLabel, SKOS.altLabel),
                              (SKOSXL.hiddenLabel, SKOS.hiddenLabel)):
        for label in graph.objects(node, predicate):
            for form in _texts(graph, label, SKOSXL.literalForm):
                out.add((node, target, form))
    labels = _texts(out, node, SKOS.prefLabel)
    have = {_lang(t) for t in labels}
    for label in _texts(graph, node, RDFS.label):
        if _lang(label) not in have:
            out.add((node, SKOS.prefLabel if not any(_lang(t) == _lang(label) for t in labels) else SKOS.altLabel,
                     label))
    labels = _texts(out, node, SKOS.prefLabel)
    for label in labels:  # the label not chosen in its language (the engine keeps the first) stays a name
        if any(_lang(t) == _lang(label) and str(t) < str(label) for t in labels):
            out.add((node, SKOS.altLabel, label))
    if not labels:
        out.add((node, SKOS.prefLabel, Literal(split_name(local_name(str(node))), lang="en")))
    elif not any(_lang(t) == "en" for t in labels):
        other = next((t for t in labels if t.language == "ko"), labels[0])
        out.add((node, SKOS.prefLabel, Literal(f"{other} ({other.language})", lang="en")))


def _add_definitions(graph: Graph, out: Graph, node: URIRef) -> None:
    """Definitions by language: skos:definition (literal or rdf:value), else scope note, comment, description."""
    chosen: dict[str, Literal] = {}
    for predicate in _DEFINITIONS:
        for text in _resource_texts(graph, node, predicate):
            chosen.setdefault(_lang(text), text)
    for lang, text in sorted(chosen.items()):
        out.add((node, SKOS.definition, Literal(str(text), lang=lang)))
    if chosen and "en" not in chosen:
        lang, text = next(((k, v) for k, v in sorted(chosen.items()) if k == "ko"), sorted(chosen.items())[0])
        out.add((node, SKOS.definition, Literal(f"({lang}) {text}", lang="en")))
    scope = [t for t in _texts(graph, node, SKOS.scopeNote) if _lang(t) == "en"]
    if scope and str(scope[0]) != str(chosen.get("en", "")):
        out.add((node, VOCAB.scopeNote, Literal(str(scope[0]))))


def _add_marks(graph: Graph, out: Graph, node: URIRef) -> None:
    """Notation (searchable), deprecation, concept scheme (as the category) and collections."""
    for notation in graph.objects(node, SKOS.notation):
        out.add((node, SKOS.hiddenLabel, Literal(str(notation))))
        out.add((node, VOCAB.notation, Literal(str(notation))))
    if any(o.toPython() is True or str(o).lower() == "true" for o in graph.objects(node, OWL.deprecated)):
        out.add((node, VOCAB.deprecated, Literal("yes")))
        for text in list(out.objects(node, SKOS.definition)):
            out.remove((node, SKOS.definition, text))
            out.add((node, SKOS.definition, Literal(f"(deprecated) {text}", lang=text.language)))
        if not any(True for _ in out.objects(node, SKOS.definition)):
            out.add((node, SKOS.definition, Literal("(deprecated)", lang="en")))
    schemes = sorted({*graph.objects(node, SKOS.inScheme), *graph.objects(node, SKOS.topConceptOf),
                      *graph.subjects(SKOS.hasTopConcept, node)})
    if schemes:
        out.add((node, CKG.category, schemes[0]))
    for collection in sorted(graph.subjects(SKOS.member, node)):
        names = _texts(out, collection, SKOS.prefLabel) or _texts(graph, collection, RDFS.label)
        out.add((node, VOCAB.collection, Literal(str(names[0]) if names else local_name(str(collection)))))


def _add_schemes(graph: Graph, out: Graph) -> None:
    """Concept schemes become the engine's categories (shown on each concept's card)."""
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme)) | set(graph.objects(None, SKOS.inScheme))
    for scheme in schemes:
        if not isinstance(scheme, URIRef):
            continue
        out.add((scheme, RDF.type, CKG.Category))
        names = _texts(out, scheme, SKOS.prefLabel) or _texts(graph, scheme, RDFS.label)
        name = next((str(t) for t in names if _lang(t) == "en"), str(names[0]) if names else
                    split_name(local_name(str(scheme))))
        out.add((scheme, RDFS.label, Literal(name, lang="en")))
        if not any(_lang(t) == "ko" for t in names):
            out.add((scheme, RDFS.label, Literal(name, lang="ko")))


def _add_relation(graph: Graph, out: Graph, prop: URIRef, taken: set[str]) -> None:
    """A relation with no phrases of its own gets them from its English label, else its local name."""
    out.add((prop, RDF.type, OWL.ObjectProperty))
    if (prop, RDF.type, OWL.SymmetricProperty) in graph:
        out.add((prop, OWL.inverseOf, prop))
    labels = [t for t in _texts(graph, prop, RDFS.label) + _texts(graph, prop, SKOS.prefLabel) if _lang(t) == "en"]
    name = str(labels[0]) if labels else local_name(str(prop))
    if not labels:
        out.add((prop, RDFS.label, Literal(words_of(name), lang="en")))
    if any(True for p in _PHRASES for _ in graph.objects(prop, p)):
        return
    predicates = {"verb3": CKG.verb3, "verb": CKG.verb, "copula": CKG.copula, "noun": CKG.noun,
                  "noun_plural": CKG.nounPlural}
    for kind, texts in derive(name).items():
        for text in texts:
            if text not in taken:
                taken.add(text)
                out.add((prop, predicates[kind], Literal(text, lang="en")))


def _add_inverse_nouns(graph: Graph, out: Graph, relations: list[URIRef], taken: set[str]) -> None:
    """For "has X" with a declared inverse, X is a relational noun of the inverse: "points of AHU"."""
    inverses = {**{p: q for p, q in graph.subject_objects(OWL.inverseOf)},
                **{q: p for p, q in graph.subject_objects(OWL.inverseOf)}}
    for prop in relations:
        inverse = inverses.get(prop)
        words = words_of(local_name(str(prop))).split()
        if (inverse is None or inverse == prop or len(words) < 2 or words[0] != "has"
                or any(True for _ in out.objects(inverse, CKG.noun))
                or any(True for p in _PHRASES for _ in graph.objects(prop, p))):
            continue
        noun = " ".join(words[1:])
        for predicate, text in ((CKG.noun, noun), (CKG.nounPlural, english_plural_of(noun))):
            if text not in taken:
                taken.add(text)
                out.add((inverse, predicate, Literal(text, lang="en")))


def _add_classes(graph: Graph, out: Graph) -> None:
    """rdfs:Class as owl:Class, with nouns from its English label; rdfs:subClassOf also as skos:broader."""
    classes = {c for t in (OWL.Class, RDFS.Class) for c in graph.subjects(RDF.type, t) if isinstance(c, URIRef)}
    classes |= {o for o in graph.objects(None, RDFS.subClassOf) if isinstance(o, URIRef)}
    for cls in sorted(c for c in classes if not _standard(c)):
        out.add((cls, RDF.type, OWL.Class))
        if not any(True for _ in graph.objects(cls, CKG.noun)):
            label = next((str(t) for t in _texts(out, cls, SKOS.prefLabel) if _lang(t) == "en"), "")
            noun = label.lower() if label and not label.isupper() else label
            if noun:
                out.add((cls, CKG.noun, Literal(noun, lang="en")))
                out.add((cls, CKG.nounPlural, Literal(english_plural_of(noun), lang="en")))
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef) and not _standard(o) and s != o:
            out.add((s, SKOS.broader, o))


def english_plural_of(noun: str) -> str:
    from queries.lexicon import english_plural

    return english_plural(noun)


def _declarations(out: Graph) -> None:
    for prop in (VOCAB.notation, VOCAB.deprecated, VOCAB.scopeNote, VOCAB.collection):
        out.add((prop, RDF.type, OWL.DatatypeProperty))


def normalise(graph: Graph, taken: Iterable[str] = ()) -> Graph:
    """A copy of ``graph`` with what the engine reads added; ``taken`` phrases stay with their relations."""
    out = Graph()
    out += graph
    relations = _relations(graph)
    concepts = _concept_nodes(graph, relations)
    for node in concepts:
        _add_labels(graph, out, node)
        _add_definitions(graph, out, node)
        out.add((node, RDF.type, SKOS.Concept))
    for node in concepts:
        _add_marks(graph, out, node)
    _add_schemes(graph, out)
    _add_classes(graph, out)
    used = {p for p in out.predicates() if p in NATIVE}
    taken_set = set(taken) | set(taken_phrases(graph))
    declare(out, used, frozenset(taken_set))
    taken_set |= set(taken_phrases(out))
    for prop in relations:
        _add_relation(graph, out, prop, taken_set)
    _add_inverse_nouns(graph, out, relations, taken_set)
    for s, p, o in list(out.triples((None, SKOS.broader, None))):
        if isinstance(o, BNode) or local_name(str(s)) == local_name(str(o)):  # a self-loop once ids are read
            out.remove((s, p, o))
    _declarations(out)
    return out

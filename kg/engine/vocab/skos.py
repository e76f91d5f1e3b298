"""The SKOS and OWL relations understood natively: their logic and their English and Korean phrases.

Each relation is declared into the graph in the project's own terms (``ckg:copula``, ``ckg:noun``…),
so the engine reads it like any relation of the bundled schema. Korean nouns are written without
a language tag, as the relation reader takes untagged phrases.

>>> from rdflib import Graph
>>> g = Graph()
>>> declare(g, {SKOS.broader})
>>> sorted(str(o) for o in g.objects(SKOS.narrower, CKG.copula))
['broader than']
>>> (SKOS.broaderTransitive, RDF.type, OWL.TransitiveProperty) in g
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SKOS

from ontology import SCHEMA

__all__ = ["NATIVE", "CKG", "declare", "native_phrases"]

CKG = Namespace(SCHEMA)


@dataclass(frozen=True)
class Native:
    """One natively understood relation: its labels, phrases and logic."""

    label: str
    label_ko: str
    template_ko: str
    copula: tuple[str, ...] = ()
    verb3: tuple[str, ...] = ()
    noun: tuple[str, ...] = ()
    noun_plural: tuple[str, ...] = ()
    inverse: URIRef | None = None
    symmetric: bool = False
    transitive: bool = False
    parents: tuple[URIRef, ...] = ()


NATIVE: dict[URIRef, Native] = {
    SKOS.broader: Native(
        "is narrower than", "상위 개념", "{s|은} {o|의} 하위 개념이다", copula=("narrower than",),
        noun=("narrower term", "narrower concept", "하위 개념", "하위어"),
        noun_plural=("narrower terms", "narrower concepts", "하위 개념들"),
        inverse=SKOS.narrower, parents=(SKOS.broaderTransitive,)),
    SKOS.narrower: Native(
        "is broader than", "하위 개념", "{s|은} {o|의} 상위 개념이다", copula=("broader than",),
        noun=("broader term", "broader concept", "상위 개념", "상위어"),
        noun_plural=("broader terms", "broader concepts", "상위 개념들"),
        inverse=SKOS.broader, parents=(SKOS.narrowerTransitive,)),
    SKOS.broaderTransitive: Native(
        "falls under", "상위 개념(전이)", "{s|은} {o|에} 속한다", copula=("a kind of", "under"),
        noun=("kind", "descendant", "모든 하위 개념"),
        noun_plural=("kinds", "all kinds", "descendants", "all narrower terms", "종류"),
        inverse=SKOS.narrowerTransitive, transitive=True),
    SKOS.narrowerTransitive: Native(
        "includes", "하위 개념(전이)", "{s|은} {o|을} 포함한다", verb3=("includes",),
        noun=("ancestor", "모든 상위 개념"), noun_plural=("ancestors", "all broader terms"),
        inverse=SKOS.broaderTransitive, transitive=True),
    SKOS.related: Native(
        "is related to", "관련 개념", "{s|은} {o|와} 관련된다", copula=("related to",),
        noun=("related term", "related concept", "관련 개념"), noun_plural=("related terms", "related concepts"),
        symmetric=True),
    SKOS.exactMatch: Native(
        "is an exact match of", "일치 개념", "{s|은} {o|와} 같은 개념이다",
        copula=("an exact match of", "an exact match for"), noun=("exact match", "일치 개념"),
        noun_plural=("exact matches",), symmetric=True, transitive=True, parents=(SKOS.closeMatch,)),
    SKOS.closeMatch: Native(
        "is a close match of", "유사 개념", "{s|은} {o|와} 비슷한 개념이다",
        copula=("a close match of", "a close match for"), noun=("close match", "유사 개념"),
        noun_plural=("close matches",), symmetric=True),
    SKOS.broadMatch: Native("has the broader match", "상위 매핑", "{s|은} {o|에} 상위 매핑된다",
                            inverse=SKOS.narrowMatch, parents=(SKOS.broader,)),
    SKOS.narrowMatch: Native("has the narrower match", "하위 매핑", "{s|은} {o|에} 하위 매핑된다",
                             inverse=SKOS.broadMatch, parents=(SKOS.narrower,)),
    SKOS.relatedMatch: Native("has the related match", "관련 매핑", "{s|은} {o|와} 관련 매핑된다",
                              symmetric=True, parents=(SKOS.related,)),
    SKOS.member: Native("has member", "구성원", "{s|은} {o|을} 구성원으로 가진다", verb3=("has member",)),
    OWL.sameAs: Native("is the same as", "동일 개체", "{s|은} {o|와} 같다", copula=("the same as",),
                       symmetric=True, transitive=True),
    OWL.equivalentClass: Native("is equivalent to", "동등 클래스", "{s|은} {o|와} 동등하다",
                                copula=("equivalent to",), symmetric=True, transitive=True),
}

_NEEDS = {SKOS.broader: (SKOS.narrower,), SKOS.narrower: (SKOS.broader,),
          SKOS.broadMatch: (SKOS.broader, SKOS.narrower, SKOS.narrowMatch),
          SKOS.narrowMatch: (SKOS.broader, SKOS.narrower, SKOS.broadMatch), SKOS.relatedMatch: (SKOS.related,)}


def _closure(used: Iterable[URIRef]) -> set[URIRef]:
    """The native relations to declare for those used: their inverses, parents and what they need."""
    todo, found = [u for u in used if u in NATIVE], set()
    while todo:
        node = todo.pop()
        if node in found:
            continue
        found.add(node)
        spec = NATIVE[node]
        todo += [*spec.parents, *_NEEDS.get(node, ()), *([spec.inverse] if spec.inverse else [])]
    return found


def native_phrases() -> set[str]:
    """Every English and Korean phrase of the native relations."""
    return {p for spec in NATIVE.values() for p in (*spec.copula, *spec.verb3, *spec.noun, *spec.noun_plural)}


def declare(graph: Graph, used: Iterable[URIRef], taken: frozenset[str] = frozenset()) -> None:
    """Declare into ``graph`` the native relations ``used`` needs, leaving out phrases in ``taken``."""
    for prop in sorted(_closure(used)):
        spec = NATIVE[prop]
        graph.add((prop, RDF.type, OWL.ObjectProperty))
        graph.add((prop, RDFS.label, Literal(spec.label, lang="en")))
        graph.add((prop, RDFS.label, Literal(spec.label_ko, lang="ko")))
        graph.add((prop, CKG.koTemplate, Literal(spec.template_ko, lang="ko")))
        for predicate, texts in ((CKG.copula, spec.copula), (CKG.verb3, spec.verb3), (CKG.noun, spec.noun),
                                 (CKG.nounPlural, spec.noun_plural)):
            for text in texts:
                if text not in taken:
                    graph.add((prop, predicate, Literal(text, lang="en") if text.isascii() else Literal(text)))
        if spec.inverse is not None:
            graph.add((prop, OWL.inverseOf, spec.inverse))
        if spec.symmetric:
            graph.add((prop, OWL.inverseOf, prop))
        if spec.transitive:
            graph.add((prop, RDF.type, OWL.TransitiveProperty))
        for parent in spec.parents:
            graph.add((prop, RDFS.subPropertyOf, parent))

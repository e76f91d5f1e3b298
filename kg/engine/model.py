"""Plain data the engine works on: concepts (glossary entries), classes, facts and knowledge."""

from __future__ import annotations

from dataclasses import dataclass, field

from queries.lexicon import AttributeInfo, RelationInfo, constructor_reduce
from queries.relation_ids import DISJOINT_WITH, SUBCLASS_OF, TYPE

__all__ = ["Concept", "ClassInfo", "Fact", "Knowledge", "BUILTIN_RELATIONS"]

Fact = tuple[str, str, str]
"""An edge ``(subject id, relation id, object id)``."""

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
OWL_DISJOINT = "http://www.w3.org/2002/07/owl#disjointWith"

# Not read from the schema (rdf:type and rdfs:subClassOf are labelled there too, in the same words).
BUILTIN_RELATIONS = {
    TYPE: RelationInfo(TYPE, RDF_TYPE, label_en="is a", label_ko="유형", in_paths=False,
                         ko_template="{s|은} {o|의} 한 종류이다"),
    SUBCLASS_OF: RelationInfo(SUBCLASS_OF, RDFS_SUBCLASS, label_en="is a kind of", label_ko="상위 분류",
                               transitive=True, in_paths=False, ko_template="{s|은} {o|의} 하위 분류이다"),
    DISJOINT_WITH: RelationInfo(DISJOINT_WITH, OWL_DISJOINT, label_en="is never", label_ko="양립 불가",
                                 in_paths=False, ko_template="어떤 {s}도 {o|이} 아니다"),
}


@dataclass(frozen=True, slots=True)
class Concept:
    """A glossary entry: names in both languages, definitions, category and sources."""

    id: str
    iri: str
    labels: dict[str, str]
    aliases: tuple[tuple[str, str], ...] = ()
    hidden: tuple[str, ...] = ()
    abbreviation: str | None = None
    expansion: str | None = None
    definitions: dict[str, str] = field(default_factory=dict)
    category: str | None = None
    sources: tuple[str, ...] = ()
    ambiguous_labels: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    def __reduce__(self) -> tuple:
        return constructor_reduce(self)  # a cached core holds hundreds: see queries.lexicon.Entry

    def label(self, lang: str = "en") -> str:
        """The preferred label in ``lang``, else in English, else the id."""
        return self.labels.get(lang) or self.labels.get("en") or self.id

    def definition(self, lang: str = "en") -> str:
        return self.definitions.get(lang) or self.definitions.get("en") or ""

    def names(self) -> list[tuple[str, str]]:
        """Every name it answers to, as ``(text, lang)``."""
        names = [(text, lang) for lang, text in self.labels.items()] + list(self.aliases)
        names += [(text, "en") for text in self.hidden]
        names += [(text, "en") for text in (self.abbreviation, self.expansion) if text]
        return names


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """A class: its nouns for the query language."""

    id: str
    nouns: tuple[tuple[str, str], ...] = ()
    plurals: tuple[tuple[str, str], ...] = ()

    def __reduce__(self) -> tuple:
        return constructor_reduce(self)


@dataclass
class Knowledge:
    """Everything read from the Turtle files, before inference."""

    concepts: dict[str, Concept]
    classes: dict[str, ClassInfo]
    relations: dict[str, RelationInfo]
    facts: dict[Fact, tuple[str, ...]]
    sources: dict[str, str]
    categories: dict[str, dict[str, str]]
    files: tuple[str, ...] = ()
    triples: int = 0
    attributes: dict[str, AttributeInfo] = field(default_factory=dict)
    value_sources: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)

    def concept_label(self, concept_id: str, lang: str = "en") -> str:
        concept = self.concepts.get(concept_id)
        return concept.label(lang) if concept else concept_id

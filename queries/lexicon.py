"""The vocabulary of the language, built from the ontology's data by the engine.

The lexicon maps every normalised phrase (a term's names, a class's nouns, a relation's
English phrases and Korean verb forms) to the tokens it can be. Nothing of the vocabulary
is written here; only the language's morphology (English plurals, Korean verb endings).

>>> lex = Lexicon.build(
...     terms=[("S3", [("Amazon S3", "en"), ("S3", "en")])],
...     classes=[("Service", ["service"], ["services"])],
...     relations=[RelationInfo("stores", "urn:x#stores", verb3=("stores",), verb=("store",))],
... )
>>> [e.kind for e in lex.phrases["s3"]]
['TERM']
>>> lex.phrases["stores"][0]
Entry(kind='VERB3', value='stores', rank=0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from queries.korean import korean_verb_forms
from queries.normalize import normalize

__all__ = ["AttributeInfo", "Entry", "Lexicon", "RelationInfo", "constructor_reduce", "english_plural"]


@dataclass(frozen=True, slots=True)
class RelationInfo:
    """A relation: its IRI, its logic and its phrases (all from the ontology)."""

    id: str
    iri: str
    label_en: str = ""
    label_ko: str = ""
    inverse: str | None = None
    transitive: bool = False
    super_properties: tuple[str, ...] = ()
    chains: tuple[tuple[str, ...], ...] = ()
    verb3: tuple[str, ...] = ()
    verb: tuple[str, ...] = ()
    copula: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    noun: tuple[str, ...] = ()
    noun_plural: tuple[str, ...] = ()
    ko_stems: tuple[str, ...] = ()
    in_paths: bool = True
    ko_template: str = ""
    # As a noun ("EBS backups"), the object may also be what a relation's object is reached
    # through, zero or one step of it: backups of volumes that EBS provides.
    noun_via: str | None = None

    def __reduce__(self) -> tuple:
        return constructor_reduce(self)


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    """An attribute (an ``owl:DatatypeProperty``): its names, unit and datatype, all from the ontology.

    >>> AttributeInfo("defaultPort", "urn:p", names=(("default port", "en"), ("기본 포트", "ko"))).label("ko")
    '기본 포트'
    """

    id: str
    iri: str
    names: tuple[tuple[str, str], ...] = ()
    unit: str | None = None
    datatype: str = "string"
    """The XSD datatype's local name (integer, decimal, string, ...)."""

    def __reduce__(self) -> tuple:
        return constructor_reduce(self)

    @property
    def numeric(self) -> bool:
        return self.datatype in _NUMERIC

    def label(self, lang: str = "en") -> str:
        """The first name in ``lang``, else in English, else the id."""
        for wanted in (lang, "en"):
            for text, text_lang in self.names:
                if text_lang == wanted:
                    return text
        return self.id


def constructor_reduce(obj: object) -> tuple:
    """How a cache rebuilds a slotted dataclass: its constructor with every field in order (see :class:`Entry`)."""
    return type(obj), tuple(getattr(obj, name) for name in obj.__slots__)


_NUMERIC = frozenset({"integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger",
                      "positiveInteger", "unsignedInt", "unsignedLong"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One reading of a phrase: the token kind and its value; lower rank is preferred."""

    kind: str
    value: object
    rank: int = 0

    def __reduce__(self) -> tuple:
        # A cached lexicon holds thousands: rebuilt by the constructor, not the slower generic
        # dataclass state (a cache may still name only this class, see kg.engine.cache).
        return Entry, (self.kind, self.value, self.rank)


# Preference among readings of one phrase when the parser accepts several.
_RANK = {"TERM": 0, "CLASS_SG": 1, "CLASS_PL": 2, "PLURAL_TERM": 3, "ATTR": 4}


def english_plural(word: str) -> str:
    """A regular English plural of the last word of a phrase.

    >>> english_plural("EBS snapshot"), english_plural("policy"), english_plural("class")
    ('EBS snapshots', 'policies', 'classes')
    """
    lower = word.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if lower.endswith("y") and len(word) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


class _Phrases:
    """The phrase table being built: normalised phrase -> readings, and the longest phrase in words."""

    def __init__(self) -> None:
        self.table: dict[str, list[Entry]] = {}
        self.most_words = 1

    def add(self, text: str, kind: str, value: object, rank: int = 0) -> None:
        self.most_words = max(self.most_words, len(text.split()))
        key = normalize(text)
        if not key:
            return
        entries = self.table.setdefault(key, [])
        entry = Entry(kind, value, rank)
        if entry not in entries:
            entries.append(entry)

    def add_terms(self, terms: Iterable[tuple[str, Iterable[tuple[str, str]]]]) -> dict[str, str]:
        """Each term's names (and regular English plurals); returns each term's first name."""
        names: dict[str, str] = {}
        for term_id, term_names in terms:
            for name, lang in term_names:
                names.setdefault(term_id, name)
                self.add(name, "TERM", term_id, _RANK["TERM"])
                if lang == "en" and not name.isupper():
                    self.add(english_plural(name), "TERM", term_id, _RANK["PLURAL_TERM"])
        return names

    def add_classes(self, classes: Iterable[tuple[str, Iterable[str], Iterable[str]]]) -> frozenset[str]:
        class_ids = set()
        for class_id, singulars, plurals in classes:
            class_ids.add(class_id)
            for noun in singulars:
                self.add(noun, "CLASS_SG", class_id, _RANK["CLASS_SG"])
            for noun in plurals:
                self.add(noun, "CLASS_PL", class_id, _RANK["CLASS_PL"])
        return frozenset(class_ids)

    def add_relations(self, relations: Iterable[RelationInfo]) -> dict[str, RelationInfo]:
        rels = {}
        for rel in relations:
            rels[rel.id] = rel
            for kind, texts in (("VERB3", rel.verb3), ("VERB", rel.verb), ("COPULA", rel.copula),
                                ("WHERE_PART", rel.where), ("RNOUN_SG", rel.noun),
                                ("RNOUN_PL", rel.noun_plural)):
                for text in texts:
                    self.add(text, kind, rel.id)
            for stem in rel.ko_stems:
                for form, kind, inverse in korean_verb_forms(stem):
                    self.add(form, kind, (rel.id, inverse))
        return rels

    def add_attributes(self, attributes: Iterable[AttributeInfo]) -> dict[str, AttributeInfo]:
        """Each attribute's labels and synonyms (English ones also in the plural: "default ports")."""
        attrs = {}
        for attr in attributes:
            attrs[attr.id] = attr
            for text, lang in attr.names:
                self.add(text, "ATTR", attr.id, _RANK["ATTR"])
                if lang == "en" and not text.lower().endswith("s"):
                    self.add(english_plural(text), "ATTR", attr.id, _RANK["ATTR"])
        return attrs


@dataclass
class Lexicon:
    """Phrase table plus relation logic; see :meth:`build`."""

    relations: dict[str, RelationInfo]
    phrases: dict[str, list[Entry]]
    term_names: dict[str, str]
    class_ids: frozenset[str]
    max_words: int = 6
    suggest: Callable[[str], list[str]] = field(default=lambda text: [])
    attributes: dict[str, AttributeInfo] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        terms: Iterable[tuple[str, Iterable[tuple[str, str]]]],
        classes: Iterable[tuple[str, Iterable[str], Iterable[str]]],
        relations: Iterable[RelationInfo],
        suggest: Callable[[str], list[str]] | None = None,
        attributes: Iterable[AttributeInfo] = (),
    ) -> Lexicon:
        """Index terms ``(id, [(name, lang)])``, classes ``(id, singulars, plurals)``, relations and attributes."""
        phrases = _Phrases()
        names = phrases.add_terms(terms)
        class_ids = phrases.add_classes(classes)
        rels = phrases.add_relations(relations)
        attrs = phrases.add_attributes(attributes)
        for entries in phrases.table.values():
            entries.sort(key=lambda e: e.rank)
        return cls(relations=rels, phrases=phrases.table, term_names=names, class_ids=class_ids,
                   max_words=phrases.most_words, suggest=suggest or (lambda text: []), attributes=attrs)

    def relation(self, rel_id: str) -> RelationInfo | None:
        """The relation with this id, or None."""
        return self.relations.get(rel_id)

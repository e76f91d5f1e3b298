"""The typed values the lexer hands the parser: what a vocabulary phrase was read as.

Each vocabulary token's ``value`` is one of these frozen dataclasses, never an encoded string:

>>> TermRef(("DBInstance", "EC2Instance")).ambiguous, RelRef("storedIn", passive=True)
(True, RelRef(id='storedIn', passive=True))
>>> str(TermRef(("S3",))), str(RelRef("stores", True)), str(AttrRef("defaultPort"))
('S3', 'stores (passive)', 'defaultPort')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AttrRef", "ClassRef", "RelRef", "TermRef", "VOCABULARY_KINDS", "typed"]


@dataclass(frozen=True, slots=True)
class TermRef:
    """A term's name; a name several terms share reads as all of them (the parser asks which)."""

    ids: tuple[str, ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.ids) > 1

    def __str__(self) -> str:
        return " | ".join(self.ids)


@dataclass(frozen=True, slots=True)
class ClassRef:
    """A class noun, singular or plural."""

    id: str

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class RelRef:
    """A relation phrase; ``passive`` when its form reads the relation backwards (Korean 되다 forms)."""

    id: str
    passive: bool = False

    def __str__(self) -> str:
        return self.id + (" (passive)" if self.passive else "")


@dataclass(frozen=True, slots=True)
class AttrRef:
    """An attribute (a datatype property) named by one of its labels."""

    id: str

    def __str__(self) -> str:
        return self.id


_RELATION_KINDS = frozenset({"VERB3", "VERB", "COPULA", "WHERE_PART", "RNOUN_SG", "RNOUN_PL", "KO_VP", "KO_VREL"})
VOCABULARY_KINDS = _RELATION_KINDS | {"TERM", "CLASS_SG", "CLASS_PL", "ATTR"}
"""The token kinds whose values come from the lexicon."""


def typed(kind: str, values: list[object]) -> object:
    """The typed value of a phrase read as ``kind``, from the lexicon's entry values (in preference order).

    >>> typed("TERM", ["a", "b"]), typed("KO_VP", [("storedIn", True)]), typed("CLASS_PL", ["Service"])
    (TermRef(ids=('a', 'b')), RelRef(id='storedIn', passive=True), ClassRef(id='Service'))
    """
    if kind == "TERM":
        return TermRef(tuple(str(v) for v in values))
    first = values[0]
    if kind in _RELATION_KINDS:
        return RelRef(first[0], bool(first[1])) if isinstance(first, tuple) else RelRef(str(first))
    if kind == "ATTR":
        return AttrRef(str(first))
    return ClassRef(str(first))

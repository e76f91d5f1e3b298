"""Question phrases for a relation that has none: derived from its label or its local name.

>>> words_of("hasTopping"), words_of("is_part_of"), words_of("HTTPServer")
('has topping', 'is part of', 'http server')
>>> p = derive("hasTopping")
>>> p["verb3"], p["verb"]
(('has topping',), ('have topping',))
>>> derive("isPartOf")["copula"], derive("isPartOf")["noun_plural"], derive("feeds")["verb"]
(('part of',), ('parts',), ('feed',))
>>> derive("author")["verb3"], derive("locatedIn")["copula"], derive("isFedBy")["noun"]
(('has author',), ('located in',), ())
"""

from __future__ import annotations

import re

from queries.lexicon import english_plural

__all__ = ["derive", "words_of", "verb_base"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_PREPOSITIONS = frozenset({"of", "in", "on", "by", "to", "from", "for", "with", "at", "into", "than", "as"})
_EMPTY: dict[str, tuple[str, ...]] = {k: () for k in ("verb3", "verb", "copula", "noun", "noun_plural")}


def words_of(name: str) -> str:
    """A local name or label as lower-case words: camelCase and underscores split."""
    spaced = _CAMEL.sub(" ", re.sub(r"[_\-.]+", " ", name))
    return " ".join(spaced.split()).lower()


def verb_base(verb3: str) -> str:
    """The base form of a third-person verb ("feeds" → "feed", "has" → "have", "is" → "be").

    >>> verb_base("contains"), verb_base("carries"), verb_base("passes")
    ('contain', 'carry', 'pass')
    """
    irregular = {"has": "have", "is": "be", "does": "do", "goes": "go"}
    if verb3 in irregular:
        return irregular[verb3]
    if verb3.endswith("ies") and len(verb3) > 4:
        return verb3[:-3] + "y"
    if verb3.endswith(("sses", "shes", "ches", "xes", "zes")):
        return verb3[:-2]
    if verb3.endswith("s") and not verb3.endswith("ss"):
        return verb3[:-1]
    return verb3


def derive(name: str) -> dict[str, tuple[str, ...]]:
    """English phrases for a relation named ``name`` (a label or a local name), by the shape of its words.

    "is X of/by/in …" and past participles read after is/are; "has X" reads as a verb and a
    verb; "is X of" also gives a relational noun ("parts of"); a single word not ending in s is a
    noun ("author": "has author"); any other first word is taken as a verb.
    """
    words = words_of(name).split()
    if not words:
        return dict(_EMPTY)
    phrases = dict(_EMPTY)
    first, rest = words[0], words[1:]
    if first in ("is", "are", "was") and rest:
        phrases["copula"] = (" ".join(rest),)
        if len(rest) > 1 and rest[-1] == "of":  # "is part of": "parts of X" are what is part of X
            phrases["noun"] = (" ".join(rest[:-1]),)
            phrases["noun_plural"] = (english_plural(" ".join(rest[:-1])),)
    elif first.endswith("ed") and len(words) > 1 and words[-1] in _PREPOSITIONS:
        phrases["copula"] = (" ".join(words),)
    elif first in ("has", "have") and rest:
        phrases["verb3"] = ("has " + " ".join(rest),)
        phrases["verb"] = ("have " + " ".join(rest),)
    elif len(words) == 1 and not first.endswith("s"):
        phrases["verb3"] = ("has " + first,)
        phrases["verb"] = ("have " + first,)
    elif len(words) == 1 or words[-1] in _PREPOSITIONS or first.endswith("s"):
        verb3 = first if first.endswith("s") else first + "s"
        phrases["verb3"] = (" ".join([verb3, *rest]),)
        phrases["verb"] = (" ".join([verb_base(verb3), *rest]),)
    else:  # a noun phrase such as "part of" or "member": "X is (a) member of Y"
        phrases["copula"] = (" ".join(words) if words[-1] in _PREPOSITIONS else " ".join(words) + " of",)
    return phrases

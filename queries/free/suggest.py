"""Suggestions for a question that cannot be read: never a term near an everyday word.

>>> from queries.errors import QueryError
>>> error = QueryError("unknown word or term 'I'", position=0, suggestions=["Reserved Instance"])
>>> readable_error(error, "I").suggestions
['is', 'in', 'what is', 'list', 'compare']
>>> readable_error(QueryError("unknown word or term 'lsit'", position=0, suggestions=[]), "lsit ec2").suggestions
['list']
"""

from __future__ import annotations

import re
from dataclasses import replace

from queries.errors import QueryError
from queries.free.analyse import stop_words
from queries.normalize import normalize

__all__ = ["readable_error", "LANGUAGE_WORDS"]

# The controlled language's own words and openings (README "Question forms").
LANGUAGE_WORDS = ("what is", "what does", "which", "where", "how many", "how is", "is", "in", "does", "can",
                  "list", "define", "describe", "compare", "tell me about", "related to",
                  "란", "뭐야", "어디", "몇 개", "비교", "관계")
_WORD = re.compile(r"[^\s?!.,;:()\"“”]+")


def readable_error(error: QueryError, text: str) -> QueryError:
    """The parse error with suggestions fit for the word it stopped at.

    An everyday word (a stop word: "I", "or", "top") is never matched to terms: it gets the
    language's words instead. A misspelt keyword gets the keyword.
    """
    if error.position is None or not (0 <= error.position < len(text)):
        return error
    match = _WORD.match(text, error.position)
    word = normalize(match.group()) if match else ""
    if not word:
        return error
    near = _near_language_words(word)
    if word in stop_words("en") or word in stop_words("ko"):
        return replace(error, suggestions=near or list(LANGUAGE_WORDS[:3]))
    if near and not error.suggestions:
        return replace(error, suggestions=near)
    return error


def _near_language_words(word: str) -> list[str]:
    from rapidfuzz import fuzz, process

    choices = {normalize(w): w for w in LANGUAGE_WORDS}
    hits = process.extract(word, list(choices), scorer=fuzz.ratio, score_cutoff=66, limit=3)
    found = [choices[key] for key, _, _ in hits]
    if len(word) <= 2:  # a short everyday word: also offer the common openings
        found += [w for w in ("what is", "list", "compare") if w not in found]
    return found[:5]

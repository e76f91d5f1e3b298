"""Highlighting of the question as typed: terms, relation phrases, class nouns, keywords, and a
red mark where the parser would fail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prompt_toolkit.document import Document
from prompt_toolkit.lexers import Lexer

from queries.errors import AmbiguityError, QueryError
from queries.lexer import words_of
from queries.normalize import normalize

if TYPE_CHECKING:
    from kg.faces.repl.state import ReplState

__all__ = ["QuestionLexer", "classify"]

_STYLE = {"TERM": "class:term", "CLASS_SG": "class:noun", "CLASS_PL": "class:noun"}


def classify(state: ReplState, line: str) -> list[tuple[int, int, str]]:
    """``(start, end, style)`` spans: known phrases by kind, then the error mark."""
    from queries.parser import keywords

    lexicon = state.g.lexicon
    words = words_of(line)
    keys = [normalize(w) for w, _ in words]
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for n in range(min(lexicon.max_words, len(words) - i), 0, -1):
            key = "".join(keys[i:i + n])
            entries = lexicon.phrases.get(key)
            style = _STYLE.get(entries[0].kind, "class:relation") if entries else None
            if style is None and n == 1 and key in keywords():
                style = "class:keyword"
            if style:
                spans.append((words[i][1], words[i + n - 1][1] + len(words[i + n - 1][0]), style))
                i += n
                break
        else:
            i += 1
    if line.strip() and not line.lstrip().startswith("."):
        try:
            state.g.parse(line)
        except AmbiguityError:
            pass
        except QueryError as error:
            if error.position is not None and error.position < len(line):
                end = line.find(" ", error.position)
                spans.append((error.position, end if end > 0 else len(line), "class:error"))
    return spans


class QuestionLexer(Lexer):
    """prompt_toolkit lexer over :func:`classify`."""

    def __init__(self, state: ReplState) -> None:
        self.state = state

    def lex_document(self, document: Document):
        lines = document.lines

        def get_line(number: int):
            line = lines[number]
            styles = [""] * len(line)
            for start, end, style in classify(self.state, line):
                for index in range(start, min(end, len(line))):
                    styles[index] = style if style == "class:error" or not styles[index] else styles[index]
            fragments: list[tuple[str, str]] = []
            for char, style in zip(line, styles, strict=True):
                if fragments and fragments[-1][0] == style:
                    fragments[-1] = (style, fragments[-1][1] + char)
                else:
                    fragments.append((style, char))
            return fragments

        return get_line

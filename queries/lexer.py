"""Turn question text into tokens, reading the vocabulary from a :class:`Lexicon`.

Phrases can span words ("Elastic Beanstalk", "built on"), and one phrase can be read in
several ways ("database": a term or a class noun). At each position the lexer takes the
longest phrase whose reading the LALR parser accepts in its current state, the way lark's
contextual lexer does. Korean particles are split off the word they end (S3가 -> S3 + 가).
Text in the core form (``SELECT ?x { ... }``) has its own small token set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lark import Token
from lark.lexer import Lexer

from queries.errors import QueryError
from queries.lexicon import Lexicon
from queries.normalize import normalize
from queries.tokens import VOCABULARY_KINDS, typed

__all__ = ["Input", "VocabularyLexer", "find_mentions", "is_core_form", "words_of"]

# Korean particles and copula endings split off a word's end, longest first.
PARTICLES: dict[str, str] = {
    "이란": "P_DEF", "란": "P_DEF",
    "은": "P_TOPIC", "는": "P_TOPIC", "이": "P_SUBJ", "가": "P_SUBJ",
    "을": "P_OBJ", "를": "P_OBJ", "의": "P_GEN",
    "이랑": "P_AND", "랑": "P_AND", "와": "P_AND", "과": "P_AND", "하고": "P_AND",
    "에서": "P_LOC", "에": "P_LOC",
    "인가요": "P_COP", "입니까": "P_COP", "이에요": "P_COP", "예요": "P_COP", "이야": "P_COP",
    "인가": "P_COP", "이니": "P_COP", "이냐": "P_COP", "이지": "P_COP", "야": "P_COP",
    "니": "P_COP", "냐": "P_COP", "지": "P_COP", "이죠": "P_COP", "죠": "P_COP", "다": "P_COP",
}
_PARTICLES_LONGEST_FIRST = sorted(PARTICLES, key=len, reverse=True)
_HANGUL = re.compile("[\uac00-\ud7a3]")

_CONTRACTIONS = re.compile(r"\b(what|where|how|who|that)['’]?s\b", re.IGNORECASE)
_WORD = re.compile(r"[^\s?!.,;:()\"“”'’]+(?:['’][^\s?!.,;:()\"“”'’]+)*")
_DROPPED = frozenset({"the", "please", "exactly"})

_CORE_START = re.compile(r"\s*(select|count|ask|define|expand|path|compare|value)\b", re.IGNORECASE)
_CORE_TOKEN = re.compile(r"""
    (?P<C_KEYWORD>\b(?:SELECT|COUNT|ASK|DEFINE|EXPAND|PATH|COMPARE|VALUE)\b)
  | (?P<VAR>\?[A-Za-z_][A-Za-z0-9_]*)
  | (?P<CTERM>:[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<NEQ>!=)
  | (?P<LBRACE>\{) | (?P<RBRACE>\}) | (?P<DOT>\.(?!\w))
  | (?P<CREL>\^?[A-Za-z_][A-Za-z0-9_]*[+?]?)
  | (?P<SPACE>\s+)
""", re.VERBOSE | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Input:
    """What the parser is given: the text and the vocabulary to read it with."""

    text: str
    lexicon: Lexicon


def is_core_form(text: str) -> bool:
    """Whether the text is in the core form rather than a question.

    >>> is_core_form("SELECT ?x { ?x stores :EBSSnapshot }"), is_core_form("define Lambda")
    (True, False)
    """
    return bool(_CORE_START.match(text)) and bool(re.search(r"[?:{]\w|\{", text))


def words_of(text: str) -> list[tuple[str, int]]:
    """Split a question into words with their offsets; contractions expanded, fillers dropped.

    >>> [w for w, _ in words_of("What's the AMI?")]
    ['what', 'is', 'AMI']
    """
    words: list[tuple[str, int]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        contraction = _CONTRACTIONS.fullmatch(word)
        if contraction:
            words += [(contraction.group(1).lower(), match.start()), ("is", match.end())]
        elif word.lower() not in _DROPPED:
            words.append((word, match.start()))
    return words


class VocabularyLexer(Lexer):
    """A lark lexer whose vocabulary comes from the input's lexicon."""

    __future_interface__ = 1  # lark passes the parser state, so readings can follow it

    def __init__(self, lexer_conf) -> None:
        self.keywords: dict[str, str] = {}
        for terminal in lexer_conf.terminals:
            if terminal.pattern.type == "str":
                self.keywords[normalize(terminal.pattern.value)] = terminal.name

    def lex(self, lexer_state, parser_state) -> Iterator[Token]:
        source: Input = lexer_state.text
        if is_core_form(source.text):
            yield from self._lex_core(source)
        else:
            yield from self._lex_words(source, parser_state)

    # ------------------------------------------------------------------ questions
    def _lex_words(self, source: Input, parser_state) -> Iterator[Token]:
        words = words_of(source.text)
        keys = [normalize(w) for w, _ in words]
        i = 0
        while i < len(words):
            tokens, used = self._choose(source, words, keys, i, parser_state)
            yield from tokens
            i += used

    def _readings(self, lexicon: Lexicon, key: str) -> list[tuple[str, object]]:
        """Every ``(kind, typed value)`` a normalised phrase can be, keywords first (see :mod:`queries.tokens`)."""
        readings: dict[str, list[object]] = {}
        if key in self.keywords:
            readings[self.keywords[key]] = [key]
        for entry in lexicon.phrases.get(key, ()):
            values = readings.setdefault(entry.kind, [])
            if entry.value not in values:
                values.append(entry.value)
        return [(kind, values[0] if kind not in VOCABULARY_KINDS else typed(kind, values))
                for kind, values in readings.items()]

    def _choose(self, source: Input, words, keys, i: int, parser_state) -> tuple[list[Token], int]:
        """The longest reading the parser can take next; ties go to the lexicon's preferred reading.

        LALR tables over-approximate what may follow a reduction, so when several readings pass
        the table, each is tried on a copy of the parser state.
        """
        accepts = parser_state.parse_conf.states[parser_state.position]
        lexicon = source.lexicon
        fallback: tuple[list[Token], int] | None = None
        for n in range(min(lexicon.max_words, len(words) - i), 0, -1):
            options = list(self._options(lexicon, words, keys, i, n))
            passing = [tokens for tokens in options if tokens[0].type in accepts]
            if len(passing) > 1:
                passing = [tokens for tokens in passing if _feeds(parser_state, tokens)] or passing
            if len(passing) > 1:
                passing = [t for t in passing if self._continues(source, words, keys, i + n, parser_state, t)] \
                    or passing
            if passing:
                return passing[0], n
            if options and fallback is None:
                fallback = (options[0], n)
        if fallback:
            return fallback
        raise _unknown_word(source, words, i)

    def _continues(self, source: Input, words, keys, j: int, parser_state, tokens: list[Token]) -> bool:
        """Whether, after ``tokens``, the parser could take some reading of the words from ``j`` (or the end).

        One word of look-ahead decides between readings the parser takes alike ("memory": a term, or an
        attribute when "of" follows).
        """
        trial = _fed(parser_state, tokens)
        if trial is None:
            return False
        accepts = trial.parse_conf.states[trial.position]
        if j >= len(words):
            return "$END" in accepts
        for n in range(min(source.lexicon.max_words, len(words) - j), 0, -1):
            if any(option[0].type in accepts for option in self._options(source.lexicon, words, keys, j, n)):
                return True
        return False

    def _options(self, lexicon: Lexicon, words, keys, i: int, n: int) -> Iterator[list[Token]]:
        """Every reading of words i..i+n: whole, or with a Korean particle split off the end."""
        key = "".join(keys[i:i + n])
        start, end = words[i][1], words[i + n - 1][1] + len(words[i + n - 1][0])
        if key in self.keywords or key in lexicon.phrases:
            for kind, value in self._readings(lexicon, key):
                yield [_token(kind, value, start, end)]
        last = words[i + n - 1][0]
        if not _HANGUL.search(last[-1:]):  # particles are Hangul: nothing to split off
            return
        for particle in _PARTICLES_LONGEST_FIRST:
            if not last.endswith(particle) or len(last) == len(particle):
                continue
            stem_key = key[: len(key) - len(normalize(particle))]
            split = end - len(particle)
            for kind, value in self._readings(lexicon, stem_key):
                yield [_token(kind, value, start, split), _token(PARTICLES[particle], particle, split, end)]

    # ------------------------------------------------------------------ core form
    def _lex_core(self, source: Input) -> Iterator[Token]:
        text, pos = source.text, 0
        while pos < len(text):
            match = _CORE_TOKEN.match(text, pos)
            if not match:
                raise QueryError(f"unexpected character {text[pos]!r} in the core form", position=pos,
                                 expected=["?variable", ":Term", "relation", "{", "}", "."])
            kind, value = match.lastgroup, match.group()
            if kind == "C_KEYWORD":
                yield _token("C_" + value.upper(), value.upper(), match.start(), match.end())
            elif kind == "CREL" and value.lower() in ("a", "type"):
                yield _token("CREL", "a", match.start(), match.end())
            elif kind != "SPACE":
                yield _token(kind, value, match.start(), match.end())
            pos = match.end()


def _fed(parser_state, tokens: list[Token]):
    """A copy of the parser's state after ``tokens``, or None when it cannot take them now."""
    from lark.exceptions import UnexpectedInput

    trial = parser_state.copy(deepcopy_values=False)
    try:
        for token in tokens:
            trial.feed_token(token)
    except UnexpectedInput:
        return None
    return trial


def _feeds(parser_state, tokens: list[Token]) -> bool:
    """Whether the parser can take ``tokens`` now (tried on a copy of its state)."""
    return _fed(parser_state, tokens) is not None


def _token(kind: str, value: object, start: int, end: int) -> Token:
    return Token(kind, value, start_pos=start, end_pos=end, line=1, column=start + 1)


def _unknown_word(source: Input, words, i: int) -> QueryError:
    word, position = words[i]
    span = " ".join(w for w, _ in words[i:i + 3])
    suggestions = source.lexicon.suggest(span) or source.lexicon.suggest(word)
    return QueryError(f"unknown word or term {word!r}", position=position,
                      expected=["a term, class or relation from the knowledge base"],
                      suggestions=suggestions)


def find_mentions(text: str, lexicon: Lexicon) -> list[tuple[str, ...]]:
    """The terms a free-text message names, longest phrase first, in order of appearance.

    Each mention is the tuple of term ids its name can mean (one, unless the name is shared).

    >>> from queries.lexicon import Lexicon
    >>> lex = Lexicon.build(terms=[("S3", [("S3", "en")]), ("EC2", [("EC2", "en")])], classes=[], relations=[])
    >>> find_mentions("tell me about s3 and EC2랑 please", lex)
    [('S3',), ('EC2',)]
    """
    words = words_of(text)
    keys = [normalize(w) for w, _ in words]
    found: list[tuple[str, ...]] = []
    i = 0
    while i < len(words):
        for n in range(min(lexicon.max_words, len(words) - i), 0, -1):
            ids = _term_ids(lexicon, "".join(keys[i:i + n]))
            last = words[i + n - 1][0]
            if not ids and _HANGUL.search(last[-1:]):
                for particle in _PARTICLES_LONGEST_FIRST:
                    if last.endswith(particle) and len(last) > len(particle):
                        ids = _term_ids(lexicon, "".join(keys[i:i + n])[: -len(normalize(particle))])
                        if ids:
                            break
            if ids:
                if ids not in found:
                    found.append(ids)
                i += n
                break
        else:
            i += 1
    return found


def _term_ids(lexicon: Lexicon, key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.value for e in lexicon.phrases.get(key, ()) if e.kind == "TERM"))

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
_PARTICLE_KEYS = {particle: normalize(particle) for particle in PARTICLES}


def _hangul(char: str) -> bool:
    """Whether ``char`` (one character) is a Hangul syllable; a regex class of the range costs ms to compile."""
    return "\uac00" <= char <= "\ud7a3"


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
        contraction = _CONTRACTIONS.fullmatch(word) if word[-1] in "sS" else None  # every contraction ends in s
        if contraction:
            words += [(contraction.group(1).lower(), match.start()), ("is", match.end())]
        elif word.lower() not in _DROPPED:
            words.append((word, match.start()))
    return words


class _Readings:
    """Every ``(kind, typed value)`` each normalised phrase can be, keywords first, worked out once per phrase.

    Only phrases of the lexicon or the grammar are kept, so the table never grows past the vocabulary.
    """

    def __init__(self, lexicon: Lexicon, keywords: dict[str, str]) -> None:
        self.lexicon = lexicon
        self.keywords = keywords
        self.known: dict[str, tuple[tuple[str, object], ...]] = {}
        self.phrases = frozenset(keywords).union(lexicon.phrases)

    def of(self, key: str) -> tuple[tuple[str, object], ...]:
        found = self.known.get(key)
        if found is None:
            if key not in self.keywords and key not in self.lexicon.phrases:
                return ()
            found = self.known[key] = self._read(key)
        return found

    def _read(self, key: str) -> tuple[tuple[str, object], ...]:
        readings: dict[str, list[object]] = {}
        if key in self.keywords:
            readings[self.keywords[key]] = [key]
        for entry in self.lexicon.phrases.get(key, ()):
            values = readings.setdefault(entry.kind, [])
            if entry.value not in values:
                values.append(entry.value)
        return tuple((kind, values[0] if kind not in VOCABULARY_KINDS else typed(kind, values))
                     for kind, values in readings.items())


class _Span:
    """The words of one question and every reading of each run of them (see :meth:`options`)."""

    def __init__(self, words: list[tuple[str, int]], keys: list[str], readings: _Readings, max_words: int) -> None:
        self.words, self.keys, self.readings = words, keys, readings
        self.hangul_end = [_hangul(word[-1]) for word, _ in words]  # particles are Hangul
        self.lengths = [self._lengths(i, max_words) for i in range(len(words))]
        self._seen: dict[tuple[int, int], list[list[Token]]] = {}

    def _lengths(self, i: int, max_words: int) -> list[int]:
        """How many words from ``i`` may be one phrase, longest first: most runs of words are none."""
        keys, phrases, hangul_end = self.keys, self.readings.phrases, self.hangul_end
        found, key = [], ""
        for n in range(1, min(max_words, len(keys) - i) + 1):
            key += keys[i + n - 1]
            if key in phrases or hangul_end[i + n - 1]:
                found.append(n)
        return found[::-1]

    def options(self, i: int, n: int) -> list[list[Token]]:
        """Every reading of words i..i+n: whole, or with a Korean particle split off the end."""
        seen = self._seen.get((i, n))
        if seen is None:
            seen = self._seen[i, n] = self._options("".join(self.keys[i:i + n]), i, n)
        return seen

    def _options(self, key: str, i: int, n: int) -> list[list[Token]]:
        words = self.words
        start, last = words[i][1], words[i + n - 1][0]
        end = words[i + n - 1][1] + len(last)
        found = [[_token(kind, value, start, end)] for kind, value in self.readings.of(key)]
        if not self.hangul_end[i + n - 1]:
            return found
        for particle in _PARTICLES_LONGEST_FIRST:
            if not last.endswith(particle) or len(last) == len(particle):
                continue
            split = end - len(particle)
            for kind, value in self.readings.of(key[: len(key) - len(_PARTICLE_KEYS[particle])]):
                found.append([_token(kind, value, start, split), _token(PARTICLES[particle], particle, split, end)])
        return found


class VocabularyLexer(Lexer):
    """A lark lexer whose vocabulary comes from the input's lexicon."""

    __future_interface__ = 1  # lark passes the parser state, so readings can follow it

    def __init__(self, lexer_conf) -> None:
        self.keywords: dict[str, str] = {}
        self._tables: dict[int, _Readings] = {}
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
        span = _Span(words, keys, self._table(source.lexicon), source.lexicon.max_words)
        i = 0
        while i < len(words):
            tokens, used = self._choose(source, span, i, parser_state)
            yield from tokens
            i += used

    def _table(self, lexicon: Lexicon) -> _Readings:
        """The readings of ``lexicon``'s phrases (with this grammar's keywords), one table per lexicon."""
        cached = self._tables.get(id(lexicon))
        if cached is not None and cached.lexicon is lexicon:
            return cached
        if len(self._tables) >= 16:  # one per loaded graph; a long-lived process reloads rarely
            self._tables.clear()
        table = self._tables[id(lexicon)] = _Readings(lexicon, self.keywords)
        return table

    def _choose(self, source: Input, span: _Span, i: int, parser_state) -> tuple[list[Token], int]:
        """The longest reading the parser can take next; ties go to the lexicon's preferred reading.

        LALR tables over-approximate what may follow a reduction, so when several readings pass
        the table, each is tried on a copy of the parser state.
        """
        accepts = parser_state.parse_conf.states[parser_state.position]
        fallback: tuple[list[Token], int] | None = None
        for n in span.lengths[i]:
            options = span.options(i, n)
            if not options:
                continue
            passing = [tokens for tokens in options if tokens[0].type in accepts]
            if len(passing) > 1:
                passing = [tokens for tokens in passing if _feeds(parser_state, tokens)] or passing
            if len(passing) > 1:
                passing = [t for t in passing if self._continues(span, i + n, parser_state, t)] or passing
            if passing:
                return passing[0], n
            if fallback is None:
                fallback = (options[0], n)
        if fallback:
            return fallback
        raise _unknown_word(source, span.words, i)

    @staticmethod
    def _continues(span: _Span, j: int, parser_state, tokens: list[Token]) -> bool:
        """Whether, after ``tokens``, the parser could take some reading of the words from ``j`` (or the end).

        One word of look-ahead decides between readings the parser takes alike ("memory": a term, or an
        attribute when "of" follows).
        """
        trial = _fed(parser_state, tokens)
        if trial is None:
            return False
        accepts = trial.parse_conf.states[trial.position]
        if j >= len(span.words):
            return "$END" in accepts
        return any(option[0].type in accepts for n in span.lengths[j] for option in span.options(j, n))

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
    # Positional: lark's keyword path costs about twice as much, on every token of every question.
    return Token(kind, value, start, 1, start + 1, None, None, end)  # start_pos line column end_line end_col end_pos


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
            if not ids and _hangul(last[-1]):
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

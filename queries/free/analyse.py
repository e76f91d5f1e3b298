"""Text analysis for the interpreter: words (or Korean morphemes) with offsets, lemmas and stop words.

English words get their lemmas from lemminflect; Hangul text is split into morphemes by kiwipiepy,
loaded only here, that is only when the grammar has failed on a Korean question.

>>> [(t.key, t.lemmas, t.stop) for t in analyse("Where do snapshots get stored?")][1:]
[('do', ('do',), True), ('snapshots', ('snapshot',), False), ('get', ('get',), True), ('stored', ('store',), False)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from queries.normalize import normalize

__all__ = ["Tok", "analyse", "is_korean", "stop_words", "hangul_jamo", "is_dictionary_word", "is_verb",
           "may_describe", "cues"]

DATA = Path(__file__).parent / "data"
_HANGUL = re.compile("[\uac00-\ud7a3]")
_WORD = re.compile(r"[A-Za-z0-9\uac00-\ud7a3][\w.\-/\uac00-\ud7a3]*")
_CONTRACTED = {"whats": ("what", "is"), "wats": ("what", "is"), "hows": ("how", "is"), "wheres": ("where", "is"),
               "whats's": ("what", "is"), "im": ("i", "am"), "dont": ("do", "not"), "doesnt": ("does", "not")}
# Korean morpheme tags that carry content (nouns, foreign words, numbers, roots, verbs, adjectives).
_KO_CONTENT = ("NNG", "NNP", "NR", "SL", "SN", "SH", "XR", "VV", "VA", "MM", "NP", "MAG")


@dataclass(frozen=True, slots=True)
class Tok:
    """One word or morpheme: its text, normalised key, lemma keys, span in the text, tag."""

    text: str
    key: str
    lemmas: tuple[str, ...]
    start: int
    end: int
    stop: bool
    tag: str = ""


def is_korean(text: str) -> bool:
    """Whether the text has Hangul in it.

    >>> is_korean("EC2란?"), is_korean("what is EC2")
    (True, False)
    """
    return bool(_HANGUL.search(text))


@cache
def stop_words(lang: str) -> frozenset[str]:
    """The stop words of a language (``queries/free/data/stop_LANG.txt``), normalised."""
    lines = (DATA / f"stop_{lang}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(normalize(line) for line in lines if line.strip() and not line.startswith("#"))


@cache
def cues() -> dict[str, dict[str, tuple[str, ...]]]:
    """The question cues by language (``queries/free/data/cues.toml``): normalised word -> kinds."""
    import tomllib

    with open(DATA / "cues.toml", "rb") as handle:
        table = tomllib.load(handle)
    return {lang: {normalize(k): tuple(v) for k, v in words.items()} for lang, words in table.items()}


def analyse(text: str, user_words: tuple[str, ...] = ()) -> list[Tok]:
    """The tokens of a message: Korean morphemes when it has Hangul, else English words.

    ``user_words`` (the knowledge's Korean names) are taught to the Korean analyser as proper
    nouns, so names typed without spaces ("파게이트는서버리스야") still split where they end.
    """
    return _korean(text, user_words) if is_korean(text) else _english(text)


@cache
def _lemmas(word: str) -> tuple[str, ...]:
    from lemminflect import getAllLemmas

    found = [normalize(lemma) for lemmas in getAllLemmas(word).values() for lemma in lemmas]
    return tuple(dict.fromkeys(found or [normalize(word)]))


@cache
def is_dictionary_word(word: str) -> bool:
    """Whether an English word is in the dictionary (lemminflect knows it): a word, not a misspelling.

    >>> is_dictionary_word("plain"), is_dictionary_word("beanstlk")
    (True, False)
    """
    from lemminflect import getAllLemmas

    return word.isalpha() and bool(getAllLemmas(word))


def is_verb(tok: Tok) -> bool:
    """Whether a word can be a verb: a Korean verb stem, or an English word lemminflect knows as a verb.

    >>> is_verb(Tok("scan", "scan", ("scan",), 0, 4, False)), is_verb(Tok("gpu", "gpu", ("gpu",), 0, 3, False))
    (True, False)
    """
    if tok.tag:
        return tok.tag == "VV"
    from lemminflect import getAllLemmas

    return tok.text.isalpha() and "VERB" in getAllLemmas(tok.text.lower())


@cache
def may_describe(word: str) -> bool:
    """Whether an English word can describe a thing: an adjective, or a coinage the dictionary lacks.

    >>> may_describe("stateless"), may_describe("stateful"), may_describe("data")
    (True, True, False)
    """
    from lemminflect import getAllLemmas

    kinds = getAllLemmas(word)
    return word.isalpha() and (not kinds or "ADJ" in kinds)


def _english(text: str) -> list[Tok]:
    stops = stop_words("en")
    toks: list[Tok] = []
    for match in _WORD.finditer(text.replace("’", "'").replace("'", "")):
        word = match.group().rstrip(".-/")
        key = normalize(word)
        if not key:
            continue
        parts = _CONTRACTED.get(key, (key,))
        for part in parts:
            lemmas = _lemmas(part) if part.isalpha() else (part,)
            toks.append(Tok(word if len(parts) == 1 else part, part, lemmas, match.start(),
                            match.start() + len(word), part in stops))
    return toks


_KIWI: list = []
_TAUGHT: set[str] = set()


def _kiwi(user_words: tuple[str, ...]):
    """The Korean analyser (its model ships in kiwipiepy-model), built on first use with the names taught.

    Typo and multi-word dictionaries stay off: near misses are the interpreter's job (fuzzy
    matching against the knowledge's names), and they double the start-up time.
    """
    if not _KIWI:
        from kiwipiepy import Kiwi

        _KIWI.append(Kiwi(num_workers=-1, load_typo_dict=False, load_multi_dict=False))
    kiwi = _KIWI[0]
    for word in user_words:  # taught before the first analysis, so the model is built once
        if word not in _TAUGHT:
            _TAUGHT.add(word)
            kiwi.add_user_word(word, "NNP", 0.0)
    return kiwi


def _korean(text: str, user_words: tuple[str, ...] = ()) -> list[Tok]:
    stops = stop_words("ko") | stop_words("en")
    kiwi = _kiwi(user_words)
    toks: list[Tok] = []
    for t in kiwi.tokenize(text):
        if t.tag.startswith(("SF", "SP", "SS", "SE", "SO", "SW")):
            continue
        key = normalize(t.form)
        if not key:
            continue
        content = t.tag.startswith(_KO_CONTENT)
        stem = key + ("다" if t.tag in ("VV", "VA") else "")
        lemmas = _lemmas(t.form) if t.tag == "SL" else (key, stem)
        toks.append(Tok(text[t.start:t.start + t.len] or t.form, key, tuple(dict.fromkeys(lemmas)), t.start,
                        t.start + t.len, key in stops or not content, t.tag))
    return _latin_runs(text, toks)


def _latin_runs(text: str, toks: list[Tok]) -> list[Tok]:
    """Latin letters and digits written together are one word ("EC2", not "EC" and "2"), as in English."""
    out: list[Tok] = []
    for tok in toks:
        prev = out[-1] if out else None
        if prev is not None and prev.end == tok.start and {prev.tag, tok.tag} <= {"SL", "SN"}:
            word = text[prev.start:tok.end]
            key = normalize(word)
            out[-1] = Tok(word, key, (key,), prev.start, tok.end, False, "SL")
        else:
            out.append(tok)
    return out


def hangul_jamo(text: str) -> str:
    """Hangul syllables split into their letters, so a one-letter slip stays close in fuzzy matching.

    >>> hangul_jamo("샷") != hangul_jamo("삿"), len(hangul_jamo("스냅샷"))
    (True, 8)
    """
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            lead, rest = divmod(code, 588)
            vowel, tail = divmod(rest, 28)
            out.append(chr(0x1100 + lead) + chr(0x1161 + vowel) + (chr(0x11A7 + tail) if tail else ""))
        else:
            out.append(ch)
    return "".join(out)

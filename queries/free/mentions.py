"""What a message mentions: terms, classes, relation phrases, attribute names and question cues.

Spans of words (or Korean morphemes) are looked up in the lexicon, longest first; everyday words
(stop words) never name a term or class on their own; a word the lexicon lacks may still be a
near miss of a term (fuzzy, with Hangul compared letter by letter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from queries.free.analyse import Tok, hangul_jamo, is_korean
from queries.normalize import normalize

__all__ = ["Mention", "find", "REL_KINDS"]

REL_KINDS = frozenset({"VERB3", "VERB", "COPULA", "WHERE_PART", "RNOUN_SG", "RNOUN_PL", "KO_VP", "KO_VREL", "SYN"})
MAX_SPAN = 8


@dataclass
class Mention:
    """A span ``[i, j)`` of tokens and what it can be: terms, classes, relations (id, inverse?), attributes."""

    i: int
    j: int
    text: str
    terms: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    plural: bool = False
    relations: tuple[tuple[str, bool], ...] = ()
    attributes: tuple[str, ...] = ()
    fuzzy: bool = False
    adjective: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def width(self) -> int:
        return self.j - self.i


def _span_key(text: str, toks: list[Tok], i: int, j: int) -> str:
    return normalize(text[toks[i].start:toks[j - 1].end])


def _lookup(vocab, key: str) -> tuple[list, list, bool, list, list]:
    terms, classes, rels, attrs = [], [], [], []
    plural = False
    for entry in vocab.lexicon.phrases.get(key, ()):
        if entry.kind == "TERM":
            terms.append(entry.value)
        elif entry.kind in ("CLASS_SG", "CLASS_PL"):
            classes.append(entry.value)
            plural = plural or entry.kind == "CLASS_PL"
        elif entry.kind in REL_KINDS:
            value = entry.value
            rels.append(value if isinstance(value, tuple) else (value, False))
    classes += [t for t in terms if t in vocab.class_nouns and t not in classes]  # a term that is also a class
    rels += vocab.synonyms.get(key, [])
    if rels and is_korean(key) and key not in vocab.synonyms:  # 저장해요: the stem's synonyms too (저장)
        stem = next((key[:n] for n in range(len(key) - 1, 1, -1) if key[:n] in vocab.synonyms), None)
        rels += vocab.synonyms.get(stem, []) if stem else []
    attrs += vocab.attributes.get(key, [])
    return terms, classes, plural, rels, attrs


def _all_stop(toks: list[Tok], i: int, j: int) -> bool:
    return all(t.stop for t in toks[i:j])


def find(text: str, toks: list[Tok], vocab) -> list[Mention]:
    """The mentions in ``toks``, left to right, each the longest span the lexicon knows."""
    found: list[Mention] = []
    i = 0
    while i < len(toks):
        mention = _longest(text, toks, i, vocab)
        if mention is None:
            i += 1
            continue
        found.append(mention)
        i = mention.j
    covered = {k for m in found for k in range(m.i, m.j)}
    found += _near_misses(text, toks, covered, vocab, found)
    found += _adjectives(toks, found, vocab)
    found += _stranded(toks, found, vocab)
    found.sort(key=lambda m: m.i)
    return found


def _longest(text: str, toks: list[Tok], i: int, vocab) -> Mention | None:
    for j in range(min(len(toks), i + MAX_SPAN), i, -1):
        keys = [_span_key(text, toks, i, j)]
        if j - i == 1 or not toks[j - 1].stop:
            keys += [_span_key(text, toks, i, j - 1) + lemma for lemma in toks[j - 1].lemmas] if j - i > 1 else \
                list(toks[i].lemmas)
        for key in dict.fromkeys(keys):
            terms, classes, plural, rels, attrs = _lookup(vocab, key)
            if _all_stop(toks, i, j) or (j - i == 1 and len(key) < 2 and not key.isdigit()):
                terms, classes = [], []
            if terms or classes or rels or attrs:
                return Mention(i, j, text[toks[i].start:toks[j - 1].end], tuple(dict.fromkeys(terms)),
                               tuple(dict.fromkeys(classes)), plural, tuple(dict.fromkeys(rels)),
                               tuple(dict.fromkeys(attrs)))
    return None


def _keeps(matched: str, choice: str, korean: bool) -> bool:
    """Whether a fuzzy ``choice`` keeps the words before the misspelling as they were matched.

    >>> _keeps("elastic", "elastic beanstalk", False), _keeps("efs", "ebs snapshot", False)
    (True, False)
    """
    return (hangul_jamo(matched) if korean else matched) in choice


def _near_misses(text: str, toks: list[Tok], covered: set[int], vocab, found: list[Mention]) -> list[Mention]:
    """Terms a misspelt word (or two words run together) is close to; may replace a one-word match before it."""
    from rapidfuzz import fuzz, process

    out: list[Mention] = []
    i = 0
    while i < len(toks):
        if i in covered or toks[i].stop or len(toks[i].key) < 3 or toks[i].key.isdigit():
            i += 1
            continue
        best, start, j, key = None, i, i + 1, toks[i].key
        # The word alone, with the next word, or with the word before (even if that one matched:
        # "elastic beanstlk" is one misspelt name, not elasticity plus something).
        before = next((m.i for m in found if m.j == i and not m.relations), i)
        for a, b in ((before, i + 1), (i, i + 2), (i, i + 1)):
            if b > len(toks):
                continue
            if b > i + 1 and (b - 1 in covered or toks[b - 1].stop):
                continue
            span = _span_key(text, toks, a, b)
            korean = is_korean(span)
            choices = vocab.fuzzy_keys_ko if korean else vocab.fuzzy_keys_en
            hit = process.extractOne(hangul_jamo(span) if korean else span, choices, scorer=fuzz.ratio,
                                     score_cutoff=80 if korean else 80)
            if hit and a < i and not _keeps(_span_key(text, toks, a, i), hit[0], korean):
                continue  # "efs snapshots" is not "ebs snapshots": a word that matched exactly stays as typed
            if hit and (best is None or hit[1] > best[1] + 1):
                best, start, j, key = (hit[0], hit[1], hit[2], korean), a, b, span
        if best is None or len(key) < 4 and not best[3]:
            i += 1
            continue
        korean = best[3]
        if start < i:
            found[:] = [m for m in found if not (m.i == start and m.j == i)]
        i = start
        source = (vocab.fuzzy_source_ko if korean else vocab.fuzzy_source_en)[best[2]]
        terms, classes, plural, _, _ = _lookup(vocab, source)
        if terms or classes:
            out.append(Mention(i, j, text[toks[i].start:toks[j - 1].end], tuple(terms), tuple(classes), plural,
                                 fuzzy=True))
        i = j
    return out


def _adjectives(toks: list[Tok], found: list[Mention], vocab) -> list[Mention]:
    """A word that, with a class's head noun, names a class: "relational" -> relational database.

    The head is the class noun that follows ("관계형 DB" -> 관계형 데이터베이스) or, for a word on
    its own ("is Fargate serverless"), any head noun of the classes ("serverless service").
    """
    out = []
    for m in sorted(found, key=lambda x: x.i):
        nxt = next((n for n in found if n.i == m.j and n.classes and not n.adjective), None)
        if nxt is not None and m.width == 1 and not m.relations and not toks[m.i].stop:
            merged = _compound(normalize(m.text), (*nxt.classes, *nxt.terms), vocab)
            if merged:
                m.j, m.text, m.terms, m.classes, m.plural = nxt.j, m.text + " " + nxt.text, (), merged, nxt.plural
                m.adjective = True
                nxt.i = nxt.j = -1  # absorbed
                continue
        if m.classes or m.relations or sum(not t.stop for t in toks[m.i:m.j]) != 1:  # 서버리스+이(야): one word
            continue
        for head in vocab.class_heads:
            _, classes, _, _, _ = _lookup(vocab, normalize(m.text) + head)
            if classes:
                m.classes = tuple(classes)
                m.adjective = True
                m.extra["head"] = head
                break
    found[:] = [m for m in found if m.i >= 0]
    for k, tok in enumerate(toks):
        if tok.stop or any(m.i <= k < m.j for m in found):
            continue
        nxt = next((n for n in found if n.i == k + 1 and n.classes and not n.adjective), None)
        merged = _compound(tok.key, (*nxt.classes, *nxt.terms), vocab) if nxt is not None else ()
        if merged:  # 관계형 DB: the word the lexicon lacks on its own, with the class noun after it
            nxt.i, nxt.text, nxt.terms, nxt.classes, nxt.adjective = k, tok.text + " " + nxt.text, (), merged, True
            continue
        for head in vocab.class_heads:
            _, classes, _, _, _ = _lookup(vocab, tok.key + head)
            if classes:
                out.append(Mention(k, k + 1, tok.text, (), tuple(classes), adjective=True, extra={"head": head}))
                break
    return out


def _stranded(toks: list[Tok], found: list[Mention], vocab) -> list[Mention]:
    """A verb whose particle ends the question: "what do you create an EBS volume from" (create from).

    The mention covers the verb; ``extra["stranded"]`` says the relation reads as if after its object.
    """
    if len(toks) < 3 or not toks[-1].stop or is_korean(toks[-1].text):
        return []
    taken = {k for m in found for k in range(m.i, m.j)}
    if len(toks) - 1 in taken:
        return []
    for k in range(len(toks) - 2, 0, -1):
        tok = toks[k]
        if k in taken or tok.stop:
            continue
        for key in dict.fromkeys((tok.key + toks[-1].key, *(lemma + toks[-1].key for lemma in tok.lemmas))):
            _, _, _, rels, _ = _lookup(vocab, key)
            if rels:
                return [Mention(k, k + 1, tok.text, relations=tuple(dict.fromkeys(rels)), extra={"stranded": True})]
    return []


def _compound(word: str, classes: tuple[str, ...], vocab) -> tuple[str, ...]:
    for cls in classes:
        for key in vocab.class_keys.get(cls, ()):
            _, found, _, _, _ = _lookup(vocab, word + key)
            if found:
                return tuple(found)
    return ()

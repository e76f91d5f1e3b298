"""What a message mentions: terms, classes, relation phrases, attribute names and question cues.

Spans of words (or Korean morphemes) are looked up in the lexicon, longest first; everyday words
(stop words) never name a term or class on their own; a word the lexicon lacks may still be a
near miss of a term (fuzzy, with Hangul compared letter by letter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from queries.free.analyse import Tok, cues, hangul_jamo, is_dictionary_word, is_korean, may_describe
from queries.normalize import normalize

__all__ = ["Mention", "find", "split_terms", "REL_KINDS"]

REL_KINDS = frozenset({"VERB3", "VERB", "COPULA", "WHERE_PART", "RNOUN_SG", "RNOUN_PL", "KO_VP", "KO_VREL", "SYN"})
MAX_SPAN = 8
_VERBS = frozenset({"VERB3", "VERB", "KO_VP", "KO_VREL"})


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
    _head_split(text, toks, found, vocab)
    _shared_head(text, toks, found, vocab)
    _relational_compound(text, toks, found, vocab)
    refused = _contradicted(text, toks, found, vocab)
    covered = {k for m in found for k in range(m.i, m.j)} | refused
    found += _near_misses(text, toks, covered, vocab, found)
    found += _adjectives(toks, found, vocab)
    found += _first_words(toks, found, vocab)
    found += _stranded(toks, found, vocab)
    found += _units(toks, found, vocab)
    found += _attribute_misses(toks, found, vocab)
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
                verb = any(e.kind in _VERBS for e in vocab.lexicon.phrases.get(key, ()))
                return Mention(i, j, text[toks[i].start:toks[j - 1].end], tuple(dict.fromkeys(terms)),
                               tuple(dict.fromkeys(classes)), plural, tuple(dict.fromkeys(rels)),
                               tuple(dict.fromkeys(attrs)), extra={"verb": True} if verb else {})
    return None


def _term_span(text: str, toks: list[Tok], i: int, j: int, vocab) -> Mention | None:
    """The span ``[i, j)`` as a mention when it names a term (its words as typed, or the last one's lemma)."""
    if _all_stop(toks, i, j):
        return None
    keys = [_span_key(text, toks, i, j)] + [_span_key(text, toks, i, j - 1) + lemma for lemma in toks[j - 1].lemmas]
    for key in dict.fromkeys(keys):
        terms, classes, plural, _, _ = _lookup(vocab, key)
        if terms and (j - i > 1 or len(key) >= 2):
            return Mention(i, j, text[toks[i].start:toks[j - 1].end], tuple(dict.fromkeys(terms)),
                           tuple(dict.fromkeys(classes)), plural)
    return None


def _head_split(text: str, toks: list[Tok], found: list[Mention], vocab) -> None:
    """A compound's head noun goes with the term that names it: "EC2 instance type" is EC2 + instance type.

    When a term's last words start a longer term that reaches further right (over the head noun),
    and the words before them name a term of their own, the mention splits there; not when the
    word reached is a verb with words after it (its object).
    """
    for m in list(found):
        if not m.terms or m.width < 2:
            continue
        for k in range(m.i + 1, m.j):
            right = next((r for j in range(min(len(toks), k + MAX_SPAN), m.j, -1)
                          if (r := _term_span(text, toks, k, j, vocab)) is not None), None)
            left = _term_span(text, toks, m.i, k, vocab) if right is not None else None
            if left is None or set(right.terms) & set(m.terms):
                continue
            after = [f for f in found if f.i >= m.j and f.i < right.j]
            if any(f.j > right.j for f in after):
                continue
            if any(f.extra.get("verb") for f in after) and any(not t.stop for t in toks[right.j:]):
                continue  # "does an EC2 instance store data": a verb with its object, not "instance store"
            found[:] = [f for f in found if f is not m and f not in after]
            left.extra["modifies"] = True
            found += [left, right]
            found.sort(key=lambda f: f.i)
            break


def split_terms(text: str, toks: list[Tok], found: list[Mention], vocab) -> list[list[Mention]]:
    """Other mention lists where one multi-word term is read as two: "aurora mysql" as Aurora, MySQL.

    For a relation that needs two ends when the question names one term ("is aurora mysql compatible").
    """
    out = []
    for n, m in enumerate(found):
        if not m.terms or m.width < 2:
            continue
        for k in range(m.i + 1, m.j):
            left, right = _term_span(text, toks, m.i, k, vocab), _term_span(text, toks, k, m.j, vocab)
            if left and right and not (set(left.terms) | set(right.terms)) & set(m.terms):
                out.append([*found[:n], left, right, *found[n + 1:]])
    return out


def _shared_head(text: str, toks: list[Tok], found: list[Mention], vocab) -> None:
    """A second noun after a conjunction keeps the first term's modifier: "IAM users and roles" names IAM role.

    Conjunctions are stop words or the cues of kind "join" ("vs").
    Only when the modifier and the noun together name a term; the noun alone may name nothing.
    """
    joins = {w for table in cues().values() for w, kinds in table.items() if "join" in kinds}
    for m in [f for f in found if f.terms and f.width >= 2]:
        q = m.j
        while q < len(toks) and q - m.j < 2 and (toks[q].stop or toks[q].key in joins):
            q += 1
        if q == m.j or q >= len(toks) or toks[q].stop:
            continue
        for k in range(m.j - 1, m.i, -1):
            prefix = _span_key(text, toks, m.i, k)
            hit = None
            for end in range(min(len(toks), q + 3), q, -1):
                stem = prefix + _span_key(text, toks, q, end - 1)
                keys = [prefix + _span_key(text, toks, q, end)] + [stem + lemma for lemma in toks[end - 1].lemmas]
                terms = next((t for key in dict.fromkeys(keys) if (t := _lookup(vocab, key)[0])), None)
                if terms and not _all_stop(toks, q, end) and not set(terms) & set(m.terms):
                    hit = Mention(q, end, text[toks[q].start:toks[end - 1].end], tuple(dict.fromkeys(terms)),
                                  extra={"elliptic": prefix})
                    break
            inside = [f for f in found if f.i >= q and f.i < (hit.j if hit else q)]
            if hit is not None and not any(f.j > hit.j for f in inside):
                found[:] = [f for f in found if f not in inside] + [hit]
                found.sort(key=lambda f: f.i)
                break


def _relational_compound(text: str, toks: list[Tok], found: list[Mention], vocab) -> None:
    """A term and a one-word relation noun that together name a term read as that term first.

    "which states can an instance be in": instance + state names the instance state, whose
    options are asked for; the term's own reading stays as the next choice.
    """
    nouns = [m for m in found if m.relations and not m.terms and m.width == 1 and not toks[m.i].stop]
    for m in found:
        if not m.terms or m.extra.get("modifies"):
            continue
        for noun in nouns:
            keys = [_span_key(text, toks, m.i, m.j) + lemma for lemma in toks[noun.i].lemmas]
            terms = next((t for key in dict.fromkeys(keys) if (t := _lookup(vocab, key)[0])), None)
            if terms and not set(terms) & set(m.terms):
                m.terms = (*dict.fromkeys(terms), *m.terms)
                m.extra["compound"] = noun.text
                break


def _contradicted(text: str, toks: list[Tok], found: list[Mention], vocab) -> set[int]:
    """A term named by a short name does not stand against a term typed just before it.

    "EFS snapshots": "snapshot" names the EBS snapshot, whose full name begins with another term of
    the same glossary category (EBS) than the one typed (EFS); that reading of the word is dropped,
    the typed term stays.
    Returns the positions of words so left without a term (no near miss gives them one back).
    """
    refused: set[int] = set()
    for p, m in zip(found, found[1:], strict=False):
        if not (p.terms and m.terms) or p.j != m.i or p.extra.get("modifies"):
            continue
        words = {normalize(m.text), *(_span_key(text, toks, m.i, m.j - 1) + lemma for lemma in toks[m.j - 1].lemmas)}
        kept = tuple(t for t in m.terms if not _named_after_other(vocab, t, words, set(p.terms)))
        if kept != m.terms:
            m.terms = kept
            m.classes = tuple(c for c in m.classes if c in kept)
            refused |= set(range(m.i, m.j)) if not kept else set()
    found[:] = [f for f in found if f.terms or f.classes or f.relations or f.attributes]
    return refused


def _named_after_other(vocab, term: str, words: set[str], typed: set[str]) -> bool:
    for key in vocab.term_keys.get(term, ()):
        for word in words:
            prefix = key[:-len(word)] if word and key.endswith(word) and key != word else ""
            other = set(_lookup(vocab, prefix)[0]) if prefix else set()
            kinds = {vocab.categories.get(t) for t in typed} - {None}
            if other and not other & typed and any(vocab.categories.get(o) in kinds for o in other) \
                    and not _names_within(vocab, other, typed):
                return True  # EBS where EFS was typed: another of the same kind, not AWS in "AWS Lambda"
    return False


def _same_term(vocab, found: list[Mention], a: int, i: int, index: int, korean: bool) -> bool:
    """Whether fuzzy choice ``index`` names only the terms the exact mention ``[a, i)`` already names."""
    source = (vocab.fuzzy_source_ko if korean else vocab.fuzzy_source_en)[index]
    before = next((m for m in found if m.i == a and m.j == i), None)
    return before is not None and bool(before.terms) and set(_lookup(vocab, source)[0]) <= set(before.terms)


def _names_within(vocab, outer: set[str], inner: set[str]) -> bool:
    """Whether a name of one of ``outer`` has a name of one of ``inner`` in it: "EC2 instance" has "EC2".

    Then "EC2 tenancy" (tenancy: instance tenancy) agrees with EC2, it does not stand against it.
    """
    keys = [k for t in inner for k in vocab.term_keys.get(t, ()) if len(k) >= 2]
    return any(k in outer_key for t in outer for outer_key in vocab.term_keys.get(t, ()) for k in keys)


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
        hangul = is_korean(toks[i].key)
        if i in covered or toks[i].stop or len(toks[i].key) < (2 if hangul else 3) or toks[i].key.isdigit():
            i += 1
            continue
        best, start, j, key = None, i, i + 1, toks[i].key
        # The word alone, with the next word, or with the word before (even if that one matched:
        # "elastic beanstlk" is one misspelt name, not elasticity plus something); a Korean name
        # as typed, whole words of it however the analyser cut them ("키네시스 데이타 스트림").
        before = next((m.i for m in found if m.j == i and not m.relations), i)
        words = _korean_words(text, toks, i, covered) if hangul else []
        for a, b in dict.fromkeys([(before, i + 1), (i, i + 2), (i, i + 1), *words]):
            if b > len(toks):
                continue
            if b > i + 1 and (b - 1 in covered or toks[b - 1].stop) and (a, b) not in words:
                continue
            span = _span_key(text, toks, a, b)
            korean = is_korean(span)
            choices = vocab.fuzzy_keys_ko if korean else vocab.fuzzy_keys_en
            hit = process.extractOne(hangul_jamo(span) if korean else span, choices, scorer=fuzz.ratio, score_cutoff=80)
            # An English word from the dictionary ("plain", "span") is rarely a misspelt name: it must be
            # closer, or be part of the name as it is ("glacier" in "S3 Glacier").
            if hit and not korean and hit[1] < 90 and span not in hit[0] \
                    and all(is_dictionary_word(t.key) for t in toks[a:b] if not t.stop):
                hit = None
            if hit and a < i and not _keeps(_span_key(text, toks, a, i), hit[0], korean):
                continue  # "efs snapshots" is not "ebs snapshots": a word that matched exactly stays as typed
            if hit and a < i and not korean and is_dictionary_word(toks[i].key):
                continue  # "placement group span": a real word after a name is not part of it misspelt
            if hit and a < i and _same_term(vocab, found, a, i, hit[2], korean):
                continue  # "security group stateful": the name again, with a word it does not have
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
        terms, classes, plural, _, attrs = _lookup(vocab, source)
        if terms or classes:  # a name that is also an attribute's ("port number") keeps both readings
            out.append(Mention(i, j, text[toks[i].start:toks[j - 1].end], tuple(terms), tuple(classes), plural,
                               attributes=tuple(dict.fromkeys(attrs)), fuzzy=True, extra={"key": source}))
        i = j
    return out


MAX_KO_WORDS = 3  # the most space-separated words a misspelt Korean name is looked for in


def _korean_words(text: str, toks: list[Tok], i: int, covered: set[int]) -> list[tuple[int, int]]:
    """Spans from morpheme ``i`` to the end of its word and of the next words (up to ``MAX_KO_WORDS``).

    A word's end is its last content morpheme: "콘피그" (콘피 + 그) whole, without the particle of "스트림은".
    """
    spans, words, k = [], 0, i
    while k < len(toks) and words < MAX_KO_WORDS and k not in covered:
        end = k
        while end + 1 < len(toks) and toks[end + 1].start == toks[end].end and end + 1 not in covered:
            end += 1
        last = max((m for m in range(k, end + 1) if not toks[m].stop or toks[m].tag == "MM"), default=None)
        if last is None or any(toks[m].tag.startswith(("J", "E", "VCP")) for m in range(k, last + 1)):
            break
        spans.append((i, last + 1))
        words += 1
        k = end + 1
        if last < end:
            break  # a particle ends the phrase
    return spans


def _adjectives(toks: list[Tok], found: list[Mention], vocab) -> list[Mention]:
    """A word that, with a class's head noun, names a class: "relational" -> relational database.

    The head is the class noun that follows ("관계형 DB" -> 관계형 데이터베이스) or, for a word on
    its own ("is Fargate serverless"), any head noun of the classes ("serverless service").
    """
    out = []
    enumerate_cues = {w for table in cues().values() for w, kinds in table.items() if "enumerate" in kinds}
    listing = any(t.key in enumerate_cues for t in toks)
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
        if m.terms and not listing and not any(o is not m and o.terms for o in found):
            continue  # a term on its own is asked about ("IAM이 뭐야"), unless kinds are asked for ("IAM 종류")
        words = dict.fromkeys((normalize(m.text), m.extra.get("key", "")))  # as typed, or as corrected
        for head, word in ((h, w) for w in words if w for h in vocab.class_heads):
            _, classes, _, _, _ = _lookup(vocab, word + head)
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


MAX_FIRST_WORD = 2  # a word that begins more names than this is too vague to stand for one


def _first_words(toks: list[Tok], found: list[Mention], vocab) -> list[Mention]:
    """A describing word that begins a multi-word name and nothing else: "stateless" -> stateless filtering.

    Only an English adjective (or a coinage) no mention covers, beginning the names of at most two terms;
    the mention counts as a near miss (the rest of the name is not said).
    """
    taken = {k for m in found for k in range(m.i, m.j)}
    out = []
    for k, tok in enumerate(toks):
        if k in taken or tok.stop or len(tok.key) < 4 or tok.tag or not may_describe(tok.key):
            continue
        terms = next((ids for key in (tok.key, *tok.lemmas) if (ids := vocab.first_words.get(key))), ())
        if 0 < len(terms) <= MAX_FIRST_WORD:
            out.append(Mention(k, k + 1, tok.text, terms, fuzzy=True, extra={"first_word": True}))
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


def _units(toks: list[Tok], found: list[Mention], vocab) -> list[Mention]:
    """A unit names the attributes measured in it: "how many days can SQS keep a message" (days)."""
    taken = {k for m in found for k in range(m.i, m.j)}
    out = []
    for k, tok in enumerate(toks):
        props = next((vocab.units[key] for key in (tok.key, *tok.lemmas) if key in vocab.units), ())
        if props and k not in taken:
            out.append(Mention(k, k + 1, tok.text, attributes=props, extra={"unit": True}))
    return out


ATTRIBUTE_CUTOFF = 75  # one swap of two letters in a four-letter word ("prot" for "port")


def _attribute_misses(toks: list[Tok], found: list[Mention], vocab) -> list[Mention]:
    """A misspelt attribute name ("mariadb prot"): an English non-word close to one, when no mention covers it."""
    from rapidfuzz import fuzz, process

    taken = {k for m in found for k in range(m.i, m.j)}
    names = [k for k in vocab.attributes if not is_korean(k)]
    out = []
    for k, tok in enumerate(toks):
        if k in taken or tok.stop or len(tok.key) < 4 or not tok.key.isalpha() or is_dictionary_word(tok.key):
            continue
        hit = process.extractOne(tok.key, names, scorer=fuzz.ratio, score_cutoff=ATTRIBUTE_CUTOFF)
        if hit:
            out.append(Mention(k, k + 1, tok.text, attributes=tuple(vocab.attributes[hit[0]]), fuzzy=True,
                               extra={"key": hit[0]}))
    return out


def _compound(word: str, classes: tuple[str, ...], vocab) -> tuple[str, ...]:
    for cls in classes:
        for key in vocab.class_keys.get(cls, ()):
            _, found, _, _, _ = _lookup(vocab, word + key)
            if found:
                return tuple(found)
    return ()

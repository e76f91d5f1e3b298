"""Candidate readings of a free question, each a question in the controlled language.

A reading names its kind (define, relation, list, yesno, count, compare, attribute, path), the
mentions it uses and a prior: how well the question's cues agree with its kind and how much of
the question it covers. The caller parses, evaluates and scores them; this module knows no store,
only the vocabulary and, for one-hop readings, a ``links`` function saying which relations a term
has (``(relation, forward?, other)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from queries.free.analyse import Tok, analyse, is_korean, is_verb, stop_words
from queries.free.analyse import cues as _cues
from queries.free.mentions import Mention, find, split_terms
from queries.lexicon import Lexicon
from queries.normalize import normalize

__all__ = ["Reading", "Vocabulary", "read", "Analysis", "analyse_question"]

Links = Callable[[str], Iterable[tuple[str, bool, str]]]
KINDS = ("define", "relation", "list", "yesno", "count", "compare", "attribute", "path")
_YESNO_START = frozenset({"is", "are", "does", "do", "can", "could", "will", "should", "did", "was", "were", "has",
                          "have"})
_CUED = frozenset({"count", "compare", "path", "attribute", "yesno"})
_HUB = frozenset({"offeredBy", "offers", "type", "subClassOf"})
_KO_QUESTION_WORDS = ("뭐", "무엇", "무슨", "어디", "몇", "어떤", "어느", "뭘", "언제", "왜", "어떻게", "누구", "머")


@dataclass(frozen=True, slots=True)
class Reading:
    """A question in the controlled language with its kind, the mentions it uses and its prior."""

    text: str
    kind: str
    used: frozenset[int]
    prior: float = 0.0


@dataclass
class Vocabulary:
    """What the interpreter reads with: the lexicon plus names, class nouns, synonyms and attributes."""

    lexicon: Lexicon
    names: dict[str, str]
    class_nouns: dict[str, tuple[str, str]]
    synonyms: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    attribute_labels: dict[str, str] = field(default_factory=dict)
    class_heads: tuple[str, ...] = ()
    fuzzy_keys_en: list[str] = field(default_factory=list)
    fuzzy_source_en: list[str] = field(default_factory=list)
    fuzzy_keys_ko: list[str] = field(default_factory=list)
    fuzzy_source_ko: list[str] = field(default_factory=list)
    korean_words: tuple[str, ...] = ()
    class_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attribute_words: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    """Each attribute's names as words (labels and synonyms), matched as a bag against the question."""
    term_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Each term's lexicon keys (its names, normalised)."""
    categories: dict[str, str] = field(default_factory=dict)
    """Each term's glossary category (storage, compute, ...), when it has one."""
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Attributes by the word of their unit ("day" -> attributes counted in days)."""
    first_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Terms by the first word of their multi-word English names ("stateless" -> stateless filtering)."""
    known: frozenset[str] | set[str] = frozenset()
    """Every id a reading may name (the caller's, kept with the vocabulary)."""
    parsed: dict = field(default_factory=dict, repr=False)
    """The caller's cache of parsed reading texts (readings recur across questions)."""

    @classmethod
    def build(cls, lexicon: Lexicon, term_names: dict[str, list[str]], class_nouns: dict[str, tuple[str, str]],
              synonyms: Iterable[tuple[str, str, bool]] = (), attributes: Iterable[tuple[str, str, str]] = (),
              categories: dict[str, str] | None = None) -> Vocabulary:
        """Index ``term_names`` (id -> names), class nouns (id -> (singular, plural)), relation
        synonyms ``(phrase, relation, inverse?)``, attributes ``(label, property id, English label)``
        and the terms' glossary categories (id -> category)."""
        from queries.free.analyse import hangul_jamo

        names = {tid: _unique_name(lexicon, tid, options) for tid, options in term_names.items()}
        syn: dict[str, list[tuple[str, bool]]] = {}
        for phrase, rel, inverse in synonyms:
            syn.setdefault(normalize(phrase), []).append((rel, inverse))
        attrs: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        bags: dict[str, dict[tuple[str, ...], None]] = {}
        for label, prop, english in attributes:
            attrs.setdefault(normalize(label), []).append(prop)
            labels.setdefault(prop, english)
            bags.setdefault(prop, {})[_words(label)] = None
        for attr in lexicon.attributes.values():
            for text, lang in attr.names:
                bags.setdefault(attr.id, {})[_words(text)] = None
                if lang == "en":
                    labels.setdefault(attr.id, text)
        class_keys: dict[str, list[str]] = {}
        term_keys: dict[str, list[str]] = {}
        for key, entries in lexicon.phrases.items():
            for entry in entries:
                if entry.kind in ("CLASS_SG", "CLASS_PL") and key not in class_keys.get(entry.value, []):
                    class_keys.setdefault(entry.value, []).append(key)
                elif entry.kind == "TERM" and isinstance(entry.value, str):
                    term_keys.setdefault(entry.value, []).append(key)
        every = {k for keys in class_keys.values() for k in keys}
        # A head noun ends another class noun: service (storage service), 데이터베이스 (관계형 데이터베이스).
        heads = {k for k in every if any(o != k and o.endswith(k) for o in every)}
        stops = stop_words("en")
        keys = [k for k, entries in lexicon.phrases.items()
                if len(k) >= 3 and k not in stops and any(e.kind in ("TERM", "CLASS_SG", "CLASS_PL") for e in entries)]
        ko = [k for k in keys if is_korean(k)]
        en = [k for k in keys if not is_korean(k)]
        words = tuple(k for k in ko if len(k) >= 2 and k.isalpha() and all("\uac00" <= ch <= "\ud7a3" for ch in k))
        brands = _brands(term_names)
        en_keys, en_source = _without_brands(en, brands)
        ko_keys, ko_source = _without_brands(ko, brands)
        return cls(lexicon, names, class_nouns, syn, attrs, labels, tuple(sorted(heads)), en_keys, en_source,
                   [hangul_jamo(k) for k in ko_keys], ko_source, words,
                   {c: tuple(sorted(keys, key=len)) for c, keys in class_keys.items()},
                   {prop: tuple(w for w in bag if w) for prop, bag in bags.items()},
                   {t: tuple(keys) for t, keys in term_keys.items()}, dict(categories or {}), _units(lexicon),
                   _first_words(term_names, stops))

    def name(self, term_id: str) -> str:
        return self.names.get(term_id) or self.lexicon.term_names.get(term_id, term_id)


BRAND = 20  # a first word of this many terms' names is a brand ("AWS", "Amazon"), left off in fuzzy matching


def _brands(term_names: dict[str, list[str]]) -> frozenset[str]:
    """The first words of many terms' multi-word English names, normalised: ``{"aws", "amazon", ...}``."""
    terms: dict[str, set[str]] = {}
    for tid, names in term_names.items():
        for name in names:
            words = name.split()
            if len(words) >= 2:
                terms.setdefault(normalize(words[0]), set()).add(tid)
    return frozenset(word for word, ids in terms.items() if len(ids) >= BRAND and word)


def _without_brands(keys: list[str], brands: frozenset[str]) -> tuple[list[str], list[str]]:
    """Fuzzy keys with a second form without the brand they begin with, each with its source key.

    "aws컨피그" is also matched as "컨피그", so "콘피그" comes close enough.

    >>> _without_brands(["awsconfig", "s3"], frozenset({"aws"}))
    (['awsconfig', 's3', 'config'], ['awsconfig', 's3', 'awsconfig'])
    """
    out, source = list(keys), list(keys)
    have = set(keys)
    for key in keys:
        for brand in brands:
            rest = key[len(brand):]
            if key.startswith(brand) and len(rest) >= 2 and rest not in have:
                out.append(rest)
                source.append(key)
                have.add(rest)
    return out, source


def _first_words(term_names: dict[str, list[str]], stops: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Term ids by the first word of each multi-word name, stop words left out.

    >>> _first_words({"SF": ["stateless filtering"], "S3": ["Amazon S3"], "X": ["the thing"]}, frozenset({"the"}))
    {'stateless': ('SF',), 'amazon': ('S3',)}
    """
    out: dict[str, dict[str, None]] = {}
    for tid, names in term_names.items():
        for name in names:
            words = [normalize(w) for w in name.split()]
            if len(words) >= 2 and words[0] and words[0] not in stops:
                out.setdefault(words[0], {})[tid] = None
    return {word: tuple(ids) for word, ids in out.items()}


def _units(lexicon: Lexicon) -> dict[str, tuple[str, ...]]:
    """Attribute ids by unit word, singular and as written ("days", "day"); one-letter units ("s") are left out."""
    units: dict[str, list[str]] = {}
    for attr in lexicon.attributes.values():
        unit = normalize(attr.unit or "")
        for word in {unit, unit.removesuffix("s")} if len(unit) >= 2 else ():
            units.setdefault(word, []).append(attr.id)
    return {word: tuple(ids) for word, ids in units.items()}


def _words(text: str) -> tuple[str, ...]:
    """A name's words, normalised: ``"memory at most"`` -> ``('memory', 'at', 'most')``."""
    return tuple(w for w in (normalize(part) for part in text.split()) if w)


def _unique_name(lexicon: Lexicon, term_id: str, options: list[str]) -> str:
    for name in options:
        ids = {e.value for e in lexicon.phrases.get(normalize(name), ()) if e.kind == "TERM"}
        if ids == {term_id}:
            return name
    return options[0] if options else term_id




@dataclass
class Analysis:
    """A question's tokens, mentions and the kinds its cues point to (with weights)."""

    text: str
    korean: bool
    toks: list[Tok]
    mentions: list[Mention]
    cues: dict[str, float]
    content: frozenset[int]


def analyse_question(text: str, vocab: Vocabulary) -> Analysis:
    """Tokens, mentions and cues of ``text``."""
    toks = analyse(text, vocab.korean_words)
    mentions = find(text, toks, vocab)
    korean = is_korean(text)
    cues = _cue_kinds(toks, korean)
    if any(m.attributes for m in mentions):  # naming a value ("port", "최소 메모리") asks for it
        cues["attribute"] = cues.get("attribute", 0) + 1
    cue_words = set(_cues()["ko" if korean else "en"])
    covered = {k for m in mentions for k in range(m.i, m.j)}
    content = frozenset(k for k, t in enumerate(toks)
                        if not (t.stop or t.key in cue_words or t.key in _KO_QUESTION_WORDS)
                        or (k in covered and t.tag.startswith(("NN", "SL", "SN")) and t.key not in cue_words))
    return Analysis(text, korean, toks, mentions, cues, content)


def _cue_kinds(toks: list[Tok], korean: bool) -> dict[str, float]:
    table = _cues()["ko" if korean else "en"]
    kinds: dict[str, float] = {}
    keys = [t.key for t in toks]
    pairs = [a + b for a, b in zip(keys, keys[1:], strict=False)]
    for position, key in [*enumerate(keys), *enumerate(pairs)]:
        if key == "how" and position + 1 < len(keys) and keys[position + 1] in ("many", "much", "long", "big"):
            continue  # "how many" asks for a number, not how things are related
        for kind in table.get(key, ()):
            if kind == "yesno" and not korean and position > 0:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
    specific = {"path", "compare", "count", "list", "define", "attribute"} & kinds.keys()
    if korean and not specific and not any(t.key.startswith(_KO_QUESTION_WORDS) for t in toks):
        kinds["yesno"] = kinds.get("yesno", 0) + 1
    if not korean and keys and keys[0] in _YESNO_START:
        kinds["yesno"] = kinds.get("yesno", 0) + 1
    return kinds


# ---------------------------------------------------------------- surface forms
def _rel_phrases(lexicon: Lexicon, rel: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...],
                                                       tuple[str, ...]]:
    info = lexicon.relation(rel)
    if info is None:
        return (), (), (), ()
    return info.verb3, info.verb, info.copula, info.where


def one_hop(vocab: Vocabulary, term: str, rel: str, forward: bool, cls: str | None, count: bool = False
            ) -> list[str]:
    """Controlled questions for ``term rel ?x`` (forward) or ``?x rel term``, optionally of class ``cls``."""
    lex = vocab.lexicon
    name = vocab.name(term)
    plural = vocab.class_nouns.get(cls, ("", ""))[1] if cls else ""
    out = []
    for r, fwd in ((rel, forward), (_inverse(lex, rel), not forward)):
        if r is None:
            continue
        verb3, verb, copula, where = _rel_phrases(lex, r)
        head = f"how many {plural}" if count and plural else f"which {plural}" if plural else "what"
        if count and not plural:
            break
        if fwd:
            out += [f"{head} does {name} {v}" if plural or not count else "" for v in verb[:1]]
            out += [f"{head} is {name} {c}" for c in copula[:1]]
            if not plural and not count:
                out += [f"where is {name} {w}" for w in where[:1]]
        else:
            out += [f"{head} {v} {name}" for v in (verb if plural else verb3)[:1]]
            out += [f"{head} {'are' if plural else 'is'} {c} {name}" for c in copula[:1]]
    out = [q for q in out if q][:1]
    where = f":{term} {rel} ?x" if forward else f"?x {rel} :{term}"
    if cls:
        where += f" . ?x a :{cls}"
    out.append(("COUNT" if count else "SELECT") + f" ?x {{ {where} }}")  # when no phrase parses
    return out


def _inverse(lexicon: Lexicon, rel: str) -> str | None:
    info = lexicon.relation(rel)
    return info.inverse if info else None


def ask_relation(vocab: Vocabulary, a: str, rel: str, b: str) -> list[str]:
    """Controlled yes/no questions for ``a rel b``."""
    lex = vocab.lexicon
    out = []
    for r, s, o in ((rel, a, b), (_inverse(lex, rel), b, a)):
        if r is None:
            continue
        verb3, verb, copula, _ = _rel_phrases(lex, r)
        out += [f"does {vocab.name(s)} {v} {vocab.name(o)}" for v in verb[:1]]
        out += [f"is {vocab.name(s)} {c} {vocab.name(o)}" for c in copula[:1]]
    return out or [f"ASK {{ :{a} {rel} :{b} }}"]


def ask_type(vocab: Vocabulary, term: str, cls: str) -> str:
    singular = vocab.class_nouns.get(cls, ("", ""))[0]
    if not singular:
        return f"ASK {{ :{term} a :{cls} }}"
    article = "an" if singular[:1].lower() in "aeiou" else "a"
    return f"is {vocab.name(term)} {article} {singular}"


def _ko_topic(word: str) -> str:
    last = word[-1:]
    if "\uac00" <= last <= "\ud7a3":
        return "란" if (ord(last) - 0xAC00) % 28 == 0 else "이란"
    return "란"


# ---------------------------------------------------------------- readings
def read(text: str, vocab: Vocabulary, links: Links, analysis: Analysis | None = None) -> list[Reading]:
    """Every reading the mentions of ``text`` allow, with its prior (best first)."""
    an = analysis or analyse_question(text, vocab)
    out: dict[str, Reading] = {}
    add = _adder(an, out)
    terms = [(k, m.terms[0]) for k, m in enumerate(an.mentions) if m.terms]
    classes = [(k, c) for k, m in enumerate(an.mentions) for c in m.classes[:1]]
    rels = [(k, r) for k, m in enumerate(an.mentions) for r in m.relations]
    asked = _asks_more(an)
    for k, term in terms[:3]:
        kinds = {other for rel, fwd, other in links(term) if rel == "type" and fwd}
        described = [c for c, cls in classes if cls in kinds or c == k]  # "S3 is what kind of service"
        described += _modifiers(an, k)
        bonus = (0.1 if len(terms) == 1 else 0) + (0.3 if set(described) - {k} else 0)
        add(f"{vocab.name(term)}{_ko_topic(vocab.name(term))}?" if an.korean else f"define {vocab.name(term)}",
            "define", [k, *described], bonus - (ASKS_MORE if asked - {k, *described} else 0))
    _relations(an, vocab, links, terms, classes, rels, add)
    _narrowed(an, vocab, links, terms, add)
    _yesno(an, vocab, links, terms, classes, rels, add)
    if rels and len(terms) == 1 and an.cues.get("yesno"):
        for mentions in split_terms(an.text, an.toks, an.mentions, vocab):
            split = replace(an, mentions=mentions)
            _yesno(split, vocab, links, [(k, m.terms[0]) for k, m in enumerate(mentions) if m.terms],
                   [(k, c) for k, m in enumerate(mentions) for c in m.classes[:1]],
                   [(k, r) for k, m in enumerate(mentions) for r in m.relations], _adder(split, out, -0.2))
    for k, cls in classes:
        plural = vocab.class_nouns.get(cls, ("", ""))[1]
        head = an.mentions[k].extra.get("head")
        used = [k] + [h for h, m in enumerate(an.mentions) if head and normalize(m.text) in (head, head + "s")]
        used += _modifiers(an, k)
        if plural:
            add(f"list {plural}", "list", used, 0.1)
            add(f"how many {plural} are there", "count", used)
    _pairs(an, vocab, terms, add)
    if an.cues.get("expand"):
        for k, term in terms[:2]:
            add(f"what does {vocab.name(term)} stand for", "attribute", [k], 0.3)
    for k, m in enumerate(an.mentions):
        for prop, fit in attribute_options(an, vocab, m):
            for t, term in terms[:2]:
                if t != k:
                    add(f"what is the {vocab.attribute_labels.get(prop, prop)} of {vocab.name(term)}", "attribute",
                        [k, t], 0.3 + fit)
    return sorted(out.values(), key=lambda r: -r.prior)


NARROWED = 0.3  # a modified term's members that the modifier names, over the term's definition
UNCLASSED = 0.5  # what a count loses when it leaves out the class the question names
ASKS_MORE = 0.5  # what a definition loses when the question names a relation or a value beside the term


def _asks_more(an: Analysis) -> set[int]:
    """The mentions that ask something of a term: a relation or attribute phrase with a content word in it.

    "what does Parameter Store use for encryption" asks more than a definition; "what is S3 used for" does not.
    """
    out = {k for k, m in enumerate(an.mentions)
           if (m.relations or m.attributes) and not m.terms and not m.classes
           and any(not t.stop for t in an.toks[m.i:m.j])}
    return out | ({-1} if _unread_verb(an) else set())


_COPULAS = frozenset({"is", "are"})
_AUXILIARIES = frozenset({"do", "does", "did", "can", "could", "will", "would"})


def _unread_verb(an: Analysis) -> bool:
    """Whether a content word no mention covers is a verb ("what does Inspector scan"): a relation unnamed.

    In English only after an auxiliary ("cloudtrail logs" names logs, it asks no relation).
    """
    covered = {k for m in an.mentions for k in range(m.i, m.j)}
    aux = next((k for k, t in enumerate(an.toks) if t.key in _AUXILIARIES), None) if not an.korean else -1
    return aux is not None and any(k > aux and is_verb(an.toks[k]) and not _request(an.toks, k)
                                   for k in an.content - covered)


def _request(toks: list[Tok], k: int) -> bool:
    """Whether Korean verb ``k`` asks the listener to do it ("보여줘", "알려줘": the verb, then 주)."""
    return any(t.tag == "VX" for t in toks[k + 1:k + 3])


# Words in relation phrases that say nothing of the relation ("is used by": only "used" does).
_FUNCTION_WORDS = frozenset({"a", "an", "the", "is", "are", "be", "been", "of", "by", "to", "in", "into", "on", "for",
                             "with", "from", "at", "as", "has", "have", "do", "does", "can", "could", "it", "its"})


def _named_words(vocab: Vocabulary, rel: str) -> set[str]:
    """The words of a relation's phrases (verbs, copulas, participles), for telling guessed relations apart."""
    info = vocab.lexicon.relation(rel)
    if info is None:
        return set()
    phrases = (*info.verb3, *info.verb, *info.copula, *info.where, *info.ko_stems, info.label_en, info.label_ko)
    return {normalize(w) for phrase in phrases for w in phrase.split()} - _FUNCTION_WORDS


def attribute_options(an: Analysis, vocab: Vocabulary, mention: Mention) -> list[tuple[str, float]]:
    """The attributes a mention of one may mean, each with how well its name fits the whole question.

    A name fits by its words, in any order anywhere in the question ("how much memory ... at most"
    is "memory at most"); a question word may shorten a name's word ("max" for "maximum"). Names
    sharing a word with the mention count too, lower when some of their words are not said: a
    question about "memory" may be answered by "maximum memory" when that is what is held.
    """
    if not mention.attributes:
        return []
    said = {key for tok in an.toks for key in (tok.key, *tok.lemmas)}
    named = {key for tok in an.toks[mention.i:mention.j] for key in (tok.key, *tok.lemmas)}
    options = {prop: 0.0 for prop in mention.attributes}
    for prop, names in vocab.attribute_words.items():
        for words in names:
            if not any(_said(w, named) for w in words):
                continue
            hits = sum(_said(w, said) for w in words)
            fit = 0.05 * hits + (0.1 if hits == len(words) else -0.1)
            options[prop] = max(options.get(prop, -1.0), fit)
    return sorted(options.items(), key=lambda item: -item[1])


def _said(word: str, said: set[str]) -> bool:
    """Whether a name's word is among the question's words, whole or shortened ("max" for "maximum").

    >>> _said("maximum", {"max", "size"}), _said("memory", {"me"})
    (True, False)
    """
    return word in said or any(len(s) >= 3 and word.startswith(s) for s in said)


def _modifiers(an: Analysis, k: int) -> list[int]:
    """The mentions that modify mention ``k`` as the head of one compound ("EC2" in "EC2 instance type")."""
    return [p for p, m in enumerate(an.mentions) if m.extra.get("modifies") and m.j == an.mentions[k].i]


def _adder(an: Analysis, out: dict[str, Reading], penalty: float = 0.0) -> Callable[..., None]:
    """The function that scores a reading of ``an`` by its prior and keeps it in ``out`` (the best prior of a text)."""

    def add(question: str, kind: str, used: Iterable[int], bonus: float = 0.0) -> None:
        used = frozenset(used)
        covered = {k for u in used for k in range(an.mentions[u].i, an.mentions[u].j)} & an.content
        coverage = len(covered) / max(1, len(an.content))
        weight = max(an.cues.get(kind, 0), an.cues.get("list", 0) if kind == "relation" else 0)  # a hop lists
        if kind in _CUED and not weight:
            return  # counts, comparisons, paths, values and yes/no are read only when the question asks for them
        cue = min(weight, 2) * 0.6
        prior = 2 * coverage + cue + bonus + penalty - 0.3 * sum(an.mentions[u].fuzzy for u in used)
        if question not in out or out[question].prior < prior:
            out[question] = Reading(question, kind, used, prior)

    return add


def _relations(an: Analysis, vocab: Vocabulary, links: Links, terms, classes, rels, add) -> None:
    """One hop from a term, by a relation the question names or any the term has; with a class if named."""
    for t, term in terms[:2]:
        tm = an.mentions[t]
        as_object = an.korean and tm.j < len(an.toks) and an.toks[tm.j].tag == "JKO"
        named = [(k, rel, ((tm.i < an.mentions[k].i or "stranded" in an.mentions[k].extra) != inv) != as_object)
                 for k, (rel, inv) in rels if k != t]
        have = {(rel, fwd): other for rel, fwd, other in links(term)}
        options: list[tuple[list[int], str, bool, float]] = []
        for k, rel, fwd in named:
            weak = all(tok.stop and len(tok.key) <= 2 for tok in an.toks[an.mentions[k].i:an.mentions[k].j])  # "in"
            options += [([k], rel, fwd, -0.5 if weak else 0.2), ([k], rel, not fwd, -0.6 if weak else 0.0)]
        # Guessing the relation from the term's facts needs something to guide it: a class to land
        # in, a where-cue (relations with a where-participle), or a named relation that did not fit.
        where = an.cues.get("where", 0) > 0
        listing = bool(an.cues.get("enumerate"))
        kinds = {rel for rel, inv in vocab.synonyms.get("types", ()) if not inv}
        said = {lemma for tok in an.toks for lemma in (tok.key, *tok.lemmas)}
        unnamed = (named and not any((r, f) in have for _, r, f, _ in options)) or _unread_verb(an)
        if classes or where or listing or unnamed:
            for rel, fwd in dict.fromkeys(have):
                if rel in ("type", "subClassOf"):
                    continue
                if where and not classes and not (fwd and _rel_phrases(vocab.lexicon, rel)[3]):
                    continue
                bonus = (-0.4 if named else -0.2) + (0.1 if _named_words(vocab, rel) & said else 0.0)
                options.append(([], rel, fwd, bonus + (0.15 if listing and fwd and rel in kinds else 0.0)))
        for used, rel, fwd, bonus in options:
            if rel in _HUB and not classes:
                continue
            landing = [(c, cls) for c, cls in classes if c != t][:2]
            for c, cls in [*landing, (None, None)]:
                cused = [*used, t] + ([c] if c is not None else [])
                kind = "relation" if cls is None else "list"
                for n, q in enumerate(one_hop(vocab, term, rel, fwd, cls)):
                    add(q, kind, cused, bonus - 0.01 * n)
                if cls is not None or an.cues.get("count"):
                    # "how many API types does it support" counts API types: a count that drops the class
                    # it names counts something else.
                    # (Not when the class word also names a term: "engines" may be the database engine itself.)
                    lost = UNCLASSED if cls is None and any(not an.mentions[c].terms for c, _ in landing) else 0.0
                    for n, q in enumerate(one_hop(vocab, term, rel, fwd, cls, count=True)):
                        add(q, "count", cused, bonus - lost - 0.01 * n)


def _narrowed(an: Analysis, vocab: Vocabulary, links: Links, terms, add) -> None:
    """A term's options (or parts, members) that the term modifying it names: "GPU instance types".

    For a head term H modified by a term M (or, in a "which" question, another term M named after
    it: "which instance types are compute optimized"), the things H links to that themselves link
    to M, by the pairs of relations most of them share: ``SELECT ?x { :H r1 ?x . ?x r2 :M }``;
    the relations that name kinds ("types") first.
    """
    if an.cues.get("list", 0) <= an.cues.get("define", 0) or an.cues.keys() & {"compare", "path"}:
        return  # "EC2 instance type이 뭐야" asks what an instance type is
    kinds = {rel for rel, inv in vocab.synonyms.get("types", ()) if not inv}
    for h, head in terms[:2]:
        hm = an.mentions[h]
        others = [k for k, _ in terms if an.mentions[k].i > hm.j  # "which X are M": a copula between, no relation
                  and {t.key for t in an.toks[hm.j:an.mentions[k].i]} & _COPULAS
                  and not any(m.relations and hm.j <= m.i < an.mentions[k].i for m in an.mentions)]
        for k in dict.fromkeys([*_modifiers(an, h), *others]):
            modifier = an.mentions[k].terms[0]
            ways: dict[tuple[str, str], int] = {}
            for r1, fwd, x in links(head):
                if not fwd or r1 in _HUB:
                    continue
                for r2, fwd2, other in links(x):
                    if fwd2 and other == modifier and r2 not in _HUB:
                        ways[(r1, r2)] = ways.get((r1, r2), 0) + 1
            ranked = sorted(ways.items(), key=lambda item: (item[0][0] not in kinds, -item[1]))
            for n, ((r1, r2), _) in enumerate(ranked[:2]):
                add(f"SELECT ?x {{ :{head} {r1} ?x . ?x {r2} :{modifier} }}", "list", [h, k], NARROWED - 0.01 * n)


def _yesno(an: Analysis, vocab: Vocabulary, links: Links, terms, classes, rels, add) -> None:
    """Yes/no: a term's type, or a relation between two terms (named, or any that links them)."""
    for t, term in terms[:2]:
        for c, cls in classes:
            if c != t:
                add(ask_type(vocab, term, cls), "yesno", [t, c], 0.1 if an.mentions[c].i > an.mentions[t].i else -0.2)
    for (a_k, a), (b_k, b) in _ordered_pairs(terms[:3]):
        if a == b:
            continue
        for k, (rel, inv) in rels:
            s, o = (b, a) if inv else (a, b)
            for q in ask_relation(vocab, s, rel, o)[:1]:
                add(q, "yesno", [a_k, b_k, k], 0.1)
        for rel, fwd, other in links(a):
            if other == b and rel not in _HUB:
                if not an.korean and any(_reversed(vocab.lexicon, r, inv, rel, fwd) for _, (r, inv) in rels):
                    continue  # "is A cheaper than B" is not answered by "B costs less than A"
                # The relation the question names counts as read when the stated one is it or in its family.
                named = [k for k, (r, _) in rels if _kin(vocab.lexicon, r, rel)]
                for q in ask_relation(vocab, a, rel, b)[:1] if fwd else ask_relation(vocab, b, rel, a)[:1]:
                    add(q, "yesno", [a_k, b_k, *named], 0.05)
        if b in vocab.class_nouns:
            add(ask_type(vocab, a, b), "yesno", [a_k, b_k], 0.05)
        elif not rels and an.mentions[b_k].extra.get("first_word") and not any(o == b for _, _, o in links(a)):
            _unlinked(vocab, links, (a_k, a), (b_k, b), add)


def _unlinked(vocab: Vocabulary, links: Links, a: tuple[int, str], b: tuple[int, str], add) -> None:
    """Yes/no about a term and a describing word with no fact between them, by the relation others have to it.

    "are security groups stateless": stateless filtering is what network ACLs use, so "does a security
    group use stateless filtering", answered "No, not stated" with the facts held about security groups.
    """
    ways: dict[str, int] = {}
    for rel, fwd, _ in links(b[1]):
        if not fwd and rel not in _HUB:
            ways[rel] = ways.get(rel, 0) + 1
    if ways:
        rel = max(ways, key=lambda r: ways[r])
        for q in ask_relation(vocab, a[1], rel, b[1])[:1]:
            add(q, "yesno", [a[0], b[0]], -0.2)


def _reversed(lexicon: Lexicon, named: str, inverse: bool, stated: str, forward: bool) -> bool:
    """Whether a stated link runs against the direction the question names for the same relation."""
    if named == stated:
        return inverse == forward
    info = lexicon.relation(stated)
    return info is not None and info.inverse == named and inverse != forward


def _kin(lexicon: Lexicon, named: str, stated: str) -> bool:
    """Whether a stated relation answers for a named one: the same, its inverse, or a sub-property."""
    info, named_info = lexicon.relation(stated), lexicon.relation(named)
    if info is None or named_info is None:
        return False
    family = {stated, info.inverse, *info.super_properties}
    return named in family or named_info.inverse in family


def _ordered_pairs(terms):
    return [(x, y) for n, x in enumerate(terms) for y in terms[n + 1:]]


def _pairs(an: Analysis, vocab: Vocabulary, terms, add) -> None:
    ids = list(dict.fromkeys(term for _, term in terms))
    used = [k for k, _ in terms]
    if len(ids) >= 2:
        names = [vocab.name(i) for i in ids[:4]]
        joined = ", ".join(names[:-1]) + " and " + names[-1]
        add(f"{names[0]}와 {names[1]} 비교" if an.korean and len(names) == 2 else f"compare {joined}",
            "compare", used)
        a, b = names[:2]
        add(f"{a}하고 {b}의 관계는?" if an.korean else f"how is {a} related to {b}", "path", used[:2])

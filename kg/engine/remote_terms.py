"""A store's glossary read as it is needed: the concepts a question or an answer names, kept in a bounded LRU.

A store too large to read whole at connect (see :class:`~kg.engine.remote.FetchLimits` ``eager``)
is answered with the schema and a few preloaded concepts; the rest come from the store:

- :meth:`StoreTerms.learn` finds the terms a question names before it is parsed: one SPARQL
  query per question matching its word spans (up to :data:`SPAN_WORDS` words, with case variants,
  a Korean particle or an English plural ending left off) exactly against the names
  (``skos:prefLabel``, ``altLabel``, ``hiddenLabel``, ``ckg:abbreviation``, ``ckg:expansion``);
  a word still unknown after that gets one case-insensitive ``LCASE`` match (a scan in most stores).
- :class:`StoreConcepts` (``knowledge.concepts``) reads a concept by id when something asks for it
  and :meth:`StoreTerms.prefetch` reads an answer's nodes in one query (``VALUES``).

Plain SPARQL 1.1 only, every query with a ``LIMIT``. Found names are matched up to case (not the
full normal form, nor fuzzily: that needs every name at hand, as the preloaded concepts have it).
Iterating ``knowledge.concepts`` gives the preloaded concepts only.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kg.engine.endpoint import Term
from kg.engine.glossary import Glossary
from kg.engine.model import Concept
from ontology import TERM
from queries.lexicon import Entry, Lexicon
from queries.normalize import normalize
from queries.sparql import full_iri_ref, store_prefixes

__all__ = ["GLOSSARY_PART", "LazyLimits", "StoreConcepts", "StoreGlossary", "StoreLexicon", "StorePhrases",
           "StoreTerms", "SPAN_WORDS"]

SPAN_WORDS = 4
"""The longest word span looked up as one name."""

_HEAD = store_prefixes()
GLOSSARY_PART = "?s a skos:Concept . ?s ?p ?o . FILTER(isLiteral(?o) || ?p = ckg:category || ?p = dcterms:source)"
"""A concept's glossary triples (names, definitions, values, category, sources), as a store reads them."""
# One branch per name property: stores plan a UNION of index look-ups better than a property VALUES or path.
_NAMES = " UNION ".join(f"{{ ?s {p} ?name }}" for p in ("skos:prefLabel", "skos:altLabel", "skos:hiddenLabel",
                                                        "ckg:abbreviation", "ckg:expansion"))
_HANGUL = re.compile("[\uac00-\ud7a3]")


@dataclass(frozen=True)
class LazyLimits:
    """Concepts kept read (LRU), ids per concept query, concepts one name search may find, spans remembered."""

    kept: int = 20_000
    batch: int = 100
    found: int = 50
    spans: int = 20_000
    spans_per_question: int = 60


def _literal(text: str, lang: str | None) -> str:
    """A SPARQL string literal (escaped), with a language tag when given.

    >>> _literal('say "hi"', "en")
    '"say \\\\"hi\\\\""@en'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def _variants(text: str) -> set[str]:
    """The spellings a name typed as ``text`` is looked up by.

    >>> sorted(_variants("ebs backups"))
    ['EBS BACKUP', 'EBS BACKUPS', 'EBS backup', 'EBS backups', 'Ebs Backup', 'Ebs Backups', 'Ebs backup', \
'Ebs backups', 'ebs backup', 'ebs backups']
    """
    from queries.lexer import PARTICLES

    forms = {text}
    last = text.rsplit(" ", 1)[-1]
    for particle in PARTICLES:
        if last.endswith(particle) and len(last) > len(particle):
            forms.add(text[: -len(particle)])
    if re.fullmatch(r"[A-Za-z]+s", last) and not last.isupper():
        forms.add(text[:-1])
    found = set()
    for form in forms:
        words = form.split(" ")
        found |= {form, form.lower(), form.upper(), form.capitalize(), form.title(),
                  " ".join([words[0].upper(), *words[1:]]), " ".join([words[0].capitalize(), *words[1:]])}
    return found


def _term(value: Any) -> Any:
    """An rdflib term for a result value: a :class:`~kg.engine.endpoint.Term` knows its kind, a string is a literal."""
    if isinstance(value, Term):
        return value.to_rdflib()
    from rdflib import Literal

    return Literal(str(value))


class StoreTerms:
    """The concepts read from the store so far (bounded LRU), and the names they answer to."""

    def __init__(self, runner: Any, knowledge: Any, limits: LazyLimits = LazyLimits()) -> None:
        self.runner = runner
        self.knowledge = knowledge
        self.limits = limits
        self.kept: OrderedDict[str, Concept | None] = OrderedDict()
        self.names: dict[str, list[Entry]] = {}
        self.spans: OrderedDict[str, bool] = OrderedDict()
        self.base_phrases: dict = {}
        self.lexicon: Lexicon | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ concepts
    def concept(self, concept_id: str) -> Concept | None:
        """The concept, read from the store if not yet kept (None: the store has no such concept)."""
        with self._lock:
            if concept_id in self.kept:
                self.kept.move_to_end(concept_id)
                return self.kept[concept_id]
        self.prefetch([concept_id])
        with self._lock:
            return self.kept.get(concept_id)

    def prefetch(self, ids: Iterable[str], most: int = 500) -> None:
        """Read the concepts among ``ids`` not kept yet: one query per ``limits.batch`` ids, ``most`` ids in all."""
        preloaded = self.knowledge.concepts
        with self._lock:
            wanted = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i not in self.kept
                      and not dict.__contains__(preloaded, i)][:most]
        for start in range(0, len(wanted), self.limits.batch):
            chunk = wanted[start:start + self.limits.batch]
            self._remember(self._read([TERM + i for i in chunk]), missing=chunk)

    def _read(self, iris: list[str]) -> list[Concept]:
        """One query: the concepts' glossary triples and their values' statements, read as the loader reads them."""
        from rdflib import OWL, RDF, Graph, URIRef
        from rdflib.namespace import SKOS

        from kg.engine.load import read_knowledge

        if not iris:
            return []
        values = " ".join(full_iri_ref(i) for i in iris)
        text = (f"{_HEAD}SELECT ?s ?p ?o WHERE {{ {{ VALUES ?s {{ {values} }} {GLOSSARY_PART} }} UNION "
                f"{{ VALUES ?c {{ {values} }} ?s rdf:subject ?c ; rdf:object ?v . FILTER(isLiteral(?v)) "
                f"?s ?p ?o . }} }} LIMIT {len(iris) * 500}")
        graph = Graph()
        for row in self.runner.select(text):
            if {"s", "p", "o"} <= row.keys():
                graph.add((_term(row["s"]), _term(row["p"]), _term(row["o"])))
        wanted = set(iris)
        for node in {s for s in graph.subjects() if str(s) in wanted}:
            graph.add((node, RDF.type, SKOS.Concept))
        for attribute in self.knowledge.attributes.values():  # so values are read as the schema declares them
            graph.add((URIRef(attribute.iri), RDF.type, OWL.DatatypeProperty))
        read = read_knowledge(graph)
        with self._lock:
            self.knowledge.value_sources.update(read.value_sources)
        return [read.concepts[k] for k in sorted(read.concepts)]

    def _remember(self, concepts: list[Concept], missing: Iterable[str] = ()) -> None:
        """Keep ``concepts`` (and ``missing`` ids as absent), their names in the phrase layer; evict the oldest."""
        lexicon = Lexicon.build(terms=((c.id, c.names()) for c in concepts), classes=(), relations=())
        with self._lock:
            for concept_id in missing:
                self.kept.setdefault(concept_id, None)
            for concept in concepts:
                self.kept[concept.id] = concept
                self.kept.move_to_end(concept.id)
            for key, entries in lexicon.phrases.items():
                known = self.names.setdefault(key, [])
                known += [e for e in entries if e not in known]
            if self.lexicon is not None:
                self.lexicon.term_names.update(lexicon.term_names)
                self.lexicon.max_words = max(self.lexicon.max_words, min(lexicon.max_words, SPAN_WORDS))
            while len(self.kept) > self.limits.kept:
                self._evict(*self.kept.popitem(last=False))

    def _evict(self, concept_id: str, concept: Concept | None) -> None:
        if concept is None:
            return
        for key in Lexicon.build(terms=[(concept_id, concept.names())], classes=(), relations=()).phrases:
            self.spans.pop(key, None)  # so a question naming it looks it up again
            entries = [e for e in self.names.get(key, ()) if e.value != concept_id]
            if entries:
                self.names[key] = entries
            else:
                self.names.pop(key, None)
        if self.lexicon is not None:
            self.lexicon.term_names.pop(concept_id, None)

    # ------------------------------------------------------------------ names in questions
    def learn(self, text: str) -> None:
        """Read the concepts ``text`` names that are not known yet (see the module's docstring)."""
        from queries.lexer import words_of

        words = words_of(text[:1000])
        spans = self._unknown_spans(words)
        if not spans:
            return
        names = {v for span in spans for v in _variants(span)}
        literals = " ".join(_literal(n, lang) for n in sorted(names)
                            for lang in ("ko" if _HANGUL.search(n) else "en", None))
        found = self._search(f"VALUES ?name {{ {literals} }} {_NAMES}")
        self._take(found)
        uncovered = self._uncovered(words)
        if uncovered:
            lowered = ", ".join(_literal(s.lower(), None) for s in sorted(uncovered))
            self._take(self._search(f"{_NAMES} FILTER(LCASE(STR(?name)) IN ({lowered}))"))
        with self._lock:
            for span in spans:
                self.spans[normalize(span)] = True
            while len(self.spans) > self.limits.spans:
                self.spans.popitem(last=False)

    def _take(self, iris: list[str]) -> None:
        self.prefetch([iri[len(TERM):] for iri in iris if iri.startswith(TERM)], most=self.limits.found)

    def _search(self, pattern: str) -> list[str]:
        text = f"{_HEAD}SELECT DISTINCT ?s WHERE {{ {pattern} ?s a skos:Concept . }} LIMIT {self.limits.found}"
        return [str(row["s"]) for row in self.runner.select(text) if "s" in row]

    def _known(self, key: str) -> bool:
        from queries.parser import keywords

        return key in keywords() or key in self.base_phrases or key in self.names

    def _unknown_spans(self, words: list[tuple[str, int]]) -> list[str]:
        """The word spans not known as a phrase nor looked up before, at most ``spans_per_question``.

        A span starting or ending with a keyword or an everyday word ("what", "is", "to") names nothing.
        """
        from queries.free.analyse import stop_words
        from queries.parser import keywords

        edges = keywords() | stop_words("en") | stop_words("ko")
        keys = [normalize(w) for w, _ in words]
        spans = []
        for i in range(len(words)):
            for n in range(1, min(SPAN_WORDS, len(words) - i) + 1):
                if keys[i] in edges or keys[i + n - 1] in edges:
                    continue
                span = " ".join(w for w, _ in words[i:i + n])
                key = normalize(span)
                with self._lock:
                    seen = key in self.spans
                if key and not seen and not self._known(key) and span not in spans:
                    spans.append(span)
        return spans[: self.limits.spans_per_question]

    def _uncovered(self, words: list[tuple[str, int]]) -> list[str]:
        """The spans around each word no known phrase covers (stop words aside), for the case-insensitive match."""
        from queries.free.analyse import stop_words

        stops = stop_words("en") | stop_words("ko")
        keys = [normalize(w) for w, _ in words]
        covered = [False] * len(words)
        for i in range(len(words)):
            for n in range(1, min(6, len(words) - i) + 1):
                if self._known("".join(keys[i:i + n])):
                    covered[i:i + n] = [True] * n
        spans: list[str] = []
        for i in range(len(words)):
            if covered[i] or keys[i] in stops or not keys[i]:
                continue
            for start in range(max(0, i - SPAN_WORDS + 1), i + 1):
                for end in range(i + 1, min(len(words), start + SPAN_WORDS) + 1):
                    span = " ".join(w for w, _ in words[start:end])
                    if span not in spans:
                        spans.append(span)
        return spans[: self.limits.spans_per_question]


class StoreConcepts(dict):
    """``knowledge.concepts`` for a store: the preloaded concepts (iterated), then any other read when asked for."""

    def __init__(self, preloaded: dict[str, Concept]) -> None:
        super().__init__(preloaded)
        self.terms: StoreTerms | None = None

    def _lazy(self, concept_id: object) -> Concept | None:
        if self.terms is None or not isinstance(concept_id, str) or not concept_id:
            return None
        return self.terms.concept(concept_id)

    def get(self, concept_id: Any, default: Any = None) -> Any:
        found = dict.get(self, concept_id)
        if found is None:
            found = self._lazy(concept_id)
        return default if found is None else found

    def __contains__(self, concept_id: object) -> bool:
        return dict.__contains__(self, concept_id) or self._lazy(concept_id) is not None

    def __getitem__(self, concept_id: str) -> Concept:
        found = self.get(concept_id)
        if found is None:
            raise KeyError(concept_id)
        return found


class StorePhrases(dict):
    """The lexicon's phrase table: the schema's and preloaded concepts' phrases (iterated), then the learned names."""

    def __init__(self, base: dict[str, list[Entry]], terms: StoreTerms) -> None:
        super().__init__(base)
        self.terms = terms

    def get(self, key: Any, default: Any = None) -> Any:
        base = dict.get(self, key)
        learned = self.terms.names.get(key)
        if learned is None:
            return default if base is None else base
        return learned if base is None else base + [e for e in learned if e not in base]

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.terms.names

    def __iter__(self) -> Iterator[str]:
        with self.terms._lock:
            learned = [k for k in self.terms.names if not dict.__contains__(self, k)]
        yield from dict.__iter__(self)
        yield from learned

    def __getitem__(self, key: str) -> list[Entry]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found


class StoreLexicon(Lexicon):
    """A :class:`Lexicon` whose terms are also read from the store as questions name them (:meth:`learn`)."""

    terms: StoreTerms | None = None
    _generation: tuple[int, Lexicon] | None = None

    def learn(self, text: str) -> Lexicon:
        """Read the terms ``text`` names from the store; the lexicon to parse it with.

        That is a new object whenever names were learned since the last one: a parser may keep
        tables per lexicon object (see :class:`queries.lexer.VocabularyLexer`).
        """
        if self.terms is None:
            return self
        self.terms.learn(text)
        size = len(self.terms.names)
        current = self._generation
        if current is None or current[0] != size:
            current = self._generation = (size, copy.copy(self))
        return current[1]


class StoreGlossary(Glossary):
    """A :class:`Glossary` that looks a name up in the store when no preloaded concept answers to it."""

    terms: StoreTerms | None = None

    def lookup(self, text: str) -> list[Concept]:
        found = super().lookup(text)
        if found or self.terms is None:
            return found
        self.terms.learn(text)
        ids = [e.value for e in self.terms.names.get(normalize(text), ()) if e.kind == "TERM" and e.rank == 0]
        return [c for c in (self.terms.concept(i) for i in dict.fromkeys(ids)) if c is not None]


def lazy_parts(knowledge: Any, runner: Any, lexicon: Lexicon, glossary: Glossary,
               limits: LazyLimits = LazyLimits()) -> tuple[StoreLexicon, StoreGlossary, StoreTerms]:
    """Make ``knowledge.concepts``, the lexicon and the glossary read concepts from the store as needed."""
    terms = StoreTerms(runner, knowledge, limits)
    concepts = StoreConcepts(knowledge.concepts)
    knowledge.concepts = concepts
    terms.base_phrases = lexicon.phrases
    fields = {name: getattr(lexicon, name) for name in lexicon.__dataclass_fields__}
    store_lexicon = StoreLexicon(**{**fields, "phrases": StorePhrases(lexicon.phrases, terms)})
    store_lexicon.terms = terms
    terms.lexicon = store_lexicon
    store_glossary = StoreGlossary(dict.values(concepts))
    store_glossary.terms = terms
    store_lexicon.suggest = store_glossary.suggest
    concepts.terms = terms
    return store_lexicon, store_glossary, terms

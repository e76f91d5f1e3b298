"""The facade: load the knowledge, ask questions, define and search terms.

It only wires the stages together: the engine builds a core (:mod:`kg.engine.core`) and answers
through a back-end (:mod:`kg.engine.local`); the answers come from :mod:`kg.answers`. No stage
calls back into this class.

>>> g = KnowledgeGraph.load()
>>> g.ask("what stores EBS backups").answers[0].label
'Amazon S3'
>>> g.define("Lamda").answers[0].id
'Lambda'
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.answers.answer import Answer, Entity, Evidence
from kg.answers.describe import Describer
from kg.answers.language import answer_lang
from kg.answers.messages import say
from kg.answers.render import EVIDENCE_LIMIT
from kg.engine.backend import Backend
from kg.engine.core import Core, check_user_data, fingerprint, load_core
from kg.engine.errors import AmbiguousTermError, UnknownTermError
from kg.engine.evaluate import Result
from kg.engine.glossary import SearchHit
from kg.engine.local import LocalBackend
from kg.engine.model import Fact
from ontology import data_files
from queries import ast
from queries.errors import AmbiguityError, QueryError
from queries.relation_ids import BUILTIN_IDS, TYPE

__all__ = ["KnowledgeGraph"]

SEARCH_LIMIT_MAX = 1000
SEARCH_TEXT_MAX = 1000


class KnowledgeGraph:
    """The bundled knowledge (plus a user's Turtle files) with questions, definitions and search.

    Instances are read-only after loading and safe to share between threads.
    """

    def __init__(self, core: Core, files: Sequence[Path]) -> None:
        self.files = tuple(files)
        self.knowledge = core.knowledge
        self.store = core.store
        self.glossary = core.glossary
        self.lexicon = core.lexicon
        self.relations = core.knowledge.relations
        self.provenance: dict[str, dict] = core.provenance or {}
        self.warnings: list[str] = list(core.warnings)
        self.backend = LocalBackend(core.store, core.knowledge.relations)
        self.describer = Describer(core.knowledge, self.backend, self.provenance)
        self.allow_override = False
        self.fingerprint = ""  # set by load()
        self._rdf = None
        self._rdf_lock = threading.Lock()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, extra: Sequence[str | Path] = (), *, cache: bool = True, validate: bool = True,
             allow_override: bool = False, kb: Sequence[str | Path] = ()) -> KnowledgeGraph:
        """The bundled knowledge plus ``extra`` RDF files; with ``kb``, only the ``kb`` files (and ``extra``).

        A file not written to the project's profile is read as a SKOS/RDFS/OWL vocabulary
        (:mod:`kg.engine.vocab`) and checked against the SKOS checks; their warnings are in ``warnings``.

        Extra files are checked first (Turtle syntax, then what the SHACL shapes require, checked
        directly by :mod:`kg.engine.checks`, then conflicts with the bundled knowledge, see
        :mod:`kg.engine.conflicts`); a broken or conflicting one raises
        :class:`~kg.engine.errors.DataError` and nothing is loaded. ``allow_override`` accepts conflicts
        (each becomes a warning). Names shared with the bundled knowledge are in ``warnings``.
        """
        from kg.engine.limits import check_file

        extra_paths = [Path(p) for p in (*kb, *extra)]
        for path in extra_paths:  # before anything reads them: a directory, device or huge file stops here
            check_file(path)
        files = extra_paths if kb else [*data_files(), *extra_paths]
        overrides = check_user_data(extra_paths, validate, allow_override, kb=bool(kb)) if extra_paths else []
        key = fingerprint(files)  # the cache key, and what /healthz reports as loaded
        g = cls(load_core(files, cache, key), files)
        g.fingerprint = key
        g.warnings += overrides
        g.allow_override = allow_override
        return g

    @classmethod
    def connect(cls, url: str, graph: str | None = None) -> KnowledgeGraph:
        """The knowledge in a SPARQL store (as `kg push` leaves it), answered through SPARQL only.

        Queries go to ``graph``, else the store's default graph. Credentials come only from
        $CLOUDKG_ENDPOINT_USER and $CLOUDKG_ENDPOINT_PASSWORD; see :mod:`kg.engine.remote`.
        """
        from kg.engine.remote import connect_endpoint

        core, backend, key = connect_endpoint(url, graph)
        g = cls(core, ())
        g.fingerprint = key
        return g.using(backend)

    def using(self, backend: Backend) -> KnowledgeGraph:
        """The same knowledge answered through another back-end (e.g. a SPARQL store holding `kg export`).

        >>> import pyoxigraph
        >>> from kg.engine.sparql_backend import OxigraphRunner, SparqlBackend
        >>> g = KnowledgeGraph.load()
        >>> store = pyoxigraph.Store()
        >>> store.load(g.export("nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
        >>> g.using(SparqlBackend(OxigraphRunner(store), g.relations)).ask("what is ECS built on").text
        'Amazon EC2.'
        """
        other = copy.copy(self)
        other.backend = backend
        other.describer = Describer(self.knowledge, backend, self.provenance)
        return other

    # ------------------------------------------------------------------ questions
    def parse(self, text: str) -> ast.Query:
        """The AST of a question; raises :class:`QueryError`."""
        from queries.parser import parse

        # A large store's terms are looked up as questions name them (kg.engine.remote_terms).
        query = parse(text, self.lexicon.learn(text) if hasattr(self.lexicon, "learn") else self.lexicon)
        self._check_terms(query)
        return query

    def ask(self, text: str, lang: str | None = None, evidence: int | None = EVIDENCE_LIMIT) -> Answer:
        """Answer a question; a bad question gives an Answer whose ``error`` says why.

        ``lang`` ("en" or "ko") is the answer's language; None answers in the question's own.
        ``evidence`` is how many facts to explain (None: all; ``evidence_total`` counts the rest).
        """
        lang = answer_lang(text, lang)
        try:
            query = self.parse(text)
        except AmbiguityError as error:
            choices = [(c, self.label(c)) for c in error.choices]
            return self._clarify(text, AmbiguousTermError(text, choices), lang)
        except QueryError as error:
            from kg.answers.chat import error_answer, mentions_answer
            from kg.answers.interpret import interpret_answer
            from queries.free.suggest import readable_error

            found = (interpret_answer(self.describer, self.lexicon, self.backend, text, lang, self._sparql_of)
                     or mentions_answer(self.describer, self.lexicon, text, error, lang))
            return (found or error_answer(text, readable_error(error, text), lang)).note_user_data()
        try:
            result = self.backend.run(query)
        except QueryError as error:  # e.g. QueryTooBroad: over the evaluation's step budget
            from kg.answers.chat import error_answer

            return error_answer(text, error, lang)
        if _found_nothing(result):
            found = self._interpret_instead(text, lang)
            if found is not None:
                return found
        answer = self._render(text, query, result, lang, evidence)
        if isinstance(query, ast.Expand):
            from kg.answers.interpret import note_expansion

            note_expansion(self.describer, answer, query)
        return answer

    def _interpret_instead(self, text: str, lang: str) -> Answer | None:
        """The interpreter's answer when the grammar's reading found nothing and it finds something."""
        from kg.answers.interpret import substantive_answer

        return substantive_answer(self.describer, self.lexicon, self.backend, text, lang, self._sparql_of)

    def sparql(self, text: str) -> str:
        """The SPARQL 1.1 text of a question; raises :class:`QueryError`."""
        return self._sparql_of(self.parse(text), text)

    def _sparql_of(self, query: ast.Query, text: str) -> str:
        """The SPARQL of a parsed question, naming concepts by their own IRIs (a --kb vocabulary's)."""
        from queries.sparql import to_sparql

        return _own_iris(to_sparql(query, self.relations, question=text), self.knowledge)


    def _check_terms(self, query: ast.Query) -> None:
        concepts, classes = self.knowledge.concepts, self.knowledge.classes  # no union: that copies every id
        for node in _terms_of(query):
            if node.id not in concepts and node.id not in classes:
                raise QueryError(f"unknown term ':{node.id}'", suggestions=self.glossary.suggest(node.id))

    # ------------------------------------------------------------------ glossary
    def resolve(self, term: str):
        """The concept named ``term``; raises Unknown/AmbiguousTermError."""
        return self.glossary.resolve(term)

    def define(self, term: str, lang: str | None = None) -> Answer:
        """The glossary card of a term, as an Answer of kind ``definition`` (``lang`` None: the term's language)."""
        lang = answer_lang(term, lang)
        try:
            concept = self.resolve(term)
        except UnknownTermError as error:
            from kg.answers.chat import error_answer

            answer = error_answer(term, QueryError(f"unknown term {term!r}", suggestions=error.suggestions), lang)
            answer.text = str(error)
            return answer
        except AmbiguousTermError as error:
            return self._clarify(term, error, lang)
        return self._render(term, ast.Define(ast.Term(concept.id)), Result("definition", term=concept.id), lang)

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        """Concepts ranked by how well their names (or definitions) match ``text``.

        Raises ``ValueError`` for a limit outside 1–1000 or a text over 1000 characters.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= SEARCH_LIMIT_MAX:
            raise ValueError(f"the search limit must be a whole number from 1 to {SEARCH_LIMIT_MAX}, not {limit!r}")
        if not isinstance(text, str) or len(text) > SEARCH_TEXT_MAX:
            raise ValueError(f"the search text must be a string of at most {SEARCH_TEXT_MAX} characters")
        return self.glossary.search(text, limit)

    def conversation(self, turns: int = 5):
        """A :class:`~kg.answers.conversation.Conversation`: questions in turns, pronouns and follow-ups resolved."""
        from kg.answers.conversation import Conversation

        return Conversation(self, turns=turns)

    def card(self, concept_id: str, lang: str = "en") -> dict[str, Any]:
        """Everything the glossary knows of one concept, relations in both directions included."""
        return self.describer.card(concept_id, lang)

    # ------------------------------------------------------------------ rendering
    def label(self, node_id: str, lang: str = "en") -> str:
        return self.describer.label(node_id, lang)

    def sentence(self, fact: Fact, lang: str = "en") -> str:
        """A fact as a short sentence (see :meth:`kg.answers.describe.Describer.sentence`)."""
        return self.describer.sentence(fact, lang)

    def evidence(self, facts: Sequence[Fact], lang: str = "en") -> list[Evidence]:
        """Facts as evidence: inferred ones with their rule and the asserted facts behind them."""
        return self.describer.evidence(facts, lang)

    def user_file(self, fact: Fact) -> str | None:
        """The user file a fact rests on, else None."""
        return self.describer.user_file(fact)

    def definition_evidence(self, concept_id: str, lang: str = "en") -> Evidence:
        return self.describer.definition_evidence(concept_id, lang)

    def entity(self, node_id: str, lang: str = "en") -> Entity:
        return self.describer.entity(node_id, lang)

    def _render(self, text: str, query: ast.Query, result: Result, lang: str,
                evidence: int | None = EVIDENCE_LIMIT) -> Answer:
        from kg.answers.render import render_answer

        answer = render_answer(self.describer, text, query, result, lang, evidence)
        answer._sparql = lambda: self._sparql_of(query, text)
        return answer.note_user_data()

    def _clarify(self, term: str, error: AmbiguousTermError, lang: str) -> Answer:
        choices = [self.entity(cid, lang) for cid, _ in error.choices]
        names = ", ".join(c.label for c in choices)
        text = say("can_mean", lang, term=term, names=names)
        return Answer(question=term, kind="clarify", answers=choices, text=text, lang=lang,
                      followups=[say("followup_define", lang, label=c.label) for c in choices][:3])

    # ------------------------------------------------------------------ figures and export
    def stats(self) -> dict[str, Any]:
        """Counts of concepts, relations and facts, and the gaps in the knowledge."""
        k, store = self.knowledge, self.store
        asserted = sum(1 for d in store.derivations.values() if d is None)
        related = {f[0] for f in k.facts if f[1] != TYPE} | {f[2] for f in k.facts if f[1] != TYPE}
        concepts = k.concepts.values()
        return {
            "concepts": len(k.concepts),
            "classes": len(k.classes),
            "relations": len([r for r in k.relations.values() if r.id not in BUILTIN_IDS]),
            "asserted_facts": asserted,
            "values": sum(len(c.values) for c in concepts),
            "inferred_facts": len(store) - asserted,
            "sources": len(k.sources),
            "triples": k.triples,
            "gaps": {
                "without_korean_definition": sorted(c.id for c in concepts if "ko" not in c.definitions),
                "without_korean_label": sorted(c.id for c in concepts if "ko" not in c.labels),
                "without_relations": sorted(c.id for c in concepts if c.id not in related),
                "without_source": sorted(c.id for c in concepts if not c.sources),
            },
        }

    def rdf(self):
        """The asserted data as an rdflib Graph (parsed on first use)."""
        with self._rdf_lock:  # parsed once even when many threads ask at the same moment
            if self._rdf is None:
                from kg.engine.load import parse_files

                self._rdf = parse_files(self.files)
        return self._rdf

    def export(self, fmt: str = "ttl", inferred: bool = False, lang: str = "en") -> str:
        """The knowledge as RDF for triple stores (ttl, nt, jsonld, xml) or a graph file (dot, graphml)."""
        from kg.answers.export import Exported, export_graph

        return export_graph(Exported(self.knowledge, self.store, self.rdf), fmt, inferred, lang=lang)


def _own_iris(sparql: str, knowledge) -> str:
    """``ck:ID`` references rewritten to the concept's own IRI where it is not in the cloudkg namespace."""
    import re

    from ontology import TERM
    from queries.sparql import full_iri_ref, iri_ref

    def own(match: re.Match) -> str:
        ref = match.group()
        local = ref[3:] if ref.startswith("ck:") else None
        concept = knowledge.concepts.get(local) if local else None
        if concept is None or concept.iri == TERM + concept.id or iri_ref(TERM, concept.id) != ref:
            return ref
        return full_iri_ref(concept.iri)

    return re.sub(r"(?<![\w:])ck:[A-Za-z0-9_\-]+", own, sparql)


def _terms_of(query: ast.Query) -> list[ast.Term]:
    return ast.terms_of(query)


def _found_nothing(result: Result) -> bool:
    """Whether the grammar's reading came back empty: no values, a zero count, or "No" for want of a fact."""
    if result.kind == "entities":
        return not result.values
    if result.kind == "count":
        return not result.count
    return result.kind == "boolean" and result.boolean is False and result.basis == "absent"

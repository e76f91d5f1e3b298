"""The facade: load the knowledge, ask questions, define and search terms.

>>> g = KnowledgeGraph.load()
>>> g.ask("what stores EBS backups").answers[0].label
'Amazon S3'
>>> g.define("Lamda").answers[0].id
'Lambda'
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg.answers.answer import Answer, Entity, Evidence
from kg.engine.errors import AmbiguousTermError, DataError, UnknownTermError
from kg.engine.evaluate import Result, evaluate
from kg.engine.glossary import Glossary, SearchHit
from kg.engine.model import Fact, Knowledge
from kg.engine.store import Store
from ontology import data_files
from queries import ast
from queries.errors import AmbiguityError, QueryError
from queries.lexicon import Lexicon

__all__ = ["KnowledgeGraph"]

CACHE_FORMAT = 4
SEARCH_LIMIT_MAX = 1000
SEARCH_TEXT_MAX = 1000
_CODE_FILES = ("engine/load.py", "engine/infer.py", "engine/store.py", "engine/glossary.py", "engine/model.py", "graph.py",
               "engine/cache.py")


def _fingerprint(files: Sequence[Path]) -> str:
    digest = hashlib.sha256(f"format={CACHE_FORMAT}".encode())
    here = Path(__file__).parent
    queries_dir = here.parent / "queries"
    for code in [*(here / name for name in _CODE_FILES), *sorted(queries_dir.glob("*.py"))]:
        stat = code.stat()
        digest.update(f"{code.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for path in files:
        digest.update(str(path).encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:24]


@dataclass
class _Core:
    knowledge: Knowledge
    store: Store
    glossary: Glossary
    lexicon: Lexicon
    # What comes from user files (see kg.engine.conflicts.empty_provenance) and the shared-name warnings:
    # plain data, so that the cache needs no more classes.
    provenance: dict[str, dict] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        # The lexicon's suggest is a bound method: a cache must not name functions, so it is
        # dropped here and linked again on load.
        state = dict(self.__dict__)
        state["lexicon"] = replace(self.lexicon, suggest=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lexicon.suggest = self.glossary.suggest


def _build_lexicon(knowledge: Knowledge, glossary: Glossary) -> Lexicon:
    return Lexicon.build(
        terms=((c.id, c.names()) for c in knowledge.concepts.values()),
        classes=((c.id, [n for n, _ in c.nouns], [n for n, _ in c.plurals] +
                  [n for n, lang in c.nouns if lang != "en"]) for c in knowledge.classes.values()),
        relations=knowledge.relations.values(),
        suggest=glossary.suggest,
    )


def _build(files: Sequence[Path]) -> _Core:
    from kg.engine.conflicts import shared_name_warnings, split_files, user_provenance
    from kg.engine.infer import materialise
    from kg.engine.load import parse_files, read_knowledge

    bundled_files, user_files = split_files(files)
    graph = bundled = _bundled_graph(bundled_files)
    user = {str(p): parse_files([p]) for p in user_files}
    if user:  # the bundled graph stays apart so that what each user file brings can be marked
        graph = parse_files([])
        for part in (bundled, *user.values()):
            graph += part
    knowledge = read_knowledge(graph, files)
    inferred = materialise(knowledge.facts, knowledge.relations,
                           source=", ".join(str(p) for p in user_files) or "inference")
    store = Store(inferred, knowledge.facts)
    glossary = Glossary(knowledge.concepts.values())
    provenance = user_provenance(bundled, user, knowledge) if user else {}
    warnings = tuple(shared_name_warnings(bundled, user)) if user else ()
    return _Core(knowledge, store, glossary, _build_lexicon(knowledge, glossary), provenance, warnings)


def _cached_classes() -> list[type]:
    """The only classes a cache file may name (see :func:`kg.engine.cache.safe_loads`)."""
    from networkx import MultiDiGraph

    from kg.engine.infer import Derivation
    from kg.engine.model import ClassInfo, Concept
    from queries.lexicon import Entry, RelationInfo

    return [_Core, Knowledge, Store, Glossary, Lexicon, Derivation, ClassInfo, Concept, Entry, RelationInfo,
            MultiDiGraph]


def _load_core(files: Sequence[Path], use_cache: bool, fingerprint: str) -> _Core:
    if not use_cache:
        return _build(files)
    from kg.engine.cache import cache_dir, private_dir, read_private, safe_loads, write_private

    folder = private_dir(cache_dir())
    if folder is None:
        return _build(files)
    path = folder / f"kb-{fingerprint}.pickle"
    data = read_private(path)
    if data is not None:
        try:
            core = safe_loads(data, _cached_classes())
            if isinstance(core, _Core):
                return core
        except Exception:  # a stale or damaged cache file: rebuild it
            pass
    core = _build(files)
    write_private(path, pickle.dumps(core, protocol=pickle.HIGHEST_PROTOCOL))
    return core


_BUNDLED: dict[tuple, Any] = {}
_BUNDLED_LOCK = threading.Lock()


def _bundled_graph(files: Sequence[Path]):
    """The bundled files parsed once per process (per content): callers only read it."""
    from kg.engine.load import parse_files

    key = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    with _BUNDLED_LOCK:
        if key not in _BUNDLED:
            _BUNDLED.clear()
            _BUNDLED[key] = parse_files(files)
        return _BUNDLED[key]


def _check_user_data(paths: Sequence[Path], validate: bool, allow_override: bool) -> list[str]:
    """Validate user files and check them for conflicts; the conflicts accepted by ``allow_override``."""
    from kg.engine.conflicts import conflict_error, find_conflicts
    from kg.engine.load import parse_files

    bundled = _bundled_graph(data_files())
    user = {str(p): parse_files([p]) for p in paths}
    if validate:
        from kg.engine.validate import validate_parts

        report = validate_parts(bundled, user)
        if not report.conforms:
            raise DataError(str(paths[0]), None, "does not satisfy the shapes", report.messages)
    conflicts = find_conflicts(bundled, user)
    if conflicts and not allow_override:
        raise conflict_error(conflicts)
    return [f"overriding the bundled knowledge: {c.describe()}" for c in conflicts]


class KnowledgeGraph:
    """The bundled knowledge (plus a user's Turtle files) with questions, definitions and search.

    Instances are read-only after loading and safe to share between threads.
    """

    def __init__(self, core: _Core, files: Sequence[Path]) -> None:
        self._core = core
        self.files = tuple(files)
        self.knowledge = core.knowledge
        self.store = core.store
        self.glossary = core.glossary
        self.lexicon = core.lexicon
        self.relations = core.knowledge.relations
        self.provenance: dict[str, dict] = core.provenance or {}
        self.warnings: list[str] = list(core.warnings)
        self.allow_override = False
        self.fingerprint = ""  # set by load()
        self._rdf = None
        self._rdf_lock = threading.Lock()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, extra: Sequence[str | Path] = (), *, cache: bool = True, validate: bool = True,
             allow_override: bool = False) -> KnowledgeGraph:
        """The bundled knowledge plus ``extra`` Turtle files.

        Extra files are checked first (Turtle syntax, then the SHACL shapes, then conflicts with
        the bundled knowledge, see :mod:`kg.engine.conflicts`); a broken or conflicting one raises
        :class:`~kg.engine.errors.DataError` and nothing is loaded. ``allow_override`` accepts conflicts
        (each becomes a warning). Names shared with the bundled knowledge are in ``warnings``.
        """
        from kg.engine.limits import check_file

        extra_paths = [Path(p) for p in extra]
        for path in extra_paths:  # before anything reads them: a directory, device or huge file stops here
            check_file(path)
        files = [*data_files(), *extra_paths]
        overrides = _check_user_data(extra_paths, validate, allow_override) if extra_paths else []
        fingerprint = _fingerprint(files)  # the cache key, and what /healthz reports as loaded
        g = cls(_load_core(files, cache, fingerprint), files)
        g.fingerprint = fingerprint
        g.warnings += overrides
        g.allow_override = allow_override
        return g

    # ------------------------------------------------------------------ questions
    def parse(self, text: str) -> ast.Query:
        """The AST of a question; raises :class:`QueryError`."""
        from queries.parser import parse

        query = parse(text, self.lexicon)
        self._check_terms(query)
        return query

    def ask(self, text: str, lang: str = "en") -> Answer:
        """Answer a question; a bad question gives an Answer whose ``error`` says why."""
        try:
            query = self.parse(text)
        except AmbiguityError as error:
            choices = [(c, self.label(c)) for c in error.choices]
            return self._clarify(text, AmbiguousTermError(text, choices), lang)
        except QueryError as error:
            from kg.answers.chat import error_answer, mentions_answer

            return (mentions_answer(self, text, error, lang) or error_answer(self, text, error, lang)).note_user_data()
        try:
            result = evaluate(query, self.store, self.relations)
        except QueryError as error:  # e.g. QueryTooBroad: over the evaluation's step budget
            from kg.answers.chat import error_answer

            return error_answer(self, text, error, lang)
        return self._render(text, query, result, lang)

    def sparql(self, text: str) -> str:
        """The SPARQL 1.1 text of a question; raises :class:`QueryError`."""
        from queries.sparql import to_sparql

        return to_sparql(self.parse(text), self.relations, question=text)

    def _check_terms(self, query: ast.Query) -> None:
        known = self.knowledge.concepts.keys() | self.knowledge.classes.keys()
        for node in _terms_of(query):
            if node.id not in known:
                raise QueryError(f"unknown term ':{node.id}'", suggestions=self.glossary.suggest(node.id))

    # ------------------------------------------------------------------ glossary
    def resolve(self, term: str):
        """The concept named ``term``; raises Unknown/AmbiguousTermError."""
        return self.glossary.resolve(term)

    def define(self, term: str, lang: str = "en") -> Answer:
        """The glossary card of a term, as an Answer of kind ``definition``."""
        try:
            concept = self.resolve(term)
        except UnknownTermError as error:
            from kg.answers.chat import error_answer

            answer = error_answer(self, term, QueryError(f"unknown term {term!r}", suggestions=error.suggestions), lang)
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

    def tool_schemas(self) -> list[dict[str, Any]]:
        """JSON Schema function definitions (ask, define, search, sparql) a bot framework can register."""
        from kg.faces.tools import tool_schemas

        return tool_schemas()

    def call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run a tool by name with JSON arguments, as a bot framework would."""
        from kg.faces.tools import call_tool

        return call_tool(self, name, arguments)

    def card(self, concept_id: str, lang: str = "en") -> dict[str, Any]:
        """Everything the glossary knows of one concept, relations in both directions included."""
        k = self.knowledge
        c = k.concepts[concept_id]
        outgoing, incoming = [], []
        for fact, forward in sorted(self.store.neighbours(concept_id)):
            if not self.store.is_asserted(fact) and fact[1] not in ("type",):
                continue
            entry = {"relation": fact[1], "text": self.sentence(fact, lang),
                     "other": fact[2] if forward else fact[0], "inferred": not self.store.is_asserted(fact)}
            (outgoing if forward else incoming).append(entry)
        return {
            "id": c.id, "iri": c.iri, "labels": c.labels,
            "aliases": [name for name, _ in c.aliases], "misspellings": list(c.hidden),
            "abbreviation": c.abbreviation, "expansion": c.expansion, "definitions": c.definitions,
            "category": k.categories.get(c.category or "", {}).get(lang) if c.category else None,
            "values": dict(c.values), "outgoing": outgoing, "incoming": incoming,
            "sources": [self._source(s) for s in c.sources],
        }

    # ------------------------------------------------------------------ rendering
    def label(self, node_id: str, lang: str = "en") -> str:
        return self.knowledge.concept_label(node_id, lang)

    def sentence(self, fact: Fact, lang: str = "en") -> str:
        """A fact as a short sentence; in Korean from the relation's template (else "S —label→ O").

        >>> g = KnowledgeGraph.load()
        >>> g.sentence(("EBSSnapshot", "storedIn", "S3"))
        'EBS snapshot is stored in Amazon S3'
        >>> g.sentence(("EC2", "type", "IaaS"))
        'Amazon EC2 is an IaaS'
        >>> g.sentence(("EBSSnapshot", "storedIn", "S3"), "ko")
        'EBS 스냅샷은 Amazon S3에 저장된다'
        """
        s, p, o = fact
        rel = self.relations.get(p)
        if lang == "ko":
            from kg.answers.korean import render

            if rel is not None and rel.ko_template:
                return render(rel.ko_template, self.label(s, "ko"), self.label(o, "ko"))
            return f"{self.label(s, 'ko')} —{rel.label_ko if rel else p}→ {self.label(o, 'ko')}"
        phrase, obj = rel.label_en if rel else p, self.label(o)
        if phrase.endswith(" a"):  # "is a IaaS" → "is an IaaS"
            from kg.answers.english import article

            phrase = f"{phrase[:-2]} {article(obj)}"
        return f"{self.label(s)} {phrase} {obj}"

    def _source(self, iri: str) -> dict[str, str]:
        return {"id": iri, "label": self.knowledge.sources.get(iri, iri)}

    def _fact_dict(self, fact: Fact, lang: str) -> dict[str, Any]:
        return {"subject": fact[0], "relation": fact[1], "object": fact[2], "text": self.sentence(fact, lang),
                "sources": [self._source(s) for s in self._fact_sources(fact)]}

    def _fact_sources(self, fact: Fact) -> tuple[str, ...]:
        if fact in self.store.sources:
            return self.store.sources[fact]
        return ("https://w3id.org/cloudkg/schema",) if fact[1] in ("subClassOf", "disjointWith") else ()

    def evidence(self, facts: Sequence[Fact], lang: str = "en") -> list[Evidence]:
        """Facts as evidence: inferred ones with their rule and the asserted facts behind them."""
        items = []
        for fact in facts:
            derivation = self.store.derivations.get(fact)
            grounds = tuple(self._ground_dict(g, lang) for g in self.store.grounds(fact)) if derivation else ()
            user = self.user_file(fact) or next((g["user_data"] for g in grounds if "user_data" in g), None)
            items.append(Evidence(fact[0], fact[1], fact[2], self.sentence(fact, lang), derivation is not None,
                                  derivation.rule if derivation else None, grounds,
                                  tuple(self._source(s) for s in self._fact_sources(fact)), user))
        return items

    def _ground_dict(self, fact: Fact, lang: str) -> dict[str, Any]:
        """A ground as a dict, with ``user_data`` only when it rests on a user file."""
        data = self._fact_dict(fact, lang)
        user = self.user_file(fact)
        return {**data, "user_data": user} if user else data

    def user_file(self, fact: Fact) -> str | None:
        """The user file a fact rests on (it asserts the fact, or words or changes its relation), else None."""
        if not self.provenance:
            return None
        facts, relations, renamed = (self.provenance[k] for k in ("facts", "relations", "renamed"))
        return facts.get(fact) or relations.get(fact[1]) or renamed.get(fact[0]) or renamed.get(fact[2])

    def definition_evidence(self, concept_id: str, lang: str = "en") -> Evidence:
        """A glossary entry as evidence: its definition and the sources it cites."""
        concept = self.knowledge.concepts[concept_id]
        return Evidence(concept_id, "definition", concept_id, concept.definition(lang), False,
                        sources=tuple(self._source(s) for s in concept.sources),
                        user_data=self.provenance.get("concepts", {}).get(concept_id))

    def entity(self, node_id: str, lang: str = "en") -> Entity:
        concept = self.knowledge.concepts.get(node_id)
        return Entity(node_id, self.label(node_id, lang), concept.definition(lang) if concept else "")

    def _render(self, text: str, query: ast.Query, result: Result, lang: str) -> Answer:
        from kg.answers.render import render_answer

        answer = render_answer(self, text, query, result, lang)
        from queries.sparql import to_sparql

        answer._sparql = lambda: to_sparql(query, self.relations, question=text)
        return answer.note_user_data()

    def _clarify(self, term: str, error: AmbiguousTermError, lang: str) -> Answer:
        choices = [self.entity(cid, lang) for cid, _ in error.choices]
        names = ", ".join(c.label for c in choices)
        text = f"'{term}'은(는) 여러 뜻이 있습니다: {names}" if lang == "ko" else f"'{term}' can mean: {names}"
        return Answer(question=term, kind="clarify", answers=choices, text=text, lang=lang,
                      followups=[f"define {c.label}" for c in choices][:3])

    # ------------------------------------------------------------------ figures and export
    def stats(self) -> dict[str, Any]:
        """Counts of concepts, relations and facts, and the gaps in the knowledge."""
        k, store = self.knowledge, self.store
        asserted = sum(1 for d in store.derivations.values() if d is None)
        related = {f[0] for f in k.facts if f[1] != "type"} | {f[2] for f in k.facts if f[1] != "type"}
        concepts = k.concepts.values()
        return {
            "concepts": len(k.concepts),
            "classes": len(k.classes),
            "relations": len([r for r in k.relations.values() if r.id not in ("type", "subClassOf", "disjointWith")]),
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
        from kg.faces.export import export_graph

        return export_graph(self, fmt, inferred, lang=lang)


def _terms_of(query: ast.Query) -> list[ast.Term]:
    if isinstance(query, (ast.Define, ast.Expand)):
        return [query.term]
    if isinstance(query, ast.Path):
        return [query.source, query.target]
    return [n for p in query.where for n in (p.subject, p.object) if isinstance(n, ast.Term)]

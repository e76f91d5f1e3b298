"""The knowledge of a SPARQL store, read with SPARQL only: schema and glossary here, facts left in the store.

``kg push`` (or ``kg export --format nt`` loaded any other way) puts the asserted facts, the schema
and the sources into a store. To answer from it, this module fetches with paged ``SELECT ?s ?p ?o``
queries only what the words need — the relations, classes and their phrases and logic, the
concepts' labels, definitions, aliases, abbreviations, categories and sources, and the sources of
attribute values — into an rdflib graph, and reads it with the normal
:func:`kg.engine.load.read_knowledge`. The facts stay in the store: questions go to it through
:class:`~kg.engine.sparql_backend.SparqlBackend`, and a :class:`RemoteExplainer` fetches which
facts are stated and the sources a fact's ``rdf:Statement`` cites, one round trip per subject.

A store of more than ``FetchLimits.eager`` concepts is read lazily: at connect only the schema and
the concepts the bundled knowledge names (so its vocabulary, Korean names and fuzzy suggestions
stay as they are); other concepts are looked up as questions name them and read as answers show
them (:mod:`kg.engine.remote_terms`).

Every fetch is bounded (:class:`FetchLimits`: rows, seconds; the endpoint bounds each answer's
bytes) and shows its progress on a terminal. A runner here must return
:class:`~kg.engine.endpoint.Term` values (an :class:`~kg.engine.endpoint.Endpoint`, or
:class:`OxigraphTermRunner` in process), because labels need their language tags.

>>> import pyoxigraph
>>> from kg import KnowledgeGraph
>>> store = pyoxigraph.Store()
>>> store.load(KnowledgeGraph.load().export("nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
>>> core, backend = remote_core(OxigraphTermRunner(store), "pyoxigraph")
>>> core.knowledge.concepts["S3"].label("ko"), len(core.knowledge.facts) < 100
('Amazon S3', True)
>>> backend.explainer.sources(("EBSSnapshot", "storedIn", "S3"))[:1]
('https://docs.aws.amazon.com/ebs/latest/userguide/ebs-snapshots.html',)
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.engine.endpoint import Endpoint, EndpointError, Term
from kg.engine.errors import KnowledgeError
from kg.engine.evaluate import Result
from kg.engine.remote_terms import GLOSSARY_PART
from kg.engine.sparql_backend import OxigraphRunner, Runner, SparqlBackend
from ontology import TERM
from queries import ast
from queries.relation_ids import DISJOINT_WITH, SUBCLASS_OF, TYPE
from queries.sparql import full_iri_ref, store_prefixes

if TYPE_CHECKING:
    from kg.engine.core import Core
    from kg.engine.infer import Derivation
    from kg.engine.model import Fact, Knowledge
    from kg.engine.remote_terms import StoreTerms

__all__ = ["FetchLimits", "OxigraphTermRunner", "RemoteBackend", "RemoteError", "RemoteExplainer",
           "check_endpoint_url", "connect_endpoint", "fetch_graph", "push_lines", "remote_core", "terminal_progress"]

Progress = Callable[[str, int], None]
"""Called as ``progress(what, rows so far)`` after each page; ``progress("", -1)`` when all is read."""

_HEAD = store_prefixes()
# What the words need, each as the body of `SELECT ?s ?p ?o`. A property chain's RDF list is fetched
# apart, cell by cell; its head's own triple is left out of the schema part so it is read once.
PARTS = {
    "schema": "?s a ?kind . FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty, owl:Class, "
              "ckg:Source, ckg:Category)) ?s ?p ?o . FILTER(?p != owl:propertyChainAxiom)",
    "property chains": "?x owl:propertyChainAxiom ?head . ?head rdf:rest* ?s . ?s ?p ?o . "
                       "FILTER(?p = rdf:first || ?p = rdf:rest)",
    "chain heads": "?s ?p ?o . FILTER(?p = owl:propertyChainAxiom)",
    "glossary": GLOSSARY_PART,
    "value sources": "?s a rdf:Statement ; rdf:object ?v . FILTER(isLiteral(?v)) ?s ?p ?o .",
}


class RemoteError(KnowledgeError):
    """The store cannot be read, or holds too much to read; the message says where and what to do."""


@dataclass(frozen=True)
class FetchLimits:
    """Bounds of reading a store's schema and glossary: rows in all, rows per page, seconds in all.

    A part of at most ``unsorted`` rows is asked for in one answer first (see :func:`_pages`). A store
    holding at most ``eager`` concepts has every concept's names and definitions read at connect;
    a larger one only the schema and the concepts the bundled knowledge names, the rest as needed.
    """

    rows: int = 2_000_000
    page: int = 10_000
    seconds: float = 600.0
    unsorted: int = 100_000
    eager: int = 5_000
    """A store with more concepts than this is read lazily (:mod:`kg.engine.remote_terms`)."""


class OxigraphTermRunner(OxigraphRunner):
    """A pyoxigraph ``Store`` whose rows carry :class:`~kg.engine.endpoint.Term` values (kind, language, datatype)."""

    def select(self, text: str) -> list[dict[str, str]]:
        import pyoxigraph

        solutions = self.store.query(text)
        names = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            row = {}
            for name in names:
                value = solution[name]
                if isinstance(value, pyoxigraph.NamedNode):
                    row[name] = Term(value.value, "uri")
                elif isinstance(value, pyoxigraph.BlankNode):
                    row[name] = Term(value.value, "bnode")
                elif value is not None:
                    row[name] = Term(value.value, "literal", value.language, value.datatype.value)
            rows.append(row)
        return rows

    def results(self, text: str) -> dict[str, Any]:
        """SPARQL JSON results, as an endpoint sends them."""
        import json

        import pyoxigraph

        return json.loads(self.store.query(text).serialize(format=pyoxigraph.QueryResultsFormat.JSON))


class _Guarded:
    """A runner whose failures are :class:`RemoteError` (a clear one-line message, never a traceback)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def select(self, text: str) -> list[dict[str, str]]:
        try:
            return self.runner.select(text)
        except EndpointError as error:
            raise RemoteError(str(error)) from None

    def ask(self, text: str) -> bool:
        try:
            return self.runner.ask(text)
        except EndpointError as error:
            raise RemoteError(str(error)) from None


def _bounded(runner: Runner, seconds: float, max_bytes: int | None = None) -> _Guarded:
    """``runner`` (a guarded endpoint) with a shorter time-out and answer size, for one call."""
    import copy

    inner = runner.runner if isinstance(runner, _Guarded) else runner
    if isinstance(inner, Endpoint):
        inner = copy.copy(inner)
        inner.timeout = min(inner.timeout, seconds)
        inner.max_bytes = min(inner.max_bytes, max_bytes or inner.max_bytes)
    return _Guarded(inner)


# ---------------------------------------------------------------- reading the schema and glossary
def _rdf_term(value: str):
    """An rdflib term for one result value; plain strings cannot carry a language, so they are refused."""
    if not isinstance(value, Term):
        raise RemoteError("the runner returned plain strings; use an Endpoint or OxigraphTermRunner, whose "
                          "values carry their kind and language")
    return value.to_rdflib()


def _check_time(deadline: float, limits: FetchLimits) -> None:
    if time.monotonic() > deadline:
        raise RemoteError(f"reading the schema and glossary took longer than {limits.seconds:g} s; "
                          "is the store busy, or does it hold far more concepts than expected?")


def _pages(runner: Runner, body: str, limits: FetchLimits, deadline: float) -> Iterator[list[dict[str, str]]]:
    """The rows of ``SELECT ?s ?p ?o WHERE { body }``: at once when the store gives them all, else page by page.

    Sorting is most of a store's work here, so a part of at most ``limits.unsorted`` rows is first
    asked for whole, unsorted. Pages are in a fixed order set in a sub-select, so a store that caps
    sorted slices (Virtuoso: 10,000 rows of ``ORDER BY ... OFFSET``) still pages; a page shorter
    than asked (a store's row cap) is fine.
    """
    _check_time(deadline, limits)
    counted = runner.select(f"{_HEAD}SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}")
    total = int(counted[0].get("n", 0)) if counted else 0
    if 0 < total <= limits.unsorted:
        rows = runner.select(f"{_HEAD}SELECT ?s ?p ?o WHERE {{ {body} }} LIMIT {total}")
        if len(rows) == total:  # else the store capped the answer: page in order instead
            yield rows
            return
    offset = 0
    while offset < total:
        _check_time(deadline, limits)
        rows = runner.select(f"{_HEAD}SELECT ?s ?p ?o WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ {body} }} "
                             f"ORDER BY ?s ?p ?o }} }} LIMIT {limits.page} OFFSET {offset}")
        if not rows:
            raise RemoteError(f"the store stopped answering at row {offset:,} of {total:,}; try again, "
                              "or raise its result row limit")
        yield rows
        offset += len(rows)


def fetch_graph(runner: Runner, limits: FetchLimits = FetchLimits(), progress: Progress | None = None,
                parts: dict[str, str] | None = None):
    """The schema, glossary and value sources of the store, as an rdflib Graph (``parts``: :data:`PARTS`)."""
    from rdflib import RDF, Graph
    from rdflib.namespace import SKOS

    graph, total, concepts = Graph(), 0, set()
    iris: dict[str, Any] = {}  # predicates, made once
    deadline = time.monotonic() + limits.seconds
    for what, body in (parts or PARTS).items():
        for rows in _pages(runner, body, limits, deadline):
            total += len(rows)
            if total > limits.rows:
                raise RemoteError(f"the store's schema and glossary are more than {limits.rows:,} rows; "
                                  "answer with --data locally, or raise the limit (FetchLimits.rows)")
            for row in rows:
                if {"s", "p", "o"} <= row.keys():
                    s = iris.get(row["s"]) or _rdf_term(row["s"])
                    p = iris.get(row["p"]) or iris.setdefault(row["p"], _rdf_term(row["p"]))
                    graph.add((s, p, _rdf_term(row["o"])))
                    if what.startswith("glossary") and s not in concepts:
                        concepts.add(s)
                        graph.add((s, RDF.type, SKOS.Concept))
            if progress is not None:
                progress(what, total)
    if progress is not None:
        progress("", -1)
    return graph


def remote_core(runner: Runner, source: str, limits: FetchLimits = FetchLimits(),
                progress: Progress | None = None) -> tuple[Core, RemoteBackend]:
    """A core whose knowledge is the store's schema and glossary (no facts), and the back-end answering from it.

    A store of more than ``limits.eager`` concepts is read lazily: see :mod:`kg.engine.remote_terms`.
    """
    from kg.engine.core import Core, build_lexicon
    from kg.engine.glossary import Glossary
    from kg.engine.load import read_knowledge
    from kg.engine.store import Store

    guarded = _Guarded(runner)
    counted = guarded.select(f"{_HEAD}SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a skos:Concept }}")
    total = int(counted[0].get("n", 0)) if counted else 0
    if not total:
        raise RemoteError(f"{source}: the store holds no skos:Concept; push the knowledge first "
                          "(kg push --endpoint URL --graph IRI), or give the --graph it was pushed to")
    lazy = total > limits.eager
    knowledge = read_knowledge(fetch_graph(guarded, limits, progress, _lazy_parts() if lazy else PARTS), [source])
    glossary = Glossary(knowledge.concepts.values())
    lexicon = build_lexicon(knowledge, glossary)
    terms = None
    if lazy:
        from kg.engine.remote_terms import lazy_parts

        lexicon, glossary, terms = lazy_parts(knowledge, guarded, lexicon, glossary)
    core = Core(knowledge, Store({}, {}), glossary, lexicon)
    backend = RemoteBackend(guarded, knowledge.relations, isolate=True)  # see queries.sparql._isolated
    backend.explainer = RemoteExplainer(guarded, knowledge)
    backend.terms, backend.concept_count = terms, total
    return core, backend


def _lazy_parts() -> dict[str, str]:
    """:data:`PARTS` with the glossary and value sources of the bundled knowledge's concepts only."""
    from kg.engine.core import fingerprint, load_core
    from ontology import data_files

    files = data_files()
    iris = sorted(c.iri for c in load_core(files, True, fingerprint(files)).knowledge.concepts.values())
    parts = {k: v for k, v in PARTS.items() if k not in ("glossary", "value sources")}
    for start in range(0, len(iris), 400):
        values = " ".join(full_iri_ref(i) for i in iris[start:start + 400])
        parts[f"glossary {start}"] = f"VALUES ?s {{ {values} }} " + PARTS["glossary"]
        parts[f"value sources {start}"] = (f"VALUES ?c {{ {values} }} ?s a rdf:Statement ; rdf:subject ?c ; "
                                           "rdf:object ?v . FILTER(isLiteral(?v)) ?s ?p ?o .")
    return parts


class RemoteBackend(SparqlBackend):
    """:class:`SparqlBackend` plus the look-ups answered from what was read: attribute values and comparisons.

    An attribute's value is the concept's (read with the glossary); a comparison lists each term's
    stated facts and those its relations' inverses give (the store holds no other inferred facts).
    """

    terms: StoreTerms | None = None
    concept_count: int = 0
    """How many concepts the store held at connect."""

    def run(self, query: ast.Query) -> Result:
        if isinstance(query, ast.Attribute):
            result = Result("attribute", term=query.term.id, attribute=query.attribute_id)
        elif isinstance(query, ast.Compare):
            result = Result("compare", values=[t.id for t in query.terms],
                            facts=[fact for t in query.terms for fact in self._compared(t.id)])
        else:
            result = super().run(query)
        if self.terms is not None:  # the answer's nodes, read in one query rather than one by one
            nodes = [result.term, *result.values[:200], *(n for f in result.facts[:50] for n in (f[0], f[2])),
                     *(n for path in result.paths for (fact, _) in path for n in (fact[0], fact[2]))]
            self.terms.prefetch(n for n in nodes if n)
        return result

    def stated(self, node: str) -> list[tuple[str, str]]:
        found = super().stated(node)
        if self.terms is not None:
            self.terms.prefetch(o for _, o in found)
        return found

    def store_facts(self, seconds: float = 5.0) -> int:
        """How many triples the store holds (one COUNT query, within ``seconds``); raises :class:`RemoteError`."""
        rows = _bounded(self.runner, seconds).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        try:
            return int(rows[0]["n"])
        except (IndexError, KeyError, ValueError):
            raise RemoteError("the store did not answer a COUNT query with a number") from None

    def forward(self, text: str, seconds: float, max_bytes: int) -> dict[str, Any]:
        """The store's SPARQL JSON results of a read-only ``text`` (checked by the caller), within the bounds."""
        runner = _bounded(self.runner, seconds, max_bytes)
        try:
            return runner.runner.results(text)
        except EndpointError as error:
            raise RemoteError(str(error)) from None

    def _compared(self, term: str) -> list[Fact]:
        stated = list(self.facts(s=term))
        inverse = [(term, self.relations[p].inverse, s) for s, p, _ in self.facts(o=term)
                   if p in self.relations and self.relations[p].inverse in self.relations]
        return list(dict.fromkeys(stated + inverse))


# ---------------------------------------------------------------- explaining facts
class RemoteExplainer:
    """Which facts the store states, and the sources of each (its ``rdf:Statement``'s ``dcterms:source``).

    There are no derivations: the store holds no inferred triples (the SPARQL carries the logic).
    A subject's stated facts and sources come in one query and are kept for the last ``kept`` subjects.
    """

    def __init__(self, runner: Runner, knowledge: Knowledge, kept: int = 256) -> None:
        self.runner = runner
        self.knowledge = knowledge
        self.kept = kept
        self._relation_by_iri = {info.iri: rid for rid, info in knowledge.relations.items()}
        self._id_by_iri = {c.iri: c.id for c in knowledge.concepts.values()}
        self._subjects: OrderedDict[str, tuple[frozenset, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def is_asserted(self, fact: Fact) -> bool:
        return fact in self._known(fact[0])[0]

    def derivation(self, fact: Fact) -> Derivation | None:
        return None

    def grounds(self, fact: Fact) -> tuple[Fact, ...]:
        return ()

    def sources(self, fact: Fact) -> tuple[str, ...]:
        """The fact's statement sources; a stated type or class fact cites its subject's own sources."""
        stated, cited = self._known(fact[0])
        found = set(cited.get(fact, ()))
        concept = self.knowledge.concepts.get(fact[0])
        if fact[1] in (TYPE, SUBCLASS_OF, DISJOINT_WITH) and fact in stated and concept is not None:
            found.update(concept.sources)
        return tuple(sorted(found))

    def _iri(self, node_id: str) -> str:
        concept = self.knowledge.concepts.get(node_id)
        return concept.iri if concept is not None else TERM + node_id

    def _id(self, iri: str) -> str:
        if iri in self._id_by_iri:
            return self._id_by_iri[iri]
        return iri[len(TERM):] if iri.startswith(TERM) else self._relation_by_iri.get(iri, iri)

    def _known(self, subject: str) -> tuple[frozenset, dict]:
        with self._lock:
            if subject in self._subjects:
                self._subjects.move_to_end(subject)
                return self._subjects[subject]
        found = self._fetch(subject)
        with self._lock:
            self._subjects[subject] = found
            while len(self._subjects) > self.kept:
                self._subjects.popitem(last=False)
        return found

    def _fetch(self, subject: str) -> tuple[frozenset, dict]:
        """One query: the subject's stated facts (IRI objects) and the sources its statements cite."""
        node = full_iri_ref(self._iri(subject))
        text = (f"{_HEAD}SELECT ?p ?o ?src WHERE {{ {{ {node} ?p ?o . FILTER(isIRI(?o)) }} UNION "
                f"{{ ?st rdf:subject {node} ; rdf:predicate ?p ; rdf:object ?o ; dcterms:source ?src . }} }}")
        stated, cited = set(), {}
        for row in self.runner.select(text):
            if "p" not in row or "o" not in row:
                continue
            relation = self._relation_by_iri.get(str(row["p"]))
            if relation is None:
                continue
            fact = (subject, relation, self._id(str(row["o"])))
            if "src" in row:
                cited.setdefault(fact, set()).add(str(row["src"]))
            else:
                stated.add(fact)
        return frozenset(stated), {fact: tuple(sorted(s)) for fact, s in cited.items()}


# ---------------------------------------------------------------- endpoints
def check_endpoint_url(url: str) -> str:
    """``url`` unless it carries credentials (``user:password@``), which are refused.

    >>> check_endpoint_url("http://127.0.0.1:8890/sparql")
    'http://127.0.0.1:8890/sparql'
    >>> try:
    ...     check_endpoint_url("http://me:secret@127.0.0.1:8890/sparql")
    ... except RemoteError as error:
    ...     print(str(error)[:60])
    http://***@127.0.0.1:8890/sparql: credentials in the URL are
    """
    parts = urllib.parse.urlsplit(url)
    if "@" in parts.netloc:
        shown = urllib.parse.urlunsplit((parts.scheme, "***@" + parts.netloc.rsplit("@", 1)[1], parts.path, "", ""))
        raise RemoteError(f"{shown}: credentials in the URL are refused (they show in ps and shell history); "
                          "set CLOUDKG_ENDPOINT_USER and CLOUDKG_ENDPOINT_PASSWORD instead")
    return url


def connect_endpoint(url: str, graph: str | None = None, limits: FetchLimits = FetchLimits(),
                     progress: Progress | None = None) -> tuple[Core, RemoteBackend, str]:
    """The core and back-end of the store at ``url`` (queries to ``graph``, else the default graph), and a fingerprint.

    Progress shows on a terminal unless ``progress`` is given.
    """
    try:
        endpoint = Endpoint(check_endpoint_url(url), graph=graph)
    except EndpointError as error:
        raise RemoteError(str(error)) from None
    shown = url + (f" (graph {graph})" if graph else "")
    core, backend = remote_core(endpoint, shown, limits, progress or terminal_progress(shown))
    digest = hashlib.sha256(f"{url}\n{graph or ''}\n{core.knowledge.triples}".encode()).hexdigest()[:24]
    return core, backend, digest


def terminal_progress(source: str, stream=None) -> Progress | None:
    """A progress line on ``stream`` (stderr) when it is a terminal, else None."""
    stream = stream or sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None

    def show(what: str, rows: int) -> None:
        if rows < 0:
            stream.write("\r\033[K")
        else:
            stream.write(f"\r\033[Kkg: reading {what} from {source}: {rows:,} rows")
        stream.flush()

    return show


# ---------------------------------------------------------------- pushing



def push_lines(endpoint: Endpoint, lines: list[str], graph: str | None = None, replace: bool = False,
               chunk: int = 50_000, stream=None) -> int:
    """Send N-Triples ``lines`` to the store's graph (after clearing it, with ``replace``); the lines sent.

    Progress shows on ``stream`` (stderr) when it is a terminal.
    """
    stream = stream or sys.stderr
    where = f"{endpoint.url}" + (f" (graph {graph})" if graph else " (default graph)")
    show = stream.isatty() if hasattr(stream, "isatty") else False

    def progress(sent: int) -> None:
        if show:
            stream.write(f"\r\033[Kkg: pushed {sent:,} of {len(lines):,} triples to {where}")
            stream.flush()

    try:
        if replace:
            endpoint.clear(graph)
        sent = endpoint.push_ntriples(lines, graph, chunk=chunk, progress=progress)
    except EndpointError as error:
        raise RemoteError(f"{error}\n(Virtuoso needs --graph IRI for pushes; with credentials use its "
                          "/sparql-graph-crud-auth graph store. For very large data see `kg push --help`.)") from None
    finally:
        if show:
            stream.write("\r\033[K")
            stream.flush()
    return sent

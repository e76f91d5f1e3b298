"""The SPARQL back-end: the same questions answered by any SPARQL 1.1 store.

The store holds the asserted data (``kg export --format nt``); the printed SPARQL carries the
schema's logic (:mod:`queries.paths`), so no reasoner is needed. A *runner* sends SPARQL text to
a store: :class:`OxigraphRunner` and :class:`RdflibRunner` in process, or a remote endpoint
(:class:`kg.engine.endpoint.Endpoint`) — anything with ``select(text)`` and ``ask(text)``.

>>> import pyoxigraph
>>> from queries.ast import Select, Step, Term, Triple, Var
>>> from queries.lexicon import RelationInfo
>>> store = pyoxigraph.Store()
>>> store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(TERM + "S3"), pyoxigraph.NamedNode(SCHEMA + "stores"),
...                           pyoxigraph.NamedNode(TERM + "EBSSnapshot")))
>>> backend = SparqlBackend(OxigraphRunner(store), {"stores": RelationInfo("stores", SCHEMA + "stores")})
>>> backend.run(Select(Var("x"), (Triple(Var("x"), Step("stores"), Term("EBSSnapshot")),))).values
['S3']
>>> list(backend.facts(s="S3"))
[('S3', 'stores', 'EBSSnapshot')]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

from kg.engine.evaluate import Result
from ontology import SCHEMA, TERM
from queries import ast
from queries.relation_ids import TYPE
from queries.sparql import full_iri_ref, relation_path, store_prefixes, to_sparql

if TYPE_CHECKING:
    from kg.engine.model import Fact
    from queries.lexicon import RelationInfo

__all__ = ["OxigraphRunner", "RdflibRunner", "Runner", "SparqlBackend"]

Row = dict[str, str]
_SUBJECTS_KEPT = 64


class Runner(Protocol):
    """Sends SPARQL text to a store: rows as {variable: IRI or literal's lexical form}."""

    def select(self, text: str) -> list[Row]: ...

    def ask(self, text: str) -> bool: ...


class OxigraphRunner:
    """A pyoxigraph ``Store`` in this process."""

    def __init__(self, store) -> None:
        self.store = store

    def select(self, text: str) -> list[Row]:
        solutions = self.store.query(text)
        names = [v.value for v in solutions.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]

    def ask(self, text: str) -> bool:
        return bool(self.store.query(text))


class RdflibRunner:
    """An rdflib ``Graph`` in this process (slow; the reference implementation)."""

    def __init__(self, graph) -> None:
        self.graph = graph

    def select(self, text: str) -> list[Row]:
        result = self.graph.query(text)
        names = [str(v) for v in result.vars]
        return [{n: str(row[i]) for i, n in enumerate(names) if row[i] is not None} for row in result]

    def ask(self, text: str) -> bool:
        return bool(self.graph.query(text).askAnswer)


class SparqlBackend:
    """Questions printed as SPARQL and run on a store; there is no explainer (derivations stay local).

    ``isolate`` prints closures joined with other patterns as sub-SELECTs (for Virtuoso 7).
    """

    name = "sparql"
    explainer = None

    def __init__(self, runner: Runner, relations: Mapping[str, RelationInfo], isolate: bool = False) -> None:
        self.runner = runner
        self.isolate = isolate
        self.relations = relations
        self._relation_by_iri = {info.iri: rid for rid, info in relations.items()}
        self._subject_facts: dict[str, tuple[Fact, ...]] = {}

    def run(self, query: ast.Query) -> Result:
        if isinstance(query, (ast.Define, ast.Expand)):
            return Result("definition", term=query.term.id)
        if isinstance(query, ast.Compare):
            terms = [t.id for t in query.terms]
            return Result("compare", values=terms, facts=[f for term in terms for f in self.facts(s=term)])
        text = to_sparql(query, self.relations, isolate=self.isolate)
        if isinstance(query, ast.Ask):
            if self.runner.ask(text):
                return Result("boolean", boolean=True, basis="stated")
            return Result("boolean", boolean=False, basis="contradicted" if self._contradicted(query) else "absent")
        if isinstance(query, ast.Attribute):
            rows = self.runner.select(text)
            return Result("attribute", term=query.term.id, attribute=query.attribute_id,
                          value=rows[0]["value"] if rows else None)
        if isinstance(query, ast.Path):
            return Result("path", paths=self._paths(self.runner.select(text), query.source.id, query.target.id))
        if isinstance(query, ast.Count):
            select = ast.Select(query.target, query.where)
            values = self._values(to_sparql(select, self.relations, isolate=self.isolate), query.target)
            return Result("count", values=values, count=len(values))
        return Result("entities", values=self._values(text, query.target))

    def _contradicted(self, query: ast.Ask) -> bool:
        """Whether a type claim is false by disjointness, as the local evaluator decides it."""
        for pattern in query.where:
            if not isinstance(pattern, ast.Triple) or pattern.step.relation != TYPE or pattern.step.inverse:
                continue
            if not all(isinstance(n, ast.Term) for n in (pattern.subject, pattern.object)):
                continue
            thing, claimed = (full_iri_ref(TERM + n.id) for n in (pattern.subject, pattern.object))
            text = (self._head() + f"ASK {{ {claimed} rdfs:subClassOf* ?cls . "
                    "?cls (owl:disjointWith|^owl:disjointWith) ?other . "
                    f"{thing} {relation_path(TYPE, self.relations)} ?other . }}")
            if self.runner.ask(text):
                return True
        return False

    @staticmethod
    def _head() -> str:
        return store_prefixes()

    def _values(self, text: str, target: ast.Var) -> list[str]:
        found = (self._id(row[target.name]) for row in self.runner.select(text) if target.name in row)
        return list(dict.fromkeys(found))

    def _id(self, iri: str) -> str:
        if iri.startswith(TERM):
            return iri[len(TERM):]
        return self._relation_by_iri.get(iri) or (iri[len(SCHEMA):] if iri.startswith(SCHEMA) else iri)

    def _paths(self, rows: list[Row], source: str, target: str, limit: int = 5) -> list[list[tuple[Fact, bool]]]:
        """The shortest rows as chains of facts; row columns ?pi, ?di, ?ni as :func:`queries.sparql` prints them."""
        shortest = min((int(row["length"]) for row in rows), default=0)
        paths = []
        for row in rows:
            if int(row["length"]) != shortest or len(paths) >= limit:
                continue
            nodes = [source, *(self._id(row[f"n{i}"]) for i in range(1, shortest)), target]
            steps = []
            for i in range(1, shortest + 1):
                relation, forward = self._id(row[f"p{i}"]), row[f"d{i}"] == "forward"
                a, b = nodes[i - 1], nodes[i]
                steps.append(((a, relation, b) if forward else (b, relation, a), forward))
            paths.append(steps)
        return paths

    def facts(self, s: str | None = None, p: str | None = None, o: str | None = None) -> Iterator[Fact]:
        """Asserted facts matching the pattern (None matches anything), between glossary terms.

        A subject's facts are fetched once and kept (for the last few subjects), so per-relation
        look-ups, as follow-ups make them, cost one round trip.
        """
        if s is not None and o is None:
            if s not in self._subject_facts:
                if len(self._subject_facts) >= _SUBJECTS_KEPT:
                    self._subject_facts.pop(next(iter(self._subject_facts)))
                self._subject_facts[s] = tuple(self._query_facts(s, None, None))
            return (f for f in self._subject_facts[s] if p is None or f[1] == p)
        return self._query_facts(s, p, o)

    def _query_facts(self, s: str | None, p: str | None, o: str | None) -> Iterator[Fact]:
        subject = full_iri_ref(TERM + s) if s else "?s"
        predicate = full_iri_ref(self.relations[p].iri) if p else "?p"
        obj = full_iri_ref(TERM + o) if o else "?o"
        binds = " ".join(f"BIND({ref} AS ?{name})" for ref, name in ((subject, "s"), (predicate, "p"), (obj, "o"))
                         if not ref.startswith("?"))
        text = self._head() + f"SELECT ?s ?p ?o WHERE {{ {subject} {predicate} {obj} . {binds} FILTER(isIRI(?o)) }}"
        for row in self.runner.select(text):
            fact = (self._id(row["s"]), self._id(row["p"]), self._id(row["o"]))
            if fact[1] in self.relations and row["s"].startswith(TERM) and row["o"].startswith(TERM):
                yield fact

    def stated(self, node: str) -> list[tuple[str, str]]:
        """The store holds only stated facts: the least object of each of the node's relations."""
        least: dict[str, str] = {}
        for _, p, o in self.facts(s=node):
            least[p] = min(least.get(p, o), o)
        return sorted(least.items())

    def neighbours(self, node: str) -> Iterator[tuple[Fact, bool]]:
        for fact in self.facts(s=node):
            yield fact, True
        for fact in self.facts(o=node):
            yield fact, False

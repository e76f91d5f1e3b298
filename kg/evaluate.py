"""Evaluate the AST over the store, one function per node kind, keeping the facts used.

>>> from kg.store import Store
>>> from queries.ast import Select, Step, Triple, Var, Term
>>> store = Store({("S3", "stores", "EBSSnapshot"): None}, {})
>>> result = evaluate(Select(Var("x"), (Triple(Var("x"), Step("stores"), Term("EBSSnapshot")),)), store)
>>> result.values, result.facts
(['S3'], [('S3', 'stores', 'EBSSnapshot')])
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from kg.model import Fact
from kg.store import Store
from queries import ast
from queries.lexicon import RelationInfo

__all__ = ["Result", "evaluate", "solve"]

Bindings = dict[str, str]


@dataclass
class Result:
    """What a query found, before rendering: values, a verdict or paths, and the facts used."""

    kind: str
    values: list[str] = field(default_factory=list)
    boolean: bool | None = None
    basis: str | None = None
    count: int | None = None
    paths: list[list[tuple[Fact, bool]]] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    term: str | None = None


def _value(node: ast.Node, bindings: Bindings) -> str | None:
    return node.id if isinstance(node, ast.Term) else bindings.get(node.name)


def _walk(store: Store, start: str, relation: str, forward: bool) -> Iterator[tuple[str, tuple[Fact, ...]]]:
    """Breadth-first closure of a relation from ``start``, with the chain of facts to each node."""
    seen = {start}
    queue = deque([(start, ())])
    while queue:
        node, chain = queue.popleft()
        nexts = store.objects(node, relation) if forward else store.subjects(relation, node)
        for other in nexts:
            if other in seen:
                continue
            seen.add(other)
            fact = (node, relation, other) if forward else (other, relation, node)
            yield other, chain + (fact,)
            queue.append((other, chain + (fact,)))


def _match(triple: ast.Triple, store: Store, relations: Mapping[str, RelationInfo],
           bindings: Bindings) -> Iterator[tuple[Bindings, tuple[Fact, ...]]]:
    subject, obj = (triple.object, triple.subject) if triple.step.inverse else (triple.subject, triple.object)
    relation = triple.step.relation
    s, o = _value(subject, bindings), _value(obj, bindings)
    info = relations.get(relation)
    walk = triple.step.closure and not (info and info.transitive)

    def bind(s_value: str, o_value: str, used: tuple[Fact, ...]):
        new = dict(bindings)
        for node, value in ((subject, s_value), (obj, o_value)):
            if isinstance(node, ast.Var):
                if new.get(node.name, value) != value:
                    return None
                new[node.name] = value
        return new, used

    if walk:
        starts = [s] if s is not None else sorted({f[0] for f in store.match(p=relation)})
        for start in starts:
            for end, chain in _walk(store, start, relation, forward=True):
                if o is None or o == end:
                    found = bind(start, end, chain)
                    if found:
                        yield found
        return
    for fact in store.match(s, relation, o):
        found = bind(fact[0], fact[2], (fact,))
        if found:
            yield found


def _bound_count(pattern: ast.Triple, bindings: Bindings) -> int:
    return sum(_value(n, bindings) is not None for n in (pattern.subject, pattern.object))


def solve(patterns: tuple[ast.Triple, ...], store: Store, relations: Mapping[str, RelationInfo],
          bindings: Bindings | None = None) -> Iterator[tuple[Bindings, tuple[Fact, ...]]]:
    """Every solution of a conjunction of patterns, most-bound pattern first."""
    bindings = bindings or {}
    if not patterns:
        yield bindings, ()
        return
    index = max(range(len(patterns)), key=lambda i: (_bound_count(patterns[i], bindings), -i))
    rest = patterns[:index] + patterns[index + 1:]
    for new, used in _match(patterns[index], store, relations, bindings):
        for final, more in solve(rest, store, relations, new):
            yield final, used + more


def _collect(query, store: Store, relations) -> tuple[list[str], list[Fact]]:
    values: dict[str, None] = {}
    facts: dict[Fact, None] = {}
    for bindings, used in solve(query.where, store, relations):
        value = bindings.get(query.target.name)
        if value is not None:
            values.setdefault(value)
            facts.update(dict.fromkeys(used))
    return list(values), list(facts)


def _select(query: ast.Select, store: Store, relations) -> Result:
    values, facts = _collect(query, store, relations)
    return Result("entities", values=values, facts=facts)


def _count(query: ast.Count, store: Store, relations) -> Result:
    values, facts = _collect(query, store, relations)
    return Result("count", values=values, count=len(values), facts=facts)


def _ask(query: ast.Ask, store: Store, relations) -> Result:
    for _bindings, used in solve(query.where, store, relations):
        basis = "stated" if all(store.is_asserted(f) for f in used) else "inferred"
        return Result("boolean", boolean=True, basis=basis, facts=list(used))
    contradiction = _contradiction(query, store)
    if contradiction:
        return Result("boolean", boolean=False, basis="contradicted", facts=contradiction)
    return Result("boolean", boolean=False, basis="absent")


def _contradiction(query: ast.Ask, store: Store) -> list[Fact]:
    """Facts showing a type claim false: the thing is of a class disjoint with the claimed one."""
    for pattern in query.where:
        if pattern.step.relation != ast.TYPE or not all(isinstance(n, ast.Term) for n in
                                                          (pattern.subject, pattern.object)):
            continue
        thing, claimed = pattern.subject.id, pattern.object.id
        claimed_and_up = [claimed, *store.objects(claimed, ast.SUBCLASS)]
        for cls in claimed_and_up:
            for other in store.objects(cls, "disjointWith"):
                if store.has((thing, ast.TYPE, other)):
                    facts = [(thing, ast.TYPE, other), (cls, "disjointWith", other)]
                    if cls != claimed:
                        facts.append((claimed, ast.SUBCLASS, cls))
                    return facts
    return []


def _define(query: ast.Define | ast.Expand, store: Store, relations) -> Result:
    return Result("definition", term=query.term.id)


def _path(query: ast.Path, store: Store, relations, limit: int = 5) -> Result:
    paths = shortest_paths(store, relations, query.source.id, query.target.id, limit)
    facts = list(dict.fromkeys(f for path in paths for f, _ in path))
    return Result("path", paths=paths, facts=facts)


def shortest_paths(store: Store, relations: Mapping[str, RelationInfo], source: str, target: str,
                   limit: int = 5) -> list[list[tuple[Fact, bool]]]:
    """All shortest chains of asserted facts between two nodes (either direction), up to ``limit``.

    Each step is ``(fact, forward)``: forward when the chain walks from the fact's subject.
    """
    if source == target:
        return []
    usable = {r for r, info in relations.items() if info.in_paths}
    parents: dict[str, list[tuple[str, Fact, bool]]] = {source: []}
    frontier = [source]
    while frontier and target not in parents:
        layer: dict[str, list[tuple[str, Fact, bool]]] = {}
        for node in frontier:
            for fact, forward in store.neighbours(node):
                if fact[1] not in usable or not store.is_asserted(fact):
                    continue
                other = fact[2] if forward else fact[0]
                if other in parents:
                    continue
                layer.setdefault(other, []).append((node, fact, forward))
        parents.update(layer)
        frontier = sorted(layer)
    if target not in parents:
        return []
    paths: list[list[tuple[Fact, bool]]] = []

    def unwind(node: str, tail: list[tuple[Fact, bool]]) -> None:
        if len(paths) >= limit:
            return
        if node == source:
            paths.append(tail)
            return
        for parent, fact, forward in parents[node]:
            unwind(parent, [(fact, forward), *tail])

    unwind(target, [])
    return paths


_EVALUATORS = {
    ast.Select: _select, ast.Count: _count, ast.Ask: _ask,
    ast.Define: _define, ast.Expand: _define, ast.Path: _path,
}


def evaluate(query: ast.Query, store: Store, relations: Mapping[str, RelationInfo] | None = None) -> Result:
    """Evaluate any query node."""
    return _EVALUATORS[type(query)](query, store, relations or {})

"""Materialise what the schema's logic entails, keeping for each inferred fact its rule and premises.

Rules: inverse (owl:inverseOf), sub-property (rdfs:subPropertyOf), transitivity
(owl:TransitiveProperty), two-step property chains (owl:propertyChainAxiom), class membership
through subclasses (rdf:type + rdfs:subClassOf) and symmetric disjointness. A derived fact
never relates a node to itself (an asserted one may).

The work is bounded: inference stops with :class:`~kg.engine.errors.InferenceLimitError` once it
would add more than ``max_inferred`` facts (default ``max(1_000_000, 10 × asserted)``, or
$CLOUDKG_MAX_INFERRED) or spend more than ``STEPS_PER_FACT`` rule firings per allowed fact.

>>> from queries.lexicon import RelationInfo
>>> rels = {"partOf": RelationInfo("partOf", "urn:p", transitive=True)}
>>> derived = materialise({("a", "partOf", "b"): (), ("b", "partOf", "c"): ()}, rels)
>>> derived[("a", "partOf", "c")]
Derivation(rule='transitive', premises=(('a', 'partOf', 'b'), ('b', 'partOf', 'c')))
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kg.engine.errors import InferenceLimitError
from kg.engine.limits import INFERRED_ENV
from kg.engine.limits import max_inferred as _limit_from
from kg.engine.model import Fact
from queries.lexicon import RelationInfo

__all__ = ["Derivation", "STEPS_PER_FACT", "materialise"]

STEPS_PER_FACT = 50
"""Rule firings (successful or not) allowed per allowed inferred fact, before inference stops."""


@dataclass(frozen=True, slots=True)
class Derivation:
    """How a fact was inferred: the rule and the facts it was inferred from."""

    rule: str
    premises: tuple[Fact, ...]

    def __reduce__(self) -> tuple:
        # A cached store holds one per inferred fact: rebuilt by the constructor, not the slower
        # generic dataclass state (a cache may still name only this class, see kg.engine.cache).
        return Derivation, (self.rule, self.premises)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the rules do with a fact of one relation, worked out once per relation."""

    copies: tuple[tuple[str, str, bool], ...]  # (rule, relation, swap subject and object)
    transitive: bool
    chain_first: tuple[tuple[str, str], ...]  # (result, second step) for chains starting here
    chain_second: tuple[tuple[str, str], ...]  # (result, first step) for chains ending here


def _plans(relations: Mapping[str, RelationInfo]) -> dict[str, _Plan]:
    first: dict[str, list[tuple[str, str]]] = defaultdict(list)
    second: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rel in relations.values():
        for chain in rel.chains:
            if len(chain) == 2:
                first[chain[0]].append((rel.id, chain[1]))
                second[chain[1]].append((rel.id, chain[0]))
    plans = {}
    for p in {*relations, *first, *second, "type", "subClassOf", "disjointWith"}:
        rel = relations.get(p)
        copies = [("inverseOf", rel.inverse, True)] if rel and rel.inverse else []
        copies += [("subPropertyOf", parent, False) for parent in (rel.super_properties if rel else ())]
        if p == "disjointWith":
            copies.append(("symmetric", p, True))
        plans[p] = _Plan(tuple(copies), bool(rel and rel.transitive), tuple(first[p]), tuple(second[p]))
    return plans


_NO_PLAN = _Plan((), False, (), ())


class _Closure:
    """Forward chaining to a fixpoint, with a left-linear semi-naive transitive rule.

    Facts are *base* facts (asserted, or derived by a chain or subclass rule, or copied by
    inverse/sub-property/symmetry from a base fact) or *closure-only* facts (derived by
    transitivity, or copied from a closure-only fact). Transitivity joins every fact of a
    transitive p with the *base* p-facts leaving its object (rule T1), and every base p-fact
    with all p-facts entering its subject (T2); whichever of a pair arrives second makes the
    join, so at the fixpoint S: S_p ∘ B_p ⊆ S_p (up to self-loops, which are never derived).
    A closure-only fact later derived again from a base premise is promoted to base.

    Completeness (S is closed under p∘p ⊆ p). Every p-fact (x, p, y) has a walk of base
    p-facts from x to y: base facts trivially; a T-derived fact is a walk plus a base step;
    an inverse (sub-property) copy of a closure-only fact uses the inverse (super-property)
    copies of its walk's steps, which are base since their originals are. So for (a,p,m) and
    (m,p,c) with a != c, join the walks, cut it to a simple base path a=x0..xk=c, and T1
    gives (a,p,x1), (a,p,x2), ... (a,p,c) in turn: no step is a self-loop, since the path
    is simple. Closure-only copies are never join bases, which keeps an inverse pair of
    transitive relations (partOf/hasPart) quadratic instead of cubic; each fact of p then
    costs one T1 join per base p-edge leaving its object, near-linear in the output.
    """

    def __init__(self, relations: Mapping[str, RelationInfo], source: str) -> None:
        self.relations = relations
        self.plans = _plans(relations)
        self.source = source
        self.derived: dict[Fact, Derivation | None] = {}
        self.out: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.inn: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.base: set[Fact] = set()
        self.base_out: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.queue: list[tuple[Fact, bool]] = []  # (fact, only promoted to base)
        self.inferred = 0
        self.steps = 0
        self.max_inferred = 0
        self.max_steps = 0

    def limit(self, max_inferred: int) -> None:
        """Set the limits, once the asserted facts are in."""
        self.max_inferred = max_inferred
        self.max_steps = STEPS_PER_FACT * max(max_inferred, len(self.derived))

    def add(self, fact: Fact, rule: str | None, premises: tuple[Fact, ...], closure_only: bool = False) -> None:
        if fact in self.derived:
            if not closure_only and fact not in self.base:
                self._make_base(fact)
                self.queue.append((fact, True))
            return
        if rule is not None:
            if fact[0] == fact[2]:
                return
            if self.inferred >= self.max_inferred:
                self.fail(f"inference stopped at its limit of {self.max_inferred:,} inferred facts")
            self.inferred += 1
        self.derived[fact] = Derivation(rule, premises) if rule is not None else None
        s, p, o = fact
        self.out[(s, p)].append(o)
        self.inn[(p, o)].append(s)
        if not closure_only:
            self._make_base(fact)
        self.queue.append((fact, False))

    def _make_base(self, fact: Fact) -> None:
        self.base.add(fact)
        if self.plans.get(fact[1], _NO_PLAN).transitive:
            self.base_out[(fact[0], fact[1])].append(fact[2])

    def run(self) -> None:
        queue, derived, base, plans = self.queue, self.derived, self.base, self.plans
        while queue:
            fact, promoted = queue.pop()
            plan = plans.get(fact[1], _NO_PLAN)
            self.steps += 1 + len(plan.copies)
            if self.steps > self.max_steps:
                self.fail(f"inference stopped at its limit of {self.max_steps:,} rule steps "
                          f"({STEPS_PER_FACT} per allowed inferred fact)")
            s, p, o = fact
            is_base = fact in base
            for rule, target, swap in plan.copies:
                copy = (o, target, s) if swap else (s, target, o)
                if copy not in derived or is_base and copy not in base:
                    self.add(copy, rule, (fact,), not is_base)
            if plan.transitive:
                self.transitive(fact, is_base, promoted)
            if not promoted:
                if plan.chain_first or plan.chain_second:
                    self.chain(fact, plan)
                if p == "type" or p == "subClassOf":
                    self.subclass(fact)

    def transitive(self, fact: Fact, is_base: bool, promoted: bool) -> None:
        s, p, o = fact
        derived = self.derived
        if not promoted:
            joins = self.base_out.get((o, p), ())
            self.steps += len(joins)
            for z in tuple(joins):
                if z != s and (s, p, z) not in derived:
                    self.add((s, p, z), "transitive", (fact, (o, p, z)), True)
        if is_base:
            joins = self.inn.get((p, s), ())
            self.steps += len(joins)
            for a in tuple(joins):
                if a != o and (a, p, o) not in derived:
                    self.add((a, p, o), "transitive", ((a, p, s), fact), True)

    def chain(self, fact: Fact, plan: _Plan) -> None:
        s, p, o = fact
        for result, second in plan.chain_first:
            joins = self.out.get((o, second), ())
            self.steps += len(joins)
            for z in tuple(joins):
                self.add((s, result, z), "propertyChain", (fact, (o, second, z)))
        for result, first in plan.chain_second:
            joins = self.inn.get((first, s), ())
            self.steps += len(joins)
            for a in tuple(joins):
                self.add((a, result, o), "propertyChain", ((a, first, s), fact))

    def subclass(self, fact: Fact) -> None:
        s, p, o = fact
        self.steps += len(self.out.get((o, "subClassOf"), ())) if p == "type" else len(self.inn.get(("type", s), ()))
        if p == "type":
            for parent in tuple(self.out.get((o, "subClassOf"), ())):
                self.add((s, "type", parent), "subClassOf", (fact, (o, "subClassOf", parent)))
        else:
            for member in tuple(self.inn.get(("type", s), ())):
                self.add((member, "type", o), "subClassOf", ((member, "type", s), fact))

    def fail(self, what: str) -> None:
        """Stop with an error naming the relations that grew most, the likely culprit first."""
        inferred = Counter(f[1] for f, d in self.derived.items() if d is not None)
        stated = Counter(f[1] for f, d in self.derived.items() if d is None)
        top = [p for p, _ in inferred.most_common(3)]
        transitive = sorted((p for p in top if self.plans.get(p, _NO_PLAN).transitive), key=lambda p: -stated[p])
        named = ", ".join(f"{p!r} ({inferred[p]:,}{', transitive' if p in transitive else ''})" for p in top)
        why = (f"; a long chain or cycle of the transitive relation {transitive[0]!r} ({stated[transitive[0]]:,} "
               "stated facts) entails a fact for every pair of its nodes" if transitive else "")
        message = (f"{what} ({self.inferred:,} inferred from {sum(stated.values()):,} stated facts); "
                   f"most are of {named or 'no relation'}{why}. Check that relation in the data, "
                   f"or raise the limit with --max-inferred or {INFERRED_ENV}.")
        culprits = tuple(dict.fromkeys([*transitive[:1], *top]))
        raise InferenceLimitError(self.source, None, message, limit=self.max_inferred, relations=culprits)


def materialise(
    asserted: Iterable[Fact],
    relations: Mapping[str, RelationInfo],
    *,
    max_inferred: int | str | None = None,
    source: str = "inference",
) -> dict[Fact, Derivation | None]:
    """Every asserted fact (mapped to None) and every entailed one (mapped to its derivation).

    ``max_inferred`` (else $CLOUDKG_MAX_INFERRED, else ``max(1_000_000, 10 × asserted)``) caps
    the inferred facts; past it, or past ``STEPS_PER_FACT`` rule firings per allowed fact,
    :class:`~kg.engine.errors.InferenceLimitError` is raised with ``file`` = ``source``.
    """
    closure = _Closure(relations, source)
    # Sorted, so that a fact with several derivations always keeps the same one (the input's
    # order comes from the parser's, which varies with the hash seed).
    for fact in sorted(asserted):
        closure.add(fact, None, ())
    closure.limit(_limit_from(len(closure.derived), max_inferred))
    # Only acyclic tuples are built here, so cyclic GC passes over the growing closure are
    # pure cost (about a third of the time on large closures).
    collecting = gc.isenabled()
    gc.disable()
    try:
        closure.run()
    finally:
        if collecting:
            gc.enable()
    return closure.derived

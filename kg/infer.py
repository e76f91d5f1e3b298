"""Materialise what the schema's logic entails, keeping for each inferred fact its rule and premises.

Rules, one function each: inverse (owl:inverseOf), sub-property (rdfs:subPropertyOf),
transitivity (owl:TransitiveProperty), property chains (owl:propertyChainAxiom), class
membership through subclasses (rdf:type + rdfs:subClassOf) and symmetric disjointness.

>>> from queries.lexicon import RelationInfo
>>> rels = {"partOf": RelationInfo("partOf", "urn:p", transitive=True)}
>>> derived = materialise({("a", "partOf", "b"): (), ("b", "partOf", "c"): ()}, rels)
>>> derived[("a", "partOf", "c")]
Derivation(rule='transitive', premises=(('a', 'partOf', 'b'), ('b', 'partOf', 'c')))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kg.model import Fact
from queries.lexicon import RelationInfo

__all__ = ["Derivation", "materialise"]


@dataclass(frozen=True, slots=True)
class Derivation:
    """How a fact was inferred: the rule and the facts it was inferred from."""

    rule: str
    premises: tuple[Fact, ...]


class _Closure:
    def __init__(self, relations: Mapping[str, RelationInfo]) -> None:
        self.relations = relations
        self.derived: dict[Fact, Derivation | None] = {}
        self.out: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.inn: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.queue: list[Fact] = []
        self.chain_first: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.chain_second: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for rel in relations.values():
            for chain in rel.chains:
                if len(chain) == 2:
                    self.chain_first[chain[0]].append((rel.id, chain[1]))
                    self.chain_second[chain[1]].append((rel.id, chain[0]))

    def add(self, fact: Fact, derivation: Derivation | None) -> None:
        if fact in self.derived or fact[0] == fact[2] and derivation is not None:
            return
        self.derived[fact] = derivation
        s, p, o = fact
        self.out[(s, p)].add(o)
        self.inn[(p, o)].add(s)
        self.queue.append(fact)

    def run(self) -> None:
        while self.queue:
            fact = self.queue.pop()
            for rule in (self.inverse, self.sub_property, self.transitive, self.chain,
                         self.subclass, self.symmetric_disjoint):
                rule(fact)

    def inverse(self, fact: Fact) -> None:
        s, p, o = fact
        rel = self.relations.get(p)
        if rel and rel.inverse:
            self.add((o, rel.inverse, s), Derivation("inverseOf", (fact,)))

    def sub_property(self, fact: Fact) -> None:
        s, p, o = fact
        rel = self.relations.get(p)
        for parent in rel.super_properties if rel else ():
            self.add((s, parent, o), Derivation("subPropertyOf", (fact,)))

    def transitive(self, fact: Fact) -> None:
        s, p, o = fact
        rel = self.relations.get(p)
        if not (rel and rel.transitive):
            return
        for z in list(self.out[(o, p)]):
            self.add((s, p, z), Derivation("transitive", (fact, (o, p, z))))
        for a in list(self.inn[(p, s)]):
            self.add((a, p, o), Derivation("transitive", ((a, p, s), fact)))

    def chain(self, fact: Fact) -> None:
        s, p, o = fact
        for result, second in self.chain_first.get(p, ()):
            for z in list(self.out[(o, second)]):
                self.add((s, result, z), Derivation("propertyChain", (fact, (o, second, z))))
        for result, first in self.chain_second.get(p, ()):
            for a in list(self.inn[(first, s)]):
                self.add((a, result, o), Derivation("propertyChain", ((a, first, s), fact)))

    def subclass(self, fact: Fact) -> None:
        s, p, o = fact
        if p == "type":
            for parent in list(self.out[(o, "subClassOf")]):
                self.add((s, "type", parent), Derivation("subClassOf", (fact, (o, "subClassOf", parent))))
        elif p == "subClassOf":
            for member in list(self.inn[("type", s)]):
                self.add((member, "type", o), Derivation("subClassOf", ((member, "type", s), fact)))

    def symmetric_disjoint(self, fact: Fact) -> None:
        s, p, o = fact
        if p == "disjointWith":
            self.add((o, p, s), Derivation("symmetric", (fact,)))


def materialise(asserted: Iterable[Fact], relations: Mapping[str, RelationInfo]) -> dict[Fact, Derivation | None]:
    """Every asserted fact (mapped to None) and every entailed one (mapped to its derivation)."""
    closure = _Closure(relations)
    for fact in asserted:
        closure.add(fact, None)
    closure.run()
    return closure.derived

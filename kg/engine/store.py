"""The graph behind one narrow read interface: ``match(s, p, o)``.

The facts live in a networkx ``MultiDiGraph`` (edge key = relation). Lookups by a bound
subject or object go through two dict indexes built beside it, since walking networkx
adjacency (or ``nx.descendants`` on a filtered view) on every call is far slower.

>>> store = Store({("ECS", "builtOn", "EC2"): None}, {("ECS", "builtOn", "EC2"): ("src",)})
>>> list(store.match(p="builtOn"))
[('ECS', 'builtOn', 'EC2')]
>>> store.objects("ECS", "builtOn")
('EC2',)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

import networkx as nx

from kg.engine.infer import Derivation
from kg.engine.model import Fact

__all__ = ["Store"]

_EMPTY: tuple[str, ...] = ()


_ASSERTED, _INFERRED = {"inferred": False}, {"inferred": True}  # shared by every edge: read, never written


def _multigraph(facts: list[Fact], derivations: Mapping[Fact, Derivation | None]) -> nx.MultiDiGraph:
    """The facts as a MultiDiGraph (edge key = relation), filling its adjacency dictionaries directly.

    The same graph ``add_edge`` builds, in the same order, at a third of the cost and without a
    data dictionary per edge (there can be millions).

    >>> graph = _multigraph([("a", "p", "b")], {("a", "p", "b"): None})
    >>> list(graph.edges(keys=True, data=True))
    [('a', 'b', 'p', {'inferred': False})]
    """
    graph = nx.MultiDiGraph()
    node, succ, pred = graph._node, graph._succ, graph._pred  # noqa: SLF001 - networkx's documented dict layout
    for fact in facts:
        s, p, o = fact
        for n in (s, o):
            if n not in node:
                node[n], succ[n], pred[n] = {}, {}, {}
        keys = succ[s].get(o)
        if keys is None:
            keys = succ[s][o] = pred[o][s] = {}
        keys[p] = _ASSERTED if derivations[fact] is None else _INFERRED
    return graph


class Store:
    """Asserted and inferred facts, with each inferred fact's derivation and each asserted one's sources."""

    def __init__(self, facts: Mapping[Fact, Derivation | None], sources: Mapping[Fact, tuple[str, ...]]) -> None:
        # Kept as given when they are dicts (the builder hands them over): a copy of millions of facts costs memory.
        self.derivations: dict[Fact, Derivation | None] = facts if type(facts) is dict else dict(facts)
        self.sources: dict[Fact, tuple[str, ...]] = sources if type(sources) is dict else dict(sources)
        out: dict[tuple[str, str], list[str]] = defaultdict(list)
        inn: dict[tuple[str, str], list[str]] = defaultdict(list)
        by_relation: dict[str, list[Fact]] = defaultdict(list)
        stated: dict[str, dict[str, str]] = defaultdict(dict)
        ordered = sorted(self.derivations)
        self.graph = _multigraph(ordered, self.derivations)
        for fact in ordered:
            s, p, o = fact
            out[(s, p)].append(o)
            inn[(p, o)].append(s)
            by_relation[p].append(fact)
            if self.derivations[fact] is None:
                stated[s].setdefault(p, o)  # facts come sorted: the first is the least object
        self._stated = {s: tuple(sorted(rels.items())) for s, rels in stated.items()}
        self._out = {k: tuple(v) for k, v in out.items()}
        self._in = {k: tuple(v) for k, v in inn.items()}
        self._by_relation = {k: tuple(v) for k, v in by_relation.items()}

    def __len__(self) -> int:
        return len(self.derivations)

    def has(self, fact: Fact) -> bool:
        """Whether the fact holds (asserted or inferred)."""
        return fact in self.derivations

    def is_asserted(self, fact: Fact) -> bool:
        return fact in self.derivations and self.derivations[fact] is None

    def stated(self, s: str) -> tuple[tuple[str, str], ...]:
        """Each relation ``s`` has an asserted fact of, with that fact's (least) object, by relation id.

        >>> Store({("a", "q", "c"): None, ("a", "p", "b"): None, ("a", "p", "a2"): None}, {}).stated("a")
        (('p', 'a2'), ('q', 'c'))
        """
        return self._stated.get(s, ())

    def objects(self, s: str, p: str) -> tuple[str, ...]:
        """What ``s`` relates to by ``p``."""
        return self._out.get((s, p), _EMPTY)

    def subjects(self, p: str, o: str) -> tuple[str, ...]:
        """What relates to ``o`` by ``p``."""
        return self._in.get((p, o), _EMPTY)

    def match(self, s: str | None = None, p: str | None = None, o: str | None = None) -> Iterator[Fact]:
        """Every fact matching the pattern; None matches anything."""
        if p is not None:
            if s is not None:
                if o is not None:
                    if (s, p, o) in self.derivations:
                        yield (s, p, o)
                    return
                for obj in self._out.get((s, p), _EMPTY):
                    yield (s, p, obj)
                return
            if o is not None:
                for subj in self._in.get((p, o), _EMPTY):
                    yield (subj, p, o)
                return
            yield from self._by_relation.get(p, ())
            return
        for fact in self.derivations:
            if (s is None or fact[0] == s) and (o is None or fact[2] == o):
                yield fact

    def neighbours(self, node: str) -> Iterator[tuple[Fact, bool]]:
        """Facts touching ``node``, with True when ``node`` is the subject."""
        if node not in self.graph:
            return
        for _, target, key in self.graph.out_edges(node, keys=True):
            yield (node, key, target), True
        for source, _, key in self.graph.in_edges(node, keys=True):
            yield (source, key, node), False

    def grounds(self, fact: Fact) -> tuple[Fact, ...]:
        """The asserted facts a fact rests on (itself, if asserted)."""
        seen: dict[Fact, None] = {}
        todo = [fact]
        visited = set()
        while todo:
            current = todo.pop()
            if current in visited:
                continue
            visited.add(current)
            derivation = self.derivations.get(current)
            if derivation is None:
                seen[current] = None
            else:
                todo.extend(reversed(derivation.premises))
        return tuple(seen)

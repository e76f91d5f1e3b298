"""The graph behind one narrow read interface: ``match(s, p, o)``.

Lookups by a bound subject or object go through dict indexes built with the store. What a cache
file holds is kept small and quick to read: derivations as plain tuples (made into
:class:`~kg.engine.infer.Derivation` objects when read) and no networkx graph (built on first use
for callers that want one; :meth:`Store.neighbours` reads the indexes).

>>> store = Store({("ECS", "builtOn", "EC2"): None}, {("ECS", "builtOn", "EC2"): ("src",)})
>>> list(store.match(p="builtOn"))
[('ECS', 'builtOn', 'EC2')]
>>> store.objects("ECS", "builtOn")
('EC2',)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from kg.engine.infer import Derivation
from kg.engine.model import Fact

__all__ = ["Derivations", "Store"]

_EMPTY: tuple[str, ...] = ()
_MISSING = object()


_ASSERTED, _INFERRED = {"inferred": False}, {"inferred": True}  # shared by every edge: read, never written


def _multigraph(facts: list[Fact], derivations: Mapping[Fact, Any]):
    """The facts as a networkx MultiDiGraph (edge key = relation), filling its adjacency dictionaries directly.

    The same graph ``add_edge`` builds, in the same order, at a third of the cost and without a
    data dictionary per edge (there can be millions).

    >>> graph = _multigraph([("a", "p", "b")], {("a", "p", "b"): None})
    >>> list(graph.edges(keys=True, data=True))
    [('a', 'b', 'p', {'inferred': False})]
    """
    import networkx as nx  # only for callers that ask for the graph: answering never needs it

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


class Derivations(Mapping):
    """Each fact's :class:`~kg.engine.infer.Derivation` (None when asserted), kept as ``(rule, premises)`` tuples.

    A cache holds hundreds of thousands of them: plain tuples unpickle about twice as fast as objects.

    >>> found = Derivations({("a", "p", "b"): None, ("b", "q", "a"): ("inverseOf", (("a", "p", "b"),))})
    >>> found[("b", "q", "a")], found.get(("a", "p", "b")), found.get(("x", "p", "y"), 0)
    (Derivation(rule='inverseOf', premises=(('a', 'p', 'b'),)), None, 0)
    """

    __slots__ = ("raw",)

    def __init__(self, raw: dict) -> None:
        self.raw = raw

    def __getitem__(self, fact: Fact) -> Derivation | None:
        found = self.raw[fact]
        return None if found is None else Derivation(*found)

    def get(self, fact: Fact, default: Any = None) -> Any:
        found = self.raw.get(fact, _MISSING)
        if found is _MISSING:
            return default
        return None if found is None else Derivation(*found)

    def __contains__(self, fact: object) -> bool:
        return fact in self.raw

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def items(self) -> Iterator[tuple[Fact, Derivation | None]]:  # type: ignore[override]
        for fact, found in self.raw.items():
            yield fact, None if found is None else Derivation(*found)

    def values(self) -> Iterator[Derivation | None]:  # type: ignore[override]
        for found in self.raw.values():
            yield None if found is None else Derivation(*found)


def _plain(facts: Mapping[Fact, Derivation | None]) -> dict:
    """The derivations as plain tuples; a dict handed over by the builder is converted in place (no copy)."""
    if isinstance(facts, Derivations):
        return facts.raw
    raw = facts if type(facts) is dict else dict(facts)
    for fact, found in raw.items():
        if found is not None and type(found) is not tuple:
            raw[fact] = (found.rule, found.premises)
    return raw


class Store:
    """Asserted and inferred facts, with each inferred fact's derivation and each asserted one's sources."""

    def __init__(self, facts: Mapping[Fact, Derivation | None], sources: Mapping[Fact, tuple[str, ...]]) -> None:
        raw = _plain(facts)
        self.derivations = Derivations(raw)
        # Kept as given when a dict (the builder hands it over): a copy of millions of facts costs memory.
        self.sources: dict[Fact, tuple[str, ...]] = sources if type(sources) is dict else dict(sources)
        out: dict[tuple[str, str], list[str]] = defaultdict(list)
        inn: dict[tuple[str, str], list[str]] = defaultdict(list)
        by_relation: dict[str, list[Fact]] = defaultdict(list)
        stated: dict[str, dict[str, str]] = defaultdict(dict)
        for fact in sorted(raw):
            s, p, o = fact
            out[(s, p)].append(o)
            inn[(p, o)].append(s)
            by_relation[p].append(fact)
            if raw[fact] is None:
                stated[s].setdefault(p, o)  # facts come sorted: the first is the least object
        self._stated = {s: tuple(sorted(rels.items())) for s, rels in stated.items()}
        self._out = {k: tuple(v) for k, v in out.items()}
        self._in = {k: tuple(v) for k, v in inn.items()}
        self._by_relation = {k: tuple(v) for k, v in by_relation.items()}
        subjects, objects = Counter(p for _, p in self._out), Counter(p for p, _ in self._in)
        self._relation_stats = {p: (len(facts), subjects[p], objects[p]) for p, facts in self._by_relation.items()}
        self._lazy: dict[str, Any] = {}

    _KEPT = ("sources", "_stated", "_out", "_in", "_by_relation", "_relation_stats")

    def __getstate__(self) -> dict[str, Any]:
        # What a cache holds: plain dicts and tuples; the parts built on first use are built again.
        return {"derivations": self.derivations.raw, **{name: self.__dict__[name] for name in self._KEPT}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.derivations = Derivations(state.pop("derivations"))
        self.__dict__.update(state)
        self._lazy = {}

    @property
    def graph(self):
        """The facts as a networkx ``MultiDiGraph`` (edge key = relation), built on first use."""
        graph = self._lazy.get("graph")
        if graph is None:
            graph = self._lazy["graph"] = _multigraph(sorted(self.derivations.raw), self.derivations.raw)
        return graph

    def _relations_at(self) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """Each node's relations as subject and as object (sorted), built on first use."""
        found = self._lazy.get("relations")
        if found is None:
            outgoing: dict[str, list[str]] = defaultdict(list)
            incoming: dict[str, list[str]] = defaultdict(list)
            for s, p in self._out:
                outgoing[s].append(p)
            for p, o in self._in:
                incoming[o].append(p)
            found = self._lazy["relations"] = ({k: tuple(sorted(v)) for k, v in outgoing.items()},
                                               {k: tuple(sorted(v)) for k, v in incoming.items()})
        return found

    def __len__(self) -> int:
        return len(self.derivations)

    def has(self, fact: Fact) -> bool:
        """Whether the fact holds (asserted or inferred)."""
        return fact in self.derivations.raw

    def is_asserted(self, fact: Fact) -> bool:
        return self.derivations.raw.get(fact, _MISSING) is None

    def stated(self, s: str) -> tuple[tuple[str, str], ...]:
        """Each relation ``s`` has an asserted fact of, with that fact's (least) object, by relation id.

        >>> Store({("a", "q", "c"): None, ("a", "p", "b"): None, ("a", "p", "a2"): None}, {}).stated("a")
        (('p', 'a2'), ('q', 'c'))
        """
        return self._stated.get(s, ())

    def relation_stats(self) -> dict[str, tuple[int, int, int]]:
        """Per relation: its facts, distinct subjects and distinct objects (worked out with the store, cached with it).

        >>> Store({("a", "p", "b"): None, ("a", "p", "c"): None, ("d", "q", "c"): None}, {}).relation_stats()
        {'p': (2, 1, 2), 'q': (1, 1, 1)}
        """
        return self._relation_stats

    def ends(self, relation: str, column: int) -> tuple[str, ...]:
        """The distinct subjects (column 0) or objects (column 2) of a relation, sorted; built on first use.

        >>> Store({("a", "r", "c"): None, ("b", "r", "c"): None, ("a", "r", "d"): None}, {}).ends("r", 2)
        ('c', 'd')
        """
        cache = self._lazy.setdefault("ends", {})
        found = cache.get((relation, column))
        if found is None:
            found = cache[(relation, column)] = tuple(sorted({fact[column] for fact in self.match(p=relation)}))
        return found

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
        """Facts touching ``node``, with True when ``node`` is the subject.

        In the order networkx gives them on :attr:`graph` (``out_edges`` then ``in_edges``): objects in
        the order first met along the node's facts sorted by relation, each with its relations; then
        subjects sorted, each with its relations.

        >>> store = Store({("a", "q", "b"): None, ("a", "p", "c"): None, ("a", "r", "b"): None,
        ...                ("d", "p", "a"): None, ("a", "p", "a"): None}, {})
        >>> [fact for fact, _ in store.neighbours("a")] == [(s, k, t) for s, t, k in [
        ...     *store.graph.out_edges("a", keys=True), *store.graph.in_edges("a", keys=True)]]
        True
        """
        outgoing, incoming = self._relations_at()
        targets: dict[str, list[str]] = {}
        for p in outgoing.get(node, ()):
            for o in self._out[(node, p)]:
                targets.setdefault(o, []).append(p)
        for o, relations in targets.items():
            for p in relations:
                yield (node, p, o), True
        pairs = sorted((s, rel) for rel in incoming.get(node, ()) for s in self._in[(rel, node)])
        for s, p in pairs:
            yield (s, p, node), False

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
            derivation = self.derivations.raw.get(current)
            if derivation is None:
                seen[current] = None
            else:
                todo.extend(reversed(derivation[1]))
        return tuple(seen)

"""The schema's logic written once: each relation as a path expression over the asserted facts.

:func:`compile_relation` gives, for a relation, a path whose pairs over the *asserted* facts are
the pairs the local inference (``materialise``) holds for it: sub-properties, asserted inverses
(of it, of its sub- and super-properties), two-step property chains (also ones that do not start
with the relation), transitivity and ``type`` through ``subClassOf``. :func:`to_sparql_path`
prints a path as a SPARQL 1.1 property path.

How. Each relation, forward or backward, is a nonterminal of a grammar: ``p`` derives an
asserted ``p`` link, any sub-property, the inverse of any relation declared inverse of it, ``a b``
for a chain ``(a, b)``, ``p p`` when transitive. Nonterminals that derive each other by single
steps (an inverse pair, a sub-property and its inverse's super-property) are one class with one
language. A class ``X`` with base alternatives ``B``, right factors ``S`` (``X → X s``), left
factors ``P`` (``X → p X``) and transitivity solves to ``P* B S*``, or, when transitive,
``P* B ((P|B|S)* (B|S))?``; inside a closure, a closure among alternatives is flattened
(``(a+|b)* = (a|b)*``), so no closure is ever nested in another (Virtuoso 7 rejects that, SP031).

Limits (documented, not silent): a chain that recurses through *another* class's chain (the
language is then not regular in general) is cut at :data:`CHAIN_DEPTH` levels (approximate: some
facts are missed); a closure inside a sequence inside another closure (``(a+/b|c)+``) is kept as
it is (exact on rdflib and pyoxigraph, rejected by Virtuoso 7). :func:`compile_relation_checked`
says whether either happened; for the bundled schema neither does.
Derived self-loops: the local engine never derives ``(x, p, x)``; a path can relate a node to
itself through a cycle, so callers compare pairs without such self-pairs.

>>> from queries.lexicon import RelationInfo
>>> rels = {"locatedIn": RelationInfo("locatedIn", "urn:l", inverse="hosts", transitive=True,
...                                   chains=(("locatedIn", "partOf"),)),
...         "hosts": RelationInfo("hosts", "urn:h", inverse="locatedIn", transitive=True),
...         "partOf": RelationInfo("partOf", "urn:p", transitive=True)}
>>> to_sparql_path(compile_relation("locatedIn", rels), lambda r: "ckg:" + r)
'(ckg:locatedIn|^ckg:hosts)/(ckg:locatedIn|^ckg:hosts|ckg:partOf)*'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from queries.lexicon import RelationInfo
from queries.relation_ids import DISJOINT_WITH, TYPE
from queries.relation_ids import SUBCLASS_OF as SUBCLASS

__all__ = ["Alt", "Inverse", "Link", "OneOrMore", "Path", "Seq", "ZeroOrMore", "ZeroOrOne", "CHAIN_DEPTH",
           "NESTED", "CUT", "compile_relation", "compile_relation_checked", "inverse", "to_sparql_path"]

SYMMETRIC = (DISJOINT_WITH,)  # symmetric by the engine's rule, not by a schema axiom
CHAIN_DEPTH = 2
"""How deep a chain may recurse through other relations' chains before it is cut."""
MAX_SIZE = 400
"""The most links and operators a path may have; past it, the alternative is dropped (noted)."""
MAX_CALLS = 500
"""The most sub-paths one relation's compilation may solve; past it, the rest is dropped (noted)."""
TOO_BIG = "approximate: the path of {relation!r} is too large (MAX_SIZE, MAX_CALLS), dropped where it recurses"
NESTED = "nested: a closure inside a sequence inside a closure (exact, but Virtuoso 7 rejects it)"
CUT = "approximate: a chain recursing through another relation's chain, cut at depth {depth} ({relation!r})"


@dataclass(frozen=True, slots=True)
class Link:
    """One asserted link of a relation, by its id."""

    relation_id: str


@dataclass(frozen=True, slots=True)
class Inverse:
    """The path walked backwards."""

    path: Path


@dataclass(frozen=True, slots=True)
class Alt:
    """Any of the paths."""

    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class Seq:
    """The paths one after the other."""

    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class OneOrMore:
    """The path one or more times."""

    path: Path


@dataclass(frozen=True, slots=True)
class ZeroOrMore:
    """The path zero or more times."""

    path: Path


@dataclass(frozen=True, slots=True)
class ZeroOrOne:
    """The path zero or one time."""

    path: Path


Path = Link | Inverse | Alt | Seq | OneOrMore | ZeroOrMore | ZeroOrOne
_CLOSURES = (OneOrMore, ZeroOrMore)


# ---------------------------------------------------------------- smart constructors
def _alt(paths) -> Path:
    flat: list[Path] = []
    for path in paths:
        for item in path.paths if isinstance(path, Alt) else (path,):
            if item not in flat:
                flat.append(item)
    return flat[0] if len(flat) == 1 else Alt(tuple(flat))


def _seq(paths) -> Path:
    flat: list[Path] = []
    for path in paths:
        flat.extend(path.paths if isinstance(path, Seq) else (path,))
    return flat[0] if len(flat) == 1 else Seq(tuple(flat))


def inverse(path: Path) -> Path:
    """The path walked backwards, with the inversion pushed down to the links.

    >>> inverse(Seq((Link("a"), OneOrMore(Link("b")))))
    Seq(paths=(OneOrMore(path=Inverse(path=Link(relation_id='b'))), Inverse(path=Link(relation_id='a'))))
    """
    if isinstance(path, Link):
        return Inverse(path)
    if isinstance(path, Inverse):
        return path.path
    if isinstance(path, Alt):
        return _alt(inverse(p) for p in path.paths)
    if isinstance(path, Seq):
        return _seq(inverse(p) for p in reversed(path.paths))
    return type(path)(inverse(path.path))


def _has_closure(path: Path) -> bool:
    if isinstance(path, _CLOSURES):
        return True
    if isinstance(path, Link):
        return False
    if isinstance(path, (Alt, Seq)):
        return any(_has_closure(p) for p in path.paths)
    return _has_closure(path.path)


def _keep_nested(path: Path, notes: list[str]) -> Path:
    """A closure inside a sequence cannot be flattened: keep it (exact, but not portable) and say so."""
    notes.append(NESTED)
    return path


def _size(path: Path) -> int:
    if isinstance(path, Link):
        return 1
    if isinstance(path, (Alt, Seq)):
        return 1 + sum(_size(p) for p in path.paths)
    return 1 + _size(path.path)


def _star_items(path: Path, notes: list[str]) -> Path:
    """What may repeat inside a closure: ``(a+|b?|c)*`` is ``(a|b|c)*``; no closure is left inside."""
    items = path.paths if isinstance(path, Alt) else (path,)
    out = []
    for item in items:
        while isinstance(item, (*_CLOSURES, ZeroOrOne)):
            item = item.path
        if isinstance(item, Alt):
            item = _star_items(item, notes)
        elif _has_closure(item):
            item = _keep_nested(item, notes)
        out.append(item)
    return _alt(out)


def _plus(path: Path, notes: list[str]) -> Path:
    items = path.paths if isinstance(path, Alt) else (path,)
    empty = any(isinstance(item, (ZeroOrMore, ZeroOrOne)) for item in items)  # (a?|b)+ is (a|b)*
    return (ZeroOrMore if empty else OneOrMore)(_star_items(path, notes))


def _star(path: Path, notes: list[str]) -> Path:
    return ZeroOrMore(_star_items(path, notes))


# ---------------------------------------------------------------- the grammar of a schema
Symbol = tuple[str, bool]
"""A relation walked forward (False) or backward (True)."""


class _Grammar:
    """Productions of every relation, forward and backward, as the local inference fires them."""

    def __init__(self, relations: Mapping[str, RelationInfo]) -> None:
        self.relations = relations
        self.children: dict[str, list[str]] = {}
        self.inverse_of: dict[str, list[str]] = {}
        for rel in sorted(relations.values(), key=lambda r: r.id):
            for parent in rel.super_properties:
                self.children.setdefault(parent, []).append(rel.id)
            if rel.inverse:
                self.inverse_of.setdefault(rel.inverse, []).append(rel.id)

    def units(self, symbol: Symbol) -> list[Symbol]:
        rel, back = symbol
        units = [(q, back) for q in self.children.get(rel, ())]
        units += [(q, not back) for q in self.inverse_of.get(rel, ())]
        if rel in SYMMETRIC:
            units.append((rel, not back))
        return units

    def binaries(self, symbol: Symbol) -> list[tuple[Symbol, Symbol]]:
        rel, back = symbol
        info = self.relations.get(rel)
        pairs = [tuple(c) for c in (info.chains if info else ()) if len(c) == 2]  # the engine fires two-step chains
        if info is not None and info.transitive:
            pairs.append((rel, rel))
        if rel == TYPE:
            pairs.append((TYPE, SUBCLASS))
        if back:
            return [((b, True), (a, True)) for a, b in pairs]
        return [((a, False), (b, False)) for a, b in pairs]

    def reach(self, symbol: Symbol) -> list[Symbol]:
        """Every symbol whose facts are copied into ``symbol``'s by single steps (itself included)."""
        seen = [symbol]
        for current in seen:
            seen.extend(u for u in self.units(current) if u not in seen)
        return seen


@dataclass
class _Solver:
    grammar: _Grammar
    notes: list[str]
    active: dict[frozenset[Symbol], int]

    memo: dict[tuple[Symbol, bool], tuple[Path | None, list[str]]] = field(default_factory=dict)
    calls: int = 0

    def solve(self, symbol: Symbol, transitive: bool = False) -> Path | None:
        """The path of a symbol; None when cut at :data:`CHAIN_DEPTH`."""
        if (symbol, transitive) in self.memo:  # only results that no cut touched are kept
            path, notes = self.memo[(symbol, transitive)]
            self.notes.extend(notes)
            return path
        self.calls += 1
        if self.calls > MAX_CALLS:  # a tangle of chains: stop rather than hang
            self.notes.append(TOO_BIG.format(relation=symbol[0]))
            return None
        members = self.grammar.reach(symbol)
        group = frozenset(m for m in members if symbol in self.grammar.reach(m))
        if self.active.get(group, 0) >= CHAIN_DEPTH:
            self.notes.append(CUT.format(depth=CHAIN_DEPTH, relation=symbol[0]))
            return None
        self.active[group] = self.active.get(group, 0) + 1
        before = len(self.notes)
        try:
            path = self._solve(members, group, transitive)
        finally:
            self.active[group] -= 1
        if path is not None and _size(path) > MAX_SIZE:
            self.notes.append(TOO_BIG.format(relation=symbol[0]))
            path = None
        added = self.notes[before:]
        if not any(note.startswith("approximate") for note in added):
            self.memo[(symbol, transitive)] = (path, added)
        return path

    def _solve(self, members: list[Symbol], group: frozenset[Symbol], transitive: bool) -> Path | None:
        base: list[Path] = [Inverse(Link(r)) if back else Link(r) for r, back in members]
        left: list[Path] = []
        right: list[Path] = []
        for member in members:
            for first, second in self.grammar.binaries(member):
                if first in group and second in group:
                    transitive = True
                elif first in group or second in group:
                    other = self.solve(second if first in group else first)
                    if other is not None:
                        (right if first in group else left).append(other)
                elif member not in group and self._recursive(member, first, second):
                    base.append(self.solve(member) or base[members.index(member)])
                else:
                    parts = [self.solve(first), self.solve(second)]
                    if None not in parts:
                        base.append(_seq(parts))
        return self._assemble(base, left, right, transitive)

    def _recursive(self, member: Symbol, first: Symbol, second: Symbol) -> bool:
        """Whether a production of ``member`` (outside the group being solved) recurses on its own group."""
        reach = self.grammar.reach
        return any(member in reach(s) and s in reach(member) for s in (first, second))

    def _assemble(self, base: list[Path], left: list[Path], right: list[Path], transitive: bool) -> Path:
        """``P* B S*``, or when transitive ``(P* B S*)+`` written with no nested closure."""
        b = _alt(base)
        if not transitive:
            return _seq([*([_star(_alt(left), self.notes)] if left else []), b,
                         *([_star(_alt(right), self.notes)] if right else [])])
        if not left and not right:
            return _plus(b, self.notes)
        if not left:
            return _seq([b, _star(_alt([*base, *right]), self.notes)])
        if not right:
            return _seq([_star(_alt([*left, *base]), self.notes), b])
        head = _seq([_star(_alt(left), self.notes), b])
        tail = _seq([_star(_alt([*left, *base, *right]), self.notes), _alt([*base, *right])])
        return _alt([head, _seq([head, tail])])


def compile_relation_checked(rel_id: str, relations: Mapping[str, RelationInfo],
                             closure: bool = False) -> tuple[Path, tuple[str, ...]]:
    """The path of ``rel_id`` (one or more times if ``closure``) and notes on any approximation.

    No notes means the path is exact: its pairs over the asserted facts are the inferred ones
    (but for self-pairs, which the engine never derives).

    >>> rels = {"p": RelationInfo("p", "urn:p", chains=(("q", "p"),))}
    >>> compile_relation_checked("p", rels)
    (Seq(paths=(ZeroOrMore(path=Link(relation_id='q')), Link(relation_id='p'))), ())
    """
    notes: list[str] = []
    grammar = _Grammar(relations)
    path = _Solver(grammar, notes, {}).solve((rel_id, False), closure)
    if path is None:  # too big even at the root: the facts copied by single steps only
        path = _alt(Inverse(Link(r)) if back else Link(r) for r, back in grammar.reach((rel_id, False)))
    return path, tuple(dict.fromkeys(notes))


def compile_relation(rel_id: str, relations: Mapping[str, RelationInfo], closure: bool = False) -> Path:
    """Everything the local inference derives for ``rel_id``, as a path over the asserted facts.

    >>> rels = {"stores": RelationInfo("stores", "urn:s", inverse="storedIn"),
    ...         "storedIn": RelationInfo("storedIn", "urn:i", inverse="stores"),
    ...         "keepsBackupsOf": RelationInfo("keepsBackupsOf", "urn:k", chains=(("stores", "backupOf"),))}
    >>> compile_relation("storedIn", rels)
    Alt(paths=(Link(relation_id='storedIn'), Inverse(path=Link(relation_id='stores'))))
    >>> to_sparql_path(compile_relation("keepsBackupsOf", rels), str)
    'keepsBackupsOf|(stores|^storedIn)/backupOf'
    """
    return compile_relation_checked(rel_id, relations, closure)[0]


# ---------------------------------------------------------------- printing
def to_sparql_path(path: Path, prefix_of: Callable[[str], str]) -> str:
    """A SPARQL 1.1 property path; ``prefix_of`` gives a relation id's IRI reference.

    >>> to_sparql_path(Seq((Alt((Link("a"), Inverse(Link("b")))), ZeroOrMore(Link("c")))), lambda r: "x:" + r)
    '(x:a|^x:b)/x:c*'
    """
    return _print(path, prefix_of, 0)


_ALT, _SEQ, _UNARY = 0, 1, 2


def _print(path: Path, ref: Callable[[str], str], context: int) -> str:
    if isinstance(path, Link):
        return ref(path.relation_id)
    if isinstance(path, Alt):
        text = "|".join(_print(p, ref, _SEQ) for p in path.paths)
        return text if context == _ALT else f"({text})"
    if isinstance(path, Seq):
        text = "/".join(_print(p, ref, _UNARY) for p in path.paths)
        return text if context <= _SEQ else f"({text})"
    if isinstance(path, Inverse):
        inner = _print(path.path, ref, _UNARY)
        return "^" + inner if isinstance(path.path, Link) else f"^({inner})"
    mod = {OneOrMore: "+", ZeroOrMore: "*", ZeroOrOne: "?"}[type(path)]
    inner = _print(path.path, ref, _UNARY)
    primary = isinstance(path.path, Link) or inner.startswith("(") and _balanced_group(inner)
    return (inner if primary else f"({inner})") + mod


def _balanced_group(text: str) -> bool:
    """Whether ``text`` is one parenthesised group, as in ``(a|b)`` but not ``(a)/(b)``."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index == len(text) - 1
    return False

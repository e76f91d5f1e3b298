"""Evaluate the AST over the store, one function per node kind, keeping the facts used.

>>> from kg.engine.store import Store
>>> from queries.ast import Select, Step, Triple, Var, Term
>>> store = Store({("S3", "stores", "EBSSnapshot"): None}, {})
>>> result = evaluate(Select(Var("x"), (Triple(Var("x"), Step("stores"), Term("EBSSnapshot")),)), store)
>>> result.values, result.facts
(['S3'], [('S3', 'stores', 'EBSSnapshot')])

The patterns of a SELECT, COUNT or ASK are split into components (patterns linked by shared
variables). Each component is joined connected-first, most selective pattern first; a component
without the answer variable is only checked for one solution. Every candidate fact visited counts
against a step budget, past which :class:`~queries.errors.QueryTooBroad` is raised.

The answer's component is a semi-join: each candidate value (from the pattern with the fewest, or
from running the join when that is cheaper) is checked for one witness, the first solution with the
value bound, so the work follows the answer, not the number of ways to reach it. A value's evidence
is its witness's facts, in the query's reading order (most-bound pattern first, then as written);
values come sorted. A one-pattern, one-variable component is read directly (its matches are the
witnesses), in the store's order.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

from kg.engine.model import Fact
from kg.engine.store import Store
from queries import ast
from queries.errors import QueryTooBroad
from queries.lexicon import RelationInfo
from queries.relation_ids import DISJOINT_WITH

__all__ = ["DEFAULT_BUDGET", "HANDLED", "Budget", "Result", "evaluate", "solve"]

DEFAULT_BUDGET = 1_000_000
"""Candidate facts (and closure steps) one question may visit before it is refused as too broad."""

Bindings = dict[str, str]
Key = tuple
"""Where a match comes in its pattern's scan: the fact itself, or (start, rank) for a closure walk."""
Entry = tuple[int, Key, tuple[Fact, ...]]
"""One pattern's part of a solution: the pattern's index, its match key and the facts it used."""


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
    steps: int = 0
    attribute: str | None = None
    value: str | None = None
    """Kind ``attribute``: the value, when the back-end looked it up (the local one leaves it to the knowledge)."""


class Budget:
    """The steps a question may take; :meth:`spend` raises :class:`QueryTooBroad` past ``limit``.

    >>> budget = Budget(2)
    >>> budget.spend(); budget.spend(); budget.steps
    2
    >>> try:
    ...     budget.spend()
    ... except QueryTooBroad as error:
    ...     print(error.message[:9], error.budget, error.steps)
    too broad 2 3
    """

    __slots__ = ("limit", "steps", "hint")

    def __init__(self, limit: int | None = None) -> None:
        self.limit = DEFAULT_BUDGET if limit is None else limit
        self.steps = 0
        self.hint = "add a term or a class to narrow it"

    def spend(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.limit:
            raise QueryTooBroad(f"too broad: answering would visit more than {self.limit:,} facts; {self.hint}",
                                budget=self.limit, steps=self.steps)


def _value(node: ast.Node, bindings: Bindings) -> str | None:
    return node.id if isinstance(node, ast.Term) else bindings.get(node.name)


def _walk(store: Store, start: str, relation: str, budget: Budget) -> Iterator[tuple[str, tuple[Fact, ...]]]:
    """Breadth-first closure of a relation from ``start``, with the chain of facts to each node."""
    seen = {start}
    queue = deque([(start, ())])
    while queue:
        node, chain = queue.popleft()
        for other in store.objects(node, relation):
            budget.spend()
            if other in seen:
                continue
            seen.add(other)
            fact = (node, relation, other)
            yield other, chain + (fact,)
            queue.append((other, chain + (fact,)))


def _oriented(triple: ast.Triple) -> tuple[ast.Node, ast.Node]:
    """The pattern's nodes as (subject, object) of the stored relation."""
    return (triple.object, triple.subject) if triple.step.inverse else (triple.subject, triple.object)


def _walks(triple: ast.Triple, relations: Mapping[str, RelationInfo]) -> bool:
    """Whether the pattern needs a closure walk (a ``+`` on a relation the store has not closed)."""
    info = relations.get(triple.step.relation)
    return triple.step.closure and not (info and info.transitive)


@dataclass(frozen=True, slots=True)
class _Step:
    """One join step: the pattern, and the ``!=`` filters it is the first to make checkable."""

    index: int
    triple: ast.Triple
    excluded: tuple[tuple[str, str], ...] = ()
    plain: bool = False
    """Neither optional nor a closure walk: with both ends known, the pattern is one look-up."""


def _bind(bindings: Bindings, s_name: str | None, s_value: str, o_name: str | None, o_value: str,
          excluded: tuple[tuple[str, str], ...]) -> Bindings | None:
    """``bindings`` plus the unbound ends of a match; None when they clash or a ``!=`` filter fails."""
    if s_name is not None and s_name == o_name and s_value != o_value:
        return None
    new = dict(bindings)
    if s_name is not None:
        new[s_name] = s_value
    if o_name is not None:
        new[o_name] = o_value
    for name, term in excluded:
        if new[name] == term:
            return None
    return new


def _match(step: _Step, store: Store, relations: Mapping[str, RelationInfo], bindings: Bindings,
           budget: Budget) -> Iterator[tuple[Bindings, Entry]]:
    """The matches of a step's pattern under ``bindings``, in the store's (sorted) order, with their keys."""
    subject, obj = _oriented(step.triple)
    relation = step.triple.step.relation
    s, o = _value(subject, bindings), _value(obj, bindings)
    s_name = subject.name if s is None else None  # a node without a value is an unbound variable
    o_name = obj.name if o is None else None
    if step.triple.step.optional:
        yield from _zero_step(step, s, o, s_name, o_name, bindings)
    if _walks(step.triple, relations):
        starts = [s] if s is not None else sorted({f[0] for f in _counted(store.match(p=relation), budget)})
        for start in starts:
            for rank, (end, chain) in enumerate(_walk(store, start, relation, budget)):
                if o is None or o == end:
                    new = _bind(bindings, s_name, start, o_name, end, step.excluded)
                    if new is not None:
                        yield new, (step.index, (start, rank), chain)
        return
    for fact in store.match(s, relation, o):
        budget.spend()
        new = _bind(bindings, s_name, fact[0], o_name, fact[2], step.excluded)
        if new is not None:
            yield new, (step.index, fact, (fact,))


def _zero_step(step: _Step, s: str | None, o: str | None, s_name: str | None, o_name: str | None,
               bindings: Bindings) -> Iterator[tuple[Bindings, Entry]]:
    """The zero-step match of an optional step (``p?``): both ends are the same node, no fact used."""
    node = s if s is not None else o
    if node is None or (s is not None and o is not None and s != o):
        return
    new = _bind(bindings, s_name, node, o_name, node, step.excluded)
    if new is not None:
        yield new, (step.index, ("=", node), ())


def _counted(facts: Iterator[Fact], budget: Budget) -> Iterator[Fact]:
    for fact in facts:
        budget.spend()
        yield fact


def _answer_side(triple: ast.Triple, target: str) -> tuple[bool, ast.Node] | None:
    """Whether the answer variable is the stored subject, and the other end; None unless it is on one side only."""
    subject, obj = _oriented(triple)
    at_subject = isinstance(subject, ast.Var) and subject.name == target
    at_object = isinstance(obj, ast.Var) and obj.name == target
    if at_subject == at_object:
        return None
    return at_subject, (obj if at_subject else subject)


def _candidate_count(triple: ast.Triple, target: str, store: Store,
                     relations: Mapping[str, RelationInfo]) -> int | None:
    """How many candidates :func:`_candidates` gives for the pattern; None when it cannot list them."""
    side = _answer_side(triple, target)
    if side is None:
        return None
    at_subject, other = side
    relation, optional = triple.step.relation, triple.step.optional
    if isinstance(other, ast.Var):
        return None if optional else store.relation_stats().get(relation, (0, 0, 0))[1 if at_subject else 2]
    if _walks(triple, relations):
        return None
    found = store.subjects(relation, other.id) if at_subject else store.objects(other.id, relation)
    return len(found) + optional


def _candidates(triple: ast.Triple, target: str, store: Store, relations: Mapping[str, RelationInfo]) -> list[str]:
    """Every value the answer variable can take in this pattern alone, sorted (a superset of the answers).

    >>> store = Store({("a", "r", "c"): None, ("b", "r", "c"): None, ("a", "r", "d"): None}, {})
    >>> _candidates(ast.Triple(ast.Var("x"), ast.Step("r"), ast.Var("y")), "x", store, {})
    ['a', 'b']
    >>> _candidates(ast.Triple(ast.Var("x"), ast.Step("r", optional=True), ast.Term("c")), "x", store, {})
    ['a', 'b', 'c']
    """
    at_subject, other = _answer_side(triple, target)
    relation = triple.step.relation
    if isinstance(other, ast.Var):
        return list(store.ends(relation, 0 if at_subject else 2))
    found = store.subjects(relation, other.id) if at_subject else store.objects(other.id, relation)
    return sorted({*found, other.id}) if triple.step.optional else list(found)


# ---------------------------------------------------------------- planning
def _variables(pattern: ast.Pattern) -> frozenset[str]:
    return frozenset(n.name for n in (pattern.subject, pattern.object) if isinstance(n, ast.Var))


def _estimate(triple: ast.Triple, bound: frozenset[str] | set[str], store: Store,
              relations: Mapping[str, RelationInfo]) -> float:
    """About how many facts the pattern yields once the ``bound`` variables have values."""
    subject, obj = _oriented(triple)
    relation = triple.step.relation
    total, subjects, objects = store.relation_stats().get(relation, (0, 1, 1))
    s_known = isinstance(subject, ast.Term) or subject.name in bound
    o_known = isinstance(obj, ast.Term) or obj.name in bound
    if _walks(triple, relations):
        return 4.0 * (total / max(subjects, 1) if s_known else total)  # a walk revisits its relation
    if s_known and o_known:
        return 1.0
    if isinstance(subject, ast.Term):
        return float(len(store.objects(subject.id, relation)))
    if isinstance(obj, ast.Term):
        return float(len(store.subjects(relation, obj.id)))
    if s_known:
        return total / max(subjects, 1)
    return total / max(objects, 1) if o_known else float(total)


def _plan(indices: Sequence[int], triples: Sequence[ast.Triple], filters: Sequence[ast.NotEqual], store: Store,
          relations: Mapping[str, RelationInfo], bound: frozenset[str] = frozenset(),
          reading: Mapping[int, int] | None = None) -> tuple[_Step, ...]:
    """A join order: the cheapest pattern first, then always a cheapest one sharing a bound variable.

    Ties go to the pattern first in ``reading`` order (else as written).
    """
    rank = reading or {}
    variables = {i: _variables(triples[i]) for i in indices}
    known, remaining, steps = set(bound), list(indices), []
    while remaining:
        linked = [i for i in remaining if variables[i] & known] or remaining
        best = min(linked, key=lambda i: (_estimate(triples[i], known, store, relations), rank.get(i, i)))
        remaining.remove(best)
        new = variables[best] - known
        known |= new
        excluded = tuple((f.var.name, f.term.id) for f in filters if f.var.name in new)
        plain = not (triples[best].step.optional or _walks(triples[best], relations))
        steps.append(_Step(best, triples[best], excluded, plain))
    return tuple(steps)


def _components(variables: Sequence[frozenset[str]]) -> list[list[int]]:
    """Pattern indices (given each pattern's variables) grouped by shared variables; ground ones alone.

    >>> _components([frozenset("xy"), frozenset("z"), frozenset("y"), frozenset()])
    [[0, 2], [1], [3]]
    """
    groups: list[tuple[frozenset[str], list[int]]] = []
    for index, names in enumerate(variables):
        joined = [g for g in groups if names and g[0] & names]
        merged = (names.union(*(g[0] for g in joined)), sorted([index, *(i for g in joined for i in g[1])]))
        groups = [g for g in groups if all(g is not j for j in joined)] + [merged]
    return sorted((g[1] for g in groups), key=lambda indices: indices[0])


def _bound_count(triple: ast.Triple, bound: set[str]) -> int:
    return (isinstance(triple.subject, ast.Term) or triple.subject.name in bound) + \
        (isinstance(triple.object, ast.Term) or triple.object.name in bound)


def _reading_order(triples: Sequence[ast.Triple]) -> dict[int, int]:
    """Each pattern's place in the reading order: the most-bound pattern first, ties as written.

    >>> x, y = ast.Var("x"), ast.Var("y")
    >>> _reading_order([ast.Triple(x, ast.Step("r"), y), ast.Triple(y, ast.Step("r"), ast.Term("T"))])
    {1: 0, 0: 1}
    """
    bound: set[str] = set()
    remaining, order = list(range(len(triples))), {}
    while remaining:
        best = max(remaining, key=lambda i: (_bound_count(triples[i], bound), -i))
        remaining.remove(best)
        bound.update(n.name for n in (triples[best].subject, triples[best].object) if isinstance(n, ast.Var))
        order[best] = len(order)
    return order


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A conjunction ready to run: the plan of the answer's component, the others', the reading order."""

    target: tuple[_Step, ...] | None
    others: tuple[tuple[_Step, ...], ...]
    reading: dict[int, int]
    satisfiable: bool
    hint: str | None
    check: tuple[tuple[_Step, ...], ...] = ()
    """The answer's component with the answer variable bound, split into the parts that then share no variable,
    each planned, cheapest first: a value's witness is the first solution of each part."""
    source: ast.Triple | None = None
    """The pattern whose distinct answer-side values are the candidates, when that beats running ``target``."""
    excluded: frozenset[str] = frozenset()
    """Terms the answer variable may not be (its ``!=`` filters)."""
    direct: bool = False
    """The answer's component is one pattern with one variable: each match is its value's only solution."""
    lookups: tuple[tuple[str | None, str, str | None], ...] | None = None
    """When the answer variable is the component's only one and no pattern walks: each pattern as a fact with
    None for the answer, in reading order; a value is checked by looking these facts up."""
    proven: int | None = None
    """The place in ``lookups`` of the source pattern, which holds for every candidate it gives."""


_PREPARED: weakref.WeakKeyDictionary[Store, dict[tuple, _Prepared]] = weakref.WeakKeyDictionary()


def _prepare(where: tuple[ast.Pattern, ...], store: Store, relations: Mapping[str, RelationInfo],
             target: str | None) -> _Prepared:
    """:func:`_prepare_now`, remembered per store for the last few hundred questions.

    A plan depends on ``relations`` only for its cost estimates, never for its answers.
    """
    cache = _PREPARED.setdefault(store, {})
    prepared = cache.get((where, target))
    if prepared is None:
        prepared = _prepare_now(where, store, relations, target)
        if len(cache) >= 512:
            cache.clear()
        cache[(where, target)] = prepared
    return prepared


def _prepare_now(where: Sequence[ast.Pattern], store: Store, relations: Mapping[str, RelationInfo],
                 target: str | None) -> _Prepared:
    """Components, their plans and the reading order; ``!=`` on a variable no pattern binds fails."""
    triples = [p for p in where if isinstance(p, ast.Triple)]
    filters = [p for p in where if isinstance(p, ast.NotEqual)]
    variables = [_variables(t) for t in triples]
    components = _components(variables)
    names = [frozenset().union(*(variables[i] for i in c)) for c in components]
    reading = _reading_order(triples)
    plans = [_plan(c, triples, filters, store, relations, reading=reading) for c in components]
    chosen = next((i for i, n in enumerate(names) if target in n), None)
    satisfiable = all(any(f.var.name in n for n in names) for f in filters)
    loose = [c for c, n in zip(components, names, strict=True) if n]
    hint = None
    if len(loose) > 1:
        first, second = (triples[c[0]].core() for c in loose[:2])
        hint = f"patterns '{first}' and '{second}' share no variable; connect them or ask separately"
    others = tuple(plan for i, plan in enumerate(plans) if i != chosen)
    if chosen is None:
        return _Prepared(None, others, reading, satisfiable, hint)
    return _Prepared(plans[chosen], others, reading, satisfiable, hint,
                     **_semijoin(components[chosen], triples, filters, store, relations, target, plans[chosen],
                                 reading))


def _semijoin(indices: Sequence[int], triples: Sequence[ast.Triple], filters: Sequence[ast.NotEqual],
              store: Store, relations: Mapping[str, RelationInfo], target: str, plan: tuple[_Step, ...],
              reading: Mapping[int, int]) -> dict:
    """How to find the answer's values one witness each: the check plan, and the candidates' pattern if cheaper.

    The candidates come from the pattern with the fewest distinct answer-side values; they are used
    when there are fewer of them than the join from the most selective pattern would visit.
    """
    excluded = frozenset(f.term.id for f in filters if f.var.name == target)
    bound = frozenset({target})
    parts = _components([_variables(triples[i]) - bound for i in indices])
    plans = [_plan([indices[j] for j in part], triples, filters, store, relations, bound) for part in parts]
    check = tuple(sorted(plans, key=lambda plan: _plan_cost(plan, store, relations, bound)))
    direct = len(indices) == 1 and len(_variables(triples[indices[0]])) == 1
    sized = [(size, i) for i in indices if (size := _candidate_count(triples[i], target, store, relations)) is not None]
    plain = all(step.plain for plan in check for step in plan)
    source = None
    if sized and (plain or not direct):
        size, best = min(sized)
        if size <= _plan_cost(plan, store, relations):
            source = best
    lookups = proven = None
    if plain and all(_variables(triples[i]) == {target} for i in indices):
        ordered = {i: (None if isinstance(s, ast.Var) else s.id, triples[i].step.relation,
                       None if isinstance(o, ast.Var) else o.id)
                   for i in sorted(indices, key=lambda i: reading[i]) for s, o in [_oriented(triples[i])]}
        lookups = tuple(dict.fromkeys(ordered.values()))  # no pattern twice: each value's facts are its own
        proven = lookups.index(ordered[source]) if source is not None else None
    return {"check": check, "source": None if source is None else triples[source], "excluded": excluded,
            "direct": direct, "lookups": lookups, "proven": proven}


def _plan_cost(plan: Sequence[_Step], store: Store, relations: Mapping[str, RelationInfo],
               bound: frozenset[str] = frozenset()) -> float:
    """About how many facts running ``plan`` visits: each step's estimate times the solutions before it."""
    known, rows, cost = set(bound), 1.0, 0.0
    for step in plan:
        rows *= max(_estimate(step.triple, known, store, relations), 1.0)
        cost += rows
        known |= _variables(step.triple)
    return cost


def _run(plan: tuple[_Step, ...], store: Store, relations: Mapping[str, RelationInfo], budget: Budget,
         bindings: Bindings) -> Iterator[tuple[Bindings, tuple[Entry, ...], int]]:
    """Every solution of a plan, with its entries (pattern index, match key, facts) in plan order.

    The third item is the first plan step whose entry differs from the previous solution's.
    """
    if not plan:
        yield bindings, (), 0
        return
    changed = 0
    trail: list[Entry] = []
    stack = [_match(plan[0], store, relations, bindings, budget)]
    while stack:  # a loop, not recursion: a solution is not relayed through one generator per pattern
        depth = len(stack) - 1
        found = next(stack[-1], None)
        if found is None:
            stack.pop()
            continue
        new, entry = found
        del trail[depth:]
        trail.append(entry)
        if depth < changed:
            changed = depth
        if depth + 1 == len(plan):
            yield new, tuple(trail), changed
            changed = depth
        else:
            stack.append(_match(plan[depth + 1], store, relations, new, budget))


def _first(plan: Sequence[_Step], depth: int, store: Store, relations: Mapping[str, RelationInfo], budget: Budget,
           bindings: Bindings, trail: list[Entry]) -> bool:
    """Append the entries of the first solution of ``plan[depth:]`` to ``trail``; False (``trail`` as it was) if none.

    The first solution in the order :func:`_run` gives them; a pattern with both ends known is one look-up.
    """
    if depth == len(plan):
        return True
    step = plan[depth]
    triple = step.triple
    if step.plain:
        subject, obj = _oriented(triple)
        s, o = _value(subject, bindings), _value(obj, bindings)
        if s is not None and o is not None:
            fact = (s, triple.step.relation, o)
            if not store.has(fact):
                return False
            budget.spend()
            trail.append((step.index, fact, (fact,)))
            if _first(plan, depth + 1, store, relations, budget, bindings, trail):
                return True
            trail.pop()
            return False
    for new, entry in _match(step, store, relations, bindings, budget):
        trail.append(entry)
        if _first(plan, depth + 1, store, relations, budget, new, trail):
            return True
        trail.pop()
    return False


def _witnesses(prepared: _Prepared, store: Store, relations: Mapping[str, RelationInfo],
               budget: Budget) -> list[Entry] | None:
    """One solution of each component but the answer's (their entries), or None if one has none."""
    if not prepared.satisfiable:
        return None
    entries: list[Entry] = []
    for plan in prepared.others:
        first = next(_run(plan, store, relations, budget, {}), None)
        if first is None:
            return None
        entries.extend(first[1])
    return entries


def _keep_first(seen: dict, item, key: tuple) -> None:
    old = seen.get(item)
    if old is None or key < old:
        seen[item] = key


def _collect(query: ast.Select | ast.Count, store: Store, relations, budget: Budget) -> tuple[list[str], list[Fact]]:
    """The answer values and the facts of each one's first witness; the side components' with the first value's.

    The work is bounded by the answer, not by how many ways there are to reach it: each value is
    checked for one solution, and the candidates come from the pattern with the fewest of them.
    """
    prepared = _prepare(query.where, store, relations, query.target.name)
    budget.hint = prepared.hint or budget.hint
    witnesses = _witnesses(prepared, store, relations, budget)
    if prepared.target is None or witnesses is None:
        return [], []
    if prepared.lookups is not None and not witnesses:
        return _collect_looked_up(prepared, _values(prepared, query.target.name, store, relations, budget),
                                  store, budget)
    if prepared.direct:
        return _collect_all(query.target.name, prepared, witnesses, store, relations, budget)
    target, rank = query.target.name, prepared.reading
    values: list[str] = []
    facts: dict[Fact, None] = {}
    for value in _values(prepared, target, store, relations, budget):
        if value in prepared.excluded:
            continue
        found: list[Entry] = []
        if not all(_first(plan, 0, store, relations, budget, {target: value}, found) for plan in prepared.check):
            continue
        entries = sorted((*witnesses, *found) if not values else found, key=lambda entry: rank[entry[0]])
        values.append(value)
        facts.update(dict.fromkeys(fact for entry in entries for fact in entry[2]))
    return values, list(facts)


def _collect_looked_up(prepared: _Prepared, candidates: list[str], store: Store,
                       budget: Budget) -> tuple[list[str], list[Fact]]:
    """:func:`_collect` for a component whose only variable is the answer: a few look-ups per candidate."""
    lookups, has = prepared.lookups or (), store.has
    kept = [value for value in candidates if value not in prepared.excluded]
    for i, template in enumerate(lookups):
        if i != prepared.proven:
            kept = [value for value, fact in zip(kept, _filled(template, kept), strict=True) if has(fact)]
    budget.spend(len(kept) * len(lookups))
    columns = [_filled(template, kept) for template in lookups]
    return kept, list(chain.from_iterable(zip(*columns, strict=True)))


def _filled(template: tuple[str | None, str, str | None], values: list[str]) -> list[Fact]:
    """The pattern's fact for each value (None in ``template`` stands for the value).

    >>> _filled((None, "r", "c"), ["a", "b"]), _filled(("s", "r", None), ["a"])
    ([('a', 'r', 'c'), ('b', 'r', 'c')], [('s', 'r', 'a')])
    """
    s, p, o = template
    if s is None:
        return [(v, p, v) for v in values] if o is None else [(v, p, o) for v in values]
    return [(s, p, v) for v in values] if o is None else [(s, p, o) for _ in values]


def _values(prepared: _Prepared, target: str, store: Store, relations: Mapping[str, RelationInfo],
            budget: Budget) -> list[str]:
    """The answer variable's candidate values, sorted: the source pattern's, else every value the join reaches."""
    if prepared.source is None:
        return sorted({b[target] for b, _trail, _changed in _run(prepared.target, store, relations, budget, {})})
    candidates = _candidates(prepared.source, target, store, relations)
    budget.spend(len(candidates))
    return candidates


def _collect_all(target: str, prepared: _Prepared, witnesses: list[Entry], store: Store,
                 relations: Mapping[str, RelationInfo], budget: Budget) -> tuple[list[str], list[Fact]]:
    """Every solution's value and facts, in the order the reading order finds them."""
    layout = [entry[0] for entry in witnesses] + [step.index for step in prepared.target]
    order = sorted(range(len(layout)), key=lambda i: prepared.reading[layout[i]])
    solutions = _run(prepared.target, store, relations, budget, {})
    if order == list(range(len(layout))):  # the plan is the reading order: solutions come in that order
        values: dict = {}
        facts: dict = {}
        for bindings, trail, changed in solutions:
            values.setdefault(bindings[target])
            if changed == 0:  # the witnesses' facts come first, once there is a solution
                facts.update(dict.fromkeys(f for entry in witnesses for f in entry[2]))
            for entry in trail[changed:]:  # the earlier entries' facts came with an earlier solution
                facts.update(dict.fromkeys(entry[2]))
        return list(values), list(facts)
    return _collect_reordered(target, solutions, witnesses, order)


def _collect_reordered(target: str, solutions: Iterator[tuple[Bindings, tuple[Entry, ...], int]],
                       witnesses: list[Entry], order: list[int]) -> tuple[list[str], list[Fact]]:
    """Values and facts ranked by where the reading order would first have found them."""
    values: dict[str, tuple] = {}
    facts: dict[Fact, tuple] = {}
    for bindings, trail, _changed in solutions:
        combined = (*witnesses, *trail)
        entries = [combined[i] for i in order]
        keys = tuple(entry[1] for entry in entries)
        _keep_first(values, bindings[target], keys)
        for position, (_index, _key, used) in enumerate(entries):
            for offset, fact in enumerate(used):
                _keep_first(facts, fact, (keys, position, offset))
    return sorted(values, key=values.__getitem__), sorted(facts, key=facts.__getitem__)


def _select(query: ast.Select, store: Store, relations, budget: Budget) -> Result:
    values, facts = _collect(query, store, relations, budget)
    return Result("entities", values=values, facts=facts)


def _count(query: ast.Count, store: Store, relations, budget: Budget) -> Result:
    values, facts = _collect(query, store, relations, budget)
    return Result("count", values=values, count=len(values), facts=facts)


def _ask(query: ast.Ask, store: Store, relations, budget: Budget) -> Result:
    """True with one solution of each component as evidence; else a contradiction, or absent."""
    prepared = _prepare(query.where, store, relations, None)
    budget.hint = prepared.hint or budget.hint
    entries = _witnesses(prepared, store, relations, budget)
    if entries is not None:
        entries.sort(key=lambda entry: prepared.reading[entry[0]])
        used = [fact for _index, _key, chain in entries for fact in chain]
        basis = "stated" if all(store.is_asserted(f) for f in used) else "inferred"
        return Result("boolean", boolean=True, basis=basis, facts=used)
    contradiction = _contradiction(query, store)
    if contradiction:
        return Result("boolean", boolean=False, basis="contradicted", facts=contradiction)
    return Result("boolean", boolean=False, basis="absent")


def solve(patterns: Sequence[ast.Pattern], store: Store, relations: Mapping[str, RelationInfo],
          bindings: Bindings | None = None, budget: Budget | None = None,
          ) -> Iterator[tuple[Bindings, tuple[Fact, ...]]]:
    """Every solution of a conjunction of patterns (all combinations), joined connected-first.

    >>> store = Store({("A", "r", "B"): None, ("B", "r", "C"): None}, {})
    >>> x, y, z = ast.Var("x"), ast.Var("y"), ast.Var("z")
    >>> [b for b, _ in solve((ast.Triple(x, ast.Step("r"), y), ast.Triple(y, ast.Step("r"), z)), store, {})]
    [{'x': 'A', 'y': 'B', 'z': 'C'}]
    """
    bindings = dict(bindings or {})
    triples = [p for p in patterns if isinstance(p, ast.Triple)]
    filters = [p for p in patterns if isinstance(p, ast.NotEqual)]
    if any(bindings.get(f.var.name) == f.term.id for f in filters):
        return
    plan = _plan(range(len(triples)), triples, filters, store, relations, frozenset(bindings))
    bound = set(bindings).union(*(_variables(t) for t in triples))
    if not all(f.var.name in bound for f in filters):
        return
    for final, trail, _changed in _run(plan, store, relations, budget or Budget(), bindings):
        yield final, tuple(fact for _index, _key, used in trail for fact in used)


def _contradiction(query: ast.Ask, store: Store) -> list[Fact]:
    """Facts showing a type claim false: the thing is of a class disjoint with the claimed one."""
    for pattern in query.where:
        if not isinstance(pattern, ast.Triple) or pattern.step.relation != ast.TYPE:
            continue
        if not all(isinstance(n, ast.Term) for n in (pattern.subject, pattern.object)):
            continue
        thing, claimed = pattern.subject.id, pattern.object.id
        claimed_and_up = [claimed, *store.objects(claimed, ast.SUBCLASS)]
        for cls in claimed_and_up:
            for other in store.objects(cls, DISJOINT_WITH):
                if store.has((thing, ast.TYPE, other)):
                    facts = [(thing, ast.TYPE, other), (cls, DISJOINT_WITH, other)]
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


def _compare(query: ast.Compare, store: Store, relations) -> Result:
    """The terms compared (as ``values``) and the facts about each, term by term: asserted ones, and inferred
    ones except types (every service is a "Service"; saying so of each adds nothing to a comparison).

    >>> store = Store({("EBS", "type", "Storage"): None, ("EFS", "type", "Storage"): None}, {})
    >>> _compare(ast.Compare((ast.Term("EBS"), ast.Term("EFS"))), store, {}).facts
    [('EBS', 'type', 'Storage'), ('EFS', 'type', 'Storage')]
    """
    terms = [t.id for t in query.terms]
    facts = [fact for term in terms for fact in store.match(s=term)
             if store.is_asserted(fact) or fact[1] not in (ast.TYPE, ast.SUBCLASS)]
    return Result("compare", values=terms, facts=facts)


def _attribute(query: ast.Attribute, store: Store, relations) -> Result:
    """A look-up like a definition's: the value itself is the concept's (read by the renderer)."""
    return Result("attribute", term=query.term.id, attribute=query.attribute_id)


_CONJUNCTIONS = {ast.Select: _select, ast.Count: _count, ast.Ask: _ask}
_LOOKUPS = {ast.Define: _define, ast.Expand: _define, ast.Path: _path, ast.Compare: _compare,
            ast.Attribute: _attribute}
HANDLED = frozenset({*_CONJUNCTIONS, *_LOOKUPS})
"""The query node classes :func:`evaluate` handles."""


def evaluate(query: ast.Query, store: Store, relations: Mapping[str, RelationInfo] | None = None,
             budget: int | None = None) -> Result:
    """Evaluate any query node; a SELECT, COUNT or ASK may visit at most ``budget`` facts.

    ``budget`` defaults to :data:`DEFAULT_BUDGET` (read at call time). ``Result.steps`` is what was spent.

    Raises :class:`~queries.errors.QueryTooBroad` (a ``QueryError``) past the budget.
    """
    relations = relations or {}
    if type(query) in _LOOKUPS:
        return _LOOKUPS[type(query)](query, store, relations)
    counter = Budget(DEFAULT_BUDGET if budget is None else budget)
    result = _CONJUNCTIONS[type(query)](query, store, relations, counter)
    result.steps = counter.steps
    return result

"""Canonical forms, settled once after parsing: the parser reads, this pass decides what the reading means.

The rules, applied in order (each its own small function):

- :func:`canonical_direction`: a relation read backwards (a passive form, "저장된") becomes its
  inverse relation read forwards, when the schema names an inverse (``^storedIn`` -> ``stores``);
- :func:`mark_closure`: a step on a transitive relation is marked ``+`` (one or more steps);
- :func:`distinct_terms`: a comparison names each term once, and at least two of them.

Back-ends take the result as settled: they never flip a relation or re-derive ``closure``.

>>> from queries.lexicon import RelationInfo
>>> from queries.ast import Select, Step, Term, Triple, Var
>>> relations = {"storedIn": RelationInfo("storedIn", "urn:s", inverse="stores"),
...              "stores": RelationInfo("stores", "urn:t", inverse="storedIn"),
...              "dependsOn": RelationInfo("dependsOn", "urn:d", transitive=True)}
>>> x = Var("x")
>>> rewrite(Select(x, (Triple(x, Step("storedIn", inverse=True), Term("S3")),)), relations).core()
'SELECT ?x { ?x stores :S3 }'
>>> rewrite(Select(x, (Triple(Term("ECS"), Step("dependsOn"), x),)), relations).core()
'SELECT ?x { :ECS dependsOn+ ?x }'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from queries import ast
from queries.errors import QueryError
from queries.lexicon import RelationInfo

__all__ = ["RULES", "canonical_direction", "distinct_terms", "mark_closure", "rewrite"]

Relations = Mapping[str, RelationInfo]
StepRule = Callable[[ast.Step, Relations], ast.Step]


def canonical_direction(step: ast.Step, relations: Relations) -> ast.Step:
    """A backwards step on a relation with a named inverse, as that inverse forwards."""
    info = relations.get(step.relation)
    if not step.inverse or info is None or not info.inverse:
        return step
    return replace(step, relation=info.inverse, inverse=False)


def mark_closure(step: ast.Step, relations: Relations) -> ast.Step:
    """A step on a transitive relation walks it one or more times (an optional step stays as written)."""
    info = relations.get(step.relation)
    if step.optional or step.closure or info is None or not info.transitive:
        return step
    return replace(step, closure=True)


RULES: tuple[StepRule, ...] = (canonical_direction, mark_closure)
"""The step rules, in the order they apply."""


def _pattern(pattern: ast.Pattern, relations: Relations) -> ast.Pattern:
    if not isinstance(pattern, ast.Triple):
        return pattern
    step = pattern.step
    for rule in RULES:
        step = rule(step, relations)
    return pattern if step == pattern.step else replace(pattern, step=step)


def distinct_terms(query: ast.Compare) -> ast.Compare:
    """Each term once; fewer than two distinct terms is not a comparison.

    >>> distinct_terms(ast.Compare((ast.Term("A"), ast.Term("B"), ast.Term("A")))).core()
    'COMPARE :A :B'
    """
    terms = tuple(dict.fromkeys(query.terms))
    if len(terms) < 2:
        raise QueryError("a comparison needs two different things", example="compare EBS and EFS")
    return ast.Compare(terms)


def rewrite(query: ast.Query, relations: Relations) -> ast.Query:
    """The canonical form of a plain reading (see the module's rules)."""
    if isinstance(query, (ast.Select, ast.Count)):
        return replace(query, where=tuple(_pattern(p, relations) for p in query.where))
    if isinstance(query, ast.Ask):
        return ast.Ask(tuple(_pattern(p, relations) for p in query.where))
    if isinstance(query, ast.Compare):
        return distinct_terms(query)
    return query

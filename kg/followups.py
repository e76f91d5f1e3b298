"""Suggested next questions: two or three related questions the language does answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from queries import ast

if TYPE_CHECKING:
    from kg.answer import Answer
    from kg.graph import KnowledgeGraph

__all__ = ["followups_for", "questions_about"]


def questions_about(g: KnowledgeGraph, term: str, limit: int = 3) -> list[str]:
    """Questions about one concept built from its own asserted relations' phrases."""
    label = g.label(term)
    questions: list[str] = []
    partner = None
    for fact, forward in sorted(g.store.neighbours(term)):
        if not forward or not g.store.is_asserted(fact):
            continue
        rel = g.relations.get(fact[1])
        if rel is None or not rel.in_paths:
            continue
        if rel.verb:
            # Prefer the verb the relation's own label uses ("can invoke" -> "invoke", not "call").
            verb = next((v for v in rel.verb if v in rel.label_en), rel.verb[0])
            question = f"what does {label} {verb}"
        elif rel.copula:
            question = f"what is {label} {rel.copula[0]}"
        else:
            continue
        if question not in questions:
            questions.append(question)
            partner = partner or fact[2]
        if len(questions) >= limit - 1:
            break
    questions.append(f"how is {label} related to {g.label(partner)}" if partner else f"define {label}")
    return questions[:limit]


def followups_for(g: KnowledgeGraph, query: ast.Query, answer: Answer) -> list[str]:
    """Two or three follow-up questions for an answer."""
    if isinstance(query, (ast.Define, ast.Expand)):
        return questions_about(g, query.term.id)
    if answer.answers:
        first = answer.answers[0].id
        if first in g.knowledge.concepts:
            return [f"define {answer.answers[0].label}", *questions_about(g, first, 2)][:3]
    terms = [n.id for p in getattr(query, "where", ()) for n in (p.subject, p.object) if isinstance(n, ast.Term)]
    if isinstance(query, ast.Path):
        terms = [query.source.id, query.target.id]
    return [f"define {g.label(t)}" for t in terms if t in g.knowledge.concepts][:3]

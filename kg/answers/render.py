"""Turn an evaluation result into an :class:`~kg.answers.answer.Answer` with text in English or Korean."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.answers.answer import Answer
from kg.answers.followups import followups_for
from kg.answers.messages import say
from kg.engine.evaluate import Result
from queries import ast

if TYPE_CHECKING:
    from kg.answers.describe import Describer

__all__ = ["render_answer"]

_BASIS = {"stated": "yes_stated", "inferred": "yes_inferred", "contradicted": "no_contradicted",
          "absent": "no_absent"}


def _list_text(labels: list[str], lang: str) -> str:
    if not labels:
        return say("no_answer", lang)
    return ", ".join(labels) + say("list_end", lang)


def render_answer(g: Describer, text: str, query: ast.Query, result: Result, lang: str) -> Answer:
    """Render any result kind; the rendering depends only on the result and the language."""
    answer = Answer(question=text, kind=result.kind, core=query.core(), lang=lang)
    if result.kind in ("entities", "count"):
        entities = sorted((g.entity(v, lang) for v in result.values), key=lambda e: e.label.casefold())
        answer.answers = entities
        labels = [e.label for e in entities]
        if result.kind == "count":
            answer.count = result.count
            answer.text = (say("count_with", lang, count=result.count, names=", ".join(labels)) if labels
                           else say("count", lang, count=result.count))
        else:
            answer.text = _list_text(labels, lang)
    elif result.kind == "boolean":
        answer.boolean, answer.basis = result.boolean, result.basis
        answer.text = say(_BASIS[result.basis or "absent"], lang)
    elif result.kind == "definition":
        _render_definition(g, answer, query, result.term or "", lang)
    elif result.kind == "path":
        answer.path = [[{**g.fact_dict(fact, lang), "forward": forward} for fact, forward in path]
                       for path in result.paths]
        lines = ["; ".join(step["text"] for step in path) for path in answer.path]
        answer.text = "\n".join(lines) if lines else say("no_path", lang)
    if result.kind != "definition":
        answer.evidence = g.evidence(result.facts, lang)
    answer.followups = followups_for(g, query, answer)
    return answer


def _render_definition(g: Describer, answer: Answer, query: ast.Query, term: str, lang: str) -> None:
    concept = g.knowledge.concepts.get(term)
    entity = g.entity(term, lang)
    answer.answers = [entity]
    if concept is None:  # a class without a glossary entry
        answer.text = entity.label
        return
    card = g.card(term, lang)
    answer.details = card
    if isinstance(query, ast.Expand):
        expansion = concept.expansion or concept.label("en")
        abbreviation = concept.abbreviation or concept.label("en")
        answer.text = say("stands_for", lang, abbreviation=abbreviation, expansion=expansion)
    else:
        names = [n for n in (concept.abbreviation, concept.expansion) if n and n != entity.label]
        head = entity.label + (f" ({', '.join(names)})" if names else "")
        answer.text = f"{head}: {concept.definition(lang)}"
    answer.evidence = [g.definition_evidence(term, lang)]

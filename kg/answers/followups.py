"""Suggested next questions: two or three related questions the language does answer, in the answer's language.

English questions use the relations' verbs and copulas; Korean ones their stems (``ckg:koStem``) in
the forms the grammar reads, from the message catalogue (:mod:`kg.answers.messages`), with the
particle that fits the word before it:

>>> say("followup_subject_verb", "ko", label="S3", verb="저장하는")
'S3가 저장하는 것은?'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.answers.messages import say
from queries import ast

if TYPE_CHECKING:
    from kg.answers.answer import Answer
    from kg.answers.describe import Describer
    from queries.lexicon import RelationInfo

__all__ = ["define_question", "followups_for", "path_question", "questions_about"]


def define_question(g: Describer, term: str, lang: str = "en") -> str:
    """ "define Amazon S3" or "Amazon S3란?"."""
    return g.remembered(("define_question", term, lang),
                        lambda: say("followup_define", lang, label=g.label(term, lang)))


def path_question(g: Describer, first: str, second: str, lang: str = "en") -> str:
    """ "how is A related to B" or "A와 B의 관계는?"."""
    return say("followup_path", lang, a=g.label(first, lang), b=g.label(second, lang))


def _english_question(label: str, rel: RelationInfo) -> str | None:
    if rel.verb:
        # Prefer the verb the relation's own label uses ("can invoke" -> "invoke", not "call").
        verb = next((v for v in rel.verb if v in rel.label_en), rel.verb[0])
        return say("followup_what_does", "en", label=label, verb=verb)
    if rel.copula:
        return say("followup_what_is", "en", label=label, copula=rel.copula[0])
    return None


def _stem_form(stem: str, ending: str) -> str:
    """A stem and its 하다/되다 ending: 저장 + 하는 -> 저장하는, 기반으로 + 하는 -> 기반으로 하는."""
    return f"{stem} {ending}" if " " in stem or stem.endswith("로") else stem + ending


def _korean_question(g: Describer, label: str, rel: RelationInfo) -> str | None:
    """ "X가 저장하는 것은?" from the relation's own stem, else "X는 어디에 저장돼?" from its inverse's."""
    if rel.ko_stems:
        return say("followup_subject_verb", "ko", label=label, verb=_stem_form(rel.ko_stems[0], "하는"))
    inverse = g.relations.get(rel.inverse or "")
    if inverse is not None and inverse.ko_stems:
        where = "어디에서" if "{o|에서}" in rel.ko_template else "어디에"
        return say("followup_where", "ko", label=label, where=where, verb=_stem_form(inverse.ko_stems[0], "돼"))
    return None


def questions_about(g: Describer, term: str, limit: int = 3, lang: str = "en") -> list[str]:
    """Questions about one concept built from its own asserted relations' phrases, in ``lang``."""
    key = ("questions_about", term, limit, lang)
    return list(g.remembered_fact(key, lambda: tuple(_questions(g, term, limit, lang))))


def _questions(g: Describer, term: str, limit: int, lang: str) -> list[str]:
    label = g.label(term, lang)
    questions: list[str] = []
    partner = None
    # The node's stated relations come precomputed, by relation id: never a sort of a busy node's neighbours.
    for rel_id, obj in g.backend.stated(term):
        rel = g.relations.get(rel_id)
        if rel is None or not rel.in_paths:
            continue
        question = _korean_question(g, label, rel) if lang == "ko" else _english_question(label, rel)
        if question is None:
            continue
        if question not in questions:
            questions.append(question)
            partner = partner or obj
        if len(questions) >= limit - 1:
            break
    questions.append(path_question(g, term, partner, lang) if partner else define_question(g, term, lang))
    return questions[:limit]


def followups_for(g: Describer, query: ast.Query, answer: Answer) -> list[str]:
    """Two or three follow-up questions for an answer, in the answer's language."""
    lang = "ko" if answer.lang == "ko" else "en"
    if isinstance(query, (ast.Define, ast.Expand)):
        return questions_about(g, query.term.id, lang=lang)
    if answer.answers:
        first = answer.answers[0].id
        if first in g.knowledge.concepts:
            return [define_question(g, first, lang), *questions_about(g, first, 2, lang)][:3]
    terms = [n.id for p in getattr(query, "where", ()) for n in (p.subject, p.object) if isinstance(n, ast.Term)]
    if isinstance(query, ast.Path):
        terms = [query.source.id, query.target.id]
    return [define_question(g, t, lang) for t in terms if t in g.knowledge.concepts][:3]

"""Chat tolerance: a message that is not a controlled question still gets a useful answer.

The answer is the definitions of the terms the message mentions (kind ``mentions``) with
follow-up questions the language does answer; a message that names nothing known stays an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.answers.answer import Answer
from kg.answers.followups import path_question, questions_about
from kg.answers.messages import say
from queries.errors import QueryError
from queries.lexer import find_mentions

if TYPE_CHECKING:
    from kg.answers.describe import Describer
    from queries.lexicon import Lexicon

__all__ = ["error_answer", "mentions_answer"]

MAX_MESSAGE = 1000


def mentions_answer(g: Describer, lexicon: Lexicon, text: str, error: QueryError, lang: str) -> Answer | None:
    """The definitions of the terms ``text`` mentions, or None when it mentions none."""
    if len(text) > MAX_MESSAGE:
        return None
    mentions = find_mentions(text, lexicon)
    specific = [ids for ids in mentions if not set(ids) <= g.knowledge.classes.keys()]
    mentions = specific or mentions  # "service" matters only when nothing more specific is named
    ids = list(dict.fromkeys(i for group in mentions for i in group if i in g.knowledge.concepts))
    if not ids:
        return None
    entities = [g.entity(i, lang) for i in ids]
    intro = say("mentions_intro", lang)
    lines = [intro, *(f"- {e.label}: {e.definition}" for e in entities)]
    followups = []
    if len(ids) >= 2:
        followups.append(path_question(g, ids[0], ids[1], lang))
    followups += [q for q in questions_about(g, ids[0], lang=lang) if q not in followups]
    evidence = [g.definition_evidence(i, lang) for i in ids]
    return Answer(question=text, kind="mentions", text="\n".join(lines), answers=entities, lang=lang,
                  evidence=evidence, followups=followups[:3], details={"parse_error": error.to_dict()})


def error_answer(text: str, error: QueryError, lang: str) -> Answer:
    """A question that cannot be answered: the error, and questions to try instead."""
    followups = [f"define {label}" for label in error.suggestions[:2]]
    if error.example:
        followups.append(error.example)
    return Answer(question=text, kind="error", error=error.to_dict(), lang=lang, text=error.render(text),
                  followups=followups)

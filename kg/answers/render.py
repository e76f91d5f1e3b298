"""Turn an evaluation result into an :class:`~kg.answers.answer.Answer` with text in English or Korean."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.answers.answer import Answer, Evidence
from kg.answers.followups import followups_for
from kg.answers.messages import say
from kg.engine.evaluate import Result
from kg.engine.model import Fact
from queries import ast

if TYPE_CHECKING:
    from kg.answers.describe import Describer
    from kg.engine.model import Knowledge

__all__ = ["compare_details", "render_answer", "render_attribute", "render_compare"]

_BASIS = {"stated": "yes_stated", "inferred": "yes_inferred", "contradicted": "no_contradicted",
          "absent": "no_absent"}


def _list_text(labels: list[str], lang: str) -> str:
    if not labels:
        return say("no_answer", lang)
    return ", ".join(labels) + say("list_end", lang)


EVIDENCE_LIMIT = 8
"""Facts shown as evidence by default; ``evidence_total`` then says how many there are."""


def render_answer(g: Describer, text: str, query: ast.Query, result: Result, lang: str,
                  evidence_limit: int | None = EVIDENCE_LIMIT) -> Answer:
    """Render any result kind; the rendering depends only on the result and the language.

    Evidence is the first ``evidence_limit`` facts (None: all of them), so an answer over a big
    graph stays small; ``evidence_total`` counts them all when some were left out.
    """
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
    elif result.kind == "compare":
        render_compare(g, answer, result, lang)
    elif result.kind == "attribute":
        render_attribute(g, answer, result, lang)
    elif result.kind == "path":
        answer.path = [[{**g.fact_dict(fact, lang), "forward": forward} for fact, forward in path]
                       for path in result.paths]
        lines = ["; ".join(step["text"] for step in path) for path in answer.path]
        answer.text = "\n".join(lines) if lines else say("no_path", lang)
    if result.kind not in ("definition", "attribute"):
        facts = result.facts
        if evidence_limit is not None and len(facts) > evidence_limit:
            answer.evidence_total, facts = len(facts), facts[:evidence_limit]
        answer.evidence = g.evidence(facts, lang)
    answer.followups = list(dict.fromkeys(followups_for(g, query, answer)))
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


# ---------------------------------------------------------------- compare and attribute
def _predicate(g: Describer, fact: Fact, lang: str) -> str:
    """A fact without its subject: "is a storage service", or in Korean "유형: 스토리지"."""
    if lang == "ko":
        rel = g.relations.get(fact[1])
        return f"{rel.label_ko if rel else fact[1]}: {g.label(fact[2], 'ko')}"
    sentence, subject = g.sentence(fact), g.label(fact[0])
    return sentence[len(subject) + 1:] if sentence.startswith(subject + " ") else sentence


def compare_details(g: Describer, terms: list[str], facts: list[Fact], lang: str) -> dict:
    """Definitions side by side, the (relation, object) pairs all terms share, and each term's own."""
    pairs = {t: [(p, o) for s, p, o in facts if s == t] for t in terms}
    shared = [pair for pair in dict.fromkeys(pairs[terms[0]]) if all(pair in pairs[t] for t in terms[1:])]

    def item(term: str, pair: tuple[str, str]) -> dict[str, str]:
        fact = (term, *pair)
        return {"relation": pair[0], "object": pair[1], "text": _predicate(g, fact, lang)}

    return {
        "definitions": [g.entity(t, lang).to_dict() for t in terms],
        "shared": [item(terms[0], pair) for pair in shared],
        "different": {t: [item(t, pair) for pair in dict.fromkeys(pairs[t]) if pair not in shared] for t in terms},
    }


def render_compare(g: Describer, answer: Answer, result: Result, lang: str) -> None:
    """Kind ``compare``: the terms, their definitions side by side, what they share and what only one has."""
    terms = list(result.values)
    answer.answers = [g.entity(t, lang) for t in terms]
    details = compare_details(g, terms, result.facts, lang)
    answer.details = details
    lines = [f"{e['label']}: {e['definition'] or say('no_definition', lang)}" for e in details["definitions"]]
    shared = [i["text"] for i in details["shared"]]
    lines.append(say("compare_shared", lang, items="; ".join(shared)) if shared else say("compare_none_shared", lang))
    for term in terms:
        own = [i["text"] for i in details["different"][term]]
        if own:
            lines.append(say("compare_only", lang, label=g.label(term, lang), items="; ".join(own)))
    answer.text = "\n".join(lines)


def _typed_value(text: str, numeric: bool) -> int | float | str:
    """A value as JSON should carry it: a number when the attribute's datatype is numeric.

    >>> _typed_value("22", True), _typed_value("0.5", True), _typed_value("us-east-1", False)
    (22, 0.5, 'us-east-1')
    """
    if not numeric:
        return text
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def render_attribute(g: Describer, answer: Answer, result: Result, lang: str) -> None:
    """Kind ``attribute``: the value with its unit and its source, or what values the term does have."""
    term, attr_id = result.term or "", result.attribute or ""
    knowledge = g.knowledge
    attr = knowledge.attributes.get(attr_id)
    concept = knowledge.concepts.get(term)
    entity = g.entity(term, lang)
    answer.answers = [entity]
    attr_label = attr.label(lang) if attr else attr_id
    values = dict(concept.values) if concept else {}
    if result.value is not None:
        values[attr_id] = result.value
    if attr_id not in values:
        held = [f"{_attr_label(knowledge, a, lang)} {_with_unit(knowledge, a, v)}" for a, v in values.items()]
        fields = {"label": entity.label, "attribute": attr_label, "values": ", ".join(held)}
        answer.text = say("attribute_missing_has" if held else "attribute_missing", lang, **fields)
        return
    raw = values[attr_id]
    answer.value = _typed_value(raw, bool(attr and attr.numeric))
    answer.unit = attr.unit if attr else None
    answer.text = say("attribute_value", lang, label=entity.label, attribute=attr_label,
                      value=_with_unit(knowledge, attr_id, raw))
    sources = knowledge.value_sources.get((term, attr_id, raw)) or (concept.sources if concept else ())
    answer.evidence = [Evidence(term, attr_id, raw, answer.text, False, sources=tuple(g.source(s) for s in sources),
                                user_data=g.provenance.get("concepts", {}).get(term))]


def _attr_label(knowledge: Knowledge, attr_id: str, lang: str) -> str:
    attr = knowledge.attributes.get(attr_id)
    return attr.label(lang) if attr else attr_id


def _with_unit(knowledge: Knowledge, attr_id: str, raw: str) -> str:
    attr = knowledge.attributes.get(attr_id)
    return f"{raw} {attr.unit}" if attr and attr.unit else raw

"""Answer a free question through its readings (:mod:`queries.free`): evaluate, score, answer the best.

Each reading is a question in the controlled language; it is parsed and run through the back-end,
then scored: the prior (content words covered, the cue agreeing with the answer type) plus a
bonus for a non-empty result. The answer carries ``interpretation`` (the reading, which parses to
the answer's core form) and ``confidence``. Two close readings of different kinds give a ``clarify``
answer offering both. A "No" names the nearest facts held, so it never hides a stored fact.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from kg.answers.answer import Answer
from kg.answers.messages import say
from queries import ast
from queries.errors import QueryError
from queries.free.readings import Reading, Vocabulary, analyse_question, read
from queries.relation_ids import SUBCLASS_OF, TYPE

if TYPE_CHECKING:
    from kg.answers.describe import Describer
    from kg.engine.evaluate import Result
    from queries.lexicon import Lexicon

__all__ = ["interpret_answer", "substantive_answer", "note_expansion", "vocabulary", "evaluate_readings"]

MAX_MESSAGE = 300
EVALUATE = 16  # readings evaluated, best priors first
SUBSTANTIVE = 0.3  # the confidence an answer needs to stand in for the grammar's empty one
CLOSE = 0.02  # score margin under which two readings of different kinds are offered back
_VOCAB: dict[int, tuple[Any, Vocabulary]] = {}


@cache
def _schema_extras() -> tuple[tuple[tuple[str, str, bool], ...], tuple[tuple[str, str, str], ...]]:
    """Relation synonyms (``ckg:synonym``, ``ckg:inverseSynonym``) and attribute labels from the schema."""
    import rdflib

    from ontology import HERE

    graph = rdflib.Graph().parse(HERE / "schema.ttl", format="turtle")
    ckg = rdflib.Namespace("https://w3id.org/cloudkg/schema#")
    synonyms = [(str(o), str(s).rsplit("#", 1)[-1], inverse)
                for prop, inverse in ((ckg.synonym, False), (ckg.inverseSynonym, True))
                for s, o in graph.subject_objects(prop)]
    attributes = []
    for prop in graph.subjects(rdflib.RDF.type, rdflib.OWL.DatatypeProperty):
        labels = list(graph.objects(prop, rdflib.RDFS.label)) + list(graph.objects(prop, ckg.synonym))
        english = next((str(x) for x in labels if getattr(x, "language", None) == "en"), "")
        pid = str(prop).rsplit("#", 1)[-1]
        attributes += [(str(x), pid, english or pid) for x in labels]
    return tuple(synonyms), tuple(attributes)


def vocabulary(describer: Describer, lexicon: Lexicon) -> Vocabulary:
    """The interpreter's vocabulary for this knowledge (built once per lexicon)."""
    cached = _VOCAB.get(id(lexicon))
    if cached and cached[0] is lexicon:
        return cached[1]
    k = describer.knowledge
    names: dict[str, list[str]] = {}
    for cid, concept in k.concepts.items():
        options = [concept.labels.get("en", "")] + [a for a, lang in concept.aliases if lang == "en"]
        names[cid] = [n for n in options if n]
    nouns = {}
    for cid, info in k.classes.items():
        sg = next((n for n, lang in info.nouns if lang == "en"), "")
        pl = next((n for n, lang in info.plurals if lang == "en"), "")
        nouns[cid] = (sg, pl)
        names.setdefault(cid, [n for n in (sg,) if n])
    synonyms, attributes = _schema_extras()
    categories = {cid: concept.category for cid, concept in k.concepts.items() if concept.category}
    vocab = Vocabulary.build(lexicon, names, nouns, synonyms, attributes, categories)
    _VOCAB.clear()
    _VOCAB[id(lexicon)] = (lexicon, vocab)
    return vocab


def _links(backend) -> Callable[[str], list[tuple[str, bool, str]]]:
    memo: dict[str, list[tuple[str, bool, str]]] = {}

    def links(term: str) -> list[tuple[str, bool, str]]:
        if term not in memo:
            memo[term] = [(f[1], f[0] == term, f[2] if f[0] == term else f[0]) for f, _ in backend.neighbours(term)]
        return memo[term]

    return links


def _result_bonus(result: Result, concepts) -> float:
    if result.kind == "attribute":
        concept = concepts.get(result.term or "")
        held = concept is not None and any(name == getattr(result, "attribute", None) for name, _ in concept.values)
        return 1.2 if held else -0.5
    if result.kind in ("entities",):
        return 1.0 if result.values else EMPTY
    if result.kind == "count":
        return 1.0 if result.count else EMPTY
    if result.kind == "boolean":
        return {"stated": 1.0, "inferred": 0.9, "contradicted": 0.8}.get(result.basis or "", 0.3)
    if result.kind == "path":
        return 1.0 if result.paths else -0.5
    return 0.6


EMPTY = -1.5  # an empty list or a zero count: "No answer" is the least useful reading
MAX_BONUS = 1.2  # the most a result can add to a reading's prior (see _result_bonus)


def evaluate_readings(readings: list[Reading], lexicon: Lexicon, backend, concepts, known,
                      parsed: dict[str, Any] | None = None) -> list[tuple[float, Reading, ast.Query, Any]]:
    """Parse and run the best readings; ``(score, reading, query, result)``, best first.

    ``concepts`` maps ids to concepts (for attribute values), ``known`` is every id a query may name,
    ``parsed`` caches the parses of reading texts (they recur across questions). Readings come best
    prior first, so once no later prior plus the largest bonus can beat the best score, the rest
    are skipped: the choice is the same, with fewer parses.
    """
    from queries.parser import parse

    scored: list[tuple[float, Reading, ast.Query, Any]] = []
    seen: set[str] = set()
    cache = parsed if parsed is not None else {}
    for reading in readings[:EVALUATE * 4]:
        if len(scored) >= EVALUATE or (scored and max(s[0] for s in scored) > reading.prior + MAX_BONUS + CLOSE):
            break
        try:
            if reading.text not in cache:
                if len(cache) > 4096:
                    cache.clear()
                try:
                    cache[reading.text] = parse(reading.text, lexicon)
                except QueryError as error:
                    cache[reading.text] = error
            query = cache[reading.text]
            if isinstance(query, QueryError):
                continue
            if not callable(getattr(query, "core", None)) or any(t.id not in known for t in _terms_of(query)):
                continue
            core = query.core()
            if core in seen:
                continue
            seen.add(core)
            result = backend.run(query)
        except QueryError:
            continue
        scored.append((round(reading.prior + _result_bonus(result, concepts), 3), reading, query, result))
    # A reading that found nothing never stands over one that found something, however well it covers the words.
    scored.sort(key=lambda item: (_result_bonus(item[3], concepts) <= EMPTY, -item[0]))
    return scored


def interpret_answer(describer: Describer, lexicon: Lexicon, backend, text: str, lang: str,
                     sparql_of: Callable[[ast.Query, str], str] | None = None) -> Answer | None:
    """The answer to the best reading of ``text``, a ``clarify`` answer, or None when nothing reads."""
    if len(text) > MAX_MESSAGE:
        return None
    from kg.answers.render import render_answer

    vocab = vocabulary(describer, lexicon)
    analysis = analyse_question(text, vocab)
    readings = read(text, vocab, _links(backend), analysis)
    known = vocab.known if vocab.known else describer.knowledge.concepts.keys() | describer.knowledge.classes.keys()
    vocab.known = known
    scored = evaluate_readings(readings, lexicon, backend, describer.knowledge.concepts, known, vocab.parsed)
    if not scored:
        return None
    scored = _no_false_no(scored)
    best, reading, query, result = scored[0]
    defined = {t.id for t in _terms_of(query)}
    others = {m.terms[0] for k, m in enumerate(analysis.mentions) if m.terms and k not in reading.used} - defined
    if reading.kind == "define" and others:
        return None  # several things named and no question about them: the definitions of each (mentions)
    if _narrower_than_answered(analysis, reading, query, result):
        return None  # "can st1 be a boot volume" is not "is st1 an EBS volume": the mentions, not a Yes
    concepts = describer.knowledge.concepts
    close = [item for item in scored[1:] if best - item[0] < CLOSE and item[1].kind != reading.kind
             and _result_bonus(item[3], concepts) > 0 and _result_bonus(result, concepts) > 0]
    if close:
        return _clarify(text, [reading, close[0][1]], lang)
    answer = render_answer(describer, text, query, result, lang)
    if sparql_of is not None:
        answer._sparql = lambda: sparql_of(query, text)
    answer.interpretation = reading.text
    note_expansion(describer, answer, query)
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    answer.confidence = round(max(0.05, min(1.0, best / 4)) * (0.6 + 0.4 * min(1.0, best - runner_up)), 2)
    if result.kind == "boolean" and result.boolean is False and result.basis != "contradicted":
        _name_nearest(describer, backend, answer, query, lang)
    return answer


def substantive_answer(describer: Describer, lexicon: Lexicon, backend, text: str, lang: str,
                       sparql_of: Callable[[ast.Query, str], str] | None = None) -> Answer | None:
    """The interpreter's answer when it finds something, for a question the grammar read but found nothing for.

    Something is: values, a non-zero count, a "Yes" or stated "No", an attribute value or a definition,
    with confidence at least ``SUBSTANTIVE``. Otherwise None, and the grammar's empty answer stands.
    """
    if _formal(text):
        return None  # a question in the core language means exactly what it says
    answer = interpret_answer(describer, lexicon, backend, text, lang, sparql_of)
    if answer is None or (answer.confidence or 0.0) < SUBSTANTIVE:
        return None
    found = {"entities": bool(answer.answers), "count": bool(answer.count), "attribute": answer.value is not None,
             "boolean": answer.boolean is True or answer.basis == "contradicted", "definition": bool(answer.answers),
             "compare": True, "path": bool(answer.path)}
    return answer if found.get(answer.kind, False) else None


def _formal(text: str) -> bool:
    """Whether ``text`` is written in the core language (braces or ``:Term`` names).

    >>> _formal("ASK { :RDS supports :DynamoDB }"), _formal("EXPAND :AMI"), _formal("what is S3 used for")
    (True, True, False)
    """
    import re

    return "{" in text or re.search(r"(?:^|\s):[A-Za-z]", text) is not None


def note_expansion(describer: Describer, answer: Answer, query: ast.Query) -> None:
    """What an abbreviation stands for is a value too: "what does EBS stand for" gives ``value`` the expansion."""
    if isinstance(query, ast.Expand) and answer.value is None:
        concept = describer.knowledge.concepts.get(query.term.id)
        if concept is not None and concept.expansion:
            answer.value = concept.expansion


def _narrower_than_answered(analysis, reading: Reading, query: ast.Query, result) -> bool:
    """Whether a Yes answers a wider question than was asked: a word the reading leaves out modifies its object.

    The object's mention is directly preceded by a content word no used mention covers ("boot" in
    "a boot volume" read as EBS volume): what was asked about is narrower than what holds.
    """
    if result.kind != "boolean" or result.boolean is not True or not isinstance(query, ast.Ask):
        return False
    objects = {p.object.id for p in query.where if isinstance(p, ast.Triple) and isinstance(p.object, ast.Term)}
    named = {t.id for t in _terms_of(query)}
    if any(u >= len(analysis.mentions) or analysis.mentions[u].terms and not set(analysis.mentions[u].terms) & named
           for u in reading.used):
        return False  # the reading came from a re-split analysis ("aurora mysql"): its mentions are not these
    covered = {k for u in reading.used for k in range(analysis.mentions[u].i, analysis.mentions[u].j)}
    for u in reading.used:
        mention = analysis.mentions[u]
        before = mention.i - 1
        if set(mention.terms) & objects and before in analysis.content and before not in covered:
            return True
    return False


def _no_false_no(scored: list) -> list:
    """A "No" never stands where another yes/no reading of the same terms finds the fact stated."""
    top = scored[0][3]
    if top.kind != "boolean" or top.boolean is not False or top.basis == "contradicted":
        return scored
    terms = {t.id for t in _terms_of(scored[0][2])}
    for item in scored[1:]:
        if item[3].kind == "boolean" and item[3].boolean and {t.id for t in _terms_of(item[2])} == terms:
            return [item, *[x for x in scored if x is not item]]
    return scored




def _clarify(text: str, readings: list[Reading], lang: str) -> Answer:
    options = [r.text for r in readings]
    return Answer(question=text, kind="clarify", lang=lang, followups=options,
                  text=say("free_clarify", lang, options=" | ".join(options)))


def _name_nearest(describer: Describer, backend, answer: Answer, query: ast.Query, lang: str) -> None:
    """A "No, not stated" names what the knowledge base does say about the subject."""
    if not isinstance(query, ast.Ask) or not query.where:
        return
    pattern = query.where[0]
    subject = pattern.subject.id if isinstance(pattern.subject, ast.Term) else None
    if subject is None:
        return
    wanted = getattr(getattr(pattern, "step", None), "relation", None)
    obj = pattern.object.id if isinstance(pattern.object, ast.Term) else None
    facts = [f for f, _ in backend.neighbours(subject) if f[0] == subject and f[1] not in ("offeredBy", SUBCLASS_OF)]
    explainer = getattr(backend, "explainer", None)

    def asserted(fact) -> bool:
        return explainer is None or explainer.is_asserted(fact)

    facts.sort(key=lambda f: (f[2] != obj, not _related(describer, f[1], wanted), not asserted(f), f[1] == TYPE))
    chosen, objects = [], set()
    for fact in facts:
        if fact[2] not in objects and (describer.knowledge.concepts.get(fact[2]) or fact[1] == TYPE):
            chosen.append(fact)
            objects.add(fact[2])
        if len(chosen) == 2:
            break
    if not chosen:
        return
    said = say("and_join", lang, a=describer.sentence(chosen[0], lang),
               b=describer.sentence(chosen[1], lang)) if len(chosen) > 1 else describer.sentence(chosen[0], lang)
    answer.text = say("no_absent_nearest", lang, facts=said.rstrip("."))


def _related(describer: Describer, rel: str, wanted: str | None) -> bool:
    if wanted is None:
        return False
    relations = describer.knowledge.relations
    info = relations.get(rel)
    return rel == wanted or (info is not None and wanted in info.super_properties)


def _terms_of(query: ast.Query) -> list[ast.Term]:
    if isinstance(query, (ast.Define, ast.Expand)):
        return [query.term]
    if isinstance(query, ast.Path):
        return [query.source, query.target]
    if hasattr(query, "where"):
        return [n for p in query.where for n in (p.subject, p.object) if isinstance(n, ast.Term)]
    return [v for v in vars(query).values() if isinstance(v, ast.Term)] if hasattr(query, "__dict__") else []

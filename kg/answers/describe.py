"""Words for the engine's data: labels, fact sentences, evidence and glossary cards, in English or Korean.

A :class:`Describer` reads the knowledge (labels, definitions, relations) and a back-end (facts, and
its explainer for derivations and sources); the answers are built from what it returns.

>>> from kg import KnowledgeGraph
>>> d = KnowledgeGraph.load().describer
>>> d.sentence(("EBSSnapshot", "storedIn", "S3"))
'EBS snapshot is stored in Amazon S3'
>>> d.sentence(("EC2", "type", "IaaS"))
'Amazon EC2 is an IaaS'
>>> d.sentence(("EBSSnapshot", "storedIn", "S3"), "ko")
'EBS 스냅샷은 Amazon S3에 저장된다'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.answers.answer import Entity, Evidence
from queries.relation_ids import DISJOINT_WITH, SCHEMA_SOURCE, SUBCLASS_OF, TYPE

if TYPE_CHECKING:
    from kg.engine.backend import Backend
    from kg.engine.model import Fact, Knowledge

__all__ = ["Describer", "MEMO_LIMIT"]

_MISSING = object()


MEMO_LIMIT = 20_000
"""Entries a describer remembers (entities, sentences, evidence, follow-ups) before it starts afresh."""


@dataclass
class Describer:
    """Labels, sentences and evidence over one knowledge base and the back-end that holds its facts.

    The knowledge and the back-end are read-only, so what it words for one node or fact (an entity,
    a sentence, a fact's evidence, a node's follow-up questions) is remembered for the next answer:
    see :meth:`remembered`.
    """

    knowledge: Knowledge
    backend: Backend
    provenance: dict[str, dict] = field(default_factory=dict)
    _memo: dict[tuple, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def relations(self):
        return self.knowledge.relations

    def remembered(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()``, worked out once per ``key`` (a tuple naming what it is, e.g. ``("entity", id, lang)``).

        Values must be immutable or treated as such: every later answer shares them.
        """
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            if len(self._memo) >= MEMO_LIMIT:  # bounded: a remote store's facts are not all known ahead
                self._memo.clear()
            found = self._memo[key] = make()
        return found

    def remembered_fact(self, key: tuple, make: Callable[[], Any]) -> Any:
        """:meth:`remembered` for what the back-end decides (facts, and over a store the names it reads):
        only a local store never changes under us (a SPARQL store may be pushed to while a server answers
        from it, and a large one is read lazily, so a name may not be known yet)."""
        from kg.engine.local import LocalBackend

        return self.remembered(key, make) if isinstance(self.backend, LocalBackend) else make()

    def label(self, node_id: str, lang: str = "en") -> str:
        return self.knowledge.concept_label(node_id, lang)

    def entity(self, node_id: str, lang: str = "en") -> Entity:
        return self.remembered_fact(("entity", node_id, lang), lambda: self._entity(node_id, lang))

    def _entity(self, node_id: str, lang: str) -> Entity:
        concept = self.knowledge.concepts.get(node_id)
        return Entity(node_id, self.label(node_id, lang), concept.definition(lang) if concept else "")

    def sentence(self, fact: Fact, lang: str = "en") -> str:
        """A fact as a short sentence; in Korean from the relation's template (else "S —label→ O")."""
        return self.remembered_fact(("sentence", fact, lang), lambda: self._sentence(fact, lang))

    def _sentence(self, fact: Fact, lang: str) -> str:
        s, p, o = fact
        rel = self.relations.get(p)
        if lang == "ko":
            from kg.answers.korean import render

            if rel is not None and rel.ko_template:
                return render(rel.ko_template, self.label(s, "ko"), self.label(o, "ko"))
            return f"{self.label(s, 'ko')} —{rel.label_ko if rel else p}→ {self.label(o, 'ko')}"
        phrase, obj = rel.label_en if rel else p, self.label(o)
        if phrase.endswith(" a"):  # "is a IaaS" → "is an IaaS"
            from kg.answers.english import article

            phrase = f"{phrase[:-2]} {article(obj)}"
        return f"{self.label(s)} {phrase} {obj}"

    def source(self, iri: str) -> dict[str, str]:
        return {"id": iri, "label": self.knowledge.sources.get(iri, iri)}

    def fact_sources(self, fact: Fact) -> tuple[str, ...]:
        explainer = self.backend.explainer
        found = explainer.sources(fact) if explainer is not None else ()
        if found:
            return found
        return (SCHEMA_SOURCE,) if fact[1] in (SUBCLASS_OF, DISJOINT_WITH) else ()

    def fact_dict(self, fact: Fact, lang: str) -> dict[str, Any]:
        return {"subject": fact[0], "relation": fact[1], "object": fact[2], "text": self.sentence(fact, lang),
                "sources": [self.source(s) for s in self.fact_sources(fact)]}

    def user_file(self, fact: Fact) -> str | None:
        """The user file a fact rests on (it asserts the fact, or words or changes its relation), else None."""
        if not self.provenance:
            return None
        facts, relations, renamed = (self.provenance[k] for k in ("facts", "relations", "renamed"))
        return facts.get(fact) or relations.get(fact[1]) or renamed.get(fact[0]) or renamed.get(fact[2])

    def _ground_dict(self, fact: Fact, lang: str) -> dict[str, Any]:
        """A ground as a dict, with ``user_data`` only when it rests on a user file."""
        data = self.fact_dict(fact, lang)
        user = self.user_file(fact)
        return {**data, "user_data": user} if user else data

    def evidence(self, facts: Sequence[Fact], lang: str = "en") -> list[Evidence]:
        """Facts as evidence: inferred ones with their rule and the asserted facts behind them."""
        return [self.remembered_fact(("evidence", f, lang), lambda f=f: self._evidence(f, lang)) for f in facts]

    def _evidence(self, fact: Fact, lang: str) -> Evidence:
        explainer = self.backend.explainer
        derivation = explainer.derivation(fact) if explainer is not None else None
        grounds = tuple(self._ground_dict(g, lang) for g in explainer.grounds(fact)) if derivation else ()
        user = self.user_file(fact) or next((g["user_data"] for g in grounds if "user_data" in g), None)
        return Evidence(fact[0], fact[1], fact[2], self.sentence(fact, lang), derivation is not None,
                        derivation.rule if derivation else None, grounds,
                        tuple(self.source(s) for s in self.fact_sources(fact)), user)

    def definition_evidence(self, concept_id: str, lang: str = "en") -> Evidence:
        """A glossary entry as evidence: its definition and the sources it cites."""
        concept = self.knowledge.concepts[concept_id]
        return Evidence(concept_id, "definition", concept_id, concept.definition(lang), False,
                        sources=tuple(self.source(s) for s in concept.sources),
                        user_data=self.provenance.get("concepts", {}).get(concept_id))

    def is_asserted(self, fact: Fact) -> bool:
        explainer = self.backend.explainer
        return explainer.is_asserted(fact) if explainer is not None else True

    def card(self, concept_id: str, lang: str = "en") -> dict[str, Any]:
        """Everything the glossary knows of one concept, relations in both directions included."""
        k = self.knowledge
        c = k.concepts[concept_id]
        outgoing, incoming = [], []
        for fact, forward in sorted(self.backend.neighbours(concept_id)):
            asserted = self.is_asserted(fact)
            if not asserted and fact[1] != TYPE:
                continue
            entry = {"relation": fact[1], "text": self.sentence(fact, lang),
                     "other": fact[2] if forward else fact[0], "inferred": not asserted}
            (outgoing if forward else incoming).append(entry)
        return {
            "id": c.id, "iri": c.iri, "labels": c.labels,
            "aliases": [name for name, _ in c.aliases], "misspellings": list(c.hidden),
            "abbreviation": c.abbreviation, "expansion": c.expansion, "definitions": c.definitions,
            "category": k.categories.get(c.category or "", {}).get(lang) if c.category else None,
            "values": dict(c.values), "outgoing": outgoing, "incoming": incoming,
            "sources": [self.source(s) for s in c.sources],
        }

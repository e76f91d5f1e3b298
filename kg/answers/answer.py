"""The Answer model and its rendering to text (English or Korean) and to JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.answers.messages import say

__all__ = ["Answer", "Entity", "Evidence", "evidence_outline"]


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    label: str
    definition: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label, "definition": self.definition}


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact behind an answer: as a sentence, with its rule, grounds and sources."""

    subject: str
    relation: str
    object: str
    text: str
    inferred: bool
    rule: str | None = None
    grounds: tuple[dict[str, Any], ...] = ()
    sources: tuple[dict[str, str], ...] = ()
    user_data: str | None = None
    """The name of the user's Turtle file this rests on (the fact, its wording or a ground), else None."""

    def to_dict(self) -> dict[str, Any]:
        """A fresh dict (copies of the grounds and sources: one fact's evidence is shared between answers)."""
        data: dict[str, Any] = {"subject": self.subject, "relation": self.relation, "object": self.object,
                                "text": self.text, "inferred": self.inferred,
                                "sources": [dict(s) for s in self.sources], "user_data": self.user_data}
        if self.inferred:
            data["rule"] = self.rule
            data["from"] = [{**g, "sources": [dict(s) for s in g["sources"]]} for g in self.grounds]
        return data


@dataclass
class Answer:
    """An answer with everything behind it; ``to_dict()`` is the ``kg ask --json`` contract."""

    question: str
    kind: str
    text: str = ""
    answers: list[Entity] = field(default_factory=list)
    boolean: bool | None = None
    basis: str | None = None
    count: int | None = None
    path: list[list[dict[str, Any]]] | None = None
    evidence: list[Evidence] = field(default_factory=list)
    evidence_total: int | None = None
    """How many facts are behind the answer when ``evidence`` shows only the first of them."""
    core: str | None = None
    lang: str = "en"
    error: dict[str, Any] | None = None
    followups: list[str] = field(default_factory=list)
    details: dict[str, Any] | None = None
    interpretation: str | None = None
    """A free question restated in the controlled language (it parses to ``core``), else None."""
    confidence: float | None = None
    value: int | float | str | None = None
    """Kind ``attribute``: the value (a number when the attribute's datatype is numeric), with ``unit``."""
    unit: str | None = None
    _sparql: Callable[[], str] | None = field(default=None, repr=False)

    @property
    def sparql(self) -> str | None:
        """The same question as SPARQL 1.1 (generated on first use)."""
        return self._sparql() if self._sparql else None

    @property
    def ok(self) -> bool:
        return self.error is None

    def user_data(self) -> list[str]:
        """The user files the evidence rests on, in order.

        >>> item = Evidence("a", "type", "B", "a is a B", False, user_data="mine.ttl")
        >>> Answer("q", "boolean", evidence=[item]).user_data()
        ['mine.ttl']
        """
        names = [item.user_data for item in self.evidence]
        names += [ground.get("user_data") for item in self.evidence for ground in item.grounds]
        return list(dict.fromkeys(name for name in names if name))

    def note_user_data(self) -> Answer:
        """End the text with the user files the answer rests on, if any (once).

        >>> a = Answer("q", "boolean", text="Yes.", evidence=[Evidence("a", "type", "B", "", False, user_data="m.ttl")])
        >>> a.note_user_data().note_user_data().text
        'Yes. (rests on your data: m.ttl)'
        """
        files = self.user_data()
        if files and self.error is None:
            label = say("user_data", self.lang)
            note = f"({label}: {', '.join(files)})"
            if not self.text.endswith(note):
                self.text = f"{self.text} {note}" if self.text else note
        return self

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"question": self.question, "error": self.error}
        data: dict[str, Any] = {
            "question": self.question, "kind": self.kind,
            "answers": [a.to_dict() for a in self.answers],
            "boolean": self.boolean, "basis": self.basis, "count": self.count, "path": self.path,
            "evidence": [e.to_dict() for e in self.evidence],
            "text": self.text, "core": self.core, "sparql": self.sparql,
            "followups": self.followups,
        }
        if self.evidence_total is not None:
            data["evidence_total"] = self.evidence_total
        if self.details is not None:
            data["details"] = self.details
        if self.kind == "attribute" or self.value is not None:  # also what an abbreviation stands for
            data["value"], data["unit"] = self.value, self.unit
        if self.interpretation is not None:
            data["interpretation"], data["confidence"] = self.interpretation, self.confidence
        return data


def evidence_outline(answer: Answer, sources: int = 2) -> Iterator[tuple[int, str, str]]:
    """The evidence as ``(depth, kind, text)`` lines for any renderer.

    Depth 0 is a fact (kind ``fact`` or ``inferred``, whose text then ends with its rule),
    depth 1 an asserted fact it rests on (``ground``), the deepest level a ``source``.
    """
    for item in answer.evidence:
        yield 0, "inferred" if item.inferred else "fact", item.text
        for ground in item.grounds:
            if ground["text"] != item.text:
                yield 1, "ground", ground["text"]
            for source in ground["sources"][:sources]:
                yield 2, "source", source["label"]
        if not item.inferred:
            for source in item.sources[:sources]:
                yield 1, "source", source["label"]

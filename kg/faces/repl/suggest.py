"""Completion as a pure function: the text before the cursor -> typed suggestions.

>>> vocab = Vocabulary(terms=["Amazon S3", "Amazon EC2", "스냅샷"], phrases=["stores", "built on"],
...                    classes=["compute services"], starters=["what", "which"], commands=[".help", ".quit"])
>>> [s.text for s in suggest("what st", vocab)]
['stores']
>>> [(s.text, s.kind) for s in suggest("define amazon e", vocab)]
[('Amazon EC2', 'term')]
>>> suggest(".q", vocab)[0].text, suggest("스냅", vocab)[0].text
('.quit', '스냅샷')
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Suggestion", "Vocabulary", "suggest"]

KIND_ORDER = {"command": 0, "starter": 1, "term": 2, "class": 3, "relation": 4}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Replace the last ``-start_position`` characters with ``text``."""

    text: str
    kind: str
    start_position: int
    meta: str = ""


@dataclass
class Vocabulary:
    """What can be completed: names from the knowledge, starters and commands from the language and REPL."""

    terms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    starters: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def entries(self) -> list[tuple[str, str]]:
        return ([(t, "term") for t in self.terms] + [(c, "class") for c in self.classes]
                + [(p, "relation") for p in self.phrases] + [(s, "starter") for s in self.starters])


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split())


def suggest(text_before_cursor: str, vocab: Vocabulary, limit: int = 20) -> list[Suggestion]:
    """Suggestions for the phrase being typed: prefix matches on the last 1-4 words, then fuzzy ones."""
    text = text_before_cursor
    if text.lstrip().startswith("."):
        typed = text.lstrip()
        if " " in typed:  # a command's argument: complete a term
            argument = typed.split(" ", 1)[1]
            return [Suggestion(t, "term", -len(argument), vocab.meta.get(t, "")) for t in vocab.terms
                    if _fold(t).startswith(_fold(argument))][:limit] if argument else []
        return [Suggestion(c, "command", -len(typed), vocab.meta.get(c, "")) for c in vocab.commands
                if c.startswith(typed)]
    if not text or text[-1].isspace():
        return []
    words = text.split()
    found: dict[str, Suggestion] = {}
    at_start = len(words) == 1
    for count in range(min(4, len(words)), 0, -1):
        tail = " ".join(words[-count:])
        folded = _fold(tail)
        start = -(len(text) - text.rstrip().rfind(words[-count]))
        for entry, kind in vocab.entries():
            if kind == "starter" and not at_start:
                continue
            if _fold(entry).startswith(folded) and _fold(entry) != folded and entry not in found:
                found[entry] = Suggestion(entry, kind, start, vocab.meta.get(entry, kind))
    if not found and len(words[-1]) >= 3:
        found.update(_fuzzy(words[-1], text, vocab))
    # Longer typed spans first; then one suggestion per concept (its names all mean the same).
    ranked = sorted(found.values(), key=lambda s: (KIND_ORDER[s.kind], s.start_position, len(s.text), s.text))
    seen: set[str] = set()
    unique = []
    for item in ranked:
        concept = item.meta if item.kind == "term" else item.text
        if concept not in seen:
            seen.add(concept)
            unique.append(item)
    return unique[:limit]


def _fuzzy(word: str, text: str, vocab: Vocabulary) -> dict[str, Suggestion]:
    from rapidfuzz import fuzz

    folded = _fold(word)
    found = {}
    for entry, kind in vocab.entries():
        if kind != "starter" and fuzz.partial_ratio(folded, _fold(entry)) >= 80 and len(entry) >= len(word):
            found[entry] = Suggestion(entry, kind, -len(word), vocab.meta.get(entry, kind))
    return found

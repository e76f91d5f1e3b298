"""The REPL's session state: the loaded graph, the conversation so far and the user's toggles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.answers.answer import Answer
    from kg.answers.conversation import Conversation
    from kg.graph import KnowledgeGraph

__all__ = ["ReplState", "ExitRepl"]


class ExitRepl(Exception):
    """Raised by .quit."""


@dataclass
class ReplState:
    g: KnowledgeGraph
    lang: str | None = None  # None: answer each question in its own language
    explain: bool = False
    all_evidence: bool = False  # `.explain all`: every fact behind an answer, not the first few
    sparql: bool = False
    extra: list[Path] = field(default_factory=list)
    conversation: Conversation | None = None

    def ask(self, line: str) -> Answer:
        """A question as the next turn of the session's conversation ("and EFS?" after "what is EBS?")."""
        if self.conversation is None:
            self.conversation = self.g.conversation()
        self.conversation.g = self.g  # .load may have replaced the graph; the turns stay
        options = {"evidence": None} if self.all_evidence else {}
        return self.conversation.ask(line, lang=self.lang, **options)

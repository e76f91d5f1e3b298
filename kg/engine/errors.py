"""Errors the engine reports to people: where, what, and a suggestion; never a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DataError", "InferenceLimitError", "UnknownTermError", "AmbiguousTermError", "KnowledgeError"]


class KnowledgeError(Exception):
    """Base of the engine's user-facing errors."""


@dataclass
class DataError(KnowledgeError):
    """A Turtle file that cannot be loaded or does not satisfy the shapes."""

    file: str
    line: int | None
    message: str
    details: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return "\n".join([f"{where}: {self.message}", *self.details])


@dataclass
class InferenceLimitError(DataError):
    """Inference stopped at its limit (``limit`` inferred facts); ``relations`` are the ones that grew most."""

    limit: int = 0
    relations: tuple[str, ...] = ()


@dataclass
class UnknownTermError(KnowledgeError):
    """No concept answers to this name."""

    term: str
    suggestions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"unknown term {self.term!r}"
        if self.suggestions:
            text += "; did you mean: " + ", ".join(self.suggestions) + "?"
        return text


@dataclass
class AmbiguousTermError(KnowledgeError):
    """Several concepts answer to this name."""

    term: str
    choices: list[tuple[str, str]]

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        names = ", ".join(f"{label} ({cid})" for cid, label in self.choices)
        return f"{self.term!r} can mean: {names}"

"""Errors the engine reports to people: where, what, and a suggestion; never a traceback.

Plain classes rather than dataclasses: the module is imported by every command, and a dataclass
costs its definition at each start.

>>> str(DataError("a.ttl", 3, "bad triple", ["check the dot"]))
'a.ttl:3: bad triple\\ncheck the dot'
>>> UnknownTermError("EC3", ["EC2"]).suggestions, str(AmbiguousTermError("EB", [("EBS", "Amazon EBS")]))
(['EC2'], "'EB' can mean: Amazon EBS (EBS)")
"""

from __future__ import annotations

__all__ = ["DataError", "InferenceLimitError", "UnknownTermError", "AmbiguousTermError", "KnowledgeError"]


class KnowledgeError(Exception):
    """Base of the engine's user-facing errors."""


class DataError(KnowledgeError):
    """A Turtle file that cannot be loaded or does not satisfy the shapes."""

    def __init__(self, file: str, line: int | None, message: str, details: list[str] | None = None) -> None:
        self.file, self.line, self.message = file, line, message
        self.details: list[str] = list(details or [])
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return "\n".join([f"{where}: {self.message}", *self.details])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(file={self.file!r}, line={self.line!r}, message={self.message!r})"


class InferenceLimitError(DataError):
    """Inference stopped at its limit (``limit`` inferred facts); ``relations`` are the ones that grew most."""

    def __init__(self, file: str, line: int | None, message: str, details: list[str] | None = None,
                 limit: int = 0, relations: tuple[str, ...] = ()) -> None:
        self.limit, self.relations = limit, relations
        super().__init__(file, line, message, details)


class UnknownTermError(KnowledgeError):
    """No concept answers to this name."""

    def __init__(self, term: str, suggestions: list[str] | None = None) -> None:
        self.term = term
        self.suggestions: list[str] = list(suggestions or [])
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"unknown term {self.term!r}"
        if self.suggestions:
            text += "; did you mean: " + ", ".join(self.suggestions) + "?"
        return text


class AmbiguousTermError(KnowledgeError):
    """Several concepts answer to this name."""

    def __init__(self, term: str, choices: list[tuple[str, str]]) -> None:
        self.term, self.choices = term, choices
        super().__init__(str(self))

    def __str__(self) -> str:
        names = ", ".join(f"{label} ({cid})" for cid, label in self.choices)
        return f"{self.term!r} can mean: {names}"

"""One error for every bad question: where, what was expected, and what to try instead.

>>> e = QueryError("unknown term 'EC3'", position=8, suggestions=["Amazon EC2"])
>>> e.to_dict()["suggestions"]
['Amazon EC2']
>>> print(e.render("what is EC3"))
what is EC3
        ^
unknown term 'EC3'
Did you mean: Amazon EC2?
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["QueryError", "AmbiguityError", "QueryTooBroad"]


@dataclass
class QueryError(Exception):
    """A question that cannot be answered as asked."""

    message: str
    position: int | None = None
    expected: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    example: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict:
        """The JSON shape of the error: message, position, expected, suggestions."""
        data = {"message": self.message, "position": self.position,
                "expected": self.expected, "suggestions": self.suggestions}
        if self.example:
            data["example"] = self.example
        return data

    def render(self, text: str) -> str:
        """The question, a caret under the position, the message and the suggestions."""
        lines = []
        if self.position is not None:
            lines += [text, " " * min(self.position, len(text)) + "^"]
        lines.append(self.message)
        if self.expected:
            lines.append("Expected: " + ", ".join(self.expected))
        if self.suggestions:
            lines.append("Did you mean: " + ", ".join(self.suggestions) + "?")
        if self.example:
            lines.append(f"Try a question like: {self.example}")
        return "\n".join(lines)


@dataclass
class AmbiguityError(QueryError):
    """A name in the question that several terms answer to; ``choices`` are their ids."""

    choices: list[str] = field(default_factory=list)


@dataclass
class QueryTooBroad(QueryError):
    """A question whose evaluation would visit more candidate facts than the step budget allows.

    >>> error = QueryTooBroad("too broad: ...", budget=1000, steps=1001)
    >>> isinstance(error, QueryError), error.budget
    (True, 1000)
    """

    budget: int = 0
    steps: int = 0

"""The REPL's session state: the loaded graph and the user's toggles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["ReplState", "ExitRepl"]


class ExitRepl(Exception):
    """Raised by .quit."""


@dataclass
class ReplState:
    g: KnowledgeGraph
    lang: str = "en"
    explain: bool = False
    sparql: bool = False
    extra: list[Path] = field(default_factory=list)

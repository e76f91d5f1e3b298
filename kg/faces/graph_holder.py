"""The graph a long-running server reads now, swapped whole when the data is reloaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["GraphHolder"]


class GraphHolder:
    """The graph requests read now; :meth:`swap` replaces it for the requests that follow.

    >>> holder = GraphHolder("old"); holder.swap("new"); holder.get()
    'new'
    """

    def __init__(self, g: KnowledgeGraph) -> None:
        self._g = g

    def get(self) -> KnowledgeGraph:
        return self._g

    def swap(self, g: KnowledgeGraph) -> None:
        self._g = g  # one reference assignment: atomic, a request sees the old graph or the new one

"""The back-end protocol: what the answers need from wherever the facts live.

A back-end runs a query and returns a :class:`~kg.engine.evaluate.Result`, answers
``facts(s, p, o)``, and may offer an :class:`Explainer` for derivations and sources.
Two implementations: :class:`kg.engine.local.LocalBackend` (networkx, in process) and
:class:`kg.engine.sparql_backend.SparqlBackend` (any SPARQL 1.1 store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from kg.engine.evaluate import Result
    from kg.engine.infer import Derivation
    from kg.engine.model import Fact
    from queries import ast

__all__ = ["Backend", "Explainer"]


@runtime_checkable
class Explainer(Protocol):
    """How a fact is known: asserted with sources, or derived by a rule from other facts."""

    def is_asserted(self, fact: Fact) -> bool: ...

    def derivation(self, fact: Fact) -> Derivation | None: ...

    def grounds(self, fact: Fact) -> tuple[Fact, ...]: ...

    def sources(self, fact: Fact) -> tuple[str, ...]: ...


@runtime_checkable
class Backend(Protocol):
    """Runs queries and looks up facts; ``explainer`` is None where derivations are unknown."""

    name: str
    explainer: Explainer | None

    def run(self, query: ast.Query) -> Result: ...

    def facts(self, s: str | None = None, p: str | None = None, o: str | None = None) -> Iterator[Fact]: ...

    def neighbours(self, node: str) -> Iterator[tuple[Fact, bool]]: ...

    def stated(self, node: str) -> Sequence[tuple[str, str]]:
        """(relation, object) for each relation ``node`` has a stated fact of, by relation id: one look-up."""
        ...

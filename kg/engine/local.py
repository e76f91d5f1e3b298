"""The local back-end: the networkx store in this process, with every derivation explained.

>>> from kg.engine.store import Store
>>> from queries.ast import Select, Step, Term, Triple, Var
>>> backend = LocalBackend(Store({("S3", "stores", "EBSSnapshot"): None}, {}), {})
>>> backend.run(Select(Var("x"), (Triple(Var("x"), Step("stores"), Term("EBSSnapshot")),))).values
['S3']
>>> list(backend.facts(o="EBSSnapshot"))
[('S3', 'stores', 'EBSSnapshot')]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from kg.engine.evaluate import Result, evaluate

if TYPE_CHECKING:
    from kg.engine.infer import Derivation
    from kg.engine.model import Fact
    from kg.engine.store import Store
    from queries import ast
    from queries.lexicon import RelationInfo

__all__ = ["LocalBackend"]


class LocalBackend:
    """Questions evaluated over :class:`~kg.engine.store.Store`; it is its own explainer."""

    name = "local"

    def __init__(self, store: Store, relations: Mapping[str, RelationInfo]) -> None:
        self.store = store
        self.relations = relations
        self.explainer = self

    def run(self, query: ast.Query) -> Result:
        return evaluate(query, self.store, self.relations)

    def facts(self, s: str | None = None, p: str | None = None, o: str | None = None) -> Iterator[Fact]:
        return self.store.match(s, p, o)

    def neighbours(self, node: str) -> Iterator[tuple[Fact, bool]]:
        return self.store.neighbours(node)

    def stated(self, node: str) -> tuple[tuple[str, str], ...]:
        return self.store.stated(node)

    # ------------------------------------------------------------------ explainer
    def is_asserted(self, fact: Fact) -> bool:
        return self.store.is_asserted(fact)

    def derivation(self, fact: Fact) -> Derivation | None:
        return self.store.derivations.get(fact)

    def grounds(self, fact: Fact) -> tuple[Fact, ...]:
        return self.store.grounds(fact)

    def sources(self, fact: Fact) -> tuple[str, ...]:
        return self.store.sources.get(fact, ())

"""Name resolution: any label or alias in either language, forgiving of case, spacing and
punctuation; fuzzy "did you mean" suggestions and ranked search.

>>> from kg.engine.model import Concept
>>> g = Glossary([Concept("EC2", "urn:EC2", {"en": "Amazon EC2"}, aliases=(("EC2", "en"),))])
>>> [c.id for c in g.lookup("amazon-ec2")]
['EC2']
>>> g.suggest("EC3")
['Amazon EC2']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.engine.errors import AmbiguousTermError, UnknownTermError
from kg.engine.model import Concept
from queries.normalize import normalize

__all__ = ["Glossary", "SearchHit"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    concept: Concept
    score: float
    matched: str


class Glossary:
    """Every concept by every name it answers to."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts: dict[str, Concept] = {c.id: c for c in concepts}
        self.index: dict[str, list[str]] = {}
        self.display: dict[str, str] = {}
        for concept in self.concepts.values():
            for name, _lang in concept.names():
                key = normalize(name)
                if not key:
                    continue
                ids = self.index.setdefault(key, [])
                if concept.id not in ids:
                    ids.append(concept.id)
                self.display.setdefault(key, name)
        self._keys = list(self.index)

    def lookup(self, text: str) -> list[Concept]:
        """The concepts answering exactly (after normalising) to ``text``; [] if none."""
        return [self.concepts[i] for i in self.index.get(normalize(text), ())]

    def resolve(self, text: str) -> Concept:
        """The one concept named ``text``; raises Unknown/AmbiguousTermError otherwise."""
        found = self.lookup(text)
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousTermError(text, [(c.id, c.label()) for c in found])
        raise UnknownTermError(text, self.suggest(text))

    def suggest(self, text: str, limit: int = 3, cutoff: float = 55.0) -> list[str]:
        """Labels of the concepts whose names are closest to ``text``."""
        from rapidfuzz import fuzz, process

        key = normalize(text)
        if not key:
            return []
        labels: list[str] = []
        # Plain edit-distance ratio: WRatio's partial matching ranks "EC2 Auto Scaling" above "EC2" for "EC3".
        for _name, score, index in process.extract(key, self._keys, scorer=fuzz.ratio, limit=limit * 4):
            if score < cutoff:
                break
            for concept_id in self.index[self._keys[index]]:
                label = self.concepts[concept_id].label()
                if label not in labels:
                    labels.append(label)
        return labels[:limit]

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        """Concepts ranked by how well a name (or, less, a definition) matches ``text``."""
        from rapidfuzz import fuzz, process

        key = normalize(text)
        if not key:
            return []
        best: dict[str, SearchHit] = {}

        def offer(concept_id: str, score: float, matched: str) -> None:
            current = best.get(concept_id)
            if current is None or score > current.score:
                best[concept_id] = SearchHit(self.concepts[concept_id], round(score, 1), matched)

        for name_key, score, _ in process.extract(key, self._keys, scorer=fuzz.WRatio, limit=limit * 5):
            exact = 100.0 if name_key == key else score
            for concept_id in self.index[name_key]:
                offer(concept_id, exact, self.display[name_key])
        lowered = text.casefold()
        for concept in self.concepts.values():
            if any(lowered in d.casefold() for d in concept.definitions.values()):
                offer(concept.id, 50.0, "definition")
        return sorted(best.values(), key=lambda h: (-h.score, h.concept.label()))[:limit]

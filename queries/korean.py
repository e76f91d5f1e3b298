"""Korean morphology the language needs: verb endings and the particles split off words.

A relation's Korean stem comes from the ontology (``ckg:koStem``, e.g. 저장). Active endings
(하다 forms) read the relation itself; passive endings (되다 forms) read its inverse:

>>> sorted(f for f, kind, inv in korean_verb_forms("저장") if kind == "KO_VREL" and " " not in f)
['저장되는', '저장된', '저장될', '저장하는', '저장한', '저장할']
>>> ("저장돼", "KO_VP", True) in set(korean_verb_forms("저장"))
True
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["korean_verb_forms"]

# Sentence-final forms of 하다 / 되다 (plain, polite, question) and attributive forms.
_ACTIVE_FINAL = ("해", "해요", "하나요", "합니까", "하니", "하지", "하나", "한다", "하다", "하고", "할까",
                 "해줘", "하는가", "하냐")
_PASSIVE_FINAL = ("돼", "돼요", "되나요", "됩니까", "되니", "되지", "되나", "된다", "되다", "되어",
                  "되어요", "되냐", "돼있어", "되어있어", "돼있나요", "되어있나요")
_ACTIVE_ATTR = ("하는", "한", "할")
_PASSIVE_ATTR = ("되는", "된", "될")


def korean_verb_forms(stem: str) -> Iterator[tuple[str, str, bool]]:
    """Yield ``(form, token kind, inverse?)`` for every ending, joined and spaced."""
    for endings, kind, inverse in ((_ACTIVE_FINAL, "KO_VP", False), (_PASSIVE_FINAL, "KO_VP", True),
                                   (_ACTIVE_ATTR, "KO_VREL", False), (_PASSIVE_ATTR, "KO_VREL", True)):
        for ending in endings:
            yield stem + ending, kind, inverse
            yield f"{stem} {ending}", kind, inverse

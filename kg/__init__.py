"""cloudkg: a knowledge graph and bilingual glossary of cloud concepts you can ask questions.

>>> from kg import KnowledgeGraph
>>> KnowledgeGraph.load().ask("what does EB stand for").text
'EB stands for Elastic Beanstalk.'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["KnowledgeGraph", "Answer", "__version__"]

if TYPE_CHECKING:
    from kg.answers.answer import Answer
    from kg.graph import KnowledgeGraph


def __getattr__(name: str):
    # Lazy, so that `kg --help` and a warm-cache start import as little as possible.
    if name == "KnowledgeGraph":
        from kg.graph import KnowledgeGraph

        return KnowledgeGraph
    if name == "Answer":
        from kg.answers.answer import Answer

        return Answer
    raise AttributeError(name)

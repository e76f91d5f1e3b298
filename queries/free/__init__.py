"""Questions as people ask them: readings of free text in the controlled language.

The interpreter runs only when the grammar fails. It finds the terms, classes, relation
phrases and question cues a message mentions (:mod:`queries.free.mentions`, over the text
analysis of :mod:`queries.free.analyse`) and builds candidate readings, each a question in
the controlled language that the grammar parses (:mod:`queries.free.readings`). It knows no
store: the caller evaluates and scores the readings (``kg.answers.interpret``).
"""

from queries.free.readings import Reading, Vocabulary, read

__all__ = ["Reading", "Vocabulary", "read"]

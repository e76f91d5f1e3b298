"""The cloudkg question language: grammar, parser to one AST, SPARQL generator.

It knows no graph store: the vocabulary comes in as a :class:`~queries.lexicon.Lexicon`.
"""

from queries.ast import Query
from queries.errors import QueryError
from queries.lexicon import Lexicon, RelationInfo
from queries.normalize import normalize

__all__ = ["Lexicon", "Query", "QueryError", "RelationInfo", "normalize"]

"""Bring your own vocabulary: SKOS, RDFS and OWL files in any RDF syntax, read and checked as published.

- :mod:`~kg.engine.vocab.formats`: the syntax of a file, parsing, local ``owl:imports``;
- :mod:`~kg.engine.vocab.reader`: concepts, labels, definitions and relations in the engine's terms;
- :mod:`~kg.engine.vocab.phrases`: question phrases derived from a relation's name;
- :mod:`~kg.engine.vocab.skos`: the SKOS/OWL relations understood natively;
- :mod:`~kg.engine.vocab.checks`: the SKOS integrity conditions and quality checks.
"""

from kg.engine.vocab.formats import parse_path, syntax_of
from kg.engine.vocab.reader import is_authoring_profile, normalise, taken_phrases

__all__ = ["is_authoring_profile", "normalise", "parse_path", "syntax_of", "taken_phrases"]

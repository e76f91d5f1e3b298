"""The schema's public IRIs stay: data written against an earlier release keeps working.

A renamed IRI stays as an equivalent (owl:equivalentProperty / owl:equivalentClass) of its new name.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import OWL

from ontology import HERE

PUBLISHED = Path(__file__).parent / "fixtures" / "public_vocabulary.txt"


def test_every_published_iri_is_still_defined_or_an_equivalent():
    schema = rdflib.Graph().parse(HERE / "schema.ttl")
    defined = {str(s) for s in schema.subjects()}
    equivalents = {str(s) for p in (OWL.equivalentProperty, OWL.equivalentClass) for s, _ in
                   schema.subject_objects(p)} | {str(o) for p in (OWL.equivalentProperty, OWL.equivalentClass)
                                                  for _, o in schema.subject_objects(p)}
    published = [line for line in PUBLISHED.read_text().splitlines() if line and not line.startswith("#")]
    assert len(published) > 50
    assert [iri for iri in published if iri not in defined | equivalents] == []

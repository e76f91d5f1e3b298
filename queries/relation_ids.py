"""The relation ids the engine itself gives meaning to, named once.

Every other relation comes from the ontology's Turtle. These three are RDF/RDFS/OWL's own:
``type`` (rdf:type), ``subClassOf`` (rdfs:subClassOf) and ``disjointWith`` (owl:disjointWith).

>>> TYPE, SUBCLASS_OF, DISJOINT_WITH
('type', 'subClassOf', 'disjointWith')
"""

__all__ = ["BUILTIN_IDS", "DISJOINT_WITH", "SCHEMA_SOURCE", "SUBCLASS_OF", "TYPE"]

TYPE = "type"
SUBCLASS_OF = "subClassOf"
DISJOINT_WITH = "disjointWith"
BUILTIN_IDS = (TYPE, SUBCLASS_OF, DISJOINT_WITH)

SCHEMA_SOURCE = "https://w3id.org/cloudkg/schema"
"""The source cited for facts the schema itself states (class hierarchy, disjointness)."""

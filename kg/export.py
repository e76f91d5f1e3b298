"""Serialise the knowledge for RDF tools and triple stores (Virtuoso, Fuseki, Neptune)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["FORMATS", "export_graph"]

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}


def export_graph(g: KnowledgeGraph, fmt: str = "ttl", inferred: bool = False) -> str:
    """The asserted data (plus, with ``inferred``, every materialised fact) in ``fmt``."""
    from rdflib import Graph, URIRef

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    graph = Graph()
    for prefix, ns in g.rdf().namespaces():
        graph.bind(prefix, ns)
    graph += g.rdf()
    if inferred:
        concepts = g.knowledge.concepts
        classes = g.knowledge.classes
        for (s, p, o), derivation in g.store.derivations.items():
            if derivation is None or p == "disjointWith":
                continue
            iri = lambda node: URIRef(concepts[node].iri if node in concepts else  # noqa: E731
                                      "https://w3id.org/cloudkg/id/" + node)
            if s in concepts or s in classes:
                graph.add((iri(s), URIRef(g.relations[p].iri), iri(o)))
    return graph.serialize(format=FORMATS[fmt])

"""Serialise the knowledge: RDF for triple stores (Virtuoso, Fuseki, Neptune), DOT and GraphML for graph tools.

DOT (Graphviz) and GraphML (Gephi, yEd, Cytoscape, networkx) carry one node per concept and one
edge per asserted fact between concepts; with ``inferred``, inferred facts too, marked with their rule.

>>> print(dot_quote('say "hi" C:\\\\temp'))
"say \\"hi\\" C:\\\\temp"
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple
from xml.sax.saxutils import escape, quoteattr

from queries.relation_ids import DISJOINT_WITH

if TYPE_CHECKING:
    from kg.engine.model import Knowledge
    from kg.engine.store import Store

__all__ = ["ALL_FORMATS", "Exported", "FORMATS", "GRAPH_FORMATS", "dot_quote", "export_graph", "to_dot", "to_graphml"]

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}
GRAPH_FORMATS = ("dot", "graphml")
ALL_FORMATS = (*FORMATS, *GRAPH_FORMATS)
# Characters XML 1.0 cannot carry at all, not even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Exported(NamedTuple):
    """What an export reads: the knowledge, the store (for inferred facts) and the asserted RDF on demand."""

    knowledge: Knowledge
    store: Store
    rdf: Callable[[], Any]

    @property
    def relations(self):
        return self.knowledge.relations


class Edge(NamedTuple):
    """One fact as a graph edge; ``rule`` is None for an asserted fact."""

    source: str
    target: str
    relation: str
    rule: str | None


def export_graph(g: Exported, fmt: str = "ttl", inferred: bool = False, lang: str = "en") -> str:
    """The knowledge in ``fmt``: ttl, nt, jsonld, xml (RDF) or dot, graphml (graph tools).

    ``lang`` picks the node labels in DOT; GraphML carries both languages.
    """
    if fmt == "dot":
        return to_dot(g, inferred, lang)
    if fmt == "graphml":
        return to_graphml(g, inferred)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(ALL_FORMATS)}")
    return _to_rdf(g, fmt, inferred)


def _to_rdf(g: Exported, fmt: str, inferred: bool) -> str:
    from rdflib import Graph, URIRef

    graph = Graph()
    for prefix, ns in g.rdf().namespaces():
        graph.bind(prefix, ns)
    graph += g.rdf()
    if inferred:
        concepts = g.knowledge.concepts
        classes = g.knowledge.classes
        for (s, p, o), derivation in g.store.derivations.items():
            if derivation is None or p == DISJOINT_WITH:
                continue
            iri = lambda node: URIRef(concepts[node].iri if node in concepts else  # noqa: E731
                                      "https://w3id.org/cloudkg/id/" + node)
            if s in concepts or s in classes:
                graph.add((iri(s), URIRef(g.relations[p].iri), iri(o)))
    return graph.serialize(format=FORMATS[fmt])


def graph_edges(g: Exported, inferred: bool = False) -> Iterator[Edge]:
    """Facts between two concepts, asserted first then (with ``inferred``) inferred, each sorted."""
    concepts = g.knowledge.concepts
    facts = sorted(g.store.derivations.items(), key=lambda item: (item[1] is not None, item[0]))
    for (s, p, o), derivation in facts:
        if s in concepts and o in concepts and (derivation is None or inferred):
            yield Edge(s, o, p, derivation.rule if derivation is not None else None)


def _relation_label(g: Exported, relation: str, lang: str) -> str:
    info = g.relations.get(relation)
    if info is None:
        return relation
    return (info.label_ko if lang == "ko" else info.label_en) or info.label_en or relation


def dot_quote(text: str) -> str:
    """``text`` as a DOT quoted string: backslashes and double quotes escaped, newlines as ``\\n``."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n") + '"'


def _dot_attrs(**attrs: str) -> str:
    return "[" + ", ".join(f"{key}={dot_quote(value)}" for key, value in attrs.items()) + "]"


def to_dot(g: Exported, inferred: bool = False, lang: str = "en") -> str:
    """A Graphviz digraph: concepts as boxes, facts as labelled edges, inferred ones dashed."""
    lines = ["digraph cloudkg {", '  graph [rankdir="LR", charset="UTF-8"];', '  node [shape="box"];']
    for cid, concept in sorted(g.knowledge.concepts.items()):
        other = concept.labels.get("en" if lang == "ko" else "ko", "")
        lines.append(f"  {dot_quote(cid)} {_dot_attrs(label=concept.label(lang), tooltip=other or cid)};")
    for edge in graph_edges(g, inferred):
        attrs = {"label": _relation_label(g, edge.relation, lang)}
        if edge.rule is not None:
            attrs |= {"style": "dashed", "tooltip": f"inferred: {edge.rule}", "comment": f"rule: {edge.rule}"}
        lines.append(f"  {dot_quote(edge.source)} -> {dot_quote(edge.target)} {_dot_attrs(**attrs)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


_GRAPHML_KEYS = (  # (id, for, attr.name, attr.type)
    ("n_label_en", "node", "label_en", "string"), ("n_label_ko", "node", "label_ko", "string"),
    ("n_category", "node", "category", "string"), ("n_category_en", "node", "category_en", "string"),
    ("e_relation", "edge", "relation", "string"), ("e_label_en", "edge", "label_en", "string"),
    ("e_label_ko", "edge", "label_ko", "string"), ("e_inferred", "edge", "inferred", "boolean"),
    ("e_rule", "edge", "rule", "string"),
)


def _xml_text(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("", text))


def _xml_attr(text: str) -> str:
    return quoteattr(_XML_ILLEGAL.sub("", text))


def _data(key: str, value: str) -> str:
    return f"<data key={_xml_attr(key)}>{_xml_text(value)}</data>"


def _graphml_nodes(g: Exported) -> Iterator[str]:
    for cid, concept in sorted(g.knowledge.concepts.items()):
        data = [_data("n_label_en", concept.label("en"))]
        if "ko" in concept.labels:
            data.append(_data("n_label_ko", concept.labels["ko"]))
        if concept.category:
            category = g.knowledge.categories.get(concept.category, {})
            data += [_data("n_category", concept.category), _data("n_category_en", category.get("en", ""))]
        yield f"    <node id={_xml_attr(cid)}>{''.join(data)}</node>"


def _graphml_edges(g: Exported, inferred: bool) -> Iterator[str]:
    for number, edge in enumerate(graph_edges(g, inferred)):
        data = [_data("e_relation", edge.relation), _data("e_label_en", _relation_label(g, edge.relation, "en")),
                _data("e_label_ko", _relation_label(g, edge.relation, "ko")),
                _data("e_inferred", "false" if edge.rule is None else "true")]
        if edge.rule is not None:
            data.append(_data("e_rule", edge.rule))
        ends = f"source={_xml_attr(edge.source)} target={_xml_attr(edge.target)}"
        yield f'    <edge id="e{number}" {ends}>{"".join(data)}</edge>'


def to_graphml(g: Exported, inferred: bool = False) -> str:
    """The graph as GraphML 1.0 (directed; parallel edges for several relations between two concepts)."""
    head = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
            ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    keys = [f'  <key id="{kid}" for="{kind}" attr.name="{name}" attr.type="{kind_type}"/>'
            for kid, kind, name, kind_type in _GRAPHML_KEYS]
    body = ['  <graph id="cloudkg" edgedefault="directed">', *_graphml_nodes(g), *_graphml_edges(g, inferred),
            "  </graph>", "</graphml>"]
    return "\n".join([*head, *keys, *body]) + "\n"

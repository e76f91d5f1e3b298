"""``kg export --format dot|graphml``: one node per concept, one edge per fact between concepts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from kg.answers.export import dot_quote, export_graph, to_dot, to_graphml
from kg.faces.cli import main

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}
WEIRD_LABEL = 'odd "quoted" C:\\temp\\ bucket'
WEIRD_TTL = r"""
@prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix ckg: <https://w3id.org/cloudkg/schema#> .
@prefix src: <https://w3id.org/cloudkg/source/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

ck:OddBucket a skos:Concept, ck:Resource ;
    skos:prefLabel "odd \"quoted\" C:\\temp\\ bucket"@en, "이상한 \"버킷\" \\ 이름"@ko ;
    skos:definition "A bucket with a hard name."@en, "이름이 까다로운 버킷."@ko ;
    ckg:category ck:cat-storage ; dcterms:source src:note-s3 ;
    ckg:storedIn ck:S3 .
"""
# A DOT quoted string (only \" is an escape for the lexer; \\ is Graphviz's escString backslash).
QUOTED = r'"(?:[^"\\]|\\.)*"'
ATTRS = rf"\[(?:[a-z]+={QUOTED})(?:, [a-z]+={QUOTED})*\]"
NODE_LINE = re.compile(rf"  ({QUOTED}) ({ATTRS});")
EDGE_LINE = re.compile(rf"  ({QUOTED}) -> ({QUOTED}) ({ATTRS});")
ATTR = re.compile(rf"([a-z]+)=({QUOTED})")


def unquote(text: str) -> str:
    """The label Graphviz shows for a DOT quoted string (inverse of ``dot_quote``)."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), text[1:-1])


def counts(g, inferred: bool = False) -> tuple[int, int]:
    """Concepts, and facts between two concepts (asserted, plus inferred if asked), counted directly."""
    concepts = g.knowledge.concepts
    facts = [f for f, d in g.store.derivations.items()
             if f[0] in concepts and f[2] in concepts and (d is None or inferred)]
    return len(concepts), len(facts)


def parse_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """Nodes and edges of our DOT output; every statement line must match the grammar."""
    lines = text.splitlines()
    assert lines[0] == "digraph cloudkg {" and lines[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges = []
    for line in lines[3:-1]:
        if match := EDGE_LINE.fullmatch(line):
            attrs = {k: unquote(v) for k, v in ATTR.findall(match.group(3))}
            edges.append((unquote(match.group(1)), unquote(match.group(2)), attrs))
        else:
            match = NODE_LINE.fullmatch(line)
            assert match, f"not a DOT statement: {line!r}"
            nodes[unquote(match.group(1))] = {k: unquote(v) for k, v in ATTR.findall(match.group(2))}
    return nodes, edges


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    from kg import KnowledgeGraph

    path = tmp_path_factory.mktemp("odd") / "odd.ttl"
    path.write_text(WEIRD_TTL, encoding="utf-8")
    return KnowledgeGraph.load(extra=[path])


@pytest.mark.parametrize(("text", "quoted"), [
    ("plain", '"plain"'), ('say "hi"', r'"say \"hi\""'), ("C:\\temp\\", r'"C:\\temp\\"'),
    ("two\nlines", r'"two\nlines"'), ('\\"', r'"\\\""'), ("", '""'),
])
def test_dot_quote_escapes_quotes_backslashes_and_newlines(text, quoted):
    assert dot_quote(text) == quoted
    assert re.fullmatch(QUOTED, quoted) and unquote(quoted) == text


def test_graphml_is_well_formed_with_one_node_per_concept_and_edge_per_fact(g):
    root = ET.fromstring(to_graphml(g).encode("utf-8"))
    assert root.tag == "{http://graphml.graphdrawing.org/xmlns}graphml"
    keys = {k.get("id"): k.get("for") for k in root.findall("g:key", NS)}
    assert list(root)[-1].tag.endswith("graph") and all(c.tag.endswith("key") for c in list(root)[:-1])
    graph = root.find("g:graph", NS)
    assert graph.get("edgedefault") == "directed"
    nodes, edges = graph.findall("g:node", NS), graph.findall("g:edge", NS)
    assert (len(nodes), len(edges)) == counts(g)
    ids = {n.get("id") for n in nodes}
    assert ids == set(g.knowledge.concepts)
    assert all(e.get("source") in ids and e.get("target") in ids for e in edges)
    for element in nodes + edges:
        for data in element.findall("g:data", NS):
            assert keys[data.get("key")] == element.tag.rsplit("}", 1)[1]


def test_graphml_reads_back_in_networkx(g):
    read = nx.read_graphml(_write(to_graphml(g)))
    assert (read.number_of_nodes(), read.number_of_edges()) == counts(g)
    assert read.nodes["S3"]["label_en"] == "Amazon S3" and read.nodes["S3"]["category"] == "cat-storage"
    assert read.nodes["AMI"]["label_ko"] == "아마존 머신 이미지"
    built_on = [d for _, _, d in read.edges("ECS", data=True) if d["relation"] == "builtOn"]
    assert built_on and built_on[0]["label_en"] == "is built on" and built_on[0]["inferred"] is False
    assert not any(d.get("rule") for _, _, d in read.edges(data=True))


def test_graphml_inferred_edges_carry_their_rule(g):
    read = nx.read_graphml(_write(to_graphml(g, inferred=True)))
    assert read.number_of_edges() == counts(g, inferred=True)[1] > counts(g)[1]
    inferred = [d for _, _, d in read.edges(data=True) if d["inferred"]]
    assert len(inferred) == counts(g, inferred=True)[1] - counts(g)[1]
    assert all(d["rule"] for d in inferred) and {"inverseOf", "subClassOf"} <= {d["rule"] for d in inferred}


def test_dot_structure_counts_and_dashed_inferred_edges(g):
    nodes, edges = parse_dot(to_dot(g))
    assert (len(nodes), len(edges)) == counts(g)
    assert nodes["S3"]["label"] == "Amazon S3"
    assert ("ECS", "EC2", {"label": "is built on"}) in edges
    assert not any("style" in attrs for _, _, attrs in edges)
    nodes, edges = parse_dot(to_dot(g, inferred=True))
    dashed = [attrs for _, _, attrs in edges if attrs.get("style") == "dashed"]
    assert len(edges) == counts(g, inferred=True)[1] and len(dashed) == len(edges) - counts(g)[1]
    assert all(attrs["tooltip"].startswith("inferred: ") for attrs in dashed)


def test_dot_in_korean(g):
    nodes, edges = parse_dot(to_dot(g, lang="ko"))
    assert nodes["AMI"]["label"] == "아마존 머신 이미지" and nodes["AMI"]["tooltip"] == "Amazon Machine Image"
    assert ("ECS", "EC2", {"label": "기반으로 함"}) in edges


def test_quotes_and_backslashes_round_trip(odd):
    nodes, edges = parse_dot(to_dot(odd))
    assert nodes["OddBucket"]["label"] == WEIRD_LABEL
    assert nodes["OddBucket"]["tooltip"] == '이상한 "버킷" \\ 이름'
    assert ("OddBucket", "S3", {"label": "is stored in"}) in edges
    read = nx.read_graphml(_write(to_graphml(odd)))
    assert read.nodes["OddBucket"]["label_en"] == WEIRD_LABEL
    assert read.nodes["OddBucket"]["label_ko"] == '이상한 "버킷" \\ 이름'


def test_dot_parses_with_pydot(g, odd):
    import io

    for graph in (g, odd):
        read = nx.nx_pydot.read_dot(io.StringIO(to_dot(graph, inferred=True)))
        assert read.number_of_nodes() == counts(graph)[0]


def test_cli_writes_each_format_to_a_file(tmp_path, capsys):
    for fmt in ("dot", "graphml"):
        out = tmp_path / f"kg.{fmt}"
        assert main(["export", "--format", fmt, "-o", str(out)]) == 0
        assert out.read_text(encoding="utf-8") == export_graph(_graph(), fmt)
    assert main(["export", "--format", "graphml", "--inferred"]) == 0
    assert capsys.readouterr().out == to_graphml(_graph(), inferred=True)


def test_unknown_format_names_the_choices(g):
    with pytest.raises(ValueError, match="dot, graphml"):
        export_graph(g, "svg")


def _graph():
    from kg import KnowledgeGraph

    return KnowledgeGraph.load()


def _write(text: str):
    import io

    return io.BytesIO(text.encode("utf-8"))

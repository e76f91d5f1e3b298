"""The knowledge base: shapes, inference against a real reasoner, the source note's coverage."""

from __future__ import annotations

import pytest

from kg.engine.errors import DataError
from kg.engine.load import parse_files
from kg.engine.validate import validate_files
from ontology import data_files
from tests.conftest import FIXTURES

NOTE_TERMS = [
    "AWS", "Amazon Web Services", "PaaS", "Platform as a Service", "SaaS", "Softare as a Service", "주문형 소프트웨어",
    "고객 관리", "회계", "앱 엔진", "클라우드 컴퓨팅 서비스 분류", "EC2", "Elastic Compute Cloud", "인스턴스", "리전",
    "OS", "운영 체제", "ECS", "EC2 Container Service", "도커 컨테이너", "Docker", "EB", "Elastic Beanstalk",
    "AWS Lamda", "서버리스", "S3", "Simple Stroage Service", "정적 요소", "스냅샷", "스냅삿", "EC2 볼륨",
    "퍼블릭 스냅샷", "RDS", "Relational Database Service", "RDBMS", "아마존 오로라", "mysql", "마리아DB",
    "PostgreSQL", "Oracle", "DynamoDB", "NoSQL", "AMI", "Amazon Machine Image", "애플리케이션 서버",
    "애플리케이션", "루트 디바이스 유형", "ebs", "가상화 유형", "hvm", "ENA", "instance type", "CPU", "메모리",
    "스토리지", "네트워크 용량", "general purpose", "compute optimized", "memory optimized", "storage optimized",
    "GPU instance", "Auto Scaling", "스팟 인스턴스", "EC2 스페어 용량", "on-demand", "스팟 시장 가격",
    "보안그룹", "프로토콜", "HTTP", "HTTPS", "포트", "리소스",
]


def test_shipped_data_conforms_to_the_shapes():
    report = validate_files(data_files())
    assert report.conforms, report.messages


def test_broken_data_fails_with_a_readable_report():
    report = validate_files([*data_files(), FIXTURES / "broken_shapes.ttl"])
    assert not report.conforms
    text = "\n".join(report.messages)
    assert "needs a Korean definition" in text
    assert "needs exactly one Korean preferred label" in text
    assert "the name 'amazon s3' is shared" in text
    assert "is not of its domain" in text


def test_broken_turtle_names_file_and_line():
    with pytest.raises(DataError) as caught:
        parse_files([FIXTURES / "broken_syntax.ttl"])
    assert caught.value.line == 3
    assert str(caught.value).startswith(str(FIXTURES / "broken_syntax.ttl") + ":3:")


def test_nothing_is_half_loaded_from_a_broken_extra_file(g):
    from kg import KnowledgeGraph

    with pytest.raises(DataError):
        KnowledgeGraph.load([FIXTURES / "broken_shapes.ttl"])
    assert "Foo" not in g.knowledge.concepts


@pytest.mark.parametrize("name", NOTE_TERMS)
def test_every_source_note_term_resolves_and_cites_the_note(g, name):
    found = g.glossary.lookup(name)
    assert found, f"{name} is not in the glossary"
    assert any(any("/source/note-" in s for s in c.sources) for c in found), f"{name} does not cite the note"


def test_coverage_and_quality(g):
    stats = g.stats()
    assert stats["concepts"] >= 80
    assert not stats["gaps"]["without_korean_definition"]
    assert not stats["gaps"]["without_source"]
    individuals = [c for c in g.knowledge.concepts if c not in g.knowledge.classes]
    related = {}
    for (s, _p, o) in g.knowledge.facts:
        for node in (s, o):
            related[node] = related.get(node, 0) + 1
    weak = [c for c in individuals if related.get(c, 0) < 2]
    assert not weak, f"concepts with fewer than two relations: {weak}"


def test_inference_equals_owlrl_on_supported_relations(g):
    owlrl = pytest.importorskip("owlrl")
    from rdflib import RDF, RDFS, URIRef

    graph = parse_files(data_files())
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    by_iri = {r.iri: r.id for r in g.relations.values() if r.id != "disjointWith"}
    nodes = {c.iri: c.id for c in g.knowledge.concepts.values()}
    theirs = set()
    for s, p, o in graph:
        if isinstance(s, URIRef) and isinstance(o, URIRef) and str(p) in by_iri and str(s) in nodes \
                and str(o) in nodes and s != o:
            theirs.add((nodes[str(s)], by_iri[str(p)], nodes[str(o)]))
    ours = {f for f in g.store.derivations if f[1] in by_iri.values() and f[0] != f[2]
            and f[0] in g.knowledge.concepts and f[2] in g.knowledge.concepts}
    assert RDF.type and RDFS.subClassOf
    assert ours - theirs == set()
    assert theirs - ours == set()

"""Every relation fact carries its own source (an rdf:Statement per fact), and every source is dated.

Before this, a fact inherited all of its subject's sources, so e.g. "RDS supports Db2" cited the
study note's RDS section, which never names Db2.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.engine.load import local_id, parse_files, read_knowledge
from ontology import SCHEMA, SOURCE, data_files

CKG_SOURCE = URIRef(SCHEMA + "Source")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
BUILTIN = ("type", "subClassOf", "disjointWith")

# The audit's examples: the study note never states these (checked against the note's text).
NOT_IN_NOTE = [
    ("RDS", "supports", "Db2"),
    ("RDS", "supports", "SQLServer"),
    ("ElasticBeanstalk", "dependsOn", "CloudFormation"),
    ("Lambda", "mounts", "EFS"),
    ("SecurityGroup", "allows", "SSH"),
    ("ECS", "canRunOn", "Fargate"),
]

# Facts the note does state, so they keep citing its section.
IN_NOTE = [
    (("RDS", "supports", "MySQL"), "note-rds"),
    (("EBSSnapshot", "backupOf", "EBSVolume"), "note-s3"),
    (("SecurityGroup", "allows", "HTTPS"), "note-ec2-server"),
]


@pytest.fixture(scope="module")
def bundled():
    graph = parse_files(data_files())
    return graph, read_knowledge(graph, data_files())


def _relation_facts(knowledge) -> list:
    return sorted(f for f in knowledge.facts if f[1] not in BUILTIN)


def test_every_relation_fact_has_a_dated_source_of_its_own(bundled):
    graph, knowledge = bundled
    facts = _relation_facts(knowledge)
    assert len(facts) > 150
    missing = [f for f in facts if not knowledge.facts[f]]
    assert not missing, f"relation facts with no rdf:Statement source: {missing}"
    cited = {s for f in facts for s in knowledge.facts[f]}
    undeclared = sorted(s for s in cited if (URIRef(s), RDF.type, CKG_SOURCE) not in graph)
    assert not undeclared, f"cited but not declared as ckg:Source: {undeclared}"


def test_every_declared_source_has_a_checked_date(bundled):
    graph, _ = bundled
    sources = sorted(set(graph.subjects(RDF.type, CKG_SOURCE)))
    assert len(sources) > 50
    undated = [str(s) for s in sources
               if not any(isinstance(d, Literal) and d.datatype == XSD_DATE for d in graph.objects(s, DCTERMS.date))]
    assert not undated, f"sources without a dcterms:date (xsd:date): {undated}"


def test_no_statement_names_a_fact_that_is_not_asserted(bundled):
    graph, _ = bundled
    orphans, sourceless = [], []
    for node in graph.subjects(RDF.type, RDF.Statement):
        triple = tuple(graph.value(node, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if None in triple or triple not in graph:
            orphans.append(" ".join(local_id(str(t)) for t in triple))
        if not list(graph.objects(node, DCTERMS.source)):
            sourceless.append(" ".join(local_id(str(t)) for t in triple))
    assert not orphans, f"statements about facts that are not asserted (typo, or a removed fact): {sorted(orphans)}"
    assert not sourceless, f"statements without a dcterms:source: {sorted(sourceless)}"


@pytest.mark.parametrize("fact", NOT_IN_NOTE, ids=lambda f: " ".join(f))
def test_audit_examples_no_longer_cite_the_study_note(bundled, fact):
    _, knowledge = bundled
    assert fact in knowledge.facts
    cited = knowledge.facts[fact]
    assert cited and not any(s.startswith(SOURCE + "note") for s in cited), cited


@pytest.mark.parametrize(("fact", "section"), IN_NOTE, ids=lambda x: " ".join(x) if isinstance(x, tuple) else x)
def test_facts_the_note_states_still_cite_its_section(bundled, fact, section):
    _, knowledge = bundled
    assert SOURCE + section in knowledge.facts[fact]


TINY = """
@prefix ckg: <https://w3id.org/cloudkg/schema#> . @prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <http://example.org/> .
ckg:stores a owl:ObjectProperty . ck:Thing a owl:Class .
ck:A a ck:Thing ; dcterms:source <http://example.org/concept> ; ckg:stores ck:B, ck:C .
[] a rdf:Statement ; rdf:subject ck:A ; rdf:predicate ckg:stores ; rdf:object ck:B ; dcterms:source ex:one .
[] a rdf:Statement ; rdf:subject ck:A ; rdf:predicate ckg:stores ; rdf:object ck:B ; dcterms:source ex:two .
[] a rdf:Statement ; rdf:subject ck:A ; rdf:predicate ckg:stores .
"""


def test_loader_gives_relation_facts_only_their_statements_sources():
    facts = read_knowledge(Graph().parse(data=TINY, format="turtle")).facts
    assert facts[("A", "stores", "B")] == ("http://example.org/one", "http://example.org/two")
    assert facts[("A", "stores", "C")] == ()  # no statement: nothing inherited from ck:A
    assert facts[("A", "type", "Thing")] == ("http://example.org/concept",)


def test_export_carries_every_statement(g, bundled):
    graph, _ = bundled
    expected = len(set(graph.subjects(RDF.type, RDF.Statement)))
    nt = g.export("nt")
    line = f"<{RDF.type}> <{RDF.Statement}> ."
    assert expected > 150 and sum(1 for row in nt.splitlines() if row.endswith(line)) == expected

"""Korean fact sentences from each relation's ckg:koTemplate, with particles fitted to the word before them.

The particle rule is derived again here, independently of kg.answers.korean: a Hangul syllable's final
consonant by Unicode arithmetic, and Latin letters and digits through their Hangul readings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace
from rdflib.namespace import OWL

import ontology
from kg import KnowledgeGraph
from kg.answers.korean import TemplateError, particle, render
from kg.engine.model import BUILTIN_RELATIONS
from ontology import SCHEMA

SCHEMA_FILE = Path(ontology.__file__).parent / "schema.ttl"
CKG = Namespace(SCHEMA)
SCHEMA_TEXT = SCHEMA_FILE.read_text(encoding="utf-8")
SCHEMA_RELATIONS = sorted(re.findall(r"^ckg:(\w+) a owl:ObjectProperty\b", SCHEMA_TEXT, re.M))
ALL_RELATIONS = SCHEMA_RELATIONS + sorted(BUILTIN_RELATIONS)

# ---------------------------------------------------------------- the rule, derived again
_HANGUL = re.compile(r"[가-힣]")
# How a Latin letter or a digit is read aloud (English names); the final consonant comes from the reading.
_READING = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                    ["에이", "비", "씨", "디", "이", "에프", "지", "에이치", "아이", "제이", "케이", "엘", "엠",
                     "엔", "오", "피", "큐", "알", "에스", "티", "유", "브이", "더블유", "엑스", "와이", "지"],
                    strict=True))
_READING.update(dict(zip("0123456789", ["제로", "원", "투", "쓰리", "포", "파이브", "식스", "세븐", "에잇", "나인"],
                         strict=True)))
# English words at the end of a label, as they are written in Hangul.
_WORDS = {"Amazon": "아마존", "Gateway": "게이트웨이", "Aurora": "오로라", "Scaling": "스케일링",
          "CloudFormation": "클라우드포메이션", "CloudFront": "클라우드프런트", "CloudTrail": "클라우드트레일",
          "CloudWatch": "클라우드워치", "Accelerator": "액셀러레이터", "Balancing": "밸런싱",
          "ElastiCache": "일래스티캐시", "Beanstalk": "빈스토크", "Fargate": "파게이트", "Memcached": "멤캐시드",
          "Redis": "레디스", "Redshift": "레드시프트", "Glacier": "글래시어", "Plans": "플랜스",
          "Valkey": "밸키", "Lambda": "람다", "Docker": "도커", "Kubernetes": "쿠버네티스"}
RIEUL = 8
FITTED = {"은": "는", "이": "가", "을": "를", "과": "와"}
UNCHANGED = {"에", "의", "에서", "에는", "보다", "도"}


def final_index(word: str) -> int:
    """The final consonant (종성) index of the syllable ``word`` ends in when read aloud; 0 for none."""
    text = word.rstrip(" )]?.!\"'")
    if not text:
        return 0
    last = text[-1]
    if not _HANGUL.match(last):
        token = re.findall(r"[A-Za-z]+|\d", text)[-1]
        if token in _WORDS:
            last = _WORDS[token][-1]
        elif token[-1].isupper() or token.isdigit():  # S3, IAM, MySQL, DynamoDB: the last letter's name
            last = _READING[token[-1]][-1]
        else:  # an English word not listed above: its spelt ending (m 엠, n 엔, l 엘, ng 잉)
            return {"m": 16, "n": 4, "l": 8, "g": 21 if token.endswith("ng") else 0}.get(token[-1], 0)
    return (ord(last) - 0xAC00) % 28


def expected_form(word: str, base: str) -> str:
    final = final_index(word)
    if base.startswith("으로"):
        return ("로" if final in (0, RIEUL) else "으로") + base[2:]
    if base in FITTED:
        return base if final else FITTED[base]
    if base == "이다":
        return "이다" if final else "다"
    assert base in UNCHANGED, f"unknown particle {base!r} in a template"
    return base


def expected_sentence(template: str, s: str, o: str) -> str:
    def fill(match: re.Match[str]) -> str:
        word = {"s": s, "o": o}[match.group(1)]
        return word + (expected_form(word, match.group(2)) if match.group(2) else "")

    return re.sub(r"\{([so])(?:\|([^}]*))?\}", fill, template)


# ---------------------------------------------------------------- one real fact per relation
def _one_fact(g: KnowledgeGraph, rel_id: str) -> tuple[str, str, str]:
    """An asserted fact of the relation if there is one, else an inferred one, else one built from its inverse's."""
    facts = sorted(f for f in g.store.derivations if f[1] == rel_id)
    if facts:
        return next((f for f in facts if g.store.is_asserted(f)), facts[0])
    inverse = g.relations[rel_id].inverse
    backwards = sorted(f for f in g.store.derivations if f[1] == inverse)
    assert backwards, f"no fact of {rel_id} or its inverse to render"
    return (backwards[0][2], rel_id, backwards[0][0])


def _check_sentence(g: KnowledgeGraph, fact: tuple[str, str, str]) -> str:
    sentence = g.sentence(fact, "ko")
    s, o = g.label(fact[0], "ko"), g.label(fact[2], "ko")
    assert s in sentence and o in sentence, sentence
    assert not set("{}|—→") & set(sentence), sentence
    assert sentence == expected_sentence(g.relations[fact[1]].ko_template, s, o), sentence
    return sentence


@pytest.mark.parametrize("rel_id", ALL_RELATIONS)
def test_each_relation_renders_a_real_korean_sentence(g, rel_id):
    sentence = _check_sentence(g, _one_fact(g, rel_id))
    assert _HANGUL.search(sentence.replace(g.relations[rel_id].label_ko, ""))


def test_every_fact_in_the_store_renders_with_fitting_particles(g):
    facts = sorted(g.store.derivations)
    assert 500 < len(facts) < 100_000
    for fact in facts:
        if fact[1] in g.relations:
            _check_sentence(g, fact)


def test_sentences_that_exercise_each_particle_form(g):
    assert g.sentence(("EBSSnapshot", "storedIn", "S3"), "ko") == "EBS 스냅샷은 Amazon S3에 저장된다"
    assert g.sentence(("Aurora", "compatibleWith", "MySQL"), "ko") == "Amazon Aurora는 MySQL과 호환된다"
    assert g.sentence(("ECS", "builtOn", "EC2"), "ko") == "Amazon ECS는 Amazon EC2를 기반으로 한다"
    assert g.sentence(("ECS", "canRunOn", "Fargate"), "ko") == "Amazon ECS는 AWS Fargate에서 실행될 수 있다"
    routes = g.sentence(("ELB", "routesTrafficTo", "EC2Instance"), "ko")
    assert routes == "Elastic Load Balancing은 EC2 인스턴스로 트래픽을 라우팅한다"
    assert g.sentence(("DynamoDB", "type", "NoSQLDatabase"), "ko") == \
        "Amazon DynamoDB는 NoSQL 데이터베이스의 한 종류이다"


# ---------------------------------------------------------------- the particle rule on its own
@pytest.mark.parametrize(("word", "base", "joined"), [
    ("스냅샷", "은", "스냅샷은"), ("버킷", "은", "버킷은"), ("S3", "은", "S3는"), ("EC2", "은", "EC2는"),
    ("IAM", "은", "IAM은"), ("서울", "으로", "서울로"), ("파일", "으로", "파일로"), ("리전", "으로", "리전으로"),
    ("람다", "이", "람다가"), ("리전", "이", "리전이"), ("S3", "을", "S3를"), ("IAM", "을", "IAM을"),
    ("MySQL", "과", "MySQL과"), ("Amazon ECS", "과", "Amazon ECS와"), ("S3", "으로", "S3로"),
    ("IAM", "으로", "IAM으로"), ("MySQL", "으로", "MySQL로"), ("AWS IAM", "으로부터", "AWS IAM으로부터"),
    ("서버", "이다", "서버다"), ("스냅샷", "이다", "스냅샷이다"), ("Amazon S3", "에", "Amazon S3에"),
    ("Amazon S3 (Simple)", "이", "Amazon S3 (Simple)가"),
])
def test_particle_fits_the_final_consonant(word, base, joined):
    assert word + particle(word, base) == joined
    assert word + expected_form(word, base) == joined  # the test's own rule agrees on the cases


def test_render_fills_both_slots_and_reports_a_bad_template():
    assert render("{s|은} {o|에} 저장된다", "EBS 스냅샷", "Amazon S3") == "EBS 스냅샷은 Amazon S3에 저장된다"
    assert render("{s}와 {o}", "A", "B") == "A와 B"
    for bad in ("{s|은} {x|에} 저장된다", "{s|은} {o|에 저장된다"):
        with pytest.raises(TemplateError, match="Korean template"):
            render(bad, "A", "B")


def test_a_relation_without_a_template_falls_back_to_the_arrow_form():
    from dataclasses import replace

    from kg.answers.describe import Describer
    from queries.lexicon import RelationInfo

    g = KnowledgeGraph.load()
    relations = {**g.relations, "mirrors": RelationInfo("mirrors", "urn:x#mirrors", "mirrors", "미러")}
    describer = Describer(replace(g.knowledge, relations=relations), g.backend)
    assert describer.sentence(("S3", "mirrors", "EFS"), "ko") == "Amazon S3 —미러→ Amazon EFS"


def test_a_user_relation_with_a_template_is_rendered_from_it(tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text("""@prefix ckg: <https://w3id.org/cloudkg/schema#> .
@prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ckg:replicatesTo a owl:ObjectProperty ; rdfs:label "replicates to"@en, "복제 대상"@ko ;
    ckg:koTemplate "{s|은} {o|으로} 복제된다"@ko .
ckg:mirrors a owl:ObjectProperty ; rdfs:label "mirrors"@en, "미러"@ko .
ck:S3 ckg:replicatesTo ck:EFS .
ck:EFS ckg:mirrors ck:S3 .
""", encoding="utf-8")
    g = KnowledgeGraph.load([mine], validate=False, cache=False)
    assert g.sentence(("S3", "replicatesTo", "EFS"), "ko") == "Amazon S3는 Amazon EFS로 복제된다"
    assert g.sentence(("EFS", "mirrors", "S3"), "ko") == "Amazon EFS —미러→ Amazon S3"


# ---------------------------------------------------------------- the schema
def _schema() -> Graph:
    return Graph().parse(SCHEMA_FILE, format="turtle")


def test_every_relation_has_a_korean_template():
    schema = _schema()
    for prop in schema.subjects(RDF.type, OWL.ObjectProperty):
        templates = [t for t in schema.objects(prop, CKG.koTemplate) if isinstance(t, Literal)]
        assert len(templates) == 1 and templates[0].language == "ko", prop
        text = str(templates[0])
        assert len(re.findall(r"\{s[|}]", text)) == 1 and len(re.findall(r"\{o[|}]", text)) == 1, (prop, text)
    assert len(SCHEMA_RELATIONS) >= 90


def test_loaded_relations_carry_their_templates(g):
    assert set(ALL_RELATIONS) <= set(g.relations)
    assert [r for r in ALL_RELATIONS if not g.relations[r].ko_template] == []
    assert g.relations["storedIn"].ko_template == "{s|은} {o|에} 저장된다"


_PARTICLES = ("에", "의", "로", "으로", "에서", "와", "과", "을", "를", "이", "가", "은", "는", "보다", "로부터",
              "으로부터", "에게", "에는", "도")


def _starts_with_particle(label: str) -> bool:
    first = label.split()[0] if label.split() else ""
    return first in _PARTICLES or first.startswith(("에서", "로부터", "으로", "보다", "에게", "에 "))


def test_no_korean_relation_label_starts_with_a_particle(g):
    schema = _schema()
    labelled = set(schema.subjects(RDF.type, OWL.ObjectProperty)) | {RDF.type, RDFS.subClassOf}
    labels = {str(p): str(t) for p in labelled for t in schema.objects(p, RDFS.label)
              if isinstance(t, Literal) and t.language == "ko"}
    labels |= {rel.id: rel.label_ko for rel in g.relations.values()}
    assert len(labels) >= 90
    assert {name: label for name, label in labels.items() if _starts_with_particle(label)} == {}
    assert _starts_with_particle("에 저장됨") and _starts_with_particle("로부터 생성")
    assert _starts_with_particle("의 한 종류") and not _starts_with_particle("의존")


def test_schema_words_for_builtins_match_the_code():
    schema = _schema()
    for prop, rel_id in ((RDF.type, "type"), (RDFS.subClassOf, "subClassOf")):
        rel = BUILTIN_RELATIONS[rel_id]
        assert str(schema.value(prop, CKG.koTemplate)) == rel.ko_template
        ko = [str(t) for t in schema.objects(prop, RDFS.label) if isinstance(t, Literal) and t.language == "ko"]
        assert ko == [rel.label_ko]

"""Corrections from the knowledge audit: each test fails on the knowledge before the fix."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("service", ["DAX", "ElastiCache"])
def test_a_database_service_is_not_a_database(g, service):
    answer = g.ask(f"is {g.label(service)} a database")
    assert answer.boolean is not True, answer.text


def test_built_on_and_can_run_on_are_kinds_of_runs_on(g):
    assert g.store.has(("ECS", "runsOn", "EC2"))
    assert g.store.has(("ECS", "runsOn", "Fargate"))


# ---------------------------------------------------------------- audit corrections to the terms
STUDY_NOTE_AWS = "https://w3id.org/cloudkg/source/note-aws"


def _definition(g, concept_id: str, lang: str) -> str:
    return g.knowledge.concepts[concept_id].definitions[lang]


def _names(g, concept_id: str) -> set[str]:
    concept = g.knowledge.concepts[concept_id]
    return {*concept.labels.values(), *(name for name, _ in concept.aliases)}


def _own_sources(g, fact: tuple[str, str, str]) -> tuple[str, ...]:
    return g.knowledge.facts[fact]


def test_api_gateway_supports_https_not_http(g):
    assert not g.store.has(("APIGateway", "supports", "HTTP"))
    assert not g.store.has(("HTTP", "supportedBy", "APIGateway"))
    assert g.store.is_asserted(("APIGateway", "supports", "HTTPS"))
    assert [a.id for a in g.ask("what does API Gateway support").answers] == ["HTTPS"]
    assert any("apigateway" in s for s in _own_sources(g, ("APIGateway", "supports", "HTTPS")))


def test_storage_definition_does_not_call_instance_store_persistent(g):
    english, korean = _definition(g, "Storage", "en"), _definition(g, "Storage", "ko")
    assert "persistently" not in english and "temporary" in english
    assert "영구히" not in korean and "임시" in korean


@pytest.mark.parametrize("name", ["Glacier", "Amazon Glacier", "glacier"])
def test_glacier_names_the_legacy_service_not_s3_glacier(g, name):
    from kg.engine.errors import KnowledgeError

    try:
        resolved = g.resolve(name).id
    except KnowledgeError:
        resolved = None
    assert resolved != "S3Glacier"
    assert g.resolve("S3 Glacier").id == "S3Glacier"


def test_ecs_is_built_on_ec2_and_can_run_on_fargate(g):
    assert g.ask("is ECS built on EC2").boolean is True
    assert g.store.is_asserted(("ECS", "canRunOn", "Fargate"))
    assert g.ask("does ECS run on Fargate").boolean is True
    assert "launch_types" in " ".join(_own_sources(g, ("ECS", "canRunOn", "Fargate")))
    english, korean = _definition(g, "ECS", "en"), _definition(g, "ECS", "ko")
    assert "EC2 launch type" in english and "Fargate" in english
    assert "EC2 시작 유형" in korean and "Fargate" in korean


def test_dynamodb_does_not_invoke_lambda(g):
    assert not g.store.has(("DynamoDB", "invokes", "Lambda"))
    assert "DynamoDB" not in {a.id for a in g.ask("what invokes Lambda").answers}
    assert g.store.is_asserted(("Lambda", "canUse", "DynamoDB"))
    assert any("with-ddb" in s for s in _own_sources(g, ("Lambda", "canUse", "DynamoDB")))


def test_spot_interruption_is_mainly_capacity_reclaim(g):
    assert not g.store.has(("SpotPrice", "triggers", "SpotInterruption"))
    english, korean = _definition(g, "SpotInterruption", "en"), _definition(g, "SpotInterruption", "ko")
    assert english.index("capacity") < english.index("maximum price")
    assert "용량을 회수해야 하거나" in korean or "용량을 회수해야 할 때" in korean
    assert korean.index("회수") < korean.index("최고 가격")


def test_paas_extends_saas_is_cited_to_the_study_note_only(g):
    assert _own_sources(g, ("PaaS", "extends", "SaaS")) == (STUDY_NOTE_AWS,)
    for lang in ("en", "ko"):
        assert "SaaS" not in _definition(g, "PaaS", lang)


def test_elastic_beanstalk_can_use_a_load_balancer_without_depending_on_one(g):
    assert not g.store.has(("ElasticBeanstalk", "dependsOn", "ELB"))
    assert g.store.is_asserted(("ElasticBeanstalk", "canUse", "ELB"))
    assert "ELB" not in {a.id for a in g.ask("what does Elastic Beanstalk depend on").answers}


def test_cloudformation_and_kms_point_at_resources(g):
    for service in ("S3", "RDS"):
        assert not g.store.has(("CloudFormation", "provisions", service))
        assert not g.store.has(("KMS", "encrypts", service))
    for resource in ("S3Bucket", "DBInstance"):
        assert g.store.is_asserted(("CloudFormation", "provisions", resource))
        assert g.store.is_asserted(("KMS", "encrypts", resource))
        assert _own_sources(g, ("KMS", "encrypts", resource))
    bucket = g.knowledge.concepts["S3Bucket"]
    assert bucket.labels == {"en": "S3 bucket", "ko": "S3 버킷"} and bucket.category == "cat-storage"
    assert "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingBucket.html" in bucket.sources
    assert g.store.is_asserted(("S3Bucket", "providedBy", "S3"))


def test_network_performance_is_not_hardware(g):
    assert not g.store.has(("NetworkPerformance", "type", "Hardware"))
    assert g.store.has(("InstanceType", "specifies", "NetworkPerformance"))


def test_container_images_can_be_stored_in_ecr(g):
    assert not g.store.is_asserted(("ContainerImage", "storedIn", "ECR"))
    assert g.store.is_asserted(("ContainerImage", "canBeStoredIn", "ECR"))
    assert g.store.has(("ECR", "canStore", "ContainerImage"))


def test_service_and_per_second_billing_are_not_overstated(g):
    service = _definition(g, "Service", "en")
    assert "free" in service and "IAM" in service
    assert "무료" in _definition(g, "Service", "ko")
    for concept_id in ("EC2", "OnDemandInstance"):
        english = _definition(g, concept_id, "en")
        assert "by the second" not in english and "most Linux and Windows" in english


@pytest.mark.parametrize(("concept_id", "name"), [
    ("ELB", "Application Load Balancer"), ("ENA", "ENA 활성화"), ("SQS", "메시지 큐"), ("SNS", "알림 서비스"),
    ("Region", "지역"), ("S3", "에스쓰리"), ("NoSQLDatabase", "노에스큐엘"), ("TLS", "SSL"),
])
def test_misleading_aliases_are_gone(g, concept_id, name):
    assert name not in _names(g, concept_id)


def test_ssl_is_a_hidden_label_of_tls(g):
    assert "SSL" in g.knowledge.concepts["TLS"].hidden
    answer = g.define("SSL")
    assert answer.kind == "definition" and answer.answers[0].id == "TLS"


@pytest.mark.parametrize(("concept_id", "wrong", "right"), [
    ("OnDemandInstance", "EC2 용량을 초 단위로 내는", "사용한 용량에 대해 초 단위로 요금을 내는"),
    ("SNS", "밀어 주는", "푸시하는"),
    ("CloudFront", "사용자 가까운", "사용자와 가까운"),
    ("DynamoDB", "지연 시간을 낸다", "지연 시간을 제공한다"),
    ("Application", "일을 하는", "작업을 수행하는"),
    ("SpareCapacity", "판다", "제공한다"),
    ("S3Glacier", "꺼내는 데", "검색(복원)하는 데"),
    ("IAMRole", "맡아서", "수임하여"),
    ("SpotInterruption", "용량이 필요하거나", "용량을 회수해야"),
    ("IAMUser", "안의 자격 증명으로", "ID(아이덴티티)"),
])
def test_korean_definitions_read_naturally(g, concept_id, wrong, right):
    korean = _definition(g, concept_id, "ko")
    assert wrong not in korean and right in korean


def test_iam_user_tells_identity_from_credentials(g):
    korean = _definition(g, "IAMUser", "ko")
    assert "ID(아이덴티티)" in korean and "자격 증명(credentials)" in korean


def test_korean_product_labels(g):
    lam = g.knowledge.concepts["Lambda"]
    assert lam.labels["ko"] == "AWS Lambda" and ("람다", "ko") in lam.aliases
    assert g.resolve("람다").id == "Lambda"
    for name in ("엘라스틱 빈스톡", "빈스톡"):
        assert g.resolve(name).id == "ElasticBeanstalk"


def test_rds_hosts_relational_databases_and_still_answers_yes(g):
    assert not g.store.is_asserted(("RDS", "type", "RelationalDatabase"))
    answer = g.ask("is RDS a relational database")
    assert answer.boolean is True
    grounds = [(f["subject"], f["relation"], f["object"]) for e in answer.evidence for f in e.grounds]
    assert ("RDS", "hostsKind", "RelationalDatabase") in grounds


def test_rds_type_question_agrees_in_sparql(g, oxigraph_store):
    assert bool(oxigraph_store.query(g.sparql("is RDS a relational database")))
    assert not bool(oxigraph_store.query(g.sparql("is DynamoDB a relational database")))


def test_s3_glacier_is_a_storage_class_not_a_service(g):
    assert not g.store.has(("S3Glacier", "type", "StorageService"))
    assert g.store.has(("S3Glacier", "partOf", "S3"))

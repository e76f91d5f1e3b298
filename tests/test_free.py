"""The free-phrasing interpreter (queries.free, kg.answers.interpret): readings, scoring, honesty, errors."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from queries import ast
from queries.free.analyse import stop_words
from queries.free.readings import analyse_question
from queries.parser import parse

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("dev_eval_free", ROOT / "bench" / "eval.py")
dev_eval = importlib.util.module_from_spec(_spec)
sys.modules["dev_eval_free"] = dev_eval
_spec.loader.exec_module(dev_eval)
# The properties below (interpretations re-parse, no "No" hides a stored fact) hold on every set,
# the held-out ones included: they are guarantees, not accuracy.
ROWS = [row for name in ("dev_questions.tsv", "dev_questions_fresh.tsv", "dev_questions_heldout.tsv")
        for row in dev_eval.load_rows(ROOT / "tests" / "fixtures" / name)]


@pytest.fixture(scope="module")
def answers(g):
    """Every development question asked once (bounded: the file's rows)."""
    return {row.id: g.ask(row.question, lang=row.lang) for row in ROWS}


@pytest.fixture(scope="module")
def vocab(g):
    from kg.answers.interpret import vocabulary

    return vocabulary(g.describer, g.lexicon)


def test_every_interpretation_parses_to_the_core_that_was_answered(g, answers):
    interpreted = [(rid, a) for rid, a in answers.items() if a.interpretation]
    assert len(interpreted) > 100  # the interpreter does answer much of the set
    for rid, answer in interpreted:
        assert parse(answer.interpretation, g.lexicon).core() == answer.core, rid


def test_interpreted_answers_carry_interpretation_and_confidence(g):
    data = g.ask("is Fargate serverless").to_dict()
    assert data["kind"] == "boolean" and data["boolean"] is True
    assert data["interpretation"] and 0 < data["confidence"] <= 1
    assert "interpretation" not in g.ask("what is S3").to_dict()  # the grammar's own answers have none


def _sub_or_same(g, stated: str, asked: str) -> bool:
    info = g.relations.get(stated)
    return stated == asked or (info is not None and asked in info.super_properties)


def test_no_no_contradicts_a_stored_fact(g, answers):
    """Every yes/no question of the set: a "No" never stands where the store holds the fact."""
    rows = [r for r in ROWS if r.parsed.kind in ("yes", "no")]
    assert len(rows) >= 50
    for row in rows:
        answer = answers[row.id]
        if answer.boolean is not False or not answer.core:
            continue
        query = parse(answer.core, g.lexicon)
        assert isinstance(query, ast.Ask)
        for pattern in query.where:
            s, o, rel = pattern.subject.id, pattern.object.id, pattern.step.relation
            inverse = (g.relations[rel].inverse if rel in g.relations else None) or ""
            held = [f for f in g.backend.facts(s, None, o) if _sub_or_same(g, f[1], rel)]
            held += [f for f in g.backend.facts(o, None, s) if inverse and _sub_or_same(g, f[1], inverse)]
            assert not held, (row.id, held)


def test_an_absent_no_names_the_nearest_facts_held(g):
    answer = g.ask("does ecs sit on lambda")
    assert answer.boolean is False and answer.basis == "absent"
    assert answer.interpretation == "does Amazon ECS run on AWS Lambda"
    assert "not stated" in answer.text and "built on Amazon EC2" in answer.text and "Fargate" in answer.text


@pytest.mark.parametrize("question, kind, ids", [
    ("rds engines", "entities", {"MySQL", "PostgreSQL", "Aurora"}),
    ("show me the storage services", "entities", {"S3", "EBS", "EFS"}),
    ("can i use rabbitmq on amazon mq", "boolean", set()),
    ("what does guardduty do", "definition", {"GuardDuty"}),
    ("where does an ebs volume live", "entities", {"AvailabilityZone"}),
    ("SQS 서버리스인가요", "boolean", set()),
    ("람다와 S3는 무슨 관계야", "path", set()),
    ("스토리지 서비스 목록 알려줘", "entities", {"S3", "EBS", "EFS"}),
    ("elastic beanstlk", "definition", {"ElasticBeanstalk"}),
    ("파게이트는서버리스야", "boolean", set()),
])
def test_free_questions_get_the_reading_that_fits(g, question, kind, ids):
    answer = g.ask(question)
    assert answer.kind == kind, (answer.kind, answer.interpretation, answer.text)
    assert ids <= {e.id for e in answer.answers}
    assert answer.interpretation and parse(answer.interpretation, g.lexicon).core() == answer.core
    if kind == "boolean":
        assert answer.boolean is True


def test_a_korean_question_is_answered_in_korean(g):
    answer = g.ask("EKS는 어디서 돌아가요?")
    assert answer.lang == "ko" and {"EC2", "Fargate"} <= {e.id for e in answer.answers}


def test_stop_words_never_name_a_term(vocab):
    words = sorted(stop_words("en"))
    assert {"i", "or", "top", "me", "show"} <= set(words)
    for word in words:
        analysis = analyse_question(f"{word}", vocab)
        assert not [m for m in analysis.mentions if m.terms or m.classes], word


def test_an_unreadable_question_gets_position_expected_and_safe_suggestions(g):
    labels = {c.label("en").casefold() for c in g.knowledge.concepts.values()}
    for question in ("I", "or", "top"):
        data = g.ask(question).to_dict()
        error = data["error"]
        assert error["position"] == 0 and error["expected"]
        assert error["suggestions"] and not {s.casefold() for s in error["suggestions"]} & labels, question
    data = g.ask("blah blah").to_dict()
    assert "error" in data and data["error"]["position"] == 0


def test_close_readings_of_different_kinds_are_offered_back(g, monkeypatch):
    from kg.answers import interpret

    monkeypatch.setattr(interpret, "CLOSE", 10.0)  # every runner-up of another kind counts as close
    answer = interpret.interpret_answer(g.describer, g.lexicon, g.backend, "is fargate serverless", "en")
    assert answer.kind == "clarify" and len(answer.followups) == 2
    for option in answer.followups:
        parse(option, g.lexicon)


def test_korean_in_the_controlled_forms_does_not_load_the_morphology_model():
    code = ("import sys; from kg import KnowledgeGraph; g = KnowledgeGraph.load(); "
            "g.ask('EC2란?'); g.ask('S3가 뭐야?'); print('kiwipiepy' in sys.modules, end=' '); "
            "g.ask('파게이트는서버리스야'); print('kiwipiepy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.stdout.split() == ["False", "True"], out.stderr[-2000:]


@pytest.mark.parametrize("question, term", [("what is an AMI used for", "AMI"), ("what is sns used for", "SNS")])
def test_an_empty_grammar_reading_gives_way_to_the_interpreter(g, question, term):
    answer = g.ask(question)
    assert answer.kind == "definition" and answer.answers[0].id == term
    assert answer.interpretation and answer.confidence


def test_a_found_answer_stays_the_grammars(g):
    answer = g.ask("what does EB stand for")
    assert answer.kind == "definition" and answer.interpretation is None
    assert answer.value == "Elastic Beanstalk"


@pytest.mark.parametrize("question, basis", [("is DynamoDB a relational database", "contradicted"),
                                             ("is S3 a database", "absent"), ("does RDS support DynamoDB", "absent")])
def test_a_grammar_no_is_never_turned_into_yes(g, question, basis):
    answer = g.ask(question)
    assert answer.boolean is False and answer.basis == basis


def test_a_comparison_is_not_answered_by_its_reverse(g):
    assert g.ask("is on demand cheaper than reserved instances").boolean is False
    assert g.ask("are reserved instances cheaper than on demand").boolean is True


@pytest.mark.parametrize("question, expansion", [("sqs stands for", "Simple Queue Service"),
                                                 ("EBS 약자가 뭐야", "Elastic Block Store")])
def test_stands_for_reads_as_the_expansion(g, question, expansion):
    answer = g.ask(question)
    assert answer.interpretation.startswith("what does") and answer.interpretation.endswith("stand for")
    assert answer.value == expansion


@pytest.mark.parametrize("question", ["where are docker images stored in aws", "컨테이너 이미지는 어디에 저장해요?"])
def test_a_relation_synonym_reaches_its_family(g, question):
    assert [e.id for e in g.ask(question).answers] == ["ECR"]


@pytest.mark.parametrize("question, expected", [("what do you create an ebs volume from", "EBSSnapshot"),
                                                ("what do you launch an ec2 instance from", "AMI")])
def test_a_particle_at_the_end_completes_its_verb(g, question, expected):
    answer = g.ask(question)
    assert answer.kind == "entities" and expected in [e.id for e in answer.answers]


@pytest.mark.parametrize("question, code", [("region code for seoul", "ap-northeast-2"),
                                            ("서울 리전 코드", "ap-northeast-2"),
                                            ("what is the region code of tokyo", "ap-northeast-1")])
def test_a_region_is_named_by_its_place(g, question, code):
    assert g.ask(question).value == code


@pytest.mark.parametrize("question, verdict", [("EC2는 서버리스야?", False), ("다이나모디비 서버리스야?", True)])
def test_a_korean_adjective_with_its_copula_names_a_class(g, question, verdict):
    answer = g.ask(question)
    assert answer.kind == "boolean" and answer.boolean is verdict


def test_an_adjective_before_a_class_noun_names_the_narrower_class(g):
    answer = g.ask("다이나모DB 관계형 DB인가요")
    assert answer.interpretation == "is Amazon DynamoDB a RDBMS" and answer.boolean is False


@pytest.mark.parametrize("question, term", [("aurura database", "Aurora"), ("S3 service", "S3")])
def test_a_term_with_its_own_kind_is_defined(g, question, term):
    answer = g.ask(question)
    assert answer.kind == "definition" and answer.answers[0].id == term


def test_the_core_language_never_falls_back(g):
    answer = g.ask("ASK { :RDS supports :DynamoDB }")
    assert answer.boolean is False and answer.basis == "absent" and answer.interpretation is None


# ---------------------------------------------------------------- general reading rules (issue 10)
@pytest.mark.parametrize("question", ["what is an ec2 instance type", "explain the ec2 instance type",
                                      "EC2 인스턴스 유형 설명해줘", "ec2 instance type meaning"])
def test_the_head_noun_goes_with_the_term_that_names_it(g, question):
    """"EC2 instance type": the term covering the head noun (instance type) is asked about, EC2 modifies it."""
    answer = g.ask(question)
    assert answer.kind == "definition" and answer.answers[0].id == "InstanceType", answer.interpretation


def test_a_verb_with_its_object_is_not_a_compound_head(vocab):
    mentions = analyse_question("does an ec2 instance store data", vocab).mentions
    assert [m.terms[:1] for m in mentions if m.terms] == [("EC2Instance",)]  # not EC2 + instance store


def test_a_compound_head_with_a_class_counts_the_class(g):
    answer = g.ask("how many ec2 instance families exist")
    assert answer.kind == "count" and answer.interpretation == "how many instance families are there"


@pytest.mark.parametrize("question, pair", [
    ("iam users vs roles", {"IAMUser", "IAMRole"}),
    ("compare iam groups and users", {"IAMGroup", "IAMUser"}),
    ("IAM 그룹이랑 역할 뭐가 달라", {"IAMGroup", "IAMRole"}),
    ("IAM 사용자하고 그룹 차이", {"IAMUser", "IAMGroup"}),
    ("ebs volumes and snapshots difference", {"EBSVolume", "EBSSnapshot"}),
])
def test_a_second_noun_shares_the_first_terms_modifier(g, question, pair):
    answer = g.ask(question)
    assert answer.kind == "compare" and {e.id for e in answer.answers} == pair, answer.interpretation


def test_shared_modifier_mentions_carry_the_modifier(vocab):
    mentions = analyse_question("iam users and roles difference", vocab).mentions
    assert [(m.terms[0], m.extra.get("elliptic")) for m in mentions if m.terms] == [("IAMUser", None),
                                                                                  ("IAMRole", "iam")]


@pytest.mark.parametrize("question", ["where do efs snapshots live", "EFS 스냅샷은 어디에 저장돼?",
                                      "where are efs snapshots kept"])
def test_a_short_name_never_overrides_the_term_typed_before_it(g, vocab, question):
    """"EFS snapshots" is not "EBS snapshots": the alias "snapshot" of EBS snapshot is dropped next to EFS."""
    mentions = analyse_question(question, vocab).mentions
    assert "EBSSnapshot" not in {t for m in mentions for t in m.terms}
    answer = g.ask(question)
    assert "EBSSnapshot" not in (answer.core or "") and "S3" not in {e.id for e in answer.answers}


def test_a_short_name_of_another_kind_of_term_stays(g):
    answer = g.ask("api gateway lambda relationship")  # "AWS Lambda" begins with AWS, not a rival of API Gateway
    assert answer.kind == "path"


@pytest.mark.parametrize("question, value", [
    ("what's the most memory a lambda function can get", 10240),
    ("lambda memory at most", 10240),
    ("람다 최대 메모리 몇이야", 10240),
    ("what is the minimum memory for lambda", 128),
])
def test_an_attribute_is_found_by_the_words_of_its_names(g, question, value):
    answer = g.ask(question)
    assert answer.kind == "attribute" and float(answer.value) == value, answer.interpretation


def test_attribute_options_prefer_the_name_the_whole_question_says(g, vocab):
    from queries.free.readings import attribute_options

    analysis = analyse_question("how much memory can a lambda have at most", vocab)
    memory = next(m for m in analysis.mentions if m.attributes)
    options = [prop for prop, _ in attribute_options(analysis, vocab, memory)]
    assert options[0] == "maxMemoryMB" and {"memoryGiB", "minMemoryMB"} <= set(options)


@pytest.mark.parametrize("question, other", [("is aurora postgresql compatible", "PostgreSQL"),
                                             ("is aurora postgresql compatible or not", "PostgreSQL"),
                                             ("오로라 MySQL 호환돼?", "MySQL")])
def test_a_two_word_name_splits_when_a_relation_needs_both_ends(g, question, other):
    answer = g.ask(question)
    assert answer.kind == "boolean" and answer.boolean is True
    assert answer.interpretation.endswith(g.label(other)), answer.interpretation


def test_a_two_word_name_stays_whole_when_it_answers(g):
    assert g.ask("is aurora mysql a relational database").boolean is True  # Aurora MySQL itself, not split


@pytest.mark.parametrize("word", ["plain", "span", "tools"])
def test_a_dictionary_word_is_not_a_misspelt_name(vocab, word):
    mentions = analyse_question(f"does it accept {word} requests", vocab).mentions
    assert not [m for m in mentions if m.fuzzy], [(m.text, m.terms) for m in mentions]


def test_a_dictionary_word_inside_a_name_still_names_it(vocab):
    mentions = analyse_question("s3 vs glacier", vocab).mentions
    assert "S3Glacier" in {t for m in mentions for t in m.terms}


@pytest.mark.parametrize("question, verdict", [("can api gateway take plain http", False),
                                               ("does api gateway accept https", True)])
def test_accept_reads_as_support(g, question, verdict):
    answer = g.ask(question)
    assert answer.kind == "boolean" and answer.boolean is verdict and "support" in answer.interpretation


@pytest.mark.parametrize("question, members", [
    ("what management tools does aws have", {"CloudWatch", "CloudTrail", "CloudFormation"}),
    ("list the management tools", {"CloudWatch", "CloudTrail"}),
    ("which pricing options does ec2 have", {"OnDemandInstance", "SpotInstance", "ReservedInstance"}),
    ("ec2 purchase options list", {"OnDemandInstance", "SpotInstance"}),
])
def test_everyday_class_nouns_list_the_class(g, question, members):
    answer = g.ask(question)
    assert answer.kind == "entities" and members <= {e.id for e in answer.answers}, answer.interpretation


@pytest.mark.parametrize("question", ["what states can an ec2 instance be in",
                                      "what states does an instance go through", "list the states an instance has"])
def test_a_relation_noun_with_a_term_names_their_compound(g, question):
    """instance + states: the instance state's options."""
    answer = g.ask(question)
    assert {"PendingState", "RunningState", "StoppedState"} <= {e.id for e in answer.answers}


@pytest.mark.parametrize("question, term", [("IAM 이 뭐야", "IAM"), ("tell me about iam please", "IAM")])
def test_a_lone_term_is_not_read_as_an_adjective(g, question, term):
    answer = g.ask(question)
    assert answer.kind == "definition" and answer.answers[0].id == term


@pytest.mark.parametrize("question, value", [("how many days can sqs hold a message at most", 14),
                                             ("how many MB of memory can lambda use at most", 10240),
                                             ("how many minutes of warning before a spot interruption", 2)])
def test_a_unit_asks_for_a_value_measured_in_it(g, question, value):
    answer = g.ask(question)
    assert answer.kind == "attribute" and float(answer.value) == value, answer.interpretation


# ---------------------------------------------------------------- round two: general rules (issue 10)
@pytest.mark.parametrize("question, members", [
    ("what does inspector look at", {"EC2Instance", "Lambda"}),
    ("which resources does amazon inspector check", {"EC2Instance"}),
    ("what does ec2 instance connect use to connect", {"SSH"}),
    ("which key service does secrets manager use for encryption", {"KMS"}),
])
def test_a_relation_word_beside_a_term_asks_more_than_its_definition(g, question, members):
    """A relation phrase (or a verb no mention covers) beside one term: its answers, not the term's definition."""
    answer = g.ask(question)
    assert answer.kind == "entities" and members <= {e.id for e in answer.answers}, answer.interpretation


@pytest.mark.parametrize("question", ["what is kms in aws", "what is S3 used for", "AMI는 어디에 쓰는 거야"])
def test_a_definition_still_stands_when_nothing_else_is_asked(g, question):
    assert g.ask(question).kind in ("definition", "mentions")


@pytest.mark.parametrize("question, members", [
    ("list gpu instance types", {"G4dnXlarge", "P32xlarge"}),
    ("which instance types are memory optimized", {"R5Large"}),
    ("GPU 인스턴스 타입 알려줘", {"G4dnXlarge", "P32xlarge"}),
])
def test_a_modifying_term_narrows_the_head_terms_members(g, question, members):
    """"GPU instance types": the instance types that use a GPU, not the definition of instance type."""
    answer = g.ask(question)
    assert answer.kind == "entities" and {e.id for e in answer.answers} == members, answer.interpretation
    assert answer.core.startswith("SELECT ?x {") and " . " in answer.core


@pytest.mark.parametrize("question, verdict", [("is a network acl stateless", True),
                                               ("are security groups stateful", True),
                                               ("is a security group stateless", False),
                                               ("is a nacl stateful", False)])
def test_an_adjective_that_begins_a_name_asks_yes_or_no(g, question, verdict):
    """"stateless" begins "stateless filtering": a Yes rests on a stated fact, a No names what is held."""
    answer = g.ask(question)
    assert answer.kind == "boolean" and answer.boolean is verdict, answer.interpretation
    if verdict:
        assert answer.basis in ("stated", "inferred")
    else:
        assert answer.basis == "absent" and "not stated" in answer.text


@pytest.mark.parametrize("question, verdict", [("is lambda serverles", True), ("is fargate servrless", True),
                                               ("is ec2 serverlss", False)])
def test_a_misspelt_adjective_still_names_its_class(g, question, verdict):
    answer = g.ask(question)
    assert answer.kind == "boolean" and answer.boolean is verdict and "serverless" in answer.interpretation


@pytest.mark.parametrize("question, word", [("can a cluster placement group span regions", "span"),
                                            ("what does amazon inspector scan", "scan"),
                                            ("is a security group stateful", "stateful")])
def test_a_word_after_an_exact_name_is_not_read_into_it(vocab, question, word):
    """A real word (or a word the name does not have) after a name stays a word of its own."""
    mentions = analyse_question(question, vocab).mentions
    assert not [m for m in mentions if m.fuzzy and word in m.text.lower() and " " in m.text], \
        [(m.text, m.terms) for m in mentions]


@pytest.mark.parametrize("question", ["ec2 tenancy choices", "what tenancy options are there for ec2",
                                      "EC2 테넌시 종류 알려줘"])
def test_a_short_name_agrees_with_the_term_inside_its_full_name(g, question):
    """"tenancy" is instance tenancy; EC2 instance has EC2 in it, so EC2 does not stand against it."""
    answer = g.ask(question)
    assert {"SharedTenancy", "DedicatedInstance", "DedicatedHost"} == {e.id for e in answer.answers}


def test_a_short_name_of_another_kind_is_still_refused(g):
    assert g.ask("efs snapshots").answers[0].id == "EFS"  # EBS snapshot is not EFS's


@pytest.mark.parametrize("question, term", [("키네시스 데이타 스트림이란", "KinesisDataStreams"),
                                            ("콘피그가 뭐야", "Config"),
                                            ("what is amazn inspectr", "Inspector"),
                                            ("what is aws confg", "Config")])
def test_misspelt_names_across_words_and_without_their_brand(g, question, term):
    """A Korean name misspelt over several words, or typed without "AWS"/"Amazon", is still found."""
    answer = g.ask(question)
    assert answer.kind == "definition" and answer.answers[0].id == term, answer.interpretation


@pytest.mark.parametrize("question, members", [
    ("CloudFormation이 만드는 리소스 알려줘", {"EC2Instance", "S3Bucket"}),
    ("DB 인스턴스 설정 항목 알려줘", {"MultiAZDeployment", "RDSMaintenanceWindow"}),
    ("EC2 테넌시 옵션 알려줘", {"SharedTenancy", "DedicatedHost"}),
])
def test_a_korean_tell_me_request_lists(g, question, members):
    """"…알려줘" asks for the things, not yes or no."""
    answer = g.ask(question)
    assert answer.kind == "entities" and members <= {e.id for e in answer.answers}, answer.interpretation


@pytest.mark.parametrize("question, count", [("number of api types api gateway supports", 3),
                                             ("how many api types does api gateway provide", 3),
                                             ("how many engines can one db instance run", 1)])
def test_a_count_keeps_the_class_it_names(g, question, count):
    """Counting "API types" counts API types; a class word that also names a term may be that term."""
    answer = g.ask(question)
    assert answer.kind == "count" and answer.count == count, answer.interpretation


def test_a_reading_that_found_nothing_never_beats_one_that_found_something(g, vocab):
    from kg.answers.interpret import EMPTY, _links, _result_bonus, evaluate_readings
    from queries.free.readings import read

    question = "what does ec2 instance connect use to connect"
    known = g.describer.knowledge.concepts.keys() | g.describer.knowledge.classes.keys()
    scored = evaluate_readings(read(question, vocab, _links(g.backend)), g.lexicon, g.backend,
                               g.describer.knowledge.concepts, known)
    empty = [_result_bonus(s[3], g.describer.knowledge.concepts) <= EMPTY for s in scored]
    assert empty == sorted(empty)  # every empty reading after every other


def test_latin_letters_and_digits_in_korean_are_one_word():
    from queries.free.analyse import analyse

    assert [t.key for t in analyse("EC2 테넌시 종류") if t.tag == "SL"] == ["ec2"]


@pytest.mark.parametrize("question, value", [("postgres prot", 5432), ("default prot of redis", 6379),
                                             ("mysql prot number", 3306)])
def test_a_misspelt_attribute_name_still_asks_for_the_value(g, question, value):
    answer = g.ask(question)
    assert answer.kind == "attribute" and float(answer.value) == value, answer.interpretation


@pytest.mark.parametrize("word", ["ports", "sport", "report"])
def test_a_real_word_is_not_a_misspelt_attribute(vocab, word):
    mentions = analyse_question(f"mysql {word}", vocab).mentions
    assert not [m for m in mentions if m.fuzzy and m.attributes]


@pytest.mark.parametrize("question", ["can sc1 be used as a boot volume", "is gp3 a magnetic volume",
                                      "is st1 a cheap volume"])
def test_a_yes_never_answers_a_wider_question_than_was_asked(g, question):
    # The KB holds "sc1 is a kind of EBS volume"; "boot", "magnetic", "cheap" narrow what is asked,
    # so the reading "is sc1 an EBS volume" must not stand as a Yes: the mentions' definitions do.
    answer = g.ask(question)
    assert answer.kind == "mentions" and answer.boolean is None


def test_a_modifier_the_reading_covers_still_answers(g):
    assert g.ask("is s3 a storage service").boolean is True
    assert g.ask("is aurora mysql compatible").boolean is True

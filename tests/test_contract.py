"""The published answer contract: every answer of the development set and the golden questions fits the schema."""

from __future__ import annotations

import csv
import json

import jsonschema  # noqa: F401,E402 (a dev dependency: the contract is checked, never skipped)
import pytest

from kg.answers.contract import SCHEMA_PATH, SCHEMA_VERSION, answer_schema, schema_text, validation_errors
from tests.conftest import FIXTURES, golden_rows

KINDS = ["entities", "count", "boolean", "definition", "path", "mentions", "error", "clarify", "compare", "attribute"]


def _dev_questions() -> list[tuple[str, str]]:
    """(question, lang) of each row of the development set (see bench/eval.py for the format)."""
    with open(FIXTURES / "dev_questions.tsv", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [(row["question"], row.get("lang") or "en") for row in rows if row.get("question")]


def _misfits(g, questions: list[tuple[str, str | None]]) -> list[str]:
    found = []
    for question, lang in questions:
        try:
            data = g.ask(question, lang=lang).to_dict()
        except Exception as error:  # reported with the question, so one crash does not hide the rest
            found.append(f"{question!r}: crashed: {type(error).__name__}: {error}")
            continue
        found += [f"{question!r}: {message}" for message in validation_errors(json.loads(json.dumps(data)))]
    return found


def test_the_schema_is_valid_draft_2020_12():
    from jsonschema import Draft202012Validator

    schema = answer_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["schema_version"] == SCHEMA_VERSION and SCHEMA_VERSION in schema["$id"]
    assert schema["$defs"]["answer"]["properties"]["kind"]["enum"] == KINDS
    fields = schema["$defs"]["answer"]["properties"].keys()
    assert {"interpretation", "confidence", "value", "unit", "details"} <= fields


def test_every_development_question_fits(g):
    questions = _dev_questions()
    assert len(questions) >= 300
    misfits = _misfits(g, questions)
    assert not misfits, f"{len(misfits)} misfits:\n" + "\n".join(misfits[:40])


def test_every_golden_question_fits(g):
    misfits = _misfits(g, [(question, None) for question, _, _ in golden_rows()])
    assert not misfits, "\n".join(misfits[:40])


def test_both_languages_and_conversations_fit(g):
    sample = ["what stores EBS backups", "S3란?", "is S3 a database", "what is EC3", "what is instance",
              "how is ECS related to S3", "how many engines does RDS support", "tell me about s3 and snapshots"]
    assert not _misfits(g, [(q, lang) for q in sample for lang in ("en", "ko")])
    conversation = g.conversation()
    for question in ["what is EBS?", "where are its snapshots stored?", "and EFS?", "EFS는?", "그건 뭐야?"]:
        assert validation_errors(conversation.ask(question).to_dict()) == []


def test_http_answers_fit_and_the_schema_is_served(g):
    from fastapi.testclient import TestClient

    from kg.faces.server import create_app

    client = TestClient(create_app(g), base_url="http://127.0.0.1")
    served = client.get("/schema")
    assert served.status_code == 200 and served.headers["content-type"].startswith("application/schema+json")
    assert served.json() == answer_schema()
    for body in [{"question": "what is EBS", "conversation": "new"}, {"question": "what is EC3"},
                 {"question": "S3란?"}]:
        assert validation_errors(client.post("/ask", json=body).json()) == []


def test_kg_schema_prints_the_contract(capsys):
    from kg.faces.cli import main

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema_text().endswith("\n")


ENTITY = {"id": "EBS", "label": "Amazon EBS", "definition": "Block storage."}
BASE = {"question": "q", "answers": [], "boolean": None, "basis": None, "count": None, "path": None,
        "evidence": [], "text": "t", "core": None, "sparql": None, "followups": []}


@pytest.mark.parametrize("answer", [
    {**BASE, "kind": "compare", "answers": [ENTITY, {**ENTITY, "id": "EFS"}], "details": {"shared": []},
     "interpretation": "difference between EBS and EFS", "confidence": 0.9},
    {**BASE, "kind": "attribute", "answers": [ENTITY], "value": 22, "unit": None, "confidence": None,
     "interpretation": "what port does SSH use"},
    {**BASE, "kind": "attribute", "value": "99.999999999%", "unit": "percent"},
    {**BASE, "kind": "boolean", "boolean": False, "basis": "absent"},
    {**BASE, "kind": "clarify", "followups": ["what is EBS", "what is EFS"]},
    {"question": "q", "error": {"message": "m", "position": 3, "expected": [], "suggestions": ["S3"]}},
])
def test_new_kinds_fit(answer):
    assert validation_errors(answer) == []


@pytest.mark.parametrize(("answer", "where"), [
    ({**BASE, "kind": "boolean"}, "boolean"),  # a yes/no answer without its boolean
    ({**BASE, "kind": "boolean", "boolean": True, "basis": "maybe"}, "basis"),
    ({**BASE, "kind": "count", "count": -1}, "count"),
    ({**BASE, "kind": "compare", "answers": [ENTITY]}, "answers"),
    ({**BASE, "kind": "attribute"}, "value"),
    ({**BASE, "kind": "entities", "confidence": 1.5}, "confidence"),
    ({**BASE, "kind": "riddle"}, "kind"),
    ({**BASE, "kind": "entities", "surprise": 1}, "surprise"),
    ({**BASE, "kind": "entities", "answers": [{"id": "S3"}]}, "answers/0"),
    ({"question": "q", "error": {}}, "message"),
    ({"question": "q", "kind": "entities"}, "answers"),
    ("just text", "(top)"),
])
def test_broken_answers_are_caught(answer, where):
    errors = validation_errors(answer)
    assert errors and any(where in e for e in errors), errors

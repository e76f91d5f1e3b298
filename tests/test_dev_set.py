"""The development sets of naturally phrased questions and their runner (bench/eval.py).

``tests/fixtures/dev_questions.tsv`` is the set the interpreter is tuned on; ``dev_questions_fresh.tsv`` is a
fresh batch written apart from that tuning, for an honest measure; ``dev_questions_heldout.tsv`` is a second
fresh batch that nothing has been tuned to, kept for the final measurement. These check the files' shape and the
runner's judging, not the engine's accuracy (``make eval`` and ``bench/eval.py --file PATH`` measure that).
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("dev_eval", ROOT / "bench" / "eval.py")
dev_eval = importlib.util.module_from_spec(_spec)
sys.modules["dev_eval"] = dev_eval  # dataclasses look their module up there
_spec.loader.exec_module(dev_eval)

FRESH = ROOT / "tests" / "fixtures" / "dev_questions_fresh.tsv"
HELDOUT = ROOT / "tests" / "fixtures" / "dev_questions_heldout.tsv"
FILES = {"dev": dev_eval.DATA, "fresh": FRESH, "heldout": HELDOUT}
ROWS_OF = {name: dev_eval.load_rows(path) for name, path in FILES.items()}
ROWS = ROWS_OF["dev"]
EXPECT_FOR = {"definition": {"define"}, "relation": {"answers"}, "list": {"answers"}, "yesno": {"yes", "no"},
              "count": {"count"}, "compare": {"compare"}, "attribute": {"value"}, "path": {"path"},
              "typo": set(dev_eval.EXPECT_KINDS) - {"answers="}}
each_file = pytest.mark.parametrize("name", list(FILES))


def _normal(question: str) -> str:
    return " ".join(question.lower().replace("?", " ").split())


@each_file
def test_header_is_the_documented_one(name):
    first = FILES[name].read_text(encoding="utf-8").splitlines()[0]
    assert first.split("\t") == ["id", "lang", "category", "question", "expect", "note"]


def test_size_and_korean_share():
    assert len(ROWS) >= 300
    assert sum(r.lang == "ko" for r in ROWS) >= 100


@each_file
def test_every_row_has_six_nonempty_cells_without_stray_tabs(name):
    for line_no, line in enumerate(FILES[name].read_text(encoding="utf-8").splitlines()[1:], start=2):
        cells = line.split("\t")
        assert len(cells) == 6, f"{name} line {line_no}: {len(cells)} cells"
        assert all(cell.strip() for cell in cells), f"{name} line {line_no}: an empty cell"


@each_file
def test_ids_are_unique(name):
    duplicates = [i for i, n in Counter(r.id for r in ROWS_OF[name]).items() if n > 1]
    assert not duplicates


@each_file
def test_questions_are_not_repeated(name):
    counts = Counter((r.lang, " ".join(r.question.lower().split())) for r in ROWS_OF[name])
    assert not [q for q, n in counts.items() if n > 1]


@each_file
def test_languages_and_categories_are_known(name):
    assert {r.lang for r in ROWS_OF[name]} <= set(dev_eval.LANGS)
    assert {r.category for r in ROWS_OF[name]} <= set(dev_eval.CATEGORIES)


def test_every_category_has_twenty_rows_and_some_korean():
    for category in dev_eval.CATEGORIES:
        rows = [r for r in ROWS if r.category == category]
        assert len(rows) >= 20, category
        assert sum(r.lang == "ko" for r in rows) >= 8, category


@each_file
def test_korean_rows_are_written_in_korean(name):
    hangul = re.compile("[\uac00-\ud7a3]")
    assert all(hangul.search(r.question) for r in ROWS_OF[name] if r.lang == "ko")
    assert not any(hangul.search(r.question) for r in ROWS_OF[name] if r.lang == "en")


@each_file
def test_expect_kind_fits_the_category(name):
    for row in ROWS_OF[name]:
        kind = row.parsed.kind + ("=" if row.parsed.exact and row.parsed.kind == "answers" else "")
        assert kind.rstrip("=") in EXPECT_FOR[row.category], f"{row.id}: {row.expect} in {row.category}"


@each_file
def test_every_note_cites_a_source_or_says_kb_missing(name):
    for row in ROWS_OF[name]:
        assert "kb-missing" in row.note or re.search(r"https?://\S+", row.note), row.id


@each_file
def test_every_named_id_is_known_or_marked_kb_missing(g, name):
    known = g.knowledge.concepts.keys() | g.knowledge.classes.keys()
    unknown = [(r.id, i) for r in ROWS_OF[name] for i in r.parsed.ids if i not in known and "kb-missing" not in r.note]
    assert not unknown, f"ids not in the knowledge base (typo, or note needs kb-missing): {unknown}"


def test_fresh_set_has_its_planned_shape():
    rows = ROWS_OF["fresh"]
    assert len(rows) == 160
    assert Counter(r.lang for r in rows) == {"en": 100, "ko": 60}
    for category in dev_eval.CATEGORIES:
        assert {r.lang for r in rows if r.category == category} == {"en", "ko"}, category
    assert sum("kb-missing" in r.note for r in rows) <= len(rows) // 5
    answers = Counter(r.expect for r in rows if r.expect in ("yes", "no"))
    assert 0.3 <= answers["no"] / (answers["yes"] + answers["no"]) <= 0.5


@pytest.mark.parametrize("name", ["fresh", "heldout"])
def test_fresh_notes_cite_aws_documentation(name):
    assert all("https://docs.aws.amazon.com/" in r.note for r in ROWS_OF[name])


def test_fresh_set_is_disjoint_from_the_tuning_set():
    tuned_ids = {r.id for r in ROWS}
    tuned = {(r.lang, _normal(r.question)) for r in ROWS}
    assert not [r.id for r in ROWS_OF["fresh"] if r.id in tuned_ids]
    assert not [r.id for r in ROWS_OF["fresh"] if (r.lang, _normal(r.question)) in tuned]


HELDOUT_PLAN = {"definition": (11, 7), "relation": (14, 10), "list": (11, 7), "yesno": (14, 10), "count": (7, 5),
                "compare": (8, 6), "attribute": (8, 6), "path": (5, 3), "typo": (12, 6)}


def test_heldout_set_has_its_planned_shape():
    rows = ROWS_OF["heldout"]
    assert len(rows) == 150
    assert Counter(r.lang for r in rows) == {"en": 90, "ko": 60}
    shape = Counter((r.category, r.lang) for r in rows)
    for category, (en, ko) in HELDOUT_PLAN.items():
        assert (shape[category, "en"], shape[category, "ko"]) == (en, ko), category
    assert sum("kb-missing" in r.note for r in rows) <= len(rows) * 15 // 100
    answers = Counter(r.expect for r in rows if r.category == "yesno")
    assert 0.3 <= answers["no"] / (answers["yes"] + answers["no"]) <= 0.5


def test_heldout_ids_name_their_category_and_language():
    for row in ROWS_OF["heldout"]:
        assert re.fullmatch(rf"ho-{row.category}-{row.lang}-\d\d", row.id), row.id


def test_heldout_set_is_disjoint_from_both_other_sets():
    others = ROWS + ROWS_OF["fresh"]
    seen_ids, seen = {r.id for r in others}, {(r.lang, _normal(r.question)) for r in others}
    assert not [r.id for r in ROWS_OF["heldout"] if r.id in seen_ids]
    assert not [r.id for r in ROWS_OF["heldout"] if (r.lang, _normal(r.question)) in seen]


@pytest.mark.parametrize("bad", ["maybe", "define:", "define:S3,EBS", "count:7.5", "path:S3", "answers:S3,",
                                 "answers:S 3", "values:22", "compare:S3"])
def test_parse_expect_rejects_malformed_cells(bad):
    with pytest.raises(ValueError):
        dev_eval.parse_expect(bad)


def test_judging_rules():
    judge, parse = dev_eval.judge, dev_eval.parse_expect
    entities = {"kind": "entities", "answers": [{"id": "S3"}, {"id": "EBS"}]}
    assert judge(parse("answers:S3"), entities).correct
    assert not judge(parse("answers=:S3"), entities).correct
    assert judge(parse("answers=:EBS,S3"), entities).correct
    assert not judge(parse("answers:S3"), {**entities, "kind": "mentions"}).correct
    assert judge(parse("define:S3"), {"kind": "definition", "answers": [{"id": "S3"}]}).correct
    assert not judge(parse("define:S3"), {"kind": "definition", "answers": [{"id": "EBS"}]}).correct
    assert not judge(parse("define:S3"), {"kind": "mentions", "answers": [{"id": "EBS"}, {"id": "S3"}]}).correct
    assert not judge(parse("yes"), {"kind": "mentions", "boolean": None}).false_no
    assert judge(parse("count:7"), {"kind": "count", "count": 7}).correct
    assert not judge(parse("count:7"), {"kind": "count", "count": 6}).correct
    assert judge(parse("compare:S3,EBS"), {"kind": "compare", "answers": [{"id": "EBS"}, {"id": "S3"}]}).correct
    assert not judge(parse("compare:S3,EBS"), {"kind": "mentions", "answers": [{"id": "EBS"}, {"id": "S3"}]}).correct
    assert judge(parse("value:22"), {"kind": "value", "value": 22.0}).correct
    assert not judge(parse("value:22"), {"kind": "definition", "text": "port 22 by default"}).correct
    path = {"kind": "path", "path": [[{"subject": "A", "object": "B"}, {"subject": "C", "object": "B"}]]}
    assert judge(parse("path:A,C"), path).correct
    assert not judge(parse("path:A,D"), path).correct


def test_runner_doctests_pass():
    result = doctest.testmod(dev_eval)
    assert result.attempted > 0 and result.failed == 0


def test_runner_prints_a_summary_for_a_small_set(tmp_path, capsys):
    data = tmp_path / "mini.tsv"
    data.write_text("id\tlang\tcategory\tquestion\texpect\tnote\n"
                    "a\ten\tdefinition\twhat is S3\tdefine:S3\thttps://example.org\n"
                    "b\tko\tyesno\tDynamoDB는 관계형 데이터베이스야?\tno\thttps://example.org\n"
                    "c\ten\tcount\thow many engines does RDS support\tcount:6\thttps://example.org\n", encoding="utf-8")
    assert dev_eval.main(["--data", str(data), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["correct"] for r in out["rows"]] == [True, True, False]
    assert out["summary"]["overall"]["all"] == {"correct": 2, "total": 3}
    assert out["summary"]["korean"] == {"correct": 1, "total": 1}
    assert out["file"] == str(data)
    assert dev_eval.main(["--file", str(data), "--failures"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"file: {data} (3 rows)\n")
    assert "c " in text and "count:6" in text and "Korean overall: 1/1 100%" in text

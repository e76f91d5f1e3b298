"""The development set of naturally phrased questions (tests/fixtures/dev_questions.tsv) and its runner.

These check the file's shape and the runner's judging, not the engine's accuracy (``make eval`` measures that).
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

ROWS = dev_eval.load_rows()
EXPECT_FOR = {"definition": {"define"}, "relation": {"answers"}, "list": {"answers"}, "yesno": {"yes", "no"},
              "count": {"count"}, "compare": {"compare"}, "attribute": {"value"}, "path": {"path"},
              "typo": set(dev_eval.EXPECT_KINDS) - {"answers="}}


def test_header_is_the_documented_one():
    first = dev_eval.DATA.read_text(encoding="utf-8").splitlines()[0]
    assert first.split("\t") == ["id", "lang", "category", "question", "expect", "note"]


def test_size_and_korean_share():
    assert len(ROWS) >= 300
    assert sum(r.lang == "ko" for r in ROWS) >= 100


def test_every_row_has_six_nonempty_cells_without_stray_tabs():
    for line_no, line in enumerate(dev_eval.DATA.read_text(encoding="utf-8").splitlines()[1:], start=2):
        cells = line.split("\t")
        assert len(cells) == 6, f"line {line_no}: {len(cells)} cells"
        assert all(cell.strip() for cell in cells), f"line {line_no}: an empty cell"


def test_ids_are_unique():
    duplicates = [i for i, n in Counter(r.id for r in ROWS).items() if n > 1]
    assert not duplicates


def test_questions_are_not_repeated():
    counts = Counter((r.lang, " ".join(r.question.lower().split())) for r in ROWS)
    assert not [q for q, n in counts.items() if n > 1]


def test_languages_and_categories_are_known():
    assert {r.lang for r in ROWS} <= set(dev_eval.LANGS)
    assert {r.category for r in ROWS} <= set(dev_eval.CATEGORIES)


def test_every_category_has_twenty_rows_and_some_korean():
    for category in dev_eval.CATEGORIES:
        rows = [r for r in ROWS if r.category == category]
        assert len(rows) >= 20, category
        assert sum(r.lang == "ko" for r in rows) >= 8, category


def test_korean_rows_are_written_in_korean():
    hangul = re.compile("[\uac00-\ud7a3]")
    assert all(hangul.search(r.question) for r in ROWS if r.lang == "ko")
    assert not any(hangul.search(r.question) for r in ROWS if r.lang == "en")


def test_expect_kind_fits_the_category():
    for row in ROWS:
        kind = row.parsed.kind + ("=" if row.parsed.exact and row.parsed.kind == "answers" else "")
        assert kind.rstrip("=") in EXPECT_FOR[row.category], f"{row.id}: {row.expect} in {row.category}"


def test_every_note_cites_a_source_or_says_kb_missing():
    for row in ROWS:
        assert "kb-missing" in row.note or re.search(r"https?://\S+", row.note), row.id


def test_every_named_id_is_known_or_marked_kb_missing(g):
    known = g.knowledge.concepts.keys() | g.knowledge.classes.keys()
    unknown = [(r.id, i) for r in ROWS for i in r.parsed.ids if i not in known and "kb-missing" not in r.note]
    assert not unknown, f"ids not in the knowledge base (typo, or note needs kb-missing): {unknown}"


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
    assert dev_eval.main(["--data", str(data), "--failures"]) == 0
    text = capsys.readouterr().out
    assert "c " in text and "count:6" in text and "Korean overall: 1/1 100%" in text

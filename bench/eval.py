"""Accuracy on the development set of naturally phrased questions (tests/fixtures/dev_questions.tsv).

Run: make eval   (or: python bench/eval.py [--file PATH] [--failures] [--json] [--lang ko] [--category count] [--speed])

``--file`` measures another set in the same format, such as the held-out style batch
``tests/fixtures/dev_questions_fresh.tsv`` (written apart from the tuning, so nothing was tuned to it).

Each row's ``expect`` is judged against ``KnowledgeGraph.load().ask(question, lang).to_dict()``:

- ``define:ID``: kind ``definition`` with answers[0] == ID; kind ``mentions`` whose first answer is
  ID also counts, and is reported separately as "via mentions".
- ``answers:ID,...``: the answer ids include all listed (``answers=:`` — exactly these); kinds that
  do not answer the question (mentions, clarify, definition, error) never count.
- ``yes`` / ``no``: ``boolean`` is True / False. A False where ``yes`` is expected is a "false No".
- ``count:N``: ``count == N``. ``compare:ID,ID,...``: kind ``compare`` with every id among answers.
- ``value:V``: the ``value`` field equals V (numbers compared as numbers).
- ``path:ID,ID``: kind ``path`` and some path touches both ids.

It is a measurement: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "fixtures" / "dev_questions.tsv"
COLUMNS = ["id", "lang", "category", "question", "expect", "note"]
CATEGORIES = ["definition", "relation", "list", "yesno", "count", "compare", "attribute", "path", "typo"]
LANGS = ["en", "ko"]
EXPECT_KINDS = ("define", "answers", "answers=", "yes", "no", "count", "compare", "value", "path")
NOT_ANSWERS = {"mentions", "clarify", "definition", "error"}


@dataclass(frozen=True)
class Expect:
    """A parsed ``expect`` cell.

    >>> parse_expect("answers=:S3,EBS")
    Expect(kind='answers', ids=('S3', 'EBS'), exact=True, value=None)
    >>> parse_expect("count:7").value
    '7'
    """

    kind: str
    ids: tuple[str, ...] = ()
    exact: bool = False
    value: str | None = None


@dataclass
class Row:
    id: str
    lang: str
    category: str
    question: str
    expect: str
    note: str
    parsed: Expect = field(init=False)

    def __post_init__(self) -> None:
        self.parsed = parse_expect(self.expect)


@dataclass
class Verdict:
    correct: bool
    via_mentions: bool = False
    false_no: bool = False


def parse_expect(text: str) -> Expect:
    """Parse one ``expect`` cell; raises ValueError saying what is wrong.

    >>> parse_expect("yes")
    Expect(kind='yes', ids=(), exact=False, value=None)
    >>> parse_expect("path:VPC,Subnet").ids
    ('VPC', 'Subnet')
    >>> parse_expect("count:seven")
    Traceback (most recent call last):
    ...
    ValueError: count needs a whole number, got 'seven'
    """
    text = text.strip()
    if text in ("yes", "no"):
        return Expect(text)
    head, sep, rest = text.partition(":")
    if not sep or head not in EXPECT_KINDS:
        raise ValueError(f"unknown expect {text!r}; expected one of {', '.join(EXPECT_KINDS)}")
    rest = rest.strip()
    if not rest:
        raise ValueError(f"{head} needs a value after ':'")
    if head == "count":
        if not rest.isdigit():
            raise ValueError(f"count needs a whole number, got {rest!r}")
        return Expect("count", value=rest)
    if head == "value":
        return Expect("value", value=rest)
    ids = tuple(part.strip() for part in rest.split(","))
    if any(not part or not part.isidentifier() for part in ids):
        raise ValueError(f"{head} needs comma-separated concept ids, got {rest!r}")
    if head == "define" and len(ids) != 1:
        raise ValueError(f"define takes one id, got {rest!r}")
    if head in ("compare", "path") and len(ids) < 2:
        raise ValueError(f"{head} needs at least two ids, got {rest!r}")
    return Expect(head.rstrip("="), ids, exact=head == "answers=")


def load_rows(path: Path = DATA) -> list[Row]:
    """The rows of the development set (header checked)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != COLUMNS:
            raise ValueError(f"{path}: header is {header}, expected {COLUMNS}")
        return [Row(*cells) for cells in reader if cells]


def _answer_ids(data: dict[str, Any]) -> list[str]:
    return [item.get("id") for item in data.get("answers") or []]


def _same_value(expected: str, got: Any) -> bool:
    """Whether an attribute value matches: numbers as numbers, text ignoring case and spaces.

    >>> _same_value("22", 22), _same_value("99.99", "99.990"), _same_value("Elastic Block Store", "elastic block store")
    (True, True, True)
    >>> _same_value("22", None)
    False
    """
    if got is None:
        return False
    try:
        return float(expected) == float(got)
    except (TypeError, ValueError):
        return "".join(str(got).lower().split()) == "".join(expected.lower().split())


def _path_touches(data: dict[str, Any], ids: tuple[str, ...]) -> bool:
    for steps in data.get("path") or []:
        nodes = {step.get(end) for step in steps for end in ("subject", "object")}
        if all(i in nodes for i in ids):
            return True
    return False


def judge(expect: Expect, data: dict[str, Any]) -> Verdict:
    """Whether an answer (the ``to_dict()`` JSON) meets an expectation.

    >>> judge(parse_expect("no"), {"kind": "boolean", "boolean": False}).correct
    True
    >>> judge(parse_expect("yes"), {"kind": "boolean", "boolean": False}).false_no
    True
    >>> judge(parse_expect("define:S3"), {"kind": "mentions", "answers": [{"id": "S3"}]}).via_mentions
    True
    """
    kind, ids = data.get("kind", "error"), _answer_ids(data)
    if expect.kind == "define":
        if kind == "definition" and ids[:1] == list(expect.ids):
            return Verdict(True)
        return Verdict(kind == "mentions" and ids[:1] == list(expect.ids), via_mentions=True)
    if expect.kind == "answers":
        got = set(ids) if kind not in NOT_ANSWERS else set()
        return Verdict(got == set(expect.ids) if expect.exact else set(expect.ids) <= got)
    if expect.kind == "yes":
        return Verdict(data.get("boolean") is True, false_no=data.get("boolean") is False)
    if expect.kind == "no":
        return Verdict(data.get("boolean") is False)
    if expect.kind == "count":
        return Verdict(data.get("count") == int(expect.value or -1))
    if expect.kind == "compare":
        return Verdict(kind == "compare" and set(expect.ids) <= set(ids))
    if expect.kind == "value":
        return Verdict(_same_value(expect.value or "", data.get("value")))
    return Verdict(kind == "path" and _path_touches(data, expect.ids))


def run(rows: list[Row]) -> list[dict[str, Any]]:
    """Ask every row's question and judge it; one result dict per row."""
    from kg import KnowledgeGraph

    graph = KnowledgeGraph.load()
    results = []
    for row in rows:
        try:
            data = graph.ask(row.question, lang=row.lang).to_dict()
        except Exception as error:  # a measurement: a crash counts as a wrong answer, the run goes on
            data = {"question": row.question, "error": {"message": f"crash: {type(error).__name__}: {error}"}}
        verdict = judge(row.parsed, data)
        results.append({
            "id": row.id, "lang": row.lang, "category": row.category, "question": row.question,
            "expect": row.expect, "kb_missing": "kb-missing" in row.note, "correct": verdict.correct,
            "via_mentions": verdict.correct and verdict.via_mentions, "false_no": verdict.false_no,
            "got": _summary(data),
        })
    return results


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    if "error" in data:
        return {"kind": "error", "text": data["error"].get("message", "")}
    text = (data.get("text") or "").splitlines()
    return {"kind": data.get("kind"), "answers": _answer_ids(data)[:6], "boolean": data.get("boolean"),
            "count": data.get("count"), "value": data.get("value"), "text": text[0][:100] if text else ""}


def tally(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Correct/total per category and language, overall, Korean overall, false No and via-mentions counts."""
    def cell(items: list[dict[str, Any]]) -> dict[str, int]:
        return {"correct": sum(r["correct"] for r in items), "total": len(items)}

    table = {cat: {lang: cell([r for r in results if r["category"] == cat and r["lang"] == lang]) for lang in LANGS}
             | {"all": cell([r for r in results if r["category"] == cat])} for cat in CATEGORIES}
    overall = {lang: cell([r for r in results if r["lang"] == lang]) for lang in LANGS} | {"all": cell(results)}
    return {"table": table, "overall": overall, "korean": overall["ko"],
            "false_no": sum(r["false_no"] for r in results),
            "via_mentions": sum(r["via_mentions"] for r in results),
            "kb_missing": cell([r for r in results if r["kb_missing"]]),
            "kb_present": cell([r for r in results if not r["kb_missing"]])}


def _fmt(c: dict[str, int]) -> str:
    if not c["total"]:
        return "-"
    return f"{c['correct']}/{c['total']} {100 * c['correct'] / c['total']:.0f}%"


def print_table(summary: dict[str, Any]) -> None:
    print(f"{'category':<12}{'en':>14}{'ko':>14}{'all':>14}")
    for cat, row in summary["table"].items():
        if row["all"]["total"]:
            print(f"{cat:<12}" + "".join(f"{_fmt(row[k]):>14}" for k in (*LANGS, "all")))
    print(f"{'overall':<12}" + "".join(f"{_fmt(summary['overall'][k]):>14}" for k in (*LANGS, "all")))
    print(f"Korean overall: {_fmt(summary['korean'])}")
    print(f"rows the knowledge base lacks (kb-missing): {_fmt(summary['kb_missing'])}; "
          f"other rows: {_fmt(summary['kb_present'])}")
    print(f"false No (answered no where yes is true): {summary['false_no']}")
    print(f"definitions correct only via a 'mentions' answer: {summary['via_mentions']}")


def print_failures(results: list[dict[str, Any]]) -> None:
    for r in results:
        if not r["correct"]:
            got = r["got"]
            extras = {k: got[k] for k in ("boolean", "count", "value") if got.get(k) is not None}
            print(f"{r['id']:<12} [{r['lang']}] {r['question']!r}  expect {r['expect']}"
                  f"{'  (kb-missing)' if r['kb_missing'] else ''}")
            print(f"{'':<12} got {got['kind']} {got.get('answers') or ''} {extras or ''} {got.get('text', '')!r}")


def speed(rows: list[Row], rounds: int = 3) -> dict[str, float]:
    """Warm timings (ms) of the questions the grammar cannot read: whole ``ask`` and the interpreter alone."""
    import statistics
    import time

    from kg import KnowledgeGraph
    from kg.answers.interpret import interpret_answer
    from queries.errors import QueryError

    graph = KnowledgeGraph.load()
    free = []
    for row in rows:
        try:
            graph.parse(row.question)
        except QueryError:
            free.append(row)
    for row in free:  # warm-up: the Korean analyser, lemmas, vocabulary
        graph.ask(row.question, lang=row.lang)
    asks, interprets, cpus = [], [], []  # wall and CPU time: a busy machine inflates only the first
    for _ in range(rounds):
        for row in free:
            start = time.perf_counter()
            graph.ask(row.question, lang=row.lang)
            asks.append((time.perf_counter() - start) * 1000)
            start, cpu = time.perf_counter(), time.thread_time()
            interpret_answer(graph.describer, graph.lexicon, graph.backend, row.question, row.lang)
            interprets.append((time.perf_counter() - start) * 1000)
            cpus.append((time.thread_time() - cpu) * 1000)
    return {"questions": len(free), "ask_p50_ms": round(statistics.median(asks), 3),
            "interpreter_p50_ms": round(statistics.median(interprets), 3),
            "interpreter_p90_ms": round(statistics.quantiles(interprets, n=10)[-1], 3),
            "interpreter_cpu_p50_ms": round(statistics.median(cpus), 3)}


def _shown(path: Path) -> str:
    """A path as the report header shows it: relative to the project when inside it.

    >>> _shown(ROOT / "tests" / "fixtures" / "dev_questions.tsv")
    'tests/fixtures/dev_questions.tsv'
    """
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="print each failing row and what came back")
    parser.add_argument("--json", action="store_true", help="print one JSON object (rows and summary)")
    parser.add_argument("--lang", choices=LANGS, help="only rows in this language")
    parser.add_argument("--category", choices=CATEGORIES, help="only rows of this category")
    parser.add_argument("--file", "--data", dest="data", type=Path, default=DATA, metavar="PATH",
                        help="the TSV file of questions (default: %(default)s)")
    parser.add_argument("--speed", action="store_true", help="time the questions the grammar cannot read (warm)")
    args = parser.parse_args(argv)
    rows = [r for r in load_rows(args.data)
            if (args.lang is None or r.lang == args.lang) and (args.category is None or r.category == args.category)]
    if args.speed:
        print(json.dumps(speed(rows)))
        return 0
    results = run(rows)
    summary = tally(results)
    if args.json:
        report = {"file": _shown(args.data), "summary": summary, "rows": results}
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    print(f"file: {_shown(args.data)} ({len(rows)} rows)")
    if args.failures:
        print_failures(results)
        print()
    print_table(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())

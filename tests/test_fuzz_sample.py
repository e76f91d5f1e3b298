"""A 2,000-input sample of the hardening fuzz harness (bench/fuzz.py; the full run is `make fuzz`)."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path

import pytest

FUZZ_PATH = Path(__file__).resolve().parents[1] / "bench" / "fuzz.py"


def _load_fuzz():
    """bench/fuzz.py as a module (registered by name: children pickle its dataclasses by reference)."""
    if "cloudkg_bench_fuzz" in sys.modules:
        return sys.modules["cloudkg_bench_fuzz"]
    spec = importlib.util.spec_from_file_location("cloudkg_bench_fuzz", FUZZ_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzz()


@pytest.fixture(scope="module")
def vocab(g):
    return fuzz.build_vocab(g)


def test_sample_of_2000_inputs_finds_nothing():
    report = fuzz.run_fuzz(2000, seed=20260, jobs=1, turtle=6, subprocesses=2, hard_timeout=120.0)
    assert sum(report.ran.values()) == 2000
    assert report.ran.get("question", 0) > 1000 and report.ran.get("cli", 0) > 200
    assert report.ran["turtle"] == 6 and report.ran["subprocess"] == 2
    real = [group for group in report.findings if group.error != "Slow"]  # timings go in reports, not asserts
    assert not real, "\n" + fuzz.format_report(report, traces=True)


def test_inputs_depend_on_the_seed_alone(vocab):
    paths = fuzz.make_cli_paths(fuzz.TMP)
    first = fuzz.plan(300, 7, vocab, paths, turtle=3, subprocesses=1)
    again = fuzz.plan(300, 7, vocab, paths, turtle=3, subprocesses=1)
    other = fuzz.plan(300, 8, vocab, paths, turtle=3, subprocesses=1)
    assert first == again and first != other
    assert {case.kind for case in first} == {"question", "cli", "sparql", "turtle", "subprocess"}
    questions = [case.payload for case in first if case.kind == "question"]
    assert "what is a" in questions and "" in questions  # the edge cases come first in every run


def test_turtle_generator_covers_hostile_shapes():
    import random

    rng, sources = random.Random(3), fuzz.turtle_sources()
    names = {fuzz.gen_turtle(rng, sources)[0].split(":")[-1].split("@")[0].rstrip("-0123456789") for _ in range(400)}
    assert {"cyclic-chain", "nested-bnodes", "nested-lists", "truncate", "bom", "transitive-blowup"} <= names


def test_a_crash_in_a_batch_is_bisected_to_its_input(monkeypatch):
    def run_batch(cases, memory_extra=None):
        if any(case.payload == "boom" for case in cases):
            os.kill(os.getpid(), signal.SIGSEGV)
        return {"outcomes": [fuzz.Outcome(case.index, 0.0) for case in cases], "rss_start": 0, "rss_end": 0,
                "rss_peak": 0}

    monkeypatch.setattr(fuzz, "run_batch", run_batch)
    cases = [fuzz.Case(i, "question", "boom" if i == 5 else f"q{i}") for i in range(8)]
    report = fuzz.Report(0, {"question": 8})
    fuzz.run_forked([fuzz.Job(cases, 60.0)], 1, float("inf"), fuzz._on_done(report, 60.0))
    assert report.ran == {"question": 8}
    [group] = report.findings
    assert (group.error, group.message, group.index) == ("Crash", "SIGSEGV", 5)


def test_a_hang_is_killed_and_reported(monkeypatch):
    def run_batch(cases, memory_extra=None):
        signal.pause()

    monkeypatch.setattr(fuzz, "run_batch", run_batch)
    report = fuzz.Report(0, {"turtle": 1})
    fuzz.run_forked([fuzz.Job([fuzz.Case(0, "turtle", ("x", b""))], 0.5)], 1, float("inf"),
                    fuzz._on_done(report, 0.5))
    assert [group.error for group in report.findings] == ["Hang"]


def test_cli_probe_reports_exceptions_tracebacks_and_odd_exit_codes(monkeypatch):
    from kg.faces import cli

    def raising(argv):
        raise TypeError("boom")

    monkeypatch.setattr(cli, "main", raising)
    assert [p.error for p in fuzz.probe_cli(["ask", "x"], "")] == ["TypeError"]
    monkeypatch.setattr(cli, "main", lambda argv: print("Traceback (most recent call last):", file=sys.stderr))
    assert [p.error for p in fuzz.probe_cli(["ask", "x"], "")] == ["Traceback"]
    monkeypatch.setattr(cli, "main", lambda argv: 3)
    assert [p.error for p in fuzz.probe_cli(["ask", "x"], "")] == ["ExitCode"]
    monkeypatch.setattr(cli, "main", lambda argv: 2)
    assert fuzz.probe_cli(["ask", "x"], "") == []


def test_question_probe_holds_the_api_contract():
    import random

    from queries.errors import QueryError

    class Fake:
        def ask(self, text, lang="en"):
            raise TypeError("inside lark")

        def define(self, text):
            return "not an Answer"

        def search(self, text, limit):
            raise ValueError("bad limit")  # allowed

        def sparql(self, text):
            raise QueryError("unknown word")  # allowed

    problems = fuzz.probe_question(Fake(), "what is a", random.Random(0))
    assert [(p.target.split("(")[0], p.error) for p in problems] == [("ask", "TypeError"),
                                                                    ("define", "ContractViolation")]


def test_loopback_listener_counts_connections():
    import socket

    listener = fuzz.Listener()
    listener.start()
    port = int(listener.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.recv(1)  # the listener closes at once
    assert listener.count == 1

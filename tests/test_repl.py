"""The REPL: pure completion, the prompt session on pipe input, a real terminal, piped stdin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time

import pytest

from kg.faces.repl.app import _piped, build_session, vocabulary_for
from kg.faces.repl.commands import REGISTRY, run_command
from kg.faces.repl.highlight import classify
from kg.faces.repl.state import ExitRepl, ReplState
from kg.faces.repl.suggest import suggest
from tests.conftest import FIXTURES


@pytest.fixture()
def state(g):
    return ReplState(g)


@pytest.fixture(scope="module")
def vocab(g):
    return vocabulary_for(g)


# ---------------------------------------------------------------- suggest(), plain asserts
def test_suggest_terms_in_both_languages(vocab):
    assert "Elastic Beanstalk" in [s.text for s in suggest("define Elastic Bean", vocab)]
    assert "스냅샷" in [s.text for s in suggest("스냅", vocab)]
    assert suggest("define Elastic Bean", vocab)[0].start_position == -len("Elastic Bean")


def test_suggest_relation_phrases_classes_starters_and_commands(vocab):
    assert "built on" in [s.text for s in suggest("what is ECS bui", vocab)]
    assert "compute services" in [s.text for s in suggest("list compute ser", vocab)]
    assert [s.kind for s in suggest("wh", vocab)][:1] == ["starter"]
    assert [s.text for s in suggest(".ex", vocab)] == [".explain", ".export"]
    assert "Amazon Machine Image" in [s.text for s in suggest(".define Amazon Mach", vocab)]


def test_suggest_is_fuzzy_and_quiet_after_a_space(vocab):
    assert "AWS Elastic Beanstalk" in [s.meta for s in suggest("define Beanstlk", vocab)]
    assert suggest("what stores ", vocab) == []


def test_highlighting_marks_terms_relations_and_the_error(state):
    spans = classify(state, "what stores EBS backups")
    styles = {"what stores EBS backups"[a:b]: style for a, b, style in spans}
    assert styles["stores"] == "class:relation" and styles["EBS"] == "class:term" and styles["what"] == "class:keyword"
    bad = classify(state, "what is EC3")
    assert ("class:error" in {s for _, _, s in bad}) and any(a == 8 for a, _, s in bad if s == "class:error")


# ---------------------------------------------------------------- commands
def test_help_is_generated_from_the_registry(state):
    text = run_command(state, ".help")
    assert all(name in text for name in REGISTRY) and "what stores EBS backups" in text


def test_toggles_language_and_unknown_command(state):
    assert run_command(state, ".explain on") == "explain: on" and state.explain
    assert run_command(state, ".sparql") == "sparql: on"
    assert run_command(state, ".lang ko") == "language: ko" and state.lang == "ko"
    assert "did you mean .lang" in run_command(state, ".lnag ko")
    with pytest.raises(ExitRepl):
        run_command(state, ".quit")


def test_load_validates_and_never_half_loads(state, tmp_path):
    before = state.g
    assert run_command(state, f".load {FIXTURES / 'broken_shapes.ttl'}").startswith("not loaded")
    assert state.g is before
    assert run_command(state, f".load {FIXTURES / 'extra_relation.ttl'}").startswith("loaded")
    assert "TestBucket" in state.g.knowledge.concepts
    out = tmp_path / "kb.ttl"
    assert run_command(state, f".export {out}") == f"wrote {out}" and out.stat().st_size > 10000


def test_load_after_kb_keeps_to_that_knowledge():
    from kg.graph import KnowledgeGraph

    state = ReplState(KnowledgeGraph.load(kb=[FIXTURES / "vocab" / "fruit.ttl"]))
    assert "EC2" not in state.g.knowledge.concepts
    assert run_command(state, f".load {FIXTURES / 'vocab' / 'toppings.ttl'}").startswith("loaded")
    assert "EC2" not in state.g.knowledge.concepts  # the bundled knowledge stays out, as with --kb
    assert len(state.g.files) == 2


# ---------------------------------------------------------------- the prompt session on pipe input
def test_session_completes_with_tab_and_cancels_with_ctrl_c(state):
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe:
        session = build_session(state, input=pipe, output=DummyOutput(), history=InMemoryHistory())
        pipe.send_text("define Elastic Bean\t\r")
        assert session.prompt() == "define Elastic Beanstalk"
        pipe.send_text("half a question\x03")
        with pytest.raises(KeyboardInterrupt):
            session.prompt()
        pipe.send_text("\x04")
        with pytest.raises(EOFError):
            session.prompt()
        assert "define Elastic Beanstalk" in list(session.history.get_strings())


# ---------------------------------------------------------------- piped mode
def test_piped_mode_prints_answers_without_prompt(state):
    out = io.StringIO()
    status = _piped(state, ["what stores EBS backups", "", "what is EC3", ".lang ko", "S3란?"], out, json_lines=False)
    text = out.getvalue()
    assert "Amazon S3" in text and "kg>" not in text and "\x1b[" not in text
    assert "did you mean: Amazon EC2" in text and "저장 용량" in text
    assert status == 2


def test_piped_stdin_through_the_real_command():
    result = subprocess.run([sys.executable, "-m", "kg.faces.cli", "repl", "--json"],
                            input="what is ECS built on\nS3란?\n",
                            capture_output=True, text=True, timeout=120, env=os.environ.copy())
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["answers"][0]["id"] for a in lines] == ["EC2", "S3"]


# ---------------------------------------------------------------- a real terminal
def test_repl_in_a_pseudo_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "TERM": "xterm", "XDG_DATA_HOME": str(tmp_path), "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "kg.faces.cli", "repl"], encoding="utf-8", timeout=60,
                          dimensions=(40, 120), env=env)
    try:
        child.expect("kg>")
        child.sendline("what stores EBS backups")
        child.expect("Amazon S3")
        child.expect("kg>")
        child.send("define Elastic Bean")
        time.sleep(0.3)
        child.send("\t")
        time.sleep(0.5)
        child.send("\r")
        child.expect("platform service for web applications")
        child.expect("kg>")
        child.sendline("what is EC3")
        child.expect("did you mean")
        child.expect("kg>")
        child.sendline(".explain on")
        child.expect("explain: on")
        child.sendline("what does ECS depend on")
        child.expect("evidence")
        child.expect("kg>")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert (tmp_path / "cloudkg" / "history").read_text(encoding="utf-8").count("what stores EBS backups") == 1

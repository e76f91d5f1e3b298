"""Latency of cloudkg's ask beside rdflib's and pyoxigraph's SPARQL, and cold CLI start times.

Run: make bench   (prints one table; every figure is measured in this run)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_seconds(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def drain(result) -> object:
    """Consume a pyoxigraph result: solutions are iterated, a boolean read."""
    return bool(result) if not hasattr(result, "__iter__") else list(result)


def wall(cmd: list[str], env: dict[str, str], runs: int = 7) -> float:
    """Median wall time of ``cmd`` (a shared machine is noisy: compare figures of one run only)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_prompt_time(env: dict[str, str], runs: int = 5) -> float:
    """Wall time from starting `kg repl` in a pseudo-terminal to its first prompt."""
    import pexpect

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        child = pexpect.spawn(sys.executable, ["-m", "kg.faces.cli", "repl"], encoding="utf-8", timeout=30,
                              env={**env, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
        child.expect("kg>")
        times.append(time.perf_counter() - start)
        child.sendcontrol("d")
        child.close(force=True)
    return statistics.median(times)


def main() -> None:
    import pyoxigraph

    from kg import KnowledgeGraph
    from tests.conftest import golden_rows

    g = KnowledgeGraph.load()
    rows = [r for r in golden_rows() if r[1].split(" ", 1)[0] in ("SELECT", "COUNT", "ASK")]
    rdf = g.rdf()
    store = pyoxigraph.Store()
    store.load(g.export("nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)

    ours, theirs_rdflib, theirs_oxi = [], [], []
    for question, _core, _expected in rows:
        sparql = g.sparql(question)
        ours.append(median_seconds(lambda q=question: g.ask(q).evidence, 50))
        theirs_rdflib.append(median_seconds(lambda s=sparql: list(rdf.query(s)), 5))
        theirs_oxi.append(median_seconds(lambda s=sparql: drain(store.query(s)), 50))
    m_ours, m_rdflib, m_oxi = (statistics.median(x) * 1e6 for x in (ours, theirs_rdflib, theirs_oxi))
    print(f"questions: {len(rows)} (golden SELECT/COUNT/ASK rows), median of per-question medians")
    print(f"{'engine':48} {'µs/question':>12} {'vs ask':>8}")
    print(f"{'KnowledgeGraph.ask (text -> answer + evidence)':48} {m_ours:12.1f} {1:8.2f}")
    print(f"{'rdflib: generated SPARQL text -> rows':48} {m_rdflib:12.1f} {m_rdflib / m_ours:8.2f}")
    print(f"{'pyoxigraph: generated SPARQL text -> rows':48} {m_oxi:12.1f} {m_oxi / m_ours:8.2f}")
    print(f"targets: rdflib/ask >= 50 ({m_rdflib / m_ours:.1f}), ask/pyoxigraph <= 1.5 ({m_ours / m_oxi:.2f}), "
          f"ask p50 <= 1000 µs ({m_ours:.0f}); slowest question {max(ours) * 1e6:.0f} µs")

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a cold start is only fast with .pyc files
    kg_bin = [sys.executable, "-m", "kg.faces.cli"]
    baseline = wall([sys.executable, "-c", "import networkx, lark"], env)
    baseline_nx = wall([sys.executable, "-c", "import networkx"], env)
    warm = wall([*kg_bin, "ask", "what stores EBS backups"], env)
    warm_ko = wall([*kg_bin, "ask", "EC2란?"], env)
    define_warm = wall([*kg_bin, "define", "EC2"], env)
    with tempfile.TemporaryDirectory() as empty:
        cold_env = {**env, "CLOUDKG_CACHE_DIR": empty}
        define_cold = wall([*kg_bin, "define", "EC2", "--no-cache"], cold_env, runs=3)
    prompt = median_prompt_time(env)
    print()
    table = [
        ("python -c 'import networkx'", baseline_nx, baseline_nx),
        ("python -c 'import networkx, lark'", baseline, baseline),
        ("kg ask 'what stores EBS backups' (warm cache)", warm, baseline),
        ("kg ask 'EC2란?' (warm cache)", warm_ko, baseline),
        ("kg define EC2 (warm cache)", define_warm, baseline_nx),
        ("kg define EC2 (no cache: Turtle + inference)", define_cold, baseline_nx),
        ("kg repl: start to first prompt (pty, warm cache)", prompt, baseline),
    ]
    print(f"{'command (wall time, median)':48} {'ms':>8} {'ratio':>8}")
    for name, seconds, reference in table:
        print(f"{name:48} {seconds * 1e3:8.0f} {seconds / reference:8.2f}")
    print(f"targets: English ask <= 1.3x ({warm / baseline:.2f}), Korean ask <= 1.5x ({warm_ko / baseline:.2f}) "
          "of python -c 'import networkx, lark'")

if __name__ == "__main__":
    main()

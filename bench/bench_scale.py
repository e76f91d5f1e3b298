"""kg, pyoxigraph and rdflib side by side on a generated AWS inventory of 1e4 and 1e5 triples (1e6 with --big).

Run: make bench-scale   (or: python bench/bench_scale.py [--big] [--sizes 1e4,3e4] [--timeout 300] [--no-rdflib])

For each size it generates the inventory (bench/gen_inventory.py), then measures, each step in
its own process so peak RSS is that step's own (os.wait4) and a step past ``--timeout`` prints
"timeout" instead of hanging:
- pyoxigraph and rdflib: loading the bundled knowledge (`kg export --format nt`) plus the
  inventory, and running the SPARQL that ``KnowledgeGraph.sparql`` generates for a one-hop,
  two-hop, transitive, list and count question (median of warm runs);
- kg: ``kg stats --data FILE`` wall time, first (builds the cache) and second (cached);
- kg warm in-process ``ask`` latency for the same questions (median of warm runs);
- a whole warm ``kg ask --data FILE QUESTION`` process beside a pyoxigraph process that loads the same
  N-Triples and runs the same SPARQL, alternating, median of three, with each one's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KG = ROOT / ".venv" / "bin" / "kg"

QUESTIONS = {
    "one-hop": "what stores EBS snapshots",
    "two-hop": "what stores EBS backups",
    "transitive": "where is a subnet located",
    "list": "what is provided by EC2",
    "count": "how many resources does EBS provide",
}


# ---------------------------------------------------------------- steps (each runs in a child process)
def _timed_queries(run, queries: dict[str, str], repeat: int, budget: float) -> dict[str, Any]:
    """Median seconds and result size per query; fewer repeats once a query is slow."""
    out = {}
    for name, text in queries.items():
        start = time.perf_counter()
        size = run(text)
        first = time.perf_counter() - start
        times = [first]
        for _ in range(repeat if first < budget else 0):
            start = time.perf_counter()
            run(text)
            times.append(time.perf_counter() - start)
        out[name] = {"seconds": statistics.median(times[1:] or times), "rows": size}
    return out


def step_oxigraph(data: str, bundled: str, queries: dict[str, str]) -> dict[str, Any]:
    import pyoxigraph

    start = time.perf_counter()
    store = pyoxigraph.Store()
    store.bulk_load(path=bundled, format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.bulk_load(path=data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    load = time.perf_counter() - start

    def run(text: str) -> int:
        result = store.query(text)
        if isinstance(result, pyoxigraph.QueryBoolean):
            return int(bool(result))
        rows = list(result)
        return int(rows[0][0].value) if "(COUNT(" in text and rows else len(rows)

    return {"load": load, "queries": _timed_queries(run, queries, 20, 1.0)}


def step_rdflib(data: str, bundled: str, queries: dict[str, str]) -> dict[str, Any]:
    import rdflib

    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(bundled, format="nt")
    graph.parse(data, format="nt")
    load = time.perf_counter() - start

    def run(text: str) -> int:
        result = graph.query(text)
        if result.type == "ASK":
            return int(result.askAnswer)
        rows = list(result)
        return int(rows[0][0]) if "(COUNT(" in text and rows else len(rows)

    return {"load": load, "queries": _timed_queries(run, queries, 3, 2.0)}


def step_kg_ask(data: str, bundled: str, queries: dict[str, str]) -> dict[str, Any]:
    """Warm in-process ask latency over bundled + data (the questions, not the SPARQL)."""
    from kg import KnowledgeGraph

    start = time.perf_counter()
    g = KnowledgeGraph.load([data])
    load = time.perf_counter() - start

    def run(question: str) -> int:
        answer = g.ask(question)
        return answer.count if answer.count is not None else len(answer.answers)

    return {"load": load, "queries": _timed_queries(run, {k: QUESTIONS[k] for k in queries}, 20, 1.0)}


def step_oxigraph_once(data: str, bundled: str, queries: dict[str, str]) -> dict[str, Any]:
    """What a one-shot process does with pyoxigraph: load both files, run one query (the one-hop one)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=bundled, format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.bulk_load(path=data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return {"rows": len(list(store.query(queries[ONE_SHOT])))}


STEPS = {"oxigraph": step_oxigraph, "rdflib": step_rdflib, "kg-ask": step_kg_ask, "oxigraph-once": step_oxigraph_once}
ONE_SHOT = "one-hop"
REPEATS = 3


def _child_main(step: str, data: str, bundled: str, queries_file: str) -> None:
    queries = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    print(json.dumps(STEPS[step](data, bundled, queries)))


# ---------------------------------------------------------------- the parent
def run_bounded(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, peak RSS (MB, from its own rusage), stdout; or {"timeout": True}."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                process.returncode = -9
                return {"timeout": True}
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        return {"error": (stderr.strip().splitlines() or [f"exit {process.returncode}"])[-1][:200]}
    return {"wall": wall, "rss_mb": usage.ru_maxrss / 1024, "stdout": stdout}


def run_step(step: str, data: Path, bundled: Path, queries: Path, timeout: float,
             cache: Path | None = None) -> dict[str, Any]:
    env = {**os.environ, "CLOUDKG_CACHE_DIR": str(cache)} if cache else None
    cmd = [sys.executable, __file__, "--child", step, str(data), str(bundled), str(queries)]
    result = run_bounded(cmd, timeout, env)
    if "stdout" in result:
        result.update(json.loads(result.pop("stdout")))
    return result


def kg_stats(data: Path, cache: Path, timeout: float) -> dict[str, Any]:
    env = {**os.environ, "CLOUDKG_CACHE_DIR": str(cache)}
    result = run_bounded([str(KG), "stats", "--data", str(data)], timeout, env)
    result.pop("stdout", None)
    return result


def kg_ask_once(data: Path, cache: Path, timeout: float) -> dict[str, Any]:
    """A whole ``kg ask --data FILE QUESTION`` process on a warm cache."""
    env = {**os.environ, "CLOUDKG_CACHE_DIR": str(cache)}
    result = run_bounded([str(KG), "ask", "--data", str(data), QUESTIONS[ONE_SHOT]], timeout, env)
    result.pop("stdout", None)
    return result


def _median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Runs of one step: the median wall time and the largest peak RSS (or the first failure)."""
    failed = next((r for r in results if "wall" not in r), None)
    if failed is not None or not results:
        return failed or {"skipped": True}
    return {"wall": statistics.median(r["wall"] for r in results), "rss_mb": max(r["rss_mb"] for r in results),
            "walls": [round(r["wall"], 3) for r in results]}


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def _cell(result: dict[str, Any], key: str = "wall") -> str:
    if result.get("timeout"):
        return "timeout"
    if result.get("skipped"):
        return "skipped"
    if "error" in result:
        return "error"
    return _fmt_seconds(result.get(key))


def measure(size: int, folder: Path, bundled: Path, queries: Path, timeout: float,
            steps: tuple[str, ...] = ("oxigraph", "rdflib")) -> dict[str, Any]:
    from bench.gen_inventory import write_inventory

    data = folder / f"inventory-{size}.ttl"  # N-Triples text, which is also Turtle (kg reads .ttl)
    start = time.perf_counter()
    with open(data, "w", encoding="utf-8", buffering=1 << 20) as out:
        triples = write_inventory(out, size)
    row: dict[str, Any] = {"size": size, "triples": triples, "generate": time.perf_counter() - start}
    for step in ("oxigraph", "rdflib"):
        row[step] = run_step(step, data, bundled, queries, timeout) if step in steps else {"skipped": True}
        _progress(f"{size:.0e} {step}: {_cell(row[step], 'load')}")
    cache = folder / f"cache-{size}"
    row["kg-first"] = kg_stats(data, cache, timeout)
    _progress(f"{size:.0e} kg stats first: {_cell(row['kg-first'])}")
    row["kg-second"] = kg_stats(data, cache, timeout) if "wall" in row["kg-first"] else {"skipped": True}
    _progress(f"{size:.0e} kg stats second: {_cell(row['kg-second'])}")
    row["kg-ask"] = run_step("kg-ask", data, bundled, queries, timeout, cache)
    _progress(f"{size:.0e} kg ask: {_cell(row['kg-ask'], 'load')}")
    # Side by side, alternating: a warm `kg ask --data` process and a pyoxigraph process (load + the same query).
    row["kg-ask-once"], row["oxigraph-once"] = {}, {}
    if "wall" in row["kg-second"]:
        kg_runs, ox_runs = [], []
        for _ in range(REPEATS):
            kg_runs.append(kg_ask_once(data, cache, timeout))
            ox_runs.append(run_step("oxigraph-once", data, bundled, queries, timeout))
        row["kg-ask-once"], row["oxigraph-once"] = _median_of(kg_runs), _median_of(ox_runs)
    _progress(f"{size:.0e} warm kg ask --data: {_cell(row['kg-ask-once'])}, "
              f"pyoxigraph load + query: {_cell(row['oxigraph-once'])}")
    return row


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def print_tables(rows: list[dict[str, Any]]) -> None:
    print("\n| triples | generate | pyoxigraph load | rdflib load | kg stats first | kg stats second | "
          "peak RSS oxigraph / rdflib / kg first / kg second |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        rss = " / ".join(f"{r[k]['rss_mb']:.0f} MB" if "rss_mb" in r[k] else _cell(r[k])
                         for k in ("oxigraph", "rdflib", "kg-first", "kg-second"))
        print(f"| {r['triples']:,} | {_fmt_seconds(r['generate'])} | {_cell(r['oxigraph'], 'load')} | "
              f"{_cell(r['rdflib'], 'load')} | {_cell(r['kg-first'])} | {_cell(r['kg-second'])} | {rss} |")
    print("\n| triples | question | pyoxigraph SPARQL | rdflib SPARQL | kg warm ask | "
          "rows or count (oxigraph / rdflib / kg) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        for name, question in QUESTIONS.items():
            cells, sizes = [], []
            for step in ("oxigraph", "rdflib", "kg-ask"):
                query = r[step].get("queries", {}).get(name)
                cells.append(_fmt_seconds(query["seconds"]) if query else _cell(r[step]))
                sizes.append(str(query["rows"]) if query else "-")
            print(f"| {r['triples']:,} | {name}: {question} | {' | '.join(cells)} | {' / '.join(sizes)} |")
    print(f"\n| triples | warm `kg ask --data` process ({ONE_SHOT}) | pyoxigraph process: load + query | ratio | "
          "peak RSS kg / pyoxigraph |")
    print("|---|---|---|---|---|")
    for r in rows:
        kg, ox = r.get("kg-ask-once", {}), r.get("oxigraph-once", {})
        ratio = f"{kg['wall'] / ox['wall']:.2f}×" if "wall" in kg and "wall" in ox else "-"
        rss = " / ".join(f"{x['rss_mb']:.0f} MB" if "rss_mb" in x else _cell(x) for x in (kg, ox))
        print(f"| {r['triples']:,} | {_cell(kg)} | {_cell(ox)} | {ratio} | {rss} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help="also 1e6 triples")
    parser.add_argument("--sizes", help="comma-separated sizes instead (e.g. 1e4,3e4)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per step (default 300)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib (slow and large at 1e6)")
    args = parser.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")] if args.sizes else [10_000, 100_000]
    if args.big and not args.sizes:
        sizes.append(1_000_000)
    from kg import KnowledgeGraph

    g = KnowledgeGraph.load()
    with tempfile.TemporaryDirectory(prefix="cloudkg-bench-scale-") as tmp:
        folder = Path(tmp)
        bundled = folder / "bundled.nt"
        bundled.write_text(g.export("nt"), encoding="utf-8")
        queries = folder / "queries.json"
        queries.write_text(json.dumps({k: g.sparql(q) for k, q in QUESTIONS.items()}), encoding="utf-8")
        steps = ("oxigraph",) if args.no_rdflib else ("oxigraph", "rdflib")
        rows = [measure(size, folder, bundled, queries, args.timeout, steps) for size in sizes]
    print_tables(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        _child_main(*sys.argv[2:])
    else:
        sys.exit(main())

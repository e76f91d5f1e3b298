"""Connect + first ask through a SPARQL store holding the bundled knowledge and a generated inventory.

Starts a private Virtuoso on loopback (``tests/virtuoso.py``), pushes ``kg export --format nt``
and ``bench/gen_inventory.py --triples N`` (1e6 triples: about 82,000 concepts) with ``kg push``'s
:func:`~kg.engine.remote.push_lines`, then times, in the same run and alternating, ``--repeat`` times:

- lazy: the schema and the bundled concepts read at connect, the rest looked up as questions name them;
- eager (with ``--eager``): every concept's names and definitions read at connect, as before
  (``FetchLimits(eager=huge)``; at 1e6 triples this takes minutes, or fails on a page time-out).

Each row: connect seconds, first ask seconds, and the answer text.
``python bench/bench_endpoint.py --triples 1000000 --repeat 3`` (``--url URL`` uses a store already
holding the graph instead of starting one).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

GRAPH = "https://w3id.org/cloudkg/graph/bench"
QUESTIONS = ("what stores EBS backups", "what is i-00000001 an instance of", "describe vol-00000007")


def _fill(endpoint, triples: int) -> int:
    """Push the bundled knowledge and a generated inventory into GRAPH; the lines pushed."""
    from gen_inventory import write_inventory

    from kg import KnowledgeGraph
    from kg.engine.remote import push_lines

    out = io.StringIO()
    write_inventory(out, triples, seed=1)
    lines = KnowledgeGraph.load().export("nt").splitlines() + out.getvalue().splitlines()
    return push_lines(endpoint, lines, GRAPH, replace=True, chunk=100_000)


def _time(url: str, eager: bool, question: str) -> tuple[float, float, str]:
    from kg import KnowledgeGraph
    from kg.engine.remote import FetchLimits, connect_endpoint

    limits = FetchLimits(eager=10**9) if eager else FetchLimits()
    start = time.perf_counter()
    core, backend, key = connect_endpoint(url, GRAPH, limits)
    g = KnowledgeGraph(core, ()).using(backend)  # as KnowledgeGraph.connect makes it, with these limits
    connected = time.perf_counter()
    text = g.ask(question).text
    return connected - start, time.perf_counter() - connected, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--question", default=QUESTIONS[0])
    parser.add_argument("--eager", action="store_true", help="also time reading every concept at connect")
    parser.add_argument("--url", help="a store already holding the graph (nothing is started or pushed)")
    args = parser.parse_args()
    if args.url:
        _compare(args.url, args)
        return
    from kg.engine.endpoint import Endpoint
    from tests.virtuoso import _binaries, start_virtuoso

    found = _binaries()
    if isinstance(found, str):
        sys.exit(found)
    server = start_virtuoso(*found)
    try:
        endpoint = Endpoint(server.endpoint, timeout=600)
        started = time.perf_counter()
        sent = _fill(endpoint, args.triples)
        print(f"pushed {sent:,} triples in {time.perf_counter() - started:.1f} s")
        _compare(server.endpoint, args)
    finally:
        server.stop()


def _compare(url: str, args: argparse.Namespace) -> None:
    """Time each mode ``args.repeat`` times, alternating; print each run and the medians."""
    rows: dict[str, list[tuple[float, float]]] = {"lazy": [], **({"eager": []} if args.eager else {})}
    for _ in range(args.repeat):
        for mode in rows:
            try:
                connect, ask, text = _time(url, mode == "eager", args.question)
            except Exception as error:  # noqa: BLE001 (a bench reports and goes on)
                print(f"{mode:5}  failed: {error}", flush=True)
                continue
            rows[mode].append((connect, ask))
            print(f"{mode:5}  connect {connect:7.2f} s  first ask {ask:6.2f} s  {text[:60]!r}", flush=True)
    for mode, times in rows.items():
        if times:
            print(f"median {mode:5}: connect {statistics.median(t[0] for t in times):.2f} s, "
                  f"first ask {statistics.median(t[1] for t in times):.2f} s")


if __name__ == "__main__":
    main()

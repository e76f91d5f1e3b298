"""Figures for bounded work on a real `kg serve` (loopback only; bounded in count and time).

Prints: CPU used by the server in the 5 s after a time-out answer, the server's peak RSS around
a query capped at 1000 rows, /healthz latency while 16 heavy queries run, and the 503 share.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """CPU of a process and of its children, living and reaped."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = sum(int(x) for x in fields[11:15]) / TICKS
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError):
                own += _cpu_seconds(int(child))
    return own


def _status(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start() -> tuple[str, subprocess.Popen]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.faces.cli", "serve", "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url, process
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> None:
    url, process = _start()
    try:
        started = time.monotonic()
        reply = httpx.get(f"{url}/sparql", params={"query": HEAVY}, timeout=60)
        answered = time.monotonic() - started
        before = _cpu_seconds(process.pid)
        time.sleep(5)
        after = _cpu_seconds(process.pid)
        print(f"time-out answer: HTTP {reply.status_code} after {answered:.2f} s; "
              f"server CPU in the next 5 s: {after - before:.2f} s")

        rss = _status(process.pid, "VmRSS")
        capped = httpx.get(f"{url}/sparql", params={"query": "SELECT * { ?a ?b ?c . ?d ?e ?f }"}, timeout=60)
        print(f"row cap: HTTP {capped.status_code}; server RSS {rss:.0f} MB before, "
              f"peak {_status(process.pid, 'VmHWM'):.0f} MB")

        with ThreadPoolExecutor(17) as pool:
            heavy = [pool.submit(httpx.get, f"{url}/sparql", params={"query": HEAVY}, timeout=60) for _ in range(16)]
            latencies = []
            probe = httpx.Client(timeout=5)  # one client: httpx.get alone costs ~90 ms to set up
            for _ in range(20):
                t = time.perf_counter()
                probe.get(f"{url}/healthz")
                latencies.append((time.perf_counter() - t) * 1000)
                time.sleep(0.2)
            codes = [f.result().status_code for f in heavy]
        print(f"/healthz during 16 heavy queries: p50 {statistics.median(latencies):.1f} ms, "
              f"max {max(latencies):.1f} ms; heavy answers: {sorted(set(codes))} "
              f"({codes.count(503)} of 16 got 503 Retry-After)")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()

"""POST /ask throughput and latency on loopback under a concurrent client, beside in-process ask.

Run: make bench-http. Starts `kg serve` on a free loopback port, loads it for a bounded time,
stops the server. The load comes from wrk when it is installed (Debian package `wrk`), which
costs the shared 2 cores little; otherwise from an httpx client, which itself tops out near
400 requests/s here (it is then the bottleneck, as the /healthz row shows).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = ["what stores EBS backups", "which engines does RDS support", "is Lambda a compute service",
             "what does Elastic Beanstalk depend on", "S3란?", "how is Auto Scaling related to EC2"]
REQUESTS = 4000
CONCURRENCY = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def load(url: str) -> tuple[list[float], int, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    counter = iter(range(REQUESTS))
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        async def worker() -> None:
            nonlocal errors
            for i in counter:
                start = time.perf_counter()
                response = await client.post(url, json={"question": QUESTIONS[i % len(QUESTIONS)]})
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 200
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return latencies, errors, time.perf_counter() - start


WRK_SCRIPT = """
local questions = {%s}
local i = 0
request = function()
  i = i + 1
  local body = '{"question": "' .. questions[(i %% #questions) + 1] .. '"}'
  return wrk.format("POST", "/ask", {["Content-Type"] = "application/json"}, body)
end
response = function(status) if status ~= 200 then error("status " .. status) end end
"""


def wrk_load(port: int, path: str, connections: int = CONCURRENCY, seconds: int = 8) -> tuple[float, float, float, int]:
    """requests/s, p50 ms, p99 ms, errors, measured by wrk."""
    import re
    import shutil
    import tempfile

    script = WRK_SCRIPT % ", ".join(f'"{q}"' for q in QUESTIONS)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script if path == "/ask" else "")
    out = subprocess.run([shutil.which("wrk"), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", handle.name, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    os.unlink(handle.name)

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return rps, ms("50"), ms("99"), int(errors.group(1)) if errors else (1 if socket_errors else 0)


def main() -> None:
    import httpx

    from kg import KnowledgeGraph

    g = KnowledgeGraph.load()
    in_process = []
    for _ in range(200):
        for question in QUESTIONS:
            start = time.perf_counter()
            g.ask(question).to_dict()
            in_process.append(time.perf_counter() - start)

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg.faces.cli", "serve", "--port", str(port)],
                              env=dict(os.environ),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        import shutil

        if shutil.which("wrk"):
            client = "wrk, 1 thread"
            rows = [(f"POST /ask, {c} connections", *wrk_load(port, "/ask", c)) for c in (8, CONCURRENCY)]
            rows.append((f"GET /healthz, {CONCURRENCY} connections", *wrk_load(port, "/healthz")))
        else:
            client = "httpx AsyncClient"
            latencies, errors, elapsed = asyncio.run(load(f"http://127.0.0.1:{port}/ask"))
            latencies.sort()
            p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e3  # noqa: E731
            rows = [("HTTP POST /ask (loopback)", len(latencies) / elapsed, p(0.5), p(0.99), errors)]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"load from {client}; one uvicorn worker; client and server on the same 2 cores")
    print(f"{'':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, rps, p50, p99, errors in rows:
        print(f"{name:34} {rps:8.0f} {p50:8.2f} {p99:8.2f} {errors:7d}")
    ip = sorted(in_process)
    print(f"{'in-process ask().to_dict()':34} {1 / statistics.mean(ip):8.0f} {statistics.median(ip) * 1e3:8.2f} "
          f"{ip[int(0.99 * len(ip))] * 1e3:8.2f} {0:7d}")


if __name__ == "__main__":
    main()

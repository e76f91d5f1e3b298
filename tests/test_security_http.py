"""Findings 3–7, 10 and 11 against a real `kg serve` on a free loopback port.

Every loop here is bounded in count and time; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture()
def fresh_server() -> Iterator[tuple[str, subprocess.Popen]]:
    """A server started for one test: its first requests are the test's."""
    port = free_port()
    process = start_server(port, CLOUDKG_HEADER_SECONDS="1", CLOUDKG_MAX_CONNECTIONS="200")
    yield f"http://127.0.0.1:{port}", process
    stop_server(process)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = start_server(port, CLOUDKG_HEADER_SECONDS="1")
    yield f"http://127.0.0.1:{port}", process
    stop_server(process)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_concurrent_first_queries_on_a_fresh_server(fresh_server):
    """Finding 4: pyparsing learned parse-action arities racily; now every query parses in a child."""
    url, _ = fresh_server
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                                     timeout=30), range(6)))
    assert [r.status_code for r in replies] == [200] * 6
    later = httpx.get(f"{url}/sparql", params={"query": "SELECT ?x { ?x ckg:storedIn ck:S3 } LIMIT 2"}, timeout=30)
    assert later.status_code == 200 and later.json()["results"]["bindings"]


def test_service_is_refused_and_nothing_is_fetched(server):
    url, _ = server
    hits: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]

    def accept() -> None:
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                connection, _ = listener.accept()
                hits.append(connection.recv(100))
                connection.close()
            except TimeoutError:
                continue

    watcher = threading.Thread(target=accept)
    watcher.start()
    queries = [f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
               f"SELECT * FROM <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }}",
               f"SELECT * FROM NAMED <http://127.0.0.1:{port}/y> {{ GRAPH ?g {{ ?s ?p ?o }} }}"]
    replies = [httpx.get(f"{url}/sparql", params={"query": q}, timeout=30) for q in queries]
    watcher.join()
    listener.close()
    assert [r.status_code for r in replies] == [400, 400, 400]
    assert "SERVICE is refused" in replies[0].json()["error"]["message"]
    assert "FROM" in replies[1].json()["error"]["message"]
    assert hits == []


def test_cli_sparql_refuses_service():
    done = subprocess.run([sys.executable, "-m", "kg.faces.cli", "sparql", "--run",
                           "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "SERVICE is refused" in done.stderr and "Traceback" not in done.stderr


def test_host_header_is_checked(server):
    url, _ = server
    assert httpx.get(f"{url}/healthz", headers={"host": "evil.example"}, timeout=10).status_code == 400
    assert httpx.get(f"{url}/healthz", headers={"host": "localhost:1234"}, timeout=10).status_code == 200
    assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200


def test_timeout_stops_the_work_and_health_stays_up(server):
    url, process = server
    heavy = [CROSS_JOIN, 'ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER (?a = <urn:none>) }']
    with ThreadPoolExecutor(len(heavy) + 1) as pool:  # two at once: the SPARQL slots of one server
        futures = [pool.submit(httpx.get, f"{url}/sparql", params={"query": q}, timeout=30) for q in heavy]
        time.sleep(1)
        health = httpx.get(f"{url}/healthz", timeout=2)
        replies = [f.result() for f in futures]
    assert health.status_code == 200
    assert [r.status_code for r in replies] == [408, 408]
    regex = ('SELECT ?l { ?s rdfs:label ?x BIND (CONCAT(?x, ?x, ?x, ?x, ?x, ?x, ?x, ?x, "!") AS ?l) '
             'FILTER regex(?l, "^(a|aa)+$|(.*a){12}b") }')
    assert httpx.get(f"{url}/sparql", params={"query": regex}, timeout=30).status_code in (200, 408)
    end = time.monotonic() + 5
    while _children(process.pid) and time.monotonic() < end:
        time.sleep(0.1)
    assert _children(process.pid) == [], "a query kept running after its time-out answer"


def test_row_cap_streams(server):
    url, process = server
    before = _rss_mb(process.pid)
    reply = httpx.get(f"{url}/sparql", params={"query": "SELECT * { ?a ?b ?c . ?d ?e ?f }"}, timeout=30)
    assert reply.status_code == 413 and "more than 1000 results" in reply.json()["error"]["message"]
    assert _rss_mb(process.pid) - before < 100


def test_heavy_load_gets_503_with_retry_after_and_health_stays_fast(server):
    url, _ = server
    with ThreadPoolExecutor(17) as pool:
        futures = [pool.submit(httpx.get, f"{url}/sparql", params={"query": CROSS_JOIN}, timeout=60)
                   for _ in range(16)]
        time.sleep(1)
        health = httpx.get(f"{url}/healthz", timeout=2)
        statuses = [f.result() for f in futures]
    assert health.status_code == 200
    codes = {r.status_code for r in statuses}
    assert codes <= {408, 503}, codes
    assert all(r.headers.get("retry-after") for r in statuses if r.status_code == 503)


def test_chunked_body_is_limited(server):
    url, process = server
    before = _rss_mb(process.pid)

    def chunks() -> Iterator[bytes]:
        for _ in range(100):  # up to 100 MB, stopped as soon as the server answers
            yield b"x" * (1 << 20)

    for route in ("/ask", "/sparql"):
        try:
            reply = httpx.post(f"{url}{route}", content=chunks(), timeout=30,
                               headers={"content-type": "application/sparql-query"})
            assert reply.status_code == 413
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            pass  # the server answered 413 and closed while the client was still sending
    assert _rss_mb(process.pid) - before < 50
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200


def test_slow_headers_are_closed_and_health_stays_up(server):
    url, _ = server
    port = int(url.rsplit(":", 1)[1])
    slow = []
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        slow.append(sock)
    assert httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    time.sleep(2.5)
    closed = 0
    for sock in slow:
        try:
            sock.settimeout(2)
            closed += sock.recv(10) == b""
        except OSError:
            closed += 1
        sock.close()
    assert closed == 50


def test_connection_limit_answers_503_with_retry_after():
    port = free_port()
    process = start_server(port, CLOUDKG_MAX_CONNECTIONS="4", CLOUDKG_HEADER_SECONDS="20")
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(4)]
    try:
        time.sleep(0.3)
        reply = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert reply.status_code == 503 and reply.headers["retry-after"] == "1"
    finally:
        for sock in idle:
            sock.close()
        stop_server(process)


def test_ask_core_form_is_bounded_and_off_the_loop(server):
    url, _ = server
    with ThreadPoolExecutor(2) as pool:
        future = pool.submit(httpx.post, f"{url}/ask", timeout=30,
                             json={"question": "SELECT ?x { ?x a ?y . ?a a ?b . ?c a ?d }"})
        health = httpx.get(f"{url}/healthz", timeout=2)
        reply = future.result()
    assert health.status_code == 200
    assert reply.status_code in (200, 422)

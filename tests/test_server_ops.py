"""`kg serve` as an operator sees it: start-up line, help, API key, TLS, root path, probes, metrics,
SIGHUP reload, SIGTERM drain and MCP over streamable HTTP, against real processes.

Every server listens on a free port of 127.0.0.1 (the refused bind on 0.0.0.0 never gets that far);
every loop is bounded in count and time.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "extra_relation.ttl"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # stopped at the 5 s limit
BANNER = re.compile(r"cloudkg serving (https?)://127\.0\.0\.1:(\d+)(/\S*) \((\d+) concepts; docs at /docs, "
                    r"MCP at /mcp\)")
SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
                    r"[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|\+Inf|NaN)$")
NEW_CONCEPT = """
ck:ReloadBucket a skos:Concept, ck:Resource ; skos:prefLabel "reload bucket"@en, "리로드 버킷"@ko ;
    skos:definition "A bucket added while the server runs."@en, "서버가 도는 동안 더한 버킷."@ko ;
    ckg:category ck:cat-storage ; dcterms:source src:note-s3 .
"""


class Served:
    """A `kg serve` process on port 0; its stderr lines are collected by a thread."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "kg.faces.cli", "serve", "--port", "0", *args], cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.started = time.monotonic()
        match = self.wait_for(BANNER, 60)
        self.startup_seconds = time.monotonic() - self.started
        self.scheme, self.port, self.root, self.concepts = match[1], int(match[2]), match[3], int(match[4])
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"

    def _read(self) -> None:
        for line in self.process.stderr:  # ends when the process closes stderr
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: re.Pattern[str] | str, seconds: float, start: int = 0) -> re.Match[str]:
        pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                if found := pattern.search(line):
                    return found
            if self.process.poll() is not None and not any(pattern.search(x) for x in self.lines[start:]):
                time.sleep(0.2)  # let the reader thread take the last lines
                if not any(pattern.search(x) for x in self.lines[start:]):
                    raise AssertionError(f"exited {self.process.returncode}: " + "\n".join(self.lines[-20:]))
            time.sleep(0.05)
        raise AssertionError(f"no {pattern.pattern!r} within {seconds} s: " + "\n".join(self.lines[-20:]))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "mine.ttl"
    shutil.copy(FIXTURE, path)
    return path


@pytest.fixture(scope="module")
def server(data_file) -> Iterator[Served]:
    served = Served("--access-log", "--data", str(data_file), "--no-cache")
    yield served
    served.stop()


def _metrics(url: str, **headers: str) -> dict[str, float]:
    response = httpx.get(url + "/metrics", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in response.text.splitlines():
        if line.startswith("#"):
            assert re.match(r"# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* \S", line), line
            continue
        assert SAMPLE.match(line), line
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    return samples


# ---------------------------------------------------------------- start-up, help, probes, metrics
def test_startup_line_and_access_log(server):
    assert (server.scheme, server.root) == ("http", "/")
    assert server.concepts > 100
    start = len(server.lines)
    assert httpx.get(server.url + "/define/S3?lang=ko").status_code == 200
    server.wait_for(r"^127\.0\.0\.1 GET /define/S3 200 \d+\.\dms$", 5, start)  # path only: no query string


def test_help_shows_only_serving_options_each_with_help():
    from kg.faces.cli import build_parser

    parser = build_parser()
    serve = parser._subparsers._group_actions[0].choices["serve"]
    shown = [a for a in serve._actions if a.help != "==SUPPRESS=="]
    options = {o for a in shown for o in a.option_strings}
    assert {"--data", "--allow-override", "--no-cache", "--max-file-size", "--max-inferred", "--host", "--port",
            "--allow-host", "--access-log", "--api-key-file", "--public", "--ssl-certfile", "--ssl-keyfile",
            "--root-path"} <= options
    assert not options & {"--json", "--lang", "--api-key"}
    assert all(a.help and len(a.help) > 10 for a in shown), [a.option_strings for a in shown if not a.help]
    text = subprocess.run([sys.executable, "-m", "kg.faces.cli", "serve", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30).stdout
    assert "--api-key-file" in text and "--json" not in text and "--lang" not in text


def test_healthz_readyz_and_metrics(server):
    health = httpx.get(server.url + "/healthz").json()
    from kg import __version__

    assert health["status"] == "ok" and health["version"] == __version__
    assert re.fullmatch(r"[0-9a-f]{24}", health["fingerprint"])
    assert health["concepts"] == server.concepts and health["facts"] > health["concepts"]
    assert httpx.get(server.url + "/readyz").json() == {"status": "ready"}
    before = _metrics(server.url)
    for _ in range(3):
        httpx.get(server.url + "/define/no-such-term-at-all")
    httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
    after = _metrics(server.url)
    define = 'cloudkg_requests_total{route="/define/{term}",method="GET",status="404"}'
    assert after[define] - before.get(define, 0) == 3  # labelled by template, not by path
    assert after['cloudkg_request_duration_seconds_count{route="/sparql"}'] >= 1
    assert after['cloudkg_request_duration_seconds_bucket{route="/sparql",le="+Inf"}'] >= 1
    assert after["cloudkg_concepts"] == server.concepts
    assert "cloudkg_timeouts_total" in after and "cloudkg_busy_total" in after
    assert not any("no-such-term" in name for name in after)


# ---------------------------------------------------------------- API key
def test_non_loopback_bind_needs_a_key_or_public():
    env = {k: v for k, v in os.environ.items() if k != "CLOUDKG_API_KEY"}
    done = subprocess.run([sys.executable, "-m", "kg.faces.cli", "serve", "--host", "0.0.0.0", "--port", "0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 2
    assert "not a loopback address" in done.stderr and "CLOUDKG_API_KEY" in done.stderr
    assert "Traceback" not in done.stderr
    secret = subprocess.run([sys.executable, "-m", "kg.faces.cli", "serve", "--api-key", "hunter2"], cwd=ROOT,
                            capture_output=True, text=True, timeout=30)
    assert secret.returncode == 2 and "hunter2" not in secret.stderr and "--api-key-file" in secret.stderr


def test_api_key_guards_every_route_but_the_probes(tmp_path):
    served = Served(env={"CLOUDKG_API_KEY": "s3cret-key"})
    try:
        url = served.url
        for path in ("/define/S3", "/", "/metrics", "/sparql?query=ASK%20%7B%7D", "/openapi.json", "/docs"):
            refused = httpx.get(url + path)
            assert refused.status_code == 401, path
            assert refused.headers["www-authenticate"] == "Bearer"
            assert "API key" in refused.json()["error"]["message"]
        assert httpx.post(url + "/mcp", json={}).status_code == 401
        assert httpx.get(url + "/define/S3", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.get(url + "/define/S3", headers={"Authorization": "Bearer s3cret-key"}).status_code == 200
        assert httpx.get(url + "/define/S3", headers={"X-API-Key": "s3cret-key"}).status_code == 200
        assert httpx.get(url + "/healthz").status_code == 200 and httpx.get(url + "/readyz").status_code == 200
        assert _mcp_ask(url, {"X-API-Key": "s3cret-key"}) == ("S3", {"ask", "define", "search", "sparql"})
    finally:
        assert served.stop() == 0


# ---------------------------------------------------------------- TLS and root path
def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("SKIPPED LOUDLY: neither the cryptography package nor openssl can make a certificate")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=localhost", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        return cert, key
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=1)).sign(private, hashes.SHA256()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key


def test_tls_and_root_path(tmp_path):
    cert, key = _self_signed(tmp_path)
    served = Served("--ssl-certfile", str(cert), "--ssl-keyfile", str(key), "--root-path", "/kg/")
    try:
        assert (served.scheme, served.root) == ("https", "/kg/")
        with httpx.Client(verify=False) as client:  # noqa: S501 - a throwaway self-signed certificate
            # The proxy strips the prefix: /kg/healthz outside is /healthz here.
            assert client.get(served.url + "/healthz").json()["status"] == "ok"
            assert client.get(served.url + "/define/S3").status_code == 200
            assert client.get(served.url + "/openapi.json").json()["servers"] == [{"url": "/kg"}]
            page = client.get(served.url + "/")
            if page.status_code == 200 and "text/html" in page.headers["content-type"]:  # the web pages (kg.faces.web)
                links = re.findall(r'(?:href|src)="(/[^"]*)"', page.text)
                assert links and all(link.startswith("/kg/") for link in links), links[:10]
        with pytest.raises(httpx.HTTPError):
            httpx.get(served.url.replace("https", "http") + "/healthz", timeout=3)
    finally:
        assert served.stop() == 0
    bad = subprocess.run([sys.executable, "-m", "kg.faces.cli", "serve", "--ssl-certfile", str(tmp_path / "nope.pem")],
                         cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "nope.pem" in bad.stderr and "Traceback" not in bad.stderr


# ---------------------------------------------------------------- MCP over streamable HTTP
def _mcp_ask(url: str, headers: dict[str, str] | None = None) -> tuple[str, set[str]]:
    import anyio
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def talk() -> tuple[str, set[str]]:
        with anyio.fail_after(60):
            return await conversation()

    async def conversation() -> tuple[str, set[str]]:
        async with (httpx.AsyncClient(headers=headers or {}, timeout=30) as http,
                    streamable_http_client(url + "/mcp", http_client=http) as (read, write, _),
                    ClientSession(read, write) as session):
            await session.initialize()
            tools = {t.name for t in (await session.list_tools()).tools}
            result = await session.call_tool("ask", {"question": "what stores EBS backups"})
            assert not result.isError, result
            return result.structuredContent["answers"][0]["id"], tools

    return anyio.run(talk)


def test_mcp_over_streamable_http(server):
    assert _mcp_ask(server.url) == ("S3", {"ask", "define", "search", "sparql"})
    # The Host check stands in front of MCP's own DNS-rebinding check.
    rebound = httpx.post(server.url + "/mcp", json={}, headers={"Host": "evil.example"})
    assert rebound.status_code == 400 and "evil.example" in rebound.json()["error"]["message"]


# ---------------------------------------------------------------- SIGHUP and SIGTERM
def _hammer(url: str, seconds: float, during: callable) -> list[int]:
    """Statuses of /define and /ask requests fired for ``seconds`` while ``during()`` runs once."""
    statuses: list[int] = []
    stop = time.monotonic() + seconds

    def fire() -> None:
        with httpx.Client(timeout=10) as client:
            for _ in range(2000):  # bounded; the clock normally ends it first
                if time.monotonic() > stop:
                    return
                try:
                    statuses.append(client.get(url + "/define/S3").status_code)
                    statuses.append(client.post(url + "/ask", json={"question": "what stores EBS backups"})
                                    .status_code)
                except httpx.HTTPError as error:
                    statuses.append(-1)
                    print("request failed:", error)

    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(fire) for _ in range(3)]
        time.sleep(0.5)
        during()
        for future in futures:
            future.result(timeout=seconds + 30)
    return statuses


def test_sighup_reloads_without_dropping_requests(server, data_file):
    start = len(server.lines)
    statuses = _hammer(server.url, 3, lambda: server.process.send_signal(signal.SIGHUP))
    server.wait_for(r"kg serve: reloaded: \d+ concepts", 30, start)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert server.process.poll() is None
    before = httpx.get(server.url + "/healthz").json()

    data_file.write_text(data_file.read_text(encoding="utf-8") + NEW_CONCEPT, encoding="utf-8")
    start = len(server.lines)
    server.process.send_signal(signal.SIGHUP)
    server.wait_for(r"kg serve: reloaded: \d+ concepts", 30, start)
    after = httpx.get(server.url + "/healthz").json()
    assert after["concepts"] == before["concepts"] + 1 and after["fingerprint"] != before["fingerprint"]
    assert httpx.get(server.url + "/define/reload bucket").json()["answers"][0]["id"] == "ReloadBucket"
    assert _mcp_ask(server.url)[0] == "S3"

    data_file.write_text("this is not Turtle {", encoding="utf-8")
    start = len(server.lines)
    server.process.send_signal(signal.SIGHUP)
    server.wait_for(r"reload failed, still serving the previous data: .*mine\.ttl", 30, start)
    assert httpx.get(server.url + "/healthz").json() == after
    assert httpx.get(server.url + "/define/reload bucket").status_code == 200


def test_sigterm_drains_the_request_at_work_and_exits_0():
    served = Served()
    result: dict[str, int] = {}

    def slow() -> None:
        response = httpx.get(served.url + "/sparql", params={"query": CROSS_JOIN}, timeout=30)
        result["status"] = response.status_code

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(1.0)  # the query is at work
    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    with pytest.raises(httpx.ConnectError):  # new connections are refused while draining
        httpx.get(served.url + "/healthz", timeout=2)
    worker.join(timeout=20)
    assert result.get("status") == 408  # finished with its own status: stopped at the SPARQL time limit
    assert served.process.wait(timeout=10) == 0
    assert time.monotonic() - sent < 10

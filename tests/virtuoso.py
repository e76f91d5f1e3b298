"""A real Virtuoso 7 (Debian's `virtuoso-opensource`) for tests: private, on loopback, thrown away after.

Use it with ``from tests.virtuoso import virtuoso  # noqa: F401`` in a test module. The session
fixture writes its own ``virtuoso.ini`` into a temporary folder (database files there, SQL and
HTTP ports free on 127.0.0.1, ``DirsAllowed`` limited to that folder, small buffers), starts
``virtuoso-t +foreground``, waits for ``/sparql`` to answer (at most 60 s), lets the anonymous
``SPARQL`` user write through the Graph Store HTTP Protocol (``/sparql-graph-crud``; only in
this private instance), and always stops the server and removes its files afterwards.
``/sparql-graph-crud-auth`` demands digest auth as ``dba``/``dba``.

Without Virtuoso it skips with a loud reason (`make virtuoso-deps` installs it); in CI it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers import free_port

__all__ = ["Virtuoso", "virtuoso", "start_virtuoso", "DBA_USER", "DBA_PASSWORD"]

DBA_USER = DBA_PASSWORD = "dba"  # the fresh database's administrator; this instance is private and loopback-only
READY_SECONDS = 60.0
_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 8
CheckpointInterval = 0
O_DIRECT = 0
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = {dir}
NumberOfBuffers = 8000
MaxDirtyBuffers = 6000
MaxQueryMem = 200M
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/www
MaxClientConnections = 6
ServerThreads = 6
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 60
"""
# The anonymous SPARQL user may write (graph store and SPARQL UPDATE): only ever in this private instance.
_GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET (\'nobody\', 7);'


def _binaries() -> tuple[str, str] | str:
    """(virtuoso-t, isql) paths, or the reason they are missing."""
    server = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql-v")
    if server and isql:
        return server, isql
    return "Virtuoso is not installed: run `make virtuoso-deps` (apt-get install virtuoso-opensource)"


@dataclass
class Virtuoso:
    """A running private Virtuoso: ``endpoint`` is its /sparql URL."""

    folder: Path
    http_port: int
    sql_port: int
    isql_binary: str
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def endpoint(self) -> str:
        return f"{self.base}/sparql"

    @property
    def graph_store(self) -> str:
        return f"{self.base}/sparql-graph-crud"

    def isql(self, statements: str, timeout: float = 60.0) -> str:
        """Run SQL statements as dba; the output, or RuntimeError with Virtuoso's error."""
        run = subprocess.run([self.isql_binary, f"127.0.0.1:{self.sql_port}", DBA_USER, DBA_PASSWORD,
                              f"exec={statements}"], capture_output=True, text=True, timeout=timeout)
        output = run.stdout + run.stderr
        if run.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql failed: {output.strip()[:2000]}")
        return output

    def load_nt(self, source: str | Path, graph_iri: str, timeout: float = 120.0) -> None:
        """Add N-Triples (a file path, or the text itself) to ``graph_iri`` through the graph store."""
        is_file = isinstance(source, Path) or ("\n" not in source and Path(source).is_file())
        data = Path(source).read_bytes() if is_file else str(source).encode("utf-8")
        url = f"{self.graph_store}?{urllib.parse.urlencode({'graph': graph_iri})}"
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/n-triples"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status not in (200, 201, 204):
                raise RuntimeError(f"loading into {graph_iri} failed: HTTP {response.status}")

    def log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.folder / "virtuoso.log").read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s) and remove its files."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)


def _ready(url: str) -> bool:
    query = urllib.parse.urlencode({"query": "ASK {}"})
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_virtuoso(server: str, isql: str) -> Virtuoso:
    """Write a private config, start Virtuoso, wait until /sparql answers, grant the test user writes."""
    folder = Path(tempfile.mkdtemp(prefix="cloudkg-virtuoso-"))
    (folder / "www").mkdir()
    instance = Virtuoso(folder, free_port(), free_port(), isql)
    ini = folder / "virtuoso.ini"
    ini.write_text(_INI.format(dir=folder, sql_port=instance.sql_port, http_port=instance.http_port))
    instance.process = subprocess.Popen([server, "+foreground", "+configfile", str(ini)], cwd=folder,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        stdin=subprocess.DEVNULL)
    try:
        _wait(instance)
        instance.isql(_GRANTS)
    except BaseException:
        instance.stop()
        raise
    return instance


def _wait(instance: Virtuoso) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if _ready(instance.endpoint):
            return
        if instance.process is not None and instance.process.poll() is not None:
            raise RuntimeError(f"Virtuoso exited with {instance.process.returncode}:\n{instance.log_tail()}")
        time.sleep(0.2)
    raise RuntimeError(f"Virtuoso did not answer on {instance.endpoint} within {READY_SECONDS:g} s:\n"
                       f"{instance.log_tail()}")


@pytest.fixture(scope="session")
def virtuoso() -> Iterator[Virtuoso]:
    """A private Virtuoso for the session; skipped loudly without it, failed in CI."""
    found = _binaries()
    if isinstance(found, str):
        if os.environ.get("CI"):
            pytest.fail(f"VIRTUOSO TESTS CANNOT RUN IN CI: {found}")
        pytest.skip(f"!!! VIRTUOSO TESTS SKIPPED: {found} !!!")
    instance = start_virtuoso(*found)
    try:
        yield instance
    finally:
        instance.stop()

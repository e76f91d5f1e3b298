"""The child process that runs one SPARQL query: offline, memory-capped, killed at its deadline.

The parent forks (the parsed graph is shared copy-on-write), reads one JSON message from a
pipe until the deadline, and kills the child if it is still running. The child parses the
query itself, so a pathological query text costs the child's time, never the parent's.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.engine.sparql_model import QueryBudget

__all__ = ["is_warm", "run_in_child", "warm_up"]

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class _Refused(Exception):
    """A query this engine will not run, with the reason a person reads."""


def run_in_child(graph: Any, text: str, budget: QueryBudget, prefixes: Mapping[str, str]) -> dict[str, Any]:
    """``{"result": {...}}`` or ``{"error": message, "kind": ...}`` from a forked child.

    A bare ``os.fork`` rather than multiprocessing: its child bootstrap closes ``sys.stdin``,
    which deadlocks when another thread is blocked reading stdin (the MCP server, the REPL).
    """
    warm_up(graph)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.close(read_end)
            _write_all(write_end, _child(graph, text, budget, dict(prefixes)))
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        data = _read_until(read_end, time.monotonic() + budget.seconds)
    finally:
        os.close(read_end)
        _reap(pid)
    if data is None:
        return {"error": f"the query ran longer than {budget.seconds:g} s and was stopped", "kind": "timeout"}
    if not data:
        return {"error": "the query stopped without an answer (it may have needed too much memory)"}
    return json.loads(data)


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until its writer exits; None past the deadline."""
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_MESSAGE_BYTES:
            return b""
        chunks.append(chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _reap(pid: int) -> None:
    """Kill the child if it still runs, and wait for it so no zombie stays."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


_warm = threading.Event()
_warm_lock = threading.Lock()


def is_warm() -> bool:
    """Whether this process has warmed rdflib's SPARQL engine (see :func:`warm_up`)."""
    return _warm.is_set()


def warm_up(graph: Any) -> None:
    """Import and exercise rdflib's SPARQL engine once, under a lock, before any child is forked.

    pyparsing learns each parse action's arity on its first call, and that learning is not
    thread-safe: two first parses at once can fix a wrong arity for good (every later query
    then fails with "<lambda>() missing ... 'x'"). So this process parses exactly one query,
    alone, and every real query is parsed in a single-threaded child.
    """
    if _warm.is_set():
        return
    with _warm_lock:
        if not _warm.is_set():
            from rdflib.plugins.sparql import prepareQuery

            graph.query(prepareQuery("ASK { ?s ?p ?o }"))
            _warm.set()


def _child(graph: Any, text: str, budget: QueryBudget, prefixes: dict[str, str]) -> bytes:
    """The outcome of one query as JSON bytes; runs in the forked child only."""
    try:
        _cut_network()
        _cap_memory(budget.memory_bytes)
        outcome: dict[str, Any] = {"result": _evaluate(graph, text, budget.rows, prefixes)}
    except _Refused as error:
        outcome = {"error": str(error)}
    except MemoryError:
        outcome = {"error": f"the query needed more than {budget.memory_bytes // 2**20} MB of memory"}
    except RecursionError:
        outcome = {"error": "the query is nested too deeply"}
    except Exception as error:  # rdflib raises many kinds while evaluating; all mean the same to a user
        outcome = {"error": f"the query failed: {type(error).__name__}: {error}"[:2000]}
    return json.dumps(outcome).encode("utf-8")


def _cut_network() -> None:
    """No socket in this process can connect anywhere (defence beside the SERVICE check)."""
    import socket

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("network access is disabled while a query runs")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


def _cap_memory(extra_bytes: int) -> None:
    import resource

    page = os.sysconf("SC_PAGE_SIZE")
    with open("/proc/self/statm") as statm:
        in_use = int(statm.read().split()[0]) * page
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = in_use + extra_bytes
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _compiled(text: str, prefixes: dict[str, str]) -> Any:
    import rdflib.plugins.sparql as sparql_settings
    from rdflib.plugins.sparql import prepareQuery

    sparql_settings.SPARQL_LOAD_GRAPHS = False
    try:
        query = prepareQuery(text, initNs=prefixes)
    except Exception as error:  # pyparsing errors; an update fails to parse as a query here too
        raise _Refused(f"not a SPARQL 1.1 query (updates are refused): {error}"[:2000]) from None
    if query.algebra.name not in ("SelectQuery", "AskQuery"):
        raise _Refused("only SELECT and ASK queries are answered here")
    if query.algebra.get("datasetClause"):
        raise _Refused("FROM and FROM NAMED are refused: queries run over the loaded data only, "
                       "never over graphs fetched from elsewhere")
    if any(node.name == "ServiceGraphPattern" for node in _nodes(query.algebra)):
        raise _Refused("SERVICE is refused: this engine never reaches the network; "
                       "query the other endpoint directly")
    return query


def _nodes(node: Any) -> Iterator[Any]:
    """Every algebra node (rdflib CompValue) under ``node``."""
    stack = [node]
    while stack:
        current = stack.pop()
        if hasattr(current, "name") and isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)):
            stack.extend(current)


def _term(value: Any) -> dict[str, str] | None:
    from rdflib import BNode, Literal

    if value is None:
        return None
    if isinstance(value, Literal):
        term = {"type": "literal", "value": str(value)}
        if value.language:
            term["xml:lang"] = value.language
        elif value.datatype:
            term["datatype"] = str(value.datatype)
        return term
    return {"type": "bnode" if isinstance(value, BNode) else "uri", "value": str(value)}


def _evaluate(graph: Any, text: str, max_rows: int, prefixes: dict[str, str]) -> dict[str, Any]:
    query = _compiled(text, prefixes)
    result = graph.query(query)
    if result.type == "ASK":
        return {"kind": "ASK", "boolean": bool(result.askAnswer)}
    variables = [str(v) for v in result.vars]
    rows = [[_term(value) for value in row] for row in islice(result, max_rows + 1)]
    return {"kind": "SELECT", "variables": variables, "rows": rows[:max_rows], "truncated": len(rows) > max_rows}

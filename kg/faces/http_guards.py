"""ASGI guards in front of the HTTP API: allowed Host names, body size and pace, and a work gate.

Each guard is a small ASGI middleware or helper with one job:

- :class:`HostCheck` answers 400 to a request whose ``Host`` is not one this server serves
  (DNS rebinding: a web page on another name reaching a loopback server).
- :class:`BodyLimit` answers 413 once a body passes its size, whether or not it declared a
  Content-Length (chunked bodies are counted as they arrive), and 408 to a body that trickles.
- :class:`WorkGate` runs a request's work in a worker thread, at most N at once; a request
  that cannot get a slot quickly gets 503 with Retry-After, so /healthz never waits behind work.
- :class:`ApiKeyCheck` answers 401 to a request without the server's API key (probes excepted).
- :class:`RequestLog` counts every request in :class:`Metrics` (Prometheus text) and can log it.
"""

from __future__ import annotations

import asyncio
import bisect
import hmac
import itertools
import json
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import HTTPException

__all__ = ["ApiKeyCheck", "BodyLimit", "Busy", "HostCheck", "Metrics", "RequestLog", "WorkGate", "default_hosts",
           "json_error", "route_path"]

T = TypeVar("T")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def json_error(status: int, message: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> tuple[dict, dict]:
    """The two ASGI messages of a JSON error response."""
    body = json.dumps({"error": {"message": message}}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         *headers]}
    return start, {"type": "http.response.body", "body": body}


async def _send_error(send: Callable, status: int, message: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    for message_part in json_error(status, message, headers):
        await send(message_part)


def default_hosts(bound: str) -> frozenset[str]:
    """The Host names served by default: the loopback names and the bound address.

    >>> sorted(default_hosts("0.0.0.0"))
    ['0.0.0.0', '127.0.0.1', '::1', 'localhost']
    """
    return frozenset({*LOOPBACK_NAMES, bound.strip("[]").lower()})


def _host_name(value: str) -> str:
    """The name part of a Host header, without port or IPv6 brackets.

    >>> _host_name("[::1]:8000"), _host_name("LocalHost:80"), _host_name("example.org")
    ('::1', 'localhost', 'example.org')
    """
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostCheck:
    """Serve only requests whose Host header names an allowed host ("*" allows any)."""

    def __init__(self, app: Any, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(h.strip("[]").lower() for h in allowed)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and "*" not in self.allowed:
            headers = dict(scope.get("headers") or [])
            host = _host_name(headers.get(b"host", b"").decode("latin-1"))
            if host not in self.allowed:
                await _send_error(send, 400, f"host {host!r} is not served here; allowed: "
                                  + ", ".join(sorted(self.allowed)) + " (kg serve --allow-host NAME)")
                return
        await self.app(scope, receive, send)


class _BodyRefused(HTTPException):
    """Raised from ``receive``: an HTTPException, so FastAPI's body parsing lets it through."""




class BodyLimit:
    """Refuse bodies over ``limit`` bytes (413) and bodies slower than ``seconds`` per chunk (408)."""

    def __init__(self, app: Any, limit: int, seconds: float = 10.0) -> None:
        self.app, self.limit, self.seconds = app, limit, seconds

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _send_error(send, 413, f"request body larger than {self.limit} bytes")
            return
        received, started, done = 0, False, False

        async def limited_receive() -> dict:
            nonlocal received, done
            if done:  # the body is in: later receives wait for the disconnect (streamed responses), unbounded
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                raise _BodyRefused(408, f"request body not received within {self.seconds:g} s") from None
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _BodyRefused(413, f"request body larger than {self.limit} bytes")
            done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracked_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _BodyRefused as error:
            if not started:
                await _send_error(send, error.status_code, str(error.detail))


class Busy(Exception):
    """Every work slot is taken: the client should retry after a moment."""


class WorkGate:
    """Run blocking work in threads, at most ``slots`` at once; refuse with :class:`Busy` when full."""

    def __init__(self, slots: int, wait_seconds: float = 2.0) -> None:
        self.slots, self.wait_seconds = slots, wait_seconds
        self._semaphore: asyncio.Semaphore | None = None

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        from starlette.concurrency import run_in_threadpool

        if self._semaphore is None:  # created on the serving loop, on first use
            self._semaphore = asyncio.Semaphore(self.slots)
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self.wait_seconds)
        except TimeoutError:
            raise Busy(f"the server is busy ({self.slots} requests at work); retry shortly") from None
        try:
            return await run_in_threadpool(work, *args)
        finally:
            self._semaphore.release()


def route_path(scope: dict) -> str:
    """The request path under the root path (``--root-path``, set by a reverse proxy).

    >>> route_path({"path": "/kg/healthz", "root_path": "/kg"}), route_path({"path": "/healthz"})
    ('/healthz', '/healthz')
    """
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root):] or "/" if root and path.startswith(root) else path


class ApiKeyCheck:
    """Serve only requests that carry ``key`` as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``.

    The probes in ``open_paths`` (health and readiness) need no key; a missing or wrong key gets
    401 with ``WWW-Authenticate: Bearer``. Keys are compared in constant time.
    """

    def __init__(self, app: Any, key: str, open_paths: Iterable[str] = ("/healthz", "/readyz")) -> None:
        self.app, self.key, self.open_paths = app, key.encode(), frozenset(open_paths)

    def _given(self, scope: dict) -> bytes:
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"")
        if auth[:7].lower() == b"bearer ":
            return auth[7:].strip()
        return headers.get(b"x-api-key", b"").strip()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if (scope["type"] == "http" and route_path(scope) not in self.open_paths
                and not hmac.compare_digest(self._given(scope), self.key)):
            await _send_error(send, 401, "this server needs an API key: send 'Authorization: Bearer KEY' "
                              "or 'X-API-Key: KEY'", [(b"www-authenticate", b"Bearer")])
            return
        await self.app(scope, receive, send)


DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    """Request counters and durations, in the Prometheus text exposition format.

    Labels are route templates (``/define/{term}``), never raw paths, so their number stays small.
    Updated on the event loop only, so no lock is needed.
    """

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}
        self.buckets: dict[str, list[int]] = {}
        self.sums: dict[str, float] = {}
        self.errors: dict[str, int] = {}
        self.timeouts = 0
        self.busy = 0

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        method = method if method in _METHODS else "other"
        key = (route, method, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        counts = self.buckets.setdefault(route, [0] * (len(DURATION_BUCKETS) + 1))
        counts[bisect.bisect_left(DURATION_BUCKETS, seconds)] += 1  # per bucket; cumulative when rendered
        self.sums[route] = self.sums.get(route, 0.0) + seconds
        if status >= 500:
            self.errors[route] = self.errors.get(route, 0) + 1
        self.busy += status == 503

    def render(self, gauges: dict[str, tuple[str, float]]) -> str:
        """The exposition text; ``gauges`` maps a metric name to ``(help, value)``."""
        lines = _family("cloudkg_requests_total", "counter", "HTTP requests answered, by route template, "
                        "method and status", [(_labels(route=r, method=m, status=s), n)
                                              for (r, m, s), n in sorted(self.requests.items())])
        lines += _histogram(self.buckets, self.sums)
        lines += _family("cloudkg_errors_total", "counter", "responses with a 5xx status, by route",
                         [(_labels(route=r), n) for r, n in sorted(self.errors.items())])
        lines += _family("cloudkg_timeouts_total", "counter", "SPARQL queries stopped at their time limit (408)",
                         [("", self.timeouts)])
        lines += _family("cloudkg_busy_total", "counter", "requests refused for load (503)", [("", self.busy)])
        for name, (text, value) in gauges.items():
            lines += _family(name, "gauge", text, [("", value)])
        return "\n".join(lines) + "\n"


def _labels(**values: Any) -> str:
    """``{a="1",b="x"}`` with the exposition format's escapes.

    >>> _labels(route='/a"b', status=200)
    '{route="/a\\\\"b",status="200"}'
    """
    escaped = (f'{k}="' + str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
               for k, v in values.items())
    return "{" + ",".join(escaped) + "}"


def _family(name: str, kind: str, text: str, samples: Iterable[tuple[str, float]]) -> list[str]:
    return [f"# HELP {name} {text}", f"# TYPE {name} {kind}",
            *(f"{name}{labels} {value:g}" if isinstance(value, float) else f"{name}{labels} {value}"
              for labels, value in samples)]


def _histogram(buckets: dict[str, list[int]], sums: dict[str, float]) -> list[str]:
    name = "cloudkg_request_duration_seconds"
    lines = [f"# HELP {name} time to answer a request, by route template", f"# TYPE {name} histogram"]
    for route, counts in sorted(buckets.items()):
        bounds = [f"{b:g}" for b in DURATION_BUCKETS] + ["+Inf"]
        cumulative = list(itertools.accumulate(counts))
        lines += [f"{name}_bucket{_labels(route=route, le=le)} {n}" for le, n in zip(bounds, cumulative, strict=True)]
        lines += [f"{name}_sum{_labels(route=route)} {sums[route]:.6f}",
                  f"{name}_count{_labels(route=route)} {cumulative[-1]}"]
    return lines


def _printable(raw: bytes) -> str:
    """A path for a log line: control characters escaped, so a request cannot forge log lines."""
    return raw.decode("latin-1").encode("unicode_escape").decode("ascii")


class RequestLog:
    """Outermost middleware: records every request in ``metrics`` and, if ``access_log``, prints a line.

    The line (on stderr) is ``CLIENT METHOD PATH STATUS MS``, e.g. ``127.0.0.1 GET /healthz 200 0.4ms``.
    """

    def __init__(self, app: Any, metrics: Metrics, access_log: bool = False) -> None:
        self.app, self.metrics, self.access_log = app, metrics, access_log

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status, started = 500, time.perf_counter()

        async def watched_send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.record(route, scope.get("method", ""), status, seconds)
            if self.access_log:
                self._print(scope, status, seconds)

    @staticmethod
    def _print(scope: dict, status: int, seconds: float) -> None:
        client = (scope.get("client") or ("-",))[0]
        path = _printable(scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace"))
        print(f"{client} {_printable(scope.get('method', '').encode())} {path} {status} {seconds * 1000:.1f}ms",
              file=sys.stderr, flush=True)

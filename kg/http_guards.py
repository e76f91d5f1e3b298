"""ASGI guards in front of the HTTP API: allowed Host names, body size and pace, and a work gate.

Each guard is a small ASGI middleware or helper with one job:

- :class:`HostCheck` answers 400 to a request whose ``Host`` is not one this server serves
  (DNS rebinding: a web page on another name reaching a loopback server).
- :class:`BodyLimit` answers 413 once a body passes its size, whether or not it declared a
  Content-Length (chunked bodies are counted as they arrive), and 408 to a body that trickles.
- :class:`WorkGate` runs a request's work in a worker thread, at most N at once; a request
  that cannot get a slot quickly gets 503 with Retry-After, so /healthz never waits behind work.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import HTTPException

__all__ = ["BodyLimit", "Busy", "HostCheck", "WorkGate", "default_hosts", "json_error"]

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
        received, started = 0, False

        async def limited_receive() -> dict:
            nonlocal received
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                raise _BodyRefused(408, f"request body not received within {self.seconds:g} s") from None
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _BodyRefused(413, f"request body larger than {self.limit} bytes")
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

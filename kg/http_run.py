"""Run the HTTP app on uvicorn with the connection-level limits a public-facing server needs.

- A connection must finish its request headers within ``HEADER_SECONDS`` (slow-header clients
  are closed); idle keep-alive connections close after ``KEEP_ALIVE_SECONDS``.
- The open-file limit is raised to its ceiling, and connections past ``MAX_CONNECTIONS`` get
  503 with Retry-After instead of exhausting file descriptors.
- rdflib's SPARQL engine is warmed up before the first request (see :mod:`kg.sparql_worker`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["HEADER_SECONDS", "KEEP_ALIVE_SECONDS", "MAX_CONNECTIONS", "protocol_class", "run"]

HEADER_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
MAX_CONNECTIONS = 2000


def protocol_class(header_seconds: float = HEADER_SECONDS) -> type:
    """uvicorn's httptools protocol, closing connections whose headers are not in on time."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderDeadlineProtocol(HttpToolsProtocol):
        _deadline: Any = None

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(header_seconds, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            if self.transport is not None and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderDeadlineProtocol


def _raise_file_limit() -> int:
    """Raise the soft open-file limit to the hard one; the limit now in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft
    return target


async def _busy(scope: dict, receive: Any, send: Any) -> None:
    """uvicorn's answer past its connection limit, with Retry-After."""
    from kg.http_guards import json_error

    for message in json_error(503, "the server has too many connections; retry shortly", [(b"retry-after", b"1")]):
        await send(message)


def _setting(name: str, default: float) -> float:
    """A positive number from the environment (for operators and tests), else ``default``."""
    import os

    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def run(app: Any, g: KnowledgeGraph, host: str, port: int) -> int:
    """Serve ``app`` until interrupted; $CLOUDKG_HEADER_SECONDS and $CLOUDKG_MAX_CONNECTIONS tune it."""
    import uvicorn
    from uvicorn.protocols.http import httptools_impl

    from kg.sparql_worker import warm_up

    warm_up(g.rdf())
    files = _raise_file_limit()
    connections = int(_setting("CLOUDKG_MAX_CONNECTIONS", min(MAX_CONNECTIONS, max(64, files - 64))))
    httptools_impl.service_unavailable = _busy  # the 503 uvicorn sends past limit_concurrency
    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            http=protocol_class(_setting("CLOUDKG_HEADER_SECONDS", HEADER_SECONDS)),
                            timeout_keep_alive=KEEP_ALIVE_SECONDS, limit_concurrency=connections)
    uvicorn.Server(config).run()
    return 0

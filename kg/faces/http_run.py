"""Run the HTTP app on uvicorn with the connection-level limits a public-facing server needs.

- A connection must finish its request headers within ``HEADER_SECONDS`` (slow-header clients
  are closed); idle keep-alive connections close after ``KEEP_ALIVE_SECONDS``.
- The open-file limit is raised to its ceiling, and connections past ``MAX_CONNECTIONS`` get
  503 with Retry-After instead of exhausting file descriptors.
- rdflib's SPARQL engine is warmed up before the first request (see :mod:`kg.engine.sparql_worker`).
- Once listening, one line on stderr says where: ``cloudkg serving http://127.0.0.1:8000/ (...)``.
- SIGHUP reloads the data in a background thread and swaps it in (a failed reload keeps the old
  graph); SIGTERM drains: new connections are refused, requests at work finish (at most
  ``DRAIN_SECONDS``), then the process exits 0.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.faces.graph_holder import GraphHolder
    from kg.graph import KnowledgeGraph

__all__ = ["DRAIN_SECONDS", "HEADER_SECONDS", "KEEP_ALIVE_SECONDS", "MAX_CONNECTIONS", "ServeError", "ServeOptions",
           "is_loopback", "protocol_class", "run", "serve_options"]

HEADER_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
MAX_CONNECTIONS = 2000
DRAIN_SECONDS = 8.0


@dataclass(frozen=True)
class ServeOptions:
    """How ``kg serve`` runs: API key, access log, TLS files, reverse-proxy root path, reloading."""

    api_key: str | None = None
    access_log: bool = False
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    root_path: str = ""
    reload: Callable[[], KnowledgeGraph] | None = None  # loads the data again (SIGHUP)


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
    from kg.faces.http_guards import json_error

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


class Reloader:
    """Loads the data again in a background thread and swaps it into the holder; one reload at a time."""

    def __init__(self, holder: GraphHolder, load: Callable[[], KnowledgeGraph]) -> None:
        self.holder, self.load = holder, load
        self._busy = threading.Lock()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.reload, name="kg-reload", daemon=True)
        thread.start()
        return thread

    def reload(self) -> bool:
        """Whether the new data is now served; on any failure the old graph stays and the error is logged."""
        if not self._busy.acquire(blocking=False):
            _log("a reload is already running; this SIGHUP is ignored")
            return False
        try:
            started = time.perf_counter()
            g = self.load()
            g.rdf()  # built here, not by the first SPARQL request after the swap
            self.holder.swap(g)
        except Exception as error:  # whatever broke, the old data keeps being served
            _log(f"reload failed, still serving the previous data: {error}")
            return False
        finally:
            self._busy.release()
        _log(f"reloaded: {len(g.knowledge.concepts)} concepts, fingerprint {g.fingerprint} "
             f"({time.perf_counter() - started:.1f} s)")
        return True


def _log(text: str) -> None:
    print(f"kg serve: {text}", file=sys.stderr, flush=True)


def _url(host: str, port: int, options: ServeOptions) -> str:
    """The base URL a client uses.

    >>> _url("::1", 8443, ServeOptions(ssl_certfile="c.pem", root_path="/kg"))
    'https://[::1]:8443/kg/'
    """
    scheme = "https" if options.ssl_certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}{options.root_path.rstrip('/')}/"


def _server_class() -> type:
    import asyncio
    import contextlib
    import os
    import signal

    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, announcing itself once listening and reloading on SIGHUP."""

        announce: Callable[[int], None] = staticmethod(lambda port: None)
        reloader: Reloader | None = None

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            # A SPARQL query runs in a forked child (kg.engine.sparql_worker): without this, the child's copy of
            # the listening socket keeps accepting connections that no one serves while the server drains.
            os.register_at_fork(after_in_child=self._close_inherited)
            if self.reloader is not None and hasattr(signal, "SIGHUP"):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.reloader.start)
            self.announce(self.servers[0].sockets[0].getsockname()[1])

        def _close_inherited(self) -> None:
            """In a forked child: close the copies of the listening and client sockets."""
            try:
                fds = [sock.fileno() for server in self.servers for sock in server.sockets]
                fds += [c.transport.get_extra_info("socket").fileno() for c in list(self.server_state.connections)
                        if getattr(c, "transport", None) is not None]
            except Exception:  # never let the child fail over this
                return
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)

    return Server


def _drained(signum: int, frame: Any) -> None:
    """What runs after uvicorn re-raises SIGTERM: nothing, the drain is done and ``run`` returns 0."""


def run(app: Any, host: str, port: int, options: ServeOptions | None = None) -> int:
    """Serve ``app`` (from :func:`kg.faces.server.create_app`) until SIGTERM or Ctrl-C.

    $CLOUDKG_HEADER_SECONDS, $CLOUDKG_MAX_CONNECTIONS and $CLOUDKG_DRAIN_SECONDS tune it.
    """
    import signal

    import uvicorn
    from uvicorn.protocols.http import httptools_impl

    from kg.engine.sparql_worker import warm_up

    options = options or ServeOptions()
    holder = app.state.graph
    warm_up(holder.get().rdf())
    files = _raise_file_limit()
    connections = int(_setting("CLOUDKG_MAX_CONNECTIONS", min(MAX_CONNECTIONS, max(64, files - 64))))
    httptools_impl.service_unavailable = _busy  # the 503 uvicorn sends past limit_concurrency
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            http=protocol_class(_setting("CLOUDKG_HEADER_SECONDS", HEADER_SECONDS)),
                            timeout_keep_alive=KEEP_ALIVE_SECONDS, limit_concurrency=connections,
                            timeout_graceful_shutdown=int(_setting("CLOUDKG_DRAIN_SECONDS", DRAIN_SECONDS)),
                            ssl_certfile=options.ssl_certfile, ssl_keyfile=options.ssl_keyfile,
                            root_path=options.root_path)
    server = _server_class()(config)
    concepts = len(holder.get().knowledge.concepts)
    server.announce = lambda bound: print(
        f"cloudkg serving {_url(host, bound, options)} ({concepts} concepts; docs at /docs, MCP at /mcp)",
        file=sys.stderr, flush=True)
    server.reloader = Reloader(holder, options.reload) if options.reload else None
    signal.signal(signal.SIGTERM, _drained)  # uvicorn restores this handler and re-raises SIGTERM once drained
    server.run()
    return 0


class ServeError(ValueError):
    """``kg serve`` options that cannot work together, or files it cannot use (exit 2)."""


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine.

    >>> [is_loopback(h) for h in ("127.0.0.1", "127.9.9.9", "::1", "[::1]", "localhost", "0.0.0.0", "::", "a.org")]
    [True, True, True, True, True, False, False, False]
    """
    import ipaddress

    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _read_key(path: str | None) -> str | None:
    """The API key from ``--api-key-file``, else ``$CLOUDKG_API_KEY``, else None."""
    import os

    if path is None:
        return os.environ.get("CLOUDKG_API_KEY", "").strip() or None
    try:
        with open(path, encoding="utf-8") as handle:
            key = handle.read(4097).strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ServeError(f"cannot read the API key file {path}: {getattr(error, 'strerror', None) or error}") from None
    if not key or len(key) > 4096 or any(c.isspace() for c in key):
        raise ServeError(f"{path} must hold one API key: 1 to 4096 characters, no spaces")
    return key


def _check_tls(certfile: str | None, keyfile: str | None) -> None:
    import ssl

    if not certfile:
        if keyfile:
            raise ServeError("--ssl-keyfile needs --ssl-certfile (the certificate that goes with the key)")
        return
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as error:
        raise ServeError(f"cannot use the TLS certificate {certfile}" + (f" with key {keyfile}" if keyfile else "")
                         + f": {getattr(error, 'strerror', None) or error} (PEM files expected; a certificate "
                         "without its key inside needs --ssl-keyfile)") from None


def _check_root_path(root: str) -> str:
    """``--root-path`` without its trailing slash; it must be a plain path starting with '/'."""
    root = root.rstrip("/")
    if root and (not root.startswith("/") or any(c in root for c in "?# \t\n\r")):
        raise ServeError(f"--root-path {root!r} must be a path such as /cloudkg (the prefix your proxy adds)")
    return root


def serve_options(host: str, *, api_key_file: str | None = None, public: bool = False, access_log: bool = False,
                  ssl_certfile: str | None = None, ssl_keyfile: str | None = None, root_path: str = "",
                  reload: Callable[[], KnowledgeGraph] | None = None) -> ServeOptions:
    """Checked :class:`ServeOptions`; raises :class:`ServeError` (a non-loopback bind needs a key or ``public``)."""
    key = _read_key(api_key_file)
    if key is None and not public and not is_loopback(host):
        raise ServeError(f"--host {host} is not a loopback address, so anyone who can reach it could use this "
                         "server: set an API key ($CLOUDKG_API_KEY or --api-key-file FILE), or pass --public "
                         "if something in front (a proxy, a firewall) controls who gets in")
    _check_tls(ssl_certfile, ssl_keyfile)
    return ServeOptions(api_key=key, access_log=access_log, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                        root_path=_check_root_path(root_path), reload=reload)

"""Test infrastructure: real `kg serve` processes on free loopback ports, and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, **env: str) -> subprocess.Popen:
    """`kg serve --port PORT` with extra environment, once it accepts connections (at most 60 s)."""
    process = subprocess.Popen([sys.executable, "-m", "kg.faces.cli", "serve", "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    """Terminate, and kill if it has not stopped within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[dev]'"
    if not CHROMIUM.is_file():
        return "Chromium is missing: run `make browser-deps` (apt-get install chromium)"
    return None


def need_browser() -> None:
    """Skip loudly without Chromium and Playwright; in CI, fail: there they must run."""
    reason = _missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"BROWSER TESTS CANNOT RUN IN CI: {reason}")
    if reason:
        pytest.skip(f"!!! BROWSER TESTS SKIPPED: {reason} !!!")

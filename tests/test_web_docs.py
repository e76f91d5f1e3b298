"""``/docs`` works offline: Swagger UI and all its assets come from the server, never a CDN."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kg.faces.web_docs import SWAGGER_DIR, add_offline_docs
from tests.servers import CHROMIUM, need_browser

BASE = "http://127.0.0.1"
REFERENCE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
# What each referenced asset must be: content type prefix and a size no stub file reaches.
EXPECTED = {
    "swagger-ui-bundle.js": (("text/javascript", "application/javascript"), 500_000),
    "swagger-ui.css": (("text/css",), 50_000),
    "favicon-32x32.png": (("image/png",), 200),
}


def _standalone_app() -> FastAPI:
    app = FastAPI(title="probe", docs_url=None, redoc_url=None)

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    add_offline_docs(app)
    return app


@pytest.fixture(scope="module")
def server_app(g) -> FastAPI:
    """The real server app, once ``create_app`` serves the offline docs."""
    from kg.faces.server import create_app

    app = create_app(g)
    assert any(getattr(route, "path", "") == "/docs-assets" for route in app.routes)
    return app


def _check_docs(client: TestClient, prefix: str = "") -> list[str]:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "http://" not in page and "https://" not in page, "the docs page names an external URL"
    references = REFERENCE.findall(page)
    assert len(references) == 3, references
    for url in references:
        assert url.startswith(prefix + "/docs-assets/"), url
    assert f"url: '{prefix}/openapi.json'" in page
    assert '"validatorUrl": null' in page
    return [url.removeprefix(prefix) for url in references]


def _check_assets(client: TestClient, urls: list[str]) -> None:
    assert {url.rsplit("/", 1)[1] for url in urls} == set(EXPECTED)
    for url in urls:
        types, least = EXPECTED[url.rsplit("/", 1)[1]]
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(types), (url, response.headers["content-type"])
        assert len(response.content) >= least, url
        assert response.content == (SWAGGER_DIR / url.rsplit("/", 1)[1]).read_bytes()


def test_docs_page_and_assets_are_served_locally():
    with TestClient(_standalone_app(), base_url=BASE) as client:
        _check_assets(client, _check_docs(client))
        assert client.get("/openapi.json").json()["paths"].keys() == {"/ping"}


def test_docs_bundle_is_swagger_ui():
    text = (SWAGGER_DIR / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    assert "SwaggerUIBundle" in text and "For license information" in text
    readme = (SWAGGER_DIR / "README.md").read_text(encoding="utf-8")
    assert "swagger-ui-dist@" in readme and "Apache-2.0" in readme
    assert (SWAGGER_DIR / "LICENSE").is_file() and (SWAGGER_DIR / "NOTICE").is_file()


def test_docs_urls_follow_the_root_path():
    with TestClient(_standalone_app(), base_url=BASE, root_path="/kg") as client:
        urls = _check_docs(client, prefix="/kg")
        assert all(url.startswith("/docs-assets/") for url in urls)


def test_odd_root_path_cannot_break_out_of_the_page_script():
    with TestClient(_standalone_app(), base_url=BASE, root_path="/a'b</script>") as client:
        page = client.get("/docs").text
    assert "url: '/a%27b%3C/script%3E/openapi.json'" in page and page.count("</script>") == 2


def test_oauth2_redirect_page():
    with TestClient(_standalone_app(), base_url=BASE) as client:
        response = client.get("/docs/oauth2-redirect")
        assert response.status_code == 200 and "oauth2" in response.text.lower()
        assert "http://" not in response.text and "https://" not in response.text


def test_docs_routes_stay_out_of_the_schema():
    app = _standalone_app()
    with TestClient(app, base_url=BASE) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert not any(path.startswith("/docs") for path in paths)


def test_missing_asset_is_404_not_a_traceback():
    with TestClient(_standalone_app(), base_url=BASE) as client:
        assert client.get("/docs-assets/nope.js").status_code == 404
        assert client.get("/docs-assets/../web_docs.py").status_code == 404


def test_no_docs_without_openapi():
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    add_offline_docs(app)
    with TestClient(app, base_url=BASE) as client:
        assert client.get("/docs").status_code == 404


def test_server_app_docs_are_offline(server_app):
    with TestClient(server_app, base_url=BASE) as client:
        _check_assets(client, _check_docs(client))
        assert client.get("/redoc").status_code == 404


def test_docs_pages_carry_a_policy_allowing_only_their_own_inline_script():
    import base64
    import hashlib

    with TestClient(_standalone_app(), base_url=BASE) as client:
        for path in ("/docs", "/docs/oauth2-redirect"):
            response = client.get(path)
            policy = response.headers["content-security-policy"]
            scripts = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
            assert scripts and "unsafe-inline" not in policy and "default-src 'self'" in policy
            for script in scripts:
                digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
                assert f"'sha256-{digest}'" in policy
            assert response.headers["x-content-type-options"] == "nosniff"


def test_docs_render_in_a_browser_with_no_network(tmp_path):
    """Headless Chromium with every non-loopback request sent to a dead proxy: the operations render,
    and the console reports no Content-Security-Policy violation."""
    need_browser()
    import socket
    import subprocess
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_standalone_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start within 20 s"
        result = subprocess.run(
            [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={tmp_path}", "--proxy-server=127.0.0.1:9", "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=8000", "--dump-dom", f"http://127.0.0.1:{port}/docs"],
            capture_output=True, text=True, timeout=90)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert 'class="opblock' in result.stdout and "/ping" in result.stdout, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not [line for line in console if "Content Security Policy" in line], console

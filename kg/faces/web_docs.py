"""Interactive API docs at ``/docs`` that work offline: Swagger UI served from the package.

The Swagger UI files are vendored under ``kg/web/static/swagger/`` (see its README for the
version and license) and mounted at ``/docs-assets``, so the page loads no script, style or
image from anywhere but this server. URLs honour the ASGI ``root_path`` (``kg serve --root-path``).

>>> from fastapi import FastAPI
>>> app = FastAPI(docs_url=None, redoc_url=None)
>>> add_offline_docs(app)
>>> sorted(r.path for r in app.routes if r.path.startswith("/docs"))
['/docs', '/docs-assets', '/docs/oauth2-redirect']
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["ASSETS_PATH", "SWAGGER_DIR", "add_offline_docs"]

SWAGGER_DIR = Path(__file__).parent / "web" / "static" / "swagger"
ASSETS_PATH = "/docs-assets"
DOCS_PATH = "/docs"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
# validatorUrl None: Swagger UI would otherwise ask validator.swagger.io about the spec.
SWAGGER_PARAMETERS = {"validatorUrl": None}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# The browser holds the page to this server too; the page's one inline script is allowed by its hash.
_POLICY = ("default-src 'self'; script-src 'self' {hashes}; img-src 'self' data:; connect-src 'self'; "
           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def add_offline_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` (and ``/docs/oauth2-redirect``) from vendored package files.

    Build the app with ``docs_url=None, redoc_url=None`` so FastAPI's CDN-based page is off.
    Does nothing when the app has no OpenAPI schema (``openapi_url=None``).
    """
    if app.openapi_url is None:
        return
    if not (SWAGGER_DIR / "swagger-ui-bundle.js").is_file():
        raise RuntimeError(f"Swagger UI files are missing from {SWAGGER_DIR}; reinstall cloudkg")
    app.mount(ASSETS_PATH, StaticFiles(directory=SWAGGER_DIR), name="docs-assets")
    title = html.escape(f"{app.title} - API docs")
    openapi_url = app.openapi_url

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # Quoted: the root path lands inside a JavaScript string in the page.
        root = quote(request.scope.get("root_path", "").rstrip("/"), safe="/-._~")
        assets = root + ASSETS_PATH
        return _with_policy(get_swagger_ui_html(
            openapi_url=root + openapi_url, title=title,
            swagger_js_url=f"{assets}/swagger-ui-bundle.js", swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_PATH, swagger_ui_parameters=SWAGGER_PARAMETERS))

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return _with_policy(get_swagger_ui_oauth2_redirect_html())


def _with_policy(response: HTMLResponse) -> HTMLResponse:
    """``response`` with a Content-Security-Policy allowing its own inline scripts (by hash) and nothing remote."""
    scripts = _INLINE_SCRIPT.findall(bytes(response.body).decode("utf-8"))
    hashes = " ".join("'sha256-{}'".format(base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode())
                      for s in scripts)
    response.headers["Content-Security-Policy"] = _POLICY.format(hashes=hashes)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

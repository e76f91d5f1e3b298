"""Where the pages link to: served URLs (``/concept/S3?lang=ko``) or files of the static export.

>>> Links().concept("S3")
'/concept/S3'
>>> Links(lang="ko", base="/kg").az()
'/kg/az?lang=ko'
>>> Links(static=True, depth=1).concept("S3"), Links(static=True).asset("app.css")
('../concept/S3.html', 'static/app.css')
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["Links"]


@dataclass(frozen=True)
class Links:
    """URL builder for one page: the language, the server's root path, or a static file's depth."""

    lang: str = "en"
    base: str = ""
    static: bool = False
    depth: int = 0

    def _page(self, path: str, query: str = "") -> str:
        if self.static:
            return "../" * self.depth + (path or "index") + ".html"
        params = "&".join(p for p in (query, "" if self.lang == "en" else f"lang={self.lang}") if p)
        return f"{self.base}/{path}" + (f"?{params}" if params else "")

    def home(self, query: str = "") -> str:
        return self._page("", query)

    def concept(self, concept_id: str) -> str:
        return self._page(f"concept/{quote(concept_id, safe='')}")

    def category(self, category_id: str) -> str:
        return self._page(f"category/{quote(category_id, safe='')}")

    def az(self) -> str:
        return self._page("az")

    def classes(self) -> str:
        return self._page("classes")

    def asset(self, name: str) -> str:
        return ("../" * self.depth if self.static else f"{self.base}/") + f"static/{name}"

    def root(self) -> str:
        """The site root, as the page script sees it (``/kg`` or ``../``)."""
        return "../" * self.depth if self.static else self.base

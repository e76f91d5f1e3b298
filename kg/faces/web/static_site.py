"""The glossary as static HTML files that open from disk: no server, relative links, local search.

>>> import tempfile
>>> from kg.graph import KnowledgeGraph
>>> with tempfile.TemporaryDirectory() as folder:
...     written = export_site(KnowledgeGraph.load(), Path(folder))
...     (Path(folder) / "concept" / "S3.html").is_file()
True
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from kg.faces.web import pages
from kg.faces.web.links import Links

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["export_site"]

STATIC_DIR = Path(__file__).parent / "static"
ASSETS = ("app.css", "app.js", "favicon.svg")


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def search_index(g: KnowledgeGraph, lang: str) -> list[dict[str, object]]:
    """Every concept's names (labels, aliases, abbreviation, misspellings) for the page's own search."""
    return [{"id": c.id, "label": c.label(lang), "definition": c.definition(lang),
             "names": sorted({name for name, _ in c.names()})}
            for c in sorted(g.knowledge.concepts.values(), key=lambda c: c.label(lang).lower())]


def _write_index(g: KnowledgeGraph, folder: Path, lang: str) -> None:
    """The search index as JSON, and as a script (a page opened from disk may not fetch files)."""
    data = json.dumps(search_index(g, lang), ensure_ascii=False)
    _write(folder / f"search-index.{lang}.json", data)
    _write(folder / f"search-index.{lang}.js", "window.KG_INDEX = " + data.replace("<", "\\u003c") + ";\n")


def export_site(g: KnowledgeGraph, folder: Path, lang: str = "en") -> int:
    """Write the glossary as static pages into ``folder``; the number of HTML pages written.

    ``lang`` is ``en`` or ``ko``. The question box and SPARQL tab are left out (they need a server).
    """
    if lang not in ("en", "ko"):
        raise ValueError(f"the site language must be 'en' or 'ko', not {lang!r}")
    folder = Path(folder)
    top, nested = Links(lang=lang, static=True), Links(lang=lang, static=True, depth=1)
    pages_out = {
        "index.html": pages.home_page(top),
        "az.html": pages.az_page(g, top),
        "classes.html": pages.classes_page(g, top),
    }
    for concept_id in g.knowledge.concepts:
        pages_out[f"concept/{concept_id}.html"] = pages.concept_page(g, concept_id, nested)
    for category_id in g.knowledge.categories:
        pages_out[f"category/{category_id}.html"] = pages.category_page(g, category_id, nested)
    for name, content in pages_out.items():
        _write(folder / name, content)
    _write_index(g, folder, lang)
    (folder / "static").mkdir(parents=True, exist_ok=True)
    for asset in ASSETS:
        shutil.copyfile(STATIC_DIR / asset, folder / "static" / asset)
    return len(pages_out)

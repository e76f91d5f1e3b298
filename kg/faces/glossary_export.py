"""The glossary as rows, rendered as text, Markdown, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["glossary_rows", "render_glossary"]

COLUMNS = ("id", "term", "other_language", "abbreviation", "expansion", "category", "definition", "sources")


def glossary_rows(g: KnowledgeGraph, lang: str = "en") -> list[dict[str, str]]:
    """One row per concept, sorted by its label in ``lang``."""
    other = "ko" if lang == "en" else "en"
    rows = []
    for concept in g.knowledge.concepts.values():
        category = g.knowledge.categories.get(concept.category or "", {})
        rows.append({
            "id": concept.id, "term": concept.label(lang), "other_language": concept.labels.get(other, ""),
            "abbreviation": concept.abbreviation or "", "expansion": concept.expansion or "",
            "category": category.get(lang) or category.get("en", ""),
            "definition": concept.definition(lang),
            "sources": "; ".join(g.knowledge.sources.get(s, s) for s in concept.sources),
        })
    return sorted(rows, key=lambda r: r["term"].casefold())


def render_glossary(rows: list[dict[str, str]], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    if fmt == "md":
        cell = lambda text: text.replace("|", "\\|")  # noqa: E731
        lines = ["| term | | abbreviation | category | definition |", "|---|---|---|---|---|"]
        lines += [f"| {cell(r['term'])} | {cell(r['other_language'])} | {cell(r['abbreviation'])} | "
                  f"{cell(r['category'])} | {cell(r['definition'])} |" for r in rows]
        return "\n".join(lines) + "\n"
    return "".join(f"{r['term']} ({r['other_language']}) [{r['category']}]\n    {r['definition']}\n" for r in rows)

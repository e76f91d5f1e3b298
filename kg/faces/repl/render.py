"""Answers as readable rich blocks: answer lists, definition cards, evidence trees, SPARQL, paths."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from kg.answers.answer import Answer, evidence_outline

__all__ = ["render_answer", "render_card", "render_error", "render_neighbours"]


def render_error(answer: Answer) -> RenderableType:
    """The question with a red caret under the position, the message and the suggestions."""
    error = answer.error or {}
    parts: list[RenderableType] = []
    position = error.get("position")
    if position is not None:
        parts.append(Text(answer.question))
        parts.append(Text(" " * min(position, len(answer.question)) + "^", style="bold red"))
    parts.append(Text(error.get("message", "error"), style="red"))
    if error.get("expected"):
        parts.append(Text("expected: " + ", ".join(error["expected"]), style="dim"))
    if error.get("suggestions"):
        parts.append(Text("did you mean: " + ", ".join(error["suggestions"]) + "?", style="yellow"))
    if error.get("example"):
        parts.append(Text(f"try: {error['example']}", style="cyan"))
    return Group(*parts)


def render_card(card: dict[str, Any], lang: str = "en") -> RenderableType:
    """A definition card: both labels, abbreviation, both definitions, category, sources."""
    labels = card["labels"]
    title = labels.get(lang) or labels.get("en", card["id"])
    other = labels.get("ko" if lang == "en" else "en")
    body = Text()
    if card.get("abbreviation"):
        body.append(f"{card['abbreviation']}", style="bold")
        body.append(f" — {card.get('expansion') or ''}\n")
    for code in ("en", "ko"):
        if code in card["definitions"]:
            body.append(f"[{code}] ", style="dim")
            body.append(card["definitions"][code] + "\n")
    if card.get("aliases"):
        body.append("also: " + ", ".join(card["aliases"]) + "\n", style="dim")
    for source in card["sources"]:
        body.append(f"source: {source['label']}\n", style="dim")
    subtitle = card.get("category") or ""
    body.rstrip()  # in place
    return Panel(body, title=f"[bold]{title}[/]" + (f"  ({other})" if other and other != title else ""),
                 subtitle=subtitle, expand=False)


def render_neighbours(card: dict[str, Any], lang: str = "en") -> RenderableType:
    """A term's relations in both directions, as a tree."""
    tree = Tree(f"[bold]{card['labels'].get(lang) or card['labels'].get('en')}[/]")
    outgoing = tree.add("[green]→ outgoing[/]")
    for relation in card["outgoing"]:
        outgoing.add(relation["text"] + (" [dim](inferred)[/]" if relation["inferred"] else ""))
    incoming = tree.add("[magenta]← incoming[/]")
    for relation in card["incoming"]:
        incoming.add(relation["text"])
    return tree


def _evidence_tree(answer: Answer) -> Tree:
    tree = Tree("[bold]evidence[/]")
    rules = {e.text: e.rule for e in answer.evidence if e.inferred}
    branches: list[Tree] = [tree]
    for depth, kind, text in evidence_outline(answer):
        label = {"inferred": f"{text} [dim]({rules.get(text)})[/]", "source": f"[dim]{text}[/]"}.get(kind, text)
        del branches[depth + 1:]
        branches.append(branches[-1].add(label))
    return tree


def _answer_body(answer: Answer, lang: str) -> RenderableType:
    if answer.kind == "definition" and answer.details:
        head = Text(answer.text, style="bold") if answer.core and answer.core.startswith("EXPAND") else Text("")
        return Group(head, render_card(answer.details, lang)) if head.plain else render_card(answer.details, lang)
    if answer.kind in ("entities", "count", "clarify", "mentions") and answer.answers:
        table = Table(show_header=answer.kind != "clarify", box=None, pad_edge=False)
        table.add_column("answer", style="bold cyan")
        table.add_column("definition", overflow="fold")
        for entity in answer.answers:
            table.add_row(entity.label, entity.definition)
        head = answer.text.splitlines()[0] if answer.kind in ("clarify", "mentions") else (
            f"{answer.count}" if answer.kind == "count" else f"{len(answer.answers)} answer(s)")
        return Group(Text(head, style="bold"), table)
    if answer.kind == "path" and answer.path:
        lines = Text()
        for number, path in enumerate(answer.path, 1):
            lines.append(f"path {number}\n", style="bold")
            for step in path:
                lines.append(("  → " if step["forward"] else "  ← ") + step["text"] + "\n")
        return lines
    style = {True: "bold green", False: "bold red"}.get(answer.boolean, "bold") if answer.kind == "boolean" else ""
    return Text(answer.text, style=style)


def render_answer(answer: Answer, lang: str = "en", explain: bool = False, sparql: bool = False) -> RenderableType:
    """The whole block for one answer."""
    if answer.error is not None:
        return render_error(answer)
    parts: list[RenderableType] = [_answer_body(answer, lang)]
    if answer.interpretation and answer.interpretation != answer.question:  # what was answered: learn the form
        parts.insert(0, Text(("해석: " if lang == "ko" else "read as: ") + answer.interpretation, style="dim"))
    if explain:
        if answer.core:
            parts.append(Text(f"core: {answer.core}", style="dim"))
        if answer.evidence:
            parts.append(_evidence_tree(answer))
    if sparql and answer.sparql:
        parts.append(Syntax(answer.sparql.rstrip(), "sparql", theme="ansi_dark", word_wrap=True))
    if answer.followups:
        parts.append(Text("next: " + " | ".join(answer.followups), style="dim italic"))
    return Group(*parts)

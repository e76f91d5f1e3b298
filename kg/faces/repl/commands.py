"""Meta commands, registered in one place; `.help` is generated from the registry.

>>> sorted(REGISTRY)[:3]
['.define', '.explain', '.export']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.faces.repl.state import ExitRepl, ReplState

__all__ = ["Command", "REGISTRY", "command", "run_command"]

Handler = Callable[[ReplState, str], Any]


@dataclass(frozen=True)
class Command:
    name: str
    args: str
    help: str
    handler: Handler


REGISTRY: dict[str, Command] = {}


def command(name: str, help: str, args: str = "") -> Callable[[Handler], Handler]:
    """Register a meta command."""

    def register(handler: Handler) -> Handler:
        REGISTRY[name] = Command(name, args, help, handler)
        return handler

    return register


def run_command(state: ReplState, line: str) -> Any:
    """Run ``.name args``; the result is something rich can print."""
    name, _, arg = line.strip().partition(" ")
    found = REGISTRY.get(name.lower())
    if found is None:
        import difflib

        close = difflib.get_close_matches(name, list(REGISTRY), n=1)
        return f"unknown command {name!r}" + (f"; did you mean {close[0]}?" if close else "; try .help")
    return found.handler(state, arg.strip())


def _toggle(arg: str, current: bool) -> bool:
    if arg in ("on", "off"):
        return arg == "on"
    return not current


@command(".help", "this help, with example questions")
def _help(state: ReplState, arg: str) -> str:
    from queries.parser import EXAMPLES

    lines = ["Ask a question in controlled English or simple Korean; Tab completes; Ctrl-R searches history.", ""]
    lines += [f"  {c.name} {c.args}".ljust(26) + c.help for c in REGISTRY.values()]
    lines += ["", "Example questions:"] + [f"  {example}" for example in EXAMPLES]
    return "\n".join(lines)


@command(".lang", "answer in English or Korean, or (auto) in each question's language", "en|ko|auto")
def _lang(state: ReplState, arg: str) -> str:
    if arg not in ("en", "ko", "auto"):
        return f"language is {state.lang or 'auto'}; use .lang en, .lang ko or .lang auto"
    state.lang = None if arg == "auto" else arg
    return f"language: {arg}"


@command(".explain", "show the core form and the evidence (all of it with 'all')", "on|off|all")
def _explain(state: ReplState, arg: str) -> str:
    state.all_evidence = arg == "all"
    state.explain = True if state.all_evidence else _toggle(arg, state.explain)
    shown = "on, all evidence" if state.all_evidence else "on" if state.explain else "off"
    return f"explain: {shown}"


@command(".sparql", "show each question as SPARQL", "on|off")
def _sparql(state: ReplState, arg: str) -> str:
    state.sparql = _toggle(arg, state.sparql)
    return f"sparql: {'on' if state.sparql else 'off'}"


@command(".define", "a term's glossary card", "TERM")
def _define(state: ReplState, arg: str) -> Any:
    from kg.faces.repl.render import render_answer

    if not arg:
        return "usage: .define TERM"
    answer = state.g.define(arg, lang=state.lang)
    return render_answer(answer, answer.lang)


@command(".neighbors", "a term's relations in both directions", "TERM")
def _neighbors(state: ReplState, arg: str) -> Any:
    from kg.answers.language import answer_lang
    from kg.engine.errors import KnowledgeError
    from kg.faces.repl.render import render_neighbours

    try:
        concept = state.g.resolve(arg)
    except KnowledgeError as error:
        return str(error)
    lang = answer_lang(arg, state.lang)
    return render_neighbours(state.g.card(concept.id, lang), lang)


@command(".load", "add your own Turtle (validated; nothing half-loaded)", "FILE.ttl [--allow-override]")
def _load(state: ReplState, arg: str) -> str:
    from kg.engine.conflicts import split_files
    from kg.engine.errors import KnowledgeError
    from kg.graph import KnowledgeGraph

    allow = "--allow-override" in arg.split()
    name = arg.replace("--allow-override", "").strip()
    if not name:
        return "usage: .load FILE.ttl [--allow-override]"
    path = Path(name).expanduser()
    bundled, loaded = split_files(state.g.files)  # --data files too, not only earlier .load ones
    allow = allow or state.g.allow_override
    files = list(dict.fromkeys([*loaded, path]))
    try:  # started with --kb (no bundled file loaded): the new file joins that knowledge, not the bundled one
        state.g = (KnowledgeGraph.load(files, allow_override=allow) if bundled
                   else KnowledgeGraph.load(kb=files, allow_override=allow))
    except KnowledgeError as error:
        return f"not loaded: {error}"
    state.extra.append(path)
    lines = [f"loaded {path}: {len(state.g.knowledge.concepts)} concepts"]
    return "\n".join([*lines, *(f"warning: {w}" for w in state.g.warnings)])


@command(".export", "write the knowledge to a file (.ttl .nt .jsonld .xml)", "FILE")
def _export(state: ReplState, arg: str) -> str:
    from kg.answers.export import FORMATS

    if not arg:
        return "usage: .export FILE.ttl"
    fmt = Path(arg).suffix.lstrip(".") or "ttl"
    if fmt not in FORMATS:
        return f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}"
    try:
        Path(arg).expanduser().write_text(state.g.export(fmt), encoding="utf-8")
    except OSError as error:
        return f"cannot write {arg}: {error.strerror}"
    return f"wrote {arg}"


@command(".quit", "leave (Ctrl-D does too)")
def _quit(state: ReplState, arg: str) -> None:
    raise ExitRepl

"""The REPL loop: an interactive prompt_toolkit session on a terminal, plain lines when piped."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kg.faces.repl.commands import REGISTRY, run_command
from kg.faces.repl.state import ExitRepl, ReplState
from kg.faces.repl.suggest import Vocabulary, suggest

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession

    from kg.graph import KnowledgeGraph

__all__ = ["build_session", "history_path", "run_repl", "vocabulary_for"]

# How questions begin, for completion at the start of a line (the grammar's own keywords).
STARTERS = ["what", "which", "where", "how many", "how is", "is", "are", "does", "define", "describe",
            "explain", "list", "tell me about"]


def history_path() -> Path:
    """The history file in the user's data directory (XDG)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cloudkg" / "history"


def vocabulary_for(g: KnowledgeGraph) -> Vocabulary:
    """Everything completable, read from the loaded knowledge and the command registry."""
    terms, meta = [], {}
    for concept in g.knowledge.concepts.values():
        names = [*concept.labels.values(), *(a for a, _ in concept.aliases), concept.abbreviation, concept.expansion]
        for name in filter(None, names):  # misspellings (hidden labels) are found, never offered
            if name not in meta:
                terms.append(name)
                meta[name] = concept.label()
    phrases = sorted({p for r in g.relations.values() for group in (r.verb3, r.verb, r.copula, r.where,
                                                                      r.noun, r.noun_plural) for p in group})
    classes = sorted({n for c in g.knowledge.classes.values() for group in (c.nouns, c.plurals) for n, _ in group})
    meta.update({c.name: c.help for c in REGISTRY.values()})
    return Vocabulary(terms=sorted(terms, key=str.casefold), phrases=phrases, classes=classes,
                      starters=STARTERS, commands=list(REGISTRY), meta=meta)


def _key_bindings(vocabulary: Vocabulary):
    """Tab and Ctrl-Space completion, and Enter in Ctrl-R search submitting the match."""
    from prompt_toolkit import search
    from prompt_toolkit.filters import is_searching
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("tab")
    def _tab(event) -> None:
        """Tab inserts the only completion at once, else opens the menu (and then moves through it)."""
        buffer = event.current_buffer
        if buffer.complete_state:
            buffer.complete_next()
            return
        items = suggest(buffer.document.text_before_cursor, vocabulary)
        if len(items) == 1:
            buffer.delete_before_cursor(-items[0].start_position)
            buffer.insert_text(items[0].text)
        elif items:
            buffer.start_completion(select_first=True)

    @bindings.add("c-space")
    def _complete(event) -> None:
        """Ctrl-Space opens the completion menu."""
        event.current_buffer.start_completion(select_first=False)

    @bindings.add("enter", filter=is_searching)
    def _accept_search_and_submit(event) -> None:
        """Enter in Ctrl-R search takes the match and submits it (instead of leaving the cursor mid-line)."""
        search.accept_search()
        event.app.current_buffer.validate_and_handle()

    return bindings


def build_session(state: ReplState, **options) -> PromptSession:
    """The prompt_toolkit session: completion, highlighting, history, key bindings."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.styles import Style

    from kg.faces.repl.highlight import QuestionLexer

    vocabulary = vocabulary_for(state.g)

    class ReplCompleter(Completer):
        """A thin wrapper around the pure :func:`suggest`."""

        def get_completions(self, document, complete_event):
            for item in suggest(document.text_before_cursor, vocabulary):
                yield Completion(item.text, start_position=item.start_position, display_meta=item.meta)

    history = options.pop("history", None)
    if history is None:
        try:
            path = history_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            history = FileHistory(str(path))
        except OSError:
            history = InMemoryHistory()
    style = Style.from_dict({"term": "ansicyan bold", "relation": "ansigreen", "noun": "ansimagenta",
                             "keyword": "ansiblue", "error": "bg:ansired ansiwhite", "prompt": "bold"})
    return PromptSession([("class:prompt", "kg> ")], completer=ReplCompleter(), lexer=QuestionLexer(state),
                         history=history, auto_suggest=AutoSuggestFromHistory(), key_bindings=_key_bindings(vocabulary),
                         style=style, complete_while_typing=False, **options)


def handle_line(state: ReplState, line: str):
    """A line's output: a command's result or an answer's rich block."""
    from kg.faces.repl.render import render_answer

    if line.startswith("."):
        return run_command(state, line)
    answer = state.ask(line)
    return render_answer(answer, answer.lang, explain=state.explain, sparql=state.sparql)


def _interactive(state: ReplState) -> int:
    from rich.console import Console

    console = Console()
    session = build_session(state)
    console.print("cloudkg — ask about cloud concepts. [dim].help for help, Ctrl-D to leave.[/]")
    while True:
        try:
            line = session.prompt().strip()
        except KeyboardInterrupt:  # Ctrl-C cancels the line
            continue
        except EOFError:  # Ctrl-D leaves
            return 0
        if not line:
            continue
        try:
            console.print(handle_line(state, line))
        except ExitRepl:
            return 0


def _piped(state: ReplState, lines: Iterable[str], out: TextIO, json_lines: bool) -> int:
    """No prompt and no colour: one answer per question line; commands work too."""
    from rich.console import Console

    console = Console(file=out, no_color=True, highlight=False, force_terminal=False, width=100)
    status = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("."):
            try:
                console.print(run_command(state, line))
            except ExitRepl:
                break
            continue
        answer = state.ask(line)
        status = status or (0 if answer.ok else 2)
        if json_lines:
            out.write(json.dumps(answer.to_dict(), ensure_ascii=False) + "\n")
        else:
            from kg.faces.repl.render import render_answer

            console.print(render_answer(answer, answer.lang, explain=state.explain, sparql=state.sparql))
        out.flush()
    return status


def run_repl(load: Callable[[], KnowledgeGraph], json_lines: bool = False, lang: str | None = None,
             stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the REPL: interactive on a terminal, line by line when stdin is piped.

    ``lang`` None answers each question in its own language (``.lang`` sets one).
    """
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    state = ReplState(load(), lang=lang)
    if stdin.isatty() and stdout.isatty() and not json_lines:
        return _interactive(state)
    return _piped(state, stdin, stdout, json_lines)

"""The grammar's LALR tables: shipped as a generated Python module, never cached in a shared folder.

Building the tables from ``grammar.lark`` takes about 75 ms; loading them from the generated
JSON file ``queries/grammar_tables.json`` (package data: plain JSON, nothing in it can run)
takes a few. The file records the fingerprint of the grammar and of lark's version it was made
from; when they differ, the tables are built from the grammar instead, so a stale file costs
time, never correctness. ``python -m queries.tables`` (``make tables``) writes it.

>>> fingerprint() == fingerprint()
True
>>> load().options.parser
'lalr'
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from lark import Lark

from queries.lexer import VocabularyLexer

__all__ = ["build", "fingerprint", "load", "write"]

GRAMMAR = Path(__file__).with_name("grammar.lark")
TABLES = Path(__file__).with_name("grammar_tables.json")
_OPTIONS: dict[str, Any] = {"parser": "lalr", "start": "start", "maybe_placeholders": False}


def fingerprint() -> str:
    """A hash of the grammar text, lark's version and the options the tables depend on."""
    import lark

    digest = hashlib.sha256(GRAMMAR.read_bytes())
    digest.update(f"lark={lark.__version__};{sorted(_OPTIONS.items())}".encode())
    return digest.hexdigest()


def build() -> Lark:
    """The parser built from the grammar file (slow path)."""
    return Lark.open(str(GRAMMAR), lexer=VocabularyLexer, **_OPTIONS)


def load() -> Lark:
    """The parser from the shipped tables when they match the grammar, else built from it."""
    try:
        shipped = json.loads(TABLES.read_bytes(), object_hook=_int_keys)
    except (OSError, ValueError):
        return build()
    if shipped.get("fingerprint") != fingerprint():
        return build()
    data = shipped["tables"]
    data["data"]["options"]["lexer"] = VocabularyLexer
    data["data"]["parser"]["lexer_conf"]["lexer_type"] = VocabularyLexer
    return Lark.__new__(Lark)._load(data)


def _tagged(value: Any) -> Any:
    """JSON-ready: dicts keyed by integers become ``{"__int_keys__": [[k, v], ...]}``."""
    if isinstance(value, dict):
        if value and all(isinstance(k, int) for k in value):
            return {"__int_keys__": [[k, _tagged(v)] for k, v in value.items()]}
        return {k: _tagged(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tagged(v) for v in value]
    return value


def _int_keys(obj: dict[str, Any]) -> dict[Any, Any]:
    """The inverse of :func:`_tagged`, as a JSON object hook.

    >>> json.loads(json.dumps(_tagged({1: {2: "a"}})), object_hook=_int_keys)
    {1: {2: 'a'}}
    """
    if len(obj) == 1 and "__int_keys__" in obj:
        return {k: v for k, v in obj["__int_keys__"]}
    return obj


def _serialised(parser: Lark) -> dict[str, Any]:
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    # The lexer is a class, not data: it is put back by load().
    data["options"]["lexer"] = None
    data["parser"]["lexer_conf"]["lexer_type"] = None
    return {"data": data, "memo": memo}


def write(path: Path = TABLES) -> Path:
    """Write the tables file for the current grammar and lark."""
    shipped = {"fingerprint": fingerprint(), "tables": _tagged(_serialised(build()))}
    path.write_text(json.dumps(shipped, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")

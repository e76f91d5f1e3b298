"""Build the engine's core from Turtle files: knowledge, store, glossary and lexicon, cached per content.

The cache is a private pickle (see :mod:`kg.engine.cache`), keyed by the files' content and the
engine's code; a stale or damaged one is rebuilt.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg.engine.errors import DataError
from kg.engine.glossary import Glossary
from kg.engine.model import Knowledge
from kg.engine.store import Store
from ontology import data_files
from queries.lexicon import Lexicon

__all__ = ["Core", "check_user_data", "fingerprint", "load_core"]

CACHE_FORMAT = 5
_CODE_FILES = ("engine/load.py", "engine/infer.py", "engine/store.py", "engine/glossary.py", "engine/model.py",
               "engine/core.py", "engine/cache.py")


def fingerprint(files: Sequence[Path]) -> str:
    """The cache key: the files' paths and bytes, and the code that reads them."""
    digest = hashlib.sha256(f"format={CACHE_FORMAT}".encode())
    kg_dir = Path(__file__).parent.parent
    queries_dir = kg_dir.parent / "queries"
    for code in [*(kg_dir / name for name in _CODE_FILES), *sorted(queries_dir.glob("*.py"))]:
        stat = code.stat()
        digest.update(f"{code.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for path in files:
        digest.update(str(path).encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:24]


@dataclass
class Core:
    """Everything read from the files, ready to answer: plain data the cache can hold."""

    knowledge: Knowledge
    store: Store
    glossary: Glossary
    lexicon: Lexicon
    # What comes from user files (see kg.engine.conflicts.empty_provenance) and the shared-name warnings.
    provenance: dict[str, dict] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        # The lexicon's suggest is a bound method: a cache must not name functions, so it is
        # dropped here and linked again on load.
        state = dict(self.__dict__)
        state["lexicon"] = replace(self.lexicon, suggest=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lexicon.suggest = self.glossary.suggest


def _build_lexicon(knowledge: Knowledge, glossary: Glossary) -> Lexicon:
    return Lexicon.build(
        terms=((c.id, c.names()) for c in knowledge.concepts.values()),
        classes=((c.id, [n for n, _ in c.nouns], [n for n, _ in c.plurals] +
                  [n for n, lang in c.nouns if lang != "en"]) for c in knowledge.classes.values()),
        relations=knowledge.relations.values(),
        suggest=glossary.suggest,
    )


def build_core(files: Sequence[Path]) -> Core:
    """Parse, read, infer and index ``files`` (bundled first, then the user's)."""
    from kg.engine.conflicts import shared_name_warnings, split_files, user_provenance
    from kg.engine.infer import materialise
    from kg.engine.load import parse_files, read_knowledge

    bundled_files, user_files = split_files(files)
    graph = bundled = bundled_graph(bundled_files)
    user = {str(p): parse_files([p]) for p in user_files}
    if user:  # the bundled graph stays apart so that what each user file brings can be marked
        graph = parse_files([])
        for part in (bundled, *user.values()):
            graph += part
    knowledge = read_knowledge(graph, files)
    inferred = materialise(knowledge.facts, knowledge.relations,
                           source=", ".join(str(p) for p in user_files) or "inference")
    store = Store(inferred, knowledge.facts)
    glossary = Glossary(knowledge.concepts.values())
    provenance = user_provenance(bundled, user, knowledge) if user else {}
    warnings = tuple(shared_name_warnings(bundled, user)) if user else ()
    return Core(knowledge, store, glossary, _build_lexicon(knowledge, glossary), provenance, warnings)


def _cached_classes() -> list[type]:
    """The only classes a cache file may name (see :func:`kg.engine.cache.safe_loads`)."""
    from networkx import MultiDiGraph

    from kg.engine.infer import Derivation
    from kg.engine.model import ClassInfo, Concept
    from queries.lexicon import Entry, RelationInfo

    return [Core, Knowledge, Store, Glossary, Lexicon, Derivation, ClassInfo, Concept, Entry, RelationInfo,
            MultiDiGraph]


def load_core(files: Sequence[Path], use_cache: bool, key: str) -> Core:
    """The core of ``files``, from the private cache under ``key`` when it is sound."""
    if not use_cache:
        return build_core(files)
    from kg.engine.cache import cache_dir, private_dir, read_private, safe_loads, write_private

    folder = private_dir(cache_dir())
    if folder is None:
        return build_core(files)
    path = folder / f"kb-{key}.pickle"
    data = read_private(path)
    if data is not None:
        try:
            core = safe_loads(data, _cached_classes())
            if isinstance(core, Core):
                return core
        except Exception:  # a stale or damaged cache file: rebuild it
            pass
    core = build_core(files)
    write_private(path, pickle.dumps(core, protocol=pickle.HIGHEST_PROTOCOL))
    return core


_BUNDLED: dict[tuple, Any] = {}
_BUNDLED_LOCK = threading.Lock()


def bundled_graph(files: Sequence[Path]):
    """The bundled files parsed once per process (per content): callers only read it."""
    from kg.engine.load import parse_files

    key = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    with _BUNDLED_LOCK:
        if key not in _BUNDLED:
            _BUNDLED.clear()
            _BUNDLED[key] = parse_files(files)
        return _BUNDLED[key]


def check_user_data(paths: Sequence[Path], validate: bool, allow_override: bool) -> list[str]:
    """Validate user files and check them for conflicts; the conflicts accepted by ``allow_override``."""
    from kg.engine.conflicts import conflict_error, find_conflicts
    from kg.engine.load import parse_files

    bundled = bundled_graph(data_files())
    user = {str(p): parse_files([p]) for p in paths}
    if validate:
        from kg.engine.validate import validate_parts

        report = validate_parts(bundled, user)
        if not report.conforms:
            raise DataError(str(paths[0]), None, "does not satisfy the shapes", report.messages)
    conflicts = find_conflicts(bundled, user)
    if conflicts and not allow_override:
        raise conflict_error(conflicts)
    return [f"overriding the bundled knowledge: {c.describe()}" for c in conflicts]

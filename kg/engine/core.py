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

__all__ = ["Core", "build_lexicon", "check_user_data", "fingerprint", "load_core"]

CACHE_FORMAT = 6
_CODE_FILES = ("engine/load.py", "engine/infer.py", "engine/store.py", "engine/glossary.py", "engine/model.py",
               "engine/core.py", "engine/cache.py", "engine/vocab/reader.py", "engine/vocab/skos.py",
               "engine/vocab/phrases.py", "engine/vocab/formats.py")


_FINGERPRINTS: dict[tuple, str] = {}  # the last few, by the files' and code's size and time: a load asks twice


def fingerprint(files: Sequence[Path]) -> str:
    """The cache key: the files' paths and bytes, and the code that reads them."""
    digest = hashlib.sha256(f"format={CACHE_FORMAT}".encode())
    kg_dir = Path(__file__).parent.parent
    queries_dir = kg_dir.parent / "queries"
    for code in [*(kg_dir / name for name in _CODE_FILES), *sorted(queries_dir.glob("*.py"))]:
        stat = code.stat()
        digest.update(f"{code.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    key = (digest.hexdigest(), tuple(map(str, files)), _file_key(files))
    found = _FINGERPRINTS.get(key)
    if found is None:
        for path in files:
            digest.update(str(path).encode())
            digest.update(Path(path).read_bytes())
        found = digest.hexdigest()[:24]
        if len(_FINGERPRINTS) > 8:
            _FINGERPRINTS.clear()
        _FINGERPRINTS[key] = found
    return found


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


def build_lexicon(knowledge: Knowledge, glossary: Glossary) -> Lexicon:
    return Lexicon.build(
        terms=((c.id, c.names()) for c in knowledge.concepts.values()),
        classes=((c.id, [n for n, _ in c.nouns], [n for n, _ in c.plurals] +
                  [n for n, lang in c.nouns if lang != "en"]) for c in knowledge.classes.values()),
        relations=knowledge.relations.values(),
        suggest=glossary.suggest,
        attributes=knowledge.attributes.values(),
    )


def build_core(files: Sequence[Path]) -> Core:
    """Parse, read, infer and index ``files`` (bundled first, then the user's; no bundled file: a --kb build).

    Each file is parsed once (pyoxigraph, see :mod:`kg.engine.triples`), shared with
    :func:`check_user_data`, and read through a union view rather than merged into one graph.
    """
    from kg.engine.conflicts import shared_name_warnings, split_files, user_provenance

    bundled_files, user_files = split_files(files)
    parts = _take_parts(bundled_files, user_files)
    knowledge, inferred = parts.closure(files, user_files)
    store = Store(inferred, knowledge.facts)
    glossary = Glossary(knowledge.concepts.values())
    mixed = bool(parts.user and bundled_files)
    provenance = user_provenance(parts.bundled, parts.user, knowledge) if mixed else {}
    warnings = tuple(shared_name_warnings(parts.bundled, parts.user)) if mixed else ()
    return Core(knowledge, store, glossary, build_lexicon(knowledge, glossary), provenance, warnings)


@dataclass
class _Parts:
    """The files of one load, each parsed once: the bundled index and each user file as the engine reads it.

    ``raw``: each user file as parsed (an rdflib graph for a vocabulary, for the SKOS checks);
    ``own``: the user files written to the project's profile (checked against the SHACL shapes).
    """

    bundled: Any
    user: dict[str, Any]
    raw: dict[str, Any]
    own: set[str]
    has_bundled: bool
    _closure: tuple | None = None  # (files, knowledge, inferred)

    def graph(self):
        """Everything, read as one graph (nothing copied)."""
        from kg.engine.triples import UnionIndex

        parts = [*([self.bundled] if self.has_bundled else []), *self.user.values()]
        return parts[0] if len(parts) == 1 else UnionIndex(parts)

    def closure(self, files: Sequence[Path], user_files: Sequence[Path]) -> tuple[Knowledge, dict]:
        """The knowledge of all the files and its inferred closure, read once per load."""
        names = tuple(str(f) for f in files)
        if self._closure is None or self._closure[0] != names:
            from kg.engine.infer import materialise
            from kg.engine.load import read_knowledge

            knowledge = read_knowledge(self.graph(), files)
            inferred = materialise(knowledge.facts, knowledge.relations,
                                   source=", ".join(str(p) for p in user_files) or "inference")
            self._closure = (names, knowledge, inferred)
        return self._closure[1], self._closure[2]


_PARTS: dict[tuple, _Parts] = {}  # at most one: parsed by check_user_data, taken by build_core
_PARTS_LOCK = threading.Lock()


def _file_key(paths: Sequence[Path]) -> tuple:
    """Each file's path, size and time (a missing file is reported when it is parsed)."""
    key = []
    for path in map(Path, paths):
        try:
            stat = path.stat()
            key.append((str(path.resolve()), stat.st_size, stat.st_mtime_ns))
        except OSError:
            key.append((str(path), -1, -1))
    return tuple(key)


def _read_parts(bundled_files: Sequence[Path], user_files: Sequence[Path]) -> _Parts:
    """Parse the files: the bundled ones once per process, each user file once."""
    from kg.engine.limits import check_file, max_file_bytes
    from kg.engine.triples import TripleIndex, index_of_graph, parse_index
    from kg.engine.vocab.formats import parsed
    from kg.engine.vocab.reader import is_authoring_profile, normalise, taken_phrases

    bundled = bundled_index(bundled_files) if bundled_files else TripleIndex()
    taken = taken_phrases(bundled) if bundled_files else frozenset()
    user, raw, own = {}, {}, set()
    for path in user_files:
        check_file(path, max_file_bytes(None))
        index = parse_index(path)
        if is_authoring_profile(index):
            user[str(path)] = raw[str(path)] = index
            own.add(str(path))
        else:  # a vocabulary: rdflib's graph, for the SKOS checks and the reader that completes it
            raw[str(path)] = graph = parsed(path)
            user[str(path)] = index_of_graph(normalise(graph, taken))
    return _Parts(bundled, user, raw, own, bool(bundled_files))


def _parts(bundled_files: Sequence[Path], user_files: Sequence[Path]) -> _Parts:
    """The parsed files, kept (one load at a time) until :func:`build_core` takes them."""
    key = (_file_key(bundled_files), _file_key(user_files))
    with _PARTS_LOCK:
        found = _PARTS.get(key)
    if found is None:
        found = _read_parts(bundled_files, user_files)
        with _PARTS_LOCK:
            _PARTS.clear()
            _PARTS[key] = found
    return found


def _take_parts(bundled_files: Sequence[Path], user_files: Sequence[Path]) -> _Parts:
    """:func:`_parts`, no longer kept: the built core holds what is needed."""
    parts = _parts(bundled_files, user_files)
    forget_parts()
    return parts


def forget_parts() -> None:
    """Drop the parsed files kept between the check and the build (e.g. once a cached core is loaded)."""
    with _PARTS_LOCK:
        _PARTS.clear()


_BUNDLED_INDEX: dict[tuple, Any] = {}


def bundled_index(files: Sequence[Path]):
    """The bundled files as a :class:`~kg.engine.triples.TripleIndex`, parsed once per process (per content)."""
    from kg.engine.triples import TripleIndex, parse_index

    key = _file_key(files)
    with _BUNDLED_LOCK:
        if key not in _BUNDLED_INDEX:
            _BUNDLED_INDEX.clear()
            index = TripleIndex()
            for path in files:
                for triple in parse_index(path):
                    index.add(triple)
            _BUNDLED_INDEX[key] = index
        return _BUNDLED_INDEX[key]


def _cached_classes() -> list[type]:
    """The only classes a cache file may name (see :func:`kg.engine.cache.safe_loads`)."""
    from kg.engine.infer import Derivation
    from kg.engine.model import ClassInfo, Concept
    from queries.lexicon import AttributeInfo, Entry, RelationInfo

    return [Core, Knowledge, Store, Glossary, Lexicon, Derivation, ClassInfo, Concept, Entry, RelationInfo,
            AttributeInfo]


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
                forget_parts()  # parsed by the check, not needed now
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


MAX_WARNINGS = 12
"""How many vocabulary warnings a load reports before pointing to ``kg validate``."""


def check_user_data(paths: Sequence[Path], validate: bool, allow_override: bool, kb: bool = False) -> list[str]:
    """Validate user files and check them for conflicts; the warnings (accepted conflicts, vocabulary checks).

    A file in the project's own profile is checked for what the SHACL shapes require, directly in one
    pass (:mod:`kg.engine.checks`, which reports what pyshacl would; ``kg validate`` runs pyshacl); any other vocabulary
    against the SKOS checks (:mod:`kg.engine.vocab.checks`). ``kb``: no bundled knowledge to conflict with.
    A passing verdict is kept in the private cache per content (see :func:`verdict_key`), so the
    same files are not checked again.
    """
    key = verdict_key(paths, validate, allow_override, kb)
    known = _read_verdict(key)
    if known is not None:
        return known
    try:
        warnings = _check(paths, validate, allow_override, kb)
    except BaseException:
        forget_parts()  # nothing will be built from them
        raise
    _write_verdict(key, warnings)
    return warnings


def _check(paths: Sequence[Path], validate: bool, allow_override: bool, kb: bool) -> list[str]:
    """:func:`check_user_data` without the verdict cache."""
    from kg.engine.conflicts import conflict_error, find_conflicts

    bundled_files = [] if kb else list(data_files())
    parts = _parts(bundled_files, paths)
    raw = parts.raw
    own = {} if kb else {f: raw[f] for f in parts.own}
    vocabularies = {f: _rdflib_graph(f, g) for f, g in raw.items() if f not in own} if validate else {}
    warnings = _vocabulary_warnings(vocabularies)
    if validate and own:
        _check_shapes(parts.bundled, own, paths)
    if kb:
        return warnings
    union = parts.closure([*bundled_files, *paths], paths)
    conflicts = find_conflicts(parts.bundled, parts.user, union=union)
    if conflicts and not allow_override:
        raise conflict_error(conflicts)
    return warnings + [f"overriding the bundled knowledge: {c.describe()}" for c in conflicts]


def _check_shapes(bundled, own: dict, paths: Sequence[Path]) -> None:
    """The shapes' requirements checked directly (:mod:`kg.engine.checks`, which agrees with pyshacl in a
    linear pass; pyshacl itself runs in ``kg validate``); :class:`DataError` with the first problems."""
    from kg.engine.checks import check_files

    found = check_files(bundled, own)
    if not found.conforms:
        files = " ".join(own)
        raise DataError(str(paths[0]), None, f"does not satisfy the shapes ({found.count} problem"
                                             f"{'s' if found.count != 1 else ''})",
                        [*found.lines(), f"  run `kg validate {files}` for the full SHACL report"])


def _rdflib_graph(file: str, graph):
    """The rdflib graph the SKOS checks read (a file in the project's profile was parsed into an index)."""
    from kg.engine.triples import TripleIndex
    from kg.engine.vocab.formats import parsed

    return parsed(file) if isinstance(graph, TripleIndex) else graph


_VERDICT_CODE = ("engine/conflicts.py", "engine/validate.py", "engine/checks.py", "engine/triples.py",
                 "engine/vocab/checks.py")


def verdict_key(paths: Sequence[Path], validate: bool, allow_override: bool, kb: bool) -> str:
    """What a check's verdict depends on: the files' content, the checking code, the shapes and the options."""
    from ontology import shapes_file

    files = list(paths) if kb else [*data_files(), *paths]
    digest = hashlib.sha256(f"{fingerprint(files)}:{validate}:{allow_override}:{kb}".encode())
    kg_dir = Path(__file__).parent.parent
    for code in [*(kg_dir / name for name in _VERDICT_CODE), Path(shapes_file())]:
        if code.exists():
            stat = code.stat()
            digest.update(f"{code}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def _verdict_path(key: str) -> Path:
    from kg.engine.cache import cache_dir

    return cache_dir() / f"verdict-{key}.json"


def _read_verdict(key: str) -> list[str] | None:
    """The warnings of an earlier passing check of the same content, from the private cache; else None."""
    import json
    import warnings

    from kg.engine.cache import CacheWarning, read_private

    with warnings.catch_warnings():  # an unusable cache folder is reported when the core is cached
        warnings.simplefilter("ignore", CacheWarning)
        data = read_private(_verdict_path(key))
    try:
        verdict = json.loads(data) if data is not None else None
    except ValueError:
        return None
    found = verdict.get("warnings") if isinstance(verdict, dict) else None
    return found if isinstance(found, list) and all(isinstance(w, str) for w in found) else None


def _write_verdict(key: str, warnings_: list[str]) -> None:
    import json
    import warnings

    from kg.engine.cache import CacheWarning, private_dir, write_private

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CacheWarning)
        if private_dir(_verdict_path(key).parent) is not None:
            write_private(_verdict_path(key), json.dumps({"warnings": warnings_}).encode())


def _vocabulary_warnings(graphs: dict) -> list[str]:
    """The SKOS checks of each vocabulary file: errors raise :class:`DataError`, warnings are returned (capped)."""
    from kg.engine.vocab.checks import check_graph

    warnings: list[str] = []
    for file, graph in graphs.items():
        found = check_graph(graph, file)
        if found.errors:
            raise DataError(file, None, f"has {len(found.errors)} SKOS problem(s) that would make answers wrong",
                            [f"  - {e}" for e in found.errors])
        shown = found.warnings[:MAX_WARNINGS]
        more = len(found.warnings) - len(shown)
        warnings += shown + ([f"{file}: {more} more warning(s); run `kg validate {file}` for all"] if more else [])
    return warnings

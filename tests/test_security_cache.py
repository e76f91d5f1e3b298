"""Findings 1 and 2: no cache file another user could have written is ever unpickled."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import kg.engine.core as core_module
from kg.engine.cache import CacheWarning, read_private, safe_loads, write_private
from ontology import data_files

ROOT = Path(__file__).resolve().parent.parent


class _Planted:
    """A pickle that, when loaded by a plain unpickler, creates a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _load_bundled():
    files = data_files()
    return core_module.load_core(files, True, core_module.fingerprint(files))


def _cache_path(folder: Path) -> Path:
    return folder / f"kb-{core_module.fingerprint(data_files())}.pickle"


def test_grammar_tables_are_shipped_current():
    import json

    from queries import tables

    shipped = json.loads(tables.TABLES.read_text(encoding="utf-8"))
    assert shipped["fingerprint"] == tables.fingerprint(), "grammar changed: run `make tables`"


def test_shipped_tables_parse_like_the_grammar(g):
    from queries import tables
    from queries.lexer import Input
    from tests.conftest import golden_rows

    def outcome(parser, question: str) -> object:
        try:
            return parser.parse(Input(question, g.lexicon))
        except Exception as error:  # a question the grammar rejects must be rejected alike, at the same place
            expected = getattr(error, "expected", None) or getattr(error, "allowed", None) or ()
            return type(error).__name__, getattr(error, "column", None), sorted(expected)

    shipped, built = tables.load(), tables.build()
    for question, _, _ in golden_rows():
        assert outcome(shipped, question) == outcome(built, question), question


def test_asking_writes_nothing_to_the_temp_folder(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "CLOUDKG_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "kg.faces.cli", "ask", "what is S3"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Amazon S3" in done.stdout
    assert list(temp.iterdir()) == []


def test_cache_folder_is_private_and_used(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLOUDKG_CACHE_DIR", str(folder))
    first = _load_bundled()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct(_cache_path(folder).stat().st_mode & 0o777) == "0o600"

    def no_rebuild(files):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(core_module, "build_core", no_rebuild)
    again = _load_bundled()
    assert again.lexicon.suggest("Lamda") == first.lexicon.suggest("Lamda")
    assert again.store.has(("EBSSnapshot", "storedIn", "S3"))


def test_planted_pickle_in_own_cache_runs_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLOUDKG_CACHE_DIR", str(folder))
    marker = tmp_path / "pwned"
    assert write_private(_cache_path(folder), pickle.dumps(_Planted(marker)))
    core = _load_bundled()
    assert not marker.exists()
    assert core.store.has(("EBSSnapshot", "storedIn", "S3"))


def test_shared_cache_folder_is_refused_with_a_reason(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    marker = tmp_path / "pwned"
    _cache_path(shared).write_bytes(pickle.dumps(_Planted(marker)))
    monkeypatch.setenv("CLOUDKG_CACHE_DIR", str(shared))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        core = _load_bundled()
    assert not marker.exists()
    assert core.store.has(("EBSSnapshot", "storedIn", "S3"))
    assert any(issubclass(w.category, CacheWarning) and "writable by other users" in str(w.message) for w in caught)


def test_cache_file_writable_by_others_or_foreign_is_not_read(tmp_path):
    path = tmp_path / "c" / "x.bin"
    assert write_private(path, b"data")
    path.chmod(0o666)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert read_private(path) is None
    assert "writable by other users" in str(caught[0].message)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        path.chmod(0o600)
        os.chown(path, 65534, 65534)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert read_private(path) is None
        assert "another user" in str(caught[0].message)


def test_symlinked_cache_file_is_not_followed(tmp_path):
    folder = tmp_path / "c"
    assert write_private(folder / "real.bin", b"data")
    (folder / "link.bin").symlink_to(folder / "real.bin")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert read_private(folder / "link.bin") is None


@pytest.mark.parametrize("gadget", [
    (os.system, ("true",)),
    (getattr, (Path, "touch")),
    (eval, ("1",)),
])
def test_safe_loads_names_no_function(gadget):
    class Evil:
        def __reduce__(self):
            return gadget

    with pytest.raises(pickle.UnpicklingError, match="may not"):
        safe_loads(pickle.dumps(Evil()), [])

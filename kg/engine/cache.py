"""Per-user cache files that no other user could have written, read back without running code.

The cache folder is ``$CLOUDKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/cloudkg``, else
``~/.cache/cloudkg``. It is created private (0700). A folder or file is used only when it is
owned by the current user and not writable by group or others; otherwise nothing is read or
written there and a :class:`CacheWarning` says why (the caller rebuilds, which only costs time).
Cached objects are read by an unpickler that can name only the classes it is given: a cache
file cannot call a function, so even a planted file cannot run code.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "c"
>>> write_private(folder / "x.bin", b"data") and read_private(folder / "x.bin")
b'data'
>>> oct(folder.stat().st_mode & 0o777)
'0o700'
>>> safe_loads(pickle.dumps({"a": (1, 2)}), {})
{'a': (1, 2)}
"""

from __future__ import annotations

import io
import os
import pickle
import stat
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

__all__ = ["CacheWarning", "cache_dir", "private_dir", "read_private", "safe_loads", "write_private"]


class CacheWarning(UserWarning):
    """The cache was not used, and why: the program goes on without it."""


def cache_dir() -> Path:
    """Where built graphs are cached: $CLOUDKG_CACHE_DIR, else the user's cache directory."""
    configured = os.environ.get("CLOUDKG_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cloudkg"


def _unsafe(info: os.stat_result, what: str) -> str | None:
    """Why a file or folder with this status must not be trusted, or None when it may be."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is not None and info.st_uid != uid:
        return f"{what} belongs to another user (uid {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{what} is writable by other users (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def _refuse(path: Path, why: str) -> None:
    warnings.warn(f"not using the cache at {path}: {why}; building without it", CacheWarning, stacklevel=4)


def _folder_problem(path: Path) -> str | None:
    """Why the folder ``path`` (created 0700 if missing) must not be used, or None."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(path)
    except OSError as error:
        return error.strerror or str(error)
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    return _unsafe(info, "the folder")


def private_dir(path: Path) -> Path | None:
    """``path`` created 0700 if missing; None (with a warning) when it is not safely ours."""
    why = _folder_problem(path)
    if why:
        _refuse(path, why)
        return None
    return path


def read_private(path: Path) -> bytes | None:
    """The bytes of a cache file that is ours alone; None when missing or not trustworthy."""
    if _folder_problem(path.parent):
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as error:
        _refuse(path, error.strerror or str(error))
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        why = "it is not a regular file" if not stat.S_ISREG(info.st_mode) else _unsafe(info, "the file")
        if why:
            _refuse(path, why)
            return None
        return handle.read()


def write_private(path: Path, data: bytes) -> bool:
    """Write atomically (0600, then rename); False when the folder is unusable or full."""
    if _folder_problem(path.parent):
        return False
    temporary: str | None = None
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:  # a read-only or full cache folder only costs speed
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        return False
    return True


class _NamedOnly(pickle.Unpickler):
    """An unpickler that can name only the given classes: no function can be reached."""

    def __init__(self, data: bytes, allowed: dict[tuple[str, str], type]) -> None:
        super().__init__(io.BytesIO(data))
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> type:
        found = self.allowed.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"the cache names {module}.{name}, which it may not")
        return found


def safe_loads(data: bytes, allowed: dict[tuple[str, str], type] | Iterable[type]) -> object:
    """Unpickle ``data`` naming only ``allowed`` classes; raises ``pickle.UnpicklingError``."""
    if not isinstance(allowed, dict):
        allowed = {(cls.__module__, cls.__qualname__): cls for cls in allowed}
    return _NamedOnly(data, allowed).load()

"""The limits that bound the engine's work on user data, read from arguments or the environment.

Two limits: the size of an input file (``CLOUDKG_MAX_FILE_BYTES``, default 1 GiB, checked
before parsing) and the number of facts inference may add (``CLOUDKG_MAX_INFERRED``, default
``max(1_000_000, 10 × asserted facts)``). An explicit value (a CLI flag) wins over the
environment, which wins over the default. A bad value raises :class:`LimitError`.

>>> parse_size("500MB"), parse_size("1GiB"), parse_size("2048")
(500000000, 1073741824, 2048)
>>> max_inferred(asserted=300_000, value=None, environ={})
3000000
>>> max_file_bytes("10 KiB")
10240
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from kg.engine.errors import DataError, KnowledgeError

__all__ = [
    "DEFAULT_MAX_FILE_BYTES", "FILE_BYTES_ENV", "INFERRED_ENV", "INFERRED_FLOOR", "INFERRED_PER_ASSERTED",
    "LimitError", "check_file", "default_max_inferred", "format_size", "max_file_bytes", "max_inferred",
    "parse_count", "parse_size",
]

FILE_BYTES_ENV = "CLOUDKG_MAX_FILE_BYTES"
INFERRED_ENV = "CLOUDKG_MAX_INFERRED"
DEFAULT_MAX_FILE_BYTES = 1 << 30
INFERRED_FLOOR = 1_000_000
INFERRED_PER_ASSERTED = 10

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
          "t": 1000**4, "tb": 1000**4, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)
_COUNT = re.compile(r"\s*\d[\d_,]*\s*")


class LimitError(KnowledgeError, ValueError):
    """A limit given as a flag or environment variable that is not a usable number."""


def parse_size(text: str | int) -> int:
    """A size in bytes from ``"2048"``, ``"500MB"`` (10**6), ``"1GiB"`` (2**30) or ``"1.5 GB"``.

    Raises :class:`ValueError` (a :class:`LimitError`) for anything else, negative sizes included.

    >>> parse_size("1.5 gb"), parse_size(7)
    (1500000000, 7)
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise LimitError(f"a size cannot be negative: {text}")
        return text
    match = _SIZE.fullmatch(str(text))
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise LimitError(f"{text!r} is not a size; write bytes (1048576) or a size such as 500MB or 1GiB")
    number = match.group(1)
    return int(float(number) * _UNITS[unit]) if "." in number else int(number) * _UNITS[unit]


def parse_count(text: str | int) -> int:
    """A whole, non-negative number from ``"1000000"``, ``"1_000_000"`` or ``"1,000,000"``.

    >>> parse_count("2_500_000")
    2500000
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise LimitError(f"a count cannot be negative: {text}")
        return text
    if not _COUNT.fullmatch(str(text)):
        raise LimitError(f"{text!r} is not a whole number")
    return int(str(text).strip().replace("_", "").replace(",", ""))


def format_size(size: int) -> str:
    """Bytes as a short human figure in MB (10**6 bytes), as the limit errors print them.

    >>> format_size(1 << 30), format_size(1500)
    ('1073.7 MB', '0.0015 MB')
    """
    megabytes = size / 1e6
    return f"{megabytes:.1f} MB" if megabytes >= 0.1 else f"{megabytes:.2g} MB"


def _from_env(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name, "")
    return value if value.strip() else None


def max_file_bytes(value: str | int | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The file size limit: ``value`` (e.g. from ``--max-file-size``), else $CLOUDKG_MAX_FILE_BYTES, else 1 GiB."""
    if value is not None:
        return parse_size(value)
    configured = _from_env(FILE_BYTES_ENV, environ)
    if configured is None:
        return DEFAULT_MAX_FILE_BYTES
    try:
        return parse_size(configured)
    except ValueError:
        raise LimitError(f"{FILE_BYTES_ENV} must be a whole number of bytes or a size such as 500MB or 1GiB, "
                         f"not {configured!r}") from None


def default_max_inferred(asserted: int) -> int:
    """The default limit on inferred facts for ``asserted`` asserted facts.

    >>> default_max_inferred(10), default_max_inferred(200_000)
    (1000000, 2000000)
    """
    return max(INFERRED_FLOOR, INFERRED_PER_ASSERTED * asserted)


def max_inferred(asserted: int, value: str | int | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The inferred-fact limit: ``value`` (``--max-inferred``), else $CLOUDKG_MAX_INFERRED, else the default."""
    if value is not None:
        return parse_count(value)
    configured = _from_env(INFERRED_ENV, environ)
    if configured is None:
        return default_max_inferred(asserted)
    try:
        return parse_count(configured)
    except ValueError:
        raise LimitError(f"{INFERRED_ENV} must be a whole number of facts, not {configured!r}") from None


def check_file(path: Path | str, limit: int | str | None = None) -> None:
    """Raise :class:`~kg.engine.errors.DataError` unless ``path`` is a regular file within the size limit.

    Checked before a file is parsed (or read whole), so a huge file, a directory, a device such
    as /dev/zero or a FIFO is refused at once. ``limit`` defaults to :func:`max_file_bytes`.
    """
    bytes_limit = max_file_bytes(limit)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DataError(str(path), None, "no such file") from None
    except OSError as error:
        raise DataError(str(path), None, f"cannot be read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(str(path), None, "is a directory, not a Turtle file; give the path of a .ttl file")
    if not stat.S_ISREG(info.st_mode):
        raise DataError(str(path), None, "is not a regular file (a device, pipe or socket); "
                                         "give the path of a .ttl file")
    if info.st_size > bytes_limit:
        raise DataError(str(path), None, f"is {format_size(info.st_size)}, over the limit of "
                                         f"{format_size(bytes_limit)}; raise it with --max-file-size or "
                                         f"{FILE_BYTES_ENV}")

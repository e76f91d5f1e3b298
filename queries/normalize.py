"""One normal form for names and phrases: case, spacing, hyphens and punctuation never matter.

>>> normalize("Auto-Scaling")
'autoscaling'
>>> normalize("  Amazon   S3 ") == normalize("amazon s3")
True
>>> normalize("스냅샷")
'스냅샷'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize"]

_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Fold case and width, and drop everything that is not a letter or digit (Hangul kept)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())

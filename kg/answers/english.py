"""English sentence details: the indefinite article a word takes.

>>> [article(w) for w in ["IaaS", "EBS volume", "S3 bucket", "user", "one", "hour", "compute service", "AMI"]]
['an', 'an', 'an', 'a', 'a', 'an', 'a', 'an']
"""

from __future__ import annotations

__all__ = ["article"]

# Letters whose spoken name starts with a vowel sound: an "S3" (ess), an "MFA" (em).
_AN_LETTERS = frozenset("AEFHILMNORSX")
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")
_YOU_SOUND = ("uni", "use", "usu", "uti", "uro", "eu", "one", "once")


def article(word: str) -> str:
    """``a`` or ``an`` for ``word``, by its first sound (acronyms by their letter names)."""
    first = word.split()[0] if word.split() else ""
    if not first:
        return "a"
    if first[:2].isupper() or (first[:1].isupper() and first[1:2].isdigit()):
        return "an" if first[0] in _AN_LETTERS else "a"
    lower = first.lower()
    if lower.startswith(_SILENT_H):
        return "an"
    if lower.startswith(_YOU_SOUND):
        return "a"
    return "an" if lower[0] in "aeiou" else "a"

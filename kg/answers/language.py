"""Which language a question is in, so that the answer can follow it.

Any Hangul (syllables or jamo) makes a question Korean; anything else is English. Term names
are mostly Latin in both languages ("S3가 뭐야?"), so one Hangul letter is the telling sign.

>>> question_lang("S3가 뭐야?"), question_lang("what is S3"), question_lang("")
('ko', 'en', 'en')
>>> answer_lang("EC2란?", None), answer_lang("EC2란?", "en")
('ko', 'en')
"""

from __future__ import annotations

__all__ = ["LANGS", "answer_lang", "question_lang"]

LANGS = ("en", "ko")
# Hangul syllables, jamo and compatibility jamo (ㅋㅋ, ㅇㅇ typed in chats count too). Compared as strings: a
# regex class of these ranges costs milliseconds to compile, on every start of the `kg` command.
_HANGUL_RANGES = (("\uac00", "\ud7a3"), ("\u1100", "\u11ff"), ("\u3130", "\u318f"))


def question_lang(text: str) -> str:
    """``"ko"`` when ``text`` contains Hangul, else ``"en"``.

    >>> question_lang("EBS 스냅샷은 어디에 저장돼?"), question_lang("where are EBS snapshots stored?")
    ('ko', 'en')
    """
    return "ko" if isinstance(text, str) and _has_hangul(text) else "en"


def _has_hangul(text: str) -> bool:
    if not text or max(text) < "\u1100":  # the common case, no letter as high as the first Hangul block
        return False
    return any(low <= char <= high for char in text for low, high in _HANGUL_RANGES)


def answer_lang(text: str, lang: str | None) -> str:
    """The language to answer in: ``lang`` when given, else the question's own.

    >>> answer_lang("what is S3", "ko"), answer_lang("what is S3", None)
    ('ko', 'en')
    """
    return lang if lang else question_lang(text)

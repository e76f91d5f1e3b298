"""Which language a question is in, so that the answer can follow it.

Any Hangul (syllables or jamo) makes a question Korean; anything else is English. Term names
are mostly Latin in both languages ("S3가 뭐야?"), so one Hangul letter is the telling sign.

>>> question_lang("S3가 뭐야?"), question_lang("what is S3"), question_lang("")
('ko', 'en', 'en')
>>> answer_lang("EC2란?", None), answer_lang("EC2란?", "en")
('ko', 'en')
"""

from __future__ import annotations

import re

__all__ = ["LANGS", "answer_lang", "question_lang"]

LANGS = ("en", "ko")
# Hangul syllables, jamo and compatibility jamo (ㅋㅋ, ㅇㅇ typed in chats count too).
_HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def question_lang(text: str) -> str:
    """``"ko"`` when ``text`` contains Hangul, else ``"en"``.

    >>> question_lang("EBS 스냅샷은 어디에 저장돼?"), question_lang("where are EBS snapshots stored?")
    ('ko', 'en')
    """
    return "ko" if isinstance(text, str) and _HANGUL.search(text) else "en"


def answer_lang(text: str, lang: str | None) -> str:
    """The language to answer in: ``lang`` when given, else the question's own.

    >>> answer_lang("what is S3", "ko"), answer_lang("what is S3", None)
    ('ko', 'en')
    """
    return lang if lang else question_lang(text)

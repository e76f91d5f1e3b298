"""Korean particles and the sentences built from a relation's ``ckg:koTemplate``.

A particle takes one of two forms depending on the final consonant (받침) of the word before it:
은/는, 이/가, 을/를, 과/와, 으로/로 (로 also after ㄹ), 이다/다. Names in Latin letters or digits
are read the English way (S3 "에스쓰리", EC2 "이씨투", IAM "아이에이엠", MySQL "마이에스큐엘"):

>>> [particle(w, "은") for w in ("스냅샷", "버킷", "S3", "EC2", "IAM", "람다")]
['은', '은', '는', '는', '은', '는']
>>> [particle(w, "으로") for w in ("서울", "파일", "리전", "S3", "MySQL", "Amazon ECS")]
['로', '로', '으로', '로', '로', '로']
>>> render("{s|은} {o|에} 저장된다", "EBS 스냅샷", "Amazon S3")
'EBS 스냅샷은 Amazon S3에 저장된다'
>>> render("{s|은} {o|과} 호환된다", "Amazon Aurora", "MySQL")
'Amazon Aurora는 MySQL과 호환된다'
"""

from __future__ import annotations

import re

__all__ = ["ends_in_consonant", "final_consonant", "particle", "render", "TemplateError"]

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_NO_FINAL, _RIEUL = 0, 8  # indices of the final consonant (종성) in a Hangul syllable: none, ㄹ
_NIEUN, _MIEUM, _SIOT, _IEUNG = 4, 16, 19, 21

# The final consonant of a Latin letter or digit read aloud in English; the rest end in a vowel
# (에이, 비, 씨, ... 에스, 투, 쓰리, 포, 파이브, 식스, 제로): L 엘, M 엠, N 엔, R 알; 1 원, 7 세븐, 8 에잇, 9 나인.
_LETTER_FINAL = {"L": _RIEUL, "M": _MIEUM, "N": _NIEUN, "R": _RIEUL,
                 "1": _NIEUN, "7": _NIEUN, "8": _SIOT, "9": _NIEUN}
# An English word's ending read as a Korean syllable: "Amazon" 아마존, "CloudTrail" 클라우드트레일,
# "Scaling" 스케일링; other endings ("Gateway", "Redis", "Beanstalk") end in a vowel.
_WORD_FINAL = (("ng", _IEUNG), ("m", _MIEUM), ("n", _NIEUN), ("l", _RIEUL))
_TRAILING = " )]?.!\"'"

# A fitted particle: its form after a final consonant and after a vowel, by its first syllables.
_PAIRS = {"은": ("은", "는"), "는": ("은", "는"), "을": ("을", "를"), "를": ("을", "를"),
          "과": ("과", "와"), "와": ("과", "와"), "아": ("아", "야"), "야": ("아", "야")}
_SLOT = re.compile(r"\{([^{}|]*)(?:\|([^{}]*))?\}")


class TemplateError(ValueError):
    """A Korean template with an unknown slot or an unclosed brace."""


def final_consonant(word: str) -> int:
    """The index (1-27) of the final consonant ``word`` ends in when read aloud, 0 for a vowel.

    >>> final_consonant("서울"), final_consonant("리전"), final_consonant("S3"), final_consonant("IAM")
    (8, 4, 0, 16)
    >>> final_consonant("Route 10"), final_consonant("Amazon S3 (Simple)"), final_consonant("")
    (4, 0, 0)
    """
    text = word.rstrip(_TRAILING)
    if not text:
        return _NO_FINAL
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28
    if last.islower():
        return next((final for ending, final in _WORD_FINAL if text.endswith(ending)), _NO_FINAL)
    if last == "0":  # 10 텐; 0 제로, 20 트웬티, 100 헌드레드 end in a vowel
        digits = text[-3:]
        return _NIEUN if digits[-2:] == "10" and not digits[:-2].isdigit() else _NO_FINAL
    return _LETTER_FINAL.get(last.upper(), _NO_FINAL)


def ends_in_consonant(word: str) -> bool:
    """Whether ``word`` ends in a final consonant (받침) when read aloud in Korean.

    >>> ends_in_consonant("스냅샷"), ends_in_consonant("S3"), ends_in_consonant("Amazon")
    (True, False, True)
    """
    return final_consonant(word) != _NO_FINAL


def particle(word: str, base: str) -> str:
    """The form of particle ``base`` (written in either form) that follows ``word``.

    Particles that never change (에, 의, 에서, 보다, 도) come back as they are:

    >>> particle("EBS 스냅샷", "이"), particle("Amazon S3", "이"), particle("스냅샷", "이다")
    ('이', '가', '이다')
    >>> particle("Amazon ECS", "과"), particle("AWS IAM", "으로부터"), particle("서버", "이란")
    ('와', '으로부터', '란')
    >>> particle("Amazon S3", "에")
    '에'
    """
    final = final_consonant(word)
    if base.startswith(("으로", "로")):
        rest = base[2:] if base.startswith("으로") else base[1:]
        return ("로" if final in (_NO_FINAL, _RIEUL) else "으로") + rest
    if base[:1] in _PAIRS:
        after_consonant, after_vowel = _PAIRS[base[0]]
        return (after_vowel if final == _NO_FINAL else after_consonant) + base[1:]
    if base == "이" or base == "가":
        return "가" if final == _NO_FINAL else "이"
    if base.startswith("이") and len(base) > 1:  # the copula: 이다/다, 이란/란, 이라는/라는
        return base[1:] if final == _NO_FINAL else base
    return base


def render(template: str, s: str, o: str) -> str:
    """A Korean sentence from ``template``: ``{s}``/``{o}`` become the labels, particles are fitted.

    >>> render("{s|은} {o|으로} 트래픽을 라우팅한다", "Elastic Load Balancing", "AWS 람다")
    'Elastic Load Balancing은 AWS 람다로 트래픽을 라우팅한다'
    >>> render("{s|은} {x}", "A", "B")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.answers.korean.TemplateError: Korean template '{s|은} {x}': unknown slot '{x}' at 6; use {s} or {o}, ...
    """
    words = {"s": s, "o": o}

    def fill(match: re.Match[str]) -> str:
        slot, base = match.group(1), match.group(2)
        if slot not in words:
            raise TemplateError(f"Korean template {template!r}: unknown slot {match.group(0)!r} at "
                                f"{match.start()}; use {{s}} or {{o}}, as in '{{s|은}}'")
        word = words[slot]
        return word + particle(word, base) if base else word

    if "{" in _SLOT.sub("", template) or "}" in _SLOT.sub("", template):
        raise TemplateError(f"Korean template {template!r}: an unmatched brace; write slots as {{s}} or {{s|은}}")
    return _SLOT.sub(fill, template)

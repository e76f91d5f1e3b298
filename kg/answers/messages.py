"""The answers' sentences in English and Korean, from one catalogue (``ontology/messages.toml``).

>>> say("stands_for", "en", abbreviation="EB", expansion="Elastic Beanstalk")
'EB stands for Elastic Beanstalk.'
>>> say("followup_path", "ko", a="Amazon ECS", b="S3")
'Amazon ECS와 S3의 관계는?'
>>> say("followup_define", "ko", label="스냅샷")
'스냅샷이란?'
"""

from __future__ import annotations

import re
import tomllib
from functools import cache

from kg.answers.korean import particle
from ontology import HERE

__all__ = ["say", "table"]

_FIELD = re.compile(r"\{(\w+)(?:\|([^}]+))?\}")


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    with open(HERE / "messages.toml", "rb") as file:
        return tomllib.load(file)


def table(lang: str) -> dict[str, str]:
    """Every message in ``lang`` (Korean for "ko", else English), by key."""
    return _catalogue()["ko" if lang == "ko" else "en"]


def say(key: str, lang: str, **fields: object) -> str:
    """The message ``key`` in ``lang`` (Korean for "ko", else English) with its fields filled in."""
    table = _catalogue()["ko" if lang == "ko" else "en"]
    template = table.get(key) or _catalogue()["en"][key]

    def fill(match: re.Match[str]) -> str:
        value = str(fields[match.group(1)])
        return value + particle(value, match.group(2)) if match.group(2) else value

    return _FIELD.sub(fill, template)

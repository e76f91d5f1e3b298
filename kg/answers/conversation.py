"""Questions asked in turns: pronouns and elliptic follow-ups resolved against the last subjects.

A chat asks "what is EBS?", then "where are its snapshots stored?", then "and EFS?". A
:class:`Conversation` keeps the subject of each of the last few turns and rewrites the new
question before asking it: a pronoun (it, its, they, them, that, 그거, 그것, 이것, 거기…) becomes
the latest subject as the user wrote it, and an elliptic follow-up ("and EFS?", "what about EFS",
"EFS는?") becomes the previous question with its subject swapped. The answer's ``interpretation``
shows the resolved question, so the user sees what was answered.

>>> from kg import KnowledgeGraph
>>> conv = KnowledgeGraph.load().conversation()
>>> conv.ask("what is EBS?").answers[0].id
'EBS'
>>> answer = conv.ask("where are its snapshots stored?")
>>> answer.interpretation, answer.text
('where are EBS snapshots stored?', 'Amazon S3.')
>>> conv.ask("is Lambda a compute service?").boolean
True
>>> answer = conv.ask("EBS는?")
>>> answer.interpretation, answer.boolean, answer.lang
('is EBS a compute service?', False, 'ko')
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kg.answers.korean import particle
from kg.answers.language import answer_lang
from queries.lexer import PARTICLES, words_of
from queries.normalize import normalize

if TYPE_CHECKING:
    from kg.answers.answer import Answer

__all__ = ["Conversation", "ConversationStore", "Mention", "mention_spans"]

MAX_TEXT = 1000  # longer messages are asked as they are, never rewritten
_PARTICLES_LONGEST_FIRST = sorted(PARTICLES, key=len, reverse=True)
_HANGUL_END = re.compile("[\uac00-\ud7a3]$")

# English pronouns. "this"/"that" are also demonstratives and relative pronouns ("services that
# store snapshots"), so they count only at the end or right after a verb that starts a question.
_EN_PRONOUN = re.compile(
    r"\b(?:(?P<is>it['’]s)|(?P<poss>its|their)|(?P<plain>it|they|them)"
    r"|(?P<verb>(?:is|are|does|do|can|about)\s+)(?P<demo1>that|this|these|those)"
    r"|(?P<demo2>that|this|these|those)(?=[\s?.!]*$))\b", re.IGNORECASE)
# Korean pronouns, with the particle a contracted form carries (그건 = 그거 + 는).
_KO_PRONOUN = re.compile(r"(?<![\w])(?:(?P<stem>그것|이것|저것|그거|이거|저거|거기|그곳)"
                         r"|(?P<short>[그이저])(?P<end>[건게걸]))")
_KO_CONTRACTED = {"건": "은", "게": "이", "걸": "을"}
# Elliptic follow-ups: the rest names one new subject.
_ELLIPSES = [
    re.compile(r"^(?:and|but|so|ok(?:ay)?|then)?\s*(?:what|how)\s+about\s+(?P<x>.+?)[\s?.!]*$", re.IGNORECASE),
    re.compile(r"^(?:and|or|also)\s+(?P<x>.+?)[\s?.!]*$", re.IGNORECASE),
    re.compile(r"^(?P<x>.+?)\s+(?:too|as well)[\s?.!]*$", re.IGNORECASE),
    re.compile(r"^(?:그럼|그러면|그리고|그럼\s*혹시)?\s*(?P<x>.+?)(?:은요|는요|도요|은|는|도)[\s?.!]*$"),
]


class Asks(Protocol):
    """What a conversation needs of :class:`kg.KnowledgeGraph` (named here: kg.answers sits below kg.graph)."""

    lexicon: Any
    knowledge: Any

    def ask(self, text: str, lang: str | None = None, **options: Any) -> Answer: ...


@dataclass(frozen=True, slots=True)
class Mention:
    """A term named in a text: where (``start``, ``end``), as what words, and the ids it can mean."""

    start: int
    end: int
    surface: str
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    resolved: str
    focus: Mention | None  # the subject later turns refer back to, as a span of ``resolved``


def mention_spans(text: str, lexicon) -> list[Mention]:
    """The terms ``text`` names, longest phrase first, with their spans (Korean particles left out).

    >>> from queries.lexicon import Lexicon
    >>> lex = Lexicon.build(terms=[("S3", [("S3", "en")]), ("EBSSnapshot", [("EBS snapshot", "en")])],
    ...                     classes=[], relations=[])
    >>> [(m.surface, m.ids) for m in mention_spans("is EBS snapshot in S3에?", lex)]
    [('EBS snapshot', ('EBSSnapshot',)), ('S3', ('S3',))]
    """
    words = [(w, start) for w, start in words_of(text) if text[start:start + len(w)] == w]
    keys = [normalize(w) for w, _ in words]
    found: list[Mention] = []
    i = 0
    while i < len(words):
        for n in range(min(lexicon.max_words, len(words) - i), 0, -1):
            mention = _mention_at(text, lexicon, words[i:i + n], "".join(keys[i:i + n]))
            if mention is not None:
                found.append(mention)
                i += n
                break
        else:
            i += 1
    return found


def _mention_at(text: str, lexicon, words: list[tuple[str, int]], key: str) -> Mention | None:
    start, (last, last_start) = words[0][1], words[-1]
    end = last_start + len(last)
    ids = _term_ids(lexicon, key)
    if not ids and _HANGUL_END.search(last):
        for ending in _PARTICLES_LONGEST_FIRST:
            if last.endswith(ending) and len(last) > len(ending):
                ids = _term_ids(lexicon, key[: -len(normalize(ending))])
                if ids:
                    end -= len(ending)
                    break
    return Mention(start, end, text[start:end], ids) if ids else None


def _term_ids(lexicon, key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.value for e in lexicon.phrases.get(key, ()) if e.kind == "TERM"))


def _harmonise(text: str, at: int, word: str) -> str:
    """``text`` with the Korean particle that starts at ``at`` (if any) in the form that follows ``word``."""
    for ending in _PARTICLES_LONGEST_FIRST:
        if text.startswith(ending, at):
            return text[:at] + _particle(word, ending) + text[at + len(ending):]
    return text


def _particle(word: str, ending: str) -> str:
    """The form of ``ending`` after ``word``, whichever form was written ("란" after 스냅샷 is "이란").

    >>> _particle("스냅샷", "란"), _particle("S3", "이란"), _particle("EFS", "는")
    ('이란', '란', '는')
    """
    return particle(word, "이" + ending if "이" + ending in PARTICLES else ending)


class Conversation:
    """Questions in turns over one graph; keeps the subjects of the last ``turns`` turns only.

    Thread-safe: turns of one conversation are asked one at a time.
    """

    def __init__(self, g: Asks, turns: int = 5) -> None:
        if not 1 <= turns <= 50:
            raise ValueError(f"a conversation keeps 1 to 50 turns, not {turns}")
        self.g = g
        self.turns: deque[Turn] = deque(maxlen=turns)
        self._lock = threading.Lock()

    @property
    def subjects(self) -> list[str]:
        """The ids of the remembered subjects, newest first (each once)."""
        ids = [t.focus.ids[0] for t in reversed(self.turns) if t.focus is not None]
        return list(dict.fromkeys(ids))

    def reset(self) -> None:
        """Forget every turn."""
        with self._lock:
            self.turns.clear()

    def ask(self, text: str, lang: str | None = None, **options: Any) -> Answer:
        """Answer ``text`` with its references resolved; ``lang`` None answers in the language ``text`` is in.

        ``options`` go to the graph's ``ask`` (e.g. ``evidence=None`` for all of it).
        """
        with self._lock:
            lang = answer_lang(text, lang)
            resolved, focus = self.resolve(text)
            answer = self.g.ask(resolved, lang=lang, **options)
            if resolved != text:
                if answer.ok:
                    answer.question = text
                if not getattr(answer, "interpretation", None):
                    answer.interpretation = resolved
            self.turns.append(Turn(text, resolved, focus or self._first_subject(resolved)))
            return answer

    def resolve(self, text: str) -> tuple[str, Mention | None]:
        """``text`` rewritten against the remembered subjects, and the subject it now names (if rewritten)."""
        previous = next((t for t in reversed(self.turns) if t.focus is not None), None)
        if previous is None or not isinstance(text, str) or len(text) > MAX_TEXT:
            return text, None
        follow = self._ellipsis(text, previous)
        return follow if follow is not None else self._pronouns(text, previous.focus)

    def _first_subject(self, text: str) -> Mention | None:
        """The first concept ``text`` names; a class ("services") only when it names nothing more specific."""
        concepts, classes = self.g.knowledge.concepts, self.g.knowledge.classes
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            return None
        mentions = [m for m in mention_spans(text, self.g.lexicon) if any(i in concepts for i in m.ids)]
        specific = [m for m in mentions if not set(m.ids) <= classes.keys()]
        return (specific or mentions or [None])[0]

    def _ellipsis(self, text: str, previous: Turn) -> tuple[str, Mention] | None:
        """"and EFS?" after "what is EBS?": the previous question about the new subject."""
        stripped = text.strip()
        for pattern in _ELLIPSES:
            match = pattern.match(stripped)
            if match is None:
                continue
            subject = match.group("x").strip()
            mentions = mention_spans(subject, self.g.lexicon)
            if len(mentions) != 1 or mentions[0].surface != subject.removeprefix("the ").strip():
                continue
            focus, new = previous.focus, mentions[0].surface
            assert focus is not None
            rewritten = _harmonise(previous.resolved[:focus.start] + new + previous.resolved[focus.end:],
                                   focus.start + len(new), new)
            return rewritten, Mention(focus.start, focus.start + len(new), new, mentions[0].ids)
        return None

    def _pronouns(self, text: str, focus: Mention) -> tuple[str, Mention | None]:
        """Each pronoun replaced by the latest subject, as the user wrote it."""
        name = focus.surface
        starts: list[int] = []

        def english(match: re.Match[str]) -> str:
            starts.append(match.start("demo1") if match.group("verb") else match.start())
            if match.group("verb"):
                return match.group("verb") + name
            return name + " is" if match.group("is") else name

        rewritten = _EN_PRONOUN.sub(english, text)
        if rewritten == text:
            rewritten = _korean_pronouns(text, name, starts)
        if rewritten == text or not starts:
            return text, None
        return rewritten, Mention(starts[0], starts[0] + len(name), name, focus.ids)


def _korean_pronouns(text: str, name: str, starts: list[int]) -> str:
    """Korean pronouns replaced by ``name``, their particles in the form that follows it."""
    out, last = [], 0
    for match in _KO_PRONOUN.finditer(text):
        starts.append(match.start())
        out += [text[last:match.start()], name]
        last = match.end()
        ending = _KO_CONTRACTED.get(match.group("end") or "")
        if ending is None:
            ending = next((p for p in _PARTICLES_LONGEST_FIRST if text.startswith(p, last)), None)
            last += len(ending or "")
        if ending:
            out.append(_particle(name, ending))
    return "".join(out) + text[last:]


class ConversationStore:
    """Server-side conversations by id: at most ``capacity``, each forgotten ``ttl`` seconds after its last turn.

    >>> store = ConversationStore(capacity=2)
    >>> store.size
    0
    """

    def __init__(self, capacity: int = 1000, ttl: float = 1800.0, turns: int = 5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity, self.ttl, self.turns, self.clock = capacity, ttl, turns, clock
        self._items: OrderedDict[str, tuple[Conversation, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return len(self._items)

    def get(self, g: Asks, conversation_id: str | None) -> tuple[str, Conversation]:
        """The conversation ``conversation_id`` (asking ``g`` from now on), or a new one with a new id."""
        now = self.clock()
        with self._lock:
            while self._items:
                oldest, (_, used) = next(iter(self._items.items()))
                if now - used <= self.ttl:
                    break
                del self._items[oldest]
            found = self._items.get(conversation_id) if conversation_id else None
            if found is None:
                conversation_id, conversation = secrets.token_urlsafe(12), Conversation(g, self.turns)
            else:
                conversation = found[0]
            conversation.g = g  # the server may have reloaded its data since the last turn
            self._items[conversation_id] = (conversation, now)
            self._items.move_to_end(conversation_id)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
            return conversation_id, conversation

    def ask(self, g: Asks, conversation_id: str | None, text: str,
            lang: str | None = None) -> tuple[str, Answer]:
        """Ask ``text`` in conversation ``conversation_id``; the id (new if unknown) and the answer."""
        conversation_id, conversation = self.get(g, conversation_id)
        return conversation_id, conversation.ask(text, lang)

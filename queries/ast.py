"""The query algebra: one small AST for every question, printable as a core form.

The core form is also accepted by the parser, so every question can be shown and re-run:

>>> q = Select(Var("x"), (Triple(Var("x"), Step("stores"), Var("b")),
...                      Triple(Var("b"), Step("backupOf"), Term("EBS"))))
>>> q.core()
'SELECT ?x { ?x stores ?b . ?b backupOf :EBS }'
>>> Ask((Triple(Term("S3"), Step("type"), Term("Database")),)).core()
'ASK { :S3 a :Database }'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Ask", "Attribute", "Compare", "Count", "Define", "Expand", "NODE_TYPES", "Node", "NotEqual", "Path",
    "Pattern", "Query", "Select", "Step", "Term", "Triple", "Var", "TYPE", "SUBCLASS", "terms_of",
]

from queries.relation_ids import SUBCLASS_OF as SUBCLASS
from queries.relation_ids import TYPE


@dataclass(frozen=True, slots=True)
class Term:
    """A constant: a concept or class of the knowledge base, by its local id."""

    id: str

    def core(self) -> str:
        return f":{self.id}"


@dataclass(frozen=True, slots=True)
class Var:
    """A variable bound by evaluation."""

    name: str

    def core(self) -> str:
        return f"?{self.name}"


Node = Term | Var


@dataclass(frozen=True, slots=True)
class Step:
    """A relation step: ``inverse`` walks it backwards, ``closure`` one or more times,
    ``optional`` zero or one time (``providedBy?``: the node itself, or what it is provided by)."""

    relation: str
    inverse: bool = False
    closure: bool = False
    optional: bool = False

    def core(self) -> str:
        name = "a" if self.relation == TYPE else self.relation
        suffix = "+" if self.closure else "?" if self.optional else ""
        return ("^" if self.inverse else "") + name + suffix


@dataclass(frozen=True, slots=True)
class Triple:
    """A triple pattern ``subject step object``."""

    subject: Node
    step: Step
    object: Node

    def core(self) -> str:
        return f"{self.subject.core()} {self.step.core()} {self.object.core()}"


@dataclass(frozen=True, slots=True)
class NotEqual:
    """A filter: the variable must not be bound to the term.

    Like a :class:`Triple` it has a ``subject`` and an ``object`` node, so code that gathers the
    terms of a pattern treats both kinds alike.

    >>> f = NotEqual(Var("x"), Term("S3"))
    >>> f.core(), f.subject, f.object
    ('?x != :S3', Var(name='x'), Term(id='S3'))
    """

    var: Var
    term: Term

    @property
    def subject(self) -> Var:
        return self.var

    @property
    def object(self) -> Term:
        return self.term

    def core(self) -> str:
        return f"{self.var.core()} != {self.term.core()}"


Pattern = Triple | NotEqual


def _where(patterns: tuple[Pattern, ...]) -> str:
    return "{ " + " . ".join(p.core() for p in patterns) + " }"


@dataclass(frozen=True, slots=True)
class Select:
    """Which things bind ``target`` in every solution of the patterns."""

    target: Var
    where: tuple[Pattern, ...]

    def core(self) -> str:
        return f"SELECT {self.target.core()} {_where(self.where)}"


@dataclass(frozen=True, slots=True)
class Count:
    """How many distinct things bind ``target``."""

    target: Var
    where: tuple[Pattern, ...]

    def core(self) -> str:
        return f"COUNT {self.target.core()} {_where(self.where)}"


@dataclass(frozen=True, slots=True)
class Ask:
    """Whether the (ground) patterns hold."""

    where: tuple[Pattern, ...]

    def core(self) -> str:
        return f"ASK {_where(self.where)}"


@dataclass(frozen=True, slots=True)
class Define:
    """The glossary entry of a term."""

    term: Term

    def core(self) -> str:
        return f"DEFINE {self.term.core()}"


@dataclass(frozen=True, slots=True)
class Expand:
    """What an abbreviation stands for."""

    term: Term

    def core(self) -> str:
        return f"EXPAND {self.term.core()}"


@dataclass(frozen=True, slots=True)
class Path:
    """The shortest chains of facts between two terms."""

    source: Term
    target: Term

    def core(self) -> str:
        return f"PATH {self.source.core()} {self.target.core()}"


@dataclass(frozen=True, slots=True)
class Compare:
    """Two or more terms side by side: their definitions, and the facts they share and differ in.

    >>> Compare((Term("EBS"), Term("EFS"))).core()
    'COMPARE :EBS :EFS'
    """

    terms: tuple[Term, ...]

    def core(self) -> str:
        return "COMPARE " + " ".join(t.core() for t in self.terms)


@dataclass(frozen=True, slots=True)
class Attribute:
    """The value of an attribute (a datatype property such as ``defaultPort``) of a term.

    >>> Attribute(Term("SSH"), "defaultPort").core()
    'VALUE :SSH defaultPort'
    """

    term: Term
    attribute_id: str

    def core(self) -> str:
        return f"VALUE {self.term.core()} {self.attribute_id}"


Query = Select | Count | Ask | Define | Expand | Path | Compare | Attribute
NODE_TYPES: tuple[type, ...] = (Select, Count, Ask, Define, Expand, Path, Compare, Attribute)
"""Every query node class: each back-end, printer and renderer handles all of them."""


def terms_of(query: Query) -> list[Term]:
    """The terms a query names, in order.

    >>> terms_of(Path(Term("A"), Term("B"))), terms_of(Attribute(Term("SSH"), "defaultPort"))
    ([Term(id='A'), Term(id='B')], [Term(id='SSH')])
    """
    if isinstance(query, (Define, Expand, Attribute)):
        return [query.term]
    if isinstance(query, Path):
        return [query.source, query.target]
    if isinstance(query, Compare):
        return list(query.terms)
    return [n for p in query.where for n in (p.subject, p.object) if isinstance(n, Term)]

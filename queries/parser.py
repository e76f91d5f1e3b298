"""Parse a question (or its core form) into the AST; no evaluation happens here.

>>> from queries.lexicon import Lexicon, RelationInfo
>>> lex = Lexicon.build(terms=[("S3", [("S3", "en")]), ("EBSSnapshot", [("snapshot", "en")])],
...                     classes=[], relations=[RelationInfo("stores", "urn:stores", verb3=("stores",))])
>>> parse("what stores snapshots?", lex).core()
'SELECT ?x { ?x stores :EBSSnapshot }'
>>> parse("SELECT ?x { ?x stores :EBSSnapshot }", lex) == parse("what stores snapshots", lex)
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import FunctionType

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from queries import ast
from queries.ast import (
    SUBCLASS,
    TYPE,
    Ask,
    Attribute,
    Compare,
    Count,
    Define,
    Expand,
    NotEqual,
    Path,
    Select,
    Step,
    Term,
    Triple,
    Var,
)
from queries.errors import AmbiguityError, QueryError
from queries.lexer import Input, is_core_form
from queries.lexicon import Lexicon
from queries.rewrite import rewrite
from queries.tokens import AttrRef, ClassRef, RelRef, TermRef

__all__ = ["parse", "read", "describe_terminal", "keywords", "EXAMPLES"]

# Well-formed questions, each with broken variants: lark's match_examples picks the example
# whose broken variants fail in the same parser state as the user's question.
EXAMPLES: dict[str, list[str]] = {
    "what does RDS support": ["what does RDS", "what does", "what does support"],
    "what is ECS built on": ["what is built", "what is ECS on"],
    "which services are built on EC2": ["which services are built on", "which are built on EC2",
                                        "which services"],
    "what stores EBS backups": ["what stores", "what backups"],
    "is Lambda a compute service": ["is Lambda a", "is Lambda"],
    "how many engines does RDS support": ["how many", "how many engines", "how many engines does RDS"],
    "how is Auto Scaling related to EC2": ["how is Auto Scaling related", "how is Auto Scaling related to"],
    "where are snapshots stored": ["where are snapshots", "where are"],
    "what does EB stand for": ["what does EB stand"],
    "define Lambda": ["define", "tell me about"],
    "compare EBS and EFS": ["compare EBS", "compare EBS and", "compare"],
    "what is the default port of SSH": ["what is the default port", "what is the default port of"],
    "RDS가 지원하는 엔진은?": ["RDS가 지원하는", "RDS가"],
}

_HUMAN = {
    "TERM": "a term (e.g. EC2)", "CLASS_SG": "a class noun (e.g. compute service)",
    "CLASS_PL": "a plural class noun (e.g. databases)", "VERB3": "a relation verb (e.g. stores)",
    "VERB": "a relation verb (e.g. support)", "COPULA": "a relation phrase (e.g. built on)",
    "WHERE_PART": "a participle (e.g. stored)", "RNOUN_SG": "a relational noun (e.g. backup)",
    "RNOUN_PL": "a relational noun (e.g. backups)", "KO_VP": "a Korean verb (e.g. 저장돼)",
    "KO_VREL": "a Korean verb form (e.g. 지원하는)", "$END": "the end of the question",
    "VAR": "a ?variable", "CTERM": "a :Term", "CREL": "a relation name", "LBRACE": "'{'",
    "RBRACE": "'}'", "DOT": "'.'", "NEQ": "'!='", "P_TOPIC": "은/는", "P_SUBJ": "이/가",
    "P_OBJ": "을/를", "P_GEN": "의", "P_AND": "와/과", "P_DEF": "란", "P_COP": "이야", "P_LOC": "에",
    "ATTR": "an attribute (e.g. default port)", "C_COMPARE": "COMPARE", "C_VALUE": "VALUE",
}


@cache
def _lark() -> Lark:
    # Shipped tables, never a cache file in a shared folder (lark's own cache is a pickle in /tmp).
    from queries.tables import load

    return load()


@cache
def keywords() -> frozenset[str]:
    """The language's own keywords (normalised), as the grammar spells them."""
    from queries.normalize import normalize

    return frozenset(normalize(t.pattern.value) for t in _lark().terminals if t.pattern.type == "str")


def describe_terminal(name: str) -> str:
    """A reader's name for a grammar terminal."""
    if name in _HUMAN:
        return _HUMAN[name]
    for terminal in _lark().terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return repr(terminal.pattern.value)
    return name


def parse(text: str, lexicon: Lexicon) -> ast.Query:
    """Parse a question or a core form into its canonical :class:`~queries.ast.Query`: :func:`read`, then
    :func:`~queries.rewrite.rewrite` (a core form is canonical as written).

    Raises :class:`QueryError` (never a lark exception) for anything it cannot read.
    """
    reading = read(text, lexicon)
    return reading if is_core_form(text) else rewrite(reading, lexicon.relations)


def read(text: str, lexicon: Lexicon) -> ast.Query:
    """The plain reading of a question or core form: relations as phrased, nothing settled yet.

    Raises :class:`QueryError` (never a lark exception) for anything it cannot read.
    """
    if not text or not text.strip():
        raise QueryError("the question is empty", position=0, example="what stores EBS backups")
    if len(text) > 1000:
        raise QueryError("the question is longer than 1000 characters", position=1000)
    try:
        tree = _lark().parse(Input(text, lexicon))
    except QueryError:
        raise
    except UnexpectedInput as error:
        raise _explain(error, text, lexicon) from None
    try:
        return _ToAst(lexicon).transform(tree)
    except QueryError:
        raise
    except Exception as error:  # a rule that cannot build its node: an error to show, never a traceback
        raise QueryError(f"cannot read the question: {error}", position=0) from None


def _explain(error: UnexpectedInput, text: str, lexicon: Lexicon) -> QueryError:
    orig = getattr(error, "orig_exc", None)
    if isinstance(orig, QueryError):
        return orig
    token = getattr(error, "token", None)
    position = getattr(token, "start_pos", None)
    if token is None or token.type == "$END":
        position = len(text.rstrip(" ?"))
        what = "the question ends too early"
    else:
        what = f"did not expect {text[token.start_pos:token.end_pos]!r} here"
    expected = sorted({describe_terminal(t) for t in getattr(error, "expected", ()) or ()})
    example = _closest_example(error, lexicon)
    return QueryError(what, position=position, expected=expected[:8], example=example)


_SIGNATURES: dict[int, tuple[Lexicon, list[tuple[str, object, object]]]] = {}


def _signatures(lexicon: Lexicon) -> list[tuple[str, object, object]]:
    """Where each broken example fails: (good example, parser state, accepted tokens), once per lexicon.

    Only broken examples whose words are all known count, so they fail in the parser, not the
    lexer. Computed once: re-parsing ~40 examples on every bad question made errors 40× dearer
    than answers (and lark's own ``match_examples`` can raise TypeError formatting a debug line).
    """
    cached = _SIGNATURES.get(id(lexicon))
    if cached is not None and cached[0] is lexicon:
        return cached[1]
    found = []
    for good, broken in EXAMPLES.items():
        for bad in broken:
            try:
                _lark().parse(Input(bad, lexicon))
            except UnexpectedInput as failure:
                found.append((good, failure.state, getattr(failure, "accepts", None)))
            except QueryError:
                continue
    if len(_SIGNATURES) >= 16:  # one entry per loaded graph; a long-lived process reloads rarely
        _SIGNATURES.clear()
    _SIGNATURES[id(lexicon)] = (lexicon, found)
    return found


def _closest_example(error: UnexpectedInput, lexicon: Lexicon) -> str | None:
    """The well-formed example whose broken variants fail where the question fails."""
    state, accepts = getattr(error, "state", None), getattr(error, "accepts", None)
    if state is None:
        return None
    fallback = None
    for good, their_state, their_accepts in _signatures(lexicon):
        if their_state == state:
            if accepts is None or their_accepts is None or their_accepts == accepts:
                return good
            fallback = fallback or good
    return fallback


@dataclass(frozen=True, slots=True)
class NP:
    """A noun phrase: the node it denotes and the patterns that constrain it."""

    node: ast.Node
    patterns: tuple[ast.Pattern, ...] = ()


class _ToAst:
    """Builds the AST bottom-up, one method per rule or alias; the question rules pick their parts by type.

    It walks the tree the way a lark ``Transformer`` does (children first, every token through
    ``__default_token__``), with the methods looked up once per class rather than per node.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.counter = 0
        self.x = Var("x")

    def transform(self, tree: Tree):
        """The AST of a parse tree; an error in a rule is a :class:`QueryError` (like lark's VisitError, read below)."""
        children = [self.transform(c) if isinstance(c, Tree) else self.__default_token__(c) for c in tree.children]
        method = _RULES.get(tree.data)
        return method(self, children) if method is not None else Tree(tree.data, children)

    # ---------------------------------------------------------------- helpers
    def fresh(self) -> Var:
        self.counter += 1
        return Var(f"v{self.counter}")

    def step(self, rel: RelRef) -> Step:
        """The relation as phrased (a passive form walks it backwards); :mod:`queries.rewrite` settles the rest."""
        if self.lexicon.relation(rel.id) is None:
            raise QueryError(f"unknown relation {rel.id!r}")
        return Step(rel.id, inverse=rel.passive)

    @staticmethod
    def parts(children: list) -> tuple[list[NP], list[RelRef], list[ClassRef], list[Token]]:
        nps = [c for c in children if isinstance(c, NP)]
        rels = [c for c in children if isinstance(c, RelRef)]
        classes = [c for c in children if isinstance(c, ClassRef)]
        terms = [c for c in children if isinstance(c, Token) and c.type == "TERM"]
        return nps, rels, classes, terms

    @staticmethod
    def class_token(children: list, *kinds: str) -> ClassRef:
        """The class named by the first CLASS_SG/CLASS_PL token (of ``kinds``) among the children."""
        kinds = kinds or ("CLASS_SG", "CLASS_PL")
        return next(c for c in children if isinstance(c, Token) and c.type in kinds).value

    def type_of(self, node: ast.Node, cls: ClassRef | None) -> tuple[ast.Pattern, ...]:
        return (Triple(node, Step(TYPE), Term(cls.id)),) if cls else ()

    @staticmethod
    def term_of(np: NP, role: str) -> Term:
        if not isinstance(np.node, Term) or np.patterns:
            raise QueryError(f"{role} must name one term, not a set of things")
        return np.node

    def define_or_list(self, np: NP) -> ast.Query:
        if isinstance(np.node, Term) and not np.patterns:
            return Define(np.node)
        return Select(np.node, np.patterns)

    # ---------------------------------------------------------------- tokens and small rules
    def __default_token__(self, token: Token):
        if isinstance(token.value, (RelRef, AttrRef)):
            return token.value
        return token

    def rnoun(self, children):
        return children[0]

    def class_(self, children):
        return children[0].value

    def ko_head(self, children):
        return children[0] if children else None

    # ---------------------------------------------------------------- noun phrases
    def term(self, token: Token) -> Term:
        ref: TermRef = token.value
        if ref.ambiguous:
            choices = list(ref.ids)
            raise AmbiguityError(f"{'|'.join(ref.ids)} can mean several things", position=token.start_pos,
                                 choices=choices, suggestions=[self.lexicon.term_names.get(c, c) for c in choices])
        return Term(ref.ids[0])

    def np_term(self, children):
        return NP(self.term(self.parts(children)[3][0]))

    def np_class(self, children):
        v = self.fresh()
        return NP(v, self.type_of(v, self.class_token(children, "CLASS_PL")))

    def np_class_clause(self, children):
        cls = next(c for c in children if isinstance(c, ClassRef))
        clause = next(c for c in children if callable(c) and not isinstance(c, Token))
        v = self.fresh()
        return NP(v, self.type_of(v, cls) + clause(v))

    def np_compound(self, children):
        _, rels, _, terms = self.parts(children)
        v = self.fresh()
        return NP(v, self.noun_patterns(v, rels[0], self.term(terms[0])))

    def np_rnoun_of(self, children):
        nps, rels, _, _ = self.parts(children)
        v = self.fresh()
        return NP(v, (*self.noun_patterns(v, rels[0], nps[0].node), *nps[0].patterns))

    def noun_patterns(self, v: Var, rel: RelRef, target: ast.Node) -> tuple[ast.Pattern, ...]:
        """``v rel target``; for a relation with ``noun_via`` (EBS backups), ``v rel ?w . ?w via? target``."""
        info = self.lexicon.relation(rel.id)
        if rel.passive or info is None or not info.noun_via:
            return (Triple(v, self.step(rel), target),)
        middle = self.fresh()
        return (Triple(v, self.step(rel), middle), Triple(middle, Step(info.noun_via, optional=True), target))

    def clause_verb(self, children):
        nps, rels, _, _ = self.parts(children)
        step, np = self.step(rels[0]), nps[0]
        return lambda node: (Triple(node, step, np.node), *np.patterns)

    clause_copula = clause_verb

    # ---------------------------------------------------------------- English questions
    def subject_what(self, children):
        nps, rels, classes, _ = self.parts(children)
        np = nps[0]
        patterns = (Triple(self.x, self.step(rels[0]), np.node), *np.patterns)
        return Select(self.x, self.type_of(self.x, classes[0] if classes else None) + patterns)

    subject_which = subject_what

    def object_what(self, children):
        nps, rels, classes, _ = self.parts(children)
        np = nps[0]
        patterns = (Triple(np.node, self.step(rels[0]), self.x), *np.patterns)
        return Select(self.x, self.type_of(self.x, classes[0] if classes else None) + patterns)

    object_which = where = object_what

    def what_is(self, children):
        return self.define_or_list(self.parts(children)[0][0])

    define = bare = list = what_is

    def which_are(self, children):
        nps, _, classes, _ = self.parts(children)
        np = nps[0]
        if isinstance(np.node, Term):
            raise QueryError("'which ... are' needs a class after 'are', such as 'databases'")
        return Select(np.node, self.type_of(np.node, classes[0]) + np.patterns)

    def expand(self, children):
        return Expand(self.term(self.parts(children)[3][0]))

    def kind_of(self, children):
        nps, _, _, _ = self.parts(children)
        cls = self.class_token(children, "CLASS_SG")
        c = Var("c")
        return Select(c, (Triple(nps[0].node, Step(TYPE), c),
                          Triple(c, Step(SUBCLASS, closure=True), Term(cls.id)), *nps[0].patterns))

    def kind_any(self, children):
        np = self.parts(children)[0][0]
        c = Var("c")
        return Select(c, (Triple(np.node, Step(TYPE), c), *np.patterns))

    def ask_type(self, children):
        np = self.parts(children)[0][0]
        return Ask((Triple(np.node, Step(TYPE), Term(self.class_token(children).id)), *np.patterns))

    def ask_relation(self, children):
        nps, rels, _, _ = self.parts(children)
        first, second = nps
        return Ask((Triple(first.node, self.step(rels[0]), second.node), *first.patterns, *second.patterns))

    def count_object(self, children):
        nps, rels, _, _ = self.parts(children)
        np = nps[0]
        return Count(self.x, (*self.type_of(self.x, self.class_token(children, "CLASS_PL")),
                              Triple(np.node, self.step(rels[0]), self.x), *np.patterns))

    def count_subject(self, children):
        nps, rels, _, _ = self.parts(children)
        np = nps[0]
        return Count(self.x, (*self.type_of(self.x, self.class_token(children, "CLASS_PL")),
                              Triple(self.x, self.step(rels[0]), np.node), *np.patterns))

    def count_all(self, children):
        return Count(self.x, self.type_of(self.x, self.class_token(children, "CLASS_PL")))

    def compare_item(self, children):
        return NP(self.term(self.parts(children)[3][0]))

    def compare(self, children):
        nps = self.parts(children)[0]
        return Compare(tuple(self.term_of(np, "each thing compared") for np in nps))

    def attribute(self, children):
        attr = next(c for c in children if isinstance(c, AttrRef))
        return Attribute(self.term_of(self.parts(children)[0][0], "the thing asked about"), attr.id)

    def path(self, children):
        first, second = self.parts(children)[0]
        return Path(self.term_of(first, "the first thing"), self.term_of(second, "the second thing"))

    # ---------------------------------------------------------------- Korean questions
    def ko_where(self, children):
        nps, rels, _, _ = self.parts(children)
        np = nps[0]
        return Select(self.x, (Triple(np.node, self.step(rels[0]), self.x), *np.patterns))

    ko_object_what = ko_where

    def ko_object(self, children):
        nps, rels, _, _ = self.parts(children)
        head = next((c for c in children if isinstance(c, ClassRef)), None)
        np = nps[0]
        return Select(self.x, (*self.type_of(self.x, head), Triple(np.node, self.step(rels[0]), self.x),
                               *np.patterns))

    def ko_subject(self, children):
        nps, rels, _, _ = self.parts(children)
        head = next((c for c in children if isinstance(c, ClassRef)), None)
        np = nps[0]
        return Select(self.x, (*self.type_of(self.x, head), Triple(self.x, self.step(rels[0]), np.node),
                               *np.patterns))

    ko_located = ko_subject

    ko_subject_what = ko_subject
    ko_ask_relation = ask_relation

    def ko_ask_type(self, children):
        np = self.parts(children)[0][0]
        cls = next(c for c in children if isinstance(c, ClassRef))
        return Ask((Triple(np.node, Step(TYPE), Term(cls.id)), *np.patterns))

    def ko_count_object(self, children):
        query = self.ko_object(children)
        return Count(query.target, query.where)

    def ko_question(self, children):
        return children[0]

    # ---------------------------------------------------------------- core form
    def core_select(self, children):
        return Select(self._var(children[1]), children[3])

    def core_count(self, children):
        return Count(self._var(children[1]), children[3])

    def core_ask(self, children):
        return Ask(children[2])

    def core_define(self, children):
        return Define(self._term(children[1]))

    def core_expand(self, children):
        return Expand(self._term(children[1]))

    def core_path(self, children):
        return Path(self._term(children[1]), self._term(children[2]))

    def core_compare(self, children):
        return Compare(tuple(self._term(c) for c in children[1:]))

    def core_value(self, children):
        name = str(children[2].value)
        if name not in self.lexicon.attributes:
            import difflib

            close = difflib.get_close_matches(name, list(self.lexicon.attributes), n=3)
            raise QueryError(f"unknown attribute {name!r}", position=children[2].start_pos, suggestions=close)
        return Attribute(self._term(children[1]), name)

    def patterns(self, children):
        return tuple(c for c in children if isinstance(c, (Triple, NotEqual)))

    def core_not_equal(self, children):
        var, _, term = children
        return NotEqual(self._var(var), self._term(term))

    def core_triple(self, children):
        subject, relation, obj = children
        return Triple(self._node(subject), self._core_step(relation), self._node(obj))

    def _core_step(self, token: Token) -> Step:
        text = str(token.value)
        inverse, closure, optional = text.startswith("^"), text.endswith("+"), text.endswith("?")
        name = text.strip("^+?")
        if name == "a":
            return Step(TYPE, inverse, closure, optional)
        if name != SUBCLASS and self.lexicon.relation(name) is None:
            import difflib

            close = difflib.get_close_matches(name, [*self.lexicon.relations, SUBCLASS], n=3)
            raise QueryError(f"unknown relation {name!r}", position=token.start_pos, suggestions=close)
        return Step(name, inverse, closure, optional)

    def _node(self, token: Token) -> ast.Node:
        return self._var(token) if token.type == "VAR" else self._term(token)

    @staticmethod
    def _var(token: Token) -> Var:
        return Var(str(token.value)[1:])

    @staticmethod
    def _term(token: Token) -> Term:
        return Term(str(token.value)[1:])

    # ---------------------------------------------------------------- start
    def start(self, children):
        return children[0]

    def en_question(self, children):
        return children[0]

    def question(self, children):
        return children[0]

    def core(self, children):
        return children[0]


_RULES: dict[str, Callable[[_ToAst, list], object]] = {
    name: fn for name, fn in vars(_ToAst).items() if isinstance(fn, FunctionType) and not name.startswith("_")}
"""Each rule's (or alias's) method; helpers that are static methods are not rules."""
_RULES["class"] = _ToAst.class_  # the grammar's rule "class" is a Python keyword

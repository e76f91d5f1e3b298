"""Generate SPARQL 1.1 from the AST, one method per node.

Inverses, sub-properties, property chains and transitivity become property paths, so the
query runs on the asserted data of a store with no reasoner. Everything that reaches the
text goes through :func:`iri_ref`, :func:`var_ref` or :func:`comment`: injection is
impossible by construction.

>>> from queries.ast import Select, Step, Term, Triple, Var
>>> from queries.lexicon import RelationInfo
>>> rels = {"stores": RelationInfo("stores", "https://w3id.org/cloudkg/schema#stores", inverse="storedIn"),
...         "storedIn": RelationInfo("storedIn", "https://w3id.org/cloudkg/schema#storedIn", inverse="stores")}
>>> print(to_sparql(Select(Var("x"), (Triple(Var("x"), Step("stores"), Term("EBSSnapshot")),)), rels).strip())
PREFIX ckg: <https://w3id.org/cloudkg/schema#>
PREFIX ck: <https://w3id.org/cloudkg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?x WHERE {
  ?x (ckg:stores|^ckg:storedIn) ck:EBSSnapshot .
}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from ontology import SCHEMA, TERM
from queries import ast, paths
from queries.lexicon import RelationInfo

__all__ = ["PATH_LIMIT", "PATH_MAX_LENGTH", "to_sparql", "iri_ref", "var_ref", "comment", "relation_path",
           "step_path", "full_iri_ref", "store_prefixes"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PREFIXES = {"ckg": SCHEMA, "ck": TERM, "rdf": RDF, "rdfs": RDFS, "skos": SKOS}
_SAFE_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_SAFE_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def iri_ref(namespace: str, local: str) -> str:
    """A SPARQL reference to ``namespace + local``: a prefixed name when safe, else an escaped IRI.

    >>> iri_ref(TERM, "EC2"), iri_ref(TERM, "x> } DROP ALL #")
    ('ck:EC2', '<https://w3id.org/cloudkg/id/x%3E%20%7D%20DROP%20ALL%20%23>')
    """
    for prefix, ns in PREFIXES.items():
        if namespace == ns and _SAFE_LOCAL.fullmatch(local):
            return f"{prefix}:{local}"
    return "<" + quote(namespace, safe=":/#") + quote(local, safe="") + ">"


def full_iri_ref(iri: str) -> str:
    """A reference to a full IRI, via the known prefixes when possible."""
    for ns in PREFIXES.values():
        if iri.startswith(ns):
            return iri_ref(ns, iri[len(ns):])
    return "<" + quote(iri, safe=":/#?=&") + ">"


def var_ref(var: ast.Var) -> str:
    """``?name``, with anything but letters, digits and _ replaced."""
    name = var.name if _SAFE_VAR.fullmatch(var.name) else "v_" + re.sub(r"\W", "_", var.name)
    return "?" + name


def comment(text: str) -> str:
    """A one-line SPARQL comment; line breaks cannot end it early."""
    return "# " + re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text)


_DEFAULTS = {ast.TYPE: RelationInfo(ast.TYPE, RDF + "type"),
             ast.SUBCLASS: RelationInfo(ast.SUBCLASS, RDFS + "subClassOf", transitive=True)}
PATH_MAX_LENGTH = 3
"""The longest connection a PATH question's SPARQL looks for (the local search has no bound).

Each length ``n`` is ``2**n`` basic graph patterns; at 4 steps rdflib takes about 10 s per question."""
PATH_LIMIT = 5
"""How many connections a PATH question's SPARQL lists, shortest first (as the local search)."""


def _with_defaults(relations: Mapping[str, RelationInfo]) -> Mapping[str, RelationInfo]:
    """``relations`` with ``type`` and ``subClassOf`` as the engine has them, when not given."""
    missing = {k: v for k, v in _DEFAULTS.items() if k not in relations}
    return {**relations, **missing} if missing else relations


def _ref(relations: Mapping[str, RelationInfo]):
    def ref(rel_id: str) -> str:
        info = relations.get(rel_id)
        return full_iri_ref(info.iri) if info is not None else iri_ref(SCHEMA, rel_id)
    return ref


def step_path(step: ast.Step, relations: Mapping[str, RelationInfo]) -> paths.Path:
    """The path of a step: its relation's logic (:func:`queries.paths.compile_relation`), reversed,
    one or more times, or zero or one time, as the step says."""
    relations = _with_defaults(relations)
    path = paths.compile_relation(step.relation, relations, closure=step.closure)
    if step.inverse:
        path = paths.inverse(path)
    if step.optional:
        if isinstance(path, paths.OneOrMore):  # (p+)? is p*: no closure inside the ?
            return paths.ZeroOrMore(path.path)
        return path if isinstance(path, paths.ZeroOrMore) else paths.ZeroOrOne(path)
    return path


def relation_path(rel_id: str, relations: Mapping[str, RelationInfo]) -> str:
    """The property path that finds every fact of ``rel_id`` entailed by the asserted data.

    >>> relation_path("type", {})
    'rdf:type/rdfs:subClassOf*'
    """
    relations = _with_defaults(relations)
    return paths.to_sparql_path(paths.compile_relation(rel_id, relations), _ref(relations))


def _node(node: ast.Node) -> str:
    return var_ref(node) if isinstance(node, ast.Var) else iri_ref(TERM, node.id)


def _branches(path: paths.Path) -> list[paths.Path]:
    """A path ``(a|b)/c*`` as the branches ``a/c*`` and ``b/c*`` (printed as a UNION).

    Virtuoso 7 answers an alternative before a closure wrongly when joined with other patterns;
    the UNION of its branches it answers right. Other paths stay whole.
    """
    if isinstance(path, paths.Seq) and isinstance(path.paths[0], paths.Alt) and len(path.paths[0].paths) <= 8:
        rest = path.paths[1:]
        return [paths.Seq((branch, *rest)) for branch in path.paths[0].paths]
    return [path]


def _printed(path: paths.Path, ref) -> str:
    text = paths.to_sparql_path(path, ref)
    return f"({text})" if isinstance(path, paths.Alt) else text


def _triple(triple: ast.Triple, relations) -> str:
    relations = _with_defaults(relations)
    subject, obj, ref = _node(triple.subject), _node(triple.object), _ref(relations)
    branches = [_printed(b, ref) for b in _branches(step_path(triple.step, relations))]
    if len(branches) == 1:
        return f"  {subject} {branches[0]} {obj} ."
    return "  " + " UNION ".join(f"{{ {subject} {b} {obj} }}" for b in branches)


def _filter(pattern: ast.NotEqual) -> str:
    """``?x != :S3`` as a FILTER; an unbound variable fails it, as it finds nothing locally.

    >>> _filter(ast.NotEqual(ast.Var("x"), ast.Term("S3")))
    '  FILTER(?x != ck:S3)'
    """
    return f"  FILTER({var_ref(pattern.var)} != {iri_ref(TERM, pattern.term.id)})"


ISOLATION_LIMIT = 1_000_000_000
"""A LIMIT no answer reaches: it only keeps a store from merging the sub-SELECT into the join."""


def _isolated(triple: ast.Triple, text: str) -> str:
    """A closure pattern as its own sub-SELECT, evaluated before the join.

    Virtuoso 7 inlines a closure joined on a variable bound elsewhere and loses rows (``?x builtOn
    :EC2 . ?x rdf:type/rdfs:subClassOf* :Service`` finds nothing there). A sub-SELECT with a LIMIT
    is evaluated on its own; the text stays plain SPARQL 1.1.

    >>> print(_isolated(ast.Triple(ast.Var("x"), ast.Step("type"), ast.Term("Service")), "  ?x a+ ck:Service ."))
      { SELECT DISTINCT ?x WHERE {
      ?x a+ ck:Service .
      } LIMIT 1000000000 }
    """
    names = [var_ref(n) for n in (triple.subject, triple.object) if isinstance(n, ast.Var)]
    head = " ".join(dict.fromkeys(names)) or "*"
    return f"  {{ SELECT DISTINCT {head} WHERE {{\n{text}\n  }} LIMIT {ISOLATION_LIMIT} }}"


def _bound_closure(triple: ast.Triple, relations, index: int) -> str:
    """A closure between two constants, walked from its subject to a variable the object is given to.

    Virtuoso 7 walks ``:EC2 rdf:type/rdfs:subClassOf* :Service`` backwards from the object when its
    statistics say so, and then answers false; from the subject alone it answers right.

    >>> print(_bound_closure(ast.Triple(ast.Term("a"), ast.Step("type"), ast.Term("C")), {}, 0))
      { SELECT DISTINCT ?end0 WHERE {
      ck:a rdf:type/rdfs:subClassOf* ?end0 .
      } LIMIT 1000000000 }
      VALUES ?end0 { ck:C }
    """
    end = ast.Var(f"end{index}")
    walked = ast.Triple(triple.subject, triple.step, end)
    value = iri_ref(TERM, triple.object.id)
    return _isolated(walked, _triple(walked, relations)) + f"\n  VALUES {var_ref(end)} {{ {value} }}"


def _closure(text: str) -> bool:
    return "*" in text or "+" in text


def _where(patterns, relations, isolate: bool = False) -> str:
    """The patterns; with ``isolate``, each closure joined with other patterns in a sub-SELECT."""
    triples = [p for p in patterns if isinstance(p, ast.Triple)]
    printed = [_triple(p, relations) for p in triples]
    if isolate:
        printed = [_bound_closure(p, relations, i)
                   if _closure(text) and isinstance(p.subject, ast.Term) and isinstance(p.object, ast.Term)
                   else _isolated(p, text) if _closure(text) and len(triples) > 1 else text
                   for i, (p, text) in enumerate(zip(triples, printed, strict=True))]
    filters = [_filter(p) for p in patterns if isinstance(p, ast.NotEqual)]
    return "WHERE {\n" + "\n".join(printed + filters) + "\n}"


def _prefixes() -> str:
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


STORE_PREFIXES = {**PREFIXES, "owl": "http://www.w3.org/2002/07/owl#", "dcterms": "http://purl.org/dc/terms/"}
"""The prefixes of the queries a back-end sends a store itself (schema, glossary, sources), beyond the printed ones."""


def store_prefixes() -> str:
    """The PREFIX lines for :data:`STORE_PREFIXES`, one per line, ending with a newline."""
    return "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in STORE_PREFIXES.items())


def _select(query: ast.Select, relations, isolate: bool = False) -> str:
    return f"SELECT DISTINCT {var_ref(query.target)} {_where(query.where, relations, isolate)}"


def _count(query: ast.Count, relations, isolate: bool = False) -> str:
    return f"SELECT (COUNT(DISTINCT {var_ref(query.target)}) AS ?count) {_where(query.where, relations, isolate)}"


def _ask(query: ast.Ask, relations, isolate: bool = False) -> str:
    return f"ASK {_where(query.where, relations, isolate)}"


def _define(query: ast.Define, relations) -> str:
    """The preferred label and definition of a term, one row per language (``?lang``)."""
    term = iri_ref(TERM, query.term.id)
    return ("SELECT ?lang ?label ?definition WHERE {\n"
            f"  {term} skos:prefLabel ?label .\n"
            f"  OPTIONAL {{ {term} skos:definition ?definition . FILTER(lang(?definition) = lang(?label)) }}\n"
            "  BIND(lang(?label) AS ?lang)\n"
            "} ORDER BY ?lang")


def _expand(query: ast.Expand, relations) -> str:
    """What the term's abbreviation stands for (and the abbreviation, when it has one)."""
    term = iri_ref(TERM, query.term.id)
    return (f"SELECT ?abbreviation ?expansion WHERE {{\n  {term} ckg:expansion ?expansion .\n"
            f"  OPTIONAL {{ {term} ckg:abbreviation ?abbreviation }}\n}}")


OWL_OBJECT_PROPERTY = "<http://www.w3.org/2002/07/owl#ObjectProperty>"


def _usable(predicate: str) -> str:
    """The test the loader applies to a relation allowed in paths, run on the store's copy of the schema."""
    return (f"{predicate} a {OWL_OBJECT_PROPERTY} . "
            f"FILTER NOT EXISTS {{ {predicate} ckg:excludeFromPaths true }}")


def _branch(source: str, target: str, backward: tuple[bool, ...]) -> str:
    """The connections of ``len(backward)`` steps, each walked as given, that visit no node twice.

    One basic graph pattern per choice of directions (rather than a UNION per step), so every
    store, rdflib included, joins it step by step from the source.
    """
    length = len(backward)
    nodes = [source, *(f"?n{i}" for i in range(1, length)), target]
    lines = []
    for i, back in enumerate(backward, start=1):
        a, b = (nodes[i], nodes[i - 1]) if back else (nodes[i - 1], nodes[i])
        lines.append(f"{a} ?p{i} {b} . {_usable(f'?p{i}')}")
        lines.append(f"BIND(\"{'backward' if back else 'forward'}\" AS ?d{i})")
    inner = nodes[1:-1]
    distinct = [f"{x} != {y}" for i, x in enumerate(inner) for y in [source, target, *inner[i + 1:]]]
    if distinct:
        lines.append(f"FILTER({' && '.join(distinct)})")
    lines.append(f"BIND({length} AS ?length)")
    return "  {\n" + "".join(f"    {line}\n" for line in lines) + "  }"


def _path(query: ast.Path, relations) -> str:
    """The shortest connections first: a UNION over 1..PATH_MAX_LENGTH steps, each step either way
    along an asserted fact of a relation allowed in paths (as the local search walks them).

    Which relations are allowed is read from the schema in the store (``owl:ObjectProperty`` and
    no ``ckg:excludeFromPaths true``, as the loader reads it): the store holds `kg export`'s data.
    A row gives ``?length`` and for each step i ``?pi`` (the relation), ``?di`` ("forward" when
    the step walks from the fact's subject) and ``?ni`` (the node reached; the last is the
    target). Rows after those of the first ``?length`` are longer connections.
    """
    source, target = iri_ref(TERM, query.source.id), iri_ref(TERM, query.target.id)
    if source == target:
        return "SELECT ?length WHERE { FILTER(false) }"
    last = PATH_MAX_LENGTH
    columns = " ".join(f"?p{i} ?d{i}" + (f" ?n{i}" if i < last else "") for i in range(1, last + 1))
    branches = [_branch(source, target, tuple(bool(combo >> i & 1) for i in range(length)))
                for length in range(1, last + 1) for combo in range(2 ** length)]
    order = " ".join(f"?p{i} ?d{i}" + (f" ?n{i}" if i < last else "") for i in range(1, last + 1))
    return (f"SELECT DISTINCT ?length {columns} WHERE {{\n" + "\n  UNION\n".join(branches) + "\n}\n"
            f"ORDER BY ?length {order}\nLIMIT {PATH_LIMIT}")


def _compare(query: ast.Compare, relations) -> str:
    """Each term's preferred label and definition, one row per term and language."""
    terms = " ".join(iri_ref(TERM, t.id) for t in query.terms)
    return ("SELECT ?term ?lang ?label ?definition WHERE {\n"
            f"  VALUES ?term {{ {terms} }}\n"
            "  ?term skos:prefLabel ?label .\n"
            "  OPTIONAL { ?term skos:definition ?definition . FILTER(lang(?definition) = lang(?label)) }\n"
            "  BIND(lang(?label) AS ?lang)\n"
            "} ORDER BY ?term ?lang")


def _attribute(query: ast.Attribute, relations) -> str:
    """The values of a datatype property of a term."""
    term, attribute = iri_ref(TERM, query.term.id), iri_ref(SCHEMA, query.attribute_id)
    return f"SELECT ?value WHERE {{\n  {term} {attribute} ?value .\n}}\nORDER BY ?value"


_GENERATORS = {ast.Compare: _compare, ast.Attribute: _attribute,
               ast.Select: _select, ast.Count: _count, ast.Ask: _ask, ast.Define: _define,
               ast.Expand: _expand, ast.Path: _path}


_JOINS = (_select, _count, _ask)


def to_sparql(query: ast.Query, relations: Mapping[str, RelationInfo], question: str | None = None,
              isolate: bool = False) -> str:
    """The SPARQL 1.1 text of a query; ``question`` goes in a leading comment.

    ``isolate`` puts each closure that is joined with other patterns in its own sub-SELECT, for
    stores that answer such joins wrongly (Virtuoso 7); see :func:`_isolated`.
    """
    head = _prefixes()
    if question:
        head = comment(question) + "\n" + head
    generator = _GENERATORS[type(query)]
    body = generator(query, relations, isolate) if generator in _JOINS else generator(query, relations)
    return head + "\n" + body + "\n"

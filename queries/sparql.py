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
from queries import ast
from queries.lexicon import RelationInfo

__all__ = ["to_sparql", "iri_ref", "var_ref", "comment", "relation_path"]

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


def _alternatives(refs: list[str]) -> str:
    unique = list(dict.fromkeys(refs))
    return unique[0] if len(unique) == 1 else "(" + "|".join(unique) + ")"


def relation_path(rel_id: str, relations: Mapping[str, RelationInfo], _depth: int = 0) -> str:
    """The property path that finds every fact of ``rel_id`` entailed by the asserted data."""
    if rel_id == ast.TYPE:  # with the relations declared sub-properties of rdf:type (hostsKind)
        kinds = sorted(full_iri_ref(r.iri) for r in relations.values() if ast.TYPE in r.super_properties)
        return f"{_alternatives(['rdf:type', *kinds])}/rdfs:subClassOf*" if kinds else "rdf:type/rdfs:subClassOf*"
    if rel_id == ast.SUBCLASS:
        return "rdfs:subClassOf+"
    info = relations[rel_id]
    inverse = relations.get(info.inverse) if info.inverse else None
    if not info.chains and inverse is not None and inverse.chains and _depth < 2:
        return f"^({relation_path(inverse.id, relations, _depth + 1)})"
    forms = [full_iri_ref(info.iri)]
    forms += [full_iri_ref(r.iri) for r in relations.values() if rel_id in r.super_properties]
    if inverse is not None:
        forms.append("^" + full_iri_ref(inverse.iri))
        forms += ["^" + full_iri_ref(r.iri) for r in relations.values() if inverse.id in r.super_properties]
    path = _alternatives(forms)
    for chain in info.chains:
        if len(chain) == 2 and chain[0] == rel_id and chain[1] in relations and _depth < 2:
            path = f"{path}/({relation_path(chain[1], relations, _depth + 1)})*"
    transitive = info.transitive or (inverse is not None and inverse.transitive)
    return f"({path})+" if transitive else path


def _node(node: ast.Node) -> str:
    return var_ref(node) if isinstance(node, ast.Var) else iri_ref(TERM, node.id)


def _triple(triple: ast.Triple, relations) -> str:
    path = relation_path(triple.step.relation, relations)
    if triple.step.inverse:
        path = f"^({path})"
    if triple.step.closure and not relations.get(triple.step.relation, RelationInfo("", "")).transitive \
            and triple.step.relation not in (ast.SUBCLASS,):
        path = f"({path})+"
    if triple.step.optional:
        path = f"({path})?"
    return f"  {_node(triple.subject)} {path} {_node(triple.object)} ."


def _filter(pattern: ast.NotEqual) -> str:
    """``?x != :S3`` as a FILTER; an unbound variable fails it, as it finds nothing locally.

    >>> _filter(ast.NotEqual(ast.Var("x"), ast.Term("S3")))
    '  FILTER(?x != ck:S3)'
    """
    return f"  FILTER({var_ref(pattern.var)} != {iri_ref(TERM, pattern.term.id)})"


def _where(patterns, relations) -> str:
    triples = [_triple(p, relations) for p in patterns if isinstance(p, ast.Triple)]
    filters = [_filter(p) for p in patterns if isinstance(p, ast.NotEqual)]
    return "WHERE {\n" + "\n".join(triples + filters) + "\n}"


def _prefixes() -> str:
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


def _select(query: ast.Select, relations) -> str:
    return f"SELECT DISTINCT {var_ref(query.target)} {_where(query.where, relations)}"


def _count(query: ast.Count, relations) -> str:
    return f"SELECT (COUNT(DISTINCT {var_ref(query.target)}) AS ?count) {_where(query.where, relations)}"


def _ask(query: ast.Ask, relations) -> str:
    return f"ASK {_where(query.where, relations)}"


def _define(query: ast.Define, relations) -> str:
    term = iri_ref(TERM, query.term.id)
    return ("SELECT ?label ?definition WHERE {\n"
            f"  {term} skos:prefLabel ?label .\n"
            f"  OPTIONAL {{ {term} skos:definition ?definition . FILTER(lang(?definition) = lang(?label)) }}\n"
            "}")


def _expand(query: ast.Expand, relations) -> str:
    return f"SELECT ?expansion WHERE {{\n  {iri_ref(TERM, query.term.id)} ckg:expansion ?expansion .\n}}"


def _path(query: ast.Path, relations) -> str:
    a, b = iri_ref(TERM, query.source.id), iri_ref(TERM, query.target.id)
    return (comment("SPARQL 1.1 has no shortest-path operator; this lists direct links both ways.")
            + f"\nSELECT ?relation ?direction WHERE {{\n  {{ {a} ?relation {b} . BIND(\"forward\" AS ?direction) }}\n"
            f"  UNION {{ {b} ?relation {a} . BIND(\"backward\" AS ?direction) }}\n}}")


_GENERATORS = {ast.Select: _select, ast.Count: _count, ast.Ask: _ask, ast.Define: _define,
               ast.Expand: _expand, ast.Path: _path}


def to_sparql(query: ast.Query, relations: Mapping[str, RelationInfo], question: str | None = None) -> str:
    """The SPARQL 1.1 text of a query; ``question`` goes in a leading comment."""
    head = _prefixes()
    if question:
        head = comment(question) + "\n" + head
    return head + "\n" + _GENERATORS[type(query)](query, relations) + "\n"

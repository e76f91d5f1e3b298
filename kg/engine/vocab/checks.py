"""SKOS integrity conditions and quality checks for a user's vocabulary: errors and warnings.

Only what would make answers wrong is an error (a broader cycle, a concept both broader and
related); everything else is a warning and the file loads. Each message names the file and the
concept, says what is wrong and what the engine does about it.

>>> from rdflib import Graph
>>> g = Graph().parse(format="turtle", data='''
... @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <http://example.org/> .
... ex:a a skos:Concept ; skos:prefLabel "A"@en, "Alpha"@en ; skos:broader ex:b .
... ex:b a skos:Concept ; skos:prefLabel "B"@en ; skos:broader ex:a .''')
>>> found = check_graph(g, "mine.ttl")
>>> [m.split(":", 1)[1].strip()[:40] for m in found.errors]
['broader cycle: ex:a → ex:b → ex:a (a con']
>>> len(found.warnings)
1
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS

from kg.engine.vocab.formats import find_import

__all__ = ["Findings", "check_graph", "check_file", "MAX_NAMED"]

_NOTES = (SKOS.definition, SKOS.scopeNote)
MAX_NAMED = 8
"""How many concepts a grouped warning names before "and N more"."""


@dataclass
class Findings:
    """What the checks found: errors stop the load, warnings are reported."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def extend(self, other: Findings) -> None:
        self.errors += other.errors
        self.warnings += other.warnings


def _short(graph: Graph, node) -> str:
    if isinstance(node, URIRef):
        try:
            prefix, namespace, name = graph.namespace_manager.compute_qname(str(node), generate=False)
            return f"{prefix}:{name}" if prefix else f"<{node}>"
        except (ValueError, KeyError):
            return f"<{node}>"
    return str(node)


def _some(graph: Graph, nodes) -> str:
    names = sorted(_short(graph, n) for n in nodes)
    more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    return ", ".join(names[:MAX_NAMED]) + more


def _label_checks(graph: Graph, concepts: list, file: str, found: Findings) -> None:
    """S14 one prefLabel per language; S13 pref/alt/hidden labels disjoint."""
    for node in concepts:
        by_lang: dict[str, list[str]] = defaultdict(list)
        for label in graph.objects(node, SKOS.prefLabel):
            if isinstance(label, Literal):
                by_lang[label.language or ""].append(str(label))
        for lang, labels in sorted(by_lang.items()):
            if len(labels) > 1:
                chosen = sorted(labels)[0]
                where = f"in '{lang}'" if lang else "without a language tag"
                found.warnings.append(f"{file}: {_short(graph, node)} has {len(labels)} preferred labels {where} "
                                      f"({', '.join(repr(x) for x in sorted(labels))}); using {chosen!r}")
        kinds = {p: {(str(o), getattr(o, "language", None)) for o in graph.objects(node, p)}
                 for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)}
        both = (kinds[SKOS.prefLabel] & (kinds[SKOS.altLabel] | kinds[SKOS.hiddenLabel])) | (
            kinds[SKOS.altLabel] & kinds[SKOS.hiddenLabel])
        for text, _ in sorted(both, key=str):
            found.warnings.append(f"{file}: {_short(graph, node)} has {text!r} as more than one kind of label "
                                  "(preferred, alternative, hidden); they should be disjoint")


def _broader_edges(graph: Graph) -> dict:
    edges: dict = defaultdict(set)
    for s, o in graph.subject_objects(SKOS.broader):
        edges[s].add(o)
    for s, o in graph.subject_objects(SKOS.narrower):
        edges[o].add(s)
    return edges


def _cycle_from(edges: dict, start) -> list | None:
    """One broader path from ``start`` back to itself (iterative depth-first search), else None."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for parent in sorted(edges.get(node, ()), key=str):
            if parent == start:
                return [*path, start]
            if parent not in seen:
                seen.add(parent)
                stack.append((parent, [*path, parent]))
    return None


def _hierarchy_checks(graph: Graph, file: str, found: Findings) -> None:
    """Broader cycles and broader/related clashes (S27) are errors: hierarchy answers would be wrong."""
    edges = _broader_edges(graph)
    in_cycle: set = set()
    for node in sorted(edges, key=str):
        if node in in_cycle:
            continue
        cycle = _cycle_from(edges, node)
        if cycle:
            in_cycle.update(cycle)
            path = " → ".join(_short(graph, n) for n in cycle)
            found.errors.append(f"{file}: broader cycle: {path} (a concept would be broader than itself); "
                                "remove one skos:broader or skos:narrower link")
    for s, o in sorted(graph.subject_objects(SKOS.related), key=str):
        if o in _ancestors(edges, s) or s in _ancestors(edges, o):
            found.errors.append(f"{file}: {_short(graph, s)} is both skos:related to and in the broader hierarchy "
                                f"of {_short(graph, o)}; SKOS keeps these apart: remove the skos:related link")


def _ancestors(edges: dict, node, most: int = 100_000) -> set:
    seen, todo = set(), [node]
    while todo and len(seen) < most:
        for parent in edges.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _quality_checks(graph: Graph, concepts: list, file: str, found: Findings) -> None:
    """Orphans, missing labels, links to undescribed concepts, clashing types."""
    linked = set()
    for p in (SKOS.broader, SKOS.narrower, SKOS.related, SKOS.topConceptOf, SKOS.hasTopConcept, SKOS.member):
        for s, o in graph.subject_objects(p):
            linked.update((s, o))
    orphans = [c for c in concepts if c not in linked]
    if orphans and len(concepts) > 1:
        found.warnings.append(f"{file}: {len(orphans)} concept(s) with no broader, narrower or related concept "
                              f"and in no scheme's top concepts: {_some(graph, orphans)}")
    unlabelled = [c for c in concepts if not any(True for _ in graph.objects(c, SKOS.prefLabel))]
    if unlabelled:
        found.warnings.append(f"{file}: {len(unlabelled)} concept(s) with no skos:prefLabel, named after their "
                              f"IRI or rdfs:label: {_some(graph, unlabelled)}")
    known = set(concepts)
    missing = {o for p in (SKOS.broader, SKOS.narrower, SKOS.related) for o in graph.objects(None, p)
               if isinstance(o, URIRef) and o not in known}
    if missing:
        found.warnings.append(f"{file}: links to {len(missing)} concept(s) the file does not describe: "
                              f"{_some(graph, missing)}")
    for other, rule in ((SKOS.ConceptScheme, "S9"), (SKOS.Collection, "S37")):
        clash = [c for c in concepts if (c, RDF.type, other) in graph]
        if clash:
            found.warnings.append(f"{file}: {_some(graph, clash)} typed both skos:Concept and "
                                  f"{_short(graph, other)}, which SKOS keeps disjoint ({rule})")


def _literal_checks(graph: Graph, file: str, found: Findings) -> None:
    """Ill-typed literals (an impossible date…) and definitions given as a resource with no rdf:value."""
    for s, p, o in sorted(graph, key=lambda t: tuple(map(str, t))):
        if isinstance(o, Literal) and o.ill_typed:
            found.warnings.append(f"{file}: {_short(graph, s)} {_short(graph, p)} {str(o)!r} is not a valid "
                                  f"{_short(graph, o.datatype)}; kept as text")
        elif p in _NOTES and not isinstance(o, Literal) and (o, RDF.value, None) not in graph:
            found.warnings.append(f"{file}: {_short(graph, s)} has a {_short(graph, p)} resource with no rdf:value; "
                                  "it is left out")


def _import_checks(graph: Graph, file: str, found: Findings) -> None:
    folder = Path(file).parent
    for iri in sorted(set(graph.objects(None, OWL.imports))):
        if isinstance(iri, URIRef) and find_import(folder, str(iri)) is None:
            found.warnings.append(f"{file}: owl:imports <{iri}> has no file beside it; imports are never "
                                  "fetched from the network, so its terms are left out")


def check_graph(graph: Graph, file: str) -> Findings:
    """Every check on one parsed file (before :func:`~kg.engine.vocab.reader.normalise`)."""
    found = Findings()
    concepts = sorted((c for c in set(graph.subjects(RDF.type, SKOS.Concept)) if not isinstance(c, BNode)), key=str)
    _hierarchy_checks(graph, file, found)
    _label_checks(graph, concepts, file, found)
    _quality_checks(graph, concepts, file, found)
    _literal_checks(graph, file, found)
    _import_checks(graph, file, found)
    return found


def check_file(path: Path | str) -> Findings:
    """Parse ``path`` (any RDF syntax) and check it; a file that does not parse raises DataError."""
    from kg.engine.vocab.formats import parse_path

    return check_graph(parse_path(path), str(path))

"""Plain data the web pages show: a concept's relations, its graph neighbourhood, classes, A–Z groups.

>>> from kg.graph import KnowledgeGraph
>>> g = KnowledgeGraph.load()
>>> data = neighbourhood(g, "EBSSnapshot")
>>> {"id": "S3", "label": "Amazon S3"} in data["nodes"]
True
>>> initial("스냅샷"), initial("ebs"), initial("3")
('ㅅ', 'E', '#')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.engine.model import Fact
    from kg.graph import KnowledgeGraph

__all__ = ["Relation", "class_tree", "initial", "neighbourhood", "relations"]

MAX_EDGES = 60
# Facts these rules derive only restate another fact backwards (S3 stores X = X storedIn S3).
MIRROR_RULES = frozenset({"inverseOf", "symmetric"})
CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"


@dataclass(frozen=True)
class Relation:
    """One fact seen from a concept: the relation's wording, the other end, and its rule if inferred."""

    relation: str
    label: str
    other: str
    other_label: str
    forward: bool
    rule: str | None
    text: str


def _rule(g: KnowledgeGraph, fact: Fact) -> str | None:
    derivation = g.store.derivations.get(fact)
    return derivation.rule if derivation else None


def _shown(g: KnowledgeGraph, fact: Fact, for_graph: bool) -> bool:
    rule = _rule(g, fact)
    if rule in MIRROR_RULES:
        return False
    return not (for_graph and rule and fact[1] in ("type", "subClassOf"))


def relations(g: KnowledgeGraph, concept_id: str, lang: str = "en") -> list[Relation]:
    """Every fact touching a concept, asserted first, mirror-image inferred facts left out."""
    found = []
    for fact, forward in g.store.neighbours(concept_id):
        if not _shown(g, fact, for_graph=False):
            continue
        info = g.relations.get(fact[1])
        label = (info.label_ko if lang == "ko" else info.label_en) if info else fact[1]
        other = fact[2] if forward else fact[0]
        found.append(Relation(fact[1], label, other, g.label(other, lang), forward, _rule(g, fact),
                              g.sentence(fact, lang)))
    return sorted(found, key=lambda r: (r.rule is not None, not r.forward, r.relation, r.other_label.lower()))


def neighbourhood(g: KnowledgeGraph, node_id: str, lang: str = "en") -> dict[str, Any]:
    """The node and its neighbours as ``{nodes: [{id, label}], edges: [{source, target, label, inferred, rule}]}``."""
    nodes = {node_id: g.label(node_id, lang)}
    edges = []
    facts = sorted(((f, fw) for f, fw in g.store.neighbours(node_id) if _shown(g, f, for_graph=True)),
                   key=lambda item: (_rule(g, item[0]) is not None, item[0]))
    for (s, p, o), _ in facts[:MAX_EDGES]:
        info = g.relations.get(p)
        rule = _rule(g, (s, p, o))
        nodes.setdefault(s, g.label(s, lang))
        nodes.setdefault(o, g.label(o, lang))
        label = (info.label_ko if lang == "ko" else info.label_en) if info else p
        edges.append({"source": s, "target": o, "relation": p, "label": label, "inferred": rule is not None,
                      "rule": rule})
    return {"nodes": [{"id": k, "label": v} for k, v in nodes.items()], "edges": edges,
            "truncated": len(facts) > MAX_EDGES}


def class_tree(g: KnowledgeGraph) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """Root classes, each class's asserted subclasses, and each class's asserted members."""
    classes = set(g.knowledge.classes)
    children: dict[str, list[str]] = {c: [] for c in classes}
    has_parent = set()
    for sub, _, sup in g.store.match(p="subClassOf"):
        if g.store.is_asserted((sub, "subClassOf", sup)) and sup in children and sub != sup:
            children[sup].append(sub)
            has_parent.add(sub)
    members: dict[str, list[str]] = {c: [] for c in classes}
    for s, _, o in g.store.match(p="type"):
        if o in members and g.store.is_asserted((s, "type", o)):
            members[o].append(s)
    by_label = lambda ids: sorted(ids, key=lambda i: g.label(i).lower())  # noqa: E731
    return (by_label(classes - has_parent), {k: by_label(v) for k, v in children.items()},
            {k: by_label(v) for k, v in members.items()})


def initial(label: str) -> str:
    """The A–Z group of a label: its first letter, a Hangul syllable's initial consonant, or '#'."""
    first = label[:1]
    if "가" <= first <= "힣":
        return CHOSEONG[(ord(first) - ord("가")) // 588]
    if first.isascii() and first.isalpha():
        return first.upper()
    return first if "ㄱ" <= first <= "ㅎ" else "#"

"""The fast load path (pyoxigraph into a triple index, parsed once, verdicts cached) gives what the rdflib path gave."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from kg import KnowledgeGraph
from kg.engine import core as core_module
from kg.engine.conflicts import find_conflicts, shared_name_warnings, split_files, user_provenance
from kg.engine.core import Core, build_core, build_lexicon, bundled_graph, bundled_index
from kg.engine.errors import DataError
from kg.engine.glossary import Glossary
from kg.engine.infer import materialise
from kg.engine.load import parse_files, read_knowledge, read_user_file
from kg.engine.store import Store
from kg.engine.triples import TripleIndex, UnionIndex, parse_index, to_graph
from kg.engine.vocab.formats import parse_path
from kg.engine.vocab.reader import taken_phrases
from ontology import data_files

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def _rdflib_core(files: list[Path]) -> Core:
    """The core as the engine built it before: rdflib graphs, merged with ``+=``."""
    bundled_files, user_files = split_files(files)
    bundled = bundled_graph(bundled_files) if bundled_files else parse_files([])
    taken = taken_phrases(bundled) if bundled_files else frozenset()
    user = {str(p): read_user_file(p, taken) for p in user_files}
    graph = bundled
    if len(user) == 1 and not bundled_files:
        graph = next(iter(user.values()))
    elif user:
        graph = parse_files([])
        for part in (bundled, *user.values()):
            graph += part
    knowledge = read_knowledge(graph, files)
    inferred = materialise(knowledge.facts, knowledge.relations,
                           source=", ".join(str(p) for p in user_files) or "inference")
    glossary = Glossary(knowledge.concepts.values())
    mixed = bool(user and bundled_files)
    return Core(knowledge, Store(inferred, knowledge.facts), glossary, build_lexicon(knowledge, glossary),
                user_provenance(bundled, user, knowledge) if mixed else {},
                tuple(shared_name_warnings(bundled, user)) if mixed else ())


def _inventory(tmp_path: Path, triples: int = 1500) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from gen_inventory import write_inventory
    finally:
        sys.path.remove(str(ROOT / "bench"))
    out = io.StringIO()
    write_inventory(out, triples, seed=3)
    path = tmp_path / "inventory.nt"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _assert_same(fast: Core, slow: Core) -> None:
    for name in fast.knowledge.__dataclass_fields__:
        assert getattr(fast.knowledge, name) == getattr(slow.knowledge, name), name
    assert fast.store.derivations == slow.store.derivations
    assert fast.store.sources == slow.store.sources
    assert list(fast.store.graph.edges(keys=True, data=True)) == list(slow.store.graph.edges(keys=True, data=True))
    assert fast.provenance == slow.provenance
    assert fast.warnings == slow.warnings


@pytest.mark.parametrize("extra", [
    [],
    ["shared_label.ttl", "extra_relation.ttl"],
    ["hostile_override.ttl"],
    ["vocab/fruit.ttl"],
], ids=["bundled", "shared+relation", "hostile", "vocabulary"])
def test_fast_path_builds_what_the_rdflib_path_built(extra: list[str]) -> None:
    files = [*data_files(), *(FIXTURES / name for name in extra)]
    _assert_same(build_core(files), _rdflib_core(files))


def test_fast_path_on_a_generated_inventory(tmp_path: Path) -> None:
    files = [*data_files(), _inventory(tmp_path)]
    fast = build_core(files)
    _assert_same(fast, _rdflib_core(files))
    assert fast.provenance["facts"] and fast.knowledge.triples > 1500


def test_kb_build_of_one_file_alone(tmp_path: Path) -> None:
    files = [FIXTURES / "vocab" / "fruit.ttl"]
    _assert_same(build_core(files), _rdflib_core(files))


def test_conflicts_are_the_same_on_indexes_and_graphs() -> None:
    path = FIXTURES / "hostile_override.ttl"
    taken = taken_phrases(bundled_graph(data_files()))
    on_graphs = find_conflicts(bundled_graph(data_files()), {str(path): read_user_file(path, taken)})
    on_indexes = find_conflicts(bundled_index(data_files()), {str(path): parse_index(path)})
    assert on_graphs and [str(c) for c in on_indexes] == [str(c) for c in on_graphs]


def test_a_hostile_override_still_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDKG_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(DataError, match="conflict"):
        KnowledgeGraph.load([FIXTURES / "hostile_override.ttl"], validate=False)
    g = KnowledgeGraph.load([FIXTURES / "hostile_override.ttl"], validate=False, allow_override=True)
    assert any(w.startswith("overriding the bundled knowledge") for w in g.warnings)


def test_a_file_pyoxigraph_refuses_is_read_by_rdflib(tmp_path: Path) -> None:
    path = tmp_path / "lenient.ttl"  # rdflib takes an IRI with braces; pyoxigraph calls it invalid
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:p <http://example.org/{x}> ; ex:q "y"@EN .\n',
                    encoding="utf-8")
    index = parse_index(path)
    assert set(index) == set(parse_path(path))
    assert (URIRef("http://example.org/a"), URIRef("http://example.org/p"), URIRef("http://example.org/{x}")) in index


def test_capital_language_tags_read_as_rdflib_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "upper.nt"  # pyoxigraph would lowercase the tag; rdflib keeps it
    path.write_text('<http://example.org/a> <http://example.org/p> "x"@EN .\n', encoding="utf-8")
    assert list(parse_index(path).objects(URIRef("http://example.org/a"), URIRef("http://example.org/p"))) == [
        Literal("x", lang="EN")]


def test_a_broken_file_gives_the_same_error() -> None:
    path = FIXTURES / "broken_syntax.ttl"
    with pytest.raises(DataError) as slow:
        parse_path(path)
    with pytest.raises(DataError) as fast:
        parse_index(path)
    assert str(fast.value) == str(slow.value) and ":" in str(fast.value)


def test_blank_nodes_stay_apart_between_files(tmp_path: Path) -> None:
    one, two = tmp_path / "one.nt", tmp_path / "two.nt"
    one.write_text('_:b0 <http://example.org/p> "one" .\n', encoding="utf-8")
    two.write_text('_:b0 <http://example.org/p> "two" .\n', encoding="utf-8")
    union = UnionIndex([parse_index(one), parse_index(two)])
    subjects = {s for s, _, _ in union}
    assert len(union) == 2 and len(subjects) == 2 and all(isinstance(s, BNode) for s in subjects)


def test_index_reads_like_an_rdflib_graph() -> None:
    path = FIXTURES / "extra_relation.ttl"
    graph, index = parse_path(path), parse_index(path)
    assert len(index) == len(graph) and set(index) == set(graph)
    for s in set(graph.subjects()):
        assert sorted(index.predicate_objects(s)) == sorted(graph.predicate_objects(s))
    for p in set(graph.predicates()):
        assert sorted(index.subject_objects(p)) == sorted(graph.subject_objects(p))
        for o in set(graph.objects(None, p)):
            assert sorted(index.subjects(p, o)) == sorted(graph.subjects(p, o))
    assert len(to_graph(index)) == len(graph)


def test_union_counts_a_shared_triple_once() -> None:
    a, p, b, c = (URIRef(f"urn:{x}") for x in "apbc")
    first = TripleIndex([(a, p, b)])
    second = Graph()
    second.add((a, p, b))
    second.add((a, p, c))
    union = UnionIndex([first, second])
    assert len(union) == 2 and sorted(union) == [(a, p, b), (a, p, c)]
    assert sorted(union.objects(a, p)) == [b, c] and union.value(a, p) in (b, c)


def test_the_verdict_is_kept_per_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDKG_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "mine.ttl"
    path.write_text((FIXTURES / "shared_label.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    first = KnowledgeGraph.load([path])
    assert list((tmp_path / "cache").glob("verdict-*.json"))
    checked: list[object] = []
    real = core_module._check
    monkeypatch.setattr(core_module, "_check", lambda *args: checked.append(args) or real(*args))
    again = KnowledgeGraph.load([path])
    assert not checked and again.warnings == first.warnings
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    KnowledgeGraph.load([path])
    assert len(checked) == 1


def test_a_failing_check_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDKG_CACHE_DIR", str(tmp_path / "cache"))
    for _ in range(2):
        with pytest.raises(DataError):
            KnowledgeGraph.load([FIXTURES / "hostile_override.ttl"], validate=False)
    assert not list((tmp_path / "cache").glob("verdict-*.json"))


def test_a_cached_store_reads_back_the_same_and_names_no_networkx(g):
    import pickle

    from kg.engine.cache import safe_loads
    from kg.engine.core import _cached_classes

    data = pickle.dumps(g.store, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"networkx" not in data and b"Derivation" not in data
    again = safe_loads(data, _cached_classes())
    store = g.store
    assert dict(again.derivations.items()) == dict(store.derivations.items())
    assert again.sources == store.sources
    for node in ("EC2", "S3", "EBSSnapshot", "Service"):
        assert list(again.neighbours(node)) == list(store.neighbours(node))
        assert again.stated(node) == store.stated(node)
    assert list(again.match(p="storedIn")) == list(store.match(p="storedIn"))


def test_neighbours_are_in_the_order_networkx_gives(tmp_path):
    fast = build_core([*data_files(), _inventory(tmp_path)])
    graph = fast.store.graph
    nodes = sorted(graph.nodes)[::max(1, len(graph) // 300)] + ["EC2", "S3", "Service", "EBS"]
    for node in nodes:
        expected = [((node, k, t), True) for _, t, k in graph.out_edges(node, keys=True)]
        expected += [((s, k, node), False) for s, _, k in graph.in_edges(node, keys=True)]
        assert list(fast.store.neighbours(node)) == expected, node
    assert list(fast.store.neighbours("no-such-node")) == []

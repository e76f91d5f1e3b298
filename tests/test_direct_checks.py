"""The direct checks of user data (kg.engine.checks) against pyshacl on the same shapes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from kg.engine.checks import check_files
from kg.engine.core import bundled_graph, bundled_index
from kg.engine.errors import DataError
from kg.engine.triples import TripleIndex, parse_index, to_graph
from kg.engine.validate import validate_parts
from ontology import data_files

PREFIXES = """@prefix ckg: <https://w3id.org/cloudkg/schema#> .
@prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/cloudkg/source/t> a ckg:Source ; rdfs:label "test"@en .
"""


def concept(name: str, labels: str = '"{n}"@en, "{n} 개념"@ko', extra: str = "",
            definitions: str = '"d"@en, "정의"@ko', category: str = "ck:cat-concepts",
            source: str = "<https://w3id.org/cloudkg/source/t>") -> str:
    """One concept in Turtle; each part can be replaced to break it."""
    parts = [f"skos:prefLabel {labels.format(n=name)}" if labels else "",
             f"skos:definition {definitions}" if definitions else "",
             f"ckg:category {category}" if category else "", f"dcterms:source {source}" if source else "", extra]
    return f"ck:{name} a skos:Concept ; " + " ; ".join(p for p in parts if p) + " .\n"


BROKEN = {  # name -> (Turtle, what the report must say)
    "missing Korean label": (concept("NoKo", labels='"No Korean"@en'), "NoKo: needs exactly one Korean preferred"),
    "bad language tag": (concept("BadTag", labels='"Bad tag"@en, "나쁜 태그"@kr'), "BadTag: needs exactly one Korean"),
    "two English labels": (concept("TwoEn", labels='"Two"@en, "Deux"@en-GB, "둘"@ko'), "TwoEn: needs exactly one Eng"),
    "untagged label": (concept("Untagged", labels='"Untagged", "태그 없음"@ko'), "Untagged: needs exactly one Eng"),
    "no English definition": (concept("NoDef", definitions='"정의"@ko, "d"@de'), "NoDef: needs an English definition"),
    "wrong range": (concept("WrongRange", extra="ckg:providedBy ck:EBSSnapshot"),
                    "providedBy points at https://w3id.org/cloudkg/id/EBSSnapshot, which is not of its range"),
    "literal where an IRI is required": (concept("Lit", extra='ckg:providedBy "Amazon EC2"'),
                                         "providedBy points at Amazon EC2, which is not of its range"),
    "wrong domain": (concept("WrongDomain", extra="ckg:builtOn ck:EC2"),
                     "builtOn is used on https://w3id.org/cloudkg/id/WrongDomain, which is not of its domain"),
    "language-tagged string value": (concept("TaggedValue", extra='ckg:regionCode "us-east-1"@en'),
                                     "regionCode points at us-east-1, which is not of its range"),
    "integer where decimal": (concept("IntValue", extra='ckg:memoryGiB "1"^^xsd:integer'),
                              "memoryGiB points at 1, which is not of its range"),
    "category not a category": (concept("BadCategory", category="ck:EC2"),
                                 "BadCategory: needs one category from the schema's categories"),
    "two categories": (concept("TwoCats", category="ck:cat-concepts, ck:EC2"), "TwoCats: needs one category"),
    "undeclared source": (concept("BadSource", source="<https://example.org/x>"), "BadSource: needs a source"),
    "shared name": (concept("Same1", labels='"Same name"@en, "같은 이름"@ko') +
                    concept("Same2", labels='"SAME NAME"@en, "같은 이름 2"@ko'), "the name 'same name' is shared by"),
}
GOOD = (concept("Good", extra='ckg:providedBy ck:EC2 ; ckg:regionCode "us-east-1" ; '
                              'ckg:memoryGiB "0.5"^^xsd:decimal ; ckg:defaultPort 22 ; ckg:durability "high"') +
        concept("Amb1", extra='ckg:ambiguousLabel "Amb"', labels='"Amb"@en, "모호"@ko') +
        concept("Amb2", extra='skos:altLabel "amb" ; ckg:ambiguousLabel "amb"', labels='"Amb two"@en, "모호 2"@ko'))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + text, encoding="utf-8")
    return path


def _normal(message: str) -> str:
    """A report line with the concepts sharing a name in a fixed order (pyshacl's GROUP_CONCAT has none)."""
    found = re.search(r"is shared by (.*?); mark", message)
    if not found:
        return message
    return message.replace(found.group(1), ", ".join(sorted(found.group(1).split(", "))))


def _direct(paths: list[Path]) -> set[str]:
    found = check_files(bundled_index(data_files()), {str(p): parse_index(p) for p in paths}, limit=10_000)
    return {_normal(f"{p.file}: {p.shacl}" if p.term == "schema#" else p.shacl) for p in found.problems}


def _shacl(paths: list[Path]) -> set[str]:
    report = validate_parts(bundled_graph(data_files()), {str(p): to_graph(parse_index(p)) for p in paths})
    return {_normal(m) for m in report.messages if not m.startswith("warning:")}


def test_direct_checks_report_exactly_what_pyshacl_reports(tmp_path):
    path = _write(tmp_path, "all.ttl", "".join(text for text, _ in BROKEN.values()) + GOOD)
    direct, shacl = _direct([path]), _shacl([path])
    assert direct == shacl
    for name, (_, expected) in BROKEN.items():
        assert any(expected in m for m in direct), name
    assert not any(m.startswith(("Good:", "Amb1:", "Amb2:")) or "'amb'" in m for m in direct)


@pytest.mark.parametrize("name", ["missing Korean label", "bad language tag", "wrong range",
                                  "literal where an IRI is required"])
def test_both_reject_a_broken_file(tmp_path, name):
    text, expected = BROKEN[name]
    path = _write(tmp_path, "broken.ttl", text)
    direct, shacl = _direct([path]), _shacl([path])
    assert direct == shacl
    assert any(expected in m for m in direct)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_file_is_rejected_directly(tmp_path, name):
    text, expected = BROKEN[name]
    assert any(expected in m for m in _direct([_write(tmp_path, "broken.ttl", text)]))


def test_the_bundled_knowledge_passes_as_user_data():
    bundled = bundled_index(data_files())
    assert check_files(TripleIndex(), {"bundled": bundled}).conforms
    assert check_files(bundled, {"bundled": bundled}).conforms


def test_a_generated_inventory_passes_both(tmp_path):
    from bench.gen_inventory import write_inventory

    out = io.StringIO()
    write_inventory(out, 1500)
    path = tmp_path / "inventory.ttl"
    path.write_text(out.getvalue(), encoding="utf-8")
    assert _direct([path]) == _shacl([path]) == set()


def test_files_are_checked_as_one_union(tmp_path):
    first = _write(tmp_path, "a.ttl", concept("Split", labels='"Split"@en'))
    second = _write(tmp_path, "b.ttl", 'ck:Split skos:prefLabel "나뉜 것"@ko .\n')
    assert _direct([first, second]) == _shacl([first, second]) == set()
    assert any("Split: needs exactly one Korean" in m for m in _direct([first]))


def test_problems_are_bounded_and_counted(tmp_path):
    path = _write(tmp_path, "many.ttl", "".join(concept(f"C{i}", labels='"C{n}"@en') for i in range(50)))
    found = check_files(bundled_index(data_files()), {str(path): parse_index(path)}, limit=5)
    assert found.count == 50 and len(found.problems) == 5
    assert found.lines()[-1] == "  … and 45 more"


def test_loading_broken_data_names_file_term_problem_and_fix(tmp_path, monkeypatch):
    from kg import KnowledgeGraph

    monkeypatch.setenv("CLOUDKG_CACHE_DIR", str(tmp_path / "cache"))
    path = _write(tmp_path, "broken.ttl", BROKEN["missing Korean label"][0] + BROKEN["wrong range"][0])
    with pytest.raises(DataError) as caught:
        KnowledgeGraph.load([path])
    text = str(caught.value)
    assert text.startswith(f"{path}: does not satisfy the shapes (2 problems)")
    assert f'{path}: NoKo: needs exactly one Korean preferred label (prefLabel); keep one skos:prefLabel "…"@ko' in text
    assert "give EBSSnapshot the type Service" in text
    assert f"kg validate {path}" in text

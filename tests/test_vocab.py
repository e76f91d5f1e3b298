"""Bring your own vocabulary (issue 12): SKOS, RDFS and OWL files as published, in any RDF syntax."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, URIRef

from kg import KnowledgeGraph
from kg.engine.errors import DataError
from kg.engine.validate import validate_files
from kg.engine.vocab.checks import check_file
from kg.engine.vocab.formats import parse_path
from kg.engine.vocab.phrases import derive, words_of
from kg.faces.cli import main
from queries.normalize import normalize
from tests.conftest import FIXTURES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")  # its own serializers, in tests

VOCAB = FIXTURES / "vocab"
FRUIT = VOCAB / "fruit.ttl"
PIZZA = VOCAB / "pizza.owl"


@pytest.fixture(scope="module")
def fruit():
    return KnowledgeGraph.load(kb=[FRUIT], cache=False)


@pytest.fixture(scope="module")
def pizza():
    return KnowledgeGraph.load(kb=[PIZZA], cache=False)


def labels(answer) -> set[str]:
    return {a.label for a in answer.answers}


# ---------------------------------------------------------------------- the edge-case SKOS file
def test_the_edge_case_skos_file_loads_with_warnings_only(fruit):
    text = "\n".join(fruit.warnings)
    assert "ex:juice has 2 preferred labels in 'de'" in text and "using 'Fruchtsaft'" in text
    assert "ex:lemon has 'lemon' as more than one kind of label" in text
    assert "no skos:prefLabel" in text and "ex:dragon_fruit" in text
    assert "'2024-02-30' is not a valid xsd:date" in text
    assert len(fruit.knowledge.concepts) == 14


def test_an_invalid_literal_is_a_warning_never_a_traceback(capsys):
    assert main(["validate", str(FRUIT)]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "is not a valid xsd:date; kept as text" in out and "OK:" in out


@pytest.mark.parametrize("name, concept", [
    ("Obst", "fruit"), ("과일", "fruit"), ("fruits", "fruit"), ("Lebensmittel", "food"),
    ("F-CIT", "citrus"), ("dragon fruit", "dragon_fruit"), ('"snack" food \\ treat', "snack"),
    ("Blutorange", "bloodOrange"), ("Saft", "juice"),
])
def test_define_finds_a_concept_by_any_label_in_any_language(fruit, name, concept):
    answer = fruit.define(name)
    assert answer.kind == "definition" and answer.answers[0].id == concept


def test_definitions_come_from_rdf_value_scope_notes_and_other_languages(fruit):
    concepts = fruit.knowledge.concepts
    assert concepts["citrus"].definition() == "Fruit of plants of the genus Citrus."
    assert concepts["fruit"].definition().startswith("Use for edible fruit")
    assert concepts["juice"].definition() == "(de) Saft aus Früchten."  # no English: marked as German
    assert concepts["bloodOrange"].label("en") == "blood orange"
    assert concepts["orange"].definition("ko") == "오렌지 나무의 둥근 열매."


def test_a_label_only_in_another_language_is_marked_as_such(tmp_path):
    mine = tmp_path / "de.ttl"
    mine.write_text('@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
                    '<http://example.org/a> a skos:Concept ; skos:prefLabel "Apfel"@de .\n', encoding="utf-8")
    g = KnowledgeGraph.load(kb=[mine], cache=False)
    assert g.define("Apfel").answers[0].label == "Apfel (de)"


def test_a_deprecated_concept_is_shown_as_deprecated(fruit):
    card = fruit.card("quince")
    assert card["values"]["deprecated"] == "yes"
    assert card["definitions"]["en"].startswith("(deprecated)")


def test_concept_schemes_and_collections_are_on_the_card(fruit, capsys):
    card = fruit.card("orange")
    assert card["category"] == "Fruit thesaurus"
    assert card["values"]["collection"] == "tropical fruit"
    assert main(["define", "--kb", str(FRUIT), "orange"]) == 0
    out = capsys.readouterr().out
    assert "category: Fruit thesaurus" in out and "collection: tropical fruit" in out


@pytest.mark.parametrize("question, expected", [
    ("what is broader than orange", {"citrus fruit"}),
    ("what is narrower than citrus fruit", {"lemon", "orange"}),
    ("narrower terms of citrus fruit", {"lemon", "orange"}),
    ("broader terms of tomato", {"fruit", "vegetable"}),  # two broader concepts
    ("오렌지의 상위 개념", {"감귤류"}),  # a Korean question answers with Korean labels where there are some
    ("과일의 하위 개념", {"감귤류", "dragon fruit", "quince (old entry)", "tomato"}),
    ("what is related to orange", {"juice"}),
    ("what is related to juice", {"orange"}),  # skos:related is symmetric
    ("all kinds of citrus fruit", {"blood orange", "lemon", "orange"}),  # transitive broader
    ("is blood orange a kind of food", None),
    ("what includes blood orange", {"orange", "citrus fruit", "fruit", "food"}),
    ("exact matches of tomato", {"Q20638126"}),
])
def test_hierarchy_and_relation_questions_on_skos(fruit, question, expected):
    answer = fruit.ask(question)
    if expected is None:
        assert answer.kind == "boolean" and answer.text.startswith("Yes")
    else:
        assert labels(answer) == expected, answer.text


def test_answers_use_the_questions_language_where_labels_exist(fruit):
    assert labels(fruit.ask("what is broader than orange", lang="ko")) == {"감귤류"}
    assert labels(fruit.ask("broader terms of tomato", lang="ko")) == {"과일", "채소"}


def test_completion_offers_the_skos_phrases(fruit):
    phrases = fruit.lexicon.phrases
    assert any(e.kind == "COPULA" for e in phrases[normalize("broader than")])
    assert any(e.kind == "RNOUN_PL" for e in phrases[normalize("narrower terms")])


# ---------------------------------------------------------------------- OWL with object properties
@pytest.mark.parametrize("question, expected", [
    ("what has topping mozzarella", {"Margherita"}),
    ("toppings of Margherita", {"mozzarella", "tomato sauce"}),
    ("what is topping of Margherita", {"mozzarella", "tomato sauce"}),
    ("ingredients of Margherita", {"milk", "mozzarella", "tomato sauce"}),  # subPropertyOf + transitive
    ("what has ingredient milk", {"Margherita", "mozzarella"}),
    ("what pairs with red wine", {"Margherita"}),  # owl:SymmetricProperty
    ("what does red wine pair with", {"Margherita"}),
    ("what is equivalent to Margherita", {"Pizza Margherita"}),
    ("narrower terms of pizza", {"Named Pizza"}),  # rdfs:subClassOf
    ("what is a kind of pizza", {"Margherita", "Named Pizza"}),
])
def test_owl_object_properties_answer_with_derived_phrases(pizza, question, expected):
    assert labels(pizza.ask(question)) == expected


def test_owl_imports_resolve_beside_the_file_never_the_network(pizza):
    assert pizza.define("mozzarella").answers[0].label == "mozzarella"  # from toppings.ttl beside it
    assert any("elsewhere/unavailable> has no file beside it" in w for w in pizza.warnings)
    assert pizza.define("피자").answers[0].id == "Pizza"
    assert pizza.knowledge.concepts["Pizza"].definition() == "A flat baked bread with toppings."


@pytest.mark.parametrize("name, expected", [
    ("hasTopping", {"verb3": ("has topping",), "verb": ("have topping",)}),
    ("isPartOf", {"copula": ("part of",), "noun": ("part",), "noun_plural": ("parts",)}),
    ("feeds", {"verb3": ("feeds",), "verb": ("feed",)}),
    ("locatedIn", {"copula": ("located in",)}),
    ("is_fed_by", {"copula": ("fed by",)}),
    ("author", {"verb3": ("has author",), "verb": ("have author",)}),
])
def test_phrases_are_derived_from_a_relations_name(name, expected):
    phrases = derive(name)
    assert {k: v for k, v in phrases.items() if v} == expected


def test_words_of_splits_camel_case_and_underscores():
    assert words_of("hasHTTPServer_port") == "has http server port"


# ---------------------------------------------------------------------- syntaxes
@pytest.mark.parametrize("name, fmt", [
    ("fruit.nt", "nt"), ("fruit.nq", "nquads"), ("fruit.trig", "trig"), ("fruit.jsonld", "json-ld"),
    ("fruit.rdf", "xml"), ("fruit.xml", "xml"), ("fruit-turtle.owl", "turtle"), ("fruit.data", "xml"),
    ("fruit.data2", "json-ld"),
])
def test_every_published_syntax_loads_by_extension_or_content(tmp_path, name, fmt):
    path = tmp_path / name
    dataset = Dataset()
    dataset.graph(URIRef("urn:example:fruit")).__iadd__(parse_path(FRUIT))
    source = dataset if fmt in ("nquads", "trig") else parse_path(FRUIT)
    path.write_bytes(source.serialize(format=fmt, encoding="utf-8"))
    g = KnowledgeGraph.load(kb=[path], cache=False)
    assert labels(g.ask("what is broader than orange")) == {"citrus fruit"}
    assert g.define("Obst").answers[0].id == "fruit"


def test_a_remote_json_ld_context_is_refused_not_fetched(tmp_path):
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:x"}), encoding="utf-8")
    with pytest.raises(DataError, match="remote JSON-LD @context, which is never fetched"):
        KnowledgeGraph.load(kb=[path], cache=False)


def test_a_broken_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.rdf"
    path.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                    "<rdf:Description>\n</rdf:RDF>\n", encoding="utf-8")
    with pytest.raises(DataError, match="broken.rdf.*not valid RDF/XML"):
        KnowledgeGraph.load(kb=[path], cache=False)


# ---------------------------------------------------------------------- checks
BAD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <http://example.org/> .
ex:a a skos:Concept ; skos:prefLabel "a"@en ; skos:broader ex:b .
ex:b a skos:Concept ; skos:prefLabel "b"@en ; skos:broader ex:c .
ex:c a skos:Concept ; skos:prefLabel "c"@en ; skos:broader ex:a .
ex:d a skos:Concept ; skos:prefLabel "d"@en ; skos:broader ex:a ; skos:related ex:a .
"""


def test_what_would_make_answers_wrong_is_an_error(tmp_path, capsys):
    path = tmp_path / "bad.ttl"
    path.write_text(BAD, encoding="utf-8")
    found = check_file(path)
    assert any("broader cycle: ex:a → ex:b → ex:c → ex:a" in e for e in found.errors)
    assert any("ex:d is both skos:related to and in the broader hierarchy of ex:a" in e for e in found.errors)
    with pytest.raises(DataError, match="SKOS problem"):
        KnowledgeGraph.load(kb=[path], cache=False)
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert "violations:" in out and "remove one skos:broader or skos:narrower link" in out


def test_orphans_are_a_warning(tmp_path):
    path = tmp_path / "orphans.ttl"
    path.write_text('@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <http://example.org/> .\n'
                    'ex:a a skos:Concept ; skos:prefLabel "a"@en .\nex:b a skos:Concept ; skos:prefLabel "b"@en .\n',
                    encoding="utf-8")
    found = check_file(path)
    assert not found.errors and "2 concept(s) with no broader, narrower or related concept" in found.warnings[0]


def test_validate_profiles(capsys):
    # the strict authoring profile on a plain SKOS file (the bundled data's own check is in test_knowledge)
    report = validate_files([FRUIT], profile="cloudkg", kb=True)
    assert not report.conforms and any("ckg" in m or "needs" in m or "Korean" in m for m in report.messages)
    assert main(["validate", "--json", "--profile", "skos", str(FRUIT)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] and len(report["warnings"]) == 4


# ---------------------------------------------------------------------- --kb and --data
def test_kb_serves_only_the_given_files_through_the_cli(capsys, monkeypatch):
    assert main(["ask", "--kb", str(FRUIT), "what is broader than orange"]) == 0
    assert capsys.readouterr().out.strip() == "citrus fruit."
    assert main(["define", "--kb", str(FRUIT), "S3"]) == 1  # the bundled knowledge is not there
    capsys.readouterr()
    assert main(["search", "--kb", str(FRUIT), "F-CIT"]) == 0
    assert "citrus fruit" in capsys.readouterr().out.splitlines()[0]
    monkeypatch.setenv("CLOUDKG_KB", f"{PIZZA}")
    assert main(["ask", "--kb", str(FRUIT), "what has topping mozzarella"]) == 0  # $CLOUDKG_KB and --kb together
    assert capsys.readouterr().out.strip() == "Margherita."


def test_sparql_export_names_the_vocabularys_own_iris(fruit, capsys):
    text = fruit.sparql("all kinds of fruit")
    assert "<http://example.org/fruit/fruit>" in text and "skos:broader" in text
    assert main(["sparql", "--kb", str(FRUIT), "--run", "--format", "json",
                 "SELECT ?x WHERE { ?x <http://www.w3.org/2004/02/skos/core#broader> "
                 "<http://example.org/fruit/citrus> }"]) == 0
    out = capsys.readouterr().out
    assert "http://example.org/fruit/orange" in out and "http://example.org/fruit/lemon" in out


def test_data_adds_a_vocabulary_to_the_bundled_knowledge():
    g = KnowledgeGraph.load([FRUIT], cache=False)
    assert g.define("S3").answers[0].id == "S3"
    assert labels(g.ask("what is broader than orange")) == {"citrus fruit"}
    assert labels(g.ask("what stores EBS backups")) == {"Amazon S3"}
    assert any("ex:juice has 2 preferred labels" in w for w in g.warnings)

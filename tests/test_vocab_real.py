"""A real published vocabulary as is: the Brick building ontology shipped in the brickschema package.

Brick 1.1 is OWL (classes, object properties with inverses, owl:equivalentClass) with a SKOS
hierarchy of quantities (skos:broader) and definitions (skos:definition); nothing of it is
written for this project.
"""

from __future__ import annotations

from pathlib import Path

import brickschema  # noqa: E402 (the dev dependency that ships the Brick ontology)
import pytest

from kg import KnowledgeGraph
from kg.engine.validate import validate_files
from kg.faces.cli import main

BRICK = Path(brickschema.__file__).parent / "ontologies" / "1.1" / "Brick.ttl"


@pytest.fixture(scope="module")
def brick():
    return KnowledgeGraph.load(kb=[BRICK], cache=False)


def labels(answer) -> set[str]:
    return {a.label for a in answer.answers}


def test_brick_loads_with_warnings_only(brick):
    assert len(brick.knowledge.concepts) > 1000
    assert all("links to" in w or "warning" in w for w in brick.warnings)


def test_definitions_come_from_the_published_file(brick):
    answer = brick.define("Apparent Power")
    assert answer.kind == "definition"
    assert "product of the rms voltage" in answer.answers[0].definition


@pytest.mark.parametrize("question, expected", [
    ("narrower terms of Temperature", {"Dry Bulb Temperature", "Operative Temperature", "Radiant Temperature",
                                       "Wet Bulb Temperature"}),
    ("all kinds of Pressure", {"Atmospheric Pressure", "Dynamic Pressure", "Static Pressure", "Velocity Pressure"}),
    ("what is a kind of Chiller", {"Absorption Chiller", "Centrifugal Chiller"}),  # rdfs:subClassOf
])
def test_hierarchy_questions(brick, question, expected):
    assert labels(brick.ask(question)) == expected


def test_broader_and_class_hierarchy(brick):
    assert "Temperature" in labels(brick.ask("what is broader than Dry Bulb Temperature"))
    hvac = labels(brick.ask("narrower terms of HVAC"))
    assert {"Air Handling Unit", "Boiler", "Chiller", "Cooling Tower"} <= hvac
    assert brick.ask("is Absorption Chiller a kind of HVAC").text.startswith("Yes")


def test_relation_questions_on_object_properties_with_no_written_phrases(brick):
    # brick:hasAssociatedTag / brick:isAssociatedWith: phrases derived from the names alone
    assert labels(brick.ask("associated tags of Air Handling Unit")) == {"Air", "Equipment", "Handling", "Unit"}
    assert {"Absorption Chiller", "Centrifugal Chiller"} <= labels(brick.ask("what has associated tag Chiller"))
    assert labels(brick.ask("what is equivalent to AHU")) == {"Air Handler Unit", "Air Handling Unit"}


def test_validate_reports_brick_readably(capsys):
    assert main(["validate", str(BRICK)]) == 0
    out = capsys.readouterr().out
    assert "links to 35 concept(s) the file does not describe" in out and "OK:" in out
    assert validate_files([BRICK], profile="skos", kb=True).conforms

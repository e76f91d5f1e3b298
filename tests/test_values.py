"""Values (typed literals of any datatype property in the schema) are read and counted."""

from __future__ import annotations


def test_values_are_read_from_every_datatype_property(g):
    values = {c.id: dict(c.values) for c in g.knowledge.concepts.values() if c.values}
    assert values["SSH"]["defaultPort"] == "22"
    assert g.stats()["values"] == sum(len(v) for v in values.values()) >= 4

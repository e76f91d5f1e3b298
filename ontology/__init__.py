"""cloudkg's knowledge as data: Turtle files and the vocabulary's namespaces.

>>> from ontology import TERM, data_files
>>> TERM + "EC2"
'https://w3id.org/cloudkg/id/EC2'
>>> any(p.name == "schema.ttl" for p in data_files())
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SCHEMA", "TERM", "SOURCE", "HERE", "data_files", "shapes_file"]

SCHEMA = "https://w3id.org/cloudkg/schema#"
TERM = "https://w3id.org/cloudkg/id/"
SOURCE = "https://w3id.org/cloudkg/source/"
HERE = Path(__file__).resolve().parent


def data_files() -> list[Path]:
    """The bundled Turtle files, schema first, in a stable order."""
    return [HERE / "schema.ttl", HERE / "sources.ttl", *sorted((HERE / "terms").glob("*.ttl"))]


def shapes_file() -> Path:
    """The SHACL shapes the data must satisfy."""
    return HERE / "shapes.ttl"

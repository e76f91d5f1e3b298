"""Shared fixtures: one loaded knowledge graph per test session, with its own cache folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("CLOUDKG_CACHE_DIR", tempfile.mkdtemp(prefix="cloudkg-test-cache-"))

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def g():
    from kg import KnowledgeGraph

    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def oxigraph_store(g):
    """The bundled knowledge, as `kg export --format nt` gives it, in pyoxigraph (a dev dependency)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(g.export("nt").encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def golden_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in (FIXTURES / "golden.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, core, expected = (part.strip() for part in line.split(" ; "))
            rows.append((question, core, expected))
    return rows

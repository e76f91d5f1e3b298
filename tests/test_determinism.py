"""Answers, evidence and follow-ups do not depend on Python's hash seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import hashlib
from kg import KnowledgeGraph
from tests.conftest import golden_rows
g = KnowledgeGraph.load(cache=False)
out = [repr(g.ask(q).to_dict()) for q, _, _ in golden_rows()]
print(hashlib.sha256("".join(out).encode()).hexdigest())
"""


def test_golden_answers_are_the_same_under_any_hash_seed():
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        digests.add(done.stdout.strip())
    assert len(digests) == 1

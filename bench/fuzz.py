"""Hardening fuzz harness: generated questions, odd CLI arguments, raw SPARQL and malformed Turtle.

Run: make fuzz   (100,000 inputs; ``--count``, ``--seed``, ``--time-limit``, ``--json``, ``--only``)

Every input is generated from the seed alone, so a finding is reproduced with
``bench/fuzz.py --seed S --count N --only INDEX``. Inputs run in forked children, in batches,
so that a crash in native code (a segfault) or a hang costs one batch, which is then rerun one
input at a time to name the input. A finding is:

- an exception the API contract does not allow (``ask``/``define`` never raise; ``search`` may
  raise ValueError; ``sparql`` raises only QueryError; raw SPARQL raises only SparqlError; a
  Turtle load gives a graph or a KnowledgeError);
- from the CLI, a Python traceback or an exit code other than 0, 1, 2;
- a crash (signal), a hang (over the hard timeout), a slow input (Turtle over 5 s, others over 2 s);
- a network connection made while answering (the child listens on loopback and counts them).

The exit code is 1 when there are findings, 0 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import io
import json
import logging
import os
import pickle
import random
import re
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LOOPBACK = "{LOOPBACK}"  # replaced in the child by the URL of its loopback listener
TMP = "{TMP}"  # replaced by the run's scratch folder, so that inputs depend on the seed alone
SLOW_TURTLE, SLOW_OTHER = 5.0, 2.0

# ---------------------------------------------------------------------- vocabulary
KEYWORDS = ["what", "which", "who", "where", "how", "many", "much", "is", "are", "a", "an", "the", "does", "do",
            "of", "to", "in", "on", "from", "by", "that", "there", "related", "define", "describe", "tell me about",
            "list", "kind", "and", "or", "not", "can", "be", "stand for", "please", "?", ",", "'s"]
CORE_FRAGMENTS = ["SELECT ?x {", "SELECT ?x { ?x", "?x != :S3", "}", "{", ".", ":Foo", "ASK {", "COUNT ?x {",
                  "PATH", "DEFINE", "EXPAND", "?x a :Service", "?v1", "?", ":", "::", "a", "FILTER", "UNION",
                  "OPTIONAL {", "LIMIT 5", "<urn:x>", '"lit"', "#", "# comment\n", "\\", "$x", "?x builtOn ?x",
                  "SELECT", "ASK", "COUNT", "?x stores ?b . ?b backupOf :EBS", "?", "?x ?p ?y", ":EC2 :EC2"]
KOREAN = ["은", "는", "이", "가", "을", "를", "의", "와", "과", "에", "에서", "으로", "란?", "이란?", "뭐야?", "이야?",
          "야?", "몇 개야?", "어디에", "저장돼?", "관계는?", "지원하는", "엔진은?", "무엇", "뭐", "ㅋㅋ", "ㄱ", "ㅏ",
          "관계형 데이터베이스야?", "스냅샷은", "람다"]
ODDITIES = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u202e", "\u202d", "\u200f", "\u200e", "\u2066", "\u0301",
            "\u0308\u0308\u0308", "\U0001f600", "\U0001d400", "\U00020000", "\x00", "\x01", "\x1b[31m", "\x7f",
            "\u2028", "\u2029", "\r", "\t", "\x0b", "\x0c", "\uffff", "\ufffd", "ＥＣ２", "İ", "ß", "ﬁ", "ǅ",
            "\u0130\u0130", "Σ", "ς", "\u3000", "\u00a0", "𝐄𝐂𝟐", "e\u0301", "\U000e0041"]
EDGE_QUESTIONS = ["", " ", "\t", "\n", "what is a", "what is an", "what is the", "what is", "what", "is", "a",
                  "?", "??", ".", "what is a?", "define", "define ", "describe", "tell me about", "how many",
                  "how is", "how is EC2 related to", "what does", "list", "which", "EXPAND", "DEFINE", "PATH",
                  "SELECT", "ASK {}", "SELECT ?x {}", "COUNT ?x { }", "PATH :EC2", "란?", "뭐야?", "\x00",
                  "a" * 1000, "a" * 1001, "what is " + "a" * 10000, "x" * 10000, "EC2 " * 250, "? " * 600,
                  "what is a a a a a", "is a a a", "what is S3 S3 S3", "which is which", "what is what"]
SEARCH_LIMITS = [0, 1, -1, -10, -(10**9), 10**9, 2**31, 2**63, 10**30, 1000, 1001, True, 2.5, None, "3"]
SPARQL_TEMPLATES = [
    "SELECT * WHERE {{ ?s ?p ?o }} LIMIT {n}", "ASK {{ ?s ?p ?o }}", "SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o }}",
    "DESCRIBE <https://w3id.org/cloudkg/id/EC2>", "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {n}",
    "INSERT DATA {{ <urn:a> <urn:b> <urn:c> }}", "DELETE WHERE {{ ?s ?p ?o }}", "LOAD <" + LOOPBACK + "x.ttl>",
    "CLEAR ALL", "DROP ALL", "SELECT * {{ SERVICE <" + LOOPBACK + "sparql> {{ ?s ?p ?o }} }}",
    "SELECT * FROM <" + LOOPBACK + "g.ttl> {{ ?s ?p ?o }} LIMIT 1",
    "SELECT * FROM NAMED <" + LOOPBACK + "g.ttl> {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
    "SELECT * {{ ?s ?p ?o FILTER(REGEX(STR(?o), \"(a+)+$\")) }} LIMIT {n}",
    "SELECT ?x {{ BIND(<file:///etc/passwd> AS ?x) }}", "SELECT ?x {{ BIND(IRI(\"" + LOOPBACK + "\") AS ?x) }}",
    "SELECT * {{ ?s ?p ?o }} ORDER BY ?o LIMIT {n} OFFSET {m}", "SELECT * {{ ?s ?p ?o }} LIMIT -1",
    "SELECT * {{ VALUES ?x {{ {n} }} }}", "SELECT (STRLEN(REPLACE(\"aaaa\", \"a*\", \"b\")) AS ?n) {{}}",
    "PREFIX ckg: <https://w3id.org/cloudkg/schema#> SELECT ?x {{ ?x ckg:builtOn+ ?y }} LIMIT {n}",
    "SELECT * {{ ?s ?p ?o }} GROUP BY ?s", "SELECT ?x WHERE {{", "", "   ", "#", "SELECT ?x {{ ?x ?x ?x }}"]


@dataclass
class Vocab:
    """The words the generators splice: real questions and the loaded lexicon's phrases."""

    questions: list[str]
    cores: list[str]
    words: list[str]
    ids: list[str]
    sparql: list[str] = field(default_factory=list)


def golden_rows() -> list[tuple[str, str, str]]:
    """``(question, core, expected)`` rows of tests/fixtures/golden.txt (as tests/conftest.py reads it)."""
    rows = []
    for line in (ROOT / "tests" / "fixtures" / "golden.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, core, expected = (part.strip() for part in line.split(" ; "))
            rows.append((question, core, expected))
    return rows


def build_vocab(g: Any) -> Vocab:
    """Terms, relation phrases, class nouns and ids of the loaded graph, sorted for determinism."""
    words: set[str] = set()
    for concept in g.knowledge.concepts.values():
        words.update(name for name, _lang in concept.names())
    for cls in g.knowledge.classes.values():
        words.update(n for n, _ in (*cls.nouns, *cls.plurals))
    for rel in g.relations.values():
        words.update((*rel.verb3, *rel.verb, *rel.copula, *rel.where, *rel.noun, *rel.noun_plural, *rel.ko_stems))
    ids = sorted({*g.knowledge.concepts, *g.knowledge.classes, *g.relations})
    rows = golden_rows()
    return Vocab([r[0] for r in rows], [r[1] for r in rows], sorted(w for w in words if w), ids)


# ---------------------------------------------------------------------- question generators
def _piece(rng: random.Random, vocab: Vocab) -> str:
    pools = [KEYWORDS, vocab.words, vocab.words, CORE_FRAGMENTS, KOREAN, ODDITIES, [":" + i for i in vocab.ids]]
    return rng.choice(rng.choice(pools))


def mutate_text(rng: random.Random, text: str, vocab: Vocab) -> str:
    """One random edit: delete, insert, replace or repeat a word, change case, truncate, splice."""
    words = text.split(" ")
    op = rng.randrange(11)
    i = rng.randrange(len(words)) if words else 0
    if op == 0 and words:
        del words[i]
    elif op == 1:
        words.insert(i, _piece(rng, vocab))
    elif op == 2 and words:
        words[i] = _piece(rng, vocab)
    elif op == 3 and words:
        words.insert(i, words[i])
    elif op == 4 and len(words) > 1:
        j = rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
    elif op == 5:
        return text.upper() if rng.random() < 0.5 else text.swapcase()
    elif op == 6 and text:
        return text[: rng.randrange(len(text))]
    elif op == 7:
        return text + rng.choice([" ", "", " and ", "; ", "\n"]) + rng.choice(vocab.questions)
    elif op == 8 and text:
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + rng.choice(ODDITIES) * rng.choice([1, 1, 2, 50]) + text[pos:]
    elif op == 9 and text:
        pos = rng.randrange(len(text))
        return text[:pos] + chr(rng.choice([rng.randrange(32, 127), rng.randrange(0xAC00, 0xD7A4)])) + text[pos + 1:]
    else:
        return (text + " ") * rng.choice([2, 3, 10])
    return " ".join(words)


def _long_token(rng: random.Random, vocab: Vocab) -> str:
    size = rng.choice([255, 256, 999, 1000, 1001, 1024, 1025, 2000, 4096, 10000])
    unit = rng.choice(["a", "EC2", "가", "\u200b", "?", " ", "(", "{", "\U0001f600", rng.choice(vocab.words)])
    token = (unit * size)[:size]
    return rng.choice([token, "what is " + token, token + " 란?", "define " + token, f"what stores {token} backups"])


def _korean(rng: random.Random, vocab: Vocab) -> str:
    parts = [rng.choice([rng.choice(vocab.words), rng.choice(KOREAN), chr(rng.randrange(0xAC00, 0xD7A4)),
                         chr(rng.randrange(0x3131, 0x318F))]) for _ in range(rng.randint(1, 5))]
    return rng.choice(["", " "]).join(parts) + rng.choice(["", "?", "란?", "은?", "는 뭐야?"])


def gen_question(rng: random.Random, vocab: Vocab) -> str:
    """One question: a mutated real question or core form, a splice of lexicon words, Korean, oddities."""
    roll = rng.random()
    if roll < 0.33:
        text = rng.choice(vocab.questions)
        for _ in range(rng.randint(1, 3)):
            text = mutate_text(rng, text, vocab)
        return text
    if roll < 0.43:
        return mutate_text(rng, rng.choice(vocab.cores), vocab)
    if roll < 0.63:
        return " ".join(_piece(rng, vocab) for _ in range(rng.randint(1, 10)))
    if roll < 0.72:
        return " ".join(rng.choice([rng.choice(CORE_FRAGMENTS), ":" + rng.choice(vocab.ids), rng.choice(vocab.ids)])
                        for _ in range(rng.randint(1, 12)))
    if roll < 0.82:
        return _korean(rng, vocab)
    if roll < 0.90:
        text = rng.choice(vocab.questions)
        return "".join(c + (rng.choice(ODDITIES) if rng.random() < 0.2 else "") for c in text)
    if roll < 0.93:
        return _long_token(rng, vocab)
    return rng.choice([" ", "", "\t", "\n", "  "]).join([rng.choice(EDGE_QUESTIONS), rng.choice(["", "?", " "])])


# ---------------------------------------------------------------------- raw SPARQL generators
def gen_sparql(rng: random.Random, vocab: Vocab) -> str:
    """A raw SPARQL text: a template (reads, updates, SERVICE/FROM to loopback) or a mutated real query."""
    if vocab.sparql and rng.random() < 0.5:
        text = rng.choice(vocab.sparql)
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(4)
            pos = rng.randrange(len(text) + 1)
            if op == 0:
                text = text[:pos]
            elif op == 1:
                text = text[:pos] + rng.choice(["{", "}", "(", ")", ".", ";", "?", "<", ">", "\"", "\\", "*",
                                                "\x00", "가", " UNION ", " OPTIONAL ", " FILTER("]) + text[pos:]
            elif op == 2:
                text = text[:pos] + text[pos + rng.randint(1, 10):]
            else:
                text = text[:pos] + rng.choice(ODDITIES) + text[pos:]
        return text
    return rng.choice(SPARQL_TEMPLATES).format(n=rng.choice([0, 1, 5, 10**6, 2**63]), m=rng.choice([0, 10**9]),
                                                LOOPBACK=LOOPBACK)


# ---------------------------------------------------------------------- CLI argument generators
LIMITS = ["-1", "0", "1", "999999999999", "abc", "1e3", "", "--json", "0x10", "١٢", "-0", "+5", " 5", "9" * 400]
FORMATS = ["text", "md", "csv", "json", "table", "xml", "ttl", "nt", "jsonld", "nonsense", "", "TTL", "json "]
LANGS = ["en", "ko", "fr", "", "EN", "ko\x00"]
ODD_ARGS = ["--frob", "-x", "--", "---", "-", "--json=1", "--limit=", "--data=", "--lang", "--format", "-o",
            "--data", "--limit", "-h", "--help", "--version", "-" * 300, "--" + "x" * 5000, "A" * 100000, "\x00",
            "\udcff\udcfe", "-\u200b", "--ｊｓｏｎ", "@args.txt", "--explain", "--run", "--inferred", "--no-cache"]
REPL_LINES = [".help", ".lang ko", ".lang xx", ".explain on", ".explain maybe", ".sparql on", ".define EC2",
              ".define", ".neighbors", ".neighbors EC3", ".load", ".load /dev/null", ".load /", ".export /",
              ".export /dev/full", ".quit", ".", "..", ".nonsense", ".export"]


@dataclass
class CliPaths:
    """Paths odd CLI arguments point at: a scratch folder, a few fixtures, special files."""

    tmp: str
    data: list[str]
    out: list[str]


def make_cli_paths(tmp: str) -> CliPaths:
    fixtures = ROOT / "tests" / "fixtures"
    data = [tmp, "/dev/null", "/nonexistent/file.ttl", "", "/", str(fixtures), "/dev/zero", "/proc/self/status"]
    slow = [str(fixtures / "broken_syntax.ttl"), str(fixtures / "broken_shapes.ttl"),
            str(fixtures / "extra_relation.ttl")]
    out = ["/", "/dev/full", tmp, "/nonexistent/dir/out.ttl", os.path.join(tmp, "out.ttl"), "/dev/null", ""]
    return CliPaths(tmp, data + slow, out)


def _flag(rng: random.Random, command: str, paths: CliPaths) -> list[str]:
    """One option of ``command`` with a valid or odd value (sometimes without its value)."""
    options: dict[str, list[str] | None] = {"--lang": LANGS, "--json": None}
    if rng.random() < 0.05:
        options["--data"] = paths.data if rng.random() < 0.3 else paths.data[:-3]
    if rng.random() < 0.01:
        options["--no-cache"] = None
    options.update({"ask": {"--explain": None}, "search": {"--limit": LIMITS},
                    "glossary": {"--format": FORMATS}, "sparql": {"--run": None, "--format": FORMATS},
                    "export": {"--format": FORMATS, "--inferred": None, "-o": paths.out}}.get(command, {}))
    name = rng.choice(sorted(options))
    values = options[name]
    if values is None or rng.random() < 0.05:
        return [name]
    value = rng.choice(values)
    return [f"{name}={value}"] if rng.random() < 0.2 else [name, value]


def _positionals(rng: random.Random, command: str, vocab: Vocab, paths: CliPaths) -> list[str]:
    if command == "sparql" and rng.random() < 0.5:
        return [gen_sparql(rng, vocab)]
    if command == "validate":
        return rng.sample(paths.data, rng.randint(0, 2))
    if command in ("ask", "define", "search", "sparql"):
        return [gen_question(rng, vocab) for _ in range(rng.choice([0, 1, 1, 1, 2, 3]))]
    return []


CLI_COMMANDS = ["ask"] * 30 + ["define"] * 15 + ["search"] * 15 + ["sparql"] * 12 + ["glossary"] * 5 + \
    ["stats"] * 4 + ["export"] * 2 + ["repl"] * 6 + [""] * 3 + ["frobnicate"] * 3 + ["--version", "--help", "-h"]


def gen_cli(rng: random.Random, vocab: Vocab, paths: CliPaths) -> tuple[list[str], str]:
    """``(argv, stdin)``: a subcommand with odd positionals, options, unknown flags and missing values."""
    command = rng.choice(CLI_COMMANDS) if rng.random() > 0.003 else "validate"
    argv = [command] if command else []
    argv += _positionals(rng, command, vocab, paths)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        argv += _flag(rng, command, paths)
    if rng.random() < 0.15:
        argv.insert(rng.randrange(len(argv) + 1), rng.choice(ODD_ARGS))
    if command == "ask" and rng.random() < 0.1:
        argv = [a for a in argv if a.startswith("-")] + ["ask", "-"]
        argv = argv[-2:] + argv[:-2]
    if rng.random() < 0.05:
        argv = argv[:-1]
    lines = [rng.choice(REPL_LINES) if rng.random() < 0.3 else gen_question(rng, vocab) for _ in range(3)]
    return argv, "\n".join(lines) + rng.choice(["\n", "", "\n\n\x00\n"])


def gen_subprocess_cli(rng: random.Random, vocab: Vocab, paths: CliPaths) -> tuple[list[str | bytes], str | bytes]:
    """Arguments for a real ``python -m kg.faces.cli`` run, with non-UTF-8 bytes and the stdio servers."""
    roll = rng.random()
    junk = bytes(rng.randrange(128, 256) for _ in range(rng.randint(1, 8)))
    if roll < 0.2:
        command = rng.choice(["ask", "define", "search", "sparql"])
        return [command, b"what is " + junk + b" EC2", *rng.choice([[], ["define", "S3"], ["--json"]])], ""
    if roll < 0.3:  # undecodable bytes on stdin
        argv: list[str | bytes] = rng.choice([["ask", "-"], ["ask", "--json", "-"], ["repl"], ["repl", "--json"]])
        return argv, b"what is EC2\n" + junk + b"\nS3\xeb\x9e\n"
    if roll < 0.4:
        return ["serve", "--port", rng.choice(["99999", "-1", "abc", "65536", "99999999999999999999"])], ""
    if roll < 0.5:
        return ["mcp"], rng.choice(["", "not json\n", "{}\n", '{"jsonrpc": "2.0", "id": 1, "method": "nope"}\n'])
    return gen_cli(rng, vocab, paths)


# ---------------------------------------------------------------------- Turtle generators
PREFIXES = """@prefix ckg: <https://w3id.org/cloudkg/schema#> .
@prefix ck: <https://w3id.org/cloudkg/id/> .
@prefix src: <https://w3id.org/cloudkg/source/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
CONCEPT = """ck:FuzzThing a skos:Concept, ck:Resource ; skos:prefLabel "fuzz thing"@en, "퍼즈 것"@ko ;
    skos:definition "{definition}"@en, "퍼즈 정의."@ko ;
    ckg:category ck:cat-storage ; dcterms:source src:note-s3 {extra} .
"""


def turtle_sources() -> dict[str, bytes]:
    """The shipped term files and the test fixtures, by name."""
    files = sorted((ROOT / "ontology" / "terms").glob("*.ttl")) + sorted((ROOT / "tests" / "fixtures").glob("*.ttl"))
    return {f.name: f.read_bytes() for f in files}


def _cyclic_chain(rng: random.Random) -> str:
    kind = rng.choice(["two", "self", "first", "literal", "notlist", "long"])
    body = {"two": "_:l1 rdf:first ckg:stores ; rdf:rest _:l2 . _:l2 rdf:first ckg:storedIn ; rdf:rest _:l1 .",
            "self": "_:l1 rdf:first ckg:stores ; rdf:rest _:l1 .",
            "first": "_:l1 rdf:first _:l1 ; rdf:rest rdf:nil .",
            "literal": "_:l1 rdf:first \"x\" ; rdf:rest rdf:nil .",
            "notlist": "_:l1 rdfs:label \"not a list\" .",
            "long": "_:l1 rdf:first ckg:partOf ; rdf:rest ( " + "ckg:partOf " * 50 + ") ."}[kind]
    head = ("ckg:fuzzChain a owl:ObjectProperty ; rdfs:label \"fuzz chain\"@en, \"퍼즈\"@ko ; "
            "ckg:verb3 \"fuzzes\"@en ; owl:propertyChainAxiom _:l1 .\n")
    return PREFIXES + head + body + "\n"


def _blow_up(rng: random.Random) -> str:
    size = rng.choice([50, 200, 1000, 2000])
    lines = [PREFIXES, "ckg:fuzzNext a owl:ObjectProperty, owl:TransitiveProperty ; "
             "rdfs:label \"fuzz next\"@en, \"다음\"@ko ; owl:inverseOf ckg:fuzzPrev .",
             "ckg:fuzzPrev a owl:ObjectProperty ; rdfs:label \"fuzz prev\"@en, \"이전\"@ko ."]
    lines += [f"ck:f{i} ckg:fuzzNext ck:f{i + 1} ." for i in range(size)]
    return "\n".join(lines) + "\n"


def _synthetic(rng: random.Random) -> tuple[str, str]:
    """A hand-made hostile Turtle text and its name."""
    kind = rng.choice(["chain", "chain", "literal", "huge", "nest", "list", "prefix", "blowup", "many", "iri"])
    depth = rng.choice([10, 100, 1000, 10000, 100000])
    if kind == "chain":
        return "cyclic-chain", _cyclic_chain(rng)
    if kind == "literal":
        bad = rng.choice(['ckg:defaultPort "abc"^^xsd:integer', 'dcterms:created "2020-13-45"^^xsd:date',
                          'ckg:defaultPort "99999999999999999999999999"^^xsd:integer',
                          'dcterms:created "0000-00-00T25:61:61"^^xsd:dateTime', 'ckg:defaultPort "1"^^xsd:bogus'])
        return "bad-literal", PREFIXES + CONCEPT.format(definition="A thing.", extra="; " + bad)
    if kind == "huge":
        size = rng.choice([10**5, 10**6, 5 * 10**6])
        return f"huge-literal-{size}", PREFIXES + CONCEPT.format(definition="x" * size, extra="")
    if kind == "nest":
        nested = "[ ckg:p " * depth + "1" + " ]" * depth
        return f"nested-bnodes-{depth}", PREFIXES + "ck:FuzzThing ckg:p " + nested + " ."
    if kind == "list":
        return f"nested-lists-{depth}", PREFIXES + "ck:FuzzThing ckg:p " + "( " * depth + ")" * depth + " ."
    if kind == "prefix":
        return "unknown-prefix", PREFIXES + "nope:Thing a nope:Class ; rdfs:label \"x\" .\n"
    if kind == "blowup":
        return "transitive-blowup", _blow_up(rng)
    if kind == "many":
        n = rng.choice([1000, 50000])
        return f"many-triples-{n}", PREFIXES + "".join(f"ck:m{i} rdfs:label \"m{i}\" .\n" for i in range(n))
    iri = rng.choice(["<" + "a" * 100000 + ">", "<../../etc/passwd>", "<file:///etc/passwd>", "<" + LOOPBACK + ">",
                      "<http://[::1>", "<\x00>", "<a b>"])
    return "odd-iri", PREFIXES + f"{iri} rdfs:label \"x\" ; owl:imports <{LOOPBACK}onto.ttl> .\n"


def _mutate_bytes(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """A byte-level mutation of a real file and its name."""
    op = rng.choice(["truncate", "flip", "delete-lines", "dup-lines", "bracket", "encoding", "bom", "nul", "crlf"])
    pos = rng.randrange(len(data) + 1)
    if op == "truncate":
        return f"truncate@{pos}", data[:pos]
    if op == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 5)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return "byte-flips", bytes(out)
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    if op == "delete-lines":
        return f"delete-lines@{i}", b"\n".join(lines[:i] + lines[i + rng.randint(1, 5):])
    if op == "dup-lines":
        return f"dup-lines@{i}", b"\n".join(lines[:i] + lines[i:i + 3] * rng.randint(2, 50) + lines[i:])
    if op == "bracket":
        bracket = rng.choice([b"[", b"(", b"]", b")", b"{", b"}", b"\"", b'"""'])
        return f"bracket@{pos}", data[:pos] + bracket + data[pos:]
    if op == "encoding":
        codec = rng.choice(["utf-16", "utf-16-le", "utf-32", "cp949", "latin-1", "euc-kr"])
        return f"encoding-{codec}", data.decode("utf-8", "replace").encode(codec, "replace")
    if op == "bom":
        return "bom", rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf" * 2]) + data
    if op == "nul":
        return f"nul@{pos}", data[:pos] + b"\x00" + data[pos:]
    return "line-endings", data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\x85", "\u2028".encode()]))


def gen_turtle(rng: random.Random, sources: dict[str, bytes]) -> tuple[str, bytes]:
    """``(name, bytes)`` of one malformed Turtle file: a mutated real file or a synthetic hostile one."""
    if rng.random() < 0.4:
        name, text = _synthetic(rng)
        return name, text.encode("utf-8")
    source = rng.choice(sorted(sources))
    name, data = _mutate_bytes(rng, sources[source])
    return f"{source}:{name}", data


# ---------------------------------------------------------------------- plan
@dataclass(frozen=True)
class Case:
    index: int
    kind: str  # question | cli | sparql | turtle | subprocess
    payload: Any


def plan(count: int, seed: int, vocab: Vocab, paths: CliPaths, *, turtle: int | None = None,
         subprocesses: int | None = None) -> list[Case]:
    """The inputs for a run: deterministic for (count, seed); edge cases first so every run has them."""
    rng = random.Random(seed)
    turtle = max(1, count // 100) if turtle is None else turtle
    subprocesses = max(2, min(200, count // 1000)) if subprocesses is None else subprocesses
    sparql = count // 40
    cli = count * 18 // 100
    sources = turtle_sources()
    kinds = (["turtle"] * turtle + ["subprocess"] * subprocesses + ["sparql"] * sparql + ["cli"] * cli)
    kinds = kinds[:count]
    kinds += ["question"] * (count - len(kinds))
    rng.shuffle(kinds)
    cases = []
    edges = {"question": iter(EDGE_QUESTIONS), "cli": iter(EDGE_CLI), "subprocess": iter(EDGE_SUBPROCESS)}
    for index, kind in enumerate(kinds):
        payload = next(edges[kind], None) if kind in edges else None
        if payload is None:
            payload = _generate(rng, kind, vocab, paths, sources)
        cases.append(Case(index, kind, payload))
    return cases


EDGE_CLI: list[tuple[list[str], str]] = [
    (["ask", "what is a"], ""), (["search", "--limit", "-1", "s3"], ""), (["search", "--limit", "0", "s3"], ""),
    (["search", "--limit", "999999999999", "s3"], ""), (["export", "-o", "/"], ""),
    (["export", "-o", "/dev/full"], ""), (["glossary", "--format", "nonsense"], ""), (["ask", "--data", "/"], ""),
    (["ask", "--data", "/dev/null", "x"], ""), (["ask", "--data", "/nonexistent.ttl", "x"], ""),
    (["ask", "-"], "what is a\n\nS3란?\n"), (["sparql", "--run", "SELECT * { ?s ?p ?o } LIMIT 1"], ""),
    (["repl"], ".export /\n.load /\nwhat is a\n"), ([], ""), (["ask"], ""), (["--limit"], "")]


EDGE_SUBPROCESS: list[tuple[list[str | bytes], str | bytes]] = [
    (["ask", "-"], b"what is EC2\n\xff\xfe\n"), (["ask", b"\xff\xfe", "define 인스턴스"], "")]


def _generate(rng: random.Random, kind: str, vocab: Vocab, paths: CliPaths, sources: dict[str, bytes]) -> Any:
    if kind == "question":
        return gen_question(rng, vocab)
    if kind == "cli":
        return gen_cli(rng, vocab, paths)
    if kind == "sparql":
        return gen_sparql(rng, vocab)
    if kind == "turtle":
        return gen_turtle(rng, sources)
    return gen_subprocess_cli(rng, vocab, paths)


# ---------------------------------------------------------------------- probes (run in a child)
@dataclass
class Problem:
    """One contract violation: which call, what went wrong, where in the code."""

    kind: str
    target: str
    error: str
    message: str
    where: str = ""
    trace: str = ""


@dataclass
class Outcome:
    index: int
    seconds: float
    problems: list[Problem] = field(default_factory=list)
    note: str = ""


def _frame_text(frame: traceback.FrameSummary) -> str:
    """``path:line function``, the path relative to the project or to site-packages."""
    path = frame.filename
    path = os.path.relpath(path, ROOT) if path.startswith(str(ROOT)) else path
    return f"{path.split('site-packages/')[-1]}:{frame.lineno} {frame.name}"


def _where(tb: Iterable[traceback.FrameSummary]) -> str:
    """The innermost frame in this project's code, and the innermost frame overall when different."""
    frames = list(tb)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and "/bench/" not in f.filename
            and "/.venv/" not in f.filename]
    places = [_frame_text(ours[-1])] if ours else []
    if frames and (not ours or frames[-1] is not ours[-1]):
        places.append(_frame_text(frames[-1]))
    return " -> ".join(places)


def problem_from(kind: str, target: str, error: BaseException) -> Problem:
    tb = traceback.extract_tb(error.__traceback__)
    message = (str(error).strip().splitlines() or [""])[-1][:200]
    return Problem(kind, target, type(error).__name__, message, _where(tb),
                   "".join(traceback.format_exception(error))[-4000:])


class Probe:
    """Runs calls and records the exceptions their contract does not allow."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.problems: list[Problem] = []

    def call(self, target: str, fn: Callable[[], Any], allowed: tuple[type[BaseException], ...] = (),
             check: Callable[[Any], str] | None = None) -> Any:
        try:
            value = fn()
        except allowed:
            return None
        except (Exception, RecursionError) as error:
            self.problems.append(problem_from(self.kind, target, error))
            return None
        why = check(value) if check else ""
        if why:
            self.problems.append(Problem(self.kind, target, "ContractViolation", why))
        return value


def _answer_check(value: Any) -> str:
    from kg.answers.answer import Answer

    if not isinstance(value, Answer):
        return f"returned {type(value).__name__}, not Answer"
    json.dumps(value.to_dict(), ensure_ascii=False)  # the --json output must always serialise
    return "" if isinstance(value.text, str) else "Answer.text is not a str"


def probe_question(g: Any, text: str, rng: random.Random) -> list[Problem]:
    """ask (en, and ko on a sample), define, search and sparql on one text."""
    from queries.errors import QueryError

    probe = Probe("question")
    probe.call("ask", lambda: g.ask(text), check=_answer_check)
    if rng.random() < 0.25:
        probe.call("ask(lang=ko)", lambda: g.ask(text, lang="ko"), check=_answer_check)
    probe.call("define", lambda: g.define(text), check=_answer_check)
    limit = rng.choice(SEARCH_LIMITS) if rng.random() < 0.02 else 10
    probe.call(f"search(limit={limit})", lambda: g.search(text, limit), allowed=(ValueError,),
               check=lambda hits: "" if isinstance(hits, list) else "search did not return a list")
    probe.call("sparql", lambda: g.sparql(text), allowed=(QueryError,),
               check=lambda s: "" if isinstance(s, str) else "sparql did not return a str")
    return probe.problems


def probe_raw_sparql(g: Any, text: str, rng: random.Random) -> list[Problem]:
    """Raw SPARQL as `kg sparql --run` (one sampled format) or the HTTP endpoint runs it: only SparqlError."""
    from kg.engine.sparql_run import SparqlError, run_sparql, sparql_json

    probe = Probe("sparql")
    if rng.random() < 0.2:
        probe.call("sparql_json", lambda: sparql_json(g.rdf(), text), allowed=(SparqlError,))
    else:
        fmt = rng.choice(["table", "table", "json", "csv", "xml"])
        probe.call(f"run_sparql({fmt})", lambda: run_sparql(g.rdf(), text, fmt), allowed=(SparqlError,))
    return probe.problems


@contextlib.contextmanager
def _swapped_stdio(stdin_text: str):
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")  # like a pipe in a UTF-8 locale
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin_text), out, err
    try:
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def probe_cli(argv: Sequence[str], stdin_text: str) -> list[Problem]:
    """`kg ARGV` in process: no exception, no traceback on stderr, exit code 0, 1 or 2."""
    from kg.faces import cli

    code: Any = None
    problems: list[Problem] = []
    with _swapped_stdio(stdin_text) as (_out, err):
        try:
            code = cli.main(list(argv))
        except SystemExit as exit_:
            code = 0 if exit_.code is None else exit_.code
        except (Exception, RecursionError) as error:
            problems.append(problem_from("cli", "kg " + (argv[0] if argv else ""), error))
        with contextlib.suppress(Exception):
            err.flush()
        stderr = err.buffer.getvalue().decode("utf-8", "replace")  # type: ignore[attr-defined]
    if "Traceback (most recent call last)" in stderr:
        problems.append(Problem("cli", "kg " + (argv[0] if argv else ""), "Traceback", stderr.strip()[-200:]))
    if not problems and code not in (0, 1, 2):
        problems.append(Problem("cli", "kg " + (argv[0] if argv else ""), "ExitCode", f"exit code {code!r}"))
    return problems


def probe_turtle(data: bytes, question: str) -> list[Problem]:
    """Load one Turtle file on top of the bundled data: a graph or a KnowledgeError, nothing else."""
    from kg.engine.errors import KnowledgeError
    from kg.graph import KnowledgeGraph

    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # rdflib logs every bad literal it meets
    probe = Probe("turtle")
    with tempfile.TemporaryDirectory(prefix="kg-fuzz-") as tmp:
        path = Path(tmp) / "fuzz.ttl"
        path.write_bytes(data.replace(LOOPBACK.encode(), _LISTENER.url.encode()))
        loaded = probe.call("KnowledgeGraph.load", lambda: KnowledgeGraph.load(extra=[path], cache=False),
                            allowed=(KnowledgeError,))
    if loaded is not None:
        probe.call("ask(loaded)", lambda: loaded.ask(question), check=_answer_check)
        probe.call("stats(loaded)", loaded.stats)
    return probe.problems


# ---------------------------------------------------------------------- loopback listener
class Listener:
    """A loopback TCP listener that counts connections: any count above zero means network access."""

    def __init__(self) -> None:
        self.count = 0
        self.url = "http://127.0.0.1:9/"
        self._sock: socket.socket | None = None

    def start(self) -> None:
        self.count = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        assert self._sock is not None
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.count += 1
            conn.close()


_LISTENER = Listener()
_STATE: dict[str, Any] = {}  # the loaded graph and vocabulary, set before forking


def rss_kb() -> int:
    """The current resident set size in KiB."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def fill(text: str) -> str:
    """Put this run's loopback URL and scratch folder into a generated input."""
    return text.replace(LOOPBACK, _LISTENER.url).replace(TMP, _STATE.get("tmp", "/tmp"))


def run_case(case: Case) -> Outcome:
    """Run one input in this process and time it."""
    g = _STATE["g"]
    rng = random.Random(case.index)
    before = _LISTENER.count
    start = time.perf_counter()
    if case.kind == "question":
        problems = probe_question(g, case.payload, rng)
    elif case.kind == "sparql":
        problems = probe_raw_sparql(g, fill(case.payload), rng)
    elif case.kind == "cli":
        argv, stdin_text = case.payload
        problems = probe_cli([fill(a) for a in argv], fill(stdin_text))
    else:
        problems = probe_turtle(case.payload[1], rng.choice(_STATE["vocab"].questions))
    seconds = time.perf_counter() - start
    if _LISTENER.count > before:
        problems.append(Problem(case.kind, "network", "NetworkAccess",
                                f"{_LISTENER.count - before} connection(s) to the loopback listener"))
    return Outcome(case.index, seconds, problems)


def run_batch(cases: Sequence[Case], memory_extra: int | None = None) -> dict[str, Any]:
    """Child body: run cases in order; report outcomes and RSS at start, end and peak.

    ``memory_extra`` caps the address space at its current size plus that many bytes, so that a
    blow-up ends as a MemoryError finding instead of taking the machine.
    """
    if memory_extra:
        with open("/proc/self/statm") as handle:
            size = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + memory_extra, resource.RLIM_INFINITY))
    _LISTENER.start()
    warm = len(cases) // 10  # growth is measured after these: the first inputs only warm lazy imports up
    outcomes, start_rss = [], rss_kb()
    for number, case in enumerate(cases):
        if number == warm:
            start_rss = rss_kb()
        outcomes.append(run_case(case))
    return {"outcomes": outcomes, "rss_start": start_rss, "rss_end": rss_kb(), "measured": len(cases) - warm,
            "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


# ---------------------------------------------------------------------- forked execution
@dataclass
class Job:
    cases: list[Case]
    timeout: float
    memory_extra: int | None = None
    retry: bool = False  # a rerun of a failed batch: started even after the deadline


@dataclass
class _Running:
    job: Job
    pid: int
    fd: int
    started: float
    crash_log: str
    data: bytearray = field(default_factory=bytearray)


def _start(job: Job) -> _Running:
    read_fd, write_fd = os.pipe()
    crash_fd, crash_log = tempfile.mkstemp(prefix="kg-fuzz-crash-")
    pid = os.fork()
    if pid == 0:  # child: run, send the pickled result, leave without running the parent's exit handlers
        os.close(read_fd)
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            faulthandler.enable(file=os.fdopen(crash_fd, "w"), all_threads=False)  # where a segfault happened
            payload = pickle.dumps(("ok", run_batch(job.cases, job.memory_extra)))
        except BaseException as error:  # noqa: BLE001 - reported to the parent as a finding
            payload = pickle.dumps(("error", problem_from(job.cases[0].kind, "harness", error)))
            code = 3
        with contextlib.suppress(OSError), os.fdopen(write_fd, "wb") as out:
            out.write(payload)
        os._exit(code)
    os.close(write_fd)
    os.close(crash_fd)
    return _Running(job, pid, read_fd, time.monotonic(), crash_log)


def _crash_where(crash_log: str) -> str:
    """The innermost project frame (and innermost frame) of a faulthandler dump."""
    frames = []
    with contextlib.suppress(OSError), open(crash_log, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            found = re.match(r'\s*File "(.*)", line (\d+) in (\S+)', line)
            if found:
                frames.append(found.groups())
    ours = [f for f in frames if f[0].startswith(str(ROOT)) and "/bench/" not in f[0] and "/.venv/" not in f[0]]
    places = [f"{os.path.relpath(ours[0][0], ROOT)}:{ours[0][1]} {ours[0][2]}"] if ours else []
    if frames and (not ours or frames[0] != ours[0]):
        places.append(f"{Path(frames[0][0]).name}:{frames[0][1]} {frames[0][2]}")
    return " -> ".join(places)


def _finish(run: _Running, timed_out: bool) -> tuple[str, Any]:
    """Reap a child: ("ok", result) | ("crash", (signal, where)) | ("hang", seconds) | ("error", Problem)."""
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(run.pid, signal.SIGKILL)
    _, status = os.waitpid(run.pid, 0)
    os.close(run.fd)
    where = _crash_where(run.crash_log)
    os.unlink(run.crash_log)
    if timed_out:
        return "hang", time.monotonic() - run.started
    if os.WIFSIGNALED(status):
        return "crash", (signal.Signals(os.WTERMSIG(status)).name, where)
    try:
        return pickle.loads(bytes(run.data))
    except Exception:  # the child died without a result (os._exit elsewhere, a full pipe)
        return "crash", (f"exit status {os.waitstatus_to_exitcode(status)} with no result", where)


def run_forked(jobs: list[Job], concurrency: int, deadline: float,
               on_done: Callable[[Job, str, Any], list[Job]]) -> None:
    """Run jobs in forked children, ``concurrency`` at a time; ``on_done`` may return jobs to requeue."""
    pending, running = list(jobs), {}
    while pending or running:
        while pending and len(running) < concurrency:
            if time.monotonic() >= deadline and not pending[0].retry:
                pending.pop(0)  # out of time: counted as not run
                continue
            run = _start(pending.pop(0))
            running[run.fd] = run
        if not running:
            break
        ready, _, _ = select.select(list(running), [], [], 0.2)
        for fd in ready:
            chunk = os.read(fd, 1 << 20)
            if chunk:
                running[fd].data += chunk
            else:
                run = running.pop(fd)
                pending[:0] = on_done(run.job, *_finish(run, False))
        now = time.monotonic()
        for fd, run in list(running.items()):
            if now - run.started > run.job.timeout:
                del running[fd]
                pending[:0] = on_done(run.job, *_finish(run, True))


def probe_subprocess(argv: Sequence[str | bytes], stdin: str | bytes, timeout: float) -> tuple[float, list[Problem]]:
    """A real `python -m kg.faces.cli` run: no signal, no traceback, exit code 0, 1 or 2, done within the timeout.

    Standard streams are strict UTF-8, as under a UTF-8 locale such as en_US.UTF-8 (under the C
    locale Python would quietly use surrogateescape and hide encoding crashes).
    """
    args = [(os.fsencode(fill(a)) if isinstance(a, str) else a).replace(b"\0", b"") for a in argv]  # no NUL in argv
    target = "kg " + (os.fsdecode(args[0]) if args else "") + " (subprocess)"
    data = stdin if isinstance(stdin, bytes) else stdin.encode("utf-8", "replace")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "kg.faces.cli", *args], input=data, env=env,
                              capture_output=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, [Problem("subprocess", target, "Hang", f"over {timeout:.0f} s")]
    seconds = time.perf_counter() - start
    stderr = done.stderr.decode("utf-8", "replace")
    problems = []
    if done.returncode < 0:
        problems.append(Problem("subprocess", target, "Crash", signal.Signals(-done.returncode).name))
    elif "Traceback (most recent call last)" in stderr:
        last = stderr.strip().splitlines()[-1][:200]
        frames = [traceback.FrameSummary(path, int(line), name) for path, line, name in
                  re.findall(r'File "(.*)", line (\d+), in (\S+)', stderr)]
        problems.append(Problem("subprocess", target, last.split(":")[0], last, _where(frames), stderr[-4000:]))
    elif done.returncode not in (0, 1, 2):
        problems.append(Problem("subprocess", target, "ExitCode", f"exit code {done.returncode}"))
    return seconds, problems


# ---------------------------------------------------------------------- report
def short_repr(case: Case, width: int = 100) -> str:
    """A one-line, shortened view of an input."""
    payload = case.payload
    if case.kind == "turtle":
        return f"{payload[0]} ({len(payload[1])} bytes)"
    if case.kind in ("cli", "subprocess"):
        argv, stdin_text = payload
        text = "kg " + " ".join(repr(a) if not isinstance(a, str) or not a or any(c in a for c in " \"'\\")
                                else a for a in argv)
        piped = any(a in argv for a in ("-", "repl", "mcp"))
        text += f"  <<< {stdin_text!r}" if stdin_text and piped else ""
    else:
        text = repr(payload)
    return text if len(text) <= width else text[:width] + f"…(+{len(text) - width} chars)"


@dataclass
class Group:
    """Findings that share kind, call, exception type and code location; ``example`` is the shortest input."""

    kind: str
    target: str
    error: str
    message: str
    where: str
    example: str
    index: int
    count: int = 1
    trace: str = ""


@dataclass
class Report:
    seed: int
    planned: dict[str, int]
    ran: dict[str, int] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    slowest: list[tuple[float, str, int, str]] = field(default_factory=list)
    seconds_by_kind: dict[str, float] = field(default_factory=dict)
    rss: dict[str, int] = field(default_factory=dict)
    growth_per_1000: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def findings(self) -> list[Group]:
        return sorted(self.groups.values(), key=lambda g: (g.kind, g.target, g.error))

    def add(self, case: Case, problem: Problem) -> None:
        base = problem.target.split("(limit=")[0]
        detail = "" if problem.error == "Slow" else problem.where or problem.message[:60]
        key = "|".join([problem.kind, base, problem.error, detail])
        example = short_repr(case)
        group = self.groups.get(key)
        if group is None:
            self.groups[key] = Group(problem.kind, problem.target, problem.error, problem.message, problem.where,
                                     example, case.index, trace=problem.trace)
            return
        group.count += 1
        if (len(example), case.index) < (len(group.example), group.index):
            group.example, group.index, group.target = example, case.index, problem.target
            group.message, group.trace = problem.message, problem.trace or group.trace

    def record(self, case: Case, outcome: Outcome, slow: float) -> None:
        self.ran[case.kind] = self.ran.get(case.kind, 0) + 1
        self.seconds_by_kind[case.kind] = self.seconds_by_kind.get(case.kind, 0.0) + outcome.seconds
        for problem in outcome.problems:
            self.add(case, problem)
        if outcome.seconds > slow:
            self.add(case, Problem(case.kind, "time", "Slow", f"{outcome.seconds:.1f} s (limit {slow:.0f} s)"))
        self.slowest.append((outcome.seconds, case.kind, case.index, short_repr(case, 70)))
        self.slowest = sorted(self.slowest, reverse=True)[:10]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["groups"] = [asdict(g) for g in self.findings]
        data["finding_count"] = len(self.groups)
        return data


# ---------------------------------------------------------------------- the run
@contextlib.contextmanager
def fuzz_environment(g: Any, tmp: str):
    """The CLI reuses the loaded graph unless given --data or --no-cache; history goes to a scratch folder."""
    from kg.faces import cli

    original = cli._load

    def cached_load(args: argparse.Namespace) -> Any:
        if args.data or args.no_cache or os.environ.get("CLOUDKG_DATA"):
            return original(args)
        return g

    saved_env = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "CLOUDKG_DATA")}
    os.environ["XDG_DATA_HOME"] = tmp
    os.environ.pop("CLOUDKG_DATA", None)
    cli._load = cached_load
    _STATE.update(g=g, tmp=tmp)
    try:
        yield
    finally:
        cli._load = original
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _jobs_for(cases: Sequence[Case], hard_timeout: float) -> list[Job]:
    sizes = {"question": 500, "sparql": 100, "cli": 100, "turtle": 1}
    jobs = []
    for kind, size in sizes.items():
        chosen = [c for c in cases if c.kind == kind]
        extra = 3 << 30 if kind == "turtle" else None
        for i in range(0, len(chosen), size):
            batch = chosen[i:i + size]
            jobs.append(Job(batch, hard_timeout * 2 + 0.5 * len(batch) if len(batch) > 1 else hard_timeout, extra))
    return sorted(jobs, key=lambda job: job.cases[0].index)  # kinds interleaved: a time limit cuts all alike


def _on_done(report: Report, hard_timeout: float) -> Callable[[Job, str, Any], list[Job]]:
    def done(job: Job, status: str, value: Any) -> list[Job]:
        if status == "ok":
            result = value
            for case, outcome in zip(job.cases, result["outcomes"], strict=True):
                report.record(case, outcome, SLOW_TURTLE if case.kind == "turtle" else SLOW_OTHER)
            report.rss["child_peak_kb"] = max(report.rss.get("child_peak_kb", 0), result["rss_peak"])
            if job.cases[0].kind == "question" and len(job.cases) >= 100:
                growth = result["rss_end"] - result["rss_start"]
                report.growth_per_1000.append(growth * 1000 / max(1, result.get("measured", len(job.cases))))
            return []
        if len(job.cases) > 1:  # name the input: bisect the batch
            half = len(job.cases) // 2
            return [Job(part, hard_timeout * 2 + 0.5 * len(part) if len(part) > 1 else hard_timeout,
                        job.memory_extra, retry=True) for part in (job.cases[:half], job.cases[half:])]
        case = job.cases[0]
        if status == "error":
            problem = value
        elif status == "hang":
            problem = Problem(case.kind, "process", "Hang", f"killed after {value:.0f} s")
        else:
            problem = Problem(case.kind, "process", "Crash", value[0], value[1])
        report.record(case, Outcome(case.index, hard_timeout if status == "hang" else 0.0, [problem]), 1e9)
        return []

    return done


def run_subprocesses(report: Report, cases: Sequence[Case], jobs: int, deadline: float, timeout: float) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def run(case: Case) -> tuple[float, list[Problem]] | None:
        return probe_subprocess(*case.payload, timeout) if time.monotonic() < deadline else None

    chosen = [c for c in cases if c.kind == "subprocess"]
    with ThreadPoolExecutor(max_workers=jobs) as pool:  # finished before any fork: no threads are forked
        for case, result in zip(chosen, pool.map(run, chosen), strict=True):
            if result is not None:
                report.record(case, Outcome(case.index, *result), 1e9)


def load_for_fuzzing() -> tuple[Any, Vocab]:
    """The bundled graph (RDF parsed, so children share it) and the generators' vocabulary."""
    from kg.graph import KnowledgeGraph
    from queries.errors import QueryError

    g = KnowledgeGraph.load()
    g.rdf()
    vocab = build_vocab(g)
    for question in vocab.questions:
        with contextlib.suppress(QueryError):
            vocab.sparql.append(g.sparql(question))
    warm = random.Random(-1)  # warm the caches here, so a child's RSS growth means a leak, not a first use
    for text in vocab.questions + [gen_question(warm, vocab) for _ in range(200)]:
        for call in (g.ask, g.define, g.search, g.sparql):  # default arguments only: nothing here may crash
            with contextlib.suppress(Exception):
                call(text)
    return g, vocab


def run_fuzz(count: int = 100_000, seed: int = 0, *, time_limit: float = 0.0, jobs: int = 0,
             turtle: int | None = None, subprocesses: int | None = None, only: Iterable[int] = (),
             hard_timeout: float = 60.0) -> Report:
    """Generate ``count`` inputs from ``seed``, run them and return the report (see the module docstring)."""
    started = time.monotonic()
    deadline = started + time_limit if time_limit > 0 else float("inf")
    jobs = jobs or os.cpu_count() or 1
    g, vocab = load_for_fuzzing()
    _STATE["vocab"] = vocab
    cases = plan(count, seed, vocab, make_cli_paths(TMP), turtle=turtle, subprocesses=subprocesses)
    wanted = set(only)
    if wanted:
        cases = [c for c in cases if c.index in wanted]
    planned: dict[str, int] = {}
    for case in cases:
        planned[case.kind] = planned.get(case.kind, 0) + 1
    report = Report(seed, planned, rss={"parent_start_kb": rss_kb()})
    with tempfile.TemporaryDirectory(prefix="kg-fuzz-") as tmp, fuzz_environment(g, tmp):
        run_subprocesses(report, cases, jobs, deadline, hard_timeout)
        run_forked(_jobs_for(cases, hard_timeout), jobs, deadline, _on_done(report, hard_timeout))
    report.rss["parent_end_kb"] = rss_kb()
    report.elapsed = time.monotonic() - started
    return report


def format_report(report: Report, traces: bool = False) -> str:
    """The summary table: inputs per kind, findings, slowest inputs, memory."""
    lines = [f"seed {report.seed}: {sum(report.ran.values())} of {sum(report.planned.values())} inputs "
             f"in {report.elapsed:.0f} s", "", f"{'kind':12} {'planned':>8} {'ran':>8} {'findings':>9} {'cpu s':>8}"]
    for kind in sorted(report.planned):
        found = sum(1 for g in report.groups.values() if g.kind == kind)
        lines.append(f"{kind:12} {report.planned[kind]:8} {report.ran.get(kind, 0):8} {found:9} "
                     f"{report.seconds_by_kind.get(kind, 0.0):8.1f}")
    lines += ["", f"findings: {len(report.groups)} distinct"]
    for n, group in enumerate(report.findings, 1):
        lines.append(f"{n:3}. [{group.kind}] {group.target}: {group.error} x{group.count}")
        lines.append(f"     input #{group.index}: {group.example}")
        lines.append(f"     last line: {group.message}")
        if group.where:
            lines.append(f"     where: {group.where}")
        if traces and group.trace:
            lines += ["     " + t for t in group.trace.rstrip().splitlines()]
    lines += ["", "slowest inputs:"]
    lines += [f"  {s * 1e3:9.1f} ms  {kind:10} #{index:<7} {text}" for s, kind, index, text in report.slowest]
    growth = sorted(report.growth_per_1000)
    median = growth[len(growth) // 2] if growth else 0.0
    rss = report.rss
    lines += ["", f"memory: parent RSS {rss.get('parent_start_kb', 0) / 1024:.0f} MiB at start, "
              f"{rss.get('parent_end_kb', 0) / 1024:.0f} MiB at end; peak child RSS "
              f"{rss.get('child_peak_kb', 0) / 1024:.0f} MiB",
              f"RSS growth while answering questions: median {median:.0f} KiB, max "
              f"{(growth[-1] if growth else 0.0):.0f} KiB per 1000 inputs ({len(growth)} forked batches, "
              "measured after each batch's first 10%)"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="number of inputs (default 100000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--time-limit", type=float, default=0.0, help="stop starting inputs after this many s")
    parser.add_argument("--jobs", type=int, default=0, help="parallel children (default: CPU count)")
    parser.add_argument("--turtle", type=int, default=None, help="Turtle inputs (default 1%% of --count)")
    parser.add_argument("--subprocess", type=int, default=None, help="real CLI subprocess runs (default 0.1%%)")
    parser.add_argument("--hard-timeout", type=float, default=60.0, help="kill one input after this many s")
    parser.add_argument("--only", type=int, action="append", default=[], help="run only input INDEX (repeatable)")
    parser.add_argument("--traces", action="store_true", help="print a traceback for each finding")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = run_fuzz(args.count, args.seed, time_limit=args.time_limit, jobs=args.jobs, turtle=args.turtle,
                      subprocesses=args.subprocess, only=args.only, hard_timeout=args.hard_timeout)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, traces=args.traces or bool(args.only)))
    return 1 if report.groups else 0


if __name__ == "__main__":
    sys.exit(main())

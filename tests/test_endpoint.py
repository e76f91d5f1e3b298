"""Answering through a remote SPARQL store: `kg push`, `KnowledgeGraph.connect(url)`, `kg ask --endpoint`.

With a real Virtuoso (tests/virtuoso.py): `kg push` sends the bundled knowledge, then every golden
question is answered through `KnowledgeGraph.connect` and must agree with the local answer, as
tests/test_backends.py compares them. Without Virtuoso, the same reading of the knowledge runs
over pyoxigraph (kg.engine.remote.OxigraphTermRunner), so it is tested everywhere.
"""

from __future__ import annotations

import io

import pyoxigraph
import pytest
from conftest import golden_rows

from kg import KnowledgeGraph
from kg.engine.endpoint import Endpoint
from kg.engine.remote import FetchLimits, OxigraphTermRunner, RemoteError, remote_core
from kg.engine.sparql_backend import OxigraphRunner
from kg.faces.cli import main
from tests.virtuoso import Virtuoso, virtuoso  # noqa: F401 (the fixture)

GRAPH = "https://w3id.org/cloudkg/graph/pushed"
QUESTIONS = [row[0] for row in golden_rows()]  # the whole golden file: errors and clarifications too
CLI_QUESTIONS = ["what stores EBS backups", "is ECS built on EC2", "how many compute services are there",
                 "what is ECS built on", "S3는 무엇을 저장해?"]


def _seen(answer) -> tuple:
    """What the user is told, back-end independent (as tests/test_backends.py compares it)."""
    paths = sorted(tuple(tuple(step["subject"] + " " + step["relation"] + " " + step["object"] for step in path))
                   for path in answer.path or [])
    return (answer.kind, sorted(a.id for a in answer.answers), answer.count, answer.boolean, paths,
            answer.text if answer.kind == "definition" else None)


def _agree(local: KnowledgeGraph, remote: KnowledgeGraph, question: str) -> None:
    mine, theirs = local.ask(question), remote.ask(question)
    assert _seen(theirs) == _seen(mine)
    assert theirs.basis in (mine.basis, "stated" if mine.basis == "inferred" else mine.basis)


# ---------------------------------------------------------------- in process (pyoxigraph): always runs
@pytest.fixture(scope="module")
def oxigraph_remote(g, oxigraph_store) -> KnowledgeGraph:
    core, backend = remote_core(OxigraphTermRunner(oxigraph_store), "pyoxigraph")
    return KnowledgeGraph(core, ()).using(backend)


def test_the_knowledge_read_with_sparql_matches_the_files(g, oxigraph_remote):
    mine, theirs = g.knowledge, oxigraph_remote.knowledge
    assert theirs.classes == mine.classes and theirs.relations == mine.relations
    assert theirs.sources == mine.sources and theirs.categories == mine.categories
    assert theirs.attributes == mine.attributes and theirs.value_sources == mine.value_sources
    assert theirs.concepts == mine.concepts  # decimals too: a store's canonical "4" is read as Turtle's "4.0"
    assert len(theirs.facts) < len(mine.facts) / 20  # the facts stay in the store (a few class-level ones come)


@pytest.mark.parametrize("question", QUESTIONS[::4])
def test_golden_answers_agree_over_pyoxigraph(g, oxigraph_remote, question):
    _agree(g, oxigraph_remote, question)


def test_the_explainer_gives_each_stated_fact_its_sources(g, oxigraph_remote):
    explainer = oxigraph_remote.backend.explainer
    facts = sorted(f for f, d in g.store.derivations.items() if d is None)[::25]
    assert len(facts) > 40
    for fact in facts:
        assert explainer.is_asserted(fact), fact
        assert explainer.sources(fact) == g.backend.sources(fact), fact
    inferred = next(f for f, d in g.store.derivations.items() if d is not None and f[1] != "type")
    assert not explainer.is_asserted(inferred) and explainer.derivation(inferred) is None


def test_path_evidence_carries_sources(g, oxigraph_remote):
    question = "how is ECS related to S3"
    theirs = oxigraph_remote.ask(question)
    steps = [step for path in theirs.path for step in path]
    assert steps and all(step["sources"] for step in steps)
    mine = {(s["subject"], s["relation"], s["object"]): s["sources"] for p in g.ask(question).path for s in p}
    assert all(step["sources"] == mine[(step["subject"], step["relation"], step["object"])] for step in steps)


def test_cards_and_definitions_come_from_the_store(g, oxigraph_remote):
    for concept in ("ECS", "S3", "EBSSnapshot"):
        mine, theirs = g.card(concept), oxigraph_remote.card(concept)
        assert theirs["definitions"] == mine["definitions"] and theirs["sources"] == mine["sources"]
        assert {e["text"] for e in theirs["outgoing"]} == {e["text"] for e in mine["outgoing"] if not e["inferred"]}
    assert oxigraph_remote.define("S3").text == g.define("S3").text


def test_fetches_are_bounded(oxigraph_store):
    with pytest.raises(RemoteError, match="more than 100 rows"):
        remote_core(OxigraphTermRunner(oxigraph_store), "pyoxigraph", FetchLimits(rows=100))
    with pytest.raises(RemoteError, match="longer than"):
        remote_core(OxigraphTermRunner(oxigraph_store), "pyoxigraph", FetchLimits(seconds=-1))


class _Capped(OxigraphTermRunner):
    """A store that answers at most 500 rows, as public endpoints cap answers."""

    def select(self, text: str) -> list[dict[str, str]]:
        return super().select(text)[:500]


@pytest.mark.parametrize("limits", [FetchLimits(page=700, unsorted=0), FetchLimits()], ids=["paged", "capped"])
def test_paging_reads_everything(g, oxigraph_store, limits):
    core, _ = remote_core(_Capped(oxigraph_store), "pyoxigraph", limits)
    assert core.knowledge.concepts == g.knowledge.concepts
    assert core.knowledge.relations == g.knowledge.relations


def test_plain_string_runners_and_empty_stores_are_clear_errors(oxigraph_store):
    with pytest.raises(RemoteError, match="plain strings"):
        remote_core(OxigraphRunner(oxigraph_store), "pyoxigraph")
    with pytest.raises(RemoteError, match="no skos:Concept; push the knowledge first"):
        remote_core(OxigraphTermRunner(pyoxigraph.Store()), "empty")


def test_progress_is_reported(oxigraph_store):
    seen = []
    remote_core(OxigraphTermRunner(oxigraph_store), "pyoxigraph", progress=lambda what, rows: seen.append(rows))
    assert seen[-1] == -1 and seen[:-1] == sorted(seen[:-1]) and seen[-2] > 5000


def test_credentials_in_the_url_are_refused(capsys):
    assert main(["ask", "--endpoint", "http://me:s3cret@127.0.0.1:9/sparql", "what is S3"]) == 2
    err = capsys.readouterr().err
    assert "credentials in the URL are refused" in err and "CLOUDKG_ENDPOINT_USER" in err and "s3cret" not in err
    assert main(["push", "--endpoint", "http://me:s3cret@127.0.0.1:9/sparql", "--graph", GRAPH]) == 2
    assert "s3cret" not in capsys.readouterr().err


def test_endpoint_and_data_together_are_refused(capsys, tmp_path):
    data = tmp_path / "mine.ttl"
    data.write_text("")
    assert main(["ask", "--endpoint", "http://127.0.0.1:9/sparql", "--data", str(data), "what is S3"]) == 2
    assert "push your files to it first" in capsys.readouterr().err


def test_an_unreachable_store_is_a_clear_error(capsys):
    from tests.servers import free_port

    assert main(["ask", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql", "what is S3"]) == 2
    assert "cannot connect" in capsys.readouterr().err


def test_push_help_explains_the_bulk_loader(capsys):
    with pytest.raises(SystemExit):
        main(["push", "--help"])
    out = capsys.readouterr().out
    assert "ld_dir(" in out and "rdf_loader_run()" in out and "--inferred" in out


# ---------------------------------------------------------------- a real Virtuoso
@pytest.fixture(scope="module")
def pushed(virtuoso: Virtuoso) -> str:  # noqa: F811 (the fixture's name)
    """The bundled knowledge pushed by `kg push` into GRAPH; the endpoint URL."""
    assert main(["push", "--endpoint", virtuoso.endpoint, "--graph", GRAPH, "--replace"]) == 0
    return virtuoso.endpoint


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def connected(pushed) -> KnowledgeGraph:
    """`KnowledgeGraph.connect(url, graph)`, its progress shown on a (pretend) terminal kept as ``screen``."""
    screen = _Terminal()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stderr", screen)
        g = KnowledgeGraph.connect(pushed, graph=GRAPH)
    g.screen = screen.getvalue()
    return g


def test_push_sends_the_export(g, pushed, capsys):
    count = Endpoint(pushed, graph=GRAPH).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert int(count) == len(g.export("nt").splitlines())
    inferred = "https://w3id.org/cloudkg/graph/pushed-inferred"
    assert main(["push", "--endpoint", pushed, "--graph", inferred, "--inferred", "--replace"]) == 0
    assert f"(graph {inferred})" in capsys.readouterr().out
    count = Endpoint(pushed, graph=inferred).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert int(count) == len(g.export("nt", inferred=True).splitlines())
    Endpoint(pushed).clear(inferred)


def test_push_without_a_graph_says_what_virtuoso_needs(pushed, capsys):
    assert main(["push", "--endpoint", pushed]) == 2
    assert "needs --graph IRI" in capsys.readouterr().err


@pytest.mark.parametrize("question", QUESTIONS)
def test_golden_answers_agree_on_virtuoso(g, connected, question):
    _agree(g, connected, question)


@pytest.fixture(scope="module")
def connected_lazily(pushed) -> KnowledgeGraph:
    """The same store read as a large one is: the schema and the bundled concepts at connect, the rest on demand."""
    from kg.engine.remote import connect_endpoint

    core, backend, _ = connect_endpoint(pushed, GRAPH, FetchLimits(eager=10), progress=lambda what, rows: None)
    assert backend.terms is not None
    return KnowledgeGraph(core, ()).using(backend)


@pytest.mark.parametrize("question", QUESTIONS)
def test_golden_answers_agree_on_virtuoso_read_lazily(g, connected_lazily, question):
    _agree(g, connected_lazily, question)


def test_connected_knowledge_and_sources(g, connected):
    assert connected.knowledge.relations == g.knowledge.relations
    assert connected.knowledge.concepts.keys() == g.knowledge.concepts.keys()
    assert connected.define("EBS snapshot").text == g.define("EBS snapshot").text
    fact = ("EBSSnapshot", "storedIn", "S3")
    assert connected.backend.explainer.sources(fact) == g.backend.sources(fact)
    path = connected.ask("how is ECS related to S3").path
    assert path and all(step["sources"] for p in path for step in p)


def test_kg_ask_endpoint_on_the_default_graph(g, pushed, capsys, monkeypatch):
    """Without --graph, the store's default graph: in Virtuoso the union of all graphs."""
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(CLI_QUESTIONS) + "\n"))
    assert main(["ask", "--endpoint", pushed, "-"]) == 0
    assert capsys.readouterr().out.strip().splitlines() == [g.ask(q).text for q in CLI_QUESTIONS]


def test_progress_shows_on_a_terminal(connected):
    assert "kg: reading glossary from http://127.0.0.1:" in connected.screen
    assert connected.screen.endswith("\r\033[K")


def test_serve_answers_from_the_store(g, connected):
    from fastapi.testclient import TestClient

    from kg.faces.cli import build_parser
    from kg.faces.server import create_app

    client = TestClient(create_app(connected), base_url="http://127.0.0.1")
    answer = client.post("/ask", json={"question": "what is ECS built on"}).json()
    assert answer["text"] == g.ask("what is ECS built on").text
    assert client.get("/define/S3").json()["text"] == g.define("S3").text
    assert client.get("/healthz").json()["fingerprint"] == connected.fingerprint
    args = build_parser().parse_args(["serve", "--endpoint", "http://127.0.0.1:8890/sparql", "--graph", GRAPH])
    assert (args.endpoint, args.graph) == ("http://127.0.0.1:8890/sparql", GRAPH)


# ---------------------------------------------------------------- a large store read lazily
INVENTORY_QUESTIONS = ["what stores EBS backups", "what is ECS built on", "is DynamoDB a relational database",
                       "how many engines does RDS support", "EC2란?", "define Lambda"]


class _Recording:
    """A runner that keeps every query text it sends."""

    def __init__(self, runner) -> None:
        self.runner, self.sent = runner, []

    def select(self, text: str):
        self.sent.append(text)
        return self.runner.select(text)

    def ask(self, text: str) -> bool:
        self.sent.append(text)
        return self.runner.ask(text)

    def results(self, text: str):
        return self.runner.results(text)


@pytest.fixture(scope="module")
def inventory_store(g):
    """The bundled knowledge and a small generated inventory (about 300 concepts) in pyoxigraph."""
    from bench.gen_inventory import write_inventory

    out = io.StringIO()
    write_inventory(out, 3000, seed=1)
    store = pyoxigraph.Store()
    store.load((g.export("nt") + out.getvalue()).encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _store_graph(store, **limits) -> KnowledgeGraph:
    core, backend = remote_core(_Recording(OxigraphTermRunner(store)), "pyoxigraph", FetchLimits(**limits))
    return KnowledgeGraph(core, ()).using(backend)


def _an_inventory_label(store) -> tuple[str, str]:
    row = next(iter(store.query('SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l . '
                                'FILTER(STRSTARTS(STR(?s), "https://w3id.org/cloudkg/id/inv-i-") && LANG(?l) = "en") }'
                                ' ORDER BY ?s LIMIT 1')))
    return row["s"].value.rsplit("/", 1)[1], row["l"].value


def test_a_large_store_reads_only_the_schema_and_the_bundled_concepts_at_connect(g, inventory_store):
    lazy = _store_graph(inventory_store, eager=100)
    held = int(next(iter(inventory_store.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <http://www.w3.org/2004/02/skos/core#Concept> }")))["n"].value)
    assert lazy.backend.terms is not None and lazy.backend.concept_count == held > len(g.knowledge.concepts)
    assert sorted(lazy.knowledge.concepts) == sorted(g.knowledge.concepts)  # iterated: the preloaded ones
    eager = _store_graph(inventory_store)
    assert eager.backend.terms is None and len(eager.knowledge.concepts) == held


@pytest.mark.parametrize("question", INVENTORY_QUESTIONS)
def test_lazy_and_eager_reading_give_the_same_answers(inventory_store, question):
    lazy, eager = _store_graph(inventory_store, eager=100), _store_graph(inventory_store)
    assert _seen(lazy.ask(question)) == _seen(eager.ask(question))


def test_a_question_naming_an_unread_term_finds_it_in_the_store(inventory_store):
    lazy, eager = _store_graph(inventory_store, eager=100), _store_graph(inventory_store)
    concept_id, label = _an_inventory_label(inventory_store)
    assert concept_id not in dict.keys(lazy.knowledge.concepts)
    for question in (f"where is {label} located", f"where is {label.lower()} located", f"define {label}"):
        answer = lazy.ask(question)
        assert answer.ok and answer.answers, question
        assert _seen(answer) == _seen(eager.ask(question))
    assert lazy.define(label.upper()).answers[0].id == concept_id  # names match whatever the case
    assert lazy.knowledge.concepts[concept_id].label() == label


def test_every_lookup_is_bounded_and_plain_sparql(inventory_store):
    lazy = _store_graph(inventory_store, eager=100)
    runner = lazy.backend.runner.runner
    runner.sent.clear()
    _, label = _an_inventory_label(inventory_store)
    lazy.ask(f"where is {label.lower()} located")
    lookups = [text for text in runner.sent if "?name" in text or "VALUES ?s" in text]
    assert lookups and all("LIMIT" in text for text in lookups)
    assert not any("bif:" in text or "DEFINE " in text for text in runner.sent)


def test_read_concepts_are_kept_in_a_bounded_cache(inventory_store):
    from kg.engine.remote_terms import LazyLimits, StoreTerms

    lazy = _store_graph(inventory_store, eager=100)
    terms: StoreTerms = lazy.backend.terms
    terms.limits = LazyLimits(kept=3)
    ids = [row["s"].value.rsplit("/", 1)[1] for row in inventory_store.query(
        'SELECT ?s WHERE { ?s a <http://www.w3.org/2004/02/skos/core#Concept> . '
        'FILTER(STRSTARTS(STR(?s), "https://w3id.org/cloudkg/id/inv-")) } ORDER BY ?s LIMIT 6')]
    terms.prefetch(ids)
    assert list(terms.kept) == ids[-3:]
    first = lazy.knowledge.concepts.get(ids[0])  # read again on demand
    assert first is not None and first.id == ids[0] and len(terms.kept) == 3
    assert not any(e.value == ids[1] for entries in terms.names.values() for e in entries)
    label = terms.concept(ids[1]).label()  # a name looked up before is looked up again once its concept is evicted
    terms.prefetch(ids[2:])
    assert ids[1] not in terms.kept and lazy.define(label).answers[0].id == ids[1]
    assert lazy.knowledge.concepts.get("no-such-concept") is None and "no-such-concept" not in lazy.knowledge.concepts


# ---------------------------------------------------------------- kg serve --endpoint
@pytest.fixture(scope="module")
def store_client(inventory_store):
    from fastapi.testclient import TestClient

    from kg.faces.server import create_app

    return TestClient(create_app(_store_graph(inventory_store, eager=100)), base_url="http://127.0.0.1")


def test_healthz_reports_the_stores_size(inventory_store, store_client):
    health = store_client.get("/healthz").json()
    assert health["facts"] == len(inventory_store) > 10_000
    assert health["concepts"] > 374


def test_sparql_is_answered_by_the_store(store_client):
    query = "SELECT ?s WHERE { ?s ckg:attachedTo ?i } LIMIT 3"
    response = store_client.get("/sparql", params={"query": query},
                                headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert len(rows) == 3 and all(r["s"]["value"].startswith("https://w3id.org/cloudkg/id/inv-vol-") for r in rows)
    ask = store_client.post("/sparql", content="ASK { ?s ckg:attachedTo ?i }",
                            headers={"Content-Type": "application/sparql-query"})
    assert ask.json()["boolean"] is True


def test_sparql_to_the_store_keeps_the_endpoints_limits(store_client):
    update = store_client.post("/sparql", content="DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 403
    service = store_client.get("/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert service.status_code == 400 and "SERVICE" in service.json()["error"]["message"]
    too_many = store_client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert too_many.status_code == 413


def test_a_store_that_stopped_answering_is_a_503_not_a_traceback(inventory_store):
    from fastapi.testclient import TestClient

    from kg.engine.remote import RemoteBackend, _Guarded
    from kg.faces.server import create_app
    from tests.servers import free_port

    lazy = _store_graph(inventory_store, eager=100)
    gone = Endpoint(f"http://127.0.0.1:{free_port()}/sparql", timeout=2)
    client = TestClient(create_app(lazy.using(RemoteBackend(_Guarded(gone), lazy.relations))),
                        base_url="http://127.0.0.1")
    for response in (client.get("/healthz"), client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})):
        assert response.status_code == 503
        assert "does not answer" in response.json()["error"]["message"]
        assert "Traceback" not in response.text


def test_credentials_never_on_the_command_line(capsys):
    assert main(["push", "--endpoint", "http://127.0.0.1:9/sparql", "--graph", "urn:g",
                 "--graph-store", "http://dba:secret@127.0.0.1:9/crud"]) != 0
    err = capsys.readouterr().err
    assert "credentials in the URL are refused" in err and "secret" not in err

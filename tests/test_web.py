"""The web glossary's routes (FastAPI TestClient) and the static HTML export."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kg.faces.http_guards import WorkGate
from kg.faces.web import add_web_routes
from kg.faces.web.static_site import export_site
from kg.graph import KnowledgeGraph

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = ["/", "/?q=snapshot", "/?question=what+stores+EBS+backups", "/concept/EBSSnapshot", "/az",
         "/category/cat-storage", "/classes"]
OUR_SCRIPT = re.compile(r'<script (?:src="[^"]*/static/app\.js" defer|type="application/json" id="graph-data")>')


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return KnowledgeGraph.load(extra=[FIXTURES / "web_hostile_label.ttl"], cache=False)


@pytest.fixture(scope="module")
def client(graph: KnowledgeGraph) -> TestClient:
    app = FastAPI()
    add_web_routes(app, lambda: graph, WorkGate(4))
    return TestClient(app, base_url="http://127.0.0.1")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_page_answers_in_its_language(client, lang):
    for path in PAGES:
        reply = client.get(path, params={"lang": lang})
        assert reply.status_code == 200, path
        assert reply.headers["content-type"].startswith("text/html")
        assert f'<html lang="{lang}">' in reply.text
        assert "default-src 'self'" in reply.headers["content-security-policy"]
        assert 'name="viewport"' in reply.text and '<nav aria-label=' in reply.text
        assert not re.search(r'(src|href)="(https?:)?//', reply.text.split("<main")[0]), "a head asset from elsewhere"
    for asset in ("app.js", "app.css", "favicon.svg"):
        assert client.get(f"/static/{asset}").status_code == 200


def test_markup_in_data_is_shown_as_text(client):
    paths = ["/concept/HostileBucket", "/concept/HostileBucket?lang=ko", "/concept/S3", "/az", "/az?lang=ko",
             "/category/cat-storage", "/?q=bucket", "/classes", "/concept/HostileBuckett"]
    for path in paths:
        text = client.get(path).text
        assert "<script>alert" not in text and "<script>document" not in text, path
        assert "<img src=x" not in text and "<b>악성" not in text and "<i>테스트" not in text, path
        assert len(re.findall(r"<script\b", text)) == len(OUR_SCRIPT.findall(text)), path
    page = client.get("/concept/HostileBucket").text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; bucket" in page
    assert "\\u003cscript\\u003ealert" in page  # the graph's JSON cannot close its script element
    echoed = client.get("/", params={"q": '"><script>x()</script>'}).text
    assert 'value="&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"' in echoed


def test_unknown_terms_get_404_with_suggestions(client):
    reply = client.get("/concept/EBSSnapshott")
    assert reply.status_code == 404 and 'href="/concept/EBSSnapshot"' in reply.text
    assert client.get("/category/cat-nothing").status_code == 404
    assert client.get("/concept/" + "x" * 5000).status_code == 404
    missing = client.get("/api/graph/NoSuchThing")
    assert missing.status_code == 404 and "NoSuchThing" in missing.json()["error"]["message"]


def test_graph_api_shape(client):
    data = client.get("/api/graph/EBSSnapshot").json()
    ids = {n["id"] for n in data["nodes"]}
    assert {"EBSSnapshot", "S3", "EBSVolume"} <= ids
    assert all(set(n) == {"id", "label"} for n in data["nodes"])
    for edge in data["edges"]:
        assert {"source", "target", "label", "inferred", "rule"} <= set(edge)
        assert edge["source"] in ids and edge["target"] in ids
        assert (edge["rule"] is not None) == edge["inferred"]
    assert any(e["inferred"] and e["rule"] == "subPropertyOf" for e in data["edges"])  # can be stored in
    volume = client.get("/api/graph/EBSVolume").json()  # EBS volume is located in a Region, by a chain
    assert any(e["inferred"] and e["rule"] == "propertyChain" for e in volume["edges"])
    korean = client.get("/api/graph/EBSSnapshot", params={"lang": "ko"}).json()
    assert {"id": "EBSSnapshot", "label": "EBS 스냅샷"} in korean["nodes"]
    assert client.get("/api/graph/Service").status_code == 200  # a class expands too


def test_concept_page_content(client):
    page = client.get("/concept/EBSSnapshot").text
    assert "<h1>EBS snapshot</h1>" in page and "EBS 볼륨의 특정 시점 증분 백업" in page
    assert 'href="/category/cat-storage"' in page and 'href="/concept/S3"' in page
    assert "inferred: propertyChain" in client.get("/concept/EBSVolume").text  # inferred, marked with its rule
    assert 'href="https://docs.aws.amazon.com/ebs/latest/userguide/ebs-snapshots.html"' in page
    assert 'id="graph-data"' in page and 'href="/concept/EBSSnapshot?lang=ko"' in page  # the language switch
    korean = client.get("/concept/EBSSnapshot?lang=ko").text
    assert 'href="/concept/S3?lang=ko"' in korean and "<h1>EBS 스냅샷</h1>" in korean


def test_home_answers_without_script(client):
    page = client.get("/", params={"question": "what stores EBS backups"}).text
    answer = page.split('id="answer"')[1]
    assert "Amazon S3" in answer and "inferred: inverseOf" in answer and 'class="followups"' in answer
    korean = client.get("/", params={"question": "스냅샷은 어디에 저장돼?", "lang": "ko"}).text
    assert "Amazon S3" in korean.split('id="answer"')[1]
    bad = client.get("/", params={"question": "hello there"}).text
    assert 'class="error"' in bad.split('id="answer"')[1]


def test_indexes(client):
    az = client.get("/az?lang=ko").text
    assert ">ㅅ</h2>" in az and 'href="/concept/EBSSnapshot?lang=ko"' in az
    assert 'href="/category/cat-storage?lang=ko"' in az
    classes = client.get("/classes").text
    assert re.search(r'href="/concept/Service">[^<]+</a>.*<ul>.*href="/concept/StorageService"', classes, re.S)
    storage = client.get("/category/cat-storage").text
    assert 'href="/concept/S3"' in storage
    assert 'href="/concept/EBSVolume"' not in client.get("/category/cat-pricing").text


def test_root_path_prefixes_links(graph):
    app = FastAPI()
    add_web_routes(app, lambda: graph, WorkGate(2))
    page = TestClient(app, base_url="http://127.0.0.1", root_path="/kg").get("/concept/S3").text
    assert 'href="/kg/static/app.css"' in page and 'href="/kg/az"' in page and 'data-root="/kg"' in page


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_static_export_links_resolve(graph, tmp_path, lang):
    written = export_site(graph, tmp_path, lang)
    assert written == 3 + len(graph.knowledge.concepts) + len(graph.knowledge.categories)
    files = list(tmp_path.rglob("*.html"))
    assert len(files) == written
    assert (tmp_path / f"search-index.{lang}.js").is_file() and (tmp_path / "static" / "app.js").is_file()
    checked = 0
    for page in files:
        text = page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in text and 'id="ask-form"' not in text and "<script>alert" not in text
        parser = _Links()
        parser.feed(text)
        for link in parser.found:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") or link.startswith("#"):
                continue
            assert not parts.scheme and not link.startswith("/"), f"{page}: {link} does not open from disk"
            assert (page.parent / unquote(parts.path)).resolve().is_file(), f"{page}: {link} is missing"
            checked += 1
    assert checked > 1000


def test_static_export_refuses_unknown_language(graph, tmp_path):
    with pytest.raises(ValueError, match="'en' or 'ko'"):
        export_site(graph, tmp_path, "fr")


def test_cli_exports_the_static_site(tmp_path, capsys):
    from kg.faces.cli import main

    assert main(["export", "--format", "html", "-o", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "concept" / "S3.html").is_file()
    assert "wrote" in capsys.readouterr().err
    assert main(["export", "--format", "html"]) == 2
    assert main(["export", "--format", "html", str(tmp_path / "other")]) == 0
    assert (tmp_path / "other" / "index.html").is_file()

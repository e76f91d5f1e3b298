"""The web glossary end to end: a real `kg serve` on a free loopback port, driven in headless Chromium.

Chromium comes from Debian (`/usr/bin/chromium`, `make browser-deps`), Playwright from PyPI; no browser
is ever downloaded. Without them these tests are skipped with a loud reason (in CI they fail instead).
Screenshots go to artifacts/. Every request the pages make must go to the server under test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import ARGS, CHROMIUM, free_port, need_browser, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    need_browser()
    port = free_port()
    process = start_server(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, server):
    """A fresh page; after the test, every request it made must have gone to the server."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
    served = urlsplit(server).netloc
    elsewhere = [url for url in requests if urlsplit(url).netloc != served and not url.startswith("data:")]
    assert requests and elsewhere == [], f"requests outside the server: {elsewhere}"
    assert errors == [], f"script errors: {errors}"


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def _wait_until(check, seconds: float = 10) -> bool:
    """Poll ``check()`` (the pages' CSP forbids Playwright's eval-based waits)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_search_as_you_type_opens_a_concept(page, server):
    page.goto(server + "/")
    page.fill("#q", "snapshott")  # a typo: the search forgives it
    page.locator("#search-results a", has_text="EBS snapshot").first.click()
    page.wait_for_url("**/concept/EBSSnapshot")
    assert page.inner_text("h1") == "EBS snapshot"
    _shot(page, "search-to-concept.png")


def test_graph_node_expands_by_click_and_keyboard(page, server):
    page.goto(server + "/concept/EBSSnapshot")
    nodes = page.locator("#graph g.node")
    nodes.first.wait_for()
    before = nodes.count()
    page.locator('#graph g.node[data-id="S3"] circle').click()
    assert _wait_until(lambda: nodes.count() > before), "clicking Amazon S3 added no nodes"
    after_click = nodes.count()
    page.locator('#graph g.node[data-id="EBSVolume"]').focus()
    page.keyboard.press("Enter")
    assert _wait_until(lambda: page.locator('#graph g.node.expanded[data-id="EBSVolume"]').count() == 1)
    assert nodes.count() >= after_click
    assert "Open page: EBS volume" in page.inner_text("#graph-status")
    page.select_option("#graph-lang", "ko")
    assert page.locator('#graph g.node[data-id="EBSSnapshot"] text').text_content() == "EBS 스냅샷"
    page.select_option("#graph-lang", "en")
    page.locator('#graph g.node[data-id="EBSSnapshot"]').focus()
    _shot(page, "concept-page.png")
    print(f"graph nodes: {before} -> {after_click} -> {nodes.count()}")


def test_ask_in_english_and_korean(page, server):
    page.goto(server + "/#ask")
    page.fill("#question", "what stores EBS backups")
    page.press("#question", "Enter")
    page.locator("#answer .answer-text").wait_for()
    assert "Amazon S3" in page.inner_text("#answer .answer-text")
    assert page.locator("#answer .evidence .badge").count() >= 1 and page.locator("#answer .core code").count() == 1
    page.locator("#answer .followups button").first.click()
    assert _wait_until(lambda: page.input_value("#question").startswith("define"))
    _shot(page, "ask-en.png")
    page.goto(server + "/?lang=ko#ask")
    assert page.get_attribute("html", "lang") == "ko"
    page.fill("#question", "스냅샷은 어디에 저장돼?")
    page.click("#ask-form button")
    page.locator("#answer .answer-text").wait_for()
    assert page.inner_text("#answer .answer-text").strip() and page.locator("#answer .error").count() == 0
    _shot(page, "ask-ko.png")


def test_sparql_tab_shows_rows_and_errors(page, server):
    page.goto(server + "/#sparql")
    page.click("#sparql-form button")
    page.locator("#sparql-result table").wait_for()
    assert "EBS snapshot" in page.inner_text("#sparql-result table")
    page.fill("#sparql-query", "SELECT ?x WHERE { ?x ?y }")
    page.click("#sparql-form button")
    page.locator("#sparql-result .error").wait_for()
    assert "400" in page.inner_text("#sparql-result .error")


def test_phone_width_has_no_horizontal_scroll(page, server):
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/concept/EBSSnapshot?lang=ko", "/az", "/classes", "/category/cat-storage"):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide at 375 px"
    _shot(page, "phone-category.png")


def test_static_export_searches_from_disk(browser, tmp_path):
    from kg.faces.web.static_site import export_site
    from kg.graph import KnowledgeGraph

    export_site(KnowledgeGraph.load(), tmp_path, "ko")
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto((tmp_path / "index.html").as_uri())
    page.fill("#q", "스냅삿")  # a misspelling, ranked by the page's own index
    page.locator("#search-results a", has_text="EBS 스냅샷").first.click()
    page.wait_for_url("**/concept/EBSSnapshot.html")
    assert page.locator("#graph g.node").count() > 3 and page.locator("#ask-form").count() == 0
    context.close()
    assert all(url.startswith("file://") for url in requests), requests

"""Server-rendered HTML of the glossary pages; the same functions write the static export.

Everything that comes from data goes through :func:`e` (``html.escape``); graph data is embedded as
JSON with ``<`` escaped, so a label can never close a tag.

>>> from kg.graph import KnowledgeGraph
>>> from kg.faces.web.links import Links
>>> page = concept_page(KnowledgeGraph.load(), "S3", Links())
>>> "<h1>Amazon S3</h1>" in page and '<html lang="en">' in page
True
"""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape
from typing import TYPE_CHECKING, Any

from kg.faces.web.data import class_tree, initial, neighbourhood, relations
from kg.faces.web.links import Links

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["az_page", "category_page", "classes_page", "concept_page", "home_page", "not_found_page", "text"]

def _page_texts(lang: str) -> dict[str, str]:
    """The page texts in ``lang``, from the message catalogue's ``web_`` keys."""
    from kg.answers.messages import table

    return {key[4:]: value for key, value in table(lang).items() if key.startswith("web_")}


TEXT: dict[str, dict[str, str]] = {lang: _page_texts(lang) for lang in ("en", "ko")}


def text(lang: str) -> dict[str, str]:
    return TEXT.get(lang, TEXT["en"])


def e(value: Any) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes)."""
    return escape(str(value), quote=True)


def _json_script(element_id: str, data: Any) -> str:
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/json" id="{element_id}">{payload}</script>'


def shell(title: str, body: str, links: Links, switch: str | None = None, extra: str = "") -> str:
    """A whole page: head, nav bar, language switch and the page script."""
    t = text(links.lang)
    other = "ko" if links.lang == "en" else "en"
    switch_link = (f'<a class="lang" href="{e(switch)}" hreflang="{other}" lang="{other}">{e(t["other_lang"])}</a>'
                   if switch else "")
    tools = "" if links.static else (f'<li><a href="{e(links.home())}#ask">{e(t["ask"])}</a></li>'
                                     f'<li><a href="{e(links.home())}#sparql">{e(t["sparql"])}</a></li>')
    mode = "static" if links.static else "server"
    return f"""<!doctype html>
<html lang="{e(links.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title) + " · " if title != t["title"] else ""}{e(t["title"])}</title>
<link rel="icon" href="{e(links.asset("favicon.svg"))}" type="image/svg+xml">
<link rel="stylesheet" href="{e(links.asset("app.css"))}">
</head>
<body data-mode="{mode}" data-lang="{e(links.lang)}" data-root="{e(links.root())}">
<a class="skip" href="#main">{e(t["skip"])}</a>
<header class="top"><nav aria-label="{e(t["title"])}">
<a class="brand" href="{e(links.home())}">{e(t["title"])}</a>
<ul>
<li><a href="{e(links.home())}#search">{e(t["search"])}</a></li>
<li><a href="{e(links.az())}">{e(t["az"])}</a></li>
<li><a href="{e(links.az())}#categories">{e(t["categories"])}</a></li>
<li><a href="{e(links.classes())}">{e(t["classes"])}</a></li>
{tools}</ul>{switch_link}</nav></header>
<main id="main" tabindex="-1">
{body}
</main>
{extra}<script src="{e(links.asset("app.js"))}" defer></script>
</body>
</html>
"""


def _search_form(t: dict[str, str], links: Links, query: str, results: str) -> str:
    hidden = links.lang == "en" or links.static
    lang_field = "" if hidden else f'<input type="hidden" name="lang" value="{e(links.lang)}">'
    action = links.home() if links.static else links.home().split("?")[0]
    return (f'<section id="search" class="panel"><h2>{e(t["search"])}</h2>'
            f'<form class="row" role="search" action="{e(action)}" method="get" id="search-form">'
            f'<label for="q">{e(t["search_label"])}</label>{lang_field}'
            f'<input id="q" name="q" type="search" autocomplete="off" value="{e(query)}" '
            f'aria-controls="search-results">'
            f'<button type="submit">{e(t["search_button"])}</button></form>'
            f'<div id="search-results" aria-live="polite">{results}</div></section>')


def search_results_html(results: list[dict[str, Any]], links: Links, query: str) -> str:
    """The server-rendered list of search hits (empty when there is no query)."""
    if not query:
        return ""
    if not results:
        return f'<p>{e(text(links.lang)["no_results"])}</p>'
    items = "".join(f'<li><a href="{e(links.concept(r["id"]))}">{e(r["label"])}</a>'
                    f'<span class="def">{e(r["definition"])}</span></li>' for r in results)
    return f'<ul class="hits">{items}</ul>'


def _ask_form(t: dict[str, str], links: Links, question: str, answer_html: str) -> str:
    action = links.home().split("?")[0]
    lang_field = "" if links.lang == "en" else f'<input type="hidden" name="lang" value="{e(links.lang)}">'
    return (f'<section id="ask" class="panel tab" data-tab="ask"><h2>{e(t["ask"])}</h2>'
            f'<form class="row" action="{e(action)}#ask" method="get" id="ask-form">'
            f'<label for="question">{e(t["ask_label"])}</label>{lang_field}'
            f'<input id="question" name="question" type="text" autocomplete="off" maxlength="500" '
            f'placeholder="{e(t["ask_hint"])}" value="{e(question)}">'
            f'<button type="submit">{e(t["ask_button"])}</button></form>'
            f'<div id="answer" aria-live="polite">{answer_html}</div></section>')


def _sparql_form(t: dict[str, str], links: Links) -> str:
    example = ("SELECT ?x ?label WHERE {\n  ?x ckg:storedIn ck:S3 .\n  ?x skos:prefLabel ?label .\n"
               '  FILTER (lang(?label) = "en")\n} LIMIT 20')
    return (f'<section id="sparql" class="panel tab" data-tab="sparql"><h2>{e(t["sparql"])}</h2>'
            f'<form action="{e(links.root())}/sparql" method="get" id="sparql-form">'
            f'<label for="sparql-query">{e(t["sparql_label"])}</label>'
            f'<textarea id="sparql-query" name="query" rows="6" spellcheck="false">{e(example)}</textarea>'
            f'<button type="submit">{e(t["sparql_button"])}</button></form>'
            f'<div id="sparql-result" aria-live="polite"></div></section>')


def home_page(links: Links, query: str = "", results: list[dict[str, Any]] | None = None,
              question: str = "", answer: dict[str, Any] | None = None, switch: str | None = None) -> str:
    """The search page; on a server also the question box and the SPARQL tab."""
    t = text(links.lang)
    body = f"<h1>{e(t['title'])}</h1>" + _search_form(t, links, query,
                                                      search_results_html(results or [], links, query))
    extra = ""
    if links.static:
        body += f'<p class="note">{e(t["static_note"])}</p>'
        extra = f'<script src="search-index.{e(links.lang)}.js"></script>\n'
    else:
        body += _ask_form(t, links, question, answer_html(answer, links) if answer else "") + _sparql_form(t, links)
    return shell(t["title"], body, links, switch, extra)


def answer_html(answer: dict[str, Any], links: Links) -> str:
    """An /ask answer as HTML (the no-script path; the script builds the same from JSON)."""
    t = text(links.lang)
    if "error" in answer:
        message = answer["error"].get("message", "")
        hints = ", ".join(answer["error"].get("suggestions") or [])
        return f'<p class="error">{e(t["error"])}: {e(message)}{e(" — " + hints) if hints else ""}</p>'
    parts = [f'<p class="answer-text">{e(answer.get("text", ""))}</p>']
    for key in ("core", "interpretation"):
        if answer.get(key):
            parts.append(f'<p class="core"><span>{e(t[key])}:</span> <code>{e(answer[key])}</code></p>')
    items = []
    for item in answer.get("evidence", []):
        rule = f' <span class="badge">{e(t["inferred"])}: {e(item["rule"])}</span>' if item.get("inferred") else ""
        sources = [s for ground in item.get("from", []) for s in ground["sources"]] + list(item.get("sources", []))
        srcs = "".join(f"<li>{_source_link(s['id'], s['label'])}</li>" for s in {s["id"]: s for s in sources}.values())
        items.append(f"<li>{e(item['text'])}{rule}" + (f'<ul class="sources">{srcs}</ul>' if srcs else "") + "</li>")
    if items:
        parts.append(f'<h3>{e(t["evidence"])}</h3><ul class="evidence">{"".join(items)}</ul>')
    follow = "".join(f'<li><a href="{e(links.home("question=" + _quote(f)))}#ask">{e(f)}</a></li>'
                     for f in answer.get("followups", []))
    if follow:
        parts.append(f'<h3>{e(t["followups"])}</h3><ul class="followups">{follow}</ul>')
    return "".join(parts)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _source_link(source_id: str, label: str) -> str:
    if source_id.startswith(("https://", "http://")):
        return f'<a href="{e(source_id)}" rel="noopener noreferrer">{e(label)}</a>'
    return e(label)


def _relation_items(g: KnowledgeGraph, concept_id: str, links: Links, forward: bool) -> str:
    t = text(links.lang)
    rows = []
    for r in relations(g, concept_id, links.lang):
        if r.forward != forward:
            continue
        other = (f'<a href="{e(links.concept(r.other))}">{e(r.other_label)}</a>'
                 if r.other in g.knowledge.concepts else e(r.other_label))
        badge = (f' <span class="badge" title="{e(r.text)}">{e(t["inferred"])}: {e(r.rule)}</span>'
                 if r.rule else "")
        subject = e(g.label(concept_id, links.lang))
        rows.append(f"<li>{subject} <em>{e(r.label)}</em> {other}{badge}</li>" if forward
                    else f"<li>{other} <em>{e(r.label)}</em> {subject}{badge}</li>")
    return "".join(rows)


def _concept_facts(g: KnowledgeGraph, concept_id: str, links: Links) -> str:
    t, c = text(links.lang), g.knowledge.concepts[concept_id]
    rows = []
    for lang, name in (("en", t["english"]), ("ko", t["korean"])):
        if lang in c.definitions or lang in c.labels:
            rows.append(f'<dt>{e(name)}</dt><dd lang="{lang}"><strong>{e(c.labels.get(lang, ""))}</strong>'
                        f'<p>{e(c.definitions.get(lang, ""))}</p></dd>')
    aliases = [name for name, _ in c.aliases]
    if aliases:
        rows.append(f'<dt>{e(t["aliases"])}</dt><dd>{e(", ".join(aliases))}</dd>')
    if c.abbreviation:
        rows.append(f'<dt>{e(t["abbreviation"])}</dt><dd>{e(c.abbreviation)}'
                    f'{e(" — " + c.expansion) if c.expansion else ""}</dd>')
    if c.category:
        name = g.knowledge.categories.get(c.category, {}).get(links.lang) or c.category
        rows.append(f'<dt>{e(t["category"])}</dt><dd><a href="{e(links.category(c.category))}">{e(name)}</a></dd>')
    return f'<dl class="facts">{"".join(rows)}</dl>'


def concept_page(g: KnowledgeGraph, concept_id: str, links: Links, switch: str | None = None) -> str:
    """A concept's card: labels, definitions, relations both ways, sources and its graph."""
    t, c = text(links.lang), g.knowledge.concepts[concept_id]
    body = [f"<h1>{e(c.label(links.lang))}</h1>", _concept_facts(g, concept_id, links)]
    out, inn = _relation_items(g, concept_id, links, True), _relation_items(g, concept_id, links, False)
    if out:
        body.append(f'<h2>{e(t["relations"])}</h2><ul class="rels">{out}</ul>')
    if inn:
        body.append(f'<h2>{e(t["incoming"])}</h2><ul class="rels">{inn}</ul>')
    sources = "".join(f"<li>{_source_link(s, g.knowledge.sources.get(s, s))}</li>" for s in c.sources)
    if sources:
        body.append(f'<h2>{e(t["sources"])}</h2><ul class="sources">{sources}</ul>')
    body.append(_graph_section(t, links))
    data = {"en": neighbourhood(g, concept_id, "en"), "ko": neighbourhood(g, concept_id, "ko"), "focus": concept_id}
    return shell(c.label(links.lang), "\n".join(body), links, switch, _json_script("graph-data", data) + "\n")


def _graph_section(t: dict[str, str], links: Links) -> str:
    options = "".join(f'<option value="{code}"{" selected" if code == links.lang else ""}>{e(name)}</option>'
                      for code, name in (("en", t["english"]), ("ko", t["korean"])))
    return (f'<section class="graph-box" aria-labelledby="graph-title"><h2 id="graph-title">{e(t["graph"])}</h2>'
            f'<p class="hint">{e(t["graph_help"])}</p>'
            f'<label for="graph-lang">{e(t["graph_lang"])}</label> <select id="graph-lang">{options}</select>'
            f'<div id="graph" class="graph" data-open="{e(t["open"])}"></div>'
            f'<p id="graph-status" aria-live="polite"></p></section>')


def not_found_page(g: KnowledgeGraph, term: str, links: Links) -> str:
    """The 404 page: what was asked for and the nearest terms."""
    t = text(links.lang)
    hits = g.search(term[:200], 5) if term.strip() else []
    items = "".join(f'<li><a href="{e(links.concept(h.concept.id))}">{e(h.concept.label(links.lang))}</a></li>'
                    for h in hits)
    body = f"<h1>{e(t['not_found'])}: {e(term)}</h1>"
    if items:
        body += f'<p>{e(t["did_you_mean"])}</p><ul class="hits">{items}</ul>'
    return shell(t["not_found"], body, links)


def az_page(g: KnowledgeGraph, links: Links, switch: str | None = None) -> str:
    """Every concept by label, grouped by first letter (Korean: initial consonant), and the categories."""
    t = text(links.lang)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in g.knowledge.concepts.values():
        label = c.label(links.lang)
        groups[initial(label)].append((label, c.id))
    keys = sorted(groups)
    jump = "".join(f'<li><a href="#g-{i}">{e(k)}</a></li>' for i, k in enumerate(keys))
    sections = "".join(
        f'<section aria-labelledby="g-{i}"><h2 id="g-{i}">{e(k)}</h2><ul class="cols">'
        + "".join(f'<li><a href="{e(links.concept(cid))}">{e(label)}</a></li>'
                  for label, cid in sorted(groups[k], key=lambda p: p[0].lower()))
        + "</ul></section>" for i, k in enumerate(keys))
    cats = "".join(f'<li><a href="{e(links.category(cid))}">{e(names.get(links.lang) or cid)}</a></li>'
                   for cid, names in sorted(g.knowledge.categories.items(), key=lambda p: p[1].get(links.lang, p[0])))
    body = (f'<h1>{e(t["az"])}</h1><nav aria-label="{e(t["az"])}"><ul class="jump">{jump}</ul></nav>{sections}'
            f'<h2 id="categories">{e(t["categories"])}</h2><ul class="cols">{cats}</ul>')
    return shell(t["az"], body, links, switch)


def category_page(g: KnowledgeGraph, category_id: str, links: Links, switch: str | None = None) -> str:
    """The concepts of one category."""
    t = text(links.lang)
    name = g.knowledge.categories[category_id].get(links.lang) or category_id
    members = sorted((c for c in g.knowledge.concepts.values() if c.category == category_id),
                     key=lambda c: c.label(links.lang).lower())
    items = "".join(f'<li><a href="{e(links.concept(c.id))}">{e(c.label(links.lang))}</a>'
                    f'<span class="def">{e(c.definition(links.lang))}</span></li>' for c in members)
    body = f'<h1>{e(t["category"])}: {e(name)}</h1><h2>{e(t["concepts_in"])}</h2><ul class="hits">{items}</ul>'
    return shell(name, body, links, switch)


def classes_page(g: KnowledgeGraph, links: Links, switch: str | None = None) -> str:
    """The class hierarchy with each class's members."""
    t = text(links.lang)
    roots, children, members = class_tree(g)

    def node(cid: str, path: frozenset[str]) -> str:
        name = f'<a href="{e(links.concept(cid))}">{e(g.label(cid, links.lang))}</a>' \
            if cid in g.knowledge.concepts else e(g.label(cid, links.lang))
        mem = ", ".join(f'<a href="{e(links.concept(m))}">{e(g.label(m, links.lang))}</a>'
                        for m in members.get(cid, []) if m in g.knowledge.concepts)
        mem_html = f'<p class="members"><span>{e(t["members"])}:</span> {mem}</p>' if mem else ""
        subs = "".join(node(s, path | {s}) for s in children.get(cid, []) if s not in path and len(path) < 12)
        return f'<li>{name}{mem_html}' + (f"<ul>{subs}</ul>" if subs else "") + "</li>"

    tree = "".join(node(r, frozenset({r})) for r in roots)
    return shell(t["classes"], f'<h1>{e(t["class_tree"])}</h1><ul class="tree">{tree}</ul>', links, switch)

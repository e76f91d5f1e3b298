/* cloudkg glossary: search as you type, questions, SPARQL and the graph explorer.
   Data always goes into the page through textContent / attributes, never innerHTML. */
(function () {
  "use strict";
  var body = document.body;
  var LANG = body.getAttribute("data-lang") || "en";
  var STATIC = body.getAttribute("data-mode") === "static";
  var ROOT = body.getAttribute("data-root") || "";
  var SVG = "http://www.w3.org/2000/svg";
  var T = {
    en: {none: "No matching terms.", error: "Error", evidence: "Evidence", followups: "Follow-up questions",
         core: "Core form", interpretation: "Interpretation", inferred: "inferred", rows: "rows",
         wait: "Working…", nodes: "nodes", open: "Open page", failed: "Could not load"},
    ko: {none: "맞는 용어가 없습니다.", error: "오류", evidence: "근거", followups: "이어지는 질문",
         core: "핵심 형태", interpretation: "해석", inferred: "추론", rows: "행",
         wait: "처리 중…", nodes: "노드", open: "페이지 열기", failed: "불러오지 못함"}
  }[LANG];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function pageUrl(kind, id) {
    if (STATIC) return ROOT + kind + "/" + encodeURIComponent(id) + ".html";
    return ROOT + "/" + kind + "/" + encodeURIComponent(id) + (LANG === "ko" ? "?lang=ko" : "");
  }

  /* ---------------------------------------------------------------- search */
  function normal(s) { return s.toLowerCase().replace(/[\s\-_]+/g, ""); }
  function grams(s) { var g = {}; for (var i = 0; i < s.length - 1; i++) g[s.substr(i, 2)] = 1; return g; }
  function similarity(a, b) {
    var ga = grams(a), gb = grams(b), shared = 0, na = 0, nb = Object.keys(gb).length;
    Object.keys(ga).forEach(function (k) { na++; if (gb[k]) shared++; });
    return na + nb ? 2 * shared / (na + nb) : 0;
  }
  function localSearch(text) {  /* the static site: no server, so rank the bundled index here */
    var q = normal(text), hits = [];
    (window.KG_INDEX || []).forEach(function (entry) {
      var best = 0;
      entry.names.forEach(function (name) {
        var n = normal(name);
        var score = n === q ? 100 : n.indexOf(q) === 0 ? 90 : n.indexOf(q) >= 0 ? 75 : 70 * similarity(q, n);
        if (score > best) best = score;
      });
      if (best >= 35) hits.push({id: entry.id, label: entry.label, definition: entry.definition, score: best});
    });
    hits.sort(function (a, b) { return b.score - a.score || a.label.localeCompare(b.label); });
    return hits.slice(0, 10);
  }
  function showHits(box, hits) {
    clear(box);
    if (!hits.length) { box.appendChild(el("p", {}, [T.none])); return; }
    box.appendChild(el("ul", {"class": "hits"}, hits.map(function (h) {
      return el("li", {}, [el("a", {href: pageUrl("concept", h.id)}, [h.label]),
                           el("span", {"class": "def"}, [h.definition || ""])]);
    })));
  }
  function setupSearch() {
    var input = document.getElementById("q"), box = document.getElementById("search-results");
    if (!input || !box) return;
    var timer = null, serial = 0;
    function run() {
      var text = input.value.trim(), mine = ++serial;
      if (!text) { clear(box); return; }
      if (STATIC) { showHits(box, localSearch(text)); return; }
      var url = ROOT + "/search?q=" + encodeURIComponent(text) + "&limit=10&lang=" + LANG;
      fetch(url, {headers: {Accept: "application/json"}}).then(function (r) { return r.json(); })
        .then(function (data) { if (mine === serial) showHits(box, data.results || []); })
        .catch(function () { /* keep the last results */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    document.getElementById("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
    if (STATIC) {
      var start = new URLSearchParams(location.search).get("q");
      if (start) { input.value = start; run(); }
    }
  }

  /* ---------------------------------------------------------------- tabs */
  function setupTabs() {
    var panels = Array.prototype.slice.call(document.querySelectorAll(".panel"));
    if (panels.length < 2 || STATIC) return;
    var bar = el("div", {role: "tablist", "class": "tabs", "aria-label": "Tools"});
    function select(id, focus) {
      panels.forEach(function (p) {
        var on = p.id === id;
        p.hidden = !on;
        var tab = document.getElementById("tab-" + p.id);
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        if (on && focus) tab.focus();
      });
    }
    panels.forEach(function (p, i) {
      var title = p.querySelector("h2");
      var tab = el("button", {type: "button", role: "tab", id: "tab-" + p.id, "aria-controls": p.id},
                   [title.textContent]);
      p.setAttribute("role", "tabpanel");
      p.setAttribute("aria-labelledby", "tab-" + p.id);
      tab.addEventListener("click", function () { select(p.id, false); history.replaceState(null, "", "#" + p.id); });
      tab.addEventListener("keydown", function (ev) {
        var step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
        if (step) select(panels[(i + step + panels.length) % panels.length].id, true);
      });
      bar.appendChild(tab);
    });
    panels[0].parentNode.insertBefore(bar, panels[0]);
    function fromHash() {
      var id = location.hash.slice(1);
      select(panels.some(function (p) { return p.id === id; }) ? id : panels[0].id, false);
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  /* ---------------------------------------------------------------- ask */
  function sourceItem(s) {
    return el("li", {}, [/^https?:\/\//.test(s.id) ? el("a", {href: s.id, rel: "noopener noreferrer"}, [s.label])
                                                  : document.createTextNode(s.label)]);
  }
  function showAnswer(box, data, ask) {
    clear(box);
    if (data.error) {
      var hint = (data.error.suggestions || []).join(", ");
      box.appendChild(el("p", {"class": "error"}, [T.error + ": " + data.error.message + (hint ? " — " + hint : "")]));
      return;
    }
    box.appendChild(el("p", {"class": "answer-text"}, [data.text || ""]));
    ["core", "interpretation"].forEach(function (key) {
      if (data[key]) box.appendChild(el("p", {"class": "core"}, [el("span", {}, [T[key] + ": "]), el("code", {}, [data[key]])]));
    });
    var ev = data.evidence || [];
    if (ev.length) {
      box.appendChild(el("h3", {}, [T.evidence]));
      box.appendChild(el("ul", {"class": "evidence"}, ev.map(function (item) {
        var li = el("li", {}, [item.text]);
        if (item.inferred) li.appendChild(el("span", {"class": "badge"}, [T.inferred + ": " + item.rule]));
        var seen = {}, srcs = [];
        (item.from || []).forEach(function (g) { (g.sources || []).forEach(function (s) { srcs.push(s); }); });
        (item.sources || []).forEach(function (s) { srcs.push(s); });
        srcs = srcs.filter(function (s) { return seen[s.id] ? false : (seen[s.id] = true); });
        if (srcs.length) li.appendChild(el("ul", {"class": "sources"}, srcs.map(sourceItem)));
        return li;
      })));
    }
    var follow = data.followups || [];
    if (follow.length) {
      box.appendChild(el("h3", {}, [T.followups]));
      box.appendChild(el("ul", {"class": "followups"}, follow.map(function (f) {
        var b = el("button", {type: "button", "class": "link"}, [f]);
        b.addEventListener("click", function () { ask(f); });
        return el("li", {}, [b]);
      })));
    }
  }
  function setupAsk() {
    var form = document.getElementById("ask-form"), input = document.getElementById("question");
    var box = document.getElementById("answer");
    if (!form || STATIC) return;
    function ask(text) {
      input.value = text;
      box.setAttribute("aria-busy", "true");
      clear(box); box.appendChild(el("p", {}, [T.wait]));
      fetch(ROOT + "/ask", {method: "POST", headers: {"Content-Type": "application/json", Accept: "application/json"},
                            body: JSON.stringify({question: text, lang: LANG})})
        .then(function (r) { return r.json(); })
        .then(function (data) { showAnswer(box, data, ask); })
        .catch(function () { showAnswer(box, {error: {message: T.failed}}, ask); })
        .then(function () { box.removeAttribute("aria-busy"); });
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (input.value.trim()) ask(input.value.trim());
    });
  }

  /* ---------------------------------------------------------------- SPARQL */
  function cell(binding) {
    if (!binding) return "";
    return binding.value;
  }
  function setupSparql() {
    var form = document.getElementById("sparql-form"), box = document.getElementById("sparql-result");
    if (!form || STATIC) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var query = document.getElementById("sparql-query").value;
      clear(box); box.appendChild(el("p", {}, [T.wait]));
      fetch(ROOT + "/sparql?query=" + encodeURIComponent(query), {headers: {Accept: "application/sparql-results+json"}})
        .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, status: r.status, data: data}; }); })
        .then(function (res) {
          clear(box);
          if (!res.ok) {
            box.appendChild(el("p", {"class": "error", role: "alert"},
                               [T.error + " " + res.status + ": " + ((res.data.error || {}).message || "")]));
            return;
          }
          if (typeof res.data.boolean === "boolean") { box.appendChild(el("p", {}, [String(res.data.boolean)])); return; }
          var vars = res.data.head.vars || [], rows = res.data.results.bindings || [];
          var head = el("tr", {}, vars.map(function (v) { return el("th", {scope: "col"}, ["?" + v]); }));
          var table = el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows.map(function (row) {
            return el("tr", {}, vars.map(function (v) { return el("td", {}, [cell(row[v])]); }));
          }))]);
          box.appendChild(el("p", {}, [rows.length + " " + T.rows]));
          box.appendChild(el("div", {"class": "scroll", tabindex: "0"}, [table]));
        })
        .catch(function () { clear(box); box.appendChild(el("p", {"class": "error"}, [T.failed])); });
    });
  }

  /* ---------------------------------------------------------------- graph */
  function Graph(box, data) {
    this.box = box; this.nodes = {}; this.edges = {}; this.lang = LANG; this.focus = data.focus;
    this.merge(data.en, "en", null); this.merge(data.ko, "ko", null);
    this.nodes[data.focus].expanded = true;
    this.status = document.getElementById("graph-status");
  }
  Graph.prototype.merge = function (part, lang, parent) {
    var self = this, origin = parent ? this.nodes[parent] : {x: 0, y: 0}, added = 0;
    part.nodes.forEach(function (n, i) {
      var node = self.nodes[n.id];
      if (!node) {
        var angle = (i + 1) * 2.4;
        node = self.nodes[n.id] = {id: n.id, label: {}, x: origin.x + 60 * Math.cos(angle),
                                   y: origin.y + 60 * Math.sin(angle), vx: 0, vy: 0};
        added++;
      }
      node.label[lang] = n.label;
    });
    part.edges.forEach(function (e) {
      var key = e.source + "|" + e.relation + "|" + e.target;
      var edge = self.edges[key] || (self.edges[key] = {source: e.source, target: e.target, inferred: e.inferred,
                                                          rule: e.rule, label: {}});
      edge.label[lang] = e.label;
    });
    return added;
  };
  Graph.prototype.layout = function (steps) {
    var ids = Object.keys(this.nodes), nodes = this.nodes, edges = Object.values(this.edges);
    for (var s = 0; s < steps; s++) {
      var cool = 1 - s / steps;
      for (var i = 0; i < ids.length; i++) {
        var a = nodes[ids[i]];
        for (var j = i + 1; j < ids.length; j++) {
          var b = nodes[ids[j]], dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
          var f = 9000 / d2, d = Math.sqrt(d2);
          a.vx += f * dx / d; a.vy += f * dy / d; b.vx -= f * dx / d; b.vy -= f * dy / d;
        }
      }
      edges.forEach(function (e) {
        var a = nodes[e.source], b = nodes[e.target], dx = b.x - a.x, dy = b.y - a.y;
        var d = Math.sqrt(dx * dx + dy * dy) + 0.01, f = (d - 150) * 0.05;
        a.vx += f * dx / d; a.vy += f * dy / d; b.vx -= f * dx / d; b.vy -= f * dy / d;
      });
      ids.forEach(function (id) {
        var n = nodes[id];
        n.vx -= n.x * 0.01; n.vy -= n.y * 0.01;
        var v = Math.sqrt(n.vx * n.vx + n.vy * n.vy), cap = 40 * cool + 1;
        if (v > cap) { n.vx *= cap / v; n.vy *= cap / v; }
        n.x += n.vx; n.y += n.vy; n.vx *= 0.5; n.vy *= 0.5;
      });
    }
  };
  Graph.prototype.svg = function (tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  };
  Graph.prototype.label = function (obj) { return obj.label[this.lang] || obj.label.en || obj.label.ko || obj.id || ""; };
  Graph.prototype.draw = function () {
    var self = this, nodes = Object.values(this.nodes), minX = 1e9, minY = 1e9, maxX = -1e9, maxY = -1e9;
    nodes.forEach(function (n) { minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x); minY = Math.min(minY, n.y); maxY = Math.max(maxY, n.y); });
    var pad = 90, root = this.svg("svg", {viewBox: [minX - pad, minY - 40, maxX - minX + 2 * pad, maxY - minY + 80].join(" "),
                                          role: "group", "aria-label": this.box.getAttribute("aria-label") || "graph"});
    var defs = this.svg("defs", {}), marker = this.svg("marker", {id: "arrow", viewBox: "0 0 10 10", refX: "22", refY: "5",
                                                                 markerWidth: "7", markerHeight: "7", orient: "auto"});
    marker.appendChild(this.svg("path", {d: "M0,0 L10,5 L0,10 z", "class": "arrowhead"}));
    defs.appendChild(marker); root.appendChild(defs);
    Object.values(this.edges).forEach(function (e) {
      var a = self.nodes[e.source], b = self.nodes[e.target], text = self.label(e) + (e.inferred ? " (" + e.rule + ")" : "");
      var g = self.svg("g", {"class": "edge" + (e.inferred ? " inferred" : "")});
      g.appendChild(self.svg("line", {x1: a.x, y1: a.y, x2: b.x, y2: b.y, "marker-end": "url(#arrow)"}));
      g.appendChild(self.svg("text", {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, "text-anchor": "middle"}, text));
      g.appendChild(self.svg("title", {}, self.label(a) + " " + text + " " + self.label(b)));
      root.appendChild(g);
    });
    nodes.forEach(function (n) {
      var name = self.label(n);
      var g = self.svg("g", {"class": "node" + (n.expanded ? " expanded" : "") + (n.id === self.focus ? " focus" : ""),
                             tabindex: "0", role: "button", "data-id": n.id, "aria-label": name});
      g.appendChild(self.svg("circle", {cx: n.x, cy: n.y, r: n.id === self.focus ? 14 : 10}));
      g.appendChild(self.svg("text", {x: n.x, y: n.y + 28, "text-anchor": "middle"}, name));
      g.addEventListener("click", function () { self.select(n.id); });
      g.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); self.select(n.id); }
      });
      root.appendChild(g);
    });
    clear(this.box); this.box.appendChild(root);
  };
  Graph.prototype.say = function (id, note) {
    clear(this.status);
    this.status.appendChild(document.createTextNode(Object.keys(this.nodes).length + " " + T.nodes + (note || "") + " · "));
    this.status.appendChild(el("a", {href: pageUrl("concept", id)}, [T.open + ": " + this.label(this.nodes[id])]));
  };
  Graph.prototype.select = function (id) {
    var self = this, node = this.nodes[id];
    if (node.expanded || STATIC) { this.say(id); return; }
    var get = function (lang) {
      return fetch(ROOT + "/api/graph/" + encodeURIComponent(id) + "?lang=" + lang, {headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
    };
    Promise.all([get("en"), get("ko")]).then(function (parts) {
      node.expanded = true;
      self.merge(parts[0], "en", id); self.merge(parts[1], "ko", id);
      self.layout(150); self.draw(); self.say(id);
      var again = self.box.querySelector('g.node[data-id="' + CSS.escape(id) + '"]');
      if (again) again.focus();
    }).catch(function () { self.say(id, " · " + T.failed); });
  };
  function setupGraph() {
    var box = document.getElementById("graph"), script = document.getElementById("graph-data");
    if (!box || !script) return;
    var graph = new Graph(box, JSON.parse(script.textContent));
    graph.layout(250); graph.draw(); graph.say(graph.focus);
    var choose = document.getElementById("graph-lang");
    if (choose) choose.addEventListener("change", function () { graph.lang = choose.value; graph.draw(); });
  }

  setupTabs(); setupSearch(); setupAsk(); setupSparql(); setupGraph();
})();

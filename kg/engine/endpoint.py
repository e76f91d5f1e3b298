"""A small SPARQL 1.1 protocol client: queries, and pushes through the Graph Store HTTP Protocol.

Standard library only. Every call is bounded in time (``timeout`` for the whole call) and in
size (``max_bytes`` per response); redirects are followed only within the same scheme, host
and port; every failure is one :class:`EndpointError` naming the URL, the HTTP status and the
first lines the server sent. Credentials come only from the environment variables
``CLOUDKG_ENDPOINT_USER`` and ``CLOUDKG_ENDPOINT_PASSWORD`` and are sent only to the
endpoint's own scheme, host and port (basic or digest, as the server's challenge asks); they
are read when an :class:`Endpoint` is made. ``timeout`` bounds each connection step and the
reading of an answer (a digest exchange makes two requests).

Result values are :class:`Term` objects: plain ``str`` subclasses that also carry the kind
(``"uri"``, ``"literal"`` or ``"bnode"``), the language tag and the datatype.

>>> Endpoint("ftp://example.org/sparql")
Traceback (most recent call last):
...
kg.engine.endpoint.EndpointError: ftp://example.org/sparql: only http and https endpoints are supported
>>> Endpoint("http://127.0.0.1:8890/sparql").graph_store
'http://127.0.0.1:8890/sparql-graph-crud'
>>> Endpoint("http://127.0.0.1:8890/sparql", graph_store="http://dba:dba@127.0.0.1:8890/crud")
Traceback (most recent call last):
...
kg.engine.endpoint.EndpointError: http://***@127.0.0.1:8890/crud: credentials in the URL are refused; ...
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

__all__ = ["Endpoint", "EndpointError", "Term", "USER_VARIABLE", "PASSWORD_VARIABLE"]

USER_VARIABLE = "CLOUDKG_ENDPOINT_USER"
PASSWORD_VARIABLE = "CLOUDKG_ENDPOINT_PASSWORD"
_RESULTS_JSON = "application/sparql-results+json"
_READ_SIZE = 1 << 16
_HEAD = re.compile(r"<(head|script|style)\b.*?</\1>|<!DOCTYPE[^>]*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


class EndpointError(Exception):
    """A request to a SPARQL endpoint or graph store failed; the message says where and why."""


_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


class Term(str):
    """A result value: the plain string, plus ``kind`` ("uri", "literal", "bnode"), ``lang`` and ``datatype``.

    >>> t = Term("Amazon S3", "literal", lang="en")
    >>> t == "Amazon S3", t.kind, t.lang, t.is_iri
    (True, 'literal', 'en', False)
    """

    kind: str
    lang: str | None
    datatype: str | None

    def __new__(cls, value: str, kind: str = "literal", lang: str | None = None,
                datatype: str | None = None) -> Term:
        term = super().__new__(cls, value)
        term.kind, term.lang, term.datatype = kind, lang, datatype
        return term

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    def to_rdflib(self):
        """The rdflib term; a store's canonical decimal "4" is read as Turtle's "4.0", as answers show it.

        >>> Term("4", datatype="http://www.w3.org/2001/XMLSchema#decimal").to_rdflib()
        rdflib.term.Literal('4.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
        """
        from rdflib import BNode, Literal, URIRef

        if self.kind == "uri":
            return URIRef(str(self))
        if self.kind == "bnode":
            return BNode(str(self))
        text = str(self)
        if self.datatype == _DECIMAL and text.lstrip("+-").isdigit():
            text += ".0"  # XSD 1.0 canonical form, which Turtle's 4.0 keeps
        return Literal(text, lang=self.lang or None, datatype=None if self.lang else self.datatype)

    @classmethod
    def from_json(cls, binding: dict[str, Any]) -> Term:
        """A term from one SPARQL JSON results binding (``typed-literal`` is Virtuoso's older name)."""
        kind = binding.get("type", "literal")
        kind = "literal" if kind == "typed-literal" else kind
        return cls(str(binding.get("value", "")), kind, binding.get("xml:lang"), binding.get("datatype"))


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the same scheme, host and port; anything else is an error."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 (urllib's signature)
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if (old.scheme, old.netloc) != (new.scheme, new.netloc):
            raise EndpointError(f"{req.full_url}: HTTP {code} redirects to {newurl}, another host; "
                                "not followed (give the final URL instead)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _opener(url: str) -> urllib.request.OpenerDirector:
    """An opener with the environment's credentials for ``url``'s origin only, and no proxies."""
    handlers: list[Any] = [urllib.request.ProxyHandler({}), _SameOriginRedirects()]
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if user:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, _origin(url), user, password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)]
    return urllib.request.build_opener(*handlers)


def _default_graph_store(url: str) -> str:
    """Virtuoso's graph store beside its ``/sparql``; elsewhere the endpoint URL itself."""
    parts = urllib.parse.urlsplit(url)
    if parts.path.rstrip("/") == "/sparql":
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/sparql-graph-crud", "", ""))
    return url


def _check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise EndpointError(f"{url}: only http and https endpoints are supported")
    if not parts.hostname:
        raise EndpointError(f"{url}: no host in the URL (expected e.g. http://127.0.0.1:8890/sparql)")
    if "@" in parts.netloc:  # they would show in ps and shell history
        shown = urllib.parse.urlunsplit((parts.scheme, "***@" + parts.netloc.rsplit("@", 1)[1], parts.path, "", ""))
        raise EndpointError(f"{shown}: credentials in the URL are refused; set {USER_VARIABLE} and "
                            f"{PASSWORD_VARIABLE} instead")
    return url


def _first_lines(body: bytes, count: int = 5) -> str:
    """The server's first few non-empty lines, joined, with HTML tags and the head left out."""
    text = body[:4000].decode("utf-8", "replace")
    text = _TAG.sub("", _HEAD.sub("", text)).strip()
    return " | ".join(line.strip() for line in text.splitlines()[:count] if line.strip())


class Endpoint:
    """A SPARQL endpoint (and its graph store) at ``url``.

    ``graph`` names the default graph of queries (``default-graph-uri``) and of pushes; without
    it queries go to the store's default graph (in Virtuoso, the union of all graphs).
    ``graph_store`` is the Graph Store HTTP Protocol URL: by default ``/sparql-graph-crud`` for an
    endpoint at ``/sparql`` (Virtuoso's layout; use ``/sparql-graph-crud-auth`` with credentials),
    else the endpoint URL itself (give Fuseki's ``/DATASET/data``, for example). Virtuoso has no writable
    default graph: give pushes a graph IRI.
    """

    def __init__(self, url: str, graph: str | None = None, timeout: float = 30.0, max_bytes: int = 50_000_000,
                 graph_store: str | None = None) -> None:
        self.url = _check_url(url)
        self.graph = graph
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.graph_store = _check_url(graph_store or _default_graph_store(url))
        self._opener = _opener(self.url)

    def __repr__(self) -> str:
        return f"Endpoint({self.url!r}, graph={self.graph!r})"

    # ------------------------------------------------------------------ queries
    def select(self, query: str) -> list[dict[str, str]]:
        """The rows of a SELECT query; each value is a :class:`Term` (a str), unbound variables left out."""
        results = self._query(query)
        if "results" not in results:
            raise EndpointError(f"{self.url}: expected SELECT results, got {sorted(results)}")
        return [{name: Term.from_json(value) for name, value in row.items()}
                for row in results["results"].get("bindings", [])]

    def ask(self, query: str) -> bool:
        """The answer of an ASK query."""
        results = self._query(query)
        if not isinstance(results.get("boolean"), bool):
            raise EndpointError(f"{self.url}: expected an ASK answer (boolean), got {sorted(results)}")
        return results["boolean"]

    def results(self, query: str) -> dict[str, Any]:
        """The SPARQL JSON results of a SELECT or ASK query, as the store sent them (a dict)."""
        return self._query(query)

    def _query(self, query: str) -> dict[str, Any]:
        fields = [("query", query)] + ([("default-graph-uri", self.graph)] if self.graph else [])
        body = urllib.parse.urlencode(fields).encode("utf-8")
        headers = {"Accept": _RESULTS_JSON, "Content-Type": "application/x-www-form-urlencoded"}
        data = self._request("POST", self.url, body, headers)
        try:
            results = json.loads(data)
        except ValueError:
            raise EndpointError(f"{self.url}: the answer is not SPARQL JSON results: {_first_lines(data)}") from None
        if not isinstance(results, dict):
            raise EndpointError(f"{self.url}: the answer is not SPARQL JSON results: {_first_lines(data)}")
        return results

    # ------------------------------------------------------------------ graph store
    def push_ntriples(self, lines: Iterable[str], graph: str | None = None, chunk: int = 50_000,
                      progress: Callable[[int], None] | None = None) -> int:
        """POST N-Triples lines to the graph store in chunks of ``chunk`` lines; the number of lines sent.

        ``graph`` defaults to this endpoint's graph, then to the store's default graph.
        ``progress`` is called with the running total after each chunk.
        """
        target = self._graph_url(graph if graph is not None else self.graph)
        sent = 0
        for block in _chunks(lines, max(1, chunk)):
            body = "".join(line if line.endswith("\n") else line + "\n" for line in block).encode("utf-8")
            self._request("POST", target, body, {"Content-Type": "application/n-triples"})
            sent += len(block)
            if progress is not None:
                progress(sent)
        return sent

    def clear(self, graph: str | None = None) -> None:
        """Delete every triple of ``graph`` (default: this endpoint's graph); a missing graph is fine."""
        target = self._graph_url(graph if graph is not None else self.graph)
        try:
            self._request("DELETE", target, None, {})
        except EndpointError as error:
            if " HTTP 404" not in str(error):
                raise

    def _graph_url(self, graph: str | None) -> str:
        query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
        return f"{self.graph_store}?{query}"

    # ------------------------------------------------------------------ transport
    def _request(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        """The response body of one request, or EndpointError; at most ``timeout`` s and ``max_bytes``."""
        deadline = time.monotonic() + self.timeout
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return self._read(response, url, deadline)
        except urllib.error.HTTPError as error:
            detail = _first_lines(error.read(4000) if error.fp else b"")
            raise EndpointError(f"{method} {_short(url)}: HTTP {error.code} {error.reason}"
                                + (f": {detail}" if detail else "")) from None
        except urllib.error.URLError as error:
            raise EndpointError(f"{method} {_short(url)}: cannot connect: {error.reason} "
                                "(is the store running, and is the URL right?)") from None
        except TimeoutError:
            raise EndpointError(f"{method} {_short(url)}: no answer within {self.timeout:g} s") from None
        except OSError as error:
            raise EndpointError(f"{method} {_short(url)}: {error}") from None
        except ValueError as error:  # urllib's digest handler on an unknown scheme, bad header values
            raise EndpointError(f"{method} {_short(url)}: {error}") from None

    def _read(self, response: Any, url: str, deadline: float) -> bytes:
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise EndpointError(f"{_short(url)}: the answer took longer than {self.timeout:g} s")
            chunk = response.read(_READ_SIZE)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise EndpointError(f"{_short(url)}: the answer is larger than {self.max_bytes} bytes; "
                                    "narrow the query or raise max_bytes")
            chunks.append(chunk)


def _short(url: str) -> str:
    """The URL without its (possibly long, query-carrying) query string."""
    return url if len(url) <= 200 else url[:200] + "…"


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(lines)
    while block := list(islice(iterator, size)):
        yield block

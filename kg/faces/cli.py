"""The ``kg`` command. Imports are lazy so that the command starts fast.

Exit codes: 0 answered; 1 not found (an unknown term); 2 bad input (question, file or usage).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]

EXIT_OK, EXIT_NOT_FOUND, EXIT_BAD_INPUT = 0, 1, 2


def _load(args: argparse.Namespace):
    from kg.engine.limits import FILE_BYTES_ENV, INFERRED_ENV
    from kg.graph import KnowledgeGraph

    if getattr(args, "endpoint", None):
        return _connect(args)
    # The engine reads its data limits from the environment; the flags win over it.
    for value, name in ((args.max_file_size, FILE_BYTES_ENV), (args.max_inferred, INFERRED_ENV)):
        if value is not None:
            os.environ[name] = str(value)
    extra = list(args.data or [])
    env = os.environ.get("CLOUDKG_DATA")
    if env:
        extra = [p for p in env.split(os.pathsep) if p] + extra
    allow = args.allow_override or os.environ.get("CLOUDKG_ALLOW_OVERRIDE", "").strip() not in ("", "0")
    g = KnowledgeGraph.load(extra, cache=not args.no_cache, allow_override=allow, kb=_kb_files(args))
    for warning in g.warnings:
        print(f"kg: warning: {warning}", file=sys.stderr)
    return g


def _connect(args: argparse.Namespace):
    """``--endpoint URL [--graph IRI]``: the knowledge in a SPARQL store (see :mod:`kg.engine.remote`)."""
    from kg.engine.remote import RemoteError
    from kg.graph import KnowledgeGraph

    if args.data or getattr(args, "kb", None):
        raise RemoteError("--endpoint answers from the store: push your files to it first "
                          "(kg push --data FILE --endpoint URL --graph IRI) instead of giving --data or --kb")
    return KnowledgeGraph.connect(args.endpoint, graph=args.graph)


def cmd_push(args: argparse.Namespace) -> int:
    """``kg push``: the knowledge (``kg export --format nt``, with --inferred the inferred triples too) into a store."""
    from kg.engine.endpoint import Endpoint, EndpointError
    from kg.engine.remote import RemoteError, check_endpoint_url, push_lines

    try:
        endpoint = Endpoint(check_endpoint_url(args.endpoint), graph_store=args.graph_store, timeout=args.timeout)
    except EndpointError as error:
        raise RemoteError(str(error)) from None
    lines = _load(argparse.Namespace(**{**vars(args), "endpoint": None})).export("nt", inferred=args.inferred)
    sent = push_lines(endpoint, lines.splitlines(), args.graph, replace=args.replace)
    where = f"graph {args.graph}" if args.graph else "the default graph"
    print(f"pushed {sent:,} triples to {args.endpoint} ({where})")
    return EXIT_OK


def _add_endpoint_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--endpoint", metavar="URL",
                        help=f"{what} a SPARQL 1.1 store (e.g. http://127.0.0.1:8890/sparql) instead of the local "
                             "knowledge; credentials only from $CLOUDKG_ENDPOINT_USER and $CLOUDKG_ENDPOINT_PASSWORD")
    parser.add_argument("--graph", metavar="IRI",
                        help="the named graph in the store (default: the store's default graph; in Virtuoso the "
                             "union of all graphs)")


def _kb_files(args: argparse.Namespace) -> list[str]:
    """The --kb files ($CLOUDKG_KB first): when any, they replace the bundled knowledge."""
    env = os.environ.get("CLOUDKG_KB", "")
    return [p for p in env.split(os.pathsep) if p] + list(getattr(args, "kb", None) or [])


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=None if isinstance(data, dict) else 2))


def _explain_lines(answer) -> list[str]:
    from kg.answers.answer import evidence_outline

    lines = [f"core: {answer.core}"] if answer.core else []
    if answer.evidence:
        lines.append("evidence:")
    rules = {e.text: e.rule for e in answer.evidence if e.inferred}
    for depth, kind, text in evidence_outline(answer):
        if depth == 0:
            lines.append(f"  - {text}" + (f" [inferred: {rules[text]}]" if kind == "inferred" else ""))
        elif kind == "ground":
            lines.append(f"      from: {text}")
        else:
            lines.append(" " * (4 + 2 * depth) + f"source: {text}")
    return lines


def _answer_text(answer, explain: bool) -> str:
    lines = [answer.text]
    if explain and answer.ok:
        lines += _explain_lines(answer)
    if answer.followups and explain:
        lines.append("try next: " + " | ".join(answer.followups))
    return "\n".join(lines)


# ---------------------------------------------------------------------- commands
def cmd_ask(args: argparse.Namespace) -> int:
    from kg.answers.render import EVIDENCE_LIMIT

    g = _load(args)
    questions = [" ".join(args.question)]
    if questions == ["-"]:
        questions = [line.strip() for line in sys.stdin if line.strip()]
    status = EXIT_OK
    for question in questions:
        answer = g.ask(question, lang=args.lang, evidence=None if args.evidence == "all" else EVIDENCE_LIMIT)
        if not answer.ok:
            status = EXIT_BAD_INPUT
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        elif answer.ok:
            print(_answer_text(answer, args.explain))
            if args.explain and answer.sparql:
                print("sparql:\n" + answer.sparql.rstrip())
        else:
            print(answer.text, file=sys.stderr)
    return status


def cmd_define(args: argparse.Namespace) -> int:
    g = _load(args)
    answer = g.define(" ".join(args.term), lang=args.lang)
    if args.json:
        _print_json(answer.to_dict())
    elif answer.kind == "definition":
        print(_card_text(answer.details, answer.lang))
    elif answer.kind == "clarify":
        print(answer.text)
        for choice in answer.answers:
            print(f"  - {choice.label} ({choice.id})")
    else:
        print(answer.text, file=sys.stderr)
    return {"definition": EXIT_OK, "clarify": EXIT_NOT_FOUND}.get(answer.kind, EXIT_NOT_FOUND)


def _card_text(card: dict[str, Any], lang: str) -> str:
    labels = card["labels"]
    head = labels.get(lang) or labels.get("en")
    other = labels.get("ko" if lang != "ko" else "en")
    lines = [head + (f"  ({other})" if other and other != head else "")]
    if card["abbreviation"]:
        lines.append(f"  abbreviation: {card['abbreviation']} — {card['expansion'] or ''}".rstrip(" —"))
    if card["aliases"]:
        lines.append("  also: " + ", ".join(card["aliases"]))
    if card["category"]:
        lines.append(f"  category: {card['category']}")
    for code in ("en", "ko"):
        if code in card["definitions"]:
            lines.append(f"  [{code}] {card['definitions'][code]}")
    for key, value in card["values"].items():
        lines.append(f"  {key}: {value}")
    if card["outgoing"] or card["incoming"]:
        lines.append("  relations:")
        lines += [f"    → {r['text']}" for r in card["outgoing"]]
        lines += [f"    ← {r['text']}" for r in card["incoming"]]
    lines.append("  sources:")
    lines += [f"    - {s['label']} <{s['id']}>" for s in card["sources"]]
    return "\n".join(lines)


def cmd_search(args: argparse.Namespace) -> int:
    g = _load(args)
    try:
        hits = g.search(" ".join(args.text), limit=args.limit)
    except ValueError as error:
        print(f"kg: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        _print_json([{"id": h.concept.id, "label": h.concept.label(args.lang), "score": h.score,
                      "matched": h.matched} for h in hits])
    else:
        for hit in hits:
            print(f"{hit.score:5.1f}  {hit.concept.label(args.lang)}  ({hit.concept.id}; matched {hit.matched!r})")
    return EXIT_OK if hits else EXIT_NOT_FOUND


def cmd_glossary(args: argparse.Namespace) -> int:
    from kg.faces.glossary_export import glossary_rows, render_glossary

    g = _load(args)
    print(render_glossary(glossary_rows(g, args.lang), args.format), end="")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _load(args).stats()
    if args.json:
        _print_json(stats)
        return EXIT_OK
    for key, value in stats.items():
        if key == "gaps":
            for gap, ids in value.items():
                shown = ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "")
                print(f"gap {gap}: {len(ids)}" + (f" ({shown})" if ids else ""))
        else:
            print(f"{key}: {value}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """The answer contract (:mod:`kg.answers.contract`); needs no knowledge loaded."""
    from kg.answers.contract import schema_text

    print(schema_text(), end="" if schema_text().endswith("\n") else "\n")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """The strict profile for the bundled data and files written to it; the SKOS checks for other vocabularies."""
    from kg.engine.validate import validate_files
    from ontology import data_files

    kb = _kb_files(args)
    files = [*kb, *args.files] if kb else [*data_files(), *args.files]
    report = validate_files(files, profile=args.profile, kb=bool(kb))
    if args.json:
        _print_json({"conforms": report.conforms, "messages": report.messages, "warnings": report.warnings})
        return EXIT_OK if report.conforms else EXIT_BAD_INPUT
    errors = [m for m in report.messages if not m.startswith("warning: ")]
    for warning in report.warnings:
        print(f"  warning: {warning}")
    if report.conforms:
        what = "pass their checks" if kb or args.files else "conform to the shapes"
        print(f"OK: {len(files)} files {what}" + (f", with {len(report.warnings)} warning(s)" if report.warnings
                                                  else ""))
    else:
        print(f"{len(errors)} violations:")
        for message in errors:
            print(f"  - {message}")
    return EXIT_OK if report.conforms else EXIT_BAD_INPUT


def cmd_sparql(args: argparse.Namespace) -> int:
    g = _load(args)
    text = " ".join(args.query)
    if not args.run:
        from queries.errors import QueryError

        try:
            print(g.sparql(text), end="")
        except QueryError as error:
            print(error.render(text), file=sys.stderr)
            return EXIT_BAD_INPUT
        return EXIT_OK
    from kg.engine.sparql_run import QueryBudget, SparqlError, run_sparql

    try:
        print(run_sparql(g.rdf(), text, args.format, QueryBudget(seconds=args.timeout, rows=args.max_rows)), end="")
    except SparqlError as error:
        print(f"SPARQL error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    args.output = args.output or args.target
    if args.format == "html":
        return _export_site(args)
    text = _load(args).export(args.format, inferred=args.inferred, lang=args.lang)
    if not args.output:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        print(f"kg: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _export_site(args: argparse.Namespace) -> int:
    """``kg export --format html -o DIR``: the web glossary as static pages."""
    from pathlib import Path

    from kg.faces.web.static_site import export_site

    if not args.output:
        print("kg export --format html: give a folder with -o DIR", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        count = export_site(_load(args), Path(args.output), args.lang)
    except OSError as error:
        print(f"kg: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {count} pages to {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_repl(args: argparse.Namespace) -> int:
    from kg.faces.repl.app import run_repl

    return run_repl(lambda: _load(args), json_lines=args.json, lang=args.lang)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from kg.faces.http_run import ServeError, serve_options
        from kg.faces.server import serve
    except ImportError:
        print("kg serve needs the server extra: pip install 'cloudkg[server]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        options = serve_options(args.host, api_key_file=args.api_key_file, public=args.public,
                                access_log=args.access_log, ssl_certfile=args.ssl_certfile,
                                ssl_keyfile=args.ssl_keyfile, root_path=args.root_path, reload=lambda: _load(args))
    except ServeError as error:
        print(f"kg serve: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    hosts = [*args.allow_host, *filter(None, os.environ.get("CLOUDKG_ALLOWED_HOSTS", "").split(","))]
    return serve(_load(args), host=args.host, port=args.port, allowed_hosts=hosts, options=options)


def cmd_mcp(args: argparse.Namespace) -> int:
    try:
        import mcp  # noqa: F401
    except ImportError:
        print("kg mcp needs the mcp extra: pip install 'cloudkg[mcp]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    from kg.faces.mcp_server import run_mcp

    return run_mcp(_load(args))


# ---------------------------------------------------------------------- parser
def _count_in(low: int, high: int):
    """An argparse type: a whole number from ``low`` to ``high``, else a usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    return parse


def _limit(parser_name: str):
    """An argparse type from a :mod:`kg.engine.limits` parser (sizes such as 500MB, counts such as 2_000_000)."""

    def parse(text: str) -> int:
        import kg.engine.limits

        try:
            return getattr(kg.engine.limits, parser_name)(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _seconds(text: str) -> float:
    """An argparse type: seconds, more than 0 and at most an hour."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 3600 seconds")
    return value


def _common_options(lang: str | None = "en") -> argparse.ArgumentParser:
    """The options every command shares: data, limits, language (default ``lang``; None: the question's), JSON."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", action="append", metavar="FILE.ttl",
                        help="your own Turtle on top of the bundled knowledge (repeatable; also $CLOUDKG_DATA)")
    common.add_argument("--kb", action="append", metavar="FILE",
                        help="use only these RDF files (SKOS, RDFS, OWL; any syntax) instead of the bundled "
                             "knowledge (repeatable; also $CLOUDKG_KB)")
    common.add_argument("--allow-override", action="store_true",
                        help="accept --data that changes the bundled knowledge (also $CLOUDKG_ALLOW_OVERRIDE=1)")
    common.add_argument("--no-cache", action="store_true", help="rebuild the graph instead of using the cache")
    common.add_argument("--max-file-size", type=_limit("parse_size"), metavar="SIZE",
                        help="refuse data files larger than this (default 1GiB; also $CLOUDKG_MAX_FILE_BYTES)")
    common.add_argument("--max-inferred", type=_limit("parse_count"), metavar="N",
                        help="stop inference past N inferred facts (default: 1,000,000 or 10 per asserted "
                             "fact, whichever is more; also $CLOUDKG_MAX_INFERRED)")
    common.add_argument("--lang", choices=["en", "ko"], default=lang,
                        help="language of answers (default: " + ("en)" if lang else "the question's own)"))
    common.add_argument("--json", action="store_true", help="print JSON")
    return common


def _add_question_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    asking = _common_options(lang=None)  # its own actions: a default set on one parser is shared by its children
    ask = sub.add_parser("ask", parents=[asking], help="answer a question")
    ask.add_argument("question", nargs="+", help="the question, or - to read one per line from stdin")
    ask.add_argument("--explain", action="store_true", help="show the core form, evidence and SPARQL")
    ask.add_argument("--evidence", choices=("some", "all"), default="some",
                     help="explain the first few facts (default; the JSON's evidence_total counts all) or all")
    ask.set_defaults(func=cmd_ask)
    _add_endpoint_options(ask, "answer from")

    define = sub.add_parser("define", parents=[asking], help="a term's glossary entry")
    define.add_argument("term", nargs="+")
    define.set_defaults(func=cmd_define)

    search = sub.add_parser("search", parents=[common], help="ranked matches for a text")
    search.add_argument("text", nargs="+")
    search.add_argument("--limit", type=_count_in(1, 1000), default=10, help="how many matches (1–1000)")
    search.set_defaults(func=cmd_search)


def _add_data_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    glossary = sub.add_parser("glossary", parents=[common], help="the whole glossary")
    glossary.add_argument("--format", choices=["text", "md", "csv", "json"], default="text")
    glossary.set_defaults(func=cmd_glossary)

    stats = sub.add_parser("stats", parents=[common], help="figures and gaps of the knowledge")
    stats.set_defaults(func=cmd_stats)

    schema = sub.add_parser("schema", help="the JSON Schema of the answers (kg ask --json, POST /ask)")
    schema.set_defaults(func=cmd_schema)

    validate = sub.add_parser("validate", parents=[common], help="SHACL report for the data (and FILEs)")
    validate.add_argument("files", nargs="*")
    validate.add_argument("--profile", choices=["auto", "cloudkg", "skos"], default="auto",
                          help="cloudkg: the strict authoring shapes; skos: the SKOS checks; auto (default): "
                               "cloudkg for files written to the project's profile, skos for other vocabularies")
    validate.set_defaults(func=cmd_validate)

    sparql = sub.add_parser("sparql", parents=[common], help="a question as SPARQL, or --run raw SPARQL")
    sparql.add_argument("query", nargs="+")
    sparql.add_argument("--run", action="store_true", help="run the text as a SPARQL query (read-only)")
    sparql.add_argument("--format", choices=["table", "json", "csv", "xml"], default="table")
    sparql.add_argument("--timeout", type=_seconds, default=5.0, metavar="SECONDS",
                        help="stop a --run query after this long (default 5; at most 3600)")
    sparql.add_argument("--max-rows", type=_count_in(1, 1_000_000), default=1000, metavar="N",
                        help="print at most N rows of a --run query (default 1000)")
    sparql.set_defaults(func=cmd_sparql)

    export = sub.add_parser("export", parents=[common],
                            help="the knowledge as RDF, a graph file (dot, graphml) or a static web glossary (html)")
    export.add_argument("--format", choices=["ttl", "nt", "jsonld", "xml", "dot", "graphml", "html"], default="ttl",
                        help="ttl/nt/jsonld/xml for triple stores; dot/graphml for graph tools; html: a folder")
    export.add_argument("--inferred", action="store_true", help="include inferred facts")
    export.add_argument("-o", "--output", metavar="FILE", help="write here (a folder for html) instead of stdout")
    export.add_argument("target", nargs="?", metavar="DIR", help="the same as -o (kg export --format html DIR)")
    export.set_defaults(func=cmd_export)


def _add_face_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    repl = sub.add_parser("repl", parents=[_common_options(lang=None)],
                          help="interactive questions (plain `kg` on a terminal)")
    repl.set_defaults(func=cmd_repl)

    _add_serve_command(sub, common)

    mcp = sub.add_parser("mcp", parents=[common], help="MCP tool server on stdio")
    mcp.set_defaults(func=cmd_mcp)


class _RefusedApiKey(argparse.Action):
    """``--api-key``: refused, without echoing the value (it would sit in ps output and shell history)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        parser.error("--api-key is not accepted: a key on the command line shows in ps and shell history; "
                     "set $CLOUDKG_API_KEY or use --api-key-file FILE")


def _add_serve_command(sub: Any, common: argparse.ArgumentParser) -> None:
    data = argparse.ArgumentParser(add_help=False)  # the data options only: no --json/--lang for a server
    for action in common._actions:
        if action.dest not in ("json", "lang"):
            data._add_action(action)
    serve = sub.add_parser("serve", parents=[data], help="HTTP JSON API, web pages, SPARQL and MCP endpoints",
                           description="Serve the knowledge over HTTP until SIGTERM or Ctrl-C; SIGHUP reloads "
                                       "the data. A bind address other than loopback needs an API key "
                                       "($CLOUDKG_API_KEY or --api-key-file) or --public.")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback)")
    serve.add_argument("--port", type=_count_in(0, 65535), default=8000,
                       help="port to listen on (default 8000; 0 picks a free one, shown in the start-up line)")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="also serve requests whose Host header is NAME (repeatable; also "
                            "$CLOUDKG_ALLOWED_HOSTS, comma-separated; '*' for any); loopback names and "
                            "the bound address are always served")
    serve.add_argument("--access-log", action="store_true",
                       help="print one line per request on stderr: client, method, path, status, milliseconds")
    serve.add_argument("--api-key-file", metavar="FILE",
                       help="require the key in FILE on every request but /healthz and /readyz, as "
                            "'Authorization: Bearer KEY' or 'X-API-Key: KEY' (default: $CLOUDKG_API_KEY)")
    serve.add_argument("--api-key", nargs="?", action=_RefusedApiKey, help=argparse.SUPPRESS)
    serve.add_argument("--public", action="store_true",
                       help="allow a non-loopback --host without an API key (when a proxy or firewall in "
                            "front controls access)")
    serve.add_argument("--ssl-certfile", metavar="FILE", help="serve HTTPS with this PEM certificate (chain)")
    serve.add_argument("--ssl-keyfile", metavar="FILE",
                       help="the PEM private key for --ssl-certfile (if not in the certificate file)")
    serve.add_argument("--root-path", default="", metavar="PATH",
                       help="the path prefix a reverse proxy serves this under, e.g. /cloudkg (links and "
                            "the OpenAPI document use it)")
    serve.set_defaults(func=cmd_serve)
    _add_endpoint_options(serve, "serve the knowledge in")


# Here, not in kg.engine.remote: building the parser must not import the engine (start-up time).
BULK_LOADER_HELP = """\
For data too large to send over HTTP, load the file with Virtuoso's bulk loader instead:
  kg export --format nt -o /srv/rdf/cloudkg.nt        (add --inferred for inferred triples too)
  isql-vt 1111 dba                                     (asks for the password; 1111: the SQL port)
  SQL> ld_dir('/srv/rdf', 'cloudkg.nt', 'https://w3id.org/cloudkg/graph/main');
  SQL> rdf_loader_run();
  SQL> checkpoint;
The folder must be listed in DirsAllowed of virtuoso.ini. Then: kg ask --endpoint URL --graph IRI."""


def _add_push_command(sub: Any, common: argparse.ArgumentParser) -> None:
    push = sub.add_parser("push", parents=[common], help="load the knowledge into a SPARQL store (for --endpoint)",
                          formatter_class=argparse.RawDescriptionHelpFormatter, epilog=BULK_LOADER_HELP,
                          description="Send `kg export --format nt` (the asserted facts, the schema and the "
                                      "sources; --data files included) to a store through the SPARQL 1.1 Graph "
                                      "Store HTTP Protocol, in chunks, with progress on a terminal. That is all "
                                      "`kg ask --endpoint` needs: the generated SPARQL carries the schema's logic.")
    push.add_argument("--endpoint", metavar="URL", required=True,
                      help="the store's SPARQL endpoint (credentials only from $CLOUDKG_ENDPOINT_USER and "
                           "$CLOUDKG_ENDPOINT_PASSWORD)")
    push.add_argument("--graph", metavar="IRI", help="the named graph to add to (Virtuoso needs one)")
    push.add_argument("--graph-store", metavar="URL",
                      help="the Graph Store HTTP Protocol URL (default: /sparql-graph-crud beside a /sparql "
                           "endpoint, as Virtuoso has it; with credentials Virtuoso wants /sparql-graph-crud-auth)")
    push.add_argument("--inferred", action="store_true", help="also push the inferred triples")
    push.add_argument("--replace", action="store_true", help="clear the graph first")
    push.add_argument("--timeout", type=_seconds, default=120.0, metavar="SECONDS",
                      help="give up on one chunk after this long (default 120)")
    push.set_defaults(func=cmd_push)


_QUESTION_COMMANDS = frozenset({"ask", "define", "search"})


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``kg`` parser; when ``argv`` names a question command, only those commands are built.

    Building every command's options costs milliseconds at each start; `kg ask` needs only its own
    (its help and its errors are the same either way).
    """
    common = _common_options()
    parser = argparse.ArgumentParser(prog="kg", description="Ask cloudkg's knowledge graph of cloud concepts.")
    from kg import __version__

    parser.add_argument("--version", action="version", version=f"cloudkg {__version__}")
    sub = parser.add_subparsers(dest="command")

    _add_question_commands(sub, common)
    if not (argv and argv[0] in _QUESTION_COMMANDS):
        _add_data_commands(sub, common)
        _add_face_commands(sub, common)
        _add_push_command(sub, common)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings (an unusable cache, shared names) as one plain line on stderr."""
    print(f"kg: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.command is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            parser.print_help()
            return EXIT_BAD_INPUT
        args = parser.parse_args(["repl"])
    from kg.engine.errors import KnowledgeError

    warnings.showwarning = _show_warning
    for stream in (sys.stdout, sys.stderr):  # undecodable argv bytes print escaped, never crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if hasattr(sys.stdin, "reconfigure"):  # a question piped in bad UTF-8 reads with U+FFFD, never crashes
        sys.stdin.reconfigure(errors="replace")
    try:
        return args.func(args)
    except KnowledgeError as error:
        print(f"kg: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

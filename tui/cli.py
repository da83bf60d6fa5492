"""The `margin` command: parses arguments, then runs the reader or a headless subcommand.

``margin [PATH | -]`` opens the reader; the commands (``show``, ``tags``,
``meta``, ``export``, ``cite``) print to stdout or write files, and never import
Textual. A first argument that is a command's name is that command, so a file
called ``show`` is read as ``./show`` (or after ``--``). Every mistake a user
can make is a :class:`UsageError`: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from db import __version__

if TYPE_CHECKING:
    from db.config import Config
    from db.models import LoadedText
    from db.store import Store
    from tui.app import MarginApp

#: Other names ``margin cite --style`` takes, for the styles of db.cite.STYLES.
STYLE_ALIASES = {"chicago": "chicago-author-date"}


class UsageError(Exception):
    """A mistake on the command line; its text is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and exits; margin promises one line and status 2.
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


#: The headless subcommands and what each does; any other first argument is a PATH to read.
COMMANDS = {
    "add": "add documents (files, folders, URLs) to the library without opening them",
    "list": "every document with its highlights, notes, progress and tags",
    "rm": "delete a document with its highlights (asks first; --yes does not)",
    "show": "one document's highlights, in text order, with notes and tags",
    "tags": "every tag with the number of highlights that have it",
    "meta": "print a document's metadata, or set fields with --set KEY=VALUE",
    "export": "export a document or the whole library: md, json, csv, html, bibtex, csl-json",
    "cite": "cite a document, or one of its highlights, in a citation style",
    "import": "import highlights: Kindle My Clippings.txt, Readwise CSV or margin JSON",
    "link": "give an imported book's highlights to the real book or article read from PATH",
    "search": "search highlights, notes and tags (or with --text, documents' text)",
    "doctor": "check the database for damage and drift; --fix makes the safe repairs",
    "config": "print the config file's path, print its settings, or edit it: path, show, edit",
}

#: The options before a command that take a value: the word after one is never a command.
#: (tests/test_cli_commands.py checks this against the parser.)
VALUE_OPTIONS = (
    "--db",
    "--set",
    "-f",
    "--format",
    "-o",
    "--output",
    "--highlight",
    "--style",
    "--form",
    "--limit",
)

_USAGE = """%(prog)s [--db PATH] [--debug] [--plain] [PATH | URL | -]
       %(prog)s add PATH|URL... [--json] [--db PATH]
       %(prog)s list [--json] [--db PATH]
       %(prog)s rm DOC [--yes] [--db PATH]
       %(prog)s show DOC [--json] [--db PATH]
       %(prog)s tags [--json] [--db PATH]
       %(prog)s meta DOC [--set KEY=VALUE ...] [--json] [--db PATH]
       %(prog)s export DOC|--all [-f FORMAT] [-o PATH] [--db PATH]
       %(prog)s cite DOC [--highlight ID] [--style STYLE] [--form FORM] [--copy] [--db PATH]
       %(prog)s import FILE [--format kindle|readwise|json] [--json] [--db PATH]
       %(prog)s link DOC PATH [--db PATH]
       %(prog)s doctor [--fix] [--json] [--db PATH]
       %(prog)s search QUERY... [--text] [--limit N] [--json] [--db PATH]
       %(prog)s config path|show|edit"""

_EPILOG = f"""commands (they print and exit; add, list, show, tags and meta take --json):
  add PATH... {COMMANDS["add"]}
  list        {COMMANDS["list"]}
  rm DOC      {COMMANDS["rm"]}
  show DOC    {COMMANDS["show"]}
  tags        {COMMANDS["tags"]}
  meta DOC    {COMMANDS["meta"]}
  export DOC  {COMMANDS["export"]}
  cite DOC    {COMMANDS["cite"]}
  import FILE {COMMANDS["import"]}
  link DOC PATH
              {COMMANDS["link"]}
  doctor      {COMMANDS["doctor"]}
  search QUERY
              {COMMANDS["search"]}
  config ACTION
              {COMMANDS["config"]}

DOC is a document's id, the path of its file, or the start of its title (any case).
A first argument that is a command's name is that command: read a file called
"show" or "tags" as ./show, or after --.

With no PATH, margin reopens the last document (the tutorial on first run);
once the library holds two documents or more, it opens the library over it."""


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the database file (default: $MARGIN_DB, else margin.db in the user data directory)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser.add_argument("--version", action="version", version=f"margin {__version__}")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``margin [PATH | -]``, the reader; its --help also lists the commands."""
    parser = _Parser(
        prog="margin",
        usage=_USAGE,
        description="A keyboard-first reader and annotator for the terminal.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help=(
            "a document to read (text, Markdown, HTML, EPUB or PDF), an http(s) URL to "
            "fetch, or - to read standard input"
        ),
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help=(
            "plain mode, for screen readers and braille displays: no box drawing, "
            "highlights and notes marked with text (also: plain = true in the config)"
        ),
    )
    _add_common_options(parser)
    return parser


def build_command_parser(command: str) -> argparse.ArgumentParser:
    """The parser of one subcommand's arguments (the command's own name taken out of argv)."""
    what = COMMANDS[command]
    parser = _Parser(prog=f"margin {command}", description=f"{what[0].upper()}{what[1:]}.")
    doc_help = "an id, the path of the document's file, or the start of its title"
    if command == "config":
        from tui.configuring import add_arguments as add_config_arguments

        add_config_arguments(parser)
        _add_common_options(parser)
        return parser
    if command in ("list", "rm"):
        from tui.listing import add_arguments

        add_arguments(command, parser, doc_help)
        _add_common_options(parser)
        return parser
    if command in ("show", "meta", "cite"):
        parser.add_argument("doc", metavar="DOC", help=doc_help)
    if command == "import":
        parser.add_argument("file", metavar="FILE", help="the file to import")
        parser.add_argument(
            "--format",
            choices=["kindle", "readwise", "json"],
            help="what FILE is (default: told from its content)",
        )
    if command == "doctor":
        parser.add_argument(
            "--fix",
            action="store_true",
            help="rebuild the search index and drop what nothing uses (never a highlight)",
        )
    if command == "link":
        parser.add_argument(
            "doc", metavar="DOC", help=doc_help + " (a book of imported highlights)"
        )
        parser.add_argument("path", metavar="PATH", help="the book or article they come from")
        _add_common_options(parser)
        return parser
    if command == "add":
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="a document, a folder (its documents, recursively) or an http(s) URL",
        )
    if command == "export":
        _add_export_options(parser, doc_help)
        _add_common_options(parser)
        return parser
    if command == "cite":
        _add_cite_options(parser)
        _add_common_options(parser)
        return parser
    if command == "search":
        _add_search_options(parser)
        _add_common_options(parser)
        return parser
    if command == "show":
        json_help = (
            "print a JSON list of the highlights (id, start, end, quote, note, tags, "
            "color, status, score, created, updated, prefix, suffix)"
        )
    elif command == "doctor":
        json_help = "print the findings as a JSON list of {level, message, fixed, fixable}"
    elif command == "import":
        json_help = (
            "print what was imported as JSON (format, books, added, duplicates, skipped, "
            "failed, documents)"
        )
    elif command == "add":
        json_help = (
            "print a JSON list of what became of each document "
            "(source, status: added, known or failed, id, format, title, error)"
        )
    elif command == "meta":
        from db.metadata import FIELDS

        parser.add_argument(
            "--set",
            metavar="KEY=VALUE",
            action="append",
            default=[],
            dest="assignments",
            help="set a field (repeatable); fields: " + ", ".join(FIELDS),
        )
        json_help = "print the metadata as a JSON object"
    else:
        json_help = 'print a JSON list of {"tag": ..., "count": ...}'
    parser.add_argument("--json", action="store_true", help=json_help)
    _add_common_options(parser)
    return parser


def _add_export_options(parser: argparse.ArgumentParser, doc_help: str) -> None:
    from db.export import FORMATS

    parser.add_argument("doc", nargs="?", metavar="DOC", help=doc_help + " (or --all)")
    parser.add_argument("--all", action="store_true", help="every document in the library")
    parser.add_argument(
        "-f",
        "--format",
        choices=list(FORMATS),
        metavar="FORMAT",
        help=(
            "md (Markdown for Obsidian), json (W3C Web Annotations), csv (Readwise), html, "
            "bibtex or csl-json; for one document the default is the config's export_format, "
            "else md; required with --all"
        ),
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help=(
            "write to this file instead of stdout (-: stdout); md and html with --all, or "
            "to a PATH that is a folder or ends in /, write one file per document in it"
        ),
    )


def _add_cite_options(parser: argparse.ArgumentParser) -> None:
    from db.cite import FORMS, STYLES

    parser.add_argument(
        "--highlight",
        metavar="ID",
        help="cite this highlight (its id, or the start of it): a quotation with its paragraph",
    )
    parser.add_argument(
        "--style",
        choices=[*STYLES, *STYLE_ALIASES],
        metavar="STYLE",
        help=(
            f"{', '.join(STYLES)}, or chicago for chicago-author-date "
            "(default: the citation style chosen in the reader, else the config's "
            "citation_style, else apa)"
        ),
    )
    parser.add_argument(
        "--form",
        choices=FORMS,
        metavar="FORM",
        help=(
            f"{', '.join(FORMS)} (default: quote with --highlight, else reference); "
            "in-text and quote give a highlight's paragraph"
        ),
    )
    parser.add_argument(
        "--copy",
        action="store_true",
        help="copy the citation to the clipboard instead of printing it",
    )


def _add_search_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="+",
        metavar="QUERY",
        help=(
            'words and "phrases" (all must match), word* (a prefix), -word or NOT word (left '
            'out), and filters: tag:TAG, doc:"TITLE" or doc:ID, color:1-5, has:note, has:tag, '
            "before:DATE, after:DATE (YYYY, YYYY-MM or YYYY-MM-DD); a word that holds spaces "
            "is a phrase"
        ),
    )
    parser.add_argument(
        "--text",
        action="store_true",
        help="search the text of every document instead (words and doc: only)",
    )
    parser.add_argument(
        "--limit", type=int, default=50, metavar="N", help="at most N results (default 50)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help=(
            "print a JSON list of the results (id, document_id, document, title, location, "
            "quote, note, tags, color, created, snippet, marks, kind, field, start, end)"
        ),
    )


def command_index(argv: Sequence[str]) -> int | None:
    """Where in ``argv`` a subcommand's name stands, or None when margin is to read.

    The command is the first argument that is neither an option nor an option's
    value; ``--`` before it means there is none (``margin -- show`` reads ./show).
    """
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return None
        if arg in VALUE_OPTIONS:
            i += 2
        elif arg.startswith("-") and arg != "-":
            i += 1  # a flag, or --db=PATH
        else:
            return i if arg in COMMANDS else None
    return None


def _read_stdin() -> bytes:
    """All of standard input, then the terminal put back on file descriptor 0 for the keys."""
    data = sys.stdin.buffer.read()
    try:
        terminal = os.open("/dev/tty", os.O_RDONLY)
    except OSError as error:
        raise UsageError("margin - needs a terminal to read keys from") from error
    os.dup2(terminal, 0)
    os.close(terminal)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as the process
    return data


def open_store(db_path: Path, **options: bool) -> Store:
    """``Store.open``, saying on stderr where the old file went if it was upgraded."""
    from db.store import Store

    store = Store.open(db_path, **options)
    if store.backup_path is not None:
        print(
            f"margin: upgraded {db_path} for this margin; the old file is kept at "
            f"{store.backup_path}",
            file=sys.stderr,
        )
    return store


def tutorial_bytes() -> bytes:
    """The built-in tutorial, shipped inside the package."""
    from importlib import resources

    return (resources.files("tui") / "tutorial.md").read_bytes()


def run(args: argparse.Namespace) -> int:
    from db.documents import LoadError, load_bytes, read_source
    from db.paths import default_db_path
    from db.store import StoreError

    url = args.path if _is_url(args.path) else None
    try:
        # The document is read before the database is touched, so a bad file creates nothing.
        if url is not None:
            data = path = name = None
        elif args.path == "-":
            data, path, name = _read_stdin(), None, None
        elif args.path:
            absolute = os.path.abspath(args.path)
            data, path, name = read_source(absolute), absolute, os.path.basename(absolute)
        else:
            data = path = name = None
        db_path = Path(args.db or default_db_path()).expanduser()
        created = not db_path.exists()
        # A new database cannot know these bytes, so text is parsed now rather than after
        # it is made: a document margin cannot read (a binary file) leaves no database behind.
        # Books and pages are parsed on the loading screen, with progress, instead.
        parsed = None
        if data is not None and created and _quick_format(name, data):
            parsed = load_bytes(data, name)
        store = open_store(db_path)
    except (LoadError, StoreError) as error:
        raise UsageError(str(error)) from error

    config = _load_config()
    if getattr(args, "plain", False):
        config.plain = True
    try:
        app = _make_app(store, data, path, name, url, parsed, config)
        # The book and the libraries stay loaded for good: without this, a full
        # collection walking them stalls keys for 30-100 ms now and then.
        gc.freeze()
        app.run()
        if app.load_error is not None:
            raise UsageError(app.load_error)
    except (LoadError, StoreError) as error:
        raise UsageError(str(error)) from error
    except UsageError:
        if created and not store.documents():
            # Nothing was ever kept in it: the database margin just made goes too.
            store.close()
            _remove_database(db_path)
        raise
    finally:
        store.close()
    # Textual prints a crash's traceback itself and returns from run(); its code says so (1).
    return app.return_code or 0


def _quick_format(name: str | None, data: bytes) -> bool:
    """True for a document parsed fast enough to need no loading screen: text and Markdown."""
    from db.documents import detect_format

    return detect_format(name, data) in ("txt", "md")


def _load_config() -> Config:
    """The config file's settings, each of its problems told on stderr before the app starts."""
    from db.config import load_config

    config = load_config()
    if config.keys:
        from tui.configuring import resolve_keymap

        config.problems.extend(resolve_keymap(config)[1])
    for problem in config.problems:
        print(f"margin: {problem}", file=sys.stderr)
    return config


def _make_app(
    store: Store,
    data: bytes | None,
    path: str | None,
    name: str | None,
    url: str | None,
    parsed: LoadedText | None,
    config: Config | None = None,
) -> MarginApp:
    """The app on the document asked for: at once if it is known or quick, else via a worker."""
    from db.library import needs_parsing, open_source, open_url, reopen
    from tui.app import MarginApp

    if url is not None:
        from tui.screens.loading import LoadingScreen

        return MarginApp(
            store,
            loading=LoadingScreen(url, lambda progress: open_url(store, url, progress=progress)),
            config=config,
        )
    library_first = False
    if data is None:
        from tui.screens.library import opens_on_library

        # With documents to choose from, the library opens over the last one read.
        if opens_on_library(store, tutorial_bytes()):
            library_first = True
        last = store.last_opened()
        if last is None:
            document, loaded = open_source(store, tutorial_bytes(), path=None, name="tutorial.md")
            return MarginApp(store, document, loaded, config=config, library_first=library_first)
        data = _current_bytes(last.path)
        if data is None:
            # Its file is gone, or unreadable, or it came from stdin or a URL: the stored text.
            return MarginApp(
                store, *reopen(store, last), config=config, library_first=library_first
            )
        path, name = last.path, os.path.basename(last.path or "")
    fmt = parsed is None and needs_parsing(store, data, path=path, name=name)
    if fmt and fmt not in ("txt", "md"):
        # A book or page new to the store (or changed since): parsed on the loading screen.
        from tui.screens.loading import LoadingScreen

        what = name or "standard input"
        return MarginApp(
            store,
            loading=LoadingScreen(
                what,
                lambda progress: open_source(store, data, path=path, name=name, progress=progress),
            ),
            config=config,
        )
    document, loaded = open_source(store, data, path=path, name=name, parsed=parsed)
    return MarginApp(store, document, loaded, config=config, library_first=library_first)


def _is_url(path: str | None) -> bool:
    # db.fetch (and urllib.request, ~20 ms) is imported only when there is a URL to fetch.
    if not path or not path[:8].lower().startswith(("http://", "https://")):
        return False
    from db.fetch import is_url

    return is_url(path)


def _current_bytes(path: str | None) -> bytes | None:
    """The bytes of a stored document's file as it is now, or None if it cannot be read."""
    from db.documents import LoadError, read_source

    if not path or not os.path.isfile(path):
        return None
    try:
        return read_source(path)
    except LoadError:
        return None


def _remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(f"{db_path}{suffix}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args: argparse.Namespace | None = None
    try:
        at = command_index(argv)
        if at is None:
            args = build_parser().parse_args(argv)
            return run(args)
        command = argv[at]
        args = build_command_parser(command).parse_args(argv[:at] + argv[at + 1 :])
        from tui.commands import run_command

        return run_command(command, args)
    except UsageError as error:
        # args.debug, not "--debug" in argv: argparse also takes "--deb" for it.
        if args is not None and args.debug:
            raise
        print(f"margin: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    # `python -m tui.cli` runs this file as __main__, a second copy of the module:
    # main must be tui.cli's, whose UsageError is the one tui.commands raises.
    from tui.cli import main as _main

    sys.exit(_main())

"""The `margin` command: parses arguments, then runs the reader or a headless subcommand.

``margin [PATH | -]`` opens the reader; ``margin show DOC`` and ``margin tags``
print to stdout and never import Textual. A first argument that is a command's
name is that command, so a file called ``show`` is read as ``./show`` (or after
``--``). Every mistake a user can make is a :class:`UsageError`: one line on
stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from db import __version__

if TYPE_CHECKING:
    from db.models import Document, Highlight, LoadedText
    from db.store import Store


class UsageError(Exception):
    """A mistake on the command line; its text is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and exits; margin promises one line and status 2.
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


#: The headless subcommands and what each does; any other first argument is a PATH to read.
COMMANDS = {
    "show": "one document's highlights, in text order, with notes and tags",
    "tags": "every tag with the number of highlights that have it",
}

#: The options before a command that take a value: the word after one is never a command.
#: (tests/test_cli_commands.py checks this against the parser.)
VALUE_OPTIONS = ("--db",)

_USAGE = """%(prog)s [--db PATH] [--debug] [PATH | -]
       %(prog)s show DOC [--json] [--db PATH]
       %(prog)s tags [--json] [--db PATH]"""

_EPILOG = f"""commands (they print and exit; --json for scripts):
  show DOC    {COMMANDS["show"]}
  tags        {COMMANDS["tags"]}

DOC is a document's id, the path of its file, or the start of its title (any case).
A first argument that is a command's name is that command: read a file called
"show" or "tags" as ./show, or after --.

With no PATH, margin reopens the last document (the tutorial on first run)."""


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
        help="a text or Markdown file to read, or - to read standard input",
    )
    _add_common_options(parser)
    return parser


def build_command_parser(command: str) -> argparse.ArgumentParser:
    """The parser of one subcommand's arguments (the command's own name taken out of argv)."""
    what = COMMANDS[command]
    parser = _Parser(prog=f"margin {command}", description=f"{what[0].upper()}{what[1:]}.")
    if command == "show":
        parser.add_argument(
            "doc",
            metavar="DOC",
            help="an id, the path of the document's file, or the start of its title",
        )
        json_help = (
            "print a JSON list of the highlights (id, start, end, quote, note, tags, "
            "color, status, score, created, updated, prefix, suffix)"
        )
    else:
        json_help = 'print a JSON list of {"tag": ..., "count": ...}'
    parser.add_argument("--json", action="store_true", help=json_help)
    _add_common_options(parser)
    return parser


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


def tutorial_bytes() -> bytes:
    """The built-in tutorial, shipped inside the package."""
    from importlib import resources

    return (resources.files("tui") / "tutorial.md").read_bytes()


def run(args: argparse.Namespace) -> int:
    from db.documents import LoadError, load_bytes, read_source
    from db.library import open_source, reopen
    from db.paths import default_db_path
    from db.store import Store, StoreError

    try:
        # The document is read before the database is touched, so a bad file creates nothing.
        if args.path == "-":
            data, path, name = _read_stdin(), None, None
        elif args.path:
            absolute = os.path.abspath(args.path)
            data, path, name = read_source(absolute), absolute, os.path.basename(absolute)
        else:
            data = path = name = None
        db_path = Path(args.db or default_db_path()).expanduser()
        # A new database cannot know these bytes, so they are parsed now rather than after
        # it is made: a document margin cannot read (a binary file) leaves no database behind.
        parsed = load_bytes(data, name) if data is not None and not db_path.exists() else None
        store = Store.open(db_path)
    except (LoadError, StoreError) as error:
        raise UsageError(str(error)) from error

    try:
        if data is not None:
            document, loaded = open_source(store, data, path=path, name=name, parsed=parsed)
        else:
            last = store.last_opened()
            if last is not None:
                document, loaded = reopen(store, last)
            else:
                document, loaded = open_source(
                    store, tutorial_bytes(), path=None, name="tutorial.md"
                )
        from tui.app import MarginApp

        app = MarginApp(store, document, loaded)
        # The book and the libraries stay loaded for good: without this, a full
        # collection walking them stalls keys for 30-100 ms now and then.
        gc.freeze()
        app.run()
    except (LoadError, StoreError) as error:
        raise UsageError(str(error)) from error
    finally:
        store.close()
    # Textual prints a crash's traceback itself and returns from run(); its code says so (1).
    return app.return_code or 0


# --- the headless commands: read the store, print, exit; never Textual ---------------------


def run_command(command: str, args: argparse.Namespace) -> int:
    """Run ``margin show`` or ``margin tags`` on the database, which they never create."""
    from db.paths import default_db_path
    from db.store import Store, StoreError

    db_path = Path(args.db or default_db_path()).expanduser()
    store = None
    try:
        # A database that is not there holds no documents: say so, and make nothing.
        if db_path.exists():
            store = Store.open(db_path, create=False)
        if command == "show":
            text = _show(store, args.doc, as_json=args.json)
        else:
            text = _tags(store, as_json=args.json)
    except StoreError as error:
        raise UsageError(str(error)) from error
    finally:
        if store is not None:
            store.close()
    return _print(text)


def _show(store: Store | None, spec: str, *, as_json: bool) -> str:
    from db.library import NoMatchingDocumentError, resolve_document

    if store is None:
        raise NoMatchingDocumentError(spec)
    document = resolve_document(store, spec)
    highlights = store.highlights(document.id)
    if as_json:
        return _json([highlight_record(h) for h in highlights])
    current = [h for h in highlights if h.text_hash == document.text_hash]
    loaded = store.load_text(document.text_hash) if current else None
    return format_highlights(document, highlights, loaded)


def _tags(store: Store | None, *, as_json: bool) -> str:
    counts = store.tag_counts() if store is not None else []
    if as_json:
        return _json([{"tag": tag, "count": count} for tag, count in counts])
    return format_tags(counts)


def highlight_record(highlight: Highlight) -> dict[str, object]:
    """A highlight as ``margin show --json`` gives it: plain keys, every value as stored."""
    h = highlight
    return {
        "id": h.id,
        "start": h.start,
        "end": h.end,
        "quote": h.quote,
        "note": h.note,
        "tags": list(h.tags),
        "color": h.color,
        "status": h.status,
        "score": h.score,
        "created": h.created,
        "updated": h.updated,
        "prefix": h.prefix,
        "suffix": h.suffix,
    }


def _inert_lines(text: str) -> list[str]:
    """``text`` as lines that are safe to print: every control character made visible."""
    from db.documents.inert import make_inert

    return make_inert(text).split("\n")


def _one_line(text: str) -> str:
    """``text`` safe to print as (part of) one line: controls visible, whitespace runs one space."""
    return " ".join(" ".join(_inert_lines(text)).split())


def format_highlights(
    document: Document, highlights: Sequence[Highlight], loaded: LoadedText | None
) -> str:
    """``margin show``: a title line, then per highlight its place, colour and status,
    the quote, the note indented under it and the tags.

    The place is the chapter and paragraph (``CHAPTER I, ¶ 12``, as citations
    and the notes pane count them) for a highlight on the document's current
    text, else its offsets (``@120-164``: an orphan, or one not re-anchored
    since the file changed).
    """
    from db.library import document_label
    from db.locate import Locator

    title = document_label(document, limit=200)
    if document.metadata.authors:
        title += " — " + ", ".join(document.metadata.authors)
    count = len(highlights)
    counted = f"{count} highlight{'' if count == 1 else 's'}" if count else "no highlights"
    lines = [f"{_one_line(title)}  (id {document.id}, {counted})"]
    locator = Locator(loaded.text, loaded.blocks) if loaded is not None else None
    for h in highlights:
        if h.status != "orphan" and h.text_hash == document.text_hash and locator is not None:
            place = _one_line(locator.at(h.start).describe())
        else:
            place = f"@{h.start}-{h.end}"
        head = [place, f"colour {h.color}"]
        if h.status == "fuzzy":
            head.append(f"fuzzy {h.score:.0%}")
        elif h.status != "exact":
            head.append(h.status)
        lines += ["", "  ".join(head)]
        lines += [f"  {line}" for line in _inert_lines(f"“{h.quote}”")]
        if h.note.strip():
            lines += [f"      {line}".rstrip() for line in _inert_lines(h.note.strip())]
        if h.tags:
            lines.append("  " + " ".join(f"#{_one_line(tag)}" for tag in h.tags))
    return "\n".join(lines) + "\n"


def _cells(text: str) -> int:
    """How many terminal columns ``text`` takes: wide East Asian letters 2, combining marks 0."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def format_tags(counts: Sequence[tuple[str, int]]) -> str:
    """``margin tags``: one tag a line, the counts right-aligned in a column after the longest."""
    if not counts:
        return ""
    names = [_one_line(tag) for tag, _ in counts]
    width = max(map(_cells, names))
    digits = max(len(str(count)) for _, count in counts)
    return "".join(
        f"{name}{' ' * (width - _cells(name))}  {count:>{digits}}\n"
        for name, (_, count) in zip(names, counts, strict=True)
    )


#: What json.dumps leaves raw but a terminal may act on (DEL, C1 controls such as CSI)
#: or cannot be written as UTF-8 (lone surrogates). They occur in JSON only inside
#: strings, where a \u escape is the same character to any JSON reader.
_JSON_UNSAFE = "[\x7f-\x9f\ud800-\udfff\u2028\u2029]"


def _json(value: object) -> str:
    import json
    import re

    text = json.dumps(value, ensure_ascii=False, indent=2)
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _print(text: str) -> int:
    """Write ``text`` to stdout; 0, or 141 (as a shell says SIGPIPE) if the reader went away."""
    stream = sys.stdout
    encoding = stream.encoding or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:  # e.g. PYTHONIOENCODING=ascii: "\u00b6", not a traceback
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        # `margin show 3 | head`: Python would complain again when it flushes at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
        return 141
    return 0


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
    sys.exit(main())

"""The `margin` command: parses arguments, opens the document and runs the reader."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from db import __version__


class UsageError(Exception):
    """A mistake on the command line; its text is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and exits; margin promises one line and status 2.
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see margin --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="margin",
        description="A keyboard-first reader and annotator for the terminal.",
        epilog="With no PATH, margin reopens the last document (the tutorial on first run).",
    )
    parser.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a text or Markdown file to read, or - to read standard input",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the database file (default: $MARGIN_DB, else margin.db in the user data directory)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser.add_argument("--version", action="version", version=f"margin {__version__}")
    return parser


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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(argv)
        return run(args)
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

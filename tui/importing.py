"""`margin import FILE` and `margin link DOC PATH`: highlights from Kindle, Readwise or margin.

``import`` reads a Kindle "My Clippings.txt", a Readwise CSV export or a
margin JSON export (told apart by their content unless ``--format`` says),
adds what is new with a progress bar on a terminal, and prints a summary;
entries it could not read are told on stderr. ``link`` gives an imported
book's highlights to the real document read from PATH and anchors them there.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli import UsageError, open_store

if TYPE_CHECKING:
    from db.imports.importer import ImportReport
    from db.store import Store

IMPORT_FORMATS = ("kindle", "readwise", "json")


def run_import(args: argparse.Namespace) -> int:
    from db.documents import LoadError, read_source
    from db.imports.detect import detect_import_format

    try:
        data = read_source(os.path.abspath(args.file))
    except LoadError as error:
        raise UsageError(str(error)) from error
    name = os.path.basename(args.file)
    fmt = args.format or detect_import_format(name, data)
    if fmt is None:
        raise UsageError(
            f"{name}: not a Kindle clippings file, a Readwise CSV or a margin JSON export "
            "(or say which with --format)"
        )
    store = _open_store(args)
    try:
        report = _import(store, fmt, name, data)
    finally:
        store.close()
    for failure in report.failed:
        print(f"margin: {name}: {failure}", file=sys.stderr)
    if args.json:
        from tui.commands import _json, _print

        _print(_json(_as_json(report)))
    else:
        print(report.summary(), flush=True)
    return 2 if report.failed else 0


def _open_store(args: argparse.Namespace) -> Store:
    from db.paths import default_db_path
    from db.store import StoreError

    try:
        return open_store(Path(args.db or default_db_path()).expanduser())
    except StoreError as error:
        raise UsageError(str(error)) from error


def _import(store: Store, fmt: str, name: str, data: bytes) -> ImportReport:
    from db.imports.detect import decode_import
    from db.imports.importer import import_books, import_json
    from db.store import StoreError
    from tui.adding import _Bar, _is_terminal

    bar = _Bar(sys.stderr, 1) if _is_terminal(sys.stderr) else None

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.start(0, name)
            bar.progress(done, total)

    try:
        if fmt == "json":
            return import_json(store, data, progress)
        text = decode_import(data)
        if fmt == "kindle":
            from db.imports.kindle import parse_kindle

            parsed = parse_kindle(text)
        else:
            from db.imports.readwise import parse_readwise

            parsed = parse_readwise(text)
        return import_books(store, parsed, progress)
    except (ValueError, StoreError) as error:
        # A file of the wrong shape (bad JSON, a CSV without its columns): one line.
        raise UsageError(f"{name}: {error}") from error
    finally:
        if bar is not None:
            bar.clear()


def _as_json(report: ImportReport) -> dict[str, object]:
    return {
        "format": report.format,
        "books": report.books,
        "added": report.added,
        "duplicates": report.duplicates,
        "skipped": report.skipped,
        "failed": report.failed,
        "documents": report.documents,
    }


def run_link(args: argparse.Namespace) -> int:
    from db.annotate import reanchor_document
    from db.documents import LoadError, read_source
    from db.imports.importer import is_imported, link
    from db.library import display_title, open_source, resolve_document
    from db.store import StoreError

    store = _open_store(args)
    try:
        imported = resolve_document(store, args.doc)
        if not is_imported(imported):
            raise UsageError(
                f"document {imported.id} is not a book of imported highlights: nothing to link"
            )
        path = os.path.abspath(args.path)
        data = read_source(path)
        real, loaded = open_source(
            store, data, path=path, name=os.path.basename(path), mark_opened=False
        )
        if real.id == imported.id:
            raise UsageError(f"{args.path} is that document itself")
        moved = link(store, imported, real)
        counts = reanchor_document(store, real.id, loaded.text, real.text_hash)
    except (LoadError, StoreError) as error:
        raise UsageError(str(error)) from error
    finally:
        store.close()
    from tui.commands import _one_line

    orphans = counts.get("orphan", 0)
    placed = sum(counts.values()) - orphans
    print(
        f"Linked {moved} highlight{'' if moved == 1 else 's'} to "
        f"“{_one_line(display_title(real))}” (id {real.id}): {placed} placed, "
        f"{orphans} orphan{'' if orphans == 1 else 's'}."
    )
    return 0

"""`margin list` and `margin rm`: the library as a table or JSON, and deleting a document.

``list`` prints every document, most recently opened first, with its counts
and how far it was read. ``rm`` deletes a document with its highlights: on a
terminal it asks first, and anywhere else it needs ``--yes``. Neither creates a
database; without one there is nothing to list and nothing to delete.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli import UsageError, open_store

if TYPE_CHECKING:
    from db.models import LibraryEntry
    from db.store import Store

#: The most a title and an author take in the table before "…".
TITLE_CELLS = 48
AUTHOR_CELLS = 28


def add_arguments(command: str, parser: argparse.ArgumentParser, doc_help: str) -> None:
    """The arguments of ``list`` or ``rm`` (the common options are added after)."""
    if command == "rm":
        parser.add_argument("doc", metavar="DOC", help=doc_help)
        parser.add_argument(
            "-y",
            "--yes",
            action="store_true",
            help="delete without asking (needed when standard input is not a terminal)",
        )
        return
    parser.add_argument(
        "--json",
        action="store_true",
        help=(
            "print a JSON list of the documents (id, title, author, authors, format, path, "
            "highlights, notes, progress, tags, added, opened, missing)"
        ),
    )


def run_listing(command: str, args: argparse.Namespace) -> int:
    """Run ``list`` or ``rm`` on the database named by ``--db``, $MARGIN_DB or the default."""
    from db.paths import default_db_path
    from db.store import StoreError
    from tui.commands import _print

    db_path = Path(args.db or default_db_path()).expanduser()
    store = None
    try:
        # A database that is not there holds no documents: say so, and make nothing.
        if db_path.exists():
            store = open_store(db_path, create=False)
        if command == "rm":
            return _remove(store, args.doc, yes=args.yes)
        entries = store.library() if store is not None else []
    except StoreError as error:
        raise UsageError(str(error)) from error
    finally:
        if store is not None:
            store.close()
    if args.json:
        from tui.commands import _json

        return _print(_json([entry_record(entry) for entry in entries]))
    return _print(format_library(entries))


# --- margin list -----------------------------------------------------------------------------


def _file_gone(path: str | None) -> bool:
    return bool(path) and "://" not in (path or "") and not os.path.isfile(path or "")


def entry_record(entry: LibraryEntry) -> dict[str, object]:
    """A document as ``margin list --json`` gives it: plain keys, values as stored.

    ``title`` is the title shown everywhere (the file's name for a document
    without one); ``progress`` is 0-1; ``missing`` says that the file it was
    read from is gone (it still opens from the stored text).
    """
    from db.library import display_title

    document = entry.document
    metadata = document.metadata
    return {
        "id": document.id,
        "title": display_title(document),
        "author": "; ".join(metadata.authors),
        "authors": list(metadata.authors),
        "format": document.format,
        "path": document.path,
        "highlights": entry.highlights,
        "notes": entry.notes,
        "progress": round(entry.progress, 4),
        "tags": list(metadata.tags),
        "added": document.added,
        "opened": document.opened,
        "missing": _file_gone(document.path),
    }


def _cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` terminal cells, cut with "…"."""
    from tui.commands import _cells

    if _cells(text) <= limit:
        return text
    kept = ""
    for char in text:
        if _cells(kept + char) > limit - 1:
            break
        kept += char
    return kept.rstrip() + "…"


def _pad(text: str, width: int, *, right: bool = False) -> str:
    from tui.commands import _cells

    gap = " " * max(0, width - _cells(text))
    return gap + text if right else text + gap


def format_library(entries: list[LibraryEntry]) -> str:
    """``margin list``: a header, then one document a line, in columns; empty for none.

    Columns: id, title, author, format, highlights, notes, progress, tags; a
    title ends in "(file gone)" when the document's file is no longer there.
    """
    from db.library import display_title
    from tui.commands import _cells, _one_line

    if not entries:
        return ""
    header = ("id", "title", "author", "format", "highlights", "notes", "progress", "tags")
    right = (True, False, False, False, True, True, True, False)
    table = [header]
    for entry in entries:
        document = entry.document
        metadata = document.metadata
        title = _cut(_one_line(display_title(document)) or "(untitled)", TITLE_CELLS)
        if _file_gone(document.path):
            title += " (file gone)"
        table.append(
            (
                str(document.id),
                title,
                _cut(_one_line("; ".join(metadata.authors)), AUTHOR_CELLS),
                document.format,
                str(entry.highlights),
                str(entry.notes),
                f"{int(entry.progress * 100)}%",
                " ".join(f"#{_one_line(tag)}" for tag in metadata.tags),
            )
        )
    widths = [max(_cells(line[i]) for line in table) for i in range(len(header))]
    return "".join(
        "  ".join(
            _pad(cell, width, right=align)
            for cell, width, align in zip(line, widths, right, strict=True)
        ).rstrip()
        + "\n"
        for line in table
    )


# --- margin rm -------------------------------------------------------------------------------


def _counted(count: int) -> str:
    return f"{count:,} highlight{'' if count == 1 else 's'}"


def _remove(store: Store | None, spec: str, *, yes: bool) -> int:
    """``margin rm``: the document named, asked about unless ``yes``, deleted with highlights."""
    from db.library import NoMatchingDocumentError, document_label, resolve_document
    from tui.commands import _one_line

    if store is None:
        raise NoMatchingDocumentError(spec)
    document = resolve_document(store, spec)
    count = len(store.highlights(document.id))
    named = f"“{_one_line(document_label(document, limit=60))}” (id {document.id})"
    what = f"{named} and its {_counted(count)}" if count else named
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                f"not deleting {what}: standard input is not a terminal to ask on; pass --yes"
            )
        sys.stderr.write(f"Delete {what}? [y/N] ")
        sys.stderr.flush()
        answer = sys.stdin.readline()
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.", file=sys.stderr)
            return 1
    removed = store.delete_document(document.id)
    done = f"{named} and its {_counted(removed)}" if removed else named
    from tui.commands import _print

    return _print(f"Deleted {done}.\n")

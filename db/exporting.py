"""Exporting from the store to files: one document or the whole library, streamed, written safely.

The format modules in ``db.export`` turn items into text; this module reads
the items from the store one document at a time (so memory stays flat as
the library grows) and writes files atomically: a reader never finds half an
export, and an export that fails leaves the old file as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from db.export import ExportItem, export, extension, one_document_per_file
from db.locate import Location, Locator
from db.models import Document, Highlight
from db.store import Store, utc_now

#: Told after each document: (documents done, documents in all).
Progress = Callable[[int, int], None]


def export_item(store: Store, document: Document) -> ExportItem:
    """A document with its highlights and where each is in its current text."""
    highlights = store.highlights(document.id)
    locator: Locator | None = None
    if any(h.text_hash == document.text_hash for h in highlights):
        loaded = store.load_text(document.text_hash)
        locator = Locator.of(loaded)

    def locate(highlight: Highlight) -> Location:
        # Offsets of an orphan or of a highlight on an older text mean nothing in this one.
        if locator is None or highlight.text_hash != document.text_hash:
            return Location(paragraph=0)
        if highlight.status == "orphan":
            return Location(paragraph=0)
        return locator.at(highlight.start)

    return ExportItem(document, highlights, locate)


def _items(
    store: Store, documents: Sequence[Document], progress: Progress | None
) -> Iterator[ExportItem]:
    for done, document in enumerate(documents, 1):
        yield export_item(store, document)
        if progress is not None:
            progress(done, len(documents))


def write_chunks(chunks: Iterable[str], path: Path) -> None:
    """Write chunks to path atomically (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_to_stream(
    store: Store,
    fmt: str,
    documents: Sequence[Document],
    out: TextIO,
    *,
    progress: Progress | None = None,
) -> None:
    """Write one file's worth of export to an open stream (stdout)."""
    if one_document_per_file(fmt) and len(documents) != 1:
        raise ValueError(f"{fmt} holds one document per file: export to a folder with -o DIR")
    for chunk in export(fmt, _items(store, documents, progress), utc_now()):
        out.write(chunk)


def export_to_path(
    store: Store,
    fmt: str,
    documents: Sequence[Document],
    target: Path,
    *,
    progress: Progress | None = None,
) -> list[Path]:
    """Export to a file, or for one-document formats with several documents, to a folder.

    Returns the files written. A folder gets one file per document, named from
    its title (safe, unique, and the same on every export of the same library).
    """
    exported = utc_now()
    if not one_document_per_file(fmt):
        write_chunks(export(fmt, _items(store, documents, progress), exported), target)
        return [target]
    if len(documents) == 1 and not target.is_dir():
        write_chunks(export(fmt, _items(store, documents, progress), exported), target)
        return [target]
    from db.export.names import file_name

    if target.exists() and not target.is_dir():
        raise ValueError(f"{target} is a file; several documents go to a folder")
    written = []
    taken: set[str] = set()
    # By id, so the same library always gives each document the same name.
    ordered = sorted(documents, key=lambda d: d.id)
    for done, document in enumerate(ordered, 1):
        name = file_name(document, taken, extension(fmt))
        path = target / name
        write_chunks(export(fmt, [export_item(store, document)], exported), path)
        written.append(path)
        if progress is not None:
            progress(done, len(ordered))
    return written


def default_file_name(document: Document, fmt: str) -> str:
    """The file name an export of one document gets when the reader names only a folder."""
    from db.export.names import file_name

    return file_name(document, set(), extension(fmt))

"""Putting imported highlights into the library: books of quotes, duplicates skipped, linking.

Highlights from Kindle or Readwise arrive without the text they were made on.
Each book becomes a document whose text is its highlights' quotes in reading
order, one paragraph each, so it can be read, searched and exported like any
other (format "kindle" or "readwise", no file). Importing more of the same
book later rebuilds that text with the new quotes in place and re-anchors the
ones already there.

A highlight's id is derived from its book and its quote, so importing the same
file twice adds nothing the second time, and the same highlight coming from
Kindle and from Readwise is kept once.

When the real book or article is opened, a document of imported quotes with
the same title is linked to it (``link_matching``, or ``link`` by hand): its
highlights move to the real document, keeping the text they were made on, and
the reader re-anchors them there as it does after any change of text; those
it cannot place stay as orphans. Later imports of that book go to the real
document.

margin's own JSON export comes back with every field it holds (``import_json``).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from db.anchoring import make_selector
from db.documents.builder import BlockBuilder
from db.imports.records import ImportedBook, ImportedHighlight, ParsedImport
from db.models import Document, Highlight, LoadedText, Metadata
from db.store import NotFoundError, Store

#: An import's progress: (books done, books in all).
Progress = Callable[[int, int], None]

#: Formats of documents that hold imported quotes rather than a source's text.
IMPORT_FORMATS = ("kindle", "readwise")
_SOURCE_PREFIX = "import:"
_LINK_SETTING = "import_link:"
_ORDER_SETTING = "import_order:"
#: Namespace of imported highlights' ids (uuid5 of book and quote).
_NAMESPACE = uuid.UUID("6f1d8c1e-2b7a-4c55-9a53-3c0f5d8e9a11")


@dataclass(slots=True)
class ImportReport:
    """What an import did, for the one-line summary and --json."""

    format: str
    books: int = 0
    added: int = 0
    #: Highlights already in the library (the same file imported again).
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: The documents the highlights went to, by id.
    documents: list[int] = field(default_factory=list)

    def summary(self) -> str:
        books = f"{self.books} book{'' if self.books == 1 else 's'}"
        parts = [f"Imported {books}: {self.added} highlight{'' if self.added == 1 else 's'} added"]
        if self.duplicates:
            parts.append(f"{self.duplicates} already in the library")
        parts.extend(f"skipped {what}" for what in self.skipped)
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts) + "."


def fold(text: str) -> str:
    """What titles and quotes are compared by: NFC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def book_key(title: str, authors: Sequence[str]) -> str:
    """A book's identity across imports: its folded title and authors."""
    return fold(title) + "\x1f" + fold("; ".join(authors))


def highlight_id(key: str, quote: str, note: str = "") -> str:
    """The id an imported highlight always gets: from its book and its quote (or lone note)."""
    return str(uuid.uuid5(_NAMESPACE, key + "\x1f" + (fold(quote) or "\x1e" + fold(note))))


# --- Kindle and Readwise ------------------------------------------------------------------


def import_books(
    store: Store, parsed: ParsedImport, progress: Progress | None = None
) -> ImportReport:
    """Add the parsed books' highlights to the library (see the module docstring)."""
    report = ImportReport(parsed.format, skipped=list(parsed.skipped), failed=list(parsed.failed))
    total = len(parsed.books)
    for done, book in enumerate(parsed.books, 1):
        _import_book(store, parsed.format, book, report)
        if progress is not None:
            progress(done, total)
    return report


def _import_book(store: Store, fmt: str, book: ImportedBook, report: ImportReport) -> None:
    key = book_key(book.title, book.authors)
    entries = _unique(book.highlights, key)
    if not entries:
        return
    report.books += 1
    known = store.known_highlights([hid for hid, _ in entries])
    fresh = [(hid, h) for hid, h in entries if hid not in known]
    report.duplicates += len(entries) - len(fresh)
    document = _target(store, key)
    if document is not None and document.format not in IMPORT_FORMATS:
        # Linked to the real book: the new ones are found in its text on its next open.
        report.added += store.add_highlights([_unplaced(hid, h, document.id) for hid, h in fresh])
        report.documents.append(document.id)
        return
    if not fresh:
        if document is not None:
            report.documents.append(document.id)
        return
    metadata = Metadata(
        title=book.title.strip(),
        authors=list(book.authors),
        url=book.url,
        tags=list(book.tags),
        kind=book.kind or ("book" if fmt == "kindle" else ""),
        identifiers=dict(book.identifiers),
    )
    old: list[Highlight] = store.highlights(document.id) if document is not None else []
    # Where each quote stands in the source (Kindle locations...), kept for the next import.
    orders: dict[str, int] = (
        store.get_setting(_ORDER_SETTING + str(document.id), {}) if document is not None else {}
    )
    quotes = {h.id: (h.quote or h.note, orders.get(h.id, -1)) for h in old}
    for hid, h in fresh:
        quotes[hid] = (_block_text(h), h.order)
        orders[hid] = h.order
    loaded, places = _quotes_text(quotes, fmt, metadata)
    if document is None:
        source_hash = _SOURCE_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()
        document = store.add_document(loaded, path=None, source_hash=source_hash)
    else:
        document = store.set_text(document.id, loaded)
        _replace_anchors(store, document, loaded.text, old, places)
    store.set_setting(_ORDER_SETTING + str(document.id), orders)
    report.added += store.add_highlights(
        [_placed(hid, h, document, loaded.text, places[hid]) for hid, h in fresh]
    )
    report.documents.append(document.id)


def _unique(highlights: list[ImportedHighlight], key: str) -> list[tuple[str, ImportedHighlight]]:
    """Each highlight once, by its id (a parser may give an edited one twice)."""
    seen: dict[str, ImportedHighlight] = {}
    for h in highlights:
        if not h.quote.strip() and not h.note.strip():
            continue
        seen[highlight_id(key, h.quote, h.note)] = h
    return list(seen.items())


def _target(store: Store, key: str) -> Document | None:
    """The document this book's highlights go to: the real book it was linked to, or its quotes."""
    linked = store.get_setting(_LINK_SETTING + key)
    if isinstance(linked, int):
        try:
            return store.get_document(linked)
        except NotFoundError:
            pass
    source_hash = _SOURCE_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()
    found = store.documents_from(source_hash)
    return found[0] if found else None


def _block_text(h: ImportedHighlight) -> str:
    # A note with no highlight (a Kindle note typed at a bookmark) shows as itself.
    return h.quote if h.quote.strip() else h.note


def _quotes_text(
    quotes: dict[str, tuple[str, int]], fmt: str, metadata: Metadata
) -> tuple[LoadedText, dict[str, tuple[int, int]]]:
    """The document of quotes in reading order, and where each highlight's quote is in it."""
    builder = BlockBuilder()
    places: dict[str, tuple[int, int]] = {}
    # Unknown places (-1) go last, in the order they came.
    ordered = sorted(quotes.items(), key=lambda item: (item[1][1] < 0, item[1][1]))
    for hid, (text, _) in ordered:
        builder.begin("paragraph")
        builder.write(text)
        laid = builder.end()
        if laid is not None:
            places[hid] = (laid.start, laid.end)
    loaded = builder.result(metadata, fmt)
    for hid in quotes:
        places.setdefault(hid, (len(loaded.text), len(loaded.text)))
    return loaded, places


def _placed(
    hid: str, h: ImportedHighlight, document: Document, text: str, place: tuple[int, int]
) -> Highlight:
    start, end = place
    selector = make_selector(text, start, end)
    quoted = bool(h.quote.strip())
    return Highlight(
        id=hid,
        document_id=document.id,
        start=start,
        end=end if quoted else start,
        quote=selector.quote if quoted else "",
        prefix=selector.prefix,
        suffix=selector.suffix,
        text_hash=document.text_hash,
        color=h.color if 1 <= h.color <= 5 else 1,
        note=h.note,
        tags=list(h.tags),
        created=h.created,
        updated=h.created,
    )


def _unplaced(hid: str, h: ImportedHighlight, document_id: int) -> Highlight:
    """A highlight for a real book's document, to be found in its text by its quote."""
    return Highlight(
        id=hid,
        document_id=document_id,
        start=0,
        end=0,
        quote=" ".join(h.quote.split()),
        prefix="",
        suffix="",
        # No text of this database: re-anchoring searches the quote.
        text_hash="",
        color=h.color if 1 <= h.color <= 5 else 1,
        note=h.note,
        tags=list(h.tags),
        created=h.created,
        updated=h.created,
    )


def _replace_anchors(
    store: Store,
    document: Document,
    text: str,
    old: list[Highlight],
    places: dict[str, tuple[int, int]],
) -> None:
    """Move the book's earlier highlights to their quotes' places in its rebuilt text."""
    changes: list[tuple[str, dict[str, object]]] = []
    for h in old:
        start, end = places[h.id]
        if not h.quote:
            end = start
        selector = make_selector(text, start, end)
        changes.append(
            (
                h.id,
                {
                    "start": start,
                    "end": end,
                    "quote": selector.quote if h.quote else "",
                    "prefix": selector.prefix,
                    "suffix": selector.suffix,
                    "text_hash": document.text_hash,
                },
            )
        )
    store.update_highlights(changes)


# --- linking to the real book ----------------------------------------------------------------


def is_imported(document: Document) -> bool:
    """True for a document of imported quotes (no source text of its own)."""
    return document.format in IMPORT_FORMATS and document.source_hash.startswith(_SOURCE_PREFIX)


def link(store: Store, imported: Document, real: Document) -> int:
    """Move an imported book's highlights to the real document; return how many moved.

    The document of quotes goes; its text stays as long as the highlights point
    into it (re-anchoring diffs from it). Later imports of the book go to ``real``.
    """
    if not is_imported(imported):
        raise ValueError(f"document {imported.id} holds no imported highlights")
    if imported.id == real.id:
        return 0
    moved = store.move_highlights(imported.id, real.id)
    key = book_key(imported.metadata.title, imported.metadata.authors)
    store.set_setting(_LINK_SETTING + key, real.id)
    store.delete_document(imported.id)
    store.delete_setting(_ORDER_SETTING + str(imported.id))
    return moved


def title_matches(imported_title: str, title: str) -> bool:
    """True if two titles name one book: equal, or one is the other with a subtitle."""
    a, b = fold(imported_title), fold(title)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and long[len(short) : len(short) + 2] in (": ", " (", " -", ". ")


def link_matching(store: Store, document: Document) -> int:
    """Link every imported book whose title matches ``document``'s; return highlights moved."""
    if is_imported(document) or not document.metadata.title.strip():
        return 0
    moved = 0
    for candidate in store.documents_from(_SOURCE_PREFIX):
        if is_imported(candidate) and title_matches(
            candidate.metadata.title, document.metadata.title
        ):
            moved += link(store, candidate, document)
    return moved


# --- margin's JSON ---------------------------------------------------------------------------


def import_json(store: Store, data: bytes | str, progress: Progress | None = None) -> ImportReport:
    """Bring back a margin JSON export: documents with every field, highlights by their ids.

    A document whose file is still where the export says, with the same text,
    is read from it, so the highlights land on the very text they were made on
    (export, import into an empty library and export again give the same
    file). Otherwise its highlights live in a document of their quotes until
    the real one is opened. Ids are kept where they are free; highlights
    already stored are skipped.
    """
    from db.export.w3c import parse

    parsed = parse(data)
    report = ImportReport("json")
    # The library's documents by text and path, read once: reading them all again
    # for each document made an import of a few thousand documents take minutes.
    documents: dict[tuple[str, str | None], Document] = {}
    for document in store.documents():
        documents.setdefault((document.text_hash, document.path), document)
    for done, item in enumerate(parsed, 1):
        report.books += 1
        exported = item.document
        known = store.known_highlights([h.id for h in item.highlights])
        fresh = [h for h in item.highlights if h.id not in known]
        report.duplicates += len(item.highlights) - len(fresh)
        document = _json_target(store, exported, item.highlights, documents)
        documents.setdefault((document.text_hash, document.path), document)
        fresh = [replace(h, document_id=document.id) for h in fresh]
        report.added += store.add_highlights(fresh)
        report.documents.append(document.id)
        if progress is not None:
            progress(done, len(parsed))
    return report


def _json_target(
    store: Store,
    exported: Document,
    highlights: list[Highlight],
    documents: dict[tuple[str, str | None], Document],
) -> Document:
    """The document an exported one's highlights go to; ``documents`` is the library's by
    (text hash, path)."""
    from db.documents import LoadError, read_source
    from db.library import open_source

    found = documents.get((exported.text_hash, exported.path))
    if found is not None:
        return found
    if exported.path and os.path.isfile(exported.path):
        try:
            data = read_source(exported.path)
            document, loaded = open_source(
                store,
                data,
                path=exported.path,
                name=os.path.basename(exported.path),
                mark_opened=False,
            )
        except LoadError:
            pass
        else:
            if document.text_hash == exported.text_hash:
                return store.restore_document(replace(exported, id=document.id), new_id=exported.id)
    quotes = {h.id: (h.quote, h.start) for h in highlights}
    loaded, _ = _quotes_text(quotes, exported.format, exported.metadata)
    document = store.add_document(loaded, path=None, source_hash=exported.source_hash)
    # The path stays the export's: opening that file later finds this document.
    return store.restore_document(replace(exported, id=document.id), new_id=exported.id)

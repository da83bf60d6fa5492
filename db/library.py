"""The library: opening a document through the store, and finding one by what a user typed.

A document is parsed once, then reopened from the stored text. On the command
line a document is named by its id, its file's path or the start of its title
(:func:`resolve_document`).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata

from db.documents import LoadError, Progress, detect_format, load_bytes, read_source
from db.documents.inert import make_inert
from db.models import Document, LoadedText
from db.store import NotFoundError, Store, StoreError

__all__ = [
    "AmbiguousDocumentError",
    "NoMatchingDocumentError",
    "document_label",
    "needs_parsing",
    "open_source",
    "open_url",
    "reopen",
    "resolve_document",
    "source_hash",
]


def source_hash(data: bytes) -> str:
    """The SHA-256 of a file's bytes: equal bytes need no parsing again."""
    return hashlib.sha256(data).hexdigest()


def open_source(
    store: Store,
    data: bytes,
    *,
    path: str | None,
    name: str | None = None,
    parsed: LoadedText | None = None,
    url: str | None = None,
    progress: Progress | None = None,
    mark_opened: bool = True,
) -> tuple[Document, LoadedText]:
    """The document for these bytes (found by path and hash, or added) and its text.

    Bytes seen before come back from the store without parsing; new bytes at a
    known path become that document's new text. ``parsed`` is ``load_bytes(data,
    name)`` if the caller has already made it, so that the bytes are never parsed twice.
    ``url`` is where fetched bytes came from; ``progress`` follows a long parse.
    """
    digest = source_hash(data)
    document = store.find_document(path, digest)
    if document is not None:
        loaded = store.load_document(document)
        if not store.read_only:
            from db.imports.importer import link_matching

            # Highlights imported for this book since it was last opened join it now.
            link_matching(store, document)
    else:
        if parsed is None:
            parsed = load_bytes(data, name, url=url, progress=progress)
        loaded = parsed
        document = store.add_document(loaded, path=path, source_hash=digest)
        if not store.read_only:
            from db.imports.importer import link_matching

            # Highlights imported from Kindle or Readwise for this book join it here,
            # and the reader re-anchors them as it opens.
            link_matching(store, document)
    if mark_opened and not store.read_only:
        store.mark_opened(document.id)
    return document, loaded


def needs_parsing(store: Store, data: bytes, *, path: str | None, name: str | None) -> str | None:
    """The format these bytes will be parsed as, or None when the store already has them."""
    if store.find_document(path, source_hash(data)) is not None:
        return None
    return detect_format(name, data)


def open_url(
    store: Store, url: str, *, progress: Progress | None = None, mark_opened: bool = True
) -> tuple[Document, LoadedText]:
    """Fetch ``url`` and open what it gives; the URL stands for the document's path.

    Fetching the same URL again later finds the same document, so a changed
    page re-anchors its highlights as a changed file does.
    """
    from db.fetch import fetch

    fetched = fetch(url)
    return open_source(
        store,
        fetched.data,
        path=url,
        name=fetched.name,
        url=fetched.url,
        progress=progress,
        mark_opened=mark_opened,
    )


def reopen(store: Store, document: Document) -> tuple[Document, LoadedText]:
    """A stored document again: from its file if it is still readable, else from the stored text."""
    if document.path and os.path.isfile(document.path):
        try:
            data = read_source(document.path)
        except LoadError:
            pass
        else:
            return open_source(
                store, data, path=document.path, name=os.path.basename(document.path)
            )
    if not store.read_only:
        store.mark_opened(document.id)
    return document, store.load_document(document)


# --- naming a document: DOC on the command line ------------------------------------------

#: An id as typed: ASCII digits only (str.isdigit would also take "²" or "٣"), and no more
#: of them than SQLite's largest integer has: a longer number can be no id (nor be bound).
_ID = re.compile(r"[0-9]{1,19}")
_MAX_ID = 2**63 - 1
#: How many candidates an ambiguous DOC names before "and N more".
_CANDIDATES_SHOWN = 5
#: How much of a title a candidate shows.
_LABEL_CHARS = 30


def _one_line(text: str) -> str:
    """``text`` safe to print inside one line: controls made visible, line breaks as ``␤``."""
    return make_inert(text).replace("\n", "\u2424")


def _quoted(spec: str) -> str:
    return f'"{_one_line(spec)}"'


def document_label(document: Document, limit: int = _LABEL_CHARS) -> str:
    """A short one-line name for a document: its display title, inert, cut at ``limit``."""
    name = " ".join(make_inert(display_title(document)).split()) or "(untitled)"
    if len(name) <= limit:
        return name
    cut = name[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"  # at a word if near


class NoMatchingDocumentError(NotFoundError):
    """DOC names no document: no id, stored path or title matches it."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        super().__init__(f"no document matches {_quoted(spec)}")


class AmbiguousDocumentError(StoreError, LookupError):
    """DOC names several documents; ``candidates`` holds them, by id."""

    def __init__(self, spec: str, candidates: list[Document]) -> None:
        self.spec = spec
        self.candidates = sorted(candidates, key=lambda d: d.id)
        shown = ", ".join(
            f"{d.id} {document_label(d)}" for d in self.candidates[:_CANDIDATES_SHOWN]
        )
        more = len(self.candidates) - _CANDIDATES_SHOWN
        if more > 0:
            shown += f", and {more} more"
        super().__init__(f"{_quoted(spec)} matches {len(self.candidates)} documents: {shown}")


def _fold(text: str) -> str:
    """What case-insensitive title matching compares: the NFC of the case fold."""
    return unicodedata.normalize("NFC", text.casefold())


def _by_path(documents: list[Document], spec: str) -> list[Document]:
    """The documents read from the file ``spec`` names (relative to the working directory).

    The same absolute path first (the most recently opened of them, as
    :meth:`Store.find_by_path` would give); else the same file once symbolic
    links are resolved on both sides, every one of them.
    """
    if "\0" in spec:
        return []  # no file has such a name (and os.path.realpath would raise)
    if "://" in spec:
        # A fetched page's "path" is its URL, as it was typed.
        return [d for d in documents if d.path == spec]
    target = os.path.abspath(os.path.expanduser(spec))
    for document in documents:  # most recently opened first
        if document.path == target:
            return [document]
    real = os.path.realpath(target)
    return [d for d in documents if d.path and os.path.realpath(d.path) == real]


def display_title(document: Document) -> str:
    """The title, or for a document without one its file's name (or "stdin")."""
    if document.metadata.title.strip():
        return document.metadata.title.strip()
    return os.path.basename(document.path) if document.path else "stdin"


def resolve_document(store: Store, spec: str) -> Document:
    """The one document ``spec`` names: an id, a path, or the start of a title.

    Tried in this order, the first that matches deciding:

    1. ASCII digits: the document with that id (digits that are no id go on,
       so a book called "1984" is found by its title);
    2. a path, absolute or relative to the working directory, compared with the
       paths documents were read from (symbolic links resolved); the file need
       not exist any more;
    3. a title, case-insensitively: one document whose whole title it is, else
       the documents whose titles start with it.

    Raises :class:`NoMatchingDocumentError` when nothing matches and
    :class:`AmbiguousDocumentError` when a step matches several documents;
    both are :class:`StoreError`, their messages one line for the user.
    """
    if not spec.strip():
        raise NoMatchingDocumentError(spec)
    if _ID.fullmatch(spec) and int(spec) <= _MAX_ID:
        try:
            return store.get_document(int(spec))
        except NotFoundError:
            pass
    documents = store.documents()
    key = _fold(spec)
    # A document with no title yet answers to its file's name, as the reader shows it.
    titles = [(_fold(display_title(d)), d) for d in documents]
    for found in (
        _by_path(documents, spec),
        [d for title, d in titles if title == key],
        [d for title, d in titles if title.startswith(key)],
    ):
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousDocumentError(spec, found)
    raise NoMatchingDocumentError(spec)

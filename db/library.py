"""Opening a document through the store: parse once, then reopen from the stored text."""

from __future__ import annotations

import hashlib
import os

from db.documents import LoadError, load_bytes, read_source
from db.models import Document, LoadedText
from db.store import Store


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
) -> tuple[Document, LoadedText]:
    """The document for these bytes (found by path and hash, or added) and its text.

    Bytes seen before come back from the store without parsing; new bytes at a
    known path become that document's new text. ``parsed`` is ``load_bytes(data,
    name)`` if the caller has already made it, so that the bytes are never parsed twice.
    """
    digest = source_hash(data)
    document = store.find_document(path, digest)
    if document is not None:
        loaded = store.load_document(document)
    else:
        loaded = parsed if parsed is not None else load_bytes(data, name)
        document = store.add_document(loaded, path=path, source_hash=digest)
    if not store.read_only:
        store.mark_opened(document.id)
    return document, loaded


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

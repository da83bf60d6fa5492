"""Helpers the tests share: highlighting words of a stored document as the reader would."""

from __future__ import annotations

from db.anchoring import make_selector
from db.models import Document, Highlight
from db.store import Store


def highlight_words(store: Store, document: Document, words: str, **fields: object) -> Highlight:
    """Highlight the first ``words`` in the document's text, as the reader would."""
    text = store.load_document(document).text
    start = text.index(words)
    selector = make_selector(text, start, start + len(words))
    return store.add_highlight(
        Highlight(
            id="",
            document_id=document.id,
            start=selector.start,
            end=selector.end,
            quote=selector.quote,
            prefix=selector.prefix,
            suffix=selector.suffix,
            text_hash=document.text_hash,
            **fields,  # type: ignore[arg-type]
        )
    )

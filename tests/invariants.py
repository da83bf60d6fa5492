"""The canonical-text contract every loader keeps (db/models.py, DESIGN.md "The text model")."""

from __future__ import annotations

import re

from db.documents import FORMATS
from db.models import BLOCK_KINDS, LoadedText

SPAN_STYLES = {"em", "strong", "code", "link"}
# Anything make_inert must remove: C0 but "\n", DEL, C1, surrogates, and the
# line breaks that are not "\n".
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def check_invariants(loaded: LoadedText) -> None:
    """The canonical-text contract (db/models.py, DESIGN.md "The text model")."""
    text, blocks = loaded.text, loaded.blocks
    assert isinstance(text, str)
    assert loaded.format in FORMATS
    assert "\n\n".join(text[b.start : b.end] for b in blocks) == text
    assert bool(blocks) == bool(text)
    previous_end = -2
    for block in blocks:
        assert block.start == previous_end + 2, "blocks are separated by exactly one blank line"
        assert block.start < block.end <= len(text)
        previous_end = block.end
        body = text[block.start : block.end]
        assert body.strip(), f"empty or blank block {block}"
        assert "\n\n" not in body, f"blank line inside {block}: {body!r}"
        assert not body.startswith("\n") and not body.endswith("\n")
        assert block.kind in BLOCK_KINDS
        if block.kind == "heading":
            assert 1 <= block.level <= 6
        elif block.kind in ("list_item", "quote"):
            assert block.level >= 0
        else:
            assert block.level == 0
    match = FORBIDDEN.search(text)
    assert match is None, f"control character {match and match.group()!r} in the text"
    starts = [b.start for b in blocks]
    for span in loaded.spans:
        assert span.style in SPAN_STYLES
        assert 0 <= span.start < span.end <= len(text)
        # A span never crosses a block boundary.
        inside = [b for b in blocks if b.start <= span.start and span.end <= b.end]
        assert inside, f"span {span} outside any block (block starts {starts[:5]}...)"
    page_starts = [page.start for page in loaded.pages]
    assert page_starts == sorted(set(page_starts)), "page marks sorted, one per offset"
    assert all(0 <= start <= len(text) for start in page_starts)
    assert all(page.label for page in loaded.pages)
    toc_starts = [entry.start for entry in loaded.toc]
    assert toc_starts == sorted(toc_starts), "the table of contents is in reading order"
    for entry in loaded.toc:
        assert entry.title and "\n" not in entry.title and entry.level >= 1
        assert 0 <= entry.start <= len(text)
    for notice in loaded.notices:
        assert notice and "\n" not in notice
    for value in (loaded.metadata.title, loaded.metadata.description, *loaded.metadata.authors):
        assert "\n" not in value and FORBIDDEN.search(value) is None

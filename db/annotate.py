"""Annotating one open document: highlights made, merged, recoloured, noted, tagged and undone.

`Annotator` keeps the document's highlights in text order in memory, writes
every change to the store at once (so a change on screen is a change on
disk), and remembers how to undo each one for the rest of the session.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from itertools import accumulate
from operator import attrgetter
from typing import cast

from db.models import Highlight
from db.store import UPDATABLE_FIELDS, NotFoundError, Store

#: The order highlights are kept in: text order, then the older first.
_ORDER = attrgetter("start", "end", "created", "id")

#: How many changes `u` can take back in one session.
UNDO_DEPTH = 200


@dataclass(frozen=True, slots=True)
class Change:
    """What one annotation action did, so undo can reverse it: the before and after states."""

    description: str
    #: Highlights as they were before (None: the highlight did not exist).
    before: tuple[tuple[str, Highlight | None], ...]


def _restorable_fields(highlight: Highlight) -> dict[str, object]:
    """The fields of a highlight that update_highlight can set back."""
    return {name: getattr(highlight, name) for name in UPDATABLE_FIELDS}


class Annotator:
    """The highlights of one document and every change to them, through the store."""

    def __init__(self, store: Store, document_id: int, text: str, text_hash: str) -> None:
        self.store = store
        self.document_id = document_id
        self.text = text
        self.text_hash = text_hash
        self._undo: list[Change] = []
        self.highlights: list[Highlight] = []
        self._anchored: list[Highlight] = []
        self._starts: list[int] = []
        self._max_ends: list[int] = []
        #: The order highlights were made in this session: `created` has whole
        #: seconds, and a merge keeps the oldest even of two made in one second.
        self._made: dict[str, int] = {}
        self.reload()

    # -- reading ------------------------------------------------------------

    def reload(self) -> None:
        """Read the document's highlights from the store again (after another process wrote)."""
        self._set(self.store.highlights(self.document_id))

    def _set(self, highlights: list[Highlight], *, ordered: bool = False) -> None:
        self.highlights = highlights if ordered else sorted(highlights, key=_ORDER)
        self._anchored = [h for h in self.highlights if h.status != "orphan"]
        self._starts = [h.start for h in self._anchored]
        # A running maximum of ends: the first highlight that can reach past an
        # offset is found by bisection, so a row looks at only its own highlights.
        self._max_ends = list(accumulate((h.end for h in self._anchored), max))

    @property
    def stale(self) -> list[Highlight]:
        """Highlights made on another text of the document, and orphans: re-anchoring has work."""
        return [h for h in self.highlights if _needs_anchoring(h, self.text_hash)]

    @property
    def orphans(self) -> list[Highlight]:
        return [h for h in self.highlights if h.status == "orphan"]

    @property
    def anchored(self) -> list[Highlight]:
        """Highlights with a place in the current text, in text order."""
        return self._anchored

    def overlapping(self, start: int, end: int) -> list[Highlight]:
        """Anchored highlights that overlap [start, end), in text order."""
        first = bisect_right(self._max_ends, start)
        last = bisect_left(self._starts, max(end, start + 1))
        return [h for h in self._anchored[first:last] if h.end > start]

    def at(self, offset: int) -> Highlight | None:
        """The highlight under offset: the innermost (shortest) when several overlap."""
        found = self.overlapping(offset, offset + 1)
        return min(found, key=lambda h: (h.end - h.start, -h.start)) if found else None

    def next_after(self, offset: int) -> Highlight | None:
        index = bisect_right(self._starts, offset)
        return self._anchored[index] if index < len(self._anchored) else None

    def previous_before(self, offset: int) -> Highlight | None:
        index = bisect_left(self._starts, offset) - 1
        return self._anchored[index] if index >= 0 else None

    def get(self, highlight_id: str) -> Highlight | None:
        for highlight in self.highlights:
            if highlight.id == highlight_id:
                return highlight
        return None

    # -- changing -----------------------------------------------------------

    def _remember(self, description: str, before: list[tuple[str, Highlight | None]]) -> None:
        self._undo.append(Change(description, tuple(before)))
        del self._undo[:-UNDO_DEPTH]

    def _after_write(self, changed: Iterable[str]) -> None:
        """Read back only the highlights a change touched, and put them in their place.

        Re-reading all of them cost 40 ms on a book with 10,000, most of a key press.
        """

        touched = set(changed)
        kept = [h for h in self.highlights if h.id not in touched]
        for highlight_id in touched:
            # A highlight that is gone (deleted, or absorbed by a merge) stays out.
            with suppress(NotFoundError):
                insort(kept, self.store.get_highlight(highlight_id), key=_ORDER)
        self._set(kept, ordered=True)

    def highlight(self, start: int, end: int, color: int = 1) -> Highlight:
        """Highlight [start, end); one of the same colour that it overlaps or touches merges in."""
        start, end = self._trim(start, end)
        if end <= start:
            raise ValueError("nothing to highlight there")
        merging = [h for h in self.overlapping(max(0, start - 1), end + 1) if h.color == color]
        before: list[tuple[str, Highlight | None]] = [(h.id, h) for h in merging]
        if merging:
            keeper = min(merging, key=lambda h: (h.created, self._made.get(h.id, -1)))
            start = min([start, *(h.start for h in merging)])
            end = max([end, *(h.end for h in merging)])
            notes = [h.note for h in sorted(merging, key=lambda h: h.start) if h.note.strip()]
            tags: list[str] = []
            for h in merging:
                tags.extend(t for t in h.tags if t.casefold() not in {x.casefold() for x in tags})
            # The keeper grows first and the others go after: a crash in between
            # leaves a duplicate, never a lost note.
            result = self.store.update_highlight(
                keeper.id, **self._anchor_fields(start, end), note="\n\n".join(notes)
            )
            if sorted(tags) != sorted(keeper.tags):
                result = self.store.set_tags(keeper.id, tags)
            for other in merging:
                if other.id != keeper.id:
                    self.store.delete_highlight(other.id)
            description = f"merged {len(merging) + 1} highlights"
        else:
            result = self.store.add_highlight(
                Highlight(
                    id="",
                    document_id=self.document_id,
                    color=color,
                    **self._anchor_fields(start, end),  # type: ignore[arg-type]
                )
            )
            before.append((result.id, None))
            self._made[result.id] = len(self._made)
            description = "highlight"
        self._remember(description, before)
        self._after_write([result.id, *(h.id for h in merging)])
        return result

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        """The range without whitespace at its ends: a highlight starts and ends on a character."""
        text = self.text
        start, end = max(0, start), min(len(text), end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end

    def _anchor_fields(self, start: int, end: int) -> dict[str, object]:
        # Imported on the first highlight: anchoring brings rapidfuzz, which the
        # first screen does not need.
        from db.anchoring import make_selector

        selector = make_selector(self.text, start, end)
        return {
            "start": start,
            "end": end,
            "quote": selector.quote,
            "prefix": selector.prefix,
            "suffix": selector.suffix,
            "text_hash": self.text_hash,
            "status": "exact",
            "score": 1.0,
        }

    def _update(self, highlight_id: str, description: str, **changes: object) -> Highlight:
        old = self.get(highlight_id)
        if old is None:
            raise KeyError(highlight_id)
        if "tags" in changes:
            # As given: the store refuses a string, which list() would split into letters.
            result = self.store.set_tags(highlight_id, cast(list[str], changes.pop("tags")))
        if changes:
            result = self.store.update_highlight(highlight_id, **changes)
        self._remember(description, [(highlight_id, old)])
        self._after_write([highlight_id])
        return result

    def set_color(self, highlight_id: str, color: int) -> Highlight:
        return self._update(highlight_id, f"colour {color}", color=color)

    def set_note(self, highlight_id: str, note: str) -> Highlight:
        return self._update(highlight_id, "note", note=note)

    def set_tags(self, highlight_id: str, tags: list[str]) -> Highlight:
        return self._update(highlight_id, "tags", tags=tags)

    def reattach(self, highlight_id: str, start: int, end: int) -> Highlight:
        """Give a highlight (an orphan, usually) a new place; its id, note and tags stay."""
        start, end = self._trim(start, end)
        if end <= start:
            raise ValueError("nothing selected to re-attach to")
        fields = self._anchor_fields(start, end)
        return self._update(highlight_id, "re-attach", **fields)

    def delete(self, highlight_id: str) -> Highlight:
        old = self.store.delete_highlight(highlight_id)
        self._remember("delete", [(highlight_id, old)])
        self._after_write([highlight_id])
        return old

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> str | None:
        """Take back the last change; what it was, or None when there is nothing to undo."""
        if not self._undo:
            return None
        change = self._undo.pop()
        current = {h.id: h for h in self.highlights}
        # Highlights come back first, are put back in place next and go last, so
        # that a crash part-way leaves a duplicate at worst, never a lost note:
        # undoing a merge restores the absorbed highlights (with their notes)
        # before the keeper loses their notes and range.
        for highlight_id, old in change.before:
            if old is not None and highlight_id not in current:
                self.store.restore_highlight(old)
        for highlight_id, old in change.before:
            now = current.get(highlight_id)
            if old is not None and now is not None:
                # The old values back in place (never delete and re-insert: a
                # crash between the two would lose the highlight).
                self.store.update_highlight(highlight_id, **_restorable_fields(old))
                if [t.casefold() for t in now.tags] != [t.casefold() for t in old.tags]:
                    self.store.set_tags(highlight_id, old.tags)
        for highlight_id, old in change.before:
            if old is None and highlight_id in current:
                self.store.delete_highlight(highlight_id)
        self._after_write(highlight_id for highlight_id, _ in change.before)
        return change.description


def _needs_anchoring(highlight: Highlight, text_hash: str) -> bool:
    """Made on another text, or an orphan: its text may be back (a file changed, then back)."""
    return highlight.text_hash != text_hash or highlight.status == "orphan"


#: The fields re-anchoring writes: a highlight whose fields these are not any more
#: was changed (re-attached, merged) while its anchor was being found.
_ANCHOR_FIELDS = ("start", "end", "quote", "prefix", "suffix", "text_hash", "status", "score")


def _anchor_fields_of(highlight: Highlight) -> tuple[object, ...]:
    return tuple(getattr(highlight, name) for name in _ANCHOR_FIELDS)


def reanchor_document(
    store: Store,
    document_id: int,
    text: str,
    text_hash: str,
    cancelled: Callable[[], bool] | None = None,
) -> Counter[str]:
    """Re-anchor every highlight made on an earlier text of the document; counts by status.

    Nothing is written when cancelled, and all is written in one transaction
    otherwise. An orphan keeps the hash of the text it was made on, so its old
    context can still be shown, and is tried again on the next change. A
    highlight the reader deletes or changes while this runs (it may take a
    while, in another thread) is left as the reader left it.
    """
    from db.anchoring import Selector, make_selector, reanchor_all

    stale = [h for h in store.highlights(document_id) if _needs_anchoring(h, text_hash)]
    if not stale:
        return Counter()
    old_texts = store.old_texts(store.get_document(document_id))
    # An orphan made on this very text (the file was changed back) maps onto it unchanged.
    old_texts[text_hash] = text
    by_text: dict[str, list[Highlight]] = {}
    for highlight in stale:
        by_text.setdefault(highlight.text_hash, []).append(highlight)
    found: list[tuple[Highlight, str, dict[str, object]]] = []
    for old_hash, highlights in by_text.items():
        selectors = [Selector(h.start, h.end, h.quote, h.prefix, h.suffix) for h in highlights]
        anchors = reanchor_all(selectors, old_texts.get(old_hash), text, cancelled)
        if len(anchors) < len(highlights):
            return Counter()
        for highlight, anchor in zip(highlights, anchors, strict=True):
            fields: dict[str, object]
            if anchor.status == "orphan":
                fields = {"status": "orphan", "score": 0.0}
            else:
                selector = make_selector(text, anchor.start, anchor.end)
                fields = {
                    "start": anchor.start,
                    "end": anchor.end,
                    "quote": selector.quote,
                    "prefix": selector.prefix,
                    "suffix": selector.suffix,
                    "text_hash": text_hash,
                    "status": anchor.status,
                    "score": anchor.score,
                }
            found.append((highlight, anchor.status, fields))
    if cancelled is not None and cancelled():
        return Counter()
    return _write_anchors(store, document_id, found)


def _write_anchors(
    store: Store, document_id: int, found: list[tuple[Highlight, str, dict[str, object]]]
) -> Counter[str]:
    """Write the anchors found, in one transaction, but none over a highlight changed meanwhile.

    A highlight deleted, re-attached or merged since it was read keeps what the
    reader did; one whose fields would not change (an orphan still an orphan)
    is not written, so its ``updated`` stays.
    """
    for _ in range(3):
        now = {h.id: h for h in store.highlights(document_id)}
        counts: Counter[str] = Counter()
        changes: list[tuple[str, dict[str, object]]] = []
        for highlight, status, fields in found:
            current = now.get(highlight.id)
            if current is None or _anchor_fields_of(current) != _anchor_fields_of(highlight):
                continue
            counts[status] += 1
            if any(getattr(current, name) != value for name, value in fields.items()):
                changes.append((highlight.id, fields))
        if not changes:
            return counts
        try:
            store.update_highlights(changes)
        except NotFoundError:
            continue  # deleted between the reading above and the writing: read again
        return counts
    return Counter()

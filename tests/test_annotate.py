"""Headless tests of db.annotate: highlights made, found, merged, edited, undone, re-anchored.

Every test works on a real `Store` in a temporary folder. The lookups
(`overlapping`, `at`, `next_after`, `previous_before`) are checked against a
brute-force scan on random highlights; undo is checked by comparing the
store's highlights before and after (all fields but `updated`); crash-safety
by watching every store call an action makes.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import db.store as store_module
from db.anchoring import CONTEXT, make_selector
from db.annotate import Annotator, reanchor_document
from db.models import Block, Document, Highlight, LoadedText
from db.store import Store

TEXT = (
    "The first sentence opens the page and says very little of interest. "
    "The second sentence is where the reader stops to think about the argument. "
    "A third one follows, longer than the others, and it carries the main claim.\n\n"
    "A new paragraph begins here, with a sentence about something else entirely. "
    "And then it ends."
)


def loaded(text: str) -> LoadedText:
    blocks, start = [], 0
    for part in text.split("\n\n"):
        blocks.append(Block("paragraph", start, start + len(part)))
        start += len(part) + 2
    return LoadedText(text, blocks)


def span(phrase: str, text: str = TEXT) -> tuple[int, int]:
    """The offsets of the only occurrence of phrase in text."""
    assert text.count(phrase) == 1, phrase
    start = text.index(phrase)
    return start, start + len(phrase)


def state(store: Store, document_id: int) -> list[Highlight]:
    """The document's highlights as stored, by id, without `updated` (which any write changes)."""
    return sorted((replace(h, updated="") for h in store.highlights(document_id)), key=_id)


def _id(highlight: Highlight) -> str:
    return highlight.id


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Timestamps a second apart on each call, so that `created` orders and `updated` shows."""
    ticks = iter(range(3600))

    def fake_now() -> str:
        tick = next(ticks)
        return f"2026-11-28T12:{tick // 60:02d}:{tick % 60:02d}Z"

    monkeypatch.setattr(store_module, "utc_now", fake_now)


@pytest.fixture
def doc(store: Store) -> Document:
    return store.add_document(loaded(TEXT), path="/page.txt", source_hash="page")


@pytest.fixture
def annotator(store: Store, doc: Document) -> Annotator:
    return Annotator(store, doc.id, TEXT, doc.text_hash)


class Calls:
    """Every highlight-writing store call, with a check run after each one returns."""

    WRITES = (
        "add_highlight",
        "restore_highlight",
        "update_highlight",
        "update_highlights",
        "set_tags",
        "delete_highlight",
    )

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        self.after: Callable[[], None] = lambda: None
        for name in self.WRITES:
            monkeypatch.setattr(store, name, self._wrap(name, getattr(store, name)))

    def _wrap(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.names.append(name)
            result = method(*args, **kwargs)
            self.after()
            return result

        return wrapper


# --- making and finding highlights ----------------------------------------------------


def test_a_highlight_is_trimmed_and_stored_with_its_selector(
    store: Store, doc: Document, annotator: Annotator
) -> None:
    start, end = span("The second sentence is where the reader stops to think about the argument.")
    # The selection takes in the spaces around the sentence, and a newline.
    made = annotator.highlight(start - 1, end + 1, color=3)
    assert (made.start, made.end) == (start, end)
    assert made.quote == TEXT[start:end]
    assert made.prefix == TEXT[start - CONTEXT : start] and len(made.prefix) == CONTEXT
    assert made.suffix == TEXT[end : end + CONTEXT] and len(made.suffix) == CONTEXT
    assert made.text_hash == doc.text_hash
    assert (made.color, made.status, made.score, made.note, made.tags) == (3, "exact", 1.0, "", [])
    assert store.highlights(doc.id) == [made]
    assert annotator.highlights == [made] == annotator.anchored
    assert all(annotator.at(offset) == made for offset in range(start, end))
    assert annotator.at(start - 1) is None and annotator.at(end) is None
    assert annotator.can_undo


def test_a_highlight_across_a_paragraph_break_keeps_the_break_inside(
    annotator: Annotator,
) -> None:
    start, _ = span("the main claim.")
    _, end = span("A new paragraph")
    made = annotator.highlight(start, end + 1)
    assert made.quote == "the main claim.\n\nA new paragraph"
    assert annotator.at(start + len("the main claim.") + 1) == made


def test_highlights_at_the_ends_of_the_text_have_shorter_context(annotator: Annotator) -> None:
    first = annotator.highlight(0, 3)
    assert (first.quote, first.prefix, first.suffix) == ("The", "", TEXT[3 : 3 + CONTEXT])
    last = annotator.highlight(len(TEXT) - 9, len(TEXT) + 50)
    assert (last.quote, last.suffix) == ("it ends.", "")
    assert last.prefix == TEXT[last.start - CONTEXT : last.start]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (10, 10),  # empty
        (30, 20),  # backwards
        (-5, 0),  # before the text
        (len(TEXT), len(TEXT) + 4),  # after it
        (TEXT.index("\n\n"), TEXT.index("\n\n") + 2),  # a paragraph break only
        (TEXT.index(". ") + 1, TEXT.index(". ") + 2),  # a space only
    ],
)
def test_an_empty_or_blank_range_is_refused(
    store: Store, doc: Document, annotator: Annotator, start: int, end: int
) -> None:
    with pytest.raises(ValueError):
        annotator.highlight(start, end)
    assert store.highlights(doc.id) == []
    assert not annotator.can_undo
    assert annotator.undo() is None


def test_the_innermost_of_nested_highlights_is_the_one_at_an_offset(annotator: Annotator) -> None:
    sentence = span("A third one follows, longer than the others, and it carries the main claim.")
    clause = span("longer than the others")
    word = span("others")
    outer = annotator.highlight(*sentence, color=1)
    middle = annotator.highlight(*clause, color=2)
    inner = annotator.highlight(*word, color=3)
    assert [h.id for h in annotator.anchored] == [outer.id, middle.id, inner.id]
    assert annotator.at(word[0]) == inner
    assert annotator.at(word[1] - 1) == inner
    assert annotator.at(clause[0]) == middle
    assert annotator.at(word[0] - 1) == middle
    assert annotator.at(word[1]) == outer
    assert annotator.at(sentence[0]) == outer
    assert annotator.at(sentence[1] - 1) == outer
    assert annotator.overlapping(*word) == [outer, middle, inner]
    assert annotator.overlapping(sentence[0], clause[0]) == [outer]


def test_next_and_previous_go_by_start(annotator: Annotator) -> None:
    a = annotator.highlight(*span("first sentence"), color=1)
    b = annotator.highlight(*span("second sentence"), color=2)
    c = annotator.highlight(*span("new paragraph"), color=1)
    assert annotator.next_after(0) == a
    assert annotator.next_after(a.start) == b
    assert annotator.next_after(b.start + 3) == c
    assert annotator.next_after(c.start) is None
    assert annotator.previous_before(c.start) == b
    assert annotator.previous_before(c.start + 1) == c
    assert annotator.previous_before(a.start) is None
    assert annotator.previous_before(len(TEXT)) == c


def test_orphans_are_kept_apart_from_the_anchored(
    store: Store, doc: Document, annotator: Annotator
) -> None:
    kept = annotator.highlight(*span("first sentence"))
    lost = annotator.highlight(*span("second sentence"))
    store.update_highlight(lost.id, status="orphan", score=0.0)
    annotator.reload()
    assert annotator.anchored == [kept]
    assert [h.id for h in annotator.orphans] == [lost.id]
    assert annotator.at(lost.start) is None
    assert annotator.overlapping(lost.start, lost.end) == []
    assert annotator.next_after(kept.start) is None


def _random_document(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int, str]]]:
    text = draw(st.text(alphabet="ab \n", min_size=1, max_size=60))
    size = len(text)
    ranges = draw(
        st.lists(
            st.tuples(
                st.integers(0, size - 1),
                st.integers(1, size),
                st.integers(1, 5),
                st.sampled_from(["exact", "moved", "fuzzy", "orphan"]),
            ),
            max_size=14,
        )
    )
    return text, [
        (min(a, b), max(a, b), colour, status) for a, b, colour, status in ranges if a != b
    ]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_lookups_agree_with_a_brute_force_scan(data: st.DataObject) -> None:
    text, ranges = _random_document(data.draw)
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "m.db") as store:
        doc = store.add_document(loaded(text), path="/random.txt", source_hash="random")
        for start, end, colour, status in ranges:
            selector = make_selector(text, start, end)
            store.add_highlight(
                Highlight(
                    "", doc.id, start, end, selector.quote, selector.prefix, selector.suffix,
                    doc.text_hash, colour, status=status, score=0.0 if status == "orphan" else 1.0,
                )
            )  # fmt: skip
        annotator = Annotator(store, doc.id, text, doc.text_hash)
    anchored = annotator.anchored
    assert sorted(h.id for h in anchored) == sorted(
        h.id for h in annotator.highlights if h.status != "orphan"
    )
    assert [h.start for h in anchored] == sorted(h.start for h in anchored)
    size = len(text)
    queries = [(a, b) for a in range(size + 1) for b in range(a + 1, size + 2)]
    for start, end in queries:
        expected = [h for h in anchored if h.start < end and h.end > start]
        assert annotator.overlapping(start, end) == expected, (start, end)
    for offset in range(-1, size + 2):
        under = [h for h in anchored if h.start <= offset < h.end]
        found = annotator.at(offset)
        if not under:
            assert found is None
        else:
            assert found in under
            assert found.end - found.start == min(h.end - h.start for h in under)
        after = [h for h in anchored if h.start > offset]
        assert annotator.next_after(offset) == (after[0] if after else None)
        before = [h for h in anchored if h.start < offset]
        assert annotator.previous_before(offset) == (before[-1] if before else None)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_highlights_merge_by_colour_and_undo_back_to_nothing(data: st.DataObject) -> None:
    text, ranges = _random_document(data.draw)
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "m.db") as store:
        doc = store.add_document(loaded(text), path="/random.txt", source_hash="random")
        annotator = Annotator(store, doc.id, text, doc.text_hash)
        covered: dict[int, set[int]] = {}
        snapshots = [state(store, doc.id)]
        for start, end, colour, _ in ranges:
            stripped = text[start:end].strip()
            if not stripped:
                with pytest.raises(ValueError):
                    annotator.highlight(start, end, colour)
                continue
            made = annotator.highlight(start, end, colour)
            first = start + text[start:end].index(stripped[0])
            covered.setdefault(colour, set()).update(range(first, first + len(stripped)))
            assert made.start <= first and first + len(stripped) <= made.end
            snapshots.append(state(store, doc.id))
            assert sorted(annotator.highlights, key=_id) == sorted(
                store.highlights(doc.id), key=_id
            )
            # Highlights of one colour never overlap or touch, and cover exactly what was asked.
            for colour_now, offsets in covered.items():
                same = [h for h in annotator.anchored if h.color == colour_now]
                for a, b in pairwise(same):
                    assert a.end < b.start
                assert {o for h in same for o in range(h.start, h.end)} == offsets
                assert all(h.quote == text[h.start : h.end] for h in same)
        for snapshot in reversed(snapshots[:-1]):
            assert annotator.undo() is not None
            assert state(store, doc.id) == snapshot
        assert annotator.undo() is None
        assert store.highlights(doc.id) == []


# --- merging ----------------------------------------------------------------------------


def test_one_colour_merges_overlapping_and_touching_highlights_keeping_the_oldest(
    store: Store, doc: Document, annotator: Annotator, clock: None
) -> None:
    later_start, later_end = span("stops to think about")
    earlier_start, earlier_end = span("sentence is where")
    oldest = annotator.highlight(later_start, later_end, color=2)
    annotator.set_note(oldest.id, "Why stop here?")
    annotator.set_tags(oldest.id, ["Argument", "reading"])
    younger = annotator.highlight(earlier_start, earlier_end, color=2)
    annotator.set_note(younger.id, "The place.")
    annotator.set_tags(younger.id, ["argument", "Place"])
    other_colour = annotator.highlight(*span("where the reader"), color=4)
    before = state(store, doc.id)
    # Bridges the two: from inside the younger one into the oldest.
    merged = annotator.highlight(earlier_end - 3, later_start + 2, color=2)
    assert merged.id == oldest.id
    assert (merged.start, merged.end) == (earlier_start, later_end)
    assert merged.quote == TEXT[earlier_start:later_end]
    assert merged.prefix == TEXT[earlier_start - CONTEXT : earlier_start]
    assert merged.suffix == TEXT[later_end : later_end + CONTEXT]
    # Notes in text order, a blank line between; tags each once, whatever their case.
    assert merged.note == "The place.\n\nWhy stop here?"
    assert sorted(t.casefold() for t in merged.tags) == ["argument", "place", "reading"]
    assert sorted(h.id for h in store.highlights(doc.id)) == sorted([oldest.id, other_colour.id])
    assert store.get_highlight(oldest.id) == merged
    assert annotator.get(other_colour.id) == store.get_highlight(other_colour.id)

    assert annotator.undo() == "merged 3 highlights"
    assert state(store, doc.id) == before
    assert sorted(annotator.highlights, key=_id) == sorted(store.highlights(doc.id), key=_id)


def test_the_oldest_is_kept_even_when_made_in_the_same_second(
    store: Store, doc: Document, annotator: Annotator
) -> None:
    # No fake clock: all three are made within the same second, most likely.
    oldest = annotator.highlight(*span("stops to think"), color=1)
    younger = annotator.highlight(*span("sentence is where"), color=1)
    merged = annotator.highlight(younger.end - 2, oldest.start + 2, color=1)
    assert merged.id == oldest.id
    assert [h.id for h in store.highlights(doc.id)] == [oldest.id]


def test_a_touching_highlight_merges_and_one_a_space_away_does_not(
    store: Store, doc: Document, annotator: Annotator
) -> None:
    start, end = span("second")
    first = annotator.highlight(start, start + 3)
    touching = annotator.highlight(start + 3, end)
    assert touching.id == first.id and (touching.start, touching.end) == (start, end)
    apart = annotator.highlight(end + 1, end + len(" sentence"))
    assert apart.id != first.id
    assert [(h.start, h.end) for h in store.highlights(doc.id)] == [
        (start, end),
        (end + 1, end + len(" sentence")),
    ]


def test_a_highlight_inside_one_of_its_colour_merges_into_it_unchanged(
    store: Store, doc: Document, annotator: Annotator
) -> None:
    outer = annotator.highlight(*span("The second sentence is where"), color=5)
    annotator.set_note(outer.id, "kept")
    before = state(store, doc.id)
    inside = annotator.highlight(*span("sentence is"), color=5)
    assert inside.id == outer.id
    assert (inside.start, inside.end, inside.note) == (outer.start, outer.end, "kept")
    assert len(store.highlights(doc.id)) == 1
    annotator.undo()
    assert state(store, doc.id) == before


def test_different_colours_overlap_without_merging(
    store: Store, doc: Document, annotator: Annotator
) -> None:
    a = annotator.highlight(*span("second sentence is"), color=1)
    b = annotator.highlight(*span("sentence is where"), color=2)
    c = annotator.highlight(*span("where the"), color=3)
    assert len({a.id, b.id, c.id}) == 3
    assert [(h.start, h.end, h.color) for h in store.highlights(doc.id)] == [
        (a.start, a.end, 1),
        (b.start, b.end, 2),
        (c.start, c.end, 3),
    ]


# --- changing and undoing ---------------------------------------------------------------


def _set_color(annotator: Annotator, h: Highlight) -> Highlight:
    return annotator.set_color(h.id, 5)


def _set_note(annotator: Annotator, h: Highlight) -> Highlight:
    return annotator.set_note(h.id, "A second thought,\n\nin two paragraphs.")


def _set_tags(annotator: Annotator, h: Highlight) -> Highlight:
    return annotator.set_tags(h.id, ["Fresh", "topic/one", "fresh"])


def _clear_tags(annotator: Annotator, h: Highlight) -> Highlight:
    return annotator.set_tags(h.id, [])


def _reattach(annotator: Annotator, h: Highlight) -> Highlight:
    start, end = span("A new paragraph begins here")
    return annotator.reattach(h.id, start - 2, end)


def _delete(annotator: Annotator, h: Highlight) -> Highlight:
    return annotator.delete(h.id)


EDITS = [_set_color, _set_note, _set_tags, _clear_tags, _reattach, _delete]


@pytest.fixture
def noted(store: Store, doc: Document, annotator: Annotator, clock: None) -> Highlight:
    """A highlight with a note and tags, beside another one that no edit touches."""
    annotator.highlight(*span("first sentence"), color=2)
    made = annotator.highlight(*span("the reader stops"), color=3)
    annotator.set_note(made.id, "First thought.")
    return annotator.set_tags(made.id, ["Reading", "only-here"])


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__.strip("_"))
def test_each_edit_is_stored_and_undone_exactly(
    store: Store, doc: Document, annotator: Annotator, noted: Highlight, edit: Callable[..., Any]
) -> None:
    before = state(store, doc.id)
    tags_before = store.tag_counts()
    edited = edit(annotator, noted)
    after = state(store, doc.id)
    assert after != before
    if edit is _delete:
        assert noted.id not in {h.id for h in after}
        assert replace(edited, updated="") == replace(noted, updated="")
    else:
        assert replace(store.get_highlight(noted.id), updated="") == replace(edited, updated="")
    if edit is _set_tags:
        assert edited.tags == ["Fresh", "topic/one"]
    if edit is _reattach:
        assert (edited.quote, edited.status, edited.score) == (
            "A new paragraph begins here",
            "exact",
            1.0,
        )
        assert (edited.note, edited.tags) == (noted.note, noted.tags)
    assert annotator.can_undo
    assert annotator.undo() is not None
    assert state(store, doc.id) == before
    assert store.tag_counts() == tags_before
    assert sorted(annotator.highlights, key=_id) == sorted(store.highlights(doc.id), key=_id)


def test_an_orphan_reattached_and_undone_is_an_orphan_again(
    store: Store, doc: Document, annotator: Annotator, noted: Highlight
) -> None:
    store.update_highlight(noted.id, status="orphan", score=0.0, text_hash="0" * 64)
    annotator.reload()
    before = state(store, doc.id)
    start, end = span("main claim")
    attached = annotator.reattach(noted.id, start, end)
    assert (attached.id, attached.status, attached.score) == (noted.id, "exact", 1.0)
    assert attached.text_hash == doc.text_hash
    assert annotator.at(start) == attached and annotator.orphans == []
    with pytest.raises(ValueError):
        annotator.reattach(noted.id, start - 1, start)  # a space only
    annotator.undo()
    assert state(store, doc.id) == before
    assert [h.id for h in annotator.orphans] == [noted.id]


def test_undo_goes_back_one_change_at_a_time(
    store: Store, doc: Document, annotator: Annotator, clock: None
) -> None:
    states = [state(store, doc.id)]
    made = annotator.highlight(*span("second sentence"))
    states.append(state(store, doc.id))
    annotator.set_note(made.id, "one")
    states.append(state(store, doc.id))
    annotator.set_color(made.id, 4)
    states.append(state(store, doc.id))
    annotator.set_tags(made.id, ["a", "b"])
    states.append(state(store, doc.id))
    annotator.set_note(made.id, "two")
    states.append(state(store, doc.id))
    other = annotator.highlight(*span("third one"), color=4)
    states.append(state(store, doc.id))
    annotator.delete(other.id)
    states.append(state(store, doc.id))
    described = []
    for expected in reversed(states[:-1]):
        assert annotator.can_undo
        described.append(annotator.undo())
        assert state(store, doc.id) == expected
    assert described == ["delete", "highlight", "note", "tags", "colour 4", "note", "highlight"]
    assert not annotator.can_undo
    assert annotator.undo() is None
    assert store.highlights(doc.id) == []


def test_undoing_edits_updates_in_place_and_never_deletes(
    store: Store,
    doc: Document,
    annotator: Annotator,
    noted: Highlight,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    edits = [edit for edit in EDITS if edit is not _delete]
    for edit in edits:
        edit(annotator, noted)
    calls = Calls(store, monkeypatch)

    def still_there() -> None:
        assert noted.id in {h.id for h in store.highlights(doc.id)}

    calls.after = still_there
    for _ in edits:
        annotator.undo()
    assert calls.names  # it did write, after each write the highlight was there ...
    assert "delete_highlight" not in calls.names  # ... and it was never deleted
    assert replace(store.get_highlight(noted.id), updated="") == replace(noted, updated="")


def test_no_note_is_lost_at_any_step_of_a_merge_or_its_undo(
    store: Store, doc: Document, annotator: Annotator, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = {
        "left": span("first sentence"),
        "middle": span("says very"),
        "right": span("of interest"),
    }
    for note, where in notes.items():
        made = annotator.highlight(*where)
        annotator.set_note(made.id, note)
    calls = Calls(store, monkeypatch)

    def every_note_somewhere() -> None:
        stored = "\n\n".join(h.note for h in store.highlights(doc.id))
        assert all(note in stored for note in notes)

    calls.after = every_note_somewhere
    merged = annotator.highlight(notes["left"][0], notes["right"][1])
    assert merged.note == "left\n\nmiddle\n\nright"
    assert calls.names.index("update_highlight") < calls.names.index("delete_highlight")
    calls.names.clear()
    annotator.undo()
    assert "delete_highlight" not in calls.names
    assert sorted(h.note for h in store.highlights(doc.id)) == sorted(notes)


def test_undo_is_remembered_for_two_hundred_changes(annotator: Annotator) -> None:
    made = annotator.highlight(*span("first"))
    for number in range(205):
        annotator.set_note(made.id, str(number))
    undone = 0
    while annotator.undo() is not None:
        undone += 1
    assert undone == 200
    assert annotator.get(made.id) is not None
    assert annotator.get(made.id).note == "4"  # type: ignore[union-attr]


# --- re-anchoring -----------------------------------------------------------------------

OLD = (
    "Margins are where a reader talks back to the book. "
    "A pencil line under a sentence says that the sentence mattered on that day. "
    "The note beside it says why, and the why is what we forget first. "
    "This sentence will be removed from the next edition entirely. "
    "Good tools keep the line and the note together for years."
)
INSERTED = "An inserted sentence pushes everything after it along. "
NEW = (
    OLD.replace("the book. ", "the book. " + INSERTED)
    .replace("we forget first", "we lose first")
    .replace("This sentence will be removed from the next edition entirely. ", "")
)
SENTENCES = {
    "same": "Margins are where a reader talks back to the book.",
    "moved": "A pencil line under a sentence says that the sentence mattered on that day.",
    "fuzzy": "The note beside it says why, and the why is what we forget first.",
    "orphan": "This sentence will be removed from the next edition entirely.",
    "last": "Good tools keep the line and the note together for years.",
}


@pytest.fixture
def edited(store: Store, clock: None) -> tuple[Document, dict[str, Highlight]]:
    """A document whose highlights were made on OLD and whose file now holds NEW."""
    doc = store.add_document(loaded(OLD), path="/essay.txt", source_hash="v1")
    annotator = Annotator(store, doc.id, OLD, doc.text_hash)
    made = {}
    for key, sentence in SENTENCES.items():
        highlight = annotator.highlight(*span(sentence, OLD), color=2)
        annotator.set_note(highlight.id, f"on {key}")
        made[key] = annotator.set_tags(highlight.id, [key, "essay"])
    moved = store.add_document(loaded(NEW), path="/essay.txt", source_hash="v2")
    assert moved.id == doc.id and moved.text_hash != doc.text_hash
    assert len(Annotator(store, doc.id, NEW, moved.text_hash).stale) == len(SENTENCES)
    return moved, made


def test_reanchoring_moves_fuzzes_and_orphans(
    store: Store, edited: tuple[Document, dict[str, Highlight]]
) -> None:
    doc, made = edited
    counts = reanchor_document(store, doc.id, NEW, doc.text_hash)
    assert counts == Counter(exact=1, moved=2, fuzzy=1, orphan=1)
    now = {h.id: h for h in store.highlights(doc.id)}
    same, moved, last = now[made["same"].id], now[made["moved"].id], now[made["last"].id]
    assert (same.status, same.start, same.end) == ("exact", made["same"].start, made["same"].end)
    for old, new in ((made["moved"], moved), (made["last"], last)):
        assert new.status == "moved" and new.score == 1.0
        assert new.quote == old.quote == NEW[new.start : new.end]
    assert moved.start == made["moved"].start + len(INSERTED)
    for key in ("same", "moved", "last"):
        h = now[made[key].id]
        assert h.text_hash == doc.text_hash
        assert (h.prefix, h.suffix) == (
            NEW[max(0, h.start - CONTEXT) : h.start],
            NEW[h.end : h.end + CONTEXT],
        )
        assert (h.note, h.tags) == (f"on {key}", [key, "essay"])

    fuzzy = now[made["fuzzy"].id]
    assert fuzzy.status == "fuzzy" and 0.8 <= fuzzy.score < 1.0
    assert NEW[fuzzy.start : fuzzy.end] == fuzzy.quote
    assert fuzzy.quote == "The note beside it says why, and the why is what we lose first."
    assert fuzzy.text_hash == doc.text_hash

    orphan, was = now[made["orphan"].id], made["orphan"]
    assert (orphan.status, orphan.score) == ("orphan", 0.0)
    assert (orphan.note, orphan.tags) == ("on orphan", ["orphan", "essay"])
    # It keeps the text it was made on, so that its old context can still be shown.
    assert (orphan.start, orphan.end, orphan.quote, orphan.prefix, orphan.suffix) == (
        was.start,
        was.end,
        was.quote,
        was.prefix,
        was.suffix,
    )
    assert orphan.text_hash == was.text_hash != doc.text_hash
    annotator = Annotator(store, doc.id, NEW, doc.text_hash)
    assert [h.id for h in annotator.stale] == [orphan.id]
    assert [h.id for h in annotator.orphans] == [orphan.id]


def test_reanchoring_twice_retries_only_the_orphans_and_writes_nothing_new(
    store: Store, edited: tuple[Document, dict[str, Highlight]], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc, _ = edited
    reanchor_document(store, doc.id, NEW, doc.text_hash)
    first = store.highlights(doc.id)
    calls = Calls(store, monkeypatch)
    assert reanchor_document(store, doc.id, NEW, doc.text_hash) == Counter(orphan=1)
    assert store.highlights(doc.id) == first  # `updated` included
    assert [name for name in calls.names if name != "update_highlights"] == []


def test_nothing_is_written_when_cancelled(
    store: Store, edited: tuple[Document, dict[str, Highlight]]
) -> None:
    doc, _ = edited
    before = store.highlights(doc.id)
    assert reanchor_document(store, doc.id, NEW, doc.text_hash, cancelled=lambda: True) == Counter()
    assert store.highlights(doc.id) == before


def test_a_cancel_after_the_last_anchor_still_writes_nothing(
    store: Store, edited: tuple[Document, dict[str, Highlight]]
) -> None:
    doc, _ = edited
    before = store.highlights(doc.id)
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 1  # cancelled while the anchors were being found

    assert reanchor_document(store, doc.id, NEW, doc.text_hash, cancelled) == Counter()
    assert store.highlights(doc.id) == before


def test_a_cancel_midway_through_many_highlights_writes_nothing(store: Store) -> None:
    words = [f"word{n:03d}" for n in range(150)]
    old = " ".join(words)
    doc = store.add_document(loaded(old), path="/words.txt", source_hash="v1")
    annotator = Annotator(store, doc.id, old, doc.text_hash)
    for word in words[:100]:
        annotator.highlight(*span(word, old), color=1 + len(annotator.highlights) % 2)
    new = "Prepended. " + old
    moved = store.add_document(loaded(new), path="/words.txt", source_hash="v2")
    before = store.highlights(doc.id)
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 1

    assert reanchor_document(store, doc.id, new, moved.text_hash, cancelled) == Counter()
    assert store.highlights(doc.id) == before
    assert reanchor_document(store, doc.id, new, moved.text_hash) == Counter(moved=100)


def test_an_orphan_comes_back_when_the_text_is_changed_back(
    store: Store, edited: tuple[Document, dict[str, Highlight]]
) -> None:
    doc, made = edited
    reanchor_document(store, doc.id, NEW, doc.text_hash)
    back = store.add_document(loaded(OLD), path="/essay.txt", source_hash="v1")
    annotator = Annotator(store, doc.id, OLD, back.text_hash)
    assert made["orphan"].id in {h.id for h in annotator.stale}
    counts = reanchor_document(store, doc.id, OLD, back.text_hash)
    assert counts["orphan"] == 0
    now = {h.id: h for h in store.highlights(doc.id)}
    for key in ("same", "moved", "orphan", "last"):
        h, was = now[made[key].id], made[key]
        assert (h.start, h.end, h.quote, h.text_hash) == (
            was.start,
            was.end,
            was.quote,
            back.text_hash,
        )
        assert h.status in ("exact", "moved")


def test_a_highlight_changed_during_reanchoring_is_left_as_it_was_changed(
    store: Store, edited: tuple[Document, dict[str, Highlight]]
) -> None:
    doc, made = edited
    annotator = Annotator(store, doc.id, NEW, doc.text_hash)
    start, end = span("An inserted sentence", NEW)

    def meanwhile() -> bool:
        # The reader acts while the worker re-anchors: one deleted, one re-attached by hand.
        if annotator.get(made["moved"].id) is not None:
            annotator.delete(made["moved"].id)
            annotator.reattach(made["orphan"].id, start, end)
        return False

    counts = reanchor_document(store, doc.id, NEW, doc.text_hash, meanwhile)
    now = {h.id: h for h in store.highlights(doc.id)}
    assert made["moved"].id not in now
    attached = now[made["orphan"].id]
    assert (attached.status, attached.quote) == ("exact", "An inserted sentence")
    assert now[made["last"].id].status == "moved"
    assert counts == Counter(exact=1, moved=1, fuzzy=1)


def test_nothing_stale_means_nothing_to_do(
    store: Store, doc: Document, annotator: Annotator
) -> None:
    annotator.highlight(*span("first sentence"))
    before = store.highlights(doc.id)
    assert reanchor_document(store, doc.id, TEXT, doc.text_hash) == Counter()
    assert store.highlights(doc.id) == before

"""Wrapping canonical text into rows: nothing lost, nothing reordered, every offset found again."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from db.models import Block
from tui.layout import Layout, block_indents, wrap_line


def blocks_of(text: str, kinds: list[str] | None = None) -> list[Block]:
    """Blocks for a text whose blocks are separated by blank lines."""
    blocks = []
    position = 0
    for number, part in enumerate(text.split("\n\n")):
        kind = kinds[number % len(kinds)] if kinds else "paragraph"
        blocks.append(Block(kind, position, position + len(part), level=number % 2))
        position += len(part) + 2
    return blocks


pieces = st.sampled_from([*"abcdefghij  ,.—éü日本語🙂", "e\u0301", "\u200b", "👨\u200d👩"])
words = st.lists(pieces, min_size=1, max_size=40).map("".join)
block_texts = st.lists(words, min_size=1, max_size=12).map(" ".join).map(str.strip).filter(bool)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[Block]]:
    parts = draw(st.lists(block_texts, min_size=1, max_size=8))
    # Some blocks carry hard line breaks, as verse and code do.
    parts = [p.replace("  ", "\n", 1) if draw(st.booleans()) else p for p in parts]
    text = "\n\n".join(parts)
    kinds = draw(
        st.lists(
            st.sampled_from(["paragraph", "heading", "quote", "list_item", "code"]),
            min_size=1,
            max_size=4,
        )
    )
    return text, blocks_of(text, kinds)


def rows_of(layout: Layout) -> list:
    return [layout.row(number) for number in range(layout.total_rows)]


@settings(max_examples=120, deadline=None)
@given(documents(), st.integers(min_value=1, max_value=50))
def test_rows_cover_every_character_once_in_order(document, width):
    text, blocks = document
    layout = Layout(text, blocks, width)
    seen = []
    for row in rows_of(layout):
        if row is not None:
            seen.append((row.start, row.end))
    # Rows are in text order and never overlap.
    assert seen == sorted(seen)
    for (_, end), (start, _) in itertools.pairwise(seen):
        assert end <= start
    # Between consecutive rows only the line break of the text is left out.
    covered = "".join(text[start:end] for start, end in seen)
    assert covered.replace("\n", "") == "".join(
        text[b.start : b.end].replace("\n", "") for b in blocks
    )


@settings(max_examples=120, deadline=None)
@given(documents(), st.integers(min_value=1, max_value=50))
def test_every_offset_maps_to_a_row_that_shows_it(document, width):
    text, blocks = document
    layout = Layout(text, blocks, width)
    for block in blocks:
        for offset in range(block.start, block.end):
            if text[offset] == "\n":
                continue
            row = layout.row(layout.row_of_offset(offset))
            assert row is not None
            assert row.start <= offset < max(row.end, row.start + 1)
    for number, row in enumerate(rows_of(layout)):
        if row is not None:
            assert layout.row_of_offset(row.start) == number


@settings(max_examples=120, deadline=None)
@given(documents(), st.integers(min_value=4, max_value=50))
def test_rows_fit_the_width(document, width):
    text, blocks = document
    layout = Layout(text, blocks, width)
    for row in rows_of(layout):
        if row is None:
            continue
        shown = text[row.start : row.end].rstrip(" \u200b")
        room = max(1, width - row.indent)
        # A single grapheme wider than the room is the one thing allowed to overflow.
        assert cell_len(shown) <= room or len(split_graphemes(shown)[0]) == 1


@settings(max_examples=100, deadline=None)
@given(documents(), st.integers(min_value=1, max_value=50), st.data())
def test_a_window_lays_out_its_blocks_as_the_whole_does(document, width, data):
    text, blocks = document
    first = data.draw(st.integers(min_value=0, max_value=len(blocks) - 1))
    last = data.draw(st.integers(min_value=first + 1, max_value=len(blocks)))
    whole = Layout(text, blocks, width)
    window = Layout(text, blocks, width, first, last)
    offset = whole.block_row(first)
    assert window.is_window == (first > 0 or last < len(blocks))
    for number in range(window.total_rows):
        assert window.row(number) == whole.row(number + offset)


def test_a_blank_row_separates_blocks():
    text = "one\n\ntwo"
    layout = Layout(text, blocks_of(text), 20)
    assert layout.total_rows == 3
    assert layout.row(1) is None
    assert text[layout.row(2).start : layout.row(2).end] == "two"


def test_prose_wraps_at_spaces():
    text = "the quick brown fox jumps over the lazy dog"
    starts = wrap_line(text, 0, len(text), 10)
    assert [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=False)] == [
        "the quick",
        "brown fox",
        "jumps over",
        "the lazy",
        "dog",
    ]


def test_a_long_word_is_cut():
    text = "x" * 25
    assert wrap_line(text, 0, 25, 10) == [0, 10, 20]


def test_wide_characters_take_two_cells():
    text = "日本語の文章です"
    starts = wrap_line(text, 0, len(text), 6)
    assert starts == [0, 3, 6]


def test_list_items_hang_under_their_text():
    text = "• a list item long enough to wrap"
    block = Block("list_item", 0, len(text), level=1)
    first, rest = block_indents(block, text)
    assert (first, rest) == (2, 4)
    layout = Layout(text, [block], 16)
    assert layout.row(0).indent == 2
    assert layout.row(1).indent == 4


def test_code_keeps_its_lines():
    text = "def f():\n    return 1"
    layout = Layout(text, [Block("code", 0, len(text))], 40)
    assert [text[r.start : r.end] for r in rows_of(layout)] == ["def f():", "    return 1"]


def test_offsets_between_blocks_go_to_the_next_block():
    text = "one\n\ntwo"
    layout = Layout(text, blocks_of(text), 20)
    assert layout.row_of_offset(3) == 0  # the end of "one" is still its row
    assert layout.row_of_offset(4) == 2

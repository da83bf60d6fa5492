"""Wrapping the canonical text into display rows for one width: pure Python, no widgets.

A `Layout` maps display rows to ``[start, end)`` ranges of the canonical text
and back. It is built per width (and rebuilt off the UI thread when the width
changes); the article view renders only the rows on screen from it. Rows are
kept in flat ``array`` columns so a 4 MB book costs a few hundred kilobytes.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rich.cells import split_graphemes

from db.models import Block

#: Characters known to take exactly one terminal cell. Text made only of these
#: wraps with str.rfind; anything else (wide CJK, combining marks, emoji,
#: zero-width characters) goes through the grapheme-aware path.
_NOT_SINGLE_CELL = re.compile(
    "[^\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0482\u048a-\u052f"
    "\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u2100-\u2189\u2500-\u25fc]"
)

#: A list item's marker ("• ", "- ", "12. ", "a) "): continuation rows hang under its text.
_LIST_MARKER = re.compile(r"\s*(?:[•◦▪‣*+\-]|\d{1,9}[.)]|[a-zA-Z][.)])\s+")

#: Kinds whose lines are kept as they are (chopped, not word-wrapped, when too long).
_KEEP_LINES = frozenset({"code", "table"})

INDENT_STEP = 2


@dataclass(frozen=True, slots=True)
class Row:
    """One display row: the block it belongs to, its text range and its indent in cells."""

    block: int
    start: int
    end: int
    indent: int


def block_indents(block: Block, text: str) -> tuple[int, int]:
    """The indent of a block's first row and of its following rows, in cells."""
    kind = block.kind
    if kind == "quote":
        indent = INDENT_STEP * (block.level + 1)
        return indent, indent
    if kind == "list_item":
        indent = INDENT_STEP * block.level
        marker = _LIST_MARKER.match(text, block.start, min(block.end, block.start + 16))
        hang = len(marker.group()) if marker else 0
        return indent, indent + hang
    if kind in _KEEP_LINES:
        return INDENT_STEP, INDENT_STEP
    return 0, 0


@dataclass(frozen=True)
class Markers:
    """Text shown between characters without being part of the text (plain mode's
    highlight boundaries): ``before[offset]`` is drawn just before the character
    at offset, ``after[offset]`` just after the character that ends at offset.

    They take cells on screen, so the layout wraps around them, but no offset:
    the cursor, selections and highlights still count characters of the text.
    """

    before: Mapping[int, str] = field(default_factory=dict)
    after: Mapping[int, str] = field(default_factory=dict)
    offsets: Sequence[int] = ()

    @classmethod
    def for_ranges(cls, ranges: Iterable[tuple[int, int, bool]]) -> Markers:
        """Markers around ``(start, end, noted)`` ranges: "[[" before, "]]" or "]][note]" after."""
        before: dict[int, str] = {}
        after: dict[int, str] = {}
        for start, end, noted in sorted(ranges):
            if end <= start:
                continue
            before[start] = before.get(start, "") + OPEN_MARK
            after[end] = after.get(end, "") + (CLOSE_NOTED_MARK if noted else CLOSE_MARK)
        return cls(before, after, sorted({*before, *after}))

    def any_in(self, start: int, end: int) -> bool:
        """True when a marker sits at an offset in ``[start, end]``."""
        index = bisect_left(self.offsets, start)
        return index < len(self.offsets) and self.offsets[index] <= end

    def within(self, start: int, end: int) -> Sequence[int]:
        """The marker offsets in ``[start, end]``, found by bisection (a row's, not all)."""
        return self.offsets[bisect_left(self.offsets, start) : bisect_right(self.offsets, end)]

    def cells(self, g_start: int, g_end: int) -> int:
        """Cells the markers around the character ``[g_start, g_end)`` take."""
        return len(self.before.get(g_start, "")) + len(self.after.get(g_end, ""))


def _ascii_for_box_drawing() -> dict[int, str]:
    """Box-drawing characters (U+2500-U+257F) mapped to the ASCII a plain screen shows instead."""
    import unicodedata

    table = {}
    for code in range(0x2500, 0x2580):
        name = unicodedata.name(chr(code), "")
        across, down = "HORIZONTAL" in name, "VERTICAL" in name
        table[code] = "-" if across and not down else "|" if down and not across else "+"
    return table


#: For ``str.translate``: one cell for one cell, so a plain row keeps its laid-out width.
PLAIN_TRANSLATION = _ascii_for_box_drawing()

#: Plain mode's text markers (ASCII, one cell per character).
OPEN_MARK = "[["
CLOSE_MARK = "]]"
CLOSE_NOTED_MARK = "]][note]"


def wrap_line(
    text: str,
    start: int,
    end: int,
    width: int,
    hang: int = 0,
    markers: Markers | None = None,
) -> list[int]:
    """Row start offsets for ``text[start:end]`` (one line, no newline) at ``width`` cells.

    The first row gets the full width, the following ones ``width - hang``.
    Breaks fall after spaces; a word longer than a row is cut. The first
    element is always ``start``. ``markers`` take cells beside the characters
    they stand by.
    """
    width = max(1, width)
    later_width = max(1, width - hang)
    if markers is not None and markers.any_in(start, end):
        return _wrap_graphemes(text, start, end, width, later_width, markers)
    if _NOT_SINGLE_CELL.search(text, start, end) is None:
        return _wrap_single_cell(text, start, end, width, later_width)
    return _wrap_graphemes(text, start, end, width, later_width)


def _wrap_single_cell(text: str, start: int, end: int, width: int, later_width: int) -> list[int]:
    starts = [start]
    pos = start
    row_width = width
    rfind = text.rfind
    while end - pos > row_width:
        space = rfind(" ", pos, pos + row_width + 1)
        if space <= pos:
            nxt = pos + row_width
        else:
            nxt = space + 1
            # A run of spaces stays at the end of the row it follows.
            while nxt < end and text[nxt] == " ":
                nxt += 1
            if nxt >= end:
                break
        starts.append(nxt)
        pos = nxt
        row_width = later_width
    return starts


def _wrap_graphemes(
    text: str,
    start: int,
    end: int,
    width: int,
    later_width: int,
    markers: Markers | None = None,
) -> list[int]:
    segment = text[start:end]
    spans, _total = split_graphemes(segment)
    starts = [start]
    row_width = width
    used = 0
    # The offset (within segment) where the current row may be broken, and the
    # cells used up to it: after a space, or before/after a wide character.
    break_at = -1
    used_at_break = 0
    row_start = 0
    for index, (g_start, g_end, cells) in enumerate(spans):
        char = segment[g_start]
        if cells == 2 and g_start > row_start and used > 0:
            break_at, used_at_break = g_start, used
        marked = 0
        if markers is not None:
            marked = markers.cells(start + g_start, start + g_end)
            cells += marked
        # A loop, not an if: after breaking at the last opportunity the rest may still not fit.
        # A space may hang past the row's end, unless a marker beside it would be cut off.
        while used + cells > row_width and g_start > row_start and (char != " " or marked):
            if break_at > row_start:
                cut, used = break_at, used - used_at_break
            else:
                cut, used = g_start, 0
            starts.append(start + cut)
            row_start = cut
            row_width = later_width
            break_at = -1
        used += cells
        if char == " ":
            next_start = spans[index + 1][0] if index + 1 < len(spans) else len(segment)
            break_at, used_at_break = next_start, used
    return starts


class Layout:
    """Display rows of a canonical text for one width, with a blank row between blocks.

    Built for all blocks, or for a window ``blocks[first_block:last_block]``
    (to paint the first screen of a book before the whole is wrapped).
    """

    def __init__(
        self,
        text: str,
        blocks: Sequence[Block],
        width: int,
        first_block: int = 0,
        last_block: int | None = None,
        cancelled: Callable[[], bool] | None = None,
        markers: Markers | None = None,
    ) -> None:
        self.text = text
        self.blocks = blocks
        self.width = max(1, width)
        self.markers = markers
        self.first_block = first_block
        self.last_block = len(blocks) if last_block is None else min(last_block, len(blocks))
        # Column arrays: row -> start offset (-1 for the blank row after a block),
        # and block (relative to first_block) -> its first row.
        self._row_starts = array("q")
        self._block_rows = array("q")
        self.complete = True
        row_starts = self._row_starts
        block_rows = self._block_rows
        for number in range(self.first_block, self.last_block):
            if cancelled is not None and number % 256 == 0 and cancelled():
                self.complete = False
                break
            if number > self.first_block:
                row_starts.append(-1)
            block_rows.append(len(row_starts))
            row_starts.extend(self._wrap_block(blocks[number]))

    @property
    def total_rows(self) -> int:
        return len(self._row_starts)

    @property
    def is_window(self) -> bool:
        """True when only part of the document is laid out."""
        return self.first_block > 0 or self.last_block < len(self.blocks)

    def _wrap_block(self, block: Block) -> list[int]:
        text = self.text
        first_indent, hang_indent = block_indents(block, text)
        width = self.width - first_indent
        hang = hang_indent - first_indent
        if block.kind == "rule":
            return [block.start]
        starts: list[int] = []
        line_start = block.start
        while True:
            newline = text.find("\n", line_start, block.end)
            line_end = block.end if newline < 0 else newline
            line_hang = 0 if block.kind in _KEEP_LINES else hang
            starts.extend(wrap_line(text, line_start, line_end, width, line_hang, self.markers))
            if newline < 0:
                return starts
            line_start = newline + 1

    def block_row(self, block_number: int) -> int:
        """The first row of a block (clamped to the laid-out window)."""
        index = min(max(block_number - self.first_block, 0), len(self._block_rows) - 1)
        return self._block_rows[index] if index >= 0 else 0

    def row(self, row: int) -> Row | None:
        """The text range of a row, or None for the blank row between blocks."""
        if not 0 <= row < len(self._row_starts):
            return None
        start = self._row_starts[row]
        if start < 0:
            return None
        relative = bisect_right(self._block_rows, row) - 1
        block_number = relative + self.first_block
        block = self.blocks[block_number]
        following = row + 1
        if following < len(self._row_starts) and self._row_starts[following] >= 0:
            end = self._row_starts[following]
        else:
            end = block.end
        if end > start and self.text[end - 1] == "\n":
            end -= 1
        first_indent, hang_indent = block_indents(block, self.text)
        first_of_line = row == self._block_rows[relative] or self.text[start - 1] == "\n"
        return Row(block_number, start, end, first_indent if first_of_line else hang_indent)

    def row_of_offset(self, offset: int) -> int:
        """The row showing ``offset``; offsets between blocks go to the next block's first row."""
        if not self._block_rows:
            return 0
        blocks = self.blocks
        lo, hi = self.first_block, self.last_block
        # Blocks are sorted by start: bisect on block ends finds the block at or after offset.
        while lo < hi:
            mid = (lo + hi) // 2
            if blocks[mid].end < offset:
                lo = mid + 1
            else:
                hi = mid
        block_number = min(lo, self.last_block - 1)
        relative = block_number - self.first_block
        first = self._block_rows[relative]
        last = (
            self._block_rows[relative + 1] - 1
            if relative + 1 < len(self._block_rows)
            else len(self._row_starts)
        )
        # Rows of one block: the last start <= offset.
        row = bisect_right(self._row_starts, offset, first, last) - 1
        return max(first, row)

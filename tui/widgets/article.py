"""The article pane: a virtual view that draws only the rows on screen, with a text cursor.

Every position here is a character offset into the canonical text; rows exist
only through the current `Layout`, which is rebuilt off the UI thread when the
width changes while the old one stays on screen.
"""

from __future__ import annotations

import itertools
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, split_graphemes
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import MouseDown, MouseMove, MouseUp, Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from db import text as boundaries
from db.locate import Locator
from db.models import Block, Highlight, PageMark, Span
from tui.layout import PLAIN_TRANSLATION, Layout, Markers

if TYPE_CHECKING:
    from db.annotate import Annotator

#: Cells left of the text for marks beside a row (notes, highlights).
GUTTER = 2
#: Rows kept visible above and below the cursor when it moves.
SCROLL_OFF = 2
#: Documents up to this many characters are wrapped whole before the first paint.
SMALL_DOCUMENT = 200_000
#: Blocks wrapped around the reading position for the first paint of a long document.
WINDOW_BLOCKS = 120


_SPAN_COMPONENTS = {
    "em": "article--em",
    "strong": "article--strong",
    "code": "article--code-inline",
    "link": "article--link",
}


class ArticleView(ScrollView, can_focus=True):
    """Shows a canonical text wrapped to a readable measure, with a cursor and search marks."""

    DEFAULT_CSS = """
    ArticleView {
        background: $background;
        color: $foreground;
        scrollbar-gutter: stable;
    }
    ArticleView > .article--heading { color: $accent; text-style: bold; }
    ArticleView > .article--heading-1 { color: $accent; text-style: bold underline; }
    ArticleView > .article--quote { color: $foreground-muted; text-style: italic; }
    ArticleView > .article--quote-bar { color: $primary; }
    ArticleView > .article--code { color: $foreground; background: $surface; }
    ArticleView > .article--rule { color: $foreground-muted; }
    ArticleView > .article--em { text-style: italic; }
    ArticleView > .article--strong { text-style: bold; }
    ArticleView > .article--code-inline { background: $surface; }
    ArticleView > .article--link { text-style: underline; }
    ArticleView > .article--cursor-line { background: $margin-cursor-line; }
    ArticleView > .article--cursor { background: $margin-cursor; color: $background; }
    ArticleView > .article--match { background: $margin-search-match; color: $foreground; }
    ArticleView > .article--match-current {
        background: $margin-search-current; color: $background; text-style: bold;
    }
    ArticleView > .article--notice { color: $foreground-muted; text-style: italic; }
    ArticleView > .article--highlight-1 { background: $margin-highlight-1; }
    ArticleView > .article--highlight-2 { background: $margin-highlight-2; }
    ArticleView > .article--highlight-3 { background: $margin-highlight-3; }
    ArticleView > .article--highlight-4 { background: $margin-highlight-4; }
    ArticleView > .article--highlight-5 { background: $margin-highlight-5; }
    ArticleView > .article--highlight-mark-1 { color: $margin-highlight-1; }
    ArticleView > .article--highlight-mark-2 { color: $margin-highlight-2; }
    ArticleView > .article--highlight-mark-3 { color: $margin-highlight-3; }
    ArticleView > .article--highlight-mark-4 { color: $margin-highlight-4; }
    ArticleView > .article--highlight-mark-5 { color: $margin-highlight-5; }
    ArticleView > .article--highlight-current { text-style: underline; }
    ArticleView > .article--highlight-overlap { text-style: bold underline; }
    ArticleView > .article--note-mark { color: $accent; text-style: bold; }
    ArticleView > .article--selection { background: $margin-selection; color: $foreground; }
    /* Without colour (NO_COLOR, a monochrome terminal) marks differ by style alone:
       highlights underlined, the one under the cursor bold too, matches reversed,
       the cursor reversed and underlined (so it shows inside a match). */
    ArticleView:nocolor > .article--cursor-line { background: $background; }
    ArticleView:nocolor > .article--cursor {
        background: $background; color: $foreground; text-style: reverse underline;
    }
    ArticleView:nocolor > .article--match {
        background: $background; color: $foreground; text-style: reverse;
    }
    ArticleView:nocolor > .article--match-current {
        background: $background; color: $foreground; text-style: bold reverse;
    }
    ArticleView:nocolor > .article--selection {
        background: $background; color: $foreground; text-style: reverse italic;
    }
    ArticleView:nocolor > .article--highlight-1 { text-style: underline; }
    ArticleView:nocolor > .article--highlight-2 { text-style: underline; }
    ArticleView:nocolor > .article--highlight-3 { text-style: underline; }
    ArticleView:nocolor > .article--highlight-4 { text-style: underline; }
    ArticleView:nocolor > .article--highlight-5 { text-style: underline; }
    ArticleView:nocolor > .article--highlight-current { text-style: bold underline; }
    ArticleView:nocolor > .article--highlight-overlap { text-style: bold uu; }
    ArticleView:nocolor > .article--highlight-mark-1,
    ArticleView:nocolor > .article--highlight-mark-2,
    ArticleView:nocolor > .article--highlight-mark-3,
    ArticleView:nocolor > .article--highlight-mark-4,
    ArticleView:nocolor > .article--highlight-mark-5 { color: $foreground; text-style: bold; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article--heading",
        "article--heading-1",
        "article--quote",
        "article--quote-bar",
        "article--code",
        "article--rule",
        "article--em",
        "article--strong",
        "article--code-inline",
        "article--link",
        "article--cursor-line",
        "article--cursor",
        "article--match",
        "article--match-current",
        "article--notice",
        *(f"article--highlight-{n}" for n in range(1, 6)),
        *(f"article--highlight-mark-{n}" for n in range(1, 6)),
        "article--highlight-current",
        "article--highlight-overlap",
        "article--note-mark",
        "article--selection",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "line_down", "Line down", show=False, id="reader.line_down"),
        Binding("k,up", "line_up", "Line up", show=False, id="reader.line_up"),
        Binding("space,pagedown", "page_down", "Page", key_display="space", id="reader.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("g,home", "start", "Start of the document", show=False, id="reader.start"),
        Binding("G,end", "end", "End of the document", show=False, id="reader.end"),
        Binding(
            "right_curly_bracket",
            "next_block",
            "Next paragraph",
            show=False,
            id="reader.next_paragraph",
        ),
        Binding(
            "left_curly_bracket",
            "prev_block",
            "Previous paragraph",
            show=False,
            id="reader.prev_paragraph",
        ),
        Binding(
            "right_parenthesis",
            "next_sentence",
            "Next sentence",
            show=False,
            id="reader.next_sentence",
        ),
        Binding(
            "left_parenthesis",
            "prev_sentence",
            "Previous sentence",
            show=False,
            id="reader.prev_sentence",
        ),
        Binding(
            "right_square_bracket",
            "next_heading",
            "Next heading",
            show=False,
            id="reader.next_heading",
        ),
        Binding(
            "left_square_bracket",
            "prev_heading",
            "Previous heading",
            show=False,
            id="reader.prev_heading",
        ),
        Binding("l,right", "char_right", "Character right", show=False, id="reader.char_right"),
        Binding("left", "char_left", "Character left", show=False, id="reader.char_left"),
        Binding("w", "word_right", "Next word", show=False, id="reader.next_word"),
        Binding(
            "shift+down", "select_line_down", "Select down", show=False, id="reader.select_down"
        ),
        Binding("shift+up", "select_line_up", "Select up", show=False, id="reader.select_up"),
        Binding(
            "shift+right", "select_char_right", "Select right", show=False, id="reader.select_right"
        ),
        Binding(
            "shift+left", "select_char_left", "Select left", show=False, id="reader.select_left"
        ),
    ]

    cursor: reactive[int] = reactive(0, init=False, always_update=False, repaint=False)

    class CursorMoved(Message):
        """The cursor moved to ``offset``, in paragraph ``paragraph`` of ``paragraphs``.

        ``page`` is the source's page label there ("" for a source without pages).
        """

        def __init__(
            self, offset: int, paragraph: int, paragraphs: int, fraction: float, page: str = ""
        ) -> None:
            super().__init__()
            self.offset = offset
            self.paragraph = paragraph
            self.paragraphs = paragraphs
            self.fraction = fraction
            self.page = page

    class LayoutReady(Message):
        """A layout for a new width, built in a worker."""

        def __init__(self, layout: Layout) -> None:
            super().__init__()
            self.layout = layout

    class Wrapping(Message):
        """Wrapping for a new width has taken long enough to be worth saying."""

        def __init__(self, busy: bool) -> None:
            super().__init__()
            self.busy = busy

    def __init__(
        self,
        text: str,
        blocks: Sequence[Block],
        spans: Sequence[Span] = (),
        *,
        pages: Sequence[PageMark] = (),
        cursor: int = 0,
        measure: int = 80,
        plain: bool = False,
        empty_notice: str = "This document is empty.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.text = text
        self.blocks = blocks
        self.pages = pages
        self.spans = sorted(spans, key=lambda span: (span.start, span.end))
        self._span_starts = [span.start for span in self.spans]
        self._span_max_length = max((s.end - s.start for s in self.spans), default=0)
        self.measure = measure
        #: Plain mode: ASCII only, and highlights told by text markers in the rows.
        self.plain = plain
        self._markers: Markers | None = None
        self.empty_notice = empty_notice
        self._block_starts = [block.start for block in blocks]
        self._layout: Layout | None = None
        self._cursor_row = 0
        self._goal_column: int | None = None
        self._initial_cursor = self._clamp(cursor)
        self.set_reactive(ArticleView.cursor, self._initial_cursor)
        self._line_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        # Bumped whenever something that changes many rows changes (layout, marks, theme).
        self._generation = 0
        self._matches_start = array("q")
        self._matches_end = array("q")
        self._current_match = -1
        self._wrap_timer: object | None = None
        self._scrolling = False
        self._base_style: Style | None = None
        self._part_styles: dict[str, Style] = {}
        self._locator: Locator | None = None
        self.annotator: Annotator | None = None
        #: Where the selection began (the cursor is its other end), or None.
        self.selection_anchor: int | None = None
        self._dragging = False

    # -- geometry ---------------------------------------------------------

    @property
    def layout(self) -> Layout | None:
        return self._layout

    def _text_width(self, width: int | None = None) -> int:
        pane = self.scrollable_content_region.width if width is None else width
        return max(10, min(self.measure, pane - GUTTER - 1))

    def _left_margin(self) -> int:
        pane = self.scrollable_content_region.width
        spare = pane - GUTTER - (self._layout.width if self._layout else self.measure)
        return max(0, spare // 2)

    def _clamp(self, offset: int) -> int:
        if not self.text:
            return 0
        return max(0, min(offset, len(self.text) - 1))

    # -- layout -------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        width = self._text_width()
        if self._layout is None:
            self._first_layout(width)
        elif width != self._layout.width:
            self._relayout(width)
        else:
            self._line_cache.clear()

    def _first_layout(self, width: int) -> None:
        if len(self.text) <= SMALL_DOCUMENT or not self.blocks:
            self._set_layout(Layout(self.text, self.blocks, width, markers=self._markers))
            return
        # A book: wrap the blocks around the reading position now, the whole after the first paint.
        block = boundaries.block_index_at(self.blocks, self.cursor)
        first = max(0, block - 4)
        self._set_layout(
            Layout(
                self.text, self.blocks, width, first, first + WINDOW_BLOCKS, markers=self._markers
            )
        )
        self.call_after_refresh(self._relayout, width)

    def _relayout(self, width: int) -> None:
        self._wrap_timer = self.set_timer(0.5, lambda: self.post_message(self.Wrapping(True)))
        self._build_layout(width, self._markers)

    @work(thread=True, exclusive=True, group="layout")
    def _build_layout(self, width: int, markers: Markers | None = None) -> None:
        worker = get_current_worker()
        layout = Layout(
            self.text, self.blocks, width, cancelled=lambda: worker.is_cancelled, markers=markers
        )
        if layout.complete and not worker.is_cancelled:
            self.post_message(self.LayoutReady(layout))

    def on_article_view_layout_ready(self, message: ArticleView.LayoutReady) -> None:
        message.stop()
        if (
            message.layout.width != self._text_width()
            or message.layout.markers is not self._markers
        ):
            return  # resized or re-marked again meanwhile; a newer build is on its way
        self._set_layout(message.layout)

    def _set_layout(self, layout: Layout) -> None:
        old = self._layout
        top_offset = self._top_offset() if old is not None else None
        if self._wrap_timer is not None:
            self._wrap_timer.stop()  # type: ignore[attr-defined]
            self._wrap_timer = None
            self.post_message(self.Wrapping(False))
        self._layout = layout
        self._generation += 1
        self._line_cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, layout.total_rows)
        self._cursor_row = layout.row_of_offset(self.cursor)
        if top_offset is None:
            top = max(0, self._cursor_row - SCROLL_OFF)
        else:
            top = layout.row_of_offset(top_offset)
        self._scroll_to_row(top)
        self._scroll_cursor_into_view()
        if int(self.scroll_y) != top:
            # Before the first refresh the scrollable height is not known yet and the
            # scroll was clamped; do it again once it is.
            self.call_after_refresh(self._settle_scroll, top)
        self.refresh()
        self._announce()

    def _settle_scroll(self, top: int) -> None:
        self._scroll_to_row(top)
        self._scroll_cursor_into_view()

    def _top_offset(self) -> int:
        layout = self._layout
        assert layout is not None
        row = int(self.scroll_y)
        while row < layout.total_rows:
            found = layout.row(row)
            if found is not None:
                return found.start
            row += 1
        return self.cursor

    # -- drawing ------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()
        self._base_style = None
        self._part_styles.clear()

    def _part_style(self, name: str) -> Style:
        """A component's partial style, kept until the styles change.

        Textual's own cache of these is emptied by every refresh(), which the
        cursor calls on each move: rebuilding them was most of a page's cost.
        """
        style = self._part_styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            self._part_styles[name] = style
        return style

    @property
    def _base(self) -> Style:
        # Widget.rich_style walks every ancestor on each call: three quarters of a
        # row's drawing time before this was kept until the styles change.
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self._layout is None and width > 0:
            # Laid out on the first paint rather than on the Resize event, which
            # comes a frame later: the first frame already shows the text.
            self._first_layout(self._text_width())
        row_number = y + int(self.scroll_y)
        cursor_key = self.cursor if row_number == self._cursor_row else -1
        key: tuple[object, ...] = (row_number, width, self._generation, cursor_key, self.has_focus)
        if self.annotator is not None or self.selection_anchor is not None:
            # What the cursor marks beyond its own row: the highlight under it and
            # the selection. Only rows they touch need drawing again as it moves.
            row = self._layout.row(row_number) if self._layout is not None else None
            if row is not None:
                current = self.current_highlight
                if current is not None and current.start < row.end and current.end > row.start:
                    key += (current.id,)
                selection = self.selection
                if selection is not None and selection[0] < row.end and selection[1] > row.start:
                    key += (max(selection[0], row.start), min(selection[1], row.end))
        cached = self._line_cache.get(key)
        if cached is None:
            cached = self._render_row(row_number, width)
            self._line_cache[key] = cached
        return cached

    def _render_row(self, row_number: int, width: int) -> Strip:
        base = self._base
        layout = self._layout
        if layout is None:
            return Strip.blank(width, base)
        if not self.text:
            if row_number == 0:
                notice = self._part_style("article--notice")
                segments = [
                    Segment(" " * (self._left_margin() + GUTTER), base),
                    Segment(self.empty_notice, base + notice),
                ]
                return Strip(segments).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        row = layout.row(row_number)
        if row is None:
            return Strip.blank(width, base)
        block = self.blocks[row.block]
        block_style = base + self._block_style(block)
        margin = self._left_margin()
        highlights = (
            self.annotator.overlapping(row.start, row.end) if self.annotator is not None else []
        )
        segments = [Segment(" " * margin, base), *self._gutter(row.start, highlights, base)]
        if block.kind == "quote":
            bar = self._part_style("article--quote-bar")
            segments.append(Segment(("> " if self.plain else "▎ ") * (block.level + 1), base + bar))
            segments.append(Segment(" " * max(0, row.indent - 2 * (block.level + 1)), base))
        elif row.indent:
            segments.append(
                Segment(" " * row.indent, block_style if block.kind in ("code", "table") else base)
            )
        is_cursor_row = row_number == self._cursor_row
        if is_cursor_row and self.has_focus:
            block_style = block_style + self._part_style("article--cursor-line")
        segments.extend(
            self._text_segments(row.start, row.end, block_style, is_cursor_row, highlights)
        )
        if block.kind in ("code", "table"):
            # Code keeps a background box to the full measure.
            used = sum(cell_len(segment.text) for segment in segments)
            box_end = margin + GUTTER + layout.width
            if used < box_end:
                segments.append(Segment(" " * (box_end - used), block_style))
        strip = Strip(segments)
        return strip.crop(0, width).adjust_cell_length(width, base)

    def _block_style(self, block: Block) -> Style:
        kind = block.kind
        if kind == "heading":
            name = "article--heading-1" if block.level <= 1 else "article--heading"
            return self._part_style(name)
        if kind in ("quote", "code", "rule"):
            return self._part_style(f"article--{kind}")
        if kind == "table":
            return self._part_style("article--code")
        return Style()

    def _gutter(self, row_start: int, highlights: list[Highlight], base: Style) -> list[Segment]:
        """The two cells left of a row: a note mark where a noted highlight begins, else a bar.

        Marks are glyphs, not colour alone, so highlights and notes read on a
        monochrome terminal too.
        """
        if not highlights:
            return [Segment(" " * GUTTER, base)]
        noted = [h for h in highlights if h.note.strip() and h.start >= row_start]
        if noted:
            mark = self._part_style("article--note-mark")
            return [Segment("* " if self.plain else "✎ ", base + mark)]
        color = highlights[0].color
        mark = self._part_style(f"article--highlight-mark-{color}")
        if self.app.no_color and not self.plain:
            # Without colour the five look alike: the gutter says which one it is.
            return [Segment(f"{color} ", base + mark)]
        return [Segment("| " if self.plain else "▍ ", base + mark)]

    def _text_segments(
        self,
        start: int,
        end: int,
        style: Style,
        is_cursor_row: bool,
        highlights: Sequence[Highlight] = (),
    ) -> list[Segment]:
        """The row's text split where its styles change: highlights, spans, matches, cursor."""
        marks: list[tuple[int, int, Style]] = []
        if highlights:
            current = self.current_highlight
            current_style = self._part_style("article--highlight-current")
            for highlight in highlights:
                mark = self._part_style(f"article--highlight-{highlight.color}")
                if current is not None and highlight.id == current.id:
                    mark = mark + current_style
                marks.append((highlight.start, highlight.end, mark))
            if len(highlights) > 1:
                overlap = self._part_style("article--highlight-overlap")
                ordered = sorted(highlights, key=lambda h: h.start)
                reach = ordered[0].end
                for highlight in ordered[1:]:
                    if highlight.start < reach:
                        marks.append((highlight.start, min(reach, highlight.end), overlap))
                    reach = max(reach, highlight.end)
        selection = self.selection
        if selection is not None and selection[0] < end and selection[1] > start:
            marks.append(
                (
                    selection[0],
                    selection[1],
                    self._part_style("article--selection"),
                )
            )
        for span in self._spans_in(start, end):
            marks.append(
                (
                    span.start,
                    span.end,
                    self._part_style(_SPAN_COMPONENTS.get(span.style, "article--em")),
                )
            )
        if self._matches_start:
            first = bisect_left(self._matches_end, start + 1)
            last = bisect_left(self._matches_start, end)
            for index in range(first, last):
                name = (
                    "article--match-current" if index == self._current_match else "article--match"
                )
                marks.append(
                    (
                        self._matches_start[index],
                        self._matches_end[index],
                        self._part_style(name),
                    )
                )
        cursor_past_end = False
        if is_cursor_row:
            cursor = self.cursor
            cursor_style = self._part_style("article--cursor")
            if start <= cursor < end:
                marks.append((cursor, self._grapheme_end(cursor, end), cursor_style))
            else:
                cursor_past_end = True
        text = self.text
        markers = self._markers
        if markers is not None and not markers.any_in(start, end):
            markers = None
        if not marks and markers is None:
            segments = [Segment(text[start:end], style)]
        else:
            cuts = {start, end}
            for mark_start, mark_end, _ in marks:
                cuts.add(min(max(mark_start, start), end))
                cuts.add(min(max(mark_end, start), end))
            if markers is not None:
                cuts.update(markers.within(start, end))
            ordered = sorted(cuts)
            segments = []
            marker_style = style + self._part_style("article--note-mark")
            for piece_start, piece_end in itertools.pairwise(ordered):
                piece_style = style
                for mark_start, mark_end, mark_style in marks:
                    if mark_start < piece_end and mark_end > piece_start:
                        piece_style = piece_style + mark_style
                # Markers sit beside the characters, as the layout counted them.
                if markers is not None and piece_start in markers.before:
                    segments.append(Segment(markers.before[piece_start], marker_style))
                segments.append(Segment(text[piece_start:piece_end], piece_style))
                if markers is not None and piece_end in markers.after:
                    segments.append(Segment(markers.after[piece_end], marker_style))
        if self.plain:
            segments = [
                Segment(segment.text.translate(PLAIN_TRANSLATION), segment.style)
                for segment in segments
            ]
        if cursor_past_end:
            segments.append(Segment(" ", style + self._part_style("article--cursor")))
        return segments

    def _grapheme_end(self, offset: int, limit: int) -> int:
        """The end of the grapheme at offset, so a cursor on "é" (e + accent) covers both."""
        if offset >= limit:
            return offset + 1
        # No grapheme cluster in real text runs past a handful of code points.
        spans, _ = split_graphemes(self.text[offset : min(limit, offset + 16)])
        return offset + spans[0][1]

    def _spans_in(self, start: int, end: int) -> list[Span]:
        if not self.spans:
            return []
        # Spans are sorted by start; one that overlaps [start, end) starts before end
        # and no earlier than start minus the longest span.
        first = bisect_left(self._span_starts, start - self._span_max_length)
        last = bisect_left(self._span_starts, end)
        return [span for span in self.spans[first:last] if span.end > start]

    # -- cursor -------------------------------------------------------------

    def move_cursor(
        self, offset: int, *, keep_goal: bool = False, top: bool = False, center: bool = False
    ) -> None:
        """Put the cursor at offset and scroll it into view (to the top, centred, or just in)."""
        offset = self._clamp(offset)
        if not keep_goal:
            self._goal_column = None
        old_row = self._cursor_row
        self.cursor = offset
        layout = self._layout
        if layout is None:
            return
        self._cursor_row = layout.row_of_offset(offset)
        if self.selection_anchor is not None or self.annotator is not None:
            # The selection and the highlight under the cursor reach past its row;
            # rows they do not touch come back from the cache.
            self.refresh()
        else:
            self._refresh_row(old_row)
            self._refresh_row(self._cursor_row)
        if top:
            self._scroll_to_row(self._cursor_row - SCROLL_OFF)
        elif center:
            self._scroll_to_row(self._cursor_row - self.scrollable_content_region.height // 3)
        self._scroll_cursor_into_view()
        self._announce()

    def _refresh_row(self, row: int) -> None:
        # ScrollView.refresh_line takes a row of the virtual space, not of the screen.
        top = int(self.scroll_y)
        if top <= row < top + self.scrollable_content_region.height:
            self.refresh_line(row)

    def _scroll_to_row(self, row: int) -> None:
        """Scroll so row is at the top, without dragging the cursor along."""
        self._scrolling = True
        try:
            self.scroll_to(y=max(0, row), animate=False, immediate=True)
        finally:
            self._scrolling = False

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = int(self.scroll_y)
        margin = min(SCROLL_OFF, max(0, (height - 1) // 2))
        row = self._cursor_row
        if row < top + margin:
            self._scroll_to_row(row - margin)
        elif row > top + height - 1 - margin:
            self._scroll_to_row(row - height + 1 + margin)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # A scroll by mouse or scrollbar drags the cursor along, so keys act on what is seen.
        layout = self._layout
        height = self.scrollable_content_region.height
        if layout is None or height <= 0 or self._scrolling:
            return
        top = int(new_value)
        if self._cursor_row < top or self._cursor_row >= top + height:
            target = top if self._cursor_row < top else top + height - 1
            self._move_to_row(target, direction=1 if self._cursor_row < top else -1)

    def _number_paragraphs(self) -> None:
        self.locator  # noqa: B018 - built now, so the announcement can number the paragraph
        self._announce()

    @property
    def locator(self) -> Locator:
        """Paragraph numbers as citations count them (built on first use)."""
        if self._locator is None:
            self._locator = Locator(self.text, self.blocks, self.pages)
        return self._locator

    def _announce(self) -> None:
        if self._locator is None and len(self.blocks) > 5_000:
            # Numbering a book's paragraphs takes a few milliseconds: after the first
            # paint (the property builds it at once if a key needs it sooner).
            self.call_after_refresh(self._number_paragraphs)
            return
        fraction = (self.cursor + 1) / len(self.text) if self.text else 1.0
        location = self.locator.at(self.cursor)
        paragraph = location.paragraph if self.blocks else 0
        self.post_message(
            self.CursorMoved(
                self.cursor, paragraph, self.locator.paragraphs, fraction, location.page
            )
        )

    def _column_of(self, row_start: int, offset: int) -> int:
        markers = self._markers
        if markers is None or not markers.any_in(row_start, offset):
            return cell_len(self.text[row_start:offset])
        # Plain mode's markers take cells on screen: the column is where the eye sees it.
        column = len(markers.before.get(offset, ""))
        for g_start, g_end, cells in split_graphemes(self.text[row_start:offset])[0]:
            column += cells + markers.cells(row_start + g_start, row_start + g_end)
        return column

    def _offset_at_column(self, row_start: int, row_end: int, column: int) -> int:
        segment = self.text[row_start:row_end]
        if not segment:
            return row_start
        spans, _ = split_graphemes(segment)
        markers = self._markers
        if markers is not None and not markers.any_in(row_start, row_end):
            markers = None
        used = 0
        for g_start, g_end, cells in spans:
            if markers is not None:
                cells += markers.cells(row_start + g_start, row_start + g_end)
            if used + cells > column:
                return row_start + g_start
            used += cells
        return row_start + spans[-1][0]

    def _move_to_row(self, target: int, direction: int) -> None:
        layout = self._layout
        if layout is None or layout.total_rows == 0:
            return
        target = max(0, min(target, layout.total_rows - 1))
        row = layout.row(target)
        while row is None:
            target += direction
            if not 0 <= target < layout.total_rows:
                return
            row = layout.row(target)
        if self._goal_column is None:
            current = layout.row(self._cursor_row)
            self._goal_column = self._column_of(current.start, self.cursor) if current else 0
        goal = self._goal_column
        self.move_cursor(self._offset_at_column(row.start, row.end, goal), keep_goal=True)

    def action_line_down(self) -> None:
        self._move_to_row(self._cursor_row + 1, 1)

    def action_line_up(self) -> None:
        self._move_to_row(self._cursor_row - 1, -1)

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        layout = self._layout
        if layout is None:
            return
        height = self.scrollable_content_region.height
        page = max(1, height - 2)
        top = int(self.scroll_y)
        new_top = max(0, min(top + direction * page, int(self.max_scroll_y)))
        moved = new_top - top
        if moved == 0:
            # Already at the end the page key goes: the cursor goes to the last (first) row.
            target = layout.total_rows - 1 if direction > 0 else 0
        else:
            target = self._cursor_row + moved
        self._scroll_to_row(new_top)
        self._move_to_row(target, direction)

    def action_start(self) -> None:
        self.move_cursor(0, top=True)

    def action_end(self) -> None:
        if self.blocks:
            self.move_cursor(self.blocks[-1].start)
            layout = self._layout
            if layout is not None:
                self._move_to_row(layout.total_rows - 1, -1)

    def action_char_right(self) -> None:
        self.move_cursor(self._grapheme_end(self.cursor, len(self.text)))

    def action_char_left(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_word_right(self) -> None:
        text = self.text
        offset = self.cursor
        while offset < len(text) and not text[offset].isspace():
            offset += 1
        while offset < len(text) and text[offset].isspace():
            offset += 1
        self.move_cursor(offset)

    def action_next_block(self) -> None:
        index = bisect_right(self._block_starts, self.cursor)
        if index < len(self.blocks):
            self.move_cursor(self.blocks[index].start)

    def action_prev_block(self) -> None:
        index = bisect_left(self._block_starts, self.cursor) - 1
        if index >= 0:
            self.move_cursor(self.blocks[index].start)

    def action_next_sentence(self) -> None:
        found = boundaries.next_sentence_start(self.text, self.blocks, self.cursor)
        if found is not None:
            self.move_cursor(found)

    def action_prev_sentence(self) -> None:
        found = boundaries.prev_sentence_start(self.text, self.blocks, self.cursor)
        if found is not None:
            self.move_cursor(found)

    def action_next_heading(self) -> None:
        index = bisect_right(self._block_starts, self.cursor)
        for block in self.blocks[index:]:
            if block.kind == "heading":
                self.move_cursor(block.start, top=True)
                return

    def action_prev_heading(self) -> None:
        index = bisect_left(self._block_starts, self.cursor) - 1
        for number in range(index, -1, -1):
            if self.blocks[number].kind == "heading":
                self.move_cursor(self.blocks[number].start, top=True)
                return

    def _offset_at(self, x: int, y: int) -> int | None:
        """The text offset under a point of the widget, or None off the text."""
        layout = self._layout
        if layout is None:
            return None
        row = layout.row(y + int(self.scroll_y))
        if row is None:
            return None
        column = x - self._left_margin() - GUTTER - row.indent
        return self._offset_at_column(row.start, row.end, max(0, column))

    def on_mouse_down(self, event: MouseDown) -> None:
        offset = self._offset_at(event.x, event.y)
        if offset is None:
            return
        self.clear_selection()
        self.move_cursor(offset)
        self.selection_anchor = offset
        self._dragging = True
        self.capture_mouse()

    def on_mouse_move(self, event: MouseMove) -> None:
        if self._dragging:
            offset = self._offset_at(event.x, event.y)
            if offset is not None and offset != self.cursor:
                self.move_cursor(offset)
                self.refresh()

    def on_mouse_up(self, event: MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()
            if self.selection_anchor == self.cursor:
                self.clear_selection()

    # -- selection and highlights -------------------------------------------

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected [start, end), both ends included as the cursor shows them."""
        anchor = self.selection_anchor
        if anchor is None:
            return None
        low, high = min(anchor, self.cursor), max(anchor, self.cursor)
        return low, self._grapheme_end(high, len(self.text))

    def start_selection(self) -> None:
        self.selection_anchor = self.cursor
        self._refresh_row(self._cursor_row)

    def clear_selection(self) -> None:
        if self.selection_anchor is not None:
            self.selection_anchor = None
            self.refresh()

    def _select_by(self, move: str) -> None:
        if self.selection_anchor is None:
            self.start_selection()
        getattr(self, f"action_{move}")()
        self.refresh()

    def action_select_line_down(self) -> None:
        self._select_by("line_down")

    def action_select_line_up(self) -> None:
        self._select_by("line_up")

    def action_select_char_right(self) -> None:
        self._select_by("char_right")

    def action_select_char_left(self) -> None:
        self._select_by("char_left")

    @property
    def current_highlight(self) -> Highlight | None:
        """The highlight under the cursor."""
        return self.annotator.at(self.cursor) if self.annotator is not None else None

    def highlights_changed(self) -> None:
        """Draw again after the annotator's highlights changed."""
        if self.plain:
            self._remark()
        self._generation += 1
        self._line_cache.clear()
        self.refresh()
        self._announce()

    def _remark(self) -> None:
        """Plain mode: markers for the highlights as they are now, and a layout around them."""
        annotator = self.annotator
        ranges = (
            [
                (h.start, h.end, bool(h.note.strip()))
                for h in annotator.highlights
                if h.status != "orphan"
            ]
            if annotator is not None
            else []
        )
        markers = Markers.for_ranges(ranges)
        old = self._markers
        if old is not None and old.before == markers.before and old.after == markers.after:
            return
        self._markers = markers
        layout = self._layout
        if layout is None:
            return
        if len(self.text) <= SMALL_DOCUMENT or not self.blocks:
            self._set_layout(Layout(self.text, self.blocks, layout.width, markers=markers))
        else:
            self._relayout(layout.width)

    # -- search marks -------------------------------------------------------

    def set_matches(self, matches: Sequence[tuple[int, int]]) -> None:
        """Mark these [start, end) ranges as search matches (sorted by start)."""
        self._matches_start = array("q", (start for start, _ in matches))
        self._matches_end = array("q", (end for _, end in matches))
        self._current_match = -1
        self._generation += 1
        self.refresh()

    @property
    def match_count(self) -> int:
        return len(self._matches_start)

    @property
    def current_match(self) -> int:
        """Index of the match the cursor went to last, or -1."""
        return self._current_match

    def goto_match(self, direction: int, *, include_cursor: bool = False) -> int:
        """Go to the next (1) or previous (-1) match from the cursor, wrapping; its index or -1."""
        count = len(self._matches_start)
        if count == 0:
            return -1
        cursor = self.cursor
        if direction > 0:
            index = (
                bisect_left(self._matches_start, cursor)
                if include_cursor
                else bisect_right(self._matches_start, cursor)
            )
            index %= count
        else:
            index = (bisect_left(self._matches_start, cursor) - 1) % count
        self._current_match = index
        self._generation += 1
        self.move_cursor(self._matches_start[index], center=True)
        self.refresh()
        return index

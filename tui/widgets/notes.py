"""The notes pane beside the article: the document's highlights with their notes and tags.

The list is a virtual view like the article: entries are laid out (and kept)
per highlight, and only the rows on screen are drawn, so a book with ten
thousand highlights lists them as fast as a page with three.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Label, Static

from db.locate import Locator
from db.models import Block, Highlight, PageMark
from tui.layout import PLAIN_TRANSLATION, wrap_line

#: How much of a quote and of a note an entry shows before an ellipsis.
QUOTE_CHARS = 160
NOTE_CHARS = 240

_STATUS_WORDS = {"moved": "moved", "fuzzy": "fuzzy", "orphan": "orphan"}

#: An entry's lines, each a list of (text, component class) pieces.
Lines = list[list[tuple[str, str]]]


def shorten(text: str, limit: int) -> str:
    """Text on one line, cut at a word before limit with an ellipsis when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,.;:") + "…"


def _wrapped(text: str, width: int, component: str, indent: str = "") -> Lines:
    starts = wrap_line(text, 0, len(text), max(1, width - len(indent)))
    ends = [*starts[1:], len(text)]
    return [[(indent + text[a:b].rstrip(), component)] for a, b in zip(starts, ends, strict=True)]


def entry_head(highlight: Highlight, where: str, plain: bool = False) -> list[tuple[str, str]]:
    """An entry's first line: the colour, where it is, and its state when not exact."""
    status = _STATUS_WORDS.get(highlight.status, "")
    if highlight.status == "fuzzy":
        status = f"fuzzy {highlight.score:.0%}"
    if plain:
        # Words a screen reader can say, rather than a coloured square.
        head = f"Colour {highlight.color}, {where}" + (f", {status}" if status else "")
        return [(head, "notes--head")]
    head = f"{highlight.color}  {where}" + (f"  {status}" if status else "")
    return [("■ ", f"notes--swatch-{highlight.color}"), (head, "notes--head")]


def entry_body(highlight: Highlight, width: int, plain: bool = False) -> Lines:
    """The lines under an entry's head: quote, note, old context, tags, and a gap."""
    quote = shorten(highlight.quote, QUOTE_CHARS)
    if plain:
        quote = quote.translate(PLAIN_TRANSLATION)
    lines = _wrapped(f"“{quote}”", width, "notes--quote")
    if highlight.note.strip():
        note_mark = "Note: " if plain else "✎ "
        lines += _wrapped(f"{note_mark}{shorten(highlight.note, NOTE_CHARS)}", width, "notes--note")
    if highlight.status == "orphan":
        # Its words are gone from the text; the context it had says where it was.
        before = shorten(highlight.prefix[-40:], 40)
        after = shorten(highlight.suffix[:40], 40)
        context = f"was after “…{before}” and before “{after}…”"
        lines += _wrapped(context, width, "notes--context")
    if highlight.tags:
        lines += _wrapped(" ".join(f"#{tag}" for tag in highlight.tags), width, "notes--tags")
    lines.append([])
    return lines


class HighlightList(ScrollView, can_focus=True):
    """Highlights as entries of several lines; the arrows choose one, enter jumps to it."""

    DEFAULT_CSS = """
    HighlightList { background: $surface; scrollbar-size-vertical: 1; }
    HighlightList > .notes--head { color: $foreground-muted; }
    HighlightList > .notes--quote { color: $foreground; }
    HighlightList > .notes--note { color: $foreground; text-style: italic; }
    HighlightList > .notes--tags { color: $accent; text-style: bold; }
    HighlightList > .notes--context { color: $foreground-muted; }
    HighlightList > .notes--section { color: $warning; text-style: bold; }
    HighlightList > .notes--selected { background: $boost; }
    HighlightList:focus > .notes--selected { background: $margin-selection; }
    HighlightList:nocolor > .notes--selected { text-style: bold; }
    HighlightList:nocolor:focus > .notes--selected { text-style: bold reverse; }
    HighlightList > .notes--swatch-1 { color: $margin-highlight-1; text-style: bold; }
    HighlightList > .notes--swatch-2 { color: $margin-highlight-2; text-style: bold; }
    HighlightList > .notes--swatch-3 { color: $margin-highlight-3; text-style: bold; }
    HighlightList > .notes--swatch-4 { color: $margin-highlight-4; text-style: bold; }
    HighlightList > .notes--swatch-5 { color: $margin-highlight-5; text-style: bold; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "notes--head",
        "notes--quote",
        "notes--note",
        "notes--tags",
        "notes--context",
        "notes--section",
        "notes--selected",
        *(f"notes--swatch-{n}" for n in range(1, 6)),
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Next", show=False, id="notes.next"),
        Binding("up,k", "move(-1)", "Previous", show=False, id="notes.previous"),
        Binding("home,g", "move_to(0)", "First", show=False, id="notes.first"),
        Binding("end,G", "move_to(-1)", "Last", show=False, id="notes.last"),
        Binding("enter", "select", "Jump to it", id="notes.jump"),
    ]

    class Chosen(Message):
        """Enter (or a click) on an entry."""

        def __init__(self, highlight: Highlight) -> None:
            super().__init__()
            self.highlight = highlight

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: Entries in order: a highlight with its place, or None for the orphans' heading.
        self._entries: list[tuple[Highlight | None, str]] = []
        self._tops = array("q", [0])
        #: Laid-out entry bodies by highlight id, with the highlight object and the
        #: width they were laid out for: the annotator keeps an unchanged highlight's
        #: object, so a change to one highlight lays out only that one again.
        self._laid_out: dict[str, tuple[Highlight, int, Lines]] = {}
        #: Where each highlight is (chapter and paragraph), found when first drawn.
        self.place: Callable[[Highlight], str] = lambda highlight: ""
        self._styles: dict[str, Style] = {}
        self._measured_width = 0
        self.highlighted: int | None = None
        #: Plain mode: entries in words and ASCII, no glyphs.
        self.plain = False

    # -- content ------------------------------------------------------------

    def set_entries(self, entries: list[tuple[Highlight | None, str]]) -> None:
        self._entries = entries
        if self.highlighted is not None and not self._selectable(self.highlighted):
            self.highlighted = self._first_selectable()
        self._measure()

    @property
    def entries(self) -> list[tuple[Highlight | None, str]]:
        return self._entries

    @property
    def option_count(self) -> int:
        return len(self._entries)

    def item(self, index: int) -> Highlight | None:
        return self._entries[index][0] if 0 <= index < len(self._entries) else None

    def entry_text(self, index: int) -> str:
        """An entry as plain text (its lines joined), for tests and for reading aloud."""
        return "\n".join("".join(text for text, _ in line) for line in self._lines(index))

    def _width(self) -> int:
        return max(10, self.scrollable_content_region.width - 1)

    def _body(self, highlight: Highlight, width: int) -> Lines:
        laid = self._laid_out.get(highlight.id)
        if laid is not None and laid[0] is highlight and laid[1] == width:
            return laid[2]
        body = entry_body(highlight, width, self.plain)
        self._laid_out[highlight.id] = (highlight, width, body)
        return body

    def _lines(self, index: int) -> Lines:
        highlight, label = self._entries[index]
        if highlight is None:
            return [[(label, "notes--section")], []]
        head = entry_head(highlight, label or self.place(highlight), self.plain)
        return [head, *self._body(highlight, self._width())]

    def _measure(self) -> None:
        tops = array("q", [0])
        total = 0
        width = self._width()
        for highlight, _ in self._entries:
            # A head line over the body, or a section's title over a gap.
            total += 1 + len(self._body(highlight, width)) if highlight is not None else 2
            tops.append(total)
        self._tops = tops
        self._measured_width = self._width()
        # Entries of highlights that are gone go.
        if len(self._laid_out) > 2 * max(1, len(self._entries)):
            live = {h.id for h, _ in self._entries if h is not None}
            self._laid_out = {key: laid for key, laid in self._laid_out.items() if key in live}
        self.virtual_size = Size(self._width(), total)
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        self._measure()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            self._styles[name] = style
        return style

    # -- drawing ------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self._width() != self._measured_width:
            # Laid out while hidden, or before a resize reached this widget.
            self._measure()
        row = y + int(self.scroll_y)
        if not self._entries or row >= self._tops[-1]:
            return Strip.blank(width, base)
        index = bisect_right(self._tops, row) - 1
        lines = self._lines(index)
        line = row - self._tops[index]
        if line >= len(lines):
            return Strip.blank(width, base)
        selected = self._style("notes--selected") if index == self.highlighted else None
        if selected is not None:
            base = base + selected
        segments = []
        for text, component in lines[line]:
            style = base + self._style(component)
            segments.append(Segment(text, style + selected if selected else style))
        return Strip(segments).crop(0, width).adjust_cell_length(width, base)

    # -- choosing -----------------------------------------------------------

    def _selectable(self, index: int) -> bool:
        return 0 <= index < len(self._entries) and self._entries[index][0] is not None

    def _first_selectable(self) -> int | None:
        return next((i for i in range(len(self._entries)) if self._selectable(i)), None)

    def highlight_index(self, index: int | None) -> None:
        """Choose an entry and scroll it into view."""
        if index is not None and not self._selectable(index):
            return
        if index == self.highlighted:
            return
        self.highlighted = index
        if index is not None:
            top, bottom = self._tops[index], self._tops[index + 1]
            height = self.scrollable_content_region.height
            if top < self.scroll_y or bottom > self.scroll_y + height:
                self.scroll_to(y=max(0, top - 1), animate=False, immediate=True)
        self.refresh()

    def action_move(self, step: int) -> None:
        index = self.highlighted if self.highlighted is not None else -step
        index += step
        while 0 <= index < len(self._entries) and not self._selectable(index):
            index += step
        if self._selectable(index):
            self.highlight_index(index)

    def action_move_to(self, where: int) -> None:
        if not self._entries:
            return
        index = where % len(self._entries)
        step = 1 if where >= 0 else -1
        while 0 <= index < len(self._entries) and not self._selectable(index):
            index += step
        self.highlight_index(index if self._selectable(index) else None)

    def action_select(self) -> None:
        item = self.item(self.highlighted) if self.highlighted is not None else None
        if item is not None:
            self.post_message(self.Chosen(item))

    def on_click(self, event: Click) -> None:
        row = event.y + int(self.scroll_y)
        if self._entries and row < self._tops[-1]:
            index = bisect_right(self._tops, row) - 1
            if self._selectable(index):
                self.highlight_index(index)
                if event.chain >= 2:
                    self.action_select()


class NotesPane(Vertical, can_focus=False):
    """Every highlight of the document in text order, orphans apart, following the cursor."""

    DEFAULT_CSS = """
    NotesPane {
        width: 38;
        background: $surface;
        border-left: vkey $panel;
        padding: 0 0 0 1;
    }
    NotesPane.-plain { border-left: ascii $panel; }
    NotesPane.-bottom { border-left: none; border-top: hkey $panel; padding: 0 1; }
    NotesPane.-bottom.-plain { border-top: ascii $panel; }
    NotesPane.-overlay { layer: overlay; dock: right; border-left: outer $primary; }
    NotesPane.-overlay.-plain { border-left: ascii $primary; }
    NotesPane > #notes-header { color: $accent; text-style: bold; padding: 0 0 1 0; }
    NotesPane > #notes-empty { color: $foreground-muted; }
    NotesPane > HighlightList { height: 1fr; }
    """

    class Jump(Message):
        """Enter was pressed on a highlight in the pane."""

        def __init__(self, highlight: Highlight) -> None:
            super().__init__()
            self.highlight = highlight

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._positions: dict[str, int] | None = None
        self._locator: Locator | None = None
        self._locator_for: Sequence[Block] | None = None

    def compose(self) -> ComposeResult:
        yield Label("Highlights · 0", id="notes-header")
        yield Static("No highlights yet — press h", id="notes-empty", markup=False)
        yield HighlightList(id="notes-list")

    def on_mount(self) -> None:
        self.list.display = False

    def set_plain(self, plain: bool) -> None:
        """Draw the pane without box drawing or glyphs (plain mode), or with them."""
        self.set_class(plain, "-plain")
        highlight_list = self.list
        if highlight_list.plain != plain:
            highlight_list.plain = plain
            highlight_list._laid_out.clear()
            highlight_list._measure()

    @property
    def list(self) -> HighlightList:
        return self.query_one(HighlightList)

    def show(
        self,
        highlights: Sequence[Highlight],
        text: str,
        blocks: Sequence[Block],
        pages: Sequence[PageMark] = (),
    ) -> None:
        """List these highlights (orphans last, in their own section)."""
        anchored = [h for h in highlights if h.status != "orphan"]
        orphans = [h for h in highlights if h.status == "orphan"]
        notes = sum(1 for h in highlights if h.note.strip())
        header = f"Highlights · {len(highlights)}  Notes · {notes}"
        self.query_one("#notes-header", Label).update(header)
        self.query_one("#notes-empty").display = not highlights
        highlight_list = self.list
        highlight_list.display = bool(highlights)
        # The text does not change while the pane lives: its paragraphs are numbered once.
        if self._locator is None or self._locator_for is not blocks:
            self._locator, self._locator_for = Locator(text, blocks, pages), blocks
        locator = self._locator
        highlight_list.place = lambda h: locator.at(h.start).describe()
        # Places are found as entries are drawn: a book's 10,000 need not be found at once.
        entries: list[tuple[Highlight | None, str]] = [(h, "") for h in anchored]
        if orphans:
            entries.append((None, f"Orphans · {len(orphans)}"))
            entries += [(h, "no place in this text") for h in orphans]
        chosen = self.highlighted_item()
        highlight_list.set_entries(entries)
        self._positions = None
        if chosen is not None:
            self.follow(chosen)

    def highlighted_item(self) -> Highlight | None:
        highlight_list = self.list
        index = highlight_list.highlighted
        return highlight_list.item(index) if index is not None else None

    def follow(self, highlight: Highlight | None) -> None:
        """Choose the entry of the highlight under the article's cursor."""
        if highlight is None:
            return
        if self._positions is None:
            # Indexed when first needed, not on every change of a long list.
            entries = self.list.entries
            self._positions = {h.id: i for i, (h, _) in enumerate(entries) if h is not None}
        if highlight.id in self._positions:
            self.list.highlight_index(self._positions[highlight.id])

    def on_highlight_list_chosen(self, event: HighlightList.Chosen) -> None:
        event.stop()
        self.post_message(self.Jump(event.highlight))

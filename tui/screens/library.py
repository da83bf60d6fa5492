"""The library: every document with its counts, sorted by any column and filtered as you type.

The table is a virtual view (``ScrollView`` + ``render_line``) like the notes
pane: only the rows on screen are drawn, and sorting or filtering a thousand
documents reorders plain Python lists, never widgets. The screen is drawn
first and reads its rows right after (or is given them when margin starts on it).

Deleting the document open in the reader beneath leaves nothing to go back to:
closing the library then opens the document read before it (the tutorial when
the library is empty), and the library says so.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from db.documents.inert import make_inert
from db.library import display_title, document_label, source_hash
from db.models import Document, LibraryEntry
from db.store import StoreError
from db.tags import format_tags, tag_key
from tui.app import MarginApp
from tui.screens.reader import ReaderScreen

if TYPE_CHECKING:
    from db.store import Store

#: Columns are this many cells apart.
GAP = 2
#: The glyph before the title of a document whose file is gone (it opens from the stored text).
GONE = "✗"
#: The settings key the chosen sort is remembered under.
SORT_SETTING = "library_sort"
#: How the key line spells keys.
_KEY_NAMES = {"escape": "esc", "slash": "/"}
#: The tutorial's byline: any version of it is the tutorial, not a document of the reader's own.
TUTORIAL_AUTHOR = "The margin tutorial"


def _flat(text: str) -> str:
    """Text on one line, safe to draw: controls made visible, whitespace runs one space."""
    return " ".join(make_inert(text).split())


def _local_date(stamp: str | None) -> str:
    """An ISO UTC time as the local date, ``2026-11-28``; empty for none."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp[:10]
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone().date().isoformat()


def file_gone(document: Document) -> bool:
    """Whether the document came from a file that is no longer there (a URL or stdin never is)."""
    path = document.path
    return bool(path) and "://" not in (path or "") and not os.path.isfile(path or "")


@dataclass(slots=True)
class Row:
    """One document as the table shows it: its cells, made once, and what the filter reads."""

    entry: LibraryEntry
    title: str
    author: str
    tags: str
    added: str
    opened: str
    read: str
    gone: bool
    #: Title, authors and tags, case-folded: what a word of the filter is looked for in.
    haystack: str
    tag_keys: tuple[str, ...]

    @property
    def document(self) -> Document:
        return self.entry.document

    def cell(self, key: str) -> str:
        if key == "format":
            return self.entry.document.format
        if key == "highlights":
            return str(self.entry.highlights)
        if key == "notes":
            return str(self.entry.notes)
        return cast(str, getattr(self, key))


def make_row(entry: LibraryEntry) -> Row:
    document = entry.document
    metadata = document.metadata
    title = _flat(display_title(document)) or "(untitled)"
    author = _flat("; ".join(metadata.authors))
    tags = _flat(format_tags(metadata.tags))
    return Row(
        entry=entry,
        title=title,
        author=author,
        tags=tags,
        added=_local_date(document.added),
        opened=_local_date(document.opened),
        read=f"{int(entry.progress * 100)}%",
        gone=file_gone(document),
        haystack=tag_key(f"{title}\n{author}\n{tags}"),
        tag_keys=tuple(tag_key(tag) for tag in metadata.tags),
    )


def library_rows(store: Store) -> list[Row]:
    """Every document as a row, most recently opened first."""
    return [make_row(entry) for entry in store.library()]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    #: Numbers are right-aligned.
    right: bool
    #: Sorted high to low (newest, furthest, most) when first chosen; text A to Z.
    descending: bool
    sort_key: Callable[[Row], Any]
    #: A flexible column shares the width left over; the others take their content's.
    flexible: bool = False
    component: str = "library--cell"


COLUMNS: tuple[Column, ...] = (
    Column("title", "Title", False, False, lambda r: tag_key(r.title), flexible=True),
    Column("author", "Author", False, False, lambda r: tag_key(r.author), flexible=True),
    Column("format", "Type", False, False, lambda r: r.document.format, component="library--muted"),
    Column("added", "Added", False, True, lambda r: r.document.added, component="library--muted"),
    Column(
        "opened",
        "Opened",
        False,
        True,
        lambda r: r.document.opened or "",
        component="library--muted",
    ),
    Column("read", "Read", True, True, lambda r: r.entry.progress),
    Column("highlights", "Highlights", True, True, lambda r: r.entry.highlights),
    Column("notes", "Notes", True, True, lambda r: r.entry.notes),
    Column(
        "tags",
        "Tags",
        False,
        False,
        lambda r: tag_key(r.tags),
        flexible=True,
        component="library--tags",
    ),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
_BY_KEY = {column.key: column for column in COLUMNS}
#: The smallest width a flexible column is given, and the most its content may claim.
_FLEX_MIN = {"title": 28, "author": 10, "tags": 8}
_FLEX_MAX = {"title": 80, "author": 30, "tags": 30}
#: Columns left out, in this order, while the window is too narrow for all of them.
_DROP_ORDER = ("added", "tags", "opened", "author", "notes", "format")
#: The sort indicator after a header: " ▲" or " ▼".
_ARROW_CELLS = 2


def plan_columns(natural: dict[str, int], width: int) -> list[tuple[Column, int]]:
    """The columns that fit in ``width`` cells (after the glyph column), each with its width."""
    available = width - 2
    shown = list(COLUMNS)

    def needed(columns: list[Column]) -> int:
        cells = sum(
            min(natural[c.key], _FLEX_MIN[c.key]) if c.flexible else natural[c.key] for c in columns
        )
        return cells + GAP * (len(columns) - 1)

    for key in _DROP_ORDER:
        if needed(shown) <= available:
            break
        shown.remove(_BY_KEY[key])
    fixed = sum(natural[c.key] for c in shown if not c.flexible)
    room = max(0, available - fixed - GAP * (len(shown) - 1))
    flexible = [c.key for c in shown if c.flexible]
    widths = {key: min(natural[key], _FLEX_MIN[key]) for key in flexible}
    shares = {"title": 0.55, "author": 0.25, "tags": 0.2}
    # Each flexible column takes its share of the room, then what the others leave unused.
    left = room - sum(widths.values())
    total_share = sum(shares[key] for key in flexible) or 1.0
    for key in flexible:
        grant = int(left * shares[key] / total_share)
        widths[key] = min(natural[key], widths[key] + grant)
    left = room - sum(widths.values())
    for key in flexible:
        grant = min(left, natural[key] - widths[key])
        widths[key] += max(0, grant)
        left -= max(0, grant)
    if "title" in widths:
        widths["title"] = max(1, widths["title"] + max(0, left))
    return [(c, widths[c.key] if c.flexible else natural[c.key]) for c in shown]


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` in exactly ``width`` cells: cut with "…", or padded (on the left if ``right``)."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    pad = " " * (width - length)
    return pad + text if right else text + pad


def matches(query: str) -> Callable[[Row], bool] | None:
    """What the filter keeps, or None for a filter with nothing in it.

    A row is kept when each word is in its title, authors or tags, and for each
    ``tag:x`` (or ``#x``) one of its tags starts with x; case is ignored.
    """
    words: list[str] = []
    tags: list[str] = []
    for word in query.split():
        folded = tag_key(word)
        if folded.startswith("tag:"):
            folded = folded[4:].lstrip("#")
            if folded:
                tags.append(folded)
        elif folded.startswith("#") and len(folded) > 1:
            tags.append(folded[1:])
        elif folded not in ("#", "tag:"):
            words.append(folded)
    if not words and not tags:
        return None

    def keep(row: Row) -> bool:
        return all(word in row.haystack for word in words) and all(
            any(key.startswith(tag) for key in row.tag_keys) for tag in tags
        )

    return keep


class LibraryTable(ScrollView, can_focus=True):
    """The documents, one a row under a header that stays put; arrows choose, enter opens."""

    DEFAULT_CSS = """
    LibraryTable { background: $surface; scrollbar-size-vertical: 1; }
    LibraryTable > .library--header { color: $foreground-muted; text-style: bold; }
    LibraryTable > .library--sorted { color: $accent; text-style: bold underline; }
    LibraryTable > .library--cell { color: $foreground; }
    LibraryTable > .library--muted { color: $foreground-muted; }
    LibraryTable > .library--tags { color: $accent; }
    LibraryTable > .library--gone { color: $error; text-style: bold; }
    LibraryTable > .library--current { text-style: bold; }
    LibraryTable > .library--selected { background: $boost; }
    LibraryTable:focus > .library--selected { background: $margin-selection; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "library--header",
        "library--sorted",
        "library--cell",
        "library--muted",
        "library--tags",
        "library--gone",
        "library--current",
        "library--selected",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Next document", show=False, id="library.next"),
        Binding("up,k", "move(-1)", "Previous document", show=False, id="library.previous"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="library.page_down"),
        Binding("pageup,b", "page(-1)", "Page up", show=False, id="library.page_up"),
        Binding("home,g", "move_to(0)", "First document", show=False, id="library.first"),
        Binding("end,G", "move_to(-1)", "Last document", show=False, id="library.last"),
        Binding("enter", "choose", "Open", id="library.open"),
    ]

    class Chosen(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, row: Row) -> None:
            super().__init__()
            self.row = row

    class Moved(Message):
        """Another row (or none) is chosen."""

    class HeaderClicked(Message):
        """A click on a column's header: sort by it."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: Every document, in the store's order (most recently opened first).
        self.rows: list[Row] = []
        #: The rows the filter keeps, in the chosen order.
        self.shown: list[Row] = []
        self.cursor: int | None = None
        self.sort_key = "opened"
        self.descending = True
        self.query = ""
        #: The document open in the reader beneath, drawn in bold.
        self.current: int | None = None
        self._natural: dict[str, int] = {}
        self._plan: list[tuple[Column, int]] = []
        self._planned_for = -1
        self._styles: dict[str, Style] = {}

    # -- content ------------------------------------------------------------

    def set_rows(self, rows: list[Row]) -> None:
        chosen = self.selected_row
        self.rows = rows
        self._measure_columns()
        self._arrange(keep=chosen.document.id if chosen is not None else None)

    def replace_row(self, row: Row) -> None:
        """Show ``row`` in place of the row of the same document."""
        doc_id = row.document.id
        self.rows = [row if r.document.id == doc_id else r for r in self.rows]
        self._measure_columns()
        self._arrange(keep=doc_id)

    def remove_document(self, doc_id: int) -> None:
        """Drop the document's row; the row after it is chosen."""
        at = self.cursor
        self.rows = [r for r in self.rows if r.document.id != doc_id]
        self._arrange(keep=None)
        if self.shown:
            self._set_cursor(min(at or 0, len(self.shown) - 1))

    def set_filter(self, query: str) -> None:
        """Keep the rows that match ``query`` and choose the first of them."""
        if query == self.query:
            return
        self.query = query
        self._arrange(keep=None)
        self._set_cursor(0 if self.shown else None, scroll_top=True)

    def sort_by(self, key: str, descending: bool) -> None:
        """Order the rows by a column, keeping the chosen row chosen."""
        self.sort_key, self.descending = key, descending
        chosen = self.selected_row
        self._arrange(keep=chosen.document.id if chosen is not None else None)

    def _arrange(self, keep: int | None) -> None:
        keeps = matches(self.query)
        rows = self.rows if keeps is None else [r for r in self.rows if keeps(r)]
        column = _BY_KEY[self.sort_key]
        # A stable sort over the store's order: ties stay most recently opened first.
        ordered = sorted(rows, key=column.sort_key, reverse=self.descending)
        # Rows with nothing in the column (no author, no tags, never opened) go last either way.
        key = column.key
        self.shown = [r for r in ordered if r.cell(key)] + [r for r in ordered if not r.cell(key)]
        self.virtual_size = Size(self.size.width, len(self.shown) + 1)
        if keep is not None and self.select_document(keep):
            return
        if self.cursor is not None and self.cursor >= len(self.shown):
            self._set_cursor(len(self.shown) - 1 if self.shown else None)
        elif self.cursor is None and self.shown:
            self._set_cursor(0)
        self.refresh()

    def _measure_columns(self) -> None:
        natural = {}
        for column in COLUMNS:
            header = cell_len(column.header)
            widest = max((cell_len(row.cell(column.key)) for row in self.rows), default=0)
            if column.flexible:
                natural[column.key] = min(_FLEX_MAX[column.key], max(header, widest))
            else:
                natural[column.key] = max(header, widest)
        self._natural = natural
        self._planned_for = -1
        self.refresh()

    def _columns(self) -> list[tuple[Column, int]]:
        width = self.scrollable_content_region.width
        if width != self._planned_for and self._natural:
            self._plan = plan_columns(self._natural, width)
            self._planned_for = width
        return self._plan

    # -- choosing -----------------------------------------------------------

    @property
    def selected_row(self) -> Row | None:
        if self.cursor is None or not 0 <= self.cursor < len(self.shown):
            return None
        return self.shown[self.cursor]

    def select_document(self, doc_id: int) -> bool:
        """Choose the document's row if it is shown; whether it is."""
        for index, row in enumerate(self.shown):
            if row.document.id == doc_id:
                self._set_cursor(index)
                return True
        return False

    def _set_cursor(self, index: int | None, *, scroll_top: bool = False) -> None:
        self.cursor = index
        if index is not None:
            self._scroll_to_row(index, top=scroll_top)
        self.refresh()
        self.post_message(self.Moved())

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_row(self, index: int, *, top: bool = False) -> None:
        rows = self._page_rows()
        scroll = int(self.scroll_y)
        if top or index < scroll:
            target = index if not top else 0
        elif index >= scroll + rows:
            target = index - rows + 1
        else:
            return
        self.scroll_to(y=max(0, target), animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        if not self.shown:
            return
        index = 0 if self.cursor is None else self.cursor + step
        self._set_cursor(max(0, min(len(self.shown) - 1, index)))

    def action_page(self, step: int) -> None:
        self.action_move(step * self._page_rows())

    def action_move_to(self, where: int) -> None:
        if self.shown:
            self._set_cursor(where % len(self.shown))

    def action_choose(self) -> None:
        row = self.selected_row
        if row is not None:
            self.post_message(self.Chosen(row))

    def on_click(self, event: Click) -> None:
        if event.y == 0:
            x = 2
            for column, width in self._columns():
                if x <= event.x < x + width + GAP:
                    self.post_message(self.HeaderClicked(column.key))
                    return
                x += width + GAP
            return
        index = event.y - 1 + int(self.scroll_y)
        if 0 <= index < len(self.shown):
            self._set_cursor(index)
            if event.chain >= 2:
                self.action_choose()

    def on_resize(self, event: Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.shown) + 1)
        if self.cursor is not None:
            self._scroll_to_row(self.cursor)

    # -- drawing ------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header(width, base)
        index = y - 1 + int(self.scroll_y)
        if not 0 <= index < len(self.shown):
            return Strip.blank(width, base)
        row = self.shown[index]
        if index == self.cursor:
            base = base + self._style("library--selected")
        bold = self._style("library--current") if row.document.id == self.current else None
        segments = [Segment(f"{GONE} " if row.gone else "  ", base + self._style("library--gone"))]
        for number, (column, cells) in enumerate(self._columns()):
            if number:
                segments.append(Segment(" " * GAP, base))
            style = base + self._style(column.component)
            if bold is not None and column.key == "title":
                style += bold
            segments.append(Segment(fit(row.cell(column.key), cells, column.right), style))
        return Strip(segments).crop(0, width).adjust_cell_length(width, base)

    def _header(self, width: int, base: Style) -> Strip:
        segments = [Segment("  ", base)]
        for number, (column, cells) in enumerate(self._columns()):
            if number:
                segments.append(Segment(" " * GAP, base))
            title = column.header
            sorted_here = column.key == self.sort_key
            # The arrow where it fits; the header's colour says it all the same.
            if sorted_here and cell_len(title) + _ARROW_CELLS <= cells:
                title += " ▼" if self.descending else " ▲"
            component = "library--sorted" if sorted_here else "library--header"
            segments.append(Segment(fit(title, cells, column.right), base + self._style(component)))
        return Strip(segments).crop(0, width).adjust_cell_length(width, base)

    def row_text(self, index: int) -> str:
        """A shown row as plain text, as drawn now (for tests)."""
        return self.render_line(index + 1 - int(self.scroll_y)).text


class FilterInput(Input):
    """The filter line: the arrows still move through the table, enter opens the chosen row."""

    DEFAULT_CSS = """
    FilterInput { height: 1; border: none; padding: 0 1; background: $panel; }
    FilterInput:focus { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False, id="library.filter_next"),
        Binding("up", "move(-1)", "Previous", show=False, id="library.filter_previous"),
        Binding("escape,tab", "leave", "To the table", show=False, id="library.filter_leave"),
    ]

    class Leave(Message):
        """Escape or tab: back to the table, the filter kept."""

    class Move(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def action_move(self, step: int) -> None:
        self.post_message(self.Move(step))

    def action_leave(self) -> None:
        self.post_message(self.Leave())


class LibraryScreen(Screen[None]):
    """Every document: sort, filter, open, tag or delete; escape goes back to the reader."""

    DEFAULT_CSS = """
    LibraryScreen > #library-title { height: 1; padding: 0 1; color: $accent; text-style: bold; }
    LibraryScreen > LibraryTable { height: 1fr; }
    LibraryScreen > #library-detail { height: 1; padding: 0 1; background: $panel; }
    LibraryScreen > #library-keys { height: 1; color: $foreground-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="library.close"),
        Binding("slash", "filter", "Filter", id="library.filter"),
        Binding("s", "sort", "Sort", id="library.sort"),
        Binding("r", "reverse", "Reverse", id="library.reverse"),
        Binding("t", "tags", "Tags", id="library.tags"),
        Binding("d", "delete", "Delete", id="library.delete"),
    ]

    def __init__(
        self, store: Store, current: int | None = None, rows: list[Row] | None = None
    ) -> None:
        """List the store's documents, ``current`` (the one in the reader beneath) chosen.

        ``rows`` are the documents already read (``library_rows``); without them
        the screen reads them itself, right after its first paint.
        """
        super().__init__()
        self.store = store
        self.current = current
        self._rows = rows
        #: The document in the reader beneath was deleted: closing opens another.
        self.current_deleted = False
        self.loaded = False
        self.message = ""
        self._message_row: int | None = None
        saved = store.get_setting(SORT_SETTING, {})
        self._sort = ("opened", True)
        if isinstance(saved, dict) and saved.get("column") in COLUMN_KEYS:
            self._sort = (str(saved["column"]), bool(saved.get("descending")))
        self._sorted = self._sort

    @property
    def table(self) -> LibraryTable:
        return self.query_one(LibraryTable)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one(FilterInput)

    def compose(self) -> ComposeResult:
        yield Static("Library", id="library-title", markup=False)
        yield FilterInput(
            placeholder="/ filter: words of a title or author, tag:name", id="library-filter"
        )
        table = LibraryTable(id="library-table")
        table.sort_key, table.descending = self._sort
        table.current = self.current
        yield table
        yield Static("Reading the library…", id="library-detail", markup=False)
        # One line of text, not a Footer: a Footer's widget per key cost more than the rows.
        yield Static(self._key_hints(), id="library-keys")

    def _key_hints(self) -> Text:
        hints = Text(no_wrap=True, overflow="ellipsis")
        bindings = [*LibraryTable.BINDINGS, *self.BINDINGS]
        for binding in bindings:
            assert isinstance(binding, Binding)
            if not binding.show:
                continue
            key = binding.key_display or binding.key.split(",")[0]
            hints.append(f" {_KEY_NAMES.get(key, key)} ", "bold")
            hints.append(f"{binding.description} ")
        return hints

    def on_mount(self) -> None:
        self.table.focus()
        if self._rows is not None:
            self._show_rows(self._rows)
            self._rows = None
        else:
            # The screen is drawn first; a thousand rows follow a moment later.
            self.call_after_refresh(self._load)

    def _load(self) -> None:
        # On the UI thread, after the first paint: measured faster to the rows than a
        # thread worker, which shares the processor with the UI (bench_library.py).
        if not self.is_attached:
            return  # closed before its first paint
        try:
            rows = library_rows(self.store)
        except StoreError as error:
            self._say(str(error))
            return
        self._show_rows(rows)

    def _show_rows(self, rows: list[Row]) -> None:
        if not self.is_attached:
            return  # closed before its rows came
        table = self.table
        table.set_rows(rows)
        if self.current is not None:
            table.select_document(self.current)
        self.loaded = True
        self._update_title()
        self._update_detail()

    # -- what the lines above and below the table say -------------------------

    def _update_title(self) -> None:
        table = self.table
        total = len(table.rows)
        counted = f"{total:,} document{'' if total == 1 else 's'}"
        if table.query.strip():
            counted = f"{len(table.shown):,} of {counted}"
        column = _BY_KEY[table.sort_key]
        order = "▼" if table.descending else "▲"
        self.query_one("#library-title", Static).update(
            f"Library · {counted} · by {column.header.lower()} {order}"
        )

    def _update_detail(self) -> None:
        detail = Text(no_wrap=True, overflow="ellipsis")
        row = self.table.selected_row
        if self.message:
            detail.append(self.message, "bold")
        elif row is not None:
            document = row.document
            where = document.path or "standard input"
            if row.gone:
                detail.append(f"{GONE} file gone: ", "bold")
                detail.append(f"{_flat(where)} — opens from the stored text")
            else:
                detail.append(_flat(where))
        elif self.loaded:
            empty = "No document matches the filter." if self.table.rows else "No documents yet."
            detail.append(empty)
        self.query_one("#library-detail", Static).update(detail)

    def _say(self, message: str) -> None:
        self.message = message
        # Told until another row is chosen.
        row = self.table.selected_row
        self._message_row = row.document.id if row is not None else None
        self._update_detail()

    def on_library_table_moved(self, _message: LibraryTable.Moved) -> None:
        row = self.table.selected_row
        if self.message and (row.document.id if row is not None else None) != self._message_row:
            self.message = ""
        self._update_detail()

    # -- filter and sort ------------------------------------------------------

    def action_filter(self) -> None:
        # At once, not as Widget.focus() does after this message: letters typed
        # right after "/" (a paste, a fast typist) belong to the filter.
        self.set_focus(self.filter_input)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "library-filter":
            return
        event.stop()
        self.table.set_filter(event.value)
        self._update_title()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "library-filter":
            return
        event.stop()
        self.table.action_choose()

    def on_filter_input_move(self, message: FilterInput.Move) -> None:
        self.table.action_move(message.step)

    def on_filter_input_leave(self, _message: FilterInput.Leave) -> None:
        self.table.focus()

    def action_sort(self) -> None:
        table = self.table
        following = COLUMN_KEYS[(COLUMN_KEYS.index(table.sort_key) + 1) % len(COLUMN_KEYS)]
        self._sort_by(following, _BY_KEY[following].descending)

    def action_reverse(self) -> None:
        self._sort_by(self.table.sort_key, not self.table.descending)

    def on_library_table_header_clicked(self, message: LibraryTable.HeaderClicked) -> None:
        table = self.table
        if message.key == table.sort_key:
            self._sort_by(message.key, not table.descending)
        else:
            self._sort_by(message.key, _BY_KEY[message.key].descending)

    def _sort_by(self, key: str, descending: bool) -> None:
        self.table.sort_by(key, descending)
        self._sorted = (key, descending)
        self._update_title()

    def on_unmount(self) -> None:
        # The order chosen is kept for next time: written once, as the library closes.
        chosen = self._sorted
        if chosen == self._sort or self.store.read_only:
            return
        # The order is a convenience, not worth an error as the screen goes.
        with contextlib.suppress(StoreError):
            self.store.set_setting(SORT_SETTING, {"column": chosen[0], "descending": chosen[1]})

    # -- opening --------------------------------------------------------------

    @property
    def margin(self) -> MarginApp:
        return cast(MarginApp, self.app)

    def on_library_table_chosen(self, message: LibraryTable.Chosen) -> None:
        document = message.row.document
        if document.id == self.current and not self.current_deleted:
            self.dismiss()  # it is open beneath, where it was left
            return
        self.margin.open_document(document)

    def action_close(self) -> None:
        if not self.current_deleted:
            self.dismiss()
            return
        # The document beneath is gone: the one read before it takes its place.
        following = self.store.last_opened()
        if following is None:
            following = next(iter(self.store.documents()), None)
        if following is not None:
            self.margin.open_document(following)
            return
        from db.library import open_source
        from tui.cli import tutorial_bytes

        document, loaded = open_source(self.store, tutorial_bytes(), path=None, name="tutorial.md")
        self.margin.show_document(document, loaded)

    # -- changing -------------------------------------------------------------

    def _chosen(self) -> Row | None:
        row = self.table.selected_row
        if row is None:
            self._say("No document chosen." if self.loaded else "The library is still being read.")
        return row

    def _writable(self) -> bool:
        if self.store.read_only:
            self._say("The database is read-only; changes are not saved.")
            return False
        return True

    def _readers_of(self, doc_id: int) -> list[ReaderScreen]:
        return [
            screen
            for screen in self.app.screen_stack
            if isinstance(screen, ReaderScreen) and screen.document.id == doc_id
        ]

    def action_tags(self) -> None:
        row = self._chosen()
        if row is None or not self._writable():
            return
        from tui.screens.editors import TagEditor

        document = row.document
        known = sorted({t for r in self.table.rows for t in r.document.metadata.tags}, key=tag_key)

        def saved(tags: list[str] | None) -> None:
            if tags is None or tags == document.metadata.tags:
                return
            metadata = replace(document.metadata, tags=tags)
            try:
                self.store.update_metadata(document.id, metadata)
            except StoreError as error:
                self._say(str(error))
                return
            changed = replace(document, metadata=metadata)
            self.table.replace_row(make_row(replace(row.entry, document=changed)))
            # A reader beneath keeps the document's metadata for `m` and citations:
            # it must not write the old tags back.
            for reader in self._readers_of(document.id):
                reader.document = replace(reader.document, metadata=metadata)
            app = self.margin
            if app.document is not None and app.document.id == document.id:
                app.document = replace(app.document, metadata=metadata)
            self._update_title()
            self._say("Tags saved." if tags else "Tags removed.")

        self.app.push_screen(TagEditor(row.title, list(document.metadata.tags), known), saved)

    def action_delete(self) -> None:
        row = self._chosen()
        if row is None or not self._writable():
            return
        from tui.screens.editors import ConfirmScreen

        label = document_label(row.document, limit=60)
        count = row.entry.highlights
        if count:
            question = f"Delete “{label}” and its {_highlights(count)}?"
        else:
            question = f"Delete “{label}”? It has no highlights."

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(row, label)
            else:
                self._say(f"Kept “{label}”.")

        if not getattr(getattr(self.app, "config", None), "confirm_delete", True):
            # confirm_delete = false in the config: d deletes at once.
            answered(True)
            return
        self.app.push_screen(ConfirmScreen(question), answered)

    def _delete(self, row: Row, label: str) -> None:
        doc_id = row.document.id
        for reader in self._readers_of(doc_id):
            # Its position is written now, not after the document has gone, and its
            # re-anchoring (if any) stops writing to highlights that are going.
            reader.save_position()
            self.app.workers.cancel_node(reader)
        try:
            removed = self.store.delete_document(doc_id)
        except StoreError as error:
            self._say(str(error))
            return
        self.table.remove_document(doc_id)
        self._update_title()
        said = f"Deleted “{label}”" + (f" and its {_highlights(removed)}" if removed else "") + "."
        if doc_id == self.current:
            self.current_deleted = True
            self.table.current = None
            said += " It was open: escape opens the one read before it."
        self._say(said)


def _highlights(count: int) -> str:
    return f"{count:,} highlight{'' if count == 1 else 's'}"


# --- starting on the library -------------------------------------------------------------


def is_tutorial(document: Document, tutorial_hash: str) -> bool:
    """Whether the document is margin's tutorial (this version of it, or an older one)."""
    if document.path is not None:
        return False
    return document.source_hash == tutorial_hash or document.metadata.authors == [TUTORIAL_AUTHOR]


def opens_on_library(store: Store, tutorial: bytes) -> bool:
    """Whether ``margin`` without a document starts on the library: once it holds two
    documents of the reader's own (the tutorial aside), there is a choice to make."""
    tutorial_hash = source_hash(tutorial)
    own = 0
    for document in store.documents():
        if not is_tutorial(document, tutorial_hash):
            own += 1
            if own >= 2:
                return True
    return False

"""The reader: the article with its cursor, the notes pane, search and the status line."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer

from tui.widgets.article import ArticleView
from tui.widgets.notes import NotesPane
from tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from textual.widgets import Input

    from db.models import Document, LoadedText
    from db.store import Store
    from tui.widgets.searchbar import SearchBar

# The search bar, the contents and the search itself are imported when first
# used: the first screen of a book should not wait for them.

#: Below this many columns the notes pane is hidden, so the text keeps a readable width.
NOTES_MIN_WIDTH = 90
#: Seconds the cursor rests before the reading position is written down.
SAVE_POSITION_DELAY = 1.0


class ReaderScreen(Screen[None]):
    """Reads one document."""

    DEFAULT_CSS = """
    ReaderScreen > #panes { height: 1fr; }
    ReaderScreen ArticleView { width: 1fr; height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="reader.search"),
        Binding("n", "next_match", "Next match", show=False, id="reader.next_match"),
        Binding("N", "prev_match", "Previous match", show=False, id="reader.prev_match"),
        Binding("escape", "clear", "Clear", show=False, id="reader.clear"),
        Binding("ctrl+o", "toc", "Contents", id="reader.toc"),
    ]

    def __init__(self, store: Store, document: Document, loaded: LoadedText) -> None:
        super().__init__()
        self.store = store
        self.document = document
        self.loaded = loaded
        self.query_text = ""
        self._save_timer: object | None = None
        self._saved_position = document.position
        # Kept from the cursor's messages: on unmount the article may already be gone.
        self._position = document.position

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def compose(self) -> ComposeResult:
        path = self.document.path
        title = self.document.metadata.title or (os.path.basename(path) if path else "stdin")
        with Horizontal(id="panes"):
            yield ArticleView(
                self.loaded.text,
                self.loaded.blocks,
                self.loaded.spans,
                cursor=self.document.position,
                id="article",
            )
            yield NotesPane(id="notes")
        yield StatusLine(title, id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.article.focus()
        if self.loaded.notices:
            self.status.set_message(" ".join(self.loaded.notices))
            for notice in self.loaded.notices:
                self.notify(notice, timeout=6)

    def on_resize(self, event: Resize) -> None:
        self.query_one(NotesPane).display = event.size.width >= NOTES_MIN_WIDTH

    # -- position -----------------------------------------------------------

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.status.set_position(message.block, message.blocks, message.fraction)
        self._position = message.offset
        if self._save_timer is not None:
            self._save_timer.stop()  # type: ignore[attr-defined]
        self._save_timer = self.set_timer(SAVE_POSITION_DELAY, self.save_position)

    def on_article_view_wrapping(self, message: ArticleView.Wrapping) -> None:
        self.status.set_message("Wrapping…" if message.busy else "")

    def save_position(self) -> None:
        """Write the reading position down, if it moved and the store can be written."""
        position = self._position
        if position == self._saved_position or self.store.read_only:
            return
        self.store.save_position(self.document.id, position)
        self._saved_position = position

    def on_unmount(self) -> None:
        self.save_position()

    # -- search -------------------------------------------------------------

    def action_search(self) -> None:
        from tui.widgets.searchbar import SearchBar

        # Mounted on first use: one widget less to build before the first screen.
        bars = self.query(SearchBar)
        if bars:
            bars.first().open(self.query_text)
        else:
            bar = SearchBar(id="search")
            self.mount(bar, before=self.status)
            bar.call_after_refresh(bar.open, self.query_text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        event.stop()
        bar: SearchBar = event.input  # type: ignore[assignment]
        bar.close()
        self.article.focus()
        self.query_text = event.value
        from db.find import find_all

        matches = find_all(self.loaded.text, event.value)
        self.article.set_matches(matches)
        if not matches:
            self.status.set_search(f"Not found: {event.value}" if event.value.strip() else "")
            return
        self._show_match(self.article.goto_match(1, include_cursor=True))

    def on_search_bar_cancelled(self, _message: SearchBar.Cancelled) -> None:
        self.article.focus()

    def _show_match(self, index: int) -> None:
        count = self.article.match_count
        self.status.set_search(f"{index + 1}/{count}" if index >= 0 else "")

    def action_next_match(self) -> None:
        self._show_match(self.article.goto_match(1))

    def action_prev_match(self) -> None:
        self._show_match(self.article.goto_match(-1))

    def action_clear(self) -> None:
        self.article.set_matches([])
        self.status.set_search("")

    # -- contents -----------------------------------------------------------

    def action_toc(self) -> None:
        from tui.screens.toc import TocScreen

        def jump(offset: int | None) -> None:
            if offset is not None:
                self.article.move_cursor(offset, top=True)

        self.app.push_screen(
            TocScreen(self.loaded.text, self.loaded.blocks, self.article.cursor), jump
        )

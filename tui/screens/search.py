"""Searching the whole library from the reader: results as you type, enter opens one.

The query language is db.search's (words, "phrases", tag:, doc:, color:,
has:, before:, after:, -word). Each change of the query is searched after a
short pause, in a thread; the results come back as a message, and those of a
query that has since changed are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from db.search import Hit
    from db.store import Store
    from tui.app import MarginApp

#: Seconds of quiet after a keystroke before the query is searched.
DEBOUNCE = 0.15
#: How many results a search shows.
LIMIT = 100
#: How much of the quote a note's or tags' result shows under its snippet.
QUOTE_CHARS = 120

_TITLES = {"highlights": "Search highlights, notes and tags", "text": "Search the full text"}
_HINTS = {
    "highlights": "enter: open   tab: full text   ↑↓: choose   escape: close",
    "text": "enter: open   tab: highlights   ↑↓: choose   escape: close",
}
_PLACEHOLDER = 'words, "a phrase", tag:…, doc:…, color:1-5, has:note, after:2025-06, -word'


class ResultList(OptionList, can_focus=False):
    """The results, each as its title and place over its snippet; the query keeps the focus."""

    DEFAULT_CSS = """
    ResultList, ResultList:focus { height: 1fr; border: none; background: $surface; }
    ResultList > .option-list--separator { color: $panel; }
    ResultList > .results--title { color: $accent; text-style: bold; }
    ResultList > .results--where { color: $foreground-muted; }
    ResultList > .results--kind { color: $warning; text-style: italic; }
    ResultList > .results--snippet { color: $foreground; }
    ResultList > .results--mark { text-style: bold reverse; }
    ResultList > .results--quote { color: $foreground-muted; text-style: italic; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "results--title",
        "results--where",
        "results--kind",
        "results--snippet",
        "results--mark",
        "results--quote",
    }

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def prompt(self, hit: Hit) -> Text:
        """One result: ``title — place`` (``full text`` for a text hit), the snippet, the quote."""
        from db.library import document_label
        from tui.widgets.notes import shorten

        text = Text(end="")
        text.append(document_label(hit.document, limit=60), self._style("results--title"))
        if hit.where:
            text.append(f" — {' '.join(hit.where.split())}", self._style("results--where"))
        elif hit.highlight is not None:
            text.append(" — no place in the current text", self._style("results--where"))
        if hit.is_text:
            text.append("  full text", self._style("results--kind"))
        text.append("\n")
        opening, closing = {"quote": ("“", "”"), "": ("“", "”"), "note": ("✎ ", "")}.get(
            hit.field, ("", "")
        )
        text.append(opening, self._style("results--snippet"))
        text.append_text(self._marked(hit.snippet, hit.marks))
        text.append(closing, self._style("results--snippet"))
        if hit.field in ("note", "tags"):
            text.append(f"\n“{shorten(hit.quote, QUOTE_CHARS)}”", self._style("results--quote"))
        return text

    def _marked(self, snippet: str, marks: Sequence[tuple[int, int]]) -> Text:
        plain, mark = self._style("results--snippet"), self._style("results--mark")
        text = Text(snippet, style=plain, end="")
        for start, end in marks:
            text.stylize(mark, start, end)
        return text


class SearchScreen(ModalScreen[None]):
    """A query over every document: its highlights, notes and tags, or (tab) their text."""

    DEFAULT_CSS = """
    SearchScreen { align: center middle; }
    SearchScreen > Vertical {
        width: 90%; max-width: 120; height: 90%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    SearchScreen #search-title { color: $accent; text-style: bold; }
    SearchScreen Input { border: tall $panel; }
    SearchScreen Input:focus { border: tall $primary; }
    SearchScreen #search-status { color: $foreground-muted; padding: 0 0 1 0; }
    SearchScreen #search-status.-error { color: $error; text-style: bold; }
    SearchScreen #search-hint { color: $foreground-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", priority=True, id="search.open"),
        Binding("escape", "close", "Close", id="search.close"),
        Binding("tab", "scope", "Highlights / full text", priority=True, id="search.scope"),
        Binding("down", "move(1)", "Next result", priority=True, show=False, id="search.next"),
        Binding(
            "up", "move(-1)", "Previous result", priority=True, show=False, id="search.previous"
        ),
        Binding("pagedown", "page(1)", "Results page down", show=False, id="search.page_down"),
        Binding("pageup", "page(-1)", "Results page up", show=False, id="search.page_up"),
    ]

    class Found(Message):
        """A search done in the worker: its hits, or why the query could not be searched."""

        def __init__(
            self, generation: int, query: str, hits: list[Hit], error: str | None = None
        ) -> None:
            super().__init__()
            self.generation = generation
            self.query = query
            self.hits = hits
            self.error = error

    def __init__(self, store: Store, *, scope: str = "highlights", query: str = "") -> None:
        super().__init__()
        self.store = store
        self.scope = scope
        self.hits: list[Hit] = []
        self._initial = query
        #: Counts the searches started; a result carrying an older count is stale.
        self._generation = 0
        self._timer: Timer | None = None
        #: The query (and scope) whose results or error are shown; None before the first.
        self.shown: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_TITLES[self.scope], id="search-title")
            yield Input(self._initial, placeholder=_PLACEHOLDER, id="search-input")
            yield Label("", id="search-status", markup=False)
            yield ResultList(id="search-results", markup=False)
            yield Label(_HINTS[self.scope], id="search-hint")

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def results(self) -> ResultList:
        return self.query_one(ResultList)

    @property
    def status_text(self) -> str:
        return str(self.query_one("#search-status", Label).content)

    def on_mount(self) -> None:
        self.input.focus()
        self.search_now()

    # -- searching ----------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self.search_now)

    def search_now(self) -> None:
        """Search the query as it stands (the debounce timer's end, or a change of scope)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._generation += 1
        self._search(self._generation, self.input.value, self.scope)

    @work(thread=True, exclusive=True, group="search-all")
    def _search(self, generation: int, query: str, scope: str) -> None:
        # Off the UI thread: a full-text search reads every document's text. Only
        # messages leave this thread; the widgets are updated when one arrives.
        from db.search import QueryError, search
        from db.store import StoreError

        worker = get_current_worker()
        try:
            hits = search(
                self.store,
                query,
                scope=scope,
                limit=LIMIT,
                partial=True,
                cancelled=lambda: worker.is_cancelled,
            )
        except (QueryError, StoreError) as error:
            self.post_message(self.Found(generation, query, [], str(error)))
            return
        if not worker.is_cancelled:
            self.post_message(self.Found(generation, query, hits))

    def on_search_screen_found(self, message: Found) -> None:
        if message.generation != self._generation:
            return  # for a query typed over since
        self.shown = (message.query, self.scope)
        status = self.query_one("#search-status", Label)
        if message.error is not None:
            # The last good results stay: the query is likely half typed.
            status.update(message.error)
            status.add_class("-error")
            return
        status.remove_class("-error")
        status.update(self._summary(message.hits))
        self.hits = message.hits
        results = self.results
        results.clear_options()
        options: list[Option | None] = []
        for hit in self.hits:
            options += [Option(results.prompt(hit)), None]  # None: a rule between results
        results.add_options(options[:-1])
        if self.hits:
            results.highlighted = 0

    def _summary(self, hits: list[Hit]) -> str:
        count = len(hits)
        more = " (the first ones)" if count >= LIMIT else ""
        if self.scope == "text":
            if not self.input.value.strip():
                return "Type words to find them in the text of every document."
            if not count:
                return "No matches in the text of any document."
            return f"{count} place{'s' if count != 1 else ''} in the text{more}"
        if not self.input.value.strip():
            return "Recent highlights" if count else "No highlights yet."
        if not count:
            return "No matching highlights."
        return f"{count} highlight{'s' if count != 1 else ''}{more}"

    # -- keys ---------------------------------------------------------------

    def action_scope(self) -> None:
        self.scope = "text" if self.scope == "highlights" else "highlights"
        self.query_one("#search-title", Label).update(_TITLES[self.scope])
        self.query_one("#search-hint", Label).update(_HINTS[self.scope])
        self.search_now()

    def action_move(self, step: int) -> None:
        results = self.results
        if results.option_count:
            (results.action_cursor_down if step > 0 else results.action_cursor_up)()

    def action_page(self, step: int) -> None:
        results = self.results
        if results.option_count:
            (results.action_page_down if step > 0 else results.action_page_up)()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        index = self.results.highlighted
        if index is not None and 0 <= index < len(self.hits):
            self.open_hit(self.hits[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.hits):
            self.open_hit(self.hits[event.option_index])

    def open_hit(self, hit: Hit) -> None:
        """Read the hit's document at the hit: in the reader below, or the document opened."""
        from tui.screens.reader import ReaderScreen

        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if (
            isinstance(below, ReaderScreen)
            and below.document.id == hit.document.id
            and below.document.text_hash == hit.document.text_hash
        ):
            self.dismiss(None)
            below.article.move_cursor(hit.start, center=True)
            return
        app: MarginApp = self.app  # type: ignore[assignment]
        app.open_document(hit.document, offset=hit.start)

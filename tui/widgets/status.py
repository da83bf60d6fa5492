"""The status line under the article: title, position, paragraph and search state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label


class StatusLine(Horizontal):
    """One row: the document's title on the left, where the reader is on the right."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    StatusLine > #status-title { width: 1fr; padding: 0 1; text-style: bold; }
    StatusLine > #status-message { width: auto; padding: 0 1; color: $warning; }
    StatusLine > #status-search { width: auto; padding: 0 1; color: $accent; }
    StatusLine > #status-position { width: auto; padding: 0 1; color: $foreground-muted; }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = title

    def compose(self) -> ComposeResult:
        yield Label(self._title, id="status-title", markup=False)
        yield Label("", id="status-message", markup=False)
        yield Label("", id="status-search", markup=False)
        yield Label("", id="status-position", markup=False)

    def set_position(self, block: int, blocks: int, fraction: float) -> None:
        percent = min(100, max(0, round(fraction * 100)))
        text = f"¶ {block + 1}/{blocks}  {percent}%" if blocks else ""
        self.query_one("#status-position", Label).update(text)

    def set_search(self, text: str) -> None:
        self.query_one("#status-search", Label).update(text)

    def set_message(self, text: str) -> None:
        self.query_one("#status-message", Label).update(text)

    @property
    def position_text(self) -> str:
        return str(self.query_one("#status-position", Label).content)

    @property
    def search_text(self) -> str:
        return str(self.query_one("#status-search", Label).content)

"""The one-line search prompt that `/` opens under the article."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class SearchBar(Input):
    """Takes a phrase; enter searches, escape closes without searching."""

    DEFAULT_CSS = """
    SearchBar {
        dock: bottom;
        height: 1;
        border: none;
        padding: 0 1;
        background: $panel;
        display: none;
    }
    SearchBar:focus { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="search.cancel"),
    ]

    class Cancelled(Message):
        """The search prompt was closed without searching."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="Search (enter: go, escape: cancel)", id=id)

    def open(self, initial: str = "") -> None:
        self.value = initial
        self.display = True
        # Focused now, not after this message as Widget.focus() does: what is typed
        # right after "/" (a paste, a fast typist) is the query, not reader keys.
        self.screen.set_focus(self)

    def close(self) -> None:
        self.display = False

    def action_cancel(self) -> None:
        self.close()
        self.post_message(self.Cancelled())

"""The notes pane beside the article: the document's highlights with their notes and tags."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static


class NotesPane(Vertical, can_focus=False):
    """Lists the highlights of the open document; says how to make one when there are none."""

    DEFAULT_CSS = """
    NotesPane {
        width: 38;
        background: $surface;
        border-left: vkey $panel;
        padding: 0 1;
    }
    NotesPane > #notes-header { color: $accent; text-style: bold; padding: 0 0 1 0; }
    NotesPane > #notes-empty { color: $foreground-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Highlights · 0", id="notes-header")
        yield Static("No highlights yet — press h", id="notes-empty", markup=False)

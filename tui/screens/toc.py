"""The table of contents: the book's own (EPUB navigation, PDF outline) or its headings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from db.models import Block, TocEntry


class TocScreen(ModalScreen[int | None]):
    """Lists entries, indented by level; enter returns the chosen entry's offset.

    A source's own table of contents is what its author meant readers to see
    (it names parts a heading may not, and leaves out headings that are not
    chapters), so it is preferred to the headings found in the text.
    """

    DEFAULT_CSS = """
    TocScreen { align: center middle; }
    TocScreen > Vertical {
        width: 80%; max-width: 90; height: 80%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    TocScreen Label { color: $accent; text-style: bold; padding: 0 0 1 0; }
    TocScreen OptionList, TocScreen OptionList:focus {
        height: 1fr; border: none; background: $surface;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="toc.close"),
    ]

    def __init__(
        self, text: str, blocks: Sequence[Block], cursor: int, toc: Sequence[TocEntry] = ()
    ) -> None:
        super().__init__()
        self._own = bool(toc)
        self._entries = list(toc) or [
            TocEntry(" ".join(text[b.start : b.end].split()), b.start, b.level)
            for b in blocks
            if b.kind == "heading"
        ]
        self._cursor = cursor

    def compose(self) -> ComposeResult:
        with Vertical():
            count = len(self._entries)
            what = "entries" if self._own else "headings"
            yield Label(f"Contents · {count} {what}")
            options = [
                Option("  " * max(0, entry.level - 1) + entry.title) for entry in self._entries
            ]
            if not options:
                options.append(Option("This document has no headings.", disabled=True))
            yield OptionList(*options, markup=False)

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        current = 0
        for index, entry in enumerate(self._entries):
            if entry.start <= self._cursor:
                current = index
        if self._entries:
            option_list.highlighted = current

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self._entries:
            self.dismiss(self._entries[event.option_index].start)

    def action_close(self) -> None:
        self.dismiss(None)

"""The table of contents: the document's headings, to jump to one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from db.models import Block


class TocScreen(ModalScreen[int | None]):
    """Lists headings, indented by level; enter returns the chosen heading's offset."""

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

    def __init__(self, text: str, blocks: Sequence[Block], cursor: int) -> None:
        super().__init__()
        self._headings = [block for block in blocks if block.kind == "heading"]
        self._text = text
        self._cursor = cursor

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Contents · {len(self._headings)} headings")
            options = []
            for block in self._headings:
                title = " ".join(self._text[block.start : block.end].split())
                indent = "  " * max(0, block.level - 1)
                options.append(Option(f"{indent}{title}"))
            if not options:
                options.append(Option("This document has no headings.", disabled=True))
            yield OptionList(*options, markup=False)

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        current = 0
        for index, block in enumerate(self._headings):
            if block.start <= self._cursor:
                current = index
        if self._headings:
            option_list.highlighted = current

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self._headings:
            self.dismiss(self._headings[event.option_index].start)

    def action_close(self) -> None:
        self.dismiss(None)

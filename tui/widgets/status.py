"""The status line under the article: title, position, paragraph and search state."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widget import Widget


class StatusLine(Widget):
    """One row: the document's title on the left, a message, search state and position right."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    StatusLine > .status--title { text-style: bold; }
    StatusLine > .status--message { color: $warning; }
    StatusLine > .status--search { color: $accent; }
    StatusLine > .status--position { color: $foreground-muted; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status--title",
        "status--message",
        "status--search",
        "status--position",
    }

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.message = ""
        self.search_text = ""
        self.position_text = ""
        #: Plain mode is on: said in words, as a screen reader reads this line.
        self.plain = False

    def render(self) -> Text:
        # One widget drawing all four parts: cheaper to start than four labels.
        width = self.size.width
        fixed = Text()
        for part, component in (
            (self.search_text, "status--search"),
            (self.position_text, "status--position"),
            ("plain" if self.plain else "", "status--position"),
        ):
            if part:
                fixed.append(f" {part} ", self.get_component_rich_style(component))
        right = Text()
        if self.message:
            # On a narrow terminal the message gives way before the position does.
            message = Text(f" {self.message} ", self.get_component_rich_style("status--message"))
            message.truncate(max(0, width - fixed.cell_len - 1), overflow="ellipsis")
            if message.cell_len > 2:
                right.append_text(message)
        right.append_text(fixed)
        if right.cell_len > width:
            right = right[right.cell_len - width :]
        room = max(0, width - right.cell_len - 2)
        title = Text(f" {self.title}", self.get_component_rich_style("status--title"))
        title.truncate(room, overflow="ellipsis")
        if not room:
            title = Text()
        title.pad_right(max(0, room - title.cell_len) + 2)
        return title + right

    def set_position(
        self, paragraph: int, paragraphs: int, fraction: float, page: str = ""
    ) -> None:
        percent = min(100, max(0, round(fraction * 100)))
        where = f"¶ {paragraph}/{paragraphs}  {percent}%" if paragraphs else ""
        self.position_text = f"p. {page}  {where}" if page and where else where
        self.refresh()

    def set_search(self, text: str) -> None:
        self.search_text = text
        self.refresh()

    def set_message(self, text: str) -> None:
        self.message = text
        self.refresh()

"""The notes pane beside the article: the document's highlights with their notes and tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from db.models import Block, Highlight

#: How much of a quote the pane shows before an ellipsis.
QUOTE_CHARS = 160
NOTE_CHARS = 240

_STATUS_WORDS = {"moved": "moved", "fuzzy": "fuzzy", "orphan": "orphan"}


def shorten(text: str, limit: int) -> str:
    """Text on one line, cut at a word before limit with an ellipsis when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,.;:") + "…"


class HighlightList(OptionList):
    """The highlights as options; enter jumps to the one highlighted."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Jump to it", id="notes.jump"),
    ]


class NotesPane(Vertical, can_focus=False):
    """Every highlight of the document in text order, orphans apart, following the cursor."""

    DEFAULT_CSS = """
    NotesPane {
        width: 38;
        background: $surface;
        border-left: vkey $panel;
        padding: 0 0 0 1;
    }
    NotesPane > #notes-header { color: $accent; text-style: bold; padding: 0 0 1 0; }
    NotesPane > #notes-empty { color: $foreground-muted; }
    NotesPane > HighlightList, NotesPane > HighlightList:focus {
        height: 1fr; border: none; background: $surface; padding: 0;
    }
    """

    class Jump(Message):
        """Enter was pressed on a highlight in the pane."""

        def __init__(self, highlight: Highlight) -> None:
            super().__init__()
            self.highlight = highlight

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: list[Highlight | None] = []
        self._anchored_starts: list[int] = []

    def compose(self) -> ComposeResult:
        yield Label("Highlights · 0", id="notes-header")
        yield Static("No highlights yet — press h", id="notes-empty", markup=False)
        yield HighlightList(id="notes-list", markup=False)

    def on_mount(self) -> None:
        self.query_one(HighlightList).display = False

    @property
    def list(self) -> HighlightList:
        return self.query_one(HighlightList)

    def show(self, highlights: Sequence[Highlight], text: str, blocks: Sequence[Block]) -> None:
        """List these highlights (orphans last, in their own section)."""
        anchored = [h for h in highlights if h.status != "orphan"]
        orphans = [h for h in highlights if h.status == "orphan"]
        notes = sum(1 for h in highlights if h.note.strip())
        header = f"Highlights · {len(highlights)}  Notes · {notes}"
        self.query_one("#notes-header", Label).update(header)
        self.query_one("#notes-empty").display = not highlights
        option_list = self.list
        option_list.display = bool(highlights)
        kept = option_list.highlighted
        from db.locate import Locator

        locator = Locator(text, blocks)
        options: list[Option | None] = []
        self._items = []
        for highlight in anchored:
            where = locator.at(highlight.start).describe()
            options.append(Option(self._prompt(highlight, where), id=highlight.id))
            self._items.append(highlight)
        if orphans:
            options.append(None)
            self._items.append(None)
            options.append(Option(Text(f"Orphans · {len(orphans)}", style="bold"), disabled=True))
            self._items.append(None)
            for highlight in orphans:
                options.append(Option(self._prompt(highlight, None), id=highlight.id))
                self._items.append(highlight)
        self._anchored_starts = [h.start for h in anchored]
        option_list.set_options(options)
        # A None option is a separator line, not an option with an index of its own.
        self._items = [item for item, o in zip(self._items, options, strict=True) if o is not None]
        if kept is not None and kept < option_list.option_count:
            option_list.highlighted = kept

    def _prompt(self, highlight: Highlight, where: str | None) -> Text:
        where = where or "no place in this text"
        status = _STATUS_WORDS.get(highlight.status, "")
        if highlight.status == "fuzzy":
            status = f"fuzzy {highlight.score:.0%}"
        head = Text()
        swatch = self.app.theme_variables.get(f"margin-highlight-{highlight.color}", "")
        head.append("■ ", style=f"bold {swatch}" if swatch.startswith("#") else "bold")
        head.append(f"{highlight.color} ")
        head.append(where, style="dim")
        if status:
            head.append(f"  {status}", style="italic")
        lines = [head, Text(f"“{shorten(highlight.quote, QUOTE_CHARS)}”")]
        if highlight.status == "orphan":
            # Its words are gone from the text; the context it had says where it was.
            before = shorten(highlight.prefix[-40:], 40)
            after = shorten(highlight.suffix[:40], 40)
            lines.append(Text(f"was after “…{before}” and before “{after}…”", style="dim"))
        if highlight.note.strip():
            lines.append(Text(f"✎ {shorten(highlight.note, NOTE_CHARS)}", style="italic"))
        if highlight.tags:
            lines.append(Text(" ".join(f"#{tag}" for tag in highlight.tags), style="bold"))
        return Text("\n").join([*lines, Text("")])

    def highlighted_item(self) -> Highlight | None:
        index = self.list.highlighted
        if index is None or not 0 <= index < len(self._items):
            return None
        return self._items[index]

    def follow(self, highlight: Highlight | None) -> None:
        """Select the entry of the highlight under the article's cursor."""
        if highlight is None:
            return
        for index, item in enumerate(self._items):
            if item is not None and item.id == highlight.id:
                if self.list.highlighted != index:
                    self.list.highlighted = index
                return

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self._items[event.option_index] if event.option_index < len(self._items) else None
        if item is not None:
            self.post_message(self.Jump(item))

"""The dialogs that edit one highlight: its note (multi-line), its tags (one line), and a yes/no."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, TextArea

from db.tags import parse_tags

_DIALOG_CSS = """
    {name} {{ align: center middle; }}
    {name} > Vertical {{
        width: 80%; max-width: 84; height: auto; max-height: 80%;
        background: $surface; border: round $primary; padding: 0 1;
    }}
    {name} .dialog--title {{ color: $accent; text-style: bold; }}
    {name} .dialog--quote {{ color: $foreground-muted; text-style: italic; padding: 0 0 1 0; }}
    {name} .dialog--hint {{ color: $foreground-muted; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """A question answered with y (yes) or n / escape (no)."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ConfirmScreen")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, classes="dialog--title", markup=False)
            yield Label("y: yes   n: no", classes="dialog--hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class NoteEditor(ModalScreen[str | None]):
    """Writes a highlight's note: ctrl+s saves, escape asks before dropping a change."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="NoteEditor")
        + """
    NoteEditor TextArea { height: 12; border: tall $panel; }
    NoteEditor TextArea:focus { border: tall $primary; }
    """
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: keys typed just before ctrl+s in one burst (over SSH)
        # reach the note first, and are saved with it.
        Binding("ctrl+s", "save", "Save", id="note.save"),
        Binding("escape", "cancel", "Cancel", priority=True, id="note.cancel"),
    ]

    def __init__(self, quote: str, note: str) -> None:
        super().__init__()
        self.quote = quote
        self.note = note

    def compose(self) -> ComposeResult:
        from tui.widgets.notes import shorten

        with Vertical():
            yield Label("Note", classes="dialog--title")
            yield Label(f"“{shorten(self.quote, 200)}”", classes="dialog--quote", markup=False)
            yield TextArea(self.note, id="note-text", soft_wrap=True, tab_behavior="indent")
            yield Label(
                "ctrl+s: save   escape: cancel   Markdown is kept as typed", classes="dialog--hint"
            )

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        self.dismiss(self.text)

    def action_cancel(self) -> None:
        if self.text == self.note:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard the changes to this note?"), answered)


class TagSuggester(Suggester):
    """Completes the last tag being typed from the tags already in use."""

    def __init__(self, known: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.known = sorted(known, key=str.casefold)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(" ") if " " in value else ("", "", value)
        if "," in last:
            head_part, _, last = last.rpartition(",")
            head = f"{head} {head_part}," if head else f"{head_part},"
        typed = last.lstrip("#").casefold()
        if not typed:
            return None
        for tag in self.known:
            if tag.casefold().startswith(typed) and tag.casefold() != typed:
                prefix = value[: len(value) - len(last)]
                return prefix + ("#" if last.startswith("#") else "") + tag
        return None


class TagEditor(ModalScreen[list[str] | None]):
    """Edits a highlight's tags on one line: commas or spaces between them, enter saves."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="TagEditor")
        + """
    TagEditor Input { border: tall $panel; }
    TagEditor Input:focus { border: tall $primary; }
    TagEditor #tags-error { color: $error; }
    """
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="tags.cancel"),
    ]

    def __init__(self, quote: str, tags: list[str], known: list[str]) -> None:
        super().__init__()
        self.quote = quote
        self.tags = tags
        self.known = known

    def compose(self) -> ComposeResult:
        from tui.widgets.notes import shorten

        with Vertical():
            yield Label("Tags", classes="dialog--title")
            yield Label(f"“{shorten(self.quote, 200)}”", classes="dialog--quote", markup=False)
            yield Input(
                " ".join(self.tags),
                placeholder="policy, topic/asylum …",
                suggester=TagSuggester(self.known),
                id="tags-input",
            )
            yield Label("", id="tags-error", markup=False)
            yield Label(
                "enter: save   right arrow: complete   escape: cancel", classes="dialog--hint"
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        tags, rejected = parse_tags(event.value)
        if rejected:
            self.query_one("#tags-error", Label).update(
                "Not a tag (letters, digits, - _ / only): " + ", ".join(rejected)
            )
            return
        self.dismiss(tags)

    def action_cancel(self) -> None:
        self.dismiss(None)

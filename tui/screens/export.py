"""The export dialog: a format and a destination for the open document's highlights."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from db.export import FORMATS, extension

FORMAT_LABELS = {
    "md": "Markdown (Obsidian, note folders)",
    "json": "JSON — W3C Web Annotations (lossless)",
    "csv": "CSV — Readwise import",
    "html": "HTML page",
    "bibtex": "BibTeX record",
    "csl-json": "CSL-JSON record",
}


class ExportDialog(ModalScreen[tuple[str, Path] | None]):
    """Choose a format (the file name follows it) and where to write; enter exports."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 90%; max-width: 96; height: auto; max-height: 90%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    ExportDialog .dialog--title { color: $accent; text-style: bold; }
    ExportDialog .dialog--hint { color: $foreground-muted; }
    ExportDialog OptionList { height: auto; border: tall $panel; }
    ExportDialog OptionList:focus { border: tall $primary; }
    ExportDialog Input { border: tall $panel; }
    ExportDialog Input:focus { border: tall $primary; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(self, fmt: str, folder: Path, stem: str) -> None:
        super().__init__()
        self.fmt = fmt if fmt in FORMATS else "md"
        self.folder = folder
        self.stem = stem

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export this document's highlights", classes="dialog--title")
            yield OptionList(
                *(Option(FORMAT_LABELS[name], id=name) for name in FORMATS), id="export-formats"
            )
            yield Label("Write to:")
            yield Input(str(self._path_for(self.fmt)), id="export-path")
            yield Label(
                "enter on a format: choose it   enter in the path: export   escape: cancel",
                classes="dialog--hint",
            )

    def _path_for(self, fmt: str) -> Path:
        return self.folder / f"{self.stem}.{extension(fmt)}"

    def on_mount(self) -> None:
        formats = self.query_one(OptionList)
        formats.highlighted = list(FORMATS).index(self.fmt)
        formats.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None:
            return
        path_input = self.query_one("#export-path", Input)
        current = Path(path_input.value).expanduser()
        # The file name follows the format, as long as the reader has not renamed it.
        if current.name == self._path_for(self.fmt).name:
            path_input.value = str(current.with_name(self._path_for(event.option.id).name))
        self.fmt = event.option.id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#export-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if value:
            self.dismiss((self.fmt, Path(value).expanduser()))

    def action_cancel(self) -> None:
        self.dismiss(None)

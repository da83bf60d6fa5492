"""The metadata form: title, authors, date, publisher, container, type and identifiers."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from db.metadata import FIELDS, get_field, set_field
from db.models import Metadata

#: The fields the form shows (a citation's needs), with their labels.
FORM_FIELDS = {
    "title": "Title",
    "author": "Authors",
    "date": "Date",
    "publisher": "Publisher / site",
    "container": "In (journal, book)",
    "type": "Type",
    "url": "URL",
    "doi": "DOI",
    "isbn": "ISBN",
}


class MetadataForm(ModalScreen[Metadata | None]):
    """Edits a document's metadata; ctrl+s saves, escape cancels."""

    DEFAULT_CSS = """
    MetadataForm { align: center middle; }
    MetadataForm > Vertical {
        width: 90%; max-width: 96; height: auto; max-height: 90%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    MetadataForm .dialog--title { color: $accent; text-style: bold; }
    MetadataForm .dialog--hint { color: $foreground-muted; }
    MetadataForm #form-error { color: $error; }
    MetadataForm Grid { grid-size: 2; grid-columns: 20 1fr; height: auto; grid-rows: 3; }
    MetadataForm Grid > Label { padding: 1 1 0 0; }
    MetadataForm Input { border: tall $panel; }
    MetadataForm Input:focus { border: tall $primary; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: what was typed just before ctrl+s is saved with it.
        Binding("ctrl+s", "save", "Save", id="meta.save"),
        Binding("escape", "cancel", "Cancel", id="meta.cancel"),
    ]

    def __init__(self, metadata: Metadata) -> None:
        super().__init__()
        self.metadata = metadata

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Document metadata", classes="dialog--title")
            with Grid():
                for name, label in FORM_FIELDS.items():
                    yield Label(label)
                    yield Input(
                        get_field(self.metadata, name),
                        placeholder=FIELDS[name],
                        id=f"meta-{name}",
                    )
            yield Label("", id="form-error", markup=False)
            yield Label(
                "ctrl+s: save   escape: cancel   authors: Family, Given; Family, Given",
                classes="dialog--hint",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        metadata = self.metadata
        try:
            for name in FORM_FIELDS:
                metadata = set_field(metadata, name, self.query_one(f"#meta-{name}", Input).value)
        except ValueError as error:
            self.query_one("#form-error", Label).update(str(error))
            return
        self.dismiss(metadata)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""The citation chooser: a style and a form, a live preview, enter to copy."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from db.cite import FORMS, STYLES
from db.locate import Location
from db.models import Document

#: What each form gives, for the chooser's list.
FORM_LABELS = {
    "quote": "Quote with citation",
    "in-text": "In-text citation",
    "reference": "Reference entry",
    "bibtex": "BibTeX",
}

#: What the chooser returns: the text to copy, or "metadata" to open the metadata form.
Choice = str | None


class CitationChooser(ModalScreen[Choice]):
    """Pick a style and a form; the preview shows exactly what enter will copy."""

    DEFAULT_CSS = """
    CitationChooser { align: center middle; }
    CitationChooser > Vertical {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    CitationChooser .dialog--title { color: $accent; text-style: bold; }
    CitationChooser .dialog--hint { color: $foreground-muted; }
    CitationChooser #cite-missing { color: $warning; }
    CitationChooser Horizontal { height: auto; }
    CitationChooser OptionList { width: 1fr; height: auto; max-height: 10; border: tall $panel; }
    CitationChooser OptionList:focus { border: tall $primary; }
    CitationChooser #cite-preview {
        height: auto; min-height: 4; max-height: 14; padding: 1; background: $panel;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "copy", "Copy", priority=True, id="cite.copy"),
        Binding("m", "metadata", "Fill in metadata", id="cite.metadata"),
        Binding("escape", "cancel", "Cancel", id="cite.cancel"),
    ]

    def __init__(
        self,
        document: Document,
        *,
        quote: str | None,
        location: Location | None,
        style: str,
    ) -> None:
        super().__init__()
        self.document = document
        self.quote = quote
        self.location = location
        self.style = style if style in STYLES else "apa"
        self.form = "quote" if quote else "reference"
        self.preview = ""

    def compose(self) -> ComposeResult:
        metadata = self.document.metadata
        # "--06-03" (a dateline's day without its year) is a date still to complete.
        dated = bool(metadata.published) and not metadata.published.startswith("--")
        missing = [
            what
            for what, present in (
                ("author", bool(metadata.authors)),
                ("year" if metadata.published else "date", dated),
            )
            if not present
        ]
        with Vertical():
            yield Label("Cite", classes="dialog--title")
            if missing:
                yield Label(
                    f"No {' or '.join(missing)} yet: the style says what stands in. "
                    "m fills in the metadata.",
                    id="cite-missing",
                )
            with Horizontal():
                yield OptionList(
                    *(Option(description, id=name) for name, description in STYLES.items()),
                    id="cite-styles",
                )
                forms = [form for form in FORM_LABELS if form in FORMS]
                if not self.quote:
                    forms = [form for form in forms if form != "quote"]
                yield OptionList(
                    *(Option(FORM_LABELS[form], id=form) for form in forms), id="cite-forms"
                )
            yield Static("…", id="cite-preview", markup=False)
            yield Label(
                "tab: style / form   enter: copy   m: metadata   escape: cancel",
                classes="dialog--hint",
            )

    def on_mount(self) -> None:
        styles = self.query_one("#cite-styles", OptionList)
        styles.highlighted = list(STYLES).index(self.style)
        forms = self.query_one("#cite-forms", OptionList)
        ids = [forms.get_option_at_index(i).id for i in range(forms.option_count)]
        forms.highlighted = ids.index(self.form) if self.form in ids else 0
        styles.focus()
        self._render_preview()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "cite-styles" and event.option.id:
            self.style = event.option.id
        elif event.option_list.id == "cite-forms" and event.option.id:
            self.form = event.option.id
        self._render_preview()

    @work(thread=True, exclusive=True, group="cite")
    def _render_preview(self) -> None:
        # citeproc takes a moment to load a style the first time: off the UI thread.
        from db.cite import cite

        worker = get_current_worker()
        style, form = self.style, self.form
        try:
            text = cite(
                self.document, style=style, form=form, quote=self.quote, location=self.location
            )
        except ValueError as error:
            text = f"Cannot cite this way: {error}"
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_preview, text)

    def _show_preview(self, text: str) -> None:
        self.preview = text
        self.query_one("#cite-preview", Static).update(text)

    def action_copy(self) -> None:
        if self.preview and not self.preview.startswith("Cannot cite"):
            self.dismiss(self.preview)

    def action_metadata(self) -> None:
        self.dismiss("metadata")

    def action_cancel(self) -> None:
        self.dismiss(None)

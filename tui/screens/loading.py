"""The loading screen: opens a document in a thread worker, showing progress, then the reader.

A book in EPUB or PDF, or a fetched page, can take seconds to parse; the
parse runs in a thread that never touches a widget and reports by messages.
The progress bar appears only when the wait is long enough to notice. A
document that cannot be opened is told on an error screen; margin then goes
back where it was, or, when there is nowhere to go back to, exits with the
message (the CLI prints it as one line).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, ProgressBar

from db.documents import LoadError, Progress
from db.store import StoreError

if TYPE_CHECKING:
    from db.models import Document, LoadedText

#: Opens the document, calling the progress callback as it goes; raises LoadError or StoreError.
Opener = Callable[[Progress], "tuple[Document, LoadedText]"]

#: Below this, a load is over before a progress bar would mean anything.
SHOW_PROGRESS_AFTER = 0.5


class LoadingScreen(Screen[None]):
    """Runs ``opener`` in a worker; on success the reader replaces this screen."""

    DEFAULT_CSS = """
    LoadingScreen { align: center middle; }
    LoadingScreen Vertical { width: 64; height: auto; }
    LoadingScreen Label { width: 100%; content-align: center middle; color: $text-muted; }
    LoadingScreen ProgressBar { width: auto; padding: 1 0 0 0; }
    """

    class Progressed(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Opened(Message):
        def __init__(self, document: Document, loaded: LoadedText) -> None:
            super().__init__()
            self.document, self.loaded = document, loaded

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, what: str, opener: Opener, *, can_go_back: bool = False) -> None:
        super().__init__()
        self.what = what
        self._opener = opener
        self._can_go_back = can_go_back
        #: The error that ended the load, for the CLI to print after the app exits.
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical():
            yield Label(f"Opening {self.what}…", markup=False)
            bar = ProgressBar(show_eta=False, id="loading-progress")
            bar.display = False
            yield bar

    def on_mount(self) -> None:
        self.set_timer(SHOW_PROGRESS_AFTER, self._show_progress)
        self._open()

    def _show_progress(self) -> None:
        self.query_one(ProgressBar).display = True

    @work(thread=True, exclusive=True)
    def _open(self) -> None:
        # Throttled: a 500-page PDF would otherwise post 500 messages.
        last_percent = -1

        def progress(done: int, total: int) -> None:
            nonlocal last_percent
            percent = done * 100 // total if total else 0
            if percent != last_percent:
                last_percent = percent
                self.post_message(self.Progressed(done, total))

        try:
            document, loaded = self._opener(progress)
        except (LoadError, StoreError) as error:
            self.post_message(self.Failed(str(error)))
            return
        self.post_message(self.Opened(document, loaded))

    def on_loading_screen_progressed(self, message: Progressed) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)

    def on_loading_screen_opened(self, message: Opened) -> None:
        open_document = getattr(self.app, "show_document", None)
        if open_document is not None:
            open_document(message.document, message.loaded)

    def on_loading_screen_failed(self, message: Failed) -> None:
        self.error = message.error
        if not self._can_go_back:
            self.app.exit(return_code=2)
            return

        def back(_: None) -> None:
            self.dismiss()  # not returned: Textual would await it inside this handler

        self.app.push_screen(ErrorScreen(message.error), back)


class ErrorScreen(ModalScreen[None]):
    """Says what went wrong in one line; any of enter, escape or q goes back."""

    DEFAULT_CSS = """
    ErrorScreen { align: center middle; }
    ErrorScreen > Vertical {
        width: 72; height: auto; background: $surface; border: round $error; padding: 1 2;
    }
    ErrorScreen Label { width: 100%; }
    ErrorScreen .error--hint { color: $text-muted; padding: 1 0 0 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,escape,q", "close", "Back", id="error.close"),
    ]

    def __init__(self, error: str) -> None:
        super().__init__()
        self.message = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.message, markup=False)
            yield Label("enter: back", classes="error--hint")

    def action_close(self) -> None:
        self.dismiss(None)

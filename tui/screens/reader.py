"""The reader: the article with its cursor, the notes pane, search and the status line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from tui.widgets.article import ArticleView
from tui.widgets.notes import NotesPane
from tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from textual.widgets import Input

    from db.locate import Location
    from db.models import Document, Highlight, LoadedText, Metadata
    from db.store import Store
    from tui.widgets.searchbar import SearchBar

# The search bar, the contents and the search itself are imported when first
# used: the first screen of a book should not wait for them.

#: Below this many columns the notes pane no longer fits beside the text: it is hidden,
#: and shown on demand over the text (an overlay), so the text keeps a readable width.
NOTES_BESIDE_MIN_WIDTH = 80
#: Below this many columns the pane beside the text is made narrower.
NOTES_ROOMY_WIDTH = 100
#: The notes pane's width beside the text, on a roomy and on a narrower terminal.
NOTES_WIDTH = 38
NOTES_NARROW_WIDTH = 30
#: Columns the text keeps beside the pane, whatever width the pane is given.
ARTICLE_MIN_WIDTH = 44
#: The pane's height under the text, and the fewest rows the screen needs for it.
NOTES_ROWS = 10
NOTES_BELOW_MIN_HEIGHT = 20
#: Where the notes pane can go.
NOTES_SIDES = ("right", "left", "bottom")
#: Below this many rows the footer gives its row to the text.
FOOTER_MIN_HEIGHT = 10
#: Seconds the cursor rests before the reading position is written down.
SAVE_POSITION_DELAY = 1.0


class ReaderScreen(Screen[None]):
    """Reads one document."""

    DEFAULT_CSS = """
    ReaderScreen > #panes { height: 1fr; layers: default overlay; }
    ReaderScreen ArticleView { width: 1fr; height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "highlight", "Highlight", id="reader.highlight"),
        Binding(
            "H",
            "highlight_paragraph",
            "Highlight paragraph",
            show=False,
            id="reader.highlight_paragraph",
        ),
        Binding("v", "select", "Select", show=False, id="reader.select"),
        Binding("a", "note", "Note", id="reader.note"),
        Binding("t", "tags", "Tags", id="reader.tags"),
        Binding("1", "color(1)", "Colour 1", show=False, id="reader.color_1"),
        Binding("2", "color(2)", "Colour 2", show=False, id="reader.color_2"),
        Binding("3", "color(3)", "Colour 3", show=False, id="reader.color_3"),
        Binding("4", "color(4)", "Colour 4", show=False, id="reader.color_4"),
        Binding("5", "color(5)", "Colour 5", show=False, id="reader.color_5"),
        Binding("d", "delete", "Delete highlight", show=False, id="reader.delete"),
        Binding("u", "undo", "Undo", show=False, id="reader.undo"),
        Binding("J", "next_highlight", "Next highlight", show=False, id="reader.next_highlight"),
        Binding(
            "K", "prev_highlight", "Previous highlight", show=False, id="reader.prev_highlight"
        ),
        Binding("tab", "toggle_focus", "Notes", id="reader.toggle_pane"),
        Binding(
            "p", "toggle_notes", "Show or hide the notes pane", show=False, id="reader.toggle_notes"
        ),
        Binding("y", "copy_quote", "Copy quote", show=False, id="reader.copy_quote"),
        Binding("m", "metadata", "Metadata", show=False, id="reader.metadata"),
        Binding("o", "library", "Library", show=False, id="reader.library"),
        Binding("c", "cite", "Cite", show=False, id="reader.cite"),
        Binding("C", "choose_citation", "Cite as…", show=False, id="reader.choose_citation"),
        Binding("e", "export", "Export", show=False, id="reader.export"),
        Binding("slash", "search", "Search", id="reader.search"),
        Binding("ctrl+f", "search_all", "Search all", show=False, id="reader.search_all"),
        Binding("n", "next_match", "Next match", show=False, id="reader.next_match"),
        Binding("N", "prev_match", "Previous match", show=False, id="reader.prev_match"),
        Binding("escape", "clear", "Clear", show=False, id="reader.clear"),
        Binding("ctrl+o", "toc", "Contents", id="reader.toc"),
    ]

    def __init__(self, store: Store, document: Document, loaded: LoadedText) -> None:
        super().__init__()
        self.store = store
        self.document = document
        self.loaded = loaded
        self.query_text = ""
        self._save_timer: object | None = None
        self._saved_position = document.position
        # Kept from the cursor's messages: on unmount the article may already be gone.
        self._position = document.position
        from db.annotate import Annotator

        self.annotator = Annotator(store, document.id, loaded.text, document.text_hash)
        self._orphans_before = 0
        #: An orphan chosen in the pane, waiting for a selection and h to re-attach it.
        self.reattaching: Highlight | None = None
        #: Where the notes pane goes, its width (rows when below), and whether it is hidden.
        self.notes_side = "right"
        self.notes_width: int | None = None
        self.notes_hidden = False
        #: On a terminal too narrow for the pane beside the text: the pane is shown over it.
        self.overlay_open = False
        #: Plain mode: no box drawing, highlights told by text markers (set from the app).
        self.plain = False

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def compose(self) -> ComposeResult:
        from db.library import display_title

        title = display_title(self.document)
        config = getattr(self.app, "config", None)
        self.plain = bool(getattr(self.app, "plain", False) or getattr(config, "plain", False))
        if config is not None:
            self.notes_side = getattr(config, "notes_side", None) or "right"
            self.notes_width = getattr(config, "notes_width", None)
            self.notes_hidden = bool(getattr(config, "notes_hidden", False))
        with Horizontal(id="panes"):
            yield ArticleView(
                self.loaded.text,
                self.loaded.blocks,
                self.loaded.spans,
                pages=self.loaded.pages,
                cursor=self.document.position,
                plain=self.plain,
                measure=getattr(config, "measure", None) or 80,
                id="article",
            )
            yield NotesPane(id="notes")
        yield StatusLine(title, id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.article.annotator = self.annotator
        self.article.focus()
        self.query_one(NotesPane).set_plain(self.plain)
        self.status.plain = self.plain
        self._arrange_notes()
        # The article draws its highlights on the first paint; the pane lists them
        # right after it, so a book with thousands of them opens as fast.
        self.call_after_refresh(self._show_highlights)
        if self.annotator.stale:
            # Orphans are tried again on every open; only news is worth a message.
            self._orphans_before = len(self.annotator.orphans)
            if len(self.annotator.stale) > self._orphans_before:
                self._say("Re-anchoring highlights to the changed text…")
            self._reanchor()
        if self.loaded.notices:
            self.status.set_message(" ".join(self.loaded.notices))
            for notice in self.loaded.notices:
                self.notify(notice, timeout=6)

    def on_resize(self, event: Resize) -> None:
        self._arrange_notes(event.size)

    # -- the notes pane's place ---------------------------------------------

    def apply_notes_settings(
        self, side: str = "right", width: int | None = None, hidden: bool = False
    ) -> None:
        """Put the notes pane beside the text ("right", "left") or under it ("bottom").

        ``width`` is in columns beside the text and in rows under it (None: the
        default); a hidden pane is shown by the toggle key.
        """
        self.notes_side = side if side in NOTES_SIDES else "right"
        self.notes_width = width if width is not None and width > 0 else None
        self.notes_hidden = hidden
        self.overlay_open = False
        if self.is_mounted:
            self._arrange_notes()

    @property
    def notes_overlaid(self) -> bool:
        """True when the terminal is too small for the pane in its place: it goes over the text."""
        size = self.size
        if self.notes_side == "bottom":
            return size.height < NOTES_BELOW_MIN_HEIGHT or size.width < NOTES_BESIDE_MIN_WIDTH // 2
        return size.width < NOTES_BESIDE_MIN_WIDTH

    def _arrange_notes(self, size: Size | None = None) -> None:
        size = size or self.size
        if not size.width or not size.height:
            return
        notes = self.query_one(NotesPane)
        panes = self.query_one("#panes")
        self.query_one(Footer).display = size.height >= FOOTER_MIN_HEIGHT
        side = self.notes_side
        overlaid = self.notes_overlaid
        visible = self.overlay_open if overlaid else not self.notes_hidden
        if not overlaid:
            self.overlay_open = False
        bottom = side == "bottom" and not overlaid
        panes.styles.layout = "vertical" if bottom else "horizontal"
        notes.set_class(overlaid, "-overlay")
        notes.set_class(bottom, "-bottom")
        children = list(panes.children)
        if (side == "left") != (children.index(notes) < children.index(self.article)):
            if side == "left":
                panes.move_child(notes, before=self.article)
            else:
                panes.move_child(notes, after=self.article)
        if overlaid:
            notes.styles.dock = "left" if side == "left" else "right"
            notes.styles.width = max(1, min(self.notes_width or NOTES_WIDTH, size.width))
            notes.styles.height = "1fr"
        elif bottom:
            notes.styles.dock = "none"
            notes.styles.width = "1fr"
            notes.styles.height = max(3, min(self.notes_width or NOTES_ROWS, size.height // 3))
        else:
            notes.styles.dock = "none"
            width = self.notes_width or NOTES_WIDTH
            if size.width < NOTES_ROOMY_WIDTH:
                width = min(width, NOTES_NARROW_WIDTH)
            notes.styles.width = max(12, min(width, size.width - ARTICLE_MIN_WIDTH))
            notes.styles.height = "1fr"
        notes.display = visible
        if not visible and notes.list.has_focus:
            self.article.focus()

    def action_toggle_notes(self) -> None:
        """Show or hide the notes pane (over the text when the terminal is narrow)."""
        if self.notes_overlaid:
            self.overlay_open = not self.overlay_open
        else:
            self.notes_hidden = not self.notes_hidden
        self._arrange_notes()
        notes = self.query_one(NotesPane)
        if notes.display:
            notes.follow(self.annotator.at(self.article.cursor))

    # -- position -----------------------------------------------------------

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.status.set_position(
            message.paragraph, message.paragraphs, message.fraction, message.page
        )
        self._position = message.offset
        notes = self.query_one(NotesPane)
        if notes.display and not notes.list.has_focus:
            notes.follow(self.annotator.at(message.offset))
        if self._save_timer is not None:
            self._save_timer.stop()  # type: ignore[attr-defined]
        self._save_timer = self.set_timer(SAVE_POSITION_DELAY, self.save_position)

    def on_article_view_wrapping(self, message: ArticleView.Wrapping) -> None:
        self.status.set_message("Wrapping…" if message.busy else "")

    def save_position(self) -> None:
        """Write the reading position down, if it moved and the store can be written."""
        from db.store import StoreError

        position = self._position
        if position == self._saved_position or self.store.read_only:
            return
        try:
            self.store.save_position(self.document.id, position)
        except StoreError:
            # Tried again on the next move; a place not saved is no reason to stop reading.
            return
        self._saved_position = position

    def on_unmount(self) -> None:
        self.save_position()

    # -- search -------------------------------------------------------------

    async def action_search(self) -> None:
        from tui.widgets.searchbar import SearchBar

        # Mounted on first use: one widget less to build before the first screen.
        # Awaited, so that keys typed right after "/" wait for the bar to take them.
        bars = self.query(SearchBar)
        if bars:
            bar = bars.first()
        else:
            bar = SearchBar(id="search")
            await self.mount(bar, before=self.status)
        bar.open(self.query_text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        event.stop()
        bar: SearchBar = event.input  # type: ignore[assignment]
        bar.close()
        self.article.focus()
        self.query_text = event.value
        from db.find import find_all

        matches = find_all(self.loaded.text, event.value)
        self.article.set_matches(matches)
        if not matches:
            self.status.set_search(f"Not found: {event.value}" if event.value.strip() else "")
            return
        self._show_match(self.article.goto_match(1, include_cursor=True))

    def action_search_all(self) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.store))

    def on_search_bar_cancelled(self, _message: SearchBar.Cancelled) -> None:
        self.article.focus()

    def _show_match(self, index: int) -> None:
        count = self.article.match_count
        self.status.set_search(f"{index + 1}/{count}" if index >= 0 else "")

    def action_next_match(self) -> None:
        self._show_match(self.article.goto_match(1))

    def action_prev_match(self) -> None:
        self._show_match(self.article.goto_match(-1))

    def action_clear(self) -> None:
        if self.overlay_open:
            self.overlay_open = False
            self._arrange_notes()
        self.article.clear_selection()
        self.article.set_matches([])
        self.status.set_search("")
        if self.reattaching is not None:
            self.reattaching = None
            self.status.set_message("")

    # -- contents -----------------------------------------------------------

    def action_toc(self) -> None:
        from tui.screens.toc import TocScreen

        def jump(offset: int | None) -> None:
            if offset is not None:
                self.article.move_cursor(offset, top=True)

        self.app.push_screen(
            TocScreen(self.loaded.text, self.loaded.blocks, self.article.cursor, self.loaded.toc),
            jump,
        )

    # -- library ------------------------------------------------------------

    def action_library(self) -> None:
        from tui.screens.library import LibraryScreen

        # Written now, so that the library shows how far this document was read.
        self.save_position()
        self.app.push_screen(LibraryScreen(self.store, current=self.document.id))

    # -- annotating ---------------------------------------------------------

    class Reanchored(Message):
        """The worker re-anchored the highlights made on an earlier text."""

        def __init__(self, counts: Counter[str]) -> None:
            super().__init__()
            self.counts = counts

    @work(thread=True, exclusive=True, group="anchor")
    def _reanchor(self) -> None:
        # A thread, not the UI: ten thousand highlights on a changed book take a while.
        from db.annotate import reanchor_document

        worker = get_current_worker()
        counts = reanchor_document(
            self.store,
            self.document.id,
            self.loaded.text,
            self.document.text_hash,
            cancelled=lambda: worker.is_cancelled,
        )
        if not worker.is_cancelled:
            self.post_message(self.Reanchored(counts))

    def on_reader_screen_reanchored(self, message: Reanchored) -> None:
        self.annotator.reload()
        self._show_highlights()
        counts = message.counts
        if counts["orphan"] == sum(counts.values()) == self._orphans_before:
            return
        parts = [f"{counts[s]} {s}" for s in ("exact", "moved", "fuzzy") if counts[s]]
        orphans = counts["orphan"]
        if orphans:
            parts.append(f"{orphans} orphan{'s' if orphans != 1 else ''} (listed apart)")
        self._say("The text changed; highlights: " + ", ".join(parts) + "." if parts else "")

    def _show_highlights(self) -> None:
        self.query_one(NotesPane).show(
            self.annotator.highlights, self.loaded.text, self.loaded.blocks, self.loaded.pages
        )
        self.article.highlights_changed()

    def _say(self, message: str) -> None:
        self.status.set_message(message)

    def _changed(self, message: str) -> None:
        """After a change was written: draw it, list it, and say so."""
        self._show_highlights()
        self._say(message)

    def _target(self) -> Highlight | None:
        """The highlight keys act on: the pane's chosen one when it has focus, else the cursor's."""
        notes = self.query_one(NotesPane)
        if notes.list.has_focus:
            return notes.highlighted_item()
        return self.annotator.at(self.article.cursor)

    def _writable(self) -> bool:
        if self.store.read_only:
            self._say("The database is read-only; changes are not saved.")
            return False
        return True

    def action_highlight(self) -> Highlight | None:
        """Highlight the selection or the sentence; the highlight made, if one was."""
        if not self._writable():
            return None
        article = self.article
        selection = article.selection
        if self.reattaching is not None:
            if selection is None:
                self._say("Select the new text first (v and motions), then h.")
                return None
            orphan = self.reattaching
            self.reattaching = None
            article.clear_selection()
            self.annotator.reattach(orphan.id, *self._whole_words(*selection))
            self._changed("Re-attached; its note and tags are kept.")
            return None
        if selection is not None:
            start, end = self._whole_words(*selection)
            article.clear_selection()
        else:
            from db.text import sentence_at

            if not self.loaded.blocks:
                return None
            start, end = sentence_at(self.loaded.text, self.loaded.blocks, article.cursor)
        return self._make_highlight(start, end)

    def _whole_words(self, start: int, end: int) -> tuple[int, int]:
        """A selection grown to the words its ends fall in, as an e-reader does."""
        from db.text import word_at

        text = self.loaded.text
        if start < len(text) and not text[start].isspace():
            start = min(start, word_at(text, start)[0])
        if end > 0 and not text[end - 1].isspace():
            end = max(end, word_at(text, end - 1)[1])
        return start, end

    def _make_highlight(self, start: int, end: int) -> Highlight | None:
        try:
            made = self.annotator.highlight(start, end)
        except ValueError as error:
            self._say(str(error).capitalize() + ".")
            return None
        self._changed(f"Highlighted ({len(made.quote)} characters). a: note, t: tags, u: undo")
        return made

    def action_highlight_paragraph(self) -> None:
        if not self._writable() or not self.loaded.blocks:
            return
        from db.text import block_index_at

        block = self.loaded.blocks[block_index_at(self.loaded.blocks, self.article.cursor)]
        self.article.clear_selection()
        self._make_highlight(block.start, block.end)

    def action_select(self) -> None:
        article = self.article
        if article.selection_anchor is None:
            article.start_selection()
            self._say("Selecting: move to extend, h or v to highlight, escape to cancel.")
        else:
            self.action_highlight()

    def action_color(self, color: int) -> None:
        target = self._target()
        if target is None:
            self._say("No highlight here.")
            return
        if self._writable():
            self.annotator.set_color(target.id, color)
            self._changed(f"Colour {color}.")

    def action_delete(self) -> None:
        target = self._target()
        if target is None:
            self._say("No highlight here.")
            return
        if self._writable():
            self.annotator.delete(target.id)
            self._changed("Highlight deleted; u brings it back.")

    def action_undo(self) -> None:
        if not self._writable():
            return
        undone = self.annotator.undo()
        if undone is None:
            self._say("Nothing to undo.")
        else:
            self._changed(f"Undid {undone}.")

    def action_next_highlight(self) -> None:
        found = self.annotator.next_after(self.article.cursor)
        if found is not None:
            self.article.move_cursor(found.start, center=True)

    def action_prev_highlight(self) -> None:
        found = self.annotator.previous_before(self.article.cursor)
        if found is not None:
            self.article.move_cursor(found.start, center=True)

    def action_note(self) -> None:
        if not self._writable():
            return
        target = self._target()
        if target is None:
            # A note on plain text highlights its sentence first (the one the cursor
            # is in, or, on the space between two, the one after it).
            target = self.action_highlight()
            if target is None:
                return
        from tui.screens.editors import NoteEditor

        chosen = target

        def saved(note: str | None) -> None:
            if note is not None and note != chosen.note:
                self.annotator.set_note(chosen.id, note)
                self._changed("Note saved.")

        self.app.push_screen(NoteEditor(self._shown(chosen.quote), chosen.note), saved)

    def action_tags(self) -> None:
        target = self._target()
        if target is None:
            self._say("No highlight here: h makes one.")
            return
        if not self._writable():
            return
        from tui.screens.editors import TagEditor

        chosen = target
        known = [name for name, _ in self.store.tag_counts()]

        def saved(tags: list[str] | None) -> None:
            if tags is not None and tags != chosen.tags:
                self.annotator.set_tags(chosen.id, tags)
                self._changed("Tags saved." if tags else "Tags removed.")

        self.app.push_screen(TagEditor(self._shown(chosen.quote), chosen.tags, known), saved)

    def _shown(self, quote: str) -> str:
        """A quote as a dialog shows it: in plain mode, the text's box drawing in ASCII."""
        from tui.layout import PLAIN_TRANSLATION

        return quote.translate(PLAIN_TRANSLATION) if self.plain else quote

    def action_toggle_focus(self) -> None:
        notes = self.query_one(NotesPane)
        if notes.list.has_focus:
            self.article.focus()
            if self.overlay_open:
                # Over the text, the pane goes as the focus leaves it.
                self.overlay_open = False
                self._arrange_notes()
            return
        if self.notes_overlaid and not self.overlay_open:
            self.overlay_open = True
            self._arrange_notes()
        if notes.display and notes.list.display:
            notes.list.focus()
            notes.follow(self.annotator.at(self.article.cursor))
        else:
            self._say("No highlights to list yet." if notes.display else "The pane is hidden.")

    def on_notes_pane_jump(self, message: NotesPane.Jump) -> None:
        highlight = message.highlight
        if highlight.status == "orphan":
            self.reattaching = highlight
            self.article.focus()
            self._say("Orphan: select its new text (v and motions) and press h to re-attach.")
            return
        self.article.focus()
        self.article.move_cursor(highlight.start, center=True)

    # -- leaving: copy, metadata ----------------------------------------------

    def _quote_here(self) -> str:
        """What y copies: the highlight in hand, else the selection, else the sentence."""
        return self._passage_here()[0]

    def _passage_here(self) -> tuple[str, Location | None]:
        """The quote y and c take, and where it is (None for an orphan's)."""
        target = self._target()
        if target is not None:
            if target.status == "orphan":
                return target.quote, None
            return target.quote, self.article.locator.at(target.start)
        selection = self.article.selection
        if selection is not None:
            start, end = self._whole_words(*selection)
        elif self.loaded.blocks:
            from db.text import sentence_at

            start, end = sentence_at(self.loaded.text, self.loaded.blocks, self.article.cursor)
        else:
            return "", None
        return self.loaded.text[start:end], self.article.locator.at(start)

    def copy_text(self, text: str) -> None:
        """Copy to a clipboard and say which one took it."""
        from tui.clipboard import copy

        if not text:
            self._say("Nothing to copy here.")
            return
        self._say(copy(self.app, text))

    def action_copy_quote(self) -> None:
        self.copy_text(self._quote_here())

    @property
    def citation_style(self) -> str:
        """The style chosen last in the reader, else the config's, else APA."""
        config = getattr(self.app, "config", None)
        style = self.store.get_setting("citation_style") or getattr(config, "citation_style", None)
        return style if isinstance(style, str) else "apa"

    def action_cite(self) -> None:
        quote, location = self._passage_here()
        if not quote:
            self._say("Nothing to cite here.")
            return
        self._say("Citing…")
        self._cite(quote, location, self.citation_style)

    @work(thread=True, exclusive=True, group="cite")
    def _cite(self, quote: str, location: Location | None, style: str) -> None:
        # citeproc loads its style files on first use: a moment best spent off the UI thread.
        from db.cite import cite

        try:
            text = cite(self.document, style=style, form="quote", quote=quote, location=location)
        except ValueError as error:
            self.app.call_from_thread(self._say, f"Cannot cite: {error}")
            return
        self.app.call_from_thread(self.copy_text, text)

    def action_choose_citation(self) -> None:
        from tui.screens.cite import CitationChooser

        quote, location = self._passage_here()

        def chosen(choice: str | None) -> None:
            if choice == "metadata":
                self.action_metadata()
            elif choice:
                self.copy_text(choice)
                # The style chosen last is the one c uses from now on.
                if not self.store.read_only and chooser.style != self.citation_style:
                    self.store.set_setting("citation_style", chooser.style)

        chooser = CitationChooser(
            self.document, quote=quote or None, location=location, style=self.citation_style
        )
        self.app.push_screen(chooser, chosen)

    def action_export(self) -> None:
        from db.exporting import default_file_name
        from tui.screens.export import ExportDialog

        # What was chosen here last, else the config's defaults.
        config = getattr(self.app, "config", None)
        fmt = self.store.get_setting("export_format") or getattr(config, "export_format", None)
        folder = Path(
            self.store.get_setting("export_dir")
            or getattr(config, "export_dir", None)
            or str(Path.cwd())
        ).expanduser()
        stem = default_file_name(self.document, "md").rsplit(".", 1)[0]

        def chosen(choice: tuple[str, Path] | None) -> None:
            if choice is None:
                return
            fmt, path = choice
            if not self.store.read_only:
                self.store.set_setting("export_format", fmt)
                self.store.set_setting("export_dir", str(path.parent))
            self._say(f"Exporting to {path}…")
            self._export(fmt, path)

        self.app.push_screen(ExportDialog(str(fmt or "md"), folder, stem), chosen)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, fmt: str, path: Path) -> None:
        from db.exporting import export_to_path

        try:
            written = export_to_path(self.store, fmt, [self.document], path)
        except (OSError, ValueError) as error:
            self.app.call_from_thread(self._say, f"Export failed: {error}")
            return
        self.app.call_from_thread(self._say, f"Wrote {written[0]}")

    def action_metadata(self) -> None:
        from tui.screens.metadata import MetadataForm

        def saved(metadata: Metadata | None) -> None:
            if metadata is None or metadata == self.document.metadata:
                return
            if not self._writable():
                return
            self.store.update_metadata(self.document.id, metadata)
            self.document = self.store.get_document(self.document.id)
            from db.library import display_title

            self.status.title = display_title(self.document)
            self.status.refresh()
            self._say("Metadata saved.")

        self.app.push_screen(MetadataForm(self.document.metadata), saved)

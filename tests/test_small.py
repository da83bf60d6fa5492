"""Small terminals: both panes at 80 columns, the notes pane over the text below that, no crash."""

from __future__ import annotations

import pytest
from textual.screen import ModalScreen

from tui.app import MarginApp
from tui.screens.cite import CitationChooser
from tui.screens.editors import NoteEditor, TagEditor
from tui.screens.export import ExportDialog
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.metadata import MetadataForm
from tui.screens.reader import ReaderScreen
from tui.screens.search import SearchScreen
from tui.screens.toc import TocScreen
from tui.widgets.article import ArticleView
from tui.widgets.notes import NotesPane

TEXT = "\n\n".join(
    f"Paragraph {n} opens with a short sentence. Then a longer sentence follows it, "
    f"so that the paragraph wraps over several rows on a small terminal. Ending {n}."
    for n in range(12)
)


def screen_rows(app: MarginApp) -> list[str]:
    """Every row of the screen as drawn now, overlays and dialogs included."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def reader(app: MarginApp) -> ReaderScreen:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


async def test_at_80_by_24_both_panes_show_side_by_side(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        notes = app.screen.query_one(NotesPane)
        assert notes.display
        assert article.region.width > 0 and notes.region.width > 0
        # Side by side: the same rows, the pane to the right of the text.
        assert article.region.y == notes.region.y
        assert article.region.height == notes.region.height
        assert article.region.right <= notes.region.x
        assert notes.region.right == 80
        # The text is narrower than its usual measure but still readable.
        assert article.layout is not None
        assert 40 <= article.layout.width < article.measure
        rows = screen_rows(app)
        assert any("Paragraph 0 opens" in row for row in rows)
        assert any("Highlights" in row for row in rows)


async def test_a_roomy_terminal_keeps_the_wider_pane(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        wide = app.screen.query_one(NotesPane).region.width
        await pilot.resize_terminal(85, 30)
        await pilot.pause()
        narrow = app.screen.query_one(NotesPane).region.width
        assert app.screen.query_one(NotesPane).display
        assert narrow < wide


async def test_below_80_columns_the_pane_hides_and_tab_shows_it_over_the_text(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        notes = app.screen.query_one(NotesPane)
        assert not notes.display
        assert article.region.width == 60
        width_before = article.layout.width
        await pilot.press("tab")
        await pilot.pause()
        # Over the text: the article keeps its width, the pane covers its right part.
        assert notes.display
        assert notes.list.has_focus
        assert article.region.width == 60
        assert article.layout.width == width_before
        assert notes.region.x > 0 and notes.region.right == 60
        assert notes.region.y == article.region.y
        assert any("Highlights · 1" in row for row in screen_rows(app))
        # Tab again goes back to the text, and the pane goes.
        await pilot.press("tab")
        await pilot.pause()
        assert article.has_focus
        assert not notes.display
        # The toggle key shows it without moving the focus; escape closes it.
        await pilot.press("p")
        await pilot.pause()
        assert notes.display and article.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert not notes.display


async def test_the_toggle_key_hides_and_shows_the_pane_beside_the_text(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        notes = app.screen.query_one(NotesPane)
        beside = article.region.width
        await pilot.press("p")
        await pilot.pause()
        assert not notes.display
        assert article.region.width == 110 > beside
        await pilot.press("p")
        await pilot.pause()
        assert notes.display and article.region.width == beside


async def test_the_pane_goes_left_below_or_hidden_as_configured(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        screen = reader(app)
        article = screen.query_one(ArticleView)
        notes = screen.query_one(NotesPane)
        screen.apply_notes_settings("left", 30, False)
        await pilot.pause()
        assert notes.region.x == 0 and notes.region.width == 30
        assert article.region.x >= notes.region.right
        screen.apply_notes_settings("bottom", 8, False)
        await pilot.pause()
        assert notes.region.height == 8 and notes.region.width == 110
        assert notes.region.y >= article.region.bottom
        assert article.region.width == 110
        screen.apply_notes_settings("right", None, True)
        await pilot.pause()
        assert not notes.display
        await pilot.press("p")
        await pilot.pause()
        assert notes.display and notes.region.right == 110 and notes.region.x > article.region.x
        # An unknown side is taken as the default one.
        screen.apply_notes_settings("middle", None, False)
        assert screen.notes_side == "right"


@pytest.mark.parametrize("size", [(40, 12), (20, 6)])
async def test_tiny_terminals_do_not_crash_and_the_text_reads(make_app, size):
    app = make_app(TEXT)
    width, height = size
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        rows = screen_rows(app)
        assert len(rows) == height and all(len(row) == width for row in rows)
        # The text wraps to the width: its words are there, whole.
        text = " ".join(rows)
        assert "Paragraph" in text and "opens" in text
        article = app.screen.query_one(ArticleView)
        assert article.layout is not None and article.layout.width <= width
        await pilot.press("j", "space", "h", ")", "h", "tab")
        await pilot.pause()
        notes = app.screen.query_one(NotesPane)
        assert notes.display and notes.region.right <= width
        await pilot.press("tab", "p", "p", "escape", "b", "G", "g")
        await pilot.pause()
        assert len(screen_rows(app)) == height
        assert app.screen.query_one("#status").region.width == width
        assert len(app.screen.annotator.highlights) == 2


async def test_the_footer_gives_way_on_a_very_short_terminal(make_app):
    from textual.widgets import Footer

    app = make_app(TEXT)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(Footer).display
        await pilot.resize_terminal(40, 6)
        await pilot.pause()
        assert not app.screen.query_one(Footer).display
        assert app.screen.query_one(ArticleView).region.height == 5


async def test_the_status_line_keeps_the_position_when_the_message_is_long(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        status = screen_rows(app)[-2]
        assert "Highlighted" in status
        assert "¶ 1/12" in status


async def test_resizing_across_the_limits_does_not_crash(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(120, 30)) as pilot:
        for size in [(79, 24), (20, 6), (100, 30), (40, 12), (81, 24), (1, 1), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        notes = app.screen.query_one(NotesPane)
        assert notes.display and notes.region.right == 80


DIALOGS = [
    (["a"], NoteEditor),
    (["h", "t"], TagEditor),
    (["C"], CitationChooser),
    (["e"], ExportDialog),
    (["m"], MetadataForm),
    (["question_mark"], HelpScreen),
    (["ctrl+o"], TocScreen),
    (["o"], LibraryScreen),
    (["ctrl+f"], SearchScreen),
]


async def test_every_dialog_opens_at_40_by_12(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        for keys, dialog in DIALOGS:
            await pilot.press(*keys)
            await pilot.pause()
            assert isinstance(app.screen, dialog), dialog.__name__
            rows = screen_rows(app)
            assert len(rows) == 12 and all(len(row) == 40 for row in rows)
            # Something of the dialog is drawn, not only the reader under it.
            if isinstance(app.screen, ModalScreen):
                region = app.screen.query_one("*").region
                assert region.width > 0 and region.height > 0, dialog.__name__
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ReaderScreen), dialog.__name__

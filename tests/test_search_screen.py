"""The search screen as a user drives it: ctrl+f, a query typed, results, enter, tab, escape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers import highlight_words
from rich.style import Style
from rich.text import Text
from textual.pilot import Pilot

from db.library import open_source
from db.models import Document
from db.store import Store
from tui.app import MarginApp
from tui.screens.reader import ReaderScreen
from tui.screens.search import SearchScreen
from tui.widgets.article import ArticleView

READING = (
    "The first document is the one open in the reader.\n\n"
    "It speaks of harbours, ships and the weather at sea.\n"
)
OTHER = (
    "Chapter one of the other document opens quietly.\n\n"
    "Then a long paragraph follows, and somewhere in it the albatross appears over the "
    "water, white against the grey.\n\n"
    "The albatross is mentioned again at the end, where no highlight is.\n"
)


def add_file(store: Store, tmp_path: Path, name: str, text: str) -> Document:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document, _ = open_source(
        store, path.read_bytes(), path=str(path), name=name, mark_opened=False
    )
    return document


highlight = highlight_words


async def shown(pilot: Pilot[None], screen: SearchScreen, query: str, scope: str) -> None:
    """Wait until the screen shows what the query found (the debounce and the thread)."""
    for _ in range(100):
        await pilot.pause(0.02)
        if screen.shown == (query, scope):
            return
    raise AssertionError(f"no results for {query!r} ({scope}); showing {screen.shown}")


async def test_ctrl_f_finds_a_highlight_and_enter_opens_its_document(
    make_app: Callable[..., MarginApp], store: Store, tmp_path: Path
) -> None:
    app = make_app(READING)
    other = add_file(store, tmp_path, "other.txt", OTHER)
    made = highlight(store, other, "the albatross appears", note="a bird of omen", tags=["birds"])
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.input.has_focus
        await shown(pilot, screen, "", "highlights")
        assert [hit.highlight.id for hit in screen.hits if hit.highlight] == [made.id]
        await pilot.press(*"albatr")  # half a word is enough while typing
        await shown(pilot, screen, "albatr", "highlights")
        assert len(screen.hits) == 1
        assert screen.status_text == "1 highlight"
        hit = screen.hits[0]
        assert hit.snippet[slice(*hit.marks[0])] == "albatross"
        # The match is styled by the theme (reverse video), not by markup in the text.
        prompt = screen.results.get_option_at_index(0).prompt
        assert isinstance(prompt, Text)
        reversed_ = [
            prompt.plain[span.start : span.end]
            for span in prompt.spans
            if isinstance(span.style, Style) and span.style.reverse
        ]
        assert reversed_ == ["albatross"]
        assert prompt.plain.startswith("other.txt — ¶ 2\n“the albatross appears”")
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.document.id == other.id
        assert reader.query_one(ArticleView).cursor == made.start
        assert not any(isinstance(s, SearchScreen) for s in app.screen_stack)


async def test_tab_searches_the_full_text_and_up_down_choose(
    make_app: Callable[..., MarginApp], store: Store, tmp_path: Path
) -> None:
    app = make_app(READING)
    other = add_file(store, tmp_path, "other.txt", OTHER)
    highlight(store, other, "the albatross appears")
    text = store.load_document(other).text
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f", *"albatross")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await shown(pilot, screen, "albatross", "highlights")
        assert len(screen.hits) == 1
        await pilot.press("tab")
        await shown(pilot, screen, "albatross", "text")
        assert [hit.is_text for hit in screen.hits] == [True, True]
        assert [hit.start for hit in screen.hits] == [
            text.index("albatross"),
            text.rindex("albatross"),
        ]
        assert "full text" in str(screen.results.get_option_at_index(0).prompt)
        assert screen.results.highlighted == 0
        await pilot.press("down")
        assert screen.results.highlighted == 1
        assert screen.input.has_focus  # choosing leaves the query in hand
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.document.id == other.id
        assert reader.query_one(ArticleView).cursor == text.rindex("albatross")


async def test_a_hit_in_the_open_document_moves_the_cursor(
    make_app: Callable[..., MarginApp],
) -> None:
    app = make_app(READING)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await pilot.press("ctrl+f", "tab", *"weather")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await shown(pilot, screen, "weather", "text")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is reader  # the same reader, not the document opened again
        assert reader.article.cursor == READING.index("weather")


async def test_a_bad_query_shows_its_error_and_escape_closes(
    make_app: Callable[..., MarginApp], store: Store, tmp_path: Path
) -> None:
    app = make_app(READING)
    other = add_file(store, tmp_path, "other.txt", OTHER)
    highlight(store, other, "the albatross appears")
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        reader = app.screen
        await pilot.press("ctrl+f", *"albatross")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await shown(pilot, screen, "albatross", "highlights")
        screen.input.insert_text_at_cursor(" color:9")
        await shown(pilot, screen, "albatross color:9", "highlights")
        assert "colour is 1, 2, 3, 4 or 5" in screen.status_text
        assert screen.query_one("#search-status").has_class("-error")
        assert len(screen.hits) == 1  # the last results stay while the query is mended
        await pilot.press("backspace", "2")
        await shown(pilot, screen, "albatross color:2", "highlights")
        assert not screen.query_one("#search-status").has_class("-error")
        assert screen.hits == []
        assert screen.status_text == "No matching highlights."
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader


async def test_a_stale_result_is_dropped(make_app: Callable[..., MarginApp]) -> None:
    app = make_app(READING)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await shown(pilot, screen, "", "highlights")
        before = screen.status_text
        screen.post_message(SearchScreen.Found(screen._generation - 1, "old", [], "stale error"))
        await pilot.pause()
        assert screen.shown == ("", "highlights")
        assert screen.status_text == before

"""The reader as a user drives it: keys pressed, then the cursor, screen and store checked."""

from __future__ import annotations

from db.library import open_source
from tui.app import MarginApp
from tui.screens.help import HelpScreen
from tui.screens.toc import TocScreen
from tui.widgets.article import ArticleView


def screen_text(app: MarginApp) -> str:
    """The article's rows on screen, as plain text."""
    article = app.screen.query_one(ArticleView)
    return "\n".join(
        article.render_line(y).text for y in range(article.scrollable_content_region.height)
    )


def cursor_row_on_screen(article: ArticleView) -> bool:
    top = int(article.scroll_y)
    row = article.layout.row_of_offset(article.cursor)
    return top <= row < top + article.scrollable_content_region.height


async def test_opens_an_article_at_its_start(make_app):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        assert article.has_focus
        assert article.cursor == 0
        shown = screen_text(app)
        assert "Britain to tighten asylum rules" in shown
        assert "LONDON, June 3 (Reuters)" in shown
        assert app.screen.status.position_text.startswith("¶ 1/")


async def test_lines_pages_and_ends_move_the_cursor(make_app, long_book):
    app = make_app(long_book(300))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        # Row 0 is the chapter heading, row 1 the blank row under it, which j passes over.
        await pilot.press("j", "j")
        assert article.layout.row_of_offset(article.cursor) == 3
        await pilot.press("k")
        assert article.layout.row_of_offset(article.cursor) == 2
        await pilot.press("k")
        assert article.cursor == 0
        await pilot.press("space")
        assert article.scroll_y > 0
        assert cursor_row_on_screen(article)
        top_after_page = article.scroll_y
        await pilot.press("b")
        assert article.scroll_y < top_after_page
        await pilot.press("G")
        assert article.cursor >= article.blocks[-1].start
        assert cursor_row_on_screen(article)
        assert "Marker299" in screen_text(app)
        await pilot.press("g")
        assert article.cursor == 0
        assert article.scroll_y == 0


async def test_paragraph_sentence_and_heading_motions(make_app):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        text = article.text
        await pilot.press("right_curly_bracket")
        assert article.cursor == article.blocks[1].start
        await pilot.press("right_curly_bracket")
        assert text[article.cursor :].startswith("LONDON, June 3")
        await pilot.press("right_parenthesis")
        # "The U.S. and France..." starts the next sentence; "U.S." does not end one.
        assert text[article.cursor :].startswith("The U.S. and France")
        await pilot.press("left_parenthesis")
        assert text[article.cursor :].startswith("LONDON, June 3")
        await pilot.press("left_curly_bracket")
        assert article.cursor == article.blocks[1].start


async def test_search_marks_all_and_jumps_from_the_cursor(make_app):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        text = article.text
        await pilot.press("slash", *"reuters", "enter")
        # Lowercase query: any case matches; the cursor goes to the first match after it.
        assert article.match_count == text.lower().count("reuters")
        assert text[article.cursor : article.cursor + 7] == "Reuters"
        assert app.screen.status.search_text == f"1/{article.match_count}"
        assert article.has_focus
        await pilot.press("n")
        assert app.screen.status.search_text == f"2/{article.match_count}"
        second = article.cursor
        await pilot.press("n")
        await pilot.press("N")
        assert article.cursor == second
        await pilot.press("escape")
        assert article.match_count == 0
        assert app.screen.status.search_text == ""


async def test_search_that_finds_nothing_says_so(make_app):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"zebra", "enter")
        assert article.cursor == 0
        assert "Not found" in app.screen.status.search_text


async def test_contents_jumps_to_a_heading(make_app, long_book):
    app = make_app(long_book(300))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, TocScreen)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, TocScreen)
        assert article.text[article.cursor :].startswith("CHAPTER 3")
        assert cursor_row_on_screen(article)


async def test_position_is_restored_after_reopening(store, tmp_path, long_book):
    path = tmp_path / "book.txt"
    path.write_text(long_book(300), encoding="utf-8")
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name="book.txt")
    app = MarginApp(store, document, loaded)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("space", "space", "j", "j")
        position = app.screen.query_one(ArticleView).cursor
        assert position > 0
    # Quitting writes the position down, and the same file reopens there.
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name="book.txt")
    assert document.position == position
    app = MarginApp(store, document, loaded)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        assert article.cursor == position
        assert cursor_row_on_screen(article)


async def test_position_is_kept_across_a_resize(make_app, long_book):
    app = make_app(long_book(300))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        await pilot.press("space", "space", "space", "j")
        position = article.cursor
        await pilot.resize_terminal(70, 25)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert article.layout.width < 70
        assert article.cursor == position
        assert cursor_row_on_screen(article)


async def test_a_book_is_shown_before_it_is_wholly_wrapped(make_app, long_book):
    app = make_app(long_book(3000))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        assert not article.layout.is_window
        await pilot.press("G")
        assert "Marker2999" in screen_text(app)


async def test_escape_sequences_and_markup_are_shown_not_obeyed(make_app):
    hostile = (
        "Red \x1b[31mALERT\x1b[0m and a title \x1b]0;pwned\x07 here.\n\n"
        "Markup [bold red]stays[/] as [link=https://x]text[/link]."
    )
    app = make_app(hostile)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "␛[31mALERT␛[0m" in shown
        assert "␛]0;pwned␇" in shown
        assert "[bold red]stays[/] as [link=https://x]text[/link]." in shown
        article = app.screen.query_one(ArticleView)
        for y in range(4):
            for segment in article.render_line(y):
                assert "\x1b" not in segment.text
                assert segment.style is None or segment.style.link is None


async def test_an_empty_file_opens_with_a_notice(make_app):
    app = make_app("")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "empty" in screen_text(app)
        await pilot.press("j", "space", "G", "right_curly_bracket", "right_parenthesis")
        assert app.screen.query_one(ArticleView).cursor == 0


async def test_help_lists_the_keys_in_force(make_app):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {description: keys for _, rows in app.screen.sections for keys, description in rows}
        assert rows["Search"] == "/"
        assert "space" in rows["Page"]
        assert rows["Contents"] in ("^o", "ctrl+o")
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_a_rebound_key_takes_effect_and_shows_in_help(make_app):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        app.set_keymap({"reader.search": "f"})
        await pilot.pause()
        await pilot.press("f", *"minister", "enter")
        article = app.screen.query_one(ArticleView)
        assert article.text[article.cursor :].startswith("minister")
        await pilot.press("question_mark")
        rows = {description: keys for _, rows in app.screen.sections for keys, description in rows}
        assert rows["Search"] == "f"


async def test_the_theme_is_remembered(make_app, store):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.theme = "margin-paper"
        await pilot.pause()
    assert store.get_setting("theme") == "margin-paper"
    again = make_app(fixture="news.txt")
    assert again.theme == "margin-paper"
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # The remembered theme is the one the first screen is painted in.
        article = again.screen.query_one(ArticleView)
        assert article.styles.background.hex.lower() == "#f4ecd8"
        assert again.has_class("-light-mode") and not again.has_class("-dark-mode")


async def test_the_notes_pane_invites_the_first_highlight_and_hides_when_narrow(make_app):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#notes")
        assert pane.display
        assert "No highlights yet — press h" in str(pane.query_one("#notes-empty").content)
        await pilot.resize_terminal(70, 30)
        await pilot.pause()
        assert not pane.display


async def test_a_books_own_contents_and_pages_are_used(store):
    from db.models import Block, LoadedText, PageMark, TocEntry

    parts = ["Cover", *(f"Paragraph {n} of the book." for n in range(1, 80))]
    text = "\n\n".join(parts)
    blocks, at = [], 0
    for part in parts:
        blocks.append(Block("paragraph", at, at + len(part)))
        at += len(part) + 2
    forty = text.index("Paragraph 40 ")
    loaded = LoadedText(
        text=text,
        blocks=blocks,
        format="epub",
        pages=[PageMark(0, "i"), PageMark(text.index("Paragraph 1 "), "1"), PageMark(forty, "17")],
        toc=[TocEntry("Front", 0, 1), TocEntry("The middle part", forty, 2)],
    )
    document = store.add_document(loaded, path=None, source_hash="book")
    app = MarginApp(store, document, store.load_document(document))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, TocScreen)
        from textual.widgets import Label, OptionList

        assert "2 entries" in str(app.screen.query_one(Label).render())
        options = app.screen.query_one(OptionList)
        assert str(options.get_option_at_index(1).prompt) == "  The middle part"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert article.cursor == forty
        assert article.locator.at(article.cursor).describe() == "p. 17"
        assert app.screen.status.position_text.startswith("p. 17  ¶ 41/80")

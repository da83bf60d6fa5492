"""Annotating as a reader does it: keys pressed, then the store, the pane and the screen checked."""

from __future__ import annotations

from textual.widgets import TextArea

from db.library import open_source
from tui.app import MarginApp
from tui.screens.editors import NoteEditor, TagEditor
from tui.widgets.article import ArticleView
from tui.widgets.notes import NotesPane


def stored(store, app):
    return store.highlights(app.screen.document.id)


async def search_to(pilot, phrase: str) -> None:
    await pilot.press("slash", *phrase, "enter")
    await pilot.press("escape")


async def test_highlight_note_and_tags_are_kept_and_shown(make_app, store):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await search_to(pilot, "The minister, speaking")
        await pilot.press("h")
        [highlight] = stored(store, app)
        assert highlight.quote == (
            "The minister, speaking in parliament, said the new law would take effect "
            "on Feb. 2 and would apply to anyone arriving without a visa."
        )
        assert len(highlight.prefix) >= 32 and len(highlight.suffix) >= 32
        await pilot.press("a")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"Check **the date**", "enter", *"again.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"policy, topic/asylum Policy", "enter")
        await pilot.pause()
        [highlight] = stored(store, app)
        assert highlight.note == "Check **the date**\nagain."
        assert highlight.tags == ["policy", "topic/asylum"]
        pane = app.screen.query_one(NotesPane)
        header = str(pane.query_one("#notes-header").content)
        assert "Highlights · 1" in header and "Notes · 1" in header
        prompt = pane.list.entry_text(0)
        assert "The minister, speaking" in prompt
        assert "#policy #topic/asylum" in prompt
        assert "✎ Check **the date** again." in prompt
        # The gutter says "note" with a glyph, not colour alone.
        article = app.screen.query_one(ArticleView)
        row = article.layout.row_of_offset(highlight.start) - int(article.scroll_y)
        assert "✎" in article.render_line(row).text
    # Reopened, the highlight is there again, with its note and tags.
    reopened = make_app(fixture="news.txt")
    async with reopened.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = reopened.screen.query_one(NotesPane)
        assert "#policy" in pane.list.entry_text(0)


async def test_selection_paragraph_colour_delete_and_undo(make_app, store):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        await search_to(pilot, "Critics said")
        # A selection grows to whole words: it ends on the "t" of "the".
        await pilot.press("v", "w", "w", "h")
        [selected] = stored(store, app)
        assert selected.quote == "Critics said the"
        assert article.selection is None
        await pilot.press("2")
        assert stored(store, app)[0].color == 2
        await pilot.press("right_curly_bracket", "H")
        paragraph = [h for h in stored(store, app) if h.quote.startswith("Reporting by")]
        assert paragraph and paragraph[0].quote == "Reporting by Jane Doe; editing by John Roe"
        await pilot.press("K")
        assert article.cursor == selected.start
        await pilot.press("d")
        assert [h.quote for h in stored(store, app)] == [paragraph[0].quote]
        await pilot.press("u")
        restored = {h.id: h for h in stored(store, app)}
        assert selected.id in restored and restored[selected.id].color == 2
        await pilot.press("J")
        assert article.cursor == paragraph[0].start
        # Undo goes back step by step: the paragraph highlight, then the colour.
        await pilot.press("u")
        assert [h.id for h in stored(store, app)] == [selected.id]
        await pilot.press("u")
        assert stored(store, app)[0].color == 1


async def test_overlapping_highlights_of_one_colour_merge(make_app, store):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await search_to(pilot, "Critics said")
        await pilot.press("v", "w", "w", "h")  # "Critics said the", the cursor on its "t"
        await pilot.press("a", *"first", "ctrl+s")
        await pilot.press("v", "w", "w", "h")  # "the plan would" overlaps "the"
        [merged] = stored(store, app)
        assert merged.quote == "Critics said the plan would"
        assert merged.note == "first"
        await pilot.press("u")
        assert [h.quote for h in stored(store, app)] == ["Critics said the"]


async def test_the_pane_follows_the_cursor_and_jumps(make_app, store):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        await search_to(pilot, "Critics said")
        await pilot.press("h")
        await pilot.press("g", "h")
        first, second = stored(store, app)
        pane = app.screen.query_one(NotesPane)
        assert pane.highlighted_item().id == first.id
        await pilot.press("tab")
        assert pane.list.has_focus
        await pilot.press("down", "3")
        assert store.get_highlight(second.id).color == 3
        await pilot.press("enter")
        assert article.has_focus
        assert article.cursor == second.start


async def test_a_note_on_plain_text_highlights_its_sentence_first(make_app, store):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await search_to(pilot, "Critics said")
        await pilot.press("a")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"why", "escape")
        # A changed note asks before it is dropped; n keeps editing.
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "why"
        await pilot.press("escape", "y")
        assert not isinstance(app.screen, NoteEditor)
        [highlight] = stored(store, app)
        assert highlight.quote == "Critics said the plan would not work."
        assert highlight.note == ""


async def test_highlights_survive_a_reopen(store, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("One sentence here. Another one there.\n", encoding="utf-8")
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name="a.txt")
    app = MarginApp(store, document, loaded)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("h")
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name="a.txt")
    app = MarginApp(store, document, loaded)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        assert article.current_highlight is not None
        assert article.current_highlight.quote == "One sentence here."


async def test_an_edited_file_moves_its_highlights_and_orphans_the_lost_one(store, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        "The first sentence stays. The doomed sentence goes away soon.\n\n"
        "A second paragraph keeps its words.\n",
        encoding="utf-8",
    )
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name="story.txt")
    app = MarginApp(store, document, loaded)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("h", "right_parenthesis", "h", "right_curly_bracket", "h")
        await pilot.press("K", "a", *"kept note", "ctrl+s")
    assert len(store.highlights(document.id)) == 3
    path.write_text(
        "A new opening paragraph pushes everything down.\n\n"
        "The first sentence stays.\n\n"
        "A second paragraph keeps its words.\n",
        encoding="utf-8",
    )
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name="story.txt")
    app = MarginApp(store, document, loaded)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        by_quote = {h.quote: h for h in store.highlights(document.id)}
        stays = by_quote["The first sentence stays."]
        assert stays.status == "moved"
        assert loaded.text[stays.start : stays.end] == stays.quote
        orphan = by_quote["The doomed sentence goes away soon."]
        assert orphan.status == "orphan"
        assert orphan.note == "kept note"
        pane = app.screen.query_one(NotesPane)
        prompts = [pane.list.entry_text(i) for i in range(pane.list.option_count)]
        assert any("Orphans · 1" in p for p in prompts)
        # The orphan is shown in the context it had in the old text.
        assert "was after “…The first sentence stays.”" in " ".join(prompts[-1].split())
        assert "moved" in app.screen.status.message and "1 orphan" in app.screen.status.message
        # Re-attach: choose the orphan in the pane, select new text, press h.
        await pilot.press("tab")
        pane.list.highlight_index(pane.list.option_count - 1)
        await pilot.press("enter")
        assert app.screen.reattaching is not None
        await pilot.press("g", "v", "w", "w", "h")
        again = store.get_highlight(orphan.id)
        assert again.status == "exact"
        assert again.quote == "A new opening"
        assert again.note == "kept note"

"""Plain mode: no box drawing, highlights and notes as text markers, offsets untouched."""

from __future__ import annotations

import random
import re

from rich.cells import cell_len

from db.config import Config
from db.library import open_source
from db.models import Block
from db.store import Store
from tui.app import MarginApp
from tui.cli import build_parser
from tui.layout import Layout, Markers, block_indents
from tui.screens.editors import NoteEditor
from tui.screens.help import HelpScreen
from tui.widgets.article import ArticleView
from tui.widgets.status import StatusLine

TEXT = (
    "# A plain title\n\n"
    "First sentence here. Second sentence is this one. Third one ends the paragraph.\n\n"
    "> A quoted line stands apart.\n\n"
    "| name | value |\n|------|-------|\n| one | 1 |\n\n"
    + "\n\n".join(
        f"Paragraph {n} goes on for a while, so that it wraps over several rows. It ends here."
        for n in range(6)
    )
)

#: Box drawing (U+2500-U+257F), block elements (U+2580-U+259F) and margin's glyphs.
NOT_PLAIN = re.compile("[\u2500-\u259f\u25a0✎]")


def screen_rows(app: MarginApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def make_plain_app(store, tmp_path, text: str = TEXT, plain: bool = True) -> MarginApp:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    return MarginApp(store, document, loaded, plain=plain)


def assert_plain(rows: list[str]) -> None:
    for number, row in enumerate(rows):
        found = NOT_PLAIN.search(row)
        assert found is None, f"{found and found.group()!r} in row {number}: {row!r}"


async def test_nothing_drawn_is_box_drawing_in_plain_mode(store, tmp_path):
    app = make_plain_app(store, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("}", "h", "a", *"a note", "ctrl+s", "}", "}", "h")
        await pilot.pause()
        rows = screen_rows(app)
        assert_plain(rows)
        text = "\n".join(rows)
        # The table's cell rule and the quote are drawn in ASCII, the notes pane in words.
        assert "name | value" in text
        assert "> A quoted line" in text
        assert "Note: a note" in text and "Colour 1" in text
        # Without plain mode the same screen has its glyphs: the test can tell them apart.
        await pilot.press("tab")
        await pilot.pause()
        assert_plain(screen_rows(app))
        for keys, dialog in ((["a"], NoteEditor), (["question_mark"], HelpScreen)):
            await pilot.press("tab", *keys)
            await pilot.pause()
            assert isinstance(app.screen, dialog)
            assert_plain(screen_rows(app))
            await pilot.press("escape")
            await pilot.pause()


async def test_the_same_screen_without_plain_mode_has_its_glyphs(store, tmp_path):
    app = make_plain_app(store, tmp_path, plain=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("}", "h", "a", *"a note", "ctrl+s")
        await pilot.pause()
        text = "\n".join(screen_rows(app))
        assert NOT_PLAIN.search(text) is not None
        assert "[[" not in text


async def test_highlight_and_note_boundaries_are_text_markers(store, tmp_path):
    app = make_plain_app(store, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("}", ")", "h")
        await pilot.pause()
        text = "\n".join(screen_rows(app))
        assert "here. [[Second sentence is this one.]]" in text
        await pilot.press("a", *"why", "ctrl+s")
        await pilot.pause()
        text = "\n".join(screen_rows(app))
        assert "here. [[Second sentence" in text and " one.]][note]" in text
        status = app.screen.query_one(StatusLine)
        assert status.plain and "plain" in screen_rows(app)[-2]


async def test_offsets_are_the_same_with_and_without_plain_mode(tmp_path):
    keys = ["}", ")", "h", ")", "w", "w", "l", "v", "w", "w", "h", "}", "}", "J", "K", "H"]
    results = []
    for plain in (False, True):
        folder = tmp_path / str(plain)
        folder.mkdir()
        with Store.open(folder / "margin.db") as store:
            app = make_plain_app(store, folder, plain=plain)
            async with app.run_test(size=(90, 30)) as pilot:
                await pilot.pause()
                cursors = []
                for key in keys:
                    await pilot.press(key)
                    cursors.append(app.screen.query_one(ArticleView).cursor)
                spans = sorted((h.start, h.end) for h in app.screen.annotator.highlights)
            results.append((cursors, spans))
    assert results[0] == results[1]
    cursors, spans = results[0]
    assert spans and len(set(cursors)) > 5


async def test_the_plain_setting_turns_plain_mode_on(store, tmp_path):
    path = tmp_path / "doc.md"
    path.write_text(TEXT, encoding="utf-8")
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    app = MarginApp(store, document, loaded, config=Config(plain=True))
    assert app.plain
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(ArticleView).plain
        assert_plain(screen_rows(app))
    assert build_parser().parse_args(["--plain", "doc.md"]).plain
    assert not build_parser().parse_args(["doc.md"]).plain


def test_markers_take_cells_but_no_offsets_and_rows_keep_the_width():
    rng = random.Random(7)
    words = ["a", "tiny", "word", "longer", "wordsmithery", "x" * 30, "end."]
    paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 60))) for _ in range(40)]
    text = "\n\n".join(paragraphs)
    blocks = []
    start = 0
    for paragraph in paragraphs:
        blocks.append(Block("paragraph", start, start + len(paragraph), 0))
        start += len(paragraph) + 2
    ranges = []
    for _ in range(80):
        a = rng.randrange(len(text) - 1)
        ranges.append((a, min(len(text), a + rng.randint(1, 200)), rng.random() < 0.3))
    markers = Markers.for_ranges(ranges)
    for width in (12, 20, 37, 60):
        plain = Layout(text, blocks, width, markers=markers)
        bare = Layout(text, blocks, width)
        covered = []
        for number in range(plain.total_rows):
            row = plain.row(number)
            if row is None:
                continue
            covered.append(text[row.start : row.end])
            cells = cell_len(text[row.start : row.end].rstrip(" "))
            cells += sum(len(s) for o, s in markers.before.items() if row.start <= o < row.end)
            cells += sum(len(s) for o, s in markers.after.items() if row.start < o <= row.end)
            # Only a lone character whose markers are wider than the row may overflow it.
            lone = len(text[row.start : row.end].rstrip(" ")) == 1
            assert cells <= width or lone, (width, number, text[row.start : row.end])
        # Rows still cover the whole text, in order: markers moved no offset.
        assert "".join(covered).replace(" ", "") == "".join(paragraphs).replace(" ", "")
        assert plain.total_rows >= bare.total_rows
    assert block_indents(blocks[0], text) == (0, 0)


def test_markers_stand_beside_the_characters_they_mark():
    markers = Markers.for_ranges([(0, 5, False), (6, 11, True), (6, 8, False)])
    assert markers.before == {0: "[[", 6: "[[[["}
    assert markers.after == {5: "]]", 8: "]]", 11: "]][note]"}
    assert markers.any_in(5, 5) and not markers.any_in(12, 40)
    assert markers.cells(4, 5) == 2 and markers.cells(6, 7) == 4


async def test_a_click_lands_on_the_character_drawn_there_past_the_markers(store, tmp_path):
    app = make_plain_app(store, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("}", ")", "h")
        await pilot.pause()
        rows = screen_rows(app)
        y = next(n for n, row in enumerate(rows) if "]]" in row)
        x = rows[y].index("this one.]]")
        await pilot.click(offset=(x, y))
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        assert article.text[article.cursor :].startswith("this one.")
        # Up and down keep the column the eye sees, markers counted.
        await pilot.press("j", "k")
        assert article.text[article.cursor :].startswith("this one.")

"""The library as a reader uses it: `o`, sorting, the filter, opening, tagging and deleting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.binding import Binding

from db.library import open_source
from db.models import Document, Highlight
from db.store import Store
from tui.app import MarginApp
from tui.cli import _make_app
from tui.screens.editors import ConfirmScreen, TagEditor
from tui.screens.library import (
    COLUMN_KEYS,
    GAP,
    FilterInput,
    LibraryScreen,
    LibraryTable,
    fit,
    opens_on_library,
    plan_columns,
)
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")

SIZE = (120, 30)


@dataclass
class Shelf:
    """Three documents: opened Anna, then Dune, then War and Peace, and the app reading Dune."""

    war: Document
    anna: Document
    dune: Document
    paths: dict[str, Path]


def write(folder: Path, name: str, title: str, author: str, tags: str, body: str) -> Path:
    path = folder / name
    path.write_text(
        f"---\ntitle: {title}\nauthor: {author}\ntags: [{tags}]\n---\n\n{body}\n", encoding="utf-8"
    )
    return path


def add_highlights(store: Store, document: Document, count: int) -> None:
    text = store.load_document(document).text
    for number in range(count):
        start = number * 3
        store.add_highlight(
            Highlight(
                id="",
                document_id=document.id,
                start=start,
                end=start + 2,
                quote=text[start : start + 2],
                prefix=text[:start],
                suffix=text[start + 2 : start + 34],
                text_hash=document.text_hash,
            )
        )


@pytest.fixture
def shelf(store: Store, tmp_path: Path) -> Shelf:
    paths = {
        "anna": write(tmp_path, "anna.md", "Anna Karenina", "Leo Tolstoy", "novel", "All happy."),
        "dune": write(tmp_path, "dune.md", "Dune", "Frank Herbert", "scifi", "A beginning."),
        "war": write(
            tmp_path, "war.md", "War and Peace", "Leo Tolstoy", "novel, russia", "Well, Prince."
        ),
    }
    opened = {}
    for key, path in paths.items():
        document, _ = open_source(store, path.read_bytes(), path=str(path), name=path.name)
        opened[key] = document
    # The store keeps opening times to the second: these make the order plain.
    with store._transaction() as conn:
        for stamp, key in enumerate(("anna", "dune", "war")):
            conn.execute(
                "UPDATE documents SET opened = ? WHERE id = ?",
                (f"2026-01-0{stamp + 1}T10:00:00Z", opened[key].id),
            )
    add_highlights(store, opened["war"], 3)
    add_highlights(store, opened["anna"], 1)
    fresh = {key: store.get_document(document.id) for key, document in opened.items()}
    return Shelf(fresh["war"], fresh["anna"], fresh["dune"], paths)


def reading(store: Store, document: Document) -> MarginApp:
    return MarginApp(store, document, store.load_document(document))


async def open_library(pilot, app: MarginApp) -> LibraryScreen:
    await pilot.press("o")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    assert screen.loaded
    return screen


def titles(screen: LibraryScreen) -> list[str]:
    return [row.title for row in screen.table.shown]


async def test_o_opens_the_library_on_the_current_document_and_enter_opens_another(store, shelf):
    app = reading(store, shelf.dune)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot, app)
        table = screen.table
        # Most recently opened first; the document being read is chosen, not the first row.
        assert titles(screen) == ["War and Peace", "Dune", "Anna Karenina"]
        assert table.selected_row is not None
        assert table.selected_row.document.id == shelf.dune.id
        header = table.render_line(0).text
        for name in ("Title", "Author", "Type", "Added", "Opened", "Read", "Highlights", "Tags"):
            assert name in header
        war = table.row_text(0)
        assert "War and Peace" in war and "Leo Tolstoy" in war and "#novel #russia" in war
        assert re.search(r"\b3\b", war)  # its highlights
        assert "Library · 3 documents" in str(screen.query_one("#library-title").render())
        assert str(shelf.paths["dune"]) in str(screen.query_one("#library-detail").render())
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.document.id == shelf.dune.id
        await open_library(pilot, app)
        await pilot.press("q")  # q closes the library; it does not quit margin
        assert isinstance(app.screen, ReaderScreen)
        assert app.is_running
        # enter opens the chosen document in the reader.
        await open_library(pilot, app)
        await pilot.press("k", "enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.document.id == shelf.war.id
        assert app.document is not None and app.document.id == shelf.war.id
        assert "Well, Prince." in reader.query_one(ArticleView).text
        last = store.last_opened()
        assert last is not None and last.id == shelf.war.id


async def test_sort_cycles_columns_and_reverses(store, shelf):
    app = reading(store, shelf.dune)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot, app)
        table = screen.table
        await pilot.press("s", "s")  # opened -> read -> highlights, most first
        assert table.sort_key == "highlights" and table.descending
        assert titles(screen) == ["War and Peace", "Anna Karenina", "Dune"]
        await pilot.press("r")
        assert titles(screen) == ["Dune", "Anna Karenina", "War and Peace"]
        await pilot.press("s", "s", "s")  # notes, tags, title: A to Z
        assert table.sort_key == "title" and not table.descending
        assert titles(screen) == ["Anna Karenina", "Dune", "War and Peace"]
        assert "Title ▲" in table.render_line(0).text
        # The chosen document stays chosen through every reorder.
        assert table.selected_row is not None
        assert table.selected_row.document.id == shelf.dune.id
        await pilot.click(LibraryTable, offset=(3, 0))  # the Title header: reversed
        assert titles(screen) == ["War and Peace", "Dune", "Anna Karenina"]
        # The order chosen is the order the library opens in next time.
        await pilot.press("escape")
        await pilot.pause()
        assert store.get_setting("library_sort") == {"column": "title", "descending": True}
        screen = await open_library(pilot, app)
        assert titles(screen) == ["War and Peace", "Dune", "Anna Karenina"]


async def test_filter_by_title_author_and_tag(store, shelf):
    app = reading(store, shelf.dune)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot, app)
        await pilot.press("slash")
        field = app.focused
        assert isinstance(field, FilterInput)
        # Typed keys go to the filter, not to the library's own keys (t: tags).
        await pilot.press(*"tOl")
        assert field.value == "tOl"
        assert titles(screen) == ["War and Peace", "Anna Karenina"]  # by author, any case
        assert "2 of 3 documents" in str(screen.query_one("#library-title").render())
        for query, found in (
            ("PEACE", ["War and Peace"]),
            ("tag:rus", ["War and Peace"]),
            ("tag:novel anna", ["Anna Karenina"]),
            ("#scifi", ["Dune"]),
            ("tag:", ["War and Peace", "Dune", "Anna Karenina"]),
            ("zebra", []),
        ):
            field.value = query
            await pilot.pause()
            assert titles(screen) == found, query
        assert "No document matches" in str(screen.query_one("#library-detail").render())
        field.value = "tolstoy"
        await pilot.pause()
        # Enter in the filter opens the row chosen: the second match, after "down".
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.document.id == shelf.anna.id


async def test_t_edits_the_documents_tags(store, shelf):
    app = reading(store, shelf.dune)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot, app)
        await pilot.press("t")
        editor = app.screen
        assert isinstance(editor, TagEditor)
        # Completed from the tags documents already have.
        assert set(editor.known) == {"novel", "russia", "scifi"}
        await pilot.press("ctrl+u", *"a,Bc #x", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert store.get_document(shelf.dune.id).metadata.tags == ["a", "Bc", "x"]
        assert "#a #Bc #x" in screen.table.row_text(1)
        # The reader beneath holds the new tags, so its `m` cannot write the old ones back.
        reader = app.screen_stack[-2]
        assert isinstance(reader, ReaderScreen)
        assert reader.document.metadata.tags == ["a", "Bc", "x"]
        # escape cancels: nothing changes.
        await pilot.press("t", "y", "escape")
        assert store.get_document(shelf.dune.id).metadata.tags == ["a", "Bc", "x"]


async def test_d_asks_then_n_keeps_and_y_deletes(store, shelf):
    app = reading(store, shelf.dune)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot, app)
        await pilot.press("home", "d")
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert question.question == "Delete “War and Peace” and its 3 highlights?"
        await pilot.press("n")
        assert app.screen is screen
        assert len(store.highlights(shelf.war.id)) == 3
        await pilot.press("d", "y")
        assert app.screen is screen
        assert shelf.war.id not in {d.id for d in store.documents()}
        assert store.highlights(shelf.war.id) == []
        assert titles(screen) == ["Dune", "Anna Karenina"]
        assert "Deleted “War and Peace” and its 3 highlights." in str(
            screen.query_one("#library-detail").render()
        )
        await pilot.press("end", "d")
        assert app.screen.question == "Delete “Anna Karenina” and its 1 highlight?"
        # Deleting the document open beneath: escape then opens the one read before it.
        await pilot.press("escape", "home", "d")
        assert app.screen.question == "Delete “Dune”? It has no highlights."
        await pilot.press("y")
        assert "escape opens the one read before it" in str(
            screen.query_one("#library-detail").render()
        )
        await pilot.press("escape")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.document.id == shelf.anna.id
        assert app.document is not None and app.document.id == shelf.anna.id


async def test_deleting_the_last_document_opens_the_tutorial(store, tmp_path):
    path = write(tmp_path, "only.md", "Only One", "Someone", "x", "Alone here.")
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    app = MarginApp(store, document, loaded)
    async with app.run_test(size=SIZE) as pilot:
        await open_library(pilot, app)
        await pilot.press("d", "y", "q")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.document.title == "Welcome to margin"
        assert [d.title for d in store.documents()] == ["Welcome to margin"]


async def test_a_document_whose_file_is_gone_is_marked_and_opens(store, shelf):
    shelf.paths["anna"].unlink()
    app = reading(store, shelf.dune)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot, app)
        table = screen.table
        assert table.row_text(2).startswith("✗ Anna Karenina")
        assert not table.row_text(0).startswith("✗")
        await pilot.press("end")
        detail = str(screen.query_one("#library-detail").render())
        assert "file gone" in detail and str(shelf.paths["anna"]) in detail
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.document.id == shelf.anna.id
        assert "All happy." in reader.query_one(ArticleView).text


async def test_margin_without_a_document_opens_the_library_once_it_has_several(
    store, shelf, tmp_path
):
    from tui.cli import tutorial_bytes

    assert opens_on_library(store, tutorial_bytes())
    app = _make_app(store, None, None, None, None, None)
    assert app._library_first
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        # Over the last document read, whose row is chosen.
        assert screen.table.selected_row is not None
        assert screen.table.selected_row.document.id == shelf.war.id
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.document.id == shelf.war.id


def test_one_document_of_ones_own_is_not_yet_a_library(store, tmp_path):
    from tui.cli import tutorial_bytes

    open_source(store, tutorial_bytes(), path=None, name="tutorial.md")
    assert not opens_on_library(store, tutorial_bytes())
    path = write(tmp_path, "a.md", "A", "B", "c", "Text.")
    open_source(store, path.read_bytes(), path=str(path), name=path.name)
    assert not opens_on_library(store, tutorial_bytes())
    app = _make_app(store, None, None, None, None, None)
    assert type(app) is MarginApp
    path = write(tmp_path, "b.md", "B", "C", "d", "More text.")
    open_source(store, path.read_bytes(), path=str(path), name=path.name)
    assert opens_on_library(store, tutorial_bytes())


def test_every_library_key_has_an_id_and_is_in_the_readme():
    for owner in (LibraryScreen, LibraryTable, FilterInput):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, (owner.__name__, binding)
            assert f"`{binding.id}`" in README, binding.id
    assert "`reader.library`" in README


def test_columns_fit_any_width_and_the_least_needed_go_first():
    natural = {
        "title": 60,
        "author": 20,
        "format": 4,
        "added": 10,
        "opened": 10,
        "read": 4,
        "highlights": 10,
        "notes": 5,
        "tags": 25,
    }
    for width in range(30, 220):
        plan = plan_columns(natural, width)
        keys = [column.key for column, _ in plan]
        used = 2 + sum(cells for _, cells in plan) + GAP * (len(plan) - 1)
        # Below 48 cells even the title, read and highlights overflow: the row is cut there.
        assert used <= max(width, 48), (width, keys)
        assert "title" in keys and "highlights" in keys and "read" in keys
    assert [c.key for c, _ in plan_columns(natural, 200)] == list(COLUMN_KEYS)
    assert "added" not in [c.key for c, _ in plan_columns(natural, 100)]
    # Flexible columns never take more than their content needs, but the title takes the rest.
    widths = {c.key: cells for c, cells in plan_columns(natural, 200)}
    assert (widths["author"], widths["tags"]) == (20, 25)
    assert fit("東京の本", 5) == "東京…" and fit("7", 3, right=True) == "  7"

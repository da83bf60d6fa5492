"""Imported highlights in the library: books of quotes, no duplicates, linking, JSON round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.annotate import reanchor_document
from db.export import export
from db.exporting import export_item
from db.imports.importer import (
    book_key,
    highlight_id,
    import_books,
    import_json,
    is_imported,
    link,
    title_matches,
)
from db.imports.records import ImportedBook, ImportedHighlight, ParsedImport
from db.library import open_source
from db.models import Highlight
from db.store import Store

BOOK = (
    "The Garden\n\nCHAPTER I\n\nThe gardener rose early and walked to the wall. "
    "Roses grew there in every colour.\n\nBy noon the bees had come, and the "
    "whole garden hummed.\n\nCHAPTER II\n\nIn the evening the gardener sat down."
)


def clippings(*quotes: tuple[str, int], note: str = "") -> ParsedImport:
    highlights = [
        ImportedHighlight(quote=q, order=order, location=f"Location {order}", note=note)
        for q, order in quotes
    ]
    book = ImportedBook(title="The Garden", authors=["Rose, Mary"], highlights=highlights)
    return ParsedImport("kindle", [book], skipped=["2 bookmarks"])


def test_a_book_of_quotes_in_reading_order(store: Store) -> None:
    parsed = clippings(("the whole garden hummed", 300), ("Roses grew there", 100))
    report = import_books(store, parsed)
    assert (report.books, report.added, report.duplicates) == (1, 2, 0)
    assert report.summary() == "Imported 1 book: 2 highlights added, skipped 2 bookmarks."
    (document,) = store.documents()
    assert is_imported(document) and document.format == "kindle" and document.path is None
    assert document.metadata.title == "The Garden" and document.metadata.authors == ["Rose, Mary"]
    loaded = store.load_document(document)
    assert loaded.text == "Roses grew there\n\nthe whole garden hummed"
    highlights = store.highlights(document.id)
    assert [loaded.text[h.start : h.end] for h in highlights] == [h.quote for h in highlights]
    assert all(h.text_hash == document.text_hash for h in highlights)


def test_importing_again_adds_nothing_and_more_quotes_go_in_their_place(store: Store) -> None:
    import_books(store, clippings(("Roses grew there", 100), ("the bees had come", 300)))
    again = import_books(store, clippings(("Roses grew there", 100), ("the bees had come", 300)))
    assert (again.added, again.duplicates) == (0, 2)
    more = import_books(store, clippings(("walked to the wall", 50), ("Roses grew there", 100)))
    assert (more.added, more.duplicates) == (1, 1)
    (document,) = store.documents()
    loaded = store.load_document(document)
    assert loaded.text.split("\n\n") == [
        "walked to the wall",
        "Roses grew there",
        "the bees had come",
    ]
    highlights = store.highlights(document.id)
    assert len(highlights) == 3
    for h in highlights:
        assert loaded.text[h.start : h.end] == h.quote
        assert h.text_hash == document.text_hash


def test_ids_come_from_the_book_and_the_quote() -> None:
    key = book_key("The Garden", ["Rose, Mary"])
    assert key == book_key(" the  GARDEN", ["rose, mary"])
    assert highlight_id(key, "Roses grew there") == highlight_id(key, "roses  grew there")
    assert highlight_id(key, "Roses grew there") != highlight_id(key, "Roses grew")
    assert highlight_id(key, "", note="a") != highlight_id(key, "", note="b")


def test_titles_match_with_or_without_a_subtitle() -> None:
    assert title_matches("The Garden", "the garden")
    assert title_matches("The Garden: A Novel", "The Garden")
    assert title_matches("The Garden (Penguin Classics)", "The Garden")
    assert not title_matches("The Garden", "The Gardener")
    assert not title_matches("", "The Garden")


def test_opening_the_real_book_links_and_anchors_its_imported_highlights(
    store: Store, tmp_path: Path
) -> None:
    parsed = clippings(
        ("Roses grew there in every colour.", 100),
        ("the whole garden hummed", 300),
        ("a sentence the book never had", 400),
        note="noted",
    )
    import_books(store, parsed)
    path = tmp_path / "garden.txt"
    path.write_text(BOOK, encoding="utf-8")
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    assert document.metadata.title == "The Garden"
    assert [d.id for d in store.documents()] == [document.id]  # the quotes went
    counts = reanchor_document(store, document.id, loaded.text, document.text_hash)
    assert counts["orphan"] == 1 and sum(counts.values()) == 3
    placed = {h.quote: h for h in store.highlights(document.id) if h.status != "orphan"}
    assert set(placed) == {"Roses grew there in every colour.", "the whole garden hummed"}
    for h in placed.values():
        assert loaded.text[h.start : h.end] == h.quote and h.note == "noted"
    # A later import of the same book goes straight to the real one, found by its quote.
    later = import_books(store, clippings(("The gardener rose early", 20)))
    assert later.added == 1 and later.documents == [document.id]
    reanchor_document(store, document.id, loaded.text, document.text_hash)
    new = [h for h in store.highlights(document.id) if h.quote == "The gardener rose early"]
    assert new and new[0].status != "orphan"
    assert loaded.text[new[0].start : new[0].end] == "The gardener rose early"


def test_linking_by_hand_refuses_a_document_that_is_not_imported(store: Store, tmp_path) -> None:
    import_books(store, clippings(("Roses grew there", 100)))
    (imported,) = store.documents()
    path = tmp_path / "other.txt"
    path.write_text("Another book.\n\nRoses grew there.", encoding="utf-8")
    real, _ = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    with pytest.raises(ValueError, match="no imported highlights"):
        link(store, real, imported)
    assert link(store, imported, real) == 1
    assert [h.document_id for h in store.highlights(real.id)] == [real.id]


def _export_json(store: Store) -> str:
    items = [export_item(store, d) for d in sorted(store.documents(), key=lambda d: d.id)]
    return "".join(export("json", items, "2026-11-28T12:00:00Z"))


def _library(tmp_path: Path, name: str) -> Store:
    store = Store.open(tmp_path / name)
    for file_name, text in (("garden.txt", BOOK), ("notes.md", "# Notes\n\nShort *notes* here.\n")):
        path = tmp_path / file_name
        path.write_text(text, encoding="utf-8")
        document, loaded = open_source(store, path.read_bytes(), path=str(path), name=file_name)
        start = loaded.text.index("Roses" if file_name == "garden.txt" else "Short")
        store.add_highlight(
            Highlight(
                "", document.id, start, start + 5, loaded.text[start : start + 5], "", "",
                document.text_hash, color=3, note="a *note*", tags=["garden", "Ünïcode"],
            )
        )  # fmt: skip
        store.save_position(document.id, start)
    return store


def test_a_json_export_comes_back_whole(tmp_path: Path) -> None:
    first = _library(tmp_path, "one.db")
    exported = _export_json(first)
    first.close()
    with Store.open(tmp_path / "two.db") as second:
        report = import_json(second, exported)
        assert (report.books, report.added, report.duplicates) == (2, 2, 0)
        assert _export_json(second) == exported
        again = import_json(second, exported)
        assert (again.added, again.duplicates) == (0, 2)
        assert _export_json(second) == exported


def test_a_document_without_its_file_keeps_all_but_its_text(tmp_path: Path) -> None:
    import json

    first = Store.open(tmp_path / "one.db")
    piped, _ = open_source(first, b"Piped words only.", path=None)
    first.add_highlight(
        Highlight("", piped.id, 0, 5, "Piped", "", "", piped.text_hash, note="from a pipe")
    )
    exported = json.loads(_export_json(first))
    first.close()
    with Store.open(tmp_path / "two.db") as second:
        import_json(second, json.dumps(exported))
        again = json.loads(_export_json(second))
        (document,) = second.documents()
        # Its text is its quotes until the real one is read: all else is as exported.
        assert second.load_document(document).text == "Piped"
    before, after = exported["first"]["items"][0], again["first"]["items"][0]
    assert before["target"]["selector"] == after["target"]["selector"]
    assert before["body"] == after["body"]
    for key in ("id", "created", "modified"):
        assert before[key] == after[key]
    mine_before, mine_after = before["margin:highlight"], after["margin:highlight"]
    assert {k: v for k, v in mine_before.items() if k != "location"} == {
        k: v for k, v in mine_after.items() if k != "location"
    }
    doc_before, doc_after = exported["margin:documents"][0], again["margin:documents"][0]
    assert {k: v for k, v in doc_before.items() if k != "text_hash"} == {
        k: v for k, v in doc_after.items() if k != "text_hash"
    }

"""`margin import` and `margin link` as a user runs them: summaries, idempotence, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.store import Store
from tui.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
GERMAN = FIXTURES / "kindle" / "de-dapepe.txt"
READWISE = FIXTURES / "readwise" / "readwise-export-sample.csv"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_kindle_clippings_import_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "margin.db")
    status, out, err = run(["import", "--db", db, str(GERMAN)], capsys)
    assert (status, err) == (0, "")
    assert out == (
        "Imported 19 books: 586 highlights added, skipped 2 bookmarks, "
        "skipped 85 earlier versions of highlights edited on the device.\n"
    )
    status, out, _ = run(["import", "--db", db, "--json", str(GERMAN)], capsys)
    report = json.loads(out)
    assert (status, report["format"], report["added"], report["duplicates"]) == (
        0,
        "kindle",
        0,
        586,
    )
    with Store.open(Path(db)) as store:
        documents = store.documents()
        assert len(documents) == 19
        assert {d.format for d in documents} == {"kindle"}
        assert sum(len(store.highlights(d.id)) for d in documents) == 586


def test_readwise_and_json_are_told_from_their_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "margin.db")
    renamed = tmp_path / "export.txt"
    renamed.write_bytes(READWISE.read_bytes())
    status, out, _ = run(["import", "--db", db, "--json", str(renamed)], capsys)
    report = json.loads(out)
    assert (status, report["format"], report["added"]) == (0, "readwise", 29)
    exported = tmp_path / "all.json"
    assert main(["export", "--all", "-f", "json", "-o", str(exported), "--db", db]) == 0
    capsys.readouterr()
    fresh = str(tmp_path / "fresh.db")
    status, out, _ = run(["import", "--db", fresh, "--json", str(exported)], capsys)
    assert (status, json.loads(out)["added"]) == (0, 29)
    again = tmp_path / "again.json"
    assert main(["export", "--all", "-f", "json", "-o", str(again), "--db", fresh]) == 0
    first, second = json.loads(exported.read_text()), json.loads(again.read_text())
    assert first["first"]["items"] == second["first"]["items"]
    assert first["margin:documents"] == second["margin:documents"]


def test_a_file_that_is_none_of_them_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("Just some notes.\n", encoding="utf-8")
    db = tmp_path / "margin.db"
    status, out, err = run(["import", "--db", str(db), str(other)], capsys)
    assert status == 2 and out == ""
    assert err.startswith("margin: notes.txt: not a Kindle clippings file") and err.count("\n") == 1
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "AnnotationCollection", "first": ', encoding="utf-8")
    status, _, err = run(["import", "--db", str(db), "--format", "json", str(broken)], capsys)
    assert status == 2 and err.startswith("margin: broken.json: ") and err.count("\n") == 1
    status, _, err = run(["import", "--db", str(db), str(tmp_path / "gone.txt")], capsys)
    assert status == 2 and "no such file" in err


def test_link_gives_an_imported_book_to_the_real_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_text(
        "\ufeffA Walk (Mary Rose)\n"
        "- Your Highlight on Location 10-12 | Added on Monday, March 21, 2016 8:35:16 AM\n\n"
        "The path went down to the river.\n==========\n"
        "A Walk (Mary Rose)\n"
        "- Your Highlight on Location 40-41 | Added on Monday, March 21, 2016 8:36:00 AM\n\n"
        "Words the book does not have.\n==========\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "margin.db")
    assert main(["import", "--db", db, str(clippings)]) == 0
    book = tmp_path / "walk.txt"
    book.write_text(
        "Other Title\n\nWe set out at dawn. The path went down to the river. It was cold.\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    status, out, err = run(["link", "--db", db, "A Walk", str(book)], capsys)
    assert (status, err) == (0, "")
    assert out == "Linked 2 highlights to “Other Title” (id 2): 1 placed, 1 orphan.\n"
    status, _, err = run(["link", "--db", db, "Other Title", str(book)], capsys)
    assert status == 2 and "not a book of imported highlights" in err

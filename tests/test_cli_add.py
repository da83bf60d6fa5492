"""`margin add`: files, folders and URLs into the library, one line each, failures told apart."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from db.store import Store
from tui.adding import _Bar
from tui.cli import main

NEWS = (Path(__file__).parent / "fixtures" / "news.txt").read_bytes()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    books = tmp_path / "books"
    (books / "deeper").mkdir(parents=True)
    (books / "news.txt").write_bytes(NEWS)
    (books / "deeper" / "notes.md").write_text("# Notes\n\nSome notes.\n", encoding="utf-8")
    (books / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a document")
    (books / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    return books


def test_adds_a_folders_documents_with_one_line_each(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "margin.db"
    assert main(["add", "--db", str(db), str(folder)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0].split(maxsplit=2) == [
        "1",
        "txt",
        "Britain to tighten asylum rules after record crossings",
    ]
    assert lines[1].split() == ["2", "md", "Notes"]
    assert lines[2] == "Added 2 documents."
    with Store.open(db) as store:
        documents = store.documents()
        assert sorted(Path(d.path or "").name for d in documents) == ["news.txt", "notes.md"]
        # Added, not read: `margin` alone still opens what was last read.
        assert store.last_opened() is None


def test_a_failure_is_reported_and_the_others_still_added(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "margin.db"
    bad = tmp_path / "broken.md"
    bad.write_bytes(b"\x00\x01\x02binary")
    status = main(["add", "--db", str(db), str(bad), str(tmp_path / "gone.txt"), str(folder)])
    out, err = capsys.readouterr()
    assert status == 2
    assert err.splitlines() == [
        "margin: broken.md: looks like a binary file, not text",
        "margin: " + str(tmp_path / "gone.txt") + ": no such file",
    ]
    assert out.splitlines()[-1] == "Added 2 documents, 2 failed."


def test_adding_again_adds_nothing(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "margin.db")
    main(["add", "--db", db, str(folder)])
    capsys.readouterr()
    assert main(["add", "--db", db, "--json", str(folder / "news.txt"), str(folder)]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in records] == ["known", "known", "known"]
    assert records[0] == {
        "source": str(folder / "news.txt"),
        "status": "known",
        "id": 1,
        "format": "txt",
        "title": "Britain to tighten asylum rules after record crossings",
    }
    with Store.open(Path(db)) as store:
        assert len(store.documents()) == 2


def test_nothing_to_add_is_a_usage_error_and_makes_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    db = tmp_path / "margin.db"
    assert main(["add", "--db", str(db), str(empty)]) == 2
    assert capsys.readouterr().err == f"margin: no documents to add in {empty}\n"
    assert not db.exists()
    assert main(["add", "--db", str(db)]) == 2
    assert "the following arguments are required: PATH" in capsys.readouterr().err


def test_the_progress_bar_counts_files_and_clears_its_line() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = _Bar(stream, 4)
    bar.start(1, "/books/war\x1band peace.epub")
    bar._drawn_at = 0.0  # as if the last redraw were long ago
    bar.progress(1, 2)
    bar.clear()
    written = stream.getvalue()
    frames = written.split("\r\x1b[2K")
    assert frames[1].endswith("2/4 war␛and peace.epub")
    # 1.5 of 4 files: 9 of 24 cells filled.
    assert frames[2].startswith("━" * 9 + "─" * 15)
    assert written.endswith("\r\x1b[2K")
    assert "\x1ba" not in written

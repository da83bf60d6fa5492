"""`margin list` and `margin rm`: the library as a table and as JSON, and deleting with care."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.models import Block, Document, Highlight, LoadedText, Metadata
from db.store import Store
from tui.cli import main

WAR = [
    "Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes.",
    "It was in July, 1805, and the speaker was the well-known Anna Pavlovna Scherer.",
]


def loaded(
    title: str, paragraphs: list[str], authors: tuple[str, ...] = (), tags: tuple[str, ...] = ()
) -> LoadedText:
    blocks, at = [], 0
    for paragraph in paragraphs:
        blocks.append(Block("paragraph", at, at + len(paragraph)))
        at += len(paragraph) + 2
    metadata = Metadata(title=title, authors=list(authors), tags=list(tags))
    return LoadedText(text="\n\n".join(paragraphs), blocks=blocks, metadata=metadata)


def highlight(store: Store, document: Document, start: int, end: int, note: str = "") -> None:
    text = store.load_document(document).text
    store.add_highlight(
        Highlight(
            id="",
            document_id=document.id,
            start=start,
            end=end,
            quote=text[start:end],
            prefix=text[max(0, start - 32) : start],
            suffix=text[end : end + 32],
            text_hash=document.text_hash,
            note=note,
        )
    )


@dataclass
class Library:
    db: Path
    war: Document
    poems: Document
    stdin: Document


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """War and Peace (file present, 2 highlights, 1 note, read halfway), War Poems (file gone),
    and a document from stdin whose title holds an escape sequence."""
    db = tmp_path / "data" / "margin.db"
    monkeypatch.setenv("MARGIN_DB", str(db))
    war_file = tmp_path / "war.txt"
    war_file.write_text("on disk\n", encoding="utf-8")
    with Store.open(db) as store:
        war = store.add_document(
            loaded("War and Peace", WAR, ("Leo Tolstoy",), ("novel", "russia")),
            path=str(war_file),
            source_hash="1" * 64,
        )
        poems = store.add_document(
            loaded("War Poems", ["In Flanders fields the poppies blow"], ("John McCrae",)),
            path=str(tmp_path / "gone.md"),
            source_hash="2" * 64,
        )
        stdin = store.add_document(
            loaded("Red \x1b[31mAlert", ["Piped in."]), path=None, source_hash="3" * 64
        )
        highlight(store, war, 14, 29, note="Where it starts.")
        highlight(store, war, 0, 4)
        store.mark_opened(war.id)
        length = len("\n\n".join(WAR))
        store.save_position(war.id, (length - 1) // 2)
    return Library(db, war, poems, stdin)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    status = main(argv)
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    return out


def fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.startswith("margin: ") and err.count("\n") == 1 and err.endswith("\n"), err
    return err.removeprefix("margin: ").removesuffix("\n")


def test_list_prints_a_table_most_recently_read_first(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = run(["list"], capsys).splitlines()
    assert lines[0].split() == [
        "id",
        "title",
        "author",
        "format",
        "highlights",
        "notes",
        "progress",
        "tags",
    ]
    assert len(lines) == 4
    war = lines[1]
    assert war.split("  ")[0].strip() == str(library.war.id)
    assert "War and Peace" in war and "Leo Tolstoy" in war
    # highlights, notes, progress (read halfway), tags
    assert war.split()[-5:] == ["2", "1", "50%", "#novel", "#russia"]
    poems = next(line for line in lines if "War Poems" in line)
    assert "War Poems (file gone)" in poems
    assert "(file gone)" not in war
    # A title's escape sequence is shown, never sent to the terminal.
    red = next(line for line in lines if "Red" in line)
    assert "\x1b" not in red and "␛[31mAlert" in red
    # Columns line up: every row's "format" starts where the header's does.
    at = lines[0].index("format")
    assert all(line[at:].split()[0] in ("format", "txt") for line in lines)


def test_list_json_has_every_field(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    records = json.loads(run(["list", "--json"], capsys))
    assert records[0]["id"] == library.war.id
    assert {r["id"] for r in records} == {library.war.id, library.poems.id, library.stdin.id}
    war = records[0]
    assert {
        "id",
        "title",
        "author",
        "format",
        "path",
        "highlights",
        "notes",
        "progress",
        "tags",
        "added",
        "opened",
    } <= set(war)
    assert war["title"] == "War and Peace"
    assert war["author"] == "Leo Tolstoy" and war["authors"] == ["Leo Tolstoy"]
    assert war["format"] == "txt"
    assert war["path"] == library.war.path
    assert (war["highlights"], war["notes"]) == (2, 1)
    assert war["progress"] == 0.5
    assert war["tags"] == ["novel", "russia"]
    assert war["added"] and war["opened"]
    assert war["missing"] is False
    poems = next(r for r in records if r["id"] == library.poems.id)
    assert (poems["opened"], poems["progress"], poems["missing"]) == (None, 0.0, True)
    stdin = next(r for r in records if r["id"] == library.stdin.id)
    assert stdin["path"] is None and stdin["missing"] is False


def test_without_a_database_the_library_is_empty_and_nothing_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none" / "margin.db"
    assert run(["list", "--db", str(db)], capsys) == ""
    assert run(["list", "--json", "--db", str(db)], capsys) == "[]\n"
    assert fails(["rm", "war", "--yes", "--db", str(db)], capsys) == 'no document matches "war"'
    assert not db.parent.exists()


def test_rm_with_yes_deletes_the_document_and_its_highlights(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(["rm", "war and", "--yes"], capsys)
    assert out == f"Deleted “War and Peace” (id {library.war.id}) and its 2 highlights.\n"
    with Store.open(library.db) as store:
        assert library.war.id not in {d.id for d in store.documents()}
        assert store.highlights(library.war.id) == []
        assert {d.id for d in store.documents()} == {library.poems.id, library.stdin.id}
    # One without highlights says no count.
    assert run(["rm", str(library.poems.id), "-y"], capsys) == (
        f"Deleted “War Poems” (id {library.poems.id}).\n"
    )


def test_rm_without_yes_off_a_terminal_refuses(
    library: Library, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    line = fails(["rm", "war and"], capsys)
    assert "--yes" in line and "War and Peace" in line
    with Store.open(library.db) as store:
        assert library.war.id in {d.id for d in store.documents()}
        assert len(store.highlights(library.war.id)) == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rm_on_a_terminal_asks_first(
    library: Library, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    assert main(["rm", "war and"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    question = f"Delete “War and Peace” (id {library.war.id}) and its 2 highlights? [y/N] "
    assert err == question + "Nothing deleted.\n"
    with Store.open(library.db) as store:
        assert library.war.id in {d.id for d in store.documents()}

    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    assert main(["rm", "war and"]) == 0
    out, err = capsys.readouterr()
    assert err == question
    assert out.startswith("Deleted “War and Peace”")
    with Store.open(library.db) as store:
        assert library.war.id not in {d.id for d in store.documents()}


def test_rm_of_an_unknown_or_ambiguous_document_fails(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fails(["rm", "zebra", "--yes"], capsys) == 'no document matches "zebra"'
    assert fails(["rm", "war", "--yes"], capsys).startswith('"war" matches 2 documents')
    assert fails(["rm"], capsys).startswith("the following arguments are required: DOC")
    with Store.open(library.db) as store:
        assert len(store.documents()) == 3

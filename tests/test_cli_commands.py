"""Tests for the headless commands `margin show DOC` and `margin tags`, and for naming a DOC.

Everything runs in-process through ``tui.cli.main`` on a small library made in
``tmp_path`` with the store's own API; one child process checks that the
commands never import Textual.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import highlight_words

from db.library import AmbiguousDocumentError, NoMatchingDocumentError, resolve_document
from db.models import Block, Document, LoadedText, Metadata
from db.store import Store, StoreError
from tui import cli, commands
from tui.cli import main

WAR = [
    "Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes.",
    "It was in July, 1805, and the speaker was the well-known Anna Pavlovna Scherer.",
    "All happy families are alike; each unhappy family is unhappy in its own way.",
]
POEMS = ["In Flanders fields the poppies blow", "Between the crosses, row on row"]
KEYS = {
    "id",
    "start",
    "end",
    "quote",
    "note",
    "tags",
    "color",
    "status",
    "score",
    "created",
    "updated",
    "prefix",
    "suffix",
}


def loaded(title: str, paragraphs: list[str], authors: tuple[str, ...] = ()) -> LoadedText:
    """A parsed text of these paragraphs, one block each, as a loader would give it."""
    blocks, at = [], 0
    for paragraph in paragraphs:
        blocks.append(Block("paragraph", at, at + len(paragraph)))
        at += len(paragraph) + 2
    metadata = Metadata(title=title, authors=list(authors))
    return LoadedText(text="\n\n".join(paragraphs), blocks=blocks, metadata=metadata)


highlight = highlight_words


@dataclass
class Library:
    db: Path
    books: Path
    war: Document
    poems: Document
    war_alone: Document
    anna: Document
    nineteen: Document


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """Five documents (three titled "War..."), four highlights on two of them, MARGIN_DB set."""
    db = tmp_path / "data" / "margin.db"
    monkeypatch.setenv("MARGIN_DB", str(db))
    books = tmp_path / "books"
    books.mkdir()
    store = Store.open(db)
    try:
        war = store.add_document(
            loaded("War and Peace", WAR, ("Leo Tolstoy",)),
            path=str(books / "war-and-peace.txt"),
            source_hash="1" * 64,
        )
        poems = store.add_document(
            loaded("War Poems", POEMS), path=str(books / "poems.md"), source_hash="2" * 64
        )
        war_alone = store.add_document(loaded("War", ["A short one."]), path=None, source_hash="3")
        anna = store.add_document(
            loaded("Anna Karenina", ["Everything was in confusion."]),
            path=str(books / "anna.txt"),
            source_hash="4" * 64,
        )
        nineteen = store.add_document(
            loaded("1984", ["It was a bright cold day in April."]), path=None, source_hash="5"
        )
        # Stored out of text order: show must give them in text order.
        highlight(
            store,
            war,
            "All happy families are alike",
            color=2,
            note="The famous opening.\nIt is not the first line here.",
            tags=["policy", "russia"],
        )
        highlight(store, war, "Genoa and Lucca", tags=["Policy", "places"])
        highlight(store, war, "Anna Pavlovna", color=3, status="fuzzy", score=0.87)
        highlight(store, poems, "poppies", tags=["policy", "數學"])
    finally:
        store.close()
    for name in ("war-and-peace.txt", "anna.txt"):
        (books / name).write_text("on disk\n", encoding="utf-8")
    return Library(db, books, war, poems, war_alone, anna, nineteen)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run margin in-process; assert it succeeded quietly and return its stdout."""
    status = main(argv)
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    return out


def fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run margin in-process; assert it failed with one line and status 2, and return the line."""
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.startswith("margin: ")
    assert err.count("\n") == 1 and err.endswith("\n"), err
    return err.removeprefix("margin: ").removesuffix("\n")


def shown(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    records = json.loads(run(argv, capsys))
    assert isinstance(records, list)
    return records


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


# --- naming a document ---------------------------------------------------------------------


@pytest.fixture
def opened(library: Library) -> Iterator[Store]:
    """The library's store, open."""
    store = Store.open(library.db, create=False)
    yield store
    store.close()


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("1", "war"),
        ("0002", "poems"),
        ("war and", "war"),
        ("WAR P", "poems"),
        ("war", "war_alone"),  # a whole title beats the longer titles it starts
        ("anna", "anna"),
        ("1984", "nineteen"),  # digits that are no id are a title
    ],
)
def test_resolve_by_id_or_title(library: Library, opened: Store, spec: str, name: str) -> None:
    assert resolve_document(opened, spec).id == getattr(library, name).id


def test_titles_match_in_any_case_and_unicode_form(library: Library, opened: Store) -> None:
    opened.update_metadata(library.anna.id, Metadata(title="Ñandú Tales"))  # composed (NFC)
    assert resolve_document(opened, "n\u0303andu\u0301 t").id == library.anna.id  # decomposed
    assert resolve_document(opened, "ÑANDÚ").id == library.anna.id


def test_an_id_wins_over_a_title(library: Library, opened: Store) -> None:
    opened.update_metadata(library.anna.id, Metadata(title="2 Cities"))
    assert resolve_document(opened, "2").id == library.poems.id
    assert resolve_document(opened, "2 c").id == library.anna.id


def test_resolve_by_path(
    library: Library, opened: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absolute = library.books / "poems.md"  # never written: a stored path need not exist
    assert resolve_document(opened, str(absolute)).id == library.poems.id
    monkeypatch.chdir(library.books)
    assert resolve_document(opened, "war-and-peace.txt").id == library.war.id
    assert resolve_document(opened, "./anna.txt").id == library.anna.id
    monkeypatch.chdir(tmp_path)
    assert resolve_document(opened, "books/../books/anna.txt").id == library.anna.id
    # Through a symbolic link, to the folder or to the file itself.
    (tmp_path / "shelf").symlink_to(library.books)
    assert resolve_document(opened, "shelf/anna.txt").id == library.anna.id
    (tmp_path / "link.txt").symlink_to(library.books / "anna.txt")
    assert resolve_document(opened, "link.txt").id == library.anna.id


def test_a_path_wins_over_a_title(
    library: Library, opened: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(library.books)
    opened.update_metadata(library.war.id, Metadata(title="anna.txt and more"))
    assert resolve_document(opened, "anna.txt").id == library.anna.id


def test_ambiguous(library: Library, opened: Store) -> None:
    with pytest.raises(AmbiguousDocumentError) as raised:
        resolve_document(opened, "wa")
    assert [d.id for d in raised.value.candidates] == [1, 2, 3]
    assert str(raised.value) == '"wa" matches 3 documents: 1 War and Peace, 2 War Poems, 3 War'
    assert isinstance(raised.value, StoreError)


def test_ambiguous_names_a_few_candidates(opened: Store) -> None:
    for number in range(8):
        opened.add_document(
            loaded(f"Volume {number} of a work whose title goes on and on", [str(number)]),
            path=None,
            source_hash=f"v{number}",
        )
    with pytest.raises(AmbiguousDocumentError) as raised:
        resolve_document(opened, "vol")
    message = str(raised.value)
    assert message.startswith(
        '"vol" matches 8 documents: 6 Volume 0 of a work whose…, 7 Volume 1 of a work whose…, '
    )
    assert message.endswith(", and 3 more")
    assert "\n" not in message


@pytest.mark.parametrize(
    "spec", ["Peace", "x", "", "  ", "9", "99999999999999999999999", "1" * 5000, "a\0b"]
)
def test_no_match(library: Library, opened: Store, spec: str) -> None:
    with pytest.raises(NoMatchingDocumentError) as raised:
        resolve_document(opened, spec)
    visible = spec.replace("\0", "␀")
    assert str(raised.value) == f'no document matches "{visible}"'


def test_names_in_messages_are_inert(opened: Store) -> None:
    opened.add_document(loaded("Evil\x1b[2J\nTitle", ["x"]), path=None, source_hash="e1")
    opened.add_document(loaded("Evil\x9b31m twin", ["y"]), path=None, source_hash="e2")
    with pytest.raises(AmbiguousDocumentError) as raised:
        resolve_document(opened, "evil")
    assert str(raised.value) == '"evil" matches 2 documents: 6 Evil␛[2J Title, 7 Evil\ufffd31m twin'
    with pytest.raises(NoMatchingDocumentError) as missing:
        resolve_document(opened, "\x1b]52;c;Zm9v\x07\nx")
    assert str(missing.value) == 'no document matches "␛]52;c;Zm9v␇␤x"'


# --- margin show -----------------------------------------------------------------------------


def test_show_json(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    records = shown(["show", "war and peace", "--json"], capsys)
    assert [r["quote"] for r in records] == [
        "Genoa and Lucca",
        "Anna Pavlovna",
        "All happy families are alike",
    ]
    for record in records:
        assert set(record) == KEYS
        assert isinstance(record["id"], str) and record["id"]
        assert isinstance(record["start"], int) and isinstance(record["end"], int)
        assert isinstance(record["tags"], list)
        assert record["created"] and record["updated"]
        text = "\n\n".join(WAR)
        assert text[record["start"] : record["end"]] == record["quote"]
    genoa, anna, happy = records
    assert genoa["tags"] == ["policy", "places"]  # "Policy" is the tag first spelled "policy"
    assert (anna["status"], anna["score"], anna["color"]) == ("fuzzy", 0.87, 3)
    assert happy["note"] == "The famous opening.\nIt is not the first line here."
    assert (happy["tags"], happy["color"], happy["status"]) == (["policy", "russia"], 2, "exact")


def test_show_json_with_no_highlights(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["show", "anna", "--json"], capsys) == "[]\n"


def test_show_text(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(["show", "1"], capsys)
    ids = re.findall(r"  hl-([0-9a-f]{8})\n", out)
    assert ids == [r["id"].replace("-", "")[:8] for r in shown(["show", "1", "--json"], capsys)]
    out = re.sub(r"  hl-[0-9a-f]{8}\n", "\n", out)
    assert out == (
        "War and Peace — Leo Tolstoy  (id 1, 3 highlights)\n"
        "\n"
        "¶ 1  colour 1\n"
        "  “Genoa and Lucca”\n"
        "  #policy #places\n"
        "\n"
        "¶ 2  colour 3  fuzzy 87%\n"
        "  “Anna Pavlovna”\n"
        "\n"
        "¶ 3  colour 2\n"
        "  “All happy families are alike”\n"
        "      The famous opening.\n"
        "      It is not the first line here.\n"
        "  #policy #russia\n"
    )
    assert run(["show", "anna"], capsys) == "Anna Karenina  (id 4, no highlights)\n"


def test_show_text_of_orphans_and_old_texts(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    """An orphan, or a highlight on a text the document has since left, shows its offsets."""
    store = Store.open(library.db)
    try:
        [poppies] = store.highlights(library.poems.id)
        store.update_highlight(poppies.id, status="orphan")
        highlight(store, library.poems, "crosses")
        store.add_document(
            loaded("War Poems", ["Between the crosses, row on row", *POEMS]),
            path=str(library.books / "poems.md"),
            source_hash="6" * 64,
        )
    finally:
        store.close()
    out = re.sub(r"  hl-[0-9a-f]{8}\n", "\n", run(["show", "war poems"], capsys))
    assert "@23-30  colour 1  orphan\n  “poppies”\n  #policy #數學\n" in out
    # The offsets of the old text: not yet re-anchored (the reader does that when it opens).
    assert "@49-56  colour 1\n  “crosses”\n" in out
    assert "¶" not in out


def test_show_output_is_inert(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    quote = "Genoa\x1b[2J and\x9b31m Lucca"
    note = "a\x1b]52;c;Zm9v\x07 note\r\nover lines\x7f"
    store = Store.open(library.db)
    try:
        [genoa] = [h for h in store.highlights(library.war.id) if h.quote == "Genoa and Lucca"]
        store.update_highlight(genoa.id, quote=quote, note=note)
    finally:
        store.close()
    text = run(["show", "1"], capsys)
    assert "  “Genoa␛[2J and\ufffd31m Lucca”\n      a␛]52;c;Zm9v␇ note\n      over lines␡\n" in text
    raw = run(["show", "1", "--json"], capsys)
    for char in ("\x1b", "\x07", "\x7f", "\x9b", "\r"):
        assert char not in raw
    [record] = [r for r in json.loads(raw) if r["id"] == genoa.id]
    assert (record["quote"], record["note"]) == (quote, note)  # the data exactly as stored


# --- margin tags ----------------------------------------------------------------------------


def test_tags(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    # Aligned in terminal columns: "數學" is two characters but four columns wide.
    assert run(["tags"], capsys) == "places  1\npolicy  3\nrussia  1\n數學    1\n"


def test_tags_json(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    assert json.loads(run(["tags", "--json"], capsys)) == [
        {"tag": "places", "count": 1},
        {"tag": "policy", "count": 3},
        {"tag": "russia", "count": 1},
        {"tag": "數學", "count": 1},
    ]


def test_json_is_readable_and_inert() -> None:
    value = ["數學 “quote”", "\x1b\x7f\x9b\u2028", "lone \ud800"]
    text = commands._json(value)
    assert "數學 “quote”" in text  # not \u-escaped: the words stay readable
    assert "\\u001b\\u007f\\u009b\\u2028" in text
    assert "\\ud800" in text
    text.encode("utf-8")  # no lone surrogate left to fail on
    assert json.loads(text) == value


def test_tags_align_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(tmp_path / "margin.db")
    try:
        document = store.add_document(loaded("T", ["word " * 20]), path=None, source_hash="t")
        for _ in range(12):
            highlight(store, document, "word", tags=["a"])
        highlight(store, document, "word", tags=["longer-tag"])
    finally:
        store.close()
    assert run(["tags", "--db", str(tmp_path / "margin.db")], capsys) == (
        "a           12\nlonger-tag   1\n"
    )


def test_tags_of_an_empty_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(tmp_path / "margin.db").close()
    assert run(["tags", "--db", str(tmp_path / "margin.db")], capsys) == ""
    assert run(["tags", "--db", str(tmp_path / "margin.db"), "--json"], capsys) == "[]\n"


# --- the database: --db or MARGIN_DB, never created, never changed ------------------------------


def test_db_before_or_after_the_command(
    library: Library, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARGIN_DB", str(library.db.parent / "elsewhere.db"))
    db = str(library.db)
    expected = run(["show", "1", "--db", db, "--json"], capsys)
    assert len(json.loads(expected)) == 3
    for argv in (
        ["--db", db, "show", "1", "--json"],
        [f"--db={db}", "show", "--json", "1"],
        ["--debug", "--db", db, "show", "1", "--json"],
        ["show", "--db", db, "1", "--json"],
    ):
        assert run(argv, capsys) == expected
    assert run(["--db", db, "tags"], capsys) == run(["tags", "--db", db], capsys)
    assert "policy  3" in run(["tags", "--db", db], capsys)
    assert not (library.db.parent / "elsewhere.db").exists()


@pytest.mark.parametrize("given_by", ["--db", "MARGIN_DB"])
def test_a_missing_database_is_not_created(
    given_by: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "data" / "margin.db"
    if given_by == "--db":
        monkeypatch.delenv("MARGIN_DB", raising=False)
        option = ["--db", str(db)]
    else:
        monkeypatch.setenv("MARGIN_DB", str(db))
        option = []
    assert run(["tags", *option], capsys) == ""
    assert run(["tags", "--json", *option], capsys) == "[]\n"
    assert fails(["show", "war", *option], capsys) == 'no document matches "war"'
    assert fails(["show", "1", "--json", *option], capsys) == 'no document matches "1"'
    assert list(tmp_path.iterdir()) == []


def test_the_database_is_left_as_it_was(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(library.db.parent)
    run(["show", "war and", "--json"], capsys)
    run(["show", "1"], capsys)
    run(["tags"], capsys)
    fails(["show", "nothing"], capsys)
    assert snapshot(library.db.parent) == before  # no -wal or -shm left beside it


def test_a_bad_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("Dear diary, this is not a database.\n" * 200, encoding="utf-8")
    err = fails(["tags", "--db", str(bad)], capsys)
    assert err == f"{bad} is not a margin database (not an SQLite file)"
    assert "is a folder" in fails(["show", "1", "--db", str(tmp_path)], capsys)


# --- the command line ------------------------------------------------------------------------


def test_show_messages(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    assert fails(["show", "wa"], capsys) == (
        '"wa" matches 3 documents: 1 War and Peace, 2 War Poems, 3 War'
    )
    assert fails(["show", "peace"], capsys) == 'no document matches "peace"'
    assert fails(["show", "--", "-1"], capsys) == 'no document matches "-1"'


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show"], "the following arguments are required: DOC (see margin show --help)"),
        (["show", "1", "2"], "unrecognized arguments: 2 (see margin show --help)"),
        (["tags", "extra"], "unrecognized arguments: extra (see margin tags --help)"),
        (["tags", "--bogus"], "unrecognized arguments: --bogus (see margin tags --help)"),
        (["show", "1", "--db"], "argument --db: expected one argument (see margin show --help)"),
    ],
)
def test_command_line_mistakes(
    argv: list[str], message: str, library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fails(argv, capsys) == message


def test_debug_raises(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(cli.UsageError, match="matches 3 documents") as raised:
        main(["show", "wa", "--debug"])
    assert isinstance(raised.value.__cause__, AmbiguousDocumentError)


@pytest.mark.parametrize(
    ("argv", "index"),
    [
        (["show", "1"], 0),
        (["--db", "x.db", "show", "1"], 2),
        (["--db=x.db", "--debug", "tags"], 2),
        (["--db", "show", "tags"], 2),  # "show" is the database's name here
        (["--db", "show"], None),
        (["./show"], None),
        (["--", "show"], None),
        (["book.txt", "show"], None),
        (["-", "tags"], None),
        ([], None),
        (["--debug"], None),
    ],
)
def test_command_index(argv: list[str], index: int | None) -> None:
    assert cli.command_index(argv) == index


def test_value_options_are_the_parsers() -> None:
    """command_index skips the value of exactly the options that take one, in any parser."""
    taking: set[str] = set()
    for parser in (cli.build_parser(), *map(cli.build_command_parser, cli.COMMANDS)):
        taking |= {
            option
            for action in parser._actions
            if action.option_strings and action.nargs != 0
            for option in action.option_strings
        }
    assert taking == set(cli.VALUE_OPTIONS)


@pytest.mark.parametrize("argv", [["./show"], ["--", "show"], ["./tags"]])
def test_a_file_called_like_a_command_is_read(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MARGIN_DB", str(tmp_path / "margin.db"))
    monkeypatch.chdir(tmp_path)
    for name in ("show", "tags"):
        (tmp_path / name).write_text(f"The file called {name}.\n", encoding="utf-8")
    runs: list[str] = []

    class FakeApp:
        def __init__(
            self, store: Store, document: object, loaded: LoadedText, **options: object
        ) -> None:
            self.text = loaded.text
            self.return_code = 0
            self.load_error = None

        def run(self) -> None:
            runs.append(self.text)

    monkeypatch.setattr("tui.app.MarginApp", FakeApp)
    assert main(argv) == 0
    assert runs == [f"The file called {Path(argv[-1]).name}."]


def test_help_names_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "margin show DOC [--json]" in out and "margin tags [--json]" in out
    assert "./show" in out
    for command in cli.COMMANDS:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert capsys.readouterr().out.startswith(f"usage: margin {command} ")


def test_a_closed_pipe_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """`margin show 1 | head -1`: no traceback when head stops reading, and SIGPIPE's status."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    stream = open(write_end, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    monkeypatch.setattr(sys, "stdout", stream)
    try:
        assert commands._print("lots of output\n" * 10_000) == 141
        stream.write("later writes go nowhere\n")
        stream.flush()
    finally:
        stream.close()


def test_an_ascii_stdout_gets_escapes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with open(path, "w", encoding="ascii") as stream:
        monkeypatch.setattr(sys, "stdout", stream)
        assert commands._print("¶ 1  “quote”\n") == 0
    assert path.read_text(encoding="ascii") == "\\xb6 1  \\u201cquote\\u201d\n"


def test_the_commands_do_not_import_textual(library: Library, tmp_path: Path) -> None:
    """No command imports Textual (or Rich); only cite imports citeproc, which is slow to load."""
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "def loaded(*names):\n"
        "    return sorted(m for m in sys.modules if m.split('.')[0] in names)\n"
        f"db = {str(library.db)!r}\n"
        "main(['show', '1', '--db', db])\n"
        "main(['tags', '--json', '--db', db])\n"
        "main(['meta', '1', '--db', db])\n"
        "for fmt in ('md', 'html', 'json', 'csv', 'bibtex', 'csl-json'):\n"
        "    main(['export', '1', '-f', fmt, '--db', db])\n"
        f"main(['export', '--all', '-f', 'md', '-o', {str(tmp_path / 'out')!r}, '--db', db])\n"
        "print(loaded('textual', 'rich', 'citeproc'), file=sys.stderr)\n"
        "main(['cite', '1', '--db', db])\n"
        "print(loaded('textual', 'rich'), 'citeproc' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "War and Peace" in result.stdout
    assert "Tolstoy, L. (n.d.). War and Peace." in result.stdout
    assert result.stderr == f"wrote 5 files to {tmp_path / 'out'}\n[]\n[] True\n"


def test_a_document_without_a_title_answers_to_its_file_name(tmp_path: Path) -> None:
    with Store.open(tmp_path / "m.db") as store:
        document = store.add_document(
            loaded("", ["Some text."]), path=str(tmp_path / "war_and_peace.txt"), source_hash="w"
        )
        assert resolve_document(store, "war_and").id == document.id


def test_meta_prints_and_sets_fields(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    printed = run(["meta", "anna", "--set", "author=Tolstoy, Leo", "--set", "date=1878"], capsys)
    assert "author       Tolstoy, Leo\n" in printed
    assert "date         1878\n" in printed
    record = json.loads(run(["meta", "anna", "--json"], capsys))
    assert record["title"] == "Anna Karenina"
    assert record["author"] == "Tolstoy, Leo" and record["date"] == "1878"
    with Store.open(library.db) as store:
        assert store.get_document(library.anna.id).metadata.authors == ["Tolstoy, Leo"]


def test_meta_refuses_a_bad_value_and_changes_nothing(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    message = fails(["meta", "anna", "--set", "date=June 3"], capsys)
    assert "a date is YYYY" in message
    with Store.open(library.db) as store:
        assert store.get_document(library.anna.id).metadata.published == ""

"""Tests for `margin export` and `margin cite`: formats, files and folders, citations, --copy.

Everything runs in-process through ``tui.cli.main`` on a small library made
in ``tmp_path`` with the store's own API, as in test_cli_commands.py (whose
helpers this borrows); the export time is fixed so that two exports compare
byte for byte. The check that neither command imports Textual (and that only
``cite`` imports citeproc) is test_the_commands_do_not_import_textual there.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from test_cli_commands import POEMS, WAR, fails, snapshot

from db.export import FORMATS
from db.export.w3c import parse
from db.models import Block, Document, Highlight, LoadedText, Metadata
from db.store import Store
from tui import clipboard
from tui.cli import main

EXPORTED = "2026-11-28T13:57:40Z"
GENOA = "ab120000-0000-4000-8000-000000000001"
HAPPY = "ab340000-0000-4000-8000-000000000002"
POPPIES = "cd560000-0000-4000-8000-000000000003"

APA = "Tolstoy, L. (1869). War and peace. The Russian Messenger."


@dataclass
class Shelf:
    root: Path
    db: Path
    war: Document
    poems: Document
    anna: Document


def book(title: str, paragraphs: list[str], heading: str = "", **metadata: object) -> LoadedText:
    """A parsed text: an optional heading, then one paragraph block per paragraph."""
    parts = [heading, *paragraphs] if heading else paragraphs
    blocks, at = [], 0
    for index, part in enumerate(parts):
        kind = "heading" if heading and index == 0 else "paragraph"
        blocks.append(Block(kind, at, at + len(part)))
        at += len(part) + 2
    return LoadedText(
        text="\n\n".join(parts), blocks=blocks, metadata=Metadata(title=title, **metadata)
    )


def add(store: Store, document: Document, words: str, highlight_id: str, **fields: object) -> None:
    """Highlight the first ``words`` of the document's current text, with this id."""
    text = store.load_document(document).text
    start = text.index(words)
    store.add_highlight(
        Highlight(
            id=highlight_id,
            document_id=document.id,
            start=start,
            end=start + len(words),
            quote=words,
            prefix=text[max(0, start - 32) : start],
            suffix=text[start + len(words) : start + len(words) + 32],
            text_hash=document.text_hash,
            **fields,
        )
    )


@pytest.fixture
def shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shelf:
    """Three documents (War and Peace with a chapter heading), three highlights, MARGIN_DB set."""
    db = tmp_path / "data" / "margin.db"
    monkeypatch.setenv("MARGIN_DB", str(db))
    monkeypatch.setattr("db.exporting.utc_now", lambda: EXPORTED)
    with Store.open(db) as store:
        war = store.add_document(
            book(
                "War and peace",
                WAR,
                heading="BOOK ONE",
                authors=["Tolstoy, Leo"],
                published="1869",
                publisher="The Russian Messenger",
                kind="book",
            ),
            path=str(tmp_path / "war-and-peace.txt"),
            source_hash="1" * 64,
        )
        poems = store.add_document(book("War Poems", POEMS), path=None, source_hash="2")
        anna = store.add_document(
            book("Anna Karenina", ["Everything."]), path=None, source_hash="3"
        )
        add(store, war, "Genoa and Lucca", GENOA, tags=["policy", "places"], note="A note.")
        add(store, war, "All happy families are alike", HAPPY, color=2, tags=["russia"])
        add(store, poems, "poppies", POPPIES)
    return Shelf(tmp_path, db, war, poems, anna)


def succeeds(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """Run margin in-process; assert it succeeded and return its stdout and stderr."""
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 0, err
    return out, err


# --- margin export: one document -------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_one_document_in_every_format_to_stdout_and_to_a_file(
    fmt: str, shelf: Shelf, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["export", "war and", "-f", fmt]) == 0
    printed, err = capsysbinary.readouterr()
    assert err == b""
    target = shelf.root / "out" / f"war.{fmt}"  # its folder does not exist yet: it is made
    assert main(["export", "war and", "--format", fmt, "-o", str(target)]) == 0
    out, err = capsysbinary.readouterr()
    assert (out, err) == (b"", f"wrote {target}\n".encode())
    assert target.read_bytes() == printed  # stdout is exactly the file
    text = printed.decode("utf-8")
    checks = {
        "md": lambda: 'title: "War and peace"' in text and "> Genoa and Lucca" in text,
        "html": lambda: text.startswith("<!DOCTYPE html>") and "Genoa and Lucca" in text,
        "json": lambda: (
            [h.quote for h in parse(text)[0].highlights]
            == ["Genoa and Lucca", "All happy families are alike"]
        ),
        "csv": lambda: (
            [row[0] for row in csv.reader(io.StringIO(text))]
            == ["Highlight", "Genoa and Lucca", "All happy families are alike"]
        ),
        "bibtex": lambda: "@book{" in text and "Tolstoy, Leo" in text,
        "csl-json": lambda: json.loads(text)[0]["title"] == "War and peace",
    }
    assert checks[fmt](), text[:500]


def test_md_is_the_default_for_one_document(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = succeeds(["export", "1"], capsys)
    assert out == succeeds(["export", "1", "-f", "md"], capsys)[0]
    assert succeeds(["export", "1", "-o", "-"], capsys) == (out, "")
    assert out.startswith("---\ntitle: ")
    assert "^hl-ab340000" in out and "BOOK ONE, ¶ 3" in out


def test_one_document_into_a_folder(shelf: Shelf, capsys: pytest.CaptureFixture[str]) -> None:
    """-o naming a folder (one that is there, or any ending in /) gets the file named by title."""
    (shelf.root / "vault").mkdir()
    _, err = succeeds(["export", "1", "-o", str(shelf.root / "vault")], capsys)
    assert err == f"wrote {shelf.root / 'vault' / 'War and peace.md'}\n"
    _, err = succeeds(["export", "1", "-f", "html", "-o", f"{shelf.root / 'new'}/"], capsys)
    assert err == f"wrote {shelf.root / 'new' / 'War and peace.html'}\n"
    assert sorted(p.name for p in shelf.root.glob("*/War and peace.*")) == [
        "War and peace.html",
        "War and peace.md",
    ]


def test_a_terminal_sees_no_control_characters(
    shelf: Shelf, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(shelf.db) as store:
        store.update_highlight(GENOA, note="a\x1b]52;c;Zm9v\x07 note")
    piped, _ = succeeds(["export", "1", "-f", "csv"], capsys)
    assert "a\x1b]52;c;Zm9v\x07 note" in piped  # a file gets the note as it is
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    shown, _ = succeeds(["export", "1", "-f", "csv"], capsys)
    assert "a␛]52;c;Zm9v␇ note" in shown and "\x1b" not in shown


# --- margin export --all ---------------------------------------------------------------------


def test_all_as_markdown_to_a_folder(shelf: Shelf, capsys: pytest.CaptureFixture[str]) -> None:
    folder = shelf.root / "vault" / "margin"
    out, err = succeeds(["export", "--all", "-f", "md", "-o", str(folder)], capsys)
    assert (out, err) == ("", f"wrote 3 files to {folder}\n")
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["Anna Karenina.md", "War Poems.md", "War and peace.md"]
    assert "> poppies" in (folder / "War Poems.md").read_text(encoding="utf-8")
    # Again: the same names, the files replaced, nothing added.
    succeeds(["export", "--all", "-f", "md", "-o", str(folder)], capsys)
    assert sorted(path.name for path in folder.iterdir()) == names


def test_all_to_a_folder_even_for_a_library_of_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "one.db"
    with Store.open(db) as store:
        store.add_document(book("Alone", ["Just this."]), path=None, source_hash="a")
    folder = tmp_path / "notes"
    _, err = succeeds(["export", "--all", "-f", "html", "-o", str(folder), "--db", str(db)], capsys)
    assert err == f"wrote 1 file to {folder}\n"
    assert [path.name for path in folder.iterdir()] == ["Alone.html"]


def test_all_as_json_round_trips(shelf: Shelf, capsys: pytest.CaptureFixture[str]) -> None:
    target = shelf.root / "library.json"
    _, err = succeeds(["export", "--all", "-f", "json", "-o", str(target)], capsys)
    assert err == f"wrote {target}\n"
    parsed = parse(target.read_bytes())
    assert [p.document.id for p in parsed] == [1, 2, 3]  # by id, whatever was opened last
    with Store.open(shelf.db) as store:
        for item in parsed:
            assert item.document == store.get_document(item.document.id)
            assert item.highlights == store.highlights(item.document.id)
    assert [h.id for p in parsed for h in p.highlights] == [GENOA, HAPPY, POPPIES]


def test_all_in_one_file_to_stdout(shelf: Shelf, capsys: pytest.CaptureFixture[str]) -> None:
    """Every document, by id; the highlights of each in text order."""
    out, _ = succeeds(["export", "--all", "-f", "csv"], capsys)
    assert [row[:2] for row in csv.reader(io.StringIO(out))][1:] == [
        ["Genoa and Lucca", "War and peace"],
        ["All happy families are alike", "War and peace"],
        ["poppies", "War Poems"],
    ]
    out, _ = succeeds(["export", "--all", "-f", "csl-json"], capsys)
    assert [record["title"] for record in json.loads(out)] == [
        "War and peace",
        "War Poems",
        "Anna Karenina",
    ]
    out, _ = succeeds(["export", "--all", "-f", "bibtex"], capsys)
    assert out.count("\n@") == 3


def test_progress_on_a_terminal(
    shelf: Shelf, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    folder = shelf.root / "notes"
    _, err = succeeds(["export", "--all", "-f", "md", "-o", str(folder)], capsys)
    bar, _, last = err.rpartition("\r")
    assert bar == "\rexporting 1/3\rexporting 2/3\rexporting 3/3\r" + " " * len("exporting 3/3")
    assert last == f"wrote 3 files to {folder}\n"
    # Not for stdout, nor for one document.
    assert succeeds(["export", "1", "-o", str(shelf.root / "one.md")], capsys)[1].count("\r") == 0
    assert succeeds(["export", "--all", "-f", "json"], capsys)[1] == ""


# --- a missing or empty database -------------------------------------------------------------


def test_a_missing_database_exports_nothing_and_is_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "margin.db"
    monkeypatch.setenv("MARGIN_DB", str(db))
    assert fails(["export", "war"], capsys) == 'no document matches "war"'
    assert fails(["cite", "war"], capsys) == 'no document matches "war"'
    out, err = succeeds(["export", "--all", "-f", "json"], capsys)
    assert (parse(out), err) == ([], "")
    assert succeeds(["export", "--all", "-f", "csv"], capsys)[0] == (
        "Highlight,Title,Author,URL,Note,Location,Date\r\n"
    )
    assert succeeds(["export", "--all", "-f", "csl-json"], capsys)[0] == "[]\n"
    _, err = succeeds(["export", "--all", "-f", "csv", "-o", str(tmp_path / "x.csv")], capsys)
    assert err == f"wrote {tmp_path / 'x.csv'}\n"
    _, err = succeeds(["export", "--all", "-f", "md", "-o", str(tmp_path / "notes")], capsys)
    assert err == f"wrote 0 files to {tmp_path / 'notes'}\n"
    assert not db.parent.exists()


def test_an_empty_database_exports_an_empty_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(tmp_path / "margin.db").close()
    out, _ = succeeds(
        ["export", "--all", "-f", "json", "--db", str(tmp_path / "margin.db")], capsys
    )
    assert parse(out) == [] and json.loads(out)["total"] == 0


# --- export mistakes: one line, status 2, nothing written --------------------------------------


def test_export_mistakes_write_nothing(shelf: Shelf, capsys: pytest.CaptureFixture[str]) -> None:
    (shelf.root / "folder").mkdir()
    (shelf.root / "file.md").write_text("mine\n", encoding="utf-8")
    before = snapshot(shelf.root)
    folder, file = str(shelf.root / "folder"), str(shelf.root / "file.md")
    mistakes = {
        ("export", "1", "-f", "pdf"): "argument -f/--format: invalid choice: 'pdf'",
        ("export", "--all", "-f", "md"): "md holds one document per file: give -o DIR",
        ("export", "--all", "-f", "html"): "html holds one document per file: give -o DIR",
        ("export", "--all"): "--all needs -f FORMAT: md or html (a folder, -o DIR), json,",
        ("export",): "give DOC, or --all for the whole library",
        ("export", "1", "--all", "-f", "json"): "give DOC or --all, not both",
        ("export", "1", "-f", "json", "-o", folder): f"{folder} is a folder; json exports to",
        ("export", "1", "-f", "csv", "-o", f"{file}/"): f"{file}/ is a folder; csv exports to",
        ("export", "--all", "-f", "md", "-o", file): f"{file} is a file; md files go into a",
        ("export", "1", "-o", f"{file}/"): f"{file}/ is a file; md files go into a folder",
        ("export", "nothing", "-f", "json", "-o", f"{folder}/x.json"): "no document matches",
        ("export", "wa", "-o", f"{folder}/x.md"): '"wa" matches 2 documents',
        ("export", "1", "-o", f"{file}/inside/x.md"): f"cannot write {file}/inside/x.md: ",
    }
    for argv, message in mistakes.items():
        assert fails(list(argv), capsys).startswith(message), argv
    assert snapshot(shelf.root) == before


# --- margin cite -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "reference"),
    [
        ("apa", APA),
        ("mla", "Tolstoy, Leo. War and Peace. The Russian Messenger, 1869."),
        ("chicago", "Tolstoy, Leo. 1869. War and Peace. The Russian Messenger."),
        ("chicago-author-date", "Tolstoy, Leo. 1869. War and Peace. The Russian Messenger."),
    ],
)
def test_cite_a_document(
    style: str, reference: str, shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert succeeds(["cite", "war and", "--style", style], capsys) == (reference + "\n", "")


@pytest.mark.parametrize(
    ("style", "in_text"),
    [
        ("apa", "(Tolstoy, 1869, para. 3)"),
        ("mla", "(Tolstoy, par. 3)"),
        ("chicago", "(Tolstoy 1869, para. 3)"),
    ],
)
def test_cite_a_highlight_in_text(
    style: str, in_text: str, shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    """The paragraph counts the document's paragraphs, not its headings: ¶ 3 of BOOK ONE."""
    argv = ["cite", "1", "--highlight", HAPPY, "--style", style, "--form", "in-text"]
    assert succeeds(argv, capsys)[0] == in_text + "\n"


def test_cite_forms(shelf: Shelf, capsys: pytest.CaptureFixture[str]) -> None:
    # A highlight is cited as a quotation unless a form is asked for.
    assert succeeds(["cite", "1", "--highlight", "ab34"], capsys)[0] == (
        f"“All happy families are alike” (Tolstoy, 1869, para. 3)\n\n{APA}\n"
    )
    assert succeeds(["cite", "1", "--highlight", "ab34", "--form", "reference"], capsys)[0] == (
        APA + "\n"
    )
    assert succeeds(["cite", "1", "--form", "in-text"], capsys)[0] == "(Tolstoy, 1869)\n"
    bibtex, _ = succeeds(["cite", "1", "--form", "bibtex"], capsys)
    assert bibtex.startswith("@book{") and bibtex.endswith("}\n")


def test_the_style_setting_is_the_default(shelf: Shelf, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open(shelf.db) as store:
        store.set_setting("citation_style", "mla")
    assert succeeds(["cite", "1"], capsys)[0].startswith("Tolstoy, Leo. War and Peace.")
    assert succeeds(["cite", "1", "--style", "apa"], capsys)[0] == APA + "\n"
    with Store.open(shelf.db) as store:
        store.set_setting("citation_style", "a style of a later margin")
    assert succeeds(["cite", "1"], capsys)[0] == APA + "\n"


@pytest.mark.parametrize(
    "spec", [HAPPY, "ab34", "AB340000-0000", "ab3400000000", "hl-ab340000", "^hl-ab34", " ab34 "]
)
def test_a_highlight_by_the_start_of_its_id(
    spec: str, shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = succeeds(["cite", "1", "--highlight", spec, "--form", "in-text"], capsys)
    assert out == "(Tolstoy, 1869, para. 3)\n"


def test_highlight_mistakes(shelf: Shelf, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(shelf.root)
    assert fails(["cite", "1", "--highlight", "ab"], capsys) == (
        '"ab" starts the ids of 2 highlights of War and peace: '
        "ab120000-0000… “Genoa and Lucca”, ab340000-0000… “All happy families are…”"
    )
    assert fails(["cite", "1", "--highlight", "ff"], capsys) == (
        'no highlight of War and peace has an id starting "ff"'
    )
    # Only the document's own highlights answer.
    assert "no highlight of War and peace" in fails(["cite", "1", "--highlight", "cd56"], capsys)
    assert fails(["cite", "1", "--highlight", " "], capsys) == (
        "--highlight needs an id, or the start of one"
    )
    assert fails(["cite", "1", "--form", "quote"], capsys).startswith(
        "--form quote needs --highlight ID"
    )
    assert "invalid choice: 'vancouver'" in fails(["cite", "1", "--style", "vancouver"], capsys)
    assert "invalid choice: 'footnote'" in fails(["cite", "1", "--form", "footnote"], capsys)
    assert snapshot(shelf.root) == before


def test_an_orphan_or_an_old_text_has_no_locator(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(shelf.db) as store:
        store.update_highlight(GENOA, status="orphan")
        # A new text at the same path: HAPPY now points into the old one, until re-anchored.
        store.add_document(
            book("War and peace", ["A new first paragraph.", *WAR]),
            path=shelf.war.path,
            source_hash="9" * 64,
        )
    for highlight_id in (GENOA, HAPPY):
        argv = ["cite", "1", "--highlight", highlight_id, "--form", "in-text"]
        assert succeeds(argv, capsys)[0] == "(Tolstoy, 1869)\n"


# --- margin cite --copy ----------------------------------------------------------------------


class FakeTty(io.BytesIO):
    """/dev/tty: keeps what was written to it after it is closed."""

    written: ClassVar[list[bytes]] = []

    def close(self) -> None:
        FakeTty.written.append(self.getvalue())
        super().close()


@pytest.fixture
def pyperclip(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    module = types.SimpleNamespace(copied=[], broken=False)

    def copy(text: str) -> None:
        if module.broken:
            raise RuntimeError("Pyperclip could not find a copy/paste mechanism")
        module.copied.append(text)

    module.copy = copy
    monkeypatch.setitem(sys.modules, "pyperclip", module)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    FakeTty.written = []
    monkeypatch.setattr(clipboard, "open_tty", FakeTty)
    return module


def test_copy_to_the_system_clipboard(
    shelf: Shelf, pyperclip: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert succeeds(["cite", "1", "--copy"], capsys) == ("", clipboard.SYSTEM + "\n")
    assert pyperclip.copied == [APA] and FakeTty.written == []


def test_copy_through_the_terminal(
    shelf: Shelf, pyperclip: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    pyperclip.broken = True
    argv = ["cite", "1", "--highlight", "ab34", "--copy"]
    assert succeeds(argv, capsys) == ("", clipboard.TERMINAL + "\n")
    quotation = f"“All happy families are alike” (Tolstoy, 1869, para. 3)\n\n{APA}"
    payload = base64.b64encode(quotation.encode("utf-8")).decode("ascii")
    assert FakeTty.written == [f"\x1b]52;c;{payload}\x07".encode("ascii")]


def test_copy_with_no_clipboard_at_all(
    shelf: Shelf,
    pyperclip: types.SimpleNamespace,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pyperclip.broken = True

    def no_terminal() -> io.BytesIO:
        raise OSError(6, "No such device or address", "/dev/tty")

    monkeypatch.setattr(clipboard, "open_tty", no_terminal)
    assert fails(["cite", "1", "--copy"], capsys).startswith("no clipboard is reachable")

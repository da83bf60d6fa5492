"""Tests for db.store: opening, refusing, migrating, documents, settings and concurrency."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import db.store as store_module
from db.models import Block, LoadedText, Metadata, Span
from db.paths import default_db_path
from db.store import (
    SCHEMA_VERSION,
    NewerSchemaError,
    NotFoundError,
    Store,
    StoreError,
    text_hash,
)

REPO = Path(__file__).resolve().parents[1]


def loaded(*paragraphs: str, title: str = "", fmt: str = "txt") -> LoadedText:
    """A LoadedText of paragraphs separated by blank lines, as a loader would make it."""
    blocks, start = [], 0
    for paragraph in paragraphs:
        blocks.append(Block("paragraph", start, start + len(paragraph)))
        start += len(paragraph) + 2
    return LoadedText("\n\n".join(paragraphs), blocks, metadata=Metadata(title=title), format=fmt)


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "margin.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as opened:
        yield opened


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Timestamps a second apart on each call, so that orderings by time are exact."""
    ticks = iter(range(3600))

    def fake_now() -> str:
        tick = next(ticks)
        return f"2026-11-28T12:{tick // 60:02d}:{tick % 60:02d}Z"

    monkeypatch.setattr(store_module, "utc_now", fake_now)


def make_current_db(path: Path) -> None:
    """A database of the current schema holding one document, a position and a setting."""
    with Store.open(path) as s:
        doc = s.add_document(
            loaded("x" * 50_000, "y" * 50_000, title="Big"), path="/books/big.txt", source_hash="s"
        )
        s.save_position(doc.id, 7)
        s.set_setting("theme", "paper")


# --- opening, migrations, refusals -------------------------------------------------------


def test_open_creates_parent_folders_and_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "margin.db"
    with Store.open(path) as s:
        assert s.path == path
        assert not s.read_only
        assert s.schema_version == SCHEMA_VERSION
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA application_id").fetchone()[0] == store_module.APPLICATION_ID
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"texts", "documents", "settings"} <= tables
        indexes = {r[1] for r in raw.execute("PRAGMA index_list(documents)")}
        assert {"path", "text_hash", "source_hash"} <= {
            raw.execute(f"PRAGMA index_info('{name}')").fetchone()[2] for name in indexes
        }
    finally:
        raw.close()


def test_open_migrates_an_empty_file(db_path: Path) -> None:
    db_path.write_bytes(b"")
    with Store.open(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.documents() == []


def test_open_without_create_refuses_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "margin.db"
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(path, create=False)
    assert not path.parent.exists()


def test_open_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder"):
        Store.open(tmp_path)


@pytest.mark.usefixtures("clock")
def test_reopen_keeps_everything(db_path: Path) -> None:
    with Store.open(db_path) as s:
        doc = s.add_document(
            LoadedText(
                "Title\n\nSome *text*.",
                [Block("heading", 0, 5, 1), Block("paragraph", 7, 19)],
                spans=[Span(12, 18, "em")],
                metadata=Metadata(title="Title", authors=["A. Author"], identifiers={"doi": "x"}),
                format="markdown",
            ),
            path="/notes/a.md",
            source_hash="src",
        )
        s.mark_opened(doc.id)
        s.save_position(doc.id, 9)
        s.set_setting("theme", "paper")
    with Store.open(db_path) as s:
        again = s.get_document(doc.id)
        assert again.position == 9
        assert again.opened is not None
        assert again.format == "markdown"
        assert again.metadata.authors == ["A. Author"]
        assert again.metadata.identifiers == {"doi": "x"}
        assert s.get_setting("theme") == "paper"
        text = s.load_text(doc.text_hash)
        assert text.text == "Title\n\nSome *text*."
        assert text.blocks == [Block("heading", 0, 5, 1), Block("paragraph", 7, 19)]
        assert text.spans == [Span(12, 18, "em")]
        assert s.last_opened() == again


def test_newer_schema_is_refused_and_the_file_left_alone(db_path: Path) -> None:
    make_current_db(db_path)
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA user_version = 7")
    raw.close()
    before = files_in(db_path.parent)
    with pytest.raises(NewerSchemaError) as caught:
        Store.open(db_path)
    message = str(caught.value)
    assert str(db_path) in message
    assert f"newer margin (schema 7; this margin knows {SCHEMA_VERSION})" in message
    assert "Upgrade margin" in message
    assert files_in(db_path.parent) == before


def test_not_a_database_is_refused_with_one_line(db_path: Path) -> None:
    db_path.write_text("These are my notes, not a database.\n" * 200)
    before = files_in(db_path.parent)
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    assert str(db_path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert files_in(db_path.parent) == before


@pytest.mark.parametrize("keep", [100, 4096, 0.5])
def test_truncated_database_is_refused(db_path: Path, keep: float) -> None:
    make_current_db(db_path)
    data = db_path.read_bytes()
    db_path.write_bytes(data[: int(keep * len(data)) if keep < 1 else int(keep)])
    before = files_in(db_path.parent)
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    assert str(db_path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert files_in(db_path.parent) == before


def test_another_programs_sqlite_file_is_refused(db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute("CREATE TABLE bookmarks (url TEXT)")
    raw.commit()
    raw.close()
    before = files_in(db_path.parent)
    with pytest.raises(StoreError, match="not margin's"):
        Store.open(db_path)
    assert files_in(db_path.parent) == before


def test_a_later_migration_is_one_more_function(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_current_db(db_path)

    def add_bookmarks(db: Any) -> None:
        db.table("bookmarks").create(
            {"id": int, "document_id": int, "offset": int},
            pk="id",
            foreign_keys=[("document_id", "documents", "id")],
        )

    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, add_bookmarks))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store.open(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION + 1
        assert s.get_setting("theme") == "paper"
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT count(*) FROM bookmarks").fetchone()[0] == 0
    raw.close()


def test_a_failing_migration_changes_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_current_db(db_path)

    def half_done(db: Any) -> None:
        db.table("bookmarks").create({"name": str}, pk="name")
        raise RuntimeError("boom")

    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, half_done))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="boom"):
        Store.open(db_path)
    monkeypatch.undo()
    with Store.open(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.get_setting("theme") == "paper"
    raw = sqlite3.connect(db_path)
    assert (
        raw.execute("SELECT count(*) FROM sqlite_master WHERE name='bookmarks'").fetchone()[0] == 0
    )
    raw.close()


def test_import_and_normal_open_never_load_sqlite_utils(db_path: Path) -> None:
    make_current_db(db_path)
    code = (
        "import sys, db.store\n"
        "assert 'sqlite_utils' not in sys.modules\n"
        f"s = db.store.Store.open({str(db_path)!r}); s.get_setting('theme'); s.close()\n"
        "assert 'sqlite_utils' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_a_confirmed_change_survives_a_kill(db_path: Path) -> None:
    make_current_db(db_path)
    code = (
        "import os, signal, db.store\n"
        f"s = db.store.Store.open({str(db_path)!r})\n"
        "s.set_setting('theme', 'night')\n"
        "s.save_position(1, 1234)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO)
    assert done.returncode == -9
    with Store.open(db_path) as s:
        assert s.get_setting("theme") == "night"
        assert s.get_document(1).position == 1234


# --- read-only ---------------------------------------------------------------------------


def test_read_only_request_reads_and_refuses_writes(db_path: Path) -> None:
    make_current_db(db_path)
    before = db_path.read_bytes()
    with Store.open(db_path, read_only=True) as s:
        assert s.read_only
        doc = s.find_by_path("/books/big.txt")
        assert doc is not None and doc.position == 7
        assert s.load_text(doc.text_hash).text.startswith("xxx")
        with pytest.raises(StoreError, match="is read-only; changes are not saved"):
            s.save_position(doc.id, 8)
        with pytest.raises(StoreError, match="read-only"):
            s.set_setting("theme", "night")
        with pytest.raises(StoreError, match="read-only"):
            s.add_document(loaded("new"), path="/new.txt", source_hash="n")
    assert db_path.read_bytes() == before


def test_read_only_file_opens_and_reads(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_current_db(db_path)
    folder = db_path.parent
    before = files_in(folder)
    if os.geteuid() == 0:
        # Permissions do not bind root; answer access() as they would for anyone else.
        real_access = os.access
        monkeypatch.setattr(
            os,
            "access",
            lambda p, mode, **kw: not mode & os.W_OK and real_access(p, mode, **kw),
        )
    db_path.chmod(0o444)
    folder.chmod(0o555)
    try:
        with Store.open(db_path) as s:
            assert s.read_only
            assert s.get_setting("theme") == "paper"
            # A moved copy is still found; its new path is not saved.
            moved = s.find_document("/elsewhere/big.txt", "s")
            assert moved is not None and moved.path == "/elsewhere/big.txt"
            assert s.find_by_path("/books/big.txt") is not None
            with pytest.raises(StoreError, match="read-only"):
                s.mark_opened(moved.id)
    finally:
        folder.chmod(0o755)
        db_path.chmod(0o644)
    # No -shm/-wal left behind: SQLite would make them read-only like the file, and
    # they would then refuse writes after the file is made writable again.
    assert files_in(folder) == before
    monkeypatch.undo()
    with Store.open(db_path) as s:
        assert not s.read_only
        s.save_position(1, 8)


def test_read_only_missing_file_is_not_created(db_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(db_path, read_only=True)
    assert not db_path.exists()


# --- documents ---------------------------------------------------------------------------


def test_same_path_and_bytes_find_the_same_document(store: Store) -> None:
    doc = store.add_document(loaded("One.", "Two.", title="T"), path="/a.txt", source_hash="h1")
    assert store.find_document("/a.txt", "h1") == doc
    assert store.find_by_path("/a.txt") == doc
    assert store.find_document("/b.txt", "other") is None
    assert store.find_by_path("/b.txt") is None
    assert doc.text_hash == text_hash("One.\n\nTwo.")
    assert doc.title == "T"
    assert doc.added.endswith("Z") and len(doc.added) == len("2026-11-28T12:00:00Z")


def test_moved_copy_is_found_and_its_path_updated(store: Store) -> None:
    doc = store.add_document(loaded("Moving text."), path="/old/a.txt", source_hash="h1")
    store.save_position(doc.id, 5)
    found = store.find_document("/new/a.txt", "h1")
    assert found is not None
    assert (found.id, found.path, found.position) == (doc.id, "/new/a.txt", 5)
    assert store.find_by_path("/old/a.txt") is None
    assert store.get_document(doc.id).path == "/new/a.txt"


def test_moved_copy_with_other_bytes_but_same_text_reuses_the_document(store: Store) -> None:
    doc = store.add_document(loaded("Same words."), path="/a.txt", source_hash="utf8-bytes")
    again = store.add_document(loaded("Same words."), path="/b.txt", source_hash="latin1-bytes")
    assert again.id == doc.id
    assert (again.path, again.source_hash) == ("/b.txt", "latin1-bytes")
    assert len(store.documents()) == 1


def test_changed_file_at_the_same_path_keeps_the_document(store: Store) -> None:
    first = loaded("Version one, long enough to put a cursor far in.", title="Mine")
    doc = store.add_document(first, path="/a.txt", source_hash="v1")
    store.save_position(doc.id, 40)
    store.update_metadata(doc.id, Metadata(title="My title"))
    assert store.find_document("/a.txt", "v2") is None  # changed bytes: the caller re-parses
    second = loaded("Version two.", title="Parsed title")
    second.metadata.authors = ["New Author"]
    changed = store.add_document(second, path="/a.txt", source_hash="v2")
    assert changed.id == doc.id
    assert changed.text_hash == text_hash("Version two.") != doc.text_hash
    assert changed.source_hash == "v2"
    assert changed.position == len("Version two.")  # clamped into the new text
    assert changed.title == "My title"  # edited metadata wins; blanks are filled
    assert changed.metadata.authors == ["New Author"]
    assert store.load_text(doc.text_hash).text == first.text  # old text kept for re-anchoring
    assert len(store.documents()) == 1


def test_changed_file_matching_another_documents_bytes_keeps_paths_unique(store: Store) -> None:
    a = store.add_document(loaded("Text A."), path="/a.txt", source_hash="ha")
    b = store.add_document(loaded("Text B."), path="/b.txt", source_hash="hb")
    # /a.txt now holds B's bytes: a changed file, not a moved copy.
    assert store.find_document("/a.txt", "hb") is None
    updated = store.add_document(loaded("Text B."), path="/a.txt", source_hash="hb")
    assert updated.id == a.id
    assert store.get_document(b.id).path == "/b.txt"


def test_stdin_documents_are_deduplicated_by_text(store: Store) -> None:
    doc = store.add_document(loaded("Piped in."), path=None, source_hash="p")
    again = store.add_document(loaded("Piped in."), path=None, source_hash="p")
    assert again.id == doc.id and again.path is None
    assert store.find_document(None, "p") == again
    assert store.find_document(None, "unknown") is None
    other = store.add_document(loaded("Something else."), path=None, source_hash="q")
    assert other.id != doc.id


def test_stdin_copy_of_a_known_file_keeps_the_files_path(store: Store) -> None:
    doc = store.add_document(loaded("From a file."), path="/f.txt", source_hash="f")
    piped = store.add_document(loaded("From a file."), path=None, source_hash="f")
    assert piped.id == doc.id
    assert piped.path == "/f.txt"
    assert store.find_document(None, "f") == piped


def test_stdin_document_gets_the_path_of_its_file_later(store: Store) -> None:
    doc = store.add_document(loaded("First piped."), path=None, source_hash="p")
    saved = store.add_document(loaded("First piped."), path="/saved.txt", source_hash="p")
    assert saved.id == doc.id and saved.path == "/saved.txt"


@pytest.mark.usefixtures("clock")
def test_documents_are_listed_most_recently_opened_first(store: Store) -> None:
    assert store.last_opened() is None
    a = store.add_document(loaded("A"), path="/a", source_hash="a")
    b = store.add_document(loaded("B"), path="/b", source_hash="b")
    c = store.add_document(loaded("C"), path="/c", source_hash="c")
    d = store.add_document(loaded("D"), path="/d", source_hash="d")
    assert store.last_opened() is None
    for doc in (c, a, b):
        store.mark_opened(doc.id)
    assert [x.id for x in store.documents()] == [b.id, a.id, c.id, d.id]
    last = store.last_opened()
    assert last is not None and last.id == b.id
    store.mark_opened(c.id)
    assert [x.id for x in store.documents()] == [c.id, b.id, a.id, d.id]


def test_position_is_saved_and_restored(store: Store) -> None:
    doc = store.add_document(loaded("Some text to read."), path="/r.txt", source_hash="r")
    assert doc.position == 0
    store.save_position(doc.id, 11)
    assert store.get_document(doc.id).position == 11
    with pytest.raises(ValueError):
        store.save_position(doc.id, -1)
    with pytest.raises(NotFoundError):
        store.save_position(9999, 3)


def test_unknown_ids_and_hashes_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_document(42)
    with pytest.raises(NotFoundError):
        store.mark_opened(42)
    with pytest.raises(NotFoundError):
        store.load_text("0" * 64)


def test_update_metadata_changes_the_title(store: Store) -> None:
    doc = store.add_document(loaded("x"), path="/m.txt", source_hash="m")
    store.update_metadata(doc.id, Metadata(title="Better", authors=["Me"], published="2020"))
    again = store.get_document(doc.id)
    assert again.title == "Better"
    assert again.metadata == Metadata(title="Better", authors=["Me"], published="2020")


def test_load_document_fills_format_and_metadata(store: Store) -> None:
    doc = store.add_document(
        loaded("# x", title="X", fmt="markdown"), path="/x.md", source_hash="x"
    )
    text = store.load_document(doc)
    assert (text.format, text.metadata.title, text.text) == ("markdown", "X", "# x")


def test_a_book_sized_text_round_trips(store: Store) -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 50 for i in range(12_000)]
    book = loaded(*paragraphs)
    book.spans = [Span(b.start, b.start + 9, "em") for b in book.blocks[::3]]
    doc = store.add_document(book, path="/book.txt", source_hash="book")
    back = store.load_text(doc.text_hash)
    assert back.text == book.text
    assert back.blocks == book.blocks
    assert back.spans == book.spans


# --- settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["paper", 3, 2.5, True, None, ["a", "b"], {"width": 72, "keys": {"h": "highlight"}}, "ünï ✓"],
)
def test_settings_round_trip_json_values(db_path: Path, value: Any) -> None:
    with Store.open(db_path) as s:
        s.set_setting("key", "first")
        s.set_setting("key", value)
    with Store.open(db_path) as s:
        assert s.get_setting("key", default="unused") == value


def test_missing_setting_gives_the_default(store: Store) -> None:
    assert store.get_setting("nothing") is None
    assert store.get_setting("nothing", default={"a": 1}) == {"a": 1}


# --- concurrency -------------------------------------------------------------------------

ROUNDS = 250


def _write_many(path: str, name: str, start: Any) -> None:
    start.wait()
    with Store.open(path) as s:
        shared = s.add_document(loaded("Shared text."), path="/shared.txt", source_hash="shared")
        for i in range(ROUNDS):
            doc = s.add_document(
                loaded(f"{name} document {i}"), path=f"/{name}/{i}.txt", source_hash=f"{name}{i}"
            )
            s.save_position(doc.id, i)
            s.save_position(shared.id, i)
            s.set_setting(f"{name}.{i}", {"i": i})
            s.set_setting("last", name)


def test_two_processes_write_the_same_database(tmp_path: Path) -> None:
    path = str(tmp_path / "shared" / "margin.db")
    context = multiprocessing.get_context("spawn")
    # Both create, migrate and write the same new file at once.
    start = context.Barrier(2)
    workers = [context.Process(target=_write_many, args=(path, n, start)) for n in ("p", "q")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    with Store.open(path) as s:
        docs = s.documents()
        assert len(docs) == 2 * ROUNDS + 1
        for name in ("p", "q"):
            for i in range(ROUNDS):
                doc = s.find_by_path(f"/{name}/{i}.txt")
                assert doc is not None and doc.position == i
                assert s.get_setting(f"{name}.{i}") == {"i": i}
        assert s.get_setting("last") in ("p", "q")


def test_a_worker_thread_saves_positions_while_the_ui_writes(store: Store) -> None:
    doc = store.add_document(loaded("Threads."), path="/t.txt", source_hash="t")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for i in range(300):
                store.save_position(doc.id, i)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    for i in range(300):
        store.set_setting(f"k{i}", i)
    thread.join()
    assert errors == []
    assert store.get_document(doc.id).position == 299
    assert store.get_setting("k299") == 299


# --- paths -------------------------------------------------------------------------------


def test_default_db_path_follows_margin_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MARGIN_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"
    monkeypatch.delenv("MARGIN_DB")
    path = default_db_path()
    assert path.name == "margin.db"
    assert "margin" in path.parent.name


def test_a_closed_store_says_so(db_path: Path) -> None:
    s = Store.open(db_path)
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.save_position(1, 2)
    with pytest.raises(StoreError, match="closed"):
        s.get_setting("theme")


def test_every_block_kind_and_span_round_trips(tmp_path: Path) -> None:
    from db.models import BLOCK_KINDS

    text = "\n\n".join(f"block {kind}" for kind in BLOCK_KINDS)
    blocks, position = [], 0
    for level, kind in enumerate(BLOCK_KINDS):
        length = len(f"block {kind}")
        blocks.append(Block(kind, position, position + length, level))
        position += length + 2
    spans = [Span(0, 5, "em"), Span(7, 12, "link")]
    with Store.open(tmp_path / "m.db") as store:
        document = store.add_document(
            LoadedText(text=text, blocks=blocks, spans=spans), path=None, source_hash="x"
        )
        loaded = store.load_text(document.text_hash)
    assert loaded.blocks == blocks
    assert loaded.spans == spans


def test_page_marks_and_table_of_contents_round_trip(store: Store) -> None:
    from db.models import PageMark, TocEntry

    text = "Preface\n\nChapter one\n\nIt begins."
    blocks = [Block("heading", 0, 7, 1), Block("heading", 9, 20, 1), Block("paragraph", 22, 32)]
    pages = [PageMark(0, "xi"), PageMark(9, "1"), PageMark(27, "2")]
    toc = [TocEntry("Preface", 0, 1), TocEntry("One", 9, 1), TocEntry("Its start", 22, 2)]
    loaded = LoadedText(text=text, blocks=blocks, pages=pages, toc=toc)
    document = store.add_document(loaded, path=None, source_hash="x")
    stored = store.load_document(document)
    assert stored.pages == pages
    assert stored.toc == toc


def test_a_schema_2_database_gains_marks_and_keeps_its_texts(db_path: Path) -> None:
    with Store.open(db_path) as s:
        document = s.add_document(
            LoadedText(text="Kept.", blocks=[Block("paragraph", 0, 5)]), path=None, source_hash="x"
        )
    raw = sqlite3.connect(db_path)
    # As a margin of schema 2 left it: no marks column.
    raw.execute("ALTER TABLE texts DROP COLUMN length")
    raw.execute("ALTER TABLE texts DROP COLUMN marks")
    raw.execute("PRAGMA user_version = 2")
    raw.commit()
    raw.close()
    with Store.open(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION
        loaded = s.load_document(s.get_document(document.id))
        entry = s.library()[0]
    assert (loaded.text, loaded.pages, loaded.toc) == ("Kept.", [], [])
    assert entry.length == 5  # filled in by the migration


def test_the_library_lists_documents_with_their_counts_and_progress(store: Store) -> None:
    from db.models import Highlight

    text = "One sentence here.\n\nAnother one there."
    loaded = LoadedText(text=text, blocks=[Block("paragraph", 0, 18), Block("paragraph", 20, 38)])
    first = store.add_document(loaded, path="/a.txt", source_hash="a")
    second = store.add_document(
        LoadedText(text="Short.", blocks=[Block("paragraph", 0, 6)]), path="/b.txt", source_hash="b"
    )
    store.save_position(first.id, 37)
    for start, end, note in ((0, 3, "a note"), (4, 12, ""), (20, 27, "  ")):
        store.add_highlight(
            Highlight("", first.id, start, end, text[start:end], "", "", first.text_hash, note=note)
        )
    entries = {entry.document.id: entry for entry in store.library()}
    assert (entries[first.id].highlights, entries[first.id].notes) == (3, 1)
    assert (entries[second.id].highlights, entries[second.id].notes) == (0, 0)
    assert entries[first.id].length == len(text)
    assert entries[first.id].progress == 1.0
    assert entries[second.id].progress == 0.0


def test_deleting_a_document_takes_its_highlights_tags_and_unshared_text(store: Store) -> None:
    from db.models import Highlight
    from db.store import NotFoundError

    loaded = LoadedText(text="Kept words.", blocks=[Block("paragraph", 0, 11)])
    doc = store.add_document(loaded, path="/a.txt", source_hash="a")
    other = store.add_document(
        LoadedText(text="Other.", blocks=[Block("paragraph", 0, 6)]), path="/b.txt", source_hash="b"
    )
    made = store.add_highlight(Highlight("", doc.id, 0, 4, "Kept", "", "", doc.text_hash))
    store.set_tags(made.id, ["gone"])
    assert store.delete_document(doc.id) == 1
    assert [d.id for d in store.documents()] == [other.id]
    assert store.tag_counts() == []
    with pytest.raises(NotFoundError):
        store.load_text(doc.text_hash)
    with pytest.raises(NotFoundError):
        store.delete_document(doc.id)


def test_many_highlights_are_added_at_once_and_known_ids_skipped(store: Store) -> None:
    from db.models import Highlight

    doc = store.add_document(
        LoadedText(text="Some words.", blocks=[Block("paragraph", 0, 11)]),
        path=None,
        source_hash="s",
    )
    made = [
        Highlight(f"id-{n}", doc.id, 0, 4, "Some", "", "", doc.text_hash, tags=["t"])
        for n in range(3)
    ]
    assert store.add_highlights(made) == 3
    assert store.add_highlights([*made, replace(made[0], id="id-9")]) == 1
    assert store.known_highlights(["id-0", "id-9", "nope"]) == {"id-0", "id-9"}
    assert store.tag_counts() == [("t", 4)]
    with pytest.raises(ValueError, match="colour"):
        store.add_highlights([replace(made[0], id="bad", color=7)])
    assert len(store.highlights(doc.id)) == 4


def test_an_upgrade_first_copies_the_old_database_next_to_it(db_path: Path) -> None:
    with Store.open(db_path) as s:
        s.set_setting("theme", "paper")
    raw = sqlite3.connect(db_path)
    raw.execute("ALTER TABLE texts DROP COLUMN length")
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    before = db_path.read_bytes()
    with Store.open(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION
        backup = s.backup_path
    assert backup == db_path.with_name("margin.db.schema3.bak")
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 3
    assert copy.execute("SELECT value FROM settings WHERE key = 'theme'").fetchone() == ('"paper"',)
    copy.close()
    assert len(before) > 0
    # Opening the upgraded database again copies nothing.
    with Store.open(db_path) as s:
        assert s.backup_path is None


def test_no_upgrade_without_a_backup(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(db_path) as s:
        s.set_setting("theme", "paper")
    raw = sqlite3.connect(db_path)
    raw.execute("ALTER TABLE texts DROP COLUMN length")
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()

    connect = sqlite3.connect

    def full_disk(target: object, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(target).endswith(".bak"):
            raise sqlite3.OperationalError("database or disk is full")
        return connect(target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", full_disk)
    with pytest.raises(StoreError, match="no backup copy could be written") as info:
        Store.open(db_path)
    assert "\n" not in str(info.value)
    monkeypatch.undo()
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 3
    raw.close()
    assert not db_path.with_name("margin.db.schema3.bak").exists()

"""margin doctor: what it finds in a library, and the only repairs --fix makes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db.doctor import examine
from db.library import open_source
from db.models import Highlight
from db.store import Store


def _library(store: Store, tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "book.txt"
    path.write_text("A book.\n\nIt has words in it.", encoding="utf-8")
    document, _ = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    store.add_highlight(
        Highlight("", document.id, 0, 7, "A book.", "", "", document.text_hash, tags=["x"])
    )
    return path, document.id


def messages(store: Store, *, fix: bool = False) -> list[tuple[str, str, str]]:
    return [(f.level, f.message, f.fixed) for f in examine(store, fix=fix).findings]


def test_a_healthy_library_has_nothing_to_say(store: Store, tmp_path: Path) -> None:
    _library(store, tmp_path)
    report = examine(store)
    assert report.healthy and report.findings == []


def test_a_search_index_out_of_step_is_rebuilt(store: Store, tmp_path: Path) -> None:
    _library(store, tmp_path)
    with store._transaction() as conn:
        conn.execute("DELETE FROM highlights_fts")
        conn.execute("INSERT INTO highlights_fts (rowid, quote) VALUES (99, 'ghost')")
    assert messages(store) == [
        (
            "warning",
            "the search index is out of step: 1 highlight missing or stale in it, 1 entry for none",
            "",
        )
    ]
    assert messages(store, fix=True)[0][2] == "rebuilt the search index"
    assert messages(store) == []
    with store._reading() as conn:
        assert conn.execute(
            "SELECT rowid FROM highlights_fts WHERE highlights_fts MATCH 'book'"
        ).fetchall()


def test_gone_and_changed_files_orphans_and_duplicates_are_told(
    store: Store, tmp_path: Path
) -> None:
    path, doc_id = _library(store, tmp_path)
    (highlight,) = store.highlights(doc_id)
    store.update_highlight(highlight.id, status="orphan", score=0.0)
    path.write_text("A book, changed.", encoding="utf-8")
    found = messages(store)
    assert ("warning", f"document {doc_id} (book.txt): 1 highlight lost their place; "
            "re-attach them in the reader (tab to the notes pane)", "") in found  # fmt: skip
    assert any("its file changed since it was read" in m for _, m, _ in found)
    path.unlink()
    assert any(f"its file {path} has gone" in m for _, m, _ in messages(store))
    with store._transaction() as conn:
        conn.execute(
            "INSERT INTO documents (text_hash, source_hash, format, path, title, metadata, added)"
            " SELECT text_hash, 'other', format, '/elsewhere.txt', title, metadata, added"
            " FROM documents WHERE id = ?",
            (doc_id,),
        )
    assert any(m.startswith(f"documents {doc_id}, ") for _, m, _ in messages(store))


def test_fix_drops_only_what_nothing_uses(store: Store, tmp_path: Path) -> None:
    _, doc_id = _library(store, tmp_path)
    with store._transaction() as conn:
        conn.execute(
            "INSERT INTO texts (hash, text, blocks, spans, created) VALUES ('old', 'x', ?, ?, '')",
            ('["",[],[],[]]', "[[],[],[]]"),
        )
        conn.execute("INSERT INTO tags (name, key) VALUES ('lonely', 'lonely')")
    store.set_setting("import_order:999", {"a": 1})
    store.set_setting(f"import_order:{doc_id}", {"b": 2})
    found = messages(store, fix=True)
    assert [(m, fixed) for _, m, fixed in found] == [
        ("1 stored text no longer used", "deleted 1 unused text"),
        ("1 tag on no highlight", "deleted them"),
        ("1 setting of deleted documents", "deleted them"),
    ]
    assert messages(store) == []
    assert store.get_setting(f"import_order:{doc_id}") == {"b": 2}
    assert len(store.highlights(doc_id)) == 1
    assert store.tag_counts() == [("x", 1)]


def test_a_damaged_database_is_told_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "margin.db"
    with Store.open(db) as store:
        _library(store, tmp_path)
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (root,) = raw.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'idx_documents_path'"
    ).fetchone()
    (page_size,) = raw.execute("PRAGMA page_size").fetchone()
    raw.close()
    # Change the path inside the index's page: the table and its index now disagree.
    data = bytearray(db.read_bytes())
    page = (root - 1) * page_size
    at = data.find(str(tmp_path / "book.txt").encode(), page, page + page_size)
    assert at > 0
    data[at + len(str(tmp_path))] ^= 1
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    with Store.open(db) as store:
        report = examine(store, fix=True)
    assert not report.healthy
    assert report.findings[-1].message.startswith("the database is damaged")
    assert all(not f.fixed for f in report.findings)
    assert db.read_bytes() == before


def test_margin_doctor_reports_and_fixes(tmp_path: Path, capsys) -> None:
    from tui.cli import main

    db = tmp_path / "margin.db"
    assert main(["doctor", "--db", str(db)]) == 2
    assert "no such database" in capsys.readouterr().err
    assert not db.exists()
    with Store.open(db) as store:
        _library(store, tmp_path)
        with store._transaction() as conn:
            conn.execute("DELETE FROM highlights_fts")
    assert main(["doctor", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "warning: the search index is out of step: 1 highlight missing or stale in it, "
        "0 entries for none",
        "margin doctor --fix repairs the search index and drops what nothing uses.",
    ]
    assert main(["doctor", "--db", str(db), "--fix"]) == 0
    assert capsys.readouterr().out.endswith("— rebuilt the search index\n")
    assert main(["doctor", "--db", str(db)]) == 0
    assert capsys.readouterr().out == f"{db}: no problems found.\n"


def test_an_upgrade_says_where_the_old_file_is(tmp_path: Path, capsys) -> None:
    from tui.cli import main

    db = tmp_path / "margin.db"
    with Store.open(db) as store:
        _library(store, tmp_path)
    raw = sqlite3.connect(db)
    raw.execute("ALTER TABLE texts DROP COLUMN length")
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    assert main(["tags", "--db", str(db)]) == 0
    err = capsys.readouterr().err
    backup = tmp_path / "margin.db.schema3.bak"
    assert err == f"margin: upgraded {db} for this margin; the old file is kept at {backup}\n"
    assert backup.exists()

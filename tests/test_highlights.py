"""Tests for highlights and tags in the store (schema 2), its search index, and db.tags."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import db.store as store_module
from db.models import ANCHOR_STATUSES, Block, Document, Highlight, LoadedText
from db.store import SCHEMA_VERSION, NotFoundError, Store, StoreError, text_hash
from db.tags import format_tags, is_valid_tag, normalise_tag, parse_tags, tag_key

TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief."
)


def loaded(text: str) -> LoadedText:
    return LoadedText(text, [Block("paragraph", 0, len(text))])


def make(doc: Document, start: int, end: int, **fields: Any) -> Highlight:
    """A new highlight of doc's text [start, end), as the reader would make it."""
    text = TEXT
    return Highlight(
        id=fields.pop("id", ""),
        document_id=doc.id,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - 32) : start],
        suffix=text[end : end + 32],
        text_hash=doc.text_hash,
        **fields,
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "margin.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as opened:
        yield opened


@pytest.fixture
def doc(store: Store) -> Document:
    return store.add_document(loaded(TEXT), path="/tale.txt", source_hash="tale")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Timestamps a second apart on each call, so that every change of `updated` shows."""
    ticks = iter(range(3600))

    def fake_now() -> str:
        tick = next(ticks)
        return f"2026-11-28T12:{tick // 60:02d}:{tick % 60:02d}Z"

    monkeypatch.setattr(store_module, "utc_now", fake_now)


def raw(path: Path) -> sqlite3.Connection:
    """A second, plain connection to the file: another program (or margin process) looking in."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA recursive_triggers = ON")
    return conn


def search_index(path: Path) -> dict[str, tuple[str, str, str]]:
    """The search index as stored: highlight id -> (quote, note, tags)."""
    conn = raw(path)
    try:
        rows = conn.execute(
            "SELECT h.id, f.quote, f.note, f.tags FROM highlights_fts f"
            " LEFT JOIN highlights h ON h.rowid = f.rowid"
        ).fetchall()
    finally:
        conn.close()
    return {hid: (quote, note, tags) for hid, quote, note, tags in rows}


def expected_index(store: Store, *docs: Document) -> dict[str, tuple[str, str, str]]:
    return {h.id: (h.quote, h.note, " ".join(h.tags)) for d in docs for h in store.highlights(d.id)}


def matches(path: Path, query: str) -> set[str]:
    conn = raw(path)
    try:
        rows = conn.execute(
            "SELECT h.id FROM highlights_fts JOIN highlights h ON h.rowid = highlights_fts.rowid"
            " WHERE highlights_fts MATCH ?",
            (query,),
        ).fetchall()
    finally:
        conn.close()
    return {row[0] for row in rows}


def tag_rows(path: Path) -> list[str]:
    conn = raw(path)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM tags ORDER BY id")]
    finally:
        conn.close()


# --- schema ------------------------------------------------------------------------------


def test_schema_2_has_highlights_tags_and_a_search_index(store: Store, db_path: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION >= 2
    conn = raw(db_path)
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(highlights)")}
        assert {
            "id", "document_id", "start", "end", "quote", "prefix", "suffix", "text_hash",
            "color", "note", "status", "score", "created", "updated",
        } <= columns  # fmt: skip
        fks = {
            (row[2], row[3], row[6])
            for table in ("highlights", "highlight_tags")
            for row in conn.execute(f"PRAGMA foreign_key_list({table})")
        }
        assert fks == {
            ("documents", "document_id", "CASCADE"),
            ("highlights", "highlight_id", "CASCADE"),
            ("tags", "tag_id", "CASCADE"),
        }
        plan = " ".join(
            str(row[3])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM highlights"
                ' WHERE document_id = 1 ORDER BY start, "end"'
            )
        )
        assert "USING INDEX highlights_document_start" in plan
        assert "TEMP B-TREE" not in plan
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'highlights_fts'").fetchone()
        assert "fts5" in sql[0].lower()
        # name is unique regardless of ASCII case, as COLLATE NOCASE compares it
        conn.execute("INSERT INTO tags (name, key) VALUES ('Topic', 'topic')")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO tags (name, key) VALUES ('TOPIC', 'other')")
    finally:
        conn.close()


def test_fts5_is_available() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
    conn.close()


def test_a_version_1_database_migrates_and_keeps_its_documents(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(db_path) as current:
        doc = current.add_document(loaded(TEXT), path="/tale.txt", source_hash="tale")
        current.save_position(doc.id, 12)
        current.set_setting("theme", "paper")
    # Back to schema 1 as it was written: what later migrations added goes.
    conn = raw(db_path)
    with conn:
        conn.execute("ALTER TABLE texts DROP COLUMN length")
        conn.execute("ALTER TABLE texts DROP COLUMN marks")
        for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            conn.execute(f"DROP TRIGGER {trigger}")
        for table in ("highlights_fts", "highlight_tags", "tags", "highlights"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Store.open(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION
        kept = s.get_document(doc.id)
        assert (kept.path, kept.text_hash, kept.position) == ("/tale.txt", doc.text_hash, 12)
        assert s.load_document(kept).text == TEXT
        assert s.get_setting("theme") == "paper"
        assert s.highlights(doc.id) == []
        added = s.add_highlight(make(kept, 11, 25, tags=["dickens"]))
        assert s.highlights(doc.id) == [added]
    assert search_index(db_path) == {added.id: ("best of times,", "", "dickens")}


# --- adding and reading ------------------------------------------------------------------


@pytest.mark.usefixtures("clock")
def test_add_makes_an_id_and_times_and_links_tags(store: Store, doc: Document) -> None:
    added = store.add_highlight(make(doc, 11, 25, note="A note.", tags=["#Topic/Asylum", "ñandú"]))
    assert uuid.UUID(added.id).version == 4
    assert added.created == added.updated
    assert re.fullmatch(r"2026-11-28T12:\d\d:\d\dZ", added.created)
    assert added.tags == ["Topic/Asylum", "ñandú"]
    assert (added.start, added.end, added.quote) == (11, 25, "best of times,")
    assert (added.color, added.status, added.score) == (1, "exact", 1.0)
    assert store.get_highlight(added.id) == added
    assert store.highlights(doc.id) == [added]


def test_add_keeps_a_given_id_and_times(store: Store, doc: Document) -> None:
    given_one = make(
        doc, 0, 5, id="kindle-1", created="2020-01-02T03:04:05Z", updated="2021-01-01T00:00:00Z"
    )
    added = store.add_highlight(given_one)
    assert added == given_one
    only_created = store.add_highlight(make(doc, 6, 9, created="2020-01-02T03:04:05Z"))
    assert only_created.updated == "2020-01-02T03:04:05Z"


def test_add_does_not_change_the_callers_highlight(store: Store, doc: Document) -> None:
    mine = make(doc, 0, 5, tags=["#a"])
    store.add_highlight(mine)
    assert (mine.id, mine.created, mine.tags) == ("", "", ["#a"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"color": 0}, "colour"),
        ({"color": 6}, "colour"),
        ({"color": True}, "color"),
        ({"color": "2"}, "color"),
        ({"start": -1}, "start"),
        ({"start": 30, "end": 20}, "start"),
        ({"start": 1.5}, "start"),
        ({"status": "lost"}, "status"),
        ({"score": 1.5}, "score"),
        ({"score": float("nan")}, "score"),
        ({"note": None}, "note"),
        ({"tags": ["fine", "not fine"]}, "not a tag"),
        ({"tags": ["a.b"]}, "not a tag"),
        ({"tags": ["#"]}, "empty"),
        ({"tags": "a b"}, "list"),
    ],
)
def test_add_refuses_bad_fields_and_stores_nothing(
    store: Store, doc: Document, db_path: Path, fields: dict[str, Any], message: str
) -> None:
    highlight = replace(make(doc, 0, 5), **fields)
    with pytest.raises(ValueError, match=message):
        store.add_highlight(highlight)
    assert store.highlights(doc.id) == []
    assert tag_rows(db_path) == []


def test_add_refuses_an_unknown_document_and_a_taken_id(store: Store, doc: Document) -> None:
    with pytest.raises(NotFoundError, match="no document 99"):
        store.add_highlight(replace(make(doc, 0, 5), document_id=99))
    first = store.add_highlight(make(doc, 0, 5))
    with pytest.raises(ValueError, match="already holds"):
        store.add_highlight(make(doc, 6, 9, id=first.id))
    assert store.highlights(doc.id) == [first]


def test_every_status_and_an_empty_range_are_accepted(store: Store, doc: Document) -> None:
    for status in ANCHOR_STATUSES:
        store.add_highlight(make(doc, 4, 4, status=status, score=0.5))
    assert sorted(h.status for h in store.highlights(doc.id)) == sorted(ANCHOR_STATUSES)


def test_highlights_come_in_text_order_with_orphans_and_only_the_documents(
    store: Store, doc: Document
) -> None:
    other = store.add_document(loaded("Another text."), path="/other.txt", source_hash="o")
    late = store.add_highlight(make(doc, 50, 60))
    orphan = store.add_highlight(make(doc, 20, 30, status="orphan", score=0.0))
    early_long = store.add_highlight(make(doc, 0, 40))
    early_short = store.add_highlight(make(doc, 0, 10))
    same_again = store.add_highlight(make(doc, 0, 10))
    store.add_highlight(replace(make(doc, 0, 5), document_id=other.id))
    assert [h.id for h in store.highlights(doc.id)] == [
        early_short.id,
        same_again.id,  # ties: in the order they were made
        early_long.id,
        orphan.id,
        late.id,
    ]
    assert store.highlights(12345) == []


def test_get_an_unknown_highlight_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no highlight nope"):
        store.get_highlight("nope")


# --- changing ----------------------------------------------------------------------------


@pytest.mark.usefixtures("clock")
def test_update_changes_fields_and_bumps_updated(store: Store, doc: Document) -> None:
    added = store.add_highlight(make(doc, 11, 25, tags=["x"]))
    noted = store.update_highlight(added.id, note="Dickens, of course.", color=3)
    assert (noted.note, noted.color) == ("Dickens, of course.", 3)
    assert noted.created == added.created
    assert noted.updated > added.updated
    assert noted.tags == ["x"]
    moved = store.update_highlight(
        added.id,
        start=12,
        end=20,
        quote="est of t",
        prefix="It was the b",
        suffix="imes",
        text_hash="f" * 64,
        status="fuzzy",
        score=1,
    )
    assert (moved.start, moved.end, moved.status, moved.score) == (12, 20, "fuzzy", 1.0)
    assert isinstance(moved.score, float)
    assert moved.updated > noted.updated
    assert store.get_highlight(added.id) == moved


@pytest.mark.usefixtures("clock")
def test_update_with_nothing_changes_nothing(store: Store, doc: Document) -> None:
    added = store.add_highlight(make(doc, 0, 5))
    assert store.update_highlight(added.id) == added


def test_update_refuses_bad_changes_and_keeps_the_highlight(store: Store, doc: Document) -> None:
    added = store.add_highlight(make(doc, 10, 20))
    with pytest.raises(TypeError, match="set_tags"):
        store.update_highlight(added.id, tags=["a"])
    with pytest.raises(TypeError, match="id"):
        store.update_highlight(added.id, id="other")
    with pytest.raises(ValueError, match="start"):
        store.update_highlight(added.id, start=25)  # past its end
    with pytest.raises(ValueError, match="colour"):
        store.update_highlight(added.id, note="kept?", color=9)
    with pytest.raises(NotFoundError):
        store.update_highlight("nope", note="x")
    assert store.get_highlight(added.id) == added


@pytest.mark.usefixtures("clock")
def test_set_tags_replaces_them_in_order_once_each(store: Store, doc: Document) -> None:
    added = store.add_highlight(make(doc, 0, 5, tags=["old"]))
    tagged = store.set_tags(added.id, ["#zeta", "alpha", "ZETA", "Straße", "STRASSE", "日本"])
    assert tagged.tags == ["zeta", "alpha", "Straße", "日本"]
    assert tagged.updated > added.updated
    assert store.get_highlight(added.id) == tagged
    assert store.set_tags(added.id, []).tags == []


def test_a_tag_keeps_its_first_spelling_across_highlights(
    store: Store, doc: Document, db_path: Path
) -> None:
    first = store.add_highlight(make(doc, 0, 5, tags=["Ñandú"]))
    second = store.add_highlight(make(doc, 6, 9, tags=["ñandú"]))
    assert second.tags == ["Ñandú"]
    assert store.tag_counts() == [("Ñandú", 2)]
    # Once no highlight has it, it goes; typed again, it is spelled anew.
    store.set_tags(first.id, [])
    store.delete_highlight(second.id)
    assert tag_rows(db_path) == []
    assert store.add_highlight(make(doc, 0, 5, tags=["ñandú"])).tags == ["ñandú"]


def test_set_tags_refuses_a_bad_tag_and_keeps_the_old_ones(store: Store, doc: Document) -> None:
    added = store.add_highlight(make(doc, 0, 5, tags=["kept"]))
    with pytest.raises(ValueError, match="not a tag"):
        store.set_tags(added.id, ["fine", "semi;colon"])
    assert store.get_highlight(added.id).tags == ["kept"]
    with pytest.raises(NotFoundError):
        store.set_tags("nope", ["a"])


def test_unused_tags_are_pruned(store: Store, doc: Document, db_path: Path) -> None:
    a = store.add_highlight(make(doc, 0, 5, tags=["shared", "only-a"]))
    store.add_highlight(make(doc, 6, 9, tags=["shared"]))
    store.set_tags(a.id, ["shared", "new"])
    assert sorted(tag_rows(db_path)) == ["new", "shared"]
    store.delete_highlight(a.id)
    assert tag_rows(db_path) == ["shared"]


def test_tag_counts_by_name_case_insensitively(store: Store, doc: Document) -> None:
    assert store.tag_counts() == []
    store.add_highlight(make(doc, 0, 5, tags=["beta", "Alpha", "topic/asylum"]))
    store.add_highlight(make(doc, 6, 9, tags=["alpha", "gamma"]))
    store.add_highlight(make(doc, 10, 12, tags=["Beta"]))
    store.add_highlight(make(doc, 13, 15))
    assert store.tag_counts() == [("Alpha", 2), ("beta", 2), ("gamma", 1), ("topic/asylum", 1)]


@pytest.mark.usefixtures("clock")
def test_delete_returns_the_highlight_and_restore_puts_it_back(store: Store, doc: Document) -> None:
    added = store.add_highlight(make(doc, 11, 25, note="n", color=4, tags=["b", "a"]))
    noted = store.update_highlight(added.id, note="changed")
    deleted = store.delete_highlight(added.id)
    assert deleted == noted
    assert store.highlights(doc.id) == []
    assert store.tag_counts() == []
    with pytest.raises(NotFoundError):
        store.get_highlight(added.id)
    with pytest.raises(NotFoundError):
        store.delete_highlight(added.id)
    restored = store.restore_highlight(deleted)
    assert restored == deleted  # same id, times, note, colour, tags in their order
    assert store.highlights(doc.id) == [deleted]
    assert store.tag_counts() == [("a", 1), ("b", 1)]
    with pytest.raises(ValueError, match="already holds"):
        store.restore_highlight(deleted)
    with pytest.raises(ValueError, match="id"):
        store.restore_highlight(replace(deleted, id=""))


def test_highlights_go_with_their_document(store: Store, doc: Document, db_path: Path) -> None:
    store.add_highlight(make(doc, 0, 5, tags=["gone"]))
    other = store.add_document(loaded("Other."), path="/o.txt", source_hash="o")
    kept = store.add_highlight(replace(make(doc, 0, 5, tags=["kept"]), document_id=other.id))
    conn = raw(db_path)
    conn.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
    conn.close()
    assert store.highlights(doc.id) == []
    assert store.tag_counts() == [("kept", 1)]
    assert set(search_index(db_path)) == {kept.id}


def test_writes_on_a_read_only_store_raise(db_path: Path, store: Store, doc: Document) -> None:
    added = store.add_highlight(make(doc, 0, 5, tags=["t"]))
    with Store.open(db_path, read_only=True) as ro:
        assert ro.highlights(doc.id) == [added]
        assert ro.tag_counts() == [("t", 1)]
        writes: list[Callable[[], object]] = [
            lambda: ro.add_highlight(make(doc, 6, 9)),
            lambda: ro.update_highlight(added.id, note="x"),
            lambda: ro.set_tags(added.id, ["u"]),
            lambda: ro.delete_highlight(added.id),
        ]
        for write in writes:
            with pytest.raises(StoreError, match="read-only"):
                write()


# --- old texts ---------------------------------------------------------------------------


def test_old_texts_are_kept_for_the_highlights_made_on_them(store: Store, doc: Document) -> None:
    on_old = store.add_highlight(make(doc, 11, 25))
    changed_text = "Chapter 1\n\n" + TEXT
    changed = store.add_document(loaded(changed_text), path="/tale.txt", source_hash="tale2")
    assert changed.id == doc.id and changed.text_hash == text_hash(changed_text)
    assert store.old_texts(doc) == {}  # the stale Document still names the old text
    assert store.old_texts(changed) == {doc.text_hash: TEXT}
    store.update_highlight(on_old.id, start=22, end=36, text_hash=changed.text_hash)
    assert store.old_texts(changed) == {}
    # An imported highlight may carry the hash of a text this database never held.
    store.add_highlight(replace(make(doc, 0, 5), text_hash="0" * 64))
    assert store.old_texts(changed) == {}


# --- the search index --------------------------------------------------------------------


def test_the_search_index_follows_every_change(store: Store, doc: Document, db_path: Path) -> None:
    a = store.add_highlight(make(doc, 11, 25, note="Dickens opens", tags=["topic/asylum"]))
    b = store.add_highlight(make(doc, 80, 100, tags=["ñandú", "Zeta"]))
    assert search_index(db_path) == expected_index(store, doc)
    assert search_index(db_path)[b.id][2] == "ñandú Zeta"
    store.update_highlight(a.id, note="A new note about wisdom")
    store.update_highlight(b.id, start=81, end=99, quote="changed quote", status="moved")
    store.set_tags(a.id, ["Ñandú", "belief"])
    assert search_index(db_path) == expected_index(store, doc)
    deleted = store.delete_highlight(b.id)
    assert search_index(db_path) == expected_index(store, doc)
    store.restore_highlight(deleted)
    assert search_index(db_path) == expected_index(store, doc)
    assert matches(db_path, "wisdom") == {a.id}
    assert matches(db_path, "nandu") == {a.id, b.id}  # diacritics folded
    assert matches(db_path, "tags:belief") == {a.id}
    assert matches(db_path, 'quote:"changed quote"') == {b.id}


def test_the_search_index_follows_another_programs_writes(
    store: Store, doc: Document, db_path: Path
) -> None:
    a = store.add_highlight(make(doc, 0, 5, tags=["one", "two"]))
    conn = raw(db_path)
    conn.execute("UPDATE highlights SET quote = 'raw quote' WHERE id = ?", (a.id,))
    conn.execute("UPDATE tags SET name = 'renamed', key = 'renamed' WHERE name = 'one'")
    conn.execute(
        "DELETE FROM highlight_tags WHERE tag_id = (SELECT id FROM tags WHERE name = 'two')"
    )
    conn.close()
    assert store.get_highlight(a.id).tags == ["renamed"]
    assert search_index(db_path) == {a.id: ("raw quote", "", "renamed")}


def test_vacuum_keeps_the_search_index_linked(store: Store, doc: Document, db_path: Path) -> None:
    # The index is linked by rowid, which VACUUM could in principle renumber in a
    # table without an INTEGER PRIMARY KEY; SQLite copies them as they are.
    made = [store.add_highlight(make(doc, i, i + 5, note=f"n{i}")) for i in range(30)]
    for highlight in made[::3]:
        store.delete_highlight(highlight.id)
    conn = raw(db_path)
    conn.execute("VACUUM")
    conn.close()
    store.update_highlight(made[1].id, note="after vacuum")
    store.delete_highlight(made[2].id)
    assert search_index(db_path) == expected_index(store, doc)


# --- size and concurrency ----------------------------------------------------------------


def test_ten_thousand_highlights_with_tags_load_fast(
    store: Store, doc: Document, db_path: Path
) -> None:
    count = 10_000
    ids = [str(uuid.uuid4()) for _ in range(count)]
    conn = raw(db_path)
    conn.execute("BEGIN")
    conn.executemany(
        'INSERT INTO highlights (id, document_id, start, "end", quote, prefix, suffix,'
        " text_hash, color, note, status, score, created, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'exact', 1.0, ?, ?)",
        (
            (hid, doc.id, (i * 7919) % 100_000, (i * 7919) % 100_000 + 80, "q" * 80, "p" * 32,
             "s" * 32, doc.text_hash, 1 + i % 5, f"note {i}" if i % 3 else "",
             "2026-11-28T12:00:00Z", "2026-11-28T12:00:00Z")
            for i, hid in enumerate(ids)
        ),
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO tags (id, name, key) VALUES (?, ?, ?)",
        [(t, f"Tag{t}", f"tag{t}") for t in range(1, 21)],
    )
    conn.executemany(
        "INSERT INTO highlight_tags (highlight_id, tag_id) VALUES (?, ?)",
        ((hid, 1 + (i + k) % 20) for i, hid in enumerate(ids) for k in range(i % 4)),
    )
    conn.execute("COMMIT")
    conn.close()
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        highlights = store.highlights(doc.id)
        timings.append(time.perf_counter() - began)
    assert len(highlights) == count
    assert sum(len(h.tags) for h in highlights) == sum(i % 4 for i in range(count))
    assert [(h.start, h.end) for h in highlights] == sorted((h.start, h.end) for h in highlights)
    print(f"\nhighlights() of {count:,} with tags: best {min(timings) * 1000:.1f} ms")
    # The budget is 50 ms on a developer's machine; the bound here leaves room for
    # a loaded CI runner while still failing on a query per highlight.
    assert min(timings) < 0.25


def _add_many(path: str, name: str, start: Any) -> None:
    start.wait()
    with Store.open(path) as s:
        doc = s.add_document(loaded(TEXT), path="/shared.txt", source_hash="shared")
        for i in range(HIGHLIGHTS_EACH):
            s.add_highlight(
                make(doc, i % 50, i % 50 + 10, note=f"{name} {i}", tags=[name, "shared"])
            )


HIGHLIGHTS_EACH = 500


def test_two_processes_add_highlights_to_one_database(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "margin.db"
    context = multiprocessing.get_context("spawn")
    # Both create, migrate and write the same new file at once.
    start = context.Barrier(2)
    workers = [context.Process(target=_add_many, args=(str(path), n, start)) for n in "pq"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    with Store.open(path) as s:
        (doc,) = s.documents()
        highlights = s.highlights(doc.id)
        assert len(highlights) == 2 * HIGHLIGHTS_EACH
        assert {h.note for h in highlights} == {
            f"{name} {i}" for name in "pq" for i in range(HIGHLIGHTS_EACH)
        }
        assert s.tag_counts() == [
            ("p", HIGHLIGHTS_EACH),
            ("q", HIGHLIGHTS_EACH),
            ("shared", 2 * HIGHLIGHTS_EACH),
        ]
        assert search_index(path) == expected_index(s, doc)


# --- db.tags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "tags", "rejected"),
    [
        ("", [], []),
        ("  ,, \t\n", [], []),
        ("a b,c, d", ["a", "b", "c", "d"], []),
        ("#topic/asylum #ñandú 日本", ["topic/asylum", "ñandú", "日本"], []),
        ("#Foo foo FOO #fOO", ["Foo"], []),
        ("Straße strasse", ["Straße"], []),
        ("snake_case kebab-case v2 ٣٤", ["snake_case", "kebab-case", "v2", "٣٤"], []),
        ("हिन्दी ไทย", ["हिन्दी", "ไทย"], []),
        ("ok a.b c!d #e#f ok2", ["ok", "ok2"], ["a.b", "c!d", "#e#f"]),
        ("## # #", [], ["##"]),
        ("x²  emoji😀", [], ["x²", "emoji😀"]),
        ("a\u00a0b\u3000c", ["a", "b", "c"], []),
    ],
)
def test_parse_tags_examples(typed: str, tags: list[str], rejected: list[str]) -> None:
    assert parse_tags(typed) == (tags, rejected)


def test_normalise_tag() -> None:
    assert normalise_tag("  #Topic/Asylum ") == "Topic/Asylum"
    decomposed = "n\u0303andu\u0301"
    assert normalise_tag(decomposed) == "ñandú" == unicodedata.normalize("NFC", decomposed)
    for bad in ("", "#", "a b", "a,b", "##a", "tab\there", "bell\x07"):
        with pytest.raises(ValueError, match="not a tag"):
            normalise_tag(bad)
    assert tag_key("Straße") == tag_key("STRASSE") == "strasse"


def test_format_tags() -> None:
    assert format_tags([]) == ""
    assert format_tags(["a", "topic/asylum", "日本"]) == "#a #topic/asylum #日本"


@given(st.text())
def test_parse_tags_never_raises_and_gives_valid_unique_tags(typed: str) -> None:
    tags, rejected = parse_tags(typed)
    assert all(is_valid_tag(tag) for tag in tags)
    assert len({tag_key(tag) for tag in tags}) == len(tags)
    assert all(piece in typed for piece in rejected)
    assert all(not re.search(r"[,\s]", piece) for piece in tags + rejected)


_TAG_CHARS = st.characters(categories=["L", "Nd"]) | st.sampled_from("-_/")


@given(st.lists(st.text(_TAG_CHARS, min_size=1, max_size=12), max_size=8))
def test_formatted_tags_parse_back(pieces: list[str]) -> None:
    tags, rejected = parse_tags(" ".join(pieces))
    assert rejected == []
    assert parse_tags(format_tags(tags)) == (tags, [])
    assert parse_tags(", ".join(tags)) == (tags, [])

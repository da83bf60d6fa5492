"""The store: margin's one SQLite file of texts, documents, highlights, tags and settings.

One connection per process, WAL journal, foreign keys on, every write committed
as soon as it is made. The normal open (schema already current) uses only the
stdlib ``sqlite3``: ``sqlite_utils`` costs ~100 ms to import, so it is imported
only by the migration runner, which is where its table building earns its keep.

Migrations are functions in ``MIGRATIONS``, one per schema version; the schema
version is ``PRAGMA user_version``, and ``PRAGMA application_id`` marks the file
as margin's so that some other program's SQLite file is never written to.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from db.models import (
    ANCHOR_STATUSES,
    Block,
    Document,
    Highlight,
    LibraryEntry,
    LoadedText,
    Metadata,
    PageMark,
    Span,
    TocEntry,
)
from db.tags import normalise_tag, tag_key

if TYPE_CHECKING:
    from sqlite_utils import Database

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "NewerSchemaError",
    "NotFoundError",
    "Store",
    "StoreError",
    "text_hash",
    "utc_now",
]

#: "MRGN": written into the file header by migration 1; a file with tables but
#: another id belongs to some other program.
APPLICATION_ID = 0x4D52474E

#: How long a write waits for another margin process to finish its own.
BUSY_TIMEOUT_S = 5.0

#: SQLite can still answer "database is locked" without waiting (a WAL being
#: recovered, a journal-mode switch); such a write is retried this many times.
_LOCK_RETRIES = 5

#: The page cache of the connection, in KiB.
_CACHE_KIB = 32 * 1024

#: What SQLite keeps beside a database file while it is in use (or after a crash).
_SIDE_FILES = ("-wal", "-shm", "-journal")


class StoreError(Exception):
    """The database cannot be opened, read or written; the message is one line for the user."""


class NewerSchemaError(StoreError):
    """The database was made by a newer margin than this one."""


class NotFoundError(StoreError, LookupError):
    """No document, text or highlight with that id or hash."""


def text_hash(text: str) -> str:
    """The SHA-256 hex digest of the canonical text in UTF-8: the text's key in the store."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> str:
    """The current time as ISO 8601 UTC with seconds, e.g. ``2026-11-28T12:00:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- migrations --------------------------------------------------------------------------


def _migration_1(db: Database) -> None:
    """Texts deduplicated by hash, documents pointing at them, and settings."""
    db.table("texts").create(
        {"hash": str, "text": str, "blocks": str, "spans": str, "created": str},
        pk="hash",
        not_null=["text", "blocks", "spans", "created"],
    )
    db.table("documents").create(
        {
            "id": int,
            "text_hash": str,
            "source_hash": str,
            "format": str,
            "path": str,
            "title": str,
            "metadata": str,
            "added": str,
            "opened": str,
            "position": int,
        },
        pk="id",
        foreign_keys=[("text_hash", "texts", "hash")],
        not_null=["text_hash", "source_hash", "format", "title", "metadata", "added", "position"],
        defaults={"title": "", "metadata": "{}", "position": 0},
    )
    db.table("documents").create_index(["path"])
    db.table("documents").create_index(["text_hash"])
    # Every open of a file looks its bytes up here (find_document).
    db.table("documents").create_index(["source_hash"])
    db.table("settings").create({"key": str, "value": str}, pk="key", not_null=["value"])
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


# A highlight's tags live in highlight_tags; `highlights.tag_names` holds them
# again as one string (joined by char(31), which no tag can hold; in the order
# they were given, which is the order of their links' rowids, and group_concat
# keeps the order of the subquery it reads), kept by the
# triggers below and never written by the store itself. Reading 10,000
# highlights then takes one column more, not a lookup per highlight (about half
# the time of a correlated group_concat).
_TAG_NAMES_OF = (
    "coalesce((SELECT group_concat(name, char(31)) FROM (SELECT tags.name FROM highlight_tags"
    " JOIN tags ON tags.id = highlight_tags.tag_id"
    " WHERE highlight_tags.highlight_id = {id} ORDER BY highlight_tags.rowid)), '')"
)

# The search index is an FTS5 table with its own copy of the words, its rowid the
# highlight's rowid (an external-content index would need its old values repeated
# exactly on every change, which the tags make fiddly). The triggers keep
# highlight_tags -> highlights.tag_names -> highlights_fts in step on every write,
# from this process or any other, so nothing is rebuilt on open; a re-anchoring
# writes start/end/..., which no search trigger watches.
_TRIGGERS = (
    f"""CREATE TRIGGER highlight_tags_insert AFTER INSERT ON highlight_tags BEGIN
        UPDATE highlights SET tag_names = {_TAG_NAMES_OF.format(id="new.highlight_id")}
        WHERE id = new.highlight_id;
    END""",
    # Also fires for the links a deleted highlight takes with it, updating nothing.
    f"""CREATE TRIGGER highlight_tags_delete AFTER DELETE ON highlight_tags BEGIN
        UPDATE highlights SET tag_names = {_TAG_NAMES_OF.format(id="old.highlight_id")}
        WHERE id = old.highlight_id;
    END""",
    # No API renames a tag yet; when one does, its highlights follow by themselves.
    f"""CREATE TRIGGER tags_rename AFTER UPDATE OF name ON tags
    WHEN old.name IS NOT new.name BEGIN
        UPDATE highlights SET tag_names = {_TAG_NAMES_OF.format(id="highlights.id")}
        WHERE id IN (SELECT highlight_id FROM highlight_tags WHERE tag_id = new.id);
    END""",
    "CREATE VIRTUAL TABLE highlights_fts USING fts5("
    " quote, note, tags, tokenize = 'unicode61 remove_diacritics 2')",
    """CREATE TRIGGER highlights_fts_insert AFTER INSERT ON highlights BEGIN
        INSERT INTO highlights_fts (rowid, quote, note, tags)
        VALUES (new.rowid, new.quote, new.note, replace(new.tag_names, char(31), ' '));
    END""",
    """CREATE TRIGGER highlights_fts_update AFTER UPDATE OF quote, note, tag_names ON highlights
    WHEN old.quote IS NOT new.quote OR old.note IS NOT new.note
        OR old.tag_names IS NOT new.tag_names BEGIN
        UPDATE highlights_fts
        SET quote = new.quote, note = new.note, tags = replace(new.tag_names, char(31), ' ')
        WHERE rowid = new.rowid;
    END""",
    """CREATE TRIGGER highlights_fts_delete AFTER DELETE ON highlights BEGIN
        DELETE FROM highlights_fts WHERE rowid = old.rowid;
    END""",
)


def _migration_2(db: Database) -> None:
    """Highlights, tags, the links between them, and the search index over all three."""
    from sqlite_utils.db import ForeignKey

    db.table("highlights").create(
        {
            "id": str,
            "document_id": int,
            "start": int,
            "end": int,
            "quote": str,
            "prefix": str,
            "suffix": str,
            # The text the offsets point into; not a foreign key: an imported
            # highlight may carry the hash of a text this database never held.
            "text_hash": str,
            "color": int,
            "note": str,
            "tag_names": str,
            "status": str,
            "score": float,
            "created": str,
            "updated": str,
        },
        pk="id",
        foreign_keys=[
            ForeignKey("highlights", "document_id", "documents", "id", on_delete="CASCADE")
        ],
        not_null=[
            "document_id",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "text_hash",
            "color",
            "note",
            "tag_names",
            "status",
            "score",
            "created",
            "updated",
        ],
        defaults={"color": 1, "note": "", "tag_names": "", "status": "exact", "score": 1.0},
    )
    # Text order within a document, with `end` so that the ORDER BY needs no sort.
    db.table("highlights").create_index(
        ["document_id", "start", "end"], index_name="highlights_document_start"
    )
    db.table("tags").create(
        # `key` is tag_key(name): unique in full Unicode case folding, where
        # COLLATE NOCASE (also kept, on the name) folds only ASCII.
        {"id": int, "name": str, "key": str},
        pk="id",
        not_null=["name", "key"],
    )
    db.execute("CREATE UNIQUE INDEX tags_name ON tags (name COLLATE NOCASE)")
    db.table("tags").create_index(["key"], index_name="tags_key", unique=True)
    db.table("highlight_tags").create(
        {"highlight_id": str, "tag_id": int},
        pk=("highlight_id", "tag_id"),
        foreign_keys=[
            ForeignKey("highlight_tags", "highlight_id", "highlights", "id", on_delete="CASCADE"),
            ForeignKey("highlight_tags", "tag_id", "tags", "id", on_delete="CASCADE"),
        ],
        not_null=["highlight_id", "tag_id"],
    )
    # For pruning unused tags and, later, finding a tag's highlights.
    db.table("highlight_tags").create_index(["tag_id"], index_name="highlight_tags_tag")
    for statement in _TRIGGERS:
        # One by one: executescript would COMMIT the migration's transaction first.
        db.execute(statement)


def _migration_3(db: Database) -> None:
    """Page marks and the source's own table of contents, stored with the text they point into."""
    # "" for a text without either: every text stored before this version.
    db.execute("ALTER TABLE texts ADD COLUMN marks TEXT NOT NULL DEFAULT ''")


def _migration_4(db: Database) -> None:
    """Each text's length in characters, which the library's progress figures divide by."""
    # Kept, not computed: SQLite's length() reads a whole book to count its characters.
    db.execute("ALTER TABLE texts ADD COLUMN length INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE texts SET length = length(text)")


#: Applied in order, each in its own transaction; migration i brings the schema to version i+1.
MIGRATIONS: tuple[Callable[[Database], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
)
SCHEMA_VERSION = len(MIGRATIONS)


# --- encoding ----------------------------------------------------------------------------

# Blocks and spans are stored as columns (a string of kind codes, then lists of
# numbers), not as a list per block: parsing flat lists is several times faster,
# and a book's 12,000 blocks are decoded on every open.
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_KIND_CODES = {
    "paragraph": "p",
    "heading": "h",
    "list_item": "l",
    "quote": "q",
    "code": "c",
    "rule": "r",
    "table": "t",
}
_CODE_KINDS = {code: kind for kind, code in _KIND_CODES.items()}


def _encode_blocks(blocks: list[Block]) -> str:
    return _compact(
        [
            "".join(_KIND_CODES[b.kind] for b in blocks),
            [b.start for b in blocks],
            [b.end for b in blocks],
            [b.level for b in blocks],
        ]
    )


def _encode_spans(spans: list[Span]) -> str:
    return _compact([[s.start for s in spans], [s.end for s in spans], [s.style for s in spans]])


def _encode_marks(pages: list[PageMark], toc: list[TocEntry]) -> str:
    if not pages and not toc:
        return ""
    return _compact(
        [
            [p.start for p in pages],
            [p.label for p in pages],
            [e.title for e in toc],
            [e.start for e in toc],
            [e.level for e in toc],
        ]
    )


def _decode_marks(data: str) -> tuple[list[PageMark], list[TocEntry]]:
    if not data:
        return [], []
    page_starts, labels, titles, toc_starts, levels = json.loads(data)
    return (
        list(map(PageMark, page_starts, labels)),
        list(map(TocEntry, titles, toc_starts, levels)),
    )


def _decode_blocks(data: str) -> list[Block]:
    codes, starts, ends, levels = json.loads(data)
    return list(map(Block, map(_CODE_KINDS.__getitem__, codes), starts, ends, levels))


def _decode_spans(data: str) -> list[Span]:
    starts, ends, styles = json.loads(data)
    return list(map(Span, starts, ends, styles))


_DOC_COLUMNS = "id, text_hash, source_hash, format, path, metadata, added, opened, position"
# Never-opened documents sort last: SQLite puts NULL after everything in DESC order.
_RECENT_FIRST = "opened DESC, added DESC, id DESC"


def _keep_text(conn: sqlite3.Connection, digest: str, loaded: LoadedText, now: str) -> None:
    """Store a text under its hash, once: a known text is already there as it was."""
    if conn.execute("SELECT 1 FROM texts WHERE hash = ?", (digest,)).fetchone() is None:
        conn.execute(
            "INSERT INTO texts (hash, text, blocks, spans, marks, created, length)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                digest,
                loaded.text,
                _encode_blocks(loaded.blocks),
                _encode_spans(loaded.spans),
                _encode_marks(loaded.pages, loaded.toc),
                now,
                len(loaded.text),
            ),
        )


def _document(row: tuple[Any, ...]) -> Document:
    doc_id, text_hash_, source_hash, fmt, path, metadata, added, opened, position = row
    return Document(
        id=doc_id,
        text_hash=text_hash_,
        source_hash=source_hash,
        format=fmt,
        path=path,
        metadata=Metadata.from_dict(json.loads(metadata)),
        added=added,
        opened=opened,
        position=position,
    )


# Highlight's fields in order, tag_names standing for its tags.
_HIGHLIGHT_SELECT = (
    'id, document_id, start, "end", quote, prefix, suffix, text_hash, color, note, tag_names,'
    " status, score, created, updated"
)
# What a new highlight is written with: tag_names is the triggers' to fill.
_HIGHLIGHT_INSERT = (
    'INSERT INTO highlights (id, document_id, start, "end", quote, prefix, suffix, text_hash,'
    " color, note, status, score, created, updated)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# What update_highlight may change, and the type each must have.
_UPDATABLE: dict[str, type | tuple[type, ...]] = {
    "start": int,
    "end": int,
    "quote": str,
    "prefix": str,
    "suffix": str,
    "text_hash": str,
    "color": int,
    "note": str,
    "status": str,
    "score": (int, float),
}

#: The highlight fields update_highlight changes (tags change through set_tags).
UPDATABLE_FIELDS = tuple(_UPDATABLE)


def _highlights(rows: list[tuple[Any, ...]]) -> list[Highlight]:
    """Highlights from rows of _HIGHLIGHT_SELECT (unpacked, not sliced: 10,000 at a time)."""
    return [
        Highlight(
            hid, doc_id, start, end, quote, prefix, suffix, hash_, color, note,
            tag_names.split("\x1f") if tag_names else [],
            status, score, created, updated,
        )
        for (
            hid, doc_id, start, end, quote, prefix, suffix, hash_, color, note, tag_names,
            status, score, created, updated,
        ) in rows
    ]  # fmt: skip


def _check_updatable(changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - set(_UPDATABLE))
    if unknown:
        hint = " (tags change through set_tags)" if "tags" in unknown else ""
        raise TypeError(f"update_highlight cannot change {', '.join(unknown)}{hint}")


def _check_highlight(highlight: Highlight) -> None:
    """Raise ValueError unless the highlight's fields have their types and ranges."""
    for name, kind in _UPDATABLE.items():
        value = getattr(highlight, name)
        # bool is an int to Python, but True is no colour or offset.
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"a highlight's {name} cannot be {value!r}")
    if not 1 <= highlight.color <= 5:
        raise ValueError(f"a highlight's colour is 1 to 5, not {highlight.color}")
    if not 0 <= highlight.start <= highlight.end:
        raise ValueError(
            f"a highlight needs 0 <= start <= end, not start {highlight.start}, end {highlight.end}"
        )
    if highlight.status not in ANCHOR_STATUSES:
        raise ValueError(
            f"a highlight's status is one of {', '.join(ANCHOR_STATUSES)}, not {highlight.status!r}"
        )
    if not 0.0 <= highlight.score <= 1.0:  # also refuses NaN
        raise ValueError(f"a highlight's score is 0 to 1, not {highlight.score}")


def _clean_tags(tags: list[str]) -> list[str]:
    """The tags as stored, each once (first spelling wins); ValueError for one that is no tag."""
    if isinstance(tags, str):
        raise ValueError(f"tags are a list of names, not the string {tags!r}")
    cleaned: dict[str, str] = {}
    for tag in tags:
        if not isinstance(tag, str):
            raise ValueError(f"a tag is a string, not {tag!r}")
        name = normalise_tag(tag)
        cleaned.setdefault(tag_key(name), name)
    return list(cleaned.values())


def _merge_metadata(stored: Metadata, fresh: Metadata) -> Metadata:
    """Stored fields win (the user may have edited them with `m`); the fresh parse fills blanks."""
    old, new = stored.to_dict(), fresh.to_dict()
    return Metadata.from_dict({key: old[key] or new[key] for key in new})


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    # Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_READONLY_DBMOVED, ...) keep the
    # primary code in their low byte.
    return code & 0xFF if isinstance(code, int) else None


def _is_busy(error: sqlite3.Error) -> bool:
    return _primary_code(error) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    # isolation_level=None: the driver opens no hidden transactions; each write below
    # is its own BEGIN IMMEDIATE ... COMMIT, so a confirmed change is on disk.
    return sqlite3.connect(
        f"{path.as_uri()}?mode={mode}",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_S,
    )


def _unreadable(path: Path, error: sqlite3.Error) -> StoreError:
    code = _primary_code(error)
    if code == sqlite3.SQLITE_NOTADB:
        return StoreError(f"{path} is not a margin database (not an SQLite file)")
    if code == sqlite3.SQLITE_CORRUPT:
        return StoreError(f"{path} is damaged or truncated ({error})")
    return StoreError(f"cannot open {path}: {error}")


# --- the store ---------------------------------------------------------------------------


class Store:
    """margin's database: open it with :meth:`Store.open`; every method is safe from any thread."""

    path: Path
    read_only: bool

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool) -> None:
        """Wrap an open connection; use :meth:`Store.open` instead."""
        self._conn = conn
        self.path = path
        self.read_only = read_only
        # One connection shared with worker threads (the reading position is saved
        # off the UI thread): the lock keeps a transaction from taking in another
        # thread's statements.
        self._lock = threading.RLock()
        self._closed = False
        #: Where the database was copied before this open upgraded it, else None.
        self.backup_path: Path | None = None

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, read_only: bool = False) -> Store:
        """Open (and with ``create``, make) the database at ``path``, migrating it if it is old.

        A file this margin cannot use (not SQLite, damaged, another program's,
        made by a newer margin) raises :class:`StoreError` and is left as it was.
        A file or folder without write permission opens read-only
        (``store.read_only``), as does ``read_only=True``; such a store reads
        and every write raises :class:`StoreError`.
        """
        path = Path(path).expanduser().absolute()
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a margin database")
        if path.exists():
            if read_only:
                modes = ["ro"]
            elif os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
                modes = ["rw"]  # WAL also needs to make its -wal and -shm files beside it
            elif any(path.with_name(path.name + end).exists() for end in _SIDE_FILES):
                # Another margin is using the file (or was, and crashed): read through its
                # journal files; immutable=1 only if SQLite cannot use them.
                modes = ["ro", "ro&immutable=1"]
            else:
                # A clean file we may not write: immutable=1 reads it without making
                # -shm/-wal files, which SQLite would give the file's read-only mode,
                # leaving a -shm that stops writes after the file is made writable again.
                modes = ["ro&immutable=1"]
        else:
            if not create or read_only:
                raise StoreError(f"{path} does not exist")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create {path}: {error.strerror or error}") from error
            modes = ["rwc"]
        for i, mode in enumerate(modes):
            conn: sqlite3.Connection | None = None
            try:
                conn = _connect(path, mode)
                header = _read_header(conn)
            except sqlite3.DatabaseError as error:
                if conn is not None:
                    conn.close()
                if i + 1 < len(modes) and _primary_code(error) in (
                    sqlite3.SQLITE_READONLY,
                    sqlite3.SQLITE_CANTOPEN,
                ):
                    continue
                raise _unreadable(path, error) from error
            store = cls(conn, path, read_only=not mode.startswith("rw"))
            try:
                store._prepare(*header)
            except BaseException:
                conn.close()
                raise
            return store
        raise AssertionError("unreachable: the last mode either returns or raises")

    def _prepare(self, application_id: int, version: int, objects: int) -> None:
        """Refuse a file that is not ours or is too new, then set the connection up and migrate."""
        path = self.path
        if (version or objects) and application_id != APPLICATION_ID:
            raise StoreError(f"{path} is an SQLite database, but not margin's")
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(
                f"{path} was made by a newer margin (schema {version}; this margin knows "
                f"{SCHEMA_VERSION}). Upgrade margin to open it."
            )
        conn = self._conn
        # The default cache is 2 MB; a document's 10,000 highlights or a book's
        # text is more, and would be read again from the file on every load.
        # Pages are taken only as they are used, so a small library costs nothing.
        conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        if self.read_only:
            if version < SCHEMA_VERSION:
                raise StoreError(
                    f"{path} is read-only and needs an upgrade (schema {version} to "
                    f"{SCHEMA_VERSION}); open it once with write access"
                )
            conn.execute("PRAGMA foreign_keys = ON")
            return
        try:
            mode = self._retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            if str(mode[0]).lower() == "wal":
                # In WAL, NORMAL loses nothing when the process is killed (only, at
                # worst, the last commits on a power cut) and skips an fsync per write.
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # As sqlite-utils does: REPLACE then fires delete triggers, which the FTS
            # tables of a later migration rely on to stay in step.
            conn.execute("PRAGMA recursive_triggers = ON")
        except sqlite3.Error as error:
            raise self._error(error) from error
        if version < SCHEMA_VERSION:
            if version >= 1:
                self.backup_path = self._back_up(version)
            self._migrate()

    def _back_up(self, version: int) -> Path:
        """Copy the database next to itself before an upgrade changes it; say where.

        SQLite's backup API copies a consistent database, WAL included. If the
        copy cannot be made, the upgrade does not happen.
        """
        target = self.path.with_name(f"{self.path.name}.schema{version}.bak")
        number = 1
        while target.exists():
            number += 1
            target = self.path.with_name(f"{self.path.name}.schema{version}.{number}.bak")
        try:
            copy = sqlite3.connect(target)
            try:
                self._conn.backup(copy)
            finally:
                copy.close()
        except (sqlite3.Error, OSError) as error:
            target.unlink(missing_ok=True)
            raise StoreError(
                f"{self.path} needs an upgrade (schema {version} to {SCHEMA_VERSION}), but no "
                f"backup copy could be written next to it first ({error}); nothing was changed"
            ) from error
        return target

    def _migrate(self) -> None:
        import sqlite_utils  # here, not at the top: see the module docstring

        db = sqlite_utils.Database(self._conn, recursive_triggers=False, execute_plugins=False)
        # Off for the duration, as SQLite's ALTER TABLE recipe asks, so that a table
        # rebuild (sqlite-utils' transform) fires no ON DELETE action; the
        # foreign_key_check below still refuses a migration that leaves a dangling reference.
        self._conn.execute("PRAGMA foreign_keys = OFF")
        try:
            for version in range(1, SCHEMA_VERSION + 1):
                with self._transaction() as conn:
                    # Read inside the write lock: another margin may have migrated
                    # while this one waited for it.
                    current = _read_header(conn)[1]
                    if current > SCHEMA_VERSION:
                        raise NewerSchemaError(
                            f"{self.path} was just upgraded by a newer margin (schema "
                            f"{current}; this margin knows {SCHEMA_VERSION}). Upgrade margin."
                        )
                    if current >= version:
                        continue
                    MIGRATIONS[version - 1](db)
                    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                        raise StoreError(
                            f"{self.path}: migration to schema {version} broke a reference"
                        )
                    conn.execute(f"PRAGMA user_version = {version}")
        finally:
            self._conn.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        """Close the connection; every change is already committed. Later calls raise StoreError."""
        with self._lock:
            self._closed = True
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open file (``PRAGMA user_version``)."""
        with self._reading() as conn:
            return _read_header(conn)[1]

    # --- plumbing ------------------------------------------------------------------------

    def _error(self, error: sqlite3.Error) -> StoreError:
        code = _primary_code(error)
        if code == sqlite3.SQLITE_READONLY:
            self.read_only = True
            return StoreError(f"{self.path} is read-only; changes are not saved")
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return StoreError(
                f"{self.path} is busy: another margin kept it locked for over "
                f"{BUSY_TIMEOUT_S:g} s; try again"
            )
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return StoreError(f"{self.path} is damaged ({error})")
        if code == sqlite3.SQLITE_FULL:
            return StoreError(f"cannot write {self.path}: the disk is full")
        return StoreError(f"{self.path}: {error}")

    def _retry_busy(self, operation: Callable[[], Any]) -> Any:
        for attempt in range(_LOCK_RETRIES):
            try:
                return operation()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or attempt + 1 == _LOCK_RETRIES:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable: the last attempt returns or raises")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                # e.g. a worker thread saving the position while the app quits
                raise StoreError(f"{self.path} is closed")
            try:
                yield self._conn
            except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
                raise  # a bug in margin, not a state of the file
            except sqlite3.DatabaseError as error:
                raise self._error(error) from error

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed on leaving the block, rolled back on an exception."""
        if self.read_only:
            raise StoreError(f"{self.path} is read-only; changes are not saved")
        with self._reading() as conn:
            # IMMEDIATE takes the write lock up front, where the busy timeout applies;
            # a deferred transaction that upgrades later can fail at once instead.
            self._retry_busy(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _document_where(self, conn: sqlite3.Connection, where: str, *args: Any) -> Document | None:
        row = conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE {where} LIMIT 1", args
        ).fetchone()
        return None if row is None else _document(row)

    # --- documents -----------------------------------------------------------------------

    def find_document(self, path: str | None, source_hash: str) -> Document | None:
        """The document last made from these source bytes, so that a reopen can skip parsing.

        By (path, source_hash) first. A known path whose bytes changed gives None:
        the caller parses the file and :meth:`add_document` moves that document to
        the new text. Else a document with these bytes anywhere is a moved copy:
        its path becomes ``path`` (saved unless the store is read-only). With
        ``path`` None (stdin), any document with these bytes, stdin ones first.
        """
        with self._reading() as conn:
            if path is None:
                return self._document_where(
                    conn, f"source_hash = ? ORDER BY path IS NOT NULL, {_RECENT_FIRST}", source_hash
                )
            found = self._document_where(
                conn, f"path = ? AND source_hash = ? ORDER BY {_RECENT_FIRST}", path, source_hash
            )
            if found is not None:
                return found
            if conn.execute("SELECT 1 FROM documents WHERE path = ?", (path,)).fetchone():
                return None
            moved = self._document_where(
                conn, f"source_hash = ? ORDER BY {_RECENT_FIRST}", source_hash
            )
        if moved is None:
            return None
        moved.path = path
        if not self.read_only:
            with self._transaction() as conn:
                conn.execute("UPDATE documents SET path = ? WHERE id = ?", (path, moved.id))
        return moved

    def find_by_path(self, path: str) -> Document | None:
        """The document last read from ``path``, whatever its bytes are now."""
        with self._reading() as conn:
            return self._document_where(conn, f"path = ? ORDER BY {_RECENT_FIRST}", path)

    def add_document(self, loaded: LoadedText, *, path: str | None, source_hash: str) -> Document:
        """Store a parsed file (or stdin) and return its document.

        The text is stored once per hash; an older text stays stored when a
        document moves on (re-anchoring diffs from it). A known ``path`` keeps its
        document, now on the new text, its position clamped into it; else a known
        text (a moved copy, or stdin) keeps its document, taking ``path`` if given;
        else a new document. A kept document's metadata keeps the stored fields and
        only fills the blank ones from ``loaded``: the user may have edited them.
        """
        digest = text_hash(loaded.text)
        now = utc_now()
        with self._transaction() as conn:
            _keep_text(conn, digest, loaded, now)
            doc_id = self._attach(conn, loaded, digest, path, source_hash, now)
        return self.get_document(doc_id)

    def _attach(
        self,
        conn: sqlite3.Connection,
        loaded: LoadedText,
        digest: str,
        path: str | None,
        source_hash: str,
        now: str,
    ) -> int:
        if path is not None:
            same_path = self._document_where(conn, f"path = ? ORDER BY {_RECENT_FIRST}", path)
            if same_path is not None:
                metadata = _merge_metadata(same_path.metadata, loaded.metadata)
                conn.execute(
                    "UPDATE documents SET text_hash = ?, source_hash = ?, format = ?, title = ?,"
                    " metadata = ?, position = MIN(position, ?) WHERE id = ?",
                    (
                        digest,
                        source_hash,
                        loaded.format,
                        metadata.title,
                        _compact(metadata.to_dict()),
                        len(loaded.text),
                        same_path.id,
                    ),
                )
                return same_path.id
            same_text = self._document_where(
                conn, f"text_hash = ? ORDER BY {_RECENT_FIRST}", digest
            )
        else:
            same_text = self._document_where(
                conn, f"text_hash = ? ORDER BY path IS NOT NULL, {_RECENT_FIRST}", digest
            )
        if same_text is not None:
            if path is None and same_text.path is not None:
                # A known file piped in: that document as it is, its file and bytes unchanged.
                return same_text.id
            metadata = _merge_metadata(same_text.metadata, loaded.metadata)
            conn.execute(
                "UPDATE documents SET path = ?, source_hash = ?, format = ?, title = ?,"
                " metadata = ? WHERE id = ?",
                (
                    path,
                    source_hash,
                    loaded.format,
                    metadata.title,
                    _compact(metadata.to_dict()),
                    same_text.id,
                ),
            )
            return same_text.id
        cursor = conn.execute(
            "INSERT INTO documents (text_hash, source_hash, format, path, title, metadata, added)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                digest,
                source_hash,
                loaded.format,
                path,
                loaded.metadata.title,
                _compact(loaded.metadata.to_dict()),
                now,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def load_text(self, text_hash: str) -> LoadedText:
        """The stored text with its blocks, spans and marks (format, metadata: the document's)."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT text, blocks, spans, marks FROM texts WHERE hash = ?", (text_hash,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"{self.path} holds no text {text_hash[:12]}")
        text, blocks, spans, marks = row
        pages, toc = _decode_marks(marks)
        return LoadedText(
            text=text,
            blocks=_decode_blocks(blocks),
            spans=_decode_spans(spans),
            pages=pages,
            toc=toc,
        )

    def load_document(self, doc: Document) -> LoadedText:
        """The document's stored text, with its format and metadata filled in."""
        loaded = self.load_text(doc.text_hash)
        loaded.format = doc.format
        loaded.metadata = doc.metadata
        return loaded

    def get_document(self, doc_id: int) -> Document:
        """The document with this id; :class:`NotFoundError` if there is none."""
        with self._reading() as conn:
            doc = self._document_where(conn, "id = ?", doc_id)
        if doc is None:
            raise NotFoundError(f"no document {doc_id} in {self.path}")
        return doc

    def documents(self) -> list[Document]:
        """Every document, most recently opened first, then the never-opened ones, newest first."""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY {_RECENT_FIRST}"
            ).fetchall()
        return [_document(row) for row in rows]

    def documents_from(self, source_prefix: str) -> list[Document]:
        """The documents whose source hash starts with ``source_prefix`` ("import:" for imports)."""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE substr(source_hash, 1, ?) = ?"
                f" ORDER BY {_RECENT_FIRST}",
                (len(source_prefix), source_prefix),
            ).fetchall()
        return [_document(row) for row in rows]

    def library(self) -> list[LibraryEntry]:
        """Every document with its counts, as the library lists them (most recent first)."""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {', '.join('d.' + c for c in _DOC_COLUMNS.split(', '))},"
                " t.length, coalesce(h.highlights, 0), coalesce(h.notes, 0)"
                " FROM documents d JOIN texts t ON t.hash = d.text_hash"
                " LEFT JOIN (SELECT document_id, count(*) AS highlights,"
                "   sum(trim(note) != '') AS notes FROM highlights GROUP BY document_id) h"
                " ON h.document_id = d.id"
                f" ORDER BY {', '.join('d.' + c for c in _RECENT_FIRST.split(', '))}"
            ).fetchall()
        return [LibraryEntry(_document(row[:9]), row[9], row[10], row[11]) for row in rows]

    def delete_document(self, doc_id: int) -> int:
        """Delete a document with its highlights; return how many highlights went.

        Its texts go too when nothing else points at them (another document
        with the same text, or a highlight made on an older text).
        """
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
                raise NotFoundError(f"{self.path} holds no document {doc_id}")
            hashes = {
                row[0]
                for row in conn.execute(
                    "SELECT text_hash FROM documents WHERE id = ?"
                    " UNION SELECT DISTINCT text_hash FROM highlights WHERE document_id = ?",
                    (doc_id, doc_id),
                )
            }
            removed = conn.execute(
                "SELECT count(*) FROM highlights WHERE document_id = ?", (doc_id,)
            ).fetchone()[0]
            conn.execute("DELETE FROM highlights WHERE document_id = ?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            for digest in hashes:
                conn.execute(
                    "DELETE FROM texts WHERE hash = ?"
                    " AND NOT EXISTS (SELECT 1 FROM documents WHERE text_hash = ?)"
                    " AND NOT EXISTS (SELECT 1 FROM highlights WHERE text_hash = ?)",
                    (digest, digest, digest),
                )
            self._prune_tags(conn)
        return int(removed)

    def last_opened(self) -> Document | None:
        """The document opened most recently, or None if none has been opened."""
        with self._reading() as conn:
            return self._document_where(conn, f"opened IS NOT NULL ORDER BY {_RECENT_FIRST}")

    def _update_document(self, doc_id: int, assignments: str, *args: Any) -> None:
        with self._transaction() as conn:
            cursor = conn.execute(
                f"UPDATE documents SET {assignments} WHERE id = ?", (*args, doc_id)
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"no document {doc_id} in {self.path}")

    def mark_opened(self, doc_id: int) -> None:
        """Record that the document was opened now."""
        self._update_document(doc_id, "opened = ?", utc_now())

    def save_position(self, doc_id: int, offset: int) -> None:
        """Remember the reading position: a character offset into the canonical text."""
        if offset < 0:
            raise ValueError(f"a reading position is a text offset, not {offset}")
        self._update_document(doc_id, "position = ?", offset)

    def update_metadata(self, doc_id: int, metadata: Metadata) -> None:
        """Replace the document's metadata (and with it its title)."""
        self._update_document(
            doc_id, "title = ?, metadata = ?", metadata.title, _compact(metadata.to_dict())
        )

    # --- highlights ----------------------------------------------------------------------
    #
    # Tags are global rows shared by highlights; a highlight's tags keep the order
    # they were given in (the order of their links). A tag typed in another case
    # than a stored one is that tag, spelled as stored. A tag that no highlight
    # uses any more is deleted with its last link (set_tags, delete_highlight):
    # the tags table is the vocabulary offered for completion, and a tag spelled
    # anew after all its uses went should be spelled as it is typed then.

    def _select_highlights(
        self, conn: sqlite3.Connection, where: str, *args: Any
    ) -> list[Highlight]:
        rows = conn.execute(f"SELECT {_HIGHLIGHT_SELECT} FROM highlights WHERE {where}", args)
        return _highlights(rows.fetchall())

    def _get(self, conn: sqlite3.Connection, highlight_id: str) -> Highlight:
        found = self._select_highlights(conn, "id = ?", highlight_id)
        if not found:
            raise NotFoundError(f"no highlight {highlight_id} in {self.path}")
        return found[0]

    def _link_tags(self, conn: sqlite3.Connection, highlight_id: str, names: list[str]) -> None:
        for name in names:
            key = tag_key(name)
            row = conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
            if row is None:
                cursor = conn.execute("INSERT INTO tags (name, key) VALUES (?, ?)", (name, key))
                tag_id = cursor.lastrowid
            else:
                tag_id = row[0]
            conn.execute(
                "INSERT INTO highlight_tags (highlight_id, tag_id) VALUES (?, ?)",
                (highlight_id, tag_id),
            )

    def _prune_tags(self, conn: sqlite3.Connection) -> None:
        # Over all tags, not only the ones just unlinked: this also clears tags
        # left unused by a document's highlights going with the document.
        conn.execute(
            "DELETE FROM tags WHERE NOT EXISTS"
            " (SELECT 1 FROM highlight_tags WHERE highlight_tags.tag_id = tags.id)"
        )

    def add_highlights(self, highlights: Sequence[Highlight]) -> int:
        """Store many new highlights in one transaction (an import); return how many were new.

        As :meth:`add_highlight` for each, except that an id already stored is
        skipped, not refused: importing the same file again adds nothing.
        """
        now = utc_now()
        ready: list[tuple[Highlight, list[str]]] = []
        for highlight in highlights:
            created = highlight.created or now
            h = replace(
                highlight,
                id=highlight.id or str(uuid.uuid4()),
                created=created,
                updated=highlight.updated or created,
            )
            _check_highlight(h)
            ready.append((h, _clean_tags(h.tags)))
        added = 0
        with self._transaction() as conn:
            for h, names in ready:
                if conn.execute("SELECT 1 FROM highlights WHERE id = ?", (h.id,)).fetchone():
                    continue
                conn.execute(
                    _HIGHLIGHT_INSERT,
                    (
                        h.id, h.document_id, h.start, h.end, h.quote, h.prefix, h.suffix,
                        h.text_hash, h.color, h.note, h.status, float(h.score), h.created,
                        h.updated,
                    ),
                )  # fmt: skip
                self._link_tags(conn, h.id, names)
                added += 1
        return added

    def move_highlights(self, from_doc: int, to_doc: int) -> int:
        """Give one document's highlights to another (linking imported ones to the real book).

        They keep the text they were made on, so the next open re-anchors them.
        """
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE highlights SET document_id = ? WHERE document_id = ?", (to_doc, from_doc)
            )
            return cursor.rowcount

    def known_highlights(self, ids: Sequence[str]) -> set[str]:
        """Which of these highlight ids are stored."""
        known: set[str] = set()
        with self._reading() as conn:
            # In slices: SQLite limits the parameters of one statement.
            for at in range(0, len(ids), 500):
                chunk = ids[at : at + 500]
                marks = ", ".join("?" * len(chunk))
                rows = conn.execute(f"SELECT id FROM highlights WHERE id IN ({marks})", chunk)
                known.update(row[0] for row in rows)
        return known

    def set_text(self, doc_id: int, loaded: LoadedText) -> Document:
        """Put the document on a new text (an imported book gaining quotes); its position is kept.

        Its highlights are not moved: re-anchor them (db.annotate.reanchor_document).
        """
        digest = text_hash(loaded.text)
        with self._transaction() as conn:
            _keep_text(conn, digest, loaded, utc_now())
            conn.execute(
                "UPDATE documents SET text_hash = ?, position = MIN(position, ?) WHERE id = ?",
                (digest, len(loaded.text), doc_id),
            )
        return self.get_document(doc_id)

    def restore_document(self, document: Document, *, new_id: int | None = None) -> Document:
        """Give a stored document the fields of ``document`` (as an export recorded them).

        Its text stays its own. ``new_id`` renumbers it, if that id is free and it
        has no highlights yet: a library imported into an empty database keeps its ids.
        """
        with self._transaction() as conn:
            doc_id = document.id
            if (
                new_id is not None
                and new_id != doc_id
                and conn.execute("SELECT 1 FROM documents WHERE id = ?", (new_id,)).fetchone()
                is None
                and conn.execute(
                    "SELECT 1 FROM highlights WHERE document_id = ?", (doc_id,)
                ).fetchone()
                is None
            ):
                conn.execute("UPDATE documents SET id = ? WHERE id = ?", (new_id, doc_id))
                doc_id = new_id
            conn.execute(
                "UPDATE documents SET source_hash = ?, format = ?, path = ?, title = ?,"
                " metadata = ?, added = ?, opened = ?,"
                " position = MIN(?, (SELECT length FROM texts WHERE hash = documents.text_hash))"
                " WHERE id = ?",
                (
                    document.source_hash,
                    document.format,
                    document.path,
                    document.metadata.title,
                    _compact(document.metadata.to_dict()),
                    document.added,
                    document.opened,
                    document.position,
                    doc_id,
                ),
            )
        return self.get_document(doc_id)

    def _insert_highlight(self, h: Highlight) -> Highlight:
        _check_highlight(h)
        for name in ("id", "created", "updated"):
            if not isinstance(getattr(h, name), str):
                raise ValueError(f"a highlight's {name} cannot be {getattr(h, name)!r}")
        names = _clean_tags(h.tags)
        with self._transaction() as conn:
            known = conn.execute("SELECT 1 FROM documents WHERE id = ?", (h.document_id,))
            if known.fetchone() is None:
                raise NotFoundError(f"no document {h.document_id} in {self.path}")
            if conn.execute("SELECT 1 FROM highlights WHERE id = ?", (h.id,)).fetchone():
                raise ValueError(f"{self.path} already holds a highlight {h.id}")
            conn.execute(
                _HIGHLIGHT_INSERT,
                (
                    h.id, h.document_id, h.start, h.end, h.quote, h.prefix, h.suffix,
                    h.text_hash, h.color, h.note, h.status, float(h.score), h.created, h.updated,
                ),
            )  # fmt: skip
            self._link_tags(conn, h.id, names)
            return self._get(conn, h.id)

    def add_highlight(self, highlight: Highlight) -> Highlight:
        """Store a new highlight with its tags and return it as stored.

        An empty ``id`` becomes a new UUID4; empty ``created``/``updated`` become
        now (an import may bring its own times). Raises ValueError for a colour
        outside 1-5, offsets other than ``0 <= start <= end``, a status not in
        ``ANCHOR_STATUSES``, a score outside 0-1, a tag that is no tag (see
        ``db.tags``) or an id already stored; NotFoundError for an unknown document.
        """
        created = highlight.created or utc_now()
        return self._insert_highlight(
            replace(
                highlight,
                id=highlight.id or str(uuid.uuid4()),
                created=created,
                updated=highlight.updated or created,
            )
        )

    def restore_highlight(self, highlight: Highlight) -> Highlight:
        """Put a deleted highlight back as it was: same id, times, tags (undoes a delete)."""
        if not highlight.id:
            raise ValueError("only a highlight with an id can be restored")
        return self.add_highlight(highlight)

    def get_highlight(self, highlight_id: str) -> Highlight:
        """The highlight with this id, with its tags; NotFoundError if there is none."""
        with self._reading() as conn:
            return self._get(conn, highlight_id)

    def highlights(self, document_id: int) -> list[Highlight]:
        """The document's highlights in text order (start, end), orphans included, tags filled.

        Highlights of the same range come in the order they were stored. An
        unknown document has none.
        """
        with self._reading() as conn:
            return self._select_highlights(
                conn, 'document_id = ? ORDER BY start, "end", rowid', document_id
            )

    def update_highlight(self, highlight_id: str, **changes: Any) -> Highlight:
        """Change some of a highlight's fields and set its ``updated`` to now; the changed one.

        May change ``note``, ``color``, ``start``, ``end``, ``quote``, ``prefix``,
        ``suffix``, ``text_hash``, ``status`` and ``score`` (TypeError for any
        other name; tags change through :meth:`set_tags`), each checked as in
        :meth:`add_highlight` (ValueError).
        """
        _check_updatable(changes)
        if not changes:
            return self.get_highlight(highlight_id)
        with self._transaction() as conn:
            return self._update(conn, highlight_id, changes)

    def update_highlights(self, changes: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Several highlights' changes in one transaction: all of a re-anchoring or none."""
        for _, fields in changes:
            _check_updatable(fields)
        with self._transaction() as conn:
            for highlight_id, fields in changes:
                if fields:
                    self._update(conn, highlight_id, fields)

    def _update(
        self, conn: sqlite3.Connection, highlight_id: str, changes: dict[str, Any]
    ) -> Highlight:
        changed = replace(self._get(conn, highlight_id), **changes)
        _check_highlight(changed)
        changed.score = float(changed.score)
        changed.updated = utc_now()
        values = [getattr(changed, name) for name in changes]
        assignments = ", ".join(f'"{name}" = ?' for name in changes)
        conn.execute(
            f"UPDATE highlights SET {assignments}, updated = ? WHERE id = ?",
            (*values, changed.updated, highlight_id),
        )
        return changed

    def set_tags(self, highlight_id: str, tags: list[str]) -> Highlight:
        """Replace the highlight's tags (cleaned, each once, in this order); the changed highlight.

        ValueError for a tag that is no tag (see ``db.tags``); tags no highlight
        uses any more are deleted.
        """
        names = _clean_tags(tags)
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE highlights SET updated = ? WHERE id = ?", (utc_now(), highlight_id)
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"no highlight {highlight_id} in {self.path}")
            conn.execute("DELETE FROM highlight_tags WHERE highlight_id = ?", (highlight_id,))
            self._link_tags(conn, highlight_id, names)
            self._prune_tags(conn)
            return self._get(conn, highlight_id)

    def delete_highlight(self, highlight_id: str) -> Highlight:
        """Delete the highlight; it is returned as it was, tags included, for undo to restore."""
        with self._transaction() as conn:
            old = self._get(conn, highlight_id)
            conn.execute("DELETE FROM highlights WHERE id = ?", (highlight_id,))
            self._prune_tags(conn)
            return old

    def tag_counts(self) -> list[tuple[str, int]]:
        """Every tag in use with how many highlights have it, by name (case-insensitively)."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT tags.name, tags.key, count(*) FROM tags"
                " JOIN highlight_tags ON highlight_tags.tag_id = tags.id GROUP BY tags.id"
            ).fetchall()
        return [(name, count) for name, _, count in sorted(rows, key=lambda r: (r[1], r[0]))]

    def old_texts(self, document: Document) -> dict[str, str]:
        """The earlier texts the document's highlights still point into, by hash, for re-anchoring.

        Those whose ``text_hash`` is not the document's current text; a hash
        this database holds no text for (an imported highlight) is left out.
        """
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT hash, text FROM texts WHERE hash IN (SELECT text_hash FROM highlights"
                " WHERE document_id = ? AND text_hash != ?)",
                (document.id, document.text_hash),
            ).fetchall()
        return dict(rows)

    # --- settings ------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A remembered choice (any JSON value), or ``default`` if it was never set."""
        with self._reading() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def delete_setting(self, key: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    def set_setting(self, key: str, value: Any) -> None:
        """Remember a choice; ``value`` must be JSON-serialisable."""
        encoded = json.dumps(value, ensure_ascii=False)
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, encoded),
            )


def _read_header(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(application_id, user_version, schema objects): the first reads, where a bad file shows."""
    application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    objects = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    return application_id, version, objects

"""`margin doctor`: checks a library for damage and drift, and makes only safe repairs.

Checks: SQLite's integrity and foreign keys; highlights that lost their place
(orphans); documents whose file has gone or changed since it was read; the
same text stored as several documents; the search index out of step with the
highlights; texts and settings nothing uses any more. ``fix=True`` repairs
what can be repaired without losing anything a reader made: it rebuilds the
search index and drops unused texts, tags and settings. It never deletes a
document or a highlight, and never touches a database SQLite calls damaged.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from db.store import Store

#: Settings keyed by a document id, which go stale when the document goes.
_PER_DOCUMENT_SETTINGS = ("import_order:",)


@dataclass(slots=True)
class Finding:
    """One thing the doctor found: what, how bad, and what --fix did about it."""

    #: "error" (the database is damaged), "warning" (something to look at) or "info".
    level: str
    message: str
    #: What --fix did, or "" when it did nothing (or was not asked to).
    fixed: str = ""
    #: True if --fix repairs it.
    fixable: bool = False


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """No damage: nothing at "error" level (warnings are for the reader to decide)."""
        return not any(f.level == "error" for f in self.findings)

    def add(self, level: str, message: str, fixed: str = "", *, fixable: bool = False) -> None:
        self.findings.append(Finding(level, message, fixed, fixable))


def examine(store: Store, *, fix: bool = False) -> Report:
    """Check the library; with ``fix``, make the safe repairs (a writable store is needed)."""
    if fix and store.read_only:
        raise ValueError(f"{store.path} is read-only: nothing can be repaired")
    report = Report()
    with store._reading() as conn:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems != ["ok"]:
        for problem in problems[:20]:
            report.add("error", f"integrity: {problem}")
        report.add(
            "error",
            "the database is damaged: copy it somewhere safe before anything else "
            "(margin export --all -f json keeps what can still be read)",
        )
        return report
    if dangling:
        report.add("error", f"{len(dangling)} rows point at rows that do not exist")
        return report
    _orphans(store, report)
    _files(store, report)
    _duplicates(store, report)
    _search_index(store, report, fix)
    _unused(store, report, fix)
    return report


def _orphans(store: Store, report: Report) -> None:
    with store._reading() as conn:
        rows = conn.execute(
            "SELECT d.id, d.title, d.path, count(*) FROM highlights h JOIN documents d"
            " ON d.id = h.document_id WHERE h.status = 'orphan' GROUP BY d.id ORDER BY d.id"
        ).fetchall()
    for doc_id, stored_title, path, count in rows:
        # As the reader names a document without a title: by its file.
        title = stored_title or (os.path.basename(path) if path else "stdin")
        report.add(
            "warning",
            f"document {doc_id} ({_title(title)}): {count} highlight{'' if count == 1 else 's'} "
            "lost their place; re-attach them in the reader (tab to the notes pane)",
        )


def _files(store: Store, report: Report) -> None:
    for document in store.documents():
        path = document.path
        if not path or "://" in path or document.source_hash.startswith("import:"):
            continue
        label = f"document {document.id} ({_title(document.metadata.title or path)})"
        if not os.path.exists(path):
            report.add("info", f"{label}: its file {path} has gone; the stored text still opens")
            continue
        try:
            with open(path, "rb") as file:
                digest = hashlib.sha256(file.read()).hexdigest()
        except OSError as error:
            report.add("warning", f"{label}: its file {path} cannot be read ({error.strerror})")
            continue
        if digest != document.source_hash:
            report.add(
                "info",
                f"{label}: its file changed since it was read; opening it re-anchors "
                "the highlights",
            )


def _duplicates(store: Store, report: Report) -> None:
    with store._reading() as conn:
        rows = conn.execute(
            "SELECT text_hash, group_concat(id, ', ') FROM documents"
            " GROUP BY text_hash HAVING count(*) > 1"
        ).fetchall()
    for _, ids in rows:
        report.add(
            "warning",
            f"documents {ids} hold the same text; delete the ones you do not need "
            "(margin rm DOC) after moving their highlights",
        )


def _search_index(store: Store, report: Report, fix: bool) -> None:
    with store._reading() as conn:
        missing = conn.execute(
            "SELECT count(*) FROM highlights h LEFT JOIN highlights_fts f ON f.rowid = h.rowid"
            " WHERE f.rowid IS NULL OR f.quote IS NOT h.quote OR f.note IS NOT h.note"
            " OR f.tags IS NOT replace(h.tag_names, char(31), ' ')"
        ).fetchone()[0]
        extra = conn.execute(
            "SELECT count(*) FROM highlights_fts f"
            " WHERE NOT EXISTS (SELECT 1 FROM highlights h WHERE h.rowid = f.rowid)"
        ).fetchone()[0]
    if not missing and not extra:
        return
    fixed = ""
    if fix:
        with store._transaction() as conn:
            conn.execute("DELETE FROM highlights_fts")
            conn.execute(
                "INSERT INTO highlights_fts (rowid, quote, note, tags)"
                " SELECT rowid, quote, note, replace(tag_names, char(31), ' ') FROM highlights"
            )
        fixed = "rebuilt the search index"
    report.add(
        "warning",
        f"the search index is out of step: {missing} highlight{'' if missing == 1 else 's'} "
        f"missing or stale in it, {extra} entr{'y' if extra == 1 else 'ies'} for none",
        fixed,
        fixable=True,
    )


def _unused(store: Store, report: Report, fix: bool) -> None:
    with store._reading() as conn:
        texts = conn.execute(
            "SELECT hash FROM texts WHERE hash NOT IN (SELECT text_hash FROM documents)"
            " AND hash NOT IN (SELECT text_hash FROM highlights)"
        ).fetchall()
        tags = conn.execute(
            "SELECT count(*) FROM tags WHERE NOT EXISTS"
            " (SELECT 1 FROM highlight_tags WHERE tag_id = tags.id)"
        ).fetchone()[0]
        ids = {row[0] for row in conn.execute("SELECT id FROM documents")}
        settings = [
            key
            for (key,) in conn.execute("SELECT key FROM settings")
            for prefix in _PER_DOCUMENT_SETTINGS
            if key.startswith(prefix) and not _names_document(key[len(prefix) :], ids)
        ]
    if texts:
        fixed = ""
        if fix:
            with store._transaction() as conn:
                for (digest,) in texts:
                    # Checked again inside the write: another margin may have used it since.
                    conn.execute(
                        "DELETE FROM texts WHERE hash = ?"
                        " AND NOT EXISTS (SELECT 1 FROM documents WHERE text_hash = ?)"
                        " AND NOT EXISTS (SELECT 1 FROM highlights WHERE text_hash = ?)",
                        (digest, digest, digest),
                    )
            fixed = f"deleted {len(texts)} unused text{'' if len(texts) == 1 else 's'}"
        report.add(
            "info",
            f"{len(texts)} stored text{'' if len(texts) == 1 else 's'} no longer used",
            fixed,
            fixable=True,
        )
    if tags:
        fixed = ""
        if fix:
            with store._transaction() as conn:
                conn.execute(
                    "DELETE FROM tags WHERE NOT EXISTS"
                    " (SELECT 1 FROM highlight_tags WHERE tag_id = tags.id)"
                )
            fixed = "deleted them"
        report.add(
            "info", f"{tags} tag{'' if tags == 1 else 's'} on no highlight", fixed, fixable=True
        )
    if settings:
        fixed = ""
        if fix:
            for key in settings:
                store.delete_setting(key)
            fixed = "deleted them"
        report.add(
            "info",
            f"{len(settings)} setting{'' if len(settings) == 1 else 's'} of deleted documents",
            fixed,
            fixable=True,
        )


def _names_document(value: str, ids: set[int]) -> bool:
    return value.isdigit() and int(value) in ids


def _title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= 40 else title[:39] + "…"

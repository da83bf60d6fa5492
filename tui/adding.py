"""`margin add PATH...`: documents into the library without opening them, with a progress bar.

Each argument is a file, a folder (every document in it, recursively) or an
http(s) URL. Each document gets one line on stdout (id, format, title); a
file that fails is reported on stderr with its reason and the others go on.
A summary ends the output; the exit status is 2 if anything failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.cli import UsageError, open_store

if TYPE_CHECKING:
    from db.documents import Progress
    from db.store import Store

#: Suffixes `margin add FOLDER` takes; other files in a folder are not documents.
DOCUMENT_SUFFIXES = frozenset(
    (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub", ".pdf")
)
#: The bar is redrawn at most this often: a terminal over SSH is slow to write to.
_REDRAW_SECONDS = 0.1
_BAR_CELLS = 24


@dataclass(slots=True)
class Outcome:
    """What became of one argument's document."""

    source: str
    status: str  # "added", "known" (already in the library) or "failed"
    id: int | None = None
    format: str = ""
    title: str = ""
    error: str = ""


def run_add(args: argparse.Namespace) -> int:
    from db.paths import default_db_path
    from db.store import StoreError

    sources = list(_sources(args.paths))
    if not sources:
        raise UsageError("no documents to add in " + ", ".join(args.paths))
    db_path = Path(args.db or default_db_path()).expanduser()
    try:
        store = open_store(db_path)
    except StoreError as error:
        raise UsageError(str(error)) from error
    bar = _Bar(sys.stderr, len(sources)) if len(sources) > 1 and _is_terminal(sys.stderr) else None
    outcomes: list[Outcome] = []
    try:
        for index, source in enumerate(sources):
            if bar is not None:
                bar.start(index, source)
            outcome = _add_one(store, source, bar.progress if bar is not None else None)
            outcomes.append(outcome)
            if bar is not None:
                bar.clear()
            if not args.json:
                _report(outcome)
    finally:
        if bar is not None:
            bar.clear()
        store.close()
    if args.json:
        from tui.commands import _json, _print

        _print(_json([_as_json(outcome) for outcome in outcomes]))
    else:
        print(_summary(outcomes), flush=True)
    return 2 if any(outcome.status == "failed" for outcome in outcomes) else 0


def _sources(paths: list[str]) -> Iterator[str]:
    """The files (and URLs) the arguments name: folders walked in name order, hidden files not."""
    from db.fetch import is_url

    for arg in paths:
        if is_url(arg):
            yield arg
        elif os.path.isdir(arg):
            for folder, subfolders, files in os.walk(arg):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and Path(name).suffix.lower() in DOCUMENT_SUFFIXES:
                        yield os.path.join(folder, name)
        else:
            # Named on its own: tried whatever its suffix, so its error says what is wrong.
            yield arg


def _add_one(store: Store, source: str, progress: Progress | None) -> Outcome:
    from db.documents import LoadError, read_source
    from db.fetch import is_url
    from db.library import display_title, open_source, open_url, source_hash
    from db.store import StoreError

    try:
        if is_url(source):
            known = store.find_by_path(source)
            document, loaded = open_url(store, source, progress=progress, mark_opened=False)
            status = "known" if known is not None and known.text_hash == document.text_hash else ""
        else:
            path = os.path.abspath(source)
            data = read_source(path)
            status = "known" if store.find_document(path, source_hash(data)) else ""
            document, loaded = open_source(
                store,
                data,
                path=path,
                name=os.path.basename(path),
                progress=progress,
                mark_opened=False,
            )
    except (LoadError, StoreError) as error:
        return Outcome(source, "failed", error=str(error))
    return Outcome(
        source,
        status or "added",
        id=document.id,
        format=loaded.format,
        title=display_title(document),
    )


def _report(outcome: Outcome) -> None:
    from tui.commands import _one_line

    if outcome.status == "failed":
        print(f"margin: {outcome.error}", file=sys.stderr, flush=True)
        return
    known = "  (already in the library)" if outcome.status == "known" else ""
    print(f"{outcome.id:>5}  {outcome.format:<4}  {_one_line(outcome.title)}{known}", flush=True)


def _summary(outcomes: list[Outcome]) -> str:
    counts = {status: 0 for status in ("added", "known", "failed")}
    for outcome in outcomes:
        counts[outcome.status] += 1
    added = counts["added"]
    parts = [f"Added {added} document{'' if added == 1 else 's'}"]
    if counts["known"]:
        parts.append(f"{counts['known']} already in the library")
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    return ", ".join(parts) + "."


def _as_json(outcome: Outcome) -> dict[str, object]:
    if outcome.status == "failed":
        return {"source": outcome.source, "status": "failed", "error": outcome.error}
    return {
        "source": outcome.source,
        "status": outcome.status,
        "id": outcome.id,
        "format": outcome.format,
        "title": outcome.title,
    }


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Bar:
    """One line on stderr: files done of all, the current file's own progress, its name."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self._stream = stream
        self._total = total
        self._index = 0
        self._name = ""
        self._drawn_at = 0.0

    def start(self, index: int, source: str) -> None:
        from tui.commands import _one_line

        self._index = index
        self._name = _one_line(os.path.basename(source.rstrip("/")) or source)
        self._draw(0.0)

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._drawn_at >= _REDRAW_SECONDS:
            self._draw(done / total if total else 0.0)

    def _draw(self, within: float) -> None:
        self._drawn_at = time.monotonic()
        fraction = (self._index + within) / self._total
        filled = round(fraction * _BAR_CELLS)
        bar = "━" * filled + "─" * (_BAR_CELLS - filled)
        count = f"{self._index + 1}/{self._total}"
        self._stream.write(f"\r\x1b[2K{bar} {count} {self._name[:40]}")
        self._stream.flush()

    def clear(self) -> None:
        self._stream.write("\r\x1b[2K")
        self._stream.flush()

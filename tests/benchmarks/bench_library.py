"""Library benchmarks: 1,000 documents with 100,000 highlights, from `o` to the rows on screen.

Run by hand:

    python tests/benchmarks/bench_library.py [--documents 1000] [--highlights 100000]

It builds a library in a temporary folder: synthetic Markdown documents (the
generator of ``bench_export.py``) written as files and added through
``open_source``, a tenth of the files then deleted (so the table checks and
marks them), most documents opened and read some way, and the highlights
stored with raw batch inserts (30% with notes). Then, at 120x40:

1. in-process (``run_test``): from pushing the library screen over the reader
   to its first paint, and to the first paint with every row (goal: 1 s); the
   parts: ``Store.library()`` and making the rows; a key in the filter, a
   sort key and a page down, each to its repaint;
2. as a whole process in a private tmux server: ``margin --db DB`` (which
   opens on the library) until the rows are on screen, against a bare
   Textual app.

Prints one table and exits 1 if a goal is missed. pytest does not collect this
file (it is not ``test_*.py``) and importing it runs nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_export import document_source, one_transaction
from bench_reader import (
    BARE_APP,
    BARE_MARKER,
    HEIGHT,
    WIDTH,
    Tmux,
    launch,
    machine,
    median,
    ms,
    precompile,
)

if TYPE_CHECKING:
    from db.store import Store

# margin and Textual are imported when a benchmark runs, not when this file is imported.

DOCUMENTS = 1000
HIGHLIGHTS = 100_000
#: From the library brief: pushing the screen to its rows on screen.
ROWS_GOAL_S = 1.0
#: A key in the library (filter, sort, page) to its repaint.
KEY_GOAL_S = 0.1
SEED = 20_261_128
GONE_SHARE = 0.1
OPENED_SHARE = 0.7
NOTE_SHARE = 0.3


@dataclass
class Row:
    metric: str
    value: str
    goal: str
    passed: bool | None  # None: reported, not judged


# -- the synthetic library ---------------------------------------------------------


def build_library(folder: Path, documents: int, highlights: int) -> tuple[Path, int]:
    """The database, and the id of a document to read while the library is pushed over it."""
    from db.library import open_source
    from db.store import Store, utc_now

    rng = random.Random(SEED)
    files = folder / "documents"
    files.mkdir()
    db = folder / "library.db"
    store = Store.open(db)
    made: list[tuple[int, str, str]] = []  # id, text, text hash
    try:
        with one_transaction(store):
            for number in range(documents):
                data = document_source(rng, number)
                path = files / f"study-{number:04d}.md"
                path.write_bytes(data)
                document, loaded = open_source(
                    store,
                    data,
                    path=str(path),
                    name=path.name,
                    mark_opened=rng.random() < OPENED_SHARE,
                )
                if document.opened is not None or rng.random() < 0.5:
                    store.save_position(document.id, rng.randrange(len(loaded.text)))
                made.append((document.id, loaded.text, document.text_hash))
        per = max(1, highlights // max(1, len(made)))
        now = utc_now()
        rows = []
        for doc_id, text, digest in made:
            for _ in range(per):
                start = rng.randrange(max(1, len(text) - 200))
                end = min(len(text), start + rng.randint(20, 200))
                note = f"Note on {start}: worth a second look." if rng.random() < NOTE_SHARE else ""
                rows.append(
                    (
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        doc_id,
                        start,
                        end,
                        text[start:end],
                        text[max(0, start - 32) : start],
                        text[end : end + 32],
                        digest,
                        rng.randint(1, 5),
                        note,
                        now,
                        now,
                    )
                )
        with store._transaction() as conn:
            conn.executemany(
                'INSERT INTO highlights (id, document_id, start, "end", quote, prefix, suffix,'
                " text_hash, color, note, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        reading = made[0][0]
        store.mark_opened(reading)
    finally:
        store.close()
    for path in rng.sample(sorted(files.iterdir()), int(documents * GONE_SHARE)):
        path.unlink()
    return db, reading


# -- in-process ------------------------------------------------------------------------


def timed(function: Callable[[], Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return median(samples)


class Paints:
    """When the library table was first drawn, and first drawn with rows, since ``start``."""

    def __init__(self) -> None:
        from tui.screens.library import LibraryTable

        self.started = 0.0
        self.first: float | None = None
        self.rows: float | None = None
        original = LibraryTable.render_line
        paints = self

        def render_line(table: LibraryTable, y: int) -> Any:
            strip = original(table, y)
            now = time.perf_counter() - paints.started
            if paints.first is None:
                paints.first = now
            if paints.rows is None and y > 0 and table.shown:
                paints.rows = now
            return strip

        LibraryTable.render_line = render_line  # type: ignore[method-assign]

    def start(self) -> None:
        self.started = time.perf_counter()
        self.first = self.rows = None


async def in_process(store: Store, reading: int, runs: int) -> dict[str, list[float]]:
    from tui.app import MarginApp
    from tui.screens.library import LibraryScreen, LibraryTable
    from tui.screens.reader import ReaderScreen

    document = store.get_document(reading)
    app = MarginApp(store, document, store.load_document(document))
    paints = Paints()
    results: dict[str, list[float]] = {
        "first": [],
        "rows": [],
        "filter": [],
        "sort": [],
        "page": [],
    }
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        for _ in range(runs):
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            paints.start()
            reader.action_library()
            deadline = time.perf_counter() + 30
            while paints.rows is None:
                if time.perf_counter() > deadline:
                    raise RuntimeError("the library's rows never reached the screen")
                await asyncio.sleep(0.001)
            assert paints.first is not None
            results["first"].append(paints.first)
            results["rows"].append(paints.rows)
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            table = screen.query_one(LibraryTable)
            await pilot.pause()

            async def key(*keys: str) -> float:
                # To the first repaint of the table after the key: the one that shows it.
                paints.start()
                await pilot.press(*keys)
                if paints.first is None:
                    raise RuntimeError(f"{keys} did not repaint the library")
                return paints.first

            await pilot.press("slash")
            for char in "study 9":
                results["filter"].append(await key(char))
            await pilot.press("escape")
            for _ in range(9):
                results["sort"].append(await key("s"))
            for _ in range(3):
                results["page"].append(await key("pagedown"))
            assert table.shown
            await pilot.press("escape")
            await pilot.pause()
    return results


def in_process_rows(store: Store, reading: int, runs: int) -> list[Row]:
    from tui.screens.library import library_rows

    library = timed(store.library, runs)
    rows = timed(lambda: library_rows(store), runs)
    results = asyncio.run(in_process(store, reading, runs))
    count = len(store.documents())
    first = median(results["first"])
    shown = median(results["rows"])
    worst = max(results["rows"])
    table = [
        Row("Store.library()", ms(library), "", None),
        Row("library rows made (library() + files checked + cells)", ms(rows), "", None),
        Row("push to first paint", ms(first), "", None),
        Row(
            f"push to {count:,} rows on screen (median; worst)",
            f"{ms(shown)}; {ms(worst)}",
            f"≤ {ROWS_GOAL_S:g} s",
            worst <= ROWS_GOAL_S,
        ),
    ]
    for name, label in (("filter", "a key in the filter"), ("sort", "s (sort)"), ("page", "page")):
        samples = results[name]
        table.append(
            Row(
                f"{label} to repaint (median; worst)",
                f"{ms(median(samples))}; {ms(max(samples))}",
                f"≤ {KEY_GOAL_S * 1000:.0f} ms",
                max(samples) <= KEY_GOAL_S,
            )
        )
    return table


# -- whole processes -------------------------------------------------------------------


def process_rows(db: Path, folder: Path, launches: int) -> list[Row]:
    script = Path(sys.executable).with_name("margin")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]
    with_library = shlex.join(["env", f"MARGIN_DB={db}", *program, "--db", str(db)])
    bare_script = folder / "bare.py"
    bare_script.write_text(BARE_APP, encoding="utf-8")
    bare = shlex.join([sys.executable, str(bare_script)])
    from db.store import Store

    with Store.open(db) as store:
        count = len(store.documents())
        # The reader alone on one of the documents, for reference.
        document = next(d for d in store.documents() if d.path and os.path.isfile(d.path))
    marker = f"Library · {count:,} documents"
    one = shlex.join(["env", f"MARGIN_DB={db}", *program, "--db", str(db), str(document.path)])
    commands = ((with_library, marker), (one, document.title), (bare, BARE_MARKER))
    tmux = Tmux()
    try:
        for command in commands:  # warms the page cache and the .pyc files
            launch(tmux, *command)
        times: list[list[float]] = [[], [], []]
        for _ in range(launches):
            # In turn, so that a drift in the machine's load hits all three alike.
            for samples, command in zip(times, commands, strict=True):
                samples.append(launch(tmux, *command)[0])
    finally:
        tmux.close()
    library_time, reader_time, bare_time = (median(samples) for samples in times)
    return [
        Row("launch `margin` to the library's rows on screen", ms(library_time), "", None),
        Row("launch `margin DOC` to the reader (reference)", ms(reader_time), "", None),
        Row("launch a bare Textual app (reference)", ms(bare_time), "", None),
    ]


def print_table(rows: list[Row]) -> None:
    header = ("metric", "value", "goal", "result")
    cells = [header]
    for row in rows:
        verdict = "-" if row.passed is None else ("PASS" if row.passed else "FAIL")
        cells.append((row.metric, row.value, row.goal, verdict))
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    for number, line in enumerate(cells):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--highlights", type=int, default=HIGHLIGHTS)
    parser.add_argument("--runs", type=int, default=5, help="in-process runs (default 5)")
    parser.add_argument("--launches", type=int, default=5, help="process launches (default 5)")
    parser.add_argument("--no-launch", action="store_true", help="skip the tmux launches")
    args = parser.parse_args(argv)
    print(precompile())
    from db.store import Store

    folder = Path(tempfile.mkdtemp(prefix="margin-bench-library-"))
    try:
        started = time.perf_counter()
        db, reading = build_library(folder, args.documents, args.highlights)
        built = time.perf_counter() - started
        with Store.open(db) as store:
            count = len(store.documents())
            highlights = sum(entry.highlights for entry in store.library())
            gone = sum(1 for d in store.documents() if d.path and not os.path.isfile(d.path))
            print(
                f"library: {count:,} documents ({gone} with their file gone), "
                f"{highlights:,} highlights, built in {built:.1f} s; {machine()}"
            )
            rows = in_process_rows(store, reading, args.runs)
        if not args.no_launch and shutil.which("tmux"):
            rows += process_rows(db, folder, args.launches)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print()
    print_table(rows)
    return 1 if any(row.passed is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Annotation benchmarks on a book: 10,000 highlights, the h key and re-anchoring, as one table.

Run by hand, with one book (a text file margin opens, since the book is edited):

    python tests/benchmarks/bench_annotate.py BOOK

The book is copied to a temporary folder and read from there, with temporary
databases: one with 10,000 highlights spread over the book (about 30% with
notes, some with tags), one without. Every figure is a median of several runs at
120x40, measured in the same run as its reference:

1. launching with the highlights against launching without (whole processes,
   alternately, in a private tmux server), and the page repaint of each;
2. ``h`` to the repainted article on about 30 sentences across the book, and
   what the store's write of it costs alone;
3. re-anchoring all the highlights after a sentence is inserted in the middle
   of the book, headless, and how fast keys are answered while the app does it.

Helpers come from ``bench_reader.py`` beside this file. pytest does not collect
this file (it is not ``test_*.py``) and importing it runs nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from bench_reader import (
    HEIGHT,
    KEY_GOAL_MS,
    WIDTH,
    KeyProbe,
    Row,
    Tmux,
    book_marker,
    launch_pairs,
    machine,
    margin_command,
    measure_repaint,
    median,
    ms,
    precompile,
    print_table,
    whole_book,
)

if TYPE_CHECKING:
    from db.models import Document, Highlight, LoadedText
    from db.store import Store

# margin and Textual are imported when a benchmark runs, not when this file is imported.

HIGHLIGHTS = 10_000
#: Shares of the highlights with a note and with tags, and the tags they draw from.
NOTE_SHARE = 0.3
TAG_SHARE = 0.15
TAGS = (
    "character", "war", "peace", "love", "death", "history", "family", "faith",
    "battle", "moscow", "french", "question", "todo", "style", "quote",
)  # fmt: skip
#: Longest highlight made from one sentence; a longer sentence is cut at a word.
LONGEST = 400
#: Fixed, so that two runs on one book make the same highlights.
SEED = 20_260_101
#: Goals, from the benchmark brief.
SLOWDOWN_GOAL = 1.2  # with 10,000 highlights, within this many times the same book without
H_GOAL_MS = 20.0
REANCHOR_GOAL_S = 2.0
#: What the edit inserts in the middle of the book (after a sentence there).
INSERTED = "The benchmark inserts this sentence in the middle of the book. "


def quantity(count: int, what: str) -> str:
    return f"{count:,} {what}{'' if count == 1 else 's'}"


class Timings:
    """Seconds spent in some functions or methods, wrapped while a ``with wrap(...)`` lasts.

    They are the parts of a figure measured whole, so the table can say where
    the time goes without a profiler's overhead in the figure itself.
    """

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = {}

    @contextmanager
    def wrap(
        self, owner: object, name: str, label: str, *, workers_only: bool = False
    ) -> Iterator[None]:
        """Time ``owner.name`` as ``label`` (with ``workers_only``, not on the main thread)."""
        original = getattr(owner, name)
        calls = self.calls.setdefault(label, [])
        main = threading.main_thread()

        def timed(*args: Any, **kwargs: Any) -> Any:
            if workers_only and threading.current_thread() is main:
                return original(*args, **kwargs)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                calls.append(time.perf_counter() - started)

        # On an instance, the wrapper hides the class's method; a module's function is replaced.
        own = isinstance(owner, ModuleType) or name in vars(owner)
        setattr(owner, name, timed)
        try:
            yield
        finally:
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)

    def reset(self) -> None:
        # The lists themselves: the wrappers hold on to them.
        for calls in self.calls.values():
            calls.clear()

    def take(self, label: str) -> float:
        """Seconds in ``label`` since the last take (0.0 if it was not called)."""
        calls = self.calls.get(label, [])
        total = sum(calls)
        calls.clear()
        return total


# -- setup ---------------------------------------------------------------------


def make_highlights(document: Document, loaded: LoadedText, count: int) -> list[Highlight]:
    """``count`` highlights on distinct sentences of paragraphs, spread over the whole book.

    Most are a whole sentence (cut at a word when long), a quarter a run of words
    inside one; colours lean to the first, as a reader's do. Notes are other
    sentences of the book, so that search has real words to index.
    """
    from db.anchoring import make_selector
    from db.models import Highlight
    from db.text import block_sentences

    text = loaded.text
    sentences = [
        sentence
        for block in loaded.blocks
        if block.kind == "paragraph"
        for sentence in block_sentences(text, block)
        if sentence[1] - sentence[0] >= 8
    ]
    if len(sentences) < count:
        raise SystemExit(f"the book has {len(sentences):,} sentences, too few for {count:,}")
    rng = random.Random(SEED)
    chosen = sorted(rng.sample(sentences, count))
    highlights = []
    for start, end in chosen:
        if rng.random() < 0.25:
            # A run of words inside the sentence, from a word start to a word end.
            words = [i for i in range(start, end) if i == start or text[i - 1].isspace()]
            first = rng.choice(words[: max(1, len(words) // 2)])
            last = rng.choice([i for i in words if i > first] or [end])
            end = last if last < end else end
            start = first
        if end - start > LONGEST:
            cut = text.rfind(" ", start, start + LONGEST)
            end = cut if cut > start else start + LONGEST
        end = len(text[start:end].rstrip()) + start
        note = ""
        if rng.random() < NOTE_SHARE:
            note_start, note_end = rng.choice(sentences)
            note = text[note_start : min(note_end, note_start + 300)]
        tags = rng.sample(TAGS, rng.randint(1, 3)) if rng.random() < TAG_SHARE else []
        selector = make_selector(text, start, end)
        highlights.append(
            Highlight(
                id="",
                document_id=document.id,
                start=start,
                end=end,
                quote=selector.quote,
                prefix=selector.prefix,
                suffix=selector.suffix,
                text_hash=document.text_hash,
                color=rng.choices((1, 2, 3, 4, 5), weights=(60, 15, 10, 10, 5))[0],
                note=note,
                tags=tags,
            )
        )
    return highlights


@dataclass
class Book:
    """The copy of the book the benchmark reads (and edits), and its document's databases."""

    path: Path
    data: bytes
    plain_db: Path
    marked_db: Path
    document_id: int = 0
    marker: str = ""
    count: int = 0  # highlights in marked_db
    stored_in: float = 0.0  # seconds add_highlight took for all of them, one by one

    def open(self, db: Path, data: bytes | None = None) -> tuple[Store, Document, LoadedText]:
        """The store and the document, as ``margin BOOK`` opens them (parsed if new)."""
        from db.library import open_source
        from db.store import Store

        store = Store.open(db)
        try:
            source = self.data if data is None else data
            document, loaded = open_source(store, source, path=str(self.path), name=self.path.name)
        except BaseException:
            store.close()
            raise
        return store, document, loaded


def prepare(book: Path, scratch: Path, count: int) -> Book:
    """Copy the book and make its two databases, with and without the highlights."""
    copy = scratch / book.name
    shutil.copyfile(book, copy)
    prepared = Book(copy, copy.read_bytes(), scratch / "plain.db", scratch / "marked.db")
    for db in (prepared.plain_db, prepared.marked_db):
        store, document, loaded = prepared.open(db)
        try:
            prepared.document_id = document.id
            prepared.marker = book_marker(loaded)
            if db == prepared.marked_db:
                highlights = make_highlights(document, loaded, count)
                prepared.count = len(highlights)
                # No bulk insert in the store: one transaction each, as an import would.
                started = time.perf_counter()
                for highlight in highlights:
                    store.add_highlight(highlight)
                prepared.stored_in = time.perf_counter() - started
        finally:
            store.close()  # no connection of ours open while margin launches
    return prepared


def copy_db(source: Path, target: Path) -> Path:
    """A copy of a closed database (closing checkpoints its journal into the file)."""
    for end in ("-wal", "-shm"):
        if source.with_name(source.name + end).exists():
            raise RuntimeError(f"{source} is still open somewhere: {end} beside it")
    shutil.copyfile(source, target)
    return target


def remove_db(db: Path) -> None:
    for end in ("", "-wal", "-shm"):
        db.with_name(db.name + end).unlink(missing_ok=True)


# -- 1. launch and repaint, with and without --------------------------------------


def launch_rows(tmux: Tmux, book: Book, pairs: int) -> list[Row]:
    marked = (margin_command(book.path, book.marked_db), book.marker)
    plain = (margin_command(book.path, book.plain_db), book.marker)
    times, peaks = launch_pairs(tmux, marked, plain, pairs)
    ratio = median([m / p for m, p in times])
    size = len(book.data)
    return [
        Row(
            book.path.name,
            f"launch to first screen, {quantity(book.count, 'highlight')}",
            ms(median([m for m, _ in times])),
            f"without {ms(median([p for _, p in times]))}",
            f"{ratio:.2f}x (goal <= {SLOWDOWN_GOAL}x)",
            ratio <= SLOWDOWN_GOAL,
        ),
        Row(
            book.path.name,
            "peak RSS (VmHWM) with the highlights",
            f"{median([m for m, _ in peaks]) / 2**20:.1f} MB",
            f"without {median([p for _, p in peaks]) / 2**20:.1f} MB",
            f"+{median([(m - p) / size for m, p in peaks]):.1f}x file",
            None,
        ),
    ]


async def app_repaint(book: Book, db: Path, pages: int) -> dict[str, list[float]]:
    from tui.app import MarginApp
    from tui.widgets.article import ArticleView

    store, document, loaded = book.open(db)
    try:
        app = MarginApp(store, document, loaded)
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            article = app.screen.query_one(ArticleView)
            await whole_book(pilot, article)
            return await measure_repaint(pilot, article, pages)
    finally:
        store.close()


def repaint_rows(book: Book, pages: int, rounds: int) -> list[Row]:
    marked: dict[str, list[float]] = {}
    plain: dict[str, list[float]] = {}
    for _ in range(rounds):
        # Alternately, as the launches are, so that drifts in load hit both alike.
        for db, samples in ((book.marked_db, marked), (book.plain_db, plain)):
            for position, values in asyncio.run(app_repaint(book, db, pages)).items():
                samples.setdefault(position, []).extend(values)
    rows = []
    for position, values in marked.items():
        value, reference = median(values), median(plain[position])
        ratio = value / reference
        rows.append(
            Row(
                book.path.name,
                f"page repaint, {position}, highlights (median of {len(values)})",
                ms(value),
                f"without {ms(reference)}",
                f"{ratio:.2f}x (goal <= {SLOWDOWN_GOAL}x)",
                ratio <= SLOWDOWN_GOAL,
            )
        )
    return rows


# -- 2. h -------------------------------------------------------------------------


@dataclass
class Presses:
    """What each h measured (seconds), one entry per sentence."""

    total: list[float] = field(default_factory=list)
    write: list[float] = field(default_factory=list)
    reread: list[float] = field(default_factory=list)
    annotator: list[float] = field(default_factory=list)
    pane: list[float] = field(default_factory=list)
    options: list[float] = field(default_factory=list)
    article: list[float] = field(default_factory=list)
    rows: int = 0  # the article's visible rows


def free_sentences(
    loaded: LoadedText, anchored: Callable[[int, int], bool], count: int
) -> list[int]:
    """A start of ``count`` sentences spread over the book that h would not merge into others."""
    from db.text import block_index_at, block_sentences

    text, blocks = loaded.text, loaded.blocks
    found = []
    for number in range(count):
        wanted = (2 * number + 1) * len(text) // (2 * count)
        for block in blocks[block_index_at(blocks, wanted) :]:
            if block.kind != "paragraph":
                continue
            # A highlight of its colour that overlaps or touches the sentence would merge.
            free = [
                start
                for start, end in block_sentences(text, block)
                if start >= wanted and not anchored(start - 1, end + 1)
            ]
            if free:
                found.append(free[0])
                break
    return found


async def bench_h(book: Book, db: Path, count: int) -> Presses:
    from tui.app import MarginApp
    from tui.screens.reader import ReaderScreen
    from tui.widgets.article import ArticleView
    from tui.widgets.notes import NotesPane

    store, document, loaded = book.open(db)
    presses = Presses()
    timings = Timings()
    try:
        app = MarginApp(store, document, loaded)
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            screen = app.screen
            assert isinstance(screen, ReaderScreen)
            article = screen.query_one(ArticleView)
            await whole_book(pilot, article)
            annotator = screen.annotator
            starts = free_sentences(loaded, lambda s, e: bool(annotator.overlapping(s, e)), count)
            height = presses.rows = article.scrollable_content_region.height
            with (
                timings.wrap(store, "add_highlight", "write"),
                timings.wrap(store, "highlights", "reread"),
                timings.wrap(annotator, "highlight", "annotator"),
                timings.wrap(screen.query_one(NotesPane), "show", "pane"),
                timings.wrap(screen.query_one(NotesPane).list, "set_entries", "options"),
            ):
                for start in starts:
                    article.move_cursor(start, center=True)
                    await pilot.pause()
                    before = len(annotator.highlights)
                    timings.reset()
                    # h as the binding runs it, then every row the compositor asks the
                    # article for; the notes pane is rebuilt inside the action.
                    started = time.perf_counter()
                    screen.action_highlight()
                    acted = time.perf_counter()
                    for y in range(height):
                        article.render_line(y)
                    done = time.perf_counter()
                    if len(annotator.highlights) != before + 1:
                        raise RuntimeError(f"h at {start} did not make one new highlight")
                    presses.total.append(done - started)
                    presses.article.append(done - acted)
                    presses.write.append(timings.take("write"))
                    presses.reread.append(timings.take("reread"))
                    presses.annotator.append(timings.take("annotator"))
                    presses.pane.append(timings.take("pane"))
                    presses.options.append(timings.take("options"))
                    await pilot.pause()
    finally:
        store.close()
    return presses


def h_rows(book: Book, presses: Presses) -> list[Row]:
    name = book.path.name
    total = median(presses.total)
    count = len(presses.total)

    def part(label: str, values: list[float], what: str) -> Row:
        share = median(values) / total if total else float("nan")
        return Row(name, label, ms(median(values)), f"{share:.0%} of h", what, None)

    return [
        Row(
            name,
            f"h to repainted article (median of {count})",
            ms(total),
            f"max {ms(max(presses.total))}",
            f"goal <= {H_GOAL_MS:.0f} ms",
            total * 1000 <= H_GOAL_MS,
        ),
        part("  store write alone", presses.write, "Store.add_highlight"),
        part(
            "  annotator, write + re-read",
            presses.annotator,
            f"Annotator.highlight; Store.highlights: {ms(median(presses.reread))}",
        ),
        part("  notes pane updated", presses.pane, "NotesPane.show"),
        part("    entries measured", presses.options, "HighlightList.set_entries"),
        part(
            "  article rows drawn", presses.article, f"render_line x {presses.rows}, cache cleared"
        ),
    ]


# -- 3. re-anchoring ------------------------------------------------------------


def edited(data: bytes) -> bytes:
    """The book with one sentence inserted after the first sentence end past its middle."""
    middle = len(data) // 2
    at = data.find(b". ", middle)
    if at < 0:
        raise SystemExit("no sentence end in the second half of the book to insert after")
    return data[: at + 2] + INSERTED.encode() + data[at + 2 :]


def make_stale(book: Book, scratch: Path) -> tuple[Path, int]:
    """A copy of the highlights' database after the book changed: every highlight to re-anchor.

    The edited book is written over the copy, and opened as ``margin BOOK`` would
    open it (parsed, the document moved to the new text), so the worker the reader
    starts on opening it, and reanchor_document, have the whole of it to do.
    """
    book.path.write_bytes(edited(book.data))
    stale = copy_db(book.marked_db, scratch / "stale.db")
    store, document, _loaded = book.open(stale, book.path.read_bytes())
    try:
        waiting = [h for h in store.highlights(document.id) if h.text_hash != document.text_hash]
    finally:
        store.close()
    return stale, len(waiting)


@dataclass
class InApp:
    """One re-anchoring in the app (seconds): from the worker's start to the highlights shown."""

    total: float = 0.0
    waking: float = 0.0  # until the worker, let go, runs again
    worker: float = 0.0  # reanchor_document, in the worker's thread
    reading: float = 0.0
    finding: float = 0.0
    writing: float = 0.0
    shown: float = 0.0  # the highlights re-read and listed, on the UI thread
    idle_keys: list[float] = field(default_factory=list)
    keys: list[float] = field(default_factory=list)

    @property
    def ui(self) -> float:
        """From the worker's end to the highlights shown: the UI thread's part."""
        return self.total - self.waking - self.worker


@dataclass
class Reanchoring:
    """What re-anchoring measured (seconds)."""

    counts: Counter[str] = field(default_factory=Counter)
    headless: list[float] = field(default_factory=list)
    finding: list[float] = field(default_factory=list)
    reading: list[float] = field(default_factory=list)
    writing: list[float] = field(default_factory=list)
    quiet: list[InApp] = field(default_factory=list)  # in the app, no keys sent
    busy: list[InApp] = field(default_factory=list)  # in the app, keys sent all along


def bench_reanchor_headless(
    book: Book, stale: Path, scratch: Path, runs: int, results: Reanchoring
) -> None:
    from db import anchoring
    from db.annotate import reanchor_document
    from db.store import Store

    timings = Timings()
    for _ in range(runs):
        # A fresh copy each time: a run writes the new anchors, leaving nothing stale.
        db = copy_db(stale, scratch / "reanchor.db")
        store = Store.open(db)
        try:
            document = store.get_document(book.document_id)
            text = store.load_document(document).text
            with (
                timings.wrap(anchoring, "reanchor_all", "finding"),
                timings.wrap(store, "highlights", "reading"),
                timings.wrap(store, "update_highlights", "writing"),
            ):
                started = time.perf_counter()
                counts = reanchor_document(store, document.id, text, document.text_hash)
                results.headless.append(time.perf_counter() - started)
            results.finding.append(timings.take("finding"))
            results.reading.append(timings.take("reading"))
            results.writing.append(timings.take("writing"))
            results.counts = counts
        finally:
            store.close()
            remove_db(db)


async def bench_reanchor_in_app(book: Book, db: Path, with_keys: bool) -> InApp:
    """Re-anchoring as the reader does on opening the changed book, with keys sent or none."""
    from db import anchoring, annotate
    from tui.app import MarginApp
    from tui.screens.reader import ReaderScreen
    from tui.widgets.article import ArticleView
    from tui.widgets.notes import NotesPane

    # The reader starts re-anchoring on opening the book, while the book is wrapped;
    # the worker waits here until the wrap is done, so the keys time it alone.
    gate = threading.Event()
    original = annotate.reanchor_document
    woke: list[float] = []
    finished: list[float] = []

    def gated(*args: Any, **kwargs: Any) -> Counter[str]:
        gate.wait(60)
        woke.append(time.perf_counter())
        try:
            return original(*args, **kwargs)
        finally:
            finished.append(time.perf_counter())

    results = InApp()
    timings = Timings()
    annotate.reanchor_document = gated  # type: ignore[assignment]
    store, document, loaded = book.open(db, book.path.read_bytes())
    try:
        app = MarginApp(store, document, loaded)
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            screen = app.screen
            assert isinstance(screen, ReaderScreen)
            article = screen.query_one(ArticleView)
            await whole_book(pilot, article)
            keys = KeyProbe(app, article)
            if with_keys:
                for _ in range(20):
                    results.idle_keys.append(await keys.latency())
                    await asyncio.sleep(0.002)
            before = screen.annotator.highlights
            with (
                timings.wrap(store, "highlights", "reading", workers_only=True),
                timings.wrap(anchoring, "reanchor_all", "finding"),
                timings.wrap(store, "update_highlights", "writing"),
                timings.wrap(screen.query_one(NotesPane), "show", "shown"),
            ):
                started = time.perf_counter()
                gate.set()
                # Until the highlights are re-read on the UI thread and listed: that is
                # the last step, and keys wait for it like for any other.
                while screen.annotator.highlights is before:
                    if with_keys:
                        results.keys.append(await keys.latency())
                        # Twenty keys a second, a fast reader's pace. Keys sent back to
                        # back keep the UI thread busy for good, and the worker's SQLite
                        # steps then each wait out the GIL's switch interval.
                        await asyncio.sleep(0.05)
                    else:
                        await asyncio.sleep(0.005)
                    if time.perf_counter() - started > 120:
                        raise RuntimeError("re-anchoring in the app did not finish in 120 s")
                results.total = time.perf_counter() - started
                results.waking = woke[0] - started
                results.worker = finished[0] - woke[0]
                await pilot.pause()
            results.reading = timings.take("reading")
            results.finding = timings.take("finding")
            results.writing = timings.take("writing")
            results.shown = timings.take("shown")
    finally:
        gate.set()
        annotate.reanchor_document = original
        store.close()
    return results


def reanchor_rows(book: Book, waiting: int, results: Reanchoring) -> list[Row]:
    name = book.path.name
    headless = median(results.headless)
    counts = results.counts
    statuses = ("exact", "moved", "fuzzy", "orphan")
    found = ", ".join(f"{counts[s]:,} {s}" for s in statuses if counts[s])
    runs = len(results.headless)

    def part(label: str, values: list[float], what: str) -> Row:
        value = median(values)
        return Row(name, label, f"{value:.2f} s", f"{value / headless:.0%} of it", what, None)

    def in_app(label: str, runs: list[InApp]) -> Row:
        def typical(attribute: str) -> float:
            return median([getattr(run, attribute) for run in runs])

        return Row(
            name,
            f"{label} (median of {len(runs)})",
            f"{typical('total'):.2f} s",
            f"worker {typical('worker'):.2f} s: read {typical('reading'):.2f}, "
            f"search {typical('finding'):.2f}, write {typical('writing'):.2f}",
            f"then UI thread {typical('ui'):.2f} s, listing {typical('shown'):.2f} s",
            None,
        )

    during = [key for run in results.busy for key in run.keys]
    idle = [key for run in results.busy for key in run.idle_keys]
    worst = max(during, default=float("nan"))
    return [
        Row(
            name,
            f"re-anchor {waiting:,} after an edit (median of {runs})",
            f"{headless:.2f} s",
            found or "nothing re-anchored",
            f"goal <= {REANCHOR_GOAL_S:g} s; reanchor_document, headless",
            headless <= REANCHOR_GOAL_S and sum(counts.values()) == waiting,
        ),
        part("  diff and search", results.finding, "anchoring.reanchor_all"),
        part("  highlights read", results.reading, "Store.highlights, twice"),
        part("  written", results.writing, "Store.update_highlights, one transaction"),
        in_app("re-anchor in the app, no keys", results.quiet),
        in_app("re-anchor in the app, keys sent", results.busy),
        Row(
            name,
            f"key latency while re-anchoring (max of {len(during):,})",
            ms(worst),
            f"idle max {ms(max(idle))}",
            f"goal <= {KEY_GOAL_MS:.0f} ms; median {ms(median(during))}",
            bool(during) and worst * 1000 <= KEY_GOAL_MS,
        ),
    ]


# -- driver ---------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("book", type=Path, metavar="BOOK")
    parser.add_argument("--pairs", type=int, default=9, help="launch pairs (9)")
    parser.add_argument("--pages", type=int, default=30, help="page-downs per position (30)")
    parser.add_argument("--rounds", type=int, default=2, help="apps per database for repaint (2)")
    parser.add_argument("--sentences", type=int, default=30, help="sentences highlighted (30)")
    parser.add_argument("--runs", type=int, default=3, help="re-anchorings of each kind (3)")
    parser.add_argument(
        "--highlights", type=int, default=HIGHLIGHTS, help=f"highlights ({HIGHLIGHTS:,})"
    )
    args = parser.parse_args(argv)

    note = precompile()
    print(f"margin annotation benchmarks, {machine()}; {note}.", flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as folder:
        scratch = Path(folder)
        book = args.book.absolute()
        print(f"{book.name}: {args.highlights:,} highlights", end="", flush=True)
        prepared = prepare(book, scratch, args.highlights)
        print(f" stored in {prepared.stored_in:.1f} s; launches", end="", flush=True)
        tmux = Tmux()
        try:
            rows.extend(launch_rows(tmux, prepared, args.pairs))
        finally:
            tmux.close()
        print("; repaint", end="", flush=True)
        rows[1:1] = repaint_rows(prepared, args.pages, args.rounds)
        print("; h", end="", flush=True)
        h_db = copy_db(prepared.marked_db, scratch / "h.db")
        rows.extend(h_rows(prepared, asyncio.run(bench_h(prepared, h_db, args.sentences))))
        print("; re-anchoring", flush=True)
        stale, waiting = make_stale(prepared, scratch)
        results = Reanchoring()
        bench_reanchor_headless(prepared, stale, scratch, args.runs, results)
        for _ in range(args.runs):
            # Alternately, with keys and without, each on a fresh copy.
            for with_keys, runs in ((False, results.quiet), (True, results.busy)):
                app_db = copy_db(stale, scratch / "app.db")
                runs.append(asyncio.run(bench_reanchor_in_app(prepared, app_db, with_keys)))
                remove_db(app_db)
        rows.extend(reanchor_rows(prepared, waiting, results))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}\n")
    print_table(rows)
    return 0 if all(row.passed is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

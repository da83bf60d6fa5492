"""Reader benchmarks on real books: launch, page repaint, rewrap and peak memory, as one table.

Run by hand, with one or more books (any file margin opens):

    python tests/benchmarks/bench_reader.py BOOK [BOOK ...] [--marker TEXT ...]

Every figure is a median of several runs, measured in the same run as its
reference, at 120x40. Launch and memory run whole processes in a private tmux
server; repaint and rewrap run the app in-process with ``App.run_test``. The
database is a temporary file unless ``--db`` names one, so the user's library
is never touched. pytest does not collect this file (it is not ``test_*.py``)
and importing it runs nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

    from db.models import Document, LoadedText
    from db.store import Store
    from tui.layout import Layout
    from tui.widgets.article import ArticleView

# margin and Textual are imported when a benchmark runs, not when this file is imported.

WIDTH, HEIGHT = 120, 40
#: Terminal width that leaves a 60-column measure (below 80 columns the notes pane is an overlay).
NARROW_WIDTH = 65
#: Goals, from DESIGN.md ("Rendering long documents") and the benchmark brief.
LAUNCH_GOAL = 1.5  # margin's first screen within this many times a bare Textual app's
REPAINT_GOAL_MS = 5.0
#: A repaint is "flat" if no position is more than this many times slower than the start.
REPAINT_FLAT = 2.0
MEMORY_GOAL = 10.0  # extra peak RSS over the bare app, in multiples of the file's size
#: A key handled within three 60 Hz frames still feels immediate. Wrapping on the UI
#: thread would hold a key for the whole build; off it, the worker only shares the GIL.
KEY_GOAL_MS = 50.0
POLL = 0.010
LAUNCH_TIMEOUT = 30.0

BARE_MARKER = "bare-textual-app-ready"
BARE_APP = f"""\
from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static({BARE_MARKER!r})


Bare().run()
"""


@dataclass
class Row:
    book: str
    metric: str
    value: str
    reference: str
    goal: str
    passed: bool | None  # None: reported, not judged


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# -- whole processes in tmux ----------------------------------------------------


class Tmux:
    """A private tmux server (its own socket, no config), so the user's sessions are untouched."""

    def __init__(self) -> None:
        self.base = ["tmux", "-L", f"margin-bench-{os.getpid()}", "-f", "/dev/null"]
        # Started from inside tmux, the client would otherwise talk about nesting.
        self.env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        self._count = 0
        # A session that lives throughout keeps one server for every launch, so no
        # launch pays for starting it; a program that fails leaves its last screen.
        self.run("new-session", "-d", "-s", "keeper", "exec sleep 3600")
        self.run("set-option", "-g", "remain-on-exit", "on")

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, env=self.env, check=False
        )
        return done.stdout

    def start(self, command: str) -> str:
        self._count += 1
        name = f"s{self._count}"
        # exec: the pane's pid is the program's, not a shell's.
        run = f"exec {command}"
        self.run("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), run)
        return name

    def pid(self, session: str) -> int | None:
        out = self.run("display", "-p", "-t", session, "#{pane_pid}").strip()
        return int(out) if out.isdigit() else None

    def screen(self, session: str, history: int = 0) -> str:
        return self.run("capture-pane", "-p", "-t", session, "-S", str(-history))

    def stop(self, session: str, pid: int | None) -> None:
        self.run("kill-session", "-t", session)
        # Wait for the process to be gone, so the next launch does not share the CPU with it.
        deadline = time.monotonic() + 5
        while pid is not None and Path(f"/proc/{pid}").exists():
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                deadline = time.monotonic() + 5
            time.sleep(POLL)

    def close(self) -> None:
        socket = self.run("display-message", "-p", "#{socket_path}").strip()
        self.run("kill-server")
        # tmux leaves its socket file behind; one per run would pile up in its folder.
        if socket:
            Path(socket).unlink(missing_ok=True)


def cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def peak_rss_after_settling(pid: int, timeout: float = 10.0) -> int | None:
    """VmHWM in bytes once the process has stopped using CPU (a book's background wrap done)."""
    deadline = time.monotonic() + timeout
    last, quiet = cpu_ticks(pid), 0
    while quiet < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
        now = cpu_ticks(pid)
        quiet = quiet + 1 if now == last else 0
        last = now
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def launch(tmux: Tmux, command: str, marker: str) -> tuple[float, int]:
    """Seconds from starting ``command`` to ``marker`` on screen, and its peak RSS after that."""
    started = time.perf_counter()
    session = tmux.start(command)
    pid = tmux.pid(session)
    try:
        while True:
            if marker in tmux.screen(session):
                elapsed = time.perf_counter() - started
                break
            waited = time.perf_counter() - started
            if pid is None or not Path(f"/proc/{pid}").exists() or waited > LAUNCH_TIMEOUT:
                why = "it exited" if waited <= LAUNCH_TIMEOUT else f"{LAUNCH_TIMEOUT:.0f} s"
                last = tmux.screen(session, history=200).strip()[-3000:]
                raise RuntimeError(
                    f"no {marker!r} on screen ({why}) running {command}; its last screen:\n{last}"
                )
            time.sleep(POLL)
        peak = peak_rss_after_settling(pid)
        if peak is None:
            raise RuntimeError(f"could not read the memory of {command}")
        return elapsed, peak
    finally:
        tmux.stop(session, pid)


def margin_command(book: Path, db: Path) -> str:
    script = Path(sys.executable).with_name("margin")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]
    return shlex.join(["env", f"MARGIN_DB={db}", *program, "--db", str(db), str(book)])


def launch_pairs(
    tmux: Tmux, first: tuple[str, str], second: tuple[str, str], pairs: int
) -> tuple[list[tuple[float, float]], list[tuple[int, int]]]:
    """Launch two (command, marker)s alternately ``pairs`` times: (seconds, peak RSS) per pair.

    Each is launched once first, unmeasured: that warms the page cache, and margin's
    first use of its database (the document's entry was made in-process).
    """
    launch(tmux, *first)
    launch(tmux, *second)
    times: list[tuple[float, float]] = []
    peaks: list[tuple[int, int]] = []
    for _ in range(pairs):
        # Alternately, so drifts in machine load hit both alike.
        first_time, first_peak = launch(tmux, *first)
        second_time, second_peak = launch(tmux, *second)
        times.append((first_time, second_time))
        peaks.append((first_peak, second_peak))
    return times, peaks


def bench_processes(
    tmux: Tmux, book: Path, db: Path, marker: str, bare_script: Path, pairs: int
) -> list[Row]:
    margin_cmd = margin_command(book, db)
    bare_cmd = shlex.join([sys.executable, str(bare_script)])
    times, peaks = launch_pairs(tmux, (margin_cmd, marker), (bare_cmd, BARE_MARKER), pairs)
    ratio = median([m / b for m, b in times])
    size = book.stat().st_size
    margin_peak = median([m for m, _ in peaks])
    bare_peak = median([b for _, b in peaks])
    extra = median([(m - b) / size for m, b in peaks])
    name = book.name
    return [
        Row(
            name,
            "launch to first screen",
            ms(median([m for m, _ in times])),
            f"bare app {ms(median([b for _, b in times]))}",
            f"{ratio:.2f}x (goal <= {LAUNCH_GOAL}x)",
            ratio <= LAUNCH_GOAL,
        ),
        Row(
            name,
            "peak RSS (VmHWM)",
            f"{margin_peak / 2**20:.1f} MB",
            f"bare app {bare_peak / 2**20:.1f} MB",
            f"+{extra:.1f}x file (goal <= {MEMORY_GOAL:.0f}x of {size / 2**20:.1f} MB)",
            extra <= MEMORY_GOAL,
        ),
    ]


# -- the app in-process ---------------------------------------------------------


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


def first_text_row(layout: Layout, row: int) -> int:
    """The text offset of the first non-blank row at or after ``row``."""
    while True:
        found = layout.row(row)
        if found is not None:
            return found.start
        row += 1


async def whole_book(pilot: Pilot[None], article: ArticleView) -> Layout:
    """The article's layout once the whole book is wrapped (a long one starts with a window)."""
    await wait_until(
        lambda: article.layout is not None and not article.layout.is_window,
        30,
        "the whole book to be wrapped",
    )
    await pilot.pause()
    layout = article.layout
    assert layout is not None
    return layout


async def measure_repaint(
    pilot: Pilot[None], article: ArticleView, pages: int
) -> dict[str, list[float]]:
    """Seconds per page key at the start, middle and end of the book, ``pages`` of each.

    What one page key costs, from the action to every row the compositor asks for;
    between pages the app paints, so the line cache holds just what the previous
    page left. The cursor is back at the start afterwards.
    """
    layout = article.layout
    assert layout is not None
    height = article.scrollable_content_region.height
    page = max(1, height - 2)
    span = pages * page + height
    positions = {
        "start": 0,
        "middle": max(0, layout.total_rows // 2 - span // 2),
        "end": max(0, layout.total_rows - span - 1),
    }
    repaint: dict[str, list[float]] = {}
    for name, row in positions.items():
        article.move_cursor(first_text_row(layout, row), top=True)
        await pilot.pause()
        samples = []
        for _ in range(pages):
            started = time.perf_counter()
            article.action_page_down()
            for y in range(height):
                article.render_line(y)
            samples.append(time.perf_counter() - started)
            await pilot.pause()
        repaint[name] = samples
    article.move_cursor(0, top=True)
    await pilot.pause()
    return repaint


class KeyProbe:
    """Times a ``j`` from the driver to its action, without waiting for the app to go idle.

    The key is sent as Pilot.press sends it, but timed to its action instead of
    awaiting Pilot.press: that waits for the whole process to go idle, which it
    cannot while a worker runs.
    """

    def __init__(self, app: App[None], article: ArticleView) -> None:
        self.app = app
        self.handled = asyncio.Event()
        original = article.action_line_down

        def probe() -> None:
            original()
            self.handled.set()

        article.action_line_down = probe  # type: ignore[method-assign]
        driver = app._driver
        assert driver is not None
        self.driver = driver

    async def latency(self) -> float:
        """Seconds from sending the key to its action having run."""
        from textual import events

        self.handled.clear()
        key = events.Key("j", "j")
        key.set_sender(self.app)
        started = time.perf_counter()
        self.driver.send_message(key)
        await asyncio.wait_for(self.handled.wait(), 10)
        return time.perf_counter() - started


def working(app: App[None], group: str) -> bool:
    """Whether a worker of ``group`` is pending or running."""
    from textual.worker import WorkerState

    return any(
        worker.group == group and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for worker in app.workers
    )


@dataclass
class InProcess:
    """What one run of the app in-process measured (seconds)."""

    measure: int = 0
    repaint: dict[str, list[float]] = field(default_factory=dict)
    build_narrow: float = 0.0
    build_again: float = 0.0
    narrow_measure: int = 0
    idle_keys: list[float] = field(default_factory=list)
    wrapping_keys: list[float] = field(default_factory=list)
    wraps_in_app: list[float] = field(default_factory=list)


async def bench_in_process(
    store: Store, document: Document, loaded: LoadedText, pages: int
) -> InProcess:
    from textual import events
    from textual.geometry import Size

    from tui.app import MarginApp
    from tui.layout import Layout
    from tui.widgets.article import ArticleView

    app = MarginApp(store, document, loaded)
    results = InProcess()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        article = app.screen.query_one(ArticleView)
        layout = await whole_book(pilot, article)
        results.measure = layout.width

        # 2. Page repaint.
        results.repaint = await measure_repaint(pilot, article, pages)

        # 3a. Wrapping the whole book for a new width, as the worker does, on this thread;
        # the reference is wrapping it again for the width it has.
        narrow, again = [], []
        for _ in range(3):
            started = time.perf_counter()
            Layout(article.text, article.blocks, 60)
            narrow.append(time.perf_counter() - started)
            started = time.perf_counter()
            Layout(article.text, article.blocks, layout.width)
            again.append(time.perf_counter() - started)
        results.build_narrow, results.build_again = median(narrow), median(again)

        # 3b. Keys while the worker wraps.
        keys = KeyProbe(app, article)
        driver = keys.driver

        def wrapping() -> bool:
            return working(app, "layout")

        for _ in range(20):
            results.idle_keys.append(await keys.latency())
            await asyncio.sleep(0.002)
        # Several wraps each way: one lasts a fraction of a second, a few dozen keys.
        for cycle in range(6):
            size = Size(NARROW_WIDTH if cycle % 2 == 0 else WIDTH, HEIGHT)
            # What Pilot.resize_terminal does, minus its pause (which would wait out the wrap).
            driver._size = size  # type: ignore[attr-defined]
            started = time.perf_counter()
            app.post_message(events.Resize(size, size))
            await wait_until(wrapping, 5, "the layout worker to start")
            # Until the new layout is on screen: installing it is on the UI thread too.
            while (
                wrapping()
                or article.layout is None
                or article.layout.width != (article._text_width())
            ):
                results.wrapping_keys.append(await keys.latency())
                if time.perf_counter() - started > 30:
                    raise RuntimeError("the layout for the new width never arrived")
            results.wraps_in_app.append(time.perf_counter() - started)
            if cycle % 2 == 0:
                results.narrow_measure = article.layout.width
            await pilot.pause()
    return results


def in_process_rows(name: str, results: InProcess, pages: int) -> list[Row]:
    rows = []
    repaint = {position: median(samples) for position, samples in results.repaint.items()}
    start = repaint["start"]
    for position, value in repaint.items():
        spread = value / start if start else float("nan")
        flat = position == "start" or spread <= REPAINT_FLAT
        rows.append(
            Row(
                name,
                f"page repaint, {position} (median of {pages})",
                ms(value),
                "-" if position == "start" else f"start {ms(start)}",
                f"goal <= {REPAINT_GOAL_MS:.0f} ms"
                + (
                    "" if position == "start" else f"; {spread:.2f}x start (<= {REPAINT_FLAT:.0f}x)"
                ),
                value * 1000 <= REPAINT_GOAL_MS and flat,
            )
        )
    rows.append(
        Row(
            name,
            "wrap whole book, measure 60",
            ms(results.build_narrow),
            f"measure {results.measure}: {ms(results.build_again)}",
            f"in the app, keys arriving: {ms(median(results.wraps_in_app))} "
            f"({WIDTH}<->{NARROW_WIDTH} cols, measure {results.measure}<->"
            f"{results.narrow_measure})",
            None,
        )
    )
    during = results.wrapping_keys
    worst = max(during, default=float("nan"))
    rows.append(
        Row(
            name,
            f"key latency while wrapping (max of {len(during)})",
            ms(worst),
            f"idle max {ms(max(results.idle_keys))}",
            f"goal <= {KEY_GOAL_MS:.0f} ms; median {ms(median(during))}",
            bool(during) and worst * 1000 <= KEY_GOAL_MS,
        )
    )
    return rows


# -- driver ---------------------------------------------------------------------


def precompile() -> str:
    """Compile margin's packages, as an install would, and say what was done."""
    dirs = []
    for package in ("db", "tui", "themes"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            dirs.extend(spec.submodule_search_locations)
    # py_compile writes .pyc files even under PYTHONDONTWRITEBYTECODE; the launches then
    # read them, where an editable install would otherwise recompile margin every time.
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], check=True)
    where = os.path.dirname(dirs[0]) if dirs else "?"
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return (
            f"margin from {where}; PYTHONDONTWRITEBYTECODE is set, so its modules were "
            "precompiled with compileall: launches measure what an installed margin does"
        )
    return f"margin from {where}; its modules precompiled with compileall"


def machine() -> str:
    """The screen size and what the figures depend on: Python, CPUs and the load now."""
    return (
        f"{WIDTH}x{HEIGHT}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )


def book_marker(loaded: LoadedText) -> str:
    """The first 30 characters of the first block, up to its first line break."""
    text, blocks = loaded.text, loaded.blocks
    if not blocks:
        raise SystemExit("an empty document has no first screen to wait for; pass --marker")
    block = blocks[0]
    return text[block.start : min(block.end, block.start + 30)].split("\n")[0].strip()


def print_table(rows: list[Row]) -> None:
    header = ("book", "metric", "margin", "reference", "ratio / goal", "result")
    cells = [header]
    for row in rows:
        verdict = "-" if row.passed is None else ("PASS" if row.passed else "FAIL")
        cells.append((row.book, row.metric, row.value, row.reference, row.goal, verdict))
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    for number, line in enumerate(cells):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            print(rule)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("books", nargs="+", type=Path, metavar="BOOK")
    parser.add_argument(
        "--marker",
        action="append",
        default=[],
        help="text on the book's first screen, once per book in order "
        "(default: the start of its first block)",
    )
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument("--pairs", type=int, default=9, help="launch pairs per book (9)")
    parser.add_argument("--pages", type=int, default=30, help="page-downs per position (30)")
    args = parser.parse_args(argv)

    from db.library import open_source
    from db.store import Store

    note = precompile()
    print(f"margin reader benchmarks, {machine()}; {note}.", flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as scratch:
        db = (args.db or Path(scratch) / "margin.db").absolute()
        bare_script = Path(scratch) / "bare_app.py"
        bare_script.write_text(BARE_APP, encoding="utf-8")
        tmux = Tmux()
        try:
            for index, book in enumerate(args.books):
                book = book.absolute()
                print(f"{book.name}: ", end="", flush=True)
                # The same path and name as the CLI gives, so launches find this entry.
                source = dict(data=book.read_bytes(), path=str(book), name=book.name)
                store = Store.open(db)
                try:
                    _document, loaded = open_source(store, **source)
                finally:
                    store.close()  # no connection of ours open while margin launches
                marker = args.marker[index] if index < len(args.marker) else book_marker(loaded)
                print(f"marker {marker!r}; launches", end="", flush=True)
                process_rows = bench_processes(tmux, book, db, marker, bare_script, args.pairs)
                print("; in-process", flush=True)
                store = Store.open(db)
                try:
                    document, loaded = open_source(store, **source)
                    started_at = document.position
                    results = asyncio.run(bench_in_process(store, document, loaded, args.pages))
                    # The reader saved where the page keys left it; a reused --db should
                    # open where it did before.
                    store.save_position(document.id, started_at)
                finally:
                    store.close()
                rows.extend(process_rows[:1])
                rows.extend(in_process_rows(book.name, results, args.pages))
                rows.extend(process_rows[1:])
        finally:
            tmux.close()
    print(f"load average at the end: {os.getloadavg()[0]:.2f}\n")
    print_table(rows)
    return 0 if all(row.passed is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

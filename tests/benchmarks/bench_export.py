"""Export benchmarks on a synthetic library: ``margin export --all`` timed and its memory watched.

Run by hand:

    python tests/benchmarks/bench_export.py [--documents 1000] [--highlights 100000] [--runs 3]

It builds a library in a temporary database: synthetic Markdown documents (a
few paragraphs each under front matter, every title distinct, some kinds of
work set) and highlights spread evenly over them (30% noted, 20% tagged, some
moved, fuzzy or orphaned), stored through ``Store.add_highlight`` itself in one
transaction. The library grows in three steps, a quarter, a half and all of
it, each step copied aside, so memory is compared across sizes of one library.

Every export runs as a whole process, as a user runs it:
``margin export --all -f FORMAT -o TARGET --db DB``. Its time is the wall
clock from start to exit, a median of ``--runs``; its peak memory is that
process's own ``ru_maxrss``. Goals: Markdown (a folder of one file per
document) in 5 s and W3C JSON in 3 s for the whole library, and memory flat:
exports stream a document at a time, so what an export holds must not grow
with the library. SQLite's page cache does grow with it, up to its fixed
limit, so an export's own memory is its peak less that of a process that only
reads the library as exports do (see :data:`FLAT_BYTES_PER_HIGHLIGHT`). CSV
and BibTeX (and with ``--all-formats`` HTML and CSL-JSON) are measured too,
unjudged. An export that misses its time goal is run once more under
cProfile, and where its time goes is printed. Prints one table; exits 1 if a
goal is missed. pytest does not collect this file (it is not ``test_*.py``)
and importing it runs nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.models import Highlight
    from db.store import Store

# margin is imported when a benchmark runs, not when this file is imported.

DOCUMENTS = 1000
HIGHLIGHTS = 100_000
RUNS = 3
#: Seconds for the whole library, as whole processes (from the export brief).
TIME_GOALS = {"md": 5.0, "json": 3.0}
#: Every format, the judged ones first: (format, one file per document?).
FORMATS = (("md", True), ("json", False), ("csv", False), ("bibtex", False))
EXTRA_FORMATS = (("html", True), ("csl-json", False))
#: The library sizes memory is compared at, as fractions of the whole.
STEPS = (4, 2, 1)
#: "Flat" memory: the peak may grow by at most this many bytes per highlight
#: added to the library. Holding a library's highlights or their text takes
#: well over 500 bytes each (a Highlight with its strings, or its JSON); what
#: an export keeps per document (its record, a citekey, a file name) and
#: SQLite's page cache filling up to its fixed limit stay far below.
FLAT_BYTES_PER_HIGHLIGHT = 100
#: Growth below this is a one-off cost at any size, not the library's: the
#: allocator's arenas, or a module imported on first need (the Markdown export
#: loads markdown-it for the first note that could open a block, 2 MiB).
FLAT_NOISE = 4 * 2**20
#: The library is the same on every run.
SEED = 20261128

WORDS = (
    "the", "of", "and", "a", "to", "in", "is", "was", "that", "it", "for", "on", "with", "as",
    "his", "her", "at", "by", "from", "they", "which", "this", "be", "an", "or", "had", "not",
    "but", "were", "all", "there", "when", "what", "one", "their", "said", "river", "lantern",
    "harbour", "winter", "letter", "garden", "evening", "silence", "market", "window", "memory",
    "promise", "journey", "distance", "shadow", "morning", "question", "answer", "country",
    "reader", "margin", "chapter", "passage", "quiet", "ledger", "orchard", "compass",
    "meridian", "café", "naïve", "façade", "Zürich", "Ελλάδα", "東京", "‘quoted’", "“double”",
    "—", "–", "…", "2026", "19th",
)  # fmt: skip
#: A few characters every format escapes somewhere, so escaping is measured too.
HOSTILE = ("a_b", "*stars*", "#hash", "<tag>", "R&D", "100%", "$5", "{braces}", "=SUM(1)")
NOUNS = (
    "river", "lantern", "harbour", "letter", "garden", "market", "window", "memory", "journey",
    "shadow",
)  # fmt: skip
ADJECTIVES = (
    "quiet", "distant", "early", "late", "northern", "hidden", "second", "small", "patient",
    "bright",
)  # fmt: skip
TAGS = (
    "history", "fiction", "topic/asylum", "topic/exile", "method", "to-read", "quote",
    "argument", "evidence", "question", "Zürich", "東京", "work/draft", "work/final",
)  # fmt: skip
AUTHORS = (
    "Jane Austen", "Ludwig van Beethoven", "Лев Толстой", "World Health Organization",
    "Martin Luther King, Jr.", "Chinua Achebe", "Murasaki Shikibu", "Gabriel García Márquez",
)  # fmt: skip
KINDS = ("", "book", "article", "webpage", "report")


@dataclass
class Row:
    metric: str
    value: str
    goal: str
    passed: bool | None  # None: reported, not judged


@dataclass
class Run:
    seconds: float
    peak: int  # bytes


# -- the synthetic library ---------------------------------------------------------


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 22))]
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), rng.choice(HOSTILE))
    return " ".join(words).capitalize() + rng.choice(".?!.")


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))


def document_source(rng: random.Random, number: int) -> bytes:
    """One Markdown document: front matter, a title, a few paragraphs under two headings."""
    title = f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}, study {number}"
    authors = rng.sample(AUTHORS, rng.randint(1, 2))
    lines = [
        "---",
        f'title: "{title}"',
        "authors:",
        *(f'  - "{author}"' for author in authors),
        f"date: {rng.randint(1850, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        f"url: https://example.org/library/{number}?lang=en&v=2",
        f"tags: {', '.join(rng.sample(TAGS, 2))}",
        "---",
        "",
        f"# {title}",
        "",
    ]
    for part in ("I", "II"):
        lines += [f"## Part {part}", ""]
        for _ in range(rng.randint(2, 4)):
            lines += [paragraph(rng), ""]
    return "\n".join(lines).encode("utf-8")


def synthetic_highlights(
    rng: random.Random, document_id: int, text: str, digest: str, count: int
) -> list[Highlight]:
    """``count`` highlights on ``text``: word-aligned ranges, 30% noted, 20% tagged, some moved."""
    from db.anchoring import make_selector
    from db.models import Highlight

    starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == " ")]
    made = []
    for _ in range(count):
        start = rng.choice(starts)
        end = min(len(text), start + rng.randint(20, 300))
        while end > start and text[end - 1].isspace():
            end -= 1
        selector = make_selector(text, start, end)
        roll = rng.random()
        status, score = "exact", 1.0
        if roll < 0.03:
            status = "moved"
        elif roll < 0.05:
            status, score = "fuzzy", round(rng.uniform(0.7, 0.99), 2)
        elif roll < 0.06:
            status = "orphan"
        note = ""
        if rng.random() < 0.3:
            note = sentence(rng) if rng.random() < 0.7 else f"{sentence(rng)}\n\n- {sentence(rng)}"
        tags = rng.sample(TAGS, rng.randint(1, 3)) if rng.random() < 0.2 else []
        moment = rng.randrange(1_700_000_000, 1_800_000_000)
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
        made.append(
            Highlight(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                document_id=document_id,
                start=selector.start,
                end=selector.end,
                quote=selector.quote,
                prefix=selector.prefix,
                suffix=selector.suffix,
                text_hash=digest,
                color=rng.randint(1, 5),
                note=note,
                tags=tags,
                status=status,
                score=score,
                created=created,
            )
        )
    return made


@contextlib.contextmanager
def one_transaction(store: Store) -> Iterator[None]:
    """Every write inside the block in one transaction, through the store's own methods.

    Setup only: the store commits each write on its own (a durable change per
    keypress). Here ``Store._transaction`` is shadowed, for this store object
    alone, by the transaction already open, so ``add_highlight`` and the rest
    run their own checks and statements unchanged, and the rows are exactly
    theirs; only the commits are one.
    """
    with store._transaction() as conn:
        store._transaction = lambda: contextlib.nullcontext(conn)  # type: ignore[method-assign]
        try:
            yield
        finally:
            del store._transaction


def add_documents(store: Store, rng: random.Random, first: int, last: int, per: int) -> int:
    """Documents ``first`` to ``last - 1`` with ``per`` highlights each; the highlights made."""
    from db.library import open_source
    from db.metadata import apply_assignments

    made = 0
    with one_transaction(store):
        for number in range(first, last):
            data = document_source(rng, number)
            path = f"/library/synthetic/study-{number:04d}.md"
            document, loaded = open_source(store, data, path=path, name=Path(path).name)
            kind = KINDS[number % len(KINDS)]
            if kind:
                metadata = apply_assignments(document.metadata, [f"kind={kind}"])
                if kind == "article":
                    metadata = apply_assignments(metadata, ["container=Journal of Margins"])
                store.update_metadata(document.id, metadata)
            for highlight in synthetic_highlights(
                rng, document.id, loaded.text, document.text_hash, per
            ):
                store.add_highlight(highlight)
                made += 1
    return made


def build_libraries(folder: Path, documents: int, highlights: int) -> list[tuple[int, int, Path]]:
    """The library at each step, copied aside: (documents, highlights, database) per step."""
    from db.store import Store

    rng = random.Random(SEED)
    per, extra = divmod(highlights, documents)
    if extra:
        raise SystemExit("--highlights must be a multiple of --documents")
    db = folder / "building.db"
    built = []
    done = 0
    total = 0
    for step in STEPS:
        size = documents // step
        store = Store.open(db)
        try:
            total += add_documents(store, rng, done, size, per)
        finally:
            store.close()  # checkpoints the WAL: the copy is the whole database
        done = size
        copy = folder / f"library-{size}.db"
        shutil.copyfile(db, copy)
        # Nothing may be left in a -wal file beside it: the copy is checked whole.
        with contextlib.closing(sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)) as conn:
            counted = conn.execute("SELECT count(*) FROM highlights").fetchone()[0]
        if counted != total:
            raise RuntimeError(f"the copied library holds {counted} highlights, not {total}")
        built.append((size, total, copy))
    return built


# -- whole processes ---------------------------------------------------------------

#: Runs one command and writes its wall time, exit status and peak RSS (KiB on
#: Linux) to the file named first. A process forked from this benchmark would
#: count the benchmark's own pages in its peak (ru_maxrss survives exec), so a
#: small interpreter starts each export and measures it, as /usr/bin/time does.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""

#: What every export does before its format writes a word: each document's
#: highlights read and placed (db.exporting.export_item), then dropped. Its peak
#: is the interpreter, the modules and SQLite's page cache; an export's peak
#: above it is what the export itself holds.
READ_ONLY = """
import sys
from db.exporting import export_item
from db.store import Store
store = Store.open(sys.argv[1], create=False)
for document in sorted(store.documents(), key=lambda d: d.id):
    item = export_item(store, document)
    for highlight in item.highlights:
        item.locate(highlight)
store.close()
"""


def margin_program() -> list[str]:
    script = Path(sys.executable).with_name("margin")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


def measure(command: list[str], scratch: Path) -> Run:
    """``command`` as its own process: its wall time and its own peak RSS."""
    result, log = scratch / "measured.txt", scratch / "output.log"
    with log.open("wb") as output:
        launcher = [sys.executable, "-S", "-c", LAUNCHER, str(result), *command]
        subprocess.run(launcher, stdin=subprocess.DEVNULL, stdout=output, stderr=output, check=True)
    seconds, status, peak = result.read_text().split()
    if int(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{log.read_text(errors='replace')}")
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    return Run(float(seconds), int(peak) * (1 if sys.platform == "darwin" else 1024))


def export_runs(db: Path, fmt: str, per_document: bool, scratch: Path, runs: int) -> list[Run]:
    """``runs`` exports of the library, each to a fresh folder (or file), removed after."""
    results = []
    for number in range(runs):
        target = scratch / f"out-{fmt}-{number}{'' if per_document else '.out'}"
        command = [*margin_program(), "export", "--all", "-f", fmt, "-o", str(target)]
        results.append(measure([*command, "--db", str(db)], scratch))
        if per_document:
            count = sum(1 for _ in target.iterdir())
            shutil.rmtree(target)
        else:
            count = 1 if target.stat().st_size else 0
            target.unlink()
        if count == 0:
            raise RuntimeError(f"the {fmt} export wrote nothing")
    return results


def read_runs(db: Path, scratch: Path, runs: int) -> list[Run]:
    return [measure([sys.executable, "-c", READ_ONLY, str(db)], scratch) for _ in range(runs)]


def profile_export(db: Path, fmt: str, per_document: bool, scratch: Path, count: int = 12) -> str:
    """Where one export's time goes, by cProfile: the costliest functions, own and cumulative."""
    import pstats

    profile = scratch / f"{fmt}.prof"
    target = scratch / f"profiled-{fmt}{'' if per_document else '.out'}"
    program = margin_program()
    program = program[2:] if program[0] == sys.executable else program
    command = [sys.executable, "-m", "cProfile", "-o", str(profile), *program]
    command += ["export", "--all", "-f", fmt, "-o", str(target), "--db", str(db)]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    if per_document:
        shutil.rmtree(target)
    else:
        target.unlink()
    stats = pstats.Stats(str(profile))
    rows = [
        (own, cumulative, calls, f"{short_path(file)}:{line}({function})")
        for (file, line, function), (_, calls, own, cumulative, _) in stats.stats.items()  # type: ignore[attr-defined]
    ]
    total = stats.total_tt  # type: ignore[attr-defined]
    lines = [f"{fmt} export under cProfile: {total:.2f} s (profiling slows Python code down)"]
    heading = f"  {'own s':>7}  {'cum s':>7}  {'calls':>9}  function"
    lines += ["costliest by own time:", heading]
    lines += [
        f"  {own:7.2f}  {cum:7.2f}  {calls:9d}  {where}"
        for own, cum, calls, where in sorted(rows, reverse=True)[:count]
    ]
    # margin's own functions by cumulative time: which of its lines leads there.
    ours = [row for row in rows if re.search(r"^(db|tui)/", row[3])]
    lines += ["margin's functions by cumulative time:", heading]
    lines += [
        f"  {own:7.2f}  {cum:7.2f}  {calls:9d}  {where}"
        for own, cum, calls, where in sorted(ours, key=lambda row: -row[1])[:count]
    ]
    return "\n".join(lines) + "\n"


def short_path(file: str) -> str:
    """A profiled file as margin's repository or the standard library names it."""
    for package in ("db", "tui"):
        marker = f"/{package}/"
        if marker in file and "site-packages" not in file:
            return package + "/" + file.rsplit(marker, 1)[1]
    return file.rsplit("/lib/python3", 1)[-1].split("/", 1)[-1] if "/lib/python3" in file else file


# -- the table ---------------------------------------------------------------------


def mib(size: float) -> str:
    return f"{size / 2**20:.1f}"


def time_row(metric: str, runs: list[Run], goal: float | None) -> Row:
    seconds = statistics.median(run.seconds for run in runs)
    spread = f"{min(r.seconds for r in runs):.2f}-{max(r.seconds for r in runs):.2f}"
    return Row(
        metric,
        f"{seconds:.2f} s (runs {spread})",
        f"<= {goal:g} s" if goal is not None else "-",
        seconds <= goal if goal is not None else None,
    )


@dataclass
class Size:
    """One step of the library: its size and the peak of reading it alone."""

    documents: int
    highlights: int
    db: Path
    reading: int = 0  # peak RSS in bytes


def memory_row(fmt: str, sizes: list[Size], peaks: list[int]) -> Row:
    """Peak RSS at each size, and whether what the export holds grows with the library.

    Judged on the export's own memory, its peak less reading's at the same
    size: SQLite's page cache grows with the library up to its fixed limit in
    both, and would otherwise look like an export that keeps what it read.
    """
    own = [peak - size.reading for peak, size in zip(peaks, sizes, strict=True)]
    added = sizes[-1].highlights - sizes[0].highlights
    per_highlight = (own[-1] - own[0]) / added
    flat = own[-1] - own[0] <= max(FLAT_BYTES_PER_HIGHLIGHT * added, FLAT_NOISE)
    return Row(
        f"peak RSS {fmt} ({'/'.join(str(s.documents) for s in sizes)} docs): "
        + ("flat, streamed" if flat else "GROWS with the library"),
        " / ".join(mib(peak) for peak in peaks)
        + " MiB; own "
        + " / ".join(mib(o) for o in own)
        + f" ({per_highlight:+.0f} B/hl)",
        f"own <= {FLAT_BYTES_PER_HIGHLIGHT} B/hl or {mib(FLAT_NOISE)} MiB",
        flat,
    )


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


# -- driver ------------------------------------------------------------------------


def precompile() -> str:
    """Compile margin's packages, as an install would, so no run pays for compiling them."""
    dirs = []
    for package in ("db", "tui"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            dirs.extend(spec.submodule_search_locations)
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], check=True)
    return f"margin from {os.path.dirname(dirs[0]) if dirs else '?'}, precompiled"


def cache_bytes() -> int:
    from db.store import _CACHE_KIB

    return _CACHE_KIB * 1024


def machine() -> str:
    return (
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS, help="(1000)")
    parser.add_argument("--highlights", type=int, default=HIGHLIGHTS, help="(100000)")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per export, median (3)")
    parser.add_argument(
        "--all-formats", action="store_true", help="also html and csl-json (unjudged)"
    )
    parser.add_argument(
        "--no-profile",
        dest="profile",
        action="store_false",
        help="do not profile an export that misses its time goal",
    )
    args = parser.parse_args(argv)
    if args.documents % STEPS[0] or args.highlights % args.documents:
        raise SystemExit(
            f"--documents must be a multiple of {STEPS[0]}, --highlights of --documents"
        )

    print(f"margin export benchmarks, {machine()}; {precompile()}.", flush=True)
    formats = FORMATS + (EXTRA_FORMATS if args.all_formats else ())
    times: list[Row] = []
    memory: list[Row] = []
    profiles: list[str] = []
    with tempfile.TemporaryDirectory(prefix="margin-bench-export-") as scratch_name:
        scratch = Path(scratch_name)
        started = time.perf_counter()
        sizes = [
            Size(*built) for built in build_libraries(scratch, args.documents, args.highlights)
        ]
        whole = sizes[-1]
        print(
            f"built {whole.documents:,} documents and {whole.highlights:,} highlights in "
            f"{time.perf_counter() - started:.1f} s ({mib(whole.db.stat().st_size)} MiB database, "
            f"SQLite cache {mib(cache_bytes())} MiB)",
            flush=True,
        )
        library = f"{whole.documents:,} docs, {whole.highlights:,} highlights"
        for size in sizes:
            reading = read_runs(size.db, scratch, args.runs if size is whole else 1)
            size.reading = int(statistics.median(run.peak for run in reading))
        # The loop ends on the whole library: its reading is the one timed.
        times.append(time_row(f"read library alone ({library})", reading, None))
        memory.append(
            Row(
                f"peak RSS reading alone ({'/'.join(str(s.documents) for s in sizes)} docs)",
                " / ".join(mib(size.reading) for size in sizes) + " MiB",
                "-",
                None,
            )
        )
        for fmt, per_document in formats:
            print(f"{fmt}: ", end="", flush=True)
            runs = export_runs(whole.db, fmt, per_document, scratch, args.runs)
            where = "-o DIR" if per_document else "-o FILE"
            times.append(
                time_row(f"export -f {fmt} {where} ({library})", runs, TIME_GOALS.get(fmt))
            )
            peaks = [
                export_runs(size.db, fmt, per_document, scratch, 1)[0].peak for size in sizes[:-1]
            ]
            peaks.append(int(statistics.median(run.peak for run in runs)))
            memory.append(memory_row(fmt, sizes, peaks))
            print(times[-1].value, flush=True)
            if times[-1].passed is False and args.profile:
                profiles.append(profile_export(whole.db, fmt, per_document, scratch))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}\n")
    for profile in profiles:
        print(profile)
    print_table(times + memory)
    return 0 if all(row.passed is not False for row in times + memory) else 1


if __name__ == "__main__":
    sys.exit(main())

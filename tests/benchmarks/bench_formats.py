"""Opening books that need parsing: a 4 MB EPUB and a 500-page PDF, first open and reopen.

Run by hand:

    python tests/benchmarks/bench_formats.py [FILE ...] [--runs N]

Generates the two books into a temporary folder (tests/epubgen.py and
tests/pdfgen.py), adds any FILE given (an EPUB, PDF or web page from the
corpus, say), and for each prints: the headless parse (``load_path``, best of
three), the first open in a real terminal (``margin FILE`` in a private tmux
server on a new database each time, from launch until the first words of the
document are on screen: loading screen, parse, store and the reader's first
paint) and the reopen (the same database again, the text from the store).
Goal: the first screen within 2 s. Exits 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCHMARKS), str(BENCHMARKS.parent)]

from bench_reader import (  # noqa: E402 - after the path is set
    Row,
    Tmux,
    book_marker,
    launch,
    machine,
    margin_command,
    ms,
    precompile,
    print_table,
)

FIRST_SCREEN_GOAL = 2.0
EPUB_CHAPTERS = 1170  # about 4.0 MB zipped, 9.9 M characters
PDF_PAGES = 500


def make_books(folder: Path) -> list[Path]:
    from epubgen import book_chapters, make_epub
    from pdfgen import book as pdfgen_book

    epub = folder / "big.epub"
    epub.write_bytes(
        make_epub(book_chapters(EPUB_CHAPTERS), title="A Long Book", authors=["A. Writer"])
    )
    pdf = folder / "long.pdf"
    pdf.write_bytes(pdfgen_book(PDF_PAGES))
    return [epub, pdf]


def best_parse(path: Path) -> tuple[float, str]:
    from db.documents import load_path

    times, marker = [], ""
    for _ in range(3):
        started = time.perf_counter()
        loaded, _ = load_path(path)
        times.append(time.perf_counter() - started)
        marker = book_marker(loaded)
    return min(times), marker


def bench(tmux: Tmux, path: Path, runs: int, folder: Path) -> list[Row]:
    name = path.name
    parse, marker = best_parse(path)
    size = f"{path.stat().st_size / 1e6:.1f} MB"
    rows = [Row(name, f"parse ({size})", ms(parse), "-", "-", None)]
    firsts, reopens = [], []
    for run in range(runs):
        db = folder / f"{name}-{run}.db"
        firsts.append(launch(tmux, margin_command(path, db), marker)[0])
        reopens.append(launch(tmux, margin_command(path, db), marker)[0])
    first, reopen = statistics.median(firsts), statistics.median(reopens)
    rows.append(
        Row(
            name,
            "first open to first screen",
            ms(first),
            "-",
            f"≤ {FIRST_SCREEN_GOAL:.0f} s",
            first <= FIRST_SCREEN_GOAL,
        )
    )
    rows.append(
        Row(
            name,
            "reopen to first screen",
            ms(reopen),
            "-",
            f"≤ {FIRST_SCREEN_GOAL:.0f} s",
            reopen <= FIRST_SCREEN_GOAL,
        )
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
    parser.add_argument("--runs", type=int, default=5, help="launches of each (default 5)")
    args = parser.parse_args(argv)
    print(precompile())
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as tmp:
        folder = Path(tmp)
        books = [*make_books(folder), *args.files]
        tmux = Tmux()
        try:
            for path in books:
                rows.extend(bench(tmux, path, args.runs, folder))
        finally:
            tmux.close()
    print(machine())
    print_table(rows)
    return 0 if all(row.passed is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Importing highlights: Kindle clippings and Readwise exports into a new library, timed.

Run by hand:

    python tests/benchmarks/bench_import.py [FILE ...]

Without FILE, imports the copies in tests/fixtures (the 674-entry German
"My Clippings.txt", the Chinese one, both Readwise CSVs). For each, prints the
parse, the import into an empty database (in-process, median of --runs), a
second import of the same file (everything a duplicate), and the whole
``margin import`` command as a process. Goal: the German file within 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DEFAULT_FILES = [
    FIXTURES / "kindle" / "de-dapepe.txt",
    FIXTURES / "kindle" / "zh-herechen.txt",
    FIXTURES / "readwise" / "readwise-export-sample.csv",
    FIXTURES / "readwise" / "readwise-export-2026-document-tags.csv",
]
GOAL_SECONDS = 2.0


def parse(path: Path) -> tuple[float, object]:
    from db.imports.detect import decode_import, detect_import_format
    from db.imports.kindle import parse_kindle
    from db.imports.readwise import parse_readwise

    data = path.read_bytes()
    started = time.perf_counter()
    fmt = detect_import_format(path.name, data)
    text = decode_import(data)
    parsed = parse_kindle(text) if fmt == "kindle" else parse_readwise(text)
    return time.perf_counter() - started, parsed


def import_times(path: Path, runs: int, folder: Path) -> tuple[float, float, int]:
    from db.imports.importer import import_books
    from db.store import Store

    firsts, seconds, added = [], [], 0
    for run in range(runs):
        with Store.open(folder / f"{path.stem}-{run}.db") as store:
            _, parsed = parse(path)
            started = time.perf_counter()
            added = import_books(store, parsed).added  # type: ignore[arg-type]
            firsts.append(time.perf_counter() - started)
            _, parsed = parse(path)
            started = time.perf_counter()
            import_books(store, parsed)  # type: ignore[arg-type]
            seconds.append(time.perf_counter() - started)
    return statistics.median(firsts), statistics.median(seconds), added


def command_time(path: Path, folder: Path) -> float:
    script = Path(sys.executable).with_name("margin")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]
    db = folder / f"{path.stem}-command.db"
    started = time.perf_counter()
    subprocess.run(
        [*program, "import", "--db", str(db), str(path)], check=True, capture_output=True
    )
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    files = args.files or DEFAULT_FILES
    rows = [("file", "highlights", "parse", "import", "again", "command", "goal")]
    passed = True
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as tmp:
        folder = Path(tmp)
        for path in files:
            parse_time = min(parse(path)[0] for _ in range(args.runs))
            first, again, added = import_times(path, args.runs, folder)
            command = command_time(path, folder)
            ok = command <= GOAL_SECONDS
            passed &= ok
            rows.append(
                (
                    path.name,
                    str(added),
                    f"{parse_time * 1000:.0f} ms",
                    f"{first * 1000:.0f} ms",
                    f"{again * 1000:.0f} ms",
                    f"{command * 1000:.0f} ms",
                    f"≤ {GOAL_SECONDS:.0f} s {'PASS' if ok else 'FAIL'}",
                )
            )
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

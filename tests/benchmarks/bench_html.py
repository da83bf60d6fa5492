"""HTML loader benchmark: how much of each corpus page's article it keeps, and how fast.

Run by hand:

    python tests/benchmarks/bench_html.py [CORPUS_DIR] [--runs 5]

CORPUS_DIR (default ``../shared/corpus/html`` from the repository's root)
holds one folder per page, as Mozilla Readability's test suite lays them out:
``source.html`` (the page), ``expected.html`` (the article Readability
extracts) and ``expected-metadata.json`` (its title, byline, language). Each
page is loaded with ``parse_html`` in this process, ``--runs`` times, and the
best time kept. Prints one table, a row per page:

- title: "yes" if our title and the expected one are equal once case, spacing
  and punctuation are set aside; "part" if one holds the other (a site's name
  one of them drops: "Friday Facts #282 | Factorio"); "no" otherwise;
- byline: "yes" if every name of the expected byline is among our authors, or
  both are empty; "extra" if we found authors where it has none; "no" otherwise;
- lang: our language against the expected one ("-" where none is expected);
- recall: the share of the expected article's words (as a multiset, case
  folded; a CJK character is a word) that our text keeps;
- noise: the share of our words that are not in the expected article;
- ms: the best extraction time of the runs, in milliseconds.

Goal: a median time of at most 200 ms per page. Exits 1 if it is missed.
pytest does not collect this file (it is not ``test_*.py``) and importing it
runs nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "html"
RUNS = 5
#: Milliseconds, the median over the corpus pages.
TIME_GOAL_MS = 200.0
#: A CJK character on its own, or a run of other letters and digits.
_WORDS = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|"
    r"[^\W_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
)
_BYLINE_NAMES = re.compile(r"[^\W\d_][\w'’.-]*")
_BYLINE_FILLER = frozenset(("by", "and", "with", "avec", "et", "und", "von", "par"))


@dataclass
class Row:
    page: str
    title: str
    byline: str
    language: str
    recall: float
    noise: float
    ms: float
    blocks: int


def words(text: str) -> Counter[str]:
    return Counter(_WORDS.findall(unicodedata.normalize("NFKC", text).casefold()))


def key(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def title_match(ours: str, expected: str) -> str:
    a, b = key(ours), key(expected)
    if a == b:
        return "yes"
    if a and b and (a in b or b in a):
        return "part"
    return "no"


def byline_match(authors: list[str], expected: str | None) -> str:
    names = [
        name.casefold()
        for name in _BYLINE_NAMES.findall(expected or "")
        if name.casefold() not in _BYLINE_FILLER
    ]
    if not names:
        return "extra" if authors else "yes"
    ours = {name.casefold() for author in authors for name in _BYLINE_NAMES.findall(author)}
    return "yes" if all(name in ours for name in names) else "no"


def language_match(ours: str, expected: str | None) -> str:
    if not expected:
        return "-"
    return "yes" if ours.casefold() == expected.casefold() else f"no ({ours or 'none'})"


def expected_text(path: Path) -> str:
    from lxml import html

    data = path.read_bytes()
    if not data.strip():
        return ""
    tree = html.fromstring(data.decode("utf-8"))
    return " ".join(tree.itertext())


def measure(folder: Path, runs: int) -> Row:
    from db.documents.html import parse_html

    data = (folder / "source.html").read_bytes()
    expected = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    best = float("inf")
    loaded = None
    for _ in range(runs):
        start = time.perf_counter()
        loaded = parse_html(data, folder.name)
        best = min(best, time.perf_counter() - start)
    assert loaded is not None
    theirs = words(expected_text(folder / "expected.html"))
    ours = words(loaded.text)
    kept = sum((theirs & ours).values())
    return Row(
        page=folder.name,
        title=title_match(loaded.metadata.title, expected.get("title") or ""),
        byline=byline_match(loaded.metadata.authors, expected.get("byline")),
        language=language_match(loaded.metadata.language, expected.get("lang")),
        recall=kept / max(1, sum(theirs.values())),
        noise=1 - kept / max(1, sum(ours.values())),
        ms=best * 1000,
        blocks=len(loaded.blocks),
    )


def print_table(rows: list[Row]) -> None:
    header = ("page", "title", "byline", "lang", "recall", "noise", "ms", "blocks")
    cells = [header]
    for row in rows:
        cells.append(
            (
                row.page,
                row.title,
                row.byline,
                row.language,
                f"{row.recall:.2f}",
                f"{row.noise:.2f}",
                f"{row.ms:.1f}",
                str(row.blocks),
            )
        )
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    for number, line in enumerate(cells):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            print(rule)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=RUNS, help=f"loads per page ({RUNS})")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(f"skipped: no corpus at {corpus}")
        return 0
    folders = sorted(p for p in corpus.iterdir() if (p / "source.html").is_file())
    if not folders:
        print(f"skipped: no pages (*/source.html) in {corpus}")
        return 0
    # The first load imports trafilatura and its dependencies: not the page's time.
    from db.documents.html import parse_html

    parse_html(b"<html><body><p>warm up</p></body></html>", "warm-up")
    rows = [measure(folder, max(1, args.runs)) for folder in folders]
    print(f"HTML loader on {len(rows)} pages from {corpus} (best of {args.runs} runs each)\n")
    print_table(rows)
    times = [row.ms for row in rows]
    median = statistics.median(times)
    passed = median <= TIME_GOAL_MS
    print(
        f"\nrecall: mean {statistics.mean(r.recall for r in rows):.2f}, "
        f"min {min(r.recall for r in rows):.2f}; "
        f"noise: mean {statistics.mean(r.noise for r in rows):.2f}, "
        f"max {max(r.noise for r in rows):.2f}"
    )
    print(
        f"time: median {median:.1f} ms, max {max(times):.1f} ms "
        f"(goal: median <= {TIME_GOAL_MS:.0f} ms) {'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

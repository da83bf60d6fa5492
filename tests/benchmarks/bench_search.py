"""Search benchmark: 1,000 documents with 100,000 highlights, each kind of query timed.

Run by hand (it needs no book and no tmux):

    python tests/benchmarks/bench_search.py [--documents N] [--highlights N] [--runs N]

A temporary database gets ``--documents`` synthetic articles (about 20 KB of
text each, words drawn from a skewed vocabulary so that some are common and
most are rare) through ``Store.add_document``, and ``--highlights`` highlights
spread over them, written with plain SQL in one transaction (the search
triggers fill the index as they would for the app): 30% with a note, 15%
with tags, colours 1-5, created over 2024-2026. Then each kind of query runs
``--runs`` times over a few variants, headless (``db.search.search``, limit
50, the Locators cleared before every run so that each pays for reading its
texts), and a table prints the median and the worst time per kind. Goal: a
median of at most 100 ms for every kind. Exits 1 if a kind misses it.

pytest does not collect this file (it is not ``test_*.py``) and importing it runs nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.store import Store

GOAL_MS = 100.0
SEED = 20_260_301
TAGS = ("history", "war", "peace", "policy", "todo", "quote", "topic/asylum", "topic/trade")
COMMON = (
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be",
    "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have",
    "an", "they", "you", "were", "her", "she", "there", "been", "one", "all", "we", "their",
)  # fmt: skip
NOUNS = (
    "harbour", "lighthouse", "river", "winter", "letter", "garden", "soldier", "village",
    "market", "station", "bridge", "mountain", "window", "council", "treaty", "doctor",
)  # fmt: skip


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    """Made-up words, alphabetic and pronounceable enough, each once."""
    syllables = ["ka", "lo", "mi", "ren", "sa", "tor", "vi", "quel", "dan", "ur", "es", "po"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def make_words(rng: random.Random, vocab: list[str], count: int) -> list[str]:
    # A skewed draw: common words, then nouns, then the long tail (Zipf-like by rank).
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45:
            out.append(rng.choice(COMMON))
        elif roll < 0.55:
            out.append(rng.choice(NOUNS))
        else:
            out.append(vocab[min(len(vocab) - 1, int(rng.paretovariate(1.1)) - 1)])
    return out


def paragraph(rng: random.Random, vocab: list[str]) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        words = make_words(rng, vocab, rng.randint(8, 20))
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def build(store: Store, documents: int, highlights: int, rng: random.Random) -> dict[str, str]:
    """Fill the store; return a few words and phrases the queries can use."""
    from db.models import Block, LoadedText, Metadata
    from db.store import utc_now

    vocab = vocabulary(rng)
    quotes: list[str] = []
    made = []
    for number in range(documents):
        paragraphs = [f"Chapter {number}"] + [paragraph(rng, vocab) for _ in range(50)]
        blocks, at = [], 0
        for index, text in enumerate(paragraphs):
            blocks.append(Block("heading" if index == 0 else "paragraph", at, at + len(text)))
            at += len(text) + 2
        title = f"The {rng.choice(NOUNS)} of {rng.choice(vocab)} {number}"
        loaded = LoadedText("\n\n".join(paragraphs), blocks, metadata=Metadata(title=title))
        document = store.add_document(loaded, path=None, source_hash=f"bench-{number}")
        made.append((document, loaded))
    per_document = max(1, highlights // documents)
    now = utc_now()
    with store._transaction() as conn:
        tag_ids = {}
        for name in TAGS:
            cursor = conn.execute("INSERT INTO tags (name, key) VALUES (?, ?)", (name, name))
            tag_ids[name] = cursor.lastrowid
        for document, loaded in made:
            text = loaded.text
            for _ in range(per_document):
                block = rng.choice(loaded.blocks[1:])
                start = rng.randrange(block.start, max(block.start + 1, block.end - 120))
                start = text.rfind(" ", block.start, start) + 1 or block.start
                end = min(block.end, start + rng.randint(40, 240))
                end = max(text.rfind(" ", start, end), start + 1)
                quote = text[start:end]
                quotes.append(quote)
                note = " ".join(make_words(rng, vocab, rng.randint(5, 15)))
                created = (
                    f"{rng.choice((2024, 2025, 2026))}-{rng.randint(1, 12):02d}-"
                    f"{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
                )
                highlight_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                conn.execute(
                    'INSERT INTO highlights (id, document_id, start, "end", quote, prefix,'
                    " suffix, text_hash, color, note, status, score, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'exact', 1.0, ?, ?)",
                    (
                        highlight_id, document.id, start, end, quote,
                        text[max(0, start - 32) : start], text[end : end + 32],
                        document.text_hash, rng.randint(1, 5),
                        note if rng.random() < 0.3 else "", created, now,
                    ),
                )  # fmt: skip
                if rng.random() < 0.15:
                    for name in rng.sample(TAGS, rng.randint(1, 2)):
                        conn.execute(
                            "INSERT INTO highlight_tags (highlight_id, tag_id) VALUES (?, ?)",
                            (highlight_id, tag_ids[name]),
                        )
    words = [word for word in quotes[len(quotes) // 2].lower().split() if word.isalpha()]
    return {
        "noun": NOUNS[3],
        "rare": vocab[400],
        "mid": vocab[20],
        "phrase": " ".join(words[2:4]),
        "title": made[len(made) // 3][0].title.split()[1],
    }


#: The kinds of query the goal is for.
JUDGED = (
    "words", "phrase", "tag filter", "doc filter", "color+has:note", "dates", "filters only",
    "full text",
)  # fmt: skip


def kinds(words: dict[str, str]) -> dict[str, list[str]]:
    """The kinds of query, each with a few variants, and the scope ("text:" prefix)."""
    return {
        "words": [words["noun"], f"{words['noun']} {words['mid']}", f"{words['rare']} the"],
        "phrase": [f'"{words["phrase"]}"', f'"the {words["noun"]}"'],
        "tag filter": ["tag:history", f"{words['noun']} tag:policy", "tag:topic"],
        "doc filter": [f'doc:"{words["title"]} of"', f"{words['noun']} doc:{words['title']}"],
        "color+has:note": ["color:2 has:note", f"{words['noun']} color:3 has:note"],
        "dates": ["after:2025-06 before:2025-09", f"{words['noun']} before:2024-03"],
        "filters only": ["has:tag", "color:4 -has:note", ""],
        "full text": [f"text:{words['mid']}", f"text:the {words['noun']}", f"text:{words['rare']}"],
        # Not judged: the word being typed in the search screen, a prefix of many words.
        "prefix (typing)": [words["noun"][:4] + "*", words["noun"][:3] + "*", "dan*"],
    }


def measure(store: Store, query: str, runs: int) -> list[float]:
    from db.search import _Places, search

    scope = "highlights"
    if query.startswith("text:"):
        scope, query = "text", query[len("text:") :]
    times = []
    for _ in range(runs):
        _Places._kept.clear()
        began = time.perf_counter()
        search(store, query, limit=50, scope=scope)
        times.append((time.perf_counter() - began) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--highlights", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="runs of each query variant")
    args = parser.parse_args(argv)
    from db.search import search
    from db.store import Store

    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.db")
        began = time.perf_counter()
        words = build(store, args.documents, args.highlights, rng)
        built = time.perf_counter() - began
        size = (Path(folder) / "bench.db").stat().st_size / 1e6
        print(
            f"library: {args.documents} documents, {args.highlights} highlights, "
            f"built in {built:.1f} s ({size:.0f} MB before checkpoint)"
        )
        print(f"words: {words}")
        print()
        print(f"{'kind':<18} {'median ms':>10} {'max ms':>9} {'hits':>6}  queries")
        failed = False
        for kind, queries in kinds(words).items():
            times: list[float] = []
            counts = []
            for query in queries:
                measure(store, query, 1)  # the first run warms SQLite's page cache
                times += measure(store, query, args.runs)
                scope = "text" if query.startswith("text:") else "highlights"
                plain = query.removeprefix("text:")
                counts.append(len(search(store, plain, limit=50, scope=scope)))
            median = statistics.median(times)
            judged = kind in JUDGED
            failed |= judged and median > GOAL_MS
            mark = "" if median <= GOAL_MS or not judged else "  MISSED"
            shown = " | ".join(queries)
            print(f"{kind:<18} {median:>10.1f} {max(times):>9.1f} {sum(counts):>6}  {shown}{mark}")
        store.close()
    print(f"\ngoal: median <= {GOAL_MS:.0f} ms for each kind but prefix (typing)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

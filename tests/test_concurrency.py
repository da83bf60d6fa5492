"""Two margins on one database: annotating side by side, and the reader while an import writes.

The writers are separate processes, as two margins would be; this file is also
the script each runs (``python tests/test_concurrency.py DB DOC NAME PARITY SEED
OUT``), which keeps its own account of what its changes should leave, so that
the database is checked against both afterwards, highlight by highlight.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from killing import margin_command

from db.library import open_source
from db.models import Block, LoadedText
from db.store import Store
from tui.app import MarginApp
from tui.widgets.notes import NotesPane

pytestmark = pytest.mark.slow

CHANGES = 1000
#: Each highlight sits on a slot of its own, a word with a space on each side: no two
#: touch, so none merge, and each process works on every other slot.
SLOT = 14
SLOTS = 900
TAGS = ["shared", "alpha", "topic/harbour", "Beta"]
#: Annotator keeps this many changes to undo.
UNDO_DEPTH = 200
KINDS = ["highlight"] * 6 + ["note"] * 4 + ["tags"] * 3 + ["color"] * 3 + ["delete"] * 2
KINDS += ["undo"] * 2


def slot_text() -> str:
    words = [f"word{k:06d}end" for k in range(SLOTS)]
    assert all(len(word) == SLOT - 1 for word in words)
    return " ".join(words)


# --- the worker: one process's changes -------------------------------------------------------

Model = dict[str, tuple[int, int, int, str, list[str]]]


def work(db_path: str, doc_id: int, name: str, parity: int, seed: int, out: str) -> None:
    """Make CHANGES changes through an Annotator, then write down what they should leave."""
    from db.annotate import UNDO_DEPTH as depth
    from db.annotate import Annotator

    assert depth == UNDO_DEPTH
    rng = random.Random(seed)
    store = Store.open(db_path)
    document = store.get_document(doc_id)
    text = store.load_document(document).text
    annotator = Annotator(store, doc_id, text, document.text_hash)
    model: Model = {}
    undo: list[Model] = []
    own_tag = f"{name}-only"
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.time()
    for number in range(CHANGES):
        kind = rng.choice(KINDS)
        if kind == "undo":
            if annotator.undo() is None:
                assert not undo, "the annotator forgot a change"
            else:
                model = undo.pop()
            continue
        before = dict(model)
        if kind == "highlight" or not model:
            taken = {start for start, *_ in model.values()}
            free = [k * SLOT for k in range(parity, SLOTS, 2) if k * SLOT not in taken]
            start = rng.choice(free)
            color = rng.randint(1, 5)
            made = annotator.highlight(start, start + SLOT - 1, color)
            model[made.id] = (made.start, made.end, color, "", [])
        else:
            target = rng.choice(sorted(model))
            start, end, color, note, tags = model[target]
            if kind == "note":
                note = f"{name} wrote {number}"
                annotator.set_note(target, note)
            elif kind == "tags":
                tags = rng.sample([*TAGS, own_tag], rng.randint(0, 3))
                annotator.set_tags(target, tags)
            elif kind == "color":
                color = rng.randint(1, 5)
                annotator.set_color(target, color)
            if kind == "delete":
                annotator.delete(target)
                del model[target]
            else:
                model[target] = (start, end, color, note, tags)
        undo.append(before)
        del undo[:-UNDO_DEPTH]
    finished = time.time()
    store.close()
    Path(out).write_text(
        json.dumps({"model": model, "started": started, "finished": finished}), encoding="utf-8"
    )


# --- two writers at once ----------------------------------------------------------------------


def test_two_processes_annotate_one_document_at_once(tmp_path: Path) -> None:
    db_path = tmp_path / "margin.db"
    text = slot_text()
    with Store.open(db_path) as store:
        loaded = LoadedText(text, [Block("paragraph", 0, len(text))])
        doc_id = store.add_document(loaded, path=str(tmp_path / "slots.txt"), source_hash="s").id
    workers = {}
    for parity, name in enumerate(("p", "q")):
        out = tmp_path / f"{name}.json"
        argv = [sys.executable, __file__, str(db_path), str(doc_id), name, str(parity)]
        workers[name] = (
            subprocess.Popen(
                [*argv, str(parity + 7), str(out)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
            out,
        )
    started = time.monotonic()
    try:
        for process, _ in workers.values():
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n"
        # Both go at once, each on a store it opened before.
        for process, _ in workers.values():
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = {}
        for name, (process, out) in workers.items():
            _, stderr = process.communicate(timeout=120)
            assert (process.returncode, stderr) == (0, ""), f"{name} failed:\n{stderr}"
            results[name] = json.loads(out.read_text(encoding="utf-8"))
    finally:
        for process, _ in workers.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    wall = time.monotonic() - started
    expected = {}
    for result in results.values():
        expected.update({i: tuple(row) for i, row in result["model"].items()})
    with Store.open(db_path) as store:
        highlights = store.highlights(doc_id)
        counts = dict(store.tag_counts())
    stored = {h.id: (h.start, h.end, h.color, h.note, h.tags) for h in highlights}
    assert stored == expected
    assert all(h.quote == text[h.start : h.end] and h.status == "exact" for h in highlights)
    # The tags still in use, and only those, each with its count.
    wanted = Counter(tag for *_, tags in expected.values() for tag in tags)
    assert counts == dict(wanted)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    # They wrote at the same time, not one after the other.
    assert max(r["started"] for r in results.values()) < min(
        r["finished"] for r in results.values()
    )
    left = {name: len(result["model"]) for name, result in results.items()}
    seconds = {n: round(r["finished"] - r["started"], 1) for n, r in results.items()}
    print(
        f"\nconcurrency: {2 * CHANGES} changes by two processes, {len(stored)} highlights left "
        f"({left}), all kept; writing took {seconds} s, {wall:.1f} s in all"
    )


# --- the reader while `margin import` writes ---------------------------------------------------

HARBOUR = """---
title: The Quiet Harbour
author: Jane Doe
---

{paragraphs}
"""


def harbour_sentences(count: int) -> list[str]:
    return [
        f"The harbour master counted hull number {n} twice before the tide turned."
        for n in range(count)
    ]


def clippings(path: Path, books: int, per_book: int, harbour: list[str]) -> None:
    """A Kindle "My Clippings.txt" with the harbour's quotes and other books' around them."""
    entries = []

    def entry(title: str, location: int, quote: str) -> str:
        return (
            f"{title}\n- Your Highlight on Location {location}-{location + 1} | "
            f"Added on Monday, March 21, 2016 8:35:16 AM\n\n{quote}\n==========\n"
        )

    for book in range(books):
        for n in range(per_book):
            entries.append(
                entry(f"Logbook {book} (Sailor {book})", 10 * n + 5, f"Entry {n} of {book}.")
            )
    entries += [entry("The Quiet Harbour (Jane Doe)", 10 * n + 5, q) for n, q in enumerate(harbour)]
    path.write_text("".join(entries), encoding="utf-8")


async def import_while_annotating(
    pilot: Any, db_path: Path, clippings_path: Path
) -> tuple[int, str, str]:
    """Run `margin import`, pressing annotation keys in the reader until it is done."""
    process = await asyncio.create_subprocess_exec(
        *margin_command(),
        "import",
        "--db",
        str(db_path),
        str(clippings_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    communicate = asyncio.ensure_future(process.communicate())
    rounds = 0
    keys = ["h", "j", "2", "j", "j", "h", "3", "j", "d", "u"]
    while not communicate.done() or rounds < 2:
        for key in keys:
            await pilot.press(key)
        rounds += 1
    out, err = await communicate
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def open_harbour(store: Store, tmp_path: Path, sentences: list[str]) -> int:
    path = tmp_path / "harbour.md"
    paragraphs = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
    path.write_text(HARBOUR.format(paragraphs=paragraphs), encoding="utf-8")
    document, _ = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    assert document.metadata.title == "The Quiet Harbour"
    return document.id


def listed(app: MarginApp) -> list[str]:
    return [h.quote for h in app.screen.annotator.highlights]


async def test_the_reader_works_on_while_margin_import_writes(
    make_app: Callable[..., MarginApp], store: Store, tmp_path: Path
) -> None:
    sentences = harbour_sentences(30)
    open_harbour(store, tmp_path, sentences)
    clippings_path = tmp_path / "My Clippings.txt"
    clippings(clippings_path, books=30, per_book=20, harbour=sentences[:12])
    app = make_app(
        "\n\n".join(f"Paragraph {n} is about the sea. It goes on for a while." for n in range(60))
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        status, out, err = await import_while_annotating(pilot, store.path, clippings_path)
        assert (status, err) == (0, "")
        assert out == "Imported 31 books: 612 highlights added.\n"
        reader = app.screen
        # Every change the reader made while the import wrote is in the database.
        ours = store.highlights(reader.document.id)
        assert ours and [h.id for h in ours] == [h.id for h in reader.annotator.highlights]
        (imported,) = [
            d
            for d in store.documents()
            if d.format == "kindle" and d.metadata.title == "The Quiet Harbour"
        ]
        app.open_document(store.get_document(imported.id))
        await pilot.pause()
        assert listed(app) == sentences[:12]
        header = app.screen.query_one(NotesPane).query_one("#notes-header")
        assert "Highlights · 12" in str(header.content)
    assert app.return_code in (None, 0)


async def test_reopening_a_book_shows_the_highlights_imported_for_it_meanwhile(
    make_app: Callable[..., MarginApp], store: Store, tmp_path: Path
) -> None:
    sentences = harbour_sentences(30)
    harbour_id = open_harbour(store, tmp_path, sentences)
    clippings_path = tmp_path / "My Clippings.txt"
    clippings(clippings_path, books=2, per_book=5, harbour=sentences[:12])
    app = make_app("The reader is open on another document. It stays open during the import.")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        status, _, err = await import_while_annotating(pilot, store.path, clippings_path)
        assert (status, err) == (0, "")
        app.open_document(store.get_document(harbour_id))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.document.id == harbour_id
        assert sorted(listed(app)) == sorted(sentences[:12])


if __name__ == "__main__":
    db, doc, who, parity_arg, seed_arg, out_path = sys.argv[1:]
    work(db, int(doc), who, int(parity_arg), int(seed_arg), out_path)

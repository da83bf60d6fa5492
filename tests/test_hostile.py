"""Hostile input end to end: nasty files and naughty strings open, show inert, export, come back.

Every file in ``tests/fixtures/nasty`` (the Big List of Naughty Strings as
text and as JSON, Markus Kuhn's UTF-8 demo, recorded terminal sessions full of
escape sequences) and every string of the naughty list is loaded by its name
and as standard input, read in the reader at 80x24 row by row, highlighted,
exported to every format and read back from JSON into a fresh library. What
the reader would write to the terminal holds no control character but the
sequences Textual itself writes, and the command line prints none either.
Property tests then hold the same promises over arbitrary Unicode: lone
surrogates, combining marks, wide CJK, ZWJ sequences, bidirectional controls.
Run with ``-s`` to see how many inputs and examples were tried.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import random
import re
import tempfile
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from invariants import check_invariants
from textual.pilot import Pilot

from db.anchoring import make_selector, reanchor
from db.annotate import Annotator
from db.documents import LoadError, load_bytes
from db.documents.inert import make_inert
from db.export import FORMATS, ExportItem, export
from db.export.w3c import parse
from db.exporting import export_item
from db.imports.importer import import_json
from db.library import open_source
from db.locate import Location
from db.models import Block, Document, Highlight, LoadedText, Metadata, Span
from db.store import Store
from db.tags import tag_key
from db.text import block_sentences, sentence_at
from tui.app import MarginApp
from tui.cli import main
from tui.layout import Layout
from tui.widgets.article import ArticleView

NASTY = Path(__file__).parent / "fixtures" / "nasty"
NASTY_FILES = sorted(path for path in NASTY.rglob("*") if path.is_file())


def naughty_strings() -> list[tuple[str, bytes]]:
    """Every string of the list as JSON holds it and every line of its text version, once each."""
    strings: dict[bytes, str] = {}
    listed = json.loads((NASTY / "blns.json").read_text(encoding="utf-8"))
    for number, string in enumerate(listed):
        strings.setdefault(string.encode("utf-8", "surrogatepass"), f"blns.json[{number}]")
    lines = (NASTY / "blns.txt").read_bytes().split(b"\n")
    for number, line in enumerate(lines, 1):
        if line and not line.startswith(b"#"):
            strings.setdefault(line, f"blns.txt:{number}")
    return [(label, data) for data, label in strings.items()]


NAUGHTY = naughty_strings()
EXPORTED = "2026-11-28T12:00:00Z"

#: What a terminal acts on: C0 controls, DEL and the C1 controls (U+009B is a CSI).
TERMINAL_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: The same but for what a file may hold as layout: line breaks and tabs.
FILE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: What Textual itself writes: CSI sequences (colours, cursor moves, modes).
TEXTUAL_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")

#: Nasty inputs tried and passed, property examples run: the summary line.
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    yield
    print(
        f"\nhostile input: {TALLY['tried']} nasty inputs tried, {TALLY['passed']} passed; "
        f"{TALLY['examples']} property examples run"
    )


# --- one input through the library ------------------------------------------------------


def load_every_way(data: bytes, name: str | None) -> tuple[LoadedText, LoadedText]:
    """Load by name and as standard input, each keeping the contract."""
    named = load_bytes(data, name)
    check_invariants(named)
    piped = load_bytes(data, None)
    check_invariants(piped)
    return named, piped


def highlight_some(
    store: Store, document: Document, loaded: LoadedText, rng: random.Random
) -> list[Highlight]:
    """Highlight the first sentence, a random range and the first escape sequence, if any."""
    text = loaded.text
    if not text:
        return []
    annotator = Annotator(store, document.id, text, document.text_hash)
    first = sentence_at(text, loaded.blocks, 0)
    ends = sorted((rng.randrange(len(text) + 1), rng.randrange(len(text) + 1)))
    ranges = [(*first, 1), (ends[0], ends[1], 2)]
    escape = text.find("\u241b")  # ESC as the loader shows it
    if escape >= 0:
        ranges.append((escape, escape + 12, 3))
    made = []
    for start, end, color in ranges:
        if not text[start:end].strip():
            with pytest.raises(ValueError):
                annotator.highlight(start, end, color)
            continue
        highlight = annotator.highlight(start, end, color)
        assert highlight.quote == text[highlight.start : highlight.end]
        assert highlight.quote.strip() == highlight.quote
        # The range trimmed of whitespace, or more where it merged with one of its colour.
        inside = text[start:end]
        end = start + len(inside)
        trimmed = (
            start + len(inside) - len(inside.lstrip()),
            end - len(inside) + len(inside.rstrip()),
        )
        assert highlight.start <= trimmed[0] and highlight.end >= trimmed[1]
        made.append(highlight)
    return made


def balanced(text: str) -> bool:
    """Whether braces nest as BibTeX counts them (an escaped brace counts too)."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def check_exports(item: ExportItem) -> None:
    """Every format exports the item, holds no control character, and says what it should."""
    for fmt in FORMATS:
        out = "".join(export(fmt, [item], EXPORTED))
        out.encode("utf-8")  # what a file will hold
        # A CSV cell keeps a note or a field as it was set (margin export shows it
        # inert on a terminal); the quotes, the document's words, are checked below.
        found = FILE_CONTROL.search(out) if fmt != "csv" else None
        assert found is None, f"{fmt}: control character {found and found.group()!r}"
        if fmt == "json":
            (parsed,) = parse(out)
            assert parsed.document == item.document
            assert parsed.highlights == item.highlights
        elif fmt == "csl-json":
            assert len(json.loads(out)) == 1
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(out, newline="")))
            assert len(rows) == 1 + len(item.highlights)
            for row in rows:
                for cell in row:
                    assert not cell.lstrip().startswith(("=", "+", "-", "@")), cell
                    assert not cell.startswith(("\t", "\r")), cell
            for row, highlight in zip(rows[1:], item.highlights, strict=True):
                assert row[0] in (highlight.quote, "'" + highlight.quote)
                assert FILE_CONTROL.search(row[0]) is None
        elif fmt == "html":
            assert "<script" not in out.lower()
            for highlight in item.highlights:
                assert html.escape(highlight.quote, quote=True) in out
        elif fmt == "md":
            assert out.startswith("---\n")
            assert out.count("\n^hl-") == len(item.highlights)
        else:
            assert fmt == "bibtex"
            assert out.count("\n@") == 1 and balanced(out)


def same_highlights(before: list[Highlight], after: list[Highlight]) -> None:
    assert [asdict(h) for h in after] == [asdict(h) for h in before]


# --- what the reader writes to the terminal ------------------------------------------------


def written_to_terminal(app: MarginApp) -> str:
    """What the app would write to a real terminal for its whole screen now.

    The headless driver writes nothing, so the screen's full update is rendered
    here exactly as ``App._display`` renders it for the driver.
    """
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


def check_written(written: str) -> None:
    """Only Textual's own sequences may reach the terminal: nothing the document brought."""
    # Textual ends each screen line with "\n"; a row of text cannot hold one
    # (every segment is checked for controls on its own).
    rest = TEXTUAL_SEQUENCE.sub("", written).replace("\n", "")
    found = TERMINAL_CONTROL.search(rest)
    assert found is None, (
        f"{found and found.group()!r} written at {rest[found.start() - 20 :][:40]!r}"
    )


async def read_every_row(app: MarginApp, pilot: Pilot[None]) -> str:
    """Page through the whole document, checking every row drawn and every screen written.

    Returns the text of all rows, in order.
    """
    article = app.screen.query_one(ArticleView)
    layout = article.layout
    assert layout is not None and layout.complete
    text = article.text
    height = article.scrollable_content_region.height
    rows: dict[int, str] = {}

    def draw_screen() -> None:
        first = int(article.scroll_y)
        for y in range(min(height, layout.total_rows - first)):
            strip = article.render_line(y)
            for segment in strip:
                found = TERMINAL_CONTROL.search(segment.text)
                assert found is None, f"row {first + y}: {segment.text!r}"
            row = layout.row(first + y)
            if row is not None:
                assert text[row.start : row.end].rstrip(" ") in strip.text, first + y
            rows[first + y] = strip.text
        check_written(written_to_terminal(app))

    await pilot.press("g")  # from the start: a scroll drags the cursor along, and it the view
    draw_screen()
    while int(article.scroll_y) + height < layout.total_rows:
        before = int(article.scroll_y)
        # Scrolled at once: rows and the screen are drawn from the new offset without waiting.
        article.scroll_to(y=before + height, animate=False, immediate=True)
        if int(article.scroll_y) <= before:
            break
        draw_screen()
    # The last rows show with the cursor on them (a scroll keeps it off the screen's edge).
    await pilot.press("G")
    draw_screen()
    missing = sorted(set(range(layout.total_rows)) - set(rows))
    assert not missing, f"rows never drawn: {missing[:10]}"
    return "\n".join(rows[number] for number in sorted(rows))


# --- the nasty files --------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    assert main([*argv, "--db", str(db)]) == 0
    captured = capsys.readouterr()
    return captured.out


@pytest.mark.parametrize("path", NASTY_FILES, ids=lambda p: str(p.relative_to(NASTY)))
async def test_a_nasty_file_opens_shows_inert_exports_and_comes_back(
    path: Path, store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    TALLY["tried"] += 1
    data = path.read_bytes()
    load_every_way(data, path.name)
    document, loaded = open_source(store, data, path=str(path), name=path.name)
    check_invariants(loaded)
    assert "\x1b" not in data.decode("utf-8", "replace") or "\u241b" in loaded.text
    rng = random.Random(zlib.crc32(path.name.encode()))
    made = highlight_some(store, document, loaded, rng)
    assert made
    check_exports(export_item(store, document))

    app = MarginApp(store, document, loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # One more highlight as a reader makes it: h on the sentence under the cursor.
        article = app.screen.query_one(ArticleView)
        article.move_cursor(loaded.blocks[-1].start)
        await pilot.press("h")
        shown = await read_every_row(app, pilot)
    if "\x1b" in data.decode("utf-8", "replace"):
        assert "\u241b" in shown  # shown as a symbol, not sent

    highlights = store.highlights(document.id)
    start, end = sentence_at(loaded.text, loaded.blocks, loaded.blocks[-1].start)
    if loaded.text[start:end].strip():
        assert any(h.start <= start < end <= h.end for h in highlights if h.color == 1)
    db = store.path
    out = cli(capsys, db, "show", str(document.id))
    as_json = cli(capsys, db, "show", str(document.id), "--json")
    assert [h["id"] for h in json.loads(as_json)] == [h.id for h in highlights]
    markdown = cli(capsys, db, "export", str(document.id), "-f", "md")
    for printed in (out, as_json, markdown):
        found = FILE_CONTROL.search(printed)
        assert found is None, repr(printed[found.start() - 20 :][:40])
    if any("\u241b" in h.quote for h in highlights):
        assert "\u241b" in out and "\u241b" in markdown

    # The reader moved on since: the stored document is exported as it is now.
    document = store.get_document(document.id)
    exported = "".join(export("json", [export_item(store, document)], EXPORTED))
    with Store.open(tmp_path / "fresh.db") as fresh:
        report = import_json(fresh, exported)
        assert (report.added, report.duplicates) == (len(highlights), 0)
        (back,) = fresh.documents()
        # The file is still where it was: the document comes back whole, on its own text.
        assert asdict(back) == asdict(document)
        same_highlights(highlights, fresh.highlights(back.id))
    TALLY["passed"] += 1


# --- the naughty strings ------------------------------------------------------------------


def joined(parts: list[LoadedText]) -> LoadedText:
    """One document of many texts, each keeping its blocks and spans: to read them in one go."""
    texts: list[str] = []
    blocks: list[Block] = []
    spans: list[Span] = []
    at = 0
    for part in parts:
        if not part.text:
            continue
        texts.append(part.text)
        blocks += [
            block._replace(start=block.start + at, end=block.end + at) for block in part.blocks
        ]
        spans += [span._replace(start=span.start + at, end=span.end + at) for span in part.spans]
        at += len(part.text) + 2
    return LoadedText("\n\n".join(texts), blocks, spans, Metadata(title="Naughty strings"))


async def test_every_naughty_string_opens_shows_inert_exports_and_comes_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[str] = []
    passed: set[int] = set()
    loads: list[LoadedText] = []
    documents: dict[int, list[int]] = {}
    rng = random.Random(1865)
    for number, (label, data) in enumerate(NAUGHTY):
        try:
            loaded, piped = load_every_way(data, "naughty.txt")
            # As standard input: the library keeps one document per text.
            document, stored = open_source(store, data, path=None, name=None)
            assert stored.text == piped.text
            highlight_some(store, document, stored, rng)
            check_exports(export_item(store, document))
        except Exception as error:
            failures.append(f"{label} {data[:40]!r}: {type(error).__name__} {error}")
            continue
        loads.append(loaded)
        documents.setdefault(document.id, []).append(number)
        passed.add(number)

    # Back from one JSON export of them all into a fresh library.
    originals = {d.id: store.highlights(d.id) for d in store.documents()}
    items = [export_item(store, d) for d in sorted(store.documents(), key=lambda d: d.id)]
    exported = "".join(export("json", items, EXPORTED))
    with Store.open(tmp_path / "fresh.db") as fresh:
        listings = Counter[str]()
        documents_of = fresh.documents

        def counted() -> list[Document]:
            listings["documents"] += 1
            return documents_of()

        monkeypatch.setattr(fresh, "documents", counted)
        report = import_json(fresh, exported)
        assert report.books == len(originals)
        # The library is read once, not once per document: that made big imports take minutes.
        assert listings["documents"] == 1
        monkeypatch.undo()
        for doc_id, highlights in originals.items():
            try:
                same_highlights(highlights, fresh.highlights(doc_id))
                assert fresh.get_document(doc_id).metadata == store.get_document(doc_id).metadata
            except Exception as error:
                failures.append(f"document {doc_id} did not come back: {error}")
                passed -= set(documents.get(doc_id, []))

    # All of them read in the reader, highlighted, as one document.
    whole = joined(loads)
    check_invariants(whole)
    document = store.add_document(whole, path=None, source_hash="naughty strings")
    annotator = Annotator(store, document.id, whole.text, document.text_hash)
    for block in whole.blocks[::3]:
        annotator.highlight(block.start, block.end, color=block.start % 5 + 1)
    app = MarginApp(store, document, whole)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await read_every_row(app, pilot)
    TALLY["tried"] += len(NAUGHTY)
    TALLY["passed"] += len(passed)
    assert not failures, "\n".join(failures[:20])


# --- properties over arbitrary Unicode -----------------------------------------------------

#: Pieces that break naive text handling, mixed into arbitrary characters.
PIECES = [
    "e\u0301",  # a combining acute accent
    "\u0915\u094d\u0937",  # a Devanagari conjunct
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a ZWJ family
    "\U0001f1eb\U0001f1f7",  # a flag
    "\U0001f44d\U0001f3fd",  # a skin tone
    "日本語の文章。",
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "שלום",
    "\u200b",
    "\ufeff",
    "\x1b[31m",
    "\x1b]52;c;aGk=\x07",
    "\x9b2J",
    "\x00",
    "\x7f",
    "\ud800",
    "\udcff",
    "\r\n",
    "\r",
    "\u2028",
    "\t",
    "\n",
    "\n\n",
    "   ",
    ". ",
    "? ",
    "Mr. ",
    "[bold red]",
    "<b>",
    "# ",
    "> ",
    "- ",
    "1. ",
    "```",
    "|",
    "=cmd",
]

hostile_text = st.lists(
    st.one_of(st.characters(exclude_categories=()), st.sampled_from(PIECES)), max_size=40
).map("".join)
#: The same with a word in it somewhere, so there is something to highlight.
worded_text = st.tuples(
    hostile_text, st.sampled_from(["Word", "日本", "שלום", "é", "0"]), hostile_text
).map("".join)


def encoded(text: str, how: str) -> bytes:
    """``text`` as a file's bytes: lone surrogates as the bytes Python would smuggle them in."""
    if how == "utf-16":
        return text.encode("utf-16", "surrogatepass")
    if how == "surrogateescape":
        try:
            return text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            pass  # a surrogate that stands for no byte
    return text.encode("utf-8", "surrogatepass")


def check_offsets(loaded: LoadedText) -> None:
    """Rows at several widths, sentences and anchors all map offsets there and back."""
    text, blocks = loaded.text, loaded.blocks
    for width in (1, 7, 33, 80):
        layout = Layout(text, blocks, width)
        for number in range(layout.total_rows):
            row = layout.row(number)
            if row is not None:
                assert layout.row_of_offset(row.start) == number
        for block in blocks:
            for offset in range(block.start, block.end):
                if text[offset] == "\n":
                    continue
                row = layout.row(layout.row_of_offset(offset))
                assert row is not None and row.start <= offset < max(row.end, row.start + 1)
    for block in blocks:
        units = block_sentences(text, block)
        covered: set[int] = set()
        previous = block.start
        for start, end in units:
            assert previous <= start < end <= block.end
            assert not text[start].isspace() and not text[end - 1].isspace()
            covered.update(range(start, end))
            previous = end
        # Every character but whitespace belongs to a sentence (or a line of code).
        body = range(block.start, block.end)
        assert {i for i in body if not text[i].isspace()} <= covered
    for offset in range(0, len(text) + 1, 3):
        start, end = sentence_at(text, blocks, offset)
        assert 0 <= start <= end <= len(text)


def count_example() -> None:
    TALLY["examples"] += 1


@settings(max_examples=150, deadline=None)
@given(
    hostile_text,
    st.sampled_from(["utf-8", "surrogateescape", "utf-16"]),
    st.sampled_from(["t.txt", "t.md", None]),
)
def test_any_text_loads_as_text_or_markdown_and_keeps_its_offsets(
    text: str, how: str, name: str | None
) -> None:
    count_example()
    label = name or "standard input"
    try:
        loaded = load_bytes(encoded(text, how), name)
    except LoadError as error:
        message = str(error)
        # Only what a user can be told: never a loader's own failure.
        assert message.startswith(f"{label}: ") and "\n" not in message
        assert "could not be read" not in message, message
        event(f"refused: {message.partition(': ')[2]}")
        return
    event(f"loaded as {loaded.format}")
    check_invariants(loaded)
    check_offsets(loaded)


@pytest.mark.parametrize("how", ["surrogatepass", "surrogateescape"])
def test_lone_surrogates_in_a_file_never_reach_the_text(how: str) -> None:
    # Among UTF-8 text they are bad bytes, shown as U+FFFD...
    text = "Größe, café, naïve, 東京, Ελλάδα: a lone surrogate \udcc3 and \udc80 among them."
    loaded, _ = load_every_way(text.encode("utf-8", how), "t.txt")
    assert "\ufffd" in loaded.text and "東京, Ελλάδα" in loaded.text
    assert loaded.notices == ["Some bytes are not valid UTF-8: shown as \ufffd."]
    # ...and in ASCII text, the bytes of some 8-bit encoding, which the reader is told.
    plain = "Plain words, then a lone surrogate \udcc3 in them.".encode("utf-8", how)
    loaded, _ = load_every_way(plain, "t.txt")
    assert loaded.text.startswith("Plain words") and len(loaded.notices) == 1


@settings(max_examples=40, deadline=None)
@given(hostile_text, st.booleans())
def test_any_text_in_a_web_page_loads(text: str, escaped: bool) -> None:
    count_example()
    body = html.escape(text) if escaped else text
    page = (
        f"<!DOCTYPE html><html><head><title>{body}</title></head><body><p>{body}</p></body></html>"
    )
    try:
        loaded = load_bytes(page.encode("utf-8", "surrogatepass"), "page.html")
    except LoadError as error:
        assert "could not be read" not in str(error), str(error)
        return
    check_invariants(loaded)
    check_offsets(loaded)


@settings(max_examples=150, deadline=None)
@given(worded_text, st.data())
def test_a_selector_on_the_same_text_finds_its_range_again(text: str, data: st.DataObject) -> None:
    count_example()
    if data.draw(st.booleans()):
        with contextlib.suppress(LoadError):  # as the loader shows it, when it is text
            text = load_bytes(encoded(text, "utf-8"), "t.txt").text
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    selector = make_selector(text, start, end)
    assert selector.quote == text[start:end]
    assert text.endswith(selector.suffix, 0, None) or selector.suffix in text
    anchor = reanchor(selector, text)
    if selector.quote:
        assert (anchor.start, anchor.end, anchor.status) == (start, end, "exact")
    else:
        assert anchor.status == "orphan"


tag = st.text(st.characters(categories=["L", "Nd"]), min_size=1, max_size=8).map(
    lambda t: unicodedata.normalize("NFC", t)
)
#: What the store can hold (SQLite takes no lone surrogate): anything else.
field_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@st.composite
def exported_items(draw: st.DrawFn) -> ExportItem:
    """A document with hostile metadata and highlights of hostile text, as exports get them."""
    # Document text as every loader leaves it: inert.
    text = make_inert(draw(worded_text))
    metadata = Metadata(
        title=draw(field_text),
        authors=draw(st.lists(field_text, max_size=3)),
        published=draw(st.sampled_from(["", "1865", "2024-06", "2024-06-03", "soon"])),
        publisher=draw(field_text),
        url=draw(st.one_of(field_text, st.just("javascript:alert(1)"))),
        language=draw(st.sampled_from(["", "en", "fr-FR", 'en" onload="x'])),
        description=draw(field_text),
        identifiers=draw(st.dictionaries(st.sampled_from(["doi", "isbn", "uuid"]), field_text)),
        tags=draw(st.lists(field_text, max_size=3)),
        container=draw(field_text),
        kind=draw(st.sampled_from(["", "article", "webpage", "book", "chapter", "report"])),
    )
    document = Document(
        id=draw(st.integers(1, 10**6)),
        text_hash="t" * 64,
        source_hash="s" * 64,
        format="txt",
        path=draw(st.one_of(st.none(), st.just("/books/a b.txt"), field_text)),
        metadata=metadata,
        added="2026-11-01T09:00:00Z",
        opened=None,
    )
    highlights = []
    for number in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        selector = make_selector(text, start, end)
        highlights.append(
            Highlight(
                id=f"{number:08x}-0000-4000-8000-{document.id:012x}",
                document_id=document.id,
                start=start,
                end=end,
                quote=selector.quote,
                prefix=selector.prefix,
                suffix=selector.suffix,
                text_hash=document.text_hash,
                color=draw(st.integers(1, 5)),
                note=draw(field_text),
                tags=draw(st.lists(tag, max_size=3, unique_by=tag_key)),
                status=draw(st.sampled_from(["exact", "moved", "fuzzy", "orphan"])),
                created="2026-11-02T10:00:00Z",
                updated="2026-11-02T10:00:00Z",
            )
        )
    paragraph = draw(st.integers(0, 40))
    chapter = draw(field_text)
    return ExportItem(document, highlights, lambda _: Location(paragraph, chapter))


@settings(max_examples=120, deadline=None)
@given(exported_items())
def test_every_export_takes_anything_and_json_gives_it_back(item: ExportItem) -> None:
    count_example()
    check_exports(item)


@settings(max_examples=12, deadline=None)
@given(st.lists(worded_text, min_size=1, max_size=3), st.randoms())
def test_json_export_and_import_are_inverse_through_a_store(
    texts: list[str], rng: random.Random
) -> None:
    count_example()
    with tempfile.TemporaryDirectory() as folder:
        with Store.open(Path(folder) / "one.db") as first:
            for text in texts:
                try:
                    document, loaded = open_source(first, encoded(text, "utf-8"), path=None)
                except LoadError:
                    continue  # told as binary or undecodable: nothing to export
                highlight_some(first, document, loaded, rng)
            documents = sorted(first.documents(), key=lambda d: d.id)
            before = {d.id: (d, first.highlights(d.id)) for d in documents}
            exported = "".join(export("json", [export_item(first, d) for d in documents], EXPORTED))
        with Store.open(Path(folder) / "two.db") as second:
            import_json(second, exported)
            for doc_id, (document, highlights) in before.items():
                back = second.get_document(doc_id)
                # Read from standard input: no file to read the text from, all else comes back.
                assert asdict(back) == {**asdict(document), "text_hash": back.text_hash}
                same_highlights(highlights, second.highlights(doc_id))
            restored = sorted(second.documents(), key=lambda d: d.id)
            again = "".join(export("json", [export_item(second, d) for d in restored], EXPORTED))
    # Exported again, the library is the same but for the texts the documents show.
    assert [(p.document.id, p.highlights) for p in parse(again)] == [
        (p.document.id, p.highlights) for p in parse(exported)
    ]

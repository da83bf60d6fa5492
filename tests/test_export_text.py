"""Tests for the text exports (Markdown, Readwise CSV, HTML), the golden files of every format,
and the file names exports are saved as.

Every export format (Markdown, HTML, Readwise CSV, W3C JSON, BibTeX and
CSL-JSON) is compared byte for byte with a golden file in ``tests/golden``
made from one hostile fixture: Unicode of several scripts and directions, a
spreadsheet formula, HTML, Markdown structure and a control picture in the
quotes, Markdown in the notes, nested tags, all five colours, a moved, a
fuzzy and an orphaned highlight, and an untitled second document for the
formats that hold several. ``MARGIN_UPDATE_GOLDEN=1 pytest
tests/test_export_text.py`` rewrites the golden files; read the diff before
committing it. Around the golden files, the properties each format promises
are tested on their own: quotes render as themselves, YAML reads back, no
formula reaches a spreadsheet, nothing in the HTML can run. The JSON formats
have their own tests (``test_export_w3c.py``, ``test_cite.py``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from db.export import ExportItem, export
from db.export.html import http_url
from db.export.markdown import escape_text, yaml_string
from db.export.names import (
    STEM_BYTES,
    STEM_CHARS,
    clean_tags,
    file_name,
    highlight_anchor,
    name_key,
    place_of,
)
from db.export.readwise_csv import HEADER, neutralise
from db.export.w3c import parse
from db.locate import Location
from db.models import Document, Highlight, Metadata

GOLDEN = Path(__file__).parent / "golden"
EXPORTED = "2026-11-28T14:00:00Z"
UPDATE = os.environ.get("MARGIN_UPDATE_GOLDEN") == "1"


# -- the fixture -------------------------------------------------------------


def document(
    doc_id: int = 7, path: str | None = "/home/reader/Books/war.md", **meta: Any
) -> Document:
    return Document(
        id=doc_id,
        text_hash="text-hash",
        source_hash="source-hash",
        format="md",
        path=path,
        metadata=Metadata(**meta),
        added="2026-11-01T09:00:00Z",
        opened=None,
    )


def highlight(number: int, quote: str, **fields: Any) -> Highlight:
    return Highlight(
        id=f"{number:08x}-5e3c-4b7a-9d1e-{number:012x}",
        document_id=7,
        start=number * 100,
        end=number * 100 + len(quote),
        quote=quote,
        prefix="",
        suffix="",
        text_hash="text-hash",
        **{"created": f"2026-11-2{number}T10:1{number}:0{number}Z", **fields},
    )


WAR = document(
    title='War and Peace: "The Novel" — Book One',
    authors=["Лев Толстой", "Louise & Aylmer Maude"],
    url="https://example.org/war-and-peace?lang=en&ed=2",
    published="1869",
    publisher="The Russian Messenger",
    language="en",
    tags=["classics", "Russian literature", "Classics"],
    kind="book",
)

HIGHLIGHTS = [
    highlight(
        1,
        "Déjà vu at the café — naïve, 東京の夜, 🦀, שלום עולם and مرحبا بالعالم.",
        color=1,
        note="**Unicode** survives:\n\n- accents\n- CJK, emoji and right-to-left",
        tags=["unicode", "topic/asylum"],
    ),
    highlight(2, "=cmd|' /C calc'!A0", color=2, created="2026-11-22T12:30:00+02:00"),
    highlight(
        3,
        "<script>alert(1)</script>\n# not a heading\n> not a quote",
        color=3,
        note="Markdown in a note is *mine*:\n\n1. first\n2. second",
        tags=["security"],
        status="moved",
    ),
    highlight(
        4,
        "[link](javascript:alert(1)) and ␛[31mred␛[0m",
        color=4,
        note="+ starts like a formula\n<b>bold?</b> & more",
        tags=["topic/asylum", "links"],
        status="fuzzy",
        score=0.87,
        created="2026-11-24 10:14:04",
    ),
    highlight(
        5,
        "- a dash that is not a list\n1. nor is this\n   indented line  \n\nSecond paragraph.",
        color=5,
        status="orphan",
    ),
    highlight(6, "@SUM(1+1) and -2 and +3", note='=HYPERLINK("http://evil")', tags=["h1"]),
]

LOCATIONS = {
    HIGHLIGHTS[0].id: Location(paragraph=2, chapter="CHAPTER I"),
    HIGHLIGHTS[1].id: Location(paragraph=3, chapter="CHAPTER I", page="14"),
    HIGHLIGHTS[2].id: Location(paragraph=7, chapter="CHAPTER II: # War *and* <b>"),
    HIGHLIGHTS[3].id: Location(paragraph=8, page="xiv"),
    # Where db.exporting puts an orphan: nowhere (paragraph 0).
    HIGHLIGHTS[4].id: Location(paragraph=0),
    HIGHLIGHTS[5].id: Location(paragraph=12, chapter="- EPILOGUE"),
}


def item(doc: Document = WAR, highlights: list[Highlight] | None = None) -> ExportItem:
    chosen = HIGHLIGHTS if highlights is None else highlights
    return ExportItem(doc, chosen, lambda h: LOCATIONS.get(h.id, Location(paragraph=1)))


NOTES = document(doc_id=8, path="/tmp/notes.txt")
NOTES_ITEM = ExportItem(
    NOTES,
    [
        replace(
            highlight(7, "-1 is a number, not a formula", note="\tindented", created=""),
            document_id=8,
        )
    ],
    lambda h: Location(paragraph=1),
)


def run(fmt: str, items: Iterable[ExportItem], exported: str = EXPORTED) -> str:
    return "".join(export(fmt, items, exported))


# -- golden files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "items"),
    [
        ("md", "war.md", [item()]),
        ("html", "war.html", [item()]),
        ("csv", "library.csv", [item(), NOTES_ITEM]),
        ("json", "library.json", [item(), NOTES_ITEM]),
        ("bibtex", "library.bib", [item(), NOTES_ITEM]),
        ("csl-json", "library.csl.json", [item(), NOTES_ITEM]),
    ],
)
def test_golden(
    fmt: str, name: str, items: list[ExportItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The JSON export names the margin that wrote it; a release must not change the golden file.
    monkeypatch.setattr("db.export.w3c.__version__", "0.0.0")
    produced = run(fmt, items).encode("utf-8")
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(produced)
    assert path.exists(), f"no golden file {path}: run with MARGIN_UPDATE_GOLDEN=1"
    assert produced == path.read_bytes()


def test_golden_json_files_read_back() -> None:
    """The golden files are what they claim to be: the W3C one parses back to the fixture."""
    parsed = parse((GOLDEN / "library.json").read_bytes())
    assert [(p.document, p.highlights) for p in parsed] == [
        (WAR, HIGHLIGHTS),
        (NOTES, NOTES_ITEM.highlights),
    ]
    csl = json.loads((GOLDEN / "library.csl.json").read_bytes())
    assert [entry["id"] for entry in csl] == ["anon1869war", "anonnotes"]
    bib = (GOLDEN / "library.bib").read_text(encoding="utf-8")
    assert re.findall(r"^@(\w+)\{(\w+),$", bib, re.MULTILINE) == [
        ("book", "anon1869war"),
        ("misc", "anonnotes"),
    ]


@pytest.mark.parametrize(("fmt", "extra"), [("md", 0), ("html", 2)])
def test_one_document_formats_stream_a_chunk_per_highlight(fmt: str, extra: int) -> None:
    chunks = list(export(fmt, [item()], EXPORTED))
    assert len(chunks) == 1 + len(HIGHLIGHTS) + extra


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_one_document_formats_refuse_none_or_several_before_writing(fmt: str) -> None:
    with pytest.raises(ValueError, match="one document"):
        export(fmt, [item(), item()], EXPORTED)
    with pytest.raises(ValueError, match="one document"):
        export(fmt, [], EXPORTED)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reexport_differs_only_in_the_exported_line(fmt: str) -> None:
    first = run(fmt, [item()], "2026-11-28T14:00:00Z").split("\n")
    again = run(fmt, [item()], "2027-01-01T00:00:00Z").split("\n")
    assert len(first) == len(again)
    differing = [(a, b) for a, b in zip(first, again, strict=True) if a != b]
    assert len(differing) == 1
    assert "2026-11-28T14:00:00Z" in differing[0][0]
    assert "2027-01-01T00:00:00Z" in differing[0][1]


# -- Markdown ----------------------------------------------------------------

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered_quote(markdown: str) -> str:
    """The text of the one block quote ``markdown`` holds, as a Markdown renderer reads it.

    Fails on anything but plain text and soft line breaks in it: a heading, a
    list, a link, emphasis, HTML, a hard break (trailing spaces lost)...
    """
    tokens = MD.parse(markdown)
    assert tokens[0].type == "blockquote_open", [t.type for t in tokens]
    assert tokens[-1].type == "blockquote_close", [t.type for t in tokens]
    paragraphs = []
    for token in tokens[1:-1]:
        if token.type in ("paragraph_open", "paragraph_close"):
            continue
        assert token.type == "inline", token.type
        text = []
        for child in token.children or []:
            if child.type in ("text", "text_special"):
                text.append(child.content)
            elif child.type == "softbreak":
                text.append("\n")
            else:
                raise AssertionError(f"{child.type} in {markdown!r}")
        paragraphs.append("".join(text))
    return "\n\n".join(paragraphs)


def block_quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in escape_text(text).split("\n"))


def obsidian_marks(escaped: str) -> list[str]:
    """Characters left unescaped that Obsidian would read as a tag, mark, comment or math."""
    return [
        piece
        for piece in re.findall(r"&#[0-9]+;|\\.|.", escaped, re.DOTALL)
        if piece in "#=%$^~|[]"
    ]


HOSTILE_QUOTES = [
    "# not a heading",
    "## nor this",
    "> not a quote",
    "* not a list",
    "- not a list",
    "+ not a list",
    "1. not a list",
    "1) not a list",
    "1984. A year, not a list item",
    "*not emphasis* and **not strong** and _not_ __either__",
    "[link](javascript:alert(1))",
    "![image](http://x/y.png)",
    "[[Obsidian link]] and ![[embed]]",
    "`not code` and ``neither``",
    "```\nnot a fence\n```",
    "~~~\nnor this\n~~~",
    "<script>alert(1)</script>",
    "<http://not.an.autolink>",
    "&amp; &copy; &#65; stay as typed",
    "| a | b |\n| - | - |\n| 1 | 2 |",
    "a | b\n--- | ---\nc | d",
    "==not marked== and %%not a comment%% and $not math$ and $$neither$$",
    "#not-a-tag and a block ^not-an-id",
    "~~not struck~~",
    "Setext\n===",
    "Setext\n---",
    "***",
    "- - -",
    "    four spaces are not code",
    "\ttab is not code either",
    "trailing spaces are not a hard break  \nnext",
    "a backslash at the end is not a break\\\nnext",
    "\u00a0non-breaking and ideographic\u3000",
    "[^1] not a footnote\n\n[^1]: nor this",
    "[ref]: http://example.org not a definition",
    "> [!note] not a callout",
    "<!-- not a comment -->",
    "Déjà vu, 東京の夜, 🦀, שלום עולם, ␛[31m",
]


@pytest.mark.parametrize("quote", HOSTILE_QUOTES)
def test_markdown_quote_renders_as_its_own_words(quote: str) -> None:
    assert rendered_quote(block_quote(quote)) == quote
    assert obsidian_marks(escape_text(quote)) == []


# Markdown cannot say "two blank lines" or a line break at either end of a
# block, and quotes (canonical text) never hold those; everything else goes.
QUOTE_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"aZ09 \t\n.)-+*_#>=<&|`~[]!()\\$%^:;'\"/", "é", "東", "🦀", "\u00a0", "\u3000"]
    ),
    max_size=40,
).filter(lambda s: "\n\n\n" not in s and not s.startswith("\n") and not s.endswith("\n"))


@settings(max_examples=300, deadline=None)
@given(QUOTE_TEXT)
def test_markdown_escaping_keeps_any_quote_literal(quote: str) -> None:
    # A whitespace-only line next to a blank one is a blank line to Markdown.
    lines = quote.split("\n")
    if any((not a.strip() and not b) or (not a and not b.strip()) for a, b in pairwise(lines)):
        return
    assert rendered_quote(block_quote(quote)) == quote
    assert obsidian_marks(escape_text(quote)) == []


def front_matter(text: str) -> dict[str, Any]:
    """The front matter of an exported file, read with JSON for each value (YAML's subset)."""
    assert text.startswith("---\n")
    block = text[4 : text.index("\n---\n")]
    data: dict[str, Any] = {}
    key = ""
    for line in block.split("\n"):
        if line.startswith("  - "):
            data[key].append(json.loads(line[4:]))
        elif line.endswith(":"):
            key = line[:-1]
            data[key] = []
        else:
            key, _, value = line.partition(": ")
            data[key] = json.loads(value)
    return data


def test_markdown_front_matter() -> None:
    data = front_matter(run("md", [item()]))
    assert data == {
        "title": 'War and Peace: "The Novel" — Book One',
        "author": ["Лев Толстой", "Louise & Aylmer Maude"],
        "url": "https://example.org/war-and-peace?lang=en&ed=2",
        "source": "/home/reader/Books/war.md",
        "published": "1869",
        "tags": [
            "classics",
            "h1",
            "links",
            "Russian-literature",
            "security",
            "topic/asylum",
            "unicode",
        ],
        "highlights": 6,
        "exported": EXPORTED,
    }


@pytest.mark.parametrize(
    "title",
    [
        "Title: subtitle",
        "- starts like a list",
        "'single' and \"double\" quotes",
        "line one\nline two\r\nthree",
        "no",
        "1984",
        "~",
        "null",
        "&anchor *alias !tag {a: b} [c] # comment",
        "a\\b",
        "\u2028separators\u2029 and \x85 and \ufeff bom and \x1b escape",
        "",
    ],
)
def test_markdown_front_matter_values_read_back(title: str) -> None:
    doc = document(title=title, authors=[title], path=None)
    data = front_matter(run("md", [item(doc, [])]))
    # Titles and authors are trimmed, as the reader shows them.
    assert data["title"] == title.strip()
    assert data["author"] == title.strip()
    assert data["source"] == ""
    assert data["tags"] == []
    assert data["highlights"] == 0
    # The lines a YAML parser splits on are never raw inside a value.
    for line in run("md", [item(doc, [])]).split("\n")[1:-2]:
        assert re.fullmatch(r'[a-z]+: ("([^"\\]|\\.)*"|\d+|\[\])|[a-z]+:|  - "([^"\\]|\\.)*"', line)
    assert yaml_string("\u2028") == '"\\u2028"'


def test_markdown_one_author_is_a_string_and_none_is_empty() -> None:
    one = front_matter(run("md", [item(document(authors=["Jane Austen"]), [])]))
    none = front_matter(run("md", [item(document(), [])]))
    assert one["author"] == "Jane Austen"
    assert none["author"] == ""


def test_markdown_highlight_block() -> None:
    text = run("md", [item()])
    blocks = text.split("\n\n")
    quote = blocks.index("> \\<script>alert(1)\\</script>\n> \\# not a heading\n> \\> not a quote")
    assert blocks[quote + 1] == "^hl-00000003"
    assert blocks[quote + 2] == "Markdown in a note is *mine*:"
    assert blocks[quote + 3] == "1. first\n2. second"
    assert (
        blocks[quote + 4]
        == "CHAPTER II: \\# War \\*and\\* \\<b>, ¶ 7 · colour 3 · moved · #security"
    )
    assert "p. xiv · colour 4 · fuzzy 87% · #topic/asylum #links" in text
    assert "\n\ncolour 5 · orphan\n" in text
    assert "p. 14 · colour 2\n" in text


def test_markdown_quotes_of_the_fixture_render_as_themselves() -> None:
    text = run("md", [item()])
    for h in HIGHLIGHTS:
        quote = block_quote(h.quote)
        assert quote in text
        assert rendered_quote(quote) == h.quote


def test_markdown_block_ids_are_unique_and_stable() -> None:
    twin = replace(HIGHLIGHTS[0], id=HIGHLIGHTS[0].id[:8] + "-ffff-4fff-8fff-ffffffffffff")
    text = run("md", [item(highlights=[HIGHLIGHTS[0], twin])])
    ids = re.findall(r"^\^(hl-[0-9a-f]+)$", text, re.MULTILINE)
    assert ids == ["hl-00000001", "hl-00000001f"]


def test_markdown_note_that_leaves_a_fence_open_cannot_swallow_the_next_highlight() -> None:
    broken = [
        replace(HIGHLIGHTS[0], note="look:\n```python\nprint('never closed')"),
        replace(HIGHLIGHTS[2], note="<!-- never closed"),
        replace(HIGHLIGHTS[4], note="%% an Obsidian comment never closed"),
        HIGHLIGHTS[5],
    ]
    text = run("md", [item(highlights=broken)])
    body = text[text.index("\n---\n") + 5 :]
    tokens = MD.parse(body)
    quotes = [t for t in tokens if t.type == "blockquote_open" and t.level == 0]
    assert len(quotes) == 4
    assert "````markdown\nlook:\n```python\nprint('never closed')\n````" in text
    assert "```markdown\n<!-- never closed\n```" in text
    assert "```markdown\n%% an Obsidian comment never closed\n```" in text


def test_markdown_note_is_written_as_typed_with_controls_made_visible() -> None:
    text = run("md", [item(highlights=[replace(HIGHLIGHTS[0], note="\n\n  *a*\x1b[2J\n\n")])])
    assert "\n\n  *a*␛[2J\n\n" in text
    assert "\x1b" not in text


# -- Readwise CSV ------------------------------------------------------------


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_columns_and_rows() -> None:
    text = run("csv", [item(), NOTES_ITEM])
    assert text.startswith("Highlight,Title,Author,URL,Note,Location,Date\r\n")
    table = rows(text)
    assert tuple(table[0]) == HEADER
    assert len(table) == 1 + len(HIGHLIGHTS) + 1
    first = dict(zip(HEADER, table[1], strict=True))
    assert first == {
        "Highlight": HIGHLIGHTS[0].quote,
        "Title": 'War and Peace: "The Novel" — Book One',
        "Author": "Лев Толстой, Louise & Aylmer Maude",
        "URL": "https://example.org/war-and-peace?lang=en&ed=2",
        "Note": ".unicode .topic/asylum\n" + HIGHLIGHTS[0].note,
        "Location": "2",
        "Date": "2026-11-21 10:11:01",
    }
    # A page that is a number is the location; "xiv" is not, so the paragraph is.
    # An orphan's place is unknown.
    assert [row[5] for row in table[1:]] == ["2", "14", "7", "8", "", "12", "1"]
    # UTC from an offset; a time without a zone is taken as UTC; none is empty.
    assert [row[6] for row in table[2:5:2]] == ["2026-11-22 10:30:00", "2026-11-24 10:14:04"]
    assert table[-1][6] == ""
    # Untitled documents go by their file's name.
    assert table[-1][1] == "notes.txt"


def test_csv_multi_line_cells_survive_a_round_trip() -> None:
    table = rows(run("csv", [item()]))
    assert table[5][0] == "'" + HIGHLIGHTS[4].quote
    assert table[3][0] == HIGHLIGHTS[2].quote


def test_csv_streams_a_row_at_a_time() -> None:
    chunks = list(export("csv", [item(), NOTES_ITEM], EXPORTED))
    assert len(chunks) == 1 + len(HIGHLIGHTS) + 1
    assert all(chunk.endswith("\r\n") for chunk in chunks)


def test_csv_tags_lead_the_note_as_readwise_inline_tags() -> None:
    table = rows(run("csv", [item()]))
    notes = [row[4] for row in table[1:]]
    assert notes[2] == ".security\nMarkdown in a note is *mine*:\n\n1. first\n2. second"
    assert notes[3] == ".topic/asylum .links\n+ starts like a formula\n<b>bold?</b> & more"
    assert notes[1] == ""
    assert notes[5] == '.h1\n=HYPERLINK("http://evil")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
@pytest.mark.parametrize("column", ["Highlight", "Title", "Author", "URL", "Note"])
def test_csv_formula_injection_is_neutralised(start: str, column: str) -> None:
    payload = f"{start}cmd|' /C calc'!A0"
    doc = document(
        title=payload if column == "Title" else "T", authors=[payload] if column == "Author" else []
    )
    doc.metadata.url = payload if column == "URL" else ""
    h = replace(
        HIGHLIGHTS[0],
        quote=payload if column == "Highlight" else "quote",
        note=payload if column == "Note" else "",
        tags=[],
    )
    table = rows(run("csv", [ExportItem(doc, [h], lambda _: Location(paragraph=1))]))
    cell = table[1][HEADER.index(column)]
    if column in ("Highlight", "URL"):
        assert cell == "'" + payload
    else:
        # Title, author and note are trimmed first, as everywhere; what is
        # left is neutralised if it still starts like a formula.
        assert cell == neutralise(payload.strip())
    for cell in table[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_neutralise_leaves_other_cells_alone() -> None:
    assert neutralise("plain") == "plain"
    assert neutralise("a=1") == "a=1"
    assert neutralise("") == ""
    assert neutralise(".tag note") == ".tag note"
    assert neutralise("-") == "'-"


# -- HTML --------------------------------------------------------------------

SAFE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "p", "dl", "dt",
    "dd", "a", "section", "blockquote", "div", "span", "ul", "li", "footer", "time",
}  # fmt: skip


class Elements(HTMLParser):
    """Every start tag and its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def elements(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


ATTACKS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</blockquote><iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "--><script>alert(1)</script><!--",
    "</style><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
]


def assert_inert(page: str) -> None:
    parsed = elements(page)
    for tag, attrs in parsed.tags:
        assert tag in SAFE_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name in {
                "lang", "charset", "http-equiv", "content", "name", "dir", "class", "id",
                "href", "rel", "role", "aria-label",
            }, (tag, name)  # fmt: skip
            if name == "href":
                assert value is not None and re.match(r"https?://", value), value
    assert page.lower().count("<script") == 0
    assert page.count("<style>") == 1 and page.count("</style>") == 1


@pytest.mark.parametrize("attack", ATTACKS)
def test_html_escapes_everything(attack: str) -> None:
    doc = document(
        title=attack,
        authors=[attack],
        published=attack,
        publisher=attack,
        container=attack,
        description=attack,
        url="javascript:alert(1)",
        language='en" onload="alert(1)',
    )
    hostile = replace(
        HIGHLIGHTS[0], quote=attack, note=attack, tags=[attack, "ok"], status=attack, color=9
    )
    page = run(
        "html",
        [ExportItem(doc, [hostile], lambda _: Location(paragraph=1, chapter=attack))],
        exported=attack,
    )
    assert_inert(page)
    assert "<html>" in page  # the hostile language is left out, not escaped into lang
    text = "".join(elements(page).text)
    assert attack in text  # shown, as text
    assert "javascript:alert(1)" in text


def test_html_of_the_fixture_is_inert_and_keeps_its_text() -> None:
    page = run("html", [item()])
    assert_inert(page)
    text = "".join(elements(page).text)
    for h in HIGHLIGHTS:
        assert h.quote in text
        assert h.note.strip() in text
    assert '<html lang="en">' in page
    assert (
        '<a href="https://example.org/war-and-peace?lang=en&amp;ed=2" rel="noopener noreferrer">'
        in page
    )
    assert '<section class="highlight" id="hl-00000003">' in page
    assert '<span class="swatch c3" role="img" aria-label="colour 3"></span>' in page
    assert 'aria-label="colour 5"></span> colour 5 · orphan</p>' in page


@pytest.mark.parametrize(
    ("location", "place"),
    [
        (Location(paragraph=12), "¶ 12"),
        (Location(paragraph=12, chapter="CHAPTER\nIII\x1b"), "CHAPTER III␛, ¶ 12"),
        (Location(paragraph=12, page="14"), "p. 14"),
        (Location(paragraph=0), ""),
        (Location(paragraph=0, page="xiv"), "p. xiv"),
    ],
)
def test_place_of(location: Location, place: str) -> None:
    assert place_of(location) == place


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a?b=c", True),
        ("HTTP://EXAMPLE.ORG", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("file:///etc/passwd", False),
        ("//evil.example/x", False),
        ("https://[::1", False),
        ("http:", False),
        ("", False),
    ],
)
def test_html_links_only_http_urls(url: str, linked: bool) -> None:
    assert (http_url(url) is not None) is linked


# -- names -------------------------------------------------------------------


def name(
    title: str, taken: set[str] | None = None, path: str | None = None, ext: str = "md"
) -> str:
    return file_name(document(title=title, path=path), set() if taken is None else taken, ext)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("War and Peace", "War and Peace.md"),
        ("../x", "x.md"),
        ("../../etc/passwd", "etc passwd.md"),
        ("..", "document-7.md"),
        ("/etc/passwd", "etc passwd.md"),
        ("C:\\Windows\\system32", "C Windows system32.md"),
        (".hidden", "hidden.md"),
        ("CON", "CON_.md"),
        ("con", "con_.md"),
        ("nul.txt", "nul_.txt.md"),
        ("Aux . tar", "Aux_ . tar.md"),
        ("COM1", "COM1_.md"),
        ("lpt9", "lpt9_.md"),
        ("COM¹", "COM¹_.md"),
        ("CONOUT$", "CONOUT$_.md"),
        ("CONSOLE", "CONSOLE.md"),
        ("a\x00b", "a b.md"),
        ("tab\tand\nnewline\x1b[31m", "tab and newline 31m.md"),
        ("Ends with dots...", "Ends with dots.md"),
        ("Ends with a dot. ", "Ends with a dot.md"),
        ("Wait.. what", "Wait… what.md"),
        ('What? "Yes": <no> | *maybe*', "What Yes no maybe.md"),
        ("Obsidian #tag ^block [[link]]", "Obsidian tag block link.md"),
        ("\u202egpj.exe", "gpj.exe.md"),
        ("東京の夜 🦀", "東京の夜 🦀.md"),
        ("Cafe\u0301", "Café.md"),
        ("שלום עולם", "שלום עולם.md"),
    ],
)
def test_file_name_is_safe(title: str, expected: str) -> None:
    assert name(title) == expected


def test_file_name_falls_back_to_the_source_then_the_id() -> None:
    assert name("", path="/home/reader/Books/moby-dick.txt") == "moby-dick.md"
    assert name("  ", path="/books/...") == "document-7.md"
    assert name("", path=None) == "document-7.md"
    assert name("///", path="/tmp/notes.md") == "notes.md"


#: Man, ZWJ, woman, ZWJ, girl: one emoji a cut must not split.
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"


@pytest.mark.parametrize(
    "title", ["x" * 500, "é" * 500, "東" * 500, "🦀" * 500, "a" * 79 + FAMILY * 10, "e\u0301" * 300]
)
def test_file_name_is_capped_without_splitting_a_character(title: str) -> None:
    result = name(title, ext="html")
    stem = result.removesuffix(".html")
    assert len(stem) <= STEM_CHARS
    assert len(stem.encode("utf-8")) <= STEM_BYTES
    assert len(result.encode("utf-8")) + len(" (99999)") <= 255
    assert stem and unicodedata.normalize("NFC", title).startswith(stem)
    assert not stem.endswith("\u200d")
    if FAMILY in title:
        assert stem == "a" * 79


def test_file_name_is_unique_case_insensitively_and_stable() -> None:
    taken: set[str] = set()
    names = [name(title, taken) for title in ["Notes", "Notes", "NOTES", "notes (2)", "Other"]]
    assert names == ["Notes.md", "Notes (2).md", "NOTES (3).md", "notes (2) (2).md", "Other.md"]
    again: set[str] = set()
    assert [
        name(title, again) for title in ["Notes", "Notes", "NOTES", "notes (2)", "Other"]
    ] == names
    # Names already in the folder, put in by their keys, are avoided too.
    on_disk = {name_key("Straße.md")}
    assert name("STRASSE", on_disk) == "STRASSE (2).md"


def test_file_name_rejects_a_bad_extension() -> None:
    with pytest.raises(ValueError):
        name("x", ext="../md")
    assert name("x", ext=".md") == "x.md"


def test_highlight_anchor() -> None:
    taken: set[str] = set()
    first = highlight_anchor("1a2b3c4d-0000-4000-8000-000000000000", taken)
    second = highlight_anchor("1A2B3C4D-1111-4000-8000-000000000000", taken)
    again = highlight_anchor("1a2b3c4d-0000-4000-8000-000000000000", taken)
    odd = highlight_anchor("not a uuid", taken)
    assert (first, second) == ("hl-1a2b3c4d", "hl-1a2b3c4d1")
    assert again == "hl-1a2b3c4d0"
    assert re.fullmatch(r"hl-[0-9a-f]{8}", odd)


def test_clean_tags() -> None:
    assert clean_tags(
        ["Russian literature", "#classics", "Classics", "a,b", "", "topic/asylum"]
    ) == [
        "Russian-literature",
        "classics",
        "ab",
        "topic/asylum",
    ]

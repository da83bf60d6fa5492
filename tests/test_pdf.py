"""Tests for the PDF loader (db.documents.pdf) on PDFs written by tests/pdfgen.py."""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Callable

import pytest
from invariants import check_invariants
from pdfgen import Lines, flow, make_pdf, wrap, xmp_packet

from db.documents import LoadError, detect_format, load_bytes
from db.documents import pdf as pdf_module
from db.documents.pdf import NO_TEXT_LAYER, parse_pdf
from db.locate import Locator
from db.models import LoadedText

_SENTENCE = (
    "the reader turns each page slowly while the lamp burns low and the rain keeps falling "
    "on the roof of the old house by the river where nobody has lived for many years now"
)
WORDS = _SENTENCE.split()


def prose(n: int, seed: int = 0, first: str = "") -> str:
    """A sentence of ``n`` plain words (the same for the same seed), capitalised, with a stop."""
    chooser = random.Random(seed)
    words = [chooser.choice(WORDS) for _ in range(n)]
    text = " ".join([first, *words] if first else words)
    return text[0].upper() + text[1:] + "."


def load(data: bytes, progress: Callable[[int, int], None] | None = None) -> LoadedText:
    loaded = parse_pdf(data, "doc.pdf", progress=progress)
    check_invariants(loaded)
    assert loaded.format == "pdf"
    return loaded


def blocks(loaded: LoadedText, kind: str | None = None) -> list[str]:
    return [loaded.text[b.start : b.end] for b in loaded.blocks if kind in (None, b.kind)]


def kinds(loaded: LoadedText) -> list[tuple[str, int]]:
    return [(b.kind, b.level) for b in loaded.blocks]


def broken_at(word: str) -> str:
    """A paragraph in which ``word`` (with a soft or real hyphen) is broken at a line's end."""
    head = word.replace("\u00ad", "-").split("-")[0] + "-"
    for seed in range(1, 30):
        for n in range(3, 30):
            text = f"{prose(n, seed)[:-1]} {word} {prose(30, seed + 1)}"
            if any(line.endswith(head) for line in wrap(text)[:-1]):
                return text
    raise AssertionError(f"cannot break {word!r}")


# --- paragraphs ------------------------------------------------------------------


def test_wrapped_lines_are_joined_into_paragraphs() -> None:
    paragraphs = [prose(60, 1), prose(45, 2), prose(8, 3), prose(70, 4)]
    data = make_pdf([paragraphs[:3], paragraphs[3:]])
    assert len(wrap(paragraphs[0])) >= 3
    loaded = load(data)
    assert blocks(loaded) == paragraphs
    assert {kind for kind, _ in kinds(loaded)} == {"paragraph"}


@pytest.mark.parametrize(
    "style",
    [
        {"gap": 0.0, "indent": 18.0},
        {"gap": 6.0},
        {"gap": 0.0, "indent": 18.0, "justify": True},
        {"justify": True, "kerned": True},
    ],
    ids=["indented", "spaced", "justified", "kerned like TeX"],
)
def test_paragraphs_found_by_indent_gap_or_short_last_line(style: dict[str, object]) -> None:
    paragraphs = [prose(20 + 7 * i, i) for i in range(6)]
    loaded = load(make_pdf([paragraphs], **style))  # type: ignore[arg-type]
    assert blocks(loaded) == paragraphs


def test_paragraph_without_gap_or_indent_ends_at_its_short_last_line() -> None:
    paragraphs = [prose(31, 1), prose(33, 2), prose(35, 3)]
    loaded = load(make_pdf([paragraphs], gap=0.0))
    assert blocks(loaded) == paragraphs


def test_paragraph_running_on_to_the_next_page_is_kept_whole_with_the_mark_inside() -> None:
    paragraphs = [prose(50, 1), prose(120, 2), prose(40, 3)]
    pages = flow(paragraphs, lines_per_page=12)
    assert len(pages) >= 2
    loaded = load(make_pdf(pages, labels=[(0, "D", 14)]))
    assert blocks(loaded) == paragraphs
    second = loaded.pages[1]
    assert second.label == "15"
    block = next(b for b in loaded.blocks if b.start < second.start < b.end)
    assert loaded.text[block.start : block.end] == paragraphs[1]
    first_line = pages[1][0]
    assert isinstance(first_line, Lines) and not first_line.new_paragraph
    assert loaded.text.startswith(first_line.lines[0], second.start)


def test_word_hyphenated_at_a_line_end_is_rejoined() -> None:
    text = broken_at("exam\u00adple")
    loaded = load(make_pdf([[text]]))
    assert blocks(loaded) == [text.replace("\u00ad", "")]
    assert "exam-" not in loaded.text


def test_real_compound_broken_after_its_hyphen_keeps_it() -> None:
    text = broken_at("Anglo-Saxon")
    loaded = load(make_pdf([[text]]))
    assert "Anglo-Saxon" in loaded.text
    assert blocks(loaded) == [text]


def test_lowercase_compound_the_document_writes_with_a_hyphen_keeps_it() -> None:
    # "well-known" inside a line tells that "well-" / "known" is not a broken "wellknown".
    text = broken_at("well-known")
    loaded = load(make_pdf([[text, "A well-known fact."]]))
    assert blocks(loaded) == [text, "A well-known fact."]


def test_latin1_and_windows_punctuation_round_trip() -> None:
    text = "Café crème, naïve façade, Ærø and Øre — «quoted» ‘single’ “double” 10 € … ß."
    loaded = load(make_pdf([[text]]))
    assert blocks(loaded) == [text]


@pytest.mark.parametrize("style", [{}, {"justify": True}, {"kerned": True}])
def test_two_byte_font_text_round_trips(style: dict[str, bool]) -> None:
    # A composite font (Identity-H, ToUnicode map), as Word and browsers write.
    text = "Ελληνικά και русский текст, 中文 — “quotes” and a ligature: ﬁne."
    paragraphs = [prose(40, 1), text, prose(30, 2)]
    loaded = load(make_pdf([paragraphs], unicode=True, **style))
    assert blocks(loaded) == [*paragraphs[:1], text.replace("ﬁ", "fi"), paragraphs[2]]


def test_headings_lists_and_code() -> None:
    data = make_pdf(
        [
            [
                "# A Large Heading",
                prose(30, 1),
                "\u2022 " + prose(25, 2),
                "\u2022 " + prose(4, 3),
                "```def f(x):\n    return x + 1",
                prose(12, 4),
            ]
        ]
    )
    loaded = load(data)
    assert kinds(loaded) == [
        ("heading", 1),
        ("paragraph", 0),
        ("list_item", 0),
        ("list_item", 0),
        ("code", 0),
        ("paragraph", 0),
    ]
    assert blocks(loaded, "list_item")[0] == "\u2022 " + prose(25, 2)
    assert blocks(loaded, "code") == ["def f(x):\n    return x + 1"]


# --- pages ---------------------------------------------------------------------


def test_page_marks_carry_the_page_labels_and_start_at_each_page_text() -> None:
    pages = [[f"Page {i} starts here. " + prose(20, i)] for i in range(6)]
    loaded = load(make_pdf(pages, labels=[(0, "r"), (2, "D")]))
    assert [mark.label for mark in loaded.pages] == ["i", "ii", "1", "2", "3", "4"]
    locator = Locator.of(loaded)
    for i, mark in enumerate(loaded.pages):
        assert loaded.text.startswith(f"Page {i} starts here.", mark.start)
        # A highlight on the page's last word is cited with the page's label.
        last_word = loaded.text.index(prose(20, i)[-6:], mark.start)
        assert locator.page_at(last_word) == mark.label


def test_paragraph_over_several_pages_holds_a_mark_for_each() -> None:
    paragraph = prose(260, 5)
    pages = flow([paragraph], lines_per_page=4)
    assert len(pages) >= 4
    loaded = load(make_pdf(pages, labels=[(0, "D", 3)]))
    assert blocks(loaded) == [paragraph]
    assert [m.label for m in loaded.pages] == [str(3 + i) for i in range(len(pages))]
    for mark, page in zip(loaded.pages, pages, strict=True):
        first = page[0]
        assert isinstance(first, Lines)
        # A page that starts inside a broken word starts at its second half.
        assert loaded.text.startswith(first.lines[0].split(" ")[0].rstrip("-"), mark.start)


def test_running_header_footer_and_page_numbers_are_dropped() -> None:
    pages = [[prose(40, i), prose(25, i + 1)] for i in range(6)]
    data = make_pdf(pages, header="The Quarterly Review, Volume 3", footer="Page {page} of 6")
    loaded = load(data)
    assert blocks(loaded) == [p for page in pages for p in page]
    plain = make_pdf(pages, footer="{label}", labels=[(0, "r")])
    assert blocks(load(plain)) == [p for page in pages for p in page]


def test_a_heading_on_a_few_far_apart_pages_is_not_taken_for_a_running_head() -> None:
    pages = [["# Chapter", prose(30, i)] if i % 4 == 0 else [prose(30, i)] for i in range(12)]
    loaded = load(make_pdf(pages))
    assert blocks(loaded, "heading") == ["Chapter"] * 3


def test_short_document_keeps_its_top_lines() -> None:
    loaded = load(make_pdf([["Summary", prose(30, 1)], ["Summary", prose(30, 2)]]))
    assert blocks(loaded)[0] == "Summary"


# --- outline -------------------------------------------------------------------


def test_outline_becomes_the_table_of_contents() -> None:
    pages = [
        ["# Introduction", prose(30, 1)],
        [prose(30, 2), "# Background", prose(30, 3)],
        [prose(30, 4)],
        ["# Method", prose(30, 5)],
    ]
    outline = [
        ("Introduction", 0, 1),
        ("Background", 1, 2),
        ("A bookmark to a page", 2, 2),
        ("Method", 3, 1),
    ]
    loaded = load(make_pdf(pages, outline=outline, labels=[(0, "D", 7)]))
    assert [(e.title, e.level) for e in loaded.toc] == [(t, lv) for t, _, lv in outline]
    starts = {e.title: e.start for e in loaded.toc}
    headings = {loaded.text[b.start : b.end]: b for b in loaded.blocks if b.kind == "heading"}
    assert starts["Background"] == headings["Background"].start
    assert headings["Background"].level == 2
    assert starts["Method"] == headings["Method"].start
    assert starts["A bookmark to a page"] == loaded.pages[2].start
    assert loaded.pages[2].label == "9"


def test_outline_title_found_on_its_page_makes_a_heading_of_a_body_sized_line() -> None:
    pages = [[prose(30, 1)], ["Results", prose(30, 2)]]
    loaded = load(make_pdf(pages, outline=[("Results", 1, 1)]))
    assert ("heading", 1) in kinds(loaded)
    assert blocks(loaded, "heading") == ["Results"]
    assert loaded.toc[0].start == loaded.blocks[1].start


# --- metadata ------------------------------------------------------------------


def test_metadata_from_the_information_dictionary() -> None:
    data = make_pdf(
        [[prose(10)]],
        title="Microsoft Word - The Annual Report",
        author="Doe, Jane; Roe, Richard",
        info={"Subject": "What happened in 2023.", "CreationDate": "D:20240603120000+02'00'"},
        lang="en-us",
    )
    meta = load(data).metadata
    assert meta.title == "The Annual Report"
    assert meta.authors == ["Doe, Jane", "Roe, Richard"]
    assert meta.published == "2024-06-03"
    assert meta.description == "What happened in 2023."
    assert meta.language == "en-US"


def test_metadata_from_xmp_wins_over_the_information_dictionary() -> None:
    xmp = xmp_packet(
        title="Reading in the Dark",
        creators=["Jane Doe", "Richard Roe"],
        date="2021-09",
        doi="10.1234/abc.5678",
        publisher="Lamp Press",
        language="fr-FR",
        description="A study.",
    )
    data = make_pdf([[prose(10)]], title="untitled", author="Someone", xmp=xmp)
    meta = load(data).metadata
    assert meta.title == "Reading in the Dark"
    assert meta.authors == ["Jane Doe", "Richard Roe"]
    assert meta.published == "2021-09"
    assert meta.identifiers == {"doi": "10.1234/abc.5678"}
    assert meta.publisher == "Lamp Press"
    assert meta.language == "fr-FR"
    assert meta.description == "A study."


def test_journal_article_from_prism() -> None:
    xmp = xmp_packet(title="On Lamps", journal="Journal of Light", doi="10.1/j.2")
    meta = load(make_pdf([[prose(5)]], xmp=xmp)).metadata
    assert (meta.kind, meta.container) == ("article", "Journal of Light")
    assert load(make_pdf([[prose(5)]])).metadata.kind == ""


def test_doi_from_a_dc_identifier() -> None:
    xmp = xmp_packet(identifier="https://doi.org/10.5555/xyz.1")
    assert load(make_pdf([[prose(5)]], xmp=xmp)).metadata.identifiers == {"doi": "10.5555/xyz.1"}


def test_a_pdf_without_a_title_is_named_by_the_large_heading_on_its_first_page() -> None:
    pages = [["# The Lamp and the River", prose(30, 1)], ["# Another Heading", prose(30, 2)]]
    assert load(make_pdf(pages)).metadata.title == "The Lamp and the River"
    assert load(make_pdf([[prose(30, 1)], pages[1]])).metadata.title == ""


@pytest.mark.parametrize(
    "title",
    [
        "untitled",
        "Untitled-3",
        "Microsoft Word - draft_v2.docx",
        "C:\\work\\report.pdf",
        "  ",
        "report_final_v2",
        "doc",
    ],
)
def test_junk_titles_are_ignored(title: str) -> None:
    assert load(make_pdf([[prose(5)]], title=title)).metadata.title == ""


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Jane Doe", ["Jane Doe"]),
        ("Doe, Jane", ["Doe, Jane"]),
        ("Doe, Jane Q.", ["Doe, Jane Q."]),
        ("Jane Doe; Richard Roe", ["Jane Doe", "Richard Roe"]),
        ("Jane Doe and Richard Roe", ["Jane Doe", "Richard Roe"]),
        ("Jane Doe, Richard Roe, and Ann Lee", ["Jane Doe", "Richard Roe", "Ann Lee"]),
        ("Jane Doe & Richard Roe", ["Jane Doe", "Richard Roe"]),
        ("Doe, J., Roe, R.", ["Doe, J.", "Roe, R."]),
        ("Martin Luther King, Jr.", ["Martin Luther King, Jr."]),
        ("", []),
    ],
)
def test_author_strings_are_split_into_names(value: str, names: list[str]) -> None:
    assert pdf_module._split_authors(value) == names


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("D:20240603120000+02'00'", "2024-06-03"),
        ("D:202406", "2024-06"),
        ("D:1999", "1999"),
        ("2021-09-30T10:00:00Z", "2021-09-30"),
        ("D:20241399", "2024"),
        ("yesterday", ""),
    ],
)
def test_dates(value: str, iso: str) -> None:
    assert pdf_module._date(value) == iso


# --- through the dispatcher ------------------------------------------------------


def test_dispatcher_loads_a_pdf_by_name_and_by_content() -> None:
    data = make_pdf([[prose(20)]])
    assert detect_format(None, data) == "pdf"
    for name in ("doc.pdf", None):
        loaded = load_bytes(data, name)
        check_invariants(loaded)
        assert loaded.format == "pdf"
        assert blocks(loaded) == [prose(20)]


def test_progress_is_told_each_page() -> None:
    calls: list[tuple[int, int]] = []
    load(make_pdf([[prose(5, i)] for i in range(4)]), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


# --- bad input -----------------------------------------------------------------


def error(data: bytes, name: str = "doc.pdf") -> str:
    with pytest.raises(LoadError) as raised:
        load_bytes(data, name)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


def test_a_file_named_pdf_that_is_not_one() -> None:
    assert error(b"Hello, this is text.") == "doc.pdf: is not a PDF file"
    assert error(b"") == "doc.pdf: is empty"
    assert error(b"%PDF-1.7\nnothing else\n%%EOF\n") == "doc.pdf: is damaged and cannot be read"


def test_truncated_pdf_shows_the_pages_it_can_read() -> None:
    pages = [[prose(30, i), prose(4, i + 10)] for i in range(8)]
    data = make_pdf(pages, compress=False)
    loaded = load_bytes(data[: int(len(data) * 0.6)], "doc.pdf")
    check_invariants(loaded)
    assert 2 < len(blocks(loaded)) < 16
    assert blocks(loaded) == [p for page in pages for p in page][: len(blocks(loaded))]
    assert loaded.notices == [
        "The file is incomplete or damaged; margin shows the pages it could read."
    ]


def test_pdf_cut_before_any_page_is_an_error() -> None:
    data = make_pdf([[prose(30)]])
    assert error(data[:300]) == "doc.pdf: is incomplete (cut short) and cannot be read"


def test_encrypted_pdf_needing_a_password_is_refused() -> None:
    data = make_pdf([[prose(20)]], encrypt="secret")
    assert error(data) == "doc.pdf: is encrypted with a password; margin cannot open it"


def test_encrypted_pdf_with_an_empty_user_password_opens() -> None:
    loaded = load(make_pdf([[prose(20)]], title="Locked", encrypt=""))
    assert blocks(loaded) == [prose(20)]
    assert loaded.metadata.title == "Locked"


def test_aes_encrypted_pdf_without_cryptography_is_one_clear_line() -> None:
    aes = (
        b"/Encrypt << /Filter /Standard /V 5 /R 6 /Length 256 /P -4 "
        b"/O <" + b"11" * 48 + b"> /U <" + b"22" * 48 + b"> "
        b"/OE <" + b"33" * 32 + b"> /UE <" + b"44" * 32 + b"> /Perms <" + b"55" * 16 + b"> "
        b"/CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> "
        b"/StmF /StdCF /StrF /StdCF >> "
    )
    data = make_pdf([[prose(20)]]).replace(b"trailer\n<< ", b"trailer\n<< " + aes)
    message = error(data)
    if importlib.util.find_spec("cryptography") is None:
        assert message == (
            "doc.pdf: is encrypted with AES, which margin reads only with the Python "
            "package 'cryptography' installed"
        )
    else:
        assert message == "doc.pdf: is encrypted with a password; margin cannot open it"


def test_scanned_pdf_without_text_gets_a_notice_not_an_error() -> None:
    loaded = load_bytes(make_pdf([["invisible"], ["pages"]], no_text=True), "scan.pdf")
    check_invariants(loaded)
    assert loaded.text == ""
    assert loaded.notices == [NO_TEXT_LAYER]


def test_page_whose_text_cannot_be_read_is_skipped_with_a_notice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pypdf import PageObject

    pages = [[f"Page {i}. " + prose(30, i)] for i in range(5)]
    data = make_pdf(pages, labels=[(0, "D", 10)])
    run_page = pdf_module._Interpreter.run_page

    def failing(self: pdf_module._Interpreter, page: object) -> None:
        if "Page 2." in page.extract_text() or "Page 4." in page.extract_text():  # type: ignore[attr-defined]
            raise ValueError("broken content")
        run_page(self, page)

    monkeypatch.setattr(pdf_module._Interpreter, "run_page", failing)
    loaded = load(data)
    # The fallback (pypdf's own extraction) still reads them.
    assert blocks(loaded) == [page[0] for page in pages]
    monkeypatch.setattr(PageObject, "extract_text", _raise_for_pages_2_and_4(PageObject))
    loaded = load(data)
    assert blocks(loaded) == [pages[i][0] for i in (0, 1, 3)]
    assert loaded.notices == ["Skipped 2 pages whose text could not be read: 12, 14."]


def _raise_for_pages_2_and_4(cls: type) -> Callable[..., str]:
    original = cls.extract_text

    def extract_text(self: object, *args: object, **kwargs: object) -> str:
        text: str = original(self, *args, **kwargs)
        if "Page 2." in text or "Page 4." in text:
            raise ValueError("broken content")
        return text

    return extract_text

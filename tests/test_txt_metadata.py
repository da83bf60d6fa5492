"""Metadata the plain-text loader finds: news reports, Project Gutenberg books, front matter.

A news report's headline, byline and dateline give its title, authors,
publisher and date; a Project Gutenberg file loses its licence header and
footer and keeps what the header says; Markdown front matter maps to the same
fields; a date without a year reads as words in a citation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from invariants import check_invariants

from db.documents import load_bytes, load_path
from db.documents.gutenberg import language_code, title_case
from db.documents.inert import make_inert
from db.export.csl_json import csl_item, parse_date
from db.models import Document, LoadedText, Metadata

FIXTURES = Path(__file__).parent / "fixtures"
GUTENBERG = FIXTURES / "gutenberg"

BODY = (
    "Britain will tighten its asylum rules, the interior minister said on\n"
    "Monday, after a record number of people crossed the Channel in small\n"
    "boats last year.\n\n"
    "The minister, speaking in parliament, said the new law would take\n"
    "effect in February and would apply to anyone arriving without a visa."
)


def load(source: str, name: str = "doc.txt") -> LoadedText:
    loaded = load_bytes(source.encode("utf-8"), name)
    check_invariants(loaded)
    return loaded


def load_file(path: Path) -> LoadedText:
    loaded, _ = load_path(path)
    check_invariants(loaded)
    return loaded


def blocks(loaded: LoadedText) -> list[tuple[str, int, str]]:
    return [(b.kind, b.level, loaded.text[b.start : b.end]) for b in loaded.blocks]


# --- news reports ------------------------------------------------------------------


def test_the_news_fixture_gets_its_title_author_outlet_and_date() -> None:
    loaded = load_file(FIXTURES / "news.txt")
    assert loaded.metadata == Metadata(
        title="Britain to tighten asylum rules after record crossings",
        authors=["Jane Doe"],
        published="--06-03",
        publisher="Reuters",
        kind="article",
    )
    assert blocks(loaded)[:4] == [
        ("heading", 1, "Britain to tighten asylum rules after record crossings"),
        ("paragraph", 0, "Government says new law will deter small-boat arrivals"),
        (
            "paragraph",
            0,
            "LONDON, June 3 (Reuters) – Britain will tighten its asylum rules, the interior "
            "minister said on Monday, after a record number of people crossed the Channel in "
            "small boats last year. The U.S. and France were consulted, officials said.",
        ),
        # The byline is part of the article: it stays, as a paragraph.
        ("paragraph", 0, "By Jane Doe, Reuters"),
    ]


@pytest.mark.parametrize(
    ("dateline", "published", "publisher"),
    [
        ("LONDON, June 3 (Reuters) – ", "--06-03", "Reuters"),
        ("LONDON, June 3, 2024 (Reuters) – ", "2024-06-03", "Reuters"),
        ("WASHINGTON (AP) — ", "", "Associated Press"),
        ("PARIS, 3 June (AFP) - ", "--06-03", "Agence France-Presse"),
        ("PARIS, 3 June 2024 (AFP) - ", "2024-06-03", "Agence France-Presse"),
        ("NEW YORK, Sept. 12 (Reuters) -- ", "--09-12", "Reuters"),
        ("SPRINGFIELD, Ill. (AP) — ", "", "Associated Press"),
        ("Washington (CNN) — ", "", "CNN"),
        ("TOKYO, Jan. 5 — ", "--01-05", ""),
    ],
)
def test_datelines(dateline: str, published: str, publisher: str) -> None:
    loaded = load(f"Britain to tighten asylum rules\n\n{dateline}{BODY}")
    meta = loaded.metadata
    assert (meta.kind, meta.published, meta.publisher) == ("article", published, publisher)
    assert meta.title == "Britain to tighten asylum rules"
    assert blocks(loaded)[0] == ("heading", 1, "Britain to tighten asylum rules")
    assert blocks(loaded)[1][2].startswith(dateline.strip())


@pytest.mark.parametrize(
    ("dateline", "published"),
    [
        ("WASHINGTON (AP) — ", "2024-06-03"),
        ("LONDON, June 3 (Reuters) – ", "2024-06-03"),
        ("LONDON, June 2, 2024 (Reuters) – ", "2024-06-02"),
    ],
)
def test_a_dateline_without_a_year_takes_it_from_a_date_line(dateline: str, published: str) -> None:
    source = f"Markets rally\nBy Jane Doe\nJune 3, 2024\n\n{dateline}{BODY}"
    assert load(source).metadata.published == published


@pytest.mark.parametrize(
    ("byline", "authors", "publisher"),
    [
        ("By Jane Doe, Reuters", ["Jane Doe"], "Reuters"),
        ("By JANE DOE", ["Jane Doe"], ""),
        ("BY JANE DOE, REUTERS", ["Jane Doe"], "Reuters"),
        ("By Jane Doe and John Roe, Reuters", ["Jane Doe", "John Roe"], "Reuters"),
        ("By Jane Doe, John Roe and Mary Major", ["Jane Doe", "John Roe", "Mary Major"], ""),
        ("By Jane Doe, John Roe", ["Jane Doe", "John Roe"], ""),
        ("By Jane Doe, Staff Writer", ["Jane Doe"], ""),
        ("By Jane Doe, The Associated Press", ["Jane Doe"], "The Associated Press"),
        ("By Jane Doe, AP", ["Jane Doe"], "Associated Press"),
        ("BY SEAN O'BRIEN AND JEAN-PAUL MCCARTHY", ["Sean O'Brien", "Jean-Paul McCarthy"], ""),
        ("By Ludwig van Beethoven", ["Ludwig van Beethoven"], ""),
    ],
)
def test_bylines(byline: str, authors: list[str], publisher: str) -> None:
    loaded = load(f"Britain to tighten asylum rules\n\n{byline}\n\nLONDON, June 3 – {BODY}")
    meta = loaded.metadata
    assert (meta.authors, meta.publisher, meta.kind) == (authors, publisher, "article")
    assert ("paragraph", 0, byline) in blocks(loaded)


@pytest.mark.parametrize(
    "top",
    [
        "Britain to tighten asylum rules\nBy Jane Doe\nGovernment says the law will deter arrivals",
        "Britain to tighten asylum rules\nGovernment says the law will deter arrivals\nBy Jane Doe",
    ],
)
def test_a_byline_above_or_below_the_subtitle_is_its_own_paragraph(top: str) -> None:
    loaded = load(f"{top}\n\nLONDON, June 3 (Reuters) – {BODY}")
    assert loaded.metadata.title == "Britain to tighten asylum rules"
    assert loaded.metadata.authors == ["Jane Doe"]
    found = blocks(loaded)
    assert found[0] == ("heading", 1, "Britain to tighten asylum rules")
    assert ("paragraph", 0, "By Jane Doe") in found[1:3]
    assert ("paragraph", 0, "Government says the law will deter arrivals") in found[1:3]


def test_a_byline_without_a_dateline_names_the_author_but_not_the_kind() -> None:
    loaded = load(
        "A Tale of Two Cities\n\nby Charles Dickens\n\n"
        "It was the best of times, it was the worst of times, it was the age of\n"
        "wisdom, it was the age of foolishness, it was the epoch of belief."
    )
    meta = loaded.metadata
    assert (meta.title, meta.authors, meta.kind, meta.published) == (
        "A Tale of Two Cities",
        ["Charles Dickens"],
        "",
        "",
    )
    assert blocks(loaded)[1] == ("paragraph", 0, "by Charles Dickens")


@pytest.mark.parametrize(
    "name", ["war_and_peace_excerpt.txt", "bible_excerpt.txt", "utf8_demo_excerpt.txt"]
)
def test_books_are_not_news(name: str) -> None:
    meta = load_file(FIXTURES / name).metadata
    assert (meta.authors, meta.published, meta.publisher, meta.kind) == ([], "", "", "")


@pytest.mark.parametrize(
    "source",
    [
        # A letter: a place and a date, but no dash after them.
        "12 Baker Street\nLondon\n\nJune 3, 1890\n\nDear Sir,\n\nI write to say that the "
        "train was late.\n\nYours truly,\nJohn Watson",
        "LONDON, June 3, 1890.\n\nDear Sir, I write to say that the train was late again.",
        # A name and a parenthesis before a dash is not a dateline.
        "The Farm\n\nJohn Smith (Bedford) - a farmer of forty - came to the door at noon.",
        # "By" opening a sentence is not a byline.
        "The Storm\n\nBy the time he arrived, the river had risen over the road.",
        "By Monday Morning\n\nThe river had risen over the road and nobody could cross it.",
    ],
)
def test_no_news_without_a_dateline_or_a_byline(source: str) -> None:
    meta = load(source).metadata
    assert (meta.authors, meta.published, meta.publisher, meta.kind) == ([], "", "", "")


def test_a_byline_deep_in_a_text_is_not_looked_for() -> None:
    paragraphs = [f"Paragraph {n} of a long story that goes on and on." for n in range(40)]
    paragraphs.insert(20, "By Jane Doe, Reuters")
    assert load("\n\n".join(paragraphs)).metadata.authors == []


pieces = st.lists(
    st.sampled_from(
        [
            *("\n", "\n\n", " ", "  ", "By ", "BY ", "Jane Doe", "JOHN ROE", " and ", ", Reuters"),
            *(",", "word", "Headline of the day", "The minister said it would pass."),
            "x" * 90,
        ]
    ),
    max_size=20,
).map("".join)
datelines = st.sampled_from(
    ["LONDON, June 3 (Reuters) – ", "WASHINGTON (AP) — ", "PARIS, 3 June 2024 (AFP) - ", ""]
)
# Pieces around a dateline, so that most examples are laid out as news.
news_like = st.tuples(pieces, datelines, pieces).map(lambda t: f"{t[0]}\n\n{t[1]}{t[2]}")


@given(news_like)
def test_news_layout_moves_whitespace_never_words(source: str) -> None:
    loaded = load(source)
    assert "".join(loaded.text.split()) == "".join(make_inert(source).split())


# --- Project Gutenberg -------------------------------------------------------------


GUTENBERG_BOOKS = {
    "alice29_1992.txt": (
        "ALICE'S ADVENTURES IN WONDERLAND",
        "THE END",
        Metadata(
            title="Alice's Adventures in Wonderland",
            authors=["Lewis Carroll"],
            publisher="Project Gutenberg",
            kind="book",
        ),
    ),
    "pg11_2008.txt": (
        "ALICE'S ADVENTURES IN WONDERLAND",
        "THE END",
        Metadata(
            title="Alice's Adventures in Wonderland",
            authors=["Lewis Carroll"],
            publisher="Project Gutenberg",
            url="https://www.gutenberg.org/ebooks/11",
            language="en",
            identifiers={"gutenberg": "11"},
            kind="book",
        ),
    ),
    "pg2600_2009.txt": (
        "WAR AND PEACE",
        "and to recognize a dependence of which we are not conscious.",
        Metadata(
            title="War and Peace",
            authors=["Leo Tolstoy"],
            publisher="Project Gutenberg",
            url="https://www.gutenberg.org/ebooks/2600",
            language="en",
            description="Translated by Louise and Aylmer Maude.",
            identifiers={"gutenberg": "2600"},
            kind="book",
        ),
    ),
    "pg2600_2022.txt": (
        "WAR AND PEACE",
        "and to recognize a dependence of which we are not conscious.",
        Metadata(
            title="War and Peace",
            # The catalogue's "graf Leo Tolstoy" without the rank.
            authors=["Leo Tolstoy"],
            publisher="Project Gutenberg",
            url="https://www.gutenberg.org/ebooks/2600",
            language="en",
            description="Translated by Aylmer Maude and Louise Maude.",
            identifiers={"gutenberg": "2600"},
            kind="book",
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(GUTENBERG_BOOKS))
def test_gutenberg_header_and_footer_are_cut_and_read(name: str) -> None:
    first, last, metadata = GUTENBERG_BOOKS[name]
    loaded = load_file(GUTENBERG / name)
    assert loaded.text.startswith(first)
    assert loaded.text.endswith(last)
    for licence in ("Gutenberg", "SMALL PRINT", "START OF", "END OF", "Anonymous Volunteer"):
        assert licence not in loaded.text
    # The release date is the file's, not the work's.
    assert loaded.metadata == metadata


def test_gutenberg_body_keeps_its_structure() -> None:
    loaded = load_file(GUTENBERG / "pg11_2008.txt")
    assert blocks(loaded)[:4] == [
        ("heading", 1, "ALICE'S ADVENTURES IN WONDERLAND"),
        ("paragraph", 0, "Lewis Carroll"),
        ("paragraph", 0, "THE MILLENNIUM FULCRUM EDITION 3.0"),
        ("heading", 2, "CHAPTER I. Down the Rabbit-Hole"),
    ]


def test_the_old_alice_excerpt_loses_its_small_print() -> None:
    loaded = load_file(FIXTURES / "alice_excerpt.txt")
    assert loaded.text.startswith("ALICE'S ADVENTURES IN WONDERLAND")
    assert "CHARLES B. KRAMER" not in loaded.text
    assert loaded.metadata.title == "Alice's Adventures in Wonderland"


def test_a_footer_alone_is_cut_and_names_the_book() -> None:
    source = (GUTENBERG / "pg2600_2009.txt").read_text(encoding="ascii")
    body = source[source.index("WAR AND PEACE\n") :]
    loaded = load(body)
    assert "Gutenberg" not in loaded.text
    assert loaded.text.endswith("a dependence of which we are not conscious.")
    meta = loaded.metadata
    assert (meta.title, meta.authors, meta.identifiers) == (
        "War and Peace",
        ["Leo Tolstoy"],
        {"gutenberg": "2600"},
    )


def test_a_header_with_a_subtitle_and_produced_by_credits() -> None:
    source = (
        "The Project Gutenberg eBook of The Man Who Was Thursday, by G. K. Chesterton\n\n"
        "Title: The Man Who Was Thursday\n"
        "       A Nightmare\n\n"
        "Author: G. K. Chesterton\n\n"
        "Release Date: April, 1999 [EBook #1695]\n\n"
        "Language: English\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK THE MAN WHO WAS THURSDAY ***\n\n\n"
        "Produced by Harry Plantinga\n\n\n\n"
        "THE MAN WHO WAS THURSDAY\n\n"
        "A NIGHTMARE\n\n"
        "CHAPTER I. THE TWO POETS OF SAFFRON PARK\n\n"
        "The suburb of Saffron Park lay on the sunset side of London, as red\n"
        "and ragged as a cloud of sunset.\n"
    )
    loaded = load(source)
    assert loaded.text.startswith("THE MAN WHO WAS THURSDAY\n\nA NIGHTMARE")
    assert "Produced by" not in loaded.text
    meta = loaded.metadata
    assert (meta.title, meta.authors, meta.identifiers["gutenberg"]) == (
        "The Man Who Was Thursday: A Nightmare",
        ["G. K. Chesterton"],
        "1695",
    )


def test_small_print_at_the_end_of_a_short_file_is_footer() -> None:
    source = (
        "The Project Gutenberg EBook of A Short Book, by Ann Author\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK A SHORT BOOK ***\n\n"
        "A SHORT BOOK\n\nThe whole of the story, told in one line.\n\n"
        "End of the Project Gutenberg EBook of A Short Book, by Ann Author\n\n"
        "***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN EBOOKS**START***\n"
        'Why is this "Small Print!" statement here? You know: lawyers.\n\n'
        "*END THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*Ver.02/11/02*END*\n"
    )
    loaded = load(source)
    assert loaded.text == "A SHORT BOOK\n\nThe whole of the story, told in one line."
    assert (loaded.metadata.title, loaded.metadata.authors) == ("A Short Book", ["Ann Author"])


def test_a_french_book_and_several_authors() -> None:
    source = (
        "The Project Gutenberg EBook of Le Tour du monde\n\n"
        "Title: Le Tour du monde en quatre-vingts jours\n\n"
        "Author: Jules Verne and Adolphe d'Ennery\n\n"
        "Release Date: June 3, 2004 [EBook #12345]\n\n"
        "Language: French\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK LE TOUR DU MONDE ***\n\n"
        "LE TOUR DU MONDE\n\n"
        "M. Phileas Fogg habitait, en 1872, la maison portant le numéro 7 de\n"
        "Saville-row, Burlington Gardens.\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK LE TOUR DU MONDE ***\n"
    )
    meta = load(source).metadata
    assert meta.language == "fr"
    assert meta.authors == ["Jules Verne", "Adolphe d'Ennery"]
    assert meta.published == ""


@pytest.mark.parametrize(
    "source",
    [
        "Notes\n\nI read it on Project Gutenberg last night, and the start of the\n"
        "Project Gutenberg archive is a story in itself.\n\nEnd of Project Gutenberg talk.",
        # A marker quoted far into a book is not its header.
        "\n\n".join(["A paragraph of a long book that goes on for a while."] * 2000)
        + "\n\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nMore.",
    ],
)
def test_texts_that_only_mention_gutenberg_are_left_alone(source: str) -> None:
    loaded = load(source)
    assert loaded.text.count("Gutenberg") == source.count("Gutenberg")
    assert loaded.metadata.publisher == ""


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("English", "en"),
        ("French", "fr"),
        ("German", "de"),
        ("Middle English", "enm"),
        ("English, French", "en"),
        ("fr", "fr"),
        ("Klingon", ""),
    ],
)
def test_language_codes(name: str, code: str) -> None:
    assert language_code(name) == code


@pytest.mark.parametrize(
    ("shouted", "cased"),
    [
        ("ALICE'S ADVENTURES IN WONDERLAND", "Alice's Adventures in Wonderland"),
        ("THE HISTORY OF HENRY VIII", "The History of Henry VIII"),
        ("THROUGH THE LOOKING-GLASS", "Through the Looking-Glass"),
    ],
)
def test_title_case(shouted: str, cased: str) -> None:
    assert title_case(shouted) == cased


# --- Markdown front matter ---------------------------------------------------------


def test_front_matter_fixtures() -> None:
    go = load_file(FIXTURES / "go_blog_yaml.md").metadata
    assert (go.title, go.authors, go.published, go.description) == (
        "Robust generic functions on slices",
        ["Valentin Deleplace"],  # "by:" as a list
        "2024-02-22",
        "Avoiding memory leaks in the slices package.",  # "summary:"
    )
    rust = load_file(FIXTURES / "rust_blog_yaml.md").metadata
    assert rust.authors == ["Tyler Mandry"]  # "author:" as a string
    toml = load_file(FIXTURES / "rust_blog_toml.md").metadata
    assert toml.authors == ["Trevor Gross"]  # "authors = [...]"


def test_front_matter_fields() -> None:
    source = (
        "---\n"
        "title: On Reading\n"
        "authors: [Ann Author, Bob Writer]\n"
        "published: 2024-06-03T09:30:00Z\n"
        "site: The Reading Room\n"
        "canonical: https://example.com/on-reading\n"
        "language: fr-FR\n"
        "summary: A short note.\n"
        "tags: [books]\n"
        "keywords: reading, books\n"
        "categories:\n"
        "  - essays\n"
        "isbn: 978-3-16-148410-0\n"
        "doi: 10.1000/182\n"
        "---\n\nText.\n"
    )
    meta = load(source, "note.md").metadata
    assert meta == Metadata(
        title="On Reading",
        authors=["Ann Author", "Bob Writer"],
        published="2024-06-03",
        publisher="The Reading Room",
        url="https://example.com/on-reading",
        language="fr-FR",
        description="A short note.",
        identifiers={"isbn": "978-3-16-148410-0", "doi": "10.1000/182"},
        tags=["books", "reading", "essays"],
    )


def test_toml_timestamps_keep_their_day() -> None:
    source = '+++\ntitle = "T"\ndate = 2024-03-30T10:00:00Z\nlink = "https://e.org/t"\n+++\nx\n'
    meta = load(source, "t.md").metadata
    assert (meta.published, meta.url) == ("2024-03-30", "https://e.org/t")


# --- a date without a year in citations -------------------------------------------


@pytest.mark.parametrize("value", ["--06-03", "--12-25", "--06", "--13-01"])
def test_a_month_and_day_without_a_year_is_no_date_to_cite(value: str) -> None:
    assert parse_date(value) == {}
    assert parse_date("2024-06-03") == {"date-parts": [[2024, 6, 3]]}


def test_the_news_fixture_cites_its_reporter_and_outlet() -> None:
    loaded = load_file(FIXTURES / "news.txt")
    document = Document(
        id=1,
        text_hash="",
        source_hash="",
        format="txt",
        path="news.txt",
        metadata=loaded.metadata,
        added="2026-01-01T00:00:00Z",
        opened=None,
    )
    item = csl_item(document)
    assert "issued" not in item  # the year is for the reader to fill in
    assert item["type"] == "article-newspaper"
    assert item["container-title"] == "Reuters"
    assert item["author"] == [{"family": "Doe", "given": "Jane"}]


def test_a_news_report_is_cited_as_a_newspaper_article_once_its_year_is_known() -> None:
    from dataclasses import replace

    from db.cite import cite

    loaded = load_file(FIXTURES / "news.txt")
    document = Document(
        id=1,
        text_hash="",
        source_hash="",
        format="txt",
        path="news.txt",
        metadata=replace(loaded.metadata, published="2024-06-03"),
        added="2026-01-01T00:00:00Z",
        opened=None,
    )
    title = "Britain to Tighten Asylum Rules After Record Crossings"
    assert cite(document, style="apa") == (
        "Doe, J. (2024, June 3). Britain to tighten asylum rules after record crossings. Reuters."
    )
    assert cite(document, style="mla") == f"Doe, Jane. “{title}.” Reuters, 3 June 2024."
    assert cite(document, style="chicago-author-date") == (
        f"Doe, Jane. 2024. “{title}.” Reuters, June 3."
    )

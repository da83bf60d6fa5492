"""The import parsers on real files: Kindle "My Clippings.txt" of several firmwares, Readwise CSV.

The fixtures are copies of the project corpus (tests/fixtures/kindle/SOURCES.md
and tests/fixtures/readwise/SOURCES.md say where each comes from); the
expected values come from the expected-result files shipped with them.
"""

from __future__ import annotations

import codecs
import json
import time
from pathlib import Path
from typing import Any

import pytest

from db.imports.detect import decode_import, detect_import_format
from db.imports.kindle import parse_date, parse_kindle, split_authors, split_title
from db.imports.readwise import parse_readwise
from db.imports.records import ImportedBook, ImportedHighlight, ParsedImport

FIXTURES = Path(__file__).parent / "fixtures"
KINDLE = FIXTURES / "kindle"
HADYNZ = KINDLE / "hadynz"
READWISE = FIXTURES / "readwise"
EDITED = "earlier version"


def kindle(path: Path) -> ParsedImport:
    return parse_kindle(decode_import(path.read_bytes()))


def readwise(name: str) -> ParsedImport:
    return parse_readwise(decode_import((READWISE / name).read_bytes()))


def quoted(book: ImportedBook) -> list[ImportedHighlight]:
    """The highlights proper: not the notes kept on their own (quote "")."""
    return [h for h in book.highlights if h.quote]


def book_named(parsed: ParsedImport, title: str) -> ImportedBook:
    matches = [book for book in parsed.books if book.title == title]
    assert len(matches) == 1, [book.title for book in parsed.books]
    return matches[0]


def all_highlights(parsed: ParsedImport) -> list[ImportedHighlight]:
    return [h for book in parsed.books for h in book.highlights]


# Kindle: samueldg's files with their expected parse


def _location(expected: dict[str, Any]) -> str:
    begin, end = expected["location"]["begin"], expected["location"]["end"]
    span = str(begin) if begin == end else f"{begin}-{end}"
    page = expected["page"]
    return f"page {page}, Location {span}" if page is not None else f"Location {span}"


@pytest.mark.parametrize("name", ["clippings", "clippings-new-format"])
def test_kindle_english_matches_the_expected_parse(name: str) -> None:
    parsed = kindle(KINDLE / f"{name}.txt")
    expected = json.loads((KINDLE / f"{name}.json").read_text(encoding="utf-8"))
    assert parsed.format == "kindle"
    assert parsed.failed == [] and parsed.skipped == []
    assert len(all_highlights(parsed)) == sum(
        e["metadata"]["category"] == "Highlight" for e in expected
    )
    for entry in expected:
        meta = entry["metadata"]
        book = book_named(parsed, entry["document"]["title"])
        assert book.kind == "book"
        if meta["category"] == "Note":
            # The note comes first in the file and still goes to its highlight.
            (highlight,) = [h for h in book.highlights if h.note]
            assert highlight.note == entry["content"]
            assert meta["location"]["begin"] == highlight.order
            continue
        (highlight,) = [h for h in book.highlights if h.quote == entry["content"]]
        assert highlight.location == _location(meta)
        assert highlight.page == ("" if meta["page"] is None else str(meta["page"]))
        assert highlight.order == meta["location"]["begin"]
        assert highlight.created == meta["timestamp"]


def test_kindle_authors_from_the_title_line() -> None:
    parsed = kindle(KINDLE / "clippings.txt")
    java = book_named(parsed, "Java Concurrency in Practice")
    expected = "Joshua Bloch;Brian Goetz;Tim Peierls;Joseph Bowbeer;David Holmes;Doug Lea"
    assert java.authors == expected.split(";")
    microservices = book_named(parsed, "Microservice Architecture")
    assert microservices.authors == [
        "Irakli Nadareishvili",
        "Ronnie Mitra",
        "Matt McLarty",
        "Mike Amundsen",
    ]
    schopenhauer = book_named(parsed, "The Essays of Arthur Schopenhauer: the Wisdom of Life")
    assert schopenhauer.authors == ["Schopenhauer, Arthur"]
    # Curly quotes come through as they are.
    (rock,) = book_named(parsed, "Rock, Paper, Scissors").highlights
    assert rock.quote.startswith("\u201cAlways forgive your enemies")


def test_kindle_spanish_and_uk_english_firmware_in_one_file() -> None:
    parsed = kindle(KINDLE / "bilingual-es-en.txt")
    assert parsed.failed == []
    (priory,) = book_named(parsed, "The Priory of the Orange Tree").highlights
    assert book_named(parsed, "The Priory of the Orange Tree").authors == ["Samantha Shannon"]
    assert priory.location == "page 115, Location 1756-1757"
    assert priory.page == "115" and priory.order == 1756
    assert priory.created == "2021-02-26T11:03:02"
    spanish_book = book_named(parsed, "El Principe de la Niebla")
    assert spanish_book.authors == ["Carlos Ruiz Zafón"]
    (spanish,) = spanish_book.highlights
    assert spanish.quote == "asintiendo a una pregunta que Max no había llegado a formular."
    assert spanish.location == "page 4, Location 60"
    assert spanish.page == "4" and spanish.order == 60
    assert spanish.created == "2022-07-06T06:54:57"


# Kindle: hadynz's edge cases, against the counts and contents of expected.json


@pytest.fixture(scope="module")
def hadynz() -> dict[str, Any]:
    files: dict[str, Any] = json.loads((HADYNZ / "expected.json").read_text("utf-8"))["files"]
    return files


def test_kindle_bom_at_the_start_of_records_mid_file(hadynz: dict[str, Any]) -> None:
    assert (HADYNZ / "simple.txt").read_text("utf-8").count("\ufeff") == 2
    parsed = kindle(HADYNZ / "simple.txt")
    (book,) = parsed.books
    assert book.title == "Strength in Stillness: The Power of Transcendental Meditation"
    assert book.authors == ["Roth, Bob"]
    # 3 blocks: two highlights and a bookmark.
    assert hadynz["simple.txt"]["blocks"] == 3
    assert [h.order for h in book.highlights] == [98, 157]
    assert parsed.skipped == ["1 bookmark"]


def test_kindle_old_title_dash_author_form(hadynz: dict[str, Any]) -> None:
    parsed = kindle(HADYNZ / "trailing-separator-start.txt")
    assert hadynz["trailing-separator-start.txt"]["blocks"] == 2
    (book,) = parsed.books
    assert (book.title, book.authors) == ("Jornada de Montahue", ["P Hernan Alessandri"])
    assert [h.quote for h in book.highlights][1] == "personal"
    for highlight in book.highlights:
        assert (highlight.page, highlight.location, highlight.order) == ("125", "page 125", 125000)
        assert highlight.created == "2012-04-24T16:13:00"
    assert parsed.failed == []


def test_kindle_edited_highlights_and_notes(hadynz: dict[str, Any]) -> None:
    expected = hadynz["first-scenario.txt"]
    parsed = kindle(HADYNZ / "first-scenario.txt")
    assert len(parsed.books) == expected["books"]
    elantris, nineteen84 = parsed.books
    assert elantris.title == expected["book0"]["title"]
    assert elantris.authors == ["Sanderson, Brandon"]
    assert len(quoted(elantris)) == expected["book0"]["annotations"]
    # Overlapping ranges whose texts differ (481-484, 483-484) are two highlights.
    assert [h.order for h in elantris.highlights] == expected["book0"]["locations_from"]
    assert [h.created + "Z" for h in elantris.highlights] == expected["book0"]["created"]
    assert nineteen84.title == expected["book1"]["title"]
    (highlight,) = quoted(nineteen84)
    assert len(quoted(nineteen84)) == expected["book1"]["annotations"]
    # The 13:27:00 version is superseded by the 13:27:09 one at the same range.
    assert highlight.quote == expected["book1"]["content"]
    assert highlight.created + "Z" == expected["book1"]["created"]
    assert highlight.note == expected["book1"]["note"]
    assert highlight.location == "page 41, Location 737-739"
    assert parsed.skipped == ["1 earlier version of highlights edited on the device"]
    # The note at 1971 holds no highlight: kept with an empty quote, not dropped.
    (lone,) = [h for h in nineteen84.highlights if not h.quote]
    assert lone.note == "Airplane Accidents - also how software projects go wrong"
    assert (lone.location, lone.order) == ("Location 1971", 1971)
    assert lone.created == "2021-01-06T14:22:58"


def test_kindle_notes_before_their_highlight(hadynz: dict[str, Any]) -> None:
    expected = hadynz["unordered-scenario.txt"]
    parsed = kindle(HADYNZ / "unordered-scenario.txt")
    (book,) = parsed.books
    assert (book.title, book.authors) == ("UNKNOWN", ["Daniel Kim Hansen"])
    assert len(quoted(book)) == len(book.highlights) == expected["annotations"]
    # Two notes at location 114 are one note edited: the later one is kept.
    assert [h.note for h in book.highlights] == expected["notes_in_order"]


def test_kindle_books_sharing_a_location_are_not_duplicates(hadynz: dict[str, Any]) -> None:
    expected = hadynz["dup-location-scenario.txt"]
    parsed = kindle(HADYNZ / "dup-location-scenario.txt")
    assert len(parsed.books) == expected["books"]
    assert [len(b.highlights) for b in parsed.books] == [expected["annotations_per_book"]] * 3
    assert parsed.books[2].authors == ["b8cd5f21-3503-4d65-bfbf-cea4ad864210@hntokindle.com"]
    assert parsed.books[2].title == "Papers every developer should read at least twice (2017)"


def test_kindle_several_highlights_on_one_page(hadynz: dict[str, Any]) -> None:
    expected = hadynz["dup-same-page.txt"]
    parsed = kindle(HADYNZ / "dup-same-page.txt")
    (book,) = parsed.books
    assert [h.quote for h in book.highlights] == expected["contents"]
    assert [h.page for h in book.highlights] == ["7", "10", "10"]
    # "Monday, 3 December 12 19:42:30 Greenwich Mean Time": a two-digit year.
    assert book.highlights[0].created == "2012-12-03T19:42:30"
    # The second "Highlight 3" on page 10 is the same highlight made again.
    assert book.highlights[2].created == "2012-12-03T19:51:33"
    assert parsed.skipped == ["1 earlier version of highlights edited on the device"]


def test_kindle_empty_highlights_and_bookmarks_are_skipped(hadynz: dict[str, Any]) -> None:
    expected = hadynz["no-content-scenario.txt"]
    parsed = kindle(HADYNZ / "no-content-scenario.txt")
    assert len(parsed.books) == expected["books"]
    (highlight,) = parsed.books[0].highlights
    assert highlight.quote.startswith("The rare moment when you choose to reorganize")
    assert sorted(parsed.skipped) == ["1 bookmark", "1 empty highlight"]
    assert parsed.failed == []


def test_kindle_chinese_note_attaches(hadynz: dict[str, Any]) -> None:
    expected = hadynz["missing-note-scenario.txt"]
    parsed = kindle(HADYNZ / "missing-note-scenario.txt")
    (book,) = parsed.books
    assert book.title == "飘（上下） (外国文学名著名译丛书)"
    assert book.authors == ["(美)米切尔"]
    (highlight,) = book.highlights
    assert highlight.note == expected["note"]
    assert highlight.location == "Location 2543-2544"
    assert highlight.created == "2023-02-09T18:35:21"


def test_kindle_crlf_reads_as_lf() -> None:
    lf = (HADYNZ / "first-scenario.txt").read_text("utf-8")
    crlf = lf.replace("\n", "\r\n")
    assert "\r\n" in crlf
    assert parse_kindle(crlf) == parse_kindle(lf)
    german = (KINDLE / "de-dapepe.txt").read_bytes()
    assert kindle(KINDLE / "de-dapepe.txt") == parse_kindle(
        decode_import(german.replace(b"\n", b"\r\n"))
    )


# Kindle: the German file (674 entries) and the Chinese one (three formats)


@pytest.fixture(scope="module")
def german() -> ParsedImport:
    return kindle(KINDLE / "de-dapepe.txt")


def test_kindle_german_counts(german: ParsedImport) -> None:
    text = (KINDLE / "de-dapepe.txt").read_text("utf-8-sig")
    assert text.count("\n==========") == 674
    assert text.count("- Ihre Markierung ") == 671
    assert german.failed == []
    assert len(german.books) == 19
    # 671 highlights less the 85 earlier versions of ones edited on the device.
    assert german.skipped == [
        "2 bookmarks",
        "85 earlier versions of highlights edited on the device",
    ]
    highlights = all_highlights(german)
    assert len(highlights) == 586
    assert all(h.quote for h in highlights)
    (noted,) = [h for h in highlights if h.note]
    assert noted.note == "Peter Thiel"
    assert noted.location == "Location 148-151"
    assert noted.quote.startswith("Poor distribution—not product—is the number one cause")


def test_kindle_german_entries(german: ParsedImport) -> None:
    first = german.books[0]
    assert (first.title, first.authors) == ("Emergency", ["Neil Strauss"])
    assert first.highlights[0].quote.startswith("I realized then why the Jews in Nazi Germany")
    assert first.highlights[0].location == "Location 759-760"
    assert first.highlights[0].created == "2014-11-20T23:24:32"
    assert first.highlights[0].order == 759
    genesis = book_named(german, "Genesis. Brennende Welten (German Edition)")
    assert genesis.authors == ["Thariot"]
    (page,) = genesis.highlights
    assert page.quote == "an ihren schmalen Körper, Elias hatte"
    assert (page.location, page.page, page.order) == ("page 246, Location 3436", "246", 3436)
    # 12:33 in the afternoon; "Hinzugefügt am" is not "a.m.".
    assert page.created == "2015-04-03T12:33:35"
    startup = book_named(
        german,
        "The Startup Owner's Manual: The Step-by-Step Guide for Building a Great Company",
    )
    assert startup.authors == ["Blank, Steve", "Dorf, Bob"]
    assert book_named(german, "Letters from a Stoic").authors == ["Seneca"]


def test_kindle_shortened_highlight_keeps_the_later_version(german: ParsedImport) -> None:
    text = (KINDLE / "de-dapepe.txt").read_text("utf-8-sig")
    longer = "Pain + Reflection = Progress How big of an impediment"
    assert longer in text
    principles = book_named(german, "Principles: Life and Work")
    near = [h for h in principles.highlights if h.quote.startswith("Pain + Reflection")]
    assert [h.quote for h in near] == ["Pain + Reflection = Progress"]


def test_kindle_german_file_parses_fast() -> None:
    text = decode_import((KINDLE / "de-dapepe.txt").read_bytes())
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        parse_kindle(text)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.2


def test_kindle_a_large_book_parses_fast() -> None:
    header = "- Your {} at location {} | Added on Monday, 1 March 2021 10:00:00"
    entries = []
    for i in range(6000):
        entries.append(f"Big (A)\n{header.format('Highlight', f'{i * 10}-{i * 10 + 3}')}\n\nt{i}")
        if i % 10 == 0:
            entries.append(f"Big (A)\n{header.format('Note', i * 10 + 3)}\n\nn{i}")
    entries.append(f"Big (A)\n{header.format('Highlight', '1-99999999')}\n\nwide")
    text = "\n==========\n".join(entries) + "\n==========\n"
    started = time.perf_counter()
    (book,) = parse_kindle(text).books
    assert time.perf_counter() - started < 1.0
    assert len(book.highlights) == 6001
    assert book.highlights[10].note == "n10"
    assert book.highlights[-1].quote == "wide"


@pytest.fixture(scope="module")
def chinese() -> ParsedImport:
    return kindle(KINDLE / "zh-herechen.txt")


def test_kindle_chinese_three_formats(chinese: ParsedImport) -> None:
    assert chinese.failed == []
    assert len(chinese.books) == 26
    zhihu = book_named(chinese, "知乎周刊·读书这件小事")
    assert zhihu.authors == ["知乎"]
    # The old format: "- 我的标注 位置 #465-466 | 添加于2013年12月24日星期二 下午09:10:24".
    old = zhihu.highlights[0]
    assert old.quote.startswith("小的时候读《背影》")
    assert (old.location, old.order, old.created) == (
        "Location 465-466",
        465,
        "2013-12-24T21:10:24",
    )
    assert old.note == "同感呢"
    # The newer format: "- 您在位置 #469-471的标注 | 添加于 2013年12月27日星期五 上午1:58:30".
    (newer,) = book_named(chinese, "《科学松鼠会-Kindle精选》第1期（2013年5月）").highlights
    assert (newer.location, newer.created) == ("Location 469-471", "2013-12-27T01:58:30")
    assert newer.note == "未婚妻问题。"
    # UK English: "- Your Highlight at location 6418-6419 | Added on Monday, 10 March 2014
    # 14:34:24".
    (uk,) = [h for h in all_highlights(chinese) if h.order == 6418]
    assert uk.quote.startswith("Linux 基金会宣布")
    assert uk.created == "2014-03-10T14:34:24"
    # Chinese lists of names.
    book = book_named(chinese, "假如你愿意，你就恋爱吧 (王小波作品系列)")
    assert book.authors == ["王小波", "李银河"]


def test_kindle_chinese_boms_bookmarks_and_empties(chinese: ParsedImport) -> None:
    raw = (KINDLE / "zh-herechen.txt").read_text("utf-8")
    assert raw.startswith("\ufeff") and raw.count("\ufeff") == 7
    assert not any("\ufeff" in book.title for book in chinese.books)
    assert len({book.title for book in chinese.books}) == len(chinese.books)
    # Three old "我的书签 在 第 N 页" and one "您在位置 #76 的书签".
    assert chinese.skipped == [
        "4 bookmarks",
        "1 empty highlight",
        "6 earlier versions of highlights edited on the device",
    ]
    # The "Title - Author" book has bookmarks only, so it is no book at all.
    assert not any(book.title.startswith("Ni Cai Zai") for book in chinese.books)
    # A note made before the empty highlight it was written on stays, on its own.
    (lone,) = [h for h in all_highlights(chinese) if not h.quote]
    assert (lone.note, lone.location) == ("瘾", "Location 445")


# Kindle: title lines, author lists and dates on their own


@pytest.mark.parametrize(
    ("line", "title", "authors"),
    [
        ("Title (Series 2) (Author Name)", "Title (Series 2)", ["Author Name"]),
        ("\ufeffTitle (Blank, Steve;Dorf, Bob)", "Title", ["Blank, Steve", "Dorf, Bob"]),
        ("Letters from a Stoic (Seneca,)", "Letters from a Stoic", ["Seneca"]),
        ("Ni Cai Zai Shi  - Zhou Guo Ping  ", "Ni Cai Zai Shi", ["Zhou Guo Ping"]),
        ("A personal document", "A personal document", []),
        ("(Only brackets)", "(Only brackets)", []),
        ("Some Title (Unknown)", "Some Title", []),
    ],
)
def test_split_title(line: str, title: str, authors: list[str]) -> None:
    assert split_title(line) == (title, authors)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Jeremy Howard and Sylvain Gugger", ["Jeremy Howard", "Sylvain Gugger"]),
        ("Howard, Jeremy and Gugger, Sylvain", ["Howard, Jeremy", "Gugger, Sylvain"]),
        ("Le Guin, Ursula K.", ["Le Guin, Ursula K."]),
        ("A B, C D, E F", ["A B", "C D", "E F"]),
        ("Blank, Steve, Dorf, Bob", ["Blank, Steve, Dorf, Bob"]),
        ("Simon & Garfunkel", ["Simon", "Garfunkel"]),
        ("", []),
    ],
)
def test_split_authors(text: str, names: list[str]) -> None:
    assert split_authors(text) == names


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Added on Monday, March 21, 2016 8:35:16 AM", "2016-03-21T08:35:16"),
        ("Added on Monday, March 21, 2016 12:05:16 AM", "2016-03-21T00:05:16"),
        ("Added on Monday, March 21, 2016 12:05:16 PM", "2016-03-21T12:05:16"),
        ("Added on Tuesday, April 24, 2012, 04:13 PM", "2012-04-24T16:13:00"),
        ("Hinzugefügt am Donnerstag, 20. November 2014 23:24:32", "2014-11-20T23:24:32"),
        ("Añadido el miércoles, 6 de julio de 2022 06:54:57", "2022-07-06T06:54:57"),
        ("Ajouté le lundi 3 avril 2017 08:20:06", "2017-04-03T08:20:06"),
        ("添加于 2014年1月12日星期日 下午8:24:09", "2014-01-12T20:24:09"),
        ("添加于2013年12月24日星期二 上午12:10:24", "2013-12-24T00:10:24"),
        ("Added on Someday", ""),
        ("Added on Monday, February 30, 2016 8:35:16 AM", ""),
    ],
)
def test_parse_date(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_kindle_other_firmware_words_and_abbreviated_ranges() -> None:
    text = (
        "Livre (Auteur)\n- Votre surlignement sur la page 12 | emplacement 170-172 | "
        "Ajouté le lundi 3 avril 2017 08:20:06\n\nUn passage.\n==========\n"
        "Livre (Auteur)\n- Votre note sur la page 12 | emplacement 172 | "
        "Ajouté le lundi 3 avril 2017 08:21:00\n\nMa note.\n==========\n"
        "Livre (Auteur)\n- Votre signet sur la page 13 | emplacement 180 | "
        "Ajouté le lundi 3 avril 2017 08:22:00\n\n\n==========\n"
        "Old (Writer)\n- Highlight Loc. 2126-29  | Added on Friday, March 18, 2011, 12:15 AM\n\n"
        "Old text.\n==========\n"
    )
    parsed = parse_kindle(text)
    livre, old = parsed.books
    (passage,) = livre.highlights
    assert (passage.quote, passage.note) == ("Un passage.", "Ma note.")
    assert passage.location == "page 12, Location 170-172"
    assert parsed.skipped == ["1 bookmark"]
    (entry,) = old.highlights
    assert entry.location == "Location 2126-2129"
    assert entry.created == "2011-03-18T00:15:00"


def test_kindle_broken_entries_are_reported_with_their_line() -> None:
    text = (
        "A Book (An Author)\n- Your Highlight at location 1-2 | Added on Monday, 1 March 2021 "
        "10:00:00\n\nKept.\n==========\n"
        "\n"
        "A title with no second line\n==========\n"
        "Last (Entry)\n- Your Highlight at location 5 | Added on Monday, 1 March 2021 10:00:00\n\n"
        "No separator after me, and a\x1b[31m control."
    )
    parsed = parse_kindle(text)
    assert parsed.failed == ["line 7: no '- Your Highlight ...' line after the title"]
    assert [b.title for b in parsed.books] == ["A Book", "Last"]
    # Text is made inert: the escape character shows as a picture.
    assert parsed.books[1].highlights[0].quote.endswith("a\u241b[31m control.")


def test_kindle_lone_notes_stay_in_file_order() -> None:
    text = "".join(
        f"B (A)\n- Your {kind} at location {where} | Added on Monday, 1 March 2021 10:00:0{i}"
        f"\n\n{body}\n==========\n"
        for i, (kind, where, body) in enumerate(
            [
                ("Highlight", "10-12", "first"),
                ("Note", "50", "alone"),
                ("Highlight", "60-61", "second"),
                ("Note", "11", "inside the first"),
                ("Note", "12", "at the end of the first"),
            ]
        )
    )
    (book,) = parse_kindle(text).books
    assert [(h.quote, h.note) for h in book.highlights] == [
        ("first", "inside the first\n\nat the end of the first"),
        ("", "alone"),
        ("second", ""),
    ]


# Readwise


@pytest.fixture(scope="module")
def sample() -> ParsedImport:
    return readwise("readwise-export-sample.csv")


def test_readwise_export_books_and_rows(sample: ParsedImport) -> None:
    assert sample.format == "readwise"
    assert sample.failed == [] and sample.skipped == []
    assert len(all_highlights(sample)) == 29
    assert len(sample.books) == 14
    titles = [book.title for book in sample.books]
    assert titles[:3] == [
        "The Guillotine Mystique",
        "Luxuriating in Privacy",
        "How Not to Be Wrong: The Power of Mathematical Thinking",
    ]
    ellenberg = sample.books[2]
    assert ellenberg.authors == ["Jordan Ellenberg"]
    assert ellenberg.identifiers == {"asin": "B00G3L6JQ4"} and ellenberg.kind == "book"
    assert [h.order for h in ellenberg.highlights] == [19, 18, 17, 16, 15, 14, 13, -1]
    assert book_named(sample, "The Guillotine Mystique").kind == "article"
    assert book_named(sample, "Free to Choose: A Personal Statement").authors == [
        "Milton Friedman",
        "Rose Friedman",
    ]
    krebs = book_named(sample, "Thinking of a Cybersecurity Career? Read This — Krebs on Security")
    assert krebs.authors == [] and krebs.identifiers == {}


def test_readwise_quotes_and_lines(sample: ParsedImport) -> None:
    guillotine = book_named(sample, "The Guillotine Mystique")
    assert '""' not in guillotine.highlights[0].quote
    assert guillotine.highlights[0].quote.startswith(
        'Saint-Just made it clear that the reach of virtuous terror would be very wide: "There is'
    )
    assert guillotine.highlights[0].quote.endswith('stands opposed to it."')
    (norman,) = book_named(
        sample, "The Design of Everyday Things: Revised and Expanded Edition"
    ).highlights
    # Multi-line, with the no-break spaces of the book's indentation kept.
    second_line = norman.quote.split("\n")[1]
    assert second_line.startswith("\xa0")
    assert " ".join(second_line.split()) == (
        "• Best mapping: Controls are mounted directly on the item to be controlled."
    )
    malcolm = book_named(sample, "The Autobiography of Malcolm X").highlights[0]
    assert malcolm.quote.count("\n\n") == 2


def test_readwise_tags_notes_and_colours(sample: ParsedImport) -> None:
    plenty = book_named(sample, "Red Plenty")
    assert plenty.authors == ["Francis Spufford (Goodreads Author)"]
    (heading,) = plenty.highlights
    # ".h2" in the note is Readwise's inline tag, already in the Tags column.
    assert (heading.tags, heading.note, heading.color) == (["h2", "h1"], "", 1)
    assert heading.location == "Location 211" and heading.order == 211
    wigan = book_named(sample, "The Road to Wigan Pier").highlights
    assert [(h.color, h.tags) for h in wigan] == [(4, ["pink"]), (4, ["pink"])]
    hayek = book_named(
        sample, "The Fatal Conceit: The Errors of Socialism (The Collected Works of F. A. Hayek)"
    )
    assert hayek.authors == ["F. A. Hayek", "W. W. Bartley III"]
    assert hayek.highlights[0].tags == ["rl", "favorite"]
    meditations = book_named(
        sample,
        "The Meditations of the Emperor Marcus Aurelius Antoninus / "
        "A new rendering based on the Foulis translation of 1742",
    ).highlights
    assert [(h.quote[:9], h.note, h.tags) for h in meditations] == [
        ("Book V.", "", ["h1"]),
        ("Accuratel", "Emotion labeling?", []),
        ("Book XII.", "", ["h1"]),
        ("Book XI.", "", ["h1"]),
    ]
    discarded = book_named(sample, "Sapiens: A Brief History of Humankind").highlights[0]
    assert discarded.tags == ["discard"]
    # No Location Type and location 0: the place is unknown.
    assert (discarded.location, discarded.order) == ("", -1)


def test_readwise_dates(sample: ParsedImport) -> None:
    guillotine = book_named(sample, "The Guillotine Mystique").highlights[0]
    assert guillotine.created == "2020-11-26T03:28:15Z"
    ellenberg = sample.books[2].highlights[0]
    assert ellenberg.created == "2020-09-21T04:53:16Z"


def test_readwise_document_tags_header() -> None:
    parsed = readwise("readwise-export-2026-document-tags.csv")
    assert parsed.failed == []
    breaking, x, wisereads = parsed.books
    assert breaking.title == "🚨 BREAKING: Temperatures are now set to reach up to..."
    assert breaking.authors == ["Politics UK"]
    (first,) = breaking.highlights
    assert (first.quote, first.note) == ("nd Thursday", "beware")
    assert (first.location, first.order) == ("offset 81", 81)
    assert first.created == "2026-06-22T10:34:42Z"
    assert x.kind == "article" and x.authors == ["x.com"]
    assert wisereads.authors == ["Daniel Doyon", "Tristan Homsi"]
    assert wisereads.highlights[0].quote.endswith("**Tap the bu**")


def test_readwise_import_format_with_bom_and_crlf() -> None:
    text = (
        "\ufeffHighlight,Title,Author,URL,Note,Location,Date\r\n"
        '"A quote, with a comma and ""quotes""",An Article,Jane Roe,https://example.org/a,'
        '".asylum .topic/asylum\r\nMy note\r\non two lines",14,2024-06-03 10:20:30\r\n'
        ",An Article,Jane Roe,https://example.org/a,,,\r\n"
        "Second,An Article,Jane Roe,,,0,\r\n"
        ",Untitled,,,A note alone,,\r\n"
    )
    parsed = parse_readwise(text)
    assert parsed.failed == []
    assert parsed.skipped == ["1 empty highlight"]
    article, untitled = parsed.books
    assert (article.title, article.authors, article.url) == (
        "An Article",
        ["Jane Roe"],
        "https://example.org/a",
    )
    first, second = article.highlights
    assert first.quote == 'A quote, with a comma and "quotes"'
    assert (first.tags, first.note) == (["asylum", "topic/asylum"], "My note\non two lines")
    assert (first.location, first.order, first.created) == ("14", 14, "2024-06-03T10:20:30Z")
    assert (second.location, second.order, second.created) == ("", -1, "")
    (alone,) = untitled.highlights
    assert (alone.quote, alone.note) == ("", "A note alone")


def test_readwise_page_and_time_locations_and_more_colours() -> None:
    text = (
        "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,"
        "Highlighted at,Document tags\n"
        "a,T,A,,,blue,,page,14,2020-12-23 03:22:08+02:00,\"['reading', 'ai']\"\n"
        "b,T,A,,,purple,,time,754,not a date,ai\n"
        "c,T,A,,,orange,,page,xii,,\n"
        "d,T,A,,,Green,,location,,,\n"
    )
    (book,) = parse_readwise(text).books
    assert book.tags == ["reading", "ai"]
    a, b, c, d = book.highlights
    assert (a.location, a.page, a.order, a.color) == ("page 14", "14", 14, 3)
    assert a.created == "2020-12-23T01:22:08Z"
    assert (b.location, b.order, b.color, b.created) == ("time 754", 754, 5, "")
    assert (c.location, c.page, c.order, c.color) == ("page xii", "xii", -1, 4)
    assert (d.location, d.order, d.color) == ("", -1, 2)


def test_readwise_without_a_highlight_column() -> None:
    parsed = parse_readwise("Title,Author\nA,B\n")
    assert parsed.books == []
    assert parsed.failed == ["line 1: no Highlight column in the header"]
    assert parse_readwise("").failed == ["line 1: the file is empty"]
    huge = parse_readwise(f'Highlight,Title\na,b\n"{"x" * 200_000}",c\nd,e\n')
    assert huge.failed == ["line 3: field larger than field limit (131072)"]
    assert [book.title for book in huge.books] == ["b"]


# Detection and decoding


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (KINDLE / "de-dapepe.txt", "kindle"),
        (KINDLE / "zh-herechen.txt", "kindle"),
        (KINDLE / "bilingual-es-en.txt", "kindle"),
        (KINDLE / "clippings.txt", "kindle"),
        (HADYNZ / "trailing-separator-start.txt", "kindle"),
        (READWISE / "readwise-export-sample.csv", "readwise"),
        (READWISE / "readwise-export-2026-document-tags.csv", "readwise"),
        (KINDLE / "clippings.json", "json"),
        (HADYNZ / "expected.json", "json"),
    ],
)
def test_detect_by_content(path: Path, expected: str) -> None:
    data = path.read_bytes()
    assert detect_import_format(None, data) == expected
    assert detect_import_format("renamed.dat", data) == expected


def test_detect_edge_cases() -> None:
    clippings = (HADYNZ / "simple.txt").read_text("utf-8")
    utf16 = codecs.BOM_UTF16_LE + clippings.encode("utf-16-le")
    assert detect_import_format(None, utf16) == "kindle"
    assert detect_import_format(None, b"\xef\xbb\xbfHighlight,Title\r\nx,y\r\n") == "readwise"
    assert detect_import_format(None, b'  \n{"version": 1}') == "json"
    assert detect_import_format("My Clippings.txt", b"") == "kindle"
    assert detect_import_format("export.CSV", b"a,b\n") == "readwise"
    assert detect_import_format("data.json", b"") == "json"
    assert detect_import_format("notes.txt", b"just some text\n") is None
    assert detect_import_format(None, b"Highlight,Author\n") is None
    assert detect_import_format(None, b"\x89PNG\r\n\x1a\n\x00\x00") is None


def test_decode_import() -> None:
    assert decode_import(b"\xef\xbb\xbfTitle") == "Title"
    assert decode_import(codecs.BOM_UTF16_LE + "Zoë".encode("utf-16-le")) == "Zoë"
    assert decode_import(codecs.BOM_UTF16_BE + "Zoë".encode("utf-16-be")) == "Zoë"
    assert decode_import("Café crème à la française".encode("cp1252")) == (
        "Café crème à la française"
    )
    # A BOM inside the file is left for the Kindle parser.
    assert decode_import("a\n\ufeffb".encode()) == "a\n\ufeffb"
    utf16_kindle = codecs.BOM_UTF16_LE + (HADYNZ / "simple.txt").read_text("utf-8").encode(
        "utf-16-le"
    )
    assert parse_kindle(decode_import(utf16_kindle)) == kindle(HADYNZ / "simple.txt")

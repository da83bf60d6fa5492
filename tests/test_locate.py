"""Locations for citations: paragraphs counted without headings, the chapter they are in."""

from __future__ import annotations

from db.locate import Location, Locator
from db.models import Block


def document(parts: list[tuple[str, str]]) -> tuple[str, list[Block]]:
    blocks, at = [], 0
    for kind, text in parts:
        blocks.append(Block(kind, at, at + len(text), 1 if kind == "heading" else 0))
        at += len(text) + 2
    return "\n\n".join(text for _, text in parts), blocks


def test_paragraphs_are_counted_without_headings_and_rules():
    text, blocks = document(
        [
            ("heading", "CHAPTER I"),
            ("paragraph", "First."),
            ("rule", "* * *"),
            ("paragraph", "Second."),
            ("heading", "CHAPTER II"),
            ("quote", "Third."),
        ]
    )
    locator = Locator(text, blocks)
    assert locator.paragraphs == 3
    assert locator.at(text.index("First")) == Location(1, "CHAPTER I")
    assert locator.at(text.index("Second")) == Location(2, "CHAPTER I")
    assert locator.at(text.index("Third")) == Location(3, "CHAPTER II")
    # A heading belongs to the paragraph before it, never to a paragraph 0.
    assert locator.at(0).paragraph == 1


def test_descriptions_and_citation_locators():
    assert Location(12).describe() == "¶ 12"
    assert Location(12, "CHAPTER III").describe() == "CHAPTER III, ¶ 12"
    assert Location(12, "CHAPTER III", page="14").describe() == "p. 14"
    assert Location(12).locator() == ("paragraph", "12")
    assert Location(12, page="xiv").locator() == ("page", "xiv")


def test_an_empty_document_is_paragraph_one():
    assert Locator("", []).at(0) == Location(1)
    assert Locator("", []).paragraphs == 0


def test_a_paged_source_gives_the_page_label_holding_the_offset():
    from db.models import LoadedText, PageMark

    text, blocks = document(
        [("paragraph", "Preface text."), ("heading", "One"), ("paragraph", "Page one, then two.")]
    )
    two = text.index("two")
    pages = [PageMark(0, "ix"), PageMark(text.index("One"), "1"), PageMark(two, "2")]
    locator = Locator.of(LoadedText(text=text, blocks=blocks, pages=pages))
    assert locator.at(3) == Location(1, "", page="ix")
    assert locator.at(text.index("Page")).describe() == "p. 1"
    assert locator.at(two - 1).page == "1"
    assert locator.at(two).locator() == ("page", "2")
    # Before the first page mark (a cover without a label) there is no page.
    late = Locator(text, blocks, [PageMark(text.index("One"), "1")])
    assert late.at(0).page == ""
    assert late.at(0).describe() == "¶ 1"

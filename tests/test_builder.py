"""BlockBuilder, which the HTML, EPUB and PDF loaders lay their text with."""

from __future__ import annotations

from invariants import check_invariants

from db.documents.builder import BlockBuilder
from db.models import Block, PageMark, Span, TocEntry


def test_inline_text_collapses_like_a_browser_and_keeps_its_styles() -> None:
    builder = BlockBuilder()
    builder.begin("paragraph")
    builder.write("  Hello\n  ")
    builder.write("big", "em")
    builder.write(" \t world\x1b[31m ")
    builder.write("\u2028next", ("strong", "link"))
    builder.end()
    loaded = builder.result(fmt="html")
    check_invariants(loaded)
    assert loaded.text == "Hello big world␛[31m next"
    assert [(loaded.text[s.start : s.end], s.style) for s in loaded.spans] == [
        ("big", "em"),
        ("next", "strong"),
        ("next", "link"),
    ]


def test_whitespace_only_blocks_are_not_laid() -> None:
    builder = BlockBuilder()
    builder.add("paragraph", " \n\t ")
    builder.add("paragraph", "One.")
    builder.add("code", "\n  \n", preformatted=True)
    builder.add("paragraph", "Two.")
    loaded = builder.result()
    assert loaded.blocks == [Block("paragraph", 0, 4), Block("paragraph", 6, 10)]


def test_preformatted_text_keeps_indentation_and_blank_lines_as_a_space() -> None:
    builder = BlockBuilder()
    builder.begin("code", preformatted=True)
    builder.write("\n\n    def f():\n\n\n")
    builder.write("        return 1", "code")
    builder.write("\n   \n")
    builder.end()
    loaded = builder.result()
    check_invariants(loaded)
    assert loaded.text == "    def f():\n \n \n        return 1"
    assert [loaded.text[s.start : s.end] for s in loaded.spans] == ["        return 1"]


def test_lines_laid_as_set_move_their_spans_with_them() -> None:
    builder = BlockBuilder()
    text = "\n   │ B\n\n─┼─\nx │ y"
    builder.add_lines("table", text, spans=[(4, 7, "strong"), (13, 14, "em")])
    loaded = builder.result()
    assert loaded.text == "   │ B\n \n─┼─\nx │ y"
    assert [(loaded.text[s.start : s.end], s.style) for s in loaded.spans] == [
        ("│ B", "strong"),
        ("x", "em"),
    ]


def test_marks_between_blocks_point_at_the_next_block() -> None:
    builder = BlockBuilder()
    builder.toc_entry("Chapter\n one", 1)
    builder.page("1")
    builder.add("heading", "One", 1)
    builder.add("paragraph", "Text.")
    builder.page("2")
    builder.toc_entry("Two", 2)
    builder.add("heading", "Two", 2)
    builder.page("3")
    builder.toc_entry("Notes", 1)
    loaded = builder.result()
    check_invariants(loaded)
    two = loaded.text.index("Two")
    assert loaded.toc == [
        TocEntry("Chapter one", 0, 1),
        TocEntry("Two", two, 2),
        TocEntry("Notes", len(loaded.text), 1),
    ]
    assert loaded.pages == [PageMark(0, "1"), PageMark(two, "2"), PageMark(len(loaded.text), "3")]


def test_a_page_that_starts_inside_a_paragraph_starts_at_its_next_word() -> None:
    builder = BlockBuilder()
    builder.begin("paragraph")
    builder.write("The end of page one, ")
    builder.page("2")
    builder.write(" and the start of two.")
    builder.page("3")  # nothing after it in this block: the next block starts page 3
    builder.end()
    builder.add("paragraph", "Three.")
    loaded = builder.result()
    check_invariants(loaded)
    assert [loaded.text[p.start : p.start + 7] for p in loaded.pages] == ["and the", "Three."]
    assert [p.label for p in loaded.pages] == ["2", "3"]


def test_two_pages_at_one_offset_keep_the_later() -> None:
    builder = BlockBuilder()
    builder.page("1")
    builder.page("2")  # page 1 was empty
    builder.add("paragraph", "On page two.")
    assert builder.result().pages == [PageMark(0, "2")]


def test_spans_stop_at_their_block() -> None:
    builder = BlockBuilder()
    builder.begin("paragraph")
    builder.write("bold ", "strong")
    builder.end()
    builder.begin("quote", 1)
    builder.write("again", "strong")
    builder.end()
    loaded = builder.result()
    assert loaded.spans == [Span(0, 4, "strong"), Span(6, 11, "strong")]
    assert loaded.blocks[1] == Block("quote", 6, 11, 1)


def test_keeping_some_blocks_moves_spans_pages_and_contents_with_them() -> None:
    from db.documents.builder import keep_blocks

    builder = BlockBuilder()
    builder.page("i")
    builder.add("paragraph", "Licence.")
    builder.toc_entry("Book")
    builder.begin("paragraph")
    builder.write("Story ", "em")
    builder.page("1")
    builder.write("begins.")
    builder.end()
    builder.add("paragraph", "Footer.")
    builder.toc_entry("After")
    loaded = keep_blocks(builder.result(), 1, 2)
    check_invariants(loaded)
    assert loaded.text == "Story begins."
    assert loaded.blocks == [Block("paragraph", 0, 13)]
    assert loaded.spans == [Span(0, 5, "em")]
    # Page i began in the cut licence and still holds the kept start.
    assert loaded.pages == [PageMark(0, "i"), PageMark(6, "1")]
    assert loaded.toc == [TocEntry("Book", 0, 1)]


def test_a_paragraph_over_several_pages_keeps_every_page() -> None:
    builder = BlockBuilder()
    builder.page("1")
    builder.begin("paragraph")
    for label in ("2", "3", "4"):
        builder.write(f"text on page {int(label) - 1}")
        builder.page(label)
    builder.write("and the end on four.")
    builder.end()
    loaded = builder.result()
    check_invariants(loaded)
    assert [(p.label, loaded.text[p.start : p.start + 12]) for p in loaded.pages] == [
        ("1", "text on page"),
        ("2", "text on page"),
        ("3", "text on page"),
        ("4", "and the end "),
    ]

"""Tests for the HTML loader (db.documents.html): article extraction, blocks, metadata, decoding.

The pages in fixtures/html/ are copies of Mozilla Readability's test pages
(see fixtures/html/SOURCES.md); every loaded document goes through
``check_invariants``.
"""

from __future__ import annotations

import codecs
import html
import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from invariants import check_invariants
from lxml import html as lxml_html

from db.documents import LoadError, detect_format, load_bytes
from db.documents.html import parse_html, split_authors
from db.models import LoadedText

PAGES = Path(__file__).parent / "fixtures" / "html"
#: Share of the expected article's words each page keeps, as measured with
#: tests/benchmarks/bench_html.py on these pages, less a margin of 0.05.
RECALL_FLOORS = {
    "rtl-1": 0.95,
    "daringfireball-1": 0.87,
    "medium-2": 0.95,
    "keep-tabular-data": 0.95,
}
_WORDS = re.compile(r"[^\W_]+")
#: Characters a bidi algorithm would use to reorder text; logical order needs none.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")

ARTICLE = """<!DOCTYPE html>
<html lang="en-gb">
<head>
<meta charset="utf-8">
<title>Notes on Lantern Making | The Workshop</title>
<meta property="og:site_name" content="The Workshop">
<meta name="author" content="Ada Lovelace">
<meta property="article:published_time" content="2024-06-03T10:00:00Z">
<meta name="description" content="How lanterns are made, step by step.">
<link rel="canonical" href="https://workshop.example.org/lanterns">
<style>.lead { color: red } /* STYLE-LEAK-MARKER */</style>
<script>var leak = "SCRIPT-LEAK-MARKER";</script>
</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li></ul></nav>
<article>
<h1>Notes on Lantern Making</h1>
<p>Lanterns have been made by hand for centuries, and the <em>craft</em> is still
<strong>alive</strong> in many workshops. Use <code>glue</code> sparingly, and read
<a href="https://example.org/guide">the guide</a> before you start cutting paper.</p>
<h2>Materials</h2>
<p>Every lantern needs a frame, a shade and a light. The frame is usually made of bamboo or wire,
the shade of paper or silk, and the light is a candle or a small lamp.</p>
<ul>
<li>Bamboo strips, split thin
<ul><li>Soaked overnight</li><li>Dried slowly</li></ul>
</li>
<li>Rice paper</li>
<li>Wheat paste</li>
</ul>
<h3>Steps</h3>
<ol>
<li>Bend the strips into rings.</li>
<li>Tie the rings to the spine.</li>
<li>Paste the paper over the frame.</li>
</ol>
<blockquote><p>A lantern is a small house for a flame, and it should be built like one.</p>
</blockquote>
<p>The paste is cooked from flour and water, as in this recipe written for the workshop's
printer:</p>
<pre><code>flour = 100  # grams
water = 500  # millilitres

cook(flour, water, minutes=10)</code></pre>
<h4>Sizes</h4>
<table>
<thead><tr><th>Size</th><th>Rings</th><th>Height</th></tr></thead>
<tbody>
<tr><td>Small</td><td>3</td><td>20 cm</td></tr>
<tr><td><em>Large</em></td><td>7</td><td>60 cm</td></tr>
</tbody>
</table>
<p>A finished lantern, lit at dusk, shows the rings through the paper like ribs.</p>
<p><img src="lantern.jpg" alt="A paper lantern glowing in the dark"></p>
<h5>Care</h5>
<p>Keep lanterns dry and away from the sun, and they will last for many years of festivals.</p>
<h6>Credits</h6>
<p>Drawings by the workshop's apprentices, who made every lantern shown on this page.</p>
</article>
<footer><p>Copyright The Workshop. All rights reserved.</p></footer>
</body>
</html>
"""


def load(data: bytes | str, **kwargs: Any) -> LoadedText:
    if isinstance(data, str):
        data = data.encode("utf-8")
    loaded = parse_html(data, "page.html", **kwargs)
    check_invariants(loaded)
    assert loaded.format == "html"
    return loaded


def load_page(name: str) -> LoadedText:
    return load((PAGES / name / "source.html").read_bytes())


def expected_metadata(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAGES / name / "expected-metadata.json").read_text("utf-8"))
    return data


def blocks(loaded: LoadedText, kind: str | None = None) -> list[str]:
    return [loaded.text[b.start : b.end] for b in loaded.blocks if kind in (None, b.kind)]


def kinds(loaded: LoadedText) -> list[tuple[str, int, str]]:
    return [(b.kind, b.level, loaded.text[b.start : b.end]) for b in loaded.blocks]


def spans(loaded: LoadedText, style: str) -> list[str]:
    return [loaded.text[s.start : s.end] for s in loaded.spans if s.style == style]


def words(text: str) -> Counter[str]:
    return Counter(_WORDS.findall(unicodedata.normalize("NFKC", text).casefold()))


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


# --- the corpus pages ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RECALL_FLOORS))
def test_corpus_page_keeps_the_article(name: str) -> None:
    loaded = load_page(name)
    tree = lxml_html.fromstring((PAGES / name / "expected.html").read_bytes().decode("utf-8"))
    expected = words(" ".join(tree.itertext()))
    kept = sum((expected & words(loaded.text)).values())
    assert kept / sum(expected.values()) >= RECALL_FLOORS[name]
    assert not loaded.notices


@pytest.mark.parametrize("name", sorted(RECALL_FLOORS))
def test_no_script_or_style_text_leaks(name: str) -> None:
    source = (PAGES / name / "source.html").read_bytes()
    loaded = load(source)
    tree = lxml_html.fromstring(source)
    hidden = [
        line.strip()
        for element in tree.iter("script", "style")
        for line in (element.text or "").splitlines()
        if len(line.strip()) > 12
    ]
    assert not [line for line in hidden if line in loaded.text]


@pytest.mark.parametrize("name", sorted(RECALL_FLOORS))
def test_the_title_opens_the_text_once(name: str) -> None:
    loaded = load_page(name)
    first = loaded.blocks[0]
    assert (first.kind, first.level) == ("heading", 1)
    assert loaded.text[first.start : first.end] == loaded.metadata.title
    assert blocks(loaded).count(loaded.metadata.title) == 1


def test_medium_metadata() -> None:
    metadata = load_page("medium-2").metadata
    expected = expected_metadata("medium-2")
    assert metadata.title == expected["title"] == "On Behalf of “Literally”"
    assert metadata.authors == [expected["byline"]] == ["Courtney Kirchoff"]
    assert metadata.published == expected["publishedTime"][:10] == "2015-02-24"
    assert metadata.publisher == expected["siteName"] == "Medium"
    assert metadata.url == "https://medium.com/@ckirchoff/on-behalf-of-literally-429fab868ca8"
    assert metadata.description.startswith("In defense of the word “literally”")
    assert metadata.kind == "article"


def test_daring_fireball_metadata_and_headings() -> None:
    loaded = load_page("daringfireball-1")
    assert loaded.metadata.title == expected_metadata("daringfireball-1")["title"]
    assert loaded.metadata.language == "en"
    assert loaded.metadata.authors == []
    # A page with no date and no byline is a web page, not an article.
    assert (loaded.metadata.published, loaded.metadata.kind) == ("", "webpage")
    headings = [(level, text) for kind, level, text in kinds(loaded) if kind == "heading"]
    assert (2, "Server Software") in headings
    assert (2, "Web Standards") in headings
    assert "Joyent" in spans(loaded, "link")
    assert "Portrait by George Del Barrio" in spans(loaded, "em")


def test_keep_tabular_data_table_and_restored_headings() -> None:
    loaded = load_page("keep-tabular-data")
    metadata = loaded.metadata
    # The site's name goes from the title: "Friday Facts #282 - 0.17 in sight | Factorio".
    assert metadata.title == "Friday Facts #282 - 0.17 in sight"
    assert metadata.publisher == expected_metadata("keep-tabular-data")["siteName"]
    assert metadata.published == "2019-02-15"
    headings = [(level, text) for kind, level, text in kinds(loaded) if kind == "heading"]
    assert headings[:4] == [
        (1, "Friday Facts #282 - 0.17 in sight"),
        (2, "The release plan (kovarex)"),
        (3, "After release plan"),
        (2, "The GUI progress (kovarex)"),
    ]
    tables = blocks(loaded, "table")
    assert len(tables) == 1
    lines = tables[0].split("\n")
    # The page's top row is of <td>s (styled as a header), so no rule is drawn under it;
    # its first cell is empty, and the padding that stands for it is kept.
    assert lines[0].startswith(" " * 20) and lines[0].endswith("│ Final review")
    assert "General UX" in lines[0]
    assert lines[1].startswith("Load map ")
    # Columns line up: every row has its separators where the first row has them.
    bars = [i for i, ch in enumerate(lines[0]) if ch == "│"]
    assert len(bars) == 8
    assert all([i for i, ch in enumerate(line) if ch == "│"] == bars for line in lines[1:])
    items = blocks(loaded, "list_item")
    assert "• New graphics." in items


def test_rtl_page_keeps_its_text_in_logical_order() -> None:
    loaded = load_page("rtl-1")
    assert loaded.metadata.title == expected_metadata("rtl-1")["title"] == "RTL Test"
    assert "Lorem ipsum dolor sit amet." in blocks(loaded, "paragraph")
    hebrew = "שלום עולם, זהו משפט ארוך בעברית שנכתב כדי לבדוק את סדר הטקסט."
    arabic = "مرحبا بالعالم، هذه جملة طويلة بالعربية لاختبار ترتيب النص المنطقي."
    mixed = "The word שלום means peace, and سلام does too (2024)."
    loaded = load(
        page(
            f'<article dir="rtl"><p>{hebrew}</p><p>{arabic}</p><p dir="ltr">{mixed}</p></article>',
            '<meta charset="utf-8"><title>כותרת</title>',
        )
    )
    assert blocks(loaded, "paragraph") == [hebrew, arabic, mixed]
    assert loaded.metadata.title == "כותרת"
    assert _BIDI_CONTROLS.search(loaded.text) is None


# --- blocks and spans --------------------------------------------------------------


def test_block_structure_of_an_article() -> None:
    loaded = load(ARTICLE)
    assert kinds(loaded) == [
        ("heading", 1, "Notes on Lantern Making"),
        (
            "paragraph",
            0,
            "Lanterns have been made by hand for centuries, and the craft is still alive in many "
            "workshops. Use glue sparingly, and read the guide before you start cutting paper.",
        ),
        ("heading", 2, "Materials"),
        (
            "paragraph",
            0,
            "Every lantern needs a frame, a shade and a light. The frame is usually made of "
            "bamboo or wire, the shade of paper or silk, and the light is a candle or a small "
            "lamp.",
        ),
        ("list_item", 0, "• Bamboo strips, split thin"),
        ("list_item", 1, "◦ Soaked overnight"),
        ("list_item", 1, "◦ Dried slowly"),
        ("list_item", 0, "• Rice paper"),
        ("list_item", 0, "• Wheat paste"),
        ("heading", 3, "Steps"),
        ("list_item", 0, "1. Bend the strips into rings."),
        ("list_item", 0, "2. Tie the rings to the spine."),
        ("list_item", 0, "3. Paste the paper over the frame."),
        ("quote", 0, "A lantern is a small house for a flame, and it should be built like one."),
        (
            "paragraph",
            0,
            "The paste is cooked from flour and water, as in this recipe written for the "
            "workshop's printer:",
        ),
        # The empty line keeps a space: a blank line would end the block.
        (
            "code",
            0,
            "flour = 100  # grams\nwater = 500  # millilitres\n \ncook(flour, water, minutes=10)",
        ),
        ("heading", 4, "Sizes"),
        (
            "table",
            0,
            "Size  │ Rings │ Height\n"
            "──────┼───────┼───────\n"
            "Small │ 3     │ 20 cm\n"
            "Large │ 7     │ 60 cm",
        ),
        (
            "paragraph",
            0,
            "A finished lantern, lit at dusk, shows the rings through the paper like ribs.",
        ),
        ("paragraph", 0, "A paper lantern glowing in the dark"),
        ("heading", 5, "Care"),
        (
            "paragraph",
            0,
            "Keep lanterns dry and away from the sun, and they will last for many years of "
            "festivals.",
        ),
        ("heading", 6, "Credits"),
        (
            "paragraph",
            0,
            "Drawings by the workshop's apprentices, who made every lantern shown on this page.",
        ),
    ]


def test_inline_spans_and_link_urls_dropped() -> None:
    loaded = load(ARTICLE)
    assert spans(loaded, "em") == ["craft", "Large"]
    assert spans(loaded, "strong") == ["alive"]
    assert spans(loaded, "code") == ["glue"]
    assert spans(loaded, "link") == ["the guide"]
    assert "example.org/guide" not in loaded.text
    # The span in a table cell moved with the cell's padding.
    large = loaded.text.index("Large │")
    assert any(s.start == large and s.end == large + 5 and s.style == "em" for s in loaded.spans)


def test_navigation_footer_scripts_and_styles_are_left_out() -> None:
    loaded = load(ARTICLE)
    for text in ("Home", "About", "All rights reserved", "LEAK-MARKER", "color: red"):
        assert text not in loaded.text


def test_article_metadata() -> None:
    metadata = load(ARTICLE).metadata
    assert metadata.title == "Notes on Lantern Making"  # " | The Workshop" is the site's
    assert metadata.authors == ["Ada Lovelace"]
    assert metadata.published == "2024-06-03"
    assert metadata.publisher == "The Workshop"
    assert metadata.url == "https://workshop.example.org/lanterns"
    assert metadata.language == "en-GB"
    assert metadata.description == "How lanterns are made, step by step."
    assert metadata.kind == "article"


def test_url_falls_back_to_og_url_then_to_the_fetched_url() -> None:
    text = "<p>" + "A paragraph of plain text that goes on for a while. " * 5 + "</p>"
    loaded = load(page(text, '<meta property="og:url" content="https://a.example/og">'))
    assert loaded.metadata.url == "https://a.example/og"
    loaded = load(page(text), url="https://www.news.example/2024/story")
    assert loaded.metadata.url == "https://www.news.example/2024/story"
    # With no site name, the host stands for the site.
    assert loaded.metadata.publisher == "news.example"
    # A relative canonical link is resolved against the page's URL.
    loaded = load(page(text, '<link rel="canonical" href="/c/1">'), url="https://b.example/x?y")
    assert loaded.metadata.url == "https://b.example/c/1"
    assert load(page(text, '<link rel="canonical" href="/c/1">')).metadata.url == ""


def test_language_tags_are_normalised() -> None:
    text = "<p>" + "Some words to read in this page, enough of them. " * 5 + "</p>"
    tagged = '<!DOCTYPE html><html lang="{}"><body>' + text + "</body></html>"
    assert load(tagged.format("en-au")).metadata.language == "en-AU"
    assert load(tagged.format("zh_hant_tw")).metadata.language == "zh-Hant-TW"
    assert load(tagged.format("not a language")).metadata.language == ""
    meta = '<meta http-equiv="content-language" content="fr-fr, en">'
    assert load(page(text, meta)).metadata.language == "fr-FR"


def test_split_authors() -> None:
    assert split_authors("Jane Doe; John Roe") == ["Jane Doe", "John Roe"]
    assert split_authors("By Jane Doe and John Roe") == ["Jane Doe", "John Roe"]
    assert split_authors("Jane Doe, John Roe") == ["Jane Doe", "John Roe"]
    assert split_authors("Doe, Jane") == ["Doe, Jane"]
    assert split_authors("Mac & i") == ["Mac & i"]
    assert split_authors("Jane Doe; Jane Doe") == ["Jane Doe"]
    assert split_authors("") == []


def test_the_page_h1_is_not_taken_for_the_title_the_title_element_disagrees_with() -> None:
    loaded = load_page("rtl-1")
    assert kinds(loaded)[:2] == [("heading", 1, "RTL Test"), ("heading", 1, "Lorem")]


def test_mathml_is_shown_as_linear_text() -> None:
    body = (
        "<p>When <math><mi>a</mi><mo>≠</mo><mn>0</mn></math>, there are two solutions to "
        "<math><mi>a</mi><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mi>c</mi><mo>=</mo>"
        "<mn>0</mn></math> and they are</p>"
        '<math display="block"><mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo><mi>b</mi></mrow>'
        "<mrow><mn>2</mn><mi>a</mi></mrow></mfrac></math>"
        "<p>which is all there is to it, as every student of algebra learns in school.</p>"
    )
    texts = blocks(load(page(body)))
    assert "When a ≠ 0, there are two solutions to ax^2 + c = 0 and they are" in texts
    assert "x = (−b)/(2a)" in texts


def test_heading_anchor_links_are_dropped() -> None:
    body = (
        '<article><h2>Section one <a href="#one">#</a></h2>'
        "<p>" + "Text of the first section, long enough to be an article. " * 4 + "</p>"
        '<h2>Section two <a href="#two">¶</a></h2>'
        "<p>" + "Text of the second section, long enough to be kept too. " * 4 + "</p></article>"
    )
    assert blocks(load(page(body)), "heading") == ["Section one", "Section two"]


def test_preformatted_text_that_is_not_code_keeps_its_lines() -> None:
    body = (
        "<article><p>" + "An introduction to the poem below, which is short. " * 3 + "</p>"
        "<pre>Roses are red,\n  violets are <b>blue</b>,\n\nsugar is sweet,\n  and so are you."
        "</pre><p>" + "A closing paragraph after the poem, to round it off. " * 3 + "</p>"
        "<blockquote>\n   A quoted passage\n   written over lines\n</blockquote></article>"
    )
    quotes = [(level, text) for kind, level, text in kinds(load(page(body))) if kind == "quote"]
    assert quotes == [
        # A stanza a block, each line and its indent kept.
        (0, "Roses are red,\n  violets are blue,"),
        (0, "sugar is sweet,\n  and so are you."),
        # A block quote's line breaks are the source's layout: they run together.
        (0, "A quoted passage written over lines"),
    ]


def test_a_layout_table_is_shown_as_blocks() -> None:
    story = "Once upon a time a dog carried a piece of meat across a bridge. " * 8
    body = (
        f"<table><tr><td><p>{story}</p><p>The end of the story.</p></td>"
        "<td>Sidebar</td></tr></table>"
    )
    loaded = load(page(body))
    assert not blocks(loaded, "table")
    assert story.strip() in blocks(loaded, "paragraph")


# --- decoding ----------------------------------------------------------------------


def test_a_page_declaring_latin_1_but_written_in_utf_8_is_read_as_utf_8() -> None:
    text = "Café — naïve “quotes” and a résumé, " * 4
    data = page(f"<p>{text}</p>", '<meta charset="iso-8859-1"><title>T</title>').encode()
    loaded = load(data)
    assert text.strip() in loaded.text
    assert loaded.notices == ["The page declares iso-8859-1 but is UTF-8; read as UTF-8."]


def test_a_page_declaring_utf_8_but_written_in_windows_1252_is_read_as_windows_1252() -> None:
    text = "Café — naïve “quotes” and a résumé, " * 4
    data = page(f"<p>{text}</p>", '<meta charset="utf-8"><title>T</title>').encode("cp1252")
    loaded = load(data)
    assert text.strip() in loaded.text
    assert loaded.notices == ["Decoded as windows-1252 (not UTF-8)."]


def test_a_declared_legacy_charset_that_fits_is_used_without_a_notice() -> None:
    text = "Café — naïve “quotes” and a résumé, " * 4
    for head in (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
        # Browsers read ISO-8859-1 as windows-1252, whose quotes and dashes pages use.
        '<meta charset="ISO-8859-1">',
    ):
        loaded = load(page(f"<p>{text}</p>", head).encode("cp1252"))
        assert text.strip() in loaded.text
        assert loaded.notices == []
    japanese = "日本語のテキストです。" * 10
    loaded = load(page(f"<p>{japanese}</p>", '<meta charset="shift_jis">').encode("shift_jis"))
    assert japanese in loaded.text and not loaded.notices


def test_a_bom_decides_the_encoding() -> None:
    text = "Café — naïve “quotes” and a résumé, " * 4
    source = page(f"<p>{text}</p>", '<meta charset="iso-8859-1">')
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF8, "utf-8")):
        loaded = load(bom + source.encode(encoding))
        assert text.strip() in loaded.text
        assert not loaded.notices


# --- odd input ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \n\t ", b"\xef\xbb\xbf"])
def test_an_empty_page_is_empty_text_with_a_notice(data: bytes) -> None:
    loaded = load(data)
    assert loaded.text == "" and loaded.blocks == []
    assert loaded.notices == ["The page is empty."]
    dispatched = load_bytes(data, "page.html")
    check_invariants(dispatched)
    assert dispatched.format == "html" and dispatched.notices


def test_a_page_with_only_a_title_says_so() -> None:
    loaded = load(page("", "<title>Just a title</title>"))
    assert loaded.text == "Just a title"
    assert loaded.notices == ["The page has no text but its title."]


def test_a_page_without_an_article_is_shown_whole_with_a_notice() -> None:
    # What trafilatura finds no article in: a short footer, a picture.
    loaded = load(page("<footer>Footer text only</footer><img alt='A picture'>"))
    assert loaded.text == "Footer text only\n\nA picture"
    assert loaded.notices == ["No article found in the page; showing all of its text."]


@pytest.mark.parametrize(
    "markup",
    [
        "<<<>>>",
        "<html><body><p>unclosed <b>bold <i>both</p><li>stray item</table>",
        "</p></div></body></html>",
        "<!DOCTYPE html><html><body>" + "<div>" * 300 + "deep" + "</div>" * 300,
        "<ul>" + "<li><ul>" * 60 + "<li>deep item</li>" + "</ul></li>" * 60 + "</ul>",
        "<table><tr><td>a</td></tr><tr></tr><tr><td></td><td>b</td><td>c</td></tr></table>",
        "<p>Text with \x1b[31mescapes\x07 and \x7f and \u2028 a break.</p>",
        "<pre>\n\n\n</pre><code></code><math></math><table></table><ol></ol>",
        # Control characters where the loader sets an element's text itself.
        "<p><p><math><mi>\x1b</mi><mi>\uffff</mi></math><h2>Head\x07</h2><p>Text after it.</p>",
    ],
)
def test_broken_markup_never_raises(markup: str) -> None:
    loaded = load(markup)
    assert "\x1b" not in loaded.text


def test_control_characters_are_made_inert() -> None:
    loaded = load(page("<p>Text with \x1b[31mred\x1b[0m and a bell\x07 in it, for a while.</p>"))
    assert "␛[31mred␛[0m" in loaded.text and "␇" in loaded.text


def test_garbage_bytes_load_or_fail_with_one_line() -> None:
    rng = random.Random(20261128)
    for size in (10, 1000, 20000):
        data = bytes(rng.randrange(256) for _ in range(size))
        try:
            loaded = load_bytes(data, "page.html")
        except LoadError as err:
            assert str(err).startswith("page.html: ") and "\n" not in str(err)
        else:
            check_invariants(loaded)
    with pytest.raises(LoadError, match=r"^page\.html: looks like a binary file"):
        parse_html(b"<html>\x00\x01\x02</html>", "page.html")


# --- the dispatcher ----------------------------------------------------------------


def test_load_bytes_dispatches_html() -> None:
    loaded = load_bytes(ARTICLE.encode(), "page.html", url="https://elsewhere.example/x")
    check_invariants(loaded)
    assert loaded.format == "html"
    assert loaded.metadata.title == "Notes on Lantern Making"
    # The canonical link wins over the URL the page was fetched from.
    assert loaded.metadata.url == "https://workshop.example.org/lanterns"
    assert detect_format(None, b"<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert detect_format(None, ARTICLE.encode()) == "html"
    loaded = load_bytes(ARTICLE.encode())
    assert loaded.format == "html"


# --- any text ----------------------------------------------------------------------

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300
)


@settings(max_examples=30, deadline=None)
@given(_TEXT, _TEXT, st.booleans())
def test_any_text_in_a_page_never_raises(title: str, text: str, escape: bool) -> None:
    body = html.escape(text) if escape else text
    loaded = load(
        page(f"<p>{body}</p><ul><li>{body}</li></ul>", f"<title>{html.escape(title)}</title>")
    )
    if escape and text.strip() and text.isascii() and text.isprintable():
        # Whatever is kept of the page, its words are there.
        assert set(words(text)) <= set(words(loaded.text))

"""The HTML loader: a web page's main article (found by trafilatura) as blocks, with its metadata.

The bytes are decoded (a BOM; else UTF-8 if they are valid UTF-8, whatever the
page declares; else the declared charset if the bytes fit it; else a guess)
and parsed once with lxml; MathML is turned into linear text first. trafilatura
(``favor_recall``: on the test pages it keeps more of the article, for no more
noise) finds the article and returns it in its own XML vocabulary, walked here
into blocks: ``head`` (headings by their ``rend`` level; headings it dropped
between the paragraphs it kept are put back), ``p``, ``list``/``item`` ("• ",
"◦ ", "▪ " by depth, or "3. "), ``quote``, ``code``, ``table`` (laid out as the
Markdown loader lays one; a table holding prose or blocks is a page's layout
and is shown as its blocks), inline ``hi``/``ref`` (em, strong, code, link
spans; URLs dropped) and ``graphic`` (its alt text). A page with no article is
shown whole, walked by the same code over its own HTML, with a notice. The
title (the page's own, less a " | Site" naming the site) opens the text as a
level-1 heading, once. Metadata: authors from the byline, the date the page
states (never one guessed from its text), the site (else the host) as
publisher, the canonical URL (else ``og:url``, else the URL it was fetched
from), language and description. The kind is "article" when the page says so
(an Open Graph or schema.org article type) or has both a byline and a date (a
news or blog post), else "webpage".
"""

from __future__ import annotations

import codecs
import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from db.documents.builder import BlockBuilder
from db.documents.decode import UndecodableError, decode, looks_binary
from db.documents.inert import make_inert
from db.documents.markdown import table_text
from db.models import LoadedText, Metadata

_BULLETS = ("• ", "◦ ", "▪ ")
_RULE_TEXT = "* * *"
#: How far into the bytes a declared charset is looked for (the head of any real page).
_CHARSET_SNIFF = 16384
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.I)
_XML_ENCODING = re.compile(
    rb"""\A\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:+-]+)""", re.I
)
#: Declared charsets that browsers read as a superset (the WHATWG Encoding standard):
#: a page declaring ISO-8859-1 uses the Windows-1252 quotes and dashes freely.
_SUPERSETS = {
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
_UTF8 = "utf-8"
#: A BOM decides the encoding, whatever the page declares (as in a browser).
_BOMS = (
    codecs.BOM_UTF8,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)
_DECODED_AS = re.compile(r"Decoded as (.+) \(not UTF-8\)\.")

#: Tags of trafilatura's vocabulary and of plain HTML, by what they are.
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LISTS = frozenset(("list", "ul", "ol", "dl", "menu"))
_ITEMS = frozenset(("item", "li", "dt", "dd"))
_QUOTES = frozenset(("quote", "blockquote"))
_TABLES = frozenset(("table",))
_ROW_GROUPS = frozenset(("thead", "tbody", "tfoot"))
_ROWS = frozenset(("row", "tr"))
_CELLS = frozenset(("cell", "td", "th"))
_BREAKS = frozenset(("lb", "br"))
_IMAGES = frozenset(("graphic", "img"))
_INLINE_STYLES = {
    **dict.fromkeys(("em", "i", "cite", "dfn"), "em"),
    **dict.fromkeys(("strong", "b"), "strong"),
    **dict.fromkeys(("code", "kbd", "samp", "tt", "var"), "code"),
    **dict.fromkeys(("a", "ref"), "link"),
}
_HI_STYLES = {"#i": "em", "#b": "strong", "#t": "code"}
#: Elements that lay out as inline text; any other element is a block or a container.
_INLINE = frozenset(
    (
        *_INLINE_STYLES,
        "hi", "del", "span", "font", "small", "big", "sub", "sup", "u", "s", "strike", "ins",
        "mark", "abbr", "acronym", "q", "time", "label", "bdi", "bdo", "nobr", "wbr", "data",
        "output", "ruby", "rb", "rt", "rp", "picture", "source", *_BREAKS, *_IMAGES,
    )
)  # fmt: skip
#: Never shown: code, styles and widgets, in a page walked whole.
_SKIPPED = frozenset(
    (
        "script", "style", "noscript", "template", "title", "meta", "link", "base",
        "iframe", "object", "embed", "svg", "math", "canvas", "audio", "video", "map", "button",
        "select", "option", "input", "textarea", "dialog",
    )
)  # fmt: skip
#: MathML operators set off by spaces in linear text: "a + b = c", but "f(x)".
_SPACED_OPERATORS = frozenset("=+−-±∓×÷·⋅≠≈≡≤≥<>→←↔⇒⇔∈∉⊂⊆∪∩∧∨")
_MATH_SKIPPED = frozenset(("annotation", "annotation-xml", "mphantom", "none", "mprescripts"))
_SIGNS = frozenset(("−", "-", "+", "±", "∓"))
_MATH_SCRIPTED = frozenset(
    ("msup", "msub", "msubsup", "mover", "munder", "munderover", "mfrac", "msqrt", "mroot")
)
#: In a table's cell, what only a page's layout puts there; and more text than a datum.
_LAYOUT_BLOCKS = frozenset(
    ("table", "list", "ul", "ol", "dl", "head", "quote", "blockquote", "pre", *_HEADINGS)
)
_LONGEST_CELL = 400
#: Anchor links at the end of a heading ("Section #"): a mark for the mouse, not text.
_ANCHOR_MARKS = frozenset(("#", "¶", "§", "🔗", "link", "permalink"))
_NOT_ALNUM = re.compile(r"[\W_]+")
_TRAILING_ANCHOR = re.compile(r"\s+[#¶§🔗]$")
#: How much of a block's text (letters and digits) tells where it came from in the page.
_ANCHOR_KEY = 40
_MIN_ANCHOR_KEY = 12
_LONGEST_HEADING = 200
#: Meta tags (name or property, one of several) holding the page's summary, the most
#: carefully written first (a plain "description" is often a CMS's cut of the text).
_DESCRIPTIONS = {
    "og:description": 5,
    "dc:description": 4,
    "dc.description": 4,
    "twitter:description": 3,
    "description": 2,
}
_AUTHORS = frozenset(
    ("author", "article:author", "og:article:author", "dc.creator", "dcterms.creator")
)
#: Separators between a page's title and its site's name: "Title | Site", "Site - Title".
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»/\\]|::)\s+")
_TLD = re.compile(r"(?:\.[a-z]{2,6})+$")
#: Between names in a byline: trafilatura joins those it finds with "; ".
_AUTHOR_SPLIT = re.compile(r"\s*[;|]\s*")
_AUTHOR_AND = re.compile(r"\s+(?:and|und|et|y|e|&)\s+", re.I)
_BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av|af)\s+", re.I)
_ARTICLE_TYPES = re.compile(r"article|blogposting|posting|report", re.I)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


# --- the loader ------------------------------------------------------------------


def parse_html(data: bytes, label: str, *, url: str | None = None) -> LoadedText:
    """Build the canonical text of a web page from its bytes; ``url`` is where it was fetched."""
    from db.documents import LoadError

    if looks_binary(data):
        raise LoadError(f"{label}: looks like a binary file, not a web page")
    try:
        source, notices = _decode_page(data)
    except UndecodableError:
        raise LoadError(f"{label}: cannot be decoded as text (unknown encoding)") from None
    tree = _parse(source) if source.strip() else None
    if tree is None:
        metadata = _metadata(None, None, url)
        notices.append("The page is empty.")
        return LoadedText(text="", blocks=[], metadata=metadata, format="html", notices=notices)
    page = _PageInfo.read(tree)
    _linearize_math(tree)
    document = _extract(tree, url)
    found = document if document is not None else _extract_metadata(tree, url)
    metadata = _metadata(found, page, url)

    builder = BlockBuilder()
    if metadata.title:
        builder.add("heading", metadata.title, 1)
    first = len(builder.blocks)
    body = document.body if document is not None else None
    if body is not None:
        _restore_headings(body, _body_of(tree))
        _Walker(builder, metadata.title, preformatted=_preformatted(tree)).walk(body)
    if len(builder.blocks) == first:
        _Walker(builder, metadata.title, whole_page=True).walk(_body_of(tree))
        if len(builder.blocks) == first:
            notices.append(
                "The page has no text but its title." if first else "The page has no text to show."
            )
        else:
            notices.append("No article found in the page; showing all of its text.")
    return builder.result(metadata, "html", notices)


# --- decoding --------------------------------------------------------------------


def _decode_page(data: bytes) -> tuple[str, list[str]]:
    """The page's text and what the reader should know about its encoding.

    UTF-8 is tried before the declared charset: a page saved or served as
    UTF-8 often keeps the ``<meta charset>`` of the site it came from, and
    legacy 8-bit text is almost never valid UTF-8 by chance.
    """
    if data.startswith(_BOMS):
        text, notice = decode(data)
        return text, [notice] if notice else []
    declared = _declared_charset(data[:_CHARSET_SNIFF])
    written, codec = declared if declared else ("", None)
    try:
        text = data.decode(_UTF8)
    except UnicodeDecodeError:
        pass
    else:
        if codec is not None and codec != _UTF8 and not data.isascii():
            return text, [f"The page declares {written} but is UTF-8; read as UTF-8."]
        return text, []
    if codec is not None and codec != _UTF8:
        try:
            return data.decode(codec), []
        except UnicodeDecodeError:
            pass
    text, notice = decode(data)
    if not notice:
        return text, []
    if codec is None or codec == _UTF8:
        # The notice already says the bytes are not UTF-8, as the page claims.
        return text, [notice]
    guessed = _DECODED_AS.fullmatch(notice)
    if guessed:
        return text, [f"The page declares {written} but is not; read as {guessed.group(1)}."]
    return text, [f"The page declares {written} but is not. {notice}"]


def _declared_charset(head: bytes) -> tuple[str, str] | None:
    """The charset the page declares, as written and as the Python codec a browser would use."""
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    written = match.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup(written).name.replace("-", "_")
    except LookupError:
        return None
    if codec.startswith(("utf_16", "utf_32")):
        # A page whose <meta> can be read as ASCII is not UTF-16; browsers read it as UTF-8.
        return written, _UTF8
    if codec == "utf_8":
        return written, _UTF8
    return written, _SUPERSETS.get(codec, codec)


def _parse(source: str) -> Any:
    """The page as an lxml tree (``<html>`` at the root), or None if there is nothing to parse."""
    from lxml import etree
    from lxml.html import (
        HTMLParser,
        document_fromstring,
    )

    parser = HTMLParser(
        encoding=_UTF8,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        default_doctype=False,
    )
    try:
        # As bytes with the encoding given: lxml refuses a str with an XML
        # declaration, and the parser must not follow a <meta charset> again.
        return document_fromstring(source.encode(_UTF8, "surrogatepass"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _extract(tree: Any, url: str | None) -> Any:
    """trafilatura's document for the page (metadata and ``body``), or None if it found none."""
    import trafilatura

    _quiet_loggers()
    try:
        return trafilatura.bare_extraction(
            tree,
            url=url,
            output_format="xml",
            favor_recall=True,
            include_comments=False,
            include_formatting=True,
            include_tables=True,
            include_links=True,
            include_images=True,
            with_metadata=True,
            date_extraction_params=_date_params(),
        )
    except Exception:  # a heuristic failing on a hostile page: the page is shown whole
        return None


def _extract_metadata(tree: Any, url: str | None) -> Any:
    """trafilatura's metadata of a page it found no article in (it returns none then)."""
    import trafilatura

    try:
        return trafilatura.extract_metadata(tree, url, _date_params())
    except Exception:  # as for the article: a page without metadata is still shown
        return None


def _date_params() -> dict[str, Any]:
    """Only dates the page states (meta tags, structured data, its URL).

    A search of the whole text takes any year in it ("2026" in a style sheet)
    for the date the page was published.
    """
    return {
        "extensive_search": False,
        "original_date": True,
        "max_date": datetime.date.today().isoformat(),
    }


def _quiet_loggers() -> None:
    """Keep the extractors' warnings ("discarding data") off the terminal.

    With no handler of their own, Python prints them to stderr, over the
    reader's screen; a NullHandler stops that, and an application that sets up
    logging still receives them through the root logger.
    """
    import logging

    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _restore_headings(article: Any, body: Any) -> None:
    """Put back the page's headings that trafilatura left out of the article it found.

    When a page has no container trafilatura knows as an article, it gathers
    the page's paragraphs and lists one by one and leaves the headings
    between them behind (a blog post's section titles). A heading of the page
    comes back in front of the extracted block whose text directly follows it
    in the page: a heading followed by text that was left out (a sidebar's)
    stays out.
    """
    starts: dict[str, Any] = {}
    # In document order, a list before the paragraphs of its items: the outer block wins.
    for block in article.iter("p", "list", "table", "quote", "code"):
        key = _key(_text_of(block), _ANCHOR_KEY)
        if len(key) >= _MIN_ANCHOR_KEY:
            starts.setdefault(key, block)
    if not starts:
        return
    kept = {_key(_text_of(head)) for head in article.iter("head")}
    for heading, after in _headings_with_following_text(body):
        text = " ".join(_text_of(heading).split())
        key = _key(text)
        if not key or key in kept or len(text) > _LONGEST_HEADING:
            continue
        block = next(
            (b for k, b in starts.items() if k[: len(after)] == after[: len(k)]),
            None,
        )
        if block is None:
            continue
        restored = block.makeelement("head", {"rend": _tag(heading) or "h2"})
        restored.text = _xml_safe(text)
        block.addprevious(restored)
        kept.add(key)


def _headings_with_following_text(body: Any) -> Iterator[tuple[Any, str]]:
    """Each heading of the page with the start of the text after it (letters and digits)."""
    for heading in body.iter(*_HEADINGS):
        after = _text_after(heading, body)
        if len(after) >= _MIN_ANCHOR_KEY:
            yield heading, after[:_ANCHOR_KEY]


def _text_after(element: Any, root: Any) -> str:
    """The start of the text that follows ``element`` in the page, up to ``_ANCHOR_KEY``.

    Walks on from the element, then from each ancestor in turn, reading only as
    far as it needs: a walk of the whole page for each heading is what a big
    page cannot afford.
    """
    found = ""
    node = element
    while len(found) < _ANCHOR_KEY:
        found += _key(node.tail or "", _ANCHOR_KEY)
        for sibling in node.itersiblings():
            if len(found) >= _ANCHOR_KEY:
                break
            if _tag(sibling) not in _SKIPPED:
                found += _subtree_key(sibling, _ANCHOR_KEY - len(found))
            found += _key(sibling.tail or "", _ANCHOR_KEY)
        node = node.getparent()
        if node is None or node is root:
            break
    return found


def _subtree_key(top: Any, limit: int) -> str:
    """The first ``limit`` letters and digits of the text inside ``top`` (scripts left out)."""
    from lxml import etree

    found = ""
    skipped = 0
    for event, inner in etree.iterwalk(top, events=("start", "end")):
        hidden = _tag(inner) in _SKIPPED
        if event == "start":
            skipped += hidden
            if not skipped and inner.text:
                found += _key(inner.text, limit)
        else:
            skipped -= hidden
            if inner is not top and not skipped and inner.tail:
                found += _key(inner.tail, limit)
        if len(found) >= limit:
            break
    return found


def _preformatted(tree: Any) -> frozenset[str]:
    """The texts of the page's <pre> elements of more than one line, as ``_key``s."""
    return frozenset(
        _key(text) for pre in tree.iter("pre") if "\n" in (text := _text_of(pre)).strip()
    )


def _body_of(tree: Any) -> Any:
    body = tree.find("body")
    return body if body is not None else tree


# --- mathematics -------------------------------------------------------------------


def _linearize_math(tree: Any) -> None:
    """Replace each MathML formula with its text on one line: "x = (−b ± √(b^2 − 4ac))/(2a)".

    trafilatura drops ``<math>`` unless it carries its TeX source, which
    leaves holes in the sentences around a formula ("there are two solutions
    to and they are"). A displayed formula becomes a block of its own, one
    line per row of a system of equations.
    """
    for math in list(tree.iter("math")):
        parent = math.getparent()
        if parent is None:
            continue
        display = (math.get("display") or "").lower() == "block"
        rows = _math_rows(math) if display else [_math_text(math)]
        rows = [_xml_safe(" ".join(row.split())) for row in rows]
        rows = [row for row in rows if row]
        if not rows:
            tex = _xml_safe(_math_tex(math))
            rows = [tex] if tex else []
        replacement = math.makeelement("p" if display else "span", {})
        if rows:
            replacement.text = rows[0]
            for row in rows[1:]:
                line = replacement.makeelement("br", {})
                line.tail = row
                replacement.append(line)
        # MathJax wraps the formula in custom elements with a rendering of it
        # (no text: glyphs drawn by CSS); the whole wrapper is the formula.
        outer = math
        while (
            "-" in (_tag(parent) or "")
            and parent.getparent() is not None
            and _key(_text_of(parent)) == _key(_text_of(outer))
        ):
            outer, parent = parent, parent.getparent()
        # A formula touching a word ("= 0and they are") stood apart by its own spacing.
        tail = outer.tail or ""
        replacement.tail = f" {tail}" if tail[:1].isalnum() else tail
        previous = outer.getprevious()
        before = (parent.text if previous is None else previous.tail) or ""
        if before[-1:].isalnum() and replacement.text:
            replacement.text = " " + replacement.text
        parent.replace(outer, replacement)


def _math_rows(math: Any) -> list[str]:
    """A displayed formula's lines: the rows of the table it is set in, or itself."""
    children = [c for c in math if _tag(c) not in _MATH_SKIPPED]
    while len(children) == 1 and _tag(children[0]) in ("mrow", "mstyle", "semantics"):
        wrapper = children[0]
        children = [c for c in wrapper if _tag(c) not in _MATH_SKIPPED]
        if _tag(wrapper) == "semantics":
            children = children[:1]
    if len(children) == 1 and _tag(children[0]) == "mtable":
        return [_math_text(row) for row in children[0] if _tag(row) in ("mtr", "mlabeledtr")]
    return [_math_text(math)]


def _math_tex(math: Any) -> str:
    for annotation in math.iter("annotation"):
        if (annotation.get("encoding") or "").lower() == "application/x-tex":
            return " ".join(_text_of(annotation).split())
    return " ".join((math.get("alttext") or "").split())


def _math_text(node: Any) -> str:
    """Presentation MathML as linear text; an unknown element gives its children's text."""
    tag = _tag(node)
    if tag is None or tag in _MATH_SKIPPED:
        return ""
    if tag in ("mi", "mn"):
        return " ".join(_text_of(node).split())
    if tag in ("mtext", "ms"):
        # Words in a formula keep the space around them: "…, for |q| < 1".
        text = _text_of(node)
        words = " ".join(text.split())
        return f"{' ' if text[:1].isspace() else ''}{words}{' ' if text[-1:].isspace() else ''}"
    if tag == "mo":
        text = " ".join(_text_of(node).split())
        return f" {text} " if text in _SPACED_OPERATORS else text
    if tag == "mspace":
        return " "
    children = [child for child in node if _tag(child) not in _MATH_SKIPPED]
    parts = [_math_text(child) for child in children]
    if tag == "semantics":
        return parts[0] if parts else ""
    if tag == "mfrac" and len(parts) == 2:
        if (node.get("linethickness") or "").strip() in ("0", "0px", "0em"):
            return f"{parts[0].strip()} {parts[1].strip()}"  # a binomial: "(n k)"
        return f"{_grouped(parts[0])}/{_grouped(parts[1])}"
    if tag == "msqrt":
        return f"√{_grouped(_joined(children, parts))}"
    if tag == "mroot" and len(parts) == 2:
        return f"{parts[1].strip()}√{_grouped(parts[0])}"
    if tag == "msup" and len(parts) == 2:
        return f"{parts[0]}^{_grouped(parts[1])}"
    if tag == "msub" and len(parts) == 2:
        return f"{parts[0]}_{_grouped(parts[1])}"
    if tag == "msubsup" and len(parts) == 3:
        return f"{parts[0]}_{_grouped(parts[1])}^{_grouped(parts[2])}"
    if tag in ("mover", "munder", "munderover") and len(parts) >= 2:
        base, marks = parts[0], [p.strip() for p in parts[1:]]
        if tag == "mover" and len(marks[0]) == 1 and not marks[0].isalnum():
            return f"{base}{marks[0]}"  # an accent: "x˙", "B→"
        signs = ("^",) if tag == "mover" else ("_", "^")
        return base + "".join(f"{sign}{_grouped(m)}" for sign, m in zip(signs, marks, strict=False))
    if tag == "mfenced":
        opening, closing = node.get("open", "("), node.get("close", ")")
        separator = (node.get("separators") or ",").strip()[:1] or ","
        return f"{opening}{(separator + ' ').join(p.strip() for p in parts)}{closing}"
    if tag in ("mtr", "mlabeledtr"):
        return " ".join(p.strip() for p in parts)
    if tag == "mtable":
        return "; ".join(p.strip() for p in parts)
    return _joined(children, parts)


def _joined(children: list[Any], parts: list[str]) -> str:
    """A row of formula parts: "a_k b_k" (scripts set apart from what follows), "−b" (unary)."""
    pieces: list[str] = []
    previous = ""
    for child, part in zip(children, parts, strict=True):
        if not part:
            continue
        if part.strip() in _SIGNS and (not pieces or previous.endswith(" ")):
            part = part.strip()  # a sign, not an operator: "−b", "= −βz"
        elif (
            _tag(child) in _MATH_SCRIPTED | {"mi", "mn"}
            and _ends_script(previous)
            and (part[:1].isalnum() or part[:1] in "(√")
        ):
            part = " " + part
        pieces.append(part)
        previous = part
    return "".join(pieces)


def _ends_script(text: str) -> bool:
    """True if ``text`` ends with a sub- or superscript or a fraction: what runs into the next."""
    tail = text.rstrip()
    return bool(tail) and ("^" in tail or "_" in tail or "/" in tail) and tail[-1] not in "+−-=("


def _grouped(text: str) -> str:
    """``text`` in parentheses unless it is one symbol, a number or already bracketed."""
    text = text.strip()
    if len(text) <= 1 or text.isdigit():
        return text
    if text[0] in "([{|" and text[-1] in ")]}|" and text.count(text[0]) == 1:
        return text
    return f"({text})"


# --- the page's own metadata -------------------------------------------------------


@dataclass(slots=True)
class _PageInfo:
    """What the page says about itself that trafilatura's metadata leaves out or overrides."""

    title: str
    og_title: str
    h1: list[str]
    canonical: str
    og_url: str
    language: str
    description: str
    author: str

    @classmethod
    def read(cls, tree: Any) -> _PageInfo:
        # Anywhere in the page, not only in <head>: a stray element in the head (a
        # script's markup) makes the parser begin the body early, metas and all.
        title = og_title = canonical = og_url = language = description = author = ""
        description_rank = 0
        for element in tree.iter("title"):
            if not any(_tag(a) == "svg" for a in element.iterancestors()):
                title = _one_line(_text_of(element))
                break
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").strip().lower()
            content = meta.get("content") or ""
            equiv = (meta.get("http-equiv") or "").strip().lower()
            names = key.split()
            for name in names:
                rank = _DESCRIPTIONS.get(name, 0)
                if rank > description_rank and content.strip():
                    description, description_rank = _one_line(content), rank
            if _AUTHORS.intersection(names) and not author and "://" not in content:
                author = _one_line(content)
            if key == "og:title" and not og_title:
                og_title = _one_line(content)
            elif key == "og:url" and not og_url:
                og_url = content.strip()
            elif (equiv == "content-language" or key in ("language", "dc.language")) and (
                not language
            ):
                language = content.split(",")[0]
            elif key == "og:locale" and not language:
                language = content
        for link in tree.iter("link"):
            rel = (link.get("rel") or "").lower().split()
            if "canonical" in rel and link.get("href") and not canonical:
                canonical = link.get("href", "").strip()
        root_language = tree.get("lang") or tree.get("xml:lang")
        h1 = [_one_line(_text_of(element)) for element in tree.iter("h1")]
        return cls(
            title=title,
            og_title=og_title,
            h1=h1,
            canonical=canonical,
            og_url=og_url,
            language=root_language or language,
            description=description,
            author=author,
        )


def _metadata(document: Any, page: _PageInfo | None, url: str | None) -> Metadata:
    metadata = Metadata()
    found: dict[str, Any] = {}
    if document is not None:
        found = {
            key: getattr(document, key, None)
            for key in ("title", "author", "date", "sitename", "description", "pagetype")
        }
    metadata.url = _page_url(page, url)
    host = _host(metadata.url or url or "")
    sitename = _one_line(str(found.get("sitename") or ""))
    if sitename.startswith(("http://", "https://")):
        sitename = _host(sitename)
    metadata.publisher = sitename or host
    metadata.title = _title(str(found.get("title") or ""), page, sitename, host)
    # trafilatura reads bylines and structured data; a meta tag it does not know
    # ("og:article:author") is the last resort.
    byline = str(found.get("author") or "") or (page.author if page is not None else "")
    metadata.authors = split_authors(byline)
    if sitename and len(metadata.authors) > 1 and _key("".join(metadata.authors)) == _key(sitename):
        # trafilatura splits bylines at "&" and ",": "Mac & i" (a magazine) came back
        # as two names. The site itself as the author is written as the site writes it.
        metadata.authors = [sitename]
    date = str(found.get("date") or "")
    metadata.published = date if _ISO_DATE.fullmatch(date) else ""
    metadata.language = _language_tag(page.language if page is not None else "")
    description = str(found.get("description") or "") or (page.description if page else "")
    metadata.description = _one_line(_unescape(description))
    pagetype = str(found.get("pagetype") or "")
    clearly_article = _ARTICLE_TYPES.search(pagetype) is not None
    if clearly_article or (metadata.authors and metadata.published):
        metadata.kind = "article"
    else:
        metadata.kind = "webpage"
    return metadata


def _page_url(page: _PageInfo | None, url: str | None) -> str:
    """The canonical link, else ``og:url``, else the URL the page came from: absolute http(s)."""
    candidates = [page.canonical, page.og_url] if page is not None else []
    base = url or (page.og_url if page is not None else "") or ""
    for candidate in candidates:
        if not candidate:
            continue
        if candidate.startswith("//"):
            candidate = "https:" + candidate
        resolved = urljoin(base, candidate) if base else candidate
        if _is_web_url(resolved):
            return _one_line(resolved)
    return _one_line(url) if url and _is_web_url(url) else ""


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _title(found: str, page: _PageInfo | None, sitename: str, host: str) -> str:
    """The page's title: trafilatura's, unless that is only an ``<h1>`` the ``<title>`` disagrees
    with; without a suffix or prefix naming the site."""
    title = _one_line(_unescape(found))
    if page is not None:
        if not title:
            title = page.title
        elif (
            page.title
            and title != page.og_title
            and title in page.h1
            and _key(title) not in _key(page.title)
        ):
            # trafilatura fell back on the page's only <h1>: a section's name, not the
            # page's (a test page whose <title> is "RTL Test" and <h1> "Lorem").
            title = page.title
    # A title taken from a heading keeps the heading's anchor link ("Section one #").
    title = _TRAILING_ANCHOR.sub("", title)
    return _strip_site(title, sitename, host)


def _strip_site(title: str, sitename: str, host: str) -> str:
    names = {_site_key(name) for name in (sitename, host) if name} - {""}
    if not names:
        return title
    separators = list(_TITLE_SEPARATORS.finditer(title))
    if not separators:
        return title
    # Only the separator next to the site's name goes: "Facts #282 - 0.17 in sight | Factorio".
    last, first = separators[-1], separators[0]
    if _site_key(title[last.end() :]) in names:
        return title[: last.start()].strip()
    if _site_key(title[: first.start()]) in names:
        return title[first.end() :].strip()
    return title


def _site_key(name: str) -> str:
    name = name.strip().lower().removeprefix("www.")
    name = _TLD.sub("", name)
    return "".join(ch for ch in name if ch.isalnum())


def split_authors(byline: str) -> list[str]:
    """Names from a byline: "A; B", "A and B", "A, B" (but "Family, Given" is one name)."""
    byline = _one_line(_unescape(byline))
    if not byline:
        return []
    names: list[str] = []
    for part in _AUTHOR_SPLIT.split(byline):
        part = _BYLINE_PREFIX.sub("", part.strip())
        pieces = [p.strip() for p in _AUTHOR_AND.split(part)]
        # "Mac & i" is a magazine: split on "and" only between names of two words or more.
        if len(pieces) > 1 and not all(len(p.split()) >= 2 for p in pieces):
            pieces = [part]
        for piece in pieces:
            # "Family, Given" (one word after the comma) is one name, not two.
            commas = [p.strip() for p in piece.split(",")]
            if len(commas) > 1 and all(len(p.split()) >= 2 for p in commas):
                names.extend(commas)
            else:
                names.append(piece)
    seen: list[str] = []
    for name in names:
        name = name.strip(" ,;")
        if name and name not in seen:
            seen.append(name)
    return seen


def _language_tag(value: str) -> str:
    """A BCP 47 tag in its usual case ("en-AU", "zh-Hant-TW"), or "" if ``value`` is not one."""
    value = value.strip()
    if not _LANGUAGE_TAG.fullmatch(value):
        return ""
    parts = value.replace("_", "-").split("-")
    tag = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            tag.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            tag.append(part.upper())
        else:
            tag.append(part.lower())
    return "-".join(tag)


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    import html

    return html.unescape(text)


def _xml_safe(text: str) -> str:
    """``text`` as lxml takes it for an element's text: control characters made inert.

    A page's own text may hold them (the parser lets them through); lxml refuses
    them when text is set, and they would be made inert on the way out anyway.
    """
    return make_inert(text).replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")


def _one_line(text: str) -> str:
    return " ".join(make_inert(text).split())


def _key(text: str, limit: int | None = None) -> str:
    """A title's letters and digits, case folded: what two spellings of one title share.

    With ``limit``, about that many from the start of a text of any length.
    """
    if limit is not None:
        text = text.lstrip()[: limit * 3]
    key = _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())
    return key if limit is None else key[:limit]


# --- blocks ------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    """Where loose text goes: a paragraph, a list item (level = depth) or a quote."""

    kind: str
    level: int = 0
    #: The marker the item's first block starts with, until that block is begun.
    marker: str | None = None


@dataclass(slots=True)
class _List:
    ordered: bool
    number: int


def _text_of(element: Any) -> str:
    """All the text inside ``element`` (trafilatura's elements have no ``text_content``)."""
    return "".join(element.itertext())


def _tag(element: Any) -> str | None:
    """The element's name in lower case without a namespace; None for comments and the like."""
    tag = element.tag
    if not isinstance(tag, str):
        return None
    if tag[:1] == "{":
        tag = tag.rpartition("}")[2]
    return tag.lower()


class _Walker:
    """Walks trafilatura's XML (or a page's own HTML) and lays its blocks in a builder."""

    def __init__(
        self,
        builder: BlockBuilder,
        title: str = "",
        *,
        whole_page: bool = False,
        preformatted: frozenset[str] = frozenset(),
    ) -> None:
        self._b = builder
        self._whole_page = whole_page
        #: The texts (as ``_key``s) of the page's <pre> elements of several lines.
        self._preformatted = preformatted
        self._title_key = _key(title) if title else ""
        #: Blocks laid before this walk: the title, if any.
        self._first = len(builder.blocks)
        self._contexts = [_Context("paragraph")]
        self._lists: list[_List] = []
        self._quotes = 0
        #: >0 while a heading or a table cell is written: blocks inside run together.
        self._flat = 0

    def walk(self, root: Any) -> None:
        # trafilatura's result is a <body>, or the one element it found (a lone <head>).
        self._block(root, _tag(root) or "")
        self._end()

    # --- containers and blocks ---

    def _flow(self, element: Any) -> None:
        """The mixed content of a container: loose text in implicit blocks, blocks between."""
        if element.text:
            self._write(element.text, ())
        for child in element:
            tag = _tag(child)
            if tag is not None and tag not in _SKIPPED:
                if self._is_inline(child, tag, element):
                    self._inline(child, tag, ())
                else:
                    self._end()
                    self._block(child, tag)
            if child.tail:
                self._write(child.tail, ())

    def _block(self, element: Any, tag: str) -> None:
        if tag in _HEADINGS or tag in ("head", "summary"):
            # trafilatura's <head> is a heading; a page's own <head> is never shown.
            if not (self._whole_page and tag == "head"):
                self._heading(element, tag)
        elif tag == "p":
            if not self._is_title(element):
                self._flow(element)
                self._end()
        elif tag in _LISTS:
            self._list(element, tag)
        elif tag in _ITEMS:
            self._item(element, tag)
        elif (
            tag in _QUOTES and self._preformatted and _key(_text_of(element)) in self._preformatted
        ):
            # trafilatura made a <pre> that is not code (a poem, a letter) a quote: its
            # lines stay, and a blank line between stanzas parts them as blocks.
            self._flush_marker()
            for stanza in re.split(r"\n(?: \n)+", _code_text(element)):
                self._b.add_lines("quote", stanza, level=self._quotes)
        elif tag in _QUOTES:
            self._flush_marker()
            self._quotes += 1
            self._contexts.append(_Context("quote", self._quotes - 1))
            self._flow(element)
            self._end()
            self._contexts.pop()
            self._quotes -= 1
        elif tag in ("code", "pre"):
            self._flush_marker()
            self._b.add_lines("code", _code_text(element))
        elif tag in _TABLES and not _is_layout_table(element):
            self._flush_marker()
            self._table(element)
        elif tag == "hr":
            if self._whole_page:
                self._b.add("rule", _RULE_TEXT)
        else:
            self._flow(element)
            self._end()

    def _heading(self, element: Any, tag: str) -> None:
        if self._is_title(element):
            return
        context = self._contexts[-1]
        if context.kind != "paragraph":
            # A heading inside a list item or a quote is set as the item's or quote's text.
            self._flow(element)
            self._end()
            return
        level = _HEADINGS.get(tag) or _HEADINGS.get((element.get("rend") or "").lower(), 3)
        self._b.begin("heading", level)
        self._flat += 1
        self._inline_content(element, ())
        self._flat -= 1
        self._b.end()

    def _is_title(self, element: Any) -> bool:
        """True (once) for a heading or paragraph near the top that repeats the title."""
        if not self._title_key or len(self._b.blocks) - self._first > 2:
            return False
        text = _text_of(element)
        # A long paragraph is not the title: no need to read it all.
        if len(text) > 4 * len(self._title_key) + 100 or _key(text) != self._title_key:
            return False
        self._title_key = ""
        return True

    def _list(self, element: Any, tag: str) -> None:
        # An item holding only a list (a menu's group) needs no bullet of its own;
        # a number, though, is shown, or the count would skip it.
        self._flush_marker(bullet=False)
        ordered = tag == "ol" or (element.get("rend") or "").lower() == "ol"
        start = (element.get("start") or "").strip()
        self._lists.append(_List(ordered, int(start) if start.isdigit() else 1))
        self._contexts.append(_Context("list_item", len(self._lists) - 1))
        self._flow(element)
        self._end()
        self._contexts.pop()
        self._lists.pop()

    def _item(self, element: Any, tag: str) -> None:
        if not self._lists:
            # An item outside any list (a stray <li>): a list of its own.
            self._lists.append(_List(False, 1))
            self._item(element, tag)
            self._lists.pop()
            return
        self._flush_marker()
        depth = len(self._lists) - 1
        current = self._lists[-1]
        rend = (element.get("rend") or "").lower()
        marker: str | None
        if tag == "dd" or rend.startswith("dd"):
            # A definition sits under its term.
            depth, marker = depth + 1, None
        elif current.ordered:
            marker = f"{current.number}. "
            current.number += 1
        else:
            marker = _BULLETS[depth % len(_BULLETS)]
        self._contexts.append(_Context("list_item", depth, marker))
        self._flow(element)
        self._end()
        self._contexts.pop()

    def _table(self, element: Any) -> None:
        rows: list[list[tuple[str, list[tuple[int, int, str]]]]] = []
        header = False
        for row in _rows(element):
            cells = [cell for cell in row if _tag(cell) in _CELLS]
            texts = [self._cell(cell) for cell in cells]
            if not any(text for text, _ in texts):
                continue
            if not rows:
                header = all(
                    _tag(cell) == "th" or cell.get("role") == "head" for cell in cells
                ) and any(text for text, _ in texts)
            rows.append(texts)
        if not rows:
            return
        text, spans = table_text(rows, [], 1 if header and len(rows) > 1 else 0)
        self._b.add_lines("table", text, spans=spans)

    def _cell(self, cell: Any) -> tuple[str, list[tuple[int, int, str]]]:
        """A cell's text on one line, with its spans (offsets into that text)."""
        builder = BlockBuilder()
        walker = _Walker(builder)
        walker._flat = 1
        builder.begin("paragraph")
        walker._inline_content(cell, ())
        loaded = builder.result()
        return loaded.text, [(s.start, s.end, s.style) for s in loaded.spans]

    # --- inline ---

    def _is_inline(self, element: Any, tag: str, parent: Any) -> bool:
        if tag in ("code", "pre"):
            return tag == "code" and not _code_is_block(element, parent)
        if tag not in _INLINE:
            return False
        # An inline element holding blocks (a link around a whole teaser) is a container.
        return not any(
            (t := _tag(d)) is not None and t not in _INLINE and t not in _SKIPPED and t != "code"
            for d in element.iterdescendants()
        )

    def _inline(self, element: Any, tag: str, styles: tuple[str, ...]) -> None:
        if tag in _BREAKS:
            if self._flat:
                self._write(" ", styles)
            elif self._b.in_block:
                self._b.line_break()
            return
        if tag in _IMAGES:
            alt = element.get("alt") or ""
            if alt.strip():
                self._write(f" {alt} ", styles)
            return
        if tag in ("ref", "a") and self._b.in_block and self._flat and self._is_anchor(element):
            return
        style = _HI_STYLES.get(element.get("rend") or "") if tag == "hi" else None
        if style is None and (tag != "a" or element.get("href")):
            style = _INLINE_STYLES.get(tag)
        if style and style not in styles:
            styles = (*styles, style)
        self._inline_content(element, styles)

    def _is_anchor(self, element: Any) -> bool:
        return (
            element.getnext() is None
            and not (element.tail or "").strip()
            and _text_of(element).strip().lower() in _ANCHOR_MARKS
        )

    def _inline_content(self, element: Any, styles: tuple[str, ...]) -> None:
        if element.text:
            self._write(element.text, styles)
        for child in element:
            tag = _tag(child)
            if tag is not None and tag not in _SKIPPED:
                if tag in _INLINE or tag == "code" or tag == "pre":
                    self._inline(child, tag, styles)
                else:
                    # A block inside a heading or a cell runs on, set off by spaces.
                    self._write(" ", styles)
                    self._inline_content(child, styles)
                    self._write(" ", styles)
            if child.tail:
                self._write(child.tail, styles)

    def _write(self, text: str, styles: tuple[str, ...]) -> None:
        if not self._b.in_block:
            if text.isspace():
                return
            self._open()
        self._b.write(text, styles)

    def _open(self) -> None:
        context = self._contexts[-1]
        self._b.begin(context.kind, context.level)
        if context.marker is not None:
            self._b.write(context.marker)
            context.marker = None

    def _end(self) -> None:
        if self._b.in_block:
            self._b.end()

    def _flush_marker(self, *, bullet: bool = True) -> None:
        """An item that starts with a block of another kind: its marker goes on its own line."""
        self._end()
        context = self._contexts[-1]
        if context.marker is not None:
            if bullet or context.marker not in _BULLETS:
                self._b.add("list_item", context.marker, context.level)
            context.marker = None


def _rows(table: Any) -> Iterator[Any]:
    """A table's own rows, in order (not those of a table inside a cell)."""
    for child in table:
        tag = _tag(child)
        if tag in _ROWS:
            yield child
        elif tag in _ROW_GROUPS:
            yield from (row for row in child if _tag(row) in _ROWS)


def _is_layout_table(table: Any) -> bool:
    """A table used to lay out a page, not to show data.

    Its cells hold blocks (lists, headings, other tables) or paragraphs of
    prose, or it has a single column with text in it: its content is shown as
    the blocks it is, in reading order.
    """
    columns: set[int] = set()
    for row in _rows(table):
        cells = [cell for cell in row if _tag(cell) in _CELLS]
        for number, cell in enumerate(cells):
            text = _text_of(cell)
            if not text.strip():
                continue
            columns.add(number)
            if len(text) > _LONGEST_CELL:
                return True
            paragraphs = 0
            for inner in cell.iterdescendants():
                tag = _tag(inner)
                if tag in _LAYOUT_BLOCKS:
                    return True
                paragraphs += tag == "p"
            if paragraphs > 1:
                return True
    return len(columns) <= 1


def _code_is_block(element: Any, parent: Any) -> bool:
    """A ``<code>`` is a block when it holds lines, or stands between blocks with no text by it."""
    if any(_tag(child) in _BREAKS or _tag(child) == "code" for child in element.iterdescendants()):
        return True
    if _tag(parent) in _INLINE or _tag(parent) in ("p", "head", "cell", "td", "th"):
        return False  # a browser runs it on with the text, its line breaks as spaces
    if "\n" in _text_of(element).strip():
        return True
    if _tag(parent) in ("item", "li"):
        return False
    previous = element.getprevious()
    before = parent.text if previous is None else previous.tail
    return not (before or "").strip() and not (element.tail or "").strip()


def _code_text(element: Any) -> str:
    """A code block's lines as they are, tabs expanded, with " " for an empty line.

    An empty line would be a blank line inside the block, which is what
    separates blocks; a single space keeps the line (the Markdown loader does the same).
    """
    pieces: list[str] = []

    def collect(node: Any) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            tag = _tag(child)
            if tag in _BREAKS:
                pieces.append("\n")
            elif tag is not None:
                collect(child)
            if child.tail:
                pieces.append(child.tail)

    collect(element)
    lines = [line.rstrip() for line in make_inert("".join(pieces)).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(line or " " for line in lines)

"""Writes small PDF files from scratch for the PDF loader's tests and benchmarks.

The objects and the cross-reference table are written here, byte by byte; the
text is set in the standard Type1 font Helvetica (WinAnsiEncoding, so Latin-1
and the Windows-1252 punctuation round-trip) at 12 pt, one line per ``Td`` /
``Tj``, top-down. Paragraphs are wrapped by the font's widths to a measure of
about 70 characters. A soft hyphen (U+00AD) in a word marks where the word
may be broken; a line broken there ends in "-", as a typesetter hyphenates.
Only encryption is left to pypdf's ``PdfWriter`` (RC4, which needs no other
package). ``book(500)`` is a long book for benchmarks, also written by
``python tests/pdfgen.py 500 book.pdf [--kerned] [--unicode]``.

    make_pdf([["First paragraph ...", "Second ..."], ["Page two ..."]],
             title="A Report", labels=[(0, "r"), (2, "D")], header="A Report",
             footer="{label}", outline=[("Introduction", 2, 1)])
"""

from __future__ import annotations

import io
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: Helvetica's advance widths (1/1000 em) for " " .. "~", from its AFM file.
# fmt: off
_HELVETICA = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)
# fmt: on
_WIDTHS = {chr(32 + i): w for i, w in enumerate(_HELVETICA)}
_WIDTHS.update({"\u2014": 1000, "\u2026": 1000, "\u2018": 222, "\u2019": 222, "\u00ad": 333})

PAGE_WIDTH, PAGE_HEIGHT = 612, 792
LEFT, TOP, BOTTOM = 72.0, 720.0, 72.0
FONT_SIZE = 12.0
LEADING = 14.4
#: The measure: about 70 characters of Helvetica at 12 pt.
MEASURE = 400.0
SOFT_HYPHEN = "\u00ad"
#: Lines that fit on a page between the top and bottom margins.
LINES_PER_PAGE = int((TOP - BOTTOM) / LEADING)


@dataclass(frozen=True)
class Lines:
    """Lines set as given (already wrapped); ``new_paragraph`` False: they go on from the last
    page's paragraph; ``ends_paragraph`` False: the paragraph goes on on the next page."""

    lines: tuple[str, ...]
    new_paragraph: bool = True
    ends_paragraph: bool = True


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The width of ``text`` in Helvetica at ``size`` points."""
    total = 0
    for char in text:
        width = _WIDTHS.get(char)
        if width is None:
            base = unicodedata.normalize("NFD", char)[:1]
            width = _WIDTHS.get(base, 556)
        total += width
    return total * size / 1000


def wrap(paragraph: str, measure: float = MEASURE, first: float | None = None) -> list[str]:
    """Break ``paragraph`` into lines no wider than ``measure`` (the first line ``first``),
    hyphenating at soft hyphens (and after real ones) where a word does not fit."""
    lines: list[str] = []
    line = ""
    for word in paragraph.split():
        width = first if first is not None and not lines else measure
        candidate = f"{line} {word}" if line else word
        if text_width(candidate.replace(SOFT_HYPHEN, "")) <= width or not line:
            line = candidate
            continue
        # Break the word at the last soft (or real) hyphen that still fits.
        head, tail = _split_word(word, line, width)
        if head:
            lines.append(f"{line} {head}")
            line = tail
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return [line.replace(SOFT_HYPHEN, "") for line in lines]


def _split_word(word: str, line: str, measure: float) -> tuple[str, str]:
    for i in range(len(word) - 1, 0, -1):
        if word[i] == SOFT_HYPHEN:
            head, tail = word[:i] + "-", word[i + 1 :]
        elif word[i - 1] == "-" and word[i].isalpha():
            head, tail = word[:i], word[i:]
        else:
            continue
        if text_width(f"{line} {head}".replace(SOFT_HYPHEN, "")) <= measure:
            return head, tail
    return "", word


def flow(
    paragraphs: Sequence[str], lines_per_page: int = LINES_PER_PAGE, measure: float = MEASURE
) -> list[list[str | Lines]]:
    """Set ``paragraphs`` on as many pages as they need, a paragraph running on across pages.

    Paragraphs are separated by a blank line, as ``make_pdf`` sets them with its
    default ``gap``; a paragraph cut by a page break continues at the top of the
    next page.
    """
    pages: list[list[str | Lines]] = []
    page: list[str | Lines] = []
    used = 0
    for paragraph in paragraphs:
        lines = wrap(paragraph, measure)
        if page and used + 1 >= lines_per_page:
            pages.append(page)
            page, used = [], 0
        if page:
            used += 1  # the gap above a paragraph
        new = True
        while lines:
            room = lines_per_page - used
            if room <= 0:
                pages.append(page)
                page, used, room = [], 0, lines_per_page
            piece, lines = lines[:room], lines[room:]
            page.append(Lines(tuple(piece), new, not lines))
            used += len(piece)
            new = False
    if page:
        pages.append(page)
    return pages


def xmp_packet(
    *,
    title: str | None = None,
    creators: Sequence[str] = (),
    date: str | None = None,
    doi: str | None = None,
    identifier: str | None = None,
    language: str | None = None,
    publisher: str | None = None,
    description: str | None = None,
    journal: str | None = None,
) -> str:
    """An XMP metadata packet with the Dublin Core (and PRISM doi, journal) fields given."""
    fields: list[str] = []
    if title is not None:
        fields.append(
            f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_xml(title)}</rdf:li>'
            "</rdf:Alt></dc:title>"
        )
    if creators:
        items = "".join(f"<rdf:li>{_xml(name)}</rdf:li>" for name in creators)
        fields.append(f"<dc:creator><rdf:Seq>{items}</rdf:Seq></dc:creator>")
    if date is not None:
        fields.append(f"<dc:date><rdf:Seq><rdf:li>{_xml(date)}</rdf:li></rdf:Seq></dc:date>")
    if description is not None:
        fields.append(
            f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{_xml(description)}'
            "</rdf:li></rdf:Alt></dc:description>"
        )
    if publisher is not None:
        fields.append(
            f"<dc:publisher><rdf:Bag><rdf:li>{_xml(publisher)}</rdf:li></rdf:Bag></dc:publisher>"
        )
    if language is not None:
        fields.append(
            f"<dc:language><rdf:Bag><rdf:li>{_xml(language)}</rdf:li></rdf:Bag></dc:language>"
        )
    if identifier is not None:
        fields.append(f"<dc:identifier>{_xml(identifier)}</dc:identifier>")
    if doi is not None:
        fields.append(f"<prism:doi>{_xml(doi)}</prism:doi>")
    if journal is not None:
        fields.append(f"<prism:publicationName>{_xml(journal)}</prism:publicationName>")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/">\n'
        + "\n".join(fields)
        + "\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_pdf(
    pages: Sequence[Sequence[str | Lines]],
    *,
    title: str | None = None,
    author: str | None = None,
    labels: Sequence[tuple[int, str] | tuple[int, str, int] | tuple[int, str, int, str]] = (),
    outline: Sequence[tuple[str, int, int]] = (),
    header: str | None = None,
    footer: str | None = None,
    info: dict[str, str] | None = None,
    xmp: str | None = None,
    lang: str | None = None,
    encrypt: str | None = None,
    no_text: bool = False,
    gap: float = LEADING,
    indent: float = 0.0,
    measure: float = MEASURE,
    justify: bool = False,
    kerned: bool = False,
    unicode: bool = False,
    compress: bool = True,
) -> bytes:
    """A PDF whose pages hold ``pages``: each a list of paragraphs (wrapped here) or ``Lines``.

    A paragraph starting with "# " is set as a heading (Helvetica-Bold, 16 pt);
    one starting with three backquotes is code, its lines set as given in
    Courier (10 pt, leading spaces as indentation); one starting with "• " is
    a list item: the bullet in the margin, its lines 18 pt in.
    Paragraphs are ``gap`` points apart and their first line is indented by
    ``indent``. ``labels`` are page label ranges (first page index, style
    "D"/"r"/"R"/"a"/"A", optional start number, optional prefix); ``outline``
    holds (title, page index, level from 1) in reading order. ``header`` is
    set at the top of every page, ``footer`` at the bottom, both formatted with
    ``{page}`` (the page's number from 1) and ``{label}`` (its label).
    ``justify`` sets a paragraph's lines (but its last) to the full measure by
    word spacing; ``kerned`` draws each line as TeX does, one ``TJ`` array in
    which words are parted by kerns instead of spaces (and kerned inside).
    ``unicode`` sets the text (not headings or code) in a composite font
    (Type0, Identity-H, two bytes a character, with a ToUnicode map) as Word
    and browsers write PDFs, so that any text of the Basic Multilingual Plane
    round-trips.
    ``info`` adds entries to the document information dictionary (e.g.
    ``{"Subject": "...", "CreationDate": "D:20240603"}``), ``xmp`` is an XMP
    packet (see ``xmp_packet``), ``lang`` the catalog's /Lang. ``encrypt``
    encrypts with that user password ("" opens without one); ``no_text`` draws
    each page as an image and no text at all.
    """
    writer = _Writer()
    catalog = writer.reserve()
    pages_ref = writer.reserve()
    if unicode:
        font = _composite_font(writer, pages, header, footer, compress)
    else:
        font = writer.add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
        )
    bold = writer.add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    mono = writer.add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
    )
    image = 0
    if no_text:
        pixels = bytes((x * 37 + y * 11) % 256 for y in range(32) for x in range(32))
        image = writer.add_stream(
            b"/Type /XObject /Subtype /Image /Width 32 /Height 32 "
            b"/ColorSpace /DeviceGray /BitsPerComponent 8",
            pixels,
            compress,
        )
    page_labels = _labels(len(pages), labels)
    page_refs: list[int] = []
    for index, items in enumerate(pages):
        if no_text:
            content = b"q 468 0 0 648 72 72 cm /Im1 Do Q"
        else:
            content = _page_content(
                items,
                index,
                page_labels[index],
                header,
                footer,
                (gap, indent, measure),
                justify,
                kerned,
                unicode,
            )
        stream = writer.add_stream(b"", content, compress)
        resources = f"/Font << /F1 {font} 0 R /F2 {bold} 0 R /F3 {mono} 0 R >>"
        if no_text:
            resources += f" /XObject << /Im1 {image} 0 R >>"
        page_refs.append(
            writer.add(
                f"<< /Type /Page /Parent {pages_ref} 0 R "
                f"/MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                f"/Resources << {resources} >> /Contents {stream} 0 R >>".encode()
            )
        )
    kids = " ".join(f"{ref} 0 R" for ref in page_refs)
    writer.set(pages_ref, f"<< /Type /Pages /Kids [{kids}] /Count {len(page_refs)} >>".encode())

    entries = [f"/Type /Catalog /Pages {pages_ref} 0 R"]
    if labels:
        nums = []
        for spec in labels:
            first, style = spec[0], spec[1]
            entry = f"/S /{style}"
            if len(spec) > 2:
                entry += f" /St {spec[2]}"  # type: ignore[misc]
            if len(spec) > 3:
                entry += f" /P {_pdf_string(spec[3])}"  # type: ignore[misc]
            nums.append(f"{first} << {entry} >>")
        entries.append(f"/PageLabels << /Nums [{' '.join(nums)}] >>")
    if outline:
        entries.append(
            f"/Outlines {_outline(writer, outline, page_refs)} 0 R /PageMode /UseOutlines"
        )
    if lang is not None:
        entries.append(f"/Lang {_pdf_string(lang)}")
    if xmp is not None:
        metadata = writer.add_stream(b"/Type /Metadata /Subtype /XML", xmp.encode("utf-8"), False)
        entries.append(f"/Metadata {metadata} 0 R")
    writer.set(catalog, f"<< {' '.join(entries)} >>".encode())

    fields = dict(info or {})
    if title is not None:
        fields["Title"] = title
    if author is not None:
        fields["Author"] = author
    fields.setdefault("Producer", "pdfgen")
    info_ref = writer.add(
        ("<< " + " ".join(f"/{k} {_pdf_string(v)}" for k, v in fields.items()) + " >>").encode()
    )
    data = writer.finish(catalog, info_ref)
    if encrypt is not None:
        data = _encrypt(data, encrypt)
    return data


def _labels(count: int, specs: Sequence[tuple[object, ...]]) -> list[str]:
    """Each page's label as a reader shows it (for the footer's ``{label}``)."""
    result = [str(i + 1) for i in range(count)]
    ordered = sorted(specs, key=lambda spec: int(spec[0]))  # type: ignore[call-overload]
    for n, spec in enumerate(ordered):
        first = int(spec[0])  # type: ignore[call-overload]
        end = int(ordered[n + 1][0]) if n + 1 < len(ordered) else count  # type: ignore[call-overload]
        style = str(spec[1])
        start = int(spec[2]) if len(spec) > 2 else 1  # type: ignore[call-overload]
        prefix = str(spec[3]) if len(spec) > 3 else ""
        for i in range(first, min(end, count)):
            number = start + i - first
            if style == "D":
                text = str(number)
            elif style in ("r", "R"):
                text = _roman(number)
                text = text.upper() if style == "R" else text
            else:
                text = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
                text = text.upper() if style == "A" else text
            result[i] = prefix + text
    return result


def _roman(number: int) -> str:
    out = ""
    for value, digits in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while number >= value:
            out += digits
            number -= value
    return out


def _page_content(
    items: Sequence[str | Lines],
    index: int,
    label: str,
    header: str | None,
    footer: str | None,
    spacing: tuple[float, float, float],
    justify: bool,
    kerned: bool,
    unicode: bool,
) -> bytes:
    gap, indent, measure = spacing
    body = _utf16 if unicode else _shown
    ops: list[bytes] = []
    if header is not None:
        text = header.format(page=index + 1, label=label)
        ops.append(b"BT /F1 10 Tf 1 0 0 1 %.2f 750 Tm %s Tj ET" % (LEFT, body(text)))
    ops.append(b"BT /F1 12 Tf %.2f %.2f Td" % (LEFT, TOP))
    x, y = LEFT, TOP
    first = True
    for item in items:
        font, size, step, hang = b"/F1", 12, LEADING, 0.0
        if isinstance(item, Lines):
            lines, new = list(item.lines), item.new_paragraph
        elif item.startswith("# "):
            lines, new = [item[2:]], True
            font, size, step = b"/F2", 16, LEADING * 1.5
        elif item.startswith("```"):
            lines, new = item[3:].strip("\n").split("\n"), True
            font, size, step = b"/F3", 10, 12.0
        elif item.startswith("\u2022 "):
            # A bullet in the margin of its item, whose lines all start 18 pt in.
            hang = 18.0
            lines, new = wrap(item[2:], measure - hang), True
        else:
            lines, new = wrap(item, measure, measure - indent), True
        if not first and new:
            ops.append(b"0 %.2f Td" % -gap)
            y -= gap
        first = False
        for n, line in enumerate(lines):
            if hang:
                dx = hang
                if n == 0:
                    ops.append(b"%.2f 0 Td %s Tj" % (LEFT - x, body("\u2022")))
                    x = LEFT
            else:
                dx = indent if n == 0 and new and font == b"/F1" else 0.0
            indented = len(line) - len(line.lstrip(" ")) if font == b"/F3" else 0
            target_x = LEFT + dx + indented * 6.0  # Courier at 10 pt: 6 pt a character
            if target_x != x:
                ops.append(b"%.2f 0 Td" % (target_x - x))
                x = target_x
            extra = 0.0
            last = n + 1 == len(lines) and (not isinstance(item, Lines) or item.ends_paragraph)
            if justify and not last and " " in line:
                extra = (measure - dx - text_width(line)) / line.count(" ")
            shown = line.lstrip(" ") if indented else line
            encode = body if font == b"/F1" else _shown
            drawn = _show_line(shown, size, extra, kerned and font == b"/F1", encode)
            ops.append(b"%s %d Tf %s" % (font, size, drawn))
            ops.append(b"0 %.2f Td" % -step)
            y -= step
    ops.append(b"ET")
    if footer is not None:
        text = footer.format(page=index + 1, label=label)
        ops.append(
            b"BT /F1 10 Tf 1 0 0 1 %.2f 40 Tm %s Tj ET"
            % (PAGE_WIDTH / 2 - text_width(text, 10) / 2, body(text))
        )
    return b"\n".join(ops)


def _show_line(
    line: str, size: float, extra: float, kerned: bool, encode: Callable[[str], bytes]
) -> bytes:
    """The operators that draw ``line`` with ``extra`` points added to each space."""
    if not kerned:
        if encode is _utf16 and extra:
            # Word spacing (Tw) moves single-byte spaces only: kern the spaces instead.
            kern = b"%d" % -round(extra * 1000 / size)
            return b"[" + kern.join(encode(word + " ") for word in line.split(" ")) + b"] TJ"
        return b"%.3f Tw %s Tj" % (extra, encode(line))
    parts = []
    for i, word in enumerate(line.split(" ")):
        if i:
            parts.append(b"%d" % -round(278 + extra * 1000 / size))
        parts.append(encode(word[:1]) + b"30" + encode(word[1:]) if len(word) > 3 else encode(word))
    return b"[" + b"".join(parts) + b"] TJ"


def _utf16(text: str) -> bytes:
    """A string for ``Tj`` in the composite font: each character's code point, two bytes."""
    return b"<" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _composite_font(
    writer: _Writer,
    pages: Sequence[Sequence[str | Lines]],
    header: str | None,
    footer: str | None,
    compress: bool,
) -> int:
    """A Type0 font (Identity-H) whose character codes are the text's code points."""
    chars = {" ", "\u2022", *"0123456789", *(header or ""), *(footer or "")}
    for items in pages:
        for item in items:
            chars.update(*(item.lines if isinstance(item, Lines) else [item]))
    codes = sorted(ord(c) for c in chars if ord(c) < 0x10000)
    entries = [f"<{code:04X}> <{code:04X}>" for code in codes]
    blocks = "\n".join(
        f"{len(entries[i : i + 100])} beginbfchar\n"
        + "\n".join(entries[i : i + 100])
        + "\nendbfchar"
        for i in range(0, len(entries), 100)
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{blocks}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )
    to_unicode = writer.add_stream(b"", cmap.encode("ascii"), compress)
    widths = " ".join(f"{code} [{round(text_width(chr(code), 1000))}]" for code in codes)
    descriptor = writer.add(
        b"<< /Type /FontDescriptor /FontName /ArialMT /Flags 32 /FontBBox [-665 -325 2000 1040] "
        b"/ItalicAngle 0 /Ascent 905 /Descent -212 /CapHeight 716 /StemV 80 >>"
    )
    descendant = (
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ArialMT "
        f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {descriptor} 0 R /DW 556 /W [{widths}] /CIDToGIDMap /Identity >>"
    )
    return writer.add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /ArialMT /Encoding /Identity-H "
        f"/DescendantFonts [{descendant}] /ToUnicode {to_unicode} 0 R >>".encode()
    )


def _shown(text: str) -> bytes:
    """A string for ``Tj`` in a WinAnsiEncoding font: its Windows-1252 bytes, escaped."""
    raw = text.encode("cp1252")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped.replace(b"\r", b"\\r").replace(b"\n", b"\\n") + b")"


def _pdf_string(text: str) -> str:
    """A PDF text string (metadata, outline titles): ASCII as is, anything else in UTF-16."""
    if text.isascii():
        return _shown(text).decode("ascii")
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _outline(writer: _Writer, entries: Sequence[tuple[str, int, int]], pages: list[int]) -> int:
    """Write the outline tree; return the outline dictionary's object number."""
    root = writer.reserve()
    refs = [writer.reserve() for _ in entries]
    parents: list[int] = []
    children: dict[int, list[int]] = {-1: []}
    for i, (_, _, level) in enumerate(entries):
        del parents[max(0, level - 1) :]
        parent = parents[-1] if parents else -1
        children.setdefault(parent, []).append(i)
        children[i] = []
        parents.append(i)
    for parent, kids in children.items():
        for n, i in enumerate(kids):
            title, page, _ = entries[i]
            fields = [
                f"/Title {_pdf_string(title)}",
                f"/Parent {root if parent < 0 else refs[parent]} 0 R",
                f"/Dest [{pages[page]} 0 R /XYZ null null null]",
            ]
            if n:
                fields.append(f"/Prev {refs[kids[n - 1]]} 0 R")
            if n + 1 < len(kids):
                fields.append(f"/Next {refs[kids[n + 1]]} 0 R")
            if children[i]:
                fields.append(
                    f"/First {refs[children[i][0]]} 0 R /Last {refs[children[i][-1]]} 0 R"
                )
                fields.append(f"/Count {len(children[i])}")
            writer.set(refs[i], f"<< {' '.join(fields)} >>".encode())
    top = children[-1]
    writer.set(
        root,
        f"<< /Type /Outlines /First {refs[top[0]]} 0 R /Last {refs[top[-1]]} 0 R "
        f"/Count {len(top)} >>".encode(),
    )
    return root


def _encrypt(data: bytes, password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(password, "owner secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _Writer:
    """Numbers objects and writes them with their cross-reference table."""

    def __init__(self) -> None:
        self._objects: list[bytes | None] = []

    def reserve(self) -> int:
        self._objects.append(None)
        return len(self._objects)

    def set(self, number: int, body: bytes) -> None:
        self._objects[number - 1] = body

    def add(self, body: bytes) -> int:
        number = self.reserve()
        self.set(number, body)
        return number

    def add_stream(self, fields: bytes, data: bytes, compress: bool) -> int:
        if compress:
            data = zlib.compress(data)
            fields += b" /Filter /FlateDecode"
        return self.add(b"<< %s /Length %d >>\nstream\n%s\nendstream" % (fields, len(data), data))

    def finish(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self._objects, 1):
            assert body is not None, f"object {number} reserved and never written"
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += (
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R "
            b"/ID [<6d617267696e706466> <6d617267696e706466>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(offsets) + 1, root, info, xref)
        )
        return bytes(out)


_BOOK_TEXT = (
    "the of and to in a is that it was for on are as with his they at be this from have or by "
    "one had not but what all were when we there can an your which their said if do will each "
    "about how up out them then she many some so these would other into has more her two like "
    "him see time could no make than first been its who now people my made over did down only "
    "way find use may water long little very after words called just where most know reading "
    "margin lantern harbour northern quietly remembered everything afternoon understanding "
    "extraordinary conversation neighbourhood considerable particularly"
)
_BOOK_WORDS = _BOOK_TEXT.split()


def book(
    pages: int,
    *,
    seed: int = 1,
    kerned: bool = False,
    unicode: bool = False,
    justify: bool = True,
) -> bytes:
    """A book of about ``pages`` pages for benchmarks: chapters of indented paragraphs running
    over pages, a running header, page numbers, roman-numbered front matter and an outline."""
    import random

    chooser = random.Random(seed)

    def paragraph() -> str:
        words = [chooser.choice(_BOOK_WORDS) for _ in range(chooser.randint(30, 160))]
        return (" ".join(words) + ".").capitalize()

    lines_per_page = LINES_PER_PAGE - 2
    chapter_pages = 12
    out: list[list[str | Lines]] = []
    outline: list[tuple[str, int, int]] = []
    chapter = 0
    while len(out) < pages:
        chapter += 1
        title = f"Chapter {chapter}"
        outline.append((title, len(out), 1))
        body = flow([paragraph() for _ in range(chapter_pages * 6)], lines_per_page=lines_per_page)[
            : min(chapter_pages, pages - len(out))
        ]
        body[0].insert(0, f"# {title}")
        out.extend(body)
    return make_pdf(
        out[:pages],
        title="A Benchmark Book",
        author="Doe, Jane",
        labels=[(0, "r"), (4, "D")],
        outline=[entry for entry in outline if entry[1] < pages],
        header="A Benchmark Book",
        footer="{label}",
        justify=justify,
        kerned=kerned,
        unicode=unicode,
    )


if __name__ == "__main__":
    # python tests/pdfgen.py 500 /tmp/book.pdf [--kerned] [--unicode]: write a benchmark book.
    import sys

    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    with open(args[1], "wb") as output:
        output.write(
            book(int(args[0]), kerned="--kerned" in sys.argv, unicode="--unicode" in sys.argv)
        )

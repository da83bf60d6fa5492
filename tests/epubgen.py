"""make_epub: small EPUB 2 and 3 books written with zipfile, for tests and benchmarks.

A chapter is (title, paragraphs). A paragraph starting with "<" is XHTML put
in the body as it is; any other is text put in a <p> (escaped). "{page:N}"
in either becomes a page-break span with the label N (and an entry of the
page list when ``page_list`` is set). Chapters are OEBPS/text/ch1.xhtml, ...;
the navigation document is OEBPS/nav.xhtml (EPUB 3) and the NCX OEBPS/toc.ncx
(EPUB 2, or EPUB 3 with ``ncx=True``).

``python tests/epubgen.py OUT.epub [CHAPTERS]`` writes a War and Peace-sized
book (360 chapters by default) of deterministic text, for timing the loader.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from html import escape

Chapter = tuple[str, Sequence[str]]
#: (level, title, href relative to OEBPS/), for a table of contents given in full.
TocEntry = tuple[int, str, str]

_PAGE = re.compile(r"\{page:([^}]+)\}")
_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def chapter_name(index: int) -> str:
    """The archive path (under OEBPS/) of chapter ``index`` (from 0)."""
    return f"text/ch{index + 1}.xhtml"


def chapter_xhtml(title: str, paragraphs: Iterable[str], *, heading: bool = True) -> str:
    body = []
    if title and heading:
        body.append(f"<h1>{escape(title)}</h1>")
    for paragraph in paragraphs:
        body.append(paragraph if paragraph.startswith("<") else f"<p>{escape(paragraph)}</p>")
    text = _PAGE.sub(
        lambda m: f'<span epub:type="pagebreak" id="page{m[1]}" title="{m[1]}"/>', "\n".join(body)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n'
        f"<head><title>{escape(title)}</title></head>\n<body>\n{text}\n</body>\n</html>\n"
    )


def make_epub(
    chapters: Sequence[Chapter],
    *,
    title: str = "A Generated Book",
    authors: Sequence[str | tuple[str, str]] = ("Ann Author",),
    publisher: str = "",
    date: str = "",
    language: str = "en",
    identifiers: Sequence[str | tuple[str, str]] = (
        "urn:uuid:12345678-1234-1234-1234-123456789abc",
    ),
    description: str = "",
    epub3: bool = True,
    ncx: bool | None = None,
    toc: bool = True,
    toc_entries: Sequence[TocEntry] | None = None,
    page_list: bool = False,
    headings: bool = True,
    missing: Iterable[int] = (),
    non_linear: Iterable[int] = (),
    replace: dict[int, bytes] | None = None,
    extra_files: dict[str, bytes] | None = None,
    compress: bool = True,
) -> bytes:
    """The bytes of an EPUB holding ``chapters``.

    ``authors`` are names or (name, role) pairs (roles as MARC relators:
    "aut", "edt", "trl"); ``identifiers`` are values or (value, scheme)
    pairs. ``toc_entries`` replaces the table of contents made from the
    chapter titles; ``missing`` chapters (by index) are in the manifest but
    not in the archive; ``replace`` gives a chapter's file bytes as they are;
    ``extra_files`` are added to the archive (e.g. META-INF/encryption.xml).
    """
    with_ncx = (not epub3) if ncx is None else ncx
    missing = set(missing)
    non_linear = set(non_linear)
    replace = replace or {}
    files: dict[str, bytes] = {}
    pages: list[tuple[str, str]] = []
    for index, (chapter_title, paragraphs) in enumerate(chapters):
        name = chapter_name(index)
        source = chapter_xhtml(chapter_title, paragraphs, heading=headings)
        pages.extend((label, f"{name}#page{label}") for label in _PAGE.findall(source))
        if index in missing:
            continue
        files[f"OEBPS/{name}"] = replace.get(index, source.encode("utf-8"))
    if toc_entries is None:
        toc_entries = [
            (1, chapter_title, chapter_name(index))
            for index, (chapter_title, _) in enumerate(chapters)
            if chapter_title
        ]
    if not toc:
        toc_entries = []
    manifest = [
        f'<item id="ch{i + 1}" href="{chapter_name(i)}" media-type="application/xhtml+xml"/>'
        for i in range(len(chapters))
    ]
    if epub3:
        manifest.append(
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        )
        files["OEBPS/nav.xhtml"] = _nav(toc_entries, pages if page_list else []).encode("utf-8")
    if with_ncx:
        manifest.append('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
        files["OEBPS/toc.ncx"] = _ncx(title, toc_entries, pages if page_list else []).encode()
    spine = [
        f'<itemref idref="ch{i + 1}" linear="{"no" if i in non_linear else "yes"}"/>'
        for i in range(len(chapters))
    ]
    opf = _opf(
        epub3=epub3,
        title=title,
        authors=authors,
        publisher=publisher,
        date=date,
        language=language,
        identifiers=identifiers,
        description=description,
        manifest=manifest,
        spine=spine,
        ncx=with_ncx,
    )
    files["OEBPS/content.opf"] = opf.encode("utf-8")
    files["META-INF/container.xml"] = _CONTAINER.encode("utf-8")
    files.update(extra_files or {})
    return write_zip(files, compress=compress)


def write_zip(files: dict[str, bytes], *, compress: bool = True) -> bytes:
    """An EPUB's zip: "mimetype" first and stored, then ``files``."""
    import io

    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in files.items():
            archive.writestr(name, data, compress_type=method)
    return out.getvalue()


def _opf(
    *,
    epub3: bool,
    title: str,
    authors: Sequence[str | tuple[str, str]],
    publisher: str,
    date: str,
    language: str,
    identifiers: Sequence[str | tuple[str, str]],
    description: str,
    manifest: list[str],
    spine: list[str],
    ncx: bool,
) -> str:
    meta = [f"<dc:title>{escape(title)}</dc:title>"]
    for i, author in enumerate(authors):
        name, role = (author, "") if isinstance(author, str) else author
        if epub3:
            meta.append(f'<dc:creator id="creator{i}">{escape(name)}</dc:creator>')
            if role:
                meta.append(
                    f'<meta refines="#creator{i}" property="role" scheme="marc:relators">'
                    f"{role}</meta>"
                )
        else:
            attr = f' opf:role="{role}"' if role else ""
            meta.append(f"<dc:creator{attr}>{escape(name)}</dc:creator>")
    for i, identifier in enumerate(identifiers):
        value, scheme = (identifier, "") if isinstance(identifier, str) else identifier
        attr = f' opf:scheme="{scheme}"' if scheme and not epub3 else ""
        meta.append(f'<dc:identifier id="id{i}"{attr}>{escape(value)}</dc:identifier>')
    if publisher:
        meta.append(f"<dc:publisher>{escape(publisher)}</dc:publisher>")
    if date:
        meta.append(f"<dc:date>{escape(date)}</dc:date>")
    if language:
        meta.append(f"<dc:language>{escape(language)}</dc:language>")
    if description:
        meta.append(f"<dc:description>{escape(description)}</dc:description>")
    if epub3:
        meta.append('<meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>')
    version = "3.0" if epub3 else "2.0"
    toc_attr = ' toc="ncx"' if ncx else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="{version}" '
        'unique-identifier="id0">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:opf="http://www.idpf.org/2007/opf">\n'
        + "\n".join(meta)
        + "\n</metadata>\n<manifest>\n"
        + "\n".join(manifest)
        + f"\n</manifest>\n<spine{toc_attr}>\n"
        + "\n".join(spine)
        + "\n</spine>\n</package>\n"
    )


def _nav_list(entries: Sequence[TocEntry]) -> str:
    out: list[str] = ["<ol>"]
    depth = 1
    open_item = False
    for level, title, href in entries:
        while depth < level:
            out.append("<ol>")
            depth += 1
            open_item = False
        while depth > level:
            out.append("</li></ol>")
            depth -= 1
            open_item = True
        if open_item:
            out.append("</li>")
        link = (
            f'<a href="{escape(href)}">{escape(title)}</a>'
            if href
            else f"<span>{escape(title)}</span>"
        )
        out.append(f"<li>{link}")
        open_item = True
    while depth > 1:
        out.append("</li></ol>")
        depth -= 1
    if open_item:
        out.append("</li>")
    out.append("</ol>")
    return "\n".join(out)


def _nav(entries: Sequence[TocEntry], pages: list[tuple[str, str]]) -> str:
    page_list = ""
    if pages:
        items = "".join(f'<li><a href="{href}">{escape(label)}</a></li>' for label, href in pages)
        page_list = f'<nav epub:type="page-list" hidden=""><ol>{items}</ol></nav>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n'
        "<head><title>Contents</title></head>\n<body>\n"
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1>\n{_nav_list(entries)}\n</nav>\n'
        f"{page_list}\n</body>\n</html>\n"
    )


def _ncx(title: str, entries: Sequence[TocEntry], pages: list[tuple[str, str]]) -> str:
    out: list[str] = []
    depth = 0
    for n, (level, entry_title, href) in enumerate(entries, 1):
        while depth >= level:
            out.append("</navPoint>")
            depth -= 1
        out.append(
            f'<navPoint id="np{n}" playOrder="{n}"><navLabel><text>{escape(entry_title)}'
            f'</text></navLabel><content src="{escape(href)}"/>'
        )
        depth = level
    out.extend("</navPoint>" for _ in range(depth))
    page_list = ""
    if pages:
        targets = "".join(
            f'<pageTarget id="pt{n}" type="normal" value="{escape(label)}">'
            f'<navLabel><text>{escape(label)}</text></navLabel><content src="{href}"/></pageTarget>'
            for n, (label, href) in enumerate(pages, 1)
        )
        page_list = f"<pageList>{targets}</pageList>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
        f"<head/><docTitle><text>{escape(title)}</text></docTitle>\n"
        f"<navMap>{''.join(out)}</navMap>{page_list}\n</ncx>\n"
    )


# --- a big book ---------------------------------------------------------------

_VOCABULARY = (
    "the of and to a in that he was it his her with had as at for by on not be which she "
    "you I but from all they this were so said what one prince Natasha Pierre Andrew "
    "Moscow army could would been there their him when them into who an more Rostov "
    "Princess Mary old only will now have me if out Kutuzov about no up Petersburg count "
    "French Napoleon regiment soldiers battle looked again face eyes smile room began "
    "know well see long without went came time come thought felt life love war peace"
)
_WORDS = _VOCABULARY.split()


def book_chapters(count: int = 360, paragraphs: int = 16, words: int = 100) -> list[Chapter]:
    """Deterministic chapters of War and Peace-like prose (360 chapters of ~9 KB by default)."""
    state = 12345
    chapters: list[Chapter] = []
    vocabulary = len(_WORDS)
    for number in range(1, count + 1):
        body: list[str] = []
        for _ in range(paragraphs):
            sentence: list[str] = []
            for w in range(words):
                state = (state * 1103515245 + 12345) % 2**31
                word = _WORDS[state % vocabulary]
                sentence.append(word.capitalize() if w == 0 or sentence[-1].endswith(".") else word)
                if state % 13 == 0:
                    sentence[-1] += "."
                elif state % 7 == 0:
                    sentence[-1] += ","
            body.append(" ".join(sentence) + ".")
        chapters.append((f"Chapter {number}", body))
    return chapters


if __name__ == "__main__":
    target = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 360
    data = make_epub(book_chapters(count), title="A Long Book", authors=["Leo Writer"])
    with open(target, "wb") as file:
        file.write(data)
    print(f"{target}: {len(data):,} bytes, {count} chapters")

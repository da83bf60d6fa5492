"""The EPUB loader: an EPUB 2 or 3 book as canonical text, with its contents, pages and metadata.

The zip archive is opened with zipfile; ebooklib's reader finds the package
document (META-INF/container.xml, or the archive's one .opf file) and reads
its metadata. ``ebooklib.epub.read_epub`` itself is not used: it reads every
file of the manifest (images too) and gives up on the first one missing from
the archive, and it stops at a navigation document without a toc; here the
manifest and spine are read from the package document, and only the chapters,
the navigation document and the NCX are taken from the archive.

Reading order: the spine's linear items, then its non-linear ones (notes and
answers a reader reaches by links), so that their text is there and links
into them resolve. Each chapter's XHTML is parsed as XML, or with lxml's
recovering HTML parser when it is not well-formed, and laid out by
``db.documents.xhtml``. A chapter without a heading of its own begins with
its title from the book's table of contents, as a heading of that entry's
depth. Spine items that are not (X)HTML (an image page) are skipped.

The book's own table of contents (the EPUB 3 navigation document's toc, else
the EPUB 2 NCX) becomes ``LoadedText.toc``: each entry points at the start of
the block holding its target (a file, or an element of it by id); an entry
whose target comes before the entry above it in reading order is dropped
(the longest run of entries in reading order is kept). The page list (nav
page-list, else the NCX pageList, else the chapters' page-break elements)
becomes ``LoadedText.pages``.

Metadata come from the package document: title, authors (creators with the
role "aut" or none; if there are none, the creators sharing the first one's
role), publisher, date (ISO, its date part), language, description (tags
stripped), identifiers (ISBN, else UUID, DOI or the scheme named) and kind
"book".

Refused with a one-line LoadError: what is not a zip archive, a damaged or cut
short one, a zip without a package document, a book whose content is
encrypted (DRM; obfuscated fonts are fine). A chapter missing from the archive
is skipped with a notice naming it.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
import zlib
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from db.documents.builder import BlockBuilder, keep_blocks
from db.documents.gutenberg import licence_blocks
from db.documents.inert import make_inert
from db.documents.xhtml import (
    XhtmlConverter,
    clean_page_label,
    element_text,
    epub_types,
    has_heading,
    local_name,
)
from db.models import LoadedText, Metadata, TocEntry

DC_NS = "http://purl.org/dc/elements/1.1/"
OPF_NS = "http://www.idpf.org/2007/opf"
_OPF_ROLE = f"{{{OPF_NS}}}role"
_OPF_SCHEME = f"{{{OPF_NS}}}scheme"
_OPF_EVENT = f"{{{OPF_NS}}}event"

#: Font obfuscation (not DRM): the IDPF's and Adobe's algorithms.
_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"})
_FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2", ".eot")
_HTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml", "text/xml"})
_HTML_SUFFIXES = (".xhtml", ".html", ".htm", ".xml")
_XML_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)""")
_DATE = re.compile(r"\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_BLOCK_TAGS = re.compile(r"<(?:br|/?(?:p|div|li|h[1-6]|tr|td|th|blockquote|ul|ol))\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]*>")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
#: Dates some tools write when a book has none (calibre's "0101-01-01").
_NO_DATES = frozenset({"0101-01-01", "0100-01-01", "0001-01-01"})
#: A chapter larger than this (uncompressed) is not read: no book has one, a zip bomb does.
_MAX_CHAPTER = 256 * 1024 * 1024
#: What zipfile raises for an archive or a member it cannot read (a bad header
#: gives ValueError or NotImplementedError, a bad stream zlib.error or EOFError).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)
#: How many file names a notice lists before "and N more".
_NOTICE_NAMES = 5


@dataclass(slots=True)
class _Item:
    href: str
    path: str
    media_type: str


@dataclass(slots=True)
class _Package:
    items: dict[str, _Item]
    spine: list[tuple[str, bool]]
    ncx_id: str
    nav_path: str
    metadata: dict[str, Any]


@dataclass(slots=True)
class _NavPoint:
    title: str
    path: str
    fragment: str
    level: int


@dataclass(slots=True)
class _Navigation:
    toc: list[_NavPoint] = field(default_factory=list)
    pages: list[tuple[str, str, str]] = field(default_factory=list)


def parse_epub(
    data: bytes, label: str, *, progress: Callable[[int, int], None] | None = None
) -> LoadedText:
    """Load an EPUB book from its bytes; LoadError (one line naming ``label``) if it cannot be."""
    from db.documents import LoadError

    if not data:
        raise LoadError(f"{label}: is empty, not an EPUB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.LargeZipFile, *_ZIP_ERRORS):
        if data.startswith(b"PK"):
            raise LoadError(
                f"{label}: is not a whole EPUB (the zip archive is damaged or cut short)"
            ) from None
        raise LoadError(f"{label}: is not an EPUB (not a zip archive)") from None
    with archive:
        try:
            if _is_protected(archive):
                raise LoadError(f"{label}: is protected by DRM and cannot be read")
            try:
                package = _read_package(archive)
            except _UnreadablePackage:
                raise LoadError(
                    f"{label}: is not an EPUB (its package document cannot be read)"
                ) from None
            if package is None:
                raise LoadError(f"{label}: is not an EPUB (no package document in the archive)")
            navigation = _read_navigation(archive, package)
            return _Book(archive, package, navigation, progress).load()
        except _Damaged:
            raise LoadError(
                f"{label}: is not a whole EPUB (the zip archive is damaged or cut short)"
            ) from None
        except _Encrypted:
            raise LoadError(f"{label}: is encrypted with a password and cannot be read") from None


# --- the archive ---------------------------------------------------------------


class _Damaged(Exception):
    """A file of the archive cannot be read out of it."""


class _Encrypted(Exception):
    """A file of the archive is encrypted with a zip password."""


def _read(archive: zipfile.ZipFile, path: str) -> bytes | None:
    """A file of the archive, None if it is not there."""
    try:
        info = archive.getinfo(path)
    except KeyError:
        return None
    if info.flag_bits & 0x1:
        raise _Encrypted
    try:
        return archive.read(info)
    except _ZIP_ERRORS:
        raise _Damaged from None


def _is_protected(archive: zipfile.ZipFile) -> bool:
    """Whether encryption.xml lists content encrypted otherwise than font obfuscation."""
    data = _read(archive, "META-INF/encryption.xml")
    if data is None:
        return False
    root = _parse_xml(data)
    if root is None:
        return _read(archive, "META-INF/rights.xml") is not None
    for node in root.iter():
        if not isinstance(node.tag, str) or local_name(node.tag) != "encrypteddata":
            continue
        algorithm = uri = ""
        for child in node.iter():
            if not isinstance(child.tag, str):
                continue
            name = local_name(child.tag)
            if name == "encryptionmethod":
                algorithm = (child.get("Algorithm") or "").strip()
            elif name == "cipherreference":
                uri = (child.get("URI") or "").strip()
        if algorithm in _OBFUSCATION or unquote(uri).lower().endswith(_FONT_SUFFIXES):
            continue
        return True
    return False


def _parse_xml(data: bytes) -> Any:
    """An XML document's root element, recovering from errors; None if there is none."""
    from lxml import etree

    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, remove_comments=True
    )
    try:
        return etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _parse_document(data: bytes) -> Any:
    """A chapter's root element: as XML, else with the HTML parser (which recovers)."""
    from lxml import etree
    from lxml import html as lxml_html

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
        if root is not None:
            return root
    except (etree.XMLSyntaxError, ValueError):
        pass
    # Without a declaration XHTML is UTF-8 (the HTML parser's own default is Latin-1).
    match = _XML_ENCODING.match(data[:200])
    try:
        html_parser = lxml_html.HTMLParser(
            encoding=match[1].decode("ascii") if match else "utf-8", remove_comments=True
        )
    except LookupError:
        html_parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        return lxml_html.document_fromstring(data, parser=html_parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


# --- the package document -----------------------------------------------------


def _read_package(archive: zipfile.ZipFile) -> _Package | None:
    """The manifest, spine and metadata, or None if the archive holds no package document."""
    from ebooklib import epub
    from ebooklib.utils import parse_string

    reader = epub.EpubReader("", {"ignore_ncx": True})
    reader.zf = archive
    try:
        reader._load_container()
    except Exception:
        # No or a broken container.xml: the archive's own .opf, if it has one, will do.
        reader.opf_file = ""
    opf_path = reader.opf_file or ""
    opf_data = _read(archive, opf_path) if opf_path else None
    if opf_data is None:
        opf_path = next((n for n in archive.namelist() if n.lower().endswith(".opf")), "")
        opf_data = _read(archive, opf_path) if opf_path else None
    if opf_data is None:
        return None
    reader.opf_file, reader.opf_dir = opf_path, posixpath.dirname(opf_path)
    try:
        tree = parse_string(opf_data)
        root = tree.getroot()
    except Exception:
        root = None
    if root is None:
        raise _UnreadablePackage
    reader.container = tree
    try:
        reader._load_metadata()
        metadata: dict[str, Any] = reader.book.metadata
    except Exception:
        # A package document outside the OPF namespace (or otherwise odd): its
        # Dublin Core elements are still found, and a made-up identifier must not stand in.
        metadata = {}
    if not (metadata.get(DC_NS) or {}).get("title"):
        metadata = _metadata_fields(root)
    opf_dir = posixpath.dirname(opf_path)
    items: dict[str, _Item] = {}
    spine: list[tuple[str, bool]] = []
    ncx_id = nav_path = ""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        name = local_name(node.tag)
        if name == "item":
            ident, href = node.get("id"), node.get("href")
            if not ident or not href:
                continue
            href = unquote(href.split("#", 1)[0])
            path = posixpath.normpath(posixpath.join(opf_dir, href))
            media_type = (node.get("media-type") or "").strip().lower()
            items[ident] = _Item(href, path, media_type)
            if "nav" in (node.get("properties") or "").split() and not nav_path:
                nav_path = path
        elif name == "spine":
            ncx_id = node.get("toc") or ""
        elif name == "itemref":
            idref = node.get("idref")
            if idref:
                spine.append((idref, (node.get("linear") or "yes").strip().lower() != "no"))
    if not ncx_id or ncx_id not in items:
        ncx_id = next(
            (i for i, item in items.items() if item.media_type == "application/x-dtbncx+xml"), ""
        )
    return _Package(items, spine, ncx_id, nav_path, metadata)


class _UnreadablePackage(Exception):
    """The package document is there but is not XML."""


def _metadata_fields(root: Any) -> dict[str, Any]:
    """Dublin Core elements and meta elements of a package document, as ebooklib gives them."""
    fields: dict[str, dict[str, list[tuple[Any, dict[str, Any]]]]] = {DC_NS: {}, OPF_NS: {}}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        name = local_name(node.tag)
        if node.tag.startswith(f"{{{DC_NS}}}"):
            fields[DC_NS].setdefault(name, []).append((node.text, dict(node.attrib)))
        elif name == "meta":
            fields[OPF_NS].setdefault("meta", []).append((node.text, dict(node.attrib)))
    return fields


# --- navigation ---------------------------------------------------------------


def _read_navigation(archive: zipfile.ZipFile, package: _Package) -> _Navigation:
    """The book's table of contents and page list: EPUB 3 navigation, else the NCX."""
    navigation = _Navigation()
    if package.nav_path:
        data = _read(archive, package.nav_path)
        root = _parse_document(data) if data else None
        if root is not None:
            _read_nav_document(root, package.nav_path, navigation)
    if package.ncx_id and (not navigation.toc or not navigation.pages):
        ncx = package.items[package.ncx_id]
        data = _read(archive, ncx.path)
        root = _parse_xml(data) if data else None
        if root is not None:
            _read_ncx(root, ncx.path, navigation)
    return navigation


def _read_nav_document(root: Any, base: str, navigation: _Navigation) -> None:
    toc_list = page_list = None
    for nav in root.iter("nav", "{http://www.w3.org/1999/xhtml}nav"):
        types = set(epub_types(nav)) | set((nav.get("role") or "").split())
        ordered = _child(nav, "ol")
        if ordered is None:
            continue
        if toc_list is None and types & {"toc", "doc-toc"}:
            toc_list = ordered
        elif page_list is None and types & {"page-list", "doc-pagelist"}:
            page_list = ordered
    if toc_list is not None:
        _read_nav_list(toc_list, base, 1, navigation.toc)
    if page_list is not None:
        points: list[_NavPoint] = []
        _read_nav_list(page_list, base, 1, points)
        for point in points:
            title = clean_page_label(point.title)
            if title and point.path:
                navigation.pages.append((title, point.path, point.fragment))


def _read_nav_list(ordered: Any, base: str, level: int, out: list[_NavPoint]) -> None:
    for item in ordered:
        if not isinstance(item.tag, str) or local_name(item.tag) != "li":
            continue
        link = _child(item, "a")
        if link is None:
            link = _child(item, "span")
        if link is None:
            link = next(
                (
                    node
                    for node in item.iter()
                    if isinstance(node.tag, str) and local_name(node.tag) in ("a", "span")
                ),
                None,
            )
        title = element_text(link) if link is not None else ""
        if link is not None and not title:
            title = " ".join((link.get("title") or link.get("aria-label") or "").split())
        path, fragment = _resolve(base, link.get("href") if link is not None else None)
        if title:
            out.append(_NavPoint(title, path, fragment, level))
        sublist = _child(item, "ol")
        if sublist is not None:
            _read_nav_list(sublist, base, level + 1 if title else level, out)


def _child(element: Any, name: str) -> Any:
    for child in element:
        if isinstance(child.tag, str) and local_name(child.tag) == name:
            return child
    return None


def _read_ncx(root: Any, base: str, navigation: _Navigation) -> None:
    nav_map = page_list = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        name = local_name(child.tag)
        if name == "navmap":
            nav_map = child
        elif name == "pagelist":
            page_list = child
    if not navigation.toc and nav_map is not None:
        _read_nav_points(nav_map, base, 1, navigation.toc)
    if not navigation.pages and page_list is not None:
        for target in page_list:
            if isinstance(target.tag, str) and local_name(target.tag) == "pagetarget":
                title, path, fragment = _ncx_point(target, base)
                title = clean_page_label(title or target.get("value") or "") or ""
                if title and path:
                    navigation.pages.append((title, path, fragment))


def _read_nav_points(parent: Any, base: str, level: int, out: list[_NavPoint]) -> None:
    for point in parent:
        if not isinstance(point.tag, str) or local_name(point.tag) != "navpoint":
            continue
        title, path, fragment = _ncx_point(point, base)
        if title:
            out.append(_NavPoint(title, path, fragment, level))
        _read_nav_points(point, base, level + 1 if title else level, out)


def _ncx_point(point: Any, base: str) -> tuple[str, str, str]:
    """A navPoint's or pageTarget's label and target."""
    title = ""
    href = None
    for child in point:
        if not isinstance(child.tag, str):
            continue
        name = local_name(child.tag)
        if name == "navlabel" and not title:
            title = element_text(child)
        elif name == "content" and href is None:
            href = child.get("src")
    path, fragment = _resolve(base, href)
    return title, path, fragment


def _resolve(base: str, href: str | None) -> tuple[str, str]:
    """(archive path, fragment) of a link in the file at ``base``; ("", "") if it leads out."""
    if not href:
        return "", ""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return "", ""
    fragment = unquote(parts.fragment)
    if not parts.path:
        return base, fragment
    return posixpath.normpath(
        posixpath.join(posixpath.dirname(base), unquote(parts.path))
    ), fragment


# --- the text -----------------------------------------------------------------


class _Book:
    """Lays the spine's chapters end to end, then points the contents and pages into them."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        package: _Package,
        navigation: _Navigation,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.archive = archive
        self.package = package
        self.navigation = navigation
        self.progress = progress
        self.builder = BlockBuilder()
        #: (path, id) -> index of the block holding that element.
        self.targets: dict[tuple[str, str], int] = {}
        #: path -> index of its first block (the added title, if any) and of its own first block.
        self.starts: dict[str, tuple[int, int]] = {}
        self.page_ids: dict[tuple[str, str], list[str]] = {}
        self.page_files: dict[str, list[str]] = {}
        for title, path, fragment in navigation.pages:
            if fragment:
                self.page_ids.setdefault((path, fragment), []).append(title)
            else:
                self.page_files.setdefault(path, []).append(title)
        self.missing: list[str] = []
        self.unreadable: list[str] = []

    def load(self) -> LoadedText:
        items = self.package.items
        spine = [i for i, linear in self.package.spine if linear]
        spine += [i for i, linear in self.package.spine if not linear]
        seen: set[str] = set()
        total = len(spine)
        for done, idref in enumerate(spine, 1):
            item = items.get(idref)
            if item is None:
                self.missing.append(idref)
            elif item.path not in seen:
                seen.add(item.path)
                self._chapter(item)
            if self.progress is not None:
                self.progress(done, total)
        loaded = self.builder.result(_metadata(self.package.metadata), "epub", self._notices())
        loaded.toc = self._toc(loaded)
        # Project Gutenberg's EPUBs carry its licence as their first and last blocks.
        first, end = licence_blocks([loaded.text[b.start : b.end] for b in loaded.blocks])
        return keep_blocks(loaded, first, end)

    def _chapter(self, item: _Item) -> None:
        if item.media_type not in _HTML_TYPES and not (
            not item.media_type and item.path.lower().endswith(_HTML_SUFFIXES)
        ):
            return
        try:
            info = self.archive.getinfo(item.path)
        except KeyError:
            self.missing.append(item.href)
            return
        try:
            if info.file_size > _MAX_CHAPTER or info.flag_bits & 0x1:
                raise _Damaged
            data = self.archive.read(info)
        except (_Damaged, *_ZIP_ERRORS):
            self.unreadable.append(item.href)
            return
        root = _parse_document(data)
        builder = self.builder
        first = len(builder.blocks)
        for label in self.page_files.get(item.path, ()):
            builder.page(label)
        if root is None:
            self.starts[item.path] = (first, first)
            return
        body = _child(root, "body")
        if body is None:
            body = root
        title = self._title_for(item.path, body)
        if title is not None:
            builder.add("heading", title[0], title[1])
        self.starts[item.path] = (first, len(builder.blocks))
        path = item.path
        page_ids = self.page_ids
        targets = self.targets
        converter: XhtmlConverter

        def on_id(ident: str) -> None:
            targets.setdefault((path, ident), len(builder.blocks))
            if page_ids:
                for label in page_ids.get((path, ident), ()):
                    converter.page(label)

        def ignore(label: str) -> None:
            pass

        # With a page list, page-break elements are its targets: one source of pages.
        converter = XhtmlConverter(
            builder, on_id=on_id, on_pagebreak=ignore if self.navigation.pages else None
        )
        converter.convert(body)

    def _title_for(self, path: str, body: Any) -> tuple[str, int] | None:
        """The contents' title of a chapter without a heading: (title, level), or None."""
        candidates = [p for p in self.navigation.toc if p.path == path]
        if not candidates or has_heading(body) or not _has_text(body):
            return None
        for point in candidates:
            if not point.fragment or _at_start(body, point.fragment):
                return point.title, min(point.level, 6)
        return None

    def _toc(self, loaded: LoadedText) -> list[TocEntry]:
        blocks = loaded.blocks
        end = len(loaded.text)
        points = self.navigation.toc
        # A section without a target of its own opens at its first entry's.
        resolved: list[tuple[_NavPoint, int]] = []
        following: int | None = None
        for point in reversed(points):
            index = self._target(point)
            if index is None and not point.path and following is not None:
                index = following
            if index is not None:
                offset = blocks[index].start if index < len(blocks) else end
                resolved.append((point, offset))
                following = index
        resolved.reverse()
        kept = _in_order([offset for _, offset in resolved])
        entries = []
        for i in kept:
            point, offset = resolved[i]
            entries.append(TocEntry(" ".join(make_inert(point.title).split()), offset, point.level))
        return entries

    def _target(self, point: _NavPoint) -> int | None:
        starts = self.starts.get(point.path)
        if starts is None:
            return None
        first, own = starts
        if not point.fragment:
            return first
        index = self.targets.get((point.path, point.fragment))
        if index is None or index == own:
            return first
        return index

    def _notices(self) -> list[str]:
        notices = []
        if self.missing:
            notices.append(
                f"Skipped {_chapters(len(self.missing))} missing from the book: "
                f"{_names(self.missing)}."
            )
        if self.unreadable:
            notices.append(
                f"Skipped {_chapters(len(self.unreadable))} that could not be read: "
                f"{_names(self.unreadable)}."
            )
        return notices


def _chapters(count: int) -> str:
    return "1 chapter" if count == 1 else f"{count} chapters"


def _names(names: list[str]) -> str:
    shown = ", ".join(" ".join(make_inert(name).split()) for name in names[:_NOTICE_NAMES])
    more = len(names) - _NOTICE_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def _has_text(body: Any) -> bool:
    return bool(
        body.xpath(
            "boolean(.//text()[normalize-space()]"
            "[not(ancestor::*[local-name()='script' or local-name()='style'])]"
            " | .//*[local-name()='img'][normalize-space(@alt)])"
        )
    )


def _at_start(body: Any, ident: str) -> bool:
    """Whether the element with this id comes before any text of the chapter."""
    found = body.xpath(".//*[@id=$ident or @name=$ident]", ident=ident)
    if not found:
        return False
    return not found[0].xpath(
        "boolean(preceding::text()[normalize-space()][ancestor::*[local-name()='body']])"
    )


def _in_order(offsets: list[int]) -> list[int]:
    """Indexes of the longest run of offsets in reading order (non-decreasing), first kept."""
    tails: list[int] = []  # offsets[tail_index[k]] ends a run of length k + 1
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(offsets)
    for i, offset in enumerate(offsets):
        k = bisect_right(tails, offset)
        if k == len(tails):
            tails.append(offset)
            tail_index.append(i)
        else:
            tails[k] = offset
            tail_index[k] = i
        previous[i] = tail_index[k - 1] if k else -1
    kept: list[int] = []
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        kept.append(i)
        i = previous[i]
    kept.reverse()
    return kept


# --- metadata -----------------------------------------------------------------


def _metadata(fields: dict[str, Any]) -> Metadata:
    dc: dict[str, list[tuple[Any, dict[str, Any]]]] = fields.get(DC_NS) or {}
    metas = (fields.get(OPF_NS) or {}).get("meta") or []
    refines: dict[str, dict[str, str]] = {}
    for value, attrs in metas:
        target = (attrs.get("refines") or "").lstrip("#")
        prop = attrs.get("property")
        if target and prop and value:
            refines.setdefault(target, {}).setdefault(prop, _clean(value))
    meta = Metadata(kind="book")
    meta.title = _title(dc.get("title") or [], refines)
    meta.authors = _authors(dc.get("creator") or [], refines)
    meta.publisher = _first(dc.get("publisher"))
    meta.published = _date(dc.get("date") or [])
    meta.language = _first(dc.get("language"))
    description = _first(dc.get("description"), raw=True)
    if description:
        text = _TAGS.sub("", _BLOCK_TAGS.sub(" ", description))
        meta.description = _clean(html.unescape(text))
    meta.identifiers = _identifiers(dc.get("identifier") or [], refines)
    return meta


def _clean(value: Any) -> str:
    return " ".join(make_inert(str(value)).split()) if value is not None else ""


def _first(values: list[tuple[Any, dict[str, Any]]] | None, *, raw: bool = False) -> str:
    for value, _ in values or ():
        if value and str(value).strip():
            return str(value) if raw else _clean(value)
    return ""


def _title(values: list[tuple[Any, dict[str, Any]]], refines: dict[str, dict[str, str]]) -> str:
    for value, attrs in values:
        if value and refines.get(attrs.get("id") or "", {}).get("title-type") == "main":
            return _clean(value)
    return _first(values)


def _authors(
    values: list[tuple[Any, dict[str, Any]]], refines: dict[str, dict[str, str]]
) -> list[str]:
    creators: list[tuple[str, str]] = []
    for value, attrs in values:
        name = _clean(value)
        if not name:
            continue
        role = attrs.get(_OPF_ROLE) or refines.get(attrs.get("id") or "", {}).get("role") or ""
        creators.append((name, role.strip().lower()))
    authors = [name for name, role in creators if role in ("", "aut")]
    if authors or not creators:
        return authors
    first_role = creators[0][1]
    return [name for name, role in creators if role == first_role]


def _date(values: list[tuple[Any, dict[str, Any]]]) -> str:
    """The publication date as ISO "YYYY[-MM[-DD]]"; other events (modification...) last."""
    ranked = sorted(
        values,
        key=lambda v: (
            (v[1].get(_OPF_EVENT) or "publication").lower()
            not in (
                "publication",
                "original-publication",
                "issued",
            )
        ),
    )
    for value, _ in ranked:
        match = _DATE.match(str(value or ""))
        if match is None:
            continue
        date = "-".join(part for part in match.groups() if part)
        if date not in _NO_DATES and not date.startswith("0000"):
            return date
    return ""


def _identifiers(
    values: list[tuple[Any, dict[str, Any]]], refines: dict[str, dict[str, str]]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, attrs in values:
        text = _clean(value)
        if not text:
            continue
        lowered = text.lower()
        scheme = (attrs.get(_OPF_SCHEME) or "").strip().lower()
        kind = refines.get(attrs.get("id") or "", {}).get("identifier-type", "")
        key, ident = scheme or "id", text
        for prefix in ("urn:isbn:", "isbn:"):
            if lowered.startswith(prefix):
                key, ident = "isbn", text[len(prefix) :]
        if key == "isbn" or kind in ("02", "15") or _is_isbn(text):
            key, ident = "isbn", re.sub(r"[\s-]", "", ident)
        elif lowered.startswith("urn:uuid:") or scheme == "uuid" or _UUID.fullmatch(text):
            key, ident = "uuid", text.split(":")[-1]
        elif lowered.startswith(("doi:", "urn:doi:")) or scheme == "doi" or kind == "06":
            key, ident = "doi", text.split(":", 2 if lowered.startswith("urn:") else 1)[-1]
        elif "doi.org/" in lowered:
            key, ident = "doi", text.split("doi.org/", 1)[1]
        found.setdefault(key, ident.strip())
    if "isbn" in found:
        return {"isbn": found["isbn"]}
    return found


def _is_isbn(text: str) -> bool:
    """A 10- or 13-digit ISBN with a valid check digit (hyphens and spaces allowed)."""
    digits = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if re.fullmatch(r"97[89]\d{10}", digits):
        total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(digits))
        return total % 10 == 0
    return False

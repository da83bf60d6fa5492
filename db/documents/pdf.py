"""The PDF loader: each page's text rebuilt into paragraphs, with page labels, outline, metadata.

pypdf opens the file (rebuilding the trailer of one cut short, decrypting with
the empty password) and reads the page labels, the outline and the metadata;
the text is read by the small content-stream interpreter below, which keeps
where each string is drawn and in what size (pypdf's ``extract_text`` costs 4
to 18 ms a page and its plain mode drops the positions that tell a paragraph's
end from a wrapped line), then laid out by ``_Layout``. A page the interpreter
cannot read is tried with ``extract_text``; a page neither can read is
skipped with a notice. 500 pages load in 0.6 to 1.0 s (tests/pdfgen.py
writes the benchmark books).
"""

from __future__ import annotations

import io
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

from db.documents import Progress
from db.documents.builder import BlockBuilder
from db.models import LoadedText, Metadata, PageMark, TocEntry

NO_TEXT_LAYER = "This PDF has no text layer (it is scanned images); margin can only show text."

#: A gap (in ems) between two pieces of text on a line wider than this is a space.
_SPACE_GAP = 0.15
#: A line further below the last than this many leadings starts a new paragraph.
_GAP_LEADINGS = 1.3
#: A first line indented by this many ems more than its neighbours starts a paragraph.
_INDENT_EMS = 0.7
#: A line this much larger than the body text (and short) is a heading.
_HEADING_SIZE = 1.18
_HEADING_MAX_CHARS = 160
#: How deep form XObjects are followed inside each other.
_MAX_FORM_DEPTH = 6

# A content stream, one operation (its operands and its operator) a match,
# passing over the operations that draw no text, so that Python sees only
# the few that matter. Quantifiers are possessive and the operator optional,
# so that no input makes the expression backtrack: a match is linear in what
# it consumes.
_STRING = rb"\((?:[^()\\]++|\\.|\((?:[^()\\]++|\\.|\((?:[^()\\]++|\\.)*+\))*+\))*+\)"
_HEX_STRING = rb"<[0-9A-Fa-f\s]*+>"
_NUMBER = rb"[-+]?(?:\d++\.?\d*+|\.\d++)"
_NAME = rb"/[^\s/\[\]()<>{}%]*+"
# Numbers, spaces and stray punctuation, in runs; what arrays and
# dictionaries hold but strings is passed over the same way.
_ATOMS = rb"[^A-Za-z'\"()\[\]<>%/]++"
_ARRAY = rb"\[(?:[^\[\]()]++|" + _STRING + rb")*+\]"
_DICT_BODY = rb"(?:[^<>()]++|" + _STRING + rb"|<[^<>]*+>)*+"
_DICT = rb"<<(?:" + _DICT_BODY + rb"|<<" + _DICT_BODY + rb">>)*+>>"
_COMMENT = rb"%[^\r\n]*+"
_OPERANDS = (
    rb"(?:" + b"|".join((_ATOMS, _NAME, _STRING, _ARRAY, _DICT, _HEX_STRING, _COMMENT)) + rb")*+"
)
_TEXT_OPERATOR = (
    rb"(?:TJ|Tj|'|\"|Td|TD|Tf|Tm|T\*|BT|cm|q|Q|Tc|Tw|TL|Tz|Ts|Do|ID)(?![A-Za-z0-9*'\"])"
)
_OPERATOR = rb"[A-Za-z'\"][A-Za-z0-9*'\"]*+"
#: Operations that do not matter to text (paths, colours) are passed over
#: inside the expression; a match ends at an operator that matters, group 1
#: holding its operands.
_OPERATION = re.compile(
    rb"(?:"
    + _OPERANDS
    + rb"(?!"
    + _TEXT_OPERATOR
    + rb")"
    + _OPERATOR
    + rb")*+("
    + _OPERANDS
    + rb")("
    + _TEXT_OPERATOR
    + rb")?",
    re.S,
)
#: A TJ array's elements: a literal string, a hex string or a number.
_ELEMENT = re.compile(rb"(" + _STRING + rb")|<([0-9A-Fa-f\s]*+)>|(" + _NUMBER + rb")", re.S)
#: A kern in a TJ array that moves the text on by 0.15 em or more: a space (see _SPACE_GAP).
_SPACE_KERN = rb"-0*+(?:[2-9]\d{2}|1[5-9]\d|\d{4,})(?:\.\d*+)?(?![\d.])"
#: A TJ array as runs of strings and small kerns (a word, mostly) and the spaces between.
_TJ_PIECE = re.compile(
    rb"((?:"
    + _STRING
    + rb"|"
    + _HEX_STRING
    + rb"|\s++|(?!"
    + _SPACE_KERN
    + rb")"
    + _NUMBER
    + rb")*+)("
    + _SPACE_KERN
    + rb")?",
    re.S,
)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|[\s\S])")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_INLINE_IMAGE_END = re.compile(rb"\sEI(?=[\s/]|$)")
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")
_WHITESPACE = re.compile(r"\s+")
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
     "\ufb05": "st", "\ufb06": "st", "\x00": ""}
)  # fmt: skip
_BULLET = re.compile(r"[•◦▪▫‣⁃●○■□➢➤►▸]")
#: A dash that starts a list item when the line starts a block anyway.
_DASH_ITEM = re.compile(r"[-–]\s")
_PAGE_NUMBER = re.compile(
    r"(?i)[-–—(\[\s]*(?:page|p\.|seite|pag\.?)?\s*(?:\d{1,5}|[ivxlcdm]{1,8})"
    r"(?:\s*(?:of|/|von|de|sur)\s*\d{1,5})?[-–—)\]\s]*"
)
_DIGITS = re.compile(r"\d+")
# fmt: off
#: Helvetica's advance widths (from its AFM file) for " " to "~", and an average width for
#: any other character: how wide letters are against each other, to estimate a word's width
#: in any proportional font. Indexed by Latin-1 byte.
_SHAPE_WIDTHS = [556] * 32 + [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
] + [556] * 129
# fmt: on
_KEY_TRIM = " -–—|·•.,:;_"
_HYPHENS = ("-", "\u2010", "\u00ad")
_COMPOUND = re.compile(r"\w+[-\u2010]\w+")


def parse_pdf(data: bytes, label: str, *, progress: Progress | None = None) -> LoadedText:
    """Load a PDF from its bytes; ``label`` names it in errors; ``progress(done, total)`` a page."""
    from db.documents import LoadError

    if not data.strip():
        raise LoadError(f"{label}: is empty")
    if b"%PDF-" not in data[:1024]:
        raise LoadError(f"{label}: is not a PDF file")
    _quiet_pypdf()
    from pypdf.errors import DependencyError

    try:
        return _parse(data, label, progress)
    except DependencyError:
        raise LoadError(
            f"{label}: is encrypted with AES, which margin reads only with the Python "
            "package 'cryptography' installed"
        ) from None


def _quiet_pypdf() -> None:
    # pypdf reports what it repairs through logging; with no handler anywhere,
    # Python would print those warnings over the reader's screen.
    logger = logging.getLogger("pypdf")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


def _parse(data: bytes, label: str, progress: Progress | None) -> LoadedText:
    reader, notices = _open(data, label)
    pages = _pages(reader, label)
    count = len(pages)
    labels = _page_labels(reader, count)
    fonts = _Fonts()
    extracted: list[list[_Line]] = []
    skipped: list[str] = []
    images = 0
    for index, page in enumerate(pages):
        lines, page_images = _read_page(page, fonts)
        if lines is None:
            skipped.append(labels[index])
            lines = []
        images += page_images
        extracted.append(lines)
        if progress is not None:
            progress(index + 1, count)
    if skipped:
        notices.append(_skipped_notice(skipped))
    outline = _outline(reader, count)
    layout = _Layout(extracted, labels, outline)
    loaded = layout.build(_metadata(reader, label), notices)
    if not loaded.text and images and not skipped:
        loaded.notices.append(NO_TEXT_LAYER)
    if not loaded.metadata.title:
        loaded.metadata.title = _title_from_first_page(loaded)
    return loaded


def _title_from_first_page(loaded: LoadedText) -> str:
    """The largest heading on the first page with text, for a PDF that names no title."""
    end = loaded.pages[1].start if len(loaded.pages) > 1 else len(loaded.text)
    for block in loaded.blocks:
        if block.start >= end:
            break
        if block.kind == "heading" and block.level == 1:
            title = " ".join(loaded.text[block.start : block.end].split())
            if 3 <= len(title) <= 200 and sum(c.isalpha() for c in title) >= 3:
                return title
    return ""


# --- opening -----------------------------------------------------------------


def _open(data: bytes, label: str) -> tuple[Any, list[str]]:
    """The reader for ``data``, decrypted; a damaged file repaired if its objects can be found."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    from db.documents import LoadError

    notices: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except DependencyError:
        raise
    except Exception:
        reader = None
    if reader is None or not _readable(reader):
        repaired = _repair(data)
        reader = None
        if repaired is not None:
            try:
                reader = PdfReader(io.BytesIO(repaired), strict=False)
            except DependencyError:
                raise
            except Exception:
                reader = None
        cut_short = b"%%EOF" not in data[-2048:]
        if reader is None or not _readable(reader, repaired=True):
            if cut_short:
                raise LoadError(f"{label}: is incomplete (cut short) and cannot be read")
            raise LoadError(f"{label}: is damaged and cannot be read")
        notices.append(
            "The file is incomplete or damaged; margin shows the pages it could read."
            if cut_short
            else "The file is damaged; margin shows the pages it could read."
        )
    if reader.is_encrypted:
        from pypdf import PasswordType

        try:
            opened = reader.decrypt("")
        except DependencyError:
            raise
        except Exception:
            opened = PasswordType.NOT_DECRYPTED
        if opened == PasswordType.NOT_DECRYPTED:
            raise LoadError(f"{label}: is encrypted with a password; margin cannot open it")
    return reader, notices


def _readable(reader: Any, *, repaired: bool = False) -> bool:
    """Whether pypdf found the page tree (at least one page, in a repaired file)."""
    from pypdf.errors import DependencyError

    try:
        if reader.is_encrypted:
            return True  # the pages are counted once it is decrypted
        return len(reader.pages) > 0 or (not repaired and reader.trailer.get("/Root") is not None)
    except DependencyError:
        raise
    except Exception:
        return False


_OBJECT = re.compile(rb"(\d{1,10})\s+(\d{1,5})\s+obj\b")
_CATALOG = re.compile(rb"/Type\s*/Catalog\b")


def _repair(data: bytes) -> bytes | None:
    """``data`` with a new trailer naming its catalog, so pypdf rebuilds the cross-reference table.

    A file cut short has lost its trailer; its objects are still there to be
    found (unless the catalog sits in a compressed object stream).
    """
    numbers = [int(m[1]) for m in _OBJECT.finditer(data)]
    catalog = _CATALOG.search(data)
    if not numbers or catalog is None:
        return None
    # The catalog's object is the last "N G obj" before its /Type.
    start = data.rfind(b"obj", 0, catalog.start())
    owner = None
    for match in _OBJECT.finditer(data, max(0, start - 40), start + 3):
        owner = match
    if owner is None:
        return None
    return data + (
        b"\ntrailer\n<< /Size %d /Root %s %s R >>\nstartxref\n0\n%%%%EOF\n"
        % (max(numbers) + 1, owner[1], owner[2])
    )


def _pages(reader: Any, label: str) -> list[Any]:
    from pypdf.errors import DependencyError

    from db.documents import LoadError

    try:
        pages = list(reader.pages)
    except DependencyError:
        raise
    except Exception:
        raise LoadError(f"{label}: is damaged and cannot be read") from None
    return pages


def _page_labels(reader: Any, count: int) -> list[str]:
    try:
        labels = [" ".join(str(label).split()) for label in reader.page_labels]
    except Exception:
        labels = []
    if len(labels) != count:
        labels = [str(i + 1) for i in range(count)]
    return [label or str(i + 1) for i, label in enumerate(labels)]


def _skipped_notice(labels: list[str]) -> str:
    shown = ", ".join(labels[:10]) + (f" and {len(labels) - 10} more" if len(labels) > 10 else "")
    noun = "page" if len(labels) == 1 else "pages"
    return f"Skipped {len(labels)} {noun} whose text could not be read: {shown}."


# --- reading a page ------------------------------------------------------------


class _Line:
    """A line of text as drawn: its extent along the baseline, baseline height, size, text."""

    __slots__ = ("drop", "heading", "mono", "orient", "size", "text", "x0", "x1", "y")

    def __init__(
        self,
        x0: float,
        x1: float,
        y: float,
        size: float,
        text: str,
        orient: int = 0,
        mono: bool = False,
    ) -> None:
        self.x0, self.x1, self.y, self.size, self.text = x0, x1, y, size, text
        self.orient = orient
        #: Set wholly in a monospaced font: a line of code.
        self.mono = mono
        self.drop = False
        #: Heading level (0: not a heading).
        self.heading = 0

    @property
    def char_width(self) -> float:
        return (self.x1 - self.x0) / max(1, len(self.text))

    def __repr__(self) -> str:  # for debugging
        return f"_Line({self.x0:.0f}-{self.x1:.0f} y={self.y:.0f} {self.size:.1f} {self.text!r})"


def _read_page(page: Any, fonts: _Fonts) -> tuple[list[_Line] | None, int]:
    """The page's lines and how many images it draws; None for lines if they cannot be read."""
    from pypdf.errors import DependencyError

    interpreter = _Interpreter(fonts)
    try:
        interpreter.run_page(page)
        return interpreter.lines(), interpreter.images
    except DependencyError:
        raise
    except Exception:
        pass
    try:
        text = page.extract_text()
    except DependencyError:
        raise
    except Exception:
        return None, 0
    return _lines_from_plain_text(text), 0


def _lines_from_plain_text(text: str) -> list[_Line]:
    """Lines with made-up geometry (one character = 1 unit, 2 units to the em) for plain text."""
    lines = []
    y = 0.0
    for raw in text.splitlines():
        cleaned = _clean(raw)
        y -= 2.4
        if cleaned:
            indent = len(raw) - len(raw.lstrip())
            lines.append(_Line(indent, indent + len(cleaned), y, 2.0, cleaned, 0))
    return lines


def _clean(text: str) -> str:
    return _WHITESPACE.sub(" ", text.translate(_LIGATURES)).strip()


class _Font:
    """How a font's string bytes become text, and how wide they are (in ems of the font size)."""

    __slots__ = (
        "codec", "default_width", "mono", "shown", "table", "two_byte", "widths", "widths_by_byte",
    )  # fmt: skip

    def __init__(self) -> None:
        #: A Python codec for the bytes (multi-byte fonts) or "" (one byte a code, ``table``).
        self.codec = ""
        self.two_byte = False
        #: code -> text (one-byte fonts) or code point -> text applied after ``codec``.
        self.table: dict[int, str] = {}
        self.widths: dict[int, float] = {}
        self.default_width = 0.5
        self.widths_by_byte: list[float] = []
        #: A monospaced (typewriter) font: its lines are code.
        self.mono = False
        #: Runs of a TJ array (or a Tj string) already decoded, by their bytes in
        #: the content stream: (text, width, spaces, codes, kerns). A document
        #: draws the same words again and again.
        self.shown: dict[bytes, tuple[str, float, int, int, float]] = {}

    def remember(self, token: bytes, decoded: tuple[str, float, int, int, float]) -> None:
        if len(self.shown) > 100_000:
            self.shown.clear()
        self.shown[token] = decoded

    def decode(self, raw: bytes) -> tuple[str, float, int, int]:
        """The text of ``raw``, its width, how many single-byte spaces and how many codes."""
        if not self.codec:
            if not self.widths_by_byte:
                default = self.default_width
                self.widths_by_byte = [self.widths.get(c, default) for c in range(256)]
            width = sum(map(self.widths_by_byte.__getitem__, raw))
            return raw.decode("latin-1").translate(self.table), width, raw.count(32), len(raw)
        if self.two_byte:
            text = raw.decode(self.codec, "surrogatepass" if len(raw) % 2 == 0 else "replace")
            get, default = self.widths.get, self.default_width
            codes = len(raw) // 2
            width = sum([get((raw[i] << 8) | raw[i + 1], default) for i in range(0, codes * 2, 2)])
            return text.translate(self.table), width, 0, codes
        text = raw.decode(self.codec, "replace")
        return text.translate(self.table), len(text) * self.default_width, 0, len(text)


class _Fonts:
    """Fonts decoded once per document, by the object that holds them."""

    def __init__(self) -> None:
        self._cache: dict[Any, _Font] = {}

    def get(self, ref: Any) -> _Font:
        key = (ref.idnum, ref.generation) if hasattr(ref, "idnum") else id(ref)
        font = self._cache.get(key)
        if font is None:
            try:
                font = _load_font(ref.get_object())
            except Exception:
                font = _Font()
            self._cache[key] = font
        return font


def _load_font(font_dict: Any) -> _Font:
    from pypdf._cmap import get_encoding

    font = _Font()
    encoding, to_unicode = get_encoding(font_dict)
    unicode_map = {
        ord(key): value
        for key, value in to_unicode.items()
        if isinstance(key, str) and len(key) == 1 and isinstance(value, str)
    }
    subtype = font_dict.get("/Subtype")
    font.mono = _is_monospaced(font_dict)
    scale = 0.001
    if subtype == "/Type3":
        matrix = font_dict.get("/FontMatrix")
        try:
            scale = abs(float(matrix[0])) or 0.001
        except (TypeError, IndexError, ValueError):
            scale = 0.001
    if isinstance(encoding, str):
        font.codec = encoding
        font.two_byte = encoding.startswith("utf-16")
        font.table = unicode_map
        if subtype == "/Type0":
            _cid_widths(font, font_dict)
        return font
    table: dict[int, str] = {}
    for code in range(256):
        char = encoding.get(code, chr(code))
        if not isinstance(char, str):
            char = chr(code)
        if code in unicode_map:
            char = unicode_map[code]
        elif char.startswith("/"):
            char = "\ufffd"  # a glyph name no table knows
        table[code] = char
    font.table = table
    _simple_widths(font, font_dict, encoding, scale)
    return font


_MONOSPACED = re.compile(
    r"(?i)mono|courier|typewriter|consol|menlo|inconsolata|cmtt|sftt|lmtt|cmvtt|fixedsys|"
    r"lucidaconsole|source\s*code|sourcecode|fira\s*code|firacode|dejavusansm|liberationm"
)


def _is_monospaced(font_dict: Any) -> bool:
    name = str(font_dict.get("/BaseFont", ""))
    if _MONOSPACED.search(name):
        return True
    try:
        descriptor = font_dict.get("/FontDescriptor")
        if descriptor is None and font_dict.get("/Subtype") == "/Type0":
            descriptor = (
                font_dict["/DescendantFonts"].get_object()[0].get_object().get("/FontDescriptor")
            )
        flags = int(descriptor.get_object().get("/Flags", 0)) if descriptor is not None else 0
    except Exception:
        return False
    return bool(flags & 1)  # FixedPitch


def _simple_widths(font: _Font, font_dict: Any, encoding: dict[int, str], scale: float) -> None:
    widths = font_dict.get("/Widths")
    if widths is not None:
        widths = widths.get_object()
        first = int(font_dict.get("/FirstChar", 0))
        values = [float(w) * scale for w in widths]
        font.widths = {first + i: w for i, w in enumerate(values)}
        positive = [w for w in values if w > 0]
        if positive:
            font.default_width = sum(positive) / len(positive)
        return
    metrics = _core_metrics(str(font_dict.get("/BaseFont", "")).lstrip("/"))
    if metrics:
        font.widths = {
            code: metrics[char] / 1000 for code, char in encoding.items() if char in metrics
        }
        font.default_width = metrics.get("default", 500) / 1000 if "default" in metrics else 0.5


def _core_metrics(name: str) -> dict[str, float]:
    """The standard 14 fonts' widths by character, where this pypdf has them."""
    try:
        from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS
    except ImportError:
        return {}
    entry = CORE_FONT_METRICS.get(name)
    return dict(entry.character_widths) if entry is not None else {}


def _cid_widths(font: _Font, font_dict: Any) -> None:
    try:
        descendant = font_dict["/DescendantFonts"].get_object()[0].get_object()
    except Exception:
        return
    font.default_width = float(descendant.get("/DW", 1000)) / 1000
    spec = descendant.get("/W")
    if spec is None:
        return
    items = list(spec.get_object())
    widths: dict[int, float] = {}
    i = 0
    while i + 1 < len(items) and len(widths) < 70000:
        first = int(items[i])
        second = items[i + 1].get_object() if hasattr(items[i + 1], "get_object") else items[i + 1]
        if isinstance(second, list):
            for n, w in enumerate(second):
                widths[first + n] = float(w) / 1000
            i += 2
        elif i + 2 < len(items):
            last, w = int(second), float(items[i + 2]) / 1000
            for code in range(first, min(last, first + 70000) + 1):
                widths[code] = w
            i += 3
        else:
            break
    font.widths = widths


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Matrix = tuple[float, float, float, float, float, float]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _unescape(raw: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes((int(escaped, 8) & 0xFF,))
        if escaped in (b"\n", b"\r", b"\r\n"):
            return b""
        return _ESCAPES.get(escaped, escaped)

    return _ESCAPE.sub(replace, raw)


class _Interpreter:
    """Runs a page's content stream for its text: where each string is drawn, in what size."""

    def __init__(self, fonts: _Fonts) -> None:
        self._fonts = fonts
        self.images = 0
        self._lines: list[_Line] = []
        # The line being assembled: start, end, baseline, orientation, pieces, size weights.
        self._cur: _Line | None = None
        self._pieces: list[str] = []
        self._size_sum = 0.0
        self._chars = 0
        self._forms: set[Any] = set()

    def lines(self) -> list[_Line]:
        self._close_line()
        return self._lines

    def run_page(self, page: Any) -> None:
        contents = page.get("/Contents")
        if contents is None:
            return
        contents = contents.get_object()
        if isinstance(contents, list):
            data = b"\n".join(part.get_object().get_data() for part in contents)
        else:
            data = contents.get_data()
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        self._run(data, resources, _IDENTITY, 0)

    def _run(self, data: bytes, resources: Any, ctm: Matrix, depth: int) -> None:
        """Interpret one content stream (a page's or a form's) with its resources."""
        fonts_dict = resources.get("/Font") if resources is not None else None
        fonts_dict = fonts_dict.get_object() if fonts_dict is not None else {}
        font: _Font | None = None
        size = tc = tw = ts = leading = 0.0
        scale = 1.0
        tm = tlm = _IDENTITY
        stack: list[tuple[Any, ...]] = []
        pos, length = 0, len(data)
        while pos < length:
            for match in _OPERATION.finditer(data, pos):
                op = match.group(2)
                if op is None:
                    continue
                args = match.group(1)
                try:
                    if op == b"TJ":
                        if font is not None:
                            tm = self._show_array(args, font, size, tc, tw, scale, ts, tm, ctm)
                    elif op == b"Td" or op == b"TD":
                        tx, ty = map(float, args.split()[-2:])
                        if op == b"TD":
                            leading = -ty
                        a, b, c, d, e, f = tlm
                        tm = tlm = (a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f)
                    elif op == b"Tf":
                        operands = args.split()
                        size = float(operands[-1])
                        ref = _raw(fonts_dict, operands[-2].decode("latin-1"))
                        font = self._fonts.get(ref) if ref is not None else None
                    elif op == b"Tj" or op == b"'" or op == b'"':
                        if op != b"Tj":
                            if op == b'"':
                                tw, tc = map(float, args.split(None, 2)[:2])
                            tm = tlm = _next_line(tlm, leading)
                        if font is not None:
                            tm = self._show(args, font, size, tc, tw, scale, ts, tm, ctm)
                    elif op == b"Tm":
                        a, b, c, d, e, f = map(float, args.split()[-6:])
                        tm = tlm = (a, b, c, d, e, f)
                    elif op == b"T*":
                        tm = tlm = _next_line(tlm, leading)
                    elif op == b"BT":
                        tm = tlm = _IDENTITY
                    elif op == b"cm":
                        a, b, c, d, e, f = map(float, args.split()[-6:])
                        ctm = _multiply((a, b, c, d, e, f), ctm)
                    elif op == b"q":
                        stack.append((ctm, font, size, tc, tw, scale, ts, leading))
                    elif op == b"Q":
                        if stack:
                            ctm, font, size, tc, tw, scale, ts, leading = stack.pop()
                    elif op == b"Tc":
                        tc = float(args)
                    elif op == b"Tw":
                        tw = float(args)
                    elif op == b"TL":
                        leading = float(args)
                    elif op == b"Tz":
                        scale = float(args) / 100
                    elif op == b"Ts":
                        ts = float(args)
                    elif op == b"Do":
                        self._do(args.strip().decode("latin-1"), resources, ctm, depth)
                    elif op == b"ID":
                        self.images += 1
                        end = _INLINE_IMAGE_END.search(data, match.end() + 1)
                        pos = end.end() if end else length
                        break
                except (IndexError, TypeError, ValueError):
                    pass  # an operator with the wrong operands draws nothing
            else:
                pos = length

    def _show(
        self,
        args: bytes,
        font: _Font,
        size: float,
        tc: float,
        tw: float,
        scale: float,
        ts: float,
        tm: Matrix,
        ctm: Matrix,
    ) -> Matrix:
        """Draw a string (``Tj``); return the text matrix after it."""
        elements = _ELEMENT.findall(args)
        if not elements:
            return tm
        literal, hexa, _number = elements[-1]
        token = literal or b"<" + hexa
        decoded = font.shown.get(token)
        if decoded is None:
            decoded = (*font.decode(_literal(literal) if literal else _hex(hexa)), 0.0)
            font.remember(token, decoded)
        text, width, spaces, codes, _kerns = decoded
        advance = (width * size + tc * codes + tw * spaces) * scale
        return self._place(text, advance, size, ts, tm, ctm, font.mono)

    def _show_array(
        self,
        args: bytes,
        font: _Font,
        size: float,
        tc: float,
        tw: float,
        scale: float,
        ts: float,
        tm: Matrix,
        ctm: Matrix,
    ) -> Matrix:
        """Draw an array of strings and kerns (``TJ``); a kern wider than a gap is a space."""
        inner = args[args.find(b"[") + 1 : args.rfind(b"]")]
        parts: list[str] = []
        width = spaces = codes = kerns = 0.0
        shown = font.shown
        for run, space in _TJ_PIECE.findall(inner):
            if run:
                decoded = shown.get(run)
                if decoded is None:
                    decoded = _decode_run(font, run)
                parts.append(decoded[0])
                width += decoded[1]
                spaces += decoded[2]
                codes += decoded[3]
                kerns += decoded[4]
            if space:
                kerns += float(space)
                if parts:
                    parts.append(" ")
        advance = (width * size - kerns / 1000 * size + tc * codes + tw * spaces) * scale
        return self._place("".join(parts), advance, size, ts, tm, ctm, font.mono)

    def _place(
        self,
        text: str,
        advance: float,
        size: float,
        ts: float,
        tm: Matrix,
        ctm: Matrix,
        mono: bool,
    ) -> Matrix:
        """Put ``text`` on the current line, or start a new line; return Tm moved past it."""
        moved = (tm[0], tm[1], tm[2], tm[3], tm[4] + advance * tm[0], tm[5] + advance * tm[1])
        a, b, c, d, x, y = _multiply(tm, ctm)
        if ts:
            x, y = x + ts * c, y + ts * d
        if b == 0.0 and a > 0:
            along, orient = a, 0
        else:
            # Text set at an angle: measured along its own baseline.
            along = math.hypot(a, b)
            if not along:
                return moved
            ux, uy = a / along, b / along
            x, y = x * ux + y * uy, y * ux - x * uy
            orient = round(math.degrees(math.atan2(uy, ux))) % 360
        if not text:
            return moved
        width = advance * along
        size = size * math.hypot(c, d) or 1.0
        cur = self._cur
        if cur is not None and cur.orient == orient:
            small = min(size, cur.size)
            if abs(y - cur.y) <= 0.5 * small:
                gap = x - cur.x1
                if gap >= -0.5 * small:
                    if gap > _SPACE_GAP * small and not text[0].isspace():
                        if mono and cur.mono:
                            # Code keeps its spacing: as many spaces as fill the gap.
                            spaces = round(gap * len(text) / width) if width > 0 else 1
                            self._pieces.append(" " * max(1, min(spaces, 200)))
                        else:
                            self._pieces.append(" ")
                    self._pieces.append(text)
                    cur.x1 = max(cur.x1, x + width)
                    cur.mono = cur.mono and (mono or text.isspace())
                    self._size_sum += size * len(text)
                    self._chars += len(text)
                    return moved
                if abs(x - cur.x0) < 1.0 and "".join(self._pieces).startswith(text):
                    # The same text drawn again over itself (a poor man's bold): once is enough.
                    return moved
        self._close_line()
        self._cur = _Line(x, x + width, y, size, "", orient, mono)
        self._pieces = [text]
        self._size_sum = size * len(text)
        self._chars = len(text)
        return moved

    def _close_line(self) -> None:
        cur = self._cur
        if cur is None:
            return
        self._cur = None
        if cur.mono:
            text = "".join(self._pieces).translate(_LIGATURES).expandtabs(8).rstrip()
            if not text.strip():
                return
        else:
            text = _clean("".join(self._pieces))
            if not text:
                return
        cur.text = text
        cur.size = self._size_sum / self._chars if self._chars else cur.size
        self._lines.append(cur)

    def _do(self, name: str, resources: Any, ctm: Matrix, depth: int) -> None:
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is None:
            return
        xobjects = xobjects.get_object()
        ref = _raw(xobjects, name)
        if ref is None:
            return
        xobject = ref.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            self.images += 1
            return
        if subtype != "/Form" or depth >= _MAX_FORM_DEPTH:
            return
        key = (ref.idnum, ref.generation) if hasattr(ref, "idnum") else id(xobject)
        if key in self._forms:
            return  # a form that draws itself
        self._forms.add(key)
        try:
            matrix = xobject.get("/Matrix")
            if matrix is not None:
                values = [float(v) for v in matrix.get_object()]
                if len(values) == 6:
                    ctm = _multiply(tuple(values), ctm)  # type: ignore[arg-type]
            inner = xobject.get("/Resources")
            inner = inner.get_object() if inner is not None else resources
            self._run(xobject.get_data(), inner, ctm, depth + 1)
        finally:
            self._forms.discard(key)


def _decode_run(font: _Font, run: bytes) -> tuple[str, float, int, int, float]:
    """Decode a run of a TJ array's strings and the small kerns between them."""
    parts: list[str] = []
    width = 0.0
    spaces = codes = 0
    kerns = 0.0
    shown = font.shown
    for literal, hexa, number in _ELEMENT.findall(run):
        if number:
            kerns += float(number)
            continue
        # A run kerned throughout (justified by kerns) is met once; its strings, words
        # mostly, again and again.
        token = literal or b"<" + hexa
        known = shown.get(token)
        if known is None:
            known = (*font.decode(_literal(literal) if literal else _hex(hexa)), 0.0)
            font.remember(token, known)
        parts.append(known[0])
        width += known[1]
        spaces += known[2]
        codes += known[3]
    decoded = ("".join(parts), width, spaces, codes, kerns)
    font.remember(run, decoded)
    return decoded


def _literal(token: bytes) -> bytes:
    value = token[1:-1]
    return _unescape(value) if b"\\" in value else value


def _hex(digits: bytes) -> bytes:
    digits = _NOT_HEX.sub(b"", digits)
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))


def _next_line(tlm: Matrix, leading: float) -> Matrix:
    """The line matrix moved down by the leading (``T*``)."""
    a, b, c, d, e, f = tlm
    return (a, b, c, d, e - leading * c, f - leading * d)


def _raw(dictionary: Any, name: Any) -> Any:
    """The entry ``name`` (a content stream's name, "/F1") of a pypdf dictionary, unresolved."""
    if not isinstance(name, str):
        return None
    if "#" in name:
        name = re.sub(r"#([0-9A-Fa-f]{2})", lambda m: chr(int(m[1], 16)), name)
    if not hasattr(dictionary, "raw_get"):
        return dictionary.get(name)
    try:
        return dictionary.raw_get(name)
    except KeyError:
        return None


# --- from lines to blocks ----------------------------------------------------


class _Layout:
    """Lays the pages' lines out as blocks, with page marks, headings and the table of contents.

    A line ends its paragraph when the first word of the next line would have
    fitted on it (the line stopped short of its column's right edge), when
    the next line is set further down than the leading allows, is indented
    against the lines around it, is set in another size, starts with a bullet
    or is a heading. Lines set wholly in a monospaced font are code. A
    paragraph that runs on from the foot of one page (or column) to the head
    of the next is kept whole, as a reader reads it; the next page's mark then
    falls inside the paragraph, at its first character on that page. Where a
    paragraph ends at the foot of a page with a full last line and the next
    starts unindented, nothing tells them apart: they are joined.

    A word hyphenated at a line's end ("exam-" / "ple") is rejoined when
    lowercase letters stand on both sides of the hyphen and the document does
    not write the word with its hyphen elsewhere; otherwise ("Anglo-" /
    "Saxon") the hyphen stays.

    Running headers and footers are dropped: a line at the top or bottom of a
    page whose text without its digits is at the top or bottom of two pages in
    five or more (three at least); or of three pages, two of them close
    together, if it stands apart from the text; or that holds the page's own
    label as its first or last word and stands apart; and bare page numbers.
    An outline title found as a line on its page makes that line a heading of
    the outline's level; lines set clearly larger than the body text are
    headings by size.
    """

    def __init__(
        self, pages: list[list[_Line]], labels: list[str], outline: list[tuple[str, int, int]]
    ) -> None:
        self.pages = pages
        self.labels = labels
        self.outline = outline
        sizes: Counter[float] = Counter()
        for page in pages:
            for line in page:
                sizes[round(line.size * 2) / 2] += len(line.text)
        self.body_size = sizes.most_common(1)[0][0] if sizes else 10.0
        self._compounds: set[str] | None = None

    def build(self, metadata: Metadata, notices: list[str]) -> LoadedText:
        self._drop_running_lines()
        matches = self._match_outline()
        self._size_headings()
        builder = BlockBuilder()
        #: The block index of each outline heading's line, by the line's id.
        heading_blocks: dict[int, int] = {}
        #: Where each page's text starts: (page index, block index, offset in the block).
        marks: list[tuple[int, int, int]] = []
        prev: _Line | None = None
        prev_right = (0.0, 0.0)
        # The block being built: its kind, its first line's left edge, its text
        # but the last line (parts, length) and that line (pending), or its code lines.
        kind = ""
        block_x0 = 0.0
        parts: list[str] = []
        length = 0
        pending = ""
        code: list[_Line] = []
        page_index = -1
        for index, line, following, leading, right in self._flow():
            new_page = index != page_index
            page_index = index
            if prev is not None and self._joins(
                prev, prev_right, line, following, leading, kind, block_x0, new_page
            ):
                if kind == "code":
                    code.append(line)
                else:
                    piece = self._join(pending, line.text)
                    parts.append(piece)
                    length += len(piece)
                    pending = line.text
                    if new_page:
                        # The page starts inside the paragraph, at its first character.
                        marks.append((index, len(builder.blocks), length))
                prev, prev_right = line, right
                continue
            _finish(builder, kind, parts, pending, code)
            parts, length, pending, code = [], 0, "", []
            if new_page:
                marks.append((index, len(builder.blocks), 0))
            if line.heading:
                kind = "heading"
                heading_blocks[id(line)] = len(builder.blocks)
                builder.begin("heading", min(6, line.heading))
                pending = line.text
            elif line.mono:
                kind = "code"
                builder.begin("code", preformatted=True)
                code = [line]
            elif _BULLET.match(line.text) or (_DASH_ITEM.match(line.text) and prev is not None):
                kind = "list_item"
                builder.begin("list_item", 0)
                pending = _bullet_space(line.text)
            else:
                kind = "paragraph"
                builder.begin("paragraph")
                pending = line.text
            block_x0 = line.x0
            prev, prev_right = line, right
        _finish(builder, kind, parts, pending, code)
        loaded = builder.result(metadata, "pdf", notices)
        # Marks are placed here rather than with BlockBuilder.page: a paragraph
        # that runs over pages holds marks of its own besides the one at its start.
        loaded.pages = []
        for index, block, offset in marks:
            start = loaded.blocks[block].start + offset
            if loaded.pages and loaded.pages[-1].start >= start:
                loaded.pages[-1] = PageMark(loaded.pages[-1].start, self.labels[index])
            else:
                loaded.pages.append(PageMark(start, self.labels[index]))
        starts = self._page_starts(loaded, marks)
        toc = []
        for n, (title, index, level) in enumerate(self.outline):
            line_id = matches.get(n)
            if line_id is not None and line_id in heading_blocks:
                start = loaded.blocks[heading_blocks[line_id]].start
            else:
                start = starts[index]
            toc.append(TocEntry(_one_line(title), start, max(1, level)))
        # An outline need not follow the page order; the contents must.
        loaded.toc = sorted((entry for entry in toc if entry.title), key=lambda e: e.start)
        return loaded

    def _page_starts(self, loaded: LoadedText, marks: list[tuple[int, int, int]]) -> list[int]:
        """Each page's start offset: its mark, or (a page without text) the next page's."""
        starts: list[int | None] = [None] * len(self.pages)
        for index, block, offset in marks:
            starts[index] = loaded.blocks[block].start + offset
        following = len(loaded.text)
        for index in range(len(self.pages) - 1, -1, -1):
            start = starts[index]
            if start is None:
                starts[index] = following
            else:
                following = start
        return [following if start is None else start for start in starts]

    # --- running headers and footers

    def _drop_running_lines(self) -> None:
        count = len(self.pages)
        ordered_pages = [
            sorted((ln for ln in page if ln.orient == 0), key=lambda ln: -ln.y)
            for page in self.pages
        ]
        keys: dict[str, list[int]] = {}
        for index, ordered in enumerate(ordered_pages):
            for key in {_running_key(ln.text) for ln in ordered[:2] + ordered[2:][-2:]}:
                if key:
                    keys.setdefault(key, []).append(index)
        often = max(3, math.ceil(0.4 * count))
        for index, ordered in enumerate(ordered_pages):
            if len(ordered) < 2:
                continue
            leading = _leading(self.pages[index])
            for run in (ordered[:2], ordered[::-1][:2]):
                for position, line in enumerate(run):
                    if line.drop or line.size > self.body_size * 1.1:
                        break
                    neighbour = run[position + 1] if position + 1 < len(run) else None
                    if not self._is_running(line, neighbour, index, keys, often, leading):
                        break
                    line.drop = True

    def _is_running(
        self,
        line: _Line,
        neighbour: _Line | None,
        index: int,
        keys: dict[str, list[int]],
        often: int,
        leading: float,
    ) -> bool:
        text = line.text
        if _PAGE_NUMBER.fullmatch(text) or text == self.labels[index]:
            return True
        apart = (
            neighbour is None
            or abs(line.y - neighbour.y) > 1.5 * leading
            or line.size < 0.95 * self.body_size
        )
        words = text.split()
        if apart and len(words) > 1 and self.labels[index] in (words[0], words[-1]):
            return True  # "Chapter 2: Handling  3", set apart: a running head with its page
        key = _running_key(text)
        pages = keys.get(key, [])
        if not key or len(pages) < 3:
            return False
        if len(pages) >= often:
            return True
        # Rarer lines must repeat on pages close together (a chapter's running
        # head, not "Chapter 3" opening chapters far apart) and stand apart.
        close = any(b - a <= 2 for a, b in pairwise(pages))
        return close and apart

    # --- headings

    def _match_outline(self) -> dict[int, int]:
        """Make lines that carry an outline title headings; return outline index -> line id."""
        matches: dict[int, int] = {}
        taken: set[int] = set()
        for n, (title, index, level) in enumerate(self.outline):
            wanted = _title_key(title)
            if not wanted:
                continue
            lines = [ln for ln in self.pages[index] if not ln.drop]
            for i in range(len(lines)):
                if id(lines[i]) in taken:
                    continue
                found = _title_lines(lines, i, wanted)
                if found:
                    for hit in found:
                        hit.heading = min(6, level)
                        taken.add(id(hit))
                    matches[n] = id(found[0])
                    break
        return matches

    def _size_headings(self) -> None:
        """Short lines set clearly larger than the body text: headings, the largest level 1."""
        found = [
            line
            for page in self.pages
            for line in page
            if not line.drop
            and not line.heading
            and line.size >= _HEADING_SIZE * self.body_size
            and len(line.text) <= _HEADING_MAX_CHARS
            and any(c.isalpha() for c in line.text)
        ]
        sizes = sorted({round(line.size) for line in found}, reverse=True)
        levels = {size: rank + 1 for rank, size in enumerate(sizes)}
        for line in found:
            line.heading = min(6, levels[round(line.size)])

    # --- the reading flow

    def _flow(
        self,
    ) -> Iterator[tuple[int, _Line, _Line | None, float, tuple[float, float]]]:
        """Every kept line: its page index, the next line, the page's leading and its right
        edge, measured on the lines around it and (the second) on its column elsewhere too."""
        edges = _column_edges(self.pages)
        for index, page in enumerate(self.pages):
            kept = [ln for ln in page if not ln.drop]
            leading = _leading(kept)
            for i, line in enumerate(kept):
                following = kept[i + 1] if i + 1 < len(kept) else None
                near, measured_on = _right_edge(kept, i)
                bucket = int(line.x0 // 12)
                column = max(
                    [near]
                    + [edges.get((line.orient, key), near) for key in range(bucket - 3, bucket + 1)]
                )
                yield index, line, following, leading, (column if measured_on < 3 else near, column)

    def _joins(
        self,
        prev: _Line,
        prev_right: tuple[float, float],
        line: _Line,
        following: _Line | None,
        leading: float,
        kind: str,
        block_x0: float,
        new_page: bool,
    ) -> bool:
        """Whether ``line`` continues the block whose last line so far is ``prev``."""
        if kind == "code" or line.mono:
            # Code keeps its lines; a blank line in it (a wider gap) or a page ends the block.
            return (
                kind == "code"
                and line.mono
                and not line.heading
                and not new_page
                and abs(line.size - prev.size) <= 0.1 * prev.size
                and 0 < prev.y - line.y <= _GAP_LEADINGS * leading
            )
        if kind == "heading" or line.heading:
            return (
                kind == "heading"
                and line.heading == prev.heading
                and not new_page
                and abs(line.size - prev.size) <= 0.1 * prev.size
                and 0 < prev.y - line.y <= 2.0 * prev.size
            )
        if _BULLET.match(line.text) or line.orient != prev.orient:
            return False
        if abs(line.size - prev.size) > 0.15 * max(prev.size, line.size):
            return False
        em = line.size
        drop = prev.y - line.y
        # A new page, or a line higher up than the last: the text flows on
        # from the foot of a page or column to the head of the next.
        flows_on = new_page or drop < 0.3 * em
        if not flows_on and drop > _GAP_LEADINGS * leading:
            return False
        if kind == "list_item":
            # An item's lines hang indented under its first; back at the bullet is a new block.
            if line.x0 < block_x0 + 0.8 * em and not flows_on:
                return False
        elif following is not None and 0 < line.y - following.y <= 2 * leading:
            # A first line indented against the line below opens a paragraph
            # (unless the line above is indented as much: a quotation).
            if line.x0 > following.x0 + _INDENT_EMS * em and (
                flows_on or line.x0 > prev.x0 + _INDENT_EMS * em
            ):
                return False
        elif not flows_on and line.x0 > prev.x0 + _INDENT_EMS * em:
            return False
        # Across a page or column break the lines around are few: the column's
        # edge elsewhere in the document is the better measure.
        return not _ends_short(prev, prev_right[1] if flows_on else prev_right[0], line)

    def _join(self, pending: str, text: str) -> str:
        """The block's ``pending`` line as it goes on to the next line, ``text``."""
        last = pending[-1:]
        if last in _HYPHENS and len(pending) >= 2:
            before, after = pending[-2], text[:1]
            if last == "\u00ad" or (
                before.islower() and after.islower() and not self._compound(pending, text)
            ):
                return pending[:-1]  # "exam-" "ple": one word broken at the line's end
            return pending
        if last in ("\u2014", "/") or (last == "\u2013" and pending[-2:-1].isdigit()):
            return pending
        return pending + " "

    def _compound(self, pending: str, text: str) -> bool:
        """Whether the document writes, inside a line, the broken word with its hyphen."""
        if self._compounds is None:
            self._compounds = {
                match.group().casefold().replace("\u2010", "-")
                for page in self.pages
                for line in page
                if "-" in line.text or "\u2010" in line.text
                for match in _COMPOUND.finditer(line.text)
            }
        head = re.search(r"\w+$", pending[:-1])
        tail = re.match(r"\w+", text)
        if head is None or tail is None:
            return False
        return f"{head.group()}-{tail.group()}".casefold() in self._compounds


def _ends_short(prev: _Line, right: float, line: _Line) -> bool:
    """Whether ``line``'s first word would have fitted at the end of ``prev`` (column edge at
    ``right``)."""
    word = line.text.split(" ", 1)[0]
    room = right - prev.x1 - 0.25 * prev.size  # after a space
    scale = prev.size / line.size
    estimate = len(word) * line.char_width * scale
    if abs(room - estimate) < 2 * prev.size:
        # Close: measure the word by its letters' shapes ("w" is wider than
        # "i"), in proportion to its line's measured width.
        units = _shape_units(line.text)
        if units:
            estimate = (line.x1 - line.x0) * _shape_units(word) / units * scale
    # Some room to spare: the column's edge is the longest line nearby, and
    # the word's width is still an estimate.
    return estimate <= room - 0.25 * prev.size


def _shape_units(text: str) -> int:
    """How wide ``text`` is in Helvetica (in thousandths of an em), a stand-in for its font."""
    return sum(map(_SHAPE_WIDTHS.__getitem__, text.encode("latin-1", "replace")))


def _finish(
    builder: BlockBuilder, kind: str, parts: list[str], pending: str, code: list[_Line]
) -> None:
    """Write the block being built and end it.

    A paragraph's text is written at once: its lines are clean (single
    spaces, no control characters), so the builder keeps its length and the
    page marks counted in it hold.
    """
    if kind == "code" and code:
        builder.write(_code_text(code))
    elif parts or pending:
        parts.append(pending)
        builder.write("".join(parts))
    builder.end()


def _code_text(lines: list[_Line]) -> str:
    """Lines of code, indented by how far right of the leftmost each starts."""
    left = min(line.x0 for line in lines)
    widths = sorted(line.char_width for line in lines)
    char = widths[len(widths) // 2] or 1.0
    return "\n".join(" " * round((line.x0 - left) / char) + line.text for line in lines)


def _bullet_space(text: str) -> str:
    if len(text) > 1 and not text[1].isspace():
        return f"{text[0]} {text[1:]}"
    return text


def _leading(lines: list[_Line]) -> float:
    """The usual distance between baselines of consecutive lines of a page (the commonest)."""
    gaps = Counter(
        round((prev.y - line.y) * 4) / 4
        for prev, line in pairwise(lines)
        if 0.8 * line.size < prev.y - line.y < 2.5 * line.size
        and abs(prev.size - line.size) < 0.1 * line.size
    )
    if gaps:
        return gaps.most_common(1)[0][0]
    sizes = sorted(line.size for line in lines)
    return 1.2 * sizes[len(sizes) // 2] if sizes else 12.0


def _right_edge(lines: list[_Line], i: int) -> tuple[float, int]:
    """How far right the column of ``lines[i]`` reaches (the longest nearby line that
    overlaps it), and how many nearby lines that is measured on."""
    line = lines[i]
    x0, x1, orient = line.x0, line.x1, line.orient
    right = x1
    count = 0
    for other in lines[max(0, i - 4) : i + 5]:
        end = other.x1
        if other.x0 < x1 and end > x0 and other.orient == orient:
            count += 1
            if end > right:
                right = end
    return right, count


def _column_edges(pages: list[list[_Line]]) -> dict[tuple[int, int], float]:
    """How far right the document's lines reach, by where they start (in 12 pt steps).

    For a line with too few neighbours on its page to tell (the only line of a
    page, the last lines before a figure), the column's edge elsewhere.
    """
    ends: dict[tuple[int, int], list[float]] = {}
    for page in pages:
        for line in page:
            if not (line.drop or line.heading or line.mono):
                ends.setdefault((line.orient, int(line.x0 // 12)), []).append(line.x1)
    edges = {}
    for key, values in ends.items():
        if len(values) >= 3:
            values.sort()
            edges[key] = values[int(0.9 * (len(values) - 1))]
    return edges


def _running_key(text: str) -> str:
    return " ".join(_DIGITS.sub(" ", text.casefold()).split()).strip(_KEY_TRIM)


def _title_key(text: str) -> str:
    text = text.replace("\u00ad", "").translate(_LIGATURES).casefold()
    return " ".join(re.sub(r"[\u2010-\u2015]", "-", text).split()).rstrip(".:")


_NUMBERING = re.compile(r"(?:(?:chapter|part|section|appendix)\s+)?[\dA-Za-z]{1,4}(?:\.\d+)*\.?\s+")


def _title_lines(lines: list[_Line], i: int, wanted: str) -> list[_Line]:
    """The lines from ``lines[i]`` on (up to three) whose text is the title ``wanted``."""
    found: list[_Line] = []
    text = ""
    for line in lines[i : i + 3]:
        text = f"{text} {_title_key(line.text)}".strip()
        found.append(line)
        if text == wanted:
            return found
        numbered = _NUMBERING.match(text)
        if numbered and text[numbered.end() :] == wanted:
            return found
        if not (
            wanted.startswith(text) or (numbered and wanted.startswith(text[numbered.end() :]))
        ):
            return []
    return []


# --- outline ------------------------------------------------------------------


def _outline(reader: Any, count: int) -> list[tuple[str, int, int]]:
    """The outline as (title, page index, level from 1), in the outline's order."""
    entries: list[tuple[str, int, int]] = []
    try:
        tree = reader.outline
    except Exception:
        return entries

    def walk(items: Iterable[Any], level: int) -> None:
        for item in items:
            if len(entries) >= 10000:
                return
            if isinstance(item, list):
                if level < 20:
                    walk(item, level + 1)
                continue
            try:
                title = " ".join(str(item.title or "").split())
                index = reader.get_destination_page_number(item)
            except Exception:
                continue
            if title and index is not None and 0 <= index < count:
                entries.append((title, index, level))

    walk(tree, 1)
    return entries


# --- metadata -----------------------------------------------------------------

_JUNK_TITLE = re.compile(
    r"(?i)(?:untitled(?:[\s-]*\d+)?(?:\s+document)?|document\d*|title|slide\s*\d*|"
    r"powerpoint presentation|presentation\d*|no title|unknown|none|null|\W*)"
)
_APP_PREFIX = re.compile(r"(?i)^(?:microsoft\s+(?:word|powerpoint|excel)|ms\s*word)\s*-\s*")
_FILE_NAME = re.compile(
    r"(?i)(?:^[a-z]:\\|^/|\.(?:docx?|pdf|rtf|odt|txt|tex|dvi|ps|indd|qxd|pages|pptx?|xlsx?|"
    r"html?|md|cdr|ai|eps)$)"
)
_PDF_DATE = re.compile(r"(?:D:)?\s*(\d{4})(\d{2})?(\d{2})?")
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_DOI = re.compile(r"(?i)(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)")
_SUFFIXES = frozenset(("jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d."))


def _metadata(reader: Any, label: str) -> Metadata:
    meta = Metadata()
    info = _info(reader)
    xmp = _xmp(reader)
    titles = [*xmp.get("title", []), info.get("/Title", "")]
    stem = os.path.splitext(os.path.basename(label))[0]
    meta.title = next((t for t in (_title(t, stem) for t in titles) if t), "")
    creators = xmp.get("creator", [])
    if creators:
        meta.authors = [name for c in creators for name in _split_authors(c)]
    elif info.get("/Author"):
        meta.authors = _split_authors(info["/Author"])
    for value in (*xmp.get("date", []), info.get("/CreationDate", "")):
        meta.published = _date(value)
        if meta.published:
            break
    meta.publisher = _one_line(
        next(iter(xmp.get("publisher", [])), "") or info.get("/Publisher", "")
    )
    meta.language = _language(_catalog_lang(reader) or next(iter(xmp.get("language", [])), ""))
    meta.description = _one_line(
        info.get("/Subject", "") or next(iter(xmp.get("description", [])), "")
    )
    doi = next(iter(xmp.get("doi", [])), "") or info.get("/doi", "") or info.get("/DOI", "")
    identifier = next(iter(xmp.get("identifier", [])), "")
    found = _DOI.search(doi or identifier)
    if found:
        meta.identifiers["doi"] = found.group(1).rstrip(".,;")
    elif identifier.casefold().startswith(("urn:isbn:", "isbn:")):
        meta.identifiers["isbn"] = identifier.split(":")[-1].strip()
    journal = next(iter(xmp.get("publicationName", [])), "")
    if journal:
        meta.container = _one_line(journal)
    if journal or next(iter(xmp.get("aggregationType", [])), "").casefold() == "journal":
        meta.kind = "article"
    return meta


def _info(reader: Any) -> dict[str, str]:
    try:
        info = reader.metadata
        if info is None:
            return {}
        result: dict[str, str] = {}
        for key in list(info.keys())[:64]:
            try:
                value = info[key]
                value = value.get_object() if hasattr(value, "get_object") else value
            except Exception:
                continue
            if isinstance(value, str):
                result[str(key)] = value
        return result
    except Exception:
        return {}


def _catalog_lang(reader: Any) -> str:
    try:
        lang = reader.trailer["/Root"].get_object().get("/Lang")
        lang = lang.get_object() if lang is not None else ""
        return str(lang) if isinstance(lang, str) else ""
    except Exception:
        return ""


_XMP_FIELDS = {
    "http://purl.org/dc/elements/1.1/": (
        "title", "creator", "date", "publisher", "language", "description", "identifier",
    ),
}  # fmt: skip
_XMP_ANY_NAMESPACE = ("doi", "publicationName", "aggregationType")


def _xmp(reader: Any) -> dict[str, list[str]]:
    """Dublin Core fields and PRISM's doi / journal from the XMP packet, as lists of strings."""
    try:
        xmp = reader.xmp_metadata
        if xmp is None:
            return {}
        root = xmp.rdf_root
    except Exception:
        return {}
    found: dict[str, list[str]] = {}
    try:
        for namespace, names in _XMP_FIELDS.items():
            for name in names:
                for element in root.getElementsByTagNameNS(namespace, name):
                    found.setdefault(name, []).extend(_xmp_values(element))
        for name in _XMP_ANY_NAMESPACE:
            for element in root.getElementsByTagNameNS("*", name):
                found.setdefault(name, []).extend(_xmp_values(element))
        # Some writers keep a field as an attribute of rdf:Description (prism:doi="...").
        for desc in root.getElementsByTagNameNS(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Description"
        ):
            for i in range(desc.attributes.length):
                attribute = desc.attributes.item(i)
                if attribute.localName in _XMP_ANY_NAMESPACE and attribute.value.strip():
                    found.setdefault(attribute.localName, []).append(attribute.value.strip())
    except Exception:
        return found
    return {key: [v for v in values if v] for key, values in found.items()}


def _xmp_values(element: Any) -> list[str]:
    """The rdf:li items of an element (x-default first for an Alt), or its own text."""
    items = element.getElementsByTagNameNS("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "li")
    if items:
        ordered = sorted(items, key=lambda li: li.getAttribute("xml:lang") != "x-default")
        return [_text_of(li) for li in ordered]
    return [_text_of(element)]


def _text_of(node: Any) -> str:
    parts = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType == child.ELEMENT_NODE:
            parts.append(_text_of(child))
    return " ".join("".join(parts).split())


def _one_line(value: str) -> str:
    from db.documents.inert import make_inert

    return " ".join(make_inert(str(value)).split())


def _title(value: str, stem: str = "") -> str:
    """The title, or "" for what a program wrote in its place (a file name, "Untitled")."""
    title = _APP_PREFIX.sub("", _one_line(value))
    if _JUNK_TITLE.fullmatch(title) or _FILE_NAME.search(title):
        return ""
    if title.casefold() == stem.casefold() or ("_" in title and " " not in title):
        return ""  # the file's own name, or one like it ("report_final_v2")
    return title


def _split_authors(value: str) -> list[str]:
    """Names from one author string: "A; B", "A and B", "A, B, and C" apart; "Doe, Jane" kept."""
    text = _one_line(value)
    if not text:
        return []
    if ";" in text:
        return [name for part in text.split(";") for name in _split_authors(part)]
    parts = [p.strip() for p in re.split(r",?\s+(?:and|&)\s+|\s*&\s*", text) if p.strip()]
    names: list[str] = []
    for part in parts:
        names.extend(_split_commas(part))
    return names


def _split_commas(part: str) -> list[str]:
    pieces = [p.strip() for p in part.split(",") if p.strip()]
    if len(pieces) <= 1:
        return pieces
    # "Martin Luther King, Jr." -> the suffix belongs to the name before it.
    merged: list[str] = []
    for piece in pieces:
        if merged and piece.casefold() in _SUFFIXES:
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    pieces = merged
    single = [len(p.split()) == 1 for p in pieces]
    if len(pieces) == 2 and single[0]:
        return [f"{pieces[0]}, {pieces[1]}"]  # "Doe, Jane Q."
    if (
        len(pieces) % 2 == 0
        and all(single[::2])
        and all(all(_given_word(w) for w in p.split()) for p in pieces[1::2])
    ):
        return [f"{pieces[i]}, {pieces[i + 1]}" for i in range(0, len(pieces), 2)]
    return pieces


def _given_word(word: str) -> bool:
    return (len(word) <= 3 and word.rstrip(".").isalpha()) or word[:1].isupper()


def _date(value: str) -> str:
    """An ISO date ("2024-06-03", "2024-06", "2024") from a PDF or XMP date, or ""."""
    value = str(value).strip()
    match = _PDF_DATE.match(value) if value.startswith("D:") or value[:8].isdigit() else None
    if match is None:
        match = _ISO_DATE.match(value)
    if match is None:
        return ""
    year, month, day = match.group(1), match.group(2), match.group(3)
    if not 1000 <= int(year) <= 2999:
        return ""
    if not month or not 1 <= int(month) <= 12:
        return year
    if not day or not 1 <= int(day) <= 31:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def _language(value: str) -> str:
    """A BCP 47 tag in its usual case ("en", "fr-FR"), or "" for none or an unknown one."""
    tag = _one_line(value).replace("_", "-")
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", tag) or tag.casefold() in (
        "x-unknown",
        "und",
    ):
        return ""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)

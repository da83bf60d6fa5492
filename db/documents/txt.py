"""The plain-text loader: rejoins hard-wrapped prose and finds headings, verse and extracts.

The input is a file as people write them: Project Gutenberg books wrapped at
~70 columns, one-verse-per-line Bibles, notes. The unit of decision is the
*group*, a run of lines between blank lines; each group becomes one or more
blocks:

- a chapter-like line (``CHAPTER XII``, ``BOOK ONE: 1805``, ``PREFACE``,
  ``Chapter 3. The Title``) -> heading: BOOK/PART/VOLUME/ACT, EPILOGUE and the
  front and back matter (PREFACE, CONTENTS, ...) level 1, CHAPTER/SCENE level 2.
  A bare ``CHAPTER I`` followed by a short title-cased line (on the next line
  or after a blank line, as in Alice) becomes one heading
  ``CHAPTER I. Down the Rabbit-Hole``. Nothing else becomes a heading by
  shape alone, ALL-CAPS or not: a lone ``NAPOLEON`` closing a letter is a
  signature, not a section;
- a text underlined with ``===`` / ``---`` (or ``‾‾‾``, ``~~~``) -> heading 1 / 2;
- a line of three or more ``*``, ``-``, ``_``, ``=`` or ``~`` (``* * *``) -> rule;
- a group in which a fifth of the lines or more are longer than 80 columns and
  most lines end like sentences, not mid-sentence -> one paragraph per line
  (one verse per line);
- a group indented deeper than the text's paragraphs (poetry, letters,
  footnotes, hanging lists) -> a ``quote`` block that keeps its line breaks and
  its relative indentation;
- lines set by hand, not wrapped (addresses, lists, poems set flush left): a
  group that stays well short of the text's usual width and either has three
  lines or more, all under 60% of that width, or breaks most lines before a
  word that would have fitted -> a paragraph that keeps its line breaks;
- anything else is wrapped prose -> one paragraph, lines joined by a space
  (with no space after a hyphen or dash that ends a line: "WAISTCOAT-POCKET").

A short first line that looks like a title becomes a level-1 heading and the
document's title.

A news report is known by its dateline (``LONDON, June 3 (Reuters) –``,
``WASHINGTON (AP) —``) or its byline (``By Jane Doe, Reuters``, a line of its
own) in its first few groups: the headline becomes the title, the byline's
names the authors, the agency the publisher and the dateline's day the
published date (``--06-03``, ISO 8601 for a month and day, when it gives no
year); only a dateline makes it an ``article``. The byline stays in the text
as a paragraph. A Project Gutenberg file loses its licence header and footer
and takes its metadata from the header (``db.documents.gutenberg``).

Work is per line and per group with ``str`` methods and a few regular
expressions, and only the top and the end of a text are searched for a
dateline, a byline or a licence: a 4 MB book loads in tens of milliseconds.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate, repeat
from operator import add, ge, itemgetter, mod

from db.documents.gutenberg import split_gutenberg, title_case
from db.models import Block, LoadedText, Metadata

#: Wrapped prose is set narrower than this; a group with many longer lines was not wrapped.
LONG_LINE = 80
#: A group with a line this close to the text's usual width reached the margin: it was wrapped.
MARGIN_SLACK = 10

_LEADING_BLANK_LINES = re.compile(r"(?:[^\S\n]*\n)+")
_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n)+")
_FIRST_NON_SPACE_AT_COLUMN_0 = re.compile(r"^[^ \n]", re.MULTILINE)
_INDENTS = re.compile(r"^( *)[^ \n]", re.MULTILINE)
_DASHES = frozenset("-\u2010\u2013\u2014")
_UNDERLINE_CHARS = frozenset("=-~_‾*#^")
_RULE = re.compile(r"(?:([*\-_=~#•·])[ ]*){3,}")
_UNDERLINE = re.compile(r"([=\-~_‾*#^])\1{2,}")  # the characters of _UNDERLINE_CHARS

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty"
)
_NUMBER = (
    r"(?:\d{1,4}"
    r"|(?=[IVXLCDM])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
    r"|(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
    rf"|(?i:(?:{_NUMBER_WORDS})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?))"
)


def _either_case(*words: str) -> str:
    return "|".join(f"{w.upper()}|{w.title()}" for w in words)


#: keyword -> (level, needs a number)
_KEYWORDS: dict[str, tuple[int, bool]] = {
    "book": (1, True),
    "part": (1, True),
    "volume": (1, True),
    "act": (1, True),
    "chapter": (2, True),
    "scene": (2, True),
    "epilogue": (1, False),
    "prologue": (1, False),
    "preface": (1, False),
    "foreword": (1, False),
    "introduction": (1, False),
    "contents": (1, False),
    "table of contents": (1, False),
    "afterword": (1, False),
    "appendix": (1, False),
    "glossary": (1, False),
    "bibliography": (1, False),
    "acknowledgments": (1, False),
    "acknowledgements": (1, False),
}
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "final", "last")
_ORDINALS = _either_case(*_ORDINAL_WORDS)
_HEADING = re.compile(
    rf"(?:(?:{_ORDINALS}) +)?(?P<kw>{_either_case(*sorted(_KEYWORDS, key=len, reverse=True))})"
    rf"(?=[ .:]|$)(?: +(?P<num>{_NUMBER})(?=[ .:\-–—]|$))?(?P<rest>.*)"
)
#: The first three letters of every line _HEADING can match: a set lookup turns
#: away the ten thousand paragraphs of a book before any regex runs.
_HEADING_PREFIXES = frozenset(
    form[:3] for word in (*_KEYWORDS, *_ORDINAL_WORDS) for form in (word.upper(), word.title())
)
_TITLE_SEPARATOR = re.compile(r" *(?:[.:]|[-–—]) *")
_SMALL_WORDS = frozenset(
    {
        *("a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor"),
        *("of", "on", "or", "the", "to", "upon", "with"),
    }
)


# --- news reports: dateline and byline ------------------------------------------

#: How many groups from the top a news report's headline, byline and dateline sit in.
_NEWS_GROUPS = 6
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH = (
    r"(?i:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?\.?|july?\.?"
    r"|aug(?:ust|\.)?|sep(?:t\.?|tember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_DATE = (
    rf"(?:(?P<month>{_MONTH}) (?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<day2>\d{{1,2}}) (?P<month2>{_MONTH}))(?:,? (?P<year>\d{{4}}))?"
)
#: "LONDON, June 3 (Reuters) – ", "WASHINGTON (AP) — ", "PARIS, 3 June 2024 (AFP) - ",
#: "SPRINGFIELD, Ill. (AP) -- ", "Washington (CNN) — ".
_DATELINE = re.compile(
    r"(?P<city>[A-Z][\w'’.\-]*(?: [A-Z][\w'’.\-]*){0,3})(?:, (?P<region>[A-Z][A-Za-z.]{1,6}))?"
    rf"(?:,? {_DATE})?(?: \((?P<outlet>[A-Za-z][^()\n]{{0,40}})\))? ?(?:--|[–—-]) ?(?=\S)"
)
_DATE_LINE = re.compile(
    r"(?:(?:Published|Updated|Posted)(?: on)?:? )?(?:(?i:[a-z]+day),? )?"
    rf"{_DATE}(?:,? (?:at )?\d{{1,2}}[:.]\d{{2}}.*)?"
)
_BYLINE = re.compile(r"(?:By|BY|by):? +(?P<names>\S.*)")
_AND = re.compile(r" (?:and|AND|&) ")
_NAME_PARTICLES = frozenset(
    ("al", "bin", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du"),
) | frozenset(("el", "la", "le", "ten", "ter", "van", "von", "y"))
#: Words of "By Monday morning", "By nightfall": time, not a name.
_NOT_NAMES = frozenset(
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
) | frozenset(("Morning", "Evening", "Night", "Noon", "Midnight", "Dawn", "Tomorrow", "Tonight"))
#: What follows a name in a byline without being an outlet: "By Jane Doe, Staff Writer".
_ROLE_WORDS = frozenset(
    ("writer", "correspondent", "reporter", "editor", "columnist", "contributor", "staff"),
) | frozenset(("jr.", "jr", "sr.", "sr", "phd", "md", "esq.", "esq", "ii", "iii", "iv"))
#: Words that make a byline's last part an outlet: "By Jane Doe, The Associated Press".
_OUTLET_WORDS = frozenset(
    ("press", "news", "times", "post", "agency", "journal", "herald", "tribune", "guardian"),
) | frozenset(("telegraph", "wire", "service", "network", "magazine", "daily", "gazette"))
#: Agencies a dateline names by their initials.
_OUTLET_NAMES = {
    "AP": "Associated Press",
    "AFP": "Agence France-Presse",
    "UPI": "United Press International",
}
#: Agencies that may follow a city not in capitals: "Washington (Reuters) -".
_AGENCIES = frozenset(
    ("Reuters", "Bloomberg", "Xinhua", "Kyodo", "Yonhap", "Interfax", "TASS", "dpa", "ANSA"),
)


class _News:
    """What the top of a text says if it is a news report."""

    def __init__(self) -> None:
        self.title = ""
        self.authors: list[str] = []
        self.publisher = ""
        self.published = ""
        #: True if a dateline was found: the text is a news article.
        self.dateline = False
        #: (group, line) of the byline, or None.
        self.byline: tuple[int, int] | None = None
        #: The index of the group the dateline starts.
        self.dateline_group = -1


def _news(groups: list[str]) -> _News | None:
    """The byline and dateline of a news report in its first groups; None if it has neither."""
    news = _News()
    lines_seen = 0
    date_lines: list[str] = []
    for index, group in enumerate(groups[:_NEWS_GROUPS]):
        # A bounded piece: a one-verse-per-line Bible is one group of 4 MB.
        lines = group[:4000].split("\n")
        lines_seen += len(lines)
        if lines_seen > 100:
            break
        first = lines[0].strip()
        if news.dateline_group < 0 and first[:1].isupper() and _take_dateline(news, first):
            news.dateline_group = index
            continue
        if len(lines) > 3:
            continue
        for number, line in enumerate(lines):
            line = line.strip()
            if news.byline is None and line[:2] in ("By", "BY", "by"):
                byline = _byline(line)
                if byline is not None:
                    news.byline = (index, number)
                    news.authors, outlet = byline
                    news.publisher = news.publisher or outlet
                    continue
            if len(line) <= 60 and line[:1].isalnum():
                date_lines.append(line)
    if news.byline is None and not news.dateline:
        return None
    if news.dateline and news.published[:2] in ("", "--"):
        # A dateline without a year ("WASHINGTON (AP) -") under a line with the full date.
        for line in date_lines:
            match = _DATE_LINE.fullmatch(line)
            if match is not None and match["year"]:
                news.published = _iso_date(match) or news.published
                break
    return news


def _take_dateline(news: _News, line: str) -> bool:
    """Read a dateline at the start of ``line`` into ``news``; False if there is none."""
    match = _DATELINE.match(line)
    if match is None or match.end() > 90:
        return False
    city, outlet = match["city"], match["outlet"]
    if outlet is None:
        # "LONDON, June 3 - ": a city in capitals and a date, else it is just a dash.
        if not (city.isupper() and (match["month"] or match["month2"])):
            return False
    elif not outlet[0].isupper() or len(outlet.split()) > 5:
        return False
    elif not city.isupper() and not _known_outlet(outlet):
        # "Washington (CNN) -" but not "John Smith (Bedford) - a farmer".
        return False
    news.dateline = True
    if outlet:
        news.publisher = _OUTLET_NAMES.get(outlet, outlet)
    if match["month"] or match["month2"]:
        news.published = _iso_date(match)
    return True


def _known_outlet(outlet: str) -> bool:
    words = outlet.split()
    return (
        (outlet.isupper() and len(outlet) <= 6)
        or outlet in _AGENCIES
        or any(word.lower() in _OUTLET_WORDS for word in words)
    )


def _iso_date(match: re.Match[str]) -> str:
    """The ISO date of a matched date: "2024-06-03", or "--06-03" when the year is not given."""
    month_name = (match["month"] or match["month2"] or "").lower().rstrip(".")
    day = int(match["day"] or match["day2"] or 0)
    month = next(
        (number for number, name in enumerate(_MONTH_NAMES, 1) if name.startswith(month_name[:3])),
        0,
    )
    if not month or not 1 <= day <= 31:
        return ""
    year = match["year"]
    return f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _byline(line: str) -> tuple[list[str], str] | None:
    """(names, outlet) of "By Jane Doe and John Roe, Reuters"; None if it is not a byline."""
    if len(line) > 100:
        return None
    match = _BYLINE.fullmatch(line)
    if match is None:
        return None
    parts = [part.strip() for part in match["names"].split(",") if part.strip()]
    outlet = ""
    while len(parts) > 1 and parts[-1].lower() in _ROLE_WORDS:
        parts.pop()
    if len(parts) > 1 and not _AND.search(parts[-1]):
        last = parts[-1]
        if any(word.lower() in _ROLE_WORDS for word in last.split()):
            parts.pop()
        elif _outlet_like(last):
            outlet = parts.pop()
            if outlet.isupper() and " " not in outlet and len(outlet) > 4:
                outlet = outlet.capitalize()
            outlet = _OUTLET_NAMES.get(outlet, outlet)
    names = [name.strip() for part in parts for name in _AND.split(part)]
    if not names or not all(map(_name_like, names)):
        return None
    return [title_case(n, small_words=False) if n.isupper() else n for n in names], outlet


def _outlet_like(text: str) -> bool:
    """True for "Reuters", "AP", "The Guardian", "Associated Press"; not for "John Roe"."""
    words = text.split()
    return bool(words) and (
        len(words) == 1
        or text.isupper()
        or words[0] == "The"
        or any(word.lower() in _OUTLET_WORDS for word in words)
    )


def _name_like(name: str) -> bool:
    """Two to five words, each capitalised or a particle: "Jane Doe", "Ludwig van Beethoven"."""
    words = name.split()
    if not 2 <= len(words) <= 5:
        return False
    capitalised = 0
    for word in words:
        if word.capitalize() in _NOT_NAMES:
            return False
        if word[0].isupper() and all(c.isalpha() or c in ".'’-" for c in word):
            capitalised += 1
        elif word not in _NAME_PARTICLES:
            return False
    return capitalised >= 2


def _lay_out_news(
    out: _Out, groups: list[str], news: _News, para_indent: int, usual: int
) -> list[str]:
    """Lay out the top of a news report; return the groups still to lay out.

    The headline (the first line, when a dateline or a byline below it says
    this is a report) becomes a level-1 heading and the title; the byline
    stays in the text, as a paragraph of its own.
    """
    head, rest = groups[:_NEWS_GROUPS], groups[_NEWS_GROUPS:]
    byline_at = -1
    if news.byline is not None:
        index, number = news.byline
        lines = head[index].split("\n")
        above, below = "\n".join(lines[:number]), "\n".join(lines[number + 1 :])
        parts = [part for part in (above, lines[number], below) if part.strip()]
        head[index : index + 1] = parts
        byline_at = index + 1 if above.strip() else index
        if news.dateline_group > index:
            news.dateline_group += len(parts) - 1
    # The headline is the first line of a few short lines above the dateline
    # (or, without one, above the byline), not the dateline or the byline itself.
    top = news.dateline_group if news.dateline else byline_at if byline_at <= 2 else 0
    if top > 0 and byline_at != 0 and all(group.count("\n") < 3 for group in head[:top]):
        first, _, below = head[0].partition("\n")
        title = " ".join(first.split())
        if title and len(title) <= 150 and title[-1] not in ",;:":
            news.title = title
            out.add("heading", title, 1)
            if below.strip():
                head[0] = below
            else:
                del head[0]
                byline_at -= 1
    for index, group in enumerate(head):
        if index == byline_at:
            out.add("paragraph", " ".join(group.split()))
        else:
            _add_group(out, group, para_indent, usual)
    return rest


def _news_metadata(news: _News, metadata: Metadata) -> None:
    metadata.title = news.title or metadata.title
    metadata.authors = news.authors
    metadata.publisher = news.publisher
    metadata.published = news.published
    if news.dateline:
        metadata.kind = "article"


def parse_txt(text: str) -> LoadedText:
    """Build the canonical text of a plain-text document from inert text (tabs expanded)."""
    gutenberg = split_gutenberg(text)
    if gutenberg is not None:
        text = gutenberg.body
    text = _dedent(_strip_blank_edges(text))
    groups = _BLANK_RUN.split(text) if text else []
    para_indent = _paragraph_indent(groups)
    usual = _usual_width(text)
    out = _Out()
    texts, kinds, levels = out.texts, out.kinds, out.levels
    news = _news(groups) if groups and gutenberg is None else None
    if news is not None:
        groups = _lay_out_news(out, groups, news, para_indent, usual)
    elif groups and _title_above(groups[0], usual):
        # A headline over its subtitle: two lines, not one paragraph.
        title, groups[0] = groups[0].split("\n", 1)
        out.add("heading", title.strip(), 1)
    for group in groups:
        # The common case, inline because a book has ten thousand of them: a
        # flush-left paragraph wrapped at some width, without trailing spaces,
        # no line ending in a dash, not a heading.
        if "\n" in group and "\n " not in group and " \n" not in group:
            lines = group.split("\n")
            if group[0] == " ":
                lines[0] = lines[0].lstrip(" ")
            lengths = list(map(len, lines))
            width = max(lengths)
            if (
                width <= LONG_LINE
                and (len(lines) > 3 or lines[-1][:1] not in _UNDERLINE_CHARS)
                and (lines[0][:3] not in _HEADING_PREFIXES or _heading(lines[0]) is None)
                and _DASHES.isdisjoint(map(itemgetter(-1), lines))
                and not _hand_set(lines, lengths, width, usual)
            ):
                texts.append(" ".join(lines).rstrip())
                kinds.append("paragraph")
                levels.append(0)
                out.bare_heading = False
                continue
        _add_group(out, group, para_indent, usual)
    metadata = Metadata()
    _take_title(out, metadata)
    if gutenberg is not None:
        metadata = _gutenberg_metadata(gutenberg.metadata, metadata)
    elif news is not None:
        _news_metadata(news, metadata)
    return out.result(metadata)


def _gutenberg_metadata(header: Metadata, found: Metadata) -> Metadata:
    """The header's metadata, with the title the text shows when the header has none."""
    if not header.title:
        header.title = found.title
    return header


class _Out:
    """The blocks so far, as parallel lists: a book has 30,000 of them, objects come at the end."""

    def __init__(self) -> None:
        self.kinds: list[str] = []
        self.texts: list[str] = []
        self.levels: list[int] = []
        #: True while the last block is a heading with a number and no title yet.
        self.bare_heading = False

    def add(self, kind: str, text: str, level: int = 0, *, bare: bool = False) -> None:
        if text:
            self.kinds.append(kind)
            self.texts.append(text)
            self.levels.append(level)
            self.bare_heading = bare

    def add_paragraphs(self, texts: list[str]) -> None:
        self.texts.extend(texts)
        self.kinds.extend(repeat("paragraph", len(texts)))
        self.levels.extend(repeat(0, len(texts)))
        self.bare_heading = False

    def result(self, metadata: Metadata) -> LoadedText:
        lengths = list(map(len, self.texts))
        starts = list(accumulate(map(add, lengths, repeat(2)), initial=0))
        blocks = list(map(Block, self.kinds, starts, map(add, starts, lengths), self.levels))
        return LoadedText(
            text="\n\n".join(self.texts), blocks=blocks, metadata=metadata, format="txt"
        )


def _strip_blank_edges(text: str) -> str:
    match = _LEADING_BLANK_LINES.match(text)
    if match:
        text = text[match.end() :]
    return text.rstrip()


def _dedent(text: str) -> str:
    """Remove the indentation every line shares, so that only relative indentation counts."""
    if not text or _FIRST_NON_SPACE_AT_COLUMN_0.search(text):
        return text
    common = min(len(indent) for indent in _INDENTS.findall(text))
    return re.sub(f"(?m)^ {{{common}}}", "", text)


def _usual_width(text: str) -> int:
    """The width most lines of the text come close to: its right margin if it was wrapped."""
    # The first few thousand lines tell; the whole book would cost a sort of 60,000 numbers.
    lengths = sorted(map(len, text[:200_000].split("\n")))
    return lengths[len(lengths) * 9 // 10]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _paragraph_indent(groups: list[str]) -> int:
    """How far this text indents a paragraph's first line (0 in most, 2 in Alice)."""
    counts: Counter[int] = Counter()
    # The first thousand paragraphs are plenty to know the habit of a book.
    for group in groups[:1000]:
        newline = group.find("\n")
        # Only groups whose second line is flush left: a first line indented
        # more than the rest is a paragraph opening, not an extract.
        if newline > 0 and group[newline + 1 : newline + 2] != " ":
            counts[_indent(group[:newline])] += 1
    return counts.most_common(1)[0][0] if counts else 0


def _add_group(out: _Out, group: str, para_indent: int, usual: int) -> None:
    newlines = group.count("\n")
    if not newlines:
        _add_line(out, group, para_indent)
        return
    lines = group.split("\n")
    stripped = list(map(str.strip, lines))
    if newlines <= 2 and stripped[-1][:1] in _UNDERLINE_CHARS and _add_underlined(out, stripped):
        return
    first = stripped[0]
    if first[:3] in _HEADING_PREFIXES:
        heading = _heading(first)
        if heading is not None and (heading[2] or _titleish(heading[1])):
            # "CHAPTER I" on its own line above the chapter's first paragraph.
            out.add("heading", heading[1], heading[0], bare=heading[2])
            _add_group(out, group[group.index("\n") + 1 :], para_indent, usual)
            return
    if "\n " in group and group.count("\n ") == newlines:
        # Every line after the first is indented: verse, a letter, a hanging list.
        out.add("quote", _kept_lines(lines))
        return
    # Widths from the stripped lines: a paragraph's first-line indent is not text.
    lengths = list(map(len, stripped))
    width = max(lengths)
    if width > LONG_LINE and _one_per_line(stripped, lengths):
        out.add_paragraphs(stripped)
    elif _hand_set(stripped, lengths, width, usual):
        out.add("paragraph", "\n".join(stripped))
    elif _DASHES.isdisjoint(map(itemgetter(-1), stripped)):
        out.add("paragraph", " ".join(stripped))
    else:
        out.add("paragraph", _join_dashes(stripped))


def _add_line(out: _Out, line: str, para_indent: int) -> None:
    """A group of one line: a rule, a heading, a chapter's title, an extract or a paragraph."""
    text = line.strip()
    if len(text) <= LONG_LINE:
        if _RULE.fullmatch(text):
            out.add("rule", "* * *")
            return
        heading = _heading(text) if text[:3] in _HEADING_PREFIXES else None
        if heading is not None:
            out.add("heading", heading[1], heading[0], bare=heading[2])
            return
        if out.bare_heading and _titleish(text):
            # The chapter's title, one blank line below its number (Alice).
            out.texts[-1] = _joined_title(out.texts[-1], text)
            out.bare_heading = False
            return
    out.add("quote" if _indent(line) > para_indent else "paragraph", text)


def _add_underlined(out: _Out, stripped: list[str]) -> bool:
    """A title underlined (or over- and underlined) with ===, ---, ~~~ becomes a heading."""
    if len(stripped) == 2 and _UNDERLINE.fullmatch(stripped[1]) and len(stripped[0]) <= LONG_LINE:
        level = 1 if stripped[1][0] == "=" else 2
        out.add("heading", " ".join(stripped[0].split()), level)
        return True
    if (
        len(stripped) == 3
        and _UNDERLINE.fullmatch(stripped[0])
        and stripped[0] == stripped[2]
        and len(stripped[1]) <= LONG_LINE
    ):
        out.add("heading", " ".join(stripped[1].split()), 1)
        return True
    return False


def _join_dashes(lines: list[str]) -> str:
    """Join lines with spaces, but not after a hyphen or dash that ends a word."""
    parts = [lines[0]]
    for line in lines[1:]:
        previous = parts[-1]
        if len(previous) > 1 and previous[-1] in _DASHES and not previous[-2].isspace():
            parts[-1] = previous + line
        else:
            parts.append(line)
    return " ".join(parts)


def _heading(line: str) -> tuple[int, str, bool] | None:
    """(level, text, bare) if ``line`` is a chapter-like heading; bare = it has no title."""
    if len(line) > LONG_LINE or line[:3] not in _HEADING_PREFIXES:
        return None
    match = _HEADING.fullmatch(line)
    if match is None:
        return None
    level, needs_number = _KEYWORDS[match["kw"].lower()]
    number = match["num"]
    if needs_number and not number:
        return None
    rest = match["rest"]
    text = " ".join(line.split())
    if not rest or rest in (".", ":"):
        return level, text.rstrip(".:"), bool(number)
    separator = _TITLE_SEPARATOR.match(rest)
    title = rest[separator.end() :] if separator and separator.end() else ""
    if title:
        if title[-1] in ".,;:":
            return None
    elif rest.startswith(" ") and _titleish(rest.strip()):
        title = rest.strip()
    else:
        return None
    return level, text, False


def _titleish(line: str) -> bool:
    """A short line in Title Case or CAPITALS, not ending like a clause: "Who Stole the Tarts?"."""
    if (
        not line
        or len(line) > 60
        or line[-1] in ".,;:"
        or not (line[0].isupper() or line[0].isdigit())
    ):
        return False
    words = [w for w in line.split() if w[0].isalpha() and w.lower() not in _SMALL_WORDS]
    if not words or len(words) > 10:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised * 4 >= len(words) * 3


def _joined_title(heading: str, title: str) -> str:
    title = " ".join(title.split())
    return f"{heading} {title}" if heading[-1] in ".:" else f"{heading}. {title}"


def _kept_lines(lines: list[str]) -> str:
    """The lines as they are, less the indentation they share."""
    common = min(_indent(line) for line in lines)
    return "\n".join(line[common:].rstrip() for line in lines)


def _one_per_line(stripped: list[str], lengths: list[int]) -> bool:
    """True for one-verse-per-line texts: many long lines that end like sentences."""
    if sum(map(LONG_LINE.__lt__, lengths)) * 5 < len(lengths):
        return False
    # Wrapped prose breaks mid-sentence, after a word; a verse ends with punctuation.
    last_chars = map(itemgetter(-1), stripped[:-1])
    return sum(map(str.isalnum, last_chars)) * 2 < len(stripped) - 1


def _hand_set(stripped: list[str], lengths: list[int], width: int, usual: int) -> bool:
    """True if the group's line breaks were set by hand (an address, a list), not by wrapping.

    ``width`` is the group's longest line, ``usual`` the text's usual width.
    """
    if width >= usual - MARGIN_SLACK:
        # It reaches the margin: wrapped there. (Also what keeps a book fast.)
        return False
    if len(stripped) >= 3 and width * 5 <= usual * 3:
        # Three lines or more, all far short of the margin.
        return True
    return _not_wrapped(stripped, lengths, width)


def _not_wrapped(stripped: list[str], lengths: list[int], width: int) -> bool:
    """True if most line breaks come before a word that would have fitted in ``width``.

    Wrapped prose breaks a line only when the next word would not fit; an
    address or a list breaks wherever it likes. ``width`` is the group's own:
    the text's usual width is no measure for ragged books, where lines end
    well short of it.
    """
    # The next line's first word ends at its first space; find() gives -1 for
    # a line of one word, and -1 % (length + 1) is that length.
    next_words = map(
        mod, map(str.find, stripped[1:], repeat(" ")), map(add, lengths[1:], repeat(1))
    )
    fitted: int = sum(map(ge, repeat(width - 1), map(add, lengths, next_words)))
    return fitted * 2 > len(lengths) - 1


def _title_above(group: str, usual: int) -> bool:
    """True if the group's first line stands alone above the rest: a headline, not wrapped prose.

    Wrapping ends a line early only when the next word would not fit, so a
    first line that the next word would have fitted beside (in the text's
    usual width) was broken by hand.
    """
    lines = group.split("\n")
    if not 2 <= len(lines) <= 3:
        return False
    first, following = lines[0].strip(), lines[1].split()
    if not first or not following or first[-1] in ".,;:-–—" or _heading(first) is not None:
        return False
    return len(first) + 1 + len(following[0]) <= usual - 1


def _take_title(out: _Out, metadata: Metadata) -> None:
    """A short, title-like first line becomes the title (and a level-1 heading)."""
    if len(out.texts) < 2:
        return
    first, kind = out.texts[0], out.kinds[0]
    if kind == "heading" and _heading(first) is None:
        metadata.title = first
    elif kind == "paragraph" and "\n" not in first and _titleish(first):
        metadata.title = first
        out.kinds[0] = "heading"
        out.levels[0] = 1

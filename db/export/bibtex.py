"""BibTeX: one entry per document, for LaTeX, biblatex and reference managers.

An entry is made from the document's CSL item (:mod:`db.export.csl_json`), so
names, dates and citekeys read the same as in the CSL-JSON export. Field
values are escaped for LaTeX, and escaped so BibTeX still sees balanced
braces: a title holding "{", "%" or "\\" cannot end its field early or break
the file. Text stays UTF-8, as biber and bibtex8 read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from db.documents.inert import make_inert
from db.export import ExportItem
from db.export.csl_json import csl_item, unique_keys
from db.models import Document

#: CSL item types -> BibTeX entry types (biblatex's @online for web pages).
_ENTRY_TYPES = {
    "article-journal": "article",
    "webpage": "online",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
}

#: Which field holds the CSL container and the publisher in each entry type.
_CONTAINER_FIELDS = {
    "article": "journal",
    "incollection": "booktitle",
    "online": "organization",
    "misc": "howpublished",
}
_PUBLISHER_FIELDS = {"techreport": "institution"}

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Braces are escaped so that BibTeX, which counts "\{" as an open brace too,
# still sees them balanced: "\{\vphantom{\}}" opens and closes two each
# (the same trick as Zotero's exporter); the others are LaTeX's specials.
_LATEX = str.maketrans(
    {
        "\\": r"{\textbackslash}",
        "{": r"\{\vphantom{\}}",
        "}": r"\vphantom{\{}\}",
        "%": r"\%",
        "&": r"\&",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "^": r"{\textasciicircum}",
        "~": r"{\textasciitilde}",
    }
)


def escape(text: str) -> str:
    """``text`` on one line with LaTeX's special characters escaped, braces kept balanced."""
    # Control characters shown as symbols (ESC as "␛"): metadata set by hand or
    # imported may hold them, LaTeX refuses them as invalid characters, and a
    # terminal printing the file would act on them (``split`` drops only whitespace).
    return " ".join(make_inert(text).split()).translate(_LATEX)


def _url(text: str) -> str:
    # URLs are read verbatim by \url and biblatex, so LaTeX escapes would
    # become part of the address; percent-encoding the few characters that
    # could unbalance the field keeps it both valid and the same address.
    # Control characters are percent-encoded too (raw, a terminal showing the
    # file would act on them), each as its UTF-8 bytes, as a URL spells them.
    return re.sub(r"[{}\\\s\x00-\x1f\x7f-\x9f]", lambda m: _percent(m.group()), text.strip())


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def _name(name: dict[str, str]) -> str:
    if "literal" in name:
        # Braced whole, so BibTeX neither inverts it nor splits it at an "and".
        return "{" + escape(name["literal"]) + "}"
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    parts = [family, name.get("suffix", ""), name.get("given", "")]
    # BibTeX splits names at a bare "and" and reads commas as part separators:
    # a part holding either is braced so it stays one part.
    return ", ".join(
        "{" + escape(part) + "}" if re.search(r"\band\b|,", part, re.IGNORECASE) else escape(part)
        for part in parts
        if part
    )


def _date_fields(date: dict[str, Any]) -> list[tuple[str, str]]:
    if "literal" in date:
        return [("year", "{" + escape(date["literal"]) + "}")]
    parts = date["date-parts"][0]
    fields = [("year", "{" + str(parts[0]) + "}")]
    if len(parts) > 1:
        fields.append(("month", _MONTHS[parts[1] - 1]))  # BibTeX's month macro, unbraced
    return fields


def _iso(date: dict[str, Any]) -> str:
    parts = date.get("date-parts", [[]])[0]
    return "-".join(f"{part:02d}" if index else str(part) for index, part in enumerate(parts))


def bibtex_entry(document: Document, key: str | None = None) -> str:
    """The document as one BibTeX entry, keyed ``key`` or its own citekey."""
    item = csl_item(document)
    entry_type = _ENTRY_TYPES.get(item["type"], "misc")
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str) -> None:
        if value.strip():
            fields.append((name, "{" + escape(value) + "}"))

    if "author" in item:
        names = " and ".join(_name(name) for name in item["author"])
        fields.append(("author", "{" + names + "}"))
    if "title" in item:
        # Double braces keep the title's capitals from a style's re-casing.
        fields.append(("title", "{{" + escape(item["title"]) + "}}"))
    if "container-title" in item:
        add(_CONTAINER_FIELDS.get(entry_type, "howpublished"), item["container-title"])
    if "publisher" in item:
        add(_PUBLISHER_FIELDS.get(entry_type, "publisher"), item["publisher"])
    if "issued" in item:
        fields.extend(_date_fields(item["issued"]))
    for variable, name in (("DOI", "doi"), ("ISBN", "isbn"), ("ISSN", "issn")):
        if variable in item:
            add(name, item[variable])
    if "URL" in item:
        fields.append(("url", "{" + _url(item["URL"]) + "}"))
        if "accessed" in item and "date-parts" in item["accessed"]:
            fields.append(("urldate", "{" + _iso(item["accessed"]) + "}"))
    for variable, name in (("language", "language"), ("abstract", "abstract")):
        if variable in item:
            add(name, item[variable])
    if "keyword" in item:
        add("keywords", item["keyword"])
    lines = "".join(f"  {name} = {value},\n" for name, value in fields)
    # BibTeX allows the comma after the last field; it keeps every line alike.
    return f"@{entry_type}{{{key or item['id']},\n{lines}}}\n"


def export(items: Iterable[ExportItem], exported: str) -> Iterator[str]:
    """A .bib file: one entry per document, citekeys made unique within it."""
    # Text outside entries is a comment to BibTeX and biber alike.
    yield f"% BibTeX exported from margin on {exported}\n"
    for document, key in unique_keys(item.document for item in items):
        yield "\n" + bibtex_entry(document, key)

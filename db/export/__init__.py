"""Exports: one module per format, each a pure function of documents and their highlights to text.

Every format module provides ``export(items, exported) -> Iterator[str]``,
yielding the file in chunks so a whole library streams without being built in
memory. ``md`` and ``html`` hold one document per file; the others hold any
number (a whole library in one file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module

from db.locate import Location
from db.models import Document, Highlight

#: Format name -> (module under db.export, file extension, one document per file?)
FORMATS: dict[str, tuple[str, str, bool]] = {
    "md": ("markdown", "md", True),
    "json": ("w3c", "json", False),
    "csv": ("readwise_csv", "csv", False),
    "html": ("html", "html", True),
    "bibtex": ("bibtex", "bib", False),
    "csl-json": ("csl_json", "json", False),
}


@dataclass(frozen=True, slots=True)
class ExportItem:
    """One document to export: its record, its highlights in text order, and where each is."""

    document: Document
    highlights: list[Highlight]
    locate: Callable[[Highlight], Location]


def export(fmt: str, items: Iterable[ExportItem], exported: str) -> Iterator[str]:
    """The chunks of a file in format ``fmt`` holding ``items``; ``exported`` is an ISO time."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    module = import_module(f"db.export.{FORMATS[fmt][0]}")
    writer: Callable[[Iterable[ExportItem], str], Iterator[str]] = module.export
    return writer(items, exported)


def one_document_per_file(fmt: str) -> bool:
    return FORMATS[fmt][2]


def extension(fmt: str) -> str:
    return FORMATS[fmt][1]

"""The lossless JSON export, as a W3C Web Annotation collection, and its parser.

The file is one ``AnnotationCollection`` (https://www.w3.org/TR/annotation-model/)
whose single page is embedded in ``first``, as the model's "Annotation
Collection with Embedded Page" example does: a file is one self-contained
document, so there is no second page to link to. Each highlight is an
``Annotation``:

- ``id`` ``urn:uuid:<highlight id>``; ``created``, ``modified`` (= updated);
- ``motivation`` ``commenting`` when it has a note, else ``highlighting``;
- ``body``: the note as a ``TextualBody`` (``text/markdown``, purpose
  ``commenting``), then one ``TextualBody`` per tag (purpose ``tagging``);
- ``target``: the document (its URL, else its file's URI, else
  ``urn:margin:text:<text hash>``) with a ``TextQuoteSelector`` (quote, prefix,
  suffix) and a ``TextPositionSelector`` (start, end: code points into
  margin's canonical text, which the text hash names);
- ``margin:highlight``: the rest of what margin stores (document id, text
  hash, colour, anchor status and score) and, for readers, its location.

Each document is described once, in ``margin:documents`` after the page:
everything the store keeps about it, its metadata included; a highlight names
its document by ``document_id``. That and ``total`` come last because the
export streams: the header is written before the first document is read.

margin's own keys are compact IRIs under ``margin:`` (defined in the
``@context``), so JSON-LD tools see them as margin's and they collide with no
future term of the model. The two that hold structured records are typed
``@json`` (JSON-LD 1.1 JSON literals): a JSON-LD processor keeps them verbatim
instead of dropping their un-namespaced inner keys, and margin needs no
vocabulary for fields that may grow.

Every field of a highlight and of a document appears exactly once, so
:func:`parse` gives back what was exported, field for field.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from db import __version__
from db.export import ExportItem
from db.locate import Location
from db.models import Document, Highlight, Metadata
from db.tags import is_valid_tag

__all__ = [
    "ANNO_CONTEXT",
    "CONTEXT",
    "FORMAT_VERSION",
    "NAMESPACE",
    "ParsedDocument",
    "export",
    "parse",
]

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: margin has no web home; ".invalid" is reserved never to resolve, so the IRI claims nothing.
NAMESPACE = "https://margin.invalid/ns#"
CONTEXT: list[Any] = [
    ANNO_CONTEXT,
    {
        "@version": 1.1,
        "margin": NAMESPACE,
        "margin:highlight": {"@id": "margin:highlight", "@type": "@json"},
        "margin:documents": {"@id": "margin:documents", "@type": "@json"},
    },
]
#: The version of margin's extension keys; a file from a newer one is refused, not half read.
FORMAT_VERSION = 1

_UUID_URN = "urn:uuid:"
# A highlight id that is not a canonical UUID (an import may bring any string)
# still needs an IRI, and must come back unchanged.
_ID_URN = "urn:margin:highlight:"
_TEXT_URN = "urn:margin:text:"
# Ids of the collection and its page are derived from the export time, not
# random: the same export gives the same bytes.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NAMESPACE)

# Valid JSON all, but escaped: DEL and C1 controls act on a terminal that shows
# the file; U+2028/U+2029 end lines for JavaScript before ES2019 and for
# str.splitlines; a lone surrogate cannot be written as UTF-8 (escaped, it
# survives the round trip). json.dumps escapes C0 controls itself.
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _json(value: Any, level: int) -> str:
    """``value`` as JSON indented by two spaces a level, to sit ``level`` levels deep."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=2)
    # json.dumps escapes newlines inside strings, so every raw "\n" is layout.
    text = text.replace("\n", "\n" + "  " * level)
    return _ESCAPE.sub(_escape, text)


def _line(value: Any) -> str:
    """``value`` as JSON on one line: an annotation a line diffs well, and without an
    indent json.dumps uses its C encoder, which made exporting 100,000 annotations
    twenty times faster."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    return _ESCAPE.sub(_escape, text)


def _member(key: str, value: Any, level: int) -> str:
    return f"{'  ' * level}{_json(key, level)}: {_json(value, level)}"


def _derived_id(kind: str, exported: str) -> str:
    return _UUID_URN + str(uuid.uuid5(_ID_NAMESPACE, f"{kind} {exported}"))


def _annotation_id(highlight_id: str) -> str:
    try:
        canonical = str(uuid.UUID(highlight_id)) == highlight_id
    except ValueError:
        canonical = False
    if canonical:
        return _UUID_URN + highlight_id
    return _ID_URN + quote(highlight_id, safe="")


def _source(document: Document) -> str:
    """The IRI of what was annotated: the document's URL, else its file, else its text."""
    url = document.metadata.url
    if url and urlsplit(url).scheme:
        return url
    if document.path:
        path = Path(document.path)
        # A relative path would need the current directory, which is no part of the export.
        if path.is_absolute():
            return path.as_uri()
    return _TEXT_URN + document.text_hash


def _annotation(highlight: Highlight, source: str, location: Location) -> dict[str, Any]:
    body: list[dict[str, str]] = []
    if highlight.note:
        body.append(
            {
                "type": "TextualBody",
                "value": highlight.note,
                "format": "text/markdown",
                "purpose": "commenting",
            }
        )
    body.extend(
        {"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in highlight.tags
    )
    annotation: dict[str, Any] = {"id": _annotation_id(highlight.id), "type": "Annotation"}
    # The model requires xsd:dateTime here: an empty time (never stored) is left out.
    if highlight.created:
        annotation["created"] = highlight.created
    if highlight.updated:
        annotation["modified"] = highlight.updated
    annotation["motivation"] = "commenting" if highlight.note else "highlighting"
    if body:
        annotation["body"] = body
    annotation["target"] = {
        "type": "SpecificResource",
        "source": source,
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": highlight.quote,
                "prefix": highlight.prefix,
                "suffix": highlight.suffix,
            },
            {"type": "TextPositionSelector", "start": highlight.start, "end": highlight.end},
        ],
    }
    annotation["margin:highlight"] = {
        "document_id": highlight.document_id,
        "text_hash": highlight.text_hash,
        "color": highlight.color,
        "status": highlight.status,
        "score": highlight.score,
        # Derived from the text, not stored: for readers, ignored by parse.
        "location": {
            "paragraph": location.paragraph,
            "chapter": location.chapter,
            "page": location.page,
        },
    }
    return annotation


def _document_record(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "text_hash": document.text_hash,
        "source_hash": document.source_hash,
        "format": document.format,
        "path": document.path,
        "added": document.added,
        "opened": document.opened,
        "position": document.position,
        "metadata": document.metadata.to_dict(),
    }


def export(items: Iterable[ExportItem], exported: str) -> Iterator[str]:
    """The collection as JSON in chunks: the header, one per annotation, one per document.

    ``items`` is read lazily, once. A document given twice is described once.
    Raises ValueError for a highlight whose ``document_id`` is not its item's
    document (the file would not say which document it marks).
    """
    collection_id = _derived_id("collection", exported)
    page_id = _derived_id("page", exported)
    header = [
        _member("@context", CONTEXT, 1),
        _member("id", collection_id, 1),
        _member("type", "AnnotationCollection", 1),
        _member("label", "Highlights exported from margin", 1),
        _member("generator", {"type": "Software", "name": f"margin {__version__}"}, 1),
        _member("generated", exported, 1),
        _member("margin:format", FORMAT_VERSION, 1),
    ]
    yield "{\n" + ",\n".join(header)

    # The model wants a page to hold one or more annotations, and a collection
    # with none to have no page: the page opens with its first annotation.
    page = [
        _member("id", page_id, 2),
        _member("type", "AnnotationPage", 2),
        _member("partOf", collection_id, 2),
        _member("startIndex", 0, 2),
    ]
    opening = ',\n  "first": {\n' + ",\n".join(page) + ',\n    "items": [\n'
    documents: dict[int, Document] = {}
    total = 0
    for item in items:
        document = item.document
        documents.setdefault(document.id, document)
        source = _source(document)
        for highlight in item.highlights:
            if highlight.document_id != document.id:
                raise ValueError(
                    f"highlight {highlight.id} belongs to document {highlight.document_id}, "
                    f"not to document {document.id} it was exported with"
                )
            annotation = _annotation(highlight, source, item.locate(highlight))
            yield (opening if total == 0 else ",\n") + "      " + _line(annotation)
            total += 1

    closing = ""
    if total:
        closing = "\n    ]\n  },\n" + _member("last", page_id, 1)
    yield closing + ",\n" + _member("total", total, 1) + ',\n  "margin:documents": ['
    for index, document in enumerate(documents.values()):
        yield ("\n" if index == 0 else ",\n") + "    " + _json(_document_record(document), 2)
    yield ("\n  ]" if documents else "]") + "\n}\n"


# --- parsing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A document read back from an export, with its highlights in the file's order."""

    document: Document
    highlights: list[Highlight]


_KIND_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def _shown(value: Any) -> str:
    """A value for an error message, cut short: a whole hostile note helps nobody."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field(record: dict[str, Any], key: str, kind: type, where: str) -> Any:
    """``record[key]``, which must be of ``kind``; else ValueError.

    JSON's true and false are no numbers here, though Python's bool is an int;
    a float field takes an integer (JSON writes 1.0 as 1 in some tools).
    """
    if key not in record:
        raise ValueError(f"{where} has no {key!r}")
    value = record[key]
    kinds: tuple[type, ...] = (int, float) if kind is float else (kind,)
    if not isinstance(value, kinds) or isinstance(value, bool):
        raise ValueError(f"{where}: {key!r} must be {_KIND_NAMES[kind]}, not {_shown(value)}")
    return value


def _optional_str(record: dict[str, Any], key: str, where: str) -> str | None:
    if record.get(key) is None:
        if key not in record:
            raise ValueError(f"{where} has no {key!r}")
        return None
    value: str = _field(record, key, str, where)
    return value


def _metadata(data: dict[str, Any], where: str) -> Metadata:
    """Metadata from its record; a missing field is empty (every field may be)."""
    # The empty Metadata says each field's kind, so a field added to it is checked too.
    for key, empty in Metadata().to_dict().items():
        value = data.get(key, empty)
        if isinstance(empty, str):
            ok = isinstance(value, str)
            kind = "a string"
        elif isinstance(empty, list):
            ok = isinstance(value, list) and all(isinstance(entry, str) for entry in value)
            kind = "a list of strings"
        else:
            ok = isinstance(value, dict) and all(isinstance(entry, str) for entry in value.values())
            kind = "an object of strings"
        if not ok:
            raise ValueError(f"{where}: metadata {key!r} must be {kind}, not {_shown(value)}")
    return Metadata.from_dict(data)


def _document(record: Any, index: int) -> Document:
    where = f"document {index + 1} of 'margin:documents'"
    if not isinstance(record, dict):
        raise ValueError(f"{where} must be an object, not {_shown(record)}")
    return Document(
        id=_field(record, "id", int, where),
        text_hash=_field(record, "text_hash", str, where),
        source_hash=_field(record, "source_hash", str, where),
        format=_field(record, "format", str, where),
        path=_optional_str(record, "path", where),
        metadata=_metadata(_field(record, "metadata", dict, where), where),
        added=_field(record, "added", str, where),
        opened=_optional_str(record, "opened", where),
        position=_field(record, "position", int, where),
    )


def _highlight_id(annotation_id: str, where: str) -> str:
    if annotation_id.startswith(_UUID_URN):
        highlight_id = annotation_id[len(_UUID_URN) :]
        try:
            uuid.UUID(highlight_id)
        except ValueError:
            raise ValueError(f"{where}: {annotation_id!r} is not a UUID URN") from None
        return highlight_id
    if annotation_id.startswith(_ID_URN):
        return unquote(annotation_id[len(_ID_URN) :])
    raise ValueError(f"{where}: id {_shown(annotation_id)} is not a margin highlight's")


def _as_list(value: Any) -> list[Any]:
    """The model allows one value or a list of them wherever there may be several."""
    return value if isinstance(value, list) else [value]


def _selectors(target: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The target's TextQuoteSelector and TextPositionSelector, each required."""
    found: dict[str, dict[str, Any]] = {}
    if "selector" not in target:
        raise ValueError(f"{where}: the target has no 'selector'")
    for selector in _as_list(target["selector"]):
        if not isinstance(selector, dict):
            raise ValueError(f"{where}: a selector must be an object, not {_shown(selector)}")
        kind = selector.get("type")
        if kind in ("TextQuoteSelector", "TextPositionSelector"):
            if kind in found:
                raise ValueError(f"{where}: the target has two of {kind}")
            found[kind] = selector
    for kind in ("TextQuoteSelector", "TextPositionSelector"):
        if kind not in found:
            raise ValueError(f"{where}: the target has no {kind}")
    return found["TextQuoteSelector"], found["TextPositionSelector"]


def _note_and_tags(annotation: dict[str, Any], where: str) -> tuple[str, list[str]]:
    note: str | None = None
    tags: list[str] = []
    for body in _as_list(annotation.get("body", [])):
        if not isinstance(body, dict) or body.get("type") != "TextualBody":
            raise ValueError(f"{where}: a body must be a TextualBody, not {_shown(body)}")
        value: str = _field(body, "value", str, f"{where}: a body")
        purpose = body.get("purpose")
        if purpose == "commenting":
            if note is not None:
                raise ValueError(f"{where}: there are two notes (commenting bodies)")
            note = value
        elif purpose == "tagging":
            if not is_valid_tag(value):
                raise ValueError(f"{where}: {_shown(value)} is not a tag")
            tags.append(value)
        else:
            # A body margin cannot keep is refused, not dropped: the format is lossless.
            raise ValueError(
                f"{where}: a body's purpose must be 'commenting' or 'tagging', "
                f"not {_shown(purpose)}"
            )
    return note or "", tags


def _highlight(annotation: Any, index: int) -> Highlight:
    where = f"annotation {index + 1}"
    if not isinstance(annotation, dict):
        raise ValueError(f"{where} must be an object, not {_shown(annotation)}")
    if annotation.get("type") != "Annotation":
        raise ValueError(
            f"{where}: 'type' must be 'Annotation', not {_shown(annotation.get('type'))}"
        )
    annotation_id: str = _field(annotation, "id", str, where)
    highlight_id = _highlight_id(annotation_id, where)
    where = f"{where} ({_shown(annotation_id)})"
    target: dict[str, Any] = _field(annotation, "target", dict, where)
    quote_selector, position = _selectors(target, where)
    extra: dict[str, Any] = _field(annotation, "margin:highlight", dict, where)
    note, tags = _note_and_tags(annotation, where)
    created = annotation.get("created", "")
    updated = annotation.get("modified", "")
    if not isinstance(created, str) or not isinstance(updated, str):
        raise ValueError(f"{where}: 'created' and 'modified' must be strings")
    return Highlight(
        id=highlight_id,
        document_id=_field(extra, "document_id", int, f"{where}: margin:highlight"),
        start=_field(position, "start", int, f"{where}: TextPositionSelector"),
        end=_field(position, "end", int, f"{where}: TextPositionSelector"),
        quote=_field(quote_selector, "exact", str, f"{where}: TextQuoteSelector"),
        prefix=_field(quote_selector, "prefix", str, f"{where}: TextQuoteSelector"),
        suffix=_field(quote_selector, "suffix", str, f"{where}: TextQuoteSelector"),
        text_hash=_field(extra, "text_hash", str, f"{where}: margin:highlight"),
        color=_field(extra, "color", int, f"{where}: margin:highlight"),
        note=note,
        tags=tags,
        status=_field(extra, "status", str, f"{where}: margin:highlight"),
        score=float(_field(extra, "score", float, f"{where}: margin:highlight")),
        created=created,
        updated=updated,
    )


def _has_anno_context(context: Any) -> bool:
    return any(entry == ANNO_CONTEXT for entry in _as_list(context))


def parse(data: str | bytes) -> list[ParsedDocument]:
    """The documents and highlights in an export, in the file's order.

    Reads what :func:`export` writes: ``parse("".join(export(items, t)))``
    gives each item's document with its highlights, every field equal. A
    document given twice to export comes back once, with all its highlights.
    Raises ValueError, saying where, for anything else: not JSON, not a
    margin collection, a missing selector or field, a value of the wrong type,
    a highlight of a document the file does not describe. Ranges (colour 1-5,
    status, score) are the store's to check.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"not UTF-8 text: {error}") from None
    try:
        top = json.loads(data.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error}") from None
    if not isinstance(top, dict) or top.get("type") != "AnnotationCollection":
        raise ValueError("not a W3C Web Annotation collection (no 'type': 'AnnotationCollection')")
    if not _has_anno_context(top.get("@context")):
        raise ValueError(f"the collection's '@context' does not include {ANNO_CONTEXT}")
    version = top.get("margin:format")
    if version is None:
        raise ValueError("not a margin export: the collection has no 'margin:format'")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"'margin:format' must be a positive integer, not {_shown(version)}")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"made by a newer margin (format {version}; this one reads up to {FORMAT_VERSION})"
        )

    total = _field(top, "total", int, "the collection")
    annotations: list[Any] = []
    # The model gives a collection with no annotations no page.
    if total or "first" in top:
        page: dict[str, Any] = _field(top, "first", dict, "the collection")
        if page.get("type") != "AnnotationPage":
            raise ValueError("the collection's 'first' is not an AnnotationPage")
        if "next" in page:
            raise ValueError("the collection has more than one page; margin writes one")
        annotations = _field(page, "items", list, "the collection's page")
    if total != len(annotations):
        raise ValueError(
            f"the collection says it holds {total} annotations but has {len(annotations)}"
        )

    records: list[Any] = _field(top, "margin:documents", list, "the collection")
    parsed: dict[int, ParsedDocument] = {}
    for index, record in enumerate(records):
        document = _document(record, index)
        if document.id in parsed:
            raise ValueError(f"document {document.id} is described twice in 'margin:documents'")
        parsed[document.id] = ParsedDocument(document, [])

    seen: set[str] = set()
    for index, annotation in enumerate(annotations):
        highlight = _highlight(annotation, index)
        if highlight.id in seen:
            raise ValueError(f"annotation {index + 1}: highlight {highlight.id} appears twice")
        seen.add(highlight.id)
        if highlight.document_id not in parsed:
            raise ValueError(
                f"annotation {index + 1}: its document {highlight.document_id} "
                "is not in 'margin:documents'"
            )
        parsed[highlight.document_id].highlights.append(highlight)
    return list(parsed.values())

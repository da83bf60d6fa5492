"""Tests for db.export.w3c: the shape the model requires, escaping, streaming, the round trip."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import __version__
from db.export import ExportItem
from db.export import export as export_as
from db.export.w3c import ANNO_CONTEXT, FORMAT_VERSION, ParsedDocument, export, parse
from db.locate import Location
from db.models import ANCHOR_STATUSES, Block, Document, Highlight, LoadedText, Metadata
from db.store import Store
from db.tags import is_valid_tag, tag_key

EXPORTED = "2026-11-28T13:00:00Z"
TEXT = "It was the best of times, it was the worst of times, it was the age of wisdom."


def where(highlight: Highlight) -> Location:
    return Location(paragraph=3, chapter="CHAPTER I")


def document(doc_id: int = 1, **fields: Any) -> Document:
    values: dict[str, Any] = {
        "id": doc_id,
        "text_hash": f"{doc_id:064x}",
        "source_hash": f"source{doc_id}",
        "format": "txt",
        "path": f"/books/tale{doc_id}.txt",
        "metadata": Metadata(title="A Tale", authors=["Charles Dickens"]),
        "added": "2026-11-28T12:00:00Z",
        "opened": "2026-11-28T12:30:00Z",
        "position": 17,
    }
    values.update(fields)
    return Document(**values)


def highlight(doc: Document, start: int = 7, end: int = 24, **fields: Any) -> Highlight:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "document_id": doc.id,
        "start": start,
        "end": end,
        "quote": TEXT[start:end],
        "prefix": TEXT[max(0, start - 32) : start],
        "suffix": TEXT[end : end + 32],
        "text_hash": doc.text_hash,
        "created": "2026-11-28T12:00:00Z",
        "updated": "2026-11-28T12:05:00Z",
    }
    values.update(fields)
    return Highlight(**values)


def item(doc: Document, *highlights: Highlight) -> ExportItem:
    return ExportItem(doc, list(highlights), where)


def exported(*items: ExportItem) -> str:
    return "".join(export(items, EXPORTED))


def collection(*items: ExportItem) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(exported(*items))
    return loaded


def annotations_in(data: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = data["first"]["items"]
    return items


# --- the shape the model requires ---------------------------------------------------------


def test_collection_has_what_the_model_requires() -> None:
    doc = document()
    data = collection(item(doc, highlight(doc), highlight(doc, 30, 40)))
    # 5.1: @context including anno.jsonld, exactly one IRI id, the AnnotationCollection type.
    assert data["@context"][0] == ANNO_CONTEXT
    assert data["type"] == "AnnotationCollection"
    assert data["id"].startswith("urn:uuid:")
    assert uuid.UUID(data["id"].removeprefix("urn:uuid:"))
    assert isinstance(data["label"], str) and data["label"]
    assert data["total"] == 2
    assert data["generator"] == {"type": "Software", "name": f"margin {__version__}"}
    assert data["generated"] == EXPORTED
    assert data["margin:format"] == FORMAT_VERSION
    # 5.2: an embedded page has an IRI, its type, one or more items, and no @context.
    page = data["first"]
    assert page["type"] == "AnnotationPage"
    assert page["id"].startswith("urn:uuid:") and page["id"] != data["id"]
    assert page["partOf"] == data["id"]
    assert page["startIndex"] == 0
    assert "@context" not in page
    assert data["last"] == page["id"]
    assert len(page["items"]) == 2


def test_extension_keys_are_namespaced_in_the_context() -> None:
    doc = document()
    data = collection(item(doc, highlight(doc, note="n", tags=["t"])))
    local = data["@context"][1]
    assert local["margin"] == "https://margin.invalid/ns#"
    for key in ("margin:highlight", "margin:documents"):
        # JSON literals: a JSON-LD processor keeps their content as it is.
        assert local[key] == {"@id": key, "@type": "@json"}
    assert local["@version"] == 1.1
    # Every key that is not the model's own is under margin:.
    anno = annotations_in(data)[0]
    model_keys = {"id", "type", "created", "modified", "motivation", "body", "target"}
    assert set(anno) - model_keys == {"margin:highlight"}
    assert {key for key in data if not key.startswith(("@", "margin:"))} == {
        "id",
        "type",
        "label",
        "generator",
        "generated",
        "first",
        "last",
        "total",
    }


def test_annotation_has_what_the_model_requires() -> None:
    doc = document(metadata=Metadata(url="https://example.org/tale"))
    mark = highlight(
        doc, color=3, note="Dickens *opens* with a paradox", tags=["theme/time", "opening"]
    )
    anno = annotations_in(collection(item(doc, mark)))[0]
    assert anno["id"] == f"urn:uuid:{mark.id}"
    assert anno["type"] == "Annotation"
    assert anno["created"] == mark.created
    assert anno["modified"] == mark.updated
    assert anno["motivation"] == "commenting"
    assert anno["body"] == [
        {
            "type": "TextualBody",
            "value": "Dickens *opens* with a paradox",
            "format": "text/markdown",
            "purpose": "commenting",
        },
        {"type": "TextualBody", "value": "theme/time", "purpose": "tagging"},
        {"type": "TextualBody", "value": "opening", "purpose": "tagging"},
    ]
    target = anno["target"]
    assert target["type"] == "SpecificResource"
    assert target["source"] == "https://example.org/tale"
    quote, position = target["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": mark.quote,
        "prefix": mark.prefix,
        "suffix": mark.suffix,
    }
    assert position == {"type": "TextPositionSelector", "start": mark.start, "end": mark.end}
    assert anno["margin:highlight"] == {
        "document_id": doc.id,
        "text_hash": doc.text_hash,
        "color": 3,
        "status": "exact",
        "score": 1.0,
        "location": {"paragraph": 3, "chapter": "CHAPTER I", "page": ""},
    }


def test_a_plain_highlight_has_no_body_and_tags_alone_keep_it_highlighting() -> None:
    doc = document()
    plain, tagged = highlight(doc), highlight(doc, 30, 40, tags=["a"])
    first, second = annotations_in(collection(item(doc, plain, tagged)))
    assert first["motivation"] == "highlighting"
    assert "body" not in first
    assert second["motivation"] == "highlighting"
    assert second["body"] == [{"type": "TextualBody", "value": "a", "purpose": "tagging"}]


def test_empty_times_are_left_out_not_written_as_invalid_datetimes() -> None:
    doc = document()
    anno = annotations_in(collection(item(doc, highlight(doc, created="", updated=""))))[0]
    assert "created" not in anno and "modified" not in anno


def test_the_document_is_described_once_with_everything_the_store_keeps() -> None:
    metadata = Metadata(
        title="A Tale",
        authors=["Charles Dickens"],
        published="1859",
        publisher="Chapman & Hall",
        url="https://example.org/tale",
        language="en",
        description="Two cities.",
        identifiers={"isbn": "978-0", "doi": "10.1/x"},
        tags=["novel"],
        container="All the Year Round",
        kind="book",
    )
    doc = document(metadata=metadata, opened=None)
    data = collection(item(doc, highlight(doc), highlight(doc, 30, 40)))
    assert data["margin:documents"] == [
        {
            "id": doc.id,
            "text_hash": doc.text_hash,
            "source_hash": doc.source_hash,
            "format": "txt",
            "path": doc.path,
            "added": doc.added,
            "opened": None,
            "position": 17,
            "metadata": metadata.to_dict(),
        }
    ]


@pytest.mark.parametrize(
    ("url", "path", "source"),
    [
        ("https://example.org/a b", "/books/x.txt", "https://example.org/a b"),
        ("", "/books/les misérables.txt", "file:///books/les%20mis%C3%A9rables.txt"),
        ("example.org/no-scheme", "/books/x.txt", "file:///books/x.txt"),
        ("", None, "urn:margin:text:" + "0" * 63 + "1"),
        # A relative path would depend on where margin runs; the text is named instead.
        ("", "books/x.txt", "urn:margin:text:" + "0" * 63 + "1"),
    ],
)
def test_the_target_source_is_the_url_else_the_file_else_the_text(
    url: str, path: str | None, source: str
) -> None:
    doc = document(path=path, metadata=Metadata(url=url))
    assert annotations_in(collection(item(doc, highlight(doc))))[0]["target"]["source"] == source


def test_an_empty_export_has_no_page_as_the_model_requires() -> None:
    # 5.2: a page MUST hold one or more annotations; 5.1: first only when total > 0.
    data = collection(item(document()))
    assert data["total"] == 0
    assert "first" not in data and "last" not in data
    assert len(data["margin:documents"]) == 1
    nothing = collection()
    assert nothing["total"] == 0 and nothing["margin:documents"] == []
    assert parse(exported()) == []


def test_the_same_export_gives_the_same_bytes() -> None:
    doc = document()
    marks = [highlight(doc), highlight(doc, 30, 40)]
    assert exported(item(doc, *marks)) == exported(item(doc, *marks))
    later = "".join(export([item(doc, *marks)], "2026-11-29T13:00:00Z"))
    assert json.loads(later)["id"] != collection(item(doc, *marks))["id"]


def test_the_registry_exports_json_with_this_module() -> None:
    doc = document()
    marked = item(doc, highlight(doc))
    assert "".join(export_as("json", [marked], EXPORTED)) == exported(marked)
    assert json.loads("".join(export_as("json", [], EXPORTED)))["type"] == "AnnotationCollection"


# --- hostile text -------------------------------------------------------------------------

HOSTILE = (
    'a "quoted" \\ back\\slash \\u0041 \n new\r\nline \t tab \x00 NUL \x1b[31m ESC '
    "␛ ␀ control pictures \x7f DEL \x85 NEL \x9b CSI \u2028 LS \u2029 PS \ufeff BOM "
    "\u202e RLO עברית 🐍 e\u0301 </script> ]]> }, {"
)


def test_hostile_text_is_valid_json_and_comes_back_unchanged() -> None:
    doc = document(
        path="/books/\u2028\x9b.txt",
        metadata=Metadata(title=HOSTILE, authors=[HOSTILE], identifiers={HOSTILE: HOSTILE}),
    )
    mark = highlight(doc, quote=HOSTILE, prefix=HOSTILE, suffix=HOSTILE, note=HOSTILE)
    text = exported(item(doc, mark))
    json.loads(text)
    # Written as UTF-8 without error, and nothing that acts on a terminal or ends a
    # JavaScript or splitlines() line is in it raw: those are escaped.
    text.encode("utf-8")
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]", text)
    assert len(text.splitlines()) == text.count("\n")
    [parsed] = parse(text)
    assert parsed.document == doc
    assert parsed.highlights == [mark]


def test_a_lone_surrogate_is_escaped_and_survives() -> None:
    # Stored text cannot hold one (db.documents.inert), but a str can: it must
    # not make the file unwritable as UTF-8.
    doc = document()
    mark = highlight(doc, note="half a pair: \ud83d.")
    text = exported(item(doc, mark))
    assert "\\ud83d" in text
    assert parse(text.encode("utf-8"))[0].highlights == [mark]


def test_non_uuid_highlight_ids_still_get_an_iri_and_come_back() -> None:
    doc = document()
    odd = [
        highlight(doc, id=""),
        highlight(doc, id="a b/c#d"),
        highlight(doc, id=str(uuid.uuid4()).upper()),
    ]
    text = exported(item(doc, *odd))
    ids = [anno["id"] for anno in annotations_in(json.loads(text))]
    assert ids[0] == "urn:margin:highlight:"
    assert ids[1] == "urn:margin:highlight:a%20b%2Fc%23d"
    assert ids[2].startswith("urn:margin:highlight:")
    assert parse(text)[0].highlights == odd


# --- streaming ----------------------------------------------------------------------------


def test_the_export_streams_a_chunk_per_annotation_and_per_document() -> None:
    docs = [document(1), document(2)]
    items = [
        item(docs[0], *[highlight(docs[0], n, n + 5) for n in range(5)]),
        item(docs[1], highlight(docs[1])),
    ]
    chunks = list(export(items, EXPORTED))
    # header, six annotations, the closing with total, two documents, the end.
    assert len(chunks) == 1 + 6 + 1 + 2 + 1
    assert all(isinstance(chunk, str) and chunk for chunk in chunks)
    assert json.loads("".join(chunks))["total"] == 6


def test_items_are_read_lazily_after_the_header() -> None:
    doc = document()
    read: list[int] = []

    def items() -> Iterator[ExportItem]:
        for number in range(3):
            read.append(number)
            yield item(replace(doc, id=number), highlight(replace(doc, id=number)))

    chunks = export(items(), EXPORTED)
    header = next(chunks)
    assert read == []
    assert header.startswith("{") and '"AnnotationCollection"' in header
    first = next(chunks)
    assert read == [0]
    rest = list(chunks)
    assert read == [0, 1, 2]
    assert json.loads(header + first + "".join(rest))["total"] == 3


def test_a_document_given_twice_is_described_once() -> None:
    doc = document()
    first, second = highlight(doc), highlight(doc, 30, 40)
    text = exported(item(doc, first), item(doc, second))
    assert len(json.loads(text)["margin:documents"]) == 1
    assert parse(text) == [ParsedDocument(doc, [first, second])]


def test_a_highlight_of_another_document_is_refused() -> None:
    doc, other = document(1), document(2)
    with pytest.raises(ValueError, match="belongs to document 2"):
        exported(item(doc, highlight(other)))


# --- the round trip -----------------------------------------------------------------------

_TEXT = st.text(max_size=40)
_TIME = st.one_of(
    st.just(""),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")),
    _TEXT,
)
_TAG = (
    st.text(
        st.characters(categories=["L", "M", "Nd"]) | st.sampled_from("-_/"), min_size=1, max_size=12
    )
    .map(lambda tag: unicodedata.normalize("NFC", tag))
    .filter(is_valid_tag)
)
_METADATA = st.builds(
    Metadata,
    title=_TEXT,
    authors=st.lists(_TEXT, max_size=3),
    published=_TEXT,
    publisher=_TEXT,
    url=st.one_of(_TEXT, st.just("https://example.org/x")),
    language=_TEXT,
    description=_TEXT,
    identifiers=st.dictionaries(_TEXT, _TEXT, max_size=3),
    tags=st.lists(_TAG, max_size=3),
    container=_TEXT,
    kind=st.sampled_from(["", "article", "webpage", "book", "chapter", "report"]),
)


@st.composite
def libraries(draw: st.DrawFn) -> list[ParsedDocument]:
    """Documents with distinct ids, each with highlights whose ids are distinct overall."""
    doc_ids = draw(st.lists(st.integers(min_value=1, max_value=2**53), unique=True, max_size=3))
    highlight_ids = iter(
        draw(st.lists(st.one_of(st.uuids().map(str), _TEXT), unique=True, min_size=12, max_size=12))
    )
    library = []
    for doc_id in doc_ids:
        doc = Document(
            id=doc_id,
            text_hash=draw(_TEXT),
            source_hash=draw(_TEXT),
            format=draw(st.sampled_from(["txt", "md", "html", "epub"])),
            path=draw(st.none() | _TEXT),
            metadata=draw(_METADATA),
            added=draw(_TIME),
            opened=draw(st.none() | _TIME),
            position=draw(st.integers(min_value=0, max_value=10**9)),
        )
        marks = []
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            start = draw(st.integers(min_value=0, max_value=10**9))
            marks.append(
                Highlight(
                    id=next(highlight_ids),
                    document_id=doc_id,
                    start=start,
                    end=start + draw(st.integers(min_value=0, max_value=10**6)),
                    quote=draw(_TEXT),
                    prefix=draw(_TEXT),
                    suffix=draw(_TEXT),
                    text_hash=draw(_TEXT),
                    color=draw(st.integers(min_value=1, max_value=5)),
                    note=draw(_TEXT),
                    tags=draw(st.lists(_TAG, unique_by=tag_key, max_size=4)),
                    status=draw(st.sampled_from(ANCHOR_STATUSES)),
                    score=draw(st.floats(min_value=0.0, max_value=1.0)),
                    created=draw(_TIME),
                    updated=draw(_TIME),
                )
            )
        library.append(ParsedDocument(doc, marks))
    return library


@settings(max_examples=150, deadline=None)
@given(libraries())
def test_export_then_parse_gives_back_every_field(library: list[ParsedDocument]) -> None:
    items = [ExportItem(entry.document, entry.highlights, where) for entry in library]
    chunks = list(export(items, EXPORTED))
    text = "".join(chunks)
    assert parse(text) == library
    assert parse(text.encode("utf-8")) == library


def test_a_store_round_trip(store: Store) -> None:
    doc = store.add_document(
        LoadedText(TEXT, [Block("paragraph", 0, len(TEXT))]), path="/tale.txt", source_hash="s"
    )
    store.update_metadata(doc.id, Metadata(title="A Tale", authors=["Dickens"], kind="book"))
    doc = store.get_document(doc.id)
    store.add_highlight(highlight(doc, id="", note="paradox", tags=["opening"], color=2))
    store.add_highlight(highlight(doc, 30, 40, id=""))
    marks = store.highlights(doc.id)
    assert parse(exported(item(doc, *marks))) == [ParsedDocument(doc, marks)]


# --- refusing what is not an export -------------------------------------------------------


def _valid() -> dict[str, Any]:
    doc = document()
    data: dict[str, Any] = collection(item(doc, highlight(doc, note="n", tags=["t"])))
    return data


def _mutated(change: Callable[[dict[str, Any]], object]) -> str:
    data = copy.deepcopy(_valid())
    change(data)
    return json.dumps(data)


def _anno(data: dict[str, Any]) -> dict[str, Any]:
    return annotations_in(data)[0]


BROKEN: list[tuple[str, str | bytes, str]] = [
    ("not JSON", '{"type": ', "not JSON"),
    ("not UTF-8", b'{"type": "\xff"}', "not UTF-8"),
    ("a list", "[]", "not a W3C Web Annotation collection"),
    ("an annotation", '{"type": "Annotation"}', "not a W3C Web Annotation collection"),
    ("no context", _mutated(lambda d: d.pop("@context")), "'@context' does not include"),
    ("no format", _mutated(lambda d: d.pop("margin:format")), "not a margin export"),
    ("newer format", _mutated(lambda d: d.update({"margin:format": 99})), "newer margin"),
    ("format a bool", _mutated(lambda d: d.update({"margin:format": True})), "positive integer"),
    ("no page", _mutated(lambda d: d.pop("first")), "has no 'first'"),
    (
        "page not a page",
        _mutated(lambda d: d["first"].update({"type": "Page"})),
        "not an AnnotationPage",
    ),
    ("paged", _mutated(lambda d: d["first"].update({"next": "urn:x"})), "more than one page"),
    (
        "items not a list",
        _mutated(lambda d: d["first"].update({"items": {}})),
        "'items' must be a list",
    ),
    (
        "total wrong",
        _mutated(lambda d: d.update({"total": 5})),
        "says it holds 5 annotations but has 1",
    ),
    ("total a string", _mutated(lambda d: d.update({"total": "1"})), "'total' must be an integer"),
    ("no documents", _mutated(lambda d: d.pop("margin:documents")), "no 'margin:documents'"),
    (
        "annotation a string",
        _mutated(lambda d: d["first"].update({"items": ["urn:x"]})),
        "annotation 1 must be an object",
    ),
    (
        "not an annotation",
        _mutated(lambda d: _anno(d).update({"type": "Note"})),
        "'type' must be 'Annotation'",
    ),
    (
        "foreign id",
        _mutated(lambda d: _anno(d).update({"id": "http://x/1"})),
        "not a margin highlight's",
    ),
    ("bad uuid", _mutated(lambda d: _anno(d).update({"id": "urn:uuid:nope"})), "not a UUID URN"),
    ("no target", _mutated(lambda d: _anno(d).pop("target")), "has no 'target'"),
    ("no selectors", _mutated(lambda d: _anno(d)["target"].pop("selector")), "has no 'selector'"),
    (
        "no quote selector",
        _mutated(
            lambda d: _anno(d)["target"].update({"selector": _anno(d)["target"]["selector"][1:]})
        ),
        "no TextQuoteSelector",
    ),
    (
        "no position selector",
        _mutated(
            lambda d: _anno(d)["target"].update({"selector": _anno(d)["target"]["selector"][0]})
        ),
        "no TextPositionSelector",
    ),
    (
        "no exact",
        _mutated(lambda d: _anno(d)["target"]["selector"][0].pop("exact")),
        "has no 'exact'",
    ),
    (
        "start a string",
        _mutated(lambda d: _anno(d)["target"]["selector"][1].update({"start": "7"})),
        "'start' must be an integer",
    ),
    (
        "end a float",
        _mutated(lambda d: _anno(d)["target"]["selector"][1].update({"end": 7.5})),
        "'end' must be an integer",
    ),
    (
        "no margin fields",
        _mutated(lambda d: _anno(d).pop("margin:highlight")),
        "no 'margin:highlight'",
    ),
    (
        "colour a bool",
        _mutated(lambda d: _anno(d)["margin:highlight"].update({"color": True})),
        "'color' must be an integer",
    ),
    (
        "score a string",
        _mutated(lambda d: _anno(d)["margin:highlight"].update({"score": "1"})),
        "'score' must be a number",
    ),
    ("created a number", _mutated(lambda d: _anno(d).update({"created": 5})), "must be strings"),
    ("body a string", _mutated(lambda d: _anno(d).update({"body": "hi"})), "must be a TextualBody"),
    (
        "body purpose",
        _mutated(lambda d: _anno(d)["body"][0].update({"purpose": "replying"})),
        "'commenting' or 'tagging'",
    ),
    (
        "two notes",
        _mutated(lambda d: _anno(d)["body"][1].update({"purpose": "commenting"})),
        "two notes",
    ),
    (
        "bad tag",
        _mutated(lambda d: _anno(d)["body"][1].update({"value": "no spaces"})),
        "is not a tag",
    ),
    (
        "note a number",
        _mutated(lambda d: _anno(d)["body"][0].update({"value": 3})),
        "'value' must be a string",
    ),
    (
        "unknown document",
        _mutated(lambda d: _anno(d)["margin:highlight"].update({"document_id": 9})),
        "document 9 is not in 'margin:documents'",
    ),
    (
        "document twice",
        _mutated(lambda d: d["margin:documents"].append(d["margin:documents"][0])),
        "described twice",
    ),
    (
        "highlight twice",
        _mutated(lambda d: (d["first"]["items"].append(_anno(d)), d.update({"total": 2}))),
        "appears twice",
    ),
    (
        "document a list",
        _mutated(lambda d: d.update({"margin:documents": [[]]})),
        "document 1 of 'margin:documents' must be an object",
    ),
    (
        "position a string",
        _mutated(lambda d: d["margin:documents"][0].update({"position": "0"})),
        "'position' must be an integer",
    ),
    ("no path", _mutated(lambda d: d["margin:documents"][0].pop("path")), "has no 'path'"),
    (
        "authors a string",
        _mutated(lambda d: d["margin:documents"][0]["metadata"].update({"authors": "Dickens"})),
        "metadata 'authors' must be a list of strings",
    ),
    (
        "identifiers a list",
        _mutated(lambda d: d["margin:documents"][0]["metadata"].update({"identifiers": []})),
        "'identifiers' must be an object of strings",
    ),
    (
        "title a number",
        _mutated(lambda d: d["margin:documents"][0]["metadata"].update({"title": 1})),
        "metadata 'title' must be a string",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"),
    [(data, message) for _, data, message in BROKEN],
    ids=[name for name, _, _ in BROKEN],
)
def test_malformed_input_is_refused_saying_what_is_wrong(data: str | bytes, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse(data)


def test_what_the_model_allows_in_one_or_many_is_read_either_way() -> None:
    data = _valid()
    anno = _anno(data)
    anno["body"] = anno["body"][0]
    anno["target"]["selector"].reverse()
    [parsed] = parse(json.dumps(data))
    assert parsed.highlights[0].note == "n"
    assert parsed.highlights[0].tags == []


def test_a_byte_order_mark_and_missing_metadata_fields_are_accepted() -> None:
    data = _valid()
    data["margin:documents"][0]["metadata"] = {"title": "Only a title"}
    [parsed] = parse(("\ufeff" + json.dumps(data)).encode("utf-8"))
    assert parsed.document.metadata == Metadata(title="Only a title")


def test_an_error_message_cuts_a_long_value_short() -> None:
    data = _valid()
    _anno(data)["body"] = ["x" * 10_000]
    with pytest.raises(ValueError) as raised:
        parse(json.dumps(data))
    assert len(str(raised.value)) < 200


def test_a_path_in_a_file_uri_is_percent_encoded(tmp_path: Path) -> None:
    doc = document(path=str(tmp_path / "a#b?.txt"))
    source = annotations_in(collection(item(doc, highlight(doc))))[0]["target"]["source"]
    assert source == (tmp_path / "a#b?.txt").as_uri()
    assert "#" not in source and "?" not in source

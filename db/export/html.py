"""HTML export: one document's highlights as a standalone page to read, print or share.

The page needs nothing else: the styles are inline, there are no scripts and
no fetched resources, and a Content-Security-Policy forbids both, so the page
stays inert even if something in it were not. Every piece of text (metadata,
quotes, notes, tags, places) is escaped with ``html.escape``; a note is shown
as the reader typed it, line breaks kept, not rendered from Markdown, because
rendering someone's Markdown to HTML safely needs a sanitiser margin does not
have. The document's URL becomes a link only when it is http or https.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from db.documents.inert import make_inert
from db.export import ExportItem
from db.export.names import clean_tags, highlight_anchor, place_of, title_of
from db.models import Highlight

__all__ = ["escape", "export", "http_url"]

# A BCP 47 language tag, loosely: what may go in lang="…" (anything else is
# left out rather than trusted).
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
# A URL with whitespace or a control character in it is not linked: browsers
# drop tabs and newlines from URLs, which is how "java\nscript:" gets through.
_UNLINKABLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")

# The highlight colours of margin's light and dark themes (themes/light.toml
# and themes/dark.toml), so a page looks like the reader it came from.
_STYLE = """\
:root { color-scheme: light dark; --ink: #1d1d1f; --paper: #fdfcf8; --muted: #6b6b6b;
  --rule: #ddd8cc; --c1: #fbe68a; --c2: #c8e6b8; --c3: #bcd9f2; --c4: #f5c3cf; --c5: #dccaf0; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e6e3dc; --paper: #1b1b1d; --muted: #a09d96; --rule: #3a3935;
    --c1: #5c4d1f; --c2: #2f4a2a; --c3: #25405a; --c4: #5a2f3f; --c5: #48365e; }
}
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 1.05rem/1.6 Georgia, "Times New Roman", serif; }
main { max-width: 42rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 .4rem; }
.authors { font-size: 1.15rem; margin: 0 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 1rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.count, .details, .tags, footer { color: var(--muted); font: .9rem/1.5 system-ui, sans-serif; }
.highlight { border-top: 1px solid var(--rule); padding: 1.25rem 0 .5rem; }
blockquote { margin: 0; padding: .6rem 1rem; border-left: .35rem solid var(--rule);
  white-space: pre-wrap; overflow-wrap: anywhere; }
.note { white-space: pre-wrap; overflow-wrap: anywhere; margin: .75rem 0 0 1.35rem; }
.details { margin: .6rem 0 0 1.35rem; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 50%;
  vertical-align: -.05em; border: 1px solid var(--muted); }
.tags { list-style: none; padding: 0; margin: .2rem 0 0 1.35rem; }
.tags li { display: inline; margin-right: .6rem; }
.c1 { background: var(--c1); }
.c2 { background: var(--c2); }
.c3 { background: var(--c3); }
.c4 { background: var(--c4); }
.c5 { background: var(--c5); }
footer { border-top: 1px solid var(--rule); margin-top: 2rem; padding-top: 1rem; }
@media print { body { background: #fff; color: #000; } .highlight { break-inside: avoid; } }
"""


def export(items: Iterable[ExportItem], exported: str) -> Iterator[str]:
    """The HTML page of the one document in ``items`` (ValueError for none or several)."""
    iterator = iter(items)
    item = next(iterator, None)
    if item is None:
        raise ValueError("an HTML export holds one document; none was given")
    if next(iterator, None) is not None:
        raise ValueError("an HTML export holds one document; export each to its own page")
    # Checked above, before the first chunk, so the caller can refuse before
    # it creates a file; the chunks themselves come lazily.
    return _chunks(item, exported)


def escape(text: str) -> str:
    """``text`` safe as HTML text or a quoted attribute, control characters made visible."""
    return html.escape(make_inert(text, tabsize=None), quote=True)


def http_url(url: str) -> str | None:
    """``url`` if it is an http(s) URL that is safe to link to, else None."""
    if not url or _UNLINKABLE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed IPv6 host, say
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _chunks(item: ExportItem, exported: str) -> Iterator[str]:
    yield _head(item)
    anchors: set[str] = set()
    for highlight in item.highlights:
        yield _highlight(item, highlight, highlight_anchor(highlight.id, anchors))
    yield f"<footer>Exported from margin on <time>{escape(exported)}</time>.</footer>\n"
    yield "</main>\n</body>\n</html>\n"


def _head(item: ExportItem) -> str:
    metadata = item.document.metadata
    title = title_of(item.document) or "Untitled"
    language = metadata.language.strip()
    lang = f' lang="{escape(language)}"' if _LANGUAGE.fullmatch(language) else ""
    lines = [
        "<!DOCTYPE html>",
        f"<html{lang}>",
        "<head>",
        '<meta charset="utf-8">',
        # No scripts, frames, plugins or fetches: only the inline styles below.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="generator" content="margin">',
        f"<title>{escape(title)} — highlights</title>",
        f"<style>\n{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f'<h1 dir="auto">{escape(title)}</h1>',
    ]
    authors = [author.strip() for author in metadata.authors if author.strip()]
    if authors:
        lines.append(f'<p class="authors" dir="auto">{escape(", ".join(authors))}</p>')
    if metadata.description.strip():
        lines.append(f'<p class="description" dir="auto">{escape(metadata.description)}</p>')
    facts = [
        ("Published", metadata.published),
        ("Publisher", metadata.publisher),
        ("In", metadata.container),
    ]
    rows = [f"<dt>{name}</dt><dd>{escape(value)}</dd>" for name, value in facts if value.strip()]
    if metadata.url.strip():
        link = http_url(metadata.url)
        shown = escape(metadata.url)
        if link is not None:
            shown = f'<a href="{escape(link)}" rel="noopener noreferrer">{shown}</a>'
        rows.append(f"<dt>Link</dt><dd>{shown}</dd>")
    if rows:
        lines += ["<dl>", *rows, "</dl>"]
    count = len(item.highlights)
    lines.append(f'<p class="count">{count} highlight{"" if count == 1 else "s"}</p>')
    lines.append("</header>")
    return "\n".join(lines) + "\n"


def _highlight(item: ExportItem, highlight: Highlight, anchor: str) -> str:
    colour = f"c{highlight.color}" if highlight.color in range(1, 6) else "c0"
    lines = [
        f'<section class="highlight" id="{anchor}">',
        f'<blockquote class="{colour}" dir="auto">{escape(highlight.quote)}</blockquote>',
    ]
    note = highlight.note.strip("\n").rstrip()
    if note.strip():
        lines.append(f'<div class="note" dir="auto">{escape(note)}</div>')
    place = place_of(item.locate(highlight))
    details = [place] if place else []
    details.append(f"colour {highlight.color}")
    if highlight.status == "fuzzy":
        details.append(f"fuzzy {highlight.score:.0%}")
    elif highlight.status != "exact":
        details.append(highlight.status)
    swatch = (
        f'<span class="swatch {colour}" role="img" aria-label="colour {highlight.color}"></span>'
    )
    lines.append(f'<p class="details">{swatch} {escape(" · ".join(details))}</p>')
    tags = clean_tags(highlight.tags)
    if tags:
        entries = "".join(f"<li>#{escape(tag)}</li>" for tag in tags)
        lines.append(f'<ul class="tags">{entries}</ul>')
    lines.append("</section>")
    return "\n".join(lines) + "\n"

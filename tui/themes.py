"""Themes as data: reads the TOML files of the `themes` package into Textual themes."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from textual.theme import Theme

DEFAULT_THEME = "margin-dark"

#: Every theme variable margin's styles use, with the value a theme that leaves
#: one out (or a theme from elsewhere) falls back to.
VARIABLE_DEFAULTS = {
    "margin-cursor": "ansi_bright_yellow",
    "margin-cursor-line": "ansi_default",
    "margin-search-match": "ansi_yellow",
    "margin-search-current": "ansi_bright_yellow",
    "margin-selection": "ansi_blue",
    "margin-highlight-1": "ansi_yellow",
    "margin-highlight-2": "ansi_green",
    "margin-highlight-3": "ansi_cyan",
    "margin-highlight-4": "ansi_magenta",
    "margin-highlight-5": "ansi_blue",
}

_THEME_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
    "dark",
    "luminosity_spread",
    "text_alpha",
)


def theme_from_data(data: dict[str, Any]) -> Theme:
    """A Textual theme from a theme file's table; raises ValueError naming what is wrong."""
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("a theme needs a name")
    if "primary" not in data:
        raise ValueError(f"theme {name!r} needs a primary colour")
    fields = {key: data[key] for key in _THEME_FIELDS if key in data}
    variables = {str(k): str(v) for k, v in (data.get("variables") or {}).items()}
    return Theme(name=name, variables=variables, **fields)


def builtin_themes() -> list[Theme]:
    """The themes shipped in the `themes` package, in name order."""
    found = []
    for entry in sorted(resources.files("themes").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append(theme_from_data(tomllib.loads(entry.read_text(encoding="utf-8"))))
    return found

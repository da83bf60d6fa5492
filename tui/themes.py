"""Themes as data: reads the built-in and the user's TOML theme files into Textual themes."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
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


@cache
def builtin_theme_names() -> frozenset[str]:
    """The names of the themes margin ships."""
    return frozenset(theme.name for theme in builtin_themes())


def builtin_themes() -> list[Theme]:
    """The themes shipped in the `themes` package, in name order."""
    found = []
    for entry in sorted(resources.files("themes").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append(theme_from_data(tomllib.loads(entry.read_text(encoding="utf-8"))))
    return found


#: A theme's name becomes part of a CSS class (``-theme-NAME``), so it keeps to these.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _check_colours(theme: Theme) -> None:
    """Raise ValueError naming the first value Textual could not draw with."""
    from textual.color import Color, ColorParseError
    from textual.css.constants import VALID_STYLE_FLAGS

    for key in _THEME_FIELDS[:11]:
        value = getattr(theme, key, None)
        if isinstance(value, str):
            try:
                Color.parse(value)
            except ColorParseError:
                raise ValueError(f"{key} = {value!r} is not a colour") from None
    for key, value in theme.variables.items():
        if key.endswith("text-style"):
            if not set(value.split()) <= VALID_STYLE_FLAGS:
                raise ValueError(f"variables.{key} = {value!r} is not a text style")
            continue
        try:
            Color.parse(value)
        except ColorParseError:
            raise ValueError(f"variables.{key} = {value!r} is not a colour") from None
    if not isinstance(theme.dark, bool):
        raise ValueError("dark must be true or false")
    try:
        theme.to_color_system().generate()
    except Exception as error:  # any value Textual cannot draw with skips the theme
        raise ValueError(f"Textual cannot use it ({error})") from None


def load_theme_file(path: Path) -> Theme:
    """One user theme file; raises ValueError with the reason it cannot be used."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except OSError as error:
        raise ValueError(error.strerror or type(error).__name__) from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"not valid TOML ({error})") from None
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    try:
        theme = theme_from_data(data)
    except TypeError as error:
        raise ValueError(str(error)) from None
    if not _NAME.fullmatch(theme.name):
        raise ValueError(f"name {theme.name!r} may hold only letters, digits, - and _")
    _check_colours(theme)
    return theme


def user_themes(directory: Path) -> tuple[list[Theme], list[str]]:
    """The themes in ``directory`` (``*.toml``, in name order), and one line per file skipped.

    A missing directory is no problem: it is where themes go once someone writes one.
    """
    themes: list[Theme] = []
    problems: list[str] = []
    try:
        paths = sorted(p for p in directory.iterdir() if p.suffix == ".toml")
    except OSError:
        return themes, problems
    for path in paths:
        try:
            themes.append(load_theme_file(path))
        except ValueError as error:
            problems.append(f"{path}: {error}; theme skipped")
    return themes, problems


def colourless(environ: Mapping[str, str], color_system: str | None, *, tty: bool) -> bool:
    """Whether to draw without colour: NO_COLOR set and not empty, or a terminal with none.

    A terminal counts as colourless only when output really goes to one (``tty``):
    a TERM of "dumb" in a pipe or a test run says nothing about what a reader sees.
    """
    return bool(environ.get("NO_COLOR")) or (tty and color_system is None)

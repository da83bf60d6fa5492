"""The user's settings: config.toml read, checked, and turned into a Config with its problems.

A file margin cannot use never stops it: each bad value is reported as one line
naming the file, the line and the key, and margin goes on with its default.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Where the notes pane can stand.
NOTES_SIDES = ("right", "left", "bottom")
#: The reading measure a config may ask for, in columns.
MEASURE_RANGE = (20, 200)
#: The notes pane's width (columns) or height (rows) a config may ask for.
NOTES_WIDTH_RANGE = (5, 200)

#: Key names Textual gives the keys that are not characters.
_NAMED_KEYS = frozenset(
    {
        "escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end",
        "pageup", "pagedown", "up", "down", "left", "right", "minus", "plus", "slash",
        "backslash", "at", "underscore", "less_than_sign", "greater_than_sign",
    }
)  # fmt: skip
_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_FUNCTION_KEY = re.compile(r"f([1-9]|1[0-9]|2[0-4])")
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)")


@dataclass
class Config:
    """Every setting, with margin's default for each one the file does not set (or sets badly)."""

    theme: str | None = None
    citation_style: str | None = None
    export_dir: str | None = None
    export_format: str | None = None
    measure: int | None = None
    notes_side: str = "right"
    notes_width: int | None = None
    notes_hidden: bool = False
    confirm_delete: bool = True
    plain: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    path: Path | None = None
    #: The line each setting was read from ("notes.side", "keys.reader.highlight"), for messages.
    lines: dict[str, int] = field(default_factory=dict)

    def problem(self, key: str, message: str) -> str:
        """One problem line about ``key`` (its line in the file when known)."""
        name = self.path.name if self.path is not None else "config.toml"
        line = self.lines.get(key)
        where = f"{name} line {line}" if line else name
        return f"{where}: {message}"


def config_path() -> Path:
    """``$MARGIN_CONFIG`` if set (and not empty), else config.toml in the user config directory."""
    env = os.environ.get("MARGIN_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("margin", appauthor=False)) / "config.toml"


def themes_dir() -> Path:
    """Where the user's own theme files live: ``themes/`` beside config.toml."""
    return config_path().parent / "themes"


def is_key_name(key: str) -> bool:
    """Whether ``key`` looks like a key Textual can bind: "h", "space", "ctrl+s", "f1"…"""
    parts = key.split("+")
    *modifiers, name = parts
    if any(modifier not in _MODIFIERS for modifier in modifiers) or not name:
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    if name in _NAMED_KEYS or _FUNCTION_KEY.fullmatch(name):
        return True
    # A character's Unicode name, as Textual spells it: question_mark, full_stop…
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return False
    try:
        return len(unicodedata.lookup(name.replace("_", " ").upper())) == 1
    except KeyError:
        return False


def load_config(path: Path | None = None) -> Config:
    """The settings in ``path`` (default: :func:`config_path`); never raises.

    A missing file is no problem (all defaults); a file that cannot be read or is
    not TOML gives one problem and all defaults; each bad value gives a problem
    and its default.
    """
    if path is None:
        path = config_path()
    config = Config(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8"
        config.problems.append(f"{path.name}: cannot be read: {reason.lower()}")
        return config
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_LINE.search(message)
        reason = _TOML_LINE.sub("", message).strip() or "not valid TOML"
        reason = reason[0].lower() + reason[1:]
        line = found.group(1) if found else None
        where = f"{path.name} line {line}" if line else path.name
        config.problems.append(f"{where}: not valid TOML ({reason}); margin uses its defaults")
        return config
    except (ValueError, RecursionError):
        config.problems.append(f"{path.name}: not valid TOML; margin uses its defaults")
        return config
    config.lines = _key_lines(text)
    _apply(config, data)
    return config


def _key_lines(text: str) -> dict[str, int]:
    """The line of each key, dotted with its table: "theme", "notes.side", "keys.reader.x"."""
    lines: dict[str, int] = {}
    table = ""
    key_re = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            header = re.match(r"\[\[?\s*([^\]]*?)\s*\]", stripped)
            table = header.group(1).strip().strip("\"'") if header else ""
            lines.setdefault(table, number)
            continue
        found = key_re.match(line)
        if found:
            key = found.group(1).strip("\"'")
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


def _show(value: Any) -> str:
    """A value as TOML writes it, for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _apply(config: Config, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "notes" and isinstance(value, dict):
            for sub, subvalue in value.items():
                _set_notes(config, sub, subvalue)
        elif key == "keys" and isinstance(value, dict):
            _set_keys(config, value)
        elif key in ("notes", "keys"):
            config.problems.append(config.problem(key, f"{key}: must be a table ([{key}])"))
        else:
            _set(config, key, value)


def _set(config: Config, key: str, value: Any) -> None:
    def bad(message: str) -> None:
        config.problems.append(config.problem(key, f"{key}: {message}"))

    if key in ("theme", "citation_style", "export_dir", "export_format"):
        if not isinstance(value, str) or not value.strip():
            bad(f'{_show(value)} is not a name (a string like "paper")')
            return
        value = value.strip()
        if key == "citation_style":
            from db.cite import STYLES

            value = {"chicago": "chicago-author-date"}.get(value, value)
            if value not in STYLES:
                bad(f"{_show(value)} is not a style ({', '.join(STYLES)})")
                return
        elif key == "export_format":
            from db.export import FORMATS

            if value not in FORMATS:
                bad(f"{_show(value)} is not a format ({', '.join(FORMATS)})")
                return
        setattr(config, key, value)
    elif key == "measure":
        low, high = MEASURE_RANGE
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            bad(f"{_show(value)} is not a number of columns from {low} to {high}")
            return
        config.measure = value
    elif key in ("confirm_delete", "plain"):
        if not isinstance(value, bool):
            bad(f"{_show(value)} is not true or false")
            return
        setattr(config, key, value)
    else:
        bad("unknown setting")


def _set_notes(config: Config, key: str, value: Any) -> None:
    dotted = f"notes.{key}"

    def bad(message: str) -> None:
        config.problems.append(config.problem(dotted, f"[notes] {key}: {message}"))

    if key == "side":
        if value not in NOTES_SIDES:
            bad(f"{_show(value)} is not a side ({', '.join(NOTES_SIDES)})")
            return
        config.notes_side = value
    elif key == "width":
        low, high = NOTES_WIDTH_RANGE
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            bad(f"{_show(value)} is not a number from {low} to {high}")
            return
        config.notes_width = value
    elif key == "hidden":
        if not isinstance(value, bool):
            bad(f"{_show(value)} is not true or false")
            return
        config.notes_hidden = value
    else:
        bad("unknown setting")


def _set_keys(config: Config, table: dict[str, Any]) -> None:
    for ident, value in table.items():
        if isinstance(value, dict):
            # [keys.reader] highlight = "x": the same as "reader.highlight" = "x".
            for sub, subvalue in value.items():
                _set_key(config, f"{ident}.{sub}", subvalue, f"keys.{ident}.{sub}")
        else:
            _set_key(config, ident, value, f"keys.{ident}")


def _set_key(config: Config, ident: str, value: Any, dotted: str) -> None:
    def bad(message: str) -> None:
        config.problems.append(config.problem(dotted, f"[keys] {ident}: {message}"))

    if not isinstance(value, str):
        bad(f'{_show(value)} is not keys (a string like "h,x")')
        return
    keys = [key.strip() for key in value.split(",")]
    wrong = [key for key in keys if not is_key_name(key)]
    if wrong:
        bad(f"{', '.join(_show(key) for key in wrong)} is not a key name")
        return
    config.keys[ident] = ",".join(keys)


def to_toml(config: Config) -> str:
    """The effective settings as TOML (unset ones as comments), for ``margin config show``."""

    def entry(key: str, value: Any) -> str:
        return f"# {key} = (default)" if value is None else f"{key} = {_show(value)}"

    out = [
        entry("theme", config.theme),
        entry("citation_style", config.citation_style),
        entry("export_dir", config.export_dir),
        entry("export_format", config.export_format),
        entry("measure", config.measure),
        entry("confirm_delete", config.confirm_delete),
        entry("plain", config.plain),
        "",
        "[notes]",
        entry("side", config.notes_side),
        entry("width", config.notes_width),
        entry("hidden", config.notes_hidden),
        "",
        "[keys]",
    ]
    out.extend(f"{_show(ident)} = {_show(keys)}" for ident, keys in sorted(config.keys.items()))
    return "\n".join(out) + "\n"

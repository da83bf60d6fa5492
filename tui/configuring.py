"""``margin config path|show|edit``, and the config's [keys] checked against margin's bindings.

A binding id in [keys] is written whole (``"reader.highlight" = "x"``, or
``highlight = "x"`` under ``[keys.reader]``), or by its name alone
(``highlight = "x"``), which rebinds every binding of that name (``delete``: in
the reader and in the library).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tui.cli import UsageError

if TYPE_CHECKING:
    from textual.binding import Binding

    from db.config import Config

#: Written to a new config.toml by ``margin config edit``: every setting, commented out.
TEMPLATE = """\
# margin's settings. Remove the "# " before a setting to use it; `margin config show`
# prints what margin makes of this file.

# theme = "paper"                  # dark, light, paper, or a theme file's name
# citation_style = "apa"           # apa, mla, chicago-author-date, chicago-notes, harvard, ieee
# export_dir = "~/notes"           # where the export dialog (e) proposes to write
# export_format = "md"             # md, json, csv, html, bibtex, csl-json
# measure = 80                     # the text's width in columns, 20 to 200
# confirm_delete = true            # d in the library asks before deleting a document
# plain = false                    # text markers instead of box drawing and colour cues

[notes]
# side = "right"                   # right, left or bottom
# width = 40                       # columns (right, left) or rows (bottom)
# hidden = false                   # start with the notes pane hidden

[keys]
# A binding id (see the Keys table in the README) = its keys, comma-separated.
# "reader.highlight" = "h,x"
# highlight = "h,x"                # a name alone rebinds it wherever it is bound
"""


@dataclass(frozen=True)
class Bound:
    """One binding margin declares: its owner class, default keys, and whether that is a screen."""

    ident: str
    owner: str
    keys: tuple[str, ...]
    screen: bool
    binding: Binding


def _normalize(keys: str) -> tuple[str, ...]:
    from textual.keys import _normalize_key_list

    return tuple(key for key in _normalize_key_list(keys).split(",") if key)


@cache
def known_bindings() -> dict[str, tuple[Bound, ...]]:
    """Every binding id in margin, by id (an id some classes share appears once per class)."""
    import importlib
    import inspect
    import pkgutil

    from textual.app import App
    from textual.binding import Binding
    from textual.screen import Screen

    import tui

    found: dict[str, list[Bound]] = {}
    for module_info in pkgutil.walk_packages(tui.__path__, "tui."):
        if module_info.name in ("tui.__main__",):
            continue
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or "BINDINGS" not in vars(cls):
                continue
            for binding in vars(cls)["BINDINGS"]:
                if isinstance(binding, Binding) and binding.id:
                    bound = Bound(
                        binding.id,
                        cls.__name__,
                        _normalize(binding.key),
                        issubclass(cls, (Screen, App)),
                        binding,
                    )
                    found.setdefault(binding.id, []).append(bound)
    return {ident: tuple(bounds) for ident, bounds in found.items()}


def resolve_keymap(config: Config) -> tuple[dict[str, str], list[str]]:
    """The keymap to give Textual from ``config.keys``, and its problems (unknown ids, clashes)."""
    known = known_bindings()
    keymap: dict[str, str] = {}
    written: dict[str, str] = {}  # binding id -> the name it was written as in [keys]
    problems: list[str] = []
    for name, keys in config.keys.items():
        if name in known:
            idents = [name]
        else:
            idents = sorted(ident for ident in known if ident.split(".", 1)[-1] == name)
        if not idents:
            problems.append(
                config.problem(
                    f"keys.{name}",
                    f"[keys] {name}: no binding has this id (see the Keys table in the README)",
                )
            )
            continue
        for ident in idents:
            keymap[ident] = keys
            written[ident] = name
    problems.extend(_clashes(config, keymap, written))
    return keymap, problems


def _clashes(config: Config, keymap: dict[str, str], written: dict[str, str]) -> list[str]:
    """Two bindings of one context on one key, at least one of them moved there by the config.

    A context is an id's prefix (reader, library…); two of its classes clash
    only if they are active together (one of them is the screen), not two
    widgets of it that never have the focus at once.
    """
    known = known_bindings()
    final: dict[tuple[str, str], list[tuple[Bound, str]]] = {}
    for ident, bounds in known.items():
        context = ident.split(".", 1)[0]
        for bound in bounds:
            keys = _normalize(keymap[ident]) if ident in keymap else bound.keys
            for key in keys:
                final.setdefault((context, key), []).append((bound, ident))
    problems: list[str] = []
    reported: set[tuple[str, str]] = set()
    for (context, key), entries in sorted(final.items()):
        for i, (first, first_id) in enumerate(entries):
            for second, second_id in entries[i + 1 :]:
                if first_id == second_id or (first_id not in keymap and second_id not in keymap):
                    continue
                together = first.owner == second.owner or first.screen or second.screen
                pair = (min(first_id, second_id), max(first_id, second_id))
                if not together or pair in reported:
                    continue
                reported.add(pair)
                moved = first_id if first_id in keymap else second_id
                name = written[moved]
                problems.append(
                    config.problem(
                        f"keys.{name}",
                        f'[keys] "{_shown(key)}" is both {pair[0]} and {pair[1]} in the {context}',
                    )
                )
    return problems


def _shown(key: str) -> str:
    """A key as it is typed: "x", "?", "ctrl+s"."""
    from textual.keys import REPLACED_KEYS, key_to_character

    character = key_to_character(REPLACED_KEYS.get(key, key))
    if character is None or not character.isprintable() or character.isspace():
        return key
    return character


# --- margin config ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["path", "show", "edit"],
        metavar="ACTION",
        help=(
            "path: print where the config file is ($MARGIN_CONFIG, else config.toml in the "
            "user config directory); show: print the settings in force, as TOML, and the "
            "file's problems on stderr; edit: open it in $VISUAL or $EDITOR (made from a "
            "commented template if it is not there)"
        ),
    )


def run_config(args: argparse.Namespace) -> int:
    from db.config import config_path, load_config, to_toml

    path = config_path()
    if args.action == "path":
        print(path)
        return 0
    if args.action == "show":
        config = load_config(path)
        problems = list(config.problems)
        if config.keys:
            problems.extend(resolve_keymap(config)[1])
        sys.stdout.write(to_toml(config))
        for problem in problems:
            print(f"margin: {problem}", file=sys.stderr)
        return 1 if problems else 0
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise UsageError(f"set $VISUAL or $EDITOR to edit {path} (or edit it yourself)")
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(TEMPLATE, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot create {path}: {error.strerror or error}") from error
    try:
        status = subprocess.call([*shlex.split(editor), str(path)])
    except OSError as error:
        raise UsageError(f"cannot run the editor {editor!r}: {error.strerror or error}") from error
    return 0 if status == 0 else 1

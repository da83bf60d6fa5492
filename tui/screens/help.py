"""The help screen, written from the live bindings so it always tells the keys in force."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

#: A context's title and its bindings as (keys shown, description) rows.
HelpSection = tuple[str, list[tuple[str, str]]]


def binding_rows(bindings: Iterable[Binding], key_display: object) -> list[tuple[str, str]]:
    """One row per binding id (or action), with every key that triggers it."""
    rows: dict[str, tuple[list[str], str]] = {}
    for binding in bindings:
        ident = binding.id or binding.action
        shown = key_display(binding)  # type: ignore[operator]
        keys, _ = rows.setdefault(ident, ([], binding.description or binding.action))
        if shown not in keys:
            keys.append(shown)
    return [(" ".join(keys), description) for keys, description in rows.values()]


#: The contexts not in force on the current screen, in the order help lists them.
CONTEXT_TITLES = {
    "notes": "Notes pane (tab to it)",
    "library": "Library (o)",
    "search": "Search",
}
#: Dialogs, listed together in one section, each row naming its dialog.
DIALOG_NAMES = {
    "note": "Note editor",
    "tags": "Tag editor",
    "confirm": "Questions",
    "cite": "Citation",
    "export": "Export",
    "meta": "Metadata",
    "toc": "Contents",
    "error": "Errors",
}


def other_sections(
    shown: set[str], keymap: Mapping[str, str], key_display: object
) -> list[HelpSection]:
    """The keys of every context not in ``shown`` (id prefixes), as ``keymap`` binds them."""
    from tui.configuring import known_bindings

    groups: dict[str, list[Binding]] = {}
    for ident, bounds in known_bindings().items():
        context = ident.split(".", 1)[0]
        if context in shown or context in ("app", "reader", "help"):
            continue
        title = CONTEXT_TITLES.get(context, "Dialogs")
        for bound in bounds:
            binding = bound.binding
            description = binding.description or binding.action
            if context in DIALOG_NAMES:
                description = f"{DIALOG_NAMES[context]}: {description}"
            rebound = keymap.get(ident)
            for key in (rebound or binding.key).split(","):
                groups.setdefault(title, []).append(
                    replace(
                        binding,
                        key=key.strip(),
                        description=description,
                        key_display=None if rebound else binding.key_display,
                    )
                )
    order = [*CONTEXT_TITLES.values(), "Dialogs"]
    return [(title, binding_rows(groups[title], key_display)) for title in order if title in groups]


class HelpScreen(ModalScreen[None]):
    """Shows the keys by context; any of escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80%; max-width: 90; height: 85%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for title, rows in self.sections:
                table = Table(
                    title=Text(title, style="bold"), title_justify="left", box=None, expand=True
                )
                table.add_column("Keys", no_wrap=True, ratio=1)
                table.add_column("Does", ratio=3)
                for keys, description in rows:
                    table.add_row(Text(keys, style="bold"), Text(description))
                yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)

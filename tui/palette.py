"""The command palette: every action by name with its key now, and a theme chooser that previews.

The commands are read from the bindings in force on the screen the palette was
opened over, so a key changed in the config shows as changed, and an action
another screen adds is listed there without being written down twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList

if TYPE_CHECKING:
    from textual.app import App
    from textual.events import Click

#: Names in the palette for actions whose key description is too short to find by.
NAMES: dict[str, str] = {
    "app.quit": "Quit",
    "app.help": "Help: every key",
    "reader.library": "Library",
    "reader.search": "Search this document",
    "reader.search_all": "Search everything",
    "reader.export": "Export highlights",
    "reader.cite": "Cite",
    "reader.choose_citation": "Cite as… (choose a style)",
    "reader.copy_quote": "Copy the quote",
    "reader.metadata": "Metadata",
    "reader.toggle_pane": "Notes pane: go to it and back",
    "reader.toggle_notes": "Notes pane: show or hide",
    "reader.toc": "Contents",
    "reader.highlight": "Highlight",
    "reader.note": "Note on the highlight",
    "reader.tags": "Tags of the highlight",
    "reader.undo": "Undo",
}

#: Listed first, in this order, when nothing is typed yet; the rest follow as bound.
FIRST = (
    "palette.open",
    "reader.library",
    "reader.search",
    "reader.search_all",
    "reader.export",
    "reader.cite",
    "reader.choose_citation",
    "reader.copy_quote",
    "reader.metadata",
    "palette.theme",
    "reader.toggle_notes",
    "reader.toggle_pane",
    "app.help",
    "reader.toc",
    "app.quit",
)

#: Bindings that move a cursor or are the palette itself: found by key, not by name.
_SKIPPED_ACTIONS = frozenset(
    {"command_palette", "page_left", "page_right", "scroll_left", "scroll_right"}
)


@dataclass
class PaletteCommand:
    """One entry: its name, the keys that do it now ("" if none), and what runs it."""

    id: str
    name: str
    keys: str
    run: Callable[[], Any]
    help: str = ""


def keys_for(app: App[Any], bindings: list[Binding]) -> str:
    """The keys of one action as the help screen writes them: "j/down"."""
    shown: list[str] = []
    # margin's own keys first, then Textual's (ctrl+q beside q).
    for binding in sorted(bindings, key=lambda binding: binding.id is None):
        key = binding.key_display or app.get_key_display(binding)
        if key not in shown:
            shown.append(key)
    return "/".join(shown)


def palette_commands(app: App[Any], screen: Any) -> list[PaletteCommand]:
    """Every action reachable on ``screen``: its bindings in force, then open and theme."""
    grouped: dict[str, tuple[Any, list[Binding]]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or binding.action in _SKIPPED_ACTIONS or not binding.description:
            continue
        # Every binding of margin's has an id; those without are Textual's own
        # (focus moves, copying an input's text), of which only quitting is listed.
        key = binding.id or ("app.quit" if binding.action == "quit" else None)
        if key is None:
            continue
        grouped.setdefault(key, (active.node, []))[1].append(binding)
    commands = [
        PaletteCommand(
            id=key,
            name=NAMES.get(key, bindings[0].description),
            keys=keys_for(app, bindings),
            run=partial(app.run_action, bindings[0].action, node),
        )
        for key, (node, bindings) in grouped.items()
    ]
    commands.append(
        PaletteCommand("palette.open", "Open a file or web page…", "", partial(ask_for_path, app))
    )
    commands.append(
        PaletteCommand("palette.theme", "Theme… (previews as you move)", "", app.search_themes)
    )
    order = {key: index for index, key in enumerate(FIRST)}
    commands.sort(key=lambda command: order.get(command.id, len(order)))
    return commands


def _display(name: str | Content, keys: str) -> Content:
    name = name if isinstance(name, Content) else Content(name)
    if not keys:
        return name
    return Content.assemble(name, ("  " + keys, "bold"))


class MarginCommands(Provider):
    """The palette's commands: margin's actions by name, each with its current key."""

    def _commands(self) -> list[PaletteCommand]:
        return palette_commands(self.app, self.screen)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                _display(command.name, command.keys),
                command.run,
                text=command.name,
                help=command.help or None,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score,
                    _display(matcher.highlight(command.name), command.keys),
                    command.run,
                    text=command.name,
                    help=command.help or None,
                )


# -- themes --------------------------------------------------------------------


def theme_kind(name: str) -> str:
    """Where a theme comes from: "margin" (shipped), "textual" (Textual's own) or "yours"."""
    from textual.theme import BUILTIN_THEMES

    from tui.themes import builtin_theme_names

    if name in builtin_theme_names():
        return "margin"
    return "textual" if name in BUILTIN_THEMES else "yours"


def theme_names(app: App[Any]) -> list[str]:
    """Every theme the app knows: the one in force, margin's, the user's, then Textual's.

    The one in force comes first, so opening the chooser changes nothing on screen.
    """
    rank = {"margin": 1, "yours": 2, "textual": 3}
    current = app.theme
    return sorted(
        app.available_themes,
        key=lambda name: (0 if name == current else rank[theme_kind(name)], name),
    )


class ThemeChoices(Provider):
    """The themes, each chosen by name; moving through them previews each."""

    def _choices(self) -> Iterator[tuple[str, Callable[[], None]]]:
        palette = self.app.screen
        for name in theme_names(self.app):
            if isinstance(palette, ThemePalette):
                yield name, partial(palette.choose, name)
            else:
                yield name, partial(setattr, self.app, "theme", name)

    async def discover(self) -> Hits:
        for name, choose in self._choices():
            yield DiscoveryHit(_theme_display(self.app, name), choose, text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, choose in self._choices():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    _theme_display(self.app, name, matcher.highlight(name)),
                    choose,
                    text=name,
                )


_THEME_NOTES = {"margin": "", "yours": "your theme", "textual": "Textual's"}


def _theme_display(app: App[Any], name: str, shown: Content | None = None) -> Content:
    palette = app.screen
    original = palette.original if isinstance(palette, ThemePalette) else None
    notes = [_THEME_NOTES[theme_kind(name)], "in use" if name == (original or app.theme) else ""]
    note = ", ".join(n for n in notes if n)
    return _display(shown if shown is not None else name, f"({note})" if note else "")


class ThemePalette(CommandPalette):
    """The theme chooser: the highlighted theme is shown at once; escape goes back to the old one.

    A previewed theme is not remembered; only the one chosen with enter is.
    """

    def __init__(self) -> None:
        super().__init__(providers=[ThemeChoices], placeholder="Search for themes…")
        self.original: str | None = None
        self.chosen: str | None = None

    def on_mount(self) -> None:
        self.original = self.app.theme
        _set_preview(self.app, True)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        hit = getattr(event.option, "hit", None)
        name = getattr(hit, "text", None)
        if name in self.app.available_themes and self.chosen is None:
            self.app.theme = name

    def choose(self, name: str) -> None:
        """Keep ``name`` as the theme, and remember it for the next start."""
        self.chosen = name
        _set_preview(self.app, False)
        self.app.theme = name
        remember = getattr(self.app, "remember_theme", None)
        if remember is not None:
            remember(name)

    def revert(self) -> None:
        """Back to the theme in force when the chooser opened."""
        if self.chosen is None and self.original is not None:
            self.app.theme = self.original

    def _action_escape(self) -> None:
        self.revert()
        super()._action_escape()

    def _on_click(self, event: Click) -> None:  # type: ignore[override]
        if self.get_widget_at(event.screen_x, event.screen_y)[0] is self:
            self.revert()
        super()._on_click(event)

    def on_unmount(self) -> None:
        _set_preview(self.app, False)


def _set_preview(app: App[Any], previewing: bool) -> None:
    # While previewing, a theme shown is not yet a theme chosen: the app does not save it.
    app.theme_preview = previewing  # type: ignore[attr-defined]


# -- opening a file by name ------------------------------------------------------


class PathPrompt(ModalScreen[str | None]):
    """Asks for a file's path (or a web page's address); escape cancels."""

    DEFAULT_CSS = """
    PathPrompt { align: center middle; }
    PathPrompt > Vertical {
        width: 80%; max-width: 90; height: auto; padding: 1 2;
        background: $surface; border: round $primary;
    }
    PathPrompt Label { color: $foreground-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="open.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Open a file (a path, ~ for home) or a web page (https://…)")
            yield Input(placeholder="~/Documents/book.epub", id="path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_for_path(app: App[Any]) -> None:
    """Ask for a path, then open it as margin opens one given on the command line."""

    def chosen(path: str | None) -> None:
        if path:
            open_path(app, path)

    app.push_screen(PathPrompt(), chosen)


def open_path(app: App[Any], raw: str) -> None:
    """Open a file or a web address in the reader, on the loading screen; errors are told."""
    from db.documents import read_source
    from db.library import open_source, open_url
    from tui.screens.loading import LoadingScreen

    store = app.store  # type: ignore[attr-defined]
    if raw.startswith(("http://", "https://")):
        app.push_screen(
            LoadingScreen(
                raw, lambda progress: open_url(store, raw, progress=progress), can_go_back=True
            )
        )
        return
    path = os.path.abspath(os.path.expanduser(raw))
    if not os.path.isfile(path):
        what = "is a folder" if os.path.isdir(path) else "no such file"
        app.notify(f"{raw}: {what}", title="Open", severity="error")
        return
    name = os.path.basename(path)

    def opener(progress: Any) -> Any:
        return open_source(store, read_source(path), path=path, name=name, progress=progress)

    app.push_screen(LoadingScreen(name, opener, can_go_back=True))

"""The margin application: themes, app-wide keys, and the reader screen on the open document."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.screens.reader import ReaderScreen
from tui.themes import DEFAULT_THEME, VARIABLE_DEFAULTS, builtin_themes, colourless, user_themes

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.command import Provider
    from textual.dom import DOMNode
    from textual.scrollbar import ScrollBarRender
    from textual.widget import Widget

    from db.config import Config
    from db.documents import Progress
    from db.models import Document, LoadedText
    from db.store import Store
    from tui.screens.help import HelpSection
    from tui.screens.loading import LoadingScreen


#: Textual's own bindings that do nothing useful in margin (the text never scrolls sideways).
_HIDDEN_FROM_HELP = frozenset({"page_left", "page_right", "scroll_left", "scroll_right"})

#: Border kinds drawn without box-drawing or block characters.
_PLAIN_BORDERS = frozenset({"", "none", "hidden", "blank", "ascii"})
_BORDER_RULES = tuple(
    f"{part}_{edge}"
    for part in ("border", "outline")
    for edge in ("top", "right", "bottom", "left")
)


def _plain_scroll_bar() -> type[ScrollBarRender]:
    """A scroll bar whose thumb is whole cells of colour, without partial-block glyphs."""
    from textual.scrollbar import ScrollBarRender

    class PlainScrollBarRender(ScrollBarRender):
        VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
        HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8

    return PlainScrollBarRender


def _draw_borders_in_ascii(stylesheet: Any) -> None:
    """Make every border and outline this stylesheet gives a widget an ASCII one (plain mode).

    Done where the styles are applied, so dialogs, toasts and widgets mounted
    later are drawn the same way, whatever their own CSS says.
    """
    replace = stylesheet.replace_rules

    def replace_rules(node: Any, rules: Any, animate: bool = False) -> None:
        plain = dict(rules)
        for name in _BORDER_RULES:
            value = plain.get(name)
            if value and value[0] not in _PLAIN_BORDERS:
                plain[name] = ("ascii", value[1])
        replace(node, plain, animate=animate)

    stylesheet.replace_rules = replace_rules


def _margin_commands() -> type[Provider]:
    # Imported when the palette first opens, not at start.
    from tui.palette import MarginCommands

    return MarginCommands


class MarginApp(App[None]):
    """Reads and annotates one document at a time, keeping everything in the store."""

    TITLE = "margin"
    ENABLE_COMMAND_PALETTE = True
    # margin's own commands only: Textual's (its key panel, maximise, screenshot)
    # would come first in the list and add nothing a reader needs.
    COMMANDS: ClassVar[set[Any]] = {_margin_commands}

    #: True while the theme chooser shows themes in passing: those are not saved.
    theme_preview = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    def __init__(
        self,
        store: Store,
        document: Document | None = None,
        loaded: LoadedText | None = None,
        *,
        loading: LoadingScreen | None = None,
        config: Config | None = None,
        plain: bool = False,
        library_first: bool = False,
    ) -> None:
        """Read ``document``, or first open one with ``loading`` (a screen running the parse).

        ``library_first``: the library opens over the document at start (``margin``
        without one, once there is a choice to make).
        """
        super().__init__()
        self._draw_without_colour()
        from db.config import Config

        #: The user's settings (config.toml), already read and checked.
        self.config = config if config is not None else Config()
        #: Plain mode (--plain or the setting): no box drawing, highlights as text markers.
        self.plain = plain or bool(getattr(self.config, "plain", False))
        if self.plain:
            _draw_borders_in_ascii(self.stylesheet)
        if loading is None and (document is None or loaded is None):
            raise ValueError("MarginApp needs a document and its text, or a loading screen")
        self.store = store
        self.document = document
        self.loaded = loaded
        self._loading = loading
        self._library_first = library_first
        for theme in builtin_themes():
            self.register_theme(theme)
        if self.config.path is not None:
            # Beside the built-in ones; a file that cannot be used is told, not fatal.
            found, problems = user_themes(self.config.path.parent / "themes")
            for theme in found:
                self.register_theme(theme)
            self.config.problems.extend(problems)
        saved = store.get_setting("theme", DEFAULT_THEME)
        wanted = self.config.theme
        if wanted is not None and f"margin-{wanted}" in self.available_themes:
            wanted = f"margin-{wanted}"  # "paper" for margin-paper, as its file is named
        if wanted is not None and wanted not in self.available_themes:
            names = ", ".join(sorted(self.available_themes))
            self.config.problems.append(
                self.config.problem("theme", f'theme: "{wanted}" is not a theme ({names})')
            )
            wanted = None
        # The config's theme is the one every start begins with; one chosen in the
        # palette lasts the session.
        name = wanted or saved
        self._start_with_theme(name if name in self.available_themes else DEFAULT_THEME)
        if self.config.keys:
            from tui.configuring import resolve_keymap

            self.set_keymap(resolve_keymap(self.config)[0])

    def _draw_without_colour(self) -> None:
        """Follow NO_COLOR (when not empty) and terminals without colour.

        Textual takes an empty NO_COLOR as set; the convention (no-color.org) does
        not. Drawn without colour, styles tell marks apart (``:nocolor`` rules).
        """
        import sys

        from textual.filter import Monochrome, NoColor

        stdout = sys.__stdout__
        tty = stdout is not None and stdout.isatty()
        wanted = colourless(os.environ, self.console.color_system, tty=tty)
        if wanted == self.no_color:
            return
        self.no_color = wanted
        filters = [f for f in self._filters if not isinstance(f, NoColor | Monochrome)]
        if wanted:
            filters.append(NoColor() if self.native_ansi_color else Monochrome())
        self._filters = filters

    def _start_with_theme(self, name: str) -> None:
        """Set the first theme without the stylesheet refresh a theme change costs.

        Nothing is styled yet, so the first styling can use it directly; this
        saves a full reparse of the CSS before the first screen.
        """
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self.set_class(True, f"-theme-{name}", update=False)
        self.stylesheet.set_variables(self.get_css_variables())

    def _start_widget(self, parent: Widget, widget: Widget) -> None:
        # Scroll bars are started here, not styled by the stylesheet: in plain mode
        # their thumbs are drawn without the block glyphs of their ends.
        if self.plain:
            from textual.scrollbar import ScrollBar

            if isinstance(widget, ScrollBar):
                widget.renderer = _plain_scroll_bar()  # type: ignore[misc]
        super()._start_widget(parent, widget)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **VARIABLE_DEFAULTS}

    def get_default_screen(self) -> Screen[None]:
        # The reader is the first screen itself: pushing it over a default screen
        # would style and lay out two screens before the first paint.
        if self._loading is not None:
            return self._loading
        assert self.document is not None and self.loaded is not None
        return ReaderScreen(self.store, self.document, self.loaded)

    @property
    def load_error(self) -> str | None:
        """Why the document given to open could not be (the app then exits with code 2)."""
        return self._loading.error if self._loading is not None else None

    def open_document(self, document: Document, offset: int | None = None) -> None:
        """Read a stored document (from the library or a search), at ``offset`` if given.

        Its file is read again if it is still there: unchanged, the stored text
        opens at once; changed, a book is parsed on the loading screen. A failure
        is told on an error screen, and the reader stays where it was.
        """
        from dataclasses import replace

        from db.documents import LoadError, read_source
        from db.library import needs_parsing, open_source, reopen
        from db.store import StoreError

        if offset is not None:
            document = replace(document, position=offset)
        data = None
        if document.path and os.path.isfile(document.path):
            try:
                data = read_source(document.path)
            except LoadError:
                data = None
        name = os.path.basename(document.path or "")
        fmt = data is not None and needs_parsing(self.store, data, path=document.path, name=name)
        if data is not None and fmt and fmt not in ("txt", "md"):
            from tui.screens.loading import LoadingScreen

            path, source = document.path, data

            def opener(progress: Progress) -> tuple[Document, LoadedText]:
                opened, loaded = open_source(
                    self.store, source, path=path, name=name, progress=progress
                )
                return (replace(opened, position=offset) if offset is not None else opened), loaded

            self.push_screen(LoadingScreen(name, opener, can_go_back=True))
            return
        try:
            opened, loaded = reopen(self.store, document)
        except (LoadError, StoreError) as error:
            from tui.screens.loading import ErrorScreen

            self.push_screen(ErrorScreen(str(error)))
            return
        if offset is not None:
            opened = replace(opened, position=offset)
        self.show_document(opened, loaded)

    def show_document(self, document: Document, loaded: LoadedText) -> None:
        """Read ``document`` in place of the current screen (the loading screen)."""
        self.document, self.loaded = document, loaded
        reader = ReaderScreen(self.store, document, loaded)
        # Dialogs, the library or a search over the reader close as the document opens.
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 1:
            # The first screen cannot be switched away (Textual keeps no result
            # callback for it): the reader goes over it, and quitting quits.
            self.push_screen(reader)
        else:
            self.switch_screen(reader)

    def on_mount(self) -> None:
        if self._library_first and isinstance(self.screen, ReaderScreen):
            from tui.screens.library import LibraryScreen, library_rows

            # Read here, not in a thread: nothing is on screen before the library anyway,
            # and a thread would share the processor with the start of the app.
            rows = library_rows(self.store)
            self.push_screen(LibraryScreen(self.store, current=self.screen.document.id, rows=rows))
        # The same lines went to stderr, which the app's screen now hides.
        if self.config.problems:
            self.notify(
                "\n".join(self.config.problems),
                title="Config problems: defaults used (margin config show)",
                severity="warning",
                timeout=10,
            )

    def watch_theme(self, theme: str) -> None:
        if not self.theme_preview:
            self.remember_theme(theme)

    def remember_theme(self, theme: str) -> None:
        """Save ``theme`` as the one the next start opens in."""
        from db.store import StoreError

        try:
            if not self.store.read_only and self.store.get_setting("theme") != theme:
                self.store.set_setting("theme", theme)
        except StoreError as error:
            self.not_saved(error)

    # -- a write that fails (a full disk, a database another program holds) -

    def not_saved(self, error: Exception) -> None:
        """Tell the reader a change was not saved; margin goes on with what it has."""
        self.notify(f"Not saved: {error}", title="margin", severity="error", timeout=10)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        # Every key's action: a StoreError there would otherwise end the app with a
        # traceback (Textual stops a widget's message loop on an exception).
        from db.store import StoreError

        try:
            return await super().run_action(action, default_namespace, namespaces)
        except StoreError as error:
            self.not_saved(error)
            return True

    def push_screen(self, screen: Any, callback: Any = None, wait_for_dismiss: bool = False) -> Any:
        # A dialog's result is written by its callback (a note, tags, metadata):
        # guarded as actions are.
        if callback is not None:
            callback = self._guarded(callback)
        return super().push_screen(screen, callback, wait_for_dismiss=wait_for_dismiss)  # type: ignore[call-overload]

    def _guarded(self, callback: Callable[[Any], Any]) -> Callable[[Any], Any]:
        from db.store import StoreError

        def guarded(result: Any) -> Any:
            try:
                return callback(result)
            except StoreError as error:
                self.not_saved(error)
                return None

        return guarded

    def search_themes(self) -> None:
        from tui.palette import ThemePalette

        self.push_screen(ThemePalette())

    def help_sections(self) -> list[HelpSection]:
        """The keys in force on the current screen, grouped by where they act."""
        from tui.screens.help import binding_rows, other_sections

        groups: dict[str, list[Binding]] = {}
        names = {"app": "Everywhere", "reader": "Reading", "search": "Search prompt"}
        for active in self.active_bindings.values():
            binding = active.binding
            if binding.system or binding.action in _HIDDEN_FROM_HELP:
                continue
            context = (binding.id or "app.").split(".", 1)[0]
            groups.setdefault(names.get(context, context.title()), []).append(binding)
        # A binding with several keys appears once per key; binding_rows merges them.
        sections = [
            (title, binding_rows(bindings, self.get_key_display))
            for title, bindings in sorted(groups.items(), key=lambda item: item[0] != "Reading")
        ]
        shown = {
            (active.binding.id or "app.").split(".", 1)[0]
            for active in self.active_bindings.values()
        }
        return sections + other_sections(shown, self._keymap, self.get_key_display)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections()))

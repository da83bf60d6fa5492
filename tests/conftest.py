"""Shared fixtures: a store in a temporary folder, documents written there, and the app on them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from db.library import open_source
from db.store import Store
from tui.app import MarginApp

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "margin.db")
    yield opened
    opened.close()


@pytest.fixture
def make_app(store: Store, tmp_path: Path) -> Callable[..., MarginApp]:
    """An app reading a document given as text (written to a file) or as a fixture's name."""

    def make(
        text: str | None = None, *, fixture: str | None = None, name: str = "doc.txt"
    ) -> MarginApp:
        if fixture is not None:
            path = FIXTURES / fixture
        else:
            assert text is not None
            path = tmp_path / name
            path.write_text(text, encoding="utf-8")
        document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
        return MarginApp(store, document, loaded)

    return make


def book_text(paragraphs: int = 3000) -> str:
    """A book-sized text with chapter headings, long enough to be laid out in a window first."""
    parts = []
    for number in range(paragraphs):
        if number % 100 == 0:
            parts.append(f"CHAPTER {number // 100 + 1}")
        parts.append(
            f"Paragraph {number} begins here. It goes on for a while so that it wraps over "
            f"several rows at eighty columns, as a novel does. Marker{number} ends it."
        )
    return "\n\n".join(parts) + "\n"


@pytest.fixture
def long_book() -> Callable[..., str]:
    return book_text


@pytest.fixture(autouse=True)
def no_user_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never read the developer's own config.toml (keys, theme, export format)."""
    missing = tmp_path_factory.getbasetemp() / "no-config" / "config.toml"
    monkeypatch.setenv("MARGIN_CONFIG", str(missing))

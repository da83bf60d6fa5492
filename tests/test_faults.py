"""Writes that fail (a full disk, a locked database): told, nothing half-written, margin goes on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from db.store import Store

TEXT = "The first sentence is here. The second one follows it.\n\nA new paragraph."


@pytest.fixture
def full_disk(store: Store, monkeypatch: pytest.MonkeyPatch):
    """Turns the store's writes into SQLite's "disk is full" until undone."""

    @contextmanager
    def failing() -> Iterator[sqlite3.Connection]:
        raise store._error(sqlite3.OperationalError("database or disk is full"))
        yield  # pragma: no cover - a generator, never reached

    def fill() -> None:
        monkeypatch.setattr(store, "_transaction", failing)

    return fill


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_highlight_that_cannot_be_saved_is_told_and_margin_goes_on(
    make_app, store: Store, full_disk
) -> None:
    app = make_app(TEXT)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        full_disk()
        await pilot.press("h")
        await pilot.pause()
        assert any(n.startswith("Not saved: ") and "disk is full" in n for n in notices(app))
        assert store.highlights(app.document.id) == []
        assert app.return_code is None and app.is_running
        await pilot.press("j", "k")  # keys still work
        assert app.screen.article.cursor == 0


async def test_a_note_that_cannot_be_saved_is_told(
    make_app, store: Store, full_disk, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(TEXT)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        (made,) = store.highlights(app.document.id)
        await pilot.press("a", *"lost words", "ctrl+s")
        await pilot.pause()
        assert store.highlights(app.document.id)[0].note == "lost words"
        full_disk()
        await pilot.press("a", "ctrl+a", *"never saved", "ctrl+s")
        await pilot.pause()
        assert any(n.startswith("Not saved: ") for n in notices(app))
        monkeypatch.undo()
        assert store.get_highlight(made.id).note == "lost words"
        assert app.is_running

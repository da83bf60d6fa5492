"""What the reader looks like: SVG snapshots of its screen, compared pixel-free as text."""

from __future__ import annotations


def test_news_report_at_100_by_30(snap_compare, make_app):
    app = make_app(fixture="news.txt")
    assert snap_compare(app, terminal_size=(100, 30))


def test_markdown_blocks_with_a_search_in_paper(snap_compare, make_app, store):
    store.set_setting("theme", "margin-paper")
    app = make_app(fixture="typography.md")
    assert snap_compare(app, terminal_size=(110, 36), press=["slash", *"item", "enter", "j"])

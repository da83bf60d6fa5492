"""Where margin keeps its database when nobody says otherwise."""

from __future__ import annotations

import os
from pathlib import Path


def default_db_path() -> Path:
    """``$MARGIN_DB`` if set (and not empty), else ``margin.db`` in the platform's user data dir.

    The CLI's ``--db`` overrides both; that choice is made by the front end.
    """
    env = os.environ.get("MARGIN_DB")
    if env:
        return Path(env).expanduser()
    # Imported here so that a front end given --db or $MARGIN_DB never pays for it.
    from platformdirs import user_data_dir

    # appauthor=False: no "margin/margin" nesting on Windows.
    return Path(user_data_dir("margin", appauthor=False)) / "margin.db"

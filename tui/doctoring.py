"""`margin doctor [--fix]`: what db.doctor finds, one line each, and what --fix repaired."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.cli import UsageError, open_store


def run_doctor(args: argparse.Namespace) -> int:
    """Exit 0 when the library is sound, 1 when it is damaged (warnings alone are 0)."""
    from db.doctor import examine
    from db.paths import default_db_path
    from db.store import StoreError
    from tui.commands import _json, _one_line, _print

    db_path = Path(args.db or default_db_path()).expanduser()
    if not db_path.exists():
        raise UsageError(f"{db_path}: no such database (margin makes it on first use)")
    try:
        # --fix writes; without it the file is only read, so a damaged one stays as it was.
        store = open_store(db_path, create=False, read_only=not args.fix)
    except StoreError as error:
        raise UsageError(str(error)) from error
    try:
        report = examine(store, fix=args.fix)
    except (StoreError, ValueError) as error:
        raise UsageError(str(error)) from error
    finally:
        store.close()
    if args.json:
        _print(
            _json(
                [
                    {"level": f.level, "message": f.message, "fixed": f.fixed, "fixable": f.fixable}
                    for f in report.findings
                ]
            )
        )
        return 0 if report.healthy else 1
    lines = []
    for finding in report.findings:
        fixed = f" — {finding.fixed}" if finding.fixed else ""
        lines.append(f"{finding.level}: {_one_line(finding.message)}{fixed}")
    if not report.findings:
        lines.append(f"{db_path}: no problems found.")
    elif report.healthy and not args.fix and any(f.fixable for f in report.findings):
        lines.append("margin doctor --fix repairs the search index and drops what nothing uses.")
    _print("\n".join(lines) + "\n")
    return 0 if report.healthy else 1

"""Copying text out of margin: the system clipboard, else the terminal's (OSC 52); never raises."""

from __future__ import annotations

import os
from typing import Protocol

SYSTEM = "Copied to the system clipboard."
TERMINAL = "Sent to the terminal's clipboard (OSC 52)."
FAILED = "Could not copy: no clipboard is reachable."


class Terminal(Protocol):
    """What can receive OSC 52: a Textual App."""

    def copy_to_clipboard(self, text: str) -> None: ...


def _over_ssh() -> bool:
    # Over SSH the "system" clipboard is the remote machine's; the terminal's is the reader's.
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


def _system_copy(text: str) -> bool:
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:
        # pyperclip raises its own error without a clipboard program, and others when
        # one misbehaves; either way the terminal's clipboard is the way left.
        return False
    return True


def copy(terminal: Terminal, text: str) -> str:
    """Copy text wherever it can go; the sentence to tell the reader where it went."""
    if not _over_ssh() and _system_copy(text):
        return SYSTEM
    try:
        terminal.copy_to_clipboard(text)
    except Exception:
        return FAILED
    return TERMINAL

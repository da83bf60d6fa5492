"""Copying text out of margin: the system clipboard, else the terminal's (OSC 52); never raises.

The reader sends OSC 52 through its Textual app (:func:`copy`); the commands,
which have no app, write it straight to the controlling terminal
(:func:`copy_headless`), which it reaches even when stdout and stderr do not.
"""

from __future__ import annotations

import os
from typing import BinaryIO, Protocol

SYSTEM = "Copied to the system clipboard."
TERMINAL = "Sent to the terminal's clipboard (OSC 52)."
FAILED = "Could not copy: no clipboard is reachable."


class Terminal(Protocol):
    """What can receive OSC 52: a Textual App, or :class:`ControllingTerminal`."""

    def copy_to_clipboard(self, text: str) -> None: ...


def open_tty() -> BinaryIO:
    """The process's controlling terminal, open for writing; OSError when it has none."""
    return os.fdopen(os.open("/dev/tty", os.O_WRONLY), "wb")


class ControllingTerminal:
    """OSC 52 written to /dev/tty: the terminal's clipboard for a command with no app.

    Writing to the terminal itself, not to stdout or stderr, keeps the
    sequence out of a pipe or a file either may be sent to.
    """

    def copy_to_clipboard(self, text: str) -> None:
        import base64

        payload = base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")
        with open_tty() as tty:
            tty.write(f"\x1b]52;c;{payload}\a".encode("ascii"))


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


def copy_headless(text: str) -> str:
    """:func:`copy` for the commands: OSC 52 goes to the controlling terminal."""
    return copy(ControllingTerminal(), text)

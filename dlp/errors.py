"""Exceptions of the scanner, and the narrow set an item stage may catch and record.

Please add no exception here without saying in its docstring who raises it and who catches it.
"""

from __future__ import annotations

import zipfile

import pyzipper

from dlp.types import Reason


class DlpError(Exception):
    """Base class of the scanner's own errors."""


class ConfigError(DlpError, ValueError):
    """A configuration key or value is wrong. Raised at start-up; the message names the key and the fix."""


class NotConfigured(DlpError):
    """Raised by a component's ``from_config`` when it stays disabled (a missing optional library, say)."""


class ItemError(DlpError):
    """An item could not be read or parsed. Raised by extractors; the pipeline records it, then goes on.

    The message must never contain a raw value from the item: say what kind of problem, not what text.
    """

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


class NotExamined(ItemError):
    """The item was deliberately not examined: encrypted, unsupported, over a limit."""

    def __init__(
        self,
        reason: Reason,
        detail: str = "",
        *,
        encrypted: bool = False,
        cipher: str | None = None,
        key_bits: int | None = None,
    ) -> None:
        super().__init__(reason, detail)
        self.encrypted = encrypted
        self.cipher = cipher
        self.key_bits = key_bits


# NOTE: intentionally narrow. Parsers of hostile input raise these for malformed data; anything else
# (MemoryError, a bug of ours) must not be mistaken for "this file is broken", so it is not listed.
# The worker still records any other exception as reason `internal` so that one file cannot stop a
# scan, but logs it with its traceback as a defect.
EXPECTED_ITEM_ERRORS: tuple[type[BaseException], ...] = (
    ItemError,
    OSError,
    UnicodeError,
    ValueError,
    KeyError,
    IndexError,
    zipfile.BadZipFile,
    # pyzipper has its own copy of zipfile, with its own BadZipFile (not a subclass of the standard one).
    pyzipper.BadZipFile,
    EOFError,
)

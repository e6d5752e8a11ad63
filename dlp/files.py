"""Files that can hold personal information or findings: created readable by their owner only (0600).

Logs name attachments and rules, ``--output`` files may carry values (``--show-values``), reports list
findings: none of them may be readable by every account on the host, which a default umask of 022 makes
them. Every such file is opened through :func:`open_private` (or :class:`PrivateFileHandler` for a log),
which creates it 0600 and takes an existing file down to 0600 before writing to it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import IO, Any

PRIVATE_MODE = 0o600


def open_private(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8",
                 **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for a file that may hold PI: created 0600, an existing one narrowed to 0600.

    ``mode`` is one of ``w``, ``a``, ``x`` with ``b`` or ``t`` (reading needs no care). The mode is set on
    the open descriptor, so no other account can open the file between its creation and the first write.
    """
    base = mode.replace("b", "").replace("t", "")
    flags = {"w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC, "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
             "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL}.get(base.replace("+", ""))
    if flags is None:
        raise ValueError(f"open_private: mode {mode!r} does not write")
    if "+" in base:
        flags = (flags & ~os.O_WRONLY) | os.O_RDWR
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), PRIVATE_MODE)
    try:
        info = os.fstat(fd)
        # Only a regular file is narrowed: `--output /dev/null` or a FIFO belongs to the system, and taking
        # /dev/null down to 0600 breaks every other program on the host.
        if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(fd, PRIVATE_MODE)  # an older file from before this rule, or another umask
        return os.fdopen(fd, mode, encoding=None if "b" in mode else encoding, **kwargs)
    except BaseException:
        os.close(fd)
        raise


class PrivateFileHandler(logging.FileHandler):
    """A :class:`logging.FileHandler` whose file is created 0600 (see :func:`open_private`)."""

    def _open(self) -> Any:
        return open_private(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors)


def tighten_log_files(logger: logging.Logger | None = None) -> list[str]:
    """Narrow the files of ``logger``'s (default: the root logger's) file handlers to 0600; return them.

    For the long-running services, whose log was opened before they started: their log names every
    check, so no other account may read it.
    """
    done = []
    for handler in (logger or logging.getLogger()).handlers:
        # multiprocessing_logging wraps the real handler; look through it too.
        for h in (handler, getattr(handler, "sub_handler", None)):
            if isinstance(h, logging.FileHandler):
                path = Path(h.baseFilename)
                if path.is_file() and stat.S_IMODE(path.stat().st_mode) & 0o077:
                    path.chmod(PRIVATE_MODE)
                done.append(str(path))
    return done

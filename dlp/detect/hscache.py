"""Compiled Hyperscan databases kept on disk, so that a worker's start-up does not compile them again.

Compiling the prefilter's and the layout gate's pattern sets costs more than a second of every worker
process's start (and of every pre-send service restart); loading the serialized database takes
milliseconds. The cache lives in ``<data home>/cache/hyperscan`` (the data home holds the store and the
key and is private to the scanner's account); on a host without a data home (a Dask worker on another
machine, whose store and key are elsewhere) in the account's cache folder, ``$XDG_CACHE_HOME/dlp/hyperscan``
(``~/.cache/dlp/hyperscan``). One file per pattern set, named by a digest of the patterns, their flags,
the Hyperscan version and this machine's CPU, so a changed pattern or another host never loads a stale
database; the least recently used files beyond the newest few are removed when one is added, so pattern
changes over the years do not fill the disk. It is only a cache: when the folder cannot be used, or a
file does not load, the database is compiled as before. Other start-up data that is slow to build and
the same in every process (the name lexicon, ``detectors/name_lexicon.py``) is kept the same way, in a
folder of its own beside (:func:`cache_folder`, :func:`store`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import platform
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_FORMAT = b"dlp-hyperscan-cache 1"

# Files kept in the folder: every pattern set in use (the prefilter's, the layout gate's, a pre-send
# service's with other settings) and room for the sets of the previous version during an upgrade.
_KEEP = 12


@functools.lru_cache(maxsize=1)
def _host() -> bytes:
    """The CPU a compiled database is tuned for: architecture and the instruction-set flags."""
    flags = b""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_bytes().splitlines():
            if line.startswith((b"flags", b"Features")):
                flags = line
                break
    return platform.machine().encode() + b"\0" + flags


def cache_folder(kind: str = "hyperscan") -> Path | None:
    """The cache folder for ``kind``, created private: inside the data home where there is one, else in the
    account's cache folder; None when neither can be used."""
    from dlp.config import data_home

    home = data_home()
    if home.is_dir():
        folder = home / "cache" / kind
    else:
        # Never create the data home itself (that is the store's business): a worker on a host without
        # one caches where the platform keeps per-account caches.
        xdg = os.environ.get("XDG_CACHE_HOME")
        try:
            base = Path(xdg) if xdg else Path.home() / ".cache"
        except RuntimeError:  # no home directory known for this account
            return None
        folder = base / "dlp" / kind
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def compile_database(hyperscan: Any, expressions: Sequence[bytes], flags: Sequence[int], *, kind: str = "hyperscan",
                     keep: int | None = None) -> Any:
    """A block-mode database of ``expressions`` (ids 0..n-1) with ``flags``, from the cache when it is there.

    ``kind`` and ``keep``: the cache folder and how many of its files are kept (see :func:`store`); the many
    small databases of the term matchers have a folder of their own, apart from the few large ones.

    Raises ``hyperscan.error`` as ``Database.compile`` does when the set does not compile (nothing is
    cached then).
    """
    digest = hashlib.sha256(_FORMAT)
    digest.update(str(getattr(hyperscan, "__version__", "")).encode() + b"\0" + _host())
    for expression, flag in zip(expressions, flags, strict=True):
        digest.update(len(expression).to_bytes(8, "big") + expression + flag.to_bytes(8, "big"))
    folder = cache_folder(kind)
    path = folder / f"{digest.hexdigest()}.hsdb" if folder is not None else None
    if path is not None and path.is_file():
        try:
            loaded = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
            # A deserialized database has no scratch space: scanning it fails (InvalidError) until one
            # is allocated, which Database.compile does by itself.
            loaded.scratch = hyperscan.Scratch(loaded)
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: kept when older files are pruned
            return loaded
        except (OSError, hyperscan.error) as exc:
            log.debug("hyperscan cache: %s did not load (%s); compiling", path.name, type(exc).__name__)
    db = hyperscan.Database()
    db.compile(expressions=list(expressions), ids=list(range(len(expressions))), elements=len(expressions),
               flags=list(flags))
    if path is not None:
        store(path, hyperscan.dumpb(db), keep)
    return db


def store(path: Path, data: bytes, keep: int | None = None) -> None:
    """Write atomically (workers starting together may write the same file), then keep only the ``keep`` most
    recently used files of the folder with the same suffix (None: the Hyperscan cache's number); a failure
    only costs time."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return
    _prune(path.parent, path.suffix, _KEEP if keep is None else keep)


def _prune(folder: Path, suffix: str, keep: int) -> None:
    """Remove all but the ``keep`` most recently used files (another process may remove them first)."""
    dated: list[tuple[float, Path]] = []
    for file in folder.glob(f"*{suffix}"):
        with contextlib.suppress(OSError):
            dated.append((file.stat().st_mtime, file))
    dated.sort(reverse=True)
    for _, stale in dated[keep:]:
        with contextlib.suppress(OSError):
            stale.unlink()

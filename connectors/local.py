"""A local folder or a mounted share (NFS, CIFS, a USB disk): walked recursively with ``os.scandir``.

Symlinks are followed safely: a link into a folder already being walked is a loop and is reported, a
link that leads outside the scanned root is reported and not followed unless
``[scan] allow_outside_root`` is set, and each real folder is walked once even when two links lead to it.
Anything that is not a regular file (a FIFO, a socket, a device) is reported and never opened: reading
a FIFO would block the scan forever.

Access (issue 17): :meth:`LocalConnector.access` gives a file's exposure from its mode bits, its POSIX
ACL and the folders above it (:mod:`dlp.access.posix`); the scan asks it only for items with PI.
:meth:`LocalConnector.acl_state` and :meth:`LocalConnector.set_acl_state` read and write mode and ACL for
remediation (:mod:`dlp.access.remove`).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from connectors.base import Connector
from dlp.access.exposure import BroadGroups
from dlp.access.posix import PosixAccess, posix_state, set_posix_state
from dlp.config import ScanSettings, Settings
from dlp.errors import ConfigError, ItemError
from dlp.types import Item, ItemRef, Reason, Status

# Folders and files that Windows and NAS appliances create and hide; skipped unless `hidden = true`.
_SYSTEM_NAMES = frozenset(
    {"$recycle.bin", "system volume information", "thumbs.db", "desktop.ini", ".snapshot", "~snapshot",
     "recycler", "$windows.~bt", "lost+found"}
)


class LocalConnector(Connector):
    """Reads a path on this machine; a mounted share is a path too."""

    name: ClassVar[str] = "local"
    schemes: ClassVar[tuple[str, ...]] = ("local", "file")

    def __init__(self, root: str, display: str, scan: ScanSettings) -> None:
        self.root = Path(root)
        self.display = display.rstrip("/") or display
        self.scan = scan
        self.real_root = os.path.realpath(root)
        self.source_key = f"local:{self.real_root}"
        self._posix: PosixAccess | None = None  # folders' permissions, remembered for the run
        self._owners: dict[int, str] = {}  # uid -> account name, for the current walk

    @classmethod
    def from_uri(cls, uri: str, settings: Settings) -> LocalConnector:
        """Build from a path or ``file://`` URI given on the command line."""
        path = uri.split("://", 1)[1] if "://" in uri else uri
        if not os.path.lexists(path):
            raise ConfigError(f"source {uri!r} does not exist")
        return cls(path, uri, settings.scan)

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], settings: Settings) -> LocalConnector:
        """Build from ``[sources.NAME]`` with ``type = "local"`` and ``path = "..."``."""
        unknown = set(options) - {"path"}
        if unknown:
            raise ConfigError(f"[sources.{name}] unknown key {sorted(unknown)[0]!r}; a local source takes: path")
        path = options.get("path")
        if not isinstance(path, str) or not path:
            raise ConfigError(f"[sources.{name}] path must be the folder to scan")
        if not os.path.isabs(os.path.expanduser(path)) and settings.path:
            # Relative to the config file, so that the command works from any folder.
            path = os.path.join(os.path.dirname(os.path.abspath(settings.path)), path)
        path = os.path.expanduser(path)
        if not os.path.lexists(path):
            raise ConfigError(f"[sources.{name}] path {path!r} does not exist")
        return cls(path, name, settings.scan)

    # -- enumeration --

    def enumerate(self) -> Iterator[ItemRef]:
        """Walk the root depth-first in name order; report what cannot be walked."""
        root = str(self.root)
        if not os.path.isdir(root):
            yield from self._file(root, os.path.basename(root) or root, is_root=True)
            return
        self._owners = {}  # named anew on every walk: an account renamed between runs gets its new name
        visited: set[tuple[int, int]] = set()
        st = os.stat(root)
        visited.add((st.st_dev, st.st_ino))
        yield from self._walk(root, PurePosixPath(), visited)

    def _walk(self, directory: str, rel: PurePosixPath, visited: set[tuple[int, int]]) -> Iterator[ItemRef]:
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except PermissionError:
            yield self._problem(rel, Status.ERROR, Reason.PERMISSION_DENIED, "folder cannot be listed")
            return
        except FileNotFoundError:
            yield self._problem(rel, Status.NOT_EXAMINED, Reason.VANISHED, "folder vanished while listed")
            return
        except OSError as exc:
            yield self._problem(rel, Status.ERROR, Reason.UNREADABLE, f"folder cannot be listed ({exc.strerror})")
            return
        for entry in entries:
            child = rel / entry.name
            if not self.scan.hidden and _is_hidden(entry.name):
                continue
            try:
                is_link = entry.is_symlink()
                if is_link and not self.scan.follow_symlinks:
                    continue
                target = os.path.realpath(entry.path) if is_link else entry.path
                if is_link and not self.scan.allow_outside_root and not _inside(target, self.real_root):
                    yield self._problem(child, Status.NOT_EXAMINED, Reason.OUTSIDE_ROOT,
                                        "symlink leads outside the scanned root")
                    continue
                st = os.stat(entry.path)  # follows the link
            except FileNotFoundError:
                yield self._problem(child, Status.ERROR if is_link else Status.NOT_EXAMINED, Reason.VANISHED,
                                    "broken symlink" if is_link else "file vanished while listed")
                continue
            except PermissionError:
                yield self._problem(child, Status.ERROR, Reason.PERMISSION_DENIED, "cannot be read")
                continue
            except OSError as exc:
                # ELOOP from a link chain that points at itself lands here.
                yield self._problem(child, Status.NOT_EXAMINED, Reason.SYMLINK_LOOP, f"cannot resolve ({exc.strerror})")
                continue
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key in visited:
                    yield self._problem(child, Status.NOT_EXAMINED, Reason.SYMLINK_LOOP,
                                        "symlink to a folder already scanned")
                    continue
                visited.add(key)
                yield from self._walk(entry.path, child, visited)
            elif stat.S_ISREG(st.st_mode):
                if self._selected(str(child)):
                    yield self._ref(child, target, st)
            else:
                yield self._problem(child, Status.NOT_EXAMINED, Reason.UNSUPPORTED,
                                    "not a regular file (device, FIFO or socket)")

    def _file(self, path: str, rel: str, *, is_root: bool = False) -> Iterator[ItemRef]:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            yield self._problem(PurePosixPath(rel), Status.ERROR, Reason.VANISHED, "broken symlink")
            return
        except PermissionError:
            yield self._problem(PurePosixPath(rel), Status.ERROR, Reason.PERMISSION_DENIED, "cannot be read")
            return
        if not stat.S_ISREG(st.st_mode):
            yield self._problem(PurePosixPath(rel), Status.NOT_EXAMINED, Reason.UNSUPPORTED, "not a regular file")
            return
        yield self._ref(PurePosixPath(rel), os.path.realpath(path), st, is_root=is_root)

    def _selected(self, rel: str) -> bool:
        if self.scan.include and not any(_match(rel, pat) for pat in self.scan.include):
            return False
        return not any(_match(rel, pat) for pat in self.scan.exclude)

    def _uri(self, rel: PurePosixPath, is_root: bool = False) -> str:
        if is_root or str(rel) == ".":
            return self.display
        return f"{self.display}/{rel}"

    def _owner(self, uid: int) -> str:
        """The owner's name, looked up once per account and walk: a share has few owners and many files, and
        each lookup reads the account database (a third of an unchanged rescan's walk when done per file)."""
        name = self._owners.get(uid)
        if name is None:
            name = self._owners[uid] = _owner(uid)
        return name

    def _ref(self, rel: PurePosixPath, real: str, st: os.stat_result, *, is_root: bool = False) -> ItemRef:
        return ItemRef(
            source=self.source_key,
            item_id=str(rel),
            uri=self._uri(rel, is_root),
            size=st.st_size,
            modified=st.st_mtime,
            etag=f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}",
            owner=self._owner(st.st_uid),
            local_path=real,
        )

    def _problem(self, rel: PurePosixPath, status: Status, reason: Reason, detail: str) -> ItemRef:
        return ItemRef(source=self.source_key, item_id=str(rel), uri=self._uri(rel), status=status,
                       reason=reason, detail=detail)

    # -- access (issue 17) --

    def access(self, ref: ItemRef, broad: BroadGroups) -> tuple[str, ...]:
        """The exposure values of a listed file (``other_readable``, ``group:NAME``).

        Raises:
            ItemError: the file can no longer be looked at.
        """
        if ref.local_path is None:
            return ()
        if self._posix is None or self._posix.broad != broad:
            self._posix = PosixAccess(broad)
        try:
            return self._posix.exposure(ref.local_path, self.real_root)
        except OSError as exc:
            raise ItemError(Reason.UNREADABLE, f"permissions cannot be read ({exc.strerror})") from None

    def acl_state(self, ref: ItemRef) -> dict[str, Any]:
        """The file's mode, group and POSIX ACL, JSON-ready (remediation's "before").

        Raises:
            ItemError: the file can no longer be looked at.
        """
        try:
            return posix_state(self._path(ref))
        except OSError as exc:
            raise ItemError(Reason.UNREADABLE, f"permissions cannot be read ({exc.strerror})") from None

    def set_acl_state(self, ref: ItemRef, state: dict[str, Any]) -> None:
        """Write a state from :meth:`acl_state` back (mode, then ACL).

        Raises:
            ItemError: the file is gone or may not be changed.
        """
        try:
            set_posix_state(self._path(ref), state)
        except OSError as exc:
            raise ItemError(Reason.PERMISSION_DENIED, f"permissions cannot be changed ({exc.strerror})") from None

    def _path(self, ref: ItemRef) -> str:
        if ref.local_path is None:
            raise ItemError(Reason.UNREADABLE, "not a file on this machine")
        return ref.local_path

    # -- content --

    def fetch(self, ref: ItemRef) -> Item:
        """The item with its path; the worker reads it (no bytes cross the process boundary)."""
        return Item(ref=ref, name=os.path.basename(ref.item_id) or ref.item_id, path=ref.local_path)

    def content_hash(self, ref: ItemRef) -> str | None:
        """SHA-256 of the file, read in 1 MiB blocks; ``None`` if it cannot be read now."""
        if ref.local_path is None:
            return None
        digest = hashlib.sha256()
        try:
            with open(ref.local_path, "rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
        except OSError:
            return None  # the worker meets the same problem and records it with its reason
        return digest.hexdigest()


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$") or name.lower() in _SYSTEM_NAMES


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _match(rel: str, pattern: str) -> bool:
    """Glob on the relative path; a pattern without a slash also matches the bare file name."""
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    if "/" not in pattern and fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], pattern):
        return True
    # "folder/**" and "**/x" forms: fnmatch's * already crosses slashes, so strip the redundant parts.
    return pattern.endswith("/**") and (rel + "/").startswith(pattern[:-2])


def _owner(uid: int) -> str:
    """The account name of ``uid`` (the number itself when the system has no name for it)."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (KeyError, ImportError):
        return str(uid)

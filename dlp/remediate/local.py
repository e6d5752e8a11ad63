"""Remediation on this machine's file system (a local folder or a mounted share): broad grants taken
off a file's mode and POSIX ACL (:mod:`dlp.remediate.acl`), or quarantine.

The quarantine folder is ``[remediate] local_quarantine`` (default ``<data home>/quarantine``), one
sub-folder per source, created 0700 for the account that runs ``remediate``: the files keep their own
modes, and the folder shuts everyone else out. A rename keeps content, times and ownership; across file
systems the file is copied with its times and mode, then removed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

from connectors.local import LocalConnector
from dlp.access.exposure import BroadGroups
from dlp.config import Settings, data_home
from dlp.remediate.acl import AccessRemoval
from dlp.remediate.files import FileRemediation, FileSystem, Quarantine
from dlp.types import ItemRef


class LocalFileSystem(FileSystem):
    """``os`` operations under one source root and one quarantine folder."""

    def __init__(self, root: str, quarantine: str) -> None:
        self.root = root
        self.qroot = quarantine

    def source_path(self, rel: str) -> str:
        """The file under the root (the root itself for a one-file source)."""
        if os.path.isfile(self.root) and rel == os.path.basename(self.root):
            return self.root
        return os.path.join(self.root, *rel.split("/"))

    def quarantine_path(self, rel: str) -> str:
        """A path under the quarantine folder."""
        return os.path.join(self.qroot, *rel.split("/"))

    def quarantine_root(self) -> str:
        """The quarantine folder of this source."""
        return self.qroot

    def exists(self, path: str) -> bool:
        """Whether anything (a dangling link too) is at ``path``."""
        return os.path.lexists(path)

    def is_file(self, path: str) -> bool:
        """A regular file, not a link."""
        return os.path.isfile(path) and not os.path.islink(path)

    def make_folder(self, path: str) -> None:
        """The folder and its parents, 0700; the quarantine root is made 0700 even if it existed."""
        os.makedirs(path, mode=0o700, exist_ok=True)
        os.chmod(self.qroot, 0o700)

    def rename(self, src: str, dst: str) -> None:
        """Rename; across file systems, copy with times and mode, then remove the original."""
        try:
            os.rename(src, dst)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.copy2(src, dst)
            os.remove(src)

    def write_text(self, path: str, text: str) -> None:
        """A new file, readable by the people who used the folder (0644)."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)

    def read_text(self, path: str) -> str:
        """The first 4 KiB of a file, as text."""
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(4096)

    def remove(self, path: str) -> None:
        """Delete a file."""
        os.remove(path)

    def remove_empty_folder(self, path: str) -> bool:
        """Delete an empty folder."""
        try:
            os.rmdir(path)
        except OSError:
            return False
        return True

    def mtime_ns(self, path: str) -> int:
        """The modified time in nanoseconds."""
        return os.stat(path).st_mtime_ns

    def set_mtime_ns(self, path: str, mtime_ns: int) -> None:
        """Set the modified time, keeping the access time."""
        os.utime(path, ns=(os.stat(path).st_atime_ns, mtime_ns))

    def parent(self, path: str) -> str:
        """The containing folder."""
        return os.path.dirname(path)


def quarantine_folder(settings: Settings, source: str) -> str:
    """The quarantine folder of one local source: a sub-folder named by a hash of the source key."""
    base = Path(settings.remediate.local_quarantine).expanduser() if settings.remediate.local_quarantine \
        else data_home() / "quarantine"
    return str(base / hashlib.sha256(source.encode()).hexdigest()[:12])


def target(settings: Settings, source: str) -> FileRemediation:
    """The target of a local source (``local:/real/root``): broad grants removed, or quarantine."""
    root = source.removeprefix("local:")
    fs = LocalFileSystem(root, quarantine_folder(settings, source))
    connector = LocalConnector(root, root, settings.scan)

    def locate(rel: str) -> ItemRef:
        path = fs.source_path(rel)
        return ItemRef(source=source, item_id=rel, uri=path, local_path=path)

    access = AccessRemoval(connector, BroadGroups.from_config(settings.access.broad_groups), locate)
    return FileRemediation(Quarantine(fs, settings.remediate.contact), access, settings.remediate.file_action)

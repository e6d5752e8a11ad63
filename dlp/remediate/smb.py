"""Remediation on an SMB share, through the SMB connector's pooled, retrying connections: broad ACEs
taken off a file's DACL (:mod:`dlp.remediate.acl`, the connector's ``acl_state``), or quarantine.

The quarantine folder is ``[remediate] smb_quarantine`` (default ``.dlp-quarantine``) under the source's
folder on the same share, so that a quarantine is a server-side rename: the file keeps its content, times
and security descriptor, and no byte crosses the network. Its name starts with a dot, so scans pass it by
(``[scan] hidden = false``). Access: a folder that exists is left as it is, so an administrator who
creates it with a restricted DACL (the security office only) keeps that DACL; one made here inherits the
share's. The source comes from the ``[sources.NAME]`` of type smb whose key matches the stored item's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import smbclient
from smbprotocol.exceptions import SMBOSError

from connectors.smb import SmbConnector
from dlp.access.exposure import BroadGroups
from dlp.config import Settings
from dlp.remediate.acl import AccessRemoval
from dlp.remediate.files import FileRemediation, FileSystem, Quarantine
from dlp.types import ItemRef

T = TypeVar("T")


class SmbFileSystem(FileSystem):
    """``smbclient`` operations on one share (UNC paths), each through the connector's retries."""

    sep: ClassVar[str] = "\\"

    def __init__(self, connector: SmbConnector, quarantine: str) -> None:
        self.connector = connector
        self.qrel = quarantine.strip("/\\").replace("\\", "/")

    def _do(self, operation: Callable[[dict[str, Any]], T], what: str) -> T:
        # The connector's own call path: a pooled logon, a watchdog and reconnection on a dropped link.
        return self.connector._call(operation, what)

    def source_path(self, rel: str) -> str:
        """The UNC path of a file of the source."""
        return self.connector._unc(rel)

    def quarantine_path(self, rel: str) -> str:
        """A UNC path under the quarantine folder."""
        return self.connector._unc(f"{self.qrel}/{rel}")

    def quarantine_root(self) -> str:
        """The quarantine folder."""
        return self.connector._unc(self.qrel)

    def exists(self, path: str) -> bool:
        """Whether anything is at ``path``."""
        return self._do(lambda kw: bool(smbclient.path.lexists(path, **kw)), "checking a path")

    def is_file(self, path: str) -> bool:
        """Whether a regular file is at ``path``."""
        return self._do(lambda kw: bool(smbclient.path.isfile(path, **kw)), "checking a file")

    def make_folder(self, path: str) -> None:
        """The folder and its parents (existing ones, with their DACLs, are left as they are)."""
        self._do(lambda kw: smbclient.makedirs(path, exist_ok=True, **kw), "creating the quarantine folder")

    def rename(self, src: str, dst: str) -> None:
        """A server-side rename."""
        self._do(lambda kw: smbclient.rename(src, dst, **kw), "moving a file")

    def write_text(self, path: str, text: str) -> None:
        """A new file (exclusive create)."""
        def write(kw: dict[str, Any]) -> None:
            with smbclient.open_file(path, mode="x", encoding="utf-8", newline="\r\n", **kw) as handle:
                handle.write(text)
        try:
            self._do(write, "writing the stub")
        except SMBOSError as exc:
            raise OSError(str(exc)) from None

    def read_text(self, path: str) -> str:
        """The first 4 KiB of a file, as text."""
        def read(kw: dict[str, Any]) -> str:
            with smbclient.open_file(path, mode="r", encoding="utf-8", errors="replace", **kw) as handle:
                return str(handle.read(4096))
        return self._do(read, "reading the stub")

    def remove(self, path: str) -> None:
        """Delete a file."""
        self._do(lambda kw: smbclient.remove(path, **kw), "removing the stub")

    def remove_empty_folder(self, path: str) -> bool:
        """Delete an empty folder; False when it holds something (or is gone)."""
        def rmdir(kw: dict[str, Any]) -> bool:
            if smbclient.listdir(path, **kw):
                return False
            smbclient.rmdir(path, **kw)
            return True
        try:
            return self._do(rmdir, "removing an emptied quarantine folder")
        except SMBOSError:
            return False

    def mtime_ns(self, path: str) -> int:
        """The modified time in nanoseconds."""
        return self._do(lambda kw: int(smbclient.stat(path, **kw).st_mtime_ns), "reading a folder's time")

    def set_mtime_ns(self, path: str, mtime_ns: int) -> None:
        """Set the modified time, keeping the access time."""
        def utime(kw: dict[str, Any]) -> None:
            smbclient.utime(path, ns=(int(smbclient.stat(path, **kw).st_atime_ns), mtime_ns), **kw)
        self._do(utime, "setting a folder's time")

    def close(self) -> None:
        """Log off."""
        self.connector.close()


def target(settings: Settings, connector: SmbConnector) -> FileRemediation:
    """The target of an SMB source: broad ACEs removed from a file's DACL, or quarantine."""
    fs = SmbFileSystem(connector, settings.remediate.smb_quarantine)

    def locate(rel: str) -> ItemRef:
        return ItemRef(source=connector.source_key, item_id=rel, uri=fs.source_path(rel))

    access = AccessRemoval(connector, BroadGroups.from_config(settings.access.broad_groups), locate,
                           resolve=connector.sid_name)
    return FileRemediation(Quarantine(fs, settings.remediate.contact), access, settings.remediate.file_action)

"""Quarantine of a flagged file on a file system (local, or an SMB share): the part both share, and
:class:`FileRemediation`, which picks quarantine or the removal of a broad grant per rule.

The file is renamed into ``<quarantine>/run-<N>/<its path in the source>`` (a rename keeps its content,
times and security descriptor), and a stub text file ``<name>.QUARANTINED.txt`` takes its place, saying
where the file went, why, and whom to ask. Undo renames the file back, removes the stub, and removes the
quarantine folders it emptied. Nothing is overwritten: an occupied destination fails the action.

A :class:`FileSystem` gives the operations; :mod:`dlp.remediate.local` and :mod:`dlp.remediate.smb`
supply them over ``os`` and over ``smbclient``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from dlp.remediate import Flagged, RemediationError, Step, Target
from dlp.remediate.acl import ACTION as ACL_ACTION
from dlp.store.remediations import ActionRecord

STUB_SUFFIX = ".QUARANTINED.txt"


class FileSystem:
    """The file operations quarantine needs; paths are the file system's own (POSIX or UNC)."""

    sep: ClassVar[str] = "/"

    def source_path(self, rel: str) -> str:
        """The path of a file of the source (``rel`` as the store's item id has it)."""
        raise NotImplementedError

    def quarantine_path(self, rel: str) -> str:
        """A path under the quarantine folder."""
        raise NotImplementedError

    def quarantine_root(self) -> str:
        """The quarantine folder itself."""
        raise NotImplementedError

    def exists(self, path: str) -> bool:
        """Whether anything is at ``path``."""
        raise NotImplementedError

    def is_file(self, path: str) -> bool:
        """Whether a regular file is at ``path``."""
        raise NotImplementedError

    def make_folder(self, path: str) -> None:
        """Create ``path`` and its parents with restricted access (existing folders are left as they are)."""
        raise NotImplementedError

    def rename(self, src: str, dst: str) -> None:
        """Move a file (same file system)."""
        raise NotImplementedError

    def write_text(self, path: str, text: str) -> None:
        """Create a new file holding ``text`` (fails if one exists)."""
        raise NotImplementedError

    def read_text(self, path: str) -> str:
        """The text of a small file."""
        raise NotImplementedError

    def remove(self, path: str) -> None:
        """Delete a file."""
        raise NotImplementedError

    def remove_empty_folder(self, path: str) -> bool:
        """Delete ``path`` if it is an empty folder; False when it is not empty (or gone)."""
        raise NotImplementedError

    def mtime_ns(self, path: str) -> int:
        """The modified time of ``path`` in nanoseconds."""
        raise NotImplementedError

    def set_mtime_ns(self, path: str, mtime_ns: int) -> None:
        """Set the modified time of ``path`` (a folder's changes when entries come and go)."""
        raise NotImplementedError

    def parent(self, path: str) -> str:
        """The folder holding ``path``."""
        return path.rsplit(self.sep, 1)[0]

    def close(self) -> None:
        """Release connections."""


def stub_text(item: Flagged, where: str, contact: str, run_id: int) -> str:
    """What the stub left in the file's place says (no content of the file, no value)."""
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    name = item.item_id.rsplit("/", 1)[-1]
    return (f"The file \"{name}\" was moved to a restricted quarantine folder on {when}\n"
            f"because it holds personal information that too many people could read (rule {item.rule}).\n\n"
            f"It is now at: {where}\n"
            f"Remediation run: {run_id}\n\n"
            f"To get it back, or if you need it for your work, ask {contact}.\n"
            "Do not recreate the file here.\n")


class Quarantine(Target):
    """Moves flagged files into a quarantine folder and leaves a stub; undo restores them exactly."""

    kind: ClassVar[str] = "quarantine"

    def __init__(self, fs: FileSystem, contact: str) -> None:
        self.fs = fs
        self.contact = contact

    def plan(self, item: Flagged, run_id: int) -> list[Step]:
        """One quarantine step for the file (the container of an archive member or attachment)."""
        rel = item.item_id.split("!/", 1)[0]
        src = self.fs.source_path(rel)
        dst = self.fs.quarantine_path(f"run-{run_id}/{rel}")
        return [Step(item=item, action="quarantine", target=src, before={"path": src, "folder_mtime_ns": None},
                     after={"path": dst, "stub": src + STUB_SUFFIX, "run": run_id})]

    def apply(self, step: Step) -> Any:
        """Rename the file into the quarantine folder and write the stub."""
        src, dst, stub = step.before["path"], step.after["path"], step.after["stub"]
        if not self.fs.is_file(src):
            raise RemediationError("the file is no longer there (moved or deleted since the scan)")
        for path, what in ((dst, "the quarantine destination"), (stub, "the stub's name")):
            if self.fs.exists(path):
                raise RemediationError(f"{what} is already taken: {path}")
        # The folder's own modified time changes with the move; undo puts it back.
        step.before["folder_mtime_ns"] = self.fs.mtime_ns(self.fs.parent(src))
        # A quarantine folder an administrator prepared (with its restricted access) is never removed.
        step.before["quarantine_existed"] = self.fs.exists(self.fs.quarantine_root())
        try:
            self.fs.make_folder(self.fs.parent(dst))
        except OSError as exc:
            raise RemediationError(f"the quarantine folder {self.fs.quarantine_root()} could not be made "
                                   f"({exc.strerror or type(exc).__name__})") from None
        self.fs.rename(src, dst)
        try:
            self.fs.write_text(stub, stub_text(step.item, dst, self.contact, step.after["run"]))
        except OSError as exc:
            # Without its stub the move would be silent to the file's users: put the file back.
            self.fs.rename(dst, src)
            raise RemediationError(f"the stub could not be written ({type(exc).__name__}); file left in place") \
                from None
        return step.after

    def undo(self, record: ActionRecord) -> Any:
        """Rename the file back, remove the stub and the quarantine folders this emptied."""
        src, dst, stub = record.before["path"], record.after["path"], record.after["stub"]
        if not self.fs.is_file(dst):
            raise RemediationError(f"the quarantined file is no longer at {dst}")
        if self.fs.exists(src):
            raise RemediationError(f"something else now sits at the file's old place {src}; not overwritten")
        if self.fs.is_file(stub):
            if not self.fs.read_text(stub).startswith("The file "):
                raise RemediationError(f"{stub} is not the stub this tool wrote; not removed")
            self.fs.remove(stub)
        self.fs.rename(dst, src)
        folder, root = self.fs.parent(dst), self.fs.quarantine_root()
        last = root if not record.before.get("quarantine_existed", True) else root + self.fs.sep
        while folder.startswith(last) and self.fs.remove_empty_folder(folder):
            folder = self.fs.parent(folder)
        if record.before.get("folder_mtime_ns") is not None:
            self.fs.set_mtime_ns(self.fs.parent(src), record.before["folder_mtime_ns"])
        return {"path": src}

    def close(self) -> None:
        """Close the file system's connections."""
        self.fs.close()



class FileRemediation(Target):
    """SMB and local files: ``broad-access`` takes the broad grant away (:mod:`dlp.remediate.acl`) unless
    ``[remediate] file_action = "quarantine"``; every other rule (``former-staff-access``) quarantines."""

    kind: ClassVar[str] = "file"

    def __init__(self, quarantine: Quarantine, access: Target, file_action: str) -> None:
        self.quarantine = quarantine
        self.access = access
        self.file_action = file_action

    def plan(self, item: Flagged, run_id: int) -> list[Step]:
        """The steps of the action chosen for the item's rule."""
        if item.rule == "broad-access" and self.file_action == ACL_ACTION:
            return self.access.plan(item, run_id)
        return self.quarantine.plan(item, run_id)

    def apply(self, step: Step) -> Any:
        """Carry out a step with the target that planned it."""
        return (self.quarantine if step.action == Quarantine.kind else self.access).apply(step)

    def undo(self, record: ActionRecord) -> Any:
        """Reverse an action with the target that did it."""
        return (self.quarantine if record.action == Quarantine.kind else self.access).undo(record)

    def close(self) -> None:
        """Close the connections (the two targets share one connector)."""
        self.quarantine.close()

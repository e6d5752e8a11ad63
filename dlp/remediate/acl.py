"""Taking a broad read grant off an SMB or local file, and putting it back on undo.

This is what ``broad-access`` does to a file when ``[remediate] file_action = "remove_ace"`` (the
default): the file stays where it is, with its name, content and times; only the grant that lets a
broad audience read it goes (:func:`dlp.access.remove.remove_broad_access`: an explicit ACE is dropped,
an inherited one makes the file's DACL protected with the other inherited ACEs kept as explicit copies;
on a local file, read is taken from "other" and from broad named groups). People who need the file keep
it through their narrower groups; the folder and its other files are left alone.

An action's "before" and "after" are the file's whole access state as JSON (the security descriptor in
hex, or the mode, group and POSIX ACL). Apply writes only when the file still has the state the plan
read; undo writes "before" back only when the file still has "after", so a change someone made in
between is never overwritten (the action fails, naming why).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from dlp.access.exposure import BroadGroups, Resolver
from dlp.access.remove import AclTarget, remove_broad_access, restore_access
from dlp.errors import ItemError
from dlp.remediate import Flagged, RemediationError, Step, Target
from dlp.store.remediations import ActionRecord
from dlp.types import ItemRef

ACTION = "remove_ace"
#: Turns the stored item id of a file (an archive's, for its members) into the reference its connector reads.
Locate = Callable[[str], ItemRef]


def container(item_id: str) -> str:
    """The stored id of the file itself (an archive member's or attachment's container)."""
    return item_id.split("!/", 1)[0]


class AccessRemoval(Target):
    """Removes the broad read grants of flagged files through their connector's ACL state."""

    kind: ClassVar[str] = ACTION

    def __init__(self, connector: AclTarget, broad: BroadGroups, locate: Locate,
                 resolve: Resolver | None = None) -> None:
        self.connector = connector
        self.broad = broad
        self.locate = locate
        self.resolve = resolve

    def plan(self, item: Flagged, run_id: int) -> list[Step]:
        """One ``remove_ace`` step with the file's access now and without its broad grants, or a report-only
        step when the file has no broad grant left (changed since the scan)."""
        ref = self.locate(container(item.item_id))
        with _named_failure():
            removal = remove_broad_access(self.connector, ref, self.broad, resolve=self.resolve)
        if removal is None:
            return [Step(item=item, action="report_only", target=ref.uri, before=None, after=None,
                         detail="no broad grant left on the file (changed since the scan)")]
        return [Step(item=item, action=ACTION, target=ref.uri, before=removal.before, after=removal.after,
                     detail="takes read from " + ", ".join(removal.removed))]

    def apply(self, step: Step) -> Any:
        """Write the planned state, if the file still has the state the plan read; returns the state now."""
        if step.action != ACTION:
            return None
        ref = self.locate(container(step.item.item_id))
        with _named_failure():
            if self.connector.acl_state(ref) != step.before:
                raise RemediationError("the file's access changed since the plan; nothing written (plan again)")
            self.connector.set_acl_state(ref, step.after)
            return self.connector.acl_state(ref)

    def undo(self, record: ActionRecord) -> Any:
        """Write the recorded "before" back, if the file still has the "after"; returns the state now."""
        ref = self.locate(container(record.item_id))
        with _named_failure():
            if self.connector.acl_state(ref) != record.after:
                raise RemediationError(f"the file's access was changed after run {record.run_id}; not overwritten")
            restore_access(self.connector, ref, record.before)
            return self.connector.acl_state(ref)


@contextlib.contextmanager
def _named_failure() -> Iterator[None]:
    """A connector's refusal (gone, no right to change the DACL, server away) as the action's failure in words."""
    try:
        yield
    except ItemError as exc:
        raise RemediationError(exc.detail or str(exc)) from None

"""Drive: remove the permissions that expose a flagged file (``permissions.delete``); undo re-creates them.

Removed: "anyone with the link" (``type = anyone``), users and groups outside the district's domains,
outside domains, and, for ``former-staff-access``, the permissions of the departed accounts the item's
exposure names (never the owner's: ownership needs a transfer, which is left to a person). The file's
current permissions are read when the plan is made, so the plan names what is really there. An undo
creates each removed permission again with its type, role, address or domain and link setting, without
notifying anyone.

The client acts as the file's user (the drive's user in the item's address) with the full Drive scope
(``https://www.googleapis.com/auth/drive``), which the service account's delegation must grant.
"""

from __future__ import annotations

from typing import Any, ClassVar

from connectors import _google as g
from dlp.config import Settings
from dlp.remediate import Flagged, RemediationError, Step, Target
from dlp.remediate.select import former_staff
from dlp.store.remediations import ActionRecord

WRITE_SCOPES = ("https://www.googleapis.com/auth/drive",)
_FIELDS = "nextPageToken,permissions(id,type,role,emailAddress,domain,allowFileDiscovery)"
_KEPT = ("type", "role", "emailAddress", "domain", "allowFileDiscovery")


def options_for(settings: Settings, source: str) -> g.GoogleOptions | None:
    """The options of the configured gdrive source whose store key is ``source``."""
    for name, conf in settings.sources.items():
        if conf.type == "gdrive":
            opts = g.parse_options("gdrive", name, conf.options)
            if opts.source_key() == source:
                return opts
    return None


def _file(item_id: str) -> str:
    """The Drive file id of a stored item id (``user/ID`` or ``drive:DRIVE/ID``)."""
    return item_id.split("!/", 1)[0].rsplit("/", 1)[-1]


def _user(uri: str) -> str:
    """The user whose drive the item was read from (``gdrive://user/...``)."""
    return uri.removeprefix("gdrive://").split("/", 1)[0]


def describe(p: dict[str, Any]) -> str:
    """``anyone reader`` / ``user ops@vendor.example writer`` / ``domain example.com reader``."""
    who = p.get("emailAddress") or p.get("domain") or ""
    return " ".join(x for x in (p.get("type", ""), who, p.get("role", "")) if x)


class DriveTarget(Target):
    """Permission removal on the files of one gdrive source."""

    kind: ClassVar[str] = "gdrive"

    def __init__(self, settings: Settings, opts: g.GoogleOptions) -> None:
        self.settings = settings
        self.opts = opts
        self._clients = g.Clients(self._build)

    def _build(self, user: str) -> Any:
        creds = g.credentials(self.opts, user, WRITE_SCOPES)
        return g.build_service("drive", "v3", creds, self.opts.endpoint + "drive/v3/", self.opts.timeout)

    def permissions(self, user: str, file_id: str) -> list[dict[str, Any]]:
        """The file's permissions now, with their ids."""
        svc = self._clients.get(user)
        found: list[dict[str, Any]] = []
        request = svc.permissions().list(fileId=file_id, supportsAllDrives=True, pageSize=100, fields=_FIELDS,
                                         quotaUser=user)
        while request is not None:
            response = g.execute(request, "permissions.list")
            found += response.get("permissions", [])
            request = svc.permissions().list_next(request, response)
        return found

    def _unwanted(self, item: Flagged, user: str, p: dict[str, Any]) -> bool:
        if p.get("role") == "owner":
            return False
        kind = p.get("type")
        if kind == "anyone":
            return True
        internal = g.internal_domains(self.settings, user)
        address = str(p.get("emailAddress", "")).lower()
        if kind in ("user", "group") and address:
            return not g.is_internal(g.domain_of(address), internal) or (
                item.rule == "former-staff-access" and address in {a.lower() for a in former_staff(item.exposure)})
        if kind == "domain":
            return not g.is_internal(str(p.get("domain", "")), internal)
        return False

    def plan(self, item: Flagged, run_id: int) -> list[Step]:
        """One ``remove_permission`` step per exposing permission the file has now."""
        user, file_id = _user(item.uri), _file(item.item_id)
        try:
            current = self.permissions(user, file_id)
        except g.API_ERRORS as exc:
            raise RemediationError(f"permissions not read: {g.describe(exc)}") from None
        return [Step(item=item, action="remove_permission", target=describe(p),
                     before={"file": file_id, "user": user, "permission": {k: p[k] for k in ("id", *_KEPT) if k in p}},
                     after=None)
                for p in current if self._unwanted(item, user, p)]

    def apply(self, step: Step) -> Any:
        """``permissions.delete``; the state after is the file's remaining permissions."""
        before = step.before
        svc = self._clients.get(before["user"])
        try:
            g.execute(svc.permissions().delete(fileId=before["file"], permissionId=before["permission"]["id"],
                                               supportsAllDrives=True, quotaUser=before["user"]),
                      "permissions.delete")
            remaining = self.permissions(before["user"], before["file"])
        except g.API_ERRORS as exc:
            raise RemediationError(f"permission not removed: {g.describe(exc)}") from None
        return {"permissions": [describe(p) for p in remaining]}

    def undo(self, record: ActionRecord) -> Any:
        """``permissions.create`` with the removed permission's fields; no one is notified."""
        before = record.before
        body = {k: v for k, v in before["permission"].items() if k in _KEPT}
        params: dict[str, Any] = {"fileId": before["file"], "body": body, "supportsAllDrives": True,
                                  "quotaUser": before["user"], "fields": "id"}
        if body.get("type") in ("user", "group"):
            params["sendNotificationEmail"] = False
        svc = self._clients.get(before["user"])
        try:
            created = g.execute(svc.permissions().create(**params), "permissions.create")
            remaining = self.permissions(before["user"], before["file"])
        except g.API_ERRORS as exc:
            raise RemediationError(f"permission not re-created: {g.describe(exc)}") from None
        return {"permission_id": created.get("id"), "permissions": [describe(p) for p in remaining]}

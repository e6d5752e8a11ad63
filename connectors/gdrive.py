"""Google Drive: every user's My Drive and the shared drives they belong to (Drive API v3).

A service account with domain-wide delegation impersonates each user (``users``, or ``["*"]`` for every
active user of the domain through the Directory API). Per user:

- **My Drive**: the files the user owns (``'me' in owners``), with their permissions, which give the
  exposure: ``anyone_with_link`` for a link share, ``external:<address or domain>`` for a user, group or
  domain outside ``[organization] internal_domains``.
- **Shared drives** the user is a member of, each listed once per run (by its first member in ``users``):
  the drive's members apply to every file; files with permissions of their own
  (``hasAugmentedPermissions``) have them read with ``permissions.list``.

Binary files are downloaded (``alt=media``, in chunks, never more than ``[scan] max_item_bytes``); Google
Docs, Sheets and Slides are exported to DOCX, XLSX and PPTX (tables and sheets keep their rows, which
the table typing needs; a CSV export would carry the first sheet only). Other Google-native types
(Forms, Drawings, Sites...) are reported ``not_examined`` / ``unsupported``.

Incremental: each drive's Changes API page token is kept with the metadata of the files known at that
token (:class:`connectors._google.RootState`). A later run lists only the changes, then yields every
known file; the store skips those whose etag did not change and marks files that were deleted, trashed
or moved away as removed. Without a stored token (first run, ``incremental = false``, or a token the API
no longer accepts) everything is listed.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseDownload

from connectors import _google as g
from connectors.base import Connector
from dlp import staff
from dlp.config import Settings
from dlp.errors import ItemError, NotExamined
from dlp.types import Item, ItemRef, Reason, Status

log = logging.getLogger(__name__)

FOLDER = "application/vnd.google-apps.folder"
SHORTCUT = "application/vnd.google-apps.shortcut"
#: Google-native types and the export format the extractors read best.
EXPORTS = {
    "application/vnd.google-apps.document":
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "application/vnd.google-apps.spreadsheet":
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "application/vnd.google-apps.presentation":
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}
_NATIVE = "application/vnd.google-apps."
_FILE_FIELDS = ("id,name,mimeType,size,modifiedTime,version,md5Checksum,owners(emailAddress),ownedByMe,"
                "permissions(type,role,emailAddress,domain),parents,trashed,driveId,hasAugmentedPermissions")
_KEPT = ("name", "mimeType", "size", "modifiedTime", "version", "md5Checksum", "parents")
_PERMISSION_FIELDS = "nextPageToken,permissions(type,role,emailAddress,domain)"
_DOWNLOAD_CHUNK = 16 * 1024 * 1024
# Codes of a page token the Changes API no longer accepts: list everything again.
_STALE_TOKEN = (400, 404, 410)


@dataclass(frozen=True)
class _Root:
    """A drive listed as a whole: a user's My Drive (``drive_id`` empty) or a shared drive."""

    user: str  # the user impersonated to read it
    drive_id: str = ""
    drive_name: str = ""

    @property
    def key(self) -> str:
        return f"drive:{self.drive_id}" if self.drive_id else f"user:{self.user.lower()}"

    def item_id(self, file_id: str) -> str:
        return f"drive:{self.drive_id}/{file_id}" if self.drive_id else f"{self.user.lower()}/{file_id}"

    def uri(self, path: str = "") -> str:
        base = f"gdrive://{self.user.lower()}"
        if self.drive_id:
            base += f"/Shared drives/{self.drive_name or self.drive_id}"
        return f"{base}/{path}"


@dataclass(frozen=True)
class _FileInfo:
    """What :meth:`GoogleDriveConnector.fetch` needs to read a file the enumeration listed."""

    user: str
    file_id: str
    name: str
    mime_type: str


class GoogleDriveConnector(Connector):
    """Files of Google Drive (My Drive and shared drives) of one or more users."""

    name: ClassVar[str] = "gdrive"
    schemes: ClassVar[tuple[str, ...]] = ("gdrive",)

    def __init__(self, opts: g.GoogleOptions, settings: Settings) -> None:
        self.opts = opts
        self.settings = settings
        self.source_key = opts.source_key()
        self._clients = g.Clients(self._build)
        self._index: dict[str, _FileInfo] = {}
        self._gone: dict[str, str] = {}  # departed accounts (dlp/staff.py) -> why

    @classmethod
    def from_uri(cls, uri: str, settings: Settings) -> GoogleDriveConnector:
        """``gdrive://user@domain``: one user's drives, with the settings of a named gdrive source."""
        return cls(g.options_for_uri("gdrive", uri, settings), settings)

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], settings: Settings) -> GoogleDriveConnector:
        """``[sources.NAME]`` with ``type = "gdrive"`` (CONTRACT.md section 5)."""
        return cls(g.parse_options("gdrive", name, options), settings)

    def _build(self, user: str) -> Any:
        creds = g.credentials(self.opts, user, g.SCOPES["gdrive"])
        return g.build_service("drive", "v3", creds, self.opts.endpoint + "drive/v3/", self.opts.timeout)

    # -- enumeration --

    def enumerate(self) -> Iterator[ItemRef]:
        """Every file of every user's My Drive and shared drives; failing drives are reported, not fatal."""
        if self.opts.all_users:
            try:
                users = g.list_users(self.opts)
            except g.API_ERRORS as exc:
                yield ItemRef(source=self.source_key, item_id="*", uri="gdrive://*/", status=Status.ERROR,
                              reason=Reason.UNREADABLE, detail=f"users of the domain not listed: {g.describe(exc)}")
                return
        else:
            users = list(self.opts.users)
        self._gone = self._former_staff()
        done_drives: set[str] = set()
        for user in users:
            yield from self._user(user, done_drives)

    def _former_staff(self) -> dict[str, str]:
        """Departed accounts: the directory's (HR roster, other sources), refreshed from the Directory API
        when ``former_staff = true``; a refused listing keeps what the directory knew."""
        if self.opts.former_staff:
            try:
                accounts = g.directory_accounts(self.opts)
            except g.API_ERRORS as exc:
                log.warning("suspended and deleted accounts not listed: %s", g.describe(exc))
            else:
                host = self.opts.directory_endpoint.split("://", 1)[-1].rstrip("/")
                staff.record(f"google:{host}", [staff.Account(a, status) for a, status in accounts])
        return staff.departed()

    def _user(self, user: str, done_drives: set[str]) -> Iterator[ItemRef]:
        root = _Root(user)
        state = g.RootState("gdrive", self.source_key, root.key)
        saved = state.load()
        try:
            svc = self._clients.get(user)
            data = self._listing(svc, root, saved)
            data["shared_drives"] = self._shared_drives(svc, user)
        except g.API_ERRORS as exc:
            log.warning("drive of %s not listed: %s", user, g.describe(exc))
            yield self._problem(root, f"drive not listed: {g.describe(exc)}")
            # The files known from the last run stay known (not "removed") while the drive is unreachable.
            if saved is not None:
                yield from self._refs(root, saved)
                for drive_id, drive_name in saved.get("shared_drives", {}).items():
                    if drive_id not in done_drives:
                        done_drives.add(drive_id)
                        yield from self._cached(_Root(user, drive_id, drive_name))
            return
        yield from self._refs(root, data)
        shared: dict[str, str] = data["shared_drives"]
        pending = [(i, n) for i, n in shared.items() if i not in done_drives]
        done_drives.update(shared)
        for drive_id, drive_name in pending:
            yield from self._shared(_Root(user, drive_id, drive_name), svc)
        state.save(data)

    def _shared(self, root: _Root, svc: Any) -> Iterator[ItemRef]:
        state = g.RootState("gdrive", self.source_key, root.key)
        saved = state.load()
        try:
            data = self._listing(svc, root, saved)
            data["drive_permissions"] = self._permissions(svc, root.drive_id, root.user)
        except g.API_ERRORS as exc:
            log.warning("shared drive %s not listed: %s", root.drive_id, g.describe(exc))
            yield self._problem(root, f"shared drive not listed: {g.describe(exc)}")
            if saved is not None:
                yield from self._refs(root, saved)
            return
        yield from self._refs(root, data)
        state.save(data)

    def _cached(self, root: _Root) -> Iterator[ItemRef]:
        saved = g.RootState("gdrive", self.source_key, root.key).load()
        if saved is not None:
            yield from self._refs(root, saved)

    def _shared_drives(self, svc: Any, user: str) -> dict[str, str]:
        """The shared drives the user is a member of: id -> name."""
        found: dict[str, str] = {}
        request = svc.drives().list(pageSize=100, fields="nextPageToken,drives(id,name)", quotaUser=user)
        while request is not None:
            response = g.execute(request, "drives.list")
            for drive in response.get("drives", []):
                found[drive["id"]] = drive.get("name", drive["id"])
            request = svc.drives().list_next(request, response)
        return found

    def _listing(self, svc: Any, root: _Root, saved: dict[str, Any] | None) -> dict[str, Any]:
        """The drive's files and folders now: the saved state plus its changes, or a full listing."""
        if saved is not None and self.opts.incremental and saved.get("token"):
            try:
                return self._apply_changes(svc, root, saved)
            except HttpError as exc:
                if g.status_of(exc) not in _STALE_TOKEN:
                    raise
                log.info("%s: change token refused (%s); listing everything", root.uri(), g.describe(exc))
        return self._full(svc, root)

    def _drive_params(self, root: _Root, listing: bool = True) -> dict[str, Any]:
        # quotaUser attributes quota per user (Google's documented use); an emulator with a fixed token
        # also learns from it whose drive is read.
        params: dict[str, Any] = {"supportsAllDrives": True, "quotaUser": root.user}
        if root.drive_id:
            params["driveId"] = root.drive_id
            if listing:
                params["includeItemsFromAllDrives"] = True
        return params

    def _full(self, svc: Any, root: _Root) -> dict[str, Any]:
        # The token is taken before listing, so that a change made during the listing is seen next time.
        start = g.execute(svc.changes().getStartPageToken(**self._drive_params(root, listing=False)),
                          "changes.getStartPageToken")
        data: dict[str, Any] = {"token": start["startPageToken"], "files": {}, "folders": {}}
        params: dict[str, Any] = {"pageSize": 1000, "spaces": "drive",
                                  "fields": f"nextPageToken,files({_FILE_FIELDS})", **self._drive_params(root)}
        if root.drive_id:
            params.update(corpora="drive", q="trashed = false")
        else:
            # Files shared with the user belong to someone else's drive: they are read there.
            params.update(corpora="user", q="'me' in owners and trashed = false")
        request = svc.files().list(**params)
        pages = 0
        while request is not None:
            response = g.execute(request, "files.list")
            pages += 1
            for entry in response.get("files", []):
                self._absorb(svc, root, data, entry)
            request = svc.files().list_next(request, response)
        log.info("%s: full listing, %d files in %d pages", root.uri(), len(data["files"]), pages)
        return data

    def _apply_changes(self, svc: Any, root: _Root, saved: dict[str, Any]) -> dict[str, Any]:
        data = {"token": saved["token"], "files": dict(saved.get("files", {})),
                "folders": dict(saved.get("folders", {}))}
        fields = f"nextPageToken,newStartPageToken,changes(changeType,removed,fileId,file({_FILE_FIELDS}))"
        token: str | None = saved["token"]
        changed = 0
        while token:
            response = g.execute(svc.changes().list(pageToken=token, pageSize=1000, includeRemoved=True,
                                                    spaces="drive", fields=fields, **self._drive_params(root)),
                                 "changes.list")
            for change in response.get("changes", []):
                if change.get("changeType", "file") != "file":
                    continue  # a shared drive's own settings; its members are read on every run
                changed += 1
                file_id = change.get("fileId", "")
                entry = change.get("file")
                gone = (change.get("removed") or not entry or entry.get("trashed")
                        or (not root.drive_id and not entry.get("ownedByMe", True))
                        or (root.drive_id and entry.get("driveId") not in (None, root.drive_id)))
                data["files"].pop(file_id, None)
                data["folders"].pop(file_id, None)
                if not gone and entry is not None:
                    self._absorb(svc, root, data, entry)
            if response.get("newStartPageToken"):
                data["token"] = response["newStartPageToken"]
            token = response.get("nextPageToken")
        log.info("%s: %d changes since the last run", root.uri(), changed)
        return data

    def _absorb(self, svc: Any, root: _Root, data: dict[str, Any], entry: dict[str, Any]) -> None:
        """Keep one listed file (or folder) in the drive's state."""
        if entry.get("mimeType") == FOLDER:
            data["folders"][entry["id"]] = {"name": entry.get("name", ""), "parents": entry.get("parents", [])}
            return
        if entry.get("mimeType") == SHORTCUT:
            return  # the target is read where it lives
        kept: dict[str, Any] = {k: entry[k] for k in _KEPT if k in entry}
        kept["owners"] = [o.get("emailAddress", "") for o in entry.get("owners", []) if o.get("emailAddress")]
        perms = entry.get("permissions")
        if root.drive_id and entry.get("hasAugmentedPermissions"):
            perms = self._permissions(svc, entry["id"], root.user)  # shared drive files list none of their own
        kept["permissions"] = [_permission(p) for p in perms or []]
        data["files"][entry["id"]] = kept

    def _permissions(self, svc: Any, file_id: str, user: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        request = svc.permissions().list(fileId=file_id, supportsAllDrives=True, pageSize=100,
                                         fields=_PERMISSION_FIELDS, quotaUser=user)
        while request is not None:
            response = g.execute(request, "permissions.list")
            found.extend(_permission(p) for p in response.get("permissions", []))
            request = svc.permissions().list_next(request, response)
        return found

    def _refs(self, root: _Root, data: dict[str, Any]) -> Iterator[ItemRef]:
        internal = g.internal_domains(self.settings, root.user)
        folders: dict[str, Any] = data.get("folders", {})
        drive_perms: list[dict[str, str]] = data.get("drive_permissions", [])
        refs: list[ItemRef] = []
        for file_id, meta in data.get("files", {}).items():
            path = _path(meta, folders)
            mime = meta.get("mimeType", "")
            owner = meta["owners"][0].lower() if meta.get("owners") else None
            perms = [*drive_perms, *meta.get("permissions", [])]
            exposure = _exposure(perms, internal)
            # Owned by or shared with someone who left (the owner is also among the permissions).
            former = staff.former_exposure([owner, *(p.get("emailAddress") for p in perms)], self._gone)
            exposure = tuple(sorted({*exposure, *former}))
            item_id = root.item_id(file_id)
            uri = root.uri(path)
            if mime.startswith(_NATIVE) and mime not in EXPORTS:
                kind = mime[len(_NATIVE):]
                refs.append(ItemRef(source=self.source_key, item_id=item_id, uri=uri, owner=owner, exposure=exposure,
                                    status=Status.NOT_EXAMINED, reason=Reason.UNSUPPORTED,
                                    detail=f"Google {kind} file: no export format the scanner reads"))
                continue
            version = meta.get("md5Checksum") or f"{meta.get('modifiedTime')}:{meta.get('version')}"
            # Sharing is part of the etag: a file shared outside since the last run is judged again
            # (its exposure is recorded with it) even when its content did not change.
            etag = f"{version}|{g.short_hash(owner, exposure)}"
            size = int(meta["size"]) if str(meta.get("size", "")).isdigit() else None
            refs.append(ItemRef(source=self.source_key, item_id=item_id, uri=uri, size=size,
                                modified=_timestamp(meta.get("modifiedTime")), etag=etag, owner=owner,
                                exposure=exposure))
            self._index[item_id] = _FileInfo(root.user, file_id, meta.get("name", file_id), mime)
        refs.sort(key=lambda r: (r.uri, r.item_id))
        yield from refs

    def _problem(self, root: _Root, detail: str) -> ItemRef:
        return ItemRef(source=self.source_key, item_id=root.item_id(""), uri=root.uri(), status=Status.ERROR,
                       reason=Reason.UNREADABLE, detail=detail)

    # -- content --

    def fetch(self, ref: ItemRef) -> Item:
        """Download (or export) one file. Failures become the item's status."""
        info = self._index.get(ref.item_id)
        if info is None:
            raise ItemError(Reason.UNREADABLE, "file not listed in this run")
        limit = self.settings.scan.max_item_bytes
        if ref.size is not None and ref.size > limit:
            raise NotExamined(Reason.TOO_LARGE, f"{ref.size} bytes, over the limit of {limit}")
        svc = self._clients.get(info.user)
        try:
            export = EXPORTS.get(info.mime_type)
            if export is not None:
                mime, suffix = export
                data = g.execute(svc.files().export(fileId=info.file_id, mimeType=mime, quotaUser=info.user),
                                 "files.export")
                name = info.name if info.name.lower().endswith(suffix) else info.name + suffix
            else:
                data = self._download(svc, info, limit)
                name = info.name
        except HttpError as exc:
            raise _fetch_error(exc) from None
        except g.API_ERRORS as exc:
            raise ItemError(Reason.UNREADABLE, f"download failed: {g.describe(exc)}") from None
        if len(data) > limit:
            raise NotExamined(Reason.TOO_LARGE, f"over the limit of {limit} bytes")
        return Item(ref=ref, name=name, data=bytes(data))

    def _download(self, svc: Any, info: _FileInfo, limit: int) -> bytes:
        """``alt=media`` in chunks: a failed chunk is retried alone, and the size cap holds mid-download."""
        buffer = io.BytesIO()
        request = svc.files().get_media(fileId=info.file_id, supportsAllDrives=True, quotaUser=info.user)
        download = MediaIoBaseDownload(buffer, request, chunksize=_DOWNLOAD_CHUNK)
        done = False
        while not done:
            _, done = g.call(lambda: download.next_chunk(num_retries=0), "files.get alt=media")
            if buffer.tell() > limit:
                raise NotExamined(Reason.TOO_LARGE, f"over the limit of {limit} bytes")
        return buffer.getvalue()

    def content_hash(self, ref: ItemRef) -> str | None:
        """``md5:`` + Drive's checksum of a binary file, so identical files are judged once."""
        info = self._index.get(ref.item_id)
        if info is None or ref.etag is None or info.mime_type.startswith(_NATIVE):
            return None
        md5 = ref.etag.split("|", 1)[0]
        return f"md5:{md5}" if len(md5) == 32 and all(c in "0123456789abcdef" for c in md5) else None


def _permission(p: dict[str, Any]) -> dict[str, str]:
    return {k: str(p[k]) for k in ("type", "role", "emailAddress", "domain") if p.get(k)}


def _exposure(permissions: list[dict[str, str]], internal: tuple[str, ...]) -> tuple[str, ...]:
    """``anyone_with_link`` and ``external:<address or domain>`` entries of a file's sharing."""
    found: set[str] = set()
    for p in permissions:
        kind = p.get("type")
        if kind == "anyone":
            found.add("anyone_with_link")
        elif kind in ("user", "group"):
            address = p.get("emailAddress", "").lower()
            if address and not g.is_internal(g.domain_of(address), internal):
                found.add(f"external:{address}")
        elif kind == "domain":
            domain = p.get("domain", "").lower()
            if domain and not g.is_internal(domain, internal):
                found.add(f"external:{domain}")
    return tuple(sorted(found))


def _path(meta: dict[str, Any], folders: dict[str, Any]) -> str:
    """The file's folder path from the listed folders (a parent not listed ends the path: the root)."""
    names = [meta.get("name", "")]
    parents = meta.get("parents") or []
    seen: set[str] = set()
    while parents and parents[0] in folders and parents[0] not in seen and len(names) < 100:
        seen.add(parents[0])
        folder = folders[parents[0]]
        names.append(folder.get("name", ""))
        parents = folder.get("parents") or []
    return "/".join(reversed(names))


def _timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _fetch_error(exc: HttpError) -> ItemError:
    status = g.status_of(exc)
    reasons = g.reasons_of(exc)
    detail = g.describe(exc)
    if status == 404:
        return NotExamined(Reason.VANISHED, f"no longer in Drive ({detail})")
    if "exportSizeLimitExceeded" in reasons:
        return NotExamined(Reason.TOO_LARGE, f"too large to export ({detail})")
    if status in (401, 403):
        return ItemError(Reason.PERMISSION_DENIED, f"download refused ({detail})")
    return ItemError(Reason.UNREADABLE, f"download failed ({detail})")

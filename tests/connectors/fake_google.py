"""An emulator of the parts of Google's REST APIs the Drive and Gmail connectors use (stdlib only).

Drive v3: ``files.list`` (corpora user/drive, paging), ``files.get`` (metadata, ``alt=media`` with Range),
``files.export``, ``permissions.list``, ``drives.list``, ``changes.getStartPageToken``, ``changes.list``.
Also ``permissions.delete`` and ``permissions.create`` (for remediation), and Directory users that are
suspended, or deleted (listed with ``showDeleted=true``).
Gmail v1: ``users.getProfile``, ``users.messages.list``, ``users.messages.get`` (raw, metadata),
``users.history.list``. Admin SDK Directory v1: ``users.list``. Response shapes, paging
(``nextPageToken``), error bodies (``{"error": {"code", "message", "errors": [{"reason"}]}}``) and status
codes follow Google's documentation.

With a fixed bearer token there is no impersonation, so the Drive user is told by the standard
``quotaUser`` parameter, which the connector always sends; Gmail names the user in the path.

Faults are injected with :meth:`FakeGoogle.fail`: a status (429 with ``Retry-After``, 500, 401, 403...)
for the next N requests whose path matches a pattern (and whose query has given values). Every request
is logged (method, path, query, time, answered status) in :attr:`FakeGoogle.requests`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FOLDER = "application/vnd.google-apps.folder"
DOC = "application/vnd.google-apps.document"
SHEET = "application/vnd.google-apps.spreadsheet"
SLIDES = "application/vnd.google-apps.presentation"


@dataclass
class FakeFile:
    """A Drive file. ``content`` for binary files, ``exports`` (mime type -> bytes) for Google-native ones."""

    id: str
    name: str
    mime_type: str
    owner: str = ""  # My Drive files
    parents: list[str] = field(default_factory=list)
    content: bytes | None = None
    exports: dict[str, bytes] = field(default_factory=dict)
    permissions: list[dict[str, Any]] = field(default_factory=list)
    drive_id: str = ""  # shared drive files
    trashed: bool = False
    version: int = 1
    modified: str = "2025-01-15T10:00:00.000Z"

    def resource(self, viewer: str) -> dict[str, Any]:
        """The ``drive#file`` resource as ``viewer`` sees it."""
        out: dict[str, Any] = {"kind": "drive#file", "id": self.id, "name": self.name, "mimeType": self.mime_type,
                               "parents": list(self.parents), "trashed": self.trashed, "version": str(self.version),
                               "modifiedTime": self.modified}
        if self.content is not None:
            out["size"] = str(len(self.content))
            out["md5Checksum"] = hashlib.md5(self.content).hexdigest()
        if self.drive_id:
            # Shared drive items have no owners and list no permissions in files.list (documented).
            out["driveId"] = self.drive_id
            out["hasAugmentedPermissions"] = bool(self.permissions)
        else:
            out["owners"] = [{"kind": "drive#user", "emailAddress": self.owner, "displayName": self.owner}]
            out["ownedByMe"] = self.owner == viewer
            out["permissions"] = [{"kind": "drive#permission", "id": "owner", "type": "user", "role": "owner",
                                   "emailAddress": self.owner}] + [_perm(p) for p in self.permissions]
        return out


def _perm(p: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "drive#permission", "id": hashlib.sha1(json.dumps(p, sort_keys=True).encode()).hexdigest()[:10],
            **p}


@dataclass
class Fault:
    """The next ``times`` requests matching ``path`` (a regex) and ``query`` answer ``status``."""

    path: str
    status: int
    times: int = 1
    reason: str = ""
    retry_after: str | None = None
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    at: float
    status: int = 0


class FakeGoogle:
    """The emulator's state and its HTTP server on 127.0.0.1 (a free port)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tokens = {"test"}
        self.users: list[str] = []
        self.suspended_users: set[str] = set()  # Directory users with suspended = true
        self.deleted_users: list[str] = []  # listed only with showDeleted=true
        self.files: dict[str, FakeFile] = {}
        self.drives: dict[str, dict[str, Any]] = {}  # id -> {"name", "members": [...], "permissions": [...]}
        self.change_log: list[tuple[int, str]] = []  # (sequence, file id)
        self.seq = 100
        self.mail: dict[str, dict[str, Any]] = {}  # user -> {"messages": {id: {...}}, "history": [...], "hid": int}
        self.faults: list[Fault] = []
        self.max_page = 1000  # the most items one page of a listing holds
        self.requests: list[Logged] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeGoogle:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- setting up data --

    def add_file(self, f: FakeFile) -> FakeFile:
        """Add or replace a file (a change for the Changes API)."""
        with self.lock:
            old = self.files.get(f.id)
            if old is not None:
                f.version = old.version + 1
            self.files[f.id] = f
            self._changed(f.id)
        return f

    def update(self, file_id: str, **changes: Any) -> None:
        """Change a file's content, name, sharing or trashed flag."""
        with self.lock:
            f = self.files[file_id]
            for key, value in changes.items():
                setattr(f, key, value)
            f.version += 1
            f.modified = "2025-02-01T09:00:00.000Z"
            self._changed(file_id)

    def delete(self, file_id: str) -> None:
        with self.lock:
            del self.files[file_id]
            self._changed(file_id)

    def _changed(self, file_id: str) -> None:
        self.seq += 1
        self.change_log.append((self.seq, file_id))

    def add_message(self, user: str, message_id: str, raw: bytes, labels: list[str] | None = None,
                    date_ms: int = 1736935200000) -> None:
        with self.lock:
            box = self.mail.setdefault(user, {"messages": {}, "history": [], "hid": 1000})
            box["hid"] += 1
            box["messages"][message_id] = {"raw": raw, "labels": labels or ["INBOX"], "date": date_ms,
                                           "hid": box["hid"]}
            box["history"].append({"id": str(box["hid"]), "messagesAdded": [
                {"message": {"id": message_id, "threadId": message_id, "labelIds": labels or ["INBOX"]}}]})

    def delete_message(self, user: str, message_id: str) -> None:
        with self.lock:
            box = self.mail[user]
            del box["messages"][message_id]
            box["hid"] += 1
            box["history"].append({"id": str(box["hid"]), "messagesDeleted": [
                {"message": {"id": message_id, "threadId": message_id}}]})

    def fail(self, path: str, status: int, times: int = 1, reason: str = "", retry_after: str | None = None,
             **query: str) -> Fault:
        fault = Fault(path, status, times, reason, retry_after, query)
        with self.lock:
            self.faults.append(fault)
        return fault

    def calls(self, pattern: str) -> list[Logged]:
        """Logged requests whose path matches ``pattern``."""
        with self.lock:
            return [r for r in self.requests if re.search(pattern, r.path)]


# -- the HTTP side --


class _Error(Exception):
    def __init__(self, status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.reason, self.message, self.headers = status, reason, message, headers or {}


_STATUS_TEXT = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
_DEFAULT_REASON = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound",
                   429: "rateLimitExceeded", 500: "backendError", 503: "backendError"}


def _handler(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("GET")

        def do_DELETE(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("DELETE")

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("POST")

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            length = int(self.headers.get("content-length") or 0)
            payload = self.rfile.read(length) if length else b""
            entry = Logged(method, url.path, query, time.monotonic())
            with fake.lock:
                fake.requests.append(entry)
            try:
                self._check_auth()
                self._check_faults(url.path, query)
                if method == "GET":
                    status, body, headers = _route(fake, url.path, query, self.headers.get("range"))
                else:
                    status, body, headers = _write(fake, method, url.path, query, payload)
            except _Error as exc:
                status, headers = exc.status, {"Content-Type": "application/json; charset=UTF-8", **exc.headers}
                body = json.dumps({"error": {"code": exc.status, "message": exc.message,
                                             "errors": [{"domain": "global", "reason": exc.reason,
                                                         "message": exc.message}],
                                             "status": _STATUS_TEXT.get(exc.status, "UNKNOWN")}}).encode()
            entry.status = status
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _check_auth(self) -> None:
            auth = self.headers.get("authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in fake.tokens:
                raise _Error(401, "authError", "Request had invalid authentication credentials.",
                             {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})

        def _check_faults(self, path: str, query: dict[str, list[str]]) -> None:
            with fake.lock:
                for fault in fake.faults:
                    if fault.times <= 0 or not re.search(fault.path, path):
                        continue
                    if any(query.get(k, [None])[0] != v for k, v in fault.query.items()):
                        continue
                    fault.times -= 1
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    reason = fault.reason or _DEFAULT_REASON.get(fault.status, "error")
                    raise _Error(fault.status, reason, f"injected {fault.status} {reason}", headers)

    return Handler


def _json(data: Any) -> tuple[int, bytes, dict[str, str]]:
    return 200, json.dumps(data).encode(), {"Content-Type": "application/json; charset=UTF-8"}


def _one(query: dict[str, list[str]], key: str, default: str = "") -> str:
    return query.get(key, [default])[0]


def _page(items: list[Any], query: dict[str, list[str]], size_key: str, default: int,
          cap: int = 1_000_000) -> tuple[list[Any], str | None]:
    # Google may return fewer items than asked for; the emulator's cap makes small listings page.
    size = min(int(_one(query, size_key, str(default))), cap)
    start = int(_one(query, "pageToken", "0") or 0)
    chunk = items[start:start + size]
    return chunk, (str(start + size) if start + size < len(items) else None)


def _route(fake: FakeGoogle, path: str, query: dict[str, list[str]],
           range_header: str | None) -> tuple[int, bytes, dict[str, str]]:
    with fake.lock:
        if path.startswith("/drive/v3/"):
            return _drive(fake, path[len("/drive/v3/"):], query, range_header)
        m = re.fullmatch(r"/gmail/v1/users/([^/]+)/(.*)", path)
        if m:
            return _gmail(fake, unquote(m.group(1)), m.group(2), query)
        if path == "/admin/directory/v1/users":
            if _one(query, "customer") != "my_customer":
                raise _Error(400, "invalid", "Invalid Input")
            # showDeleted=true lists the users deleted in the last 20 days instead (documented).
            if _one(query, "showDeleted") == "true":
                listed = [(u, {"deletionTime": "2025-01-20T08:00:00.000Z"}) for u in fake.deleted_users]
            else:
                listed = [(u, {"suspended": u in fake.suspended_users,
                               **({"suspensionReason": "ADMIN"} if u in fake.suspended_users else {})})
                          for u in fake.users]
            users, token = _page(listed, query, "maxResults", 100, fake.max_page)
            out: dict[str, Any] = {"kind": "admin#directory#users",
                                   "users": [{"kind": "admin#directory#user", "primaryEmail": u, **extra}
                                             for u, extra in users]}
            if token:
                out["nextPageToken"] = token
            return _json(out)
    raise _Error(404, "notFound", "Not Found")


def _write(fake: FakeGoogle, method: str, path: str, query: dict[str, list[str]],
           payload: bytes) -> tuple[int, bytes, dict[str, str]]:
    """``permissions.delete`` (DELETE) and ``permissions.create`` (POST) of a file the user may change."""
    with fake.lock:
        m = re.fullmatch(r"/drive/v3/files/([^/]+)/permissions(?:/([^/]+))?", path)
        if m is None:
            raise _Error(404, "notFound", "Not Found")
        user = _one(query, "quotaUser")
        f = fake.files.get(m.group(1))
        if f is None or (not f.drive_id and f.owner != user):
            raise _Error(404, "notFound", f"File not found: {m.group(1)}.")
        if method == "DELETE" and m.group(2):
            kept = [p for p in f.permissions if _perm(p)["id"] != m.group(2)]
            if len(kept) == len(f.permissions):
                raise _Error(404, "notFound", f"Permission not found: {m.group(2)}.")
            f.permissions = kept
            fake._changed(f.id)
            return 204, b"", {}
        if method == "POST" and not m.group(2):
            body = json.loads(payload or b"{}")
            if body.get("type") not in ("user", "group", "domain", "anyone") or not body.get("role"):
                raise _Error(400, "invalid", "Invalid permission type or role.")
            if body["type"] != "user" and body["type"] != "group" and "sendNotificationEmail" in query:
                raise _Error(400, "invalid", "sendNotificationEmail is only for users and groups.")
            created = {k: v for k, v in body.items() if k in ("type", "role", "emailAddress", "domain",
                                                              "allowFileDiscovery")}
            f.permissions = [*f.permissions, created]
            fake._changed(f.id)
            return _json(_perm(created))
        raise _Error(400, "badRequest", "Unsupported method for this path.")


def _drive(fake: FakeGoogle, path: str, query: dict[str, list[str]],
           range_header: str | None) -> tuple[int, bytes, dict[str, str]]:
    user = _one(query, "quotaUser")
    if not user:
        raise _Error(400, "badRequest", "this emulator needs quotaUser to know whose drive is read")
    drive_id = _one(query, "driveId")
    if path == "changes/startPageToken":
        return _json({"kind": "drive#startPageToken", "startPageToken": str(fake.seq + 1)})
    if path == "changes":
        start = int(_one(query, "pageToken"))
        relevant = []
        for seq, file_id in fake.change_log:
            if seq < start:
                continue
            f = fake.files.get(file_id)
            if f is not None and (f.drive_id != drive_id or (not drive_id and f.owner != user)):
                continue
            relevant.append((seq, file_id, f))
        size = int(_one(query, "pageSize", "100"))
        chunk, more = relevant[:size], len(relevant) > size
        changes = [{"kind": "drive#change", "changeType": "file", "fileId": fid, "removed": f is None,
                    "time": "2025-02-01T09:00:00.000Z", **({"file": f.resource(user)} if f is not None else {})}
                   for _, fid, f in chunk]
        out: dict[str, Any] = {"kind": "drive#changeList", "changes": changes}
        if more:
            out["nextPageToken"] = str(chunk[-1][0] + 1)
        else:
            out["newStartPageToken"] = str(fake.seq + 1)
        return _json(out)
    if path == "drives":
        drives = [{"kind": "drive#drive", "id": i, "name": d["name"]} for i, d in sorted(fake.drives.items())
                  if user in d["members"]]
        chunk, token = _page(drives, query, "pageSize", 10)
        return _json({"kind": "drive#driveList", "drives": chunk, **({"nextPageToken": token} if token else {})})
    if path == "files":
        corpora = _one(query, "corpora", "user")
        q = _one(query, "q")
        if corpora == "drive":
            if drive_id not in fake.drives or user not in fake.drives[drive_id]["members"]:
                raise _Error(404, "notFound", "Shared drive not found")
            found = [f for f in fake.files.values() if f.drive_id == drive_id]
        else:
            found = [f for f in fake.files.values() if not f.drive_id and f.owner == user]
            if "'me' in owners" not in q:
                raise _Error(400, "invalid", "this emulator only lists the user's own files")
        if "trashed = false" in q:
            found = [f for f in found if not f.trashed]
        found.sort(key=lambda f: f.id)
        chunk, token = _page(found, query, "pageSize", 100, fake.max_page)
        return _json({"kind": "drive#fileList", "incompleteSearch": False,
                      "files": [f.resource(user) for f in chunk], **({"nextPageToken": token} if token else {})})
    m = re.fullmatch(r"files/([^/]+)(/export|/permissions)?", path)
    if m is None:
        raise _Error(404, "notFound", "Not Found")
    file_id, sub = m.group(1), m.group(2)
    if sub == "/permissions" and file_id in fake.drives:
        perms = [_perm(p) for p in fake.drives[file_id]["permissions"]]
        chunk, token = _page(perms, query, "pageSize", 100)
        return _json({"kind": "drive#permissionList", "permissions": chunk,
                      **({"nextPageToken": token} if token else {})})
    f = fake.files.get(file_id)
    if f is None or (not f.drive_id and f.owner != user and not any(p.get("emailAddress") == user
                                                                     for p in f.permissions)):
        raise _Error(404, "notFound", f"File not found: {file_id}.")
    if sub == "/permissions":
        perms = [_perm(p) for p in f.permissions]
        chunk, token = _page(perms, query, "pageSize", 100)
        return _json({"kind": "drive#permissionList", "permissions": chunk,
                      **({"nextPageToken": token} if token else {})})
    if sub == "/export":
        mime = _one(query, "mimeType")
        if not f.mime_type.startswith("application/vnd.google-apps."):
            raise _Error(403, "fileNotExportable", "Export only supports Docs Editors files.")
        if mime not in f.exports:
            raise _Error(400, "badRequest", "The requested conversion is not supported.")
        return 200, f.exports[mime], {"Content-Type": mime}
    if _one(query, "alt") == "media":
        if f.content is None:
            raise _Error(403, "fileNotDownloadable",
                         "Only files with binary content can be downloaded. Use Export with Docs Editors files.")
        data = f.content
        rm = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header or "")
        if rm:
            first = int(rm.group(1))
            last = min(int(rm.group(2)) if rm.group(2) else len(data) - 1, len(data) - 1)
            if first >= len(data):
                raise _Error(416, "requestedRangeNotSatisfiable", "Requested range not satisfiable")
            return 206, data[first:last + 1], {"Content-Type": "application/octet-stream",
                                               "Content-Range": f"bytes {first}-{last}/{len(data)}"}
        return 200, data, {"Content-Type": "application/octet-stream"}
    return _json(f.resource(user))


def _gmail(fake: FakeGoogle, user: str, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, dict[str, str]]:
    box = fake.mail.get(user)
    if box is None:
        raise _Error(400, "failedPrecondition", "Mail service not enabled")
    if path == "profile":
        return _json({"emailAddress": user, "messagesTotal": len(box["messages"]),
                      "threadsTotal": len(box["messages"]), "historyId": str(box["hid"])})
    if path == "messages":
        spam_trash = _one(query, "includeSpamTrash", "false") == "true"
        ids = [i for i, m in sorted(box["messages"].items(), key=lambda kv: -kv[1]["date"])
               if spam_trash or not set(m["labels"]) & {"SPAM", "TRASH"}]
        chunk, token = _page(ids, query, "maxResults", 100, fake.max_page)
        out: dict[str, Any] = {"resultSizeEstimate": len(ids)}
        if chunk:
            out["messages"] = [{"id": i, "threadId": i} for i in chunk]
        if token:
            out["nextPageToken"] = token
        return _json(out)
    m = re.fullmatch(r"messages/([^/]+)", path)
    if m:
        msg = box["messages"].get(m.group(1))
        if msg is None:
            raise _Error(404, "notFound", "Requested entity was not found.")
        base = {"id": m.group(1), "threadId": m.group(1), "labelIds": msg["labels"], "historyId": str(msg["hid"]),
                "internalDate": str(msg["date"]), "sizeEstimate": len(msg["raw"])}
        fmt = _one(query, "format", "full")
        if fmt == "raw":
            return _json({**base, "raw": base64.urlsafe_b64encode(msg["raw"]).decode()})
        if fmt == "metadata":
            import email

            parsed = email.message_from_bytes(msg["raw"])
            wanted = {h.lower() for h in query.get("metadataHeaders", [])}
            headers = [{"name": k, "value": str(v)} for k, v in parsed.items() if not wanted or k.lower() in wanted]
            return _json({**base, "payload": {"mimeType": parsed.get_content_type(), "headers": headers}})
        raise _Error(400, "invalidArgument", "this emulator serves format=raw and format=metadata")
    if path == "history":
        start = int(_one(query, "startHistoryId", "0"))
        oldest = int(box["history"][0]["id"]) if box["history"] else box["hid"]
        if start < oldest - 1 or start > box["hid"]:
            raise _Error(404, "notFound", "Requested entity was not found.")
        types = set(query.get("historyTypes", []))
        records = []
        for record in box["history"]:
            if int(record["id"]) <= start:
                continue
            kept = {k: v for k, v in record.items() if k == "id" or not types or
                    {"messagesAdded": "messageAdded", "messagesDeleted": "messageDeleted"}.get(k) in types}
            if len(kept) > 1:
                records.append(kept)
        chunk, token = _page(records, query, "maxResults", 100)
        out = {"historyId": str(box["hid"])}
        if chunk:
            out["history"] = chunk
        if token:
            out["nextPageToken"] = token
        return _json(out)
    raise _Error(404, "notFound", "Not Found")

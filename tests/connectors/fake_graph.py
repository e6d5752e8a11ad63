"""A small emulator of the Microsoft Graph v1.0 mail API, for tests of ``connectors/graph.py``.

It implements, on a stdlib ``ThreadingHTTPServer`` bound to 127.0.0.1, the documented endpoints the
connector uses, with the JSON shapes of the Graph reference:

- ``GET /v1.0/users`` (paged), ``GET /v1.0/users/{u}/mailFolders`` (paged),
  ``GET /v1.0/users/{u}/mailFolders/{id or well-known name}``, ``.../mailFolders/{id}/childFolders``;
- ``GET /v1.0/users/{u}/mailFolders/{f}/messages`` with ``$select``, ``$top`` and an absolute
  ``@odata.nextLink`` (``$skip``);
- ``GET /v1.0/users/{u}/mailFolders/{f}/messages/delta`` (also ``delta()``, as the SDK spells it): the first
  round lists every message in pages (``$skiptoken``) and ends with ``@odata.deltaLink``; a round started
  from a delta link lists messages changed since, and deleted ones as ``{"id": ..., "@removed": {...}}``;
  an expired token answers ``410 SyncStateNotFound``;
- ``GET /v1.0/users/{u}/messages/{id}/$value``: the message's MIME.

Page size is ``Prefer: odata.maxpagesize=N`` or ``$top``, at most ``page_size``. A bearer token is
required. Faults are injected per route and per request number (:class:`Fault`), and whole mailboxes
can be made to fail (``broken_users``). Every request is logged with its time and status.

Message metadata (from, to, cc, bcc, date) is parsed from each message's own MIME, so the listing and
the content always agree. Everything here is synthetic.
"""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

WELL_KNOWN = {"inbox": "Inbox", "sentitems": "Sent Items", "drafts": "Drafts", "deleteditems": "Deleted Items",
              "archive": "Archive", "junkemail": "Junk Email"}


@dataclass
class Fault:
    """Answer the ``nth`` request of ``route`` (1-based; 0 = every one) with ``status``, ``times`` times.

    Routes: ``users``, ``folders``, ``folder``, ``children``, ``messages``, ``delta``, ``mime``.
    """

    route: str
    status: int
    nth: int = 1
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    code: str = ""
    user: str | None = None


@dataclass
class Folder:
    id: str
    display_name: str
    well_known: str | None
    parent_id: str


@dataclass
class Message:
    id: str
    folder_id: str
    mime: bytes
    version: int
    created: str


@dataclass
class Logged:
    """One request as the emulator saw it."""

    time: float
    route: str
    user: str | None
    path: str
    query: str
    status: int
    retry_attempt: str | None
    authorization: str | None


class FakeGraph:
    """The emulator's state and its HTTP server. Use as a context manager."""

    def __init__(self, token: str = "test", page_size: int = 2) -> None:
        self.token = token
        self.page_size = page_size
        self.folders: dict[str, dict[str, Folder]] = {}  # user -> folder id -> folder
        self.messages: dict[str, dict[str, Message]] = {}  # user -> message id -> message
        self.tombstones: list[tuple[str, str, str, int]] = []  # user, folder id, message id, version
        self.version = 0
        self.sync_epoch = 1
        self.faults: list[Fault] = []
        self.broken_users: dict[str, int] = {}
        self.disabled_users: set[str] = set()  # accounts with accountEnabled = false (listed by /users)
        self.log: list[Logged] = []
        self._route_counts: dict[tuple[str, str | None], int] = {}
        self._serial = 0
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- state --

    def add_user(self, user: str) -> None:
        """A mailbox with the usual well-known folders."""
        with self.lock:
            root = self._id("root", user)
            self.folders[user] = {}
            self.messages[user] = {}
            for wk, name in WELL_KNOWN.items():
                fid = self._id("folder", user, wk)
                self.folders[user][fid] = Folder(fid, name, wk, root)

    def add_folder(self, user: str, display_name: str, parent: str | None = None) -> str:
        """A user-made folder (under the root, or under the folder named ``parent``); returns its id."""
        with self.lock:
            parent_id = self.folder_id(user, parent) if parent else self._id("root", user)
            fid = self._id("folder", user, parent or "", display_name)
            self.folders[user][fid] = Folder(fid, display_name, None, parent_id)
            return fid

    def folder_id(self, user: str, name: str) -> str:
        """The id of a folder given by well-known name or display name."""
        for folder in self.folders[user].values():
            if name in (folder.well_known, folder.display_name):
                return folder.id
        raise KeyError(name)

    def add_message(self, user: str, folder: str, mime: bytes) -> str:
        """Put a message (raw RFC 5322 bytes) in a folder; returns its Graph id."""
        with self.lock:
            self._serial += 1
            self.version += 1
            digest = hashlib.sha256(f"{user}:{self._serial}".encode()).digest()
            # Graph ids are long URL-safe base64 strings ending in "="; keep that shape so encoding is exercised.
            mid = "AAMkAGI2" + base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=") + "-_AAA="
            self.messages[user][mid] = Message(mid, self.folder_id(user, folder), mime, self.version, _now())
            return mid

    def update_message(self, user: str, mid: str, mime: bytes) -> None:
        """Change a message's content (a new change key, and it shows in the next delta round)."""
        with self.lock:
            self.version += 1
            msg = self.messages[user][mid]
            msg.mime, msg.version = mime, self.version

    def delete_message(self, user: str, mid: str) -> None:
        """Delete a message (it shows as ``@removed`` in the next delta round)."""
        with self.lock:
            self.version += 1
            msg = self.messages[user].pop(mid)
            self.tombstones.append((user, msg.folder_id, mid, self.version))

    def expire_sync_state(self) -> None:
        """Every delta token issued so far becomes invalid (410)."""
        with self.lock:
            self.sync_epoch += 1

    def requests(self, route: str | None = None, user: str | None = None) -> list[Logged]:
        """Logged requests, optionally of one route and user."""
        with self.lock:
            return [r for r in self.log if (route is None or r.route == route) and (user is None or r.user == user)]

    def _id(self, *parts: str) -> str:
        digest = hashlib.sha256("/".join(parts).encode()).digest()
        return "AAMkAD" + base64.urlsafe_b64encode(digest[:18]).decode() + "AAA="

    # -- server --

    @property
    def base_url(self) -> str:
        """The Graph base URL, ``/v1.0`` included."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1.0"

    def __enter__(self) -> FakeGraph:
        handler = type("Handler", (_Handler,), {"graph": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-graph", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- request handling (called from the handler threads) --

    def handle(self, path: str, query: dict[str, list[str]],
               headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, str, str | None]:
        """Answer one GET: (status, headers, body, route, user)."""
        segments = [unquote(s) for s in path.split("/") if s]
        if segments[:1] != ["v1.0"]:
            return (*_error(404, "BadRequest", "Unsupported API version."), "?", None)
        segments = segments[1:]
        route, user, args = _route(segments)
        if route == "?":
            return (*_error(400, "BadRequest", "Resource not found for the segment."), route, user)
        if headers.get("authorization") != f"Bearer {self.token}":
            return (*_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid."), route, user)
        with self.lock:
            key = (route, user)
            self._route_counts[key] = self._route_counts.get(key, 0) + 1
            count_user = self._route_counts[key]
            count_all = sum(v for (r, _), v in self._route_counts.items() if r == route)
            for fault in self.faults:
                if fault.route != route or fault.times <= 0 or (fault.user is not None and fault.user != user):
                    continue
                n = count_user if fault.user is not None else count_all
                if fault.nth and n != fault.nth:
                    continue
                fault.times -= 1
                status, hdrs, body = _error(fault.status, fault.code or _code(fault.status), "Injected fault.")
                return status, {**hdrs, **fault.headers}, body, route, user
            if user is not None and user in self.broken_users:
                status = self.broken_users[user]
                code = "ErrorAccessDenied" if status == 403 else "MailboxNotEnabledForRESTAPI"
                return (*_error(status, code, "The mailbox cannot be accessed."), route, user)
            if user is not None and user not in self.folders:
                return (*_error(404, "ErrorInvalidUser", "The requested user is invalid."), route, user)
            return (*self._answer(route, user, args, path, query, headers), route, user)

    def _answer(self, route: str, user: str | None, args: list[str], path: str, query: dict[str, list[str]],
                headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        base = self.base_url
        size = _page_size(query, headers, self.page_size)
        if route == "users":
            rows = [{"id": self._id("user", u), "userPrincipalName": u, "mail": u, "displayName": u.split("@")[0],
                     "accountEnabled": u not in self.disabled_users}
                    for u in sorted(set(self.folders) | self.disabled_users)]
            rows = [_select(r, query) for r in rows]
            return _page(base, path, query, rows, size, f"{base}/$metadata#users")
        assert user is not None
        if route == "folders":
            rows = [_folder_json(f, self.folders[user]) for f in self.folders[user].values()
                    if f.parent_id == self._id("root", user)]
            return _page(base, path, query, rows, size, f"{base}/$metadata#users('{user}')/mailFolders")
        folder = self._folder(user, args[0]) if args else None
        if route in ("folder", "children", "messages", "delta") and folder is None:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        if route == "folder":
            assert folder is not None
            return _json(200, {"@odata.context": f"{base}/$metadata#users('{user}')/mailFolders/$entity",
                               **_folder_json(folder, self.folders[user])})
        if route == "children":
            assert folder is not None
            rows = [_folder_json(f, self.folders[user]) for f in self.folders[user].values()
                    if f.parent_id == folder.id]
            return _page(base, path, query, rows, size, f"{base}/$metadata#users('{user}')/mailFolders")
        if route == "messages":
            assert folder is not None
            msgs = sorted((m for m in self.messages[user].values() if m.folder_id == folder.id),
                          key=lambda m: m.created, reverse=True)
            rows = [_select(_message_json(m), query) for m in msgs]
            return _page(base, path, query, rows, size, f"{base}/$metadata#users('{user}')/mailFolders/messages")
        if route == "delta":
            assert folder is not None
            return self._delta(base, path, user, folder, query, size)
        if route == "mime":
            msg = self.messages[user].get(args[0])
            if msg is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            return 200, {"Content-Type": "text/plain"}, msg.mime
        return _error(400, "BadRequest", "Unsupported.")

    def _folder(self, user: str, key: str) -> Folder | None:
        for folder in self.folders[user].values():
            if key in (folder.id, folder.well_known):
                return folder
        return None

    def _delta(self, base: str, path: str, user: str, folder: Folder, query: dict[str, list[str]],
               size: int) -> tuple[int, dict[str, str], bytes]:
        skiptoken = query.get("$skiptoken", [""])[0]
        deltatoken = query.get("$deltatoken", [""])[0]
        if skiptoken:
            state = _decode(skiptoken)
        elif deltatoken:
            state = {**_decode(deltatoken), "upto": self.version, "offset": 0}
        else:
            state = {"since": 0, "upto": self.version, "offset": 0, "epoch": self.sync_epoch}
        if state.get("epoch") != self.sync_epoch:
            return _error(410, "SyncStateNotFound", "The sync state generation is no longer valid.")
        since, upto, offset = state["since"], state["upto"], state["offset"]
        changes: list[tuple[int, dict[str, Any]]] = [
            (m.version, _select(_message_json(m), query)) for m in self.messages[user].values()
            if m.folder_id == folder.id and since < m.version <= upto
        ]
        if since:
            changes += [(v, {"@odata.type": "#microsoft.graph.message", "id": mid, "@removed": {"reason": "deleted"}})
                        for u, fid, mid, v in self.tombstones if u == user and fid == folder.id and since < v <= upto]
        changes.sort(key=lambda pair: pair[0])
        rows = [row for _, row in changes[offset:offset + size]]
        body: dict[str, Any] = {"@odata.context": f"{base}/$metadata#Collection(message)", "value": rows}
        keep = {k: v for k, v in query.items() if k == "$select"}
        if offset + size < len(changes):
            token = _encode({**state, "offset": offset + size})
            body["@odata.nextLink"] = f"{_origin(base)}{path}?{urlencode({**_flat(keep), '$skiptoken': token})}"
        else:
            token = _encode({"since": upto, "epoch": self.sync_epoch})
            body["@odata.deltaLink"] = f"{_origin(base)}{path}?{urlencode({**_flat(keep), '$deltatoken': token})}"
        return _json(200, body)


class _Handler(BaseHTTPRequestHandler):
    graph: FakeGraph
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, hdrs, body, route, user = self.graph.handle(parts.path, query, headers)
        with self.graph.lock:
            self.graph.log.append(Logged(time.monotonic(), route, user, parts.path, parts.query, status,
                                         headers.get("retry-attempt"), headers.get("authorization")))
        self.send_response(status)
        for name, value in {**hdrs, "Content-Length": str(len(body)),
                            "request-id": hashlib.md5(self.path.encode()).hexdigest()}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's signature)
        """Quiet: the log is kept in ``FakeGraph.log``."""


def _route(segments: list[str]) -> tuple[str, str | None, list[str]]:
    if segments == ["users"]:
        return "users", None, []
    if len(segments) < 3 or segments[0] != "users":
        return "?", None, []
    user, rest = segments[1], segments[2:]
    if rest == ["mailFolders"]:
        return "folders", user, []
    if rest[0] == "mailFolders" and len(rest) == 2:
        return "folder", user, [rest[1]]
    if rest[0] == "mailFolders" and len(rest) == 3 and rest[2] == "childFolders":
        return "children", user, [rest[1]]
    if rest[0] == "mailFolders" and len(rest) == 3 and rest[2] == "messages":
        return "messages", user, [rest[1]]
    if rest[0] == "mailFolders" and len(rest) == 4 and rest[2] == "messages" and rest[3] in ("delta", "delta()"):
        return "delta", user, [rest[1]]
    if rest[0] == "messages" and len(rest) == 3 and rest[2] == "$value":
        return "mime", user, [rest[1]]
    return "?", user, []


def _page_size(query: dict[str, list[str]], headers: dict[str, str], default: int) -> int:
    wanted = default
    prefer = headers.get("prefer", "")
    if "odata.maxpagesize=" in prefer:
        wanted = int(prefer.split("odata.maxpagesize=")[1].split(",")[0])
    if "$top" in query:
        wanted = int(query["$top"][0])
    return max(1, min(wanted, default))


def _page(base: str, path: str, query: dict[str, list[str]], rows: list[dict[str, Any]], size: int,
          context: str) -> tuple[int, dict[str, str], bytes]:
    skip = int(query.get("$skip", ["0"])[0])
    body: dict[str, Any] = {"@odata.context": context, "value": rows[skip:skip + size]}
    if skip + size < len(rows):
        body["@odata.nextLink"] = f"{_origin(base)}{path}?{urlencode({**_flat(query), '$skip': skip + size})}"
    return _json(200, body)


def _flat(query: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[0] for k, v in query.items()}


def _origin(base: str) -> str:
    return base.rsplit("/v1.0", 1)[0]


def _select(row: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    if "$select" not in query:
        return row
    wanted = set(query["$select"][0].split(",")) | {"id"}
    return {k: v for k, v in row.items() if k in wanted or k.startswith("@odata")}


def _folder_json(folder: Folder, all_folders: dict[str, Folder]) -> dict[str, Any]:
    children = sum(1 for f in all_folders.values() if f.parent_id == folder.id)
    return {"id": folder.id, "displayName": folder.display_name, "parentFolderId": folder.parent_id,
            "childFolderCount": children, "unreadItemCount": 0, "totalItemCount": 0, "isHidden": False}


def _message_json(msg: Message) -> dict[str, Any]:
    parsed = email.message_from_bytes(msg.mime, policy=email.policy.default)

    def people(header: str) -> list[dict[str, Any]]:
        values = parsed.get_all(header) or []
        return [{"emailAddress": {"name": name or addr, "address": addr}}
                for name, addr in email.utils.getaddresses([str(v) for v in values]) if addr]

    sender = people("From")
    date = parsed.get("Date")
    received = (email.utils.parsedate_to_datetime(str(date)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                if date else msg.created)
    change_key = "CQAAABYAAA" + base64.b64encode(f"v{msg.version:06d}".encode()).decode()
    has_attachments = any(part.get_content_disposition() == "attachment" for part in parsed.walk())
    return {
        "@odata.etag": f'W/"{change_key}"',
        "id": msg.id,
        "createdDateTime": msg.created,
        "lastModifiedDateTime": _stamp(msg.version),
        "changeKey": change_key,
        "receivedDateTime": received,
        "sentDateTime": received,
        "hasAttachments": has_attachments,
        "internetMessageId": str(parsed.get("Message-ID", "")),
        "subject": str(parsed.get("Subject", "")),
        "bodyPreview": "",
        "isRead": False,
        "parentFolderId": msg.folder_id,
        "from": sender[0] if sender else None,
        "sender": sender[0] if sender else None,
        "toRecipients": people("To"),
        "ccRecipients": people("Cc"),
        "bccRecipients": people("Bcc"),
    }


def _stamp(version: int) -> str:
    return datetime.fromtimestamp(1_760_000_000 + version * 60, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _code(status: int) -> str:
    return {401: "InvalidAuthenticationToken", 403: "ErrorAccessDenied", 404: "ErrorItemNotFound",
            429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}.get(status, "UnknownError")


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return _json(status, {"error": {"code": code, "message": message,
                                    "innerError": {"date": _now(), "request-id": "00000000-fake"}}})


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json;odata.metadata=minimal;charset=utf-8"}, json.dumps(body).encode()


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _decode(token: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(token.encode())))

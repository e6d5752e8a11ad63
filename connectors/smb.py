"""A Windows or Samba file share read over SMB 2/3 with smbprotocol's high-level ``smbclient`` API.

Sources: ``smb://[user@]host[:port]/share/path`` on the command line, or ``[sources.NAME] type = "smb"``
with ``host``, ``port``, ``share``, ``path``, ``username``, ``password_env``, and optionally ``auth``
(``negotiate``, the default, ``ntlm`` or ``kerberos``) and ``encrypt`` (true/false; default: what the
server asks for). The password is only ever read from the environment: ``password_env`` of the named
source (or of a named source with the same host, port and share, for an ``smb://`` address), else
``DLP_SMB_PASSWORD``. ``endpoint`` is refused: ``host`` and ``port`` already say where the server is.

Kerberos: ``auth = "kerberos"`` uses the ticket cache of the user running the scan (``kinit`` first) and
needs ``pip install 'smbprotocol[kerberos]'``; no password is read. It is not tested here.

Enumeration walks the share with ``scandir`` (one directory query per folder, no extra round trip per
entry), applies the ``[scan]`` include/exclude/hidden rules the local connector applies, and reads each
file's owner from its security descriptor (the owner's SID, e.g. ``S-1-5-21-...-1000``).

Access (issue 17): :meth:`SmbConnector.access` reads an item's DACL (one compound create/query/close,
asked only for items the scan found PI in) and turns it into exposure values (``everyone``,
``domain_users``, ``group:NAME``...; :mod:`dlp.access.exposure`). SIDs are named with LSARPC lookups
on the IPC$ share of the same connection (:mod:`dlp.access.lsa`), cached for the run; a SID the server
cannot name stays a SID. :meth:`SmbConnector.acl_state` and :meth:`SmbConnector.set_acl_state` read and
write the whole descriptor for remediation (:mod:`dlp.access.remove`).
Content is read in :meth:`SmbConnector.fetch`, which the pipeline calls from several I/O threads at
once: each request borrows one of at most ``fetch_threads + 1`` pooled connections (one logon each),
because smbprotocol cannot share one connection's SMB credits between concurrent threads.

A dropped connection (a server restart, a network blip) is re-established and the operation retried
with backoff a bounded number of times; a folder listing that was cut is listed again whole, so
enumeration continues where it was.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import unquote, urlsplit

import smbclient
from smbclient._io import SMBFileTransaction, SMBRawIO
from smbclient._pool import get_smb_tree
from smbprotocol.connection import Connection
from smbprotocol.exceptions import (
    LogonFailure,
    SMBAuthenticationError,
    SMBConnectionClosed,
    SMBOSError,
    SMBResponseException,
)
from smbprotocol.open import SMB2QueryInfoRequest, SMB2QueryInfoResponse, SMB2SetInfoRequest, SMB2SetInfoResponse
from smbprotocol.session import Session

from connectors.base import Connector
from connectors.local import _is_hidden, _match
from dlp.access import sd as security
from dlp.access.exposure import BroadGroups, dacl_exposure
from dlp.access.lsa import LsaClient, SidNames
from dlp.config import ScanSettings, Settings
from dlp.errors import ConfigError, DlpError, ItemError, NotExamined
from dlp.types import Item, ItemRef, Reason, Status

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PORT = 445
DEFAULT_PASSWORD_ENV = "DLP_SMB_PASSWORD"
_AUTH_PROTOCOLS = ("negotiate", "ntlm", "kerberos")
_OPTIONS = frozenset({"host", "port", "share", "path", "username", "password_env", "auth", "encrypt"})

# Retries after a dropped connection: 0.5 + 1 + 2 + 4 + 4 s of backoff, so a server restart of up to
# about 10 s is ridden out; a server gone for longer fails the item (or the listing) with its reason.
RETRIES = 5
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 4.0
CONNECT_TIMEOUT = 10
READ_BLOCK = 4 << 20

# NT status codes (MS-ERREF 2.3). Some are not named in smbprotocol's NtStatus, so all are spelt here.
_ACCESS_DENIED = 0xC0000022
_VANISHED = frozenset({
    0xC0000034,  # STATUS_OBJECT_NAME_NOT_FOUND
    0xC000003A,  # STATUS_OBJECT_PATH_NOT_FOUND
    0xC000000F,  # STATUS_NO_SUCH_FILE
    0xC0000056,  # STATUS_DELETE_PENDING: deleted while another handle keeps it open
    0xC0000123,  # STATUS_FILE_DELETED
})
_SHARING_VIOLATION = 0xC0000043
_LOCKED = frozenset({0xC0000054, 0xC0000055})  # STATUS_FILE_LOCK_CONFLICT, STATUS_LOCK_NOT_GRANTED
# The server dropped our session or tree (it restarted, or an administrator closed it): reconnect.
_SESSION_LOST = frozenset({
    0xC00000C9,  # STATUS_NETWORK_NAME_DELETED
    0xC0000203,  # STATUS_USER_SESSION_DELETED
    0xC000035C,  # STATUS_NETWORK_SESSION_EXPIRED
    0xC000020C,  # STATUS_CONNECTION_DISCONNECTED
    0xC000020D,  # STATUS_CONNECTION_RESET
    0xC0000128,  # STATUS_FILE_CLOSED: the handle died with the old connection
})

# Errors the server answers with (a refused open, a missing file): mapped to item statuses.
_SMB_ERRORS: tuple[type[BaseException], ...] = (SMBOSError, SMBResponseException)
# The connection is gone: reconnect and retry. (ValueError: smbprotocol's transport wraps a failed TCP
# connect in one; _connection_lost() checks that its cause is an OSError.)
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (SMBConnectionClosed, ConnectionError, TimeoutError,
                                                       ValueError, OSError)
_LOGON_ERRORS: tuple[type[BaseException], ...] = (LogonFailure, SMBAuthenticationError)

# File attributes (MS-FSCC 2.6).
_ATTR_HIDDEN = 0x2
_ATTR_SYSTEM = 0x4
_ATTR_DIRECTORY = 0x10
_ATTR_REPARSE_POINT = 0x400

# Access rights and query constants for reading and writing security descriptors (MS-SMB2 2.2.37,
# 2.2.39, MS-DTYP 2.4.3).
_READ_CONTROL = 0x00020000
_WRITE_DAC = 0x00040000
_FILE_READ_DATA = 0x00000001
_INFO_SECURITY = 0x03
_OWNER_SECURITY_INFORMATION = 0x00000001
_GROUP_SECURITY_INFORMATION = 0x00000002
_DACL_SECURITY_INFORMATION = 0x00000004
_SD_BUFFER = 65536  # a descriptor with hundreds of ACEs still fits


class SmbUnavailable(DlpError):
    """The server could not be reached (or refused the logon) even after the retries.

    Raised by :meth:`SmbConnector.enumerate` after the folder it was listing has been yielded as an
    error, so that the pipeline does not count the source as fully enumerated (which would mark every
    item it did not see as removed). Caught by nobody inside the scanner: the run shows the error.
    """


@dataclass
class _Slot:
    """One pooled connection: its own smbclient connection cache, used by one thread at a time."""

    cache: dict[str, Any] = field(default_factory=dict)
    connected: bool = False
    connections: int = 0  # how many times it has logged on (more than once: reconnected)

    def connection(self, host: str, port: int) -> Connection | None:
        """The slot's live connection, if any."""
        found = self.cache.get(f"{host.lower()}:{port}")
        return found if isinstance(found, Connection) else None


@contextmanager
def _watchdog(connection: Connection | None, seconds: float) -> Iterator[None]:
    """Close ``connection`` if the block is still running after ``seconds``.

    Closing the socket ends smbprotocol's receiver thread, which wakes every waiting request with a
    closed-connection error: the only way to bound a wait that the library leaves unbounded.
    """
    if connection is None:
        yield
        return
    timer = threading.Timer(seconds, _abort, args=(connection,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _abort(connection: Connection) -> None:
    log.warning("no answer from %s in time; closing the connection", connection.server_name)
    # Already closed by the server: the waiting call has its error either way.
    with suppress(OSError):
        connection.transport.close()


class SmbConnector(Connector):
    """Reads a folder of an SMB share."""

    name: ClassVar[str] = "smb"
    schemes: ClassVar[tuple[str, ...]] = ("smb",)

    def __init__(self, *, host: str, port: int, share: str, path: str, username: str | None,
                 password: str | None, display: str, scan: ScanSettings, auth: str = "negotiate",
                 encrypt: bool | None = None) -> None:
        self.host = host
        self.port = port
        self.share = share
        self.path = path.strip("/")
        self.username = username
        self._password = password
        self.display = display.rstrip("/") or display
        self.scan = scan
        self.auth = auth
        self.encrypt = encrypt
        self.source_key = f"smb:{host.lower()}:{port}/{share.lower()}/{self.path}".rstrip("/")
        # A pool of connections, each used by one thread at a time: smbprotocol does not share a
        # connection's SMB credits safely between threads ("requires 1 credits but only 0 are available"
        # under concurrent reads), so concurrency is one connection per fetch thread, plus one for the
        # enumeration, made only when needed. The pool's size is the bound on concurrent SMB requests.
        self._pool: queue.LifoQueue[_Slot] = queue.LifoQueue()
        self._slots: list[_Slot] = []
        self._max_slots = scan.fetch_threads + 1
        self._lock = threading.Lock()
        self._root_is_file = False  # set by enumerate() when the address names a file, not a folder
        self._names = SidNames(self._lookup_sids)  # SID -> account name, for this run

    # -- construction --

    @classmethod
    def from_uri(cls, uri: str, settings: Settings) -> SmbConnector:
        """Build from ``smb://[user@]host[:port]/share/path``."""
        parts = urlsplit(uri)
        if parts.password is not None:
            raise ConfigError(f"source {_redact(uri)!r}: a password in the address is refused; "
                              f"set it in the environment variable {DEFAULT_PASSWORD_ENV}")
        host = parts.hostname
        if not host:
            raise ConfigError(f"source {uri!r}: no server; use smb://[user@]host[:port]/share/path")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise ConfigError(f"source {uri!r}: the port must be a number from 1 to 65535") from None
        segments = [unquote(s) for s in parts.path.split("/") if s]
        if not segments:
            raise ConfigError(f"source {uri!r}: no share; use smb://[user@]host[:port]/share/path")
        share, sub = segments[0], "/".join(segments[1:])
        _check_path(sub, f"source {uri!r}")
        # RFC-style "DOMAIN;user" (the smb URI draft), or DOMAIN\user percent-encoded.
        username = unquote(parts.username).replace(";", "\\") if parts.username else None
        match = _matching_source(settings, host, port, share, username)
        options = match[1] if match else {}
        username = username or options.get("username")
        auth = options.get("auth", "negotiate")
        where = f"[sources.{match[0]}]" if match else f"source {uri!r}"
        password_env = options.get("password_env", DEFAULT_PASSWORD_ENV)
        password = _password(auth, password_env, where)
        if username is None and auth != "kerberos":
            raise ConfigError(f"source {uri!r}: no user name; use smb://USER@{host}/{share}, "
                              "or a named [sources.NAME] with username")
        return cls(host=host, port=port, share=share, path=sub, username=username, password=password,
                   display=uri, scan=settings.scan, auth=auth, encrypt=options.get("encrypt"))

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], settings: Settings) -> SmbConnector:
        """Build from ``[sources.NAME]`` with ``type = "smb"``."""
        _check_options(name, options)
        return cls(host=options["host"], port=options.get("port", DEFAULT_PORT), share=options["share"],
                   path=options.get("path", ""), username=options.get("username"),
                   password=_password(options.get("auth", "negotiate"),
                                      options.get("password_env", DEFAULT_PASSWORD_ENV), f"[sources.{name}]"),
                   display=name, scan=settings.scan, auth=options.get("auth", "negotiate"),
                   encrypt=options.get("encrypt"))

    # -- the session --

    def _kwargs(self, slot: _Slot) -> dict[str, Any]:
        """Arguments every smbclient call needs: without ``port`` it would go to 445."""
        kwargs: dict[str, Any] = {"port": self.port, "connection_cache": slot.cache,
                                  "connection_timeout": CONNECT_TIMEOUT, "auth_protocol": self.auth}
        if self.username is not None:
            kwargs["username"] = self.username
        if self._password is not None:
            kwargs["password"] = self._password
        if self.encrypt is not None:
            kwargs["encrypt"] = self.encrypt
        return kwargs

    @contextmanager
    def _borrow(self) -> Iterator[_Slot]:
        """A connection slot for this thread's next request; waits while all are busy."""
        try:
            slot = self._pool.get_nowait()
        except queue.Empty:
            with self._lock:
                grow = len(self._slots) < self._max_slots
                if grow:
                    slot = _Slot()
                    self._slots.append(slot)
            if not grow:
                slot = self._pool.get()
        try:
            yield slot
        finally:
            self._pool.put(slot)

    def _connect(self, slot: _Slot) -> None:
        """(Re)connect one slot: a new TCP connection, a logon, and the share's tree.

        Each connection gets a client GUID of its own (smbclient's register_session would reuse one
        process-wide GUID): Samba hands a new connection whose GUID it already knows to the server
        process that holds it, and after a restart that may be a dying process that never answers.
        """
        smbclient.reset_connection_cache(fail_on_error=False, connection_cache=slot.cache)
        connection = Connection(uuid.uuid4(), self.host, self.port, require_signing=True)
        connection.connect(timeout=CONNECT_TIMEOUT)
        slot.cache[f"{self.host.lower()}:{self.port}"] = connection
        with _watchdog(connection, CONNECT_TIMEOUT):  # the logon itself waits for its answer forever
            Session(connection, username=self.username, password=self._password,
                    require_encryption=self.encrypt is True, auth_protocol=self.auth).connect()
            get_smb_tree(self._unc(""), **self._kwargs(slot))
        if slot.connections:
            log.info("reconnected to %s:%d", self.host, self.port)
        slot.connections += 1
        slot.connected = True

    def _call(self, operation: Callable[[dict[str, Any]], T], what: str) -> T:
        """Run ``operation(smbclient_kwargs)`` on a pooled connection, reconnecting and retrying with
        backoff when the connection drops (a server restart): the operation is redone whole.

        Raises:
            SmbUnavailable: the logon was refused, or still no connection after :data:`RETRIES` retries.
        """
        delay = BACKOFF_FIRST
        for attempt in range(RETRIES + 1):
            with self._borrow() as slot:
                try:
                    if not slot.connected:
                        self._connect(slot)
                    # smbprotocol waits for every answer without a time limit: a server that accepts
                    # requests but never answers would hold this thread for good. Past the item
                    # timeout, the connection is closed, which fails the wait, and the call is retried.
                    with _watchdog(slot.connection(self.host, self.port), self.scan.item_timeout):
                        return operation(self._kwargs(slot))
                except _LOGON_ERRORS as exc:
                    raise SmbUnavailable(f"{self.host}:{self.port} refused the logon of {self.username!r} "
                                         f"({type(exc).__name__}); check the user name and password") from exc
                except _CONNECTION_ERRORS as exc:
                    if not _connection_lost(exc):
                        raise
                    slot.connected = False
                    if attempt == RETRIES:
                        raise SmbUnavailable(f"{self.host}:{self.port} unreachable while {what} "
                                             f"({type(exc).__name__}), after {RETRIES} retries") from exc
                    log.warning("connection to %s:%d lost while %s (%s); retrying in %.1f s",
                                self.host, self.port, what, type(exc).__name__, delay)
            time.sleep(delay)  # with the slot given back, so that other threads are not held up
            delay = min(delay * 2, BACKOFF_MAX)
        raise AssertionError("unreachable")  # the loop either returns or raises

    def close(self) -> None:
        """Log off and drop the connections."""
        with self._lock:
            for slot in self._slots:
                smbclient.reset_connection_cache(fail_on_error=False, connection_cache=slot.cache)
                slot.connected = False

    def _unc(self, rel: str) -> str:
        parts = [p for p in (self.path + "/" + rel).split("/") if p]
        return "\\\\" + "\\".join([self.host, self.share, *parts])

    # -- enumeration --

    def enumerate(self) -> Iterator[ItemRef]:
        """Walk the share folder depth-first in name order; report what cannot be walked."""
        try:
            root = self._call(lambda kw: smbclient.stat(self._unc(""), **kw), "opening the share")
        except SmbUnavailable as exc:
            yield self._problem("", Status.ERROR, Reason.UNREADABLE, str(exc))
            raise
        except _SMB_ERRORS as exc:
            yield self._problem("", *_listing_problem(exc, "the scanned folder"))
            return
        if not root.st_file_attributes & _ATTR_DIRECTORY:
            # The address names one file: scan that file alone, under the address as given.
            self._root_is_file = True
            name = self.path.rsplit("/", 1)[-1]
            yield self._file_ref("", name, root.st_size, root.st_mtime,
                                 f"{root.st_ino}:{root.st_chgtime_ns}:{root.st_size}")
            return
        yield from self._walk("", {root.st_ino})

    def _walk(self, rel: str, visited: set[int]) -> Iterator[ItemRef]:
        try:
            entries = self._call(lambda kw: self._list(rel, kw), f"listing {rel or 'the share folder'}")
        except SmbUnavailable as exc:
            yield self._problem(rel, Status.ERROR, Reason.UNREADABLE, str(exc))
            raise
        except _SMB_ERRORS as exc:
            yield self._problem(rel, *_listing_problem(exc, "folder"))
            return
        for info in entries:
            child = f"{rel}/{info.file_name}" if rel else info.file_name
            attrs = info.file_attributes
            if not self.scan.hidden and (_is_hidden(info.file_name) or attrs & (_ATTR_HIDDEN | _ATTR_SYSTEM)):
                continue
            if attrs & _ATTR_REPARSE_POINT:
                # A symbolic link or junction that the server shows as such (Samba follows Unix links
                # itself and shows their targets). Links are resolved client-side in SMB, so they
                # could lead anywhere, other servers included: report, never follow.
                if self.scan.follow_symlinks:
                    yield self._problem(child, Status.NOT_EXAMINED, Reason.UNSUPPORTED,
                                        "a link or junction on the share (not followed over SMB)")
                continue
            if attrs & _ATTR_DIRECTORY:
                if info.file_id in visited:
                    yield self._problem(child, Status.NOT_EXAMINED, Reason.SYMLINK_LOOP,
                                        "a folder already scanned (a link on the server)")
                    continue
                visited.add(info.file_id)
                yield from self._walk(child, visited)
            elif self._selected(child):
                yield self._file_ref(child, child, info.end_of_file, info.last_write_time.timestamp(),
                                     f"{info.file_id}:{_ns(info.change_time)}:{info.end_of_file}")

    def _list(self, rel: str, kwargs: dict[str, Any]) -> list[Any]:
        """The folder's entries sorted by name, read completely (a cut listing is redone whole)."""
        entries = smbclient.scandir(self._unc(rel), **kwargs)
        try:
            # smb_info is what the directory query returned: no round trip per entry. (DirEntry.stat()
            # would drop the port argument in smbprotocol 1.17 and connect to 445.)
            return sorted((entry.smb_info for entry in entries), key=lambda info: info.file_name)
        finally:
            entries.close()  # releases the directory handle at once, also when the listing was cut

    def _file_ref(self, rel: str, item_id: str, size: int, modified: float, etag: str) -> ItemRef:
        """The reference of a file, or a problem reference when it may not be read at all.

        ``etag`` is the file id, change time and size: the change time moves on every write and
        rename, which the modification time (settable by any client) does not promise.
        """
        owner: str | None = None
        try:
            owner = self._owner(rel)
        except SmbUnavailable as exc:
            return self._problem(rel, Status.ERROR, Reason.UNREADABLE, str(exc))
        except _SMB_ERRORS as exc:
            status = _ntstatus(exc)
            if status in _VANISHED:
                return self._problem(rel, Status.NOT_EXAMINED, Reason.VANISHED, "file vanished while listed")
            if status == _ACCESS_DENIED and not self._may_read(rel):
                return self._problem(rel, Status.ERROR, Reason.PERMISSION_DENIED, "cannot be read")
            # The owner is unreadable but the content may be: leave the verdict to fetch().
        return ItemRef(source=self.source_key, item_id=item_id, uri=f"{self.display}/{rel}" if rel else self.display,
                       size=size, modified=modified, etag=etag, owner=owner)

    def _owner(self, rel: str) -> str | None:
        """The owner SID from the file's security descriptor (one compound create/query/close)."""
        try:
            return self._descriptor(rel, _OWNER_SECURITY_INFORMATION, 4096).owner
        except ItemError:
            return None  # a malformed descriptor: the owner is unknown, the content may still be read

    def _descriptor(self, rel: str, parts: int, size: int = _SD_BUFFER) -> security.SecurityDescriptor:
        """The parts (owner, group, DACL flags) of the security descriptor of ``rel``."""
        def query(kwargs: dict[str, Any]) -> bytes:
            # READ_CONTROL alone: it takes part in no share-mode check, so a file open elsewhere with
            # exclusive access still answers, and reading the descriptor never locks out a user.
            raw = SMBRawIO(self._unc(rel), mode="r", share_access="rwd", desired_access=_READ_CONTROL, **kwargs)
            request = SMB2QueryInfoRequest()
            request["info_type"] = _INFO_SECURITY
            request["output_buffer_length"] = size
            request["additional_information"] = parts
            request["file_id"] = raw.fd.file_id

            def receive(sent: Any) -> bytes:
                response = raw.fd.connection.receive(sent)
                answer = SMB2QueryInfoResponse()
                answer.unpack(response["data"].get_value())
                return bytes(answer["buffer"].get_value())

            with SMBFileTransaction(raw) as transaction:
                transaction += (request, receive)
            return bytes(transaction.results[0])

        data = self._call(query, f"reading the security descriptor of {rel or 'the file'}")
        try:
            return security.parse(data)
        except security.DescriptorError as exc:
            # Only a broken server sends this; the item is still scanned, its access unknown.
            raise ItemError(Reason.UNREADABLE, f"unreadable security descriptor ({exc})") from None

    # -- access (issue 17) --

    def access(self, ref: ItemRef, broad: BroadGroups) -> tuple[str, ...]:
        """The exposure values of a listed file from its DACL (see :mod:`dlp.access.exposure`).

        Raises:
            ItemError: the descriptor could not be read (refused, vanished, server unreachable).
        """
        descriptor = self._read_descriptor(ref)
        if broad.needs_names() and descriptor.dacl:
            # One lookup round for the whole DACL rather than one per ACE.
            self._names.prefetch(a.sid for a in descriptor.dacl if a.sid is not None)
        return dacl_exposure(descriptor, broad, self._names.name)

    def sid_name(self, sid: str) -> str:
        """The account name of ``sid`` as the server knows it, else the SID itself."""
        return self._names.name(sid) or sid

    def acl_state(self, ref: ItemRef) -> dict[str, Any]:
        """The file's owner, group and DACL as JSON-ready state (what remediation records as "before")."""
        return {"kind": "nt", "sd": self._read_descriptor(ref).raw.hex()}

    def set_acl_state(self, ref: ItemRef, state: dict[str, Any]) -> None:
        """Write the DACL (and its protection flag) of a state from :meth:`acl_state` back to the file.

        Raises:
            ItemError: the server refused (no WRITE_DAC right), or the file is gone.
        """
        if state.get("kind") != "nt":
            raise ValueError("not an NT security descriptor state")
        data = security.for_setting(bytes.fromhex(state["sd"]))
        rel = self._rel(ref)

        def write(kwargs: dict[str, Any]) -> None:
            raw = SMBRawIO(self._unc(rel), mode="r", share_access="rwd",
                           desired_access=_READ_CONTROL | _WRITE_DAC, **kwargs)
            request = SMB2SetInfoRequest()
            request["info_type"] = _INFO_SECURITY
            request["additional_information"] = _DACL_SECURITY_INFORMATION
            request["file_id"] = raw.fd.file_id
            request["buffer"] = data

            def receive(sent: Any) -> None:
                response = raw.fd.connection.receive(sent)  # raises on a refusal
                SMB2SetInfoResponse().unpack(response["data"].get_value())

            with SMBFileTransaction(raw) as transaction:
                transaction += (request, receive)

        try:
            self._call(write, f"writing the DACL of {rel or 'the file'}")
        except SmbUnavailable as exc:
            raise ItemError(Reason.UNREADABLE, str(exc)) from None
        except _SMB_ERRORS as exc:
            raise _read_problem(exc) from None

    def _read_descriptor(self, ref: ItemRef) -> security.SecurityDescriptor:
        rel = self._rel(ref)
        parts = _OWNER_SECURITY_INFORMATION | _GROUP_SECURITY_INFORMATION | _DACL_SECURITY_INFORMATION
        try:
            return self._descriptor(rel, parts)
        except SmbUnavailable as exc:
            raise ItemError(Reason.UNREADABLE, str(exc)) from None
        except _SMB_ERRORS as exc:
            raise _read_problem(exc) from None

    def _rel(self, ref: ItemRef) -> str:
        return "" if self._root_is_file else ref.item_id

    def _lookup_sids(self, sids: list[str]) -> dict[str, str]:
        """Names of SIDs from the server's LSA, over the IPC$ share of a pooled connection."""
        def lookup(kwargs: dict[str, Any]) -> dict[str, str]:
            pipe_path = f"\\\\{self.host}\\IPC$\\lsarpc"
            with smbclient.open_file(pipe_path, mode="w+b", buffering=0, file_type="pipe", **kwargs) as pipe:
                client = LsaClient(pipe)
                try:
                    return client.lookup(sids)
                finally:
                    client.close()

        try:
            return self._call(lookup, "looking up account names")
        except SmbUnavailable as exc:
            raise OSError(str(exc)) from None

    def _may_read(self, rel: str) -> bool:
        """Whether the file opens for reading (asked only when its security descriptor is refused)."""
        def probe(kwargs: dict[str, Any]) -> bool:
            try:
                with smbclient.open_file(self._unc(rel), mode="rb", share_access="rwd", buffering=0, **kwargs):
                    return True
            except _SMB_ERRORS as exc:
                if _ntstatus(exc) == _ACCESS_DENIED:
                    return False
                raise

        try:
            return self._call(probe, f"opening {rel}")
        except (SmbUnavailable, SMBOSError, SMBResponseException):
            return True  # unknown: fetch() meets the problem again and records it with its reason

    def _selected(self, rel: str) -> bool:
        if self.scan.include and not any(_match(rel, pat) for pat in self.scan.include):
            return False
        return not any(_match(rel, pat) for pat in self.scan.exclude)

    def _problem(self, rel: str, status: Status, reason: Reason, detail: str) -> ItemRef:
        uri = f"{self.display}/{rel}" if rel else self.display
        return ItemRef(source=self.source_key, item_id=rel or ".", uri=uri, status=status, reason=reason,
                       detail=detail)

    # -- content --

    def fetch(self, ref: ItemRef) -> Item:
        """Read the file into memory, up to ``[scan] max_item_bytes``.

        Raises:
            NotExamined: too large, or vanished since it was listed.
            ItemError: access denied, a sharing violation or lock, any other refusal, or the server
                unreachable after the retries.
        """
        limit = self.scan.max_item_bytes
        if ref.size is not None and ref.size > limit:
            raise NotExamined(Reason.TOO_LARGE, f"{ref.size} bytes, over [scan] max_item_bytes = {limit}")
        rel = self._rel(ref)
        try:
            data = self._call(lambda kw: self._read(rel, limit, kw), f"reading {ref.item_id}")
        except SmbUnavailable as exc:
            raise ItemError(Reason.UNREADABLE, str(exc)) from None
        except _SMB_ERRORS as exc:
            raise _read_problem(exc) from None
        if len(data) > limit:
            raise NotExamined(Reason.TOO_LARGE, f"grew over [scan] max_item_bytes = {limit} since it was listed")
        return Item(ref=ref, name=ref.item_id.rsplit("/", 1)[-1], data=data)

    def _read(self, rel: str, limit: int, kwargs: dict[str, Any]) -> bytes:
        """At most ``limit + 1`` bytes of the file (one more than allowed tells that it is too large)."""
        # Share read, write and delete: the scanner must never stop a user from saving or removing the file.
        with smbclient.open_file(self._unc(rel), mode="rb", share_access="rwd", **kwargs) as handle:
            blocks: list[bytes] = []
            total = 0
            while total <= limit:
                block = handle.read(min(READ_BLOCK, limit + 1 - total))
                if not block:
                    break
                blocks.append(block)
                total += len(block)
            return b"".join(blocks)


# -- helpers --


def _connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the connection is gone (retry after reconnecting), not a refusal."""
    if isinstance(exc, SMBConnectionClosed | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, ValueError):
        # smbprotocol's transport wraps a refused or failed TCP connect in ValueError("Failed to connect...").
        return isinstance(exc.__cause__, OSError)
    if isinstance(exc, OSError) and not isinstance(exc, SMBOSError) and _ntstatus(exc) is None:
        # A socket-level error with no NT status (EBADF, EPIPE... on a socket the restart closed under
        # another thread): the server said nothing, the connection is simply gone.
        return True
    return _ntstatus(exc) in _SESSION_LOST


def _ntstatus(exc: BaseException) -> int | None:
    status = getattr(exc, "ntstatus", None)
    if status is None:
        status = getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def _listing_problem(exc: BaseException, what: str) -> tuple[Status, Reason, str]:
    status = _ntstatus(exc)
    if status == _ACCESS_DENIED:
        return Status.ERROR, Reason.PERMISSION_DENIED, f"{what} cannot be listed"
    if status in _VANISHED:
        return Status.NOT_EXAMINED, Reason.VANISHED, f"{what} vanished while listed"
    return Status.ERROR, Reason.UNREADABLE, f"{what} cannot be listed ({_status_text(status)})"


def _read_problem(exc: BaseException) -> ItemError:
    status = _ntstatus(exc)
    if status == _ACCESS_DENIED:
        return ItemError(Reason.PERMISSION_DENIED, "the server refused to open the file")
    if status in _VANISHED:
        return NotExamined(Reason.VANISHED, "file vanished since it was listed")
    if status == _SHARING_VIOLATION:
        return ItemError(Reason.UNREADABLE, "sharing violation: the file is open elsewhere")
    if status in _LOCKED:
        return ItemError(Reason.UNREADABLE, "the file is locked by another user")
    return ItemError(Reason.UNREADABLE, f"read failed ({_status_text(status)})")


def _status_text(status: int | None) -> str:
    return f"NT status 0x{status:08x}" if status is not None else "no NT status"


def _ns(moment: datetime) -> int:
    """Nanoseconds since the epoch of a directory entry's time (exact: no float rounding)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=moment.tzinfo)
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _password(auth: str, variable: str, where: str) -> str | None:
    """The password from the environment; ``None`` for Kerberos (the ticket cache authenticates)."""
    if auth == "kerberos":
        return None
    value = os.environ.get(variable)
    if not value:
        raise ConfigError(f"{where}: the SMB password is read from the environment variable {variable}, "
                          "which is not set")
    return value


def _check_path(path: str, where: str) -> None:
    if any(part in (".", "..") for part in path.replace("\\", "/").split("/")):
        raise ConfigError(f"{where}: the path may not contain '.' or '..'")


def _check_options(name: str, options: dict[str, Any]) -> None:
    where = f"[sources.{name}]"
    if "password" in options:
        raise ConfigError(f"{where} password: secrets are never read from the config; name an environment "
                          "variable with password_env instead")
    if "endpoint" in options:
        raise ConfigError(f"{where} endpoint: not used by SMB sources; set host and port to point at "
                          "another server")
    unknown = set(options) - _OPTIONS
    if unknown:
        raise ConfigError(f"{where} unknown key {sorted(unknown)[0]!r}; an smb source takes: "
                          f"{', '.join(sorted(_OPTIONS))}")
    for key in ("host", "share"):
        if not isinstance(options.get(key), str) or not options[key]:
            raise ConfigError(f"{where} {key} must be set (the server's name and the share's name)")
    port = options.get("port", DEFAULT_PORT)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise ConfigError(f"{where} port must be a number from 1 to 65535")
    for key in ("path", "username", "password_env"):
        if key in options and not isinstance(options[key], str):
            raise ConfigError(f"{where} {key} must be a string")
    _check_path(options.get("path", ""), f"{where} path")
    if options.get("auth", "negotiate") not in _AUTH_PROTOCOLS:
        raise ConfigError(f"{where} auth must be one of {', '.join(_AUTH_PROTOCOLS)}")
    if "encrypt" in options and not isinstance(options["encrypt"], bool):
        raise ConfigError(f"{where} encrypt must be true or false")
    if not options.get("username") and options.get("auth", "negotiate") != "kerberos":
        raise ConfigError(f"{where} username must be set (or auth = \"kerberos\" with a ticket)")


def _matching_source(settings: Settings, host: str, port: int, share: str,
                     username: str | None) -> tuple[str, dict[str, Any]] | None:
    """The named smb source for the same server and share (and user, when the address names one)."""
    for name, source in settings.sources.items():
        options = source.options
        if source.type != "smb" or str(options.get("host", "")).lower() != host.lower():
            continue
        if options.get("port", DEFAULT_PORT) != port or str(options.get("share", "")).lower() != share.lower():
            continue
        if username is not None and options.get("username") not in (None, username):
            continue
        _check_options(name, options)
        return name, options
    return None


def _redact(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    return uri.replace(f":{parts.password}@", ":***@", 1)

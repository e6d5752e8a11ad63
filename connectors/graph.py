"""Microsoft 365 mailboxes through Microsoft Graph (msgraph-sdk), with delta queries for nightly scans.

Each configured mailbox and folder is listed with ``GET /users/{u}/mailFolders/{f}/messages/delta``
(or, with ``delta = false``, the plain ``.../messages`` listing), paged by ``@odata.nextLink``. A message
becomes an :class:`~dlp.types.ItemRef` with its change key as etag, every To/Cc/Bcc address as its
recipients and, for mail the mailbox sent, the outside recipients as exposure. :meth:`fetch` downloads
the message's MIME (``.../messages/{id}/$value``) so that the EML extractor reads bodies and attachments.

Incremental scans: the ``@odata.deltaLink`` of each mailbox folder is kept in a state file under
``<data home>/state/graph/`` with a compact list of the folder's messages (id, change key, sender,
recipients). The next run asks Graph only for the changes and replays the rest from that list, so the
pipeline still sees every message (unchanged ones are skipped by their etag) and messages that Graph
reports ``@removed`` are marked removed in the store. An expired delta token (410) starts the folder over.

The SDK is asynchronous (kiota over httpx); the connector runs it on one private event loop thread and
offers synchronous :meth:`enumerate` and :meth:`fetch`, which the pipeline calls from several threads.
Faults: kiota's retry handler honours ``Retry-After`` on 429, 503 and 504; other 5xx and dropped
connections are retried here a bounded number of times; a 401 gets one new token and one more try; a
mailbox that cannot be read is reported as an item with status ``error`` and the scan goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import hashlib
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from connectors.base import Connector
from dlp import staff
from dlp.config import Settings, data_home
from dlp.errors import ConfigError, ItemError, NotExamined
from dlp.types import Item, ItemRef, Reason, Status

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_ENDPOINT = "https://graph.microsoft.com/v1.0"
DEFAULT_FOLDERS = ("inbox", "sentitems")

# Folder names Graph accepts in place of an id (mailFolder resource, "well-known folder names").
WELL_KNOWN_FOLDERS = frozenset({
    "archive", "clutter", "conflicts", "conversationhistory", "deleteditems", "drafts", "inbox", "junkemail",
    "localfailures", "msgfolderroot", "outbox", "recoverableitemsdeletions", "scheduled", "searchfolders",
    "sentitems", "serverfailures", "syncissues",
})

# Only what the item reference needs. The subject is left out on purpose: it may itself hold PI, and the
# worker reads it from the MIME anyway, where it is judged like any other header.
MESSAGE_FIELDS = ["id", "from", "toRecipients", "ccRecipients", "bccRecipients", "receivedDateTime",
                  "lastModifiedDateTime", "hasAttachments", "changeKey"]

# Token audiences of Graph's national clouds; any other host (a proxy) still wants the global one.
_GRAPH_HOSTS = ("graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us",
                "microsoftgraph.chinacloudapi.cn")

_KEYS = ("tenant_id", "client_id", "client_secret_env", "users", "folders", "endpoint", "token", "token_env",
         "delta", "page_size", "retries", "former_staff")

STATE_VERSION = 1


# -- authentication --


class _TokenSource:
    """Supplies bearer tokens to kiota; ``refresh`` is called once after a 401."""

    def __init__(self, hosts: list[str]) -> None:
        self.hosts = hosts

    async def get_authorization_token(self, uri: str,
                                      additional_authentication_context: dict[str, Any] | None = None) -> str:
        """The token for a request to ``uri``."""
        raise NotImplementedError

    def get_allowed_hosts_validator(self) -> Any:
        """Only the configured endpoint's host ever receives the token."""
        from kiota_abstractions.authentication import AllowedHostsValidator

        return AllowedHostsValidator(self.hosts)

    def refresh(self) -> None:
        """Drop whatever is cached, so that the next request gets a new token."""


class _StaticToken(_TokenSource):
    """A fixed bearer token for an emulator or a proxy: ``token``, or ``token_env`` read on every request."""

    def __init__(self, token: str | None, token_env: str | None, hosts: list[str]) -> None:
        super().__init__(hosts)
        self.token = token
        self.token_env = token_env

    async def get_authorization_token(self, uri: str,
                                      additional_authentication_context: dict[str, Any] | None = None) -> str:
        """The configured token; the variable is read each time so that an outside refresher can renew it."""
        if self.token_env:
            return os.environ.get(self.token_env, "")
        return self.token or ""


class _ClientSecret(_TokenSource):
    """OAuth client credentials (an Entra ID app registration with Mail.Read application permission)."""

    def __init__(self, tenant_id: str, client_id: str, secret_env: str, scope: str, hosts: list[str]) -> None:
        super().__init__(hosts)
        self.tenant_id, self.client_id, self.secret_env, self.scope = tenant_id, client_id, secret_env, scope
        self._lock = threading.Lock()
        self._credential = self._new()

    def _new(self) -> Any:
        from azure.identity import ClientSecretCredential

        return ClientSecretCredential(self.tenant_id, self.client_id, os.environ.get(self.secret_env, ""))

    async def get_authorization_token(self, uri: str,
                                      additional_authentication_context: dict[str, Any] | None = None) -> str:
        """A token from azure-identity, which caches it and renews it before it expires."""
        with self._lock:
            credential = self._credential
        # The credential is synchronous (it may call the token endpoint): keep the event loop free meanwhile.
        token = await asyncio.to_thread(credential.get_token, self.scope)
        return str(token.token)

    def refresh(self) -> None:
        """A new credential object has an empty token cache, so the next request gets a fresh token."""
        with self._lock:
            old, self._credential = self._credential, self._new()
        with contextlib.suppress(AttributeError):
            old.close()


# -- configuration --


@dataclass(frozen=True)
class GraphOptions:
    """A graph source's settings, checked."""

    users: tuple[str, ...]
    folders: tuple[str, ...] = DEFAULT_FOLDERS
    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None
    token_env: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    delta: bool = True
    page_size: int = 100
    retries: int = 3
    former_staff: bool = False  # read disabled accounts (accountEnabled = false) from /users (dlp/staff.py)


def parse_options(where: str, options: dict[str, Any]) -> GraphOptions:
    """Check a ``[sources.NAME]`` table of ``type = "graph"``; raise :class:`ConfigError` naming the key."""
    for key in options:
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; a graph source takes: {', '.join(_KEYS)}"
            raise ConfigError(f"{where} unknown key {key!r}{hint}")

    def strings(key: str, default: tuple[str, ...] | None) -> tuple[str, ...]:
        value = options.get(key)
        if value is None and default is not None:
            return default
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"{where} {key} must be a non-empty list of strings")
        return tuple(v.strip() for v in value)

    def text(key: str) -> str | None:
        value = options.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            raise ConfigError(f"{where} {key} must be a non-empty string")
        return value

    def number(key: str, default: int, low: int, high: int) -> int:
        value = options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f"{where} {key} must be a whole number from {low} to {high}")
        return value

    users = strings("users", None)
    folders = strings("folders", DEFAULT_FOLDERS)
    endpoint = (text("endpoint") or DEFAULT_ENDPOINT).rstrip("/")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"{where} endpoint must be an https:// URL such as {DEFAULT_ENDPOINT}")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        # A bearer token must not cross the network in clear text; plain http is for a local emulator only.
        raise ConfigError(f"{where} endpoint must use https:// (http:// only for 127.0.0.1)")
    delta = options.get("delta", True)
    if not isinstance(delta, bool):
        raise ConfigError(f"{where} delta must be true or false")
    former_staff = options.get("former_staff", False)
    if not isinstance(former_staff, bool):
        raise ConfigError(f"{where} former_staff must be true or false")
    opts = GraphOptions(
        users=users, folders=folders, endpoint=endpoint, token=text("token"), token_env=text("token_env"),
        tenant_id=text("tenant_id"), client_id=text("client_id"), client_secret_env=text("client_secret_env"),
        delta=delta, page_size=number("page_size", 100, 1, 1000), retries=number("retries", 3, 0, 10),
        former_staff=former_staff,
    )
    if opts.token or opts.token_env:
        if opts.token_env and opts.token_env not in os.environ:
            raise ConfigError(f"{where} token_env: the environment variable {opts.token_env} is not set")
        return opts
    missing = [k for k in ("tenant_id", "client_id", "client_secret_env") if not getattr(opts, k)]
    if missing:
        raise ConfigError(f"{where} {missing[0]} is required (or token / token_env for an emulator)")
    assert opts.client_secret_env is not None
    if not os.environ.get(opts.client_secret_env):
        raise ConfigError(f"{where} client_secret_env: the environment variable {opts.client_secret_env} is not set")
    return opts


# -- the connector --


class GraphConnector(Connector):
    """Mail of Microsoft 365 mailboxes: chosen folders of chosen users, message by message."""

    name: ClassVar[str] = "graph"
    schemes: ClassVar[tuple[str, ...]] = ("graph",)

    def __init__(self, source_key: str, options: GraphOptions, settings: Settings) -> None:
        self.source_key = source_key
        self.options = options
        self.settings = settings
        self.internal = tuple(d.lower().lstrip("@.") for d in settings.organization.internal_domains)
        self.state_path = state_file(source_key)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: GraphServiceClient | None = None
        self._http: Any = None
        self._tokens: _TokenSource | None = None
        self._gone: dict[str, str] = {}  # departed accounts (dlp/staff.py) -> why

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], settings: Settings) -> GraphConnector:
        """Build from ``[sources.NAME]`` with ``type = "graph"``."""
        return cls(f"graph:{name}", parse_options(f"[sources.{name}]", options), settings)

    @classmethod
    def from_uri(cls, uri: str, settings: Settings) -> GraphConnector:
        """Build from ``graph://user@domain[/folder]``.

        The credentials come from a named source of type graph (one that lists this user, else the first),
        or else from the environment: ``DLP_GRAPH_TOKEN`` and ``DLP_GRAPH_ENDPOINT`` (an emulator), or
        ``DLP_GRAPH_TENANT_ID``, ``DLP_GRAPH_CLIENT_ID`` and ``DLP_GRAPH_SECRET``.
        """
        rest = uri.split("://", 1)[1].strip("/")
        user, _, folder = rest.partition("/")
        if "@" not in user:
            raise ConfigError(f"source {uri!r}: write graph://user@domain (optionally /folder)")
        graph_sources = [(n, s.options) for n, s in settings.sources.items() if s.type == "graph"]
        chosen = next((o for _, o in graph_sources if user.lower() in {str(u).lower() for u in o.get("users", [])}),
                      graph_sources[0][1] if graph_sources else None)
        if chosen is not None:
            base = dict(chosen)
        elif os.environ.get("DLP_GRAPH_TOKEN"):
            base = {"token_env": "DLP_GRAPH_TOKEN"}
            if os.environ.get("DLP_GRAPH_ENDPOINT"):
                base["endpoint"] = os.environ["DLP_GRAPH_ENDPOINT"]
        elif os.environ.get("DLP_GRAPH_TENANT_ID") and os.environ.get("DLP_GRAPH_CLIENT_ID"):
            base = {"tenant_id": os.environ["DLP_GRAPH_TENANT_ID"], "client_id": os.environ["DLP_GRAPH_CLIENT_ID"],
                    "client_secret_env": "DLP_GRAPH_SECRET"}
            if os.environ.get("DLP_GRAPH_ENDPOINT"):
                base["endpoint"] = os.environ["DLP_GRAPH_ENDPOINT"]
        else:
            raise ConfigError(f"source {uri!r}: no [sources.NAME] of type graph in the config, and neither "
                              "DLP_GRAPH_TOKEN nor DLP_GRAPH_TENANT_ID/DLP_GRAPH_CLIENT_ID/DLP_GRAPH_SECRET is set")
        base["users"] = [user]
        if folder:
            base["folders"] = [folder]
        key = f"graph:{user.lower()}" + (f"/{folder}" if folder else "")
        return cls(key, parse_options(f"source {uri!r}:", base), settings)

    # -- the private event loop --

    def _start(self) -> GraphServiceClient:
        """The SDK client, made on first use inside the connector's own event loop thread."""
        with self._lock:
            if self._client is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="graph-loop", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
                future = asyncio.run_coroutine_threadsafe(self._make_client(), loop)
                self._client = future.result()
            return self._client

    async def _make_client(self) -> GraphServiceClient:
        # httpx's AsyncClient belongs to the loop it first runs on: make it here, in the loop thread.
        from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
        from kiota_http.middleware.options import RetryHandlerOption
        from msgraph import GraphRequestAdapter, GraphServiceClient
        from msgraph.graph_request_adapter import options as graph_options
        from msgraph_core import GraphClientFactory

        opts = self.options
        host = urlsplit(opts.endpoint).hostname or ""
        if opts.token or opts.token_env:
            self._tokens = _StaticToken(opts.token, opts.token_env, [host])
        else:
            assert opts.tenant_id and opts.client_id and opts.client_secret_env
            audience = host if host in _GRAPH_HOSTS else "graph.microsoft.com"
            self._tokens = _ClientSecret(opts.tenant_id, opts.client_id, opts.client_secret_env,
                                         f"https://{audience}/.default", [host])
        middleware_options = {**graph_options,
                              RetryHandlerOption.get_key(): RetryHandlerOption(max_retries=opts.retries)}
        self._http = GraphClientFactory.create_with_default_middleware(options=middleware_options)
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(self._tokens),  # type: ignore[arg-type]
                                      client=self._http)
        # Set after construction: the client only fills in the public base URL when none is set.
        adapter.base_url = opts.endpoint
        return GraphServiceClient(request_adapter=adapter)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the connector's loop and wait for it (safe from any thread)."""
        self._start()
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result()

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        """One Graph request with the faults kiota's retry handler leaves to us.

        kiota already retries 429, 503 and 504 (honouring Retry-After). Here: other 5xx and dropped
        connections are retried ``retries`` times with backoff, and a 401 gets one fresh token.
        """
        import httpx
        from kiota_abstractions.api_error import APIError

        attempt = 0
        refreshed = False
        while True:
            try:
                return await make()
            except APIError as exc:
                status = exc.response_status_code or 0
                if status == 401 and not refreshed and self._tokens is not None:
                    refreshed = True
                    log.info("graph: 401 from the server; getting a new token and trying once more")
                    self._tokens.refresh()
                    continue
                if not (500 <= status < 600 and status not in (503, 504)) or attempt >= self.options.retries:
                    raise
                attempt += 1
                delay = _retry_after(exc.response_headers) or 0.5 * 2 ** (attempt - 1)
            except httpx.TransportError as exc:
                if attempt >= self.options.retries:
                    raise
                attempt += 1
                delay = 0.5 * 2 ** (attempt - 1)
                log.info("graph: %s; retrying in %.1f s", type(exc).__name__, delay)
            await asyncio.sleep(min(delay, 60.0))

    # -- enumeration --

    def enumerate(self) -> Iterator[ItemRef]:
        """Every message of every configured folder of every mailbox (changes only on delta runs)."""
        client = self._start()
        state = self._load_state()
        self._gone = self._former_staff(client)
        try:
            for user in self._users(client):
                if isinstance(user, ItemRef):
                    yield user  # the user list itself could not be read
                else:
                    yield from self._mailbox(client, user, state)
        finally:
            # Saved even when the scan stops early: a folder's state only changes once its round completed.
            self._save_state(state)

    def _users(self, client: GraphServiceClient) -> Iterator[str | ItemRef]:
        """The configured mailboxes, or every user with a mail address for ``users = ["*"]``."""
        if self.options.users != ("*",):
            yield from self.options.users
            return
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.users_request_builder import UsersRequestBuilder

        config = RequestConfiguration(query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            select=["userPrincipalName", "mail"], top=self.options.page_size))
        try:
            page = self._run(self._call(lambda: client.users.get(request_configuration=config)))
            while page is not None:
                for u in page.value or []:
                    if u.mail:  # accounts without a mailbox have no mail address
                        yield u.mail
                link = page.odata_next_link
                page = self._run(self._call(client.users.with_url(link).get)) if link else None
        except _graph_errors() as exc:
            yield self._problem("*", f"the users cannot be listed ({_describe(exc)})")

    def _former_staff(self, client: GraphServiceClient) -> dict[str, str]:
        """Departed accounts: the directory's (HR roster, other sources), refreshed from ``/users``
        (``accountEnabled``) when ``former_staff = true``; a refused listing keeps what was known."""
        if self.options.former_staff:
            from kiota_abstractions.base_request_configuration import RequestConfiguration
            from msgraph.generated.users.users_request_builder import UsersRequestBuilder

            params = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
                select=["userPrincipalName", "mail", "accountEnabled"], top=self.options.page_size)
            config = RequestConfiguration(query_parameters=params)
            accounts: list[staff.Account] = []
            try:
                page = self._run(self._call(lambda: client.users.get(request_configuration=config)))
                while page is not None:
                    for u in page.value or []:
                        if u.account_enabled is False:
                            accounts += [staff.Account(a.lower(), "disabled")
                                         for a in {u.mail, u.user_principal_name} if a]
                    link = page.odata_next_link
                    page = self._run(self._call(client.users.with_url(link).get)) if link else None
            except _graph_errors() as exc:
                log.warning("disabled accounts not listed: %s", _describe(exc))
            else:
                staff.record(f"graph:{urlsplit(self.options.endpoint).netloc}", accounts)
        return staff.departed()

    def _mailbox(self, client: GraphServiceClient, user: str, state: dict[str, Any]) -> Iterator[ItemRef]:
        try:
            top = self._run(self._top_folders(client, user))
        except _graph_errors() as exc:
            # The mailbox as a whole: no mailbox, no licence, access denied by an application access policy.
            yield self._problem(user, f"mailbox cannot be read ({_describe(exc)})")
            return
        for folder in self.options.folders:
            try:
                folder_id = self._run(self._folder_id(client, user, folder, top))
            except _graph_errors() as exc:
                yield self._problem(f"{user}/{folder}", f"folder cannot be opened ({_describe(exc)})")
                continue
            if folder_id is None:
                yield self._problem(f"{user}/{folder}", "no folder of that name in this mailbox")
                continue
            if self.options.delta:
                yield from self._delta(client, user, folder, folder_id, state)
            else:
                yield from self._listing(client, user, folder, folder_id)

    async def _top_folders(self, client: GraphServiceClient, user: str) -> list[Any]:
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.mail_folders.mail_folders_request_builder import MailFoldersRequestBuilder

        rb = client.users.by_user_id(user).mail_folders
        query = MailFoldersRequestBuilder.MailFoldersRequestBuilderGetQueryParameters(
            select=["id", "displayName", "childFolderCount"], top=self.options.page_size)
        config = RequestConfiguration(query_parameters=query)
        page = await self._call(lambda: rb.get(request_configuration=config))
        folders: list[Any] = []
        while page is not None:
            folders += page.value or []
            link = page.odata_next_link
            page = await self._call(rb.with_url(link).get) if link else None
        return folders

    async def _folder_id(self, client: GraphServiceClient, user: str, name: str, top: list[Any]) -> str | None:
        """The id of a well-known folder, or of a display name (``Projects/2025`` for a child folder)."""
        folders = client.users.by_user_id(user).mail_folders
        if name.lower() in WELL_KNOWN_FOLDERS:
            folder = await self._call(lambda: folders.by_mail_folder_id(name.lower()).get())
            return folder.id if folder is not None else None
        candidates = top
        found: Any = None
        for i, segment in enumerate(name.split("/")):
            found = next((f for f in candidates if (f.display_name or "").lower() == segment.lower()), None)
            if found is None or found.id is None:
                return None
            if i < name.count("/"):
                children = folders.by_mail_folder_id(found.id).child_folders
                page = await self._call(children.get)
                candidates = []
                while page is not None:
                    candidates += page.value or []
                    link = page.odata_next_link
                    page = await self._call(children.with_url(link).get) if link else None
        return found.id if found is not None else None

    def _listing(self, client: GraphServiceClient, user: str, folder: str, folder_id: str) -> Iterator[ItemRef]:
        """Every message of a folder by the plain listing (``delta = false``): complete, no state kept."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
            MessagesRequestBuilder,
        )

        rb = client.users.by_user_id(user).mail_folders.by_mail_folder_id(folder_id).messages
        config = RequestConfiguration(query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
            select=MESSAGE_FIELDS, top=self.options.page_size))
        try:
            page = self._run(self._call(lambda: rb.get(request_configuration=config)))
            while page is not None:
                for message in page.value or []:
                    entry = _entry(message)
                    if entry is not None:
                        yield self._ref(user, folder, entry)
                link = page.odata_next_link
                page = self._run(self._call(rb.with_url(link).get)) if link else None
        except _graph_errors() as exc:
            yield self._problem(f"{user}/{folder}", f"folder listing failed ({_describe(exc)})")

    def _delta(self, client: GraphServiceClient, user: str, folder: str, folder_id: str,
               state: dict[str, Any]) -> Iterator[ItemRef]:
        """A delta round over one folder: the changes from Graph, the rest replayed from the state file."""
        from kiota_abstractions.api_error import APIError

        key = f"{user.lower()}|{folder}"
        previous = state["folders"].get(key)
        if previous is not None and previous.get("folder_id") != folder_id:
            previous = None  # the folder was deleted and made again: its old delta link means nothing now
        known: dict[str, list[Any]] = dict(previous["items"]) if previous else {}
        link: str | None = previous["delta_link"] if previous else None
        yielded: set[str] = set()
        outcome: dict[str, str | None] = {}
        changed: dict[str, list[Any]] = {}
        removed: set[str] = set()
        while True:
            try:
                for mid, entry in self._delta_pages(client, user, folder_id, link, outcome):
                    if entry is None:
                        removed.add(mid)
                        changed.pop(mid, None)
                        continue
                    changed[mid] = entry
                    removed.discard(mid)
                    if mid not in yielded:
                        yielded.add(mid)
                        yield self._ref(user, folder, entry)
                break
            except APIError as exc:
                if exc.response_status_code == 410 and link is not None:
                    # The sync state expired (Graph keeps it for a limited time): list the folder again.
                    log.info("graph: delta token of %s expired; listing the folder again", key)
                    link, known = None, {}
                    changed.clear()
                    removed.clear()
                    continue
                yield from self._replay(user, folder, known, yielded)
                yield self._problem(f"{user}/{folder}", f"folder listing failed ({_describe(exc)})")
                return
            except _graph_errors() as exc:
                yield from self._replay(user, folder, known, yielded)
                yield self._problem(f"{user}/{folder}", f"folder listing failed ({_describe(exc)})")
                return
        delta_link = outcome.get("delta_link")
        items = {mid: e for mid, e in known.items() if mid not in removed}
        items.update(changed)
        yield from self._replay(user, folder, items, yielded)
        if delta_link:
            state["folders"][key] = {"folder_id": folder_id, "delta_link": delta_link, "items": items}

    def _delta_pages(self, client: GraphServiceClient, user: str, folder_id: str,
                     link: str | None, outcome: dict[str, str | None]) -> Iterator[tuple[str, list[Any] | None]]:
        """(message id, entry) for each change of a delta round; entry None for a removed message.

        When the round is complete, ``outcome["delta_link"]`` is the link that starts the next one.
        """
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.mail_folders.item.messages.delta.delta_request_builder import (
            DeltaRequestBuilder,
        )

        rb = client.users.by_user_id(user).mail_folders.by_mail_folder_id(folder_id).messages.delta
        config = RequestConfiguration(query_parameters=DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
            select=MESSAGE_FIELDS))
        # Delta takes no $top: the page size is asked for with a Prefer header.
        config.headers.add("Prefer", f"odata.maxpagesize={self.options.page_size}")
        if link:
            page = self._run(self._call(partial(rb.with_url(link).get, request_configuration=_prefer(config))))
        else:
            page = self._run(self._call(lambda: rb.get(request_configuration=config)))
        while page is not None:
            for message in page.value or []:
                mid = message.id
                if not mid:
                    continue
                if (message.additional_data or {}).get("@removed") is not None:
                    yield mid, None
                    continue
                entry = _entry(message)
                if entry is not None:
                    yield mid, entry
            next_link = page.odata_next_link
            if not next_link:
                outcome["delta_link"] = page.odata_delta_link
                return
            page = self._run(self._call(partial(rb.with_url(next_link).get, request_configuration=_prefer(config))))

    def _replay(self, user: str, folder: str, items: dict[str, list[Any]], yielded: set[str]) -> Iterator[ItemRef]:
        for mid, entry in items.items():
            if mid not in yielded:
                yielded.add(mid)
                yield self._ref(user, folder, entry)

    def _ref(self, user: str, folder: str, entry: list[Any]) -> ItemRef:
        mid, change_key, modified, sender, recipients = entry
        sent = folder.lower() == "sentitems" or (sender or "").lower() == user.lower()
        exposure = tuple(f"external:{a}" for a in recipients if sent and not self._internal(a, user))
        ref = ItemRef(source=self.source_key, item_id=f"{user}/{mid}", uri=f"graph://{user}/{folder}/{mid}",
                      modified=modified, etag=change_key, owner=user, exposure=exposure,
                      recipients=tuple(recipients))
        return staff.annotate(ref, self._gone)  # a departed user's mailbox

    def _internal(self, address: str, user: str) -> bool:
        """Is the address inside the district? Without ``internal_domains``, the mailbox's own domain is."""
        domain = address.rpartition("@")[2].lower()
        domains = self.internal or (user.rpartition("@")[2].lower(),)
        return any(domain == d or domain.endswith("." + d) for d in domains if d)

    def _problem(self, where: str, detail: str) -> ItemRef:
        return ItemRef(source=self.source_key, item_id=where, uri=f"graph://{where}", status=Status.ERROR,
                       reason=Reason.UNREADABLE, detail=detail)

    # -- content --

    def fetch(self, ref: ItemRef) -> Item:
        """The message's MIME (``GET /users/{u}/messages/{id}/$value``), read as an .eml file."""
        from kiota_abstractions.api_error import APIError

        client = self._start()
        user, _, mid = ref.item_id.partition("/")
        content = client.users.by_user_id(user).messages.by_message_id(mid).content
        try:
            data = self._run(self._call(lambda: content.get()))
        except APIError as exc:
            status = exc.response_status_code
            if status == 404:
                raise NotExamined(Reason.VANISHED, "message deleted since it was listed (HTTP 404)") from None
            if status == 403:
                raise ItemError(Reason.PERMISSION_DENIED, "HTTP 403") from None
            raise ItemError(Reason.UNREADABLE, f"HTTP {status}") from None
        except _graph_errors() as exc:
            raise ItemError(Reason.UNREADABLE, _describe(exc)) from None
        data = data or b""
        # Graph gives no message size in v1.0 listings, so the cap can only be checked once downloaded.
        if len(data) > self.settings.scan.max_item_bytes:
            raise NotExamined(Reason.TOO_LARGE, f"{len(data)} bytes is over max_item_bytes")
        return Item(ref=ref, name=f"{mid}.eml", data=data)

    def close(self) -> None:
        """Close the HTTP client and stop the event loop thread."""
        with self._lock:
            loop, thread, http = self._loop, self._thread, self._http
            self._loop = self._thread = self._client = self._http = None
        if loop is None:
            return
        if http is not None:
            with contextlib.suppress(RuntimeError, OSError):
                asyncio.run_coroutine_threadsafe(http.aclose(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)
        loop.close()

    # -- state file --

    def _load_state(self) -> dict[str, Any]:
        empty: dict[str, Any] = {"version": STATE_VERSION, "endpoint": self.options.endpoint, "folders": {}}
        if not self.options.delta:
            return empty
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return empty
        except (OSError, ValueError) as exc:
            log.warning("graph: state file %s cannot be read (%s); listing every folder in full",
                        self.state_path, type(exc).__name__)
            return empty
        if (not isinstance(data, dict) or data.get("version") != STATE_VERSION
                or data.get("endpoint") != self.options.endpoint or not isinstance(data.get("folders"), dict)):
            return empty  # another format or another service: its delta links are not ours
        return data

    def _save_state(self, state: dict[str, Any]) -> None:
        if not self.options.delta:
            return
        self.state_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.state_path.with_suffix(f".{os.getpid()}.tmp")
        # The file holds correspondents' addresses (as the store does): owner-only, written atomically.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, separators=(",", ":"))
        os.replace(tmp, self.state_path)


def _entry(message: Any) -> list[Any] | None:
    """The compact form of a listed message: [id, change key, modified, sender, recipients]."""
    if not message.id:
        return None
    sender = message.from_.email_address.address if message.from_ and message.from_.email_address else None
    seen: set[str] = set()
    recipients: list[str] = []
    for group in (message.to_recipients, message.cc_recipients, message.bcc_recipients):
        for recipient in group or []:
            address = recipient.email_address.address if recipient.email_address else None
            if address and address.lower() not in seen:
                seen.add(address.lower())
                recipients.append(address)
    stamp = message.last_modified_date_time or message.received_date_time
    return [message.id, message.change_key, stamp.timestamp() if stamp else None, sender, recipients]


def _prefer(config: Any) -> Any:
    """The same request configuration for a next/delta link: the link carries the query, keep the headers."""
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    again: Any = RequestConfiguration()
    again.headers = config.headers
    return again


def _retry_after(headers: Any) -> float | None:
    value = (headers or {}).get("retry-after") or (headers or {}).get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: the exponential backoff is good enough for a 500


def _graph_errors() -> tuple[type[BaseException], ...]:
    """What a Graph call may raise for a server or network problem (never our own bugs)."""
    import httpx
    from kiota_abstractions.api_error import APIError

    return (APIError, httpx.HTTPError)


def _describe(exc: BaseException) -> str:
    """The HTTP status or the kind of network error only: server messages may quote the request."""
    status = getattr(exc, "response_status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def state_file(source_key: str) -> Path:
    """Where a graph source keeps its delta links (for tests and operators)."""
    return data_home() / "state" / "graph" / f"{hashlib.sha256(source_key.encode()).hexdigest()[:16]}.json"

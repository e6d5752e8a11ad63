"""Shared parts of the Google Workspace connectors (Drive and Gmail).

- Options of a ``[sources.NAME]`` table of type ``gdrive`` or ``gmail`` (CONTRACT.md section 5), and the
  command-line forms ``gdrive://user@domain`` / ``gmail://user@domain``.
- Credentials: a service account with domain-wide delegation impersonating each user, or a fixed bearer
  token (``token`` / ``token_env``) for an emulator or a proxy.
- API clients built from the discovery documents shipped in google-api-python-client (no network).
- :func:`execute`: the retry wrapper every call goes through. The client's own ``num_retries`` ignores
  ``Retry-After`` and retries blindly, so it is not used.
- :class:`RootState`: per-mailbox / per-drive incremental state (a page token or history id and the
  metadata of the items already known) in a small JSON file under ``<data home>/state/``.
- Exposure: which addresses and domains are outside the district.

The module name starts with an underscore, so the connector registry does not look for connectors in it.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import logging
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import google.auth.credentials
import google.auth.exceptions
import google_auth_httplib2
import httplib2
from googleapiclient.discovery import Resource, build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError

from dlp.config import Settings, data_home
from dlp.errors import ConfigError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Errors of one API call that end a listing or a download after the retries: the server said no
#: (HttpError), the credentials could not be refreshed, or the connection failed.
API_ERRORS: tuple[type[BaseException], ...] = (
    HttpError,
    google.auth.exceptions.GoogleAuthError,
    httplib2.HttpLib2Error,
    OSError,
)

DEFAULT_ENDPOINTS = {"gdrive": "https://www.googleapis.com/", "gmail": "https://gmail.googleapis.com/"}
DIRECTORY_ENDPOINT = "https://admin.googleapis.com/"
SCOPES = {
    "gdrive": ("https://www.googleapis.com/auth/drive.readonly",),
    "gmail": ("https://www.googleapis.com/auth/gmail.readonly",),
    "directory": ("https://www.googleapis.com/auth/admin.directory.user.readonly",),
}
_KEYS = frozenset({"credentials_file", "users", "endpoint", "token", "token_env", "admin", "directory_endpoint",
                   "incremental", "timeout", "former_staff"})
TOKEN_ENV = "DLP_GOOGLE_TOKEN"
ENDPOINT_ENV = "DLP_GOOGLE_ENDPOINT"


# -- options --


@dataclass(frozen=True)
class GoogleOptions:
    """The checked options of one Google source."""

    kind: str  # "gdrive" or "gmail"
    name: str  # the source's name, for messages
    users: tuple[str, ...]  # ("*",) = every user of the domain (Directory API)
    endpoint: str  # root URL, ending in "/"
    credentials_file: str = ""
    token: str = ""
    token_env: str = ""
    admin: str = ""  # the administrator impersonated for the Directory API (users = ["*"])
    directory_endpoint: str = DIRECTORY_ENDPOINT
    incremental: bool = True  # false: list everything on every run (no Changes / History API)
    timeout: float = 60.0  # seconds per HTTP request
    former_staff: bool = False  # read suspended and deleted accounts from the Directory API (dlp/staff.py)

    @property
    def all_users(self) -> bool:
        """True when ``users = ["*"]``: the users come from the Directory API."""
        return self.users == ("*",)

    def source_key(self) -> str:
        """The key of this source in the store: the kind, the API host and the users it covers."""
        host = urlsplit(self.endpoint).netloc
        return f"{self.kind}:{host}:{','.join(sorted(u.lower() for u in self.users))}"


def parse_options(kind: str, name: str, options: dict[str, Any]) -> GoogleOptions:
    """Check a ``[sources.NAME]`` table of type ``gdrive`` / ``gmail``.

    Raises:
        ConfigError: an unknown key or a wrong value; the message names the key.
    """
    where = f"[sources.{name}]"
    unknown = set(options) - _KEYS
    if unknown:
        raise ConfigError(f"{where} unknown key {sorted(unknown)[0]!r}; "
                          f"a {kind} source takes: {', '.join(sorted(_KEYS))}")
    users = options.get("users")
    if not isinstance(users, list) or not users or not all(isinstance(u, str) and u for u in users):
        raise ConfigError(f"{where} users must be a list of addresses, or [\"*\"] for every user of the domain")
    if "*" in users and len(users) > 1:
        raise ConfigError(f"{where} users: \"*\" (every user) cannot be combined with addresses")
    if users != ["*"]:
        bad = [u for u in users if "@" not in u]
        if bad:
            raise ConfigError(f"{where} users: {bad[0]!r} is not an address (user@domain)")
    strings = {}
    for key in ("credentials_file", "endpoint", "token", "token_env", "admin", "directory_endpoint"):
        value = options.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"{where} {key} must be a string")
        strings[key] = value
    endpoint = strings["endpoint"] or DEFAULT_ENDPOINTS[kind]
    if not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"{where} endpoint = {endpoint!r} must be an http(s) URL such as {DEFAULT_ENDPOINTS[kind]}")
    endpoint = endpoint.rstrip("/") + "/"
    if not (strings["credentials_file"] or strings["token"] or strings["token_env"]):
        raise ConfigError(f"{where} credentials_file (a service account key with domain-wide delegation) "
                          "or token / token_env (an emulator's bearer token) is required")
    if strings["credentials_file"] and (strings["token"] or strings["token_env"]):
        raise ConfigError(f"{where} credentials_file and token / token_env exclude each other; keep one")
    if strings["credentials_file"]:
        _check_key(where, strings["credentials_file"])
    if strings["token_env"] and not os.environ.get(strings["token_env"]):
        raise ConfigError(f"{where} token_env: the environment variable {strings['token_env']} is not set")
    if users == ["*"] and strings["credentials_file"] and not strings["admin"]:
        raise ConfigError(f"{where} admin: users = [\"*\"] needs an administrator address to impersonate "
                          "for the Directory API")
    directory = strings["directory_endpoint"]
    if not directory:
        # An emulator or an on-premises proxy serves the Directory API at its own root too; Google does not.
        host = urlsplit(endpoint).hostname or ""
        directory = DIRECTORY_ENDPOINT if host.endswith("googleapis.com") else endpoint
    incremental = options.get("incremental", True)
    if not isinstance(incremental, bool):
        raise ConfigError(f"{where} incremental must be true or false")
    former_staff = options.get("former_staff", False)
    if not isinstance(former_staff, bool):
        raise ConfigError(f"{where} former_staff must be true or false")
    timeout = options.get("timeout", 60.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 3600:
        raise ConfigError(f"{where} timeout must be a number of seconds from 1 to 3600")
    return GoogleOptions(kind=kind, name=name, users=tuple(users), endpoint=endpoint,
                         credentials_file=strings["credentials_file"], token=strings["token"],
                         token_env=strings["token_env"], admin=strings["admin"],
                         directory_endpoint=directory.rstrip("/") + "/", incremental=incremental,
                         timeout=float(timeout), former_staff=former_staff)


def _check_key(where: str, path: str) -> None:
    """Fail at start-up, not in the middle of a scan, when the service account key is unusable."""
    from google.oauth2 import service_account

    if not os.path.isfile(path):
        raise ConfigError(f"{where} credentials_file {path!r} does not exist")
    try:
        service_account.Credentials.from_service_account_file(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{where} credentials_file {path!r} is not a service account key "
                          f"({type(exc).__name__})") from None


def options_for_uri(kind: str, uri: str, settings: Settings) -> GoogleOptions:
    """Options for ``gdrive://user@domain`` / ``gmail://user@domain`` given on the command line.

    The credentials and the endpoint come from the first named source of the same type in the config;
    without one, from the environment: ``DLP_GOOGLE_TOKEN`` (a bearer token, for emulators and tests)
    and ``DLP_GOOGLE_ENDPOINT``.

    Raises:
        ConfigError: the address is malformed or no credentials are configured.
    """
    rest = uri.split("://", 1)[1]
    user, _, path = rest.partition("/")
    if "@" not in user or path.strip("/"):
        raise ConfigError(f"source {uri!r}: use {kind}://user@domain (a folder path is not supported)")
    for name, source in settings.sources.items():
        if source.type == kind:
            return parse_options(kind, name, {**source.options, "users": [user]})
    if not os.environ.get(TOKEN_ENV):
        raise ConfigError(f"source {uri!r}: define a [sources.NAME] of type {kind!r} with credentials_file, "
                          f"or set {TOKEN_ENV} for an emulator")
    return parse_options(kind, uri, {"users": [user], "token_env": TOKEN_ENV,
                                     "endpoint": os.environ.get(ENDPOINT_ENV, "")})


# -- credentials and clients --


class RereadToken(google.auth.credentials.Credentials):
    """A fixed bearer token; "refreshing" reads it again from the config or the environment.

    So when an emulator (or a proxy) answers 401 because the token expired and someone put a new one
    in the environment variable, the request is retried once with it (google-auth's AuthorizedHttp
    refreshes on 401 and repeats the request).
    """

    def __init__(self, read: Callable[[], str]) -> None:
        super().__init__()
        self._read = read
        self.token = read()

    def refresh(self, request: Any) -> None:
        """Read the token again."""
        self.token = self._read()


def credentials(opts: GoogleOptions, subject: str, scopes: Iterable[str]) -> google.auth.credentials.Credentials:
    """Credentials acting as ``subject`` (domain-wide delegation), or the fixed token."""
    if opts.credentials_file:
        from google.oauth2 import service_account

        try:
            base = service_account.Credentials.from_service_account_file(opts.credentials_file, scopes=list(scopes))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"[sources.{opts.name}] credentials_file: not a service account key "
                              f"({type(exc).__name__})") from None
        return base.with_subject(subject)
    if opts.token_env:
        env = opts.token_env
        return RereadToken(lambda: os.environ.get(env, ""))
    token = opts.token
    return RereadToken(lambda: token)


_DOCS: dict[tuple[str, str], str] = {}
_DOCS_LOCK = threading.Lock()


def build_service(api: str, version: str, creds: google.auth.credentials.Credentials, api_endpoint: str,
                  timeout: float) -> Resource:
    """A client from the discovery document shipped with the library (never fetched from the network)."""
    with _DOCS_LOCK:
        doc = _DOCS.get((api, version))
        if doc is None:
            doc = _DOCS[(api, version)] = get_static_doc(api, version)
    if doc is None:  # pragma: no cover - the library ships these documents
        raise RuntimeError(f"google-api-python-client has no discovery document for {api} {version}")
    http = google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=timeout))
    return build_from_document(doc, http=http, client_options={"api_endpoint": api_endpoint})


class Clients:
    """API clients per thread and per user: httplib2 connections must not be shared between threads."""

    def __init__(self, factory: Callable[[str], Resource]) -> None:
        self._factory = factory
        self._local = threading.local()

    def get(self, user: str) -> Resource:
        """The calling thread's client acting as ``user``."""
        cache: dict[str, Resource] | None = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = {}
        if user not in cache:
            cache[user] = self._factory(user)
        return cache[user]


def list_users(opts: GoogleOptions) -> list[str]:
    """Every active user of the domain, from the Admin SDK Directory API (users.list, my_customer)."""
    creds = credentials(opts, opts.admin, SCOPES["directory"])
    service = build_service("admin", "directory_v1", creds, opts.directory_endpoint, opts.timeout)
    found: list[str] = []
    request = service.users().list(customer="my_customer", maxResults=500, orderBy="email",
                                   fields="nextPageToken,users(primaryEmail,suspended,archived)")
    while request is not None:
        response = execute(request)
        for user in response.get("users", []):
            if not user.get("suspended") and not user.get("archived") and user.get("primaryEmail"):
                found.append(user["primaryEmail"])
        request = service.users().list_next(request, response)
    return found


def directory_accounts(opts: GoogleOptions) -> list[tuple[str, str]]:
    """Accounts of the domain that are suspended or deleted (Directory API users.list, then with
    ``showDeleted=true``, which lists the users deleted in the last 20 days): (address, status)."""
    creds = credentials(opts, opts.admin, SCOPES["directory"])
    service = build_service("admin", "directory_v1", creds, opts.directory_endpoint, opts.timeout)
    found: list[tuple[str, str]] = []
    for deleted in (False, True):
        params: dict[str, Any] = {"customer": "my_customer", "maxResults": 500,
                                  "fields": "nextPageToken,users(primaryEmail,suspended)"}
        if deleted:
            params["showDeleted"] = "true"
        request = service.users().list(**params)
        while request is not None:
            response = execute(request, "users.list")
            for user in response.get("users", []):
                if user.get("primaryEmail") and (deleted or user.get("suspended")):
                    found.append((user["primaryEmail"].lower(), "deleted" if deleted else "suspended"))
            request = service.users().list_next(request, response)
    return found


# -- calls with retries --

MAX_ATTEMPTS = 5
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is capped (and the call retried then)
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_sleep: Callable[[float], None] = time.sleep


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an API error, if it has one."""
    if isinstance(exc, HttpError):
        return int(exc.resp.status)
    return None


def reasons_of(exc: HttpError) -> set[str]:
    """The ``errors[].reason`` values of a Google error body (``rateLimitExceeded``, ``notFound``...)."""
    details = exc.error_details if isinstance(exc.error_details, list) else []
    found = {d.get("reason", "") for d in details if isinstance(d, dict)}
    try:
        body = json.loads(exc.content.decode("utf-8", "replace"))
        found |= {e.get("reason", "") for e in body.get("error", {}).get("errors", []) if isinstance(e, dict)}
    except (ValueError, AttributeError):
        pass
    return found - {""}


def describe(exc: BaseException) -> str:
    """A short, value-free description of a failed call: the HTTP status and Google's reason code.

    The response body is not quoted: an error message may echo a file name or an address.
    """
    if isinstance(exc, HttpError):
        reasons = sorted(reasons_of(exc))
        return f"HTTP {exc.resp.status}" + (f" ({', '.join(reasons)})" if reasons else "")
    if isinstance(exc, google.auth.exceptions.GoogleAuthError):
        return f"credentials refused ({type(exc).__name__})"
    return f"connection failed ({type(exc).__name__})"


def retry_delay(exc: BaseException, attempt: int) -> float | None:
    """Seconds to wait before trying a failed call again, or None when it must not be retried.

    429 and 503 honour ``Retry-After`` (seconds or an HTTP date, capped); 403 rate-limit reasons, other
    5xx and connection errors back off exponentially with jitter.
    """
    backoff = min(0.5 * 2 ** (attempt - 1), 30.0) * (0.5 + random.random() / 2)
    status = status_of(exc)
    if status is None:
        # A reset or timed-out connection; auth errors are not retried (a refresh was already tried).
        return None if isinstance(exc, google.auth.exceptions.GoogleAuthError) else backoff
    assert isinstance(exc, HttpError)
    if status in (429, 503):
        after = _retry_after(exc.resp.get("retry-after"))
        return backoff if after is None else after
    if status == 403 and reasons_of(exc) & _RATE_REASONS:
        return backoff
    if status >= 500:
        return backoff
    return None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def call(fn: Callable[[], T], what: str = "call") -> T:
    """Run ``fn`` (one API call) with bounded retries; raise the last error when they are used up."""
    attempt = 1
    while True:
        try:
            return fn()
        except API_ERRORS as exc:
            delay = retry_delay(exc, attempt)
            if delay is None or attempt >= MAX_ATTEMPTS:
                raise
            log.info("%s: %s; retrying in %.1f s (attempt %d of %d)", what, describe(exc), delay, attempt + 1,
                     MAX_ATTEMPTS)
            _sleep(delay)
            attempt += 1


def execute(request: Any, what: str = "") -> Any:
    """``request.execute()`` with the retries of :func:`call` (the client's own retries stay off)."""
    return call(lambda: request.execute(num_retries=0), what or getattr(request, "methodId", "call"))


# -- exposure --


def domain_of(address: str) -> str:
    """The lower-case domain of an address ('' when it has none)."""
    return address.rpartition("@")[2].lower().strip().rstrip(".") if "@" in address else ""


def is_internal(domain: str, internal: Iterable[str]) -> bool:
    """True when the domain is one of the district's domains or a subdomain of one."""
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in internal)


def internal_domains(settings: Settings, user: str) -> tuple[str, ...]:
    """The district's domains: ``[organization] internal_domains`` and always the scanned user's own."""
    found = [d.lower().lstrip("@").rstrip(".") for d in settings.organization.internal_domains]
    own = domain_of(user)
    if own and own not in found:
        found.append(own)
    return tuple(found)


# -- incremental state --


class RootState:
    """The incremental state of one mailbox or drive: a token and the items known at that token.

    Kept as JSON in ``<data home>/state/<kind>/<hash of source and root>.json`` (0600 in 0700 folders: it
    holds file names and addresses). Every run yields every known item, changed or not, so the store's
    own etag comparison decides what to examine and marks what disappeared as removed; the token only
    spares the listing of what did not change.
    """

    def __init__(self, kind: str, source_key: str, root: str) -> None:
        digest = hashlib.sha256(f"{source_key}\0{root}".encode()).hexdigest()[:32]
        self.path = data_home() / "state" / kind / f"{digest}.json"
        self.root = root

    def load(self) -> dict[str, Any] | None:
        """The saved state, or None when there is none (or it cannot be read: then a full listing)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("incremental state %s unreadable (%s); listing everything", self.path, type(exc).__name__)
            return None
        return data if isinstance(data, dict) and data.get("root") == self.root else None

    def save(self, data: dict[str, Any]) -> None:
        """Write the state atomically (a crash leaves the old file or the new one, never half of one)."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            os.chmod(folder.parent, 0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({**data, "root": self.root}, handle, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def short_hash(*parts: Any) -> str:
    """A short stable hash of some JSON-able values, for etags."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:12]


def state_home() -> Path:
    """Where the connectors keep their incremental state."""
    return data_home() / "state"

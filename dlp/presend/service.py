"""The pre-send HTTP service (``dlp serve``): ``POST /v1/check`` answers the contract's verdict object.

A mail client plug-in, a web mail gateway or a script posts the raw RFC 5322 message (``Content-Type:
message/rfc822`` or ``application/octet-stream``) with ``Authorization: Bearer TOKEN``, and gets back the
same JSON object as ``dlp check --json`` (CONTRACT.md section 4). Errors are JSON too::

    {"error": "unauthorized", "message": "a bearer token is required"}

401 without the right token, 413 over the size limit, 415 for another content type, 400 for an empty or
header-less body, 500 when the checker fails (the log names the exception type and where it was raised,
never its text: exception texts can quote the message, and the message is what we must not leak).

One :class:`~dlp.presend.verdict.Checker` is built per process and stays warm (its detection engine loads
spaCy once); each check runs in Starlette's thread pool because detection is CPU-bound and would otherwise
stall the event loop for every other client.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations, and they name
# classes imported inside create_app (fastapi costs half a second to import, which every other CLI
# command would pay if this module imported it at the top).
import argparse
import hmac
import inspect
import logging
import os
import sys
import time
import traceback
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dlp.errors import ConfigError
from dlp.presend.verdict import Checker, Verdict
from dlp.worker import freeze_long_lived

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)
# One line per check, at the default verbosity too (run() and the SMTP filter set it to INFO): the
# verdict, its rules, size and time, and the check's ID that the client got in its answer. Never an
# address, a file name or a value.
verdict_log = logging.getLogger("dlp.verdict")
CHECK_ID_HEADER = "X-DLP-Check-Id"
# Loggers of libraries that would write message content or addresses: aiosmtpd's writes every DATA
# line at DEBUG and every MAIL FROM / RCPT TO at INFO; uvicorn's access log writes query strings.
CONTENT_LOGGERS = ("mail.log", "uvicorn.access")

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # above the usual 25-35 MB limits of mail servers, so no real mail is refused
DEFAULT_PORT = 8765
DEFAULT_TOKEN_ENV = "DLP_SERVE_TOKEN"
MIN_TOKEN_CHARS = 16  # a short token can be guessed over the network; refuse it at start-up
ACCEPTED_TYPES = frozenset({"message/rfc822", "application/octet-stream"})
EXIT_USAGE = 2
DEFAULT_CHECK_TIMEOUT = 120.0
DEFAULT_WORKERS = 2


class _RequestError(Exception):
    """A request the service answers with a JSON error instead of a verdict."""

    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers


def error_response(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> "JSONResponse":
    """The JSON error body every failure of the service uses."""
    from fastapi.responses import JSONResponse

    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


def accepts_envelope(checker: Checker) -> bool:
    """Whether ``checker.check`` takes ``envelope_recipients`` (the SMTP RCPT TO list, Bcc included).

    The :class:`~dlp.presend.verdict.Checker` protocol does not require it, but the real checker has it,
    and without it a Bcc that the sender's client already stripped from the headers would go unjudged.
    """
    try:
        parameters = inspect.signature(checker.check).parameters
    except (TypeError, ValueError):  # a callable without a readable signature: call it the protocol's way
        return False
    return "envelope_recipients" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def defers_disclosures(checker: Checker) -> bool:
    """Whether the checker can leave an allowed transfer's disclosures for ``record_disclosures`` (on delivery)."""
    try:
        parameters = inspect.signature(checker.check).parameters
    except (TypeError, ValueError):
        return False
    return "defer_disclosures" in parameters and callable(getattr(checker, "record_disclosures", None))


def run_check(checker: Checker, raw: bytes, recipients: Sequence[str], with_envelope: bool,
              defer: bool = False) -> Verdict:
    """Call the checker, passing the envelope recipients when it takes them (and ``defer_disclosures``)."""
    call: Any = checker.check  # the keywords are outside the protocol; see accepts_envelope, defers_disclosures
    kwargs: dict[str, Any] = {"defer_disclosures": True} if defer else {}
    if with_envelope and recipients:
        kwargs["envelope_recipients"] = list(recipients)
    verdict: Verdict = call(raw, **kwargs)
    return verdict


def quiet_content_loggers() -> None:
    """Keep message content and addresses out of every log, at any verbosity; verdict lines on.

    Called by both services before they take their first message. Also narrows the log files already
    open to 0600 (a log of checks is nobody else's business).
    """
    from dlp.files import tighten_log_files

    for name in CONTENT_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.disabled = name == "uvicorn.access"
    if verdict_log.getEffectiveLevel() > logging.INFO:
        verdict_log.setLevel(logging.INFO)
    tighten_log_files()


def new_check_id() -> str:
    """The ID of one check: in the answer (a 550 reply, a JSON field and header) and on its log line."""
    return uuid.uuid4().hex[:12]


def describe_failure(exc: BaseException) -> str:
    """The exception's type and where it was raised, without its text (which may quote the message)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
    return f"{type(exc).__module__}.{type(exc).__qualname__}{where}"


def create_app(checker: Checker, token: str, max_bytes: int = DEFAULT_MAX_BYTES) -> "FastAPI":
    """The FastAPI application around one warm checker.

    ``token`` is the bearer token clients must send; ``max_bytes`` the largest message accepted.
    """
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException as StarletteHTTPException

    if not token:
        raise ValueError("the service needs a non-empty bearer token")
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")
    expected = token.encode()
    with_envelope = accepts_envelope(checker)
    app = FastAPI(title="District DLP pre-send check", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(_RequestError)
    async def _request_error(request: Request, exc: _RequestError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 404 and 405 from the router: the same JSON shape as every other error.
        name = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, name, str(exc.detail), getattr(exc, "headers", None))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the process is up and its checker is built (no token needed, nothing checked)."""
        return {"status": "ok"}

    @app.post("/v1/check")
    async def check(request: Request) -> JSONResponse:
        """The verdict on the raw RFC 5322 message in the body.

        ``?rcpt=ADDRESS`` (repeatable) adds envelope recipients, e.g. a Bcc the client keeps apart.
        """
        _authorize(request, expected)
        raw = await _read_body(request, max_bytes)
        recipients = request.query_params.getlist("rcpt")
        check_id = new_check_id()
        started = time.perf_counter()
        try:
            verdict = await run_in_threadpool(run_check, checker, raw, recipients, with_envelope)
        except TimeoutError:  # the check ran out of time (its work was stopped) or every worker stayed busy
            log.error("dlp %s: the check ran out of time (%d bytes)", check_id, len(raw))
            return error_response(503, "timeout", f"the check took too long and was stopped; try again later "
                                  f"(dlp {check_id})", {CHECK_ID_HEADER: check_id, "Retry-After": "30"})
        except Exception as exc:  # the service boundary: whatever the checker raises is one generic 500
            log.error("dlp %s: check failed: %s (%d bytes)", check_id, describe_failure(exc), len(raw))
            response = error_response(500, "check_failed", "the check could not be completed; the message was "
                                      f"not judged (see the service log, dlp {check_id})",
                                      {CHECK_ID_HEADER: check_id})
            return response
        elapsed = time.perf_counter() - started
        # The log names the verdict and rules only: no address, file name or value.
        verdict_log.info("dlp %s: %s %s (%d bytes, %d recipients, %.0f ms)", check_id, verdict.verdict,
                         ",".join(r.rule for r in verdict.reasons) or "-", len(raw), len(verdict.recipients),
                         elapsed * 1000)
        return JSONResponse(verdict.to_dict() | {"check_id": check_id}, headers={CHECK_ID_HEADER: check_id})

    return app


def _authorize(request: "Request", expected: bytes) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="dlp"'}
    if scheme.lower() != "bearer" or not given.strip():
        raise _RequestError(401, "unauthorized", "a bearer token is required", challenge)
    # compare_digest: the time taken must not tell how much of a guess was right.
    if not hmac.compare_digest(given.strip().encode(), expected):
        raise _RequestError(401, "unauthorized", "the bearer token is not valid", challenge)


async def _read_body(request: "Request", max_bytes: int) -> bytes:
    content_type = request.headers.get("content-type", "application/octet-stream").split(";")[0].strip().lower()
    if content_type not in ACCEPTED_TYPES:
        raise _RequestError(415, "unsupported_media_type",
                            "send the raw message as message/rfc822 or application/octet-stream")
    too_large = _RequestError(413, "too_large", f"the message is larger than the limit of {max_bytes} bytes")
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise _RequestError(400, "bad_request", "the Content-Length header is not a number") from None
        if length > max_bytes:
            raise too_large  # refused before a byte of the body is read
    # Counted while streaming too: a chunked upload has no Content-Length to trust.
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise _RequestError(400, "empty_message", "the request body is empty; send the raw RFC 5322 message")
    if not _has_header(raw):
        raise _RequestError(400, "not_a_message", "the body does not start with RFC 5322 header fields")
    return raw


def _has_header(raw: bytes) -> bool:
    """Whether the body starts like a message: a ``Name: value`` header field on its first line."""
    first = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    name, colon, _ = first.partition(b":")
    # A field name is printable ASCII without spaces (RFC 5322 section 3.6.8); mbox "From " lines are not fields.
    return bool(colon) and bool(name) and all(33 <= b <= 126 for b in name)


# -- the command --


def build_checker(config: str | None, db: str | None, log_disclosures: bool = True) -> Checker:
    """The real checker from the config, as ``dlp check`` builds it (ConfigError on a bad config)."""
    from dlp import config as config_mod
    from dlp.detect.values import load_or_create_key
    from dlp.presend.check import PresendChecker

    settings = config_mod.load(config)
    if db:
        settings = settings.with_overrides(store={"db": db})
    try:
        key = load_or_create_key(settings.store.key_path())
    except PermissionError as exc:
        raise ConfigError(str(exc)) from None
    return PresendChecker(settings, key, log_disclosures=log_disclosures)


def add_arguments(sub: Any, common: argparse.ArgumentParser) -> None:
    """Declare ``serve`` on the CLI's subparsers."""
    serve = sub.add_parser("serve", parents=[common], help="the pre-send check as an HTTP service (POST /v1/check)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    serve.add_argument("--token-env", default=DEFAULT_TOKEN_ENV, metavar="NAME",
                       help=f"environment variable holding the bearer token (default: {DEFAULT_TOKEN_ENV})")
    serve.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                       help=f"largest message accepted (default: {DEFAULT_MAX_BYTES})")
    serve.add_argument("--check-timeout", type=float, default=DEFAULT_CHECK_TIMEOUT, metavar="SECONDS",
                       help="longest check; its worker process is then killed and the answer is 503 "
                            f"(default: {DEFAULT_CHECK_TIMEOUT:.0f})")
    serve.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                       help=f"check worker processes, forked with the warm engine (default: {DEFAULT_WORKERS})")
    serve.add_argument("--no-log", action="store_true",
                       help="do not record allowed disclosures in the store (checks only, nothing sent)")


def run(args: argparse.Namespace) -> int:
    """``dlp serve``: exit 2 without a token or with a bad config; otherwise serve until interrupted."""
    token = os.environ.get(args.token_env, "").strip()
    if not token:
        hint = "$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        print(f"serve: no bearer token: set the environment variable {args.token_env} "
              f"(e.g. export {args.token_env}={hint})", file=sys.stderr)
        return EXIT_USAGE
    if len(token) < MIN_TOKEN_CHARS:
        print(f"serve: the token in {args.token_env} is shorter than {MIN_TOKEN_CHARS} characters", file=sys.stderr)
        return EXIT_USAGE
    if not 0 < args.port < 65536 or args.max_bytes < 1:
        raise ConfigError("--port must be 1-65535 and --max-bytes positive")
    if args.check_timeout <= 0 or not 0 < args.workers <= 64:
        raise ConfigError("--check-timeout must be positive and --workers 1-64")
    import uvicorn

    from dlp.presend.isolate import IsolatedChecker

    built = build_checker(args.config, args.db, log_disclosures=not args.no_log)
    freeze_long_lived()  # the warm engine stays for the life of the service (and is shared by the workers)
    checker = IsolatedChecker(built, workers=args.workers, timeout=args.check_timeout)
    app = create_app(checker, token, args.max_bytes)
    print(f"dlp serve: POST http://{args.host}:{args.port}/v1/check (token from {args.token_env})", file=sys.stderr)
    quiet_content_loggers()
    # One process, one warm checker: uvicorn's own workers would each build another engine.
    # log_config=None: uvicorn's own logging set-up (dictConfig) would close every handler the CLI opened,
    # the log file's among them ("Queue is closed"); its loggers go to ours instead. No access log: it
    # writes query strings (?rcpt=ADDRESS); the verdict line is the record of each request.
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_config=None,
                    log_level="info" if args.verbose else "warning", access_log=False, server_header=False)
    finally:
        checker.close()
    return 0

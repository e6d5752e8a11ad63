"""The pre-send SMTP content filter (``dlp smtp-filter``): between the mail server and its next hop.

Two deployments (``--mode``). The default, ``before-queue``, is Postfix's ``smtpd_proxy_filter =
127.0.0.1:10025``: the filter sits inside the sender's SMTP session, and a block is the 550 reply the
sender's client sees; nothing is queued, so no bounce can carry the message anywhere. ``after-queue``
is ``content_filter = smtp:[127.0.0.1]:10025``; there a 550 would make Postfix bounce the message with
its content to the envelope sender, so a block is relayed marked for HOLD instead (see below). Either
way the filter checks each message and, if it may leave, relays it unchanged to the next hop (Postfix:
a second ``smtpd`` on ``127.0.0.1:10026`` with no filter) with the same envelope:

- allow: relayed byte for byte;
- warn: relayed with ``X-DLP-Verdict: warn; RULE[, RULE...]`` added at the top;
- block, before-queue: answered ``550 5.7.1 RULE: SHORT REASON``; when only some recipients are blocked,
  the reply names them so that the sender can send again to the others (one reply covers all recipients);
- block, after-queue: the blocked recipients' copy goes to the next hop with ``X-DLP-Verdict: block;
  RULES`` (its ``header_checks`` must HOLD it), the other recipients' copy unchanged, and the sender gets
  a notice naming the blocked recipients and rules, without the content;
- the check fails (an exception, a timeout): ``451 4.3.0`` (the MTA keeps the message and tries again);
  with ``fail_open``, a check that ran out of time (the filter's own overload) is relayed with
  ``X-DLP-Verdict: unchecked; check-failed``, but an exception never is (a parse failure is an unreadable
  part inside the check, judged by ``[presend] unreadable``, so content cannot choose to be unchecked);
- the next hop cannot be reached or answers 4xx: ``451 4.3.0``; it refuses the message outright (5xx):
  ``554 5.3.0``. Either way the MTA still holds the message: nothing is passed silently or lost.

Replies and the log name rules, verdicts, sizes and counts only (a 550 names the blocked envelope
recipients, which the sender typed): the verdict's own messages carry attachment names, which can
themselves be personal information ("Alvarez_IEP.pdf").
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import email.utils
import logging
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from dlp.errors import ConfigError
from dlp.presend.service import (
    accepts_envelope,
    build_checker,
    defers_disclosures,
    describe_failure,
    new_check_id,
    quiet_content_loggers,
    run_check,
    verdict_log,
)
from dlp.presend.verdict import ALLOW, BLOCK, WARN, Checker, Verdict
from dlp.worker import freeze_long_lived

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)

HEADER = "X-DLP-Verdict"
BEFORE_QUEUE, AFTER_QUEUE = "before-queue", "after-queue"
MAX_NAMED = 5  # blocked recipients named in a 550 reply (RFC 5321 keeps a reply line under 512 bytes)
MAX_ADDRESS_CHARS = 64
DEFAULT_LISTEN = "127.0.0.1:10025"
DEFAULT_NEXT_HOP = "127.0.0.1:10026"
DEFAULT_CHECK_TIMEOUT = 120.0  # well under the 10 minutes an SMTP client waits for the answer to DATA
DEFAULT_RELAY_TIMEOUT = 60.0
DEFAULT_DATA_SIZE_LIMIT = 50 * 1024 * 1024
DEFAULT_WORKERS = 2
EXIT_USAGE = 2

# What the sender sees in the bounce, per rule: fixed texts, so that nothing of the message is echoed.
SHORT_REASONS = {
    "personal-account": "personal information to a personal mail account",
    "third-party-without-authorization": "student or staff records to a third party without an authorization "
                                         "that covers them",
    "unencrypted-93h": "M.G.L. c. 93H personal information outside the district, not encrypted; "
                       "use dlp protect and send the passphrase separately",
    "unreadable-content": "content the check could not read (encrypted, damaged or unsupported) to a recipient "
                          "outside the district",
}
GENERIC_REASON = "blocked by the district's data-loss-prevention policy"
# Envelope options worth carrying to the next hop; SIZE is recomputed by smtplib, others are not ours.
RELAYED_MAIL_OPTIONS = ("BODY=8BITMIME", "SMTPUTF8")


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """Where to relay and what to do when the check cannot be made."""

    next_hop_host: str = "127.0.0.1"
    next_hop_port: int = 10026
    # before-queue (Postfix smtpd_proxy_filter): a block is the 550 reply, and nothing is queued or bounced.
    # after-queue (content_filter): a 550 would make Postfix bounce the message, content attached, to the
    # sender; instead blocked recipients get the message marked "X-DLP-Verdict: block" for the next hop to
    # HOLD (header_checks), the others get it unchanged, and the sender gets a notice without the content.
    mode: str = "before-queue"
    fail_open: bool = False
    check_timeout: float = DEFAULT_CHECK_TIMEOUT
    relay_timeout: float = DEFAULT_RELAY_TIMEOUT


class _RelayFailed(Exception):
    """The next hop did not take the message; ``reply`` is the SMTP answer for our client."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class DLPFilter:
    """The aiosmtpd handler: check each message, then relay, mark, refuse or defer it."""

    def __init__(self, checker: Checker, options: FilterOptions | None = None, *, workers: int = 4) -> None:
        self.checker = checker
        self.options = options or FilterOptions()
        self._with_envelope = accepts_envelope(checker)
        # Disclosures are logged when the next hop has taken the message, not when it was checked.
        self._defer = defers_disclosures(checker)
        # Checks (CPU-bound) and relays (blocking smtplib) run here, never on the SMTP event loop,
        # which must keep answering other connections meanwhile.
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dlp-smtp")

    def close(self) -> None:
        """Stop the worker threads (after the controller has stopped taking mail)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Answer the end of DATA: relay (250), refuse (550) or defer (451). Never raises."""
        loop = asyncio.get_running_loop()
        tag = new_check_id()  # in the reply and the log, so an administrator can match a bounce to a line
        raw: bytes = envelope.original_content or b""
        recipients = [str(r) for r in envelope.rcpt_tos]
        may_fail_open = False
        try:
            verdict: Verdict | None = await asyncio.wait_for(
                loop.run_in_executor(self._pool, run_check, self.checker, raw, recipients, self._with_envelope,
                                     self._defer),
                timeout=self.options.check_timeout)
        except TimeoutError:
            log.error("dlp %s: the check took longer than %.0f s (%d bytes)", tag, self.options.check_timeout,
                      len(raw))
            verdict, may_fail_open = None, True
        except Exception as exc:  # the filter boundary: any checker failure must become a 451
            # Never fail open here: the checker turns every parse failure into an unreadable part, so an
            # exception is a defect that the content may have provoked on purpose (a crafted attachment);
            # relaying on it would let anyone bypass the gate. fail_open is for our own overload only.
            log.error("dlp %s: check failed: %s (%d bytes)", tag, describe_failure(exc), len(raw))
            verdict = None

        if verdict is None:
            if not (self.options.fail_open and may_fail_open):
                return f"451 4.3.0 DLP check unavailable, try again later (dlp {tag})"
            log.warning("dlp %s: fail-open: relaying an unchecked message", tag)
            return await self._relay(loop, envelope, _with_header(raw, "unchecked; check-failed"), tag, "unchecked")

        rules = [r.rule for r in verdict.reasons]
        verdict_log.info("dlp %s: %s %s (%d bytes, %d recipients)", tag, verdict.verdict, ",".join(rules) or "-",
                         len(raw), len(recipients))
        if verdict.verdict == BLOCK:
            blocked, allowed = _split_recipients(verdict, recipients)
            if self.options.mode == AFTER_QUEUE:
                return await self._hold(loop, envelope, raw, tag, rules, blocked, allowed)
            return _block_reply(rules, tag, blocked if allowed else ())
        if verdict.verdict == WARN:
            reply = await self._relay(loop, envelope, _with_header(raw, "warn; " + ", ".join(rules)), tag, WARN)
            return await self._delivered(loop, reply, verdict, recipients, tag)
        if verdict.verdict == ALLOW:
            reply = await self._relay(loop, envelope, raw, tag, ALLOW)
            return await self._delivered(loop, reply, verdict, recipients, tag)
        # An unknown verdict is a checker bug: defer rather than guess which way it meant.
        log.error("dlp %s: unknown verdict %r", tag, verdict.verdict)
        return f"451 4.3.0 DLP check unavailable, try again later (dlp {tag})"

    async def _delivered(self, loop: asyncio.AbstractEventLoop, reply: str, verdict: Verdict,
                         recipients: Sequence[str], tag: str) -> str:
        """After a relay: log the transfer's disclosures if the next hop took it; return the reply unchanged."""
        if not (self._defer and verdict.disclosures and reply.startswith("250")):
            return reply
        checker: Any = self.checker  # record_disclosures is outside the protocol; see defers_disclosures
        record = checker.record_disclosures
        try:
            await loop.run_in_executor(self._pool, record, verdict, list(recipients))
        except Exception as exc:  # noqa: BLE001 - delivered already: a failed write must be loud, not a retry
            log.error("dlp %s: delivered, but the disclosure log could not be written: %s", tag,
                      describe_failure(exc))
        return reply

    async def _relay(self, loop: asyncio.AbstractEventLoop, envelope: Any, data: bytes, tag: str, what: str,
                     rcpt_tos: list[str] | None = None) -> str:
        options = [o for o in envelope.mail_options if str(o).upper() in RELAYED_MAIL_OPTIONS]
        try:
            await loop.run_in_executor(self._pool, self._send, envelope.mail_from,
                                       list(envelope.rcpt_tos) if rcpt_tos is None else rcpt_tos, data, options)
        except _RelayFailed as failed:
            log.error("dlp %s: relay failed: %s", tag, failed.reply)
            return f"{failed.reply} (dlp {tag})"
        return f"250 2.0.0 Ok: {what}, relayed (dlp {tag})"

    async def _hold(self, loop: asyncio.AbstractEventLoop, envelope: Any, raw: bytes, tag: str, rules: list[str],
                    blocked: list[str], allowed: list[str]) -> str:
        """After-queue block: the blocked recipients' copy marked for HOLD, the others' relayed, a notice.

        The copy for the blocked recipients goes to the next hop with ``X-DLP-Verdict: block; RULES`` at the
        top, which the next hop's ``header_checks`` turn into HOLD (README): the message stays in the
        district's queue for an administrator, and no bounce carries it anywhere.
        """
        held = _with_header(raw, "block; " + ", ".join(rules))
        reply = await self._relay(loop, envelope, held, tag, "held", blocked)
        if not reply.startswith("250"):
            return reply
        if allowed:
            reply = await self._relay(loop, envelope, raw, tag, "allowed", allowed)
            if not reply.startswith("250"):
                return reply  # the MTA retries all: the held copy may be held twice, never delivered
        if envelope.mail_from:  # never answer a bounce (null sender) with another message
            notice = _notice(envelope.mail_from, blocked, allowed, rules, tag, _message_id(raw))
            try:
                await loop.run_in_executor(self._pool, self._send, "", [envelope.mail_from], notice, [])
            except _RelayFailed as failed:
                log.error("dlp %s: the notice to the sender could not be sent: %s", tag, failed.reply)
        return f"250 2.0.0 Ok: held for {len(blocked)}, relayed to {len(allowed)} (dlp {tag})"

    def _send(self, mail_from: str, rcpt_tos: list[str], data: bytes, mail_options: list[str]) -> None:
        """Hand the message to the next hop (in a worker thread); :class:`_RelayFailed` unless all took it."""
        host, port = self.options.next_hop_host, self.options.next_hop_port
        try:
            with smtplib.SMTP(host, port, timeout=self.options.relay_timeout) as client:
                refused = client.sendmail(mail_from, rcpt_tos, data, mail_options=mail_options)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise _RelayFailed(_failure_reply(codes, "the next hop refused every recipient")) from None
        except smtplib.SMTPResponseException as exc:  # MAIL FROM or DATA refused, or an unexpected reply
            raise _RelayFailed(_failure_reply([exc.smtp_code], "the next hop refused the message")) from None
        except (smtplib.SMTPException, OSError) as exc:  # unreachable, dropped connection, timeout
            raise _RelayFailed(f"451 4.3.0 next hop unavailable ({type(exc).__name__}), try again later") from None
        if refused:
            # Some recipients took it, some did not. One DATA reply cannot say which; a 451 makes the MTA
            # try again (a duplicate for those that took it) rather than lose the rest. Point the filter at
            # a next hop that accepts every recipient (the MTA's re-injection port) and this does not happen.
            raise _RelayFailed(f"451 4.3.0 the next hop refused {len(refused)} of {len(rcpt_tos)} recipients, "
                               "try again later")


def _failure_reply(codes: list[int], what: str) -> str:
    if codes and all(500 <= c < 600 for c in codes):
        return f"554 5.3.0 {what} ({', '.join(map(str, codes))})"
    return f"451 4.3.0 {what} ({', '.join(map(str, codes))}), try again later"


def _block_reply(rules: list[str], tag: str, blocked: Sequence[str] = ()) -> str:
    """``550 5.7.1 RULE: SHORT REASON``: the first rule with a fixed text, and how many more there are.

    With ``blocked`` (some recipients are blocked, others are not), the reply names the blocked ones, so
    that the sender can send again to the others: one SMTP reply to DATA is for the whole message.
    """
    rule = rules[0] if rules else "policy"
    reason = SHORT_REASONS.get(rule, GENERIC_REASON)
    more = f" (and {len(rules) - 1} more)" if len(rules) > 1 else ""
    named = ""
    if blocked:
        shown = [_printable(a) for a in blocked[:MAX_NAMED]]
        extra = f" and {len(blocked) - MAX_NAMED} more" if len(blocked) > MAX_NAMED else ""
        named = f"; not allowed to {', '.join(shown)}{extra}; send it again without them for the others"
    return f"550 5.7.1 {rule}: {reason}{more}{named} (dlp {tag})"


def _printable(address: str) -> str:
    return address.encode("ascii", "replace").decode("ascii")[:MAX_ADDRESS_CHARS]


def _normalized(address: str) -> str:
    return address.strip().strip("<>").strip().lower()


def _split_recipients(verdict: Verdict, rcpt_tos: Sequence[str]) -> tuple[list[str], list[str]]:
    """The envelope recipients a block is for, and the others (all blocked when the verdict does not say)."""
    named = verdict.extra.get("blocked_recipients")
    if not isinstance(named, list | tuple):
        return list(rcpt_tos), []
    blocked_set = {_normalized(str(a)) for a in named}
    blocked = [r for r in rcpt_tos if _normalized(r) in blocked_set]
    if not blocked:
        # Blocked for a recipient of the headers only (the MTA split the envelope): this copy goes to no one
        # blocked, but without a recipient to name, hold it all rather than guess.
        return list(rcpt_tos), []
    return blocked, [r for r in rcpt_tos if _normalized(r) not in blocked_set]


def _message_id(raw: bytes) -> str:
    match = re.search(rb"^Message-ID:[ \t]*(<[^<>\r\n]{1,250}>)", raw[:65536], re.IGNORECASE | re.MULTILINE)
    return match.group(1).decode("ascii", "replace") if match else "(none)"


def _notice(sender: str, blocked: Sequence[str], allowed: Sequence[str], rules: Sequence[str], tag: str,
            message_id: str) -> bytes:
    """The sender's notice of an after-queue block: which recipients, which rules; none of the content."""
    notice = EmailMessage()
    notice["From"] = "Data-loss prevention <postmaster>"
    notice["To"] = sender
    notice["Subject"] = "Not delivered to some recipients: data-loss-prevention policy"
    notice["Auto-Submitted"] = "auto-replied"
    notice["Message-ID"] = email.utils.make_msgid("dlp")
    lines = [f"Your message {message_id} was not delivered to:", *(f"  {a}" for a in blocked), "",
             "because of the district's data-loss-prevention policy:",
             *(f"  {r}: {SHORT_REASONS.get(r, GENERIC_REASON)}" for r in rules), ""]
    if allowed:
        lines += ["It was delivered to:", *(f"  {a}" for a in allowed), ""]
    lines += [f"The message is held for review (dlp {tag}). Nothing of its content is repeated here."]
    notice.set_content("\n".join(lines))
    return bytes(notice)


def _with_header(raw: bytes, value: str) -> bytes:
    """The message with ``X-DLP-Verdict: value`` prepended, in the message's own line ending."""
    newline = b"\r\n" if b"\r\n" in raw[:4096] or not raw else b"\n"
    return f"{HEADER}: {value}".encode("ascii", "replace") + newline + raw


# Postfix settings that route an internal-looking address outside after the check (README, "Deployment").
UNSAFE_POSTFIX = {"allow_percent_hack": "yes", "swap_bangpath": "yes"}


def postfix_warnings(postconf: str | None = None) -> list[str]:
    """What in the local Postfix's settings lets mail route past the check, when ``postconf`` can tell.

    ``ops%vendor.example@district`` and ``vendor.example!ops@district`` are judged by where they go, but
    Postfix's percent hack and bang-path swap are still best turned off; this reads them at start-up.
    """
    program = postconf or shutil.which("postconf")
    if program is None:
        return []
    try:
        done = subprocess.run([program, *UNSAFE_POSTFIX], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    out = []
    for line in done.stdout.splitlines():
        name, _, value = (part.strip() for part in line.partition("="))
        if UNSAFE_POSTFIX.get(name) == value:
            out.append(f"Postfix has {name} = {value}: set {name} = no (addresses that route elsewhere)")
    return out


def parse_address(text: str, option: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) as a pair; :class:`ConfigError` naming the option."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{option} {text!r}: expected HOST:PORT, e.g. 127.0.0.1:10025")
    return host, int(port)


def start(checker: Checker, listen: tuple[str, int], options: FilterOptions,
          data_size_limit: int = DEFAULT_DATA_SIZE_LIMIT) -> tuple[Controller, DLPFilter]:
    """Start the filter on ``listen`` in its own thread; stop it with ``controller.stop(); handler.close()``."""
    from aiosmtpd.controller import Controller  # here, not at the top: every other CLI command imports this module

    quiet_content_loggers()  # before the first connection: aiosmtpd logs DATA lines and addresses
    handler = DLPFilter(checker, options)
    controller = Controller(handler, hostname=listen[0], port=listen[1], ident="dlp-smtp-filter",
                            data_size_limit=data_size_limit, enable_SMTPUTF8=True)
    controller.start()
    return controller, handler


# -- the command --


def add_arguments(sub: Any, common: argparse.ArgumentParser) -> None:
    """Declare ``smtp-filter`` on the CLI's subparsers."""
    p = sub.add_parser("smtp-filter", parents=[common],
                       help="the pre-send check as an SMTP content filter between the mail server and its next hop")
    p.add_argument("--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT",
                   help=f"where the mail server hands messages over (default: {DEFAULT_LISTEN})")
    p.add_argument("--next-hop", default=DEFAULT_NEXT_HOP, metavar="HOST:PORT",
                   help=f"where checked messages go (default: {DEFAULT_NEXT_HOP})")
    p.add_argument("--mode", choices=(BEFORE_QUEUE, AFTER_QUEUE), default=BEFORE_QUEUE,
                   help="before-queue (Postfix smtpd_proxy_filter; a block is a 550 reply, the default) or "
                        "after-queue (content_filter; a block is relayed marked for HOLD, never bounced)")
    p.add_argument("--fail-open", action="store_true",
                   help="relay (marked unchecked) when the check runs out of time, instead of answering 451 "
                        "(an error in the check is always a 451)")
    p.add_argument("--check-timeout", type=float, default=DEFAULT_CHECK_TIMEOUT, metavar="SECONDS",
                   help=f"longest check before answering 451 (default: {DEFAULT_CHECK_TIMEOUT:.0f})")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_DATA_SIZE_LIMIT,
                   help=f"largest message accepted (default: {DEFAULT_DATA_SIZE_LIMIT})")
    p.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                   help=f"check worker processes, forked with the warm engine (default: {DEFAULT_WORKERS}); "
                        "a check past --check-timeout has its worker killed")


def run(args: argparse.Namespace) -> int:
    """``dlp smtp-filter``: run until SIGINT or SIGTERM."""
    listen = parse_address(args.listen, "--listen")
    host, port = parse_address(args.next_hop, "--next-hop")
    if args.check_timeout <= 0 or args.max_bytes < 1:
        raise ConfigError("--check-timeout and --max-bytes must be positive")
    if not 0 < args.workers <= 64:
        raise ConfigError("--workers must be 1-64")
    from dlp.presend.isolate import IsolatedChecker

    built = build_checker(args.config, args.db)
    freeze_long_lived()  # the warm engine stays for the life of the filter (and is shared by the workers)
    # A check past the limit is killed in its worker, not left running behind the 451.
    checker = IsolatedChecker(built, workers=args.workers, timeout=args.check_timeout)
    options = FilterOptions(next_hop_host=host, next_hop_port=port, mode=args.mode, fail_open=args.fail_open,
                            check_timeout=args.check_timeout)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        controller, handler = start(checker, listen, options, args.max_bytes)
    except OSError as exc:  # the port is taken or not ours to bind
        checker.close()
        print(f"smtp-filter: cannot listen on {args.listen} ({exc.strerror or type(exc).__name__})", file=sys.stderr)
        return EXIT_USAGE
    for warning in postfix_warnings():
        log.warning("%s", warning)
        print(f"smtp-filter: warning: {warning}", file=sys.stderr)
    print(f"dlp smtp-filter: {args.listen} -> {args.next_hop}, "
          f"{'fail-open' if args.fail_open else 'fail-closed (451 when the check fails)'}", file=sys.stderr)
    try:
        stop.wait()
    finally:
        controller.stop()
        handler.close()
        checker.close()
    return 0

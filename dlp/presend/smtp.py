"""The pre-send SMTP content filter (``dlp smtp-filter``): between the mail server and its next hop.

The district's MTA hands every outbound message to this filter (Postfix: ``content_filter =
smtp:[127.0.0.1]:10025``); the filter checks it and, if it may leave, relays it unchanged to the next hop
(Postfix: a second ``smtpd`` on ``127.0.0.1:10026`` with no content filter) with the same envelope:

- allow: relayed byte for byte;
- warn: relayed with ``X-DLP-Verdict: warn; RULE[, RULE...]`` added at the top;
- block: answered ``550 5.7.1 RULE: SHORT REASON`` (the sending MTA bounces it to the sender);
- the check fails (an exception, a timeout): ``451 4.3.0`` (the MTA keeps the message and tries again);
  with ``fail_open``, a check that ran out of time (the filter's own overload) is relayed with
  ``X-DLP-Verdict: unchecked; check-failed``, but an exception never is (a parse failure is an unreadable
  part inside the check, judged by ``[presend] unreadable``, so content cannot choose to be unchecked);
- the next hop cannot be reached or answers 4xx: ``451 4.3.0``; it refuses the message outright (5xx):
  ``554 5.3.0``. Either way the MTA still holds the message: nothing is passed silently or lost.

Replies and the log name rules, verdicts, sizes and counts only: the verdict's own messages carry
attachment names and addresses, which can themselves be personal information ("Alvarez_IEP.pdf").
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import logging
import signal
import smtplib
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dlp.errors import ConfigError
from dlp.presend.service import (
    accepts_envelope,
    build_checker,
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
DEFAULT_LISTEN = "127.0.0.1:10025"
DEFAULT_NEXT_HOP = "127.0.0.1:10026"
DEFAULT_CHECK_TIMEOUT = 120.0  # well under the 10 minutes an SMTP client waits for the answer to DATA
DEFAULT_RELAY_TIMEOUT = 60.0
DEFAULT_DATA_SIZE_LIMIT = 50 * 1024 * 1024
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
                loop.run_in_executor(self._pool, run_check, self.checker, raw, recipients, self._with_envelope),
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
            return _block_reply(rules, tag)
        if verdict.verdict == WARN:
            return await self._relay(loop, envelope, _with_header(raw, "warn; " + ", ".join(rules)), tag, WARN)
        if verdict.verdict == ALLOW:
            return await self._relay(loop, envelope, raw, tag, ALLOW)
        # An unknown verdict is a checker bug: defer rather than guess which way it meant.
        log.error("dlp %s: unknown verdict %r", tag, verdict.verdict)
        return f"451 4.3.0 DLP check unavailable, try again later (dlp {tag})"

    async def _relay(self, loop: asyncio.AbstractEventLoop, envelope: Any, data: bytes, tag: str, what: str) -> str:
        options = [o for o in envelope.mail_options if str(o).upper() in RELAYED_MAIL_OPTIONS]
        try:
            await loop.run_in_executor(self._pool, self._send, envelope.mail_from, list(envelope.rcpt_tos),
                                       data, options)
        except _RelayFailed as failed:
            log.error("dlp %s: relay failed: %s", tag, failed.reply)
            return f"{failed.reply} (dlp {tag})"
        return f"250 2.0.0 Ok: {what}, relayed (dlp {tag})"

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


def _block_reply(rules: list[str], tag: str) -> str:
    """``550 5.7.1 RULE: SHORT REASON``: the first rule with a fixed text, and how many more there are."""
    rule = rules[0] if rules else "policy"
    reason = SHORT_REASONS.get(rule, GENERIC_REASON)
    more = f" (and {len(rules) - 1} more)" if len(rules) > 1 else ""
    return f"550 5.7.1 {rule}: {reason}{more} (dlp {tag})"


def _with_header(raw: bytes, value: str) -> bytes:
    """The message with ``X-DLP-Verdict: value`` prepended, in the message's own line ending."""
    newline = b"\r\n" if b"\r\n" in raw[:4096] or not raw else b"\n"
    return f"{HEADER}: {value}".encode("ascii", "replace") + newline + raw


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
    p.add_argument("--fail-open", action="store_true",
                   help="relay (marked unchecked) when the check runs out of time, instead of answering 451 "
                        "(an error in the check is always a 451)")
    p.add_argument("--check-timeout", type=float, default=DEFAULT_CHECK_TIMEOUT, metavar="SECONDS",
                   help=f"longest check before answering 451 (default: {DEFAULT_CHECK_TIMEOUT:.0f})")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_DATA_SIZE_LIMIT,
                   help=f"largest message accepted (default: {DEFAULT_DATA_SIZE_LIMIT})")


def run(args: argparse.Namespace) -> int:
    """``dlp smtp-filter``: run until SIGINT or SIGTERM."""
    listen = parse_address(args.listen, "--listen")
    host, port = parse_address(args.next_hop, "--next-hop")
    if args.check_timeout <= 0 or args.max_bytes < 1:
        raise ConfigError("--check-timeout and --max-bytes must be positive")
    checker = build_checker(args.config, args.db)
    freeze_long_lived()  # the warm engine stays for the life of the filter
    options = FilterOptions(next_hop_host=host, next_hop_port=port, fail_open=args.fail_open,
                            check_timeout=args.check_timeout)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        controller, handler = start(checker, listen, options, args.max_bytes)
    except OSError as exc:  # the port is taken or not ours to bind
        print(f"smtp-filter: cannot listen on {args.listen} ({exc.strerror or type(exc).__name__})", file=sys.stderr)
        return EXIT_USAGE
    print(f"dlp smtp-filter: {args.listen} -> {args.next_hop}, "
          f"{'fail-open' if args.fail_open else 'fail-closed (451 when the check fails)'}", file=sys.stderr)
    try:
        stop.wait()
    finally:
        controller.stop()
        handler.close()
    return 0

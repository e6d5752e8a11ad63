"""The SMTP content filter: real smtplib exchanges to the filter, an aiosmtpd sink as the next hop, and the
real PresendChecker (tiny fakes only for the failures a real checker does not produce on demand)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dlp import cli
from dlp.errors import ConfigError
from dlp.presend import smtp
from dlp.presend.smtp import FilterOptions, parse_address, start
from dlp.presend.verdict import ALLOW, Verdict
from tests.helpers.net import free_port
from tests.helpers.sinks import MailSink as Sink
from tests.presend.conftest import ROSTER_BODY, SASID_A, mail

SENDER = "d.whitfield@district.example"


@pytest.fixture()
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


class Filter:
    """The DLP filter on a free port in front of ``next_port``."""

    def __init__(self, checker: Any, next_port: int, **options: Any) -> None:
        self.controller, self.handler = start(checker, ("127.0.0.1", free_port()),
                                              FilterOptions(next_hop_port=next_port, **options))

    def send(self, raw: bytes, rcpts: list[str]) -> dict[str, Any]:
        # As an MTA sends it: CRLF line ends (smtplib sends bytes as they are).
        with smtplib.SMTP("127.0.0.1", self.controller.port, timeout=120) as client:
            return client.sendmail(SENDER, rcpts, crlf(raw))

    def close(self) -> None:
        self.controller.stop()
        self.handler.close()


@pytest.fixture()
def real_filter(checker: Any, sink: tuple[Sink, int]) -> Iterator[Filter]:
    """The real PresendChecker (tests/presend/conftest.py) in the filter."""
    f = Filter(checker, sink[1])
    yield f
    f.close()


def crlf(raw: bytes) -> bytes:
    """The message as SMTP carries it, with CRLF line ends."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_allowed_message_reaches_the_sink_unchanged(real_filter: Filter, sink: tuple[Sink, int]) -> None:
    raw = mail("principal@district.example", "The staff meeting moves to Thursday.",
               message_id="<smtp-allow@district.example>")
    assert real_filter.send(raw, ["principal@district.example"]) == {}
    assert sink[0].messages == [(SENDER, ["principal@district.example"], crlf(raw))]


def test_warned_message_arrives_with_the_header(real_filter: Filter, sink: tuple[Sink, int]) -> None:
    # Student records to the state agency under a law authorization (LAW-DESE), without the FERPA notice.
    raw = mail("ops@dese.example", ROSTER_BODY, message_id="<smtp-warn@district.example>")
    real_filter.send(raw, ["ops@dese.example"])
    [(mail_from, rcpts, data)] = sink[0].messages
    assert (mail_from, rcpts) == (SENDER, ["ops@dese.example"])
    header = b"X-DLP-Verdict: warn; missing-redisclosure-notice\r\n"
    assert data.startswith(header)
    assert data[len(header):] == crlf(raw)


def test_blocked_message_gets_550_and_never_reaches_the_sink(real_filter: Filter, sink: tuple[Sink, int]) -> None:
    raw = mail("parent@gmail.com", ROSTER_BODY, message_id="<smtp-block@district.example>")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        real_filter.send(raw, ["parent@gmail.com"])
    assert refused.value.smtp_code == 550
    reply = refused.value.smtp_error.decode()
    assert reply.startswith("5.7.1 personal-account: personal information to a personal mail account")
    # No value, name or address of the message in the reply.
    assert SASID_A not in reply and "Alvarez" not in reply and "gmail" not in reply
    assert sink[0].messages == []


def test_a_bcc_only_in_the_envelope_is_judged(real_filter: Filter, sink: tuple[Sink, int]) -> None:
    # The sender's client strips the Bcc header; the envelope still carries the address.
    raw = mail("principal@district.example", ROSTER_BODY, message_id="<smtp-bcc@district.example>")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        real_filter.send(raw, ["principal@district.example", "me@gmail.com"])
    assert refused.value.smtp_code == 550
    assert sink[0].messages == []


# -- failures: fakes that fail on demand --


class Exploding:
    """A checker that fails the way a bug would, with the message in its exception text."""

    def check(self, raw: bytes, today: dt.date | None = None) -> Verdict:
        raise RuntimeError(f"choked on {raw[-60:]!r}")


class Slow:
    def check(self, raw: bytes, today: dt.date | None = None) -> Verdict:
        time.sleep(1.0)
        return Verdict(ALLOW)


ROSTER_MAIL = mail("principal@district.example", ROSTER_BODY, message_id="<smtp-fail@district.example>")


def test_checker_failure_gives_451_and_nothing_is_relayed(sink: tuple[Sink, int],
                                                         caplog: pytest.LogCaptureFixture) -> None:
    f = Filter(Exploding(), sink[1])
    try:
        with caplog.at_level(logging.INFO, logger="dlp.presend.smtp"), \
                pytest.raises(smtplib.SMTPDataError) as deferred:
            f.send(ROSTER_MAIL, ["principal@district.example"])
    finally:
        f.close()
    assert deferred.value.smtp_code == 451
    assert deferred.value.smtp_error.startswith(b"4.3.0 ")
    assert sink[0].messages == []
    assert "RuntimeError" in caplog.text and SASID_A not in caplog.text and "Alvarez" not in caplog.text


def test_a_timeout_with_fail_open_relays_it_marked(sink: tuple[Sink, int]) -> None:
    f = Filter(Slow(), sink[1], fail_open=True, check_timeout=0.2)
    try:
        assert f.send(ROSTER_MAIL, ["principal@district.example"]) == {}
    finally:
        f.close()
    [(_, _, data)] = sink[0].messages
    assert data == b"X-DLP-Verdict: unchecked; check-failed\r\n" + crlf(ROSTER_MAIL)


def test_a_checker_exception_never_fails_open(sink: tuple[Sink, int]) -> None:
    # Content that makes the checker raise must not choose to be relayed unchecked.
    f = Filter(Exploding(), sink[1], fail_open=True)
    try:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            f.send(ROSTER_MAIL, ["principal@district.example"])
    finally:
        f.close()
    assert deferred.value.smtp_code == 451
    assert sink[0].messages == []


def test_a_check_that_takes_too_long_gives_451(sink: tuple[Sink, int]) -> None:
    f = Filter(Slow(), sink[1], check_timeout=0.2)
    try:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            f.send(ROSTER_MAIL, ["principal@district.example"])
    finally:
        f.close()
    assert deferred.value.smtp_code == 451
    assert sink[0].messages == []


class Allowing:
    def check(self, raw: bytes, today: dt.date | None = None) -> Verdict:
        return Verdict(ALLOW)


def test_an_unreachable_next_hop_gives_451() -> None:
    f = Filter(Allowing(), free_port())  # nothing listens there
    try:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            f.send(ROSTER_MAIL, ["principal@district.example"])
    finally:
        f.close()
    assert deferred.value.smtp_code == 451
    assert b"next hop unavailable" in deferred.value.smtp_error


@pytest.mark.parametrize("answer, code", [("550 5.7.0 no thanks", 554), ("452 4.3.1 full", 451)])
def test_a_refusing_next_hop_is_passed_back(sink: tuple[Sink, int], answer: str, code: int) -> None:
    sink[0].answer = answer
    f = Filter(Allowing(), sink[1])
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            f.send(ROSTER_MAIL, ["principal@district.example"])
    finally:
        f.close()
    assert refused.value.smtp_code == code


def test_fail_open_does_not_hide_a_relay_failure() -> None:
    f = Filter(Slow(), free_port(), fail_open=True, check_timeout=0.2)
    try:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            f.send(ROSTER_MAIL, ["principal@district.example"])
    finally:
        f.close()
    assert deferred.value.smtp_code == 451


# -- pieces --


def test_block_reply_is_fixed_text() -> None:
    reply = smtp._block_reply(["third-party-without-authorization", "unencrypted-93h"], "abc")
    assert reply.startswith("550 5.7.1 third-party-without-authorization: student or staff records")
    assert "(and 1 more)" in reply
    assert smtp._block_reply(["some-new-rule"], "abc").startswith(
        "550 5.7.1 some-new-rule: blocked by the district's data-loss-prevention policy")


def test_header_keeps_the_message_line_ending() -> None:
    assert smtp._with_header(b"Subject: x\n\nbody\n", "warn; r") == b"X-DLP-Verdict: warn; r\nSubject: x\n\nbody\n"
    assert smtp._with_header(b"Subject: x\r\n\r\n", "warn; r").startswith(b"X-DLP-Verdict: warn; r\r\n")


def test_parse_address() -> None:
    assert parse_address("127.0.0.1:10025", "--listen") == ("127.0.0.1", 10025)
    assert parse_address("[::1]:25", "--listen") == ("::1", 25)
    for bad in ("localhost", ":25", "host:0", "host:port"):
        with pytest.raises(ConfigError, match="--next-hop"):
            parse_address(bad, "--next-hop")


def test_smtp_filter_command_rejects_a_bad_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["smtp-filter", "--listen", "nowhere"]) == 2
    assert "--listen" in capsys.readouterr().err


def test_unsafe_postfix_settings_are_named(tmp_path: Any) -> None:
    fake = tmp_path / "postconf"
    fake.write_text("#!/bin/sh\necho 'allow_percent_hack = yes'\necho 'swap_bangpath = no'\n")
    fake.chmod(0o755)
    [warning] = smtp.postfix_warnings(str(fake))
    assert "allow_percent_hack = no" in warning
    fake.write_text("#!/bin/sh\nexit 1\n")
    assert smtp.postfix_warnings(str(fake)) == []

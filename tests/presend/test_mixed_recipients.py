"""Mixed recipients (issue 14, item 6): one message to an allowed and a blocked recipient.

Before-queue (the default), one 550 answers for every recipient, so it names the blocked ones for the
sender to send again to the others. After-queue, the filter separates them: the allowed recipients get the
message, the blocked ones' copy is marked for HOLD, the sender gets a notice without the content.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from typing import Any

import pytest

from dlp.presend.check import PresendChecker
from dlp.presend.smtp import AFTER_QUEUE
from tests.presend.conftest import MA_PI_TEXT, ROSTER_BODY, SASID_A, TODAY, mail
from tests.presend.test_smtp import SENDER, Filter, Sink, crlf
from tests.presend.test_smtp import sink as sink  # noqa: F401 - the next-hop fixture

INTERNAL = "principal@district.example"
PERSONAL = "parent@gmail.com"


def test_the_verdict_names_the_blocked_recipients(checker: PresendChecker) -> None:
    verdict = checker.check(mail([INTERNAL, PERSONAL, "ops@vendor.example"], ROSTER_BODY), today=TODAY)
    assert verdict.verdict == "block"
    # The DPA covers the vendor; only the personal account is blocked.
    assert verdict.extra["blocked_recipients"] == [PERSONAL]


def test_an_allowed_message_names_no_blocked_recipient(checker: PresendChecker) -> None:
    assert "blocked_recipients" not in checker.check(mail(INTERNAL, ROSTER_BODY), today=TODAY).extra


@pytest.fixture()
def filters(checker: Any, sink: tuple[Sink, int]) -> Iterator[dict[str, Filter]]:
    made = {"before": Filter(checker, sink[1]), "after": Filter(checker, sink[1], mode=AFTER_QUEUE)}
    yield made
    for f in made.values():
        f.close()


def test_before_queue_the_550_names_the_blocked_recipients(filters: dict[str, Filter],
                                                           sink: tuple[Sink, int]) -> None:
    raw = mail([INTERNAL, PERSONAL], ROSTER_BODY, message_id="<mixed-before@district.example>")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        filters["before"].send(raw, [INTERNAL, PERSONAL])
    assert refused.value.smtp_code == 550
    reply = refused.value.smtp_error.decode()
    assert f"not allowed to {PERSONAL}" in reply and INTERNAL not in reply
    assert SASID_A not in reply and "Alvarez" not in reply
    assert sink[0].messages == []


def test_before_queue_all_recipients_blocked_names_none(filters: dict[str, Filter], sink: tuple[Sink, int]) -> None:
    with pytest.raises(smtplib.SMTPDataError) as refused:
        filters["before"].send(mail(PERSONAL, ROSTER_BODY), [PERSONAL])
    assert b"not allowed to" not in refused.value.smtp_error


def test_after_queue_separates_holds_and_notifies(filters: dict[str, Filter], sink: tuple[Sink, int]) -> None:
    raw = mail([INTERNAL, PERSONAL], MA_PI_TEXT, message_id="<mixed-after@district.example>")
    assert filters["after"].send(raw, [INTERNAL, PERSONAL]) == {}
    held, delivered, notice = sink[0].messages
    assert held[1] == [PERSONAL]
    assert held[2].startswith(b"X-DLP-Verdict: block; personal-account") and held[2].endswith(crlf(raw))
    assert delivered == (SENDER, [INTERNAL], crlf(raw))
    assert notice[0] == "<>" and notice[1] == [SENDER]  # the null sender: a notice is never bounced
    text = notice[2].decode()
    assert PERSONAL in text and "<mixed-after@district.example>" in text and "personal-account" in text
    assert "512-48-7793" not in text and "Alvarez" not in text and "payroll" not in text.lower()


def test_after_queue_all_blocked_is_held_not_refused(filters: dict[str, Filter], sink: tuple[Sink, int]) -> None:
    raw = mail(PERSONAL, ROSTER_BODY, message_id="<all-held@district.example>")
    assert filters["after"].send(raw, [PERSONAL]) == {}
    held, notice = sink[0].messages
    assert held[1] == [PERSONAL] and held[2].startswith(b"X-DLP-Verdict: block; ")
    assert notice[1] == [SENDER] and SASID_A.encode() not in notice[2]

"""Content the check could not read, going outside: ``[presend] unreadable = "block" | "warn"`` (issue 14, item 3).

An archive whose password is not in the message and not the district's, a damaged file, an unsupported
format or a uuencoded block in the body: the check never saw the content, so to a third party or a personal
account it is named in the verdict and blocked (or, with ``"warn"``, warned).
"""

from __future__ import annotations

import binascii
from collections.abc import Iterator

import pytest

from dlp.config import from_dict
from dlp.presend.check import PresendChecker
from dlp.presend.disclosures import DisclosureLog
from tests.fixtures.make_fixtures import zipcrypto
from tests.presend.conftest import KEY, MA_PI_TEXT, ROSTER_CSV, TODAY, aes_zip, mail, plain_zip, settings_dict

ZIP = "application/zip"
UNKNOWN_PASSWORD = "only-the-recipient-knows-it"


def uuencoded(name: str, data: bytes) -> str:
    lines = "".join(binascii.b2a_uu(data[i:i + 45]).decode("ascii") for i in range(0, len(data), 45))
    return f"begin 644 {name}\n{lines}`\nend\n"


def aes_unknown() -> bytes:
    return mail("ops@unknown-vendor.example", "Attached; the passphrase comes by phone.",
                attachments=[("pay.zip", aes_zip([("pay.txt", MA_PI_TEXT.encode())], UNKNOWN_PASSWORD), ZIP)])


def zipcrypto_unknown(to: str = "ops@unknown-vendor.example") -> bytes:
    return mail(to, "Attached.",
                attachments=[("pay.zip", zipcrypto([("pay.txt", MA_PI_TEXT.encode())], b"not-in-the-message"), ZIP)])


def damaged(to: str) -> bytes:
    whole = plain_zip([("roster.csv", ROSTER_CSV)])
    return mail(to, "Attached.", attachments=[("export.zip", whole[: len(whole) // 2], ZIP)])


def unsupported(to: str) -> bytes:
    return mail(to, "Attached.", attachments=[("blob.dat", bytes(range(256)) * 8, "application/octet-stream")])


@pytest.mark.parametrize("make, why", [
    (aes_unknown, "encrypted with a password or key the district does not hold"),
    (zipcrypto_unknown, "encrypted with a password or key the district does not hold"),
    (lambda: damaged("ops@unknown-vendor.example"), "damaged"),
    (lambda: unsupported("me@gmail.com"), "a format the check cannot read"),
], ids=["aes to an unauthorized third party", "zipcrypto", "damaged zip", "unsupported to a personal account"])
def test_unreadable_content_going_outside_is_blocked_and_named(checker: PresendChecker, make: object,
                                                                why: str) -> None:
    verdict = checker.check(make(), today=TODAY)  # type: ignore[operator]
    assert verdict.verdict == "block"
    [reason] = [r for r in verdict.reasons if r.rule == "unreadable-content"]
    assert why in reason.message and "attachment " in reason.message
    assert "[presend] unreadable = block" in reason.message


def test_unreadable_content_inside_the_district_is_allowed(checker: PresendChecker) -> None:
    for raw in (damaged("principal@district.example"), unsupported("nurse@hs.district.example")):
        assert checker.check(raw, today=TODAY).verdict == "allow"


def test_strong_encryption_for_an_authorized_third_party_is_not_unreadable(checker: PresendChecker) -> None:
    # `dlp protect` for a contracted party: AES-256, passphrase by phone, payroll contract in force.
    raw = mail("hr@payroll.example", "Attached; the passphrase comes by phone.",
               attachments=[("pay.zip", aes_zip([("pay.txt", MA_PI_TEXT.encode())], UNKNOWN_PASSWORD), ZIP)])
    verdict = checker.check(raw, today=TODAY)
    assert verdict.verdict == "allow" and verdict.encrypted


def test_zipcrypto_is_not_encryption_even_for_an_authorized_third_party(checker: PresendChecker) -> None:
    verdict = checker.check(zipcrypto_unknown("hr@payroll.example"), today=TODAY)
    assert verdict.verdict == "block" and not verdict.encrypted
    assert [r.rule for r in verdict.reasons] == ["unreadable-content"]


def test_a_uuencoded_file_in_the_body_is_decoded_and_checked(checker: PresendChecker) -> None:
    body = "Payroll file below.\n\n" + uuencoded("pay.txt", MA_PI_TEXT.encode() * 3)
    verdict = checker.check(mail("benefits@insurer.example", body), today=TODAY)
    assert verdict.verdict == "block"
    messages = " | ".join(r.message for r in verdict.reasons)
    assert "unencrypted-93h" in {r.rule for r in verdict.reasons}
    assert "body!/pay.txt" in messages and "512-48-7793" not in messages


def test_a_broken_uuencoded_block_is_unreadable(checker: PresendChecker) -> None:
    body = "See below.\n\nbegin 644 pay.txt\nM" + "\x7f" * 20 + "\n`\nend\n"
    verdict = checker.check(mail("ops@unknown-vendor.example", body), today=TODAY)
    # The line is not uuencoding at all, so the block is not taken for one: nothing unreadable, no PI.
    assert verdict.verdict == "allow"
    body = "See below.\n\nbegin 644 pay.txt\n!" + "M" * 40 + "\n`\nend\n"  # a length byte that lies
    verdict = checker.check(mail("ops@unknown-vendor.example", body), today=TODAY)
    assert [r.rule for r in verdict.reasons] == ["unreadable-content"]


@pytest.fixture(scope="module")
def warning_checker(tmp_path_factory: pytest.TempPathFactory, checker: PresendChecker,
                    disclosure_log: DisclosureLog) -> Iterator[PresendChecker]:
    raw = settings_dict(f"sqlite:///{tmp_path_factory.mktemp('warn') / 'dlp.sqlite'}")
    raw["presend"] = {"unreadable": "warn"}
    yield PresendChecker(from_dict(raw), KEY, checker.engine, disclosure_log=disclosure_log)


def test_unreadable_warn_lets_it_go_with_a_warning(warning_checker: PresendChecker) -> None:
    verdict = warning_checker.check(aes_unknown(), today=TODAY)
    assert verdict.verdict == "warn"
    assert [r.rule for r in verdict.reasons] == ["unreadable-content"]
    assert "[presend] unreadable = warn" in verdict.reasons[0].message


def test_unreadable_warn_does_not_soften_another_block(warning_checker: PresendChecker) -> None:
    raw = mail("me@gmail.com", MA_PI_TEXT, attachments=[("blob.dat", bytes(range(256)) * 8,
                                                         "application/octet-stream")])
    verdict = warning_checker.check(raw, today=TODAY)
    assert verdict.verdict == "block"
    assert {"personal-account", "unreadable-content"} <= {r.rule for r in verdict.reasons}

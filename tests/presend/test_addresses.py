"""Recipients are classified by where the mail finally goes (issue 14, item 2): the percent hack, bang paths,
quoted local parts that hold another address, and source routes all reach past the domain after the last @."""

from __future__ import annotations

import pytest

from dlp.presend.check import PresendChecker, destination, recipient_kind
from tests.presend.conftest import NOTICE, ROSTER_BODY, TODAY, mail

INTERNAL = ("district.example",)
PERSONAL = frozenset({"gmail.com"})


@pytest.mark.parametrize("address, final, kind", [
    ("ops@district.example", "ops@district.example", "internal"),
    ("ops%vendor.example@district.example", "ops@vendor.example", "third_party"),
    ("vendor.example!ops@district.example", "ops@vendor.example", "third_party"),
    ('"ops@vendor.example"@district.example', "ops@vendor.example", "third_party"),
    ('"ops%vendor.example"@district.example', "ops@vendor.example", "third_party"),
    ("@relay.example,@hs.district.example:ops@district.example", "ops@district.example", "third_party"),
    ("@hs.district.example:ops@district.example", "ops@district.example", "internal"),
    ("me%gmail.com@hs.district.example", "me@gmail.com", "personal"),
    ("me%gmail.com@vendor.example", "me@gmail.com", "personal"),  # the most outside host decides
    ("a!b!ops@district.example", "ops@b", "third_party"),
    ("nurse%hs.district.example@district.example", "nurse@hs.district.example", "internal"),
    ('"Jordan A"@district.example', "jordan a@district.example", "internal"),
    ("no-domain", "no-domain", "third_party"),
])
def test_where_an_address_goes(address: str, final: str, kind: str) -> None:
    assert destination(address)[0] == final
    assert recipient_kind(address, INTERNAL, PERSONAL) == kind


def test_a_hostile_address_is_peeled_a_bounded_number_of_times() -> None:
    address = "u" + "%h" * 10_000 + "@district.example"
    assert recipient_kind(address, INTERNAL, PERSONAL) == "third_party"


@pytest.mark.parametrize("to", [
    "ops%unknown-vendor.example@district.example",
    "unknown-vendor.example!ops@district.example",
    '"ops@unknown-vendor.example"@district.example',
])
def test_roster_to_an_internal_looking_address_that_routes_outside_is_blocked(checker: PresendChecker,
                                                                              to: str) -> None:
    verdict = checker.check(mail(to, ROSTER_BODY + NOTICE), today=TODAY)
    assert verdict.verdict == "block", verdict.reasons
    assert [r.rule for r in verdict.reasons] == ["third-party-without-authorization"]
    [recipient] = verdict.to_dict()["recipients"]
    assert recipient["kind"] == "third_party" and recipient["routes_to"] == "ops@unknown-vendor.example"


def test_percent_hack_to_a_personal_account_is_personal(checker: PresendChecker) -> None:
    verdict = checker.check(mail("me%gmail.com@district.example", ROSTER_BODY), today=TODAY)
    assert verdict.verdict == "block" and [r.rule for r in verdict.reasons] == ["personal-account"]


def test_an_envelope_source_route_through_outside_is_outside(checker: PresendChecker) -> None:
    verdict = checker.check(mail("principal@district.example", ROSTER_BODY), today=TODAY,
                            envelope_recipients=["<@relay.unknown.example:principal@district.example>"])
    assert verdict.verdict == "block"


def test_a_source_route_in_a_header_is_kept_whole(checker: PresendChecker) -> None:
    raw = mail("principal@district.example", ROSTER_BODY).replace(
        b"To: principal@district.example", b"To: Principal <@relay.unknown.example:principal@district.example>")
    verdict = checker.check(raw, today=TODAY)
    assert verdict.verdict == "block"
    assert [r.kind for r in verdict.recipients] == ["third_party"]


def test_a_routed_address_is_authorized_by_where_it_goes(checker: PresendChecker) -> None:
    # DPA-2025-014 covers vendor.example: mail routed there through the district is mail to the vendor.
    verdict = checker.check(mail("ops%vendor.example@district.example", ROSTER_BODY + NOTICE), today=TODAY)
    assert verdict.verdict == "allow" and verdict.authorization == "DPA-2025-014"

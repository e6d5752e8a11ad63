"""Scan-time transfer rules for items already shared or sent outside the district."""

from __future__ import annotations

import datetime as dt

import pytest

from dlp.config import from_dict
from dlp.policy.exposure import ExposureJudge
from dlp.types import ItemRef, ItemResult, Status

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def judge() -> ExposureJudge:
    settings = from_dict({
        "organization": {"internal_domains": ["cpsd.example"], "personal_domains": ["homemail.example"]},
        "authorizations": [{
            "id": "DPA-2025-014", "kind": "dpa", "party": "Example Learning Inc.",
            "recipients": ["learning.example.com"], "data_categories": ["student_name", "student_id"],
            "students": [], "effective": dt.date(2025, 7, 1), "expires": dt.date(2026, 6, 30),
        }],
    })
    return ExposureJudge(settings, b"k" * 32)


def result(exposure: tuple[str, ...], labels: tuple[str, ...], categories: tuple[str, ...] = (),
           encrypted: bool = False, key_bits: int | None = None) -> ItemResult:
    ref = ItemRef(source="gdrive:t", item_id="f1", uri="gdrive://jdoe@cpsd.example/roster.xlsx", exposure=exposure)
    return ItemResult(ref=ref, status=Status.SCANNED, classifications=labels, data_categories=categories,
                      encrypted=encrypted, key_bits=key_bits)


def test_items_without_exposure_or_pi_get_no_verdict(judge: ExposureJudge) -> None:
    assert judge.apply(result((), ("STUDENT_PII",)), TODAY).verdict is None
    assert judge.apply(result(("anyone_with_link",), ()), TODAY).verdict is None


def test_a_public_link_to_pi_is_blocked(judge: ExposureJudge) -> None:
    judged = judge.apply(result(("anyone_with_link",), ("STUDENT_PII",), ("student_name",)), TODAY)
    assert judged.verdict == "block" and judged.verdict_reasons[0].startswith("public-link:")


def test_a_personal_account_is_blocked_and_internal_sharing_allowed(judge: ExposureJudge) -> None:
    personal = judge.apply(result(("external:parent@homemail.example",), ("EMPLOYEE_PII",)), TODAY)
    assert personal.verdict == "block" and "personal-account" in personal.verdict_reasons[0]
    internal = judge.apply(result(("external:office@sub.cpsd.example",), ("EMPLOYEE_PII",)), TODAY)
    assert internal.verdict == "allow" and internal.verdict_reasons == ()


def test_third_parties_need_an_authorization_covering_every_category_and_today(judge: ExposureJudge) -> None:
    covered = result(("external:ops@learning.example.com",), ("STUDENT_PII",), ("student_name", "student_id"))
    assert judge.apply(covered, TODAY).verdict == "allow"
    extra = result(("external:ops@learning.example.com",), ("STUDENT_PII",), ("student_name", "special_indicator"))
    reasons = judge.apply(extra, TODAY).verdict_reasons
    assert reasons and "does not cover category special_indicator" in reasons[0]
    assert "expired on 2026-06-30" in judge.apply(covered, dt.date(2026, 9, 1)).verdict_reasons[0]
    stranger = judge.apply(result(("external:vendor.example",), ("STUDENT_PII",), ("student_name",)), TODAY)
    assert "no authorization covers this recipient" in stranger.verdict_reasons[0]


def test_93h_pi_outside_must_be_encrypted(judge: ExposureJudge) -> None:
    plain = judge.apply(result(("external:ops@learning.example.com",), ("MA_PI",), ("ssn",)), TODAY)
    assert any(r.startswith("unencrypted-93h") for r in plain.verdict_reasons)
    aes = judge.apply(result(("external:ops@learning.example.com",), ("MA_PI",), ("ssn",), True, 256), TODAY)
    assert aes.verdict == "allow"
    zipcrypto = judge.apply(result(("external:ops@learning.example.com",), ("MA_PI",), ("ssn",), True, 96), TODAY)
    assert zipcrypto.verdict == "block"


@pytest.fixture
def bare_judge() -> ExposureJudge:
    """A judge with no internal domains configured: every address would count as outside."""
    return ExposureJudge(from_dict({}), b"k" * 32)


@pytest.mark.parametrize("configured", [True, False])
def test_former_staff_is_judged_by_its_own_rule_never_as_a_transfer(judge: ExposureJudge, bare_judge: ExposureJudge,
                                                                     configured: bool) -> None:
    judged = (judge if configured else bare_judge).apply(
        result(("former_staff:rgone@cpsd.example",), ("MA_PI", "EMPLOYEE_PII"), ("ssn",)), TODAY)
    assert judged.verdict == "block"
    assert judged.verdict_reasons == (
        "former-staff-access: EMPLOYEE_PII/MA_PI reachable by rgone@cpsd.example, an account of someone who left",)


def test_a_departed_account_at_a_personal_domain_is_still_former_staff(judge: ExposureJudge) -> None:
    judged = judge.apply(result(("former_staff:rgone@homemail.example",), ("STUDENT_PII",)), TODAY)
    assert [r.split(":", 1)[0] for r in judged.verdict_reasons] == ["former-staff-access"]


@pytest.mark.parametrize("value", ["everyone", "everyone(inherited)", "domain_users (inherited)", "other_readable",
                                   "authenticated_users"])
def test_acl_audiences_are_internal_even_without_internal_domains(bare_judge: ExposureJudge, value: str) -> None:
    judged = bare_judge.apply(result((value,), ("MA_PI", "EMPLOYEE_PII"), ("ssn",)), TODAY)
    assert judged.verdict == "warn"
    assert [r.split(":", 1)[0] for r in judged.verdict_reasons] == ["broad-access"]


def test_a_group_counts_only_when_configured_broad_and_never_as_an_address() -> None:
    configured = ExposureJudge(from_dict({"access": {"broad_groups": ["everyone", "All Staff"]}}), b"k" * 32)
    staff = configured.apply(result(("group:All Staff",), ("MA_PI",), ("ssn",)), TODAY)
    assert staff.verdict_reasons == ("broad-access: MA_PI readable by the group All Staff",)
    other = configured.apply(result(("group:Nurses", "domain_users"), ("MA_PI",), ("ssn",)), TODAY)
    assert other.verdict == "allow" and other.verdict_reasons == ()  # neither is broad under this config


def test_mixed_exposure_gives_each_value_its_rule(bare_judge: ExposureJudge) -> None:
    judged = bare_judge.apply(result(("everyone", "former_staff:tleft@cpsd.example", "external:ops@vendor.example"),
                                     ("MA_PI", "EMPLOYEE_PII"), ("ssn",)), TODAY)
    rules = sorted({r.split(":", 1)[0] for r in judged.verdict_reasons})
    assert rules == ["broad-access", "former-staff-access", "third-party-without-authorization", "unencrypted-93h"]
    assert not any("tleft" in r for r in judged.verdict_reasons if not r.startswith("former-staff-access"))
    assert not any("everyone" in r for r in judged.verdict_reasons if not r.startswith("broad-access"))

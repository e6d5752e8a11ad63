"""The bundled example share: the README's first command shows real, correct results on it."""

from __future__ import annotations

import json

import pytest

from tests.pipeline.conftest import ROOT

LABELS = json.loads((ROOT / "examples" / "share_labels.json").read_text())["items"]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    import os
    import subprocess
    import sys

    home = tmp_path_factory.mktemp("home")
    proc = subprocess.run([sys.executable, "run_scan.py", "scan", "examples/share", "--format", "jsonl",
                           "--no-progress"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "DLP_HOME": str(home)}, check=True)
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    return {r["uri"].removeprefix("examples/share/"): r for r in records if "uri" in r}


def test_every_labelled_item_is_scanned(scanned: dict[str, dict]) -> None:
    assert set(LABELS) <= set(scanned)
    assert all(scanned[k]["status"] == "scanned" for k in LABELS)


def test_clean_documents_and_decoys_have_no_findings(scanned: dict[str, dict]) -> None:
    clean = [k for k, v in LABELS.items() if not v["entities"] and not v["classifications"]]
    assert len(clean) >= 6
    for key in clean:
        assert scanned[key]["findings"] == [], key


def test_93h_items_are_classified_ma_pi(scanned: dict[str, dict]) -> None:
    expected = [k for k, v in LABELS.items() if "MA_PI" in v["classifications"]]
    assert expected
    for key in expected:
        assert "MA_PI" in scanned[key]["classifications"], key


def test_student_records_are_classified_student_pii(scanned: dict[str, dict]) -> None:
    expected = [k for k, v in LABELS.items() if "STUDENT_PII" in v["classifications"]]
    found = [k for k in expected if "STUDENT_PII" in scanned[k]["classifications"]]
    # The parent e-mail's own body names a child without a student word; the detection issue
    # (table typing, roster matching) is where the last one is meant to be caught.
    assert len(found) >= len(expected) - 1, sorted(set(expected) - set(found))


def test_archive_members_and_attachments_are_items_of_their_own(scanned: dict[str, dict]) -> None:
    members = [k for k in scanned if "!/" in k]
    assert any(k.startswith("admin/exports/roster_export_2025.zip!/") for k in members)
    assert any(k.startswith("mail/parent_message.eml!/") for k in members)


def test_every_package_data_pattern_names_files_that_exist() -> None:
    """pyproject.toml's package data ships what is there: a pattern that matches nothing (as
    ``example_share/**/*`` did before the share was linked into the package) leaves an installed copy
    without it, and no build step complains."""
    import tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    data: dict[str, list[str]] = setuptools["package-data"]
    assert "example_share/**/*" in data["dlp"]
    for package, patterns in data.items():
        base = ROOT.joinpath(*package.split("."))
        for pattern in patterns:
            assert [p for p in base.glob(pattern) if p.is_file()], f"{package}: {pattern} matches no file"
    shipped = {p.relative_to(ROOT / "dlp" / "example_share") for p in (ROOT / "dlp" / "example_share").glob("**/*")
               if p.is_file()}
    assert shipped == {p.relative_to(ROOT / "examples" / "share") for p in (ROOT / "examples" / "share").rglob("*")
                       if p.is_file()}
    assert {str(p) for p in shipped} >= {key.split("!/")[0] for key in LABELS}

"""report --format html|csv|json, --last-run --json and --breach on a store filled by real scans."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.report.conftest import RAW_VALUES, Env

SECTIONS = ("totals", "trend", "exposures", "sources", "folders", "owners", "people", "coverage", "retention")


class _Collect(HTMLParser):
    """Tags, ids and every URL-bearing attribute of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("src", "href", "action", "xlink:href", "data") and value:
                self.urls.append(value)


@pytest.fixture(scope="module")
def html_report(filled: Env, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    filled.run("report", "--format", "html", "--output", str(out))
    return out


def test_html_is_self_contained_and_has_every_section(html_report: Path) -> None:
    text = html_report.read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(text)
    parser.close()
    assert parser.tags[0] == "html" and "body" in parser.tags
    assert set(SECTIONS) <= parser.ids
    # Only in-page anchors: nothing that a browser would fetch.
    assert all(u.startswith("#") for u in parser.urls), parser.urls
    assert "<link" not in text and "@import" not in text and "url(" not in text
    # URLs in the text may only be the example domains of the data itself.
    for url in re.findall(r"https?://[^\s\"'<>]+", text):
        assert re.match(r"https?://([\w-]+\.)*example\.(org|com|net)\b", url), url
    assert parser.tags.count("svg") >= 5  # trend, sources, folders, owners, entities, coverage
    assert "viewport" in text and "@media" in text  # laid out for a phone


def test_html_holds_no_raw_value(html_report: Path, filled: Env) -> None:
    text = html_report.read_text(encoding="utf-8")
    for value in RAW_VALUES:
        assert value not in text and value.replace("-", "") not in text


def test_html_shows_exposures_retention_and_people(html_report: Path, filled: Env) -> None:
    text = html_report.read_text(encoding="utf-8")
    exposures = text.split('id="exposures"')[1].split("<h2")[0]
    assert "staff_tax.csv" in exposures and "unencrypted-ma-pi-at-rest" in exposures
    retention = text.split('id="retention"')[1].split("<h2")[0]
    assert "students_2012.csv" in retention and "class_7b.csv" not in retention
    assert "93H residents" in text


def _chromium(browser: Path, args: list[str]) -> str:
    """Run headless Chromium; its standard output (the DOM with ``--dump-dom``)."""
    return subprocess.run([str(browser), *args], capture_output=True, text=True, timeout=120, check=True).stdout


def test_html_renders_charts_in_headless_chromium(html_report: Path, tmp_path: Path) -> None:
    browser = Path("/usr/bin/chromium")
    if not browser.exists():
        pytest.skip("headless Chromium check skipped: /usr/bin/chromium not installed (apt-get install chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-zygote",
             "--disable-crash-reporter", "--disable-breakpad", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = _chromium(browser, [*flags, "--dump-dom", html_report.as_uri()])
    assert dom.count("<svg") >= 5 and ("<polyline" in dom or "<circle" in dom)
    assert "<rect" in dom
    shot = tmp_path / "report.png"
    _chromium(browser, [*flags, "--window-size=412,1600", "--hide-scrollbars", f"--screenshot={shot}",
                        html_report.as_uri()])
    assert shot.exists() and shot.stat().st_size > 5000
    shutil.copy(shot, html_report.with_suffix(".png"))  # kept next to the report for a person to look at
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency of OCR; size alone then
        return
    with Image.open(shot) as img:
        colors = img.convert("RGB").getcolors(maxcolors=1 << 20) or []
    # A blank page has one or two colors; drawn bars, lines and text give many.
    assert len(colors) > 20


def test_csv_and_json_item_lists(filled: Env) -> None:
    data = filled.json("report", "--format", "json")
    assert isinstance(data, dict)
    items = data["items"]
    rows = list(csv.DictReader(io.StringIO(filled.run("report", "--format", "csv").stdout)))
    assert len(rows) == len(items) > 20
    by_uri = {i["uri"]: i for i in items}
    staff = next(i for u, i in by_uri.items() if u.endswith("staff_tax.csv"))
    assert staff["classifications"] == ["MA_PI"] and staff["findings"]["US_SSN"] == 3
    assert {"verdict", "verdict_reasons", "subjects", "exposure", "retention_review"} <= set(staff)
    row = next(r for r in rows if r["uri"].endswith("staff_tax.csv"))
    assert row["classifications"] == "MA_PI" and "US_SSN=3" in row["findings"] and row["findings_total"] == "9"
    old = next(i for u, i in by_uri.items() if u.endswith("students_2012.csv"))
    assert old["retention_review"] is True
    assert [r["uri"] for r in data["retention"]["items"]] == [old["uri"]]
    assert data["people"]["students"] >= 5 and data["people"]["ma_pi_residents"] >= 3
    for value in RAW_VALUES:
        assert value not in str(data) and value not in str(rows)


def test_last_run_json(filled: Env) -> None:
    rec = filled.json("report", "--last-run", "--json")
    assert isinstance(rec, dict)
    assert rec["status"] == "completed" and rec["started_at"] <= rec["finished_at"]
    assert rec["by_status"]["scanned"] == rec["items"] and rec["with_findings"] > 0
    assert {"by_reason", "examined", "sources", "run_id"} <= set(rec)


def test_breach_counts_the_known_people(filled: Env) -> None:
    result = filled.json("report", "--breach", "--source", str(filled.people), "--since", "2020-01-01", "--json")
    assert isinstance(result, dict)
    # Three people with SSNs and accounts; the memo repeats one of them.
    assert result["residents"] == 3
    assert result["pi_types"]["US_SSN"] == 3 and result["pi_types"]["US_BANK_NUMBER"] == 3
    assert result["ssn_involved"] is True and "18 months" in result["credit_monitoring"]
    assert result["encryption"]["unencrypted"] == result["items"] == 2
    assert result["first_seen"] and result["last_seen"]
    assert "Attorney General" in result["notify"]
    later = filled.json("report", "--breach", "--source", str(filled.people), "--since", "2999-01-01", "--json")
    assert isinstance(later, dict) and later["residents"] == 0 and later["items"] == 0
    text = filled.run("report", "--breach", "--source", str(filled.people), "--since", "2020-01-01").stdout
    assert "Massachusetts residents:     3" in text


def test_breach_unknown_source_is_a_usage_error(filled: Env) -> None:
    proc = filled.run("report", "--breach", "--source", "/nowhere", "--since", "2020-01-01", check=False)
    assert proc.returncode == 2 and "not a source" in proc.stderr

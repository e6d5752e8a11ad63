"""review list / review mark: decisions survive rescans; findings no longer found are closed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.report.conftest import INBOX_ROWS, Env, write_inbox


def _listing(env: Env, status: str = "all") -> dict[str, dict]:
    out = env.run("review", "list", "--status", status, "--json").stdout
    recs = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {r["key"]: r for r in recs}


def _sasid_keys(listing: dict[str, dict]) -> dict[str, str]:
    """Key of each SASID finding, by the last four digits its masked preview shows."""
    return {r["preview"][-4:]: k for k, r in listing.items() if r["entity"] == "MA_SASID"}


def test_decisions_survive_rescans_and_removed_findings_close(tmp_path: Path) -> None:
    env = Env(home=tmp_path / "home", people=tmp_path / "unused", inbox=tmp_path / "inbox")
    env.home.mkdir()
    env.inbox.mkdir()
    names = list(INBOX_ROWS)
    write_inbox(env.inbox, names)
    env.scan(str(env.inbox))

    first = _listing(env, "open")
    keys = _sasid_keys(first)
    assert len(keys) == 3 and all(r["status"] == "open" for r in first.values())
    kept, fixed, dropped = (keys[INBOX_ROWS[n][-4:]] for n in names)
    env.run("review", "mark", kept, "--as", "false_positive", "--by", "analyst", "--why", "test account")
    env.run("review", "mark", fixed[:8], "--as", "remediated", "--by", "analyst", "--why", "row deleted")
    accepted = env.run("review", "mark", dropped, "--as", "accepted", "--by", "a", "--why", "w", check=False)
    assert accepted.returncode == 2 and "--basis" in accepted.stderr

    # Edit the file: remove two students and put the remaining one on another row.
    write_inbox(env.inbox, [names[0]])
    text = (env.inbox / "class_7b.csv").read_text()
    (env.inbox / "class_7b.csv").write_text(text.replace("Student Name,SASID,Grade\n",
                                                         "Student Name,SASID,Grade\nNobody Here,,7\n"))
    env.scan(str(env.inbox))

    after = _listing(env, "all")
    assert after[kept]["status"] == "false_positive" and after[kept]["by"] == "analyst"
    assert after[kept]["locations"] and after[kept]["count"] == 1  # found again, on a new row
    assert after[fixed]["status"] == "closed" and after[fixed]["decision"] == "remediated"
    assert after[dropped]["status"] == "closed" and after[dropped]["decision"] is None  # listed, then gone
    assert after[fixed]["closed_run"] == after[dropped]["closed_run"] == 2
    assert kept not in _listing(env, "open")
    assert set(_listing(env, "closed")) >= {fixed, dropped}


def test_mark_unknown_key_is_a_usage_error(tmp_path: Path) -> None:
    env = Env(home=tmp_path / "home", people=tmp_path, inbox=tmp_path)
    env.home.mkdir()
    proc = env.run("review", "mark", "deadbeefdeadbeef", "--as", "remediated", "--by", "a", "--why", "b",
                   check=False)
    assert proc.returncode == 2 and "not a finding" in proc.stderr

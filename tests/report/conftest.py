"""A store filled by real scans (the real CLI in a subprocess) of the example share and of folders whose
synthetic people are known, shared by the report tests of this package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Three staff members with SSNs and bank accounts (synthetic: valid-looking, assigned to nobody).
STAFF = [("Marisol", "Quintero", "214-63-9182", "004417732915"),
         ("Desmond", "Achterberg", "387-21-4410", "008812345671"),
         ("Priyanka", "Vallabhaneni", "452-77-1093", "002239958104")]
RAW_VALUES = [v for person in STAFF for v in person[2:]] + ["1038472915", "1047729361"]
OLD_MTIME = 1341014400.0  # 2012-06-30: older than 7 years, for the retention rule

INBOX_ROWS = {"Tobias Wrenfield": "1058472913", "Elowen Stravinsky": "1067729365", "Caspian Northcote": "1079917342"}


@dataclass
class Env:
    """Paths of the filled store and the fixture folders, and a way to run the CLI on them."""

    home: Path
    people: Path
    inbox: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``run_scan.py ARGS`` against this store; fails the test on a non-zero exit when ``check``."""
        proc = subprocess.run([sys.executable, "run_scan.py", *args], capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "DLP_HOME": str(self.home)}, timeout=600)
        if check and proc.returncode != 0:
            raise AssertionError(f"exit {proc.returncode}: {proc.stderr[-2000:]}")
        return proc

    def json(self, *args: str) -> object:
        """The JSON printed by a command."""
        return json.loads(self.run(*args).stdout)

    def scan(self, *sources: str) -> None:
        """A real scan into the store."""
        self.run("scan", *sources, "--format", "jsonl", "--no-progress", "--workers", "2")


def write_inbox(folder: Path, names: list[str]) -> None:
    """A student list; the first line is a title, so rows move when names are added or removed."""
    lines = ["Student Name,SASID,Grade"] + [f"{n},{INBOX_ROWS[n]},7" for n in names]
    (folder / "class_7b.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="package")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Env:
    """Scan the example share, the people folder and the inbox folder once."""
    base = tmp_path_factory.mktemp("report")
    env = Env(home=base / "home", people=base / "people", inbox=base / "inbox")
    env.home.mkdir()
    env.people.mkdir()
    env.inbox.mkdir()
    rows = "\n".join(f"{f},{last},{ssn},{acct}" for f, last, ssn, acct in STAFF)
    (env.people / "staff_tax.csv").write_text(f"First Name,Last Name,SSN,Bank Account\n{rows}\n", encoding="utf-8")
    # The same first person again in a letter: still three residents, not four.
    (env.people / "deposit_memo.txt").write_text(
        "Payroll memo\n\nPlease update the direct deposit for Marisol Quintero, SSN 214-63-9182, "
        "effective next pay period.\n", encoding="utf-8")
    students = env.people / "students_2012.csv"
    students.write_text("Student Name,SASID,Grade,Notes\nTobias Wrenfield,1038472915,5,IEP meeting scheduled\n"
                        "Elowen Stravinsky,1047729361,4,504 plan\n", encoding="utf-8")
    os.utime(students, (OLD_MTIME, OLD_MTIME))
    write_inbox(env.inbox, list(INBOX_ROWS))
    env.scan("examples/share", str(env.people), str(env.inbox))
    return env

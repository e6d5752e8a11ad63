"""The staff directory: which accounts belong to people who left (issue 17, "former staff").

A departed account is one the HR roster marks with an ending status (terminated, resigned, inactive...)
or an end date that has passed, or one the identity provider reports disabled: a Google Directory user
that is suspended or deleted, a Microsoft Graph user with ``accountEnabled = false``. Items owned by,
shared with or in the mailbox of such an account get the exposure ``former_staff:ACCOUNT``
(CONTRACT.md section 8), and the rule ``former-staff-access`` flags those that hold PI.

The directory is a small JSON file, ``<data home>/staff.json`` (0600): per origin (``hr``,
``google:HOST``, ``graph:HOST``) the accounts with their status and end date. It holds account names
and dates only; each import or listing replaces its origin's part. End dates are compared when the
directory is read, so an account becomes departed on the day after its end date without a new import.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dlp.config import data_home
from dlp.types import ItemRef

EXPOSURE_PREFIX = "former_staff:"
# Folded header names of the columns read from an HR export.
ACCOUNT_HEADERS = frozenset({"email", "emailaddress", "workemail", "districtemail", "account", "accountname",
                             "username", "login", "loginid", "networkid", "upn", "userprincipalname",
                             "samaccountname"})
STATUS_HEADERS = frozenset({"status", "employmentstatus", "employeestatus", "empstatus", "active",
                            "accountstatus"})
END_HEADERS = frozenset({"enddate", "terminationdate", "termdate", "separationdate", "lastday",
                         "lastdayworked", "exitdate", "leavingdate", "departuredate"})
# Status values of someone who is no longer on staff (folded); anything else counts as active.
DEPARTED_STATUSES = frozenset({"terminated", "term", "inactive", "separated", "resigned", "retired", "left",
                               "former", "disabled", "suspended", "deleted", "deceased", "no", "n", "false", "0"})
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d-%b-%Y", "%Y-%m-%d %H:%M:%S")


@dataclasses.dataclass(frozen=True)
class Account:
    """One account as an origin reports it."""

    account: str  # lower case
    status: str = ""  # "suspended", "deleted", "disabled", or the HR status as written (folded)
    end_date: str = ""  # ISO date, HR only

    def departed(self, today: dt.date) -> str | None:
        """Why the account counts as departed on ``today`` (``suspended``, ``ended 2025-06-30``...), or None."""
        if self.status in DEPARTED_STATUSES:
            return self.status
        if self.end_date and dt.date.fromisoformat(self.end_date) < today:
            return f"ended {self.end_date}"
        return None


def directory_path() -> Path:
    """Where the directory is kept."""
    return data_home() / "staff.json"


def load(path: Path | None = None) -> dict[str, list[Account]]:
    """Every origin's accounts (empty when there is no directory)."""
    try:
        raw = json.loads((path or directory_path()).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {origin: [Account(**a) for a in accounts] for origin, accounts in raw.get("origins", {}).items()}


def record(origin: str, accounts: Iterable[Account], path: Path | None = None) -> None:
    """Replace ``origin``'s accounts in the directory (written atomically, 0600)."""
    path = path or directory_path()
    data = {o: [dataclasses.asdict(a) for a in accs] for o, accs in load(path).items()}
    data[origin] = [dataclasses.asdict(a) for a in sorted(set(accounts), key=lambda a: a.account)]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".staff-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"origins": data}, handle, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def departed(today: dt.date | None = None, path: Path | None = None) -> dict[str, str]:
    """Departed account -> why, over every origin."""
    today = today or dt.date.today()
    out: dict[str, str] = {}
    for accounts in load(path).values():
        for a in accounts:
            why = a.departed(today)
            if why:
                out.setdefault(a.account, why)
    return out


def former_exposure(accounts: Iterable[str | None], gone: dict[str, str]) -> tuple[str, ...]:
    """``former_staff:ACCOUNT`` for each departed account among ``accounts``.

    An account name without a domain (a POSIX owner, a resolved Windows name ``DOMAIN\\jdoe``) matches
    a directory address by its local part, as district user names are their mail's local part.
    """
    if not gone:
        return ()
    by_local = {a.split("@", 1)[0]: a for a in gone if "@" in a}
    found: set[str] = set()
    for account in accounts:
        if not account:
            continue
        name = account.lower().rsplit("\\", 1)[-1]
        hit = name if name in gone else by_local.get(name) if "@" not in name else None
        if hit:
            found.add(EXPOSURE_PREFIX + hit)
    return tuple(sorted(found))


def annotate(ref: ItemRef, gone: dict[str, str], accounts: Sequence[str | None] = ()) -> ItemRef:
    """``ref`` with the ``former_staff:`` exposure of its owner (and ``accounts``, e.g. whom it is shared
    with) added; the etag changes with it, so that an unchanged item is judged (and stored) again when its
    owner leaves or comes back."""
    extra = [e for e in former_exposure([ref.owner, *accounts], gone) if e not in ref.exposure]
    if not extra:
        return ref
    etag = f"{ref.etag}|fs:{','.join(extra)}" if ref.etag else ref.etag
    return dataclasses.replace(ref, exposure=tuple(sorted({*ref.exposure, *extra})), etag=etag)


def _fold(cell: str) -> str:
    return re.sub(r"[^0-9a-z]", "", cell.casefold())


def _date(value: str) -> str:
    value = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def hr_accounts(rows: Sequence[Sequence[Any]]) -> list[Account] | None:
    """Accounts of an HR export with a status or end-date column; None when it has neither (or no account).

    The header is the first of the first 30 rows that names an account column and a status or end-date
    column.
    """
    for index, header in enumerate(rows[:30]):
        folded = [_fold(str(c or "")) for c in header]
        account = next((i for i, c in enumerate(folded) if c in ACCOUNT_HEADERS), None)
        status = next((i for i, c in enumerate(folded) if c in STATUS_HEADERS), None)
        end = next((i for i, c in enumerate(folded) if c in END_HEADERS), None)
        if account is None or (status is None and end is None):
            continue
        out: list[Account] = []
        for row in rows[index + 1:]:
            cells = [str(c or "").strip() for c in row]
            name = cells[account].lower() if account < len(cells) else ""
            if not name or " " in name:
                continue
            out.append(Account(account=name,
                               status=_fold(cells[status]) if status is not None and status < len(cells) else "",
                               end_date=_date(cells[end]) if end is not None and end < len(cells) else ""))
        return out
    return None


def import_hr(rows: Sequence[Sequence[Any]], path: Path | None = None) -> int | None:
    """Record the HR export's accounts (origin ``hr``); the number of accounts, or None without the columns."""
    accounts = hr_accounts(rows)
    if accounts is None:
        return None
    record("hr", accounts, path)
    return len(accounts)

"""Regenerate the bundled example share, ``examples/share/``, from invented data.

Usage::

    python examples/make_example_share.py            # rewrites examples/share/ and examples/share_labels.json

Every person and number in it is made up by ``dlp/testdata/synth.py`` with a fixed seed, so running this
again gives byte-identical files. The labels (what was planted where, counts only) go to
``examples/share_labels.json``, beside the share rather than inside it, so that scanning the share does
not scan its own answer key.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dlp.testdata.corpus import COUNTING  # noqa: E402
from dlp.testdata.synth import Doc, Synth, Tally, labels_json  # noqa: E402

SEED = 20250106
SHARE = ROOT / "examples" / "share"
LABELS = ROOT / "examples" / "share_labels.json"

README = """\
EXAMPLE DISTRICT SHARE - SYNTHETIC DATA ONLY

All people and numbers in this folder are invented. The names come from short lists of common
names, put together at random. The numbers were made up to look valid in format, so that the
scanner has something to find, but none of them belongs to anyone. Phone numbers use the
fictional 555-01xx range, and mail addresses use the example.org and example.com domains,
which are reserved for examples.

The folders imitate a district file share: rosters, a payroll export, memos, notes, e-mail,
an export archive, a web page and a JSON export, next to ordinary documents such as a lunch
menu, a bus schedule and a newsletter.

To make these files again: python examples/make_example_share.py
"""


def build(seed: int = SEED) -> dict[str, Doc]:
    """The example share as ``{relative path: document}``; the same seed gives the same bytes."""
    s = Synth(seed)
    roster = s.roster("csv", rows=24, grade=5, extra=("Local ID", "Homeroom", "Guardian Phone", "Program"))
    docs = {
        f"schools/{roster.school.lower().replace(' ', '-')}/grade5_roster.csv": roster,
        "hr/payroll/payroll_2025-01_biweekly.xlsx": s.payroll("xlsx", rows=18),
        "hr/memo_payroll_correction.txt": s.staff_memo("txt", identifier="ssn"),
        "hr/personnel/memo_van_drivers.docx": s.staff_memo("docx", identifier="license"),
        "sped/iep_progress_note.docx": s.iep_note("docx"),
        "nurse/health_office_note.txt": s.health_note("txt", encoding="utf-16"),
        "mail/parent_message.eml": s.parent_email(attachment=True),
        "mail/outbound/class_list_to_vendor.eml": s.staff_email_roster(),
        "admin/exports/roster_export_2025.zip": s.roster_zip(),
        "public/staff_directory.html": s.staff_directory_html(6),
        "it/exports/sis_export.json": s.sis_export_json(6),
        "it/device_inventory.csv": s.inventory(),
        "it/training/security_awareness_handout.txt": s.security_training(),
        "food-services/lunch_menu.txt": s.lunch_menu("txt"),
        "transportation/bus_route_schedule.csv": s.bus_schedule("csv"),
        "public/newsletter_march.txt": s.newsletter("txt"),
        "README.txt": Doc("README.txt", README.encode("utf-8"), "readme", Tally()),
    }
    return docs


def main() -> int:
    """Write the share and its labels; print a one-line summary."""
    docs = build()
    if SHARE.exists():
        shutil.rmtree(SHARE)  # the folder is generated: nothing else lives there
    labels: dict[str, dict[str, object]] = {}
    total = 0
    for rel, doc in docs.items():
        path = SHARE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.data)
        total += len(doc.data)
        labels.update(doc.labels(rel))
    header = {"version": 1, "generator": "examples/make_example_share.py", "seed": SEED, "counting": COUNTING}
    LABELS.write_text(labels_json(header, labels), encoding="utf-8")
    print(
        f"wrote {len(docs)} files ({total / 1024:.0f} KiB) to {SHARE.relative_to(ROOT)}; labels in "
        f"{LABELS.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

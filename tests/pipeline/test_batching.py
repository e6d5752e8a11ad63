"""Small files travel to the workers in batches: the same results as one file per task, fewer tasks, and a
batch that overruns its time limit is judged again one item per task so that only the culprit fails."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.pipeline.conftest import write
from tests.pipeline.test_resume_timeout import SLOW

_PEOPLE = ["Rosalind Achterberg", "Tobias Nwankwo", "Imelda Serrano-Voss", "Kwame Osei-Bonsu", "Hana Lindqvist"]
_SSNS = ["523-47-1186", "318-62-4079", "404-21-7753", "219-09-9999", "665-34-1208"]


def _share(root: Path) -> Path:
    share = root / "share"
    for i in range(30):
        who, ssn = _PEOPLE[i % 5], _SSNS[i % 5]
        if i % 3 == 0:
            text = f"Payroll correction for {who}, SSN {ssn}, effective next cycle (memo {i}).\n"
        elif i % 3 == 1:
            text = f"Bus route {i} leaves the depot at 7:{i:02} and returns by 3:30.\n"
        else:
            text = f"name,student id,dob\n{who},{204300 + i},2011-04-{i % 28 + 1:02}\n"
        write(share / f"f{i % 4}" / f"doc-{i:02}.{'csv' if i % 3 == 2 else 'txt'}", text)
    write(share / "copy-of-doc-00.txt", (share / "f0" / "doc-00.txt").read_text())  # identical content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner/ssn.txt", f"Employee {_PEOPLE[1]} SSN {_SSNS[1]}\n")
    (share / "bundle.zip").write_bytes(buffer.getvalue())
    return share


def _judged(res) -> dict[str, tuple]:
    def findings(record: dict) -> list[tuple]:
        return sorted((f["entity"], f["count"], tuple(f["locations"])) for f in record["findings"])

    return {r["uri"].split("/share/", 1)[1]: (r["status"], tuple(r["classifications"]), findings(r))
            for r in res.records()}


def test_batched_and_unbatched_scans_judge_every_item_the_same(tmp_path: Path, run_cli) -> None:
    share = _share(tmp_path)
    one = write(tmp_path / "one.toml", "[scan]\nworkers = 2\nbatch_items = 1\n")
    many = write(tmp_path / "many.toml", "[scan]\nworkers = 2\nbatch_items = 8\n")
    single = run_cli("scan", str(share), "--config", str(one), "--format", "jsonl", "--no-progress", "--full")
    # A store of its own, so that the second scan cannot take the first one's judgements by content hash.
    other = tmp_path / "other-home"
    other.mkdir()
    batched = run_cli("scan", str(share), "--config", str(many), "--format", "jsonl", "--no-progress", "--full",
                      env={"DLP_HOME": str(other)})
    assert single.code == batched.code == 0, single.stderr + batched.stderr
    assert _judged(batched) == _judged(single)
    assert len(_judged(single)) == 33  # 32 files, the zip's member included
    assert single.summary()["tasks"] == 32 - 1  # one task per file; the identical copy is not judged
    # 31 small files in batches of at most 8 (a batch may leave part-filled when the queue runs dry).
    assert 4 <= batched.summary()["tasks"] <= 16
    assert any(f["entity"] == "US_SSN" for r in batched.records() for f in r["findings"])


def test_a_batch_that_overruns_is_judged_one_item_per_task(tmp_path: Path, run_cli) -> None:
    share = tmp_path / "share"
    # Under the batching size limit, yet far too long for Presidio's engine to read within the limit (it reads
    # prose at tens of KB/s here: 1.5 MB takes most of a minute). The limit is five seconds, not one, so that
    # the short notes, each alone on a fresh worker in the second pass, finish even on a loaded machine (a
    # one-second limit timed one of them out at load 10 on 2 cores).
    write(share / "a-minutes.txt", "The committee met again to review the bus routes and budget. " * 24_000)
    write(share / "b-short.txt", "Counselor Priya Raman, phone 617-555-0199.\n")
    write(share / "c-short.txt", "Nurse Odalys Ferrante signed the field trip forms.\n")
    cfg = write(tmp_path / "dlp.toml",
                SLOW + "[scan]\nitem_timeout = 5.0\nworkers = 1\nbatch_items = 8\nbatch_max_kb = 2048\n")
    assert (share / "a-minutes.txt").stat().st_size < 2048 * 1024
    res = run_cli("scan", str(share), "--config", str(cfg), "--format", "jsonl", "--no-progress")
    assert res.code in (0, 1), res.stderr
    items = res.by_uri()
    assert (items[f"{share}/a-minutes.txt"]["status"], items[f"{share}/a-minutes.txt"]["reason"]) == ("error",
                                                                                                   "timeout")
    assert items[f"{share}/b-short.txt"]["status"] == "scanned"
    assert items[f"{share}/c-short.txt"]["status"] == "scanned"
    assert res.summary()["by_reason"] == {"timeout": 1}
    assert res.summary()["tasks"] == 1 + 3  # the batch, then each of its items alone

"""Large texts: streamed in overlapping chunks with each value found once, also across borders."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlp import worker
from dlp.config import DetectSettings, Settings
from dlp.detect.engine import DetectionEngine
from dlp.types import Item, ItemRef, Status

MIB = 1024 * 1024
SSN = "284-73-9165"


@pytest.fixture(scope="module", autouse=True)
def engine() -> None:
    settings = Settings().with_overrides(scan={"stream_text_over_mb": 1, "stream_chunk_mb": 1},
                                         detect={"ner": "off"})
    worker.init_worker(settings, b"k" * 32, True)


def _item(path: Path) -> Item:
    ref = ItemRef(source="t", item_id=path.name, uri=path.name, size=path.stat().st_size, local_path=str(path))
    return Item(ref=ref, name=path.name, path=str(path))


def test_a_large_single_line_file_is_streamed_and_border_values_are_found_once(tmp_path: Path) -> None:
    filler = "The committee reviewed bus routes and the library budget again. "
    text = (filler * 20_000)[: MIB - 5]  # the first SSN straddles the 1 MiB chunk border
    text += f" SSN {SSN} " + (filler * 20_000)[: MIB] + f" SSN {SSN} " + filler * 10
    path = tmp_path / "big-export.txt"
    path.write_text(text.replace("\n", " "), encoding="utf-8")
    [result] = worker.process_item(_item(path))
    assert result.status is Status.SCANNED and result.detail and "streamed" in result.detail
    ssns = [f for f in result.findings if f.entity == "US_SSN"]
    assert [f.value for f in ssns] == [SSN, SSN]
    assert all(text[f.start : f.end] == SSN for f in ssns)
    assert result.size == len(text.encode())


def test_windows_of_the_engine_do_not_report_a_value_cut_at_a_window_end() -> None:
    # Not a counting run such as 12345678901234: that is a placeholder, never an account.
    engine = DetectionEngine(DetectSettings(max_chars_per_call=1_000, ner="off"), b"k" * 32, show_values=True)
    text = "x " * 400 + "account number 40917735562810 " + "y " * 2000
    for shift in range(0, 40, 3):
        shifted = "z" * shift + text
        found = [f.value for f in engine.detect_text(shifted, "body") if f.entity == "US_BANK_NUMBER"]
        assert found == ["40917735562810"], shift

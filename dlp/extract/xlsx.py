"""Excel workbooks (OOXML): one part per worksheet with its rows, hidden sheets included."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import openpyxl

from dlp.extract._common import (
    TextBudget,
    cell_text,
    guard_zip_package,
    guess_header,
    open_binary,
    parsing,
    rows_to_text,
)
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part

# Excel's own row limit; openpyxl pads missing rows up to the next row number it finds.
_MAX_ROWS = 1_048_576


class XlsxExtractor(Extractor):
    """Reads .xlsx/.xlsm with openpyxl in read-only mode (streamed rows, cached formula values).

    Each worksheet becomes a part ``sheet <title>`` whose ``rows`` start at spreadsheet row 1, so that
    row ``i`` of the part is row ``i + 1`` of the sheet; empty rows inside the sheet are kept as empty
    tuples for that reason and trailing ones dropped. Hidden and very hidden sheets are read: hiding a
    roster column or sheet is a common way PI travels unnoticed.
    """

    name: ClassVar[str] = "xlsx"
    media_types: ClassVar[tuple[str, ...]] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
    )
    extensions: ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm", ".xltx")
    abstract: ClassVar[bool] = False

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """One part per worksheet; a broken workbook raises ItemError(CORRUPT), a bomb NotExamined(BOMB)."""
        budget = TextBudget(ctx.settings.max_text_chars)
        parts: list[Part] = []
        with open_binary(item) as stream:
            guard_zip_package(stream, ctx, "XLSX")
            with parsing("XLSX"):
                workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
                try:
                    for sheet in workbook.worksheets:
                        if budget.exhausted:
                            break
                        part = _sheet_part(sheet, budget)
                        if part is not None:
                            parts.append(part)
                finally:
                    workbook.close()
        return Document(media_type=self.media_types[0], parts=tuple(parts))


def _sheet_part(sheet: Any, budget: TextBudget) -> Part | None:
    # A sheet's stored dimension may be missing or wrong (A1:XFD1048576 from some exporters); without
    # it openpyxl streams the rows that exist instead of padding to the claimed size.
    sheet.reset_dimensions()
    rows: list[tuple[str, ...]] = []
    last_nonempty = 0
    for raw in sheet.iter_rows(min_row=1, values_only=True):
        if len(rows) >= _MAX_ROWS:
            break  # a hostile row number (r="999999999") would otherwise yield a billion empty rows
        cells = [_value(v) for v in raw]
        while cells and not cells[-1]:
            cells.pop()
        row = tuple(cells)
        rows.append(row)
        if row:
            last_nonempty = len(rows)
            budget.take(" | ".join(row) + "\n")
            if budget.exhausted:
                break
    rows = rows[:last_nonempty]
    if not rows:
        return None
    frozen = tuple(rows)
    return Part(
        locator=f"sheet {sheet.title}",
        text=rows_to_text(frozen),
        rows=frozen,
        has_header=guess_header(frozen),
    )


def _value(value: object) -> str:
    """A cell value as the text a person sees (dates without a zero time, IDs without ``.0``)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return cell_text(value)

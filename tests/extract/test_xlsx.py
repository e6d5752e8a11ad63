"""Excel workbooks: one part per sheet with rows as people see them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from dlp.errors import ItemError, NotExamined
from dlp.types import Reason
from tests.extract.conftest import part, run_extract


def test_each_sheet_is_a_part_named_after_it(extract):
    document = extract("roster.xlsx")
    assert [p.locator for p in document.parts] == ["sheet Roster", "sheet Contacts"]


def test_numbers_read_without_decimals_and_dates_without_time(extract):
    roster = part(extract("roster.xlsx"), "sheet Roster")
    assert roster.rows[0] == ("Student Name", "SASID", "SSN", "Date of Birth")
    assert roster.rows[1] == ("Jordan Alvarez", "1012345678", "523-47-1186", "2011-03-14")
    assert roster.has_header is True


def test_row_numbers_match_the_sheet_so_an_empty_row_is_kept(extract):
    roster = part(extract("roster.xlsx"), "sheet Roster")
    assert roster.rows[4] == ()
    # The formula has no cached value (never opened in Excel), so only its label remains.
    assert roster.rows[5] == ("Total",)
    assert len(roster.rows) == 6


def test_a_hidden_sheet_is_read_too(extract):
    contacts = part(extract("roster.xlsx"), "sheet Contacts")
    assert contacts.rows[1] == ("617-555-0142", "m.alvarez@example.org")
    assert "617-555-0131 | k.oneill@example.org" in contacts.text


def test_a_cached_formula_value_is_read_not_the_formula(extract):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["SSN"])
    sheet.append(['="523-47-"&"1186"'])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl writes an empty cached value; fill it in as Excel would on saving.
    source = zipfile.ZipFile(buffer)
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v></v>", b"<v>523-47-1186</v>").replace(b'<c r="A2">', b'<c r="A2" t="str">')
            target.writestr(info, data)
    table = part(extract("formula.xlsx", patched.getvalue()), "sheet Sheet")
    assert table.rows == (("SSN",), ("523-47-1186",))


def test_a_truncated_workbook_is_corrupt(extract):
    with pytest.raises(ItemError) as caught:
        extract("truncated.xlsx")
    assert caught.value.reason is Reason.CORRUPT


def test_the_text_budget_stops_reading_rows(extract):
    document = extract("roster.xlsx", max_text_chars=60)
    assert sum(len(p.text) for p in document.parts) < 200
    assert document.parts[0].rows[1][0] == "Jordan Alvarez"


# Workbooks written by hand below: the reader works on the package's XML, so the tests say exactly
# which markup they exercise. All names and values are invented.

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_RELS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _workbook(
    sheets: list[tuple[str, str]],
    *,
    shared: list[str] | None = None,
    cell_formats: list[int] | None = None,
    custom_formats: dict[int, str] | None = None,
    workbook_pr: str = "<workbookPr/>",
    states: dict[str, str] | None = None,
    chart_sheets: tuple[str, ...] = (),
    strict: bool = False,
) -> bytes:
    """An .xlsx package: ``sheets`` are (name, the XML inside <sheetData>); the rest as given."""
    main, rels_ns = (_STRICT, _STRICT_RELS) if strict else (_MAIN, _OFFICE_RELS)
    states = states or {}
    entries, rels = [], []
    for number, (name, _) in enumerate(sheets, 1):
        state = f' state="{states[name]}"' if name in states else ""
        entries.append(f'<sheet name="{name}" sheetId="{number}"{state} r:id="rId{number}"/>')
        kind = "chartsheet" if name in chart_sheets else "worksheet"
        folder = "chartsheets" if name in chart_sheets else "worksheets"
        rels.append(f'<Relationship Id="rId{number}" Type="{rels_ns}/{kind}" Target="{folder}/sheet{number}.xml"/>')
    rels.append(f'<Relationship Id="rIdS" Type="{rels_ns}/sharedStrings" Target="sharedStrings.xml"/>')
    rels.append(f'<Relationship Id="rIdT" Type="{rels_ns}/styles" Target="styles.xml"/>')
    formats = "".join(
        f'<numFmt numFmtId="{number}" formatCode="{code.replace(chr(34), "&quot;")}"/>'
        for number, code in (custom_formats or {}).items()
    )
    xfs = "".join(f'<xf numFmtId="{number}" fontId="0" fillId="0" borderId="0"/>' for number in cell_formats or [0])
    members = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{rels_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rels_ns}">{workbook_pr}<sheets>{"".join(entries)}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE_RELS}">{"".join(rels)}</Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">{"".join(f"<si>{s}</si>" for s in shared or [])}</sst>',
        "xl/styles.xml": (
            f'<styleSheet xmlns="{main}"><numFmts>{formats}</numFmts>'
            '<cellStyleXfs><xf numFmtId="14"/></cellStyleXfs>'  # a named style's format is not a cell's
            f"<cellXfs>{xfs}</cellXfs>"
            '<dxfs><dxf><numFmt numFmtId="0" formatCode="yyyy"/></dxf></dxfs></styleSheet>'
        ),
    }
    for number, (name, data) in enumerate(sheets, 1):
        if name in chart_sheets:
            members[f"xl/chartsheets/sheet{number}.xml"] = f'<chartsheet xmlns="{main}"/>'
            members[f"xl/chartsheets/_rels/sheet{number}.xml.rels"] = f'<Relationships xmlns="{_PACKAGE_RELS}"/>'
        else:
            members[f"xl/worksheets/sheet{number}.xml"] = (
                f'<worksheet xmlns="{main}"><dimension ref="A1:XFD1048576"/><sheetData>{data}</sheetData>'
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
            )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in members.items():
            package.writestr(name, text)
    return buffer.getvalue()


def _rows(data: bytes, locator: str = "sheet Sheet1", **settings) -> tuple:
    return part(run_extract_xlsx(data, **settings), locator).rows


def run_extract_xlsx(data: bytes, **settings):
    return run_extract("book.xlsx", data, **settings)


def test_shared_strings_join_rich_text_runs_and_leave_out_phonetic_guides():
    shared = [
        "<t>Priya</t>",
        '<r><rPr><b/></rPr><t>Nakamura</t></r><r><t xml:space="preserve"> Lee</t></r>',
        '<t>山田</t><rPh sb="0" eb="2"><t>やまだ</t></rPh><phoneticPr fontId="0"/>',
        "<t>Case </t><r><t>worker</t></r>",
    ]
    data = _workbook(
        [
            (
                "Sheet1",
                '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
                '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>',
            )
        ],
        shared=shared,
    )
    assert _rows(data) == (("Priya", "Nakamura Lee", "山田", "Case worker"),)


def test_inline_strings_are_read_with_their_runs():
    data = _workbook(
        [
            (
                "Sheet1",
                '<row r="1"><c r="A1" t="inlineStr"><is><t> Dana Whitfield </t></is></c>'
                '<c r="B1" t="inlineStr"><is><r><t>dana.w@</t></r><r><t>example.org</t></r></is></c>'
                '<c r="C1" t="inlineStr"><v>ignored</v></c></row>',
            )
        ]
    )
    assert _rows(data) == (("Dana Whitfield", "dana.w@example.org"),)


def test_a_date_style_turns_serials_into_dates_and_times():
    # Styles: 0 General, 1 built-in 14 (m/d/yy), 2 custom date-time, 3 built-in 20 (h:mm),
    # 4 a quoted "d" that is a literal, not a day, 5 an elapsed-time duration.
    data = _workbook(
        [
            (
                "Sheet1",
                '<row r="1"><c r="A1" s="1"><v>40616</v></c><c r="B1" s="2"><v>45418.25</v></c>'
                '<c r="C1" s="3"><v>0.5</v></c><c r="D1" s="4"><v>40616</v></c>'
                '<c r="E1" s="5"><v>1.25</v></c><c r="F1" s="0"><v>40616</v></c>'
                '<c r="G1" s="1"><v>99999999</v></c></row>',
            )
        ],
        cell_formats=[0, 14, 164, 20, 165, 166],
        custom_formats={164: "dd/mm/yyyy hh:mm", 165: '"day "0', 166: "[h]:mm:ss"},
    )
    assert _rows(data) == (
        ("2011-03-14", "2024-05-06T06:00:00", "12:00:00", "40616", "1 day, 6:00:00", "40616", "#VALUE!"),
    )


def test_a_cell_without_a_style_attribute_takes_the_first_cell_format():
    data = _workbook(
        [("Sheet1", '<row r="1"><c r="A1"><v>40616</v></c><c r="B1" s=""><v>7</v></c></row>')], cell_formats=[14]
    )
    assert _rows(data) == (("2011-03-14", "7"),)


def test_dates_of_a_1904_workbook_count_from_1904():
    row = '<row r="1"><c r="A1" s="1"><v>39154</v></c><c r="B1" s="1"><v>0.75</v></c></row>'
    in_1904 = _workbook([("Sheet1", row)], cell_formats=[0, 22], workbook_pr='<workbookPr date1904="1"/>')
    in_1900 = _workbook([("Sheet1", row)], cell_formats=[0, 22], workbook_pr='<workbookPr date1904="false"/>')
    assert _rows(in_1904) == (("2011-03-14", "18:00:00"),)
    assert _rows(in_1900) == (("2007-03-13", "18:00:00"),)  # 1,462 days earlier


def test_dates_written_by_openpyxl_in_the_1904_system_read_back():
    workbook = openpyxl.Workbook()
    workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.title = "Visits"
    sheet.append([dt.date(2011, 3, 14), dt.datetime(2024, 5, 6, 7, 8, 9), dt.time(13, 45), True, 1.5, 12.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _rows(buffer.getvalue(), "sheet Visits") == (
        ("2011-03-14", "2024-05-06T07:08:09", "13:45:00", "True", "1.5", "12"),
    )


def test_cached_formula_values_booleans_errors_and_iso_dates():
    data = _workbook(
        [
            (
                "Sheet1",
                '<row r="1"><c r="A1"><f>SUM(B2:B9)</f><v>1012345678</v></c>'
                '<c r="B1" t="str"><f>CONCAT("m.",C1)</f><v>m.ortiz@example.org</v></c>'
                '<c r="C1"><f>NOW()</f></c><c r="D1" t="b"><v>0</v></c><c r="E1" t="e"><v>#N/A</v></c>'
                '<c r="F1" t="d"><v>2012-07-01T00:00:00</v></c><c r="G1" t="d"><v>2012-07-01T08:30:00</v></c>'
                "</row>",
            )
        ]
    )
    assert _rows(data) == (
        ("1012345678", "m.ortiz@example.org", "", "False", "#N/A", "2012-07-01", "2012-07-01T08:30:00"),
    )


def test_hidden_sheets_are_read_in_tab_order_and_chart_sheets_skipped():
    data = _workbook(
        [
            ("Roster", '<row r="1"><c r="A1" t="inlineStr"><is><t>visible</t></is></c></row>'),
            ("Chart", ""),
            ("Notes", '<row r="1"><c r="A1" t="inlineStr"><is><t>hidden</t></is></c></row>'),
            ("Keys", '<row r="1"><c r="A1" t="inlineStr"><is><t>very hidden</t></is></c></row>'),
        ],
        states={"Notes": "hidden", "Keys": "veryHidden"},
        chart_sheets=("Chart",),
    )
    document = run_extract_xlsx(data)
    assert [(p.locator, p.text) for p in document.parts] == [
        ("sheet Roster", "visible"),
        ("sheet Notes", "hidden"),
        ("sheet Keys", "very hidden"),
    ]


def test_sparse_rows_and_cells_keep_their_spreadsheet_positions():
    data = _workbook(
        [
            (
                "Sheet1",
                '<row r="2"><c r="B2"><v>1</v></c><c r="D2"><v>2</v></c><c r="F2"/></row>'
                "<row><c><v>3</v></c><c><v>4</v></c></row>"  # no references: next row, next cells
                '<row r="5" spans="1:3"><c r="C5"><v>5</v></c></row>'
                '<row r="5"><c r="A5"><v>99</v></c></row>'  # a repeated row number: the first one counts
                '<row r="7"><c r="A7"/></row>',  # trailing empty rows are dropped
            )
        ]
    )
    assert _rows(data) == ((), ("", "1", "", "2"), ("3", "4"), (), ("", "", "5"))


def test_cells_out_of_column_order_are_placed_as_openpyxl_places_them():
    # The row is as wide as its last cell; in one column the later cell wins.
    data = _workbook(
        [
            (
                "Sheet1",
                '<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c>'
                '<c r="B1"><v>2</v></c><c r="B1"><v>22</v></c></row>',
            )
        ]
    )
    assert _rows(data) == (("1", "22"),)


def test_a_hostile_row_number_stops_at_excels_row_limit():
    data = _workbook(
        [("Sheet1", '<row r="1"><c r="A1"><v>1</v></c></row><row r="999999999"><c r="A999999999"><v>2</v></c></row>')]
    )
    assert _rows(data) == (("1",),)


def test_a_strict_open_xml_workbook_is_read():
    data = _workbook(
        [("Sheet1", '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>40616</v></c></row>')],
        shared=["<t>Rowan Ellery</t>"],
        cell_formats=[0, 14],
        strict=True,
    )
    assert _rows(data) == (("Rowan Ellery", "2011-03-14"),)


def test_a_broken_cell_makes_the_workbook_corrupt():
    for row in (
        '<row r="1"><c r="A1" t="s"><v>7</v></c></row>',  # no such shared string
        '<row r="1"><c r="A1"><v>12abc</v></c></row>',
        '<row r="1"><c r="AAAA1"><v>1</v></c></row>',  # past column ZZZ
        '<row r="one"><c r="A1"><v>1</v></c></row>',
        '<row r="1"><c r="A1"><v>1</v></row>',  # not well-formed
    ):
        with pytest.raises(ItemError) as caught:
            run_extract_xlsx(_workbook([("Sheet1", row)]))
        assert caught.value.reason is Reason.CORRUPT, row


def test_entities_in_shared_strings_are_not_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        f'<sst xmlns="{_MAIN}"><si><t>&c;</t></si></sst>'
    )
    data = _workbook([("Sheet1", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>')])
    source = zipfile.ZipFile(io.BytesIO(data))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for info in source.infolist():
            target.writestr(info, laughs if info.filename == "xl/sharedStrings.xml" else source.read(info))
    try:
        document = run_extract_xlsx(patched.getvalue())
    except ItemError as error:
        assert error.reason is Reason.CORRUPT
    else:
        assert "lol" not in "".join(p.text for p in document.parts)


def test_a_package_over_the_expansion_limit_is_not_examined():
    data = _workbook([("Sheet1", "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 500)))])
    with pytest.raises(NotExamined) as caught:
        run_extract_xlsx(data, max_expanded_bytes=4096)
    assert caught.value.reason is Reason.BOMB

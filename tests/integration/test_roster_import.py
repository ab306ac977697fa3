"""Importing village rosters (花名册) as villages keep them, into a real station database."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import app.messages
from app.domain.errors import DomainError
from app.services.imports import ImportReport, import_residents
from app.services.residents import find_residents, get_resident
from app.services.rosters import parse_mapping
from tests.helpers import make_id

HEADER = ["户号", "姓名", "公民身份号码", "性别", "与户主关系", "所属村", "组", "住址", "联系电话"]

ID_A = make_id(date(1962, 4, 5), male=True, seq=1)
ID_B = make_id(date(1965, 8, 9), male=False, seq=2)
ID_C = make_id(date(1990, 1, 20), male=True, seq=3)
ID_D = make_id(date(1971, 11, 11), male=True, seq=4)
ID_E = make_id(date(1975, 2, 28), male=False, seq=5)


def _good_rows() -> list[list[str]]:
    return [
        ["V01-000001", "王建国", ID_A, "男", "户主", "青溪村", "3组", "青溪村3组8号", "13812340001"],
        ["V01-000001", "李秀英", ID_B, "女", "配偶", "青溪村", "3组", "青溪村3组8号", "13812340002"],
        ["V01-000001", "王小明", ID_C, "男", "子", "青溪村", "3组", "青溪村3组8号", ""],
        ["V04-000007", "姜德才", ID_D, "男", "户主", "下姜村", "1组", "下姜村1组2号", "0571-64812345"],
    ]


def _write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8-sig",
               above: tuple[str, ...] | list[str] = ()) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    for line in above:
        w.writerow([line])
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _import(station: Any, path: Path, **kwargs: Any) -> ImportReport:
    return import_residents(station.ctx, actor=station.head, path=path, **kwargs)


def _problems(report: ImportReport) -> list[tuple[int, str]]:
    return [(p.row_no, p.error.code) for p in report.problems]


def _renders(code: str, params: dict[str, Any] | None = None) -> None:
    assert not app.messages.render(code, params or {}).startswith("操作未能完成"), code


def _names(station: Any, query: str) -> list[str]:
    return sorted(r.name for r in find_residents(station.ctx, query=query).residents)


def _change_log_rows(station: Any, table: str = "residents") -> int:
    conn = sqlite3.connect(station.data_dir / "station.sqlite3")
    try:
        return int(conn.execute("SELECT count(*) FROM change_log WHERE table_name = ?", (table,)).fetchone()[0])
    finally:
        conn.close()


# --- encodings and file types --------------------------------------------------------------------


def test_a_utf8_csv_with_a_byte_order_mark_is_imported(station: Any, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "花名册.csv", HEADER, _good_rows(), encoding="utf-8-sig")

    report = _import(station, path)

    assert (report.rows, report.created, report.problems, report.header_row) == (4, 4, (), 1)
    assert _names(station, "wjg") == ["王建国"]
    assert _names(station, "下姜") == [] and _names(station, "姜德") == ["姜德才"]


def test_a_gbk_csv_as_excel_saves_it_on_chinese_windows_is_imported(station: Any, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "花名册.csv", HEADER, _good_rows(), encoding="gbk")

    report = _import(station, path)

    assert (report.created, report.problems) == (4, ())
    assert _names(station, "李秀") == ["李秀英"]
    detail = get_resident(station.ctx, resident_id=find_residents(station.ctx, query="jdc").residents[0].id)
    assert (detail.resident.village_name, detail.resident.address) == ("下姜村", "下姜村1组2号")


def test_an_xlsx_roster_with_a_title_row_is_imported_and_an_id_stored_as_a_number_is_rejected(
        station: Any, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["青溪村户籍人口花名册（2026年11月）"])
    sheet.merge_cells("A1:I1")
    sheet.append(HEADER)
    rows = _good_rows()
    rows.append(["V01-000009", "赵红梅", ID_E, "女", "户主", "青溪村", "5组", "青溪村5组1号", "13812340005"])
    for row in rows:
        sheet.append(row)
    sheet.cell(row=7, column=3).value = int(ID_E)  # Excel turned this one into a number (precision lost)
    sheet.cell(row=3, column=9).value = 13812340001  # phones stored as numbers are harmless
    path = tmp_path / "花名册.xlsx"
    book.save(path)

    report = _import(station, path)

    assert report.header_row == 2
    assert (report.rows, report.created) == (5, 4)
    assert _problems(report) == [(7, "import.id_as_number")]
    assert report.problems[0].name == "赵红梅"
    _renders("import.id_as_number")
    assert _names(station, "zhm") == []
    assert [r.phone_masked for r in find_residents(station.ctx, query="wjg").residents] == ["138****0001"]


def test_an_xlsx_whose_size_record_is_wrong_is_still_read_to_the_last_row(station: Any, tmp_path: Path) -> None:
    # Some programs that export rosters write a stale <dimension ref="A1"/>; the rows are all there.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in _good_rows():
        sheet.append(row)
    good = tmp_path / "good.xlsx"
    book.save(good)
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1"/>', data)
                assert n == 1
            dst.writestr(info, data)

    report = _import(station, stale)

    assert (report.rows, report.created, report.problems) == (4, 4, ())


def test_an_old_xls_file_is_refused_with_advice_to_save_it_as_xlsx(station: Any, tmp_path: Path) -> None:
    path = tmp_path / "花名册.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)

    with pytest.raises(DomainError) as excinfo:
        _import(station, path)

    assert excinfo.value.code == "import.xls_unsupported"
    _renders(excinfo.value.code, excinfo.value.params)


def test_a_missing_file_is_reported_as_not_found(station: Any, tmp_path: Path) -> None:
    with pytest.raises(DomainError) as excinfo:
        _import(station, tmp_path / "没有这个文件.csv")

    assert excinfo.value.code == "file.not_found"
    _renders(excinfo.value.code, excinfo.value.params)


def test_a_csv_whose_header_is_below_the_first_ten_rows_is_refused(station: Any, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "花名册.csv", HEADER, _good_rows(), above=[f"说明第{i}行" for i in range(10)])

    with pytest.raises(DomainError) as excinfo:
        _import(station, path)

    assert excinfo.value.code == "import.no_header"
    _renders(excinfo.value.code, excinfo.value.params)


def test_a_csv_with_title_rows_above_the_header_is_imported(station: Any, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "花名册.csv", HEADER, _good_rows(), above=["青溪村花名册", "制表：村委会"])

    report = _import(station, path)

    assert (report.header_row, report.created, report.problems) == (3, 4, ())


# --- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("id_header", "phone_header", "village_header"), [
    ("公民身份号码", "联系电话", "所属村"),
    ("身份证号", "手机号码", "村"),
    ("身份证号码（18位）", "联系电话 ", "所属村*"),
])
def test_the_usual_header_variants_are_recognised(station: Any, tmp_path: Path, id_header: str,
                                                  phone_header: str, village_header: str) -> None:
    header = ["姓名", id_header, phone_header, village_header]
    rows = [["王建国", ID_A, "13812340001", "青溪村"], ["姜德才", ID_D, "", "下姜"]]

    report = _import(station, _write_csv(tmp_path / "r.csv", header, rows))

    assert (report.created, report.problems, report.unmapped_columns) == (2, (), ())
    assert [(r.village_code, r.phone_masked) for r in find_residents(station.ctx, query="wjg").residents] == [
        ("V01", "138****0001")]
    assert [r.village_code for r in find_residents(station.ctx, query="jdc").residents] == ["V04"]


def test_headers_of_another_roster_are_mapped_to_our_fields(station: Any, tmp_path: Path) -> None:
    header = ["序号", "名字", "证件号", "村"]
    rows = [["1", "王建国", ID_A, "青溪村"], ["2", "李秀英", ID_B, "青溪村"]]
    path = _write_csv(tmp_path / "r.csv", header, rows)
    with pytest.raises(DomainError) as excinfo:
        _import(station, path)
    assert excinfo.value.code == "import.no_header"

    report = _import(station, path, mapping=parse_mapping("证件号=id_number,名字=name"))

    assert (report.created, report.problems, report.unmapped_columns) == (2, (), ("序号",))


def test_a_mapping_to_an_unknown_field_is_refused(station: Any) -> None:
    with pytest.raises(DomainError) as excinfo:
        parse_mapping("证件号=idcard")

    assert excinfo.value.code == "import.bad_mapping"
    _renders(excinfo.value.code, excinfo.value.params)


def test_a_roster_without_a_village_column_takes_the_village_given_for_the_file(
        station: Any, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "r.csv", ["姓名", "身份证号"], [["王建国", ID_A], ["李秀英", ID_B]])

    report = _import(station, path, default_village="石门村")

    assert (report.created, report.problems) == (2, ())
    assert {r.village_code for r in find_residents(station.ctx, query="王建").residents} == {"V02"}


def test_a_roster_without_a_village_column_or_a_village_for_the_file_is_refused(
        station: Any, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "r.csv", ["姓名", "身份证号"], [["王建国", ID_A]])

    with pytest.raises(DomainError) as excinfo:
        _import(station, path)

    assert excinfo.value.code == "import.no_village"
    assert "下姜村" in excinfo.value.params["villages"]
    _renders(excinfo.value.code, excinfo.value.params)
    assert _names(station, "王建") == []


# --- bad rows -------------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_the_row_number_excel_shows_and_good_rows_are_imported(
        station: Any, tmp_path: Path) -> None:
    bad_check = ID_E[:17] + ("1" if ID_E[17] != "1" else "2")
    a, b, c, d = _good_rows()
    rows = [
        a,                                                                                   # row 2
        ["V01-000002", "钱多多", bad_check, "女", "户主", "青溪村", "1组", "", ""],            # row 3
        b,                                                                                   # row 4
        ["V01-000003", "孙悟空", make_id(date(1980, 1, 1), True, seq=20), "男", "户主", "青溪村", "1组", "",
         "1381234"],                                                                         # row 5
        ["V09-000001", "周八", make_id(date(1980, 1, 1), True, seq=21), "男", "户主", "月亮村", "1组", "", ""],  # 6
        ["V01-000004", "", make_id(date(1980, 1, 1), True, seq=22), "男", "户主", "青溪村", "1组", "", ""],  # 7
        ["V01-000001", "王建国", ID_A, "男", "户主", "青溪村", "3组", "", ""],                  # row 8
        c,                                                                                   # row 9
        [""] * len(HEADER),                                                                  # row 10, empty
        d,                                                                                   # row 11
        ["V01-000005", "吴九", "33012719800101", "男", "户主", "青溪村", "1组", "", ""],         # row 12
    ]
    path = _write_csv(tmp_path / "花名册.csv", HEADER, rows)

    report = _import(station, path)

    assert _problems(report) == [
        (3, "id.bad_check_char"), (5, "phone.bad"), (6, "town.unknown_village"), (7, "resident.name_empty"),
        (8, "import.duplicate_in_file"), (12, "id.bad_length"),
    ]
    assert report.problems[4].error.params["first_row"] == 2
    assert [p.name for p in report.problems] == ["钱多多", "孙悟空", "周八", "", "王建国", "吴九"]
    assert (report.rows, report.created, report.rejected) == (10, 4, 6)
    for p in report.problems:
        _renders(p.error.code, p.error.params)
    assert _names(station, "王建国") == ["王建国"]
    assert _names(station, "钱") == [] and _names(station, "孙") == []


def test_row_numbers_count_excel_rows_even_when_an_address_spans_two_lines(station: Any, tmp_path: Path) -> None:
    a, b, _c, _d = _good_rows()
    a[7] = "青溪村3组\n8号（老屋）"
    bad = ["V01-000002", "钱多多", ID_E[:17] + ("1" if ID_E[17] != "1" else "2"), "女", "户主", "青溪村", "", "", ""]
    path = _write_csv(tmp_path / "花名册.csv", HEADER, [a, b, bad])

    report = _import(station, path)

    assert report.created == 2
    assert _problems(report) == [(4, "id.bad_check_char")]


# --- importing again ------------------------------------------------------------------------------


def test_importing_the_same_roster_again_creates_and_changes_nothing(station: Any, tmp_path: Path) -> None:
    rows = [*_good_rows(), ["V01-000002", "钱多多", "123", "女", "户主", "青溪村", "", "", ""]]
    path = _write_csv(tmp_path / "花名册.csv", HEADER, rows)
    first = _import(station, path)
    logged = _change_log_rows(station)
    household_logs = _change_log_rows(station, "households")

    again = _import(station, path)

    assert (first.created, first.rejected) == (4, 1)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 1)
    assert _change_log_rows(station) == logged
    assert _change_log_rows(station, "households") == household_logs
    assert len(find_residents(station.ctx, query="wjg").residents) == 1


def test_importing_a_roster_with_one_changed_phone_updates_exactly_that_resident(
        station: Any, tmp_path: Path) -> None:
    rows = _good_rows()
    _import(station, _write_csv(tmp_path / "v1.csv", HEADER, rows))
    logged = _change_log_rows(station)
    rows[1][8] = "13999990002"

    report = _import(station, _write_csv(tmp_path / "v2.csv", HEADER, rows))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert _change_log_rows(station) == logged + 1
    assert [r.name for r in find_residents(station.ctx, query="99990002").residents] == ["李秀英"]
    assert find_residents(station.ctx, query="12340002").residents == ()


def test_importing_a_roster_without_households_keeps_the_households_already_known(
        station: Any, tmp_path: Path) -> None:
    _import(station, _write_csv(tmp_path / "v1.csv", HEADER, _good_rows()))
    wang = find_residents(station.ctx, query="wjg").residents[0]
    plain = [[r[1], r[2], r[5]] for r in _good_rows()]

    report = _import(station, _write_csv(tmp_path / "v2.csv", ["姓名", "身份证号", "村"], plain))

    assert (report.created, report.problems) == (0, ())
    assert find_residents(station.ctx, query="wjg").residents[0].household_id == wang.household_id is not None


def test_importing_a_roster_with_fewer_columns_keeps_what_is_known_for_the_missing_ones(
        station: Any, tmp_path: Path) -> None:
    _import(station, _write_csv(tmp_path / "v1.csv", HEADER, _good_rows()))
    plain = [[r[1], r[2], r[5]] for r in _good_rows()]

    report = _import(station, _write_csv(tmp_path / "v2.csv", ["姓名", "身份证号", "村"], plain))

    wang = find_residents(station.ctx, query="wjg").residents[0]
    assert (wang.phone_masked, wang.group, wang.address, wang.relation) == (
        "138****0001", "3组", "青溪村3组8号", "户主")
    assert (report.updated, report.unchanged) == (0, 4)


# --- households -----------------------------------------------------------------------------------


def test_members_with_the_same_household_number_share_one_household(station: Any, tmp_path: Path) -> None:
    _import(station, _write_csv(tmp_path / "r.csv", HEADER, _good_rows()))

    wang = find_residents(station.ctx, query="wjg").residents[0]
    detail = get_resident(station.ctx, resident_id=wang.id)

    assert detail.household is not None
    assert (detail.household.household_no, detail.household.head_name) == ("V01-000001", "王建国")
    assert sorted(m.name for m in detail.household.members) == ["李秀英", "王小明", "王建国"]
    jiang = get_resident(station.ctx, resident_id=find_residents(station.ctx, query="jdc").residents[0].id)
    assert jiang.household is not None and [m.name for m in jiang.household.members] == ["姜德才"]


def test_a_roster_with_only_the_head_of_household_named_groups_members_under_that_head(
        station: Any, tmp_path: Path) -> None:
    header = ["姓名", "身份证号", "户主姓名", "与户主关系", "所属村", "组"]
    rows = [
        ["王建国", ID_A, "王建国", "户主", "青溪村", "3组"],
        ["李秀英", ID_B, "王建国", "配偶", "青溪村", "3组"],
        ["王小明", ID_C, "王建国", "子", "青溪村", "3组"],
        ["王建国", ID_D, "王建国", "户主", "青溪村", "7组"],  # a namesake in another group: another household
    ]

    report = _import(station, _write_csv(tmp_path / "r.csv", header, rows))

    assert (report.created, report.problems) == (4, ())
    first = get_resident(station.ctx, resident_id=find_residents(station.ctx, query=ID_A).residents[0].id)
    other = get_resident(station.ctx, resident_id=find_residents(station.ctx, query=ID_D).residents[0].id)
    assert first.household is not None and other.household is not None
    assert sorted(m.name for m in first.household.members) == ["李秀英", "王小明", "王建国"]
    assert first.household.head_name == "王建国"
    assert [m.id for m in other.household.members] == [other.resident.id]


# --- large rosters: a reader process, search indexes rebuilt at the end ----------------------------

SEARCH_INDEXES = {"ix_residents_id_rev", "ix_residents_name", "ix_residents_name_initials",
                  "ix_residents_name_initials_alt", "ix_residents_phone_rev",
                  "ix_residents_household_id", "ix_residents_village_code"}


def _indexes(station: Any) -> set[str]:
    conn = sqlite3.connect(station.data_dir / "station.sqlite3")
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                           "AND tbl_name = 'residents' AND name LIKE 'ix_%'")}
    finally:
        conn.close()


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every roster counts as large, chunks are two rows; returns a list that counts reader processes."""
    import app.services.imports as imports

    started: list[int] = []
    real = imports._chunks_from_child

    def counting(job: Any) -> Any:
        started.append(job.chunk)
        return real(job)

    monkeypatch.setattr(imports, "BULK_ROWS", 0)
    monkeypatch.setattr(imports, "CHUNK", 2)
    monkeypatch.setattr(imports, "_chunks_from_child", counting)
    return started


def test_a_large_roster_is_read_in_a_second_process_with_the_same_result(station: Any, tmp_path: Path,
                                                                         large: list[int]) -> None:
    rows = [*_good_rows(),
            ["V01-000002", "错号码", "110101199003071234", "男", "户主", "青溪村", "3组", "", ""],
            ["V01-000001", "王小明", ID_C, "男", "子", "青溪村", "3组", "青溪村3组8号", ""]]

    report = _import(station, _write_csv(tmp_path / "big.csv", HEADER, rows))

    assert large == [2]  # one reader process, which got the chunk size of this import
    assert (report.rows, report.created) == (6, 4)
    assert _problems(report) == [(6, "id.bad_check_char"), (7, "import.duplicate_in_file")]
    assert _indexes(station) == SEARCH_INDEXES
    assert _names(station, "wjg") == ["王建国"]
    assert _names(station, ID_D[-4:]) == ["姜德才"]
    assert _names(station, "0001") == ["王建国"]  # phone tail 13812340001
    head = get_resident(station.ctx, resident_id=find_residents(station.ctx, query=ID_A).residents[0].id)
    assert head.household is not None
    assert sorted(m.name for m in head.household.members) == ["李秀英", "王小明", "王建国"]
    assert _change_log_rows(station) == 4

    again = _import(station, _write_csv(tmp_path / "big.csv", HEADER, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_a_file_that_breaks_off_in_the_reader_process_keeps_what_was_imported_and_says_why(
        station: Any, tmp_path: Path, large: list[int]) -> None:
    path = _write_csv(tmp_path / "broken.csv", HEADER, _good_rows())
    filler = "".join(f"x,姓名{i},不是号码,,,青溪村,,,\r\n" for i in range(30000))  # past the 1 MiB sample
    path.write_bytes(path.read_bytes() + filler.encode("utf-8") + b"\xff\xfe broken\r\n")

    with pytest.raises(DomainError) as caught:
        _import(station, path)

    assert caught.value.code == "import.decode_failed"
    assert caught.value.params["line"] == 30006  # the line an editor shows, not where the text reader was
    _renders(caught.value.code, caught.value.params)
    assert large == [2]
    assert _names(station, "wjg") == ["王建国"]  # the chunks written before the break are kept
    assert len(find_residents(station.ctx, query=ID_D).residents) == 1
    assert _indexes(station) == SEARCH_INDEXES  # and the search indexes are back


def test_search_indexes_left_out_by_a_dead_import_are_reported_and_rebuilt_on_the_next_start(
        station: Any, tmp_path: Path) -> None:
    from app.services.context import open_context
    from app.services.maintenance import check

    _import(station, _write_csv(tmp_path / "r.csv", HEADER, _good_rows()))
    station.ctx.db.dispose()
    conn = sqlite3.connect(station.data_dir / "station.sqlite3")
    for name in ("ix_residents_name", "ix_residents_phone_rev"):  # as a killed bulk import leaves them
        conn.execute(f"DROP INDEX {name}")
    conn.commit()
    conn.close()

    report = check(station.ctx, actor=station.head)
    assert sorted((f.code, dict(f.params)["index"]) for f in report.findings) == [
        ("check.index_missing", "ix_residents_name"), ("check.index_missing", "ix_residents_phone_rev")]
    _renders("check.index_missing", {"index": "ix_residents_name"})

    reopened = open_context(station.data_dir)
    try:
        assert _indexes(station) == SEARCH_INDEXES
        assert not check(reopened, actor=station.head).findings
        assert [r.name for r in find_residents(reopened, query="王建").residents] == ["王建国"]
    finally:
        reopened.db.dispose()

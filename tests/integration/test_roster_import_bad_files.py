"""``residents import`` run as staff run it (``app.cli.main``) on rosters that are broken, mislabelled or too long:
every one is refused or reported in plain words naming the file and the row (exit 1), never an internal error,
and the advice each message gives is followed here to show that it works."""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import app.messages
from app.cli.main import main
from app.domain.errors import DomainError
from app.domain.identity import id_check_char
from app.services.residents import find_residents, get_resident
from app.services.rosters import CSV_CELL_LIMIT

HEADER = ["户号", "姓名", "公民身份号码", "性别", "与户主关系", "所属村", "组", "住址", "联系电话"]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
                       "RU5ErkJggg==")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def ident(n: int) -> str:
    """The n-th of many valid ID numbers (one birthday per 400)."""
    born = date(1940, 1, 1) + timedelta(days=n // 400)
    body = f"330127{born:%Y%m%d}{n % 400 * 2 + 1:03d}"
    return body + id_check_char(body)


def person(n: int, **changes: str) -> list[str]:
    row = {"户号": f"V01-{n:06d}", "姓名": "孙" + "一二三四五六七八九十"[n % 10] + "明", "公民身份号码": ident(n),
           "性别": "男", "与户主关系": "户主", "所属村": "青溪村", "组": "2组", "住址": f"青溪村2组{n}号",
           "联系电话": ""}
    row.update(changes)
    return [row[h] for h in HEADER]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def rewrite_member(src: Path, dst: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of a zip (a workbook) with one member's bytes changed, the zip itself still whole."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(data) if info.filename == member else data)
    return dst


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture
def cli(station: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[
        Callable[..., Run]]:
    """``python -m app.cli --data-dir <station> [--lang en] residents import FILE [args]`` as the station head."""
    monkeypatch.setenv("STATIONDESK_USER", "zhanzhang")
    monkeypatch.setenv("STATIONDESK_PASSWORD", "demo2026")
    monkeypatch.setenv("STATIONDESK_DATA_DIR", str(station.data_dir))

    def run(path: Path, *args: str, lang: str = "zh") -> Run:
        capsys.readouterr()
        code = main(["--data-dir", str(station.data_dir), "--lang", lang, "residents", "import", str(path), *args])
        out, err = capsys.readouterr()
        return Run(code, out, err)

    yield run
    # No run of any test ended up on the internal-error path (it writes this log).
    assert not (station.data_dir / "logs" / "cli-errors.log").exists()


def refused(run: Run, *expected: str) -> Run:
    assert run.code == 1, run.text
    assert "内部错误" not in run.text and "Internal error" not in run.text and "Traceback" not in run.text
    for words in expected:
        assert words in run.text, (words, run.text)
    return run


def ids(station: Any, *numbers: str) -> list[str]:
    return [r.name for n in numbers for r in find_residents(station.ctx, query=n).residents]


# --- files that are not whole workbooks ------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.02, 0.5, 0.99])
def test_a_workbook_cut_short_is_refused_in_plain_words_naming_the_file(
        cli: Callable[..., Run], station: Any, tmp_path: Path, fraction: float) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", [person(n) for n in range(300)])
    cut = tmp_path / "花名册.xlsx"
    data = whole.read_bytes()
    cut.write_bytes(data[:int(len(data) * fraction)])

    refused(cli(cut, "--village", "青溪村"), "花名册.xlsx 不是完整的 Excel 工作簿", "后面缺了一截",
            "重新复制一份完整的文件")
    refused(cli(cut, "--village", "青溪村", lang="en"), "花名册.xlsx is not a whole Excel workbook",
            "Copy the whole file again")

    # The advice: a whole copy of the file imports.
    assert cli(whole).code == 0
    assert ids(station, ident(0), ident(299)) == [person(0)[1], person(299)[1]]


# kind -> (bytes of the file named 花名册.xlsx, Chinese words, English words)
NOT_A_WORKBOOK: dict[str, tuple[bytes, str, str]] = {
    "empty": (b"", "是空文件（0 字节）", "is empty (0 bytes)"),
    "text": ("姓名,身份证号\n王建国,1\n".encode(),
             "其实是文字（CSV）文件，只是扩展名写成了 .xlsx。请把文件名的扩展名改成 .csv",
             "is really a text (CSV) file named .xlsx. Rename it to end in .csv"),
    "png": (PNG, "不是花名册（Excel 工作簿或 CSV 文件），而是一张 PNG 图片", "but a PNG image"),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "而是一个 PDF 文件", "but a PDF file"),
    "binary": (bytes(range(256)) * 4, "而是一个认不出来的文件", "neither a spreadsheet nor text"),
    "xls": (OLE2 + b"\0" * 1024, "其实是旧版 Excel 文件（.xls）", "is really an old Excel file (.xls)"),
    "password": (OLE2 + b"\0" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512, "设了打开密码",
                 "has a password to open it"),
    "html": ("<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(),
             "其实是网页（HTML）文件", "is really a web page (HTML)"),
}


@pytest.mark.parametrize("kind", list(NOT_A_WORKBOOK))
def test_a_file_named_xlsx_that_is_not_a_workbook_says_what_it_really_is(
        cli: Callable[..., Run], tmp_path: Path, kind: str) -> None:
    data, zh, en = NOT_A_WORKBOOK[kind]
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(data)

    refused(cli(path, "--village", "青溪村"), "花名册.xlsx", zh)
    refused(cli(path, "--village", "青溪村", lang="en"), "花名册.xlsx", en)


def test_a_zip_that_is_not_a_workbook_names_what_it_holds_and_the_roster_inside_imports_once_unzipped(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    roster = write_xlsx(tmp_path / "青溪村花名册.xlsx", [person(1), person(2)])
    packed = tmp_path / "花名册.xlsx"
    with zipfile.ZipFile(packed, "w") as z:
        z.write(roster, "青溪村花名册.xlsx")
        z.writestr("说明.txt", "2026年11月")

    refused(cli(packed), "花名册.xlsx 是一个 zip 压缩包（里面是：青溪村花名册.xlsx、说明.txt）", "请先解压")
    refused(cli(packed, lang="en"), "is a zip archive (it holds: 青溪村花名册.xlsx、说明.txt)", "unzip it")

    out = tmp_path / "unzipped"
    with zipfile.ZipFile(packed) as z:
        z.extractall(out)
    run = cli(out / "青溪村花名册.xlsx")
    assert run.code == 0, run.text
    assert ids(station, ident(1), ident(2)) == [person(1)[1], person(2)[1]]


def test_a_word_document_named_xlsx_is_called_a_word_document(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "花名册.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")

    refused(cli(path), "花名册.xlsx 不是花名册（Excel 工作簿或 CSV 文件），而是一个 Word 文档")


def test_a_csv_named_xlsx_imports_once_renamed_to_csv_as_the_message_says(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "花名册.xlsx", [person(3), person(4)])
    refused(cli(path), "改成 .csv")

    run = cli(path.rename(tmp_path / "花名册.csv"))

    assert run.code == 0, run.text
    assert "新增 2" in run.out


def test_a_workbook_named_csv_imports_once_renamed_to_xlsx_as_the_message_says(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "花名册.csv", [person(5), person(6)])
    refused(cli(path), "花名册.csv 其实是 Excel 工作簿，只是扩展名写成了 .csv。请把文件名的扩展名改成 .xlsx")

    run = cli(path.rename(tmp_path / "花名册.xlsx"))

    assert run.code == 0, run.text
    assert "新增 2" in run.out


@pytest.mark.parametrize("damage", ["xml_cut", "bytes_flipped"])
def test_a_workbook_damaged_inside_stops_at_the_row_it_reaches_keeping_the_rows_before(
        cli: Callable[..., Run], station: Any, tmp_path: Path, damage: str) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", [person(n) for n in range(2000)])
    broken = tmp_path / "花名册.xlsx"
    if damage == "xml_cut":
        rewrite_member(whole, broken, "xl/worksheets/sheet1.xml", lambda xml: xml[:len(xml) // 2])
    else:
        raw = bytearray(whole.read_bytes())
        with zipfile.ZipFile(whole) as z:
            info = z.getinfo("xl/worksheets/sheet1.xml")
        middle = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
        raw[middle:middle + 16] = bytes(b ^ 0xFF for b in raw[middle:middle + 16])
        broken.write_bytes(bytes(raw))

    run = refused(cli(broken), "花名册.xlsx 读到第 ", "行时发现文件内容已损坏", "前面没有问题的各行已经导入")
    row = int(re.search(r"读到第 (\d+) 行", run.text).group(1))  # type: ignore[union-attr]
    assert 100 < row < 2001
    assert ids(station, ident(0), ident(row - 3)) == [person(0)[1], person(row - 3)[1]]  # rows 2 … row-1 are in
    assert ids(station, ident(1999)) == []
    refused(cli(broken, lang="en"), f"花名册.xlsx is damaged at row {row}", "the good rows before it are imported")

    again = cli(whole)  # "copy it again": the whole file brings the rest, no one twice
    assert again.code == 0, again.text
    assert f"新增 {2002 - row}，更新 0" in again.out
    assert len(find_residents(station.ctx, query=ident(0)).residents) == 1


# --- headers, sheets, encodings: the advice of each message, followed ------------------------------


def test_a_roster_with_other_column_names_imports_with_the_map_the_message_shows(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "花名册.csv", [["1", "王建国", ident(7), "青溪村"]],
                     header=["序号", "名字", "证件号", "村"])

    run = refused(cli(path), "花名册.csv 前 10 行里找不到表头", "最像表头的是第 1 行：序号、名字、证件号、村")
    advice = re.search(r'--map "([^"]+)"', run.text).group(1)  # type: ignore[union-attr]

    mapped = cli(path, "--map", advice)
    assert mapped.code == 0, mapped.text
    assert ids(station, ident(7)) == ["王建国"]


def test_a_roster_below_row_ten_imports_once_the_rows_above_are_deleted(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    notes = [[f"说明第{i}行"] for i in range(10)]
    path = tmp_path / "花名册.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows([*notes, HEADER, person(8)])
    path.write_text(buf.getvalue(), encoding="utf-8")

    refused(cli(path), "如果表头在第 10 行以下，请删掉它上面多余的行")
    path.write_text(buf.getvalue().split("\r\n", 10)[10], encoding="utf-8")

    assert cli(path).code == 0
    assert ids(station, ident(8)) == [person(8)[1]]


def test_a_roster_on_the_second_worksheet_imports_once_that_sheet_is_moved_to_the_front(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["本表由村委会填写"])
    roster = book.create_sheet("花名册")
    roster.append(HEADER)
    roster.append(person(9))
    path = tmp_path / "花名册.xlsx"
    book.save(path)

    refused(cli(path), "花名册.xlsx 的第一个工作表“填表说明”", "把它拖到最前面")
    refused(cli(path, lang="en"), "the first worksheet, “填表说明”", "drag it to the front")
    book.move_sheet("花名册", offset=-1)
    book.save(path)

    assert cli(path).code == 0
    assert ids(station, ident(9)) == [person(9)[1]]


def test_a_wrong_encoding_given_is_refused_and_the_roster_imports_without_it(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "花名册.csv", [person(10)], encoding="gbk")

    refused(cli(path, "--encoding", "utf-8"), "花名册.csv 第 1 行按你给的 --encoding utf-8 读不出来",
            "请去掉 --encoding")

    assert cli(path).code == 0
    assert ids(station, ident(10)) == [person(10)[1]]


def test_a_gbk_line_pasted_into_a_utf8_roster_is_named_by_its_line_and_the_rest_imports_once_it_is_deleted(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    path = tmp_path / "花名册.csv"
    lines = [",".join(HEADER), ",".join(person(11)), ",".join(person(12)), ",".join(person(13))]
    path.write_bytes(("\r\n".join(lines[:3]) + "\r\n").encode() + (lines[3] + "\r\n").encode("gbk"))

    refused(cli(path), "花名册.csv 第 4 行有读不出来的字：文件前面是 UTF-8 编码", "请把第 4 行改正或删掉")
    assert ids(station, ident(11), ident(12)) == [person(11)[1], person(12)[1]]  # the rows before it are in
    path.write_bytes(("\r\n".join(lines[:3]) + "\r\n").encode())

    assert cli(path).code == 0


def test_an_excel_unicode_text_file_is_read_as_utf16(cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    path = tmp_path / "花名册.txt"
    path.write_bytes(("\t".join(HEADER) + "\r\n" + "\t".join(person(14)) + "\r\n").encode("utf-16"))

    assert cli(path).code == 0
    assert ids(station, ident(14)) == [person(14)[1]]


# --- huge and over-long cells -----------------------------------------------------------------------


def _huge_xlsx(tmp_path: Path, rows: list[list[str]]) -> Path:
    """A real workbook with 300,000-character cells (openpyxl cuts what it writes at Excel's 32,767, so the
    cells are put into the sheet's XML after saving, as another program could write them)."""
    book = write_xlsx(tmp_path / "placeholder.xlsx", rows)
    huge = {b"HUGE_ADDRESS": ("长" * 300_000).encode(), b"HUGE_NAME": ("王" * 300_000).encode()}

    def swap(xml: bytes) -> bytes:
        for mark, text in huge.items():
            xml = xml.replace(mark, text)
        return xml

    return rewrite_member(book, tmp_path / "花名册.xlsx", "xl/worksheets/sheet1.xml", swap)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_300_kb_name_or_address_rejects_its_row_in_plain_words_and_the_good_rows_are_imported(
        cli: Callable[..., Run], station: Any, tmp_path: Path, kind: str) -> None:
    rows = [person(20, 住址="HUGE_ADDRESS"), person(21, 姓名="HUGE_NAME"), person(22)]
    if kind == "csv":
        for row in rows:
            row[:] = [c.replace("HUGE_ADDRESS", "长" * 300_000).replace("HUGE_NAME", "王" * 300_000) for c in row]
        path = write_csv(tmp_path / "花名册.csv", rows)
    else:
        path = _huge_xlsx(tmp_path, rows)

    run = refused(cli(path), f"{path.name}：共 3 行，新增 1",
                  "第 2 行 孙一明：住址太长：有 300000 个字，最多只能 120 个字",
                  "第 3 行 " + "王" * 20 + "…：姓名太长：有 300000 个字，最多只能 20 个字")
    assert len(run.text) < 2000  # nothing is printed whole
    assert ids(station, ident(22), ident(20)) == [person(22)[1]]
    en = refused(cli(path, lang="en"), f"{path.name}: 3 rows", "row 2 孙一明: The address is too long: 300000 "
                 "characters, at most 120", "row 3 " + "王" * 20 + "…: The name is too long: 300000 characters")
    assert len(en.text) < 2000


# column -> (a value one character too long, the limit, the field as the message names it)
OVER_LONG = {
    "组": ("组" * 21, 20, "组"),
    "住址": ("址" * 121, 120, "住址"),
    "户号": ("户" * 41, 40, "户号"),
    "与户主关系": ("亲" * 11, 10, "与户主关系"),
    "所属村": ("村" * 41, 40, "所属村"),
    "联系电话": ("1" * 31, 30, "联系电话"),
    "户主姓名": ("户" * 41, 40, "户主姓名"),
    "标签": ("、".join(f"标签{i:02d}" for i in range(41)), 200, "标签"),
    "民族": ("族" * 11, 10, "民族"),
}


def test_each_over_long_field_rejects_its_row_with_the_field_and_the_limit_and_a_row_at_the_limits_is_kept_whole(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    header = [*HEADER, "户主姓名", "标签", "民族"]
    rows = []
    for n, (column, (value, _limit, _label)) in enumerate(OVER_LONG.items(), start=30):
        row = dict(zip(header, [*person(n), "", "", ""], strict=True))
        row[column] = value
        rows.append([row[h] for h in header])
    at_limit = dict(zip(header, [*person(50), "", "低保", "汉族"], strict=True))
    at_limit.update({"组": "组" * 20, "住址": "址" * 120, "户号": "户" * 40})
    rows.append([at_limit[h] for h in header])
    path = write_csv(tmp_path / "花名册.csv", rows, header=header)

    run = refused(cli(path), f"花名册.csv：共 {len(rows)} 行，新增 1，更新 0，无变化 0，未导入 {len(OVER_LONG)}")
    for row_no, (value, limit, label) in enumerate(OVER_LONG.values(), start=2):
        length = len(value)
        assert re.search(rf"第 {row_no} 行 \S+：{label}太长：有 {length} 个字，最多只能 {limit} 个字", run.out), (
            label, run.out)
    kept = get_resident(station.ctx, resident_id=find_residents(station.ctx, query=ident(50)).residents[0].id)
    assert (kept.resident.group, kept.resident.address) == ("组" * 20, "址" * 120)  # whole, not cut
    assert kept.household is not None and kept.household.household_no == "户" * 40
    en = refused(cli(path, lang="en"), "row 3 ", "The address is too long: 121 characters, at most 120")
    assert "The household number is too long: 41 characters, at most 40" in en.out


def test_a_household_made_from_group_and_head_that_would_be_too_long_asks_for_a_household_number_column(
        cli: Callable[..., Run], tmp_path: Path) -> None:
    header = ["姓名", "身份证号", "户主姓名", "所属村", "组"]
    path = write_csv(tmp_path / "花名册.csv", [["孙一明", ident(60), "户" * 30, "青溪村", "组" * 20]], header=header)

    refused(cli(path), "第 2 行 孙一明：这一行没有户号，按“组/户主姓名”编出的户号有 51 个字，超过了 40 个字",
            "加一列“户号”")


def test_a_control_character_in_a_roster_cell_rejects_its_row(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "花名册.csv", [person(61, 住址="青溪村\x002组"), person(62)])

    refused(cli(path), "新增 1", "第 2 行 孙二明：住址的第 4 个字是不能保存的控制字符（U+0000")


def test_a_quote_without_its_partner_swallowing_the_file_stops_at_its_row_and_imports_once_fixed(
        cli: Callable[..., Run], station: Any, tmp_path: Path) -> None:
    lines = [",".join(HEADER)] + [",".join(person(n)) for n in range(100, 105)]
    lines[3] = lines[3].replace("青溪村2组102号", '"青溪村2组102号')  # row 4: the quote never closes
    filler = [",".join(person(n)) for n in range(105, 105 + CSV_CELL_LIMIT // 40)]
    path = tmp_path / "花名册.csv"
    path.write_text("\r\n".join(lines + filler) + "\r\n", encoding="utf-8")

    refused(cli(path), f"花名册.csv 第 4 行有一格超过 {CSV_CELL_LIMIT} 个字", "少了一个配对的英文双引号",
            "检查第 4 行的引号")
    assert ids(station, ident(100), ident(101), ident(102)) == [person(100)[1], person(101)[1]]
    path.write_text("\r\n".join(lines + filler).replace('"青溪村2组102号', "青溪村2组102号") + "\r\n", encoding="utf-8")

    assert cli(path).code == 0
    assert ids(station, ident(102)) == [person(102)[1]]


def test_a_roster_with_many_long_unknown_columns_lists_thirty_of_them_each_shortened(
        cli: Callable[..., Run], tmp_path: Path) -> None:
    extra = [f"备注{i:02d}" + "长" * 1000 for i in range(40)]
    path = write_csv(tmp_path / "花名册.csv", [[*person(90), *[""] * 40]], header=[*HEADER, *extra])

    run = cli(path)

    assert run.code == 0, run.text
    line = next(x for x in run.out.splitlines() if x.startswith("未识别的列"))
    assert line.count("、") == 29 and line.endswith("……等共 40 列")
    assert "、" + (extra[1][:20] + "…") + "、" in line and len(line) < 1000
    assert cli(path, lang="en").out.count(" … 10 more") == 1


# --- the second process that reads large rosters ------------------------------------------------------


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every roster counts as large (read in the reader process), in chunks of two rows."""
    import app.services.imports as imports

    monkeypatch.setattr(imports, "BULK_ROWS", 0)
    monkeypatch.setattr(imports, "CHUNK", 2)


def test_a_300_kb_cell_read_in_the_reader_process_rejects_only_its_row(
        cli: Callable[..., Run], station: Any, tmp_path: Path, large: None) -> None:
    rows = [person(n) for n in range(70, 76)]
    rows[2][7] = "长" * 300_000
    path = write_csv(tmp_path / "花名册.csv", rows)

    refused(cli(path), "花名册.csv：共 6 行，新增 5", "第 4 行 孙三明：住址太长：有 300000 个字")
    assert len(ids(station, *(ident(n) for n in range(70, 76)))) == 5


def test_a_damaged_workbook_read_in_the_reader_process_is_reported_in_plain_words(
        cli: Callable[..., Run], station: Any, tmp_path: Path, large: None) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", [person(n) for n in range(200, 1200)])
    broken = rewrite_member(whole, tmp_path / "花名册.xlsx", "xl/worksheets/sheet1.xml", lambda x: x[:len(x) // 2])

    refused(cli(broken), "花名册.xlsx 读到第 ", "行时发现文件内容已损坏")
    assert ids(station, ident(200)) == [person(200)[1]]
    assert ids(station, ident(1199)) == []


def test_a_reader_process_that_dies_is_reported_with_the_file_and_what_to_do(tmp_path: Path) -> None:
    from app.services import imports

    path = write_csv(tmp_path / "花名册.csv", [person(80)])
    # A town the reader cannot use makes it fail with an error no roster rule knows (as a bug would).
    job = imports._ReadJob(path=path, mapping=None, encoding=None, town=None, fallback_village="V01",  # type: ignore[arg-type]
                           today=date(2026, 11, 23), chunk=2)

    with pytest.raises(DomainError) as caught:
        list(imports._chunks_from_child(job))

    assert caught.value.code == "import.reader_failed"
    text = app.messages.render(caught.value.code, caught.value.params)
    assert "读取 花名册.csv 的后台进程意外停止（AttributeError" in text and "交给镇技术人员" in text


# --- every message of the import ------------------------------------------------------------------------


def test_every_code_the_import_raises_has_words_in_both_languages() -> None:
    from app.services import rosters

    root = Path(app.__file__).parent
    source = "".join((root / f).read_text(encoding="utf-8") for f in ("services/rosters.py", "services/imports.py"))
    codes = set(re.findall(r'DomainError\(\s*"([a-z_.]+)"', source))
    codes |= {"import.not_a_roster", "import.encrypted", "import.content_is_xls", "import.content_is_html",
              "import.content_is_csv", "import.empty_file", "import.decode_failed", "import.decode_given"}
    assert len(codes) > 25
    for code in sorted(codes):
        assert code in app.messages.MESSAGES, code
        zh, en = app.messages.MESSAGES[code]
        assert re.search(r"[\u4e00-\u9fff]", zh) and en, code
    for kind in rosters._NAMED_KINDS | {"binary"}:
        assert f"import.not_a_roster.kind.{kind}" in app.messages.MESSAGES, kind
    for encoding, words in (("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gb18030", "GBK"), ("utf-16", "UTF-16")):
        for lang in app.messages.LANGS:
            text = app.messages.render("import.decode_failed", {"path": "a.csv", "line": 3, "encoding": encoding},
                                       lang)
            assert f"{words}" in text and encoding + " " not in text, text

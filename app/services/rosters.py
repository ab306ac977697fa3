"""Reading village rosters (花名册) as villages keep them: CSV in UTF-8 or GBK, or XLSX, with Chinese headers."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.domain.errors import DomainError

# Roster field -> the headers villages write for it (compared after removing spaces and brackets' content).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "居民姓名", "户成员姓名", "成员姓名"),
    "id_number": ("公民身份号码", "身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号码", "身份证件号码"),
    "gender": ("性别",),
    "birth_date": ("出生日期", "出生年月日"),
    "phone": ("联系电话", "手机号码", "手机号", "电话", "联系方式", "手机", "电话号码"),
    "village": ("所属村", "村", "村名", "行政村", "村社区", "所属村社区", "村委会"),
    "group": ("组", "村民小组", "小组", "所属组", "组别"),
    "address": ("住址", "地址", "家庭住址", "现住址", "居住地址"),
    "household_no": ("户号", "户编号", "户籍编号"),
    "head_name": ("户主姓名", "户主"),
    "relation": ("与户主关系", "关系", "家庭关系"),
    "tags": ("标签", "人员类别", "类别", "特殊人群", "人员类型"),
    "ethnicity": ("民族",),
}
FIELDS = tuple(HEADERS)
REQUIRED = ("name", "id_number")
_HEADER_SCAN_ROWS = 10


def _clean_header(text: str) -> str:
    out = []
    depth = 0
    for ch in str(text):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and not ch.isspace() and ch not in "*＊:：":
            out.append(ch)
    return "".join(out)


_LOOKUP = {_clean_header(h): field for field, names in HEADERS.items() for h in names}


@dataclass(frozen=True, slots=True)
class RosterRow:
    row_no: int  # as the user sees it in Excel (1-based, header and blank rows included)
    values: Mapping[str, str]
    id_was_number: bool  # Excel stored the ID as a number: its last digits are already lost


@dataclass(frozen=True, slots=True)
class Roster:
    columns: Mapping[str, int]  # field -> column index
    header_row: int
    unmapped: tuple[str, ...]  # headers we did not recognise (shown to the user)
    rows: Iterator[RosterRow]


def parse_mapping(text: str) -> dict[str, str]:
    """``列名=field,列名2=field2`` from the command line: headers of other rosters mapped to our fields."""
    mapping: dict[str, str] = {}
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        header, sep, field = part.partition("=")
        field = field.strip()
        if not sep or field not in FIELDS:
            raise DomainError("import.bad_mapping", part=part.strip(), fields="、".join(FIELDS))
        mapping[_clean_header(header)] = field
    return mapping


def open_roster(path: Path, *, mapping: Mapping[str, str] | None = None, encoding: str | None = None) -> Roster:
    """Open a roster and find its header row (rosters often have a title row or two above it)."""
    if not path.exists():
        raise DomainError("file.not_found", path=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw_rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        raw_rows = _csv_rows(path, encoding)
    elif suffix == ".xls":
        raise DomainError("import.xls_unsupported", path=path.name)
    else:
        raise DomainError("import.unknown_type", path=path.name)
    lookup = dict(_LOOKUP)
    lookup.update({_clean_header(k): v for k, v in (mapping or {}).items()})
    scanned: list[tuple[int, list[Any]]] = []
    for row_no, cells in raw_rows:
        scanned.append((row_no, cells))
        columns = _match_header(cells, lookup)
        if all(f in columns for f in REQUIRED):
            unmapped = tuple(str(c).strip() for i, c in enumerate(cells)
                             if str(c or "").strip() and i not in columns.values())
            return Roster(columns=columns, header_row=row_no, unmapped=unmapped,
                          rows=_data_rows(raw_rows, columns))
        if len(scanned) >= _HEADER_SCAN_ROWS:
            break
    raise DomainError("import.no_header", path=path.name, needed="姓名、公民身份号码（身份证号）")


def _match_header(cells: list[Any], lookup: Mapping[str, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        field = lookup.get(_clean_header(str(cell or "")))
        if field and field not in columns:
            columns[field] = i
    return columns


def _data_rows(raw_rows: Iterator[tuple[int, list[Any]]], columns: Mapping[str, int]) -> Iterator[RosterRow]:
    id_col = columns["id_number"]
    wanted = tuple(columns.items())
    for row_no, cells in raw_rows:
        width = len(cells)
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        values = {field: _cell_text(cells[i]) if i < width else "" for field, i in wanted}
        id_cell = cells[id_col] if id_col < width else None
        yield RosterRow(row_no=row_no, values=values, id_was_number=isinstance(id_cell, (int, float)))


def _cell_text(value: Any) -> str:
    if type(value) is str:  # every CSV cell, most XLSX cells
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl  # imported late: only XLSX rosters need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as e:
        raise DomainError("import.bad_xlsx", path=path.name) from e

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            sheet = book.worksheets[0]
            # Some exporters write a stale <dimension ref="A1"/>; read-only mode would trust it and stop
            # after the first row. Without it, openpyxl reads every row the sheet really has.
            sheet.reset_dimensions()
            for row_no, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield row_no, list(row)
        finally:
            book.close()

    return rows()


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as UTF-8, else GB18030 (a superset of GBK)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _csv_rows(path: Path, encoding: str | None) -> Iterator[tuple[int, list[Any]]]:
    with path.open("rb") as f:
        sample = f.read(1 << 20)
    enc = encoding or detect_encoding(sample)
    try:
        codecs.lookup(enc)
    except LookupError as e:
        raise DomainError("import.bad_encoding", encoding=enc) from e
    text = sample.decode(enc, errors="ignore")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with path.open("r", encoding=enc, newline="") as f:
            reader = csv.reader(f, dialect)
            row_no = 0
            try:
                # Count records, not lines: a quoted cell with a line break (an address typed with Alt+Enter)
                # is one row in Excel, and the row number must be the one the user finds there.
                for row in reader:
                    row_no += 1
                    yield row_no, list(row)
            except UnicodeDecodeError as e:
                raise DomainError("import.decode_failed", path=path.name, encoding=enc, line=reader.line_num) from e

    return rows()


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8-sig") -> None:
    """Write a roster-shaped CSV (used by the demo, tests and bench)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding=encoding)

"""Reading village rosters (花名册) as villages keep them: CSV in UTF-8 or GBK, or XLSX, with Chinese headers."""

from __future__ import annotations

import codecs
import csv
import io
import logging
import zipfile
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from app.domain.errors import DomainError
from app.domain.residents import excerpt

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
# The longest CSV cell read (in characters). The csv module's own limit (131,072) would stop the whole import at
# one long address; a cell this long is refused with its row and field by the record's rules instead. Longer
# than this is no roster's cell: it is nearly always a double quote without its partner, which turns the rest
# of the file into one cell, and stopping there keeps memory bounded however large the file.
CSV_CELL_LIMIT = 1 << 20
_SNIFF_BYTES = 4096
_log = logging.getLogger(__name__)

_RawRows = Generator[tuple[int, list[Any]], None, None]


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
    sheet: str | None = None
    if suffix in (".xlsx", ".xlsm"):
        raw_rows, sheet = _xlsx_rows(path)
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
            unmapped = tuple(excerpt(str(c).strip()) for i, c in enumerate(cells)
                             if str(c or "").strip() and i not in columns.values())
            return Roster(columns=columns, header_row=row_no, unmapped=unmapped,
                          rows=_data_rows(raw_rows, columns))
        if len(scanned) >= _HEADER_SCAN_ROWS:
            break
    raw_rows.close()
    raise _no_header(path, sheet, scanned)


def _no_header(path: Path, sheet: str | None, scanned: list[tuple[int, list[Any]]]) -> DomainError:
    """What the first rows hold, so that the user sees which names ``--map`` has to give."""
    filled = [(row_no, [excerpt(str(c).strip()) for c in cells if c is not None and str(c).strip()])
              for row_no, cells in scanned]
    best = max(filled, key=lambda r: len(r[1]), default=(0, []))
    if not best[1]:
        return DomainError("import.blank_start", path=path.name)
    shown = best[1][:12] + (["…"] if len(best[1]) > 12 else [])
    params = {"path": path.name, "row": best[0], "columns": "、".join(shown)}
    if sheet is None:
        return DomainError("import.no_header", **params)
    return DomainError("import.no_header_sheet", sheet=excerpt(sheet), **params)


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


# The first bytes of files people pick by mistake (or rename): what the message says the file really is.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"%PDF", "pdf"),
    (b"Rar!\x1a\x07", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"),
)
_CONTROL_BYTES = tuple(bytes([b]) for b in range(32) if b not in (9, 10, 13))
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")  # the stream a password-protected workbook keeps its key in


def _content_kind(head: bytes) -> str:
    """What the first bytes of a file say it is: a magic kind, ``html``, ``text``, ``binary`` or ``empty``."""
    if not head:
        return "empty"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    if sum(map(head.count, _CONTROL_BYTES)) > len(head) // 20:
        # Text in UTF-8 or GBK holds next to no control bytes, other files many. A stray NUL in a cell leaves it a
        # roster (that row is refused by the record's rules).
        return "binary"
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")) or (start.startswith(b"<") and b"<html" in start):
        return "html"
    return "text"


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(_SNIFF_BYTES)
    except OSError as e:
        raise DomainError("import.cannot_read", path=path.name, detail=e.strerror or type(e).__name__) from e


def _wrong_content(path: Path, kind: str) -> DomainError:
    """The file is not what its name says: say what it is and what to do with it."""
    params = {"path": path.name, "suffix": path.suffix}
    if kind == "empty":
        return DomainError("import.empty_file", **params)
    if kind == "ole2":
        return DomainError("import.encrypted" if _is_encrypted(path) else "import.content_is_xls", **params)
    if kind == "html":
        return DomainError("import.content_is_html", **params)
    if kind == "text":
        return DomainError("import.content_is_csv", **params)
    return DomainError("import.not_a_roster", kind=kind if kind in _NAMED_KINDS else "binary", **params)


_NAMED_KINDS = frozenset({"png", "jpeg", "gif", "pdf", "rar", "7z", "gzip", "word", "ods", "xlsb"})


def _is_encrypted(path: Path) -> bool:
    """A password-protected .xlsx is an OLE2 file holding an EncryptionInfo stream (an old .xls is not)."""
    with path.open("rb") as f:
        head = f.read(1 << 20)
        f.seek(max(0, path.stat().st_size - (1 << 20)))
        tail = f.read()
    return _ENCRYPTED_MARK in head or _ENCRYPTED_MARK in tail


def _zip_members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as z:
            return z.namelist()
    except OSError as e:
        raise DomainError("import.cannot_read", path=path.name, detail=e.strerror or type(e).__name__) from e
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        # The zip's table of contents is at its end: a file cut short (a copy that did not finish) loses it first.
        raise DomainError("import.xlsx_truncated", path=path.name, size=f"{path.stat().st_size / 1024:.1f} KB") from e


def _zip_kind(names: list[str]) -> str:
    """``workbook`` for an Excel workbook, else what else a zip can be (a Word file, an .ods …) or ``zip``."""
    if "word/document.xml" in names:
        return "word"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if any(n.startswith("xl/") for n in names):
        return "workbook"
    if "mimetype" in names and "content.xml" in names:
        return "ods"
    return "zip"


def _zip_problem(path: Path) -> DomainError | None:
    """Nothing for a zip that holds a workbook; else what it holds instead."""
    names = _zip_members(path)
    kind = _zip_kind(names)
    if kind == "workbook":
        return None
    if kind == "zip":
        files = [excerpt(n, 30) for n in names if not n.endswith("/")]
        shown = "、".join(files[:5]) + ("……" if len(files) > 5 else "")
        return DomainError("import.zip_not_roster", path=path.name, files=shown or "—")
    return DomainError("import.not_a_roster", path=path.name, kind=kind)


def _xlsx_rows(path: Path) -> tuple[_RawRows, str]:
    import openpyxl  # imported late: only XLSX rosters need it

    kind = _content_kind(_read_head(path))
    if kind != "zip":
        raise _wrong_content(path, kind)
    problem = _zip_problem(path)
    if problem is not None:
        raise problem  # a name that says .xlsx, a zip that is not a workbook
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as e:
        raise DomainError("import.cannot_read", path=path.name, detail=e.strerror or type(e).__name__) from e
    except MemoryError:
        raise
    except Exception as e:
        # A damaged part of a real zip: openpyxl fails with whatever its parser meets (KeyError, ValueError,
        # zlib.error, an XML ParseError, BadZipFile …). Each means the same to the user: the workbook is damaged.
        _log.debug("cannot open %s as a workbook", path.name, exc_info=True)
        raise DomainError("import.bad_xlsx", path=path.name) from e
    if not book.worksheets:
        book.close()
        raise DomainError("import.no_sheet", path=path.name)
    sheet = book.worksheets[0]

    def rows() -> _RawRows:
        row_no = 0
        try:
            # Some exporters write a stale <dimension ref="A1"/>; read-only mode would trust it and stop
            # after the first row. Without it, openpyxl reads every row the sheet really has.
            sheet.reset_dimensions()
            for row_no, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield row_no, list(row)
        except OSError as e:
            raise DomainError("import.read_failed", path=path.name, row=row_no + 1,
                              detail=e.strerror or type(e).__name__) from e
        except MemoryError:
            raise
        except Exception as e:
            # The sheet's XML breaks off or its compressed data is damaged (as above: any parser error).
            _log.debug("%s breaks off after row %d", path.name, row_no, exc_info=True)
            raise DomainError("import.xlsx_broken_at_row", path=path.name, row=row_no + 1) from e
        finally:
            book.close()

    return rows(), str(sheet.title)


_UTF8_EVIDENCE = 8  # Chinese characters read as UTF-8 before a bad byte: GBK text does not do that by chance


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as UTF-8, UTF-16 with its BOM, else GB18030 (a superset
    of GBK). A UTF-8 file with a few GBK bytes pasted in later stays UTF-8, so the import stops at the pasted
    line instead of blaming the first."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" (a .txt, tab-separated)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError as e:
        before = sample[:e.start].decode("utf-8", errors="ignore")
        if sum(ch >= "\u0800" for ch in before) >= _UTF8_EVIDENCE:
            return "utf-8"
        return "gb18030"


def _csv_rows(path: Path, encoding: str | None) -> _RawRows:
    try:
        with path.open("rb") as f:
            sample = f.read(1 << 20)
    except OSError as e:
        raise DomainError("import.cannot_read", path=path.name, detail=e.strerror or type(e).__name__) from e
    kind = _content_kind(sample[:_SNIFF_BYTES])
    if kind == "zip":
        raise _zip_problem(path) or DomainError("import.content_is_xlsx", path=path.name, suffix=path.suffix)
    if kind != "text":
        raise _wrong_content(path, kind)
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
    if csv.field_size_limit() < CSV_CELL_LIMIT:
        csv.field_size_limit(CSV_CELL_LIMIT)  # process-wide, and only ever raised: no other reader is hurt

    def rows() -> _RawRows:
        row_no = 0
        try:
            with path.open("rb") as f:
                reader = csv.reader(_text_lines(f, enc), dialect)
                # Count records, not lines: a quoted cell with a line break (an address typed with Alt+Enter)
                # is one row in Excel, and the row number must be the one the user finds there.
                for row in reader:
                    row_no += 1
                    yield row_no, list(row)
        except _BadBytes as e:
            raise DomainError("import.decode_given" if encoding else "import.decode_failed", path=path.name,
                              encoding=enc, line=e.line) from None
        except _LineTooLong:
            raise DomainError("import.csv_cell_too_big", path=path.name, row=row_no + 1, limit=CSV_CELL_LIMIT) from None
        except csv.Error as e:
            if "field larger" not in str(e):
                raise DomainError("import.read_failed", path=path.name, row=row_no + 1, detail=str(e)) from e
            raise DomainError("import.csv_cell_too_big", path=path.name, row=row_no + 1, limit=CSV_CELL_LIMIT) from e
        except OSError as e:
            raise DomainError("import.read_failed", path=path.name, row=row_no + 1,
                              detail=e.strerror or type(e).__name__) from e

    return rows()


class _BadBytes(Exception):
    """Bytes that are not the file's encoding, on ``line`` (1-based, as an editor counts lines)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _LineTooLong(Exception):
    """A line longer than any roster row (a file without line breaks, or garbage)."""


def _cut_at_line_end(text: str) -> int:
    """Where the last complete line of ``text`` ends (a final "\r" may be half of a "\r\n" split across blocks)."""
    return max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1)) + 1


def _count_lines(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _text_lines(f: BinaryIO, enc: str) -> Iterator[str]:
    """The file's lines (ends kept, split on "\r\n", "\r" or "\n" as ``open(newline="")`` does), decoded here
    rather than by a text reader: a text reader decodes a block ahead and fails before handing out the lines in
    front of a bad byte, which were then never imported. Every whole line before the bad one is handed out first;
    then ``_BadBytes`` says which line it is."""
    decoder = codecs.getincrementaldecoder(enc)()
    rest = ""
    done = 0
    for block in iter(lambda: f.read(1 << 16), b""):
        try:
            text = rest + decoder.decode(block)
        except UnicodeDecodeError as e:
            # ``e.object`` is what the decoder held back from the last block and this one; ``e.start`` is in it.
            text = rest + bytes(e.object[:e.start]).decode(enc, errors="ignore")
            whole = text[:max(text.rfind("\n"), text.rfind("\r")) + 1]
            yield from io.StringIO(whole, newline="")
            raise _BadBytes(done + _count_lines(whole) + 1) from None
        cut = _cut_at_line_end(text)
        whole, rest = text[:cut], text[cut:]
        done += _count_lines(whole)
        yield from io.StringIO(whole, newline="")  # splits in C
        if len(rest) > CSV_CELL_LIMIT:
            raise _LineTooLong
    try:
        rest += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _BadBytes(done + _count_lines(rest) + 1) from None  # the file ends inside a character
    yield from io.StringIO(rest, newline="")


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8-sig") -> None:
    """Write a roster-shaped CSV (used by the demo, tests and bench)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding=encoding)

"""A4 documents with platypus: the station's letterhead, wrapped paragraphs and tables whose header row
repeats on every page, and on each page the number, 补打 when reprinted, 作废 when voided, and "第 x 页 共 y 页"."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.printing.qr import draw_qr
from app.printing.watermark import VOID_RED, draw_void, fit, void_line
from app.services.paper import Letterhead, Stamp

# Chinese official documents: 37 mm top and 28 mm left margins (GB/T 9704); the ledger uses narrow ones.
PORTRAIT_MARGINS = (28 * mm, 26 * mm, 37 * mm, 25 * mm)  # left, right, top, bottom
LANDSCAPE_MARGINS = (14 * mm, 14 * mm, 20 * mm, 16 * mm)


@lru_cache(maxsize=8)
def styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13),
        "head_cell": ParagraphStyle("head_cell", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER),
        "station": ParagraphStyle("station", parent=base, fontSize=12, leading=16, alignment=TA_CENTER),
        "center_small": ParagraphStyle("center_small", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER,
                                spaceBefore=4, spaceAfter=10),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=2),
    }


def p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: a name or reason with "<" or "&" prints as typed). Full-width
    spaces keep their width (platypus would fold them into one space): leading ones indent the first line,
    inner ones become four no-break spaces each."""
    body = text.lstrip("\u3000")
    indent = len(text) - len(body)
    if indent:
        style = _indented(style, indent)
    return Paragraph(escape(body).replace("\n", "<br/>").replace("\u3000", "\u00a0" * 4), style)


@lru_cache(maxsize=32)
def _indented(style: ParagraphStyle, ems: int) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-indent{ems}", parent=style, firstLineIndent=ems * style.fontSize)


def letterhead(head: Letterhead, title: str, font: str) -> list[Flowable]:
    st = styles(font)
    out: list[Flowable] = [p(head.station_name, st["station"])]
    out += [p(line, st["center_small"]) for line in head.header_lines]
    out.append(p(title, st["title"]))
    return out


def grid(rows: Sequence[Sequence[str]], widths: Sequence[float], font: str, *, header: bool = True,
         label_column: bool = False) -> Table:
    """A bordered table of wrapped cells; its header row repeats when it breaks across pages."""
    st = styles(font)
    data = [[p(str(c), st["head_cell"] if header and i == 0 else st["cell"]) for c in row]
            for i, row in enumerate(rows)]
    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), font),  # else the table sets Helvetica, which would not be embedded
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
    if label_column:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.Color(0.94, 0.94, 0.94)))
    table.setStyle(TableStyle(style))
    return table


class QrFlowable(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """The case number as a QR code, right-aligned, with the number printed under it."""

    def __init__(self, data: str, size: float, font: str) -> None:
        super().__init__()
        self.data, self.size, self.font = data, size, font

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size + 12

    def draw(self) -> None:
        x = self.width - self.size
        draw_qr(self.canv, self.data, x, 12, self.size)
        self.canv.setFont(self.font, 8)
        self.canv.drawCentredString(x + self.size / 2, 3, self.data)


def _decorate(canvas: Canvas, page: int, total: int, head: Letterhead, stamp: Stamp, font: str) -> None:
    width, height = canvas._pagesize
    left, right = 20 * mm, width - 20 * mm
    canvas.saveState()
    canvas.setFont(font, 9)
    canvas.drawString(left, height - 14 * mm, f"编号：{stamp.number}")
    if stamp.reprint:
        canvas.setFont(font, 11)
        canvas.setFillColor(colors.Color(0.75, 0, 0))
        canvas.drawRightString(right, height - 14 * mm, f"【补打 COPY】 补打时间 {_moment(stamp.reprint_at or '')}")
        canvas.setFillColor(colors.black)
    if stamp.voided:  # every page of a voided document says so, across the page and at its head
        draw_void(canvas, font, left, 0, right - left, height)
        canvas.setFont(font, 11)
        canvas.setFillColor(VOID_RED)
        canvas.drawString(left, height - 20 * mm, fit(void_line(stamp.voided_at, stamp.void_reason), font, 11,
                                                      right - left))
        canvas.setFillColor(colors.black)
    canvas.setFont(font, 8.5)
    bottom = 10 * mm
    if head.footer:
        canvas.drawCentredString(width / 2, bottom + 12, head.footer[:70])
    canvas.drawString(left, bottom, f"{stamp.number}  {_moment(stamp.issued_at)}  {stamp.issued_by}")
    canvas.drawRightString(right, bottom, f"第 {page} 页 共 {total} 页")
    canvas.restoreState()


def _moment(iso: str) -> str:
    return iso.replace("T", " ")[:16]


def build(story: list[Flowable], *, head: Letterhead, stamp: Stamp, font: str, title: str,
          wide: bool = False, for_resident: bool = True, footer: bool = True) -> bytes:
    """Lay the story out on A4 (landscape when ``wide``) and return the PDF. A sheet that stays in the
    station or goes on a wall (``for_resident=False``) leaves out the station's footer, which speaks to the
    resident who takes the paper home about their case; so does a paper with no case (``footer=False``)."""
    if not (for_resident and footer):
        head = replace(head, footer="")
    buf = io.BytesIO()
    left, right, top, bottom = LANDSCAPE_MARGINS if wide else PORTRAIT_MARGINS
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4) if wide else A4, leftMargin=left, rightMargin=right,
                            topMargin=top, bottomMargin=bottom, title=title, author=head.station_name,
                            creator="StationDesk", initialFontName=font, invariant=True)

    class Numbered(Canvas):  # type: ignore[misc]
        """Keeps each page until the end, so every page can say how many there are."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("initialFontName", font)
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for n, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                _decorate(self, n, total, head, stamp, font)
                Canvas.showPage(self)
            Canvas.save(self)

    doc.build(story, canvasmaker=Numbered)
    return buf.getvalue()


def signature_block(labels: Sequence[str], font: str, width: float) -> Table:
    """Lines to sign on: "申请人（签字）：________  日期：____年__月__日"."""
    st = styles(font)
    rows = [[p(f"{label}：", st["body"]), p("", st["body"]), p("日期：　　　　年　　月　　日", st["body"])]
            for label in labels]
    table = Table(rows, colWidths=[width * 0.28, width * 0.32, width * 0.40], rowHeights=[14 * mm] * len(rows))
    table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("FONTNAME", (0, 0), (-1, -1), font),
                               ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return table


def gap(height: float = 4 * mm) -> Spacer:
    return Spacer(1, height)

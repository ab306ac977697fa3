"""打印测试页: a slip for the receipt printer and a page for the A4 printer, to see at a glance that the paper
width, the Chinese text, the margins and the QR code come out right — before a resident's receipt does."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.domain.documents import Paper
from app.printing.common import moment
from app.printing.fonts import font_name
from app.printing.qr import draw_qr
from app.printing.thermal import BODY, SMALL, TITLE, Slip
from app.printing.watermark import fit
from app.services.print_settings import PrinterCheck

TITLE_TEXT = "打印测试页"
SAMPLE = "中文测试：村站通便民服务站，受理回执、一次性告知单。English 0123456789 ￥12.50（全角、半角）"
FULL_WIDTH_DIGITS = "１２３４５６７８９０"
PER_LINE = {Paper.THERMAL_80: 24, Paper.THERMAL_58: 16}  # 汉字 a line at the body size (domain.md §8)


def _printer(check: PrinterCheck) -> str:
    return check.printer or "本机默认打印机"


def qr_text(check: PrinterCheck) -> str:
    return f"StationDesk 打印测试 {check.station_name} {moment(check.printed_at)}"


def _ruler(font: str, size: float, width: float) -> str:
    """Digits 1234567890 repeated for as many as fit on one line (each tenth a mark to count by)."""
    text = ""
    while stringWidth(text + str((len(text) + 1) % 10), font, size) <= width:
        text += str((len(text) + 1) % 10)
    return text


def render_receipt_check(check: PrinterCheck) -> bytes:
    """The receipt printer's slip, on its paper (80 or 58 mm): one line of exactly as many 汉字 as the paper
    holds, a ruler of digits, Chinese text, a QR code, and a rule to the printable edges."""
    font = font_name(check.font)
    paper = Paper(check.paper)
    slip = Slip(font=font, paper=paper, title=f"{TITLE_TEXT} {_printer(check)}")
    slip.text(check.station_name, size=10.5, align="center", bold=True)
    for line in check.header_lines:
        slip.text(line, size=SMALL, align="center")
    slip.gap(2)
    slip.text(TITLE_TEXT, size=TITLE, align="center", bold=True)
    slip.rule(dashed=False)
    slip.pair("打印机", _printer(check))
    slip.pair("纸宽", f"{paper.value}（每行 {PER_LINE[paper]} 个汉字）")
    slip.pair("时间", moment(check.printed_at))
    slip.pair("打印人", check.printed_by)
    slip.rule()
    per_line = PER_LINE[paper]
    slip.text(f"下面一行应正好 {per_line} 个字，不折行、不缺字：", size=SMALL)
    slip.text((FULL_WIDTH_DIGITS * 3)[:per_line])
    slip.text("每行能打的数字和字母：", size=SMALL)
    slip.text(_ruler(font, BODY, slip.width))
    slip.rule()
    slip.text(SAMPLE)
    slip.text("如果上面的字清楚、完整，没有方框或乱码，打印机就设置好了。", size=SMALL)
    slip.gap(3)
    slip.qr(qr_text(check))
    slip.text("用手机扫一扫：能读出“StationDesk 打印测试”，二维码就打得清楚。", size=SMALL, align="center")
    slip.rule(dashed=False)
    slip.text("右边或左边被切掉：请在打印机驱动里把纸宽设为 "
              f"{paper.value}、边距设为 0，或在打印设置里改选回执纸宽。", size=SMALL)
    if check.phone:
        slip.pair("咨询电话", check.phone, size=SMALL)
    return slip.pdf()


def render_a4_check(check: PrinterCheck) -> bytes:
    """The A4 printer's page: a frame 10 mm inside the paper's edge with a millimetre ruler (printed at "actual
    size" it measures true), the station and printer, sizes of Chinese text, and a QR code."""
    font = font_name(check.font)
    buf = io.BytesIO()
    width, height = A4
    c = Canvas(buf, pagesize=A4, initialFontName=font, invariant=True)
    c.setTitle(f"{TITLE_TEXT} {_printer(check)}")
    c.setAuthor(check.station_name)
    c.setCreator("StationDesk")
    inset = 10 * mm
    c.setLineWidth(0.8)
    c.rect(inset, inset, width - 2 * inset, height - 2 * inset)
    c.setLineWidth(0.4)
    for n in range(0, 101):  # a 100 mm ruler along the top edge of the frame, a tick each millimetre
        x = inset + 5 * mm + n * mm
        tick = 4 * mm if n % 10 == 0 else (2.5 * mm if n % 5 == 0 else 1.5 * mm)
        c.line(x, height - inset, x, height - inset - tick)
        if n % 10 == 0:
            c.setFont(font, 6)
            c.drawCentredString(x, height - inset - 7 * mm, str(n))
    c.setFont(font, 8)
    c.drawString(inset + 5 * mm, height - inset - 11 * mm, "（毫米）这把尺应正好 100 毫米长；外框离纸边 10 毫米。")
    left, y = 28 * mm, height - 48 * mm
    c.setFont(font, 12)
    c.drawCentredString(width / 2, y + 14 * mm, check.station_name)
    for n, line in enumerate(check.header_lines):
        c.setFont(font, 9.5)
        c.drawCentredString(width / 2, y + 8.5 * mm - n * 4.5 * mm, line)
    y -= 4 * mm * max(0, len(check.header_lines) - 1)
    c.setFont(font, 20)
    c.drawCentredString(width / 2, y - 4 * mm, f"A4 {TITLE_TEXT}")
    y -= 18 * mm
    rows = (("打印机", _printer(check)), ("纸张", "A4（210 × 297 毫米）"), ("时间", moment(check.printed_at)),
            ("打印人", check.printed_by), ("咨询电话", check.phone or "—"),
            ("监督电话", check.supervision_phone or "—"))
    for label, value in rows:
        c.setFont(font, 11)
        c.drawString(left, y, f"{label}：")
        c.drawString(left + 28 * mm, y, value)
        y -= 7 * mm
    y -= 4 * mm
    for size in (9, 11, 14, 18):
        c.setFont(font, size)
        c.drawString(left, y, fit(f"{size} 磅：{SAMPLE}", font, size, width - left - 26 * mm))
        y -= size * 1.6
    c.setFont(font, 11)
    y -= 4 * mm
    for line in ("如果字清楚、完整，没有方框或乱码，外框四边都打出来，尺量得正好 100 毫米，",
                 "这台打印机就设置好了。外框缺了一边或尺不准：打印时请选“实际大小”（不缩放）。"):
        c.drawString(left, y, line)
        y -= 7 * mm
    size = 30 * mm
    draw_qr(c, qr_text(check), width - 28 * mm - size, y - size - 4 * mm, size)
    c.setFont(font, 9)
    c.drawString(left, y - size / 2 - 4 * mm, "用手机扫右边的二维码：能读出“StationDesk 打印测试”，二维码就打得清楚。")
    c.setStrokeColor(colors.black)
    c.showPage()
    c.save()
    return buf.getvalue()


def render_printer_check(check: PrinterCheck) -> bytes:
    return render_a4_check(check) if check.paper == Paper.A4.value else render_receipt_check(check)

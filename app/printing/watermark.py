"""The 作废 (void) mark across a page: outlined, so the words under it stay readable, and on every page."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

VOID_WORDS = "作废 VOID"
VOID_RED = colors.Color(0.75, 0, 0)


def draw_void(canvas: Canvas, font: str, left: float, bottom: float, width: float, height: float) -> None:
    """``作废 VOID`` written diagonally across the box, as large as its width allows. Outlined in red (a thermal
    printer prints it black): the text under it can still be read, which a filled stamp would hide."""
    size = width / max(stringWidth(VOID_WORDS, font, 1.0), 1.0) * 0.8
    canvas.saveState()
    canvas.setStrokeColor(VOID_RED)
    canvas.setLineWidth(max(size / 40, 0.6))
    canvas.translate(left + width / 2, bottom + height / 2)
    canvas.rotate(30 if height >= width else 20)
    text = canvas.beginText()
    text.setFont(font, size)
    text.setTextRenderMode(1)  # stroke only
    text.setTextOrigin(-stringWidth(VOID_WORDS, font, size) / 2, -size / 3)
    text.textOut(VOID_WORDS)
    canvas.drawText(text)
    canvas.restoreState()


def void_line(voided_at: str | None, reason: str) -> str:
    when = (voided_at or "").replace("T", " ")[:16]
    return f"【作废 VOID】作废时间 {when}" + (f"　原因：{reason}" if reason else "")


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with … to fit ``width`` on one line (a long void reason on the page's head)."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"

"""A slip for a thermal printer: lines laid out first, then one page exactly as long as they are.

80 mm paper prints 72 mm (24 汉字 of 8.5 pt a line), 58 mm paper prints 48 mm (16 汉字). Text wraps
between any two 汉字 and between Latin words; closing punctuation hangs at the end of a line instead
of starting the next one. Nothing is ever cut: the slip grows in length.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.domain.documents import Paper
from app.printing.qr import draw_qr
from app.printing.watermark import draw_void

BODY = 8.5
SMALL = 7.5
TITLE = 12.0
LEADING = 1.35
_NO_LINE_START = set("，。、；：？！）》」』】〕,.;:?!)%·”’")
_PAPER = {Paper.THERMAL_80: (80 * mm, 4 * mm), Paper.THERMAL_58: (58 * mm, 5 * mm)}


def _width_of(font: str) -> Callable[[str, float], float]:
    cache: dict[str, float] = {}

    def width(ch: str, size: float) -> float:
        w = cache.get(ch)
        if w is None:
            w = cache[ch] = stringWidth(ch, font, 1.0)
        return w * size
    return width


_WIDTHS: dict[str, Callable[[str, float], float]] = {}


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (closing punctuation may hang past it)."""
    measure = _WIDTHS.get(font) or _WIDTHS.setdefault(font, _width_of(font))
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0.0
        word_start = 0  # where the current Latin word began in ``line`` (to move it down whole)
        for ch in para:
            w = measure(ch, size)
            if used + w > width and line and ch not in _NO_LINE_START:
                if ch.isascii() and ch != " " and 0 < word_start < len(line) and line[word_start - 1] == " ":
                    carry = line[word_start:]
                    lines.append(line[:word_start].rstrip())
                    line = carry
                    used = sum(measure(c, size) for c in line)
                else:
                    lines.append(line.rstrip())
                    line, used = "", 0.0
                    if ch == " ":
                        continue
            if not (ch.isascii() and ch != " "):
                word_start = len(line) + 1
            line += ch
            used += w
        lines.append(line.rstrip())
    return lines


@dataclass
class Slip:
    """Build a slip top to bottom (``text``, ``pair``, ``rule``, ``qr`` …), then ``pdf()`` draws it."""

    font: str
    paper: Paper
    title: str = ""
    void: bool = False  # a voided document: 作废 across the slip, every 80 mm of its length
    _ops: list[tuple[float, Callable[[Canvas, float], None]]] = field(default_factory=list)
    _texts: list[str] = field(default_factory=list)

    @property
    def page_width(self) -> float:
        return float(_PAPER[self.paper][0])

    @property
    def margin(self) -> float:
        return float(_PAPER[self.paper][1])

    @property
    def width(self) -> float:
        return self.page_width - 2 * self.margin

    def lines(self) -> list[str]:
        """Every line of text on the slip (for the bench's plain page of the same text)."""
        return list(self._texts)

    def _remember(self, text: str) -> None:
        self._texts.append(text)

    def text(self, text: str, *, size: float = BODY, align: str = "left", bold: bool = False,
             indent: float = 0.0) -> None:
        for line in wrap(text, self.font, size, self.width - indent):
            self._line(line, size, align, bold, indent)

    def _line(self, line: str, size: float, align: str, bold: bool, indent: float) -> None:
        self._remember(line)
        font, left, right = self.font, self.margin + indent, self.page_width - self.margin

        def draw(c: Canvas, y: float) -> None:
            t = c.beginText()
            t.setFont(font, size)
            if bold:
                t.setTextRenderMode(2)  # fill and stroke: the font has no bold face
                c.setLineWidth(size * 0.03)
            x = left
            if align == "center":
                x = (left + right - stringWidth(line, font, size)) / 2
            elif align == "right":
                x = right - stringWidth(line, font, size)
            t.setTextOrigin(x, y - size)
            t.textOut(line)
            c.drawText(t)
        self._ops.append((size * LEADING, draw))

    def pair(self, label: str, value: str, *, size: float = BODY, sep: str = "：", indent: float = 0.0) -> None:
        """``label：value``; a long value wraps under itself, not under the label (also "3. " list items)."""
        head = f"{label}{sep}"
        hang = indent + stringWidth(head, self.font, size)
        if hang > self.width * 0.45:
            self.text(head + value, size=size, indent=indent)
            return
        lines = wrap(value or "—", self.font, size, self.width - hang)
        self._line(head + lines[0], size, "left", False, indent)
        for line in lines[1:]:
            self._line(line, size, "left", False, hang)

    def item(self, n: int, text: str, *, size: float = BODY) -> None:
        """A numbered list line whose continuation lines start under the text, not under the number."""
        self.pair(f"{n}.", text, size=size, sep=" ", indent=6)

    def amount(self, label: str, amount: str, *, size: float = BODY, bold: bool = False) -> None:
        """A line with the amount flush right; a long label wraps on the left of it."""
        room = self.width - stringWidth(amount, self.font, size) - size
        lines = wrap(label, self.font, size, room)
        self._line(lines[0], size, "left", bold, 0)
        self._ops[-1] = (self._ops[-1][0], _with_right(self._ops[-1][1], amount, self.font, size,
                                                           self.page_width - self.margin))
        self._remember(amount)
        for line in lines[1:]:
            self._line(line, size, "left", bold, 0)

    def rule(self, *, dashed: bool = True) -> None:
        left, right = self.margin, self.page_width - self.margin

        def draw(c: Canvas, y: float) -> None:
            c.saveState()
            c.setLineWidth(0.6)
            if dashed:
                c.setDash(2, 2)
            c.line(left, y - 3, right, y - 3)
            c.restoreState()
        self._ops.append((6.0, draw))

    def gap(self, height: float = 4.0) -> None:
        self._ops.append((height, lambda c, y: None))

    def qr(self, data: str, *, size: float = 26 * mm) -> None:
        x = (self.page_width - size) / 2

        def draw(c: Canvas, y: float) -> None:
            draw_qr(c, data, x, y - size, size)
        self._ops.append((size, draw))

    def pdf(self) -> bytes:
        top, bottom = 5 * mm, 8 * mm  # the cutter sits a little below the last line
        height = top + sum(h for h, _ in self._ops) + bottom
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=(self.page_width, height), initialFontName=self.font, initialFontSize=BODY,
                   pageCompression=1, invariant=True)
        c.setTitle(self.title)
        c.setCreator("StationDesk")
        y = height - top
        for h, draw in self._ops:
            draw(c, y)
            y -= h
        if self.void:
            band = 80 * mm
            for n in range(max(1, round(height / band))):
                part = height / max(1, round(height / band))
                draw_void(c, self.font, self.margin, height - (n + 1) * part, self.width, part)
        c.showPage()
        c.save()
        return buf.getvalue()


def _with_right(draw: Callable[[Canvas, float], None], text: str, font: str, size: float,
                right: float) -> Callable[[Canvas, float], None]:
    def both(c: Canvas, y: float) -> None:
        draw(c, y)
        c.setFont(font, size)
        c.drawRightString(right, y - size, text)
    return both

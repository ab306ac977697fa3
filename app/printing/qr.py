"""A QR code drawn straight onto the canvas: reportlab's encoder, one filled path of merged module runs."""

from __future__ import annotations

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas


def qr_modules(data: str) -> list[list[bool]]:
    """The module matrix of ``data`` (error correction M: a smudged thermal print still reads)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    n = code.getModuleCount()
    return [[bool(code.isDark(r, c)) for c in range(n)] for r in range(n)]


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the code with its lower-left corner at (x, y), ``size`` points square, quiet zone included.

    One path of horizontal runs instead of a rectangle per module (reportlab's widget draws a shape per
    module through the graphics renderer, which costs several times the whole receipt)."""
    modules = qr_modules(data)
    n = len(modules)
    quiet = 2  # modules of white around the code (scanners want some; the paper margin adds more)
    cell = size / (n + 2 * quiet)
    path = canvas.beginPath()
    for r, row in enumerate(modules):
        top = y + size - (quiet + r) * cell
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(x + (quiet + start) * cell, top - cell, (c - start) * cell, cell)
            else:
                c += 1
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()

"""Paper at the counter: the issued document's preview, and printing it on the PC's printer through Qt.

The PDF comes from ``app.printing`` (made on the database thread); here it is only shown and printed.
QtPdf (PySide6-Addons) renders the pages; its page images are transparent, so each is drawn onto white
before it is shown or printed (domain.md §8). Printing goes through the printer's own Windows/CUPS driver
(QPrinter), so any receipt printer with a driver works, thermal or A4.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPoint, QRect, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.ui.i18n import tr

log = logging.getLogger(__name__)
MM_PER_POINT = 25.4 / 72
PREVIEW_WIDTH = 360  # pixels: an 80 mm receipt at about its printed size
STRIP_PIXELS = 48_000  # pixels per QtPdf render call (see _strips): a few ms each
MAX_PRINT_DPI = 600
FILE_DPI = 300  # printing to a PDF file


def _document(pdf: bytes) -> Any | None:
    """``pdf`` loaded in QtPdf (None when QtPdf is not installed); the buffer lives as long as the document."""
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError:
        log.info("QtPdf is not installed: no preview")
        return None
    document = QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return document


def _height(document: Any, n: int, width_px: int) -> int:
    """Page ``n``'s height in pixels when it is drawn ``width_px`` wide."""
    size = document.pagePointSize(n)
    return max(1, round(width_px * float(size.height()) / max(float(size.width()), 1.0)))


def _strips(document: Any, n: int, width_px: int) -> Iterator[tuple[int, QImage]]:
    """Page ``n`` drawn ``width_px`` wide, in horizontal strips on white: (top row, strip). QtPdf holds
    Python's lock while it draws, so a whole page in one call would freeze the window for as long (40 ms
    for a receipt preview, far more for an A4 page at a printer's resolution); a strip takes a few ms."""
    from PySide6.QtPdf import QPdfDocumentRenderOptions

    height = _height(document, n, width_px)
    rows = max(8, STRIP_PIXELS // max(width_px, 1))
    for top in range(0, height, rows):
        band = QSize(width_px, min(rows, height - top))
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(QSize(width_px, height))
        # One pixel more each way than the strip: QtPdf scales by (clip right − left) / strip width, and a
        # QRect's right is left + width − 1, so a clip the strip's own size would shrink it by a pixel.
        options.setScaledClipRect(QRect(QPoint(0, top), QSize(band.width() + 1, band.height() + 1)))
        rendered = document.render(n, band, options)
        strip = QImage(band, QImage.Format.Format_RGB32)
        strip.fill(QColor("white"))
        painter = QPainter(strip)
        painter.drawImage(0, 0, rendered)
        painter.end()
        yield top, strip


def _pages(document: Any, width_px: int) -> list[QImage]:
    pages = []
    for n in range(document.pageCount()):
        page = QImage(width_px, _height(document, n, width_px), QImage.Format.Format_RGB32)
        painter = QPainter(page)
        for top, strip in _strips(document, n, width_px):
            painter.drawImage(0, top, strip)
        painter.end()
        pages.append(page)
    return pages


def pdf_pages(pdf: bytes, width_px: int) -> list[QImage]:
    """Every page of ``pdf`` as an image ``width_px`` wide, on white. Empty when QtPdf is not there."""
    document = _document(pdf)
    return _pages(document, width_px) if document is not None else []


def print_pdf(pdf: bytes, *, printer_name: str = "", title: str = "", to_file: Path | None = None) -> str | None:
    """Prints every page at the printer's resolution, the page size taken from the PDF (80 mm receipts stay
    80 mm). Returns None when the job went to the printer, else the sentence saying what to do."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if to_file is not None:  # a PDF printer: used by the tests, and by staff who want a file
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(to_file))
    else:
        names = QPrinterInfo.availablePrinterNames()
        if not names:
            return tr("这台电脑没有装打印机。请装好打印机（或连接小票机）后再打印；单据已经生成，可以稍后补打。")
        if printer_name and printer_name not in names:
            return tr("找不到设置的打印机“{name}”。请检查打印机是否开着、连着，或在打印设置里改选；单据已经生成，"
                      "可以稍后补打。").format(name=printer_name)
        if printer_name:
            printer.setPrinterName(printer_name)
    printer.setDocName(title or "StationDesk")
    # A thermal printer has 203 dpi and a laser 600; a PDF printer or a driver saying 1200 would have each
    # page drawn at 25 million pixels, seconds of work for no sharper text.
    printer.setResolution(FILE_DPI if to_file is not None else min(printer.resolution(), MAX_PRINT_DPI))
    document = _document(pdf)
    if document is None or document.pageCount() == 0:
        return tr("这台电脑缺少打印组件（QtPdf），请联系镇技术人员；单据已经生成，可以稍后补打。")
    first = document.pagePointSize(0)
    size = (first.width() * MM_PER_POINT, first.height() * MM_PER_POINT)
    printer.setPageLayout(QPageLayout(QPageSize(QSizeF(*size), QPageSize.Unit.Millimeter),
                                      QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(printer):
        return tr("打印机没有响应。请检查打印机的电源、纸和连线后再打印；单据已经生成，可以稍后补打。")
    try:
        target = painter.viewport()
        for n in range(document.pageCount()):
            if n:
                printer.newPage()
            for top, strip in _strips(document, n, target.width()):  # never the whole page in memory
                painter.drawImage(target.left(), target.top() + top, strip)
    finally:
        painter.end()
    return None


class PaperPreview(QScrollArea):
    """The document as it will come out of the printer, page under page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paperPreview")
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._inner = QWidget()
        self._pages = QVBoxLayout(self._inner)
        self._pages.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._inner)
        self.page_count = 0

    def show_pages(self, pages: list[QImage]) -> None:
        """Pages already drawn (off the GUI thread, by ``pdf_pages``)."""
        while self._pages.count():
            item = self._pages.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.page_count = len(pages)
        if not pages:
            self._pages.addWidget(QLabel(tr("这台电脑不能预览 PDF（缺少 QtPdf 组件）；单据照样可以打印。")))
        for page in pages:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(page))
            label.setObjectName("paperPage")
            self._pages.addWidget(label)


class PaperOut:
    """Sends issued documents to the PC's printer on the devices thread: the first time the document itself,
    after that a 补打 copy under the same number (issued again on the database thread). A page with paper
    keeps one and says what happened through ``done`` and ``failed``."""

    def __init__(self, ctx: Any, runner: Any, devices: Any, *, done: Any, failed: Any, lang: str = "zh") -> None:
        self._ctx, self._runner, self._devices = ctx, runner, devices
        self._done, self._failed, self._lang = done, failed, lang
        self.printed: set[str] = set()  # numbers sent once: the next press prints a copy

    def print(self, issued: Any, actor: Any, *, to_file: Path | None = None) -> None:
        if issued.number not in self.printed:
            self._send(issued, to_file)
            return
        ctx, kind, number = self._ctx, issued.kind, issued.number

        def copy() -> Any:
            from app.printing.documents import issue  # on the database thread

            return issue(ctx, actor=actor, kind=kind, subject=number, reprint=True)

        self._runner.submit(copy, lambda again: self._send(again, to_file), self._error)

    def _send(self, paper: Any, to_file: Path | None) -> None:
        from app.services.documents import mark_printed

        ctx = self._ctx

        def sent(problem: str | None) -> None:
            if problem is not None:
                self._failed(problem)
                return
            self.printed.add(paper.number)
            number = paper.number
            self._runner.submit(lambda: mark_printed(ctx, number=number), lambda _: None, self._error)
            self._done(tr("{number} 已送到打印机。").format(number=number))

        self._devices.submit(lambda: print_pdf(paper.pdf, printer_name=paper.printer, title=paper.number,
                                               to_file=to_file), sent, self._error)

    def _error(self, error: BaseException) -> None:
        from app.ui.errors import message_for

        self._failed(message_for(error, self._lang))

"""Paper at the counter: the issued document's preview, and printing it on the PC's printer through Qt.

The PDF comes from ``app.printing`` (made on the database thread); here it is only shown and printed.
QtPdf (PySide6-Addons) renders the pages; its page images are transparent, so each is drawn onto white
before it is shown or printed (domain.md §8). Printing goes through the printer's own Windows/CUPS driver
(QPrinter), so any receipt printer with a driver works, thermal or A4.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.ui.i18n import tr

log = logging.getLogger(__name__)
MM_PER_POINT = 25.4 / 72
PREVIEW_WIDTH = 360  # pixels: an 80 mm receipt at about its printed size


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


def _pages(document: Any, width_px: int) -> list[QImage]:
    pages = []
    for n in range(document.pageCount()):
        size = document.pagePointSize(n)
        height = max(1, round(width_px * size.height() / max(size.width(), 1)))
        rendered = document.render(n, QSize(width_px, height))
        page = QImage(rendered.size(), QImage.Format.Format_RGB32)
        page.fill(QColor("white"))
        painter = QPainter(page)
        painter.drawImage(0, 0, rendered)
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
        for n, page in enumerate(_pages(document, target.width())):
            if n:
                printer.newPage()
            painter.drawImage(target.topLeft(), page)
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

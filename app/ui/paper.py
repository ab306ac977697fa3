"""Paper at the counter: the issued document's preview, and printing it on the PC's printer through Qt.

The PDF comes from ``app.printing`` (made on the database thread); here it is only shown and printed.
QtPdf (PySide6-Addons) renders the pages; its page images are transparent, so each is drawn onto white
before it is shown or printed (domain.md §8). Printing goes through the printer's own Windows/CUPS driver
(QPrinter), so any receipt printer with a driver works, thermal or A4. With no printer, a page can offer to
save the PDF in a folder instead (``SaveOffer``, ``PaperOut.save``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QObject,
    QPoint,
    QRect,
    QSettings,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QScrollArea, QVBoxLayout, QWidget

from app.ui.i18n import N_, tr

log = logging.getLogger(__name__)
MM_PER_POINT = 25.4 / 72
PREVIEW_WIDTH = 360  # pixels: an 80 mm receipt at about its printed size
STRIP_PIXELS = 48_000  # pixels per QtPdf render call (see _strips): a few ms each
MAX_PRINT_DPI = 600
FILE_DPI = 300  # printing to a PDF file
DONE_STYLE = "color: #1a7f37; font-weight: bold;"  # a paper's page saying where it went: the main news
SAVE_FOLDER_KEY = "paper/save_folder"  # UI state (ui-settings.ini): where the clerk last saved a PDF


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


class NoPrinter(str):
    """What ``print_pdf`` says when there is no printer to send to (none installed, or the one chosen is not
    there): the page that printed can offer to save the PDF in a folder instead."""


def print_pdf(pdf: bytes, *, printer_name: str = "", title: str = "", to_file: Path | None = None) -> str | None:
    """Prints every page at the printer's resolution, the page size taken from the PDF (80 mm receipts stay
    80 mm). Returns None when the job went to the printer, else the sentence saying what to do (a
    ``NoPrinter`` when there was no printer at all)."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if to_file is not None:  # a PDF printer: used by the tests, and by staff who want a file
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(to_file))
    else:
        names = QPrinterInfo.availablePrinterNames()
        if not names:
            return NoPrinter(tr("这台电脑没有装打印机。请装好打印机（或连接小票机）后再打印；"
                                "单据已经生成，可以稍后补打。"))
        if printer_name and printer_name not in names:
            return NoPrinter(tr("找不到设置的打印机“{name}”。请检查打印机是否开着、连着，或在打印设置里改选；"
                                "单据已经生成，可以稍后补打。").format(name=printer_name))
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

    def clear(self) -> None:
        """Nothing to show (an empty list)."""
        self._remove_pages()
        self.page_count = 0

    def _remove_pages(self) -> None:
        while self._pages.count():
            item = self._pages.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def show_pages(self, pages: list[QImage]) -> None:
        """Pages already drawn (off the GUI thread, by ``pdf_pages``)."""
        self._remove_pages()
        self.page_count = len(pages)
        if not pages:
            self._pages.addWidget(QLabel(tr("这台电脑不能预览 PDF（缺少 QtPdf 组件）；单据照样可以打印。")))
        for page in pages:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(page))
            label.setObjectName("paperPage")
            self._pages.addWidget(label)


KIND_NAMES: dict[str, str] = {  # DocumentKind value -> its name, through tr() where it is shown
    "receipt": N_("受理回执"), "notice": N_("一次性告知单"), "correction": N_("补正材料通知书"),
    "rejection": N_("不予受理告知书"), "payment": N_("收款收据"), "points-award": N_("积分奖励通知"),
    "redemption": N_("积分兑换单"), "form": N_("申请表"), "ledger": N_("办件台账"), "points-notice": N_("积分公示"),
    "points-statement": N_("积分对账单"), "day-close": N_("日结报表"),
}


def kind_name(kind: Any) -> str:
    """A document kind's name in the current language (``受理回执`` / "acceptance receipt")."""
    value = getattr(kind, "value", kind)
    return tr(KIND_NAMES.get(value, value))


def paper_name(paper: Any) -> str:
    """What a document is, for a button or a message: ``受理回执 QX01-SL2026-000001`` (or a paper's own title)."""
    title = getattr(paper, "title", None)
    if isinstance(title, str):
        return title
    return tr("{kind} {number}").format(kind=kind_name(paper.kind), number=paper.number)


class PaperOut:
    """Sends issued documents to the PC's printer on the devices thread: the first time the document itself,
    after that a 补打 copy under the same number (issued again on the database thread). A page with paper
    keeps one and says what happened through ``done`` and ``failed``.

    With ``no_printer`` given, a print that finds no printer calls it with the document and the sentence
    instead of ``failed``: the page offers to save the PDF in a folder (``SaveOffer``), then calls ``save``."""

    def __init__(self, ctx: Any, runner: Any, devices: Any, *, done: Any, failed: Any, lang: str = "zh",
                 no_printer: Any = None) -> None:
        self._ctx, self._runner, self._devices = ctx, runner, devices
        self._done, self._failed, self._lang = done, failed, lang
        self._no_printer = no_printer
        self.printed: set[str] = set()  # numbers sent once: the next press prints a copy

    def print(self, issued: Any, actor: Any, *, to_file: Path | None = None) -> None:
        if issued.number not in self.printed:
            self.send(issued, to_file)
            return
        ctx, kind, number = self._ctx, issued.kind, issued.number

        def copy() -> Any:
            from app.printing.documents import issue  # on the database thread

            return issue(ctx, actor=actor, kind=kind, subject=number, reprint=True)

        self._runner.submit(copy, lambda again: self.send(again, to_file), self._error)

    def send(self, paper: Any, to_file: Path | None = None) -> None:
        """``paper`` (an issued document) to its printer as it is; on success it leaves the reprint queue."""

        def sent(problem: str | None) -> None:
            if problem is not None:  # for support: which document, which printer, what it said
                log.info("print failed: document %s, printer %r: %s", paper.number, paper.printer or "(default)",
                         problem)
            if isinstance(problem, NoPrinter) and self._no_printer is not None:
                self._no_printer(paper, str(problem))
                return
            if problem is not None:
                self._failed(problem)
                return
            self._delivered(paper)
            self._done(tr("{number} 已送到打印机。").format(number=paper.number))

        self._devices.submit(lambda: print_pdf(paper.pdf, printer_name=paper.printer, title=paper.number,
                                               to_file=to_file), sent, self._error)

    def save(self, paper: Any, folder: Path) -> None:
        """``paper`` as a PDF file in ``folder`` (no printer here): it leaves the reprint queue like a print,
        and ``done`` says the file's full path."""
        from app.printing.spool import save_pdf

        name = paper.number + " " + kind_name(paper.kind)
        name += tr("（作废）") if getattr(paper, "voided", False) else (tr("（补打）") if paper.reprint else "")

        def saved(path: Path) -> None:
            self._delivered(paper)
            self._done(tr("{what} 已存为 PDF：{path}").format(what=paper_name(paper), path=path))

        self._devices.submit(lambda: save_pdf(paper.pdf, folder, name), saved, self._error)

    def _delivered(self, paper: Any) -> None:
        from app.services.documents import mark_printed

        ctx, number = self._ctx, paper.number
        self.printed.add(number)
        self._runner.submit(lambda: mark_printed(ctx, number=number), lambda _: None, self._error)

    def _error(self, error: BaseException) -> None:
        from app.ui.errors import message_for

        self._failed(message_for(error, self._lang))


class SaveOffer(QObject):
    """No printer: asks whether to save the document as a PDF, then which folder (opening where the last one
    was saved, remembered on this PC), and hands the folder on. Both windows are window-modal and open
    without a nested event loop; Enter saves, Esc does not."""

    folder_chosen = Signal(object, object)  # the document, the folder (Path)

    def __init__(self, parent: QWidget, settings_file: Path | None = None) -> None:
        super().__init__(parent)
        self._parent = parent
        self._settings = QSettings(str(settings_file), QSettings.Format.IniFormat) if settings_file else None
        self.box: QMessageBox | None = None
        self.folders: QFileDialog | None = None

    @property
    def last_folder(self) -> str:
        stored = self._settings.value(SAVE_FOLDER_KEY, "") if self._settings is not None else ""
        folder = str(stored or "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def offer(self, paper: Any, problem: str) -> None:
        text = problem + "\n\n" + tr("可以先把 {what} 存成 PDF 文件（存到 U 盘或文件夹），拿到有打印机的电脑上打印。"
                                       ).format(what=paper_name(paper))
        box = QMessageBox(QMessageBox.Icon.Warning, tr("没有打印机"), text, QMessageBox.StandardButton.NoButton,
                          self._parent)
        save = box.addButton(tr("存为 PDF…"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("不存"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.finished.connect(lambda _r: self._on_box_finished(box, save, paper))
        self.box = box
        box.open()

    def _on_box_finished(self, box: QMessageBox, save: Any, paper: Any) -> None:
        self.box = None
        if box.clickedButton() is save:
            self.ask_folder(paper)

    def ask_folder(self, paper: Any) -> None:
        """Only the folder (the clerk asked to save): ``folder_chosen`` follows when one is chosen."""
        dialog = QFileDialog(self._parent, tr("选择把 {what} 存到哪个文件夹").format(what=paper_name(paper)),
                             self.last_folder)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.fileSelected.connect(lambda chosen: self._on_folder_selected(paper, chosen))
        self.folders = dialog
        dialog.open()

    def _on_folder_selected(self, paper: Any, chosen: str) -> None:
        self.folders = None
        if not chosen:
            return
        if self._settings is not None:
            self._settings.setValue(SAVE_FOLDER_KEY, chosen)
            self._settings.sync()
        self.folder_chosen.emit(paper, Path(chosen))

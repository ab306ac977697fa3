"""Paper at the counter: accepting a case issues its numbered receipt, shown beside the summary; F10 prints
it through the PC's printer driver (a PDF printer here), and a second F10 prints a 补打 copy, same number."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinterInfo

from app.services.documents import list_documents
from tests.ui.test_counter import _choose_someone, _pick, _window


def _accept_s08(qtbot, counter, ctx) -> None:
    _choose_someone(qtbot, counter, ctx)
    _pick(qtbot, counter, "S08")
    qtbot.keyClick(counter.service.materials, Qt.Key.Key_F6)
    qtbot.keyClick(counter.service.accept_button, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: counter.service.print_button.isVisible(), timeout=10000)


def test_the_receipt_is_issued_with_its_number_and_previewed_and_f10_without_a_printer_says_what_to_do(
        qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    _accept_s08(qtbot, counter, demo_ctx)
    issued = counter.vm.paper
    assert issued is not None and issued.pdf.startswith(b"%PDF")
    assert counter.service.preview.page_count >= 1
    [doc] = list_documents(demo_ctx, case=counter._last_case.case.case_no)
    assert doc.number == issued.number and doc.printed_at is None  # in the reprint queue until printed
    if QPrinterInfo.availablePrinterNames():
        return  # this machine has a printer: the message below is for PCs without one
    window.activateWindow()
    counter.service.print_button.setFocus()
    qtbot.keyClick(counter.service.print_button, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: "没有装打印机" in counter.message.text(), timeout=10000)
    assert "稍后补打" in counter.message.text()


def test_printing_the_receipt_keeps_its_80_mm_paper_and_a_second_print_is_a_copy_under_the_same_number(
        qtbot, demo_ctx, runner, tmp_path):
    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    _accept_s08(qtbot, counter, demo_ctx)
    number = counter.vm.paper.number
    first = tmp_path / "first.pdf"
    with qtbot.waitSignal(counter.vm.printed, timeout=15000):
        counter.vm.print_paper(to_file=first)
    info = subprocess.run(["pdfinfo", str(first)], capture_output=True, text=True, check=True).stdout
    width_pt = float(info.split("Page size:")[1].split("x")[0])
    assert abs(width_pt - 80 / 25.4 * 72) < 3  # 80 mm wide, as the receipt was drawn
    qtbot.waitUntil(lambda: list_documents(demo_ctx, case=counter._last_case.case.case_no)[0].printed_at is not None,
                    timeout=5000)
    second = tmp_path / "second.pdf"
    with qtbot.waitSignal(counter.vm.printed, timeout=15000):
        counter.vm.print_paper(to_file=second)
    assert second.stat().st_size > 0
    [doc] = list_documents(demo_ctx, case=counter._last_case.case.case_no)
    assert doc.number == number and doc.reprints == 1  # no new number for the copy
    assert number in counter.hint.text()


def test_pages_drawn_in_strips_match_the_page_drawn_at_once(qtbot, demo_ctx, runner):
    """QtPdf draws a page in strips (it holds Python's lock while drawing); the strips must join without a
    seam or a shift: the result is the same picture as one whole-page render."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QPainter

    from app.ui.paper import _document, pdf_pages

    window = _window(qtbot, demo_ctx, runner)
    _accept_s08(qtbot, window.counter, demo_ctx)
    pdf = window.counter.vm.paper.pdf
    [stripped] = pdf_pages(pdf, 300)
    document = _document(pdf)
    whole = QImage(stripped.size(), QImage.Format.Format_RGB32)
    whole.fill(QColor("white"))
    painter = QPainter(whole)
    painter.drawImage(0, 0, document.render(0, QSize(stripped.width(), stripped.height())))
    painter.end()
    assert stripped.height() > 3 * 160  # tall enough for several strips at this width
    differ = sum(1 for y in range(0, whole.height(), 2) for x in range(0, whole.width(), 2)
                 if abs(QColor(whole.pixel(x, y)).value() - QColor(stripped.pixel(x, y)).value()) > 48)
    assert differ < 0.002 * (whole.width() * whole.height() / 4)
    assert sum(1 for y in range(0, whole.height(), 2) if QColor(stripped.pixel(150, y)).value() < 128) > 10


def test_a_station_that_prints_receipts_silently_sends_each_one_at_accept_without_f10(qtbot, demo_ctx, runner):
    from app.services.demo import DEMO_PASSWORD
    from app.services.print_settings import set_print_setting
    from app.services.staff import authenticate

    head = authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD)
    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    _accept_s08(qtbot, counter, demo_ctx)  # silent printing is off by default: nothing is sent
    qtbot.wait(500)
    assert counter.vm._out.printed == set() and "打印机" not in counter.message.text()

    set_print_setting(demo_ctx, actor=head, key="silent_receipts", value="是")
    printers = QPrinterInfo.availablePrinterNames()
    window.close()
    counter = _window(qtbot, demo_ctx, runner).counter
    _accept_s08(qtbot, counter, demo_ctx)
    assert counter.vm.paper is not None and counter.vm.paper.silent
    if printers:  # a machine with a printer: it went there
        qtbot.waitUntil(lambda: counter.vm.paper.number in counter.vm._out.printed, timeout=20000)
    else:  # none here: the plain message at once, and the receipt waits in the reprint queue
        qtbot.waitUntil(lambda: "没有装打印机" in counter.message.text(), timeout=20000)
        [doc] = list_documents(demo_ctx, case=counter._last_case.case.case_no)
        assert doc.printed_at is None

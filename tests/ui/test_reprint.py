"""Paper that waits, through real widgets and the keyboard: the reprint queue (系统 → Ctrl+Shift+P) takes the
focus and Enter prints the chosen document; a case's documents (Ctrl+Shift+B) reprint as 补打; a void's preview
says 作废; with no printer, print offers to save the PDF in a folder (remembered) and says the full path; the
print settings print a test page on each printer. The printer is a stand-in that keeps what it was sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from app.printing.documents import issue_receipt
from app.services.cases import accept_case
from app.services.demo import DEMO_PASSWORD
from app.services.documents import list_documents, mark_printed, void_document
from app.services.print_settings import print_template
from app.services.residents import find_residents
from app.services.staff import authenticate
from app.ui.documents import DocumentsDialog
from app.ui.print_setup import PrintSetupDialog
from tests.printing.pdfcheck import page_sizes_mm, squeezed
from tests.ui.test_system_menu import _window

TIMEOUT = 15000
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _receipt(ctx: Any, clerk: Any) -> tuple[str, str]:
    """An accepted S08 case and its receipt, never printed: (case number, document number)."""
    person = find_residents(ctx, query="zs").residents[0]
    item = ctx.catalog.item("S08")
    case = accept_case(ctx, actor=clerk, applicant_id=person.id, item_code="S08",
                       received_materials=[m.code for m in item.materials]).case
    return case.case_no, issue_receipt(ctx, actor=clerk, case_id=case.id).number


def _menu(qtbot: Any, ctx: Any, runner: Any, user: str = "xiaoli") -> tuple[Any, Any, Any]:
    window, menu = _window(qtbot, ctx, runner)
    actor = authenticate(ctx, username=user, password=DEMO_PASSWORD)
    menu.set_actor(actor)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    return window, menu, actor


def _dialog(qtbot: Any, window: Any, kind: type) -> Any:
    qtbot.waitUntil(lambda: window.findChild(kind) is not None and window.findChild(kind).isVisible(),
                    timeout=TIMEOUT)
    return window.findChild(kind)


def _listed(qtbot: Any, dialog: DocumentsDialog, number: str) -> None:
    qtbot.waitUntil(lambda: any(dialog.model.row(i).number == number for i in range(dialog.model.rowCount())),
                    timeout=TIMEOUT)
    dialog.table.selectRow(next(i for i in range(dialog.model.rowCount()) if dialog.model.row(i).number == number))
    qtbot.waitUntil(lambda: dialog.vm.preview_shown is not None and dialog.vm.preview_shown.number == number,
                    timeout=TIMEOUT)


def test_ctrl_shift_p_lists_the_documents_not_yet_printed_and_enter_prints_the_one_named_on_the_button(
        qtbot, demo_ctx, runner, printer):
    window, _, clerk = _menu(qtbot, demo_ctx, runner)
    _, number = _receipt(demo_ctx, clerk)
    qtbot.keyClick(window, Qt.Key.Key_P, CTRL_SHIFT)
    dialog = _dialog(qtbot, window, DocumentsDialog)
    qtbot.waitUntil(dialog.table.hasFocus, timeout=TIMEOUT)  # the list takes the focus: ↑↓ and Enter at once
    _listed(qtbot, dialog, number)
    assert "待打印" in dialog.windowTitle()
    assert dialog.print_button.text().startswith(f"打印 受理回执 {number}")  # itself: nothing was on paper yet
    assert dialog.preview.page_count >= 1
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(printer.sent) == 1, timeout=TIMEOUT)
    assert "补打" not in squeezed(printer.sent[0][1]) and number in squeezed(printer.sent[0][1])
    qtbot.waitUntil(lambda: "已送到打印机" in dialog.status.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: all(dialog.model.row(i).number != number for i in range(dialog.model.rowCount())),
                    timeout=TIMEOUT)  # printed: it left the queue
    assert number not in {d.number for d in list_documents(demo_ctx, unprinted=True)}
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)


def test_a_cases_documents_reprint_as_buda_copies_under_the_same_number(qtbot, demo_ctx, runner, printer):
    window, _, clerk = _menu(qtbot, demo_ctx, runner)
    case_no, number = _receipt(demo_ctx, clerk)
    mark_printed(demo_ctx, number=number)  # handed to the resident at the counter
    qtbot.keyClick(window, Qt.Key.Key_B, CTRL_SHIFT)
    dialog = _dialog(qtbot, window, DocumentsDialog)
    qtbot.waitUntil(dialog.case.hasFocus, timeout=TIMEOUT)  # no case chosen on a page: its number is asked
    qtbot.keyClicks(dialog.case, case_no)
    qtbot.keyClick(dialog.case, Qt.Key.Key_Return)
    assert dialog.table.hasFocus()
    _listed(qtbot, dialog, number)
    assert case_no in dialog.windowTitle()
    assert dialog.print_button.text().startswith(f"补打 受理回执 {number}")
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(printer.sent) == 1, timeout=TIMEOUT)
    text = squeezed(printer.sent[0][1])
    assert "【补打COPY】" in text and number in text and case_no in text
    qtbot.waitUntil(lambda: list_documents(demo_ctx, case=case_no)[0].reprints == 1, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "补打 1 次" in dialog.model.data(dialog.model.index(0, 1)), timeout=TIMEOUT)


def test_a_voided_receipts_preview_and_copy_say_void(qtbot, demo_ctx, runner, printer):
    _, menu, clerk = _menu(qtbot, demo_ctx, runner)
    case_no, number = _receipt(demo_ctx, clerk)
    void_document(demo_ctx, actor=clerk, number=number, reason="打错了人")
    dialog = menu.show_case_documents(case_no)
    _listed(qtbot, dialog, number)
    shown = dialog.vm.preview_shown
    assert shown.voided and "作废VOID" in squeezed(shown.pdf) and "打错了人" in squeezed(shown.pdf)
    assert "（作废）" in dialog.preview_label.text()
    assert dialog.model.data(dialog.model.index(0, 1)) == "已作废"
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(printer.sent) == 1, timeout=TIMEOUT)
    assert "作废VOID" in squeezed(printer.sent[0][1])


def _choose_folder(qtbot: Any, window: Any, folder: Path) -> None:
    """The folder dialog, by the keyboard: the folder's path in its name field, then Enter."""
    qtbot.waitUntil(lambda: any(isinstance(w, QFileDialog) and w.isVisible() for w in QApplication.topLevelWidgets()),
                    timeout=TIMEOUT)
    chooser = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible())
    name = chooser.findChild(QLineEdit, "fileNameEdit")
    name.setFocus()
    name.setText(str(folder))  # typed whole (key by key, the completer turns "/" into quoted parts)
    qtbot.keyClick(name, Qt.Key.Key_Return)


def test_with_no_printer_print_offers_to_save_the_pdf_in_a_folder_it_remembers_and_says_the_full_path(
        qtbot, demo_ctx, runner, no_printer, tmp_path):
    window, menu, clerk = _menu(qtbot, demo_ctx, runner)
    _, number = _receipt(demo_ctx, clerk)
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    dialog = menu.show_queue()
    _listed(qtbot, dialog, number)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.offer.box is not None and dialog.offer.box.isVisible(), timeout=TIMEOUT)
    assert "没有装打印机" in dialog.offer.box.text() and number in dialog.offer.box.text()
    qtbot.keyClick(dialog.offer.box, Qt.Key.Key_Return)  # the default: 存为 PDF…
    _choose_folder(qtbot, window, stick)
    saved = stick / f"{number} 受理回执.pdf"
    qtbot.waitUntil(saved.exists, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: str(saved) in dialog.status.text(), timeout=TIMEOUT)  # where, in full
    assert number in squeezed(saved.read_bytes())
    qtbot.waitUntil(lambda: number not in {d.number for d in list_documents(demo_ctx, unprinted=True)},
                    timeout=TIMEOUT)  # delivered as a file: it left the queue
    assert dialog.offer.last_folder == str(stick)  # the next save opens there (ui-settings.ini)

    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    _, second = _receipt(demo_ctx, clerk)
    again = menu.show_queue()
    _listed(qtbot, again, second)
    assert again.offer.last_folder == str(stick)  # remembered across dialogs, on this PC
    qtbot.keyClick(again.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: again.offer.box is not None and again.offer.box.isVisible(), timeout=TIMEOUT)
    qtbot.keyClick(again.offer.box, Qt.Key.Key_Escape)  # 不存: nothing written, still waiting
    qtbot.wait(200)
    assert not list(stick.glob(f"{second}*"))
    assert second in {d.number for d in list_documents(demo_ctx, unprinted=True)}


def test_ctrl_s_saves_a_copy_in_the_folder_and_a_folder_that_cannot_be_written_is_said_in_words(
        qtbot, demo_ctx, runner, printer, tmp_path):
    window, menu, clerk = _menu(qtbot, demo_ctx, runner)
    _, number = _receipt(demo_ctx, clerk)
    dialog = menu.show_queue()
    _listed(qtbot, dialog, number)
    qtbot.keyClick(dialog.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    _choose_folder(qtbot, window, tmp_path)
    qtbot.waitUntil(lambda: (tmp_path / f"{number} 受理回执.pdf").exists(), timeout=TIMEOUT)
    dialog.vm.save(dialog.vm.preview_shown, tmp_path / "gone")  # a stick pulled out before the file was written
    qtbot.waitUntil(lambda: "不能存到文件夹" in dialog.status.text(), timeout=TIMEOUT)
    assert str(tmp_path / "gone") in dialog.status.text()


def test_each_printer_setting_prints_its_test_page_and_only_the_head_saves(qtbot, demo_ctx, runner, printer,
                                                                           monkeypatch):
    monkeypatch.setattr("app.ui.print_setup.installed_printers", lambda: ["XP-80C", "HP LaserJet"])
    _, menu, _ = _menu(qtbot, demo_ctx, runner)
    dialog = menu.show_print_setup()
    assert isinstance(dialog, PrintSetupDialog)
    qtbot.waitUntil(lambda: dialog.receipt_printer.count() == 3, timeout=TIMEOUT)
    assert not dialog.save_button.isEnabled() and "站长" in dialog.who.text()
    dialog.receipt_printer.setFocus()
    qtbot.keyClick(dialog.receipt_printer, Qt.Key.Key_Down)  # 本机默认打印机 → XP-80C
    assert dialog.receipt_printer.currentData() == "XP-80C"
    qtbot.keyClick(dialog.receipt_printer, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(printer.sent) == 1, timeout=TIMEOUT)
    name, pdf = printer.sent[0]
    assert name == "XP-80C" and round(page_sizes_mm(pdf)[0][0]) == 80
    assert "打印测试页" in squeezed(pdf) and "XP-80C" in squeezed(pdf)
    qtbot.waitUntil(lambda: "测试页已送到打印机“XP-80C”" in dialog.status.text(), timeout=TIMEOUT)
    qtbot.keyClick(dialog.receipt_printer, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(printer.sent) == 2, timeout=TIMEOUT)
    assert [round(x) for x in page_sizes_mm(printer.sent[1][1])[0]] == [210, 297]
    assert "本机默认打印机" in squeezed(printer.sent[1][1])
    qtbot.keyClick(dialog.receipt_printer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)

    menu.set_actor(authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD))
    head_dialog = menu.show_print_setup()
    qtbot.waitUntil(lambda: head_dialog.save_button.isEnabled(), timeout=TIMEOUT)
    head_dialog.a4_printer.setCurrentIndex(head_dialog.a4_printer.findData("HP LaserJet"))
    qtbot.keyClick(head_dialog.a4_printer, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已保存" in head_dialog.status.text(), timeout=TIMEOUT)
    assert print_template(demo_ctx).a4_printer == "HP LaserJet"
    assert print_template(demo_ctx).receipt_printer == ""  # what was not changed stays


def test_a_test_page_with_no_printer_is_offered_as_a_pdf(qtbot, demo_ctx, runner, no_printer, tmp_path, monkeypatch):
    monkeypatch.setattr("app.ui.print_setup.installed_printers", lambda: [])
    window, menu, _ = _menu(qtbot, demo_ctx, runner)
    dialog = menu.show_print_setup()
    qtbot.waitUntil(lambda: "没有装打印机" in dialog.status.text(), timeout=TIMEOUT)
    qtbot.keyClick(dialog.receipt_printer, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.offer.box is not None and dialog.offer.box.isVisible(), timeout=TIMEOUT)
    qtbot.keyClick(dialog.offer.box, Qt.Key.Key_Return)
    _choose_folder(qtbot, window, tmp_path)
    saved = tmp_path / "打印测试页 小票.pdf"
    qtbot.waitUntil(saved.exists, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: str(saved) in dialog.status.text(), timeout=TIMEOUT)


def test_the_paper_dialogs_in_english_say_their_own_words_in_english(qtbot, demo_ctx, runner, printer, monkeypatch):
    from app.ui import i18n
    from tests.ui.test_i18n import CJK, _own_words

    monkeypatch.setattr("app.ui.print_setup.installed_printers", lambda: ["XP-80C"])
    i18n.use_language("en")
    try:
        _, menu, clerk = _menu(qtbot, demo_ctx, runner)
        menu.lang = "en"
        _, number = _receipt(demo_ctx, clerk)
        dialog = menu.show_queue()
        _listed(qtbot, dialog, number)
        words = [*_own_words(dialog), dialog.windowTitle(), dialog.heading.text()]
        words += [dialog.model.headerData(n, Qt.Orientation.Horizontal) for n in range(dialog.model.columnCount())]
        assert f"Print acceptance receipt {number}  Enter" in words
        assert [w for w in words if CJK.search(w)] == []
        assert dialog.model.data(dialog.model.index(0, 2)) == "acceptance receipt"
        qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
        setup = menu.show_print_setup()
        qtbot.waitUntil(lambda: setup.receipt_printer.count() == 2, timeout=TIMEOUT)
        words = [*_own_words(setup), setup.windowTitle(), setup.who.text(), setup.status.text()]
        assert "Test page: receipt printer  Alt+1" in words
        assert [w for w in words if CJK.search(w)] == []
    finally:
        i18n.use_language("zh")

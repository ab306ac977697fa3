"""打印设置: which printer takes the receipts and which the A4 forms, the receipt paper's width, silent
receipts — and a 打印测试页 for each printer, so the station sees its paper come out right before a resident's.

Keys: Tab between the fields · Alt+1 test page on the receipt printer · Alt+2 on the A4 printer · Ctrl+S save
(the station head) · Esc close. Printers are asked for and test pages printed off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.staff import Actor, Permission
from app.services.print_settings import PrintTemplate
from app.ui.errors import message_for
from app.ui.i18n import tr
from app.ui.paper import DONE_STYLE, NoPrinter, SaveOffer, print_pdf
from app.ui.tasks import TaskRunner

DEFAULT_PRINTER = ""  # the setting's value for "the PC's default printer"


def installed_printers() -> list[str]:
    """The printers this PC knows (on the devices thread: a spooler may take a while to answer)."""
    from PySide6.QtPrintSupport import QPrinterInfo

    return list(QPrinterInfo.availablePrinterNames())


class PrinterCheckPaper:
    """A test page on its way: the PDF, which printer, for the messages and for saving it instead."""

    def __init__(self, which: str, printer: str, pdf: bytes) -> None:
        self.which, self.printer, self.pdf = which, printer, pdf
        self.title = tr("小票打印机的测试页") if which == "receipt" else tr("A4 打印机的测试页")


def _test_page(ctx: Any, actor: Actor, which: str, printer: str, paper: str | None) -> PrinterCheckPaper:
    from app.printing.printer_check import render_printer_check
    from app.services.print_settings import printer_check

    return PrinterCheckPaper(which, printer, render_printer_check(
        printer_check(ctx, actor=actor, which=which, printer=printer, paper=paper)))


class PrintSetupViewModel(QObject):
    loaded = Signal(object, object)  # PrintTemplate, the installed printers (list[str])
    saved = Signal(object)  # PrintTemplate
    done = Signal(str)
    failed = Signal(str)
    no_printer = Signal(object, str)  # PrinterCheckPaper, the sentence

    def __init__(self, ctx: Any, runner: TaskRunner, actor: Actor, *, devices: TaskRunner | None = None,
                 lang: str = "zh") -> None:
        super().__init__()
        self._ctx, self._runner, self._devices, self.actor, self.lang = ctx, runner, devices or runner, actor, lang

    def load(self) -> None:
        from app.services.print_settings import print_template

        ctx = self._ctx
        self._runner.submit(lambda: print_template(ctx), self._on_template, self._error)

    def _on_template(self, template: PrintTemplate) -> None:
        self._devices.submit(installed_printers, lambda names: self.loaded.emit(template, names), self._error)

    def save(self, values: dict[str, str]) -> None:
        """Each changed setting (station head); the settings as stored come back through ``saved``."""
        from app.services.print_settings import set_print_setting

        ctx, actor = self._ctx, self.actor

        def store() -> PrintTemplate:
            from app.services.print_settings import print_template

            template = print_template(ctx)
            for key, value in values.items():
                if value != _value_of(template, key):
                    template = set_print_setting(ctx, actor=actor, key=key, value=value)
            return template

        self._runner.submit(store, self.saved.emit, self._error)

    def test_page(self, which: str, printer: str, paper: str | None = None) -> None:
        """The test page drawn on the database thread (where the printing code loads), printed on the devices
        thread on ``printer`` ("" = the PC's default printer)."""
        ctx, actor = self._ctx, self.actor
        self._runner.submit(lambda: _test_page(ctx, actor, which, printer, paper), self._send, self._error)

    def _send(self, page: PrinterCheckPaper) -> None:
        def sent(problem: str | None) -> None:
            if isinstance(problem, NoPrinter):
                self.no_printer.emit(page, str(problem))
            elif problem is not None:
                self.failed.emit(problem)
            else:
                self.done.emit(tr("测试页已送到打印机“{printer}”。请看纸上的说明：字完整、二维码扫得出，就设置好了。")
                               .format(printer=page.printer or tr("本机默认打印机")))

        self._devices.submit(lambda: print_pdf(page.pdf, printer_name=page.printer, title=tr("打印测试页")), sent,
                             self._error)

    def save_test_page(self, page: PrinterCheckPaper, folder: Path) -> None:
        from app.printing.spool import save_pdf

        name = tr("打印测试页") + " " + (tr("小票") if page.which == "receipt" else "A4")
        self._devices.submit(lambda: save_pdf(page.pdf, folder, name),
                             lambda path: self.done.emit(tr("测试页已存为 PDF：{path}").format(path=path)), self._error)

    def _error(self, error: BaseException) -> None:
        self.failed.emit(message_for(error, self.lang))


def _value_of(t: PrintTemplate, key: str) -> str:
    if key == "silent_receipts":
        return "yes" if t.silent_receipts else "no"
    return str(getattr(t, key))


class PrintSetupDialog(QDialog):
    def __init__(self, vm: PrintSetupViewModel, parent: QWidget | None = None, *,
                 settings_file: Path | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("printSetup")
        self.setWindowTitle(tr("打印设置和测试页"))
        head = vm.actor.can(Permission.STATION_ADMIN)
        self.receipt_printer = QComboBox()
        self.receipt_printer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.receipt_paper = QComboBox()
        for value in ("80mm", "58mm"):
            self.receipt_paper.addItem(value, value)
        self.a4_printer = QComboBox()
        self.a4_printer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.silent = QCheckBox(tr("受理后直接打印回执（不用按 F10）"))
        self.receipt_test = QPushButton(tr("打印测试页：小票打印机　Alt+1"))
        self.a4_test = QPushButton(tr("打印测试页：A4 打印机　Alt+2"))
        self.save_button = QPushButton(tr("保存设置　Ctrl+S"))
        self.close_button = QPushButton(tr("关闭　Esc"))
        for b in (self.receipt_test, self.a4_test, self.save_button, self.close_button):
            b.setAutoDefault(False)
        for field in (self.receipt_printer, self.receipt_paper, self.a4_printer, self.silent, self.save_button):
            field.setEnabled(False)  # until the settings are in (and for a clerk, for good)
        self.who = QLabel("" if head else tr("只有站长可以修改打印设置；测试页谁都可以打。"))
        self.who.setWordWrap(True)
        self.status = QLabel(tr("正在读取打印机…"))
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.offer = SaveOffer(self, settings_file)
        self._head = head

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel(tr("小票打印机")), 0, 0)
        grid.addWidget(self.receipt_printer, 0, 1)
        grid.addWidget(self.receipt_test, 0, 2)
        grid.addWidget(QLabel(tr("回执纸宽")), 1, 0)
        grid.addWidget(self.receipt_paper, 1, 1)
        grid.addWidget(QLabel(tr("A4 打印机")), 2, 0)
        grid.addWidget(self.a4_printer, 2, 1)
        grid.addWidget(self.a4_test, 2, 2)
        grid.addWidget(self.silent, 3, 1, 1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.who)
        layout.addWidget(self.status, 1)
        layout.addLayout(buttons)

        QShortcut(QKeySequence("Alt+1"), self, self.receipt_test.click)
        QShortcut(QKeySequence("Alt+2"), self, self.a4_test.click)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save_button.click)
        self.receipt_test.clicked.connect(self._on_receipt_test_clicked)
        self.a4_test.clicked.connect(self._on_a4_test_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self.reject)
        vm.loaded.connect(self._on_vm_loaded)
        vm.saved.connect(self._on_vm_saved)
        vm.done.connect(self._on_vm_done)
        vm.failed.connect(self._on_vm_failed)
        vm.no_printer.connect(self.offer.offer)
        self.offer.folder_chosen.connect(self.vm.save_test_page)

    def open_here(self) -> None:
        self.vm.load()
        screen = (self.parentWidget() or self).screen().availableGeometry()
        hint = self.sizeHint()
        self.resize(min(max(1000, hint.width() + 40), screen.width() - 40),
                    min(hint.height() + 40, screen.height() - 60))
        self.open()
        self.receipt_test.setFocus()  # the fields wait for the settings; a test page can go at once

    def _fit(self) -> None:
        """As wide as the printers' names need (they arrive after the dialog is shown), never wider than the
        screen."""
        screen = (self.parentWidget() or self).screen().availableGeometry()
        width = min(max(self.width(), self.sizeHint().width() + 20), screen.width() - 40)
        if width != self.width():
            self.resize(width, self.height())

    @staticmethod
    def _fill(box: QComboBox, names: list[str], chosen: str) -> None:
        box.clear()
        box.addItem(tr("本机默认打印机"), DEFAULT_PRINTER)
        for name in names:
            box.addItem(name, name)
        if chosen and chosen not in names:  # set once, not on this PC now: kept, and said
            box.addItem(tr("{name}（本机没有找到）").format(name=chosen), chosen)
        box.setCurrentIndex(max(box.findData(chosen), 0))
        box.ensurePolished()  # the text size's font, from the stylesheet: the longest name is never cut
        longest = max(box.fontMetrics().horizontalAdvance(box.itemText(n)) for n in range(box.count()))
        box.setMinimumWidth(longest + 4 * box.fontMetrics().averageCharWidth() + 24)

    def _on_vm_loaded(self, template: PrintTemplate, names: list[str]) -> None:
        self._fill(self.receipt_printer, names, template.receipt_printer)
        self._fill(self.a4_printer, names, template.a4_printer)
        self.receipt_paper.setCurrentIndex(max(self.receipt_paper.findData(template.receipt_paper), 0))
        self.silent.setChecked(template.silent_receipts)
        for field in (self.receipt_printer, self.receipt_paper, self.a4_printer, self.silent, self.save_button):
            field.setEnabled(self._head)
        if not self._head:  # a clerk still chooses which printer the test page goes to
            self.receipt_printer.setEnabled(True)
            self.a4_printer.setEnabled(True)
        self._fit()
        self.status.setText(tr("本机的打印机：{names}").format(names=tr("、").join(names)) if names else
                            tr("这台电脑没有装打印机：测试页和单据可以先存成 PDF。装好打印机后再打开这里选。"))

    def values(self) -> dict[str, str]:
        return {"receipt_printer": str(self.receipt_printer.currentData() or ""),
                "a4_printer": str(self.a4_printer.currentData() or ""),
                "receipt_paper": str(self.receipt_paper.currentData() or "80mm"),
                "silent_receipts": "yes" if self.silent.isChecked() else "no"}

    def _on_receipt_test_clicked(self) -> None:
        values = self.values()
        self.status.setText(tr("正在打印小票打印机的测试页…"))
        self.vm.test_page("receipt", values["receipt_printer"], values["receipt_paper"])

    def _on_a4_test_clicked(self) -> None:
        self.status.setText(tr("正在打印 A4 打印机的测试页…"))
        self.vm.test_page("a4", self.values()["a4_printer"])

    def _on_save_clicked(self) -> None:
        if self._head:
            self.vm.save(self.values())

    def _on_vm_saved(self, template: PrintTemplate) -> None:
        self._on_vm_done(tr("打印设置已保存：小票 {receipt}（{paper}），A4 {a4}。").format(
            receipt=template.receipt_printer or tr("本机默认打印机"), paper=template.receipt_paper,
            a4=template.a4_printer or tr("本机默认打印机")))

    def _on_vm_done(self, sentence: str) -> None:
        self.status.setStyleSheet(DONE_STYLE)
        self.status.setText(sentence)

    def _on_vm_failed(self, sentence: str) -> None:
        self.status.setStyleSheet("color: #b42318;")
        self.status.setText(sentence)


def open_print_setup(parent: QWidget, ctx: Any, runner: TaskRunner, actor: Actor, *,
                     devices: TaskRunner | None = None, lang: str = "zh",
                     settings_file: Path | None = None) -> PrintSetupDialog:
    dialog = PrintSetupDialog(PrintSetupViewModel(ctx, runner, actor, devices=devices, lang=lang), parent,
                              settings_file=settings_file)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open_here()
    return dialog

"""单据: the reprint queue (documents issued but never printed) and a case's documents, each previewed as it
would print and printed with one key — itself while it waits, a 补打 copy once printed, 作废 across a void.

Keys: ↑↓ choose · Enter print the chosen one · Ctrl+S save it as a PDF · F5 list again · Esc close. Typing a
case number and Enter lists all of that case's documents; an empty field and Enter lists the queue again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.staff import Actor
from app.services.documents import DocumentView, IssuedDocument
from app.ui.errors import message_for
from app.ui.i18n import N_, language, tr
from app.ui.paper import DONE_STYLE, PREVIEW_WIDTH, PaperOut, PaperPreview, SaveOffer, kind_name, paper_name, pdf_pages
from app.ui.tables import RowsModel, list_table
from app.ui.tasks import TaskRunner

FOCUS_STYLE = "QTableView:focus { border: 3px solid #1f6feb; }"  # where Enter will act, seen at a glance


def _moment(iso: str | None) -> str:
    return (iso or "").replace("T", " ")[:16]


def document_state(d: DocumentView) -> str:
    if d.state != "issued":
        return tr("已作废")
    if d.printed_at is None:
        return tr("待打印")
    return tr("已打印") + (tr("（补打 {n} 次）").format(n=d.reprints) if d.reprints else "")


def action_word(d: DocumentView) -> str:
    """What printing it does: the document itself while it waits, otherwise a copy (补打)."""
    return tr("打印") if d.state == "issued" and d.printed_at is None else tr("补打")


class DocumentTableModel(RowsModel[DocumentView]):
    HEADERS = (N_("单据编号"), N_("状态"), N_("单据"), N_("办件编号"), N_("开具时间"), N_("开具人"))
    KIND_COLUMN = 2  # takes the room left (a long kind name is elided; its tooltip has it whole)

    def cells(self, d: DocumentView) -> tuple[str, ...]:
        return (d.number, document_state(d), kind_name(d.kind), d.case_no, _moment(d.issued_at), d.issued_by)

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return super().data(index, Qt.ItemDataRole.DisplayRole)
        return super().data(index, role)

    def alarming(self, d: DocumentView) -> bool:
        return d.state != "issued"


def _list(ctx: Any, case_no: str) -> tuple[DocumentView, ...]:
    from app.services.documents import list_documents

    if case_no:
        return list_documents(ctx, case=case_no)
    return list_documents(ctx, unprinted=True)


class DocumentsViewModel(QObject):
    """Lists, previews and prints documents of the register through the task runners (database thread for the
    service calls, the devices thread for drawing pages and talking to the printer); the dialog never waits."""

    rows_changed = Signal(object, str)  # tuple[DocumentView, ...], the case number listed ("" = the queue)
    preview_ready = Signal(object, object)  # IssuedDocument (a preview), its pages as images
    done = Signal(str)  # what happened, in a sentence (a full path when saved)
    failed = Signal(str)  # what went wrong and what to do
    no_printer = Signal(object, str)  # the document that found no printer, the sentence

    def __init__(self, ctx: Any, runner: TaskRunner, actor: Actor, *, devices: TaskRunner | None = None,
                 lang: str = "zh") -> None:
        super().__init__()
        self._ctx, self._runner, self._devices, self.actor, self.lang = ctx, runner, devices or runner, actor, lang
        self._out = PaperOut(ctx, runner, self._devices, done=self._on_delivered, failed=self.failed.emit,
                             lang=lang, no_printer=self.no_printer.emit)
        self.case_no = ""
        self._previewing: str | None = None  # the number being drawn
        self._wanted: str | None = None  # the newest number asked for while one is drawn
        self.preview_shown: IssuedDocument | None = None

    def load(self, case_no: str | None = None) -> None:
        if case_no is not None:
            self.case_no = case_no.strip()
        ctx, wanted = self._ctx, self.case_no
        self._runner.submit(lambda: _list(ctx, wanted), lambda rows: self.rows_changed.emit(rows, wanted),
                            self._error)

    # Only the newest choice is drawn: a clerk holding ↓ never waits for previews of rows already passed.
    def preview(self, number: str) -> None:
        self._wanted = number
        if self._previewing is None:
            self._draw(number)

    def _draw(self, number: str) -> None:
        from app.printing.documents import document_paper  # the printing code loads on the database thread

        ctx, actor = self._ctx, self.actor
        self._previewing = number
        self._runner.submit(lambda: document_paper(ctx, actor=actor, number=number, preview=True),
                            self._on_drawn, self._on_preview_error)

    def _on_drawn(self, paper: IssuedDocument) -> None:
        self._devices.submit(lambda: pdf_pages(paper.pdf, PREVIEW_WIDTH), lambda pages: self._on_pages(paper, pages),
                             self._on_preview_error)

    def _on_pages(self, paper: IssuedDocument, pages: list[Any]) -> None:
        self._previewing = None
        if self._wanted is not None and self._wanted != paper.number:
            self._draw(self._wanted)
            return
        self.preview_shown = paper
        self.preview_ready.emit(paper, pages)

    def _on_preview_error(self, error: BaseException) -> None:
        self._previewing = None
        self._error(error)

    def print(self, number: str) -> None:
        """The document to its printer: itself while it waits in the queue, else a 补打 copy (作废 on a void)."""
        from app.printing.documents import document_paper

        ctx, actor = self._ctx, self.actor
        self._runner.submit(lambda: document_paper(ctx, actor=actor, number=number), self._out.send, self._error)

    def save(self, paper: IssuedDocument, folder: Path) -> None:
        self._out.save(paper, folder)

    def save_copy(self, number: str, folder: Path) -> None:
        """The document as a PDF in ``folder`` without trying a printer (Ctrl+S): the same paper a print gives."""
        from app.printing.documents import document_paper

        ctx, actor = self._ctx, self.actor
        self._runner.submit(lambda: document_paper(ctx, actor=actor, number=number),
                            lambda paper: self._out.save(paper, folder), self._error)

    def _on_delivered(self, sentence: str) -> None:
        self.done.emit(sentence)
        self.load()  # a printed document leaves the queue; a copy counts up

    def _error(self, error: BaseException) -> None:
        self.failed.emit(message_for(error, self.lang))


class DocumentsDialog(QDialog):
    """The list on the left (it takes the focus), the chosen document's preview on the right, the buttons
    naming the document they act on. Window-modal; ``open_for`` shows it."""

    def __init__(self, vm: DocumentsViewModel, parent: QWidget | None = None, *,
                 settings_file: Path | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("documentsDialog")
        self.setWindowTitle(tr("单据：待打印和补打"))
        self.case = QLineEdit()
        self.case.setPlaceholderText(tr("办件编号（回车列出它的全部单据；空着回车：待打印的单据）"))
        self.heading = QLabel("")
        self.heading.setObjectName("documentsHeading")
        self.heading.setWordWrap(True)
        self.model = DocumentTableModel()
        self.table = list_table(self.model, "documents")
        self.table.setStyleSheet(FOCUS_STYLE)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(DocumentTableModel.KIND_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.preview = PaperPreview()
        self.preview_label = QLabel(tr("预览"))
        self.preview_label.setWordWrap(True)
        self.print_button = QPushButton(tr("打印　Enter"))
        self.save_button = QPushButton(tr("存为 PDF…　Ctrl+S"))
        self.close_button = QPushButton(tr("关闭　Esc"))
        for b in (self.print_button, self.save_button, self.close_button):
            b.setAutoDefault(False)  # Enter belongs to the list (it prints the chosen row), never to a button
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # copy the path
        self.offer = SaveOffer(self, settings_file)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        finder = QHBoxLayout()
        finder.addWidget(QLabel(tr("办件编号")))
        finder.addWidget(self.case, 1)
        column.addLayout(finder)
        column.addWidget(self.heading)
        column.addWidget(self.table, 1)
        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.preview_label)
        side.addWidget(self.preview, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)
        # The preview is as wide as a receipt on paper (and its scroll bar): the list takes the rest.
        right.setMinimumWidth(PREVIEW_WIDTH + self.preview.verticalScrollBar().sizeHint().width() + 24)
        self._split, self._right = split, right
        self._buttons = QGridLayout()
        self._buttons.setColumnStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addLayout(self._buttons)
        self._arrange_buttons()

        QShortcut(QKeySequence("Ctrl+S"), self, self.save_button.click)
        QShortcut(QKeySequence("F5"), self, lambda: self.vm.load())
        self.table.activated.connect(lambda _index: self.print_button.click())
        self.print_button.clicked.connect(self._on_print_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self.reject)
        self.case.returnPressed.connect(self._on_case_entered)
        vm.rows_changed.connect(self._on_vm_rows_changed)
        vm.preview_ready.connect(self._on_vm_preview_ready)
        vm.done.connect(self._on_vm_done)
        vm.failed.connect(self._on_vm_failed)
        vm.no_printer.connect(self._on_vm_no_printer)
        vm.no_printer.connect(self.offer.offer)
        self.offer.folder_chosen.connect(self._on_offer_folder_chosen)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._saving_number: str | None = None  # Ctrl+S: the document waiting for its folder
        self._enable(None)

    # -- showing -----------------------------------------------------------------------------------------
    def open_for(self, case_no: str = "") -> None:
        """Shows the queue (no case) or a case's documents, the list taking the focus."""
        self.case.setText(case_no)
        self.vm.load(case_no)
        self._size_to_screen()
        self.open()
        self.table.setFocus()

    def _arrange_buttons(self) -> None:
        """One row when the buttons fit the screen, else the print button alone above the others (the
        largest text sizes): never a dialog wider than the screen."""
        room = (self.parentWidget() or self).screen().availableGeometry().width() - 80
        wide = sum(b.sizeHint().width() for b in (self.print_button, self.save_button, self.close_button)) + 40
        one_row = wide <= min(room, 1280)
        for b in (self.print_button, self.save_button, self.close_button):
            self._buttons.removeWidget(b)
        self._buttons.addWidget(self.print_button, 0, 0, 1, 1 if one_row else 4)
        self._buttons.addWidget(self.save_button, 0 if one_row else 1, 1 if one_row else 0)
        self._buttons.addWidget(self.close_button, 0 if one_row else 1, 3)

    def _size_to_screen(self) -> None:
        screen = (self.parentWidget() or self).screen().availableGeometry()
        width = min(1280, screen.width() - 40)
        self.resize(width, min(720, screen.height() - 60))
        side = self._right.minimumWidth()
        self._split.setSizes([width - side, side])

    def selected(self) -> DocumentView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _enable(self, d: DocumentView | None) -> None:
        """The buttons say what they act on: 打印 受理回执 QX01-SL2026-000001 (补打 once it was printed)."""
        self.print_button.setEnabled(d is not None)
        self.save_button.setEnabled(d is not None)
        if d is None:
            self.print_button.setText(tr("打印　Enter"))
            self.save_button.setText(tr("存为 PDF…　Ctrl+S"))
            return
        what = paper_name(d)
        gap = "  " if language() == "en" else "　"  # as every key hint on a button has it
        self.print_button.setText(f"{action_word(d)} {what}{gap}Enter")
        self.save_button.setText(tr("存 {what} 为 PDF…　Ctrl+S").format(what=what))
        self._arrange_buttons()

    # -- what the clerk does ---------------------------------------------------------------------------
    def _on_case_entered(self) -> None:
        self.vm.load(self.case.text())
        self.table.setFocus()

    def _on_print_clicked(self) -> None:
        d = self.selected()
        if d is None:
            self.status.setText(tr("先用 ↑↓ 选中一张单据。"))
            return
        self.status.setText(tr("正在送打印机：{what}…").format(what=paper_name(d)))
        self.vm.print(d.number)

    def _on_save_clicked(self) -> None:
        d = self.selected()
        if d is None:
            self.status.setText(tr("先用 ↑↓ 选中一张单据。"))
            return
        self._saving_number = d.number
        self.offer.ask_folder(d)

    def _on_offer_folder_chosen(self, paper: Any, folder: Path) -> None:
        if isinstance(paper, IssuedDocument):  # no printer: the paper made for the printer goes to the folder
            self.vm.save(paper, folder)
        elif self._saving_number is not None:  # Ctrl+S
            self.vm.save_copy(self._saving_number, folder)
        self._saving_number = None

    # -- what the view model says --------------------------------------------------------------------------
    def _on_vm_rows_changed(self, rows: tuple[DocumentView, ...], case_no: str) -> None:
        keep = self.selected()
        at = self.table.currentIndex().row()
        self.model.set_rows(rows)
        if case_no:
            self.setWindowTitle(tr("办件 {case_no} 的单据").format(case_no=case_no))
            self.heading.setText(tr("办件 {case_no} 的单据共 {n} 张：打印过的再打是补打，作废的印着作废。").format(
                case_no=case_no, n=len(rows)) if rows else tr("办件 {case_no} 还没有开过单据。").format(
                case_no=case_no))
        else:
            self.setWindowTitle(tr("待打印的单据"))
            self.heading.setText(tr("开具了还没打印出来的单据 {n} 张。").format(n=len(rows)) if rows
                                 else tr("没有待打印的单据。"))
        if not rows:
            self._enable(None)
            self.preview.clear()
            self.preview_label.setText(tr("预览"))
            return
        numbers = [r.number for r in rows]
        if keep is not None and keep.number in numbers:
            self.table.selectRow(numbers.index(keep.number))
        else:  # the row that was printed left the queue: the one now in its place
            self.table.selectRow(min(max(at, 0), len(rows) - 1))

    def _on_selection_changed(self, *_: Any) -> None:
        d = self.selected()
        self._enable(d)
        if d is not None:
            self.vm.preview(d.number)

    def _on_vm_preview_ready(self, paper: IssuedDocument, pages: list[Any]) -> None:
        d = self.selected()
        if d is None or d.number != paper.number:
            return
        self.preview.show_pages(pages)
        mark = tr("（作废）") if paper.voided else (tr("（补打）") if paper.reprint else "")
        self.preview_label.setText(tr("预览：{what}{mark}").format(what=paper_name(paper), mark=mark))

    def _on_vm_done(self, sentence: str) -> None:
        self.status.setStyleSheet(DONE_STYLE)  # where the file went is the main news, not a grey hint
        self.status.setText(sentence)

    def _on_vm_no_printer(self, _paper: Any, problem: str) -> None:
        self.status.setStyleSheet("color: #b42318;")
        self.status.setText(problem)

    def _on_vm_failed(self, sentence: str) -> None:
        self.status.setStyleSheet("color: #b42318;")
        self.status.setText(sentence)


def open_documents(parent: QWidget, ctx: Any, runner: TaskRunner, actor: Actor, *, case_no: str = "",
                   devices: TaskRunner | None = None, lang: str = "zh",
                   settings_file: Path | None = None) -> DocumentsDialog:
    """The documents dialog over ``parent``: the reprint queue, or ``case_no``'s documents."""
    dialog = DocumentsDialog(DocumentsViewModel(ctx, runner, actor, devices=devices, lang=lang), parent,
                             settings_file=settings_file)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open_for(case_no)
    return dialog


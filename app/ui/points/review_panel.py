"""评议公示: the review of declarations, the public notice, and objections raised during it.

Keys: ↑↓ choose · F9 approve · F10 reject (reason first) · F11 post the public notice · Ctrl+E record an
objection (its words in the reason box) · Ctrl+Y objection upheld (withdrawn) · Ctrl+K objection dismissed ·
Ctrl+P print the notice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.points import DeclarationState
from app.services.points import DeclarationView
from app.ui.flow import FlowRow
from app.ui.i18n import N_, label, tr
from app.ui.paper import PaperPreview
from app.ui.tables import RowsModel, list_table

REVIEW_BODIES = (N_("村两委会议"), N_("村民代表评议小组"), N_("道德评议会"))
EVIDENCE_WIDTH = 440  # the photo is scaled to this (the page must fit a 1366-pixel screen)


class DeclarationTableModel(RowsModel[DeclarationView]):
    HEADERS = (N_("居民"), N_("村组"), N_("指标"), N_("积分"), N_("状态"), N_("登记人"), N_("申报人"), N_("证明"),
               N_("异议"))

    def cells(self, d: DeclarationView) -> tuple[str, ...]:
        hours = tr("（{h} 小时）").format(h=d.hours) if d.hours else ""
        state = label(DeclarationState(d.state))
        where = f"{d.village_name} {d.group_name}".strip()  # the station serves every village of the town
        return (d.resident_name, where, d.indicator_name + hours, f"{d.points:+d}", state, d.recorded_by,
                d.declared_by, tr("有照片") if d.has_evidence else "", d.objection.replace("\n", tr("；")))

    def alarming(self, d: DeclarationView) -> bool:
        return bool(d.objection)


class ReviewPanel(QWidget):
    reviewed = Signal(str, bool, str, str)  # declaration id, approve, reason, review body
    post_requested = Signal()
    objection_requested = Signal(str, str)  # declaration id, words
    objection_decided = Signal(str, bool, str)  # declaration id, uphold, reason
    evidence_wanted = Signal(str)  # declaration id
    print_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DeclarationTableModel()
        self.table = list_table(self.model, "declarations")
        self.empty = QLabel("")
        self.empty.setObjectName("hint")
        self.body = QComboBox()
        self.body.setEditable(True)
        for body in REVIEW_BODIES:
            self.body.addItem(tr(body), body)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("理由（不通过时必填）或群众提出的异议"))
        self.approve_button = QPushButton(tr("通过　F9"))
        self.reject_button = QPushButton(tr("不通过　F10"))
        self.post_button = QPushButton(tr("发布公示　F11"))
        self.object_button = QPushButton(tr("记录异议　Ctrl+E"))
        self.uphold_button = QPushButton(tr("异议成立，撤回　Ctrl+Y"))
        self.dismiss_button = QPushButton(tr("异议不成立　Ctrl+K"))
        self.print_button = QPushButton(tr("打印公示单　Ctrl+P"))
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.evidence = QLabel(tr("选中一条申报，这里显示它的证明照片。"))
        self.evidence.setObjectName("evidence")
        self.evidence.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.evidence.setWordWrap(True)
        self.evidence.setMinimumWidth(240)
        self.preview = PaperPreview()
        self.side = QTabWidget()
        self.side.addTab(self.evidence, tr("证明照片"))
        self.side.addTab(self.preview, tr("公示单"))

        buttons = FlowRow()  # as many a line as the text size leaves room for
        for b in (self.approve_button, self.reject_button, self.post_button,  # the review
                  self.object_button, self.uphold_button, self.dismiss_button,  # objections
                  self.print_button):
            buttons.addWidget(b)
        reason_row = FlowRow()
        reason_row.addWidget(QLabel(tr("评议机构")))
        reason_row.addWidget(self.body)
        reason_row.addWidget(self.reason)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addWidget(self.empty)
        column.addLayout(reason_row)
        column.addLayout(buttons)
        column.addWidget(self.status)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, button in (("F9", self.approve_button), ("F10", self.reject_button), ("F11", self.post_button),
                            ("Ctrl+E", self.object_button), ("Ctrl+Y", self.uphold_button),
                            ("Ctrl+K", self.dismiss_button), ("Ctrl+P", self.print_button)):
            QShortcut(QKeySequence(key), self, button.click, context=context)
        self.approve_button.clicked.connect(lambda: self._with_selected(
            lambda d: self.reviewed.emit(d.id, True, self.reason.text(), self._body())))
        self.reject_button.clicked.connect(lambda: self._with_selected(
            lambda d: self.reviewed.emit(d.id, False, self.reason.text(), self._body())))
        self.object_button.clicked.connect(self._on_object_clicked)
        self.uphold_button.clicked.connect(lambda: self._decide(True))
        self.dismiss_button.clicked.connect(lambda: self._decide(False))
        self.post_button.clicked.connect(self.post_requested.emit)
        self.print_button.clicked.connect(self.print_requested.emit)
        self._shown_id = ""  # the declaration whose photo is shown
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def _body(self) -> str:
        data = self.body.currentData()
        text = self.body.currentText()
        return str(data) if data is not None and text == tr(str(data)) else text

    def set_rows(self, rows: tuple[DeclarationView, ...]) -> None:
        keep = self.selected()
        self.model.set_rows(rows)
        self.empty.setText("" if rows else tr("没有待评议、待公示或公示中的申报。"))
        if rows:
            index = next((i for i, r in enumerate(rows) if keep is not None and r.id == keep.id), 0)
            self.table.selectRow(index)

    def selected(self) -> DeclarationView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _with_selected(self, act: object) -> None:
        d = self.selected()
        if d is None:
            self.status.setText(tr("先用 ↑↓ 选中一条申报。"))
            return
        act(d)  # type: ignore[operator]

    def _on_object_clicked(self) -> None:
        d = self.selected()
        if d is None:
            self.status.setText(tr("先用 ↑↓ 选中一条公示中的申报。"))
            return
        if not self.reason.text().strip():
            self.status.setText(tr("请把群众提出的异议写在“理由”框里，再按 Ctrl+E。"))
            return
        self.objection_requested.emit(d.id, self.reason.text())

    def _decide(self, uphold: bool) -> None:
        d = self.selected()
        if d is None or not d.objection:
            self.status.setText(tr("先选中一条有异议（红色）的申报。"))
            return
        if not self.reason.text().strip():
            self.status.setText(tr("处理异议要写明理由：请写在“理由”框里。"))
            return
        self.objection_decided.emit(d.id, uphold, self.reason.text())

    def _on_selection_changed(self, *_: object) -> None:
        d = self.selected()
        moved = (d.id if d is not None else "") != self._shown_id
        self._shown_id = d.id if d is not None else ""
        if not moved:
            return  # the same declaration after the list was read again: keep its photo, and the notice in view
        self.side.setCurrentWidget(self.evidence)
        self.evidence.setPixmap(QPixmap())
        if d is not None and d.has_evidence:
            self.evidence.setText(tr("正在打开证明照片…"))
            self.evidence_wanted.emit(d.id)
        else:
            self.evidence.setText(tr("这条申报没有附证明照片。") if d is not None else "")

    def show_evidence(self, image: QImage, declaration_id: str) -> None:
        d = self.selected()
        if d is None or d.id != declaration_id:
            return  # another row was chosen meanwhile
        if image.isNull():
            self.evidence.setText(tr("证明材料不是图片，不能在这里显示。"))
            return
        self.evidence.setPixmap(QPixmap.fromImage(image))  # scaled to EVIDENCE_WIDTH on the devices thread

    def done(self, text: str) -> None:
        self.status.setText(text)
        self.reason.clear()

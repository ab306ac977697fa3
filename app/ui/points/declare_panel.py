"""登记积分: what the resident (or their household) did, on whose word, with what evidence. It waits for review.

Keys: type to narrow the indicators · ↓/↑ choose · Ctrl+O evidence from a file · F5 the document camera ·
Ctrl+Enter record the declaration.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.points import Indicator
from app.ui.camera import CameraDialog, find_cameras
from app.ui.flow import FlowRow
from app.ui.i18n import N_, label, tr

_CODE = Qt.ItemDataRole.UserRole
DECLARERS = (N_("本人"), N_("村民小组长"), N_("网格员"), N_("村干部"), N_("志愿服务队"))


def indicator_line(ind: Indicator) -> str:
    if ind.hourly:
        worth = tr("每小时 {n} 分，每次最多 {h} 小时").format(n=ind.per_hour, h=ind.max_hours)
    else:
        worth = f"{ind.points:+d} " + tr("分")
    cap = tr("　（{period}最多 {cap} 分）").format(period=label(ind.cap_period), cap=ind.cap) \
        if ind.cap is not None else ""
    return f"{ind.code}　{ind.category} · {ind.name}　{worth}{cap}"


class DeclarePanel(QWidget):
    declare_requested = Signal(dict)  # indicator, hours, activity_on, note, declared_by, evidence

    def __init__(self, camera_folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera_folder = camera_folder
        self.indicators: tuple[Indicator, ...] = ()
        self.evidence: Path | None = None
        self.filter = QLineEdit()
        self.filter.setObjectName("indicatorFilter")
        self.filter.setPlaceholderText(tr("积分指标：输入编号或名称（如 T07、志愿、庭院），↓ 选择"))
        self.list = QListWidget()
        self.list.setObjectName("indicators")
        self.list.setWordWrap(True)
        self.hours = QLineEdit()
        self.hours.setPlaceholderText(tr("志愿服务的小时数，如 1.5"))
        self.hours.setEnabled(False)
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setMaximumDate(QDate.currentDate())
        self.declared_by = QComboBox()
        self.declared_by.setEditable(True)
        for who in DECLARERS:
            self.declared_by.addItem(tr(who), who)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("事情经过（可不填）：如 11月20日帮助邻居抢收稻谷"))
        self.evidence_label = QLabel(tr("没有证明材料"))
        self.evidence_label.setObjectName("hint")
        self.file_button = QPushButton(tr("选择照片　Ctrl+O"))
        self.camera_button = QPushButton(tr("高拍仪拍照　F5"))
        self.button = QPushButton(tr("登记　Ctrl+Enter"))
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow(tr("服务时长"), self.hours)
        form.addRow(tr("做好事的日期"), self.day)
        form.addRow(tr("申报人"), self.declared_by)
        form.addRow(tr("情况说明"), self.note)
        evidence_row = FlowRow()  # wraps under the label at the larger text sizes
        evidence_row.addWidget(self.evidence_label)
        evidence_row.addWidget(self.file_button)
        evidence_row.addWidget(self.camera_button)
        form.addRow(tr("证明材料"), evidence_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.button)
        layout.addWidget(self.status)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.button.click, context=context)
        QShortcut(QKeySequence("Ctrl+O"), self, self.file_button.click, context=context)
        QShortcut(QKeySequence("F5"), self, self.camera_button.click, context=context)
        self.filter.textChanged.connect(self._refill)
        self.filter.installEventFilter(self)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.file_button.clicked.connect(self._choose_file)
        self.camera_button.clicked.connect(self._take_photo)
        self.button.clicked.connect(self._on_button_clicked)

    def set_indicators(self, indicators: tuple[Indicator, ...]) -> None:
        self.indicators = indicators
        self._refill()

    def _refill(self) -> None:
        words = self.filter.text().strip().upper()
        keep = self.chosen()
        self.list.clear()
        for ind in self.indicators:
            text = indicator_line(ind)
            if words and words not in text.upper():
                continue
            entry = QListWidgetItem(text)
            entry.setData(_CODE, ind.code)
            self.list.addItem(entry)
            if keep is not None and ind.code == keep.code:
                self.list.setCurrentItem(entry)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def chosen(self) -> Indicator | None:
        entry = self.list.currentItem()
        if entry is None:
            return None
        code = str(entry.data(_CODE))
        return next((i for i in self.indicators if i.code == code), None)

    def _on_current_changed(self, *_: object) -> None:
        ind = self.chosen()
        hourly = ind is not None and ind.hourly
        self.hours.setEnabled(hourly)
        if not hourly:
            self.hours.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """↓ / ↑ in the filter line move through the list without leaving the line."""
        if watched is self.filter and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None and self.list.count():
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, self.list.currentRow() + step)))
                return True
        return super().eventFilter(watched, event)

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("选择证明照片"), "",
                                              tr("照片或扫描件 (*.jpg *.jpeg *.png *.pdf *.tif *.tiff)"))
        if name:
            self.set_evidence(Path(name))

    def _take_photo(self) -> None:
        devices, problem = find_cameras()
        if problem is not None or self.camera_folder is None:
            self.status.setText(problem or tr("没有数据文件夹，照片无处保存；请用 Ctrl+O 选择文件。"))
            return
        dialog = CameraDialog(devices, self.camera_folder, self)
        dialog.exec()
        if dialog.taken:
            self.set_evidence(dialog.taken[-1])

    def set_evidence(self, path: Path | None) -> None:
        self.evidence = path
        self.evidence_label.setText(path.name if path is not None else tr("没有证明材料"))

    def _on_button_clicked(self) -> None:
        ind = self.chosen()
        self.declare_requested.emit({
            "indicator": ind.code if ind is not None else "", "hours": self.hours.text().strip(),
            "activity_on": date.fromisoformat(self.day.date().toString("yyyy-MM-dd")),
            "note": self.note.text(), "declared_by": self._declared_by(), "evidence": self.evidence})

    def _declared_by(self) -> str:
        """Who vouches for it, kept in Chinese (the town's records) when one of the list was chosen."""
        data, text = self.declared_by.currentData(), self.declared_by.currentText()
        return str(data) if data is not None and text == tr(str(data)) else text

    def clear(self) -> None:
        """After a declaration: ready for the next one (same indicator list)."""
        self.hours.clear()
        self.note.clear()
        self.set_evidence(None)
        self.filter.setFocus()
        self.filter.selectAll()

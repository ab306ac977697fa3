"""The counter view: one search line for anyone in the town, the results, and the chosen resident's card."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.residents import MatchKind, ResidentDetail, SearchResult
from app.ui.counter.models import CaseTableModel, ResidentTableModel
from app.ui.counter.view_model import CounterViewModel

_KIND_ZH = {MatchKind.ID_EXACT: "身份证号", MatchKind.ID_SUFFIX: "身份证后几位", MatchKind.PHONE: "电话",
            MatchKind.NAME: "姓名", MatchKind.INITIALS: "拼音首字母"}


def _table(model: ResidentTableModel | CaseTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setAlternatingRowColors(True)
    return view


class CounterView(QWidget):
    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("找人：身份证后4-6位、姓名、拼音首字母（如 zs）或电话　　F2")
        self.search.setClearButtonEnabled(True)
        self.hint = QLabel("输入后按 ↓ 选人，Enter 确定")
        self.hint.setObjectName("hint")
        self.residents = ResidentTableModel()
        self.results = _table(self.residents)
        self.results.setObjectName("results")

        self.card = QLabel("还没有选中居民")
        self.card.setObjectName("card")
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.household = ResidentTableModel()
        self.household_view = _table(self.household)
        self.cases = CaseTableModel()
        self.cases_view = _table(self.cases)

        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.hint)
        left.addWidget(self.results)
        left_box = QWidget()
        left_box.setLayout(left)

        right = QVBoxLayout()
        right.addWidget(self.card)
        right.addWidget(_group("家庭成员", self.household_view))
        right.addWidget(_group("办件（未办结在前）", self.cases_view))
        right_box = QWidget()
        right_box.setLayout(right)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left_box)
        split.addWidget(right_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QHBoxLayout(self)
        layout.addWidget(split)

        QShortcut(QKeySequence("F2"), self, self.focus_search)
        self.search.textChanged.connect(self.vm.search_typed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.results.activated.connect(self._on_results_activated)
        self.search.installEventFilter(self)
        vm.results_changed.connect(self._on_vm_results_changed)
        vm.resident_loaded.connect(self._on_vm_resident_loaded)
        vm.failed.connect(self.hint.setText)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, obj: object, event: object) -> bool:  # ↓ from the search line goes to the results
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QKeyEvent

        if obj is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and self.residents.rowCount() > 0:
            self.results.setFocus()
            self.results.selectRow(0)
            return True
        return super().eventFilter(obj, event)  # type: ignore[arg-type]

    def _on_search_return_pressed(self) -> None:
        if self.residents.rowCount() == 1:
            self._choose(0)
        else:
            self.vm.search_now()

    def _on_results_activated(self, index: QModelIndex) -> None:
        self._choose(index.row())

    def _choose(self, row: int) -> None:
        self.vm.resident_chosen(self.residents.row(row).id)

    def _on_vm_results_changed(self, result: SearchResult) -> None:
        self.residents.set_rows(result.residents)
        if not result.kinds:
            self.hint.setText("请多输入几位：身份证后4-6位、姓名、拼音首字母或电话")
        elif not result.residents:
            self.hint.setText("没有找到这位居民。可以核对后重新输入，或登记新居民。")
        else:
            kinds = "、".join(_KIND_ZH[k] for k in result.kinds)
            self.hint.setText(f"按{kinds}找到 {len(result.residents)} 人。↓ 选择，Enter 确定")

    def _on_vm_resident_loaded(self, detail: ResidentDetail) -> None:
        r = detail.resident
        tags = "　".join(f"<span class='tag'>{t}</span>" for t in r.tags)
        gender = r.gender.label_zh if r.gender else ""
        age = f"{r.age}岁" if r.age is not None else ""
        self.card.setText(f"<span style='font-size:20pt'><b>{r.name}</b></span>　{gender}　{age}<br>"
                          f"身份证 {r.id_masked}　电话 {r.phone_masked or '未登记'}<br>"
                          f"{r.address or r.village_name + r.group}<br>{tags}")
        self.household.set_rows(detail.household.members if detail.household else ())
        self.cases.set_rows(detail.open_cases + detail.history)


def _group(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    lay = QVBoxLayout(box)
    lay.addWidget(widget)
    return box

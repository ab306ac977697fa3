"""Today's work (今日工作): lists to keep an eye on, overdue cases in red, and F7 / F10 / F11 to move a case on.

Keys: Ctrl+1…5 choose the list · F5 refresh · ↑↓ choose a case · F7 转报 · F10 办结 · F11 退回补正 (reason first).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.ratings import FollowUp
from app.services.staff import StaffView
from app.services.views import CaseSummary
from app.ui.confirm import ask
from app.ui.i18n import N_, label, tr
from app.ui.tables import RowsModel, list_table
from app.ui.work.view_model import WorkList, WorkViewModel

_Index = QModelIndex | QPersistentModelIndex
_OVERDUE = QBrush(QColor("#b42318"))


class WorkTableModel(RowsModel[CaseSummary]):
    HEADERS = (N_("办件编号"), N_("事项"), N_("申请人"), N_("身份证号"), N_("状态"), N_("受理时间"), N_("承诺期限"))
    not_at_town: frozenset[str] = frozenset()  # set before the rows: those cases say so

    def cells(self, c: CaseSummary) -> tuple[str, ...]:
        due = c.due_date.isoformat() if c.due_date else ""
        state = label(c.state) + (tr("（超期）") if c.overdue else "") + \
            (tr("（未到镇里）") if c.id in self.not_at_town else "")
        return (c.case_no, c.item_name, c.applicant_name, c.applicant_id_masked, state,
                c.received_at.replace("T", " ")[:16], due)

    def alarming(self, c: CaseSummary) -> bool:
        return c.overdue


class FollowUpTableModel(RowsModel[FollowUp]):
    HEADERS = (N_("办件编号"), N_("事项"), N_("申请人"), N_("评价"), N_("群众意见"), N_("回访期限"))

    def cells(self, f: FollowUp) -> tuple[str, ...]:
        due = f.due_date.isoformat() + (tr("（已超期）") if f.overdue else "")
        return (f.case_no, f.item_name, f.applicant_name, label(f.level), f.comment, due)

    def alarming(self, f: FollowUp) -> bool:
        return f.overdue


class WorkView(QWidget):
    def __init__(self, vm: WorkViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.lists = QButtonGroup(self)
        tabs = QGridLayout()  # two rows of four: seven lists at the counter's text size fit a 1366-pixel screen
        self._list_grid = tabs
        self._list_columns = 4
        self.list_buttons: dict[WorkList, QPushButton] = {}
        for n, which in enumerate(WorkList, start=1):
            button = QPushButton(f"{which.heading}　Ctrl+{n}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.lists.addButton(button)
            self.list_buttons[which] = button
            tabs.addWidget(button, (n - 1) // 4, (n - 1) % 4)  # ``_reflow_lists`` narrows it to fit
            button.clicked.connect(lambda _=False, w=which: self.show_list(w))
            QShortcut(QKeySequence(f"Ctrl+{n}"), self, lambda w=which: self.show_list(w),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.query = QLineEdit()
        self.query.setPlaceholderText(tr("查找以前的办件：办件编号、申请人姓名或事项，回车查找"))
        self.query.setVisible(False)
        self.model = WorkTableModel()
        self.follow_ups = FollowUpTableModel()
        self.table = list_table(self.model, "work")
        self.empty = QLabel("")
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)  # a long sentence wraps instead of widening the window
        self.target = QLabel(tr("先用 ↑↓ 选中一件办件。"))  # the case F7 / F10 / F11 act on, named in full
        self.target.setObjectName("target")
        self.target.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(tr("退回补正的原因（还缺什么、哪里要改）"))
        self.forward_button = QPushButton(tr("转报镇里　F7"))
        self.complete_button = QPushButton(tr("办结　F10"))
        self.return_button = QPushButton(tr("退回补正　F11"))
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.handover_bar = QWidget()
        self.colleague = QComboBox()
        self.handover_note = QLineEdit()
        self.handover_note.setPlaceholderText(tr("交接说明（可不填）：如 张三的低保材料下午送来"))
        self.handover_button = QPushButton(tr("确认交接　Ctrl+Enter"))
        handover_row = QHBoxLayout(self.handover_bar)
        handover_row.setContentsMargins(0, 0, 0, 0)
        handover_row.addWidget(QLabel(tr("交给")))
        handover_row.addWidget(self.colleague)
        handover_row.addWidget(self.handover_note, 1)
        handover_row.addWidget(self.handover_button)
        self.handover_bar.setVisible(False)
        actions = QHBoxLayout()
        actions.addWidget(self.reason, 1)
        for b in (self.forward_button, self.complete_button, self.return_button):
            actions.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(tabs)
        layout.addWidget(self.query)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.target)
        layout.addLayout(actions)
        layout.addWidget(self.handover_bar)
        layout.addWidget(self.status)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, button in (("F7", self.forward_button), ("F10", self.complete_button),
                            ("F11", self.return_button)):
            QShortcut(QKeySequence(key), self, button.click, context=context)
        QShortcut(QKeySequence("F5"), self, lambda: self.vm.load(), context=context)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.handover_button.click, context=context)
        self.handover_button.clicked.connect(self._on_handover_clicked)
        vm.colleagues_loaded.connect(self._on_vm_colleagues_loaded)
        self.forward_button.clicked.connect(self._on_forward_clicked)
        self.complete_button.clicked.connect(self._on_complete_clicked)
        self.return_button.clicked.connect(self._on_return_clicked)
        self._watch_selection()
        self.query.returnPressed.connect(lambda: self.vm.load(WorkList.SEARCH, self.query.text()))
        vm.rows_changed.connect(self._on_vm_rows_changed)
        vm.done.connect(self._on_vm_done)
        vm.failed.connect(self._on_vm_failed)
        self.list_buttons[WorkList.TODAY].setChecked(True)
        self.shown = ""  # the list the table holds (its rows arrive after the list is chosen)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow_lists()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):  # another text size
            self._reflow_lists()

    def _reflow_lists(self) -> None:
        """Four list buttons a row while they fit, fewer at larger text (English words are longer)."""
        buttons = list(self.list_buttons.values())
        widest = max(b.sizeHint().width() for b in buttons) + 8
        view = self.parentWidget()  # the page's view: the page itself may be wider than it
        room = view.width() if view is not None else self.width()
        columns = max(2, min(4, room // max(widest, 1)))
        grid = self._list_grid
        if columns == self._list_columns:
            return
        self._list_columns = columns
        for b in buttons:
            grid.removeWidget(b)
        for n, b in enumerate(buttons):
            grid.addWidget(b, n // columns, n % columns)

    def show_list(self, which: WorkList) -> None:
        self.shown = ""
        self.list_buttons[which].setChecked(True)
        self.handover_bar.setVisible(which is WorkList.MINE)
        if which is WorkList.MINE:
            self.vm.load_colleagues()
        self.query.setVisible(which is WorkList.SEARCH)
        if which is WorkList.SEARCH:
            self.query.setFocus()
            self.query.selectAll()
        else:
            self.table.setFocus()
        self.vm.load(which)

    @property
    def showing_follow_ups(self) -> bool:
        return self.vm.current is WorkList.FOLLOW_UPS

    def selected(self) -> CaseSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows and not self.showing_follow_ups else None

    def selected_follow_up(self) -> FollowUp | None:
        rows = self.table.selectionModel().selectedRows()
        return self.follow_ups.row(rows[0].row()) if rows and self.showing_follow_ups else None

    def _watch_selection(self) -> None:
        """The selection model is new with each model the table shows: the target line follows it."""
        self.table.selectionModel().selectionChanged.connect(self._name_target)
        self._name_target()

    def _name_target(self, *_: object) -> None:
        case, follow_up = self.selected(), self.selected_follow_up()
        if case is not None:
            self.target.setText(tr("F7 / F10 / F11 用于：{case_no}　{item}　{name}（{id}）　{state}").format(
                case_no=case.case_no, item=case.item_name, name=case.applicant_name, id=case.applicant_id_masked,
                state=label(case.state)))
        elif follow_up is not None:
            self.target.setText(tr("F10 关闭这条回访：{case_no}　{item}　{name}　{level}").format(
                case_no=follow_up.case_no, item=follow_up.item_name, name=follow_up.applicant_name,
                level=label(follow_up.level)))
        else:
            self.target.setText(tr("先用 ↑↓ 选中一件办件。"))

    def _named(self, case: CaseSummary) -> str:
        return tr("{case_no}　{item}\n申请人 {name}（{id}）").format(
            case_no=case.case_no, item=case.item_name, name=case.applicant_name, id=case.applicant_id_masked)

    def _on_forward_clicked(self) -> None:
        case = self._case_or_say()
        question = tr("把这件转报镇里：\n{case}\n\n转报后由镇里办理，站里不能撤回。")
        if case is not None and ask(self, tr("转报镇里"), question.format(case=self._named(case)),
                                    yes=tr("转报 {case_no}").format(case_no=case.case_no)):
            self.vm.forward(case.id)

    def _on_return_clicked(self) -> None:
        case = self._case_or_say()
        if case is None:
            return
        if not self.reason.text().strip():
            self.status.setText(tr("退回补正要写明原因：写在左边的框里（还缺什么、哪里要改），再按 F11。"))
            self.reason.setFocus()
            return
        self.vm.send_back(case.id, self.reason.text())

    def _case_or_say(self) -> CaseSummary | None:
        if self.showing_follow_ups:
            self.status.setText(tr("差评回访：在左边写明怎么整改、怎么回访的，再按 F10 关闭。"))
            return None
        case = self.selected()
        if case is None:
            self.status.setText(tr("先用 ↑↓ 选中一件办件。"))
        return case

    def _on_complete_clicked(self) -> None:
        if not self.showing_follow_ups:
            case = self._case_or_say()
            if case is not None and ask(self, tr("办结"), tr("这件记为办结：\n{case}\n\n办结后不能再改。").format(
                    case=self._named(case)), yes=tr("办结 {case_no}").format(case_no=case.case_no)):
                self.vm.complete(case.id)
            return
        follow_up = self.selected_follow_up()
        if follow_up is None:
            self.status.setText(tr("先用 ↑↓ 选中一条差评回访。"))
            return
        self.vm.close_follow_up(follow_up.id, self.reason.text())

    def _on_vm_rows_changed(self, rows: tuple[Any, ...], which: str) -> None:
        if which != self.vm.current.value:
            return  # an older list's answer
        if which == WorkList.FOLLOW_UPS.value:
            self.shown = which
            self.table.setModel(self.follow_ups)
            self._watch_selection()
            self.follow_ups.set_rows(rows)
            self.reason.setPlaceholderText(tr("整改和回访情况（关闭差评回访时必填）"))
            self.empty.setText("" if rows else tr("没有待处理的差评。"))
            if rows:
                self.table.selectRow(0)
            return
        if self.table.model() is not self.model:
            self.table.setModel(self.model)
            self._watch_selection()
            self.reason.setPlaceholderText(tr("退回补正的原因（还缺什么、哪里要改）"))
        keep = self.selected()
        self.shown = which
        self.model.not_at_town = self.vm.not_at_town
        self.model.set_rows(rows)
        self.empty.setText("" if rows else tr("这里没有办件。"))
        index = next((i for i, r in enumerate(rows) if keep and r.id == keep.id), None)
        if rows and (index is not None or keep is None):
            self.table.selectRow(index or 0)
        # The case chosen before is gone from this list: nothing is chosen in its place (↓ chooses), so a
        # second F7 cannot act on a case nobody looked at.
        self._name_target()

    def _on_vm_colleagues_loaded(self, staff: tuple[StaffView, ...]) -> None:
        self.colleague.clear()
        for s in staff:
            self.colleague.addItem(tr("{name}（{post}岗，工号 {staff_no}）").format(
                name=s.display_name, post=s.post.value, staff_no=s.staff_no), s.username)

    def _on_handover_clicked(self) -> None:
        if not self.showing_mine:
            return
        username = self.colleague.currentData()
        if not username:
            self.status.setText(tr("请先选接班的同事。"))
            return
        self.vm.hand_over(str(username), self.handover_note.text())

    @property
    def showing_mine(self) -> bool:
        return self.vm.current is WorkList.MINE

    def _on_vm_done(self, text: str) -> None:
        self.status.setText(text)
        self.reason.clear()
        self.handover_note.clear()

    def _on_vm_failed(self, text: str) -> None:
        self.status.setText(text)

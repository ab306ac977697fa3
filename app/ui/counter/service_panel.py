"""The counter's second half, 办理: the item, its materials checklist, its form, and accepting the case.

Keys: F3 item · ↓/Enter pick · Alt+1…9 pinned (★, Ctrl+D) and frequent items · F6 all materials received ·
Space ticks one · F8 one-time notification (一次性告知) · F9 accept (受理) · Esc one step back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalog import ServiceItem
from app.domain.forms import format_money
from app.services.cases import AcceptResult
from app.ui.camera import CameraDialog, find_cameras
from app.ui.counter.form import FormEditor
from app.ui.counter.proxy_box import KEYS as PROXY_KEYS
from app.ui.counter.proxy_box import ProxyBox
from app.ui.fields import WrappingLabel
from app.ui.i18n import label, tr, trn
from app.ui.paper import PaperPreview

_CODE = Qt.ItemDataRole.UserRole


def item_facts(item: ServiceItem, form: Mapping[str, object] | None = None) -> str:
    """The item's facts; the fee for the form as filled so far (the catalogue's fee rule may depend on it)."""
    limit = tr("当场办结") if item.on_the_spot else tr("{days}个工作日").format(days=item.time_limit_days)
    rule = item.fee_rule
    chosen = form.get(rule.field) if rule is not None and form is not None else None
    fen = item.fee_for(form or {})
    fee = tr("不收费") if not fen else tr("收费 {fee}").format(fee=format_money(fen))
    if rule is not None and item.may_charge and not chosen:  # the fee waits for the field that decides it
        field = next((f.label for f in item.fields if f.key == rule.field), rule.field)
        fee = tr("收费看“{field}”").format(field=field)
    return "　·　".join((f"{item.code}　{item.name}", label(item.mode), limit, fee, item.department))


class ServicePanel(QWidget):
    """Emits ``accept_requested(print_notice)``; the counter view gathers the inputs and calls the view model."""

    accept_requested = Signal(bool)  # True: F8, the resident is missing materials and takes the notice home
    item_typed = Signal(str)
    item_picked = Signal(str)  # item code
    back_requested = Signal()
    changed = Signal()  # anything a draft keeps was edited

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item: ServiceItem | None = None
        self._shown_query = ""  # the text the item list was found for
        self._enter_pending = False
        self.item_line = QLineEdit()
        self.item_line.setObjectName("item")
        self.item_line.setPlaceholderText(tr("办什么事：事项编号、名称或拼音首字母（如 sbk）　F3"))
        self.item_list = QListWidget()
        self.item_list.setObjectName("items")
        self.item_list.setMaximumHeight(150)
        self.facts = WrappingLabel("")  # in the work's scroll area, which would squeeze it: it keeps its lines
        self.facts.setObjectName("hint")
        self.facts.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.materials = QListWidget()
        self.materials.setObjectName("materials")
        self.materials.setWordWrap(True)  # long material names wrap instead of being cut off
        self.materials.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form = FormEditor()
        self.proxy = ProxyBox()
        self.scans: list[tuple[Path, str]] = []  # file, material code (or "")
        self.scan_list = QListWidget()
        self.scan_list.setObjectName("scans")
        self.scan_list.setMaximumHeight(90)
        self.scan_list.setVisible(False)
        self.scan_button = QPushButton(tr("扫描件　Ctrl+O"))
        self.scan_button.setToolTip(tr("添加扫描件：选择扫描仪或高拍仪存下的文件"))
        self.camera_button = QPushButton(tr("拍照　F5"))
        self.camera_button.setToolTip(tr("用高拍仪拍材料"))
        self.camera_folder: Path | None = None  # where photos are written (the station's data folder)
        self.notice_button = QPushButton(tr("一次性告知　F8"))
        self.accept_button = QPushButton(tr("受理　F9"))
        self.accept_button.setDefault(True)
        self.status = WrappingLabel("")  # never cut: at the largest text it takes three lines
        self.status.setObjectName("hint")
        self.receipt = QLabel("")
        self.receipt.setObjectName("receipt")
        self.receipt.setTextFormat(Qt.TextFormat.RichText)
        self.receipt.setWordWrap(True)
        self.preview = PaperPreview()  # the receipt or notice as it will print
        self.preview.setMinimumWidth(220)  # narrower at large text: the slip scrolls inside it
        self.preview.setMaximumWidth(400)
        self.print_button = QPushButton(tr("打印　F10"))
        self.print_button.setVisible(False)
        self.outcome = QWidget()  # once the case is done: what was recorded, and its paper
        # Side by side, or (narrow, at larger text) the summary over the paper; a long summary scrolls.
        self._outcome_row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.outcome)
        self._outcome_row.setContentsMargins(0, 0, 0, 0)
        summary = QScrollArea()
        summary.setObjectName("receiptScroll")
        summary.setWidgetResizable(True)
        summary.setFrameShape(QFrame.Shape.NoFrame)
        summary.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        summary.setWidget(self.receipt)
        self._outcome_row.addWidget(summary, 1)
        self._outcome_row.addWidget(self.preview, 1)
        self.outcome.setVisible(False)

        materials_box = QGroupBox(tr("材料（空格勾选，F6 全部收齐）"))
        materials_column = QVBoxLayout(materials_box)
        materials_column.addWidget(self.materials)
        materials_column.addWidget(self.scan_list)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.camera_button)
        scan_row.addWidget(self.scan_button)
        materials_column.addLayout(scan_row)
        form_box = QGroupBox(tr("填写（＊为必填）"))
        # The fields scroll when an item has many of them and a proxy too: the window stays 768 high.
        form_inner = QWidget()
        form_column = QVBoxLayout(form_inner)
        form_column.setContentsMargins(0, 0, 0, 0)
        form_column.addWidget(self.form)
        form_column.addStretch(1)
        form_column.addWidget(self.proxy)
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form_scroll.setWidget(form_inner)
        QVBoxLayout(form_box).addWidget(form_scroll)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.notice_button)
        buttons.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.item_line)
        layout.addWidget(self.item_list)
        self.work_area = QWidget()  # materials and form; the receipt takes their place once the case is done
        # Side by side when the pane is wide enough, one above the other at larger text (``resizeEvent``).
        self._work_row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.work_area)
        self._work_row.setContentsMargins(0, 0, 0, 0)
        self._work_row.addWidget(materials_box, 1)
        self._work_row.addWidget(form_box, 1)
        # When even that is too tall (the largest text on a 768-pixel screen) the two scroll together, and
        # Tab scrolls to the field it reaches: the buttons below stay on the screen.
        self.work_scroll = QScrollArea()
        self.work_scroll.setObjectName("workScroll")
        self.work_scroll.setWidgetResizable(True)
        self.work_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.work_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        work_inner = QWidget()  # the item's facts (what it costs, how long) over its materials and form
        inner = QVBoxLayout(work_inner)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.facts)
        inner.addWidget(self.work_area, 1)
        self.work_scroll.setWidget(work_inner)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # a field that gets the cursor (Ctrl+P, F9's first problem) is shown
            app.focusChanged.connect(self._show_focused)
        layout.addWidget(self.work_scroll, 1)
        layout.addWidget(self.outcome, 1)
        layout.addWidget(self.status)  # what is missing or what comes next, over the buttons it points to
        layout.addLayout(buttons)
        # Once the case is done the receipt takes the form's place, and its space (top-aligned text).
        self.receipt.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.item_line.textChanged.connect(self.item_typed)
        self.item_line.returnPressed.connect(self._on_item_line_return_pressed)
        self.item_line.installEventFilter(self)
        self.item_list.itemActivated.connect(self._on_item_list_activated)
        self.materials.itemChanged.connect(self._update_status)
        self.materials.itemChanged.connect(lambda *_: self.changed.emit())
        self.form.changed.connect(self.changed)
        self.form.corrected.connect(self._on_corrected)
        self.form.changed.connect(self._refresh_facts)
        self.proxy.corrected.connect(self._on_corrected)
        self.proxy.changed.connect(self.changed)
        self.scan_button.clicked.connect(self.choose_scans)
        self.camera_button.clicked.connect(self.take_photos)
        self.notice_button.clicked.connect(lambda: self.accept_requested.emit(True))
        self.accept_button.clicked.connect(lambda: self.accept_requested.emit(False))
        shortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, slot in (("F3", self.focus_item), ("F6", self.tick_all), ("F8", self.notice_button.click),
                          ("F9", self.accept_button.click), ("Esc", self.back_requested.emit),
                          ("Ctrl+P", self._toggle_proxy), ("Ctrl+O", self.choose_scans), ("F5", self.take_photos),
                          ("F10", self.print_button.click)):
            QShortcut(QKeySequence(key), self, slot, context=shortcut)
        self.clear_item()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The materials beside the form while each gets about 20 characters of the current text size;
        above it when not (the largest text on a 1366-pixel screen)."""
        super().resizeEvent(event)
        wide = self.width() >= 31 * self.fontMetrics().height()  # about 40 characters
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        for row in (self._work_row, self._outcome_row):
            if row.direction() != direction:
                row.setDirection(direction)

    def _show_focused(self, _old: QWidget | None, new: QWidget | None) -> None:
        inner = self.work_scroll.widget()
        if new is not None and inner is not None and inner.isAncestorOf(new):
            QTimer.singleShot(0, lambda: self._scroll_to(new))  # once the layout has placed it

    def _scroll_to(self, widget: QWidget) -> None:
        """Each scroll area it sits in, the innermost first (the form scrolls inside the work), shows it."""
        with contextlib.suppress(RuntimeError):  # gone meanwhile (the next item's form replaced it)
            target, parent = widget, widget.parentWidget()
            while parent is not None and parent is not self:
                if isinstance(parent, QScrollArea):
                    parent.ensureWidgetVisible(target, 20, 20)
                    target = parent
                parent = parent.parentWidget()

    # -- choosing the item -------------------------------------------------------------------
    def focus_item(self) -> None:
        self.item_line.setFocus()
        self.item_line.selectAll()

    def show_matches(self, items: tuple[ServiceItem, ...], *, frequent: bool = False, query: str = "",
                     favourites: frozenset[str] = frozenset()) -> None:
        self._shown_query = query.strip()
        self.item_list.clear()
        self.item_list.setVisible(bool(items))
        for n, item in enumerate(items):
            prefix = f"Alt+{n + 1}　" if frequent and n < 9 else ""
            if item.code in favourites:
                prefix += "★ "
            mode = tr("（{mode}）").format(mode=label(item.mode))
            entry = QListWidgetItem(f"{prefix}{item.code}　{item.name}{mode}")
            entry.setData(_CODE, item.code)
            self.item_list.addItem(entry)
        if items:
            self.item_list.setCurrentRow(0)
        if self._enter_pending and self._shown_query == self.item_line.text().strip():
            # Enter was pressed before these matches arrived: it meant the first match of what was typed.
            self._enter_pending = False
            self._on_item_line_return_pressed()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # ↓ from the item line goes into the list
        if obj is self.item_line and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and self.item_list.count():
            self.item_list.setFocus()
            return True
        return super().eventFilter(obj, event)

    def _on_item_line_return_pressed(self) -> None:
        if self._shown_query != self.item_line.text().strip():
            self._enter_pending = True  # the matches for what was just typed are on their way
            return
        entry = self.item_list.currentItem()
        if entry is not None:
            self.item_picked.emit(str(entry.data(_CODE)))

    def _on_item_list_activated(self, entry: QListWidgetItem) -> None:
        self.item_picked.emit(str(entry.data(_CODE)))

    def set_item(self, item: ServiceItem) -> None:
        self.item = item
        self.item_line.blockSignals(True)
        self.item_line.setText(f"{item.code} {item.short_name}")
        self.item_line.blockSignals(False)
        self.item_list.clear()
        self.item_list.setVisible(False)
        self.facts.setText(item_facts(item))
        self.materials.blockSignals(True)
        self.materials.clear()
        for m in item.materials:
            need = tr("必需") if m.required else tr("可选")
            how = tr("{copies}份·{form}（{need}）").format(copies=m.copies, form=label(m.form), need=need)
            entry = QListWidgetItem(f"{m.name}　{how}")
            entry.setData(_CODE, m.code)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Unchecked)
            if m.check:
                entry.setToolTip(tr("核验：") + m.check)
            self.materials.addItem(entry)
        self.materials.blockSignals(False)
        self.form.set_fields(item.fields)
        first = self.form.first_editor()
        if first is not None:  # Tab from the materials goes straight to the form, past the scan buttons
            QWidget.setTabOrder(self.materials, first)
        self.proxy.clear()
        self._clear_scans()
        self._hide_outcome()
        self._set_enabled(True)
        self._update_status()
        if self.materials.count():
            self.materials.setFocus()
            self.materials.setCurrentRow(0)
        else:
            self._focus_form()

    def clear_item(self) -> None:
        self.item = None
        self.item_line.clear()
        self.facts.setText(tr("先找人，再选事项。"))
        self.materials.clear()
        self.form.set_fields(())
        self.proxy.clear()
        self._clear_scans()
        self._hide_outcome()
        self.status.setText("")
        self._set_enabled(False)

    def _hide_outcome(self) -> None:
        self.outcome.setVisible(False)
        self.print_button.setVisible(False)
        self.work_scroll.setVisible(True)
        self.notice_button.setVisible(True)
        self.accept_button.setVisible(True)

    def show_paper(self, pages: list[QImage], number: str) -> None:
        """The issued receipt or notice beside the summary; F10 prints it."""
        self.preview.show_pages(pages)
        self.preview.setToolTip(number)
        self.print_button.setVisible(True)
        self.print_button.setEnabled(True)

    def _clear_scans(self) -> None:
        self.scans = []
        self.scan_list.clear()
        self.scan_list.setVisible(False)

    def _set_enabled(self, on: bool) -> None:
        for w in (self.materials, self.form, self.proxy, self.scan_button, self.camera_button, self.notice_button,
                  self.accept_button):
            w.setEnabled(on)

    # -- materials, form, proxy --------------------------------------------------------------
    def choose_scans(self) -> None:
        """Scanned materials from files (the document camera's pictures land in a folder too)."""
        if self.item is None:
            return
        files, _ = QFileDialog.getOpenFileNames(self, tr("选择扫描件"), "",
                                                tr("扫描件 (*.jpg *.jpeg *.png *.pdf *.tif *.tiff)"))
        self.add_scans([Path(f) for f in files])

    def take_photos(self) -> None:
        """F5: photos from the document camera, kept with the material selected in the checklist."""
        if self.item is None:
            return
        devices, problem = find_cameras()
        if problem is not None or self.camera_folder is None:
            self.status.setText(problem or tr("没有数据文件夹，照片无处保存；请用 Ctrl+O 选择文件。"))
            return
        dialog = CameraDialog(devices, self.camera_folder, self)
        dialog.exec()
        self.add_scans(dialog.taken)

    def add_scans(self, paths: list[Path]) -> None:
        """Keep the files for the case; each belongs to the material selected in the checklist."""
        entry = self.materials.currentItem()
        code = str(entry.data(_CODE)) if entry is not None else ""
        for path in paths:
            self.scans.append((path, code))
            material = next((m.name for m in (self.item.materials if self.item else ()) if m.code == code), "")
            self.scan_list.addItem(path.name + (tr("（{material}）").format(material=material) if material else ""))
        self.scan_list.setVisible(bool(self.scans))
        self.changed.emit()

    def _toggle_proxy(self) -> None:
        if self.item is not None:
            self.proxy.setChecked(not self.proxy.isChecked())

    def tick_all(self) -> None:
        for i in range(self.materials.count()):
            self.materials.item(i).setCheckState(Qt.CheckState.Checked)
        self._focus_form()

    def _focus_form(self) -> None:
        first = self.form.first_editor()
        (first or self.accept_button).setFocus()

    def received(self) -> list[str]:
        return [str(self.materials.item(i).data(_CODE)) for i in range(self.materials.count())
                if self.materials.item(i).checkState() == Qt.CheckState.Checked]

    def set_received(self, codes: tuple[str, ...] | list[str]) -> None:
        wanted = set(codes)
        for i in range(self.materials.count()):
            entry = self.materials.item(i)
            entry.setCheckState(Qt.CheckState.Checked if entry.data(_CODE) in wanted else Qt.CheckState.Unchecked)

    def missing_required(self) -> list[str]:
        if self.item is None:
            return []
        got = set(self.received())
        return [m.name for m in self.item.materials if m.required and m.code not in got]

    def _update_status(self, *_: object) -> None:
        if self.item is None:
            return
        missing = self.missing_required()
        if missing:
            text = trn("还缺 {n} 样必需材料：{names}。缺材料请按 F8 打印一次性告知。", len(missing))
            self.status.setText(text.format(n=len(missing), names=tr("、").join(missing)))
        else:
            self.status.setText(tr("必需材料已收齐，核对填写后按 F9 受理。"))

    def _refresh_facts(self) -> None:
        if self.item is not None and self.item.fee_rule is not None:
            self.facts.setText(item_facts(self.item, self.form.values()))

    def _on_corrected(self) -> None:
        left = self.form.problems_shown() + self.proxy.problems_shown()
        if left:
            self.status.setText(trn("有 {n} 处需要改正，见红字。", left).format(n=left))
        else:
            self._update_status()  # all corrected: back to what is missing or what comes next

    def show_form_problems(self, problems: Mapping[str, str]) -> None:
        self.proxy.show_problems({k: v for k, v in problems.items() if k in PROXY_KEYS})
        self.form.show_problems({k: v for k, v in problems.items() if k not in PROXY_KEYS})
        self.status.setText(trn("有 {n} 处需要改正，见红字。", len(problems)).format(n=len(problems)))

    # -- the outcome -------------------------------------------------------------------------
    def show_result(self, result: AcceptResult) -> None:
        case = result.case
        self.form.show_problems({})
        self.proxy.show_problems({})
        if result.accepted:
            due = case.due_date.isoformat() if case.due_date else tr("当场办结")
            when = case.received_at[:16].replace("T", " ")
            lines = [tr("<b>已受理　{case_no}</b>").format(case_no=case.case_no),
                     tr("{item}　申请人 {name}（{id}）").format(item=case.item_name, name=case.applicant.name,
                                                          id=case.applicant.id_masked),
                     tr("受理人 {handler}　受理时间 {when}").format(handler=case.handler, when=when),
                     tr("承诺办结 {due}").format(due=due),
                     tr("材料：") + tr("、").join(m.name for m in case.materials if m.received)]
            if case.proxy:
                proxy = case.proxy
                lines.append(tr("代办人 {name}（{relation}，{id}）").format(
                    name=proxy.name, relation=tr(proxy.relation), id=proxy.id_masked))
            if case.attachments:
                lines.append(trn("扫描件 {n} 份已存档", len(case.attachments)).format(n=len(case.attachments)))
            lines.append(tr("受理回执在右边，按 F10 打印交给群众。"))
        else:
            notice = result.notice
            missing = tr("、").join(m.name for m in notice.missing) if notice else ""
            lines = [tr("<b>已记为咨询　{case_no}</b>").format(case_no=case.case_no),
                     tr("一次性告知：还需带来 {missing}").format(missing=missing),
                     tr("告知单在右边，按 F10 打印交给群众；带齐材料后可凭此编号继续受理。")]
        self.receipt.setText("<br>".join(lines))
        self.outcome.setVisible(True)
        self.work_scroll.setVisible(False)
        self.notice_button.setVisible(False)  # done: F10 prints, F2 the next person (F8/F9 come back with them)
        self.accept_button.setVisible(False)
        self.status.setText(tr("办完了。F10 打印，F7 请群众评价，F2 找下一位。"))
        self._set_enabled(False)

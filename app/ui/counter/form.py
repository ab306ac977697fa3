"""One generic form for all 47+N items, built from the item's field schema (no dialog per item)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.domain.forms import FieldKind, FieldSpec
from app.ui.fields import show_problems, with_problem
from app.ui.i18n import N_, tr

_PLACEHOLDER = {
    FieldKind.MONEY: N_("金额，元，如 125.50"), FieldKind.DATE: N_("日期，如 2026-11-23"),
    FieldKind.YEAR_MONTH: N_("年月，如 2026-11"),
    FieldKind.INTEGER: N_("整数"), FieldKind.ID_NUMBER: N_("18位身份证号"), FieldKind.PHONE: N_("手机或座机"),
    FieldKind.BANK_ACCOUNT: N_("银行卡号（数字）"), FieldKind.PLATE: N_("车牌号，如 浙A12345"),
    FieldKind.ACCOUNT_NO: N_("户号 / 缴费号"), FieldKind.DECISION_NO: N_("决定书编号（15-20位数字）"),
}

Editor = QLineEdit | QComboBox | QCheckBox | QPlainTextEdit


class FormEditor(QWidget):
    """The fields of one item. ``values()`` gives what was typed (checked by the domain on accept);
    ``show_problems`` puts each problem under its field; ``changed`` fires on every edit (drafts)."""

    changed = Signal()
    corrected = Signal()  # a field with a problem was edited: its red line is gone

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # label above field when narrow
        self._editors: dict[str, Editor] = {}
        self._problems: dict[str, QLabel] = {}
        self.fields: tuple[FieldSpec, ...] = ()

    def set_fields(self, fields: Sequence[FieldSpec]) -> None:
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._editors.clear()
        self._problems.clear()
        self.fields = tuple(fields)
        for spec in self.fields:
            editor = _editor(spec)
            editor.setObjectName(f"field_{spec.key}")
            box, problem = with_problem(editor)
            label = QLabel((tr("＊") if spec.required else "") + spec.label)
            label.setBuddy(editor)
            if spec.help:
                editor.setToolTip(spec.help)
            self._layout.addRow(label, box)
            self._editors[spec.key] = editor
            self._problems[spec.key] = problem
            _on_edit(editor, self.changed.emit)
            _on_edit(editor, partial(self._corrected, problem))

    def _corrected(self, line: QLabel) -> None:
        """The problem under a field goes as soon as the field is edited: the check on F9 says again if not."""
        if line.isVisible():
            line.setVisible(False)
            self.corrected.emit()

    def problems_shown(self) -> int:
        return sum(1 for line in self._problems.values() if not line.isHidden())

    def editor(self, key: str) -> Editor:
        return self._editors[key]

    def first_editor(self) -> Editor | None:
        return next(iter(self._editors.values()), None)

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, editor in self._editors.items():
            if isinstance(editor, QComboBox):
                out[key] = editor.currentText() if editor.currentIndex() >= 0 else ""
            elif isinstance(editor, QCheckBox):
                out[key] = editor.isChecked()
            elif isinstance(editor, QPlainTextEdit):
                out[key] = editor.toPlainText()
            else:
                out[key] = editor.text()
        return out

    def set_values(self, values: Mapping[str, object]) -> None:
        """Put saved values back (a restored draft); keys the form does not have are ignored."""
        for key, value in values.items():
            editor = self._editors.get(key)
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(editor.findText(str(value)))
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(str(value))
            elif isinstance(editor, QLineEdit):
                editor.setText(str(value))

    def show_problems(self, problems: Mapping[str, str]) -> None:
        show_problems(self._problems, problems)
        first = next((self._editors[k] for k in self._editors if k in problems), None)
        if first is not None:
            first.setFocus()

    def problem_text(self, key: str) -> str:
        return self._problems[key].text()


def _on_edit(editor: Editor, slot: Callable[[], None]) -> None:
    if isinstance(editor, QComboBox):
        editor.currentIndexChanged.connect(lambda *_: slot())
    elif isinstance(editor, QCheckBox):
        editor.toggled.connect(lambda *_: slot())
    else:
        editor.textChanged.connect(lambda *_: slot())


def _editor(spec: FieldSpec) -> Editor:
    if spec.kind is FieldKind.CHOICE:
        combo = QComboBox()
        combo.addItems(list(spec.choices))
        combo.setPlaceholderText(tr("请选择（↓）"))
        combo.setCurrentIndex(spec.choices.index(spec.default) if spec.default in spec.choices else -1)
        return combo
    if spec.kind is FieldKind.BOOLEAN:
        box = QCheckBox(tr("是"))
        box.setChecked(spec.default in ("1", "true", tr("是")))
        return box
    if spec.kind is FieldKind.TEXTAREA:
        area = QPlainTextEdit(spec.default)
        area.setTabChangesFocus(True)
        area.setFixedHeight(70)
        return area
    line = QLineEdit(spec.default)
    line.setPlaceholderText(spec.help or tr(_PLACEHOLDER.get(spec.kind, "")))
    if spec.max_length:
        line.setMaxLength(spec.max_length)
    return line

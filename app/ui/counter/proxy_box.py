"""代办: the case is handled for the applicant by someone else, whose identity and relation are recorded."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.services.cases import ProxyInput
from app.ui.fields import WholeLine, show_problems, with_problem
from app.ui.i18n import N_, tr

RELATIONS = (N_("配偶"), N_("子女"), N_("父母"), N_("兄弟姐妹"), N_("其他亲属"), N_("村干部"), N_("网格员"), N_("邻居"))


def _recorded(shown: str) -> str:
    """The relation as the case records it: a listed one in Chinese whatever the screen's language."""
    return next((r for r in RELATIONS if tr(r) == shown.strip()), shown.strip())


KEYS = ("proxy_name", "proxy_id", "proxy_relation", "proxy_phone")


class ProxyBox(QGroupBox):
    """Unticked: the applicant came in person. Ticked (Ctrl+P): the proxy's details are required."""

    changed = Signal()
    corrected = Signal()  # a field with a problem was edited: its red line is gone

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("由他人代办　Ctrl+P"), parent)
        self.setCheckable(True)
        self.setChecked(False)
        self.name = QLineEdit()
        self.id_number = WholeLine("33012719900101123X")  # all 18 characters, at every text size
        self.id_number.setPlaceholderText(tr("代办人的身份证号（核验原件）"))
        self.relation = QComboBox()
        self.relation.setEditable(True)
        self.relation.addItems([tr(r) for r in RELATIONS])
        self.relation.setCurrentIndex(-1)
        self.relation.setPlaceholderText(tr("与申请人关系"))
        self.phone = QLineEdit()
        self.problems: dict[str, QLabel] = {}
        self._body = QWidget()
        form = QFormLayout(self._body)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # label above field when narrow
        rows = (("proxy_name", tr("＊代办人姓名"), self.name), ("proxy_id", tr("＊身份证号"), self.id_number),
                ("proxy_relation", tr("＊关系"), self.relation), ("proxy_phone", tr("电话"), self.phone))
        for key, label, widget in rows:
            box, self.problems[key] = with_problem(widget)
            form.addRow(label, box)
        QVBoxLayout(self).addWidget(self._body)
        self._body.setVisible(False)
        self.toggled.connect(self._on_toggled)
        for key, line in (("proxy_name", self.name), ("proxy_id", self.id_number), ("proxy_phone", self.phone)):
            line.textChanged.connect(lambda *_: self.changed.emit())
            line.textEdited.connect(lambda *_, k=key: self._corrected(k))
        self.relation.currentTextChanged.connect(lambda *_: self._corrected("proxy_relation"))
        self.relation.currentTextChanged.connect(lambda *_: self.changed.emit())
        self.toggled.connect(lambda *_: self.changed.emit())

    def _corrected(self, key: str) -> None:
        if not self.problems[key].isHidden():
            self.problems[key].setVisible(False)
            self.corrected.emit()

    def problems_shown(self) -> int:
        return sum(1 for line in self.problems.values() if not line.isHidden())

    def _on_toggled(self, on: bool) -> None:
        self._body.setVisible(on)
        if on:
            self.name.setFocus()

    def clear(self) -> None:
        for line in (self.name, self.id_number, self.phone):
            line.clear()
        self.relation.setCurrentIndex(-1)
        self.relation.setEditText("")
        self.show_problems({})
        self.setChecked(False)

    def value(self) -> ProxyInput | None:
        if not self.isChecked():
            return None
        return ProxyInput(name=self.name.text(), id_number=self.id_number.text(),
                          relation=_recorded(self.relation.currentText()), phone=self.phone.text())

    def as_dict(self) -> dict[str, str] | None:
        p = self.value()
        return None if p is None else {"name": p.name, "id_number": p.id_number, "relation": p.relation,
                                       "phone": p.phone}

    def set_dict(self, values: Mapping[str, str] | None) -> None:
        if not values:
            return
        self.setChecked(True)
        self.name.setText(values.get("name", ""))
        self.id_number.setText(values.get("id_number", ""))
        self.relation.setEditText(tr(values.get("relation", "")))
        self.phone.setText(values.get("phone", ""))

    def show_problems(self, problems: Mapping[str, str]) -> None:
        show_problems(self.problems, problems)

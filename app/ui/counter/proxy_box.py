"""代办: the case is handled for the applicant by someone else, whose identity and relation are recorded."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.services.cases import ProxyInput
from app.ui.fields import show_problems, with_problem

RELATIONS = ("配偶", "子女", "父母", "兄弟姐妹", "其他亲属", "村干部", "网格员", "邻居")
KEYS = ("proxy_name", "proxy_id", "proxy_relation", "proxy_phone")


class ProxyBox(QGroupBox):
    """Unticked: the applicant came in person. Ticked (Ctrl+P): the proxy's details are required."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("由他人代办　Ctrl+P", parent)
        self.setCheckable(True)
        self.setChecked(False)
        self.name = QLineEdit()
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText("代办人的身份证号（核验原件）")
        self.relation = QComboBox()
        self.relation.setEditable(True)
        self.relation.addItems(RELATIONS)
        self.relation.setCurrentIndex(-1)
        self.relation.setPlaceholderText("与申请人关系")
        self.phone = QLineEdit()
        self.problems: dict[str, QLabel] = {}
        self._body = QWidget()
        form = QFormLayout(self._body)
        form.setContentsMargins(0, 0, 0, 0)
        rows = (("proxy_name", "＊代办人姓名", self.name), ("proxy_id", "＊身份证号", self.id_number),
                ("proxy_relation", "＊关系", self.relation), ("proxy_phone", "电话", self.phone))
        for key, label, widget in rows:
            box, self.problems[key] = with_problem(widget)
            form.addRow(label, box)
        QVBoxLayout(self).addWidget(self._body)
        self._body.setVisible(False)
        self.toggled.connect(self._on_toggled)
        for line in (self.name, self.id_number, self.phone):
            line.textChanged.connect(lambda *_: self.changed.emit())
        self.relation.currentTextChanged.connect(lambda *_: self.changed.emit())
        self.toggled.connect(lambda *_: self.changed.emit())

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
                          relation=self.relation.currentText(), phone=self.phone.text())

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
        self.relation.setEditText(values.get("relation", ""))
        self.phone.setText(values.get("phone", ""))

    def show_problems(self, problems: Mapping[str, str]) -> None:
        show_problems(self.problems, problems)

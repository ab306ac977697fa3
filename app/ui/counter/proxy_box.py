"""代办: the case is handled for the applicant by someone else, whose identity and relation are recorded."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.residents import proxy_relation
from app.services.cases import ProxyInput
from app.services.views import ResidentSummary
from app.ui.fields import WholeLine, show_problems, with_problem
from app.ui.i18n import N_, tr

RELATIONS = (N_("配偶"), N_("子女"), N_("父母"), N_("兄弟姐妹"), N_("其他亲属"), N_("村干部"), N_("网格员"), N_("邻居"))


def _recorded(shown: str) -> str:
    """The relation as the case records it: a listed one in Chinese whatever the screen's language."""
    return next((r for r in RELATIONS if tr(r) == shown.strip()), shown.strip())


KEYS = ("proxy_name", "proxy_id", "proxy_relation", "proxy_phone")


class ProxyBox(QGroupBox):
    """Unticked: the applicant came in person. Ticked (Ctrl+P): the proxy's details are required.

    A proxy of the applicant's household is picked from the list above the fields (↓): their name, masked
    number and phone come from the register (the full number is filled in by the service, never shown),
    and the relation is suggested when the register says it. 其他人 types someone else's details."""

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
        self.member = QComboBox()  # someone of the applicant's household, or 其他人 (typed)
        self.member.setObjectName("proxyMember")
        # As narrow as the pane is (a member's line is long at the largest text): the rest of it is cut.
        self.member.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.member.setMinimumContentsLength(8)
        self._members: dict[str, ResidentSummary] = {}
        self._applicant: ResidentSummary | None = None
        self._pending_member = ""  # a draft's pick, made once the household is known
        self.problems: dict[str, QLabel] = {}
        self._body = QWidget()
        form = QFormLayout(self._body)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # label above field when narrow
        self._member_label = QLabel(tr("家庭成员"))
        form.addRow(self._member_label, self.member)
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
        self.member.currentIndexChanged.connect(self._on_member_chosen)
        self.member.currentIndexChanged.connect(lambda *_: self.changed.emit())
        self.set_household((), None)

    # -- a proxy from the household ----------------------------------------------------------------
    def set_household(self, members: tuple[ResidentSummary, ...], applicant: ResidentSummary | None) -> None:
        """The applicant's household: the others can be picked as the proxy."""
        self._applicant = applicant
        others = [m for m in members if applicant is None or m.id != applicant.id]
        self._members = {m.id: m for m in others}
        self.member.blockSignals(True)
        self.member.clear()
        self.member.addItem(tr("其他人（手工填写）"), "")
        for m in others:
            self.member.addItem("　".join(x for x in (m.name, m.relation, m.id_masked) if x), m.id)
        self.member.setCurrentIndex(0)
        self.member.blockSignals(False)
        self._member_label.setVisible(bool(others))
        self.member.setVisible(bool(others))
        self._fill_from(None)
        if self._pending_member in self._members:
            self.member.setCurrentIndex(self.member.findData(self._pending_member))
        self._pending_member = ""

    def picked(self) -> str:
        """The household member picked as the proxy (their resident id), or ""."""
        return str(self.member.currentData() or "")

    def _on_member_chosen(self, _index: int) -> None:
        chosen = self._members.get(self.picked())
        self._fill_from(chosen)
        if chosen is not None and self._applicant is not None:
            suggested = proxy_relation(self._applicant.relation, chosen.relation)
            if suggested:
                self.relation.setEditText(tr(suggested))
        for key in ("proxy_name", "proxy_id", "proxy_phone"):
            self._corrected(key)

    def _fill_from(self, member: ResidentSummary | None) -> None:
        """A member's details from the register, not to be typed over; 其他人: empty fields to type in."""
        was_member = self.name.isReadOnly()
        for line, text in ((self.name, member.name if member else ""),
                           (self.id_number, member.id_masked if member else ""),
                           (self.phone, member.phone_masked if member else "")):
            if member is not None or was_member:
                line.setText(text)
            line.setReadOnly(member is not None)
            line.setFocusPolicy(Qt.FocusPolicy.NoFocus if member is not None else Qt.FocusPolicy.StrongFocus)

    def _corrected(self, key: str) -> None:
        if not self.problems[key].isHidden():
            self.problems[key].setVisible(False)
            self.corrected.emit()

    def problems_shown(self) -> int:
        return sum(1 for line in self.problems.values() if not line.isHidden())

    def _on_toggled(self, on: bool) -> None:
        self._body.setVisible(on)
        if on:
            (self.member if self.member.isVisibleTo(self) else self.name).setFocus()

    def clear(self) -> None:
        self.member.setCurrentIndex(0)
        for line in (self.name, self.id_number, self.phone):
            line.clear()
        self.relation.setCurrentIndex(-1)
        self.relation.setEditText("")
        self.show_problems({})
        self.setChecked(False)

    def value(self) -> ProxyInput | None:
        if not self.isChecked():
            return None
        member = self.picked()
        return ProxyInput(name=self.name.text(), id_number="" if member else self.id_number.text(),
                          relation=_recorded(self.relation.currentText()),
                          phone="" if member else self.phone.text(), resident_id=member)

    def as_dict(self) -> dict[str, str] | None:
        p = self.value()
        return None if p is None else {"name": p.name, "id_number": p.id_number, "relation": p.relation,
                                       "phone": p.phone, "resident_id": p.resident_id}

    def set_dict(self, values: Mapping[str, str] | None) -> None:
        if not values:
            return
        self.setChecked(True)
        member = values.get("resident_id", "")
        if member:
            if member in self._members:
                self.member.setCurrentIndex(self.member.findData(member))
            else:
                self._pending_member = member
            self.relation.setEditText(tr(values.get("relation", "")))
            return
        self.name.setText(values.get("name", ""))
        self.id_number.setText(values.get("id_number", ""))
        self.relation.setEditText(tr(values.get("relation", "")))
        self.phone.setText(values.get("phone", ""))

    def show_problems(self, problems: Mapping[str, str]) -> None:
        show_problems(self.problems, problems)

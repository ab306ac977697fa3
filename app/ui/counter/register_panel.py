"""Registering a new resident in place (登记新居民), checked as you type; an ID card read fills it in."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.errors import DomainError, ValidationFailed
from app.domain.idcard import IdCard
from app.domain.identity import IdType, parse_id_number
from app.domain.residents import age_on, validate_resident
from app.messages import describe
from app.services.station import VillageSpec
from app.ui.fields import show_problems, with_problem
from app.ui.i18n import label, tr

FIELDS = ("name", "id_number", "phone", "village", "group", "address")


class RegisterPanel(QWidget):
    """Emits ``save_requested(values)`` with the typed values; ``back_requested`` on Esc."""

    save_requested = Signal(object)  # dict[str, str]
    back_requested = Signal()

    def __init__(self, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lang = lang
        self.title = QLabel(tr("登记新居民"))
        self.title.setObjectName("title")
        self.name = QLineEdit()
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText(tr("18位身份证号（15位老号码会自动升级）"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(tr("手机11位，或座机如 0571-64812345"))
        self.village = QComboBox()
        self.group = QLineEdit()
        self.group.setPlaceholderText(tr("如 3组"))
        self.address = QLineEdit()
        self.derived = QLabel("")
        self.derived.setObjectName("hint")
        self.derived.setWordWrap(True)  # a long sentence wraps instead of widening the window
        self.problems: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, title, widget in (("name", tr("＊姓名"), self.name), ("id_number", tr("＊身份证号"), self.id_number),
                                   ("phone", tr("联系电话"), self.phone), ("village", tr("＊所属村"), self.village),
                                   ("group", tr("组"), self.group), ("address", tr("住址"), self.address)):
            box, self.problems[key] = with_problem(widget)
            form.addRow(title, box)
        self.save_button = QPushButton(tr("保存并选中　F9"))
        self.cancel_button = QPushButton(tr("返回　Esc"))
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.derived)
        layout.addStretch(1)
        layout.addLayout(buttons)
        for line in (self.name, self.id_number, self.phone):
            line.textChanged.connect(self.check)
            line.returnPressed.connect(self.focusNextChild)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.cancel_button.clicked.connect(self.back_requested.emit)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("F9"), self, self.save_button.click, context=context)
        QShortcut(QKeySequence("Esc"), self, self.back_requested.emit, context=context)

    def set_villages(self, villages: tuple[VillageSpec, ...], home_village: str) -> None:
        """The town's villages (anyone in the town may be registered here); this station's own first."""
        self.village.clear()
        for v in villages:
            self.village.addItem(v.name, v.code)
        self.village.setCurrentIndex(max(self.village.findData(home_village), 0))

    def start(self, *, name: str = "", id_number: str = "", address: str = "") -> None:
        for line in (self.name, self.id_number, self.phone, self.group, self.address):
            line.clear()
        self.name.setText(name)
        self.id_number.setText(id_number)
        self.address.setText(address)
        self.status.setText("")
        self.check()
        (self.phone if name and id_number else self.name).setFocus()

    def start_from_card(self, card: IdCard) -> None:
        self.start(name=card.name, id_number=card.id_number, address=card.address)
        # The card's address usually names the village: choose it (the longest name, so 石门村 beats 门村).
        names = sorted(((self.village.itemText(i), i) for i in range(self.village.count())), key=lambda x: -len(x[0]))
        index = next((i for name, i in names if name and name in card.address), -1)
        if index >= 0:
            self.village.setCurrentIndex(index)
        self.status.setText(tr("已从身份证读入姓名、号码和住址；请补上电话和组。"))

    def values(self) -> dict[str, str]:
        return {"name": self.name.text(), "id_number": self.id_number.text(), "phone": self.phone.text(),
                "village": str(self.village.currentData() or ""), "group": self.group.text(),
                "address": self.address.text()}

    def check(self, *_: object) -> bool:
        """Check as you type: a field's problem shows under it once something is typed there."""
        v = self.values()
        found: dict[str, str] = {}
        try:
            validate_resident(name=v["name"], id_number=v["id_number"], village_code=v["village"], phone=v["phone"])
        except ValidationFailed as e:
            found = {key: describe(problem, self._lang) for key, problem in e.problems.items()}
        self.derived.setText(_derived(v["id_number"]))
        typed = {k for k in FIELDS if v.get(k)}
        self.show_problems({k: m for k, m in found.items() if k in typed})
        return not found

    def show_problems(self, problems: Mapping[str, str]) -> None:
        show_problems(self.problems, problems)

    def _on_save_clicked(self) -> None:
        if not self.check():
            v = self.values()
            # Now also the empty required fields.
            try:
                validate_resident(name=v["name"], id_number=v["id_number"], village_code=v["village"],
                                  phone=v["phone"])
            except ValidationFailed as e:
                self.show_problems({k: describe(p, self._lang) for k, p in e.problems.items()})
            self.status.setText(tr("请先改正红字的地方。"))
            return
        self.status.setText(tr("正在保存…"))
        self.save_requested.emit(self.values())


def _derived(id_number: str) -> str:
    """What the ID number says, shown as soon as it is complete and valid: staff compare it with the person."""
    try:
        parsed = parse_id_number(id_number)
    except DomainError:
        return ""
    upgraded = tr("　（15位老号码，已升级为18位）") if parsed.upgraded_from_15 else ""
    # A residence permit (810000/820000/830000) is typed into the same field: say which document it is.
    said = (tr("港澳台居民居住证：{gender}　{born}　{age}岁") if parsed.id_type is IdType.HMT_RESIDENCE_PERMIT
            else tr("按身份证号：{gender}　{born}　{age}岁"))
    return said.format(
        gender=label(parsed.gender), born=parsed.birth_date.isoformat(),
        age=age_on(parsed.birth_date, date.today())) + upgraded

"""First run (首次使用): set up the town, its villages, this station and the first station head.

Shown by ``python -m app`` when the data folder has no station yet. Every rule is the service's
(``init_station``); problems come back as plain sentences, and nothing is half set up.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.context import ServiceContext
from app.services.station import StationView, VillageSpec, init_station
from app.ui.errors import message_for
from app.ui.i18n import tr
from app.ui.tasks import TaskRunner


def parse_villages(text: str) -> list[VillageSpec]:
    """One village per line: its code, a space, its name (``V01 青溪村``)."""
    out = []
    for line in text.splitlines():
        parts = line.split(maxsplit=1)
        if len(parts) == 2:
            out.append(VillageSpec(parts[0].strip(), parts[1].strip()))
        elif parts:
            out.append(VillageSpec("", parts[0].strip()))  # the service names the missing code
    return out


class SetupViewModel(QObject):
    done = Signal(object)  # StationView
    failed = Signal(str)

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, lang: str = "zh") -> None:
        super().__init__()
        self._ctx = ctx
        self._runner = runner
        self._lang = lang

    def set_up(self, values: dict[str, str]) -> None:
        if values["password"] != values["password2"]:
            self.failed.emit(tr("两次输入的密码不一样，请重新输入。"))
            return
        if not values["password"]:
            self.failed.emit(tr("请为站长账号设一个密码。"))
            return
        ctx, v = self._ctx, dict(values)
        self._runner.submit(
            lambda: init_station(ctx, town_code=v["town_code"], town_name=v["town_name"],
                                 villages=parse_villages(v["villages"]), station_code=v["station_code"],
                                 station_name=v["station_name"], village_code=v["village"],
                                 admin_username=v["username"], admin_name=v["admin_name"],
                                 admin_password=v["password"], phone=v["phone"],
                                 supervision_phone=v["supervision_phone"] or "12345"),
            self.done.emit, lambda e: self.failed.emit(message_for(e, self._lang)))


class SetupDialog(QDialog):
    def __init__(self, vm: SetupViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.station: StationView | None = None
        self.setWindowTitle(tr("村站通 StationDesk — 首次使用设置"))
        title = QLabel(tr("首次使用：设置本站"))
        title.setObjectName("title")
        hint = QLabel(tr("镇里给的代码照填。设好后用站长账号登录，再添加窗口工作人员、导入花名册。"))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.town_code = QLineEdit()
        self.town_code.setPlaceholderText(tr("如 330127101"))
        self.town_name = QLineEdit()
        self.villages = QPlainTextEdit()
        self.villages.setPlaceholderText(tr("每行一个村：代码 空格 村名，如\nV01 青溪村\nV02 石门村"))
        self.villages.setTabChangesFocus(True)
        self.villages.setFixedHeight(110)
        self.station_code = QLineEdit()
        self.station_code.setPlaceholderText(tr("如 QX01（办件编号以它开头）"))
        self.station_name = QLineEdit()
        self.village = QComboBox()
        self.phone = QLineEdit()
        self.supervision_phone = QLineEdit("12345")
        self.username = QLineEdit()
        self.username.setPlaceholderText(tr("小写字母或数字，如 zhanzhang"))
        self.admin_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        # Two columns, so the page fits a 1366×768 screen: the town on the left, this station on the right.
        town_form, station_form = QFormLayout(), QFormLayout()
        town_rows: tuple[tuple[str, QWidget], ...] = ((tr("镇代码"), self.town_code), (tr("镇名称"), self.town_name),
                                                      (tr("本镇各村"), self.villages))
        for label, widget in town_rows:
            town_form.addRow(label, widget)
        station_rows: tuple[tuple[str, QWidget], ...] = (
                              (tr("本站代码"), self.station_code), (tr("本站名称"), self.station_name),
                              (tr("本站所在村"), self.village), (tr("咨询电话"), self.phone),
                              (tr("监督电话"), self.supervision_phone), (tr("站长账号"), self.username),
                              (tr("站长姓名"), self.admin_name), (tr("密码"), self.password),
                              (tr("再输一次密码"), self.password2))
        for label, widget in station_rows:
            station_form.addRow(label, widget)
        self.villages.setFixedHeight(260)
        form = QHBoxLayout()
        form.addLayout(town_form, 1)
        form.addLayout(station_form, 1)
        self.message = QLabel("")
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.button = QPushButton(tr("完成设置"))
        self.button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.button)
        self.setMinimumWidth(1100)
        self.villages.textChanged.connect(self._on_villages_changed)
        self.button.clicked.connect(self._on_button_clicked)
        vm.done.connect(self._on_vm_done)
        vm.failed.connect(self.message.setText)

    def _on_villages_changed(self) -> None:
        keep = self.village.currentData()
        self.village.clear()
        for v in parse_villages(self.villages.toPlainText()):
            if v.code:
                self.village.addItem(tr("{name}（{code}）").format(name=v.name, code=v.code), v.code)
        index = self.village.findData(keep)
        self.village.setCurrentIndex(max(index, 0))

    def values(self) -> dict[str, str]:
        return {"town_code": self.town_code.text(), "town_name": self.town_name.text(),
                "villages": self.villages.toPlainText(), "station_code": self.station_code.text(),
                "station_name": self.station_name.text(), "village": str(self.village.currentData() or ""),
                "phone": self.phone.text(), "supervision_phone": self.supervision_phone.text(),
                "username": self.username.text(), "admin_name": self.admin_name.text(),
                "password": self.password.text(), "password2": self.password2.text()}

    def _on_button_clicked(self) -> None:
        self.message.setText("")
        self.vm.set_up(self.values())

    def _on_vm_done(self, station: StationView) -> None:
        self.station = station
        self.accept()

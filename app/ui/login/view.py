"""The login page: the counter window's first screen. Two large fields, Enter to log in, a plain message
when it fails. It is the first thing painted at start-up, so it keeps to widgets whose Python types are
quick to make (see ``app/ui/main.py``)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.staff import Actor
from app.ui.i18n import ENDONYMS, language, tr
from app.ui.login.view_model import LoginViewModel

BOX_WIDTH = 520


class LoginPage(QWidget):
    language_chosen = Signal(str)  # the other language: the window is made again in it

    def __init__(self, vm: LoginViewModel, *, station_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.actor: Actor | None = None
        self.setObjectName("LoginPage")
        self.title = QLabel()
        self.title.setObjectName("title")
        self.set_station_name(station_name)
        self.username = QLineEdit()
        self.username.setPlaceholderText(tr("账号"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("密码"))
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.button = QPushButton(tr("登录（Enter）"))
        # Enter is handled per field (name → password → log in), never from the name field with no password.
        self.button.setAutoDefault(False)
        form = QFormLayout()
        form.addRow(tr("账号"), self.username)
        form.addRow(tr("密码"), self.password)
        box = QWidget()
        box.setMinimumWidth(BOX_WIDTH)  # wider when a long station name or the largest text needs it
        column = QVBoxLayout(box)
        column.addWidget(self.title)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.button)
        # Centred with stretches on every side (no alignment flags: see the module's docstring).
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(box)
        middle.addStretch(1)
        # The language switch names the other language in that language, so anyone can find it.
        self.other_language = "zh" if language() == "en" else "en"
        self.language_button = QPushButton(ENDONYMS[self.other_language])
        self.language_button.setObjectName("language")
        self.language_button.setAutoDefault(False)
        self.language_button.setToolTip(tr("界面语言"))
        self.language_button.clicked.connect(lambda: self.language_chosen.emit(self.other_language))
        corner = QHBoxLayout()
        corner.addStretch(1)
        corner.addWidget(self.language_button)
        page = QVBoxLayout(self)
        page.addLayout(corner)
        page.addStretch(1)
        page.addLayout(middle)
        page.addStretch(2)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._on_button_clicked)
        self.button.clicked.connect(self._on_button_clicked)
        vm.logged_in.connect(self._on_vm_logged_in)
        vm.login_failed.connect(self._on_vm_login_failed)
        vm.busy_changed.connect(self._on_vm_busy_changed)

    def set_station_name(self, name: str) -> None:
        """Shown as soon as the station is open (the page is up before that)."""
        # Centred by the paragraph, not Qt.AlignmentFlag: the Qt namespace's enums take longer to build than
        # this whole page takes to appear.
        self.title.setText(f'<p align="center"><b>{name}</b></p>' if name else "")

    def set_waiting(self, text: str) -> None:
        """A sentence while the counter gets ready behind a login that has already succeeded."""
        self.message.setObjectName("hint")  # grey, not the red of a mistake
        self.message.setText(text)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def start(self) -> None:
        self.username.setFocus()

    def _on_button_clicked(self) -> None:
        self.message.clear()
        self.vm.log_in(self.username.text(), self.password.text())

    def _on_vm_logged_in(self, actor: Actor) -> None:
        self.actor = actor
        self.password.clear()  # nothing of the password stays on the screen

    def _on_vm_login_failed(self, text: str) -> None:
        if self.message.objectName() != "error":
            self.message.setObjectName("error")
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        self.message.setText(text)
        self.password.selectAll()
        self.password.setFocus()

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.button.setEnabled(not busy)

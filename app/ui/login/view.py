"""The login dialog: two large fields, Enter to log in, and a plain message when it fails."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
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


class LoginDialog(QDialog):
    LANGUAGE_CHANGED = 2  # exec() result: show the login again in ``other_language``

    def __init__(self, vm: LoginViewModel, *, station_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.actor: Actor | None = None
        self.setWindowTitle(tr("村站通 StationDesk — 登录"))
        self.setObjectName("LoginDialog")
        self.title = title = QLabel()
        title.setObjectName("title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
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
        # Enter is handled per field (name → password → log in), not by a default button that would
        # fire from the name field with an empty password.
        self.button.setAutoDefault(False)
        form = QFormLayout()
        form.addRow(tr("账号"), self.username)
        form.addRow(tr("密码"), self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.button)
        self.setMinimumWidth(460)
        self.button.clicked.connect(self._on_button_clicked)
        # The language switch names the other language in that language, so anyone can find it.
        self.other_language = "zh" if language() == "en" else "en"
        self.language_button = QPushButton(ENDONYMS[self.other_language])
        self.language_button.setObjectName("language")
        self.language_button.setAutoDefault(False)
        self.language_button.setToolTip(tr("界面语言"))
        self.language_button.clicked.connect(lambda: self.done(self.LANGUAGE_CHANGED))
        corner = QHBoxLayout()
        corner.addStretch(1)
        corner.addWidget(self.language_button)
        layout.insertLayout(0, corner)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._on_button_clicked)
        vm.logged_in.connect(self._on_vm_logged_in)
        vm.login_failed.connect(self._on_vm_login_failed)
        vm.busy_changed.connect(self._on_vm_busy_changed)

    def set_station_name(self, name: str) -> None:
        """Shown as soon as the station is open (the window is up before that)."""
        self.title.setText(f"<b>{name}</b>" if name else "")

    def _on_button_clicked(self) -> None:
        self.message.clear()
        self.vm.log_in(self.username.text(), self.password.text())

    def _on_vm_logged_in(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()

    def _on_vm_login_failed(self, text: str) -> None:
        self.message.setText(text)
        self.password.selectAll()
        self.password.setFocus()

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.button.setEnabled(not busy)

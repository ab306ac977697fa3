"""Locking the counter after inactivity: residents' data leaves the screen until the staff member's password.

Any key press or mouse use in the application restarts the clock. Locked, the window shows only the lock
page; the work underneath (a half-filled case) stays as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.staff import Actor
from app.ui.i18n import tr
from app.ui.login.view_model import LoginViewModel

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}


class IdleWatch(QObject):
    """Emits ``idle`` after ``ms`` without input anywhere in the application."""

    idle = Signal()

    def __init__(self, ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(ms)
        self.timer.timeout.connect(self.idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.timer.start()
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockPage(QWidget):
    """The locked screen: who is logged in, and a password line. Only that staff member unlocks it."""

    unlocked = Signal()

    def __init__(self, actor: Actor | None, vm: LoginViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        self.vm = vm
        self.title = QLabel()
        self.title.setObjectName("title")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("输入密码，回车解锁"))
        self.password.setMinimumWidth(380)
        self.button = QPushButton(tr("解锁　Enter"))
        self.message = QLabel("")
        self.message.setObjectName("error")
        self.message.setWordWrap(True)  # a long sentence wraps instead of widening the window
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for w in (self.title, self.password, self.button, self.message):
            layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.password.returnPressed.connect(self._try)
        self.button.clicked.connect(self._try)
        vm.logged_in.connect(self._on_vm_logged_in)
        vm.login_failed.connect(self._on_vm_login_failed)
        if actor is not None:
            self.set_actor(actor)

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        self.title.setText(tr("已锁屏　{name}（工号 {staff_no}）").format(name=actor.display_name,
                                                                    staff_no=actor.staff_no))

    def reset(self) -> None:
        self.password.clear()
        self.message.setText("")
        self.password.setFocus()

    def _try(self) -> None:
        if self.actor is not None:
            self.vm.log_in(self.actor.username, self.password.text())

    def _on_vm_login_failed(self, text: str) -> None:
        self.message.setText(text)
        self.password.clear()  # type it again from the start
        self.password.setFocus()

    def _on_vm_logged_in(self, actor: Actor) -> None:
        if self.actor is not None and actor.staff_id == self.actor.staff_id:
            self.password.clear()
            self.unlocked.emit()

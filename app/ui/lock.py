"""Locking the counter after inactivity: residents' data leaves the screen until the staff member's password.

Any key press or mouse use in the application restarts the clock. Locked, the window shows only the lock
page; the work underneath (a half-filled case) stays as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
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
    """The locked screen: who is signed in, and a password line — only the password, and it says so. Another
    person (the B post, the station head) signs in here too (F3, or 系统 → 切换用户): the counter then
    carries on under their name (``switched``); the one signed in unlocks with their own password."""

    unlocked = Signal()
    switched = Signal(object)  # Actor: another staff member signed in on the lock page

    def __init__(self, actor: Actor | None, vm: LoginViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        self.vm = vm
        self.title = QLabel()
        self.title.setObjectName("title")
        self.hint = QLabel("")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("lockUsername")
        self.username.setPlaceholderText(tr("换人登录：账号"))
        self.username.setVisible(False)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("输入密码，回车解锁"))
        self.password.setMinimumWidth(380)
        self.button = QPushButton(tr("解锁　Enter"))
        self.other = QPushButton(tr("换人登录　F3"))
        self.other.setAutoDefault(False)
        self.message = QLabel("")
        self.message.setObjectName("error")
        self.message.setWordWrap(True)  # a long sentence wraps instead of widening the window
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for w in (self.title, self.hint, self.username, self.password, self.button, self.other, self.message):
            if isinstance(w, QLabel) and w.wordWrap():  # the full width, so that it wraps to its real height
                w.setAlignment(Qt.AlignmentFlag.AlignHCenter)
                layout.addWidget(w)
            else:
                layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._try)
        self.button.clicked.connect(self._try)
        self.other.clicked.connect(lambda: self.reset(switching=True))
        QShortcut(QKeySequence("F3"), self, lambda: self.reset(switching=not self.switching),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        vm.logged_in.connect(self._on_vm_logged_in)
        vm.login_failed.connect(self._on_vm_login_failed)
        if actor is not None:
            self.set_actor(actor)

    @property
    def switching(self) -> bool:
        """Another person is signing in (the account line is shown)."""
        return not self.username.isHidden()

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        self.title.setText(tr("已锁屏　{name}（工号 {staff_no}）").format(name=actor.display_name,
                                                                    staff_no=actor.staff_no))
        self._say_how()

    def _say_how(self) -> None:
        name = self.actor.display_name if self.actor is not None else ""
        if self.switching:
            self.hint.setText(tr("换人登录：填您自己的账号和密码，回车。之后办的事都记在您的名下。"
                                 "按 F3 回到 {name} 解锁。").format(name=name))
            self.button.setText(tr("登录　Enter"))
            self.other.setText(tr("回到 {name} 解锁　F3").format(name=name))
        else:
            self.hint.setText(tr("只需输入 {name} 的密码（账号不用填），回车解锁。换一个人登录：按 F3。").format(
                name=name))
            self.button.setText(tr("解锁　Enter"))
            self.other.setText(tr("换人登录　F3"))

    def reset(self, *, switching: bool = False) -> None:
        self.username.clear()
        self.username.setVisible(switching)
        self.password.clear()
        self.password.setPlaceholderText(tr("密码") if switching else tr("输入密码，回车解锁"))
        self.message.setText("")
        self._say_how()
        (self.username if switching else self.password).setFocus()

    def _try(self) -> None:
        if self.switching:
            if not self.username.text().strip():
                self.message.setText(tr("请先填账号（换人登录），或按 F3 回到原来的人解锁。"))
                self.username.setFocus()
                return
            self.vm.log_in(self.username.text(), self.password.text())
        elif self.actor is not None:
            self.vm.log_in(self.actor.username, self.password.text())

    def _on_vm_login_failed(self, text: str) -> None:
        self.message.setText(text)
        self.password.clear()  # type it again from the start
        self.password.setFocus()

    def _on_vm_logged_in(self, actor: Actor) -> None:
        self.password.clear()
        if self.actor is not None and actor.staff_id == self.actor.staff_id:
            self.unlocked.emit()
        else:
            self.switched.emit(actor)

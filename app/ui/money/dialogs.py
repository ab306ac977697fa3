"""The two dialogs of the money page: counting the drawer by denomination (清点结账), and the station head
signing in to approve one thing (a void, a refund, a drawer off by more than allowed)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.forms import format_money
from app.domain.money import DENOMINATIONS
from app.domain.staff import Actor, Permission
from app.ui.i18n import tr


class CountDialog(QDialog):
    """Pieces of each denomination; the total, what the drawer should hold and the difference shown as typed.
    Tab moves from one denomination to the next; Enter closes the drawer."""

    def __init__(self, expected_fen: int, tolerance_fen: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("清点钱箱"))
        self.expected_fen = expected_fen
        self.tolerance_fen = tolerance_fen
        self.pieces: dict[int, QSpinBox] = {}
        grid = QGridLayout()
        for n, fen in enumerate(DENOMINATIONS):
            box = QSpinBox()
            box.setRange(0, 100_000)
            box.setObjectName(f"count{fen}")
            box.valueChanged.connect(self._refresh)
            self.pieces[fen] = box
            grid.addWidget(QLabel(format_money(fen)), n // 2, (n % 2) * 2)  # ¥100.00 … ¥0.10, in any language
            grid.addWidget(box, n // 2, (n % 2) * 2 + 1)
        self.total = QLabel("")
        self.total.setObjectName("total")
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("有差额时写明情况：查过哪些、可能的原因"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("结账　Enter"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消　Esc"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.problem = QLabel("")
        self.problem.setObjectName("error")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("按面额点数张数（硬币和同面额纸币一起算）：")))
        layout.addLayout(grid)
        layout.addWidget(self.total)
        layout.addWidget(self.note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._refresh()
        self.pieces[DENOMINATIONS[0]].setFocus()
        self.pieces[DENOMINATIONS[0]].selectAll()

    def accept(self) -> None:
        """Beyond the tolerance the difference is explained before the drawer closes: the dialog stays open
        with every count as typed, and the cursor goes to the note."""
        if self.over_tolerance() and not self.note.text().strip():
            self.problem.setText(tr("差额超过允许范围：请在下面写明情况（查过哪些、可能的原因），再按 Enter。"))
            self.problem.setVisible(True)
            self.note.setFocus()
            return
        super().accept()

    def counts(self) -> dict[int, int]:
        return {fen: box.value() for fen, box in self.pieces.items() if box.value()}

    def counted_fen(self) -> int:
        return sum(fen * n for fen, n in self.counts().items())

    def difference_fen(self) -> int:
        return self.counted_fen() - self.expected_fen

    def over_tolerance(self) -> bool:
        return abs(self.difference_fen()) > self.tolerance_fen

    def _refresh(self) -> None:
        diff = self.difference_fen()
        text = tr("实点 {counted}　应有 {expected}　差额 {difference}").format(
            counted=format_money(self.counted_fen()), expected=format_money(self.expected_fen),
            difference=format_money(diff))
        if self.over_tolerance():
            text += tr("（超过允许的 {tolerance}：要站长审批，并写明情况）").format(
                tolerance=format_money(self.tolerance_fen))
        self.total.setText(text)
        self.total.setStyleSheet("color: #b42318;" if self.over_tolerance() else "")


class ApprovalDialog(QDialog):
    """The station head's account and password, for one approval; nothing is stored. ``check(username,
    password, ok, bad)`` signs the head in off the screen's thread and calls ``ok(head)`` or ``bad(text)``:
    a wrong password or an account that is not a head keeps the dialog open with what was typed and says
    why; only a head's signature closes it (``head``)."""

    def __init__(self, what: str, check: Callable[[str, str, Callable[[Actor], None], Callable[[str], None]], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("站长审批"))
        self.head: Actor | None = None
        self._check = check
        self.username = QLineEdit()
        self.username.setObjectName("approverName")
        self.password = QLineEdit()
        self.password.setObjectName("approverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        question = QLabel(what)
        question.setWordWrap(True)
        question.setTextFormat(Qt.TextFormat.PlainText)
        self.problem = QLabel("")
        self.problem.setObjectName("error")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        form = QFormLayout()
        form.addRow(tr("站长账号"), self.username)
        form.addRow(tr("密码"), self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("同意　Enter"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消　Esc"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.username.setFocus()

    def accept(self) -> None:
        if not self.username.text().strip() or not self.password.text():
            self._bad(tr("请填站长的账号和密码。"))
            return
        self.buttons.setEnabled(False)
        self.problem.setText(tr("正在核对…"))
        self.problem.setVisible(True)
        self._check(self.username.text(), self.password.text(), self._ok, self._bad)

    def _ok(self, head: Actor) -> None:
        if not head.can(Permission.MONEY_APPROVE):
            self._bad(tr("{name} 不是站长，不能审批：请站长本人输入账号和密码。").format(name=head.display_name))
            return
        self.head = head
        super().accept()

    def _bad(self, text: str) -> None:
        self.buttons.setEnabled(True)
        self.problem.setText(text)
        self.problem.setVisible(True)
        self.password.setFocus()
        self.password.selectAll()  # typing again replaces it; the account stays

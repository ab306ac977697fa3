"""The rating panel (好差评) the resident uses: five large choices, keys 1–5, once per case.

``RatingWindow`` shows it full-screen on a second monitor facing the resident when there is one,
otherwise as a window over the counter.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.ratings import RatingLevel
from app.ui.i18n import label, tr

THANKS_MS = 3000  # how long the thanks stay before the panel closes

_COLOURS = {5: "#1a7f37", 4: "#2da44e", 3: "#9a6700", 2: "#bc4c00", 1: "#cf222e"}


class RatingPanel(QWidget):
    rated = Signal(int)  # the level chosen
    settled = Signal()  # saved (or not): the thanks stay a moment, the clerk can go on
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rating")
        self.title = QLabel(tr("请您为本次服务评价"))
        self.title.setObjectName("ratingTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.case_line = QLabel("")
        self.case_line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.case_line.setWordWrap(True)
        self.thanks = QLabel("")
        self.thanks.setObjectName("ratingThanks")
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.buttons: dict[int, QPushButton] = {}
        grid = QGridLayout()
        for n, level in enumerate(RatingLevel):
            # "Very satisfied" on two lines: five large buttons fit a 1366-pixel screen in English too
            button = QPushButton(f"{int(level)}\n{label(level).replace(' ', chr(10), 1)}")
            button.setObjectName("ratingButton")
            button.setMinimumSize(170, 140)
            button.setStyleSheet(f"QPushButton#ratingButton {{ background: {_COLOURS[int(level)]}; color: white;"
                                 " font-size: 22pt; border-radius: 10px; }")
            button.clicked.connect(lambda _=False, lv=int(level): self._choose(lv))
            grid.addWidget(button, 0, n)
            self.buttons[int(level)] = button
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.case_line)
        layout.addLayout(grid)
        layout.addWidget(self.thanks)
        layout.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(THANKS_MS)
        self._timer.timeout.connect(self.finished)
        self._open = False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # 1–5 on the keyboard (or a rating keypad)
        text = event.text()
        if text in ("1", "2", "3", "4", "5"):
            self._choose(int(text))
            return
        super().keyPressEvent(event)

    def start(self, case_line: str) -> None:
        self.case_line.setText(case_line)
        self.thanks.setText("")
        self._open = True
        for b in self.buttons.values():
            b.setEnabled(True)
        self.setFocus()

    def _choose(self, level: int) -> None:
        if not self._open:
            return  # one rating per case
        self._open = False
        for b in self.buttons.values():
            b.setEnabled(False)
        self.thanks.setText(tr("您选择了“{level}”。正在保存…").format(level=label(RatingLevel(level))))
        self.rated.emit(level)

    def show_saved(self, level: int) -> None:
        text = tr("谢谢您的评价！") if not RatingLevel(level).is_bad else tr("谢谢您的评价，我们会尽快联系您改进。")
        self.thanks.setText(text)
        self._timer.start()
        self.settled.emit()

    def show_failed(self, text: str) -> None:
        self.thanks.setText(text)
        self._timer.start()
        self.settled.emit()


class RatingWindow(QWidget):
    """The panel in a window of its own: full-screen on the second monitor when there is one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)  # a window of its own, closed with the counter
        self.setWindowTitle(tr("服务评价"))
        self.panel = RatingPanel(self)
        QVBoxLayout(self).addWidget(self.panel)
        self.panel.finished.connect(self._on_panel_finished)
        self.panel.settled.connect(self._give_back_the_keyboard)

    def _give_back_the_keyboard(self) -> None:
        """Rated and saved: the thanks stay in view a moment (the window stays above the counter), but the
        clerk's next key (F2, Ctrl+M) already goes to the counter."""
        parent = self.parentWidget()
        if parent is not None:
            parent.window().activateWindow()

    def _on_panel_finished(self) -> None:
        self.hide()
        self._give_back_the_keyboard()

    def open_for(self, case_line: str) -> None:
        self.panel.start(case_line)
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.setGeometry(screens[1].geometry())
            self.showFullScreen()
        else:
            room = self.screen().availableGeometry().size() if self.screen() is not None else QSize(1366, 728)
            self.resize(self.sizeHint().expandedTo(QSize(1000, 520)).boundedTo(room))  # the words need
            self.show()
        self.raise_()
        self.activateWindow()
        self.panel.setFocus()

    @property
    def on_second_screen(self) -> bool:
        return len(QGuiApplication.screens()) > 1

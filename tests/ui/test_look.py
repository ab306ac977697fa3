"""Larger text: Ctrl+= / Ctrl+- scale every font of the counter, and the choice is remembered per PC."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.demo import DEMO_PASSWORD
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.look import TextSize, base_stylesheet, scaled
from app.ui.shell import MainWindow


def test_scaling_multiplies_every_point_size() -> None:
    assert scaled("QWidget { font-size: 15pt; } QLabel#x { font-size: 13.5pt; padding: 4px; }", 2) == (
        "QWidget { font-size: 30.0pt; } QLabel#x { font-size: 27.0pt; padding: 4px; }")


def test_ctrl_plus_makes_the_text_larger_and_the_next_start_keeps_it(qtbot, demo_ctx, runner, tmp_path):
    app = QApplication.instance()
    settings = tmp_path / "ui-settings.ini"
    actor = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    try:
        window = MainWindow(station=station_view(demo_ctx), actor=actor,
                            counter=CounterView(CounterViewModel(demo_ctx, runner, actor=actor)),
                            text_size=TextSize(app, settings), lock_after_ms=0)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        before = window.counter.search.font().pointSizeF()
        qtbot.keyClick(window.counter.search, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(window.counter.search, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.counter.search.font().pointSizeF() > before * 1.2, timeout=5000)
        assert "字号：较大" in window.counter.hint.text()

        again = TextSize(app, settings)  # the next start on this PC
        assert again.name == "较大"
        again.change(0)
        assert TextSize(app, settings).name == "标准"
    finally:
        app.setStyleSheet(base_stylesheet())


def test_qts_own_words_are_in_chinese(qtbot) -> None:
    from PySide6.QtCore import QCoreApplication

    from app.ui.look import install_qt_translations

    app = QApplication.instance()
    translator = install_qt_translations(app, "zh")
    try:
        assert translator is not None
        # The text field's right-click menu, as Qt itself words it.
        assert QCoreApplication.translate("QLineEdit", "&Paste") != "&Paste"
        assert "粘贴" in QCoreApplication.translate("QLineEdit", "&Paste")
    finally:
        if translator is not None:
            app.removeTranslator(translator)
    assert install_qt_translations(app, "en") is None


def test_the_counter_uses_the_bundled_font_for_chinese_latin_and_digits(qtbot) -> None:
    from PySide6.QtGui import QFontInfo, QRawFont
    from PySide6.QtWidgets import QLabel

    label = QLabel("青溪村 Qingxi 0571-64812345")
    qtbot.addWidget(label)
    info = QFontInfo(label.font())
    assert info.family() == "WenQuanYi Micro Hei"  # installed by the autouse fixture, as the app does at start
    raw = QRawFont.fromFont(label.font())
    # The one font draws all three scripts itself: no fallback font, so every PC shows the same shapes.
    assert all(raw.supportsCharacter(ord(ch)) for ch in "青溪村镇办件受理Qingxi0571-64812345")

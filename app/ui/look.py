"""The counter's look: the stylesheet, and a larger-text setting staff can change with Ctrl+= / Ctrl+-.

Every font size in ``resources/styles/counter.qss`` is in points; a text size multiplies them all. The
choice is kept per PC in the data folder (``ui-settings.ini``) and applied at the next start too.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QSettings, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.paths import resource
from app.ui.i18n import LANGS, N_, tr

TEXT_SIZES = (1.0, 1.15, 1.3, 1.5, 1.75)  # 标准, 大, 较大, 特大, 最大
TEXT_SIZE_NAMES = (N_("标准"), N_("大"), N_("较大"), N_("特大"), N_("最大"))
_POINTS = re.compile(r"(\d+(?:\.\d+)?)pt")


DEFAULT_LOCK_MINUTES = 5  # the screen locks after this long without input (``--lock-minutes``)
UI_FONT_FILE = ("fonts", "wqy-microhei.ttc")  # 文泉驿微米黑, shipped with its licence (resources/fonts)


def install_ui_font(app: QApplication) -> str | None:
    """The bundled CJK font as the whole counter's font, so it reads the same on every PC (an old Windows
    PC may have only SimSun bitmaps at small sizes). Returns the family, or None when the file is missing."""
    font_id = QFontDatabase.addApplicationFont(str(resource(*UI_FONT_FILE)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    font = QFont(app.font())
    font.setFamilies([families[0]])  # face 0: Micro Hei (face 1 is its monospaced sibling)
    app.setFont(font)
    return families[0]


def base_stylesheet() -> str:
    path = resource("styles", "counter.qss")
    return path.read_text(encoding="utf-8") if path.exists() else ""


def scaled(qss: str, scale: float) -> str:
    return _POINTS.sub(lambda m: f"{float(m.group(1)) * scale:.1f}pt", qss)


class TextSize:
    """The current text size, applied to the whole application and remembered."""

    def __init__(self, app: QApplication, settings_file: Path | None) -> None:
        self._app = app
        self._base = base_stylesheet()
        self._settings = QSettings(str(settings_file), QSettings.Format.IniFormat) if settings_file else None
        stored = self._settings.value("text_size", 0) if self._settings else 0
        try:
            self.step = min(max(int(stored), 0), len(TEXT_SIZES) - 1)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            self.step = 0
        self.apply()

    @property
    def name(self) -> str:
        return tr(TEXT_SIZE_NAMES[self.step])

    def apply(self) -> None:
        self._app.setStyleSheet(scaled(self._base, TEXT_SIZES[self.step]))

    def change(self, delta: int) -> str:
        """One step larger (+1) or smaller (-1), or back to standard (0); returns the size's name."""
        self.step = 0 if delta == 0 else min(max(self.step + delta, 0), len(TEXT_SIZES) - 1)
        self.apply()
        if self._settings is not None:
            self._settings.setValue("text_size", self.step)
            self._settings.sync()
        return self.name


def settings_file(data_dir: Path) -> Path:
    return data_dir / "ui-settings.ini"


def stored_language(path: Path) -> str | None:
    """The language last chosen on this PC (on the login page), if any."""
    if not path.exists():
        return None
    value = QSettings(str(path), QSettings.Format.IniFormat).value("language")
    return value if value in LANGS else None


def store_language(path: Path, lang: str) -> None:
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("language", lang)
    settings.sync()


def install_qt_translations(app: QApplication, lang: str) -> QTranslator | None:
    """Qt's own words (the right-click menu of a text field: 撤销、复制、粘贴…; file dialog buttons) in Chinese,
    from the translations PySide6 ships. Returns the translator, which must stay alive."""
    if lang != "zh":
        return None
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
        return translator
    return None

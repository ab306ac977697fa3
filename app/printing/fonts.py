"""Fonts for printing: the bundled WenQuanYi Micro Hei, or a Windows font chosen in the settings; each registered
with reportlab once, the first time a document needs it (never on the start-up path)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resource

BUNDLED = "wqy"
# setting -> (file in the Windows fonts folder, face in a .ttc); never shipped, used when installed.
WINDOWS_FONTS: dict[str, tuple[str, int]] = {
    "simsun": ("simsun.ttc", 0),  # 宋体
    "simhei": ("simhei.ttf", 0),  # 黑体
    "msyh": ("msyh.ttc", 0),  # 微软雅黑
}
_lock = threading.RLock()  # re-entered when a Windows font falls back to the bundled one
_registered: dict[str, str] = {}  # setting -> reportlab font name
registrations = 0  # how many fonts were registered in this process (the bench checks it stays at one)


def windows_fonts_dir() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def font_file(choice: str) -> tuple[Path, int] | None:
    """Where the chosen font is on this PC, or None when it is not installed."""
    if choice == BUNDLED:
        return resource("fonts", "wqy-microhei.ttc"), 0
    spec = WINDOWS_FONTS.get(choice)
    if spec is None:
        return None
    for folder in (windows_fonts_dir(), Path.home() / ".fonts", Path("/usr/share/fonts/truetype/msttcorefonts")):
        path = folder / spec[0]
        if path.is_file():
            return path, spec[1]
    return None


def font_name(choice: str = BUNDLED) -> str:
    """The reportlab name of the chosen font, registered on first use. A Windows font that is not installed
    (or cannot be embedded) falls back to the bundled one, so a document is always printed."""
    global registrations
    known = _registered.get(choice)
    if known is not None:
        return known
    with _lock:
        if choice in _registered:
            return _registered[choice]
        found = font_file(choice)
        name = f"StationDesk-{choice}"
        try:
            if found is None:
                raise FileNotFoundError(choice)
            pdfmetrics.registerFont(TTFont(name, str(found[0]), subfontIndex=found[1]))
            registrations += 1
        except Exception:  # not installed, or a font reportlab cannot embed (CFF outlines)
            if choice == BUNDLED:
                raise
            name = font_name(BUNDLED) if BUNDLED not in _registered else _registered[BUNDLED]
        _registered[choice] = name
        return name


def is_registered(choice: str = BUNDLED) -> bool:
    return choice in _registered

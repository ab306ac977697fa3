"""The key list (Shift+F1, 系统 → 本页按键): the keys of the page in front of the clerk and the window's own,
each with what it does, read from the shortcuts that are really there — never a list kept by hand that
drifts from the screens.

What a key does is read, in this order, from: the shortcut's ``help`` property or its ``whatsThis`` (a
screen may set either: ``shortcut.setProperty("help", tr("…"))``); the button or tab that names the key
(``受理　F9`` → 受理, in the language of the moment); and a table of the keys the screens already have
(``KNOWN``, in Chinese with English in en.json). A key none of them explains is still listed, and says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.i18n import N_, tr
from app.ui.tables import RowsModel, list_table

# What a key does where no button or tab names it: (the class of the widget the shortcut belongs to, the key)
# → the phrase. "#" stands for a digit: Alt+1…9 that all do the same kind of thing are one line.
KNOWN: dict[tuple[str, str], str] = {
    ("MainWindow", "F1"): N_("窗口办理（回到柜台）"),
    ("MainWindow", "F4"): N_("今日工作"),
    ("MainWindow", "Ctrl+M"): N_("收款日结"),
    ("MainWindow", "Ctrl+J"): N_("积分（当前居民的积分账户）"),
    ("MainWindow", "Ctrl+L"): N_("锁屏：离开一会儿，回来输密码"),
    ("MainWindow", "Ctrl+Shift+S"): N_("马上与镇里同步"),
    ("MainWindow", "Ctrl+="): N_("字放大"),
    ("MainWindow", "Ctrl++"): N_("字放大"),
    ("MainWindow", "Ctrl+-"): N_("字缩小"),
    ("MainWindow", "Ctrl+0"): N_("字恢复标准大小"),
    ("MainWindow", "Shift+F1"): N_("本页按键（这个清单）"),
    ("CounterView", "F2"): N_("找居民：姓名、身份证号、电话或拼音首字母"),
    ("CounterView", "Ctrl+N"): N_("登记新居民"),
    ("CounterView", "F12"): N_("读身份证"),
    ("CounterView", "Ctrl+U"): N_("看完整号码（先说明用途，会留记录）"),
    ("CounterView", "Ctrl+R"): N_("接着办上次没办完的（草稿）"),
    ("CounterView", "Ctrl+D"): N_("把这个事项设为常用 / 取消常用"),
    ("CounterView", "F7"): N_("请群众评价"),
    ("CounterView", "Alt+#"): N_("选常用事项（★）"),
    ("ServicePanel", "F3"): N_("选事项：输入编号、名称或拼音首字母"),
    ("ServicePanel", "F6"): N_("材料全部勾上"),
    ("ServicePanel", "Esc"): N_("返回找人"),
    ("ServicePanel", "Ctrl+P"): N_("代办人（帮办代办）"),
    ("WorkView", "F5"): N_("刷新列表"),
    ("WorkView", "Ctrl+#"): N_("换一个列表"),
    ("MoneyView", "F5"): N_("刷新"),
    ("MoneyView", "Alt+1"): N_("到待收款列表"),
    ("DeclarePanel", "Ctrl+O"): N_("选择证明照片"),
    ("DeclarePanel", "F5"): N_("高拍仪拍证明照片"),
    ("BoardPanel", "F5"): N_("刷新积分榜"),
    ("DocumentsDialog", "F5"): N_("刷新列表"),
}
_TRIM = " :" + chr(0x3000) + chr(0xFF1A)  # spaces and colons, half and full width, left around a removed key
_MNEMONIC = re.compile(r"\(&?[A-Za-z0-9]\)")
_DIGIT = re.compile(r"^((?:Ctrl|Alt|Shift)\+)+(\d)$")


@dataclass(frozen=True, slots=True)
class KeyRow:
    keys: str  # as it is pressed: F9, Ctrl+Enter, Alt+1…9
    what: str  # what it does, in the language of the moment
    window: bool  # the window's own key, on every page (else the page's)


class KeyTableModel(RowsModel[KeyRow]):
    HEADERS = (N_("按键"), N_("作用"), N_("用在"))

    def cells(self, row: KeyRow) -> tuple[str, ...]:
        return row.keys, row.what, tr("整个窗口") if row.window else tr("本页")


def _shown(sequence: QKeySequence) -> str:
    """The key as it is written on the screens (Enter, not Return)."""
    text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
    return text.replace("Return", "Enter").replace("Escape", "Esc")


def _names(key: str) -> tuple[str, ...]:
    """How a label may write the key: Ctrl+Return as Ctrl+Enter, Space as 空格."""
    names = [key, key.replace("Enter", "Return")]
    if key == "Space":
        names.append(tr("空格"))
    return tuple(dict.fromkeys(names))


def _without(text: str, key: str) -> str:
    """``text`` without the key it names (``受理　F9`` → 受理); "" when it does not name it."""
    for name in _names(key):
        pattern = re.compile(r"(?<![A-Za-z0-9+])" + re.escape(name) + r"(?![A-Za-z0-9+=-])")
        if pattern.search(text):
            return " ".join(pattern.sub("", text).replace("&", "").strip(_TRIM).split())
    return ""


def _labels(owner: QWidget) -> Iterable[str]:
    """The words of the buttons and tabs inside ``owner``, the visible ones first."""
    buttons = owner.findChildren(QAbstractButton)
    for b in sorted(buttons, key=lambda b: not b.isVisible()):
        if b.text():
            yield b.text()
    for bar in owner.findChildren(QTabBar):
        for n in range(bar.count()):
            yield bar.tabText(n)


def _from_labels(owner: QWidget, key: str) -> str:
    """A button or tab inside ``owner`` that names the key says what it does."""
    return next((words for words in (_without(text, key) for text in _labels(owner)) if words), "")


def _from_table(owner: QObject, key: str) -> str:
    digit = _DIGIT.match(key)
    for cls in type(owner).__mro__:
        phrase = KNOWN.get((cls.__name__, key)) or (KNOWN.get((cls.__name__, key[:-1] + "#")) if digit else None)
        if phrase:
            return tr(phrase)
    return ""


def _what(source: QObject, owner: QWidget, key: str, *, window: bool) -> str:
    told = source.property("help")
    if isinstance(told, str) and told:
        return told
    if isinstance(source, (QShortcut, QAction)) and source.whatsThis():
        return str(source.whatsThis())
    if isinstance(source, (QAction, QAbstractButton)):
        words = _MNEMONIC.sub("", source.text()).replace("&", "").rstrip(".…")  # 关于村站通(&A)… → 关于村站通
        return _without(words, key) or " ".join(words.split())
    # The window's keys: the table first (a page's button may carry the same key for its own work).
    found = (_from_table(owner, key) or _from_labels(owner, key)) if window else (
        _from_labels(owner, key) or _from_table(owner, key))
    return found or tr("（没有说明）")


def _inside(widget: QWidget, page: QWidget | None) -> bool:
    return page is not None and (widget is page or page.isAncestorOf(widget)) and widget.isVisible()


def page_keys(window: QWidget, page: QWidget | None) -> tuple[KeyRow, ...]:
    """The keys that work now: the enabled shortcuts (and actions, and buttons with a shortcut) of ``page``
    and of its visible parts, then the window's own, each with what it does."""
    found: list[tuple[KeyRow, str]] = []  # the row, and who owns it (lines for Alt+1…9 are merged per owner)
    for shortcut in window.findChildren(QShortcut):
        owner = shortcut.parent()
        if not shortcut.isEnabled() or shortcut.key().isEmpty() or not isinstance(owner, QWidget):
            continue
        on_window = owner is window
        if not (on_window or _inside(owner, page)):
            continue
        key = _shown(shortcut.key())
        found.append((KeyRow(key, _what(shortcut, owner, key, window=on_window), on_window), str(id(owner))))
    for action in window.findChildren(QAction):
        if action.isEnabled() and action.isVisible() and not action.shortcut().isEmpty():
            key = _shown(action.shortcut())
            found.append((KeyRow(key, _what(action, window, key, window=True), True), "actions"))
    if page is not None:
        for button in page.findChildren(QPushButton):
            if button.isVisible() and button.isEnabled() and not button.shortcut().isEmpty():
                key = _shown(button.shortcut())
                found.append((KeyRow(key, _what(button, button, key, window=False), False), str(id(button))))
    return _tidy(found)


def _order(row: KeyRow) -> tuple[int, int, str]:
    f = re.fullmatch(r"F(\d+)", row.keys)
    if f:
        return 0, int(f.group(1)), ""
    if "+" not in row.keys:
        return 1, 0, row.keys
    return 2 + row.keys.count("+"), 0, row.keys


def _tidy(found: list[tuple[KeyRow, str]]) -> tuple[KeyRow, ...]:
    """One line a key (Ctrl+Return and Ctrl+Enter are the same to the clerk); Alt+1…9 that do the same kind
    of thing are one line; the page's keys first, then the window's, each in key order."""
    seen: set[tuple[str, str, bool]] = set()
    rows: list[tuple[KeyRow, str]] = []
    for row, owner in found:
        if (row.keys, row.what, row.window) not in seen:
            seen.add((row.keys, row.what, row.window))
            rows.append((row, owner))
    runs: dict[tuple[str, str, str, bool], list[int]] = {}
    for row, owner in rows:
        digit = _DIGIT.match(row.keys)
        if digit:
            runs.setdefault((owner, row.keys[:-1], row.what, row.window), []).append(int(digit.group(2)))
    merged: list[KeyRow] = []
    done: set[tuple[str, str, str, bool]] = set()
    for row, owner in rows:
        digit = _DIGIT.match(row.keys)
        run = (owner, row.keys[:-1], row.what, row.window)
        if digit and len(runs[run]) > 2:
            if run not in done:
                done.add(run)
                merged.append(KeyRow(f"{row.keys[:-1]}{min(runs[run])}…{max(runs[run])}", row.what, row.window))
            continue
        merged.append(row)
    # Two keys for the same thing (Ctrl+= and Ctrl++ make the text larger) are one line.
    joined: dict[tuple[str, bool], KeyRow] = {}
    for row in sorted(merged, key=lambda r: (r.window, _order(r))):
        same = joined.get((row.what, row.window))
        joined[(row.what, row.window)] = row if same is None else KeyRow(f"{same.keys} / {row.keys}", row.what,
                                                                          row.window)
    return tuple(joined.values())


def _text_size() -> float:
    """The point size of the counter's text at the size chosen (Ctrl+= / Ctrl+-)."""
    app = QApplication.instance()
    sheet = app.styleSheet() if isinstance(app, QApplication) else ""
    found = re.search(r"QWidget\s*\{\s*font-size:\s*([\d.]+)pt", sheet)
    return float(found.group(1)) if found else 15.0


class KeyListDialog(QDialog):
    """The key list: the page's keys, then the window's; the list has the focus, Esc (or Enter) closes."""

    def __init__(self, rows: tuple[KeyRow, ...], page_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyList")
        self.setWindowTitle(tr("本页按键"))
        self.title = QLabel(tr("“{page}”页的按键").format(page=page_name) if page_name else tr("本页按键"))
        self.title.setObjectName("title")
        self.model = KeyTableModel()
        self.model.set_rows(rows)
        self.table = list_table(self.model, "keys")
        hint = QLabel(tr("↑↓ 看，Esc 关闭。“整个窗口”的键在哪一页都能用。"))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.close_button = QPushButton(tr("关闭　Esc"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addWidget(self.close_button)
        size = _text_size() * 1.2  # larger than the counter's text: read from a step back
        self.setStyleSheet(f"QTableView#keys {{ font-size: {size:.1f}pt; }}")
        header = self.table.horizontalHeader()  # what a key does takes the room; the others fit their words
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # a long line ends in …, whole in its tooltip
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        if rows:
            self.table.selectRow(0)
        self.table.setFocus()
        self.table.activated.connect(lambda _index: self.accept())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # Enter closes too: nothing to choose here
            self.accept()
            return
        super().keyPressEvent(event)


def _page_name(window: QWidget, page: QWidget | None) -> str:
    """The page's tab title without its key (窗口办理　F1 → 窗口办理)."""
    if page is None:
        return ""
    for bar in window.findChildren(QTabBar):
        tabs = bar.parent()
        widget = getattr(tabs, "widget", None)
        for n in range(bar.count()):
            shown = widget(n) if callable(widget) else None
            if shown is page or (isinstance(shown, QWidget) and shown.isAncestorOf(page)):
                return re.sub(r"[　 ]+\S+$", "", bar.tabText(n)) or bar.tabText(n)
    return ""


def show_keys(window: QWidget, page: QWidget | None) -> KeyListDialog:
    """Open the key list of ``page`` (the page in front) over ``window``, sized to the window, and return it
    (it closes itself; Esc)."""
    dialog = KeyListDialog(page_keys(window, page), _page_name(window, page), window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    room = window.size()
    dialog.resize(min(1100, int(room.width() * 0.85)) or 1100, min(680, int(room.height() * 0.9)) or 680)
    dialog.open()
    dialog.activateWindow()
    dialog.table.setFocus()
    return dialog

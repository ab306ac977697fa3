"""FlowRow: a row of buttons that wraps instead of widening the page."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from app.ui.flow import FlowRow


def _row(qtbot, width: int) -> tuple[QWidget, list[QPushButton]]:
    page = QWidget()
    column = QVBoxLayout(page)
    row = FlowRow()
    buttons = [QPushButton(f"一个相当长的按钮 {n}　Ctrl+{n}") for n in range(4)]
    for b in buttons:
        row.addWidget(b)
    column.addLayout(row)
    column.addStretch(1)
    qtbot.addWidget(page)
    page.resize(width, 400)
    page.show()
    qtbot.waitExposed(page)
    qtbot.wait(50)  # a second pass once the row knows how many lines it takes
    return page, buttons


def test_a_wide_page_keeps_the_buttons_on_one_line_filling_it(qtbot):
    page, buttons = _row(qtbot, 4 * buttons_width(qtbot) + 200)
    assert len({b.y() for b in buttons}) == 1
    assert buttons[-1].geometry().right() >= page.width() - 20  # the line's spare width is shared out
    assert [b.x() for b in buttons] == sorted(b.x() for b in buttons)  # in the order they were added


def test_a_narrow_page_wraps_the_buttons_and_is_never_wider_than_its_widest_button(qtbot):
    widest = buttons_width(qtbot)
    page, buttons = _row(qtbot, widest + 40)
    assert len({b.y() for b in buttons}) == 4  # one a line
    assert all(b.geometry().right() <= page.width() for b in buttons)
    assert page.minimumSizeHint().width() <= widest + 40
    assert page.minimumSizeHint().height() >= 4 * buttons[0].height()  # the page knows the lines it takes


def test_hidden_buttons_take_no_place(qtbot):
    _page, buttons = _row(qtbot, 4 * buttons_width(qtbot) + 200)
    buttons[1].setVisible(False)
    qtbot.wait(50)
    assert buttons[2].x() < buttons[3].x() and buttons[0].geometry().right() < buttons[2].x()
    assert buttons[2].x() - buttons[0].geometry().right() < buttons[0].width()


def buttons_width(qtbot) -> int:
    probe = QPushButton("一个相当长的按钮 0　Ctrl+0")
    qtbot.addWidget(probe)
    return probe.sizeHint().width()

"""A field with its problem line under it: how every form of the counter shows what to correct."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def with_problem(editor: QWidget) -> tuple[QWidget, QLabel]:
    """The editor above an (empty, hidden) problem line; returns the box to lay out and the line."""
    problem = QLabel("")
    problem.setObjectName("error")
    problem.setWordWrap(True)  # a long sentence wraps instead of widening the window
    problem.setVisible(False)
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(editor)
    column.addWidget(problem)
    return box, problem


def show_problems(lines: Mapping[str, QLabel], problems: Mapping[str, str]) -> None:
    """Each field's problem under it; fields without one show nothing."""
    for key, line in lines.items():
        text = problems.get(key, "")
        line.setText(text)
        line.setVisible(bool(text))

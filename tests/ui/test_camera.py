"""The document camera (高拍仪) through QtMultimedia: F5 at the counter, photos on disk at once, filed with
the case. No camera is connected on the test machines, so the frame comes from a real QImage handed to the
dialog's capture slot, the way QImageCapture hands it over; the missing-camera path is the real one."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from app.services.cases import get_case
from app.ui.camera import CameraDialog, find_cameras
from tests.ui.test_counter import _choose_someone, _pick, _window

multimedia = pytest.importorskip("PySide6.QtMultimedia", reason="the camera extra (PySide6-Addons) is not installed")


def _page() -> QImage:
    """What a document camera delivers: a picture of a page with some writing."""
    image = QImage(1200, 900, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawText(100, 100, "户口簿 户主页")
    painter.drawRect(80, 60, 1000, 700)
    painter.end()
    return image


def test_f5_without_a_camera_says_what_to_do_and_keeps_the_case_as_it_was(qtbot, demo_ctx, runner):
    if find_cameras()[0]:
        pytest.skip("a camera is connected to this machine")
    window = _window(qtbot, demo_ctx, runner)
    window.activateWindow()
    counter = window.counter
    _choose_someone(qtbot, counter, demo_ctx)
    _pick(qtbot, counter, "S08")
    counter.service.materials.setFocus()
    qtbot.keyClick(counter.service.materials, Qt.Key.Key_F5)
    assert "没有找到高拍仪" in counter.service.status.text()
    assert "Ctrl+O" in counter.service.status.text()  # ...and the other way to add the papers
    assert counter.service.scans == [] and counter.service.item.code == "S08"


def test_a_photo_is_written_at_once_and_filed_with_the_case(qtbot, demo_ctx, runner):
    from PySide6.QtMultimedia import QCameraDevice

    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    _choose_someone(qtbot, counter, demo_ctx)
    _pick(qtbot, counter, "S08")
    folder = counter.service.camera_folder
    assert folder == demo_ctx.data_dir / "camera"  # the station's data folder, never the program's

    # A dialog on a camera that cannot start (no such device): it says so instead of failing...
    dialog = CameraDialog([QCameraDevice()], folder, counter)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.take_button.click()  # not ready: a plain message, no photo
    assert "还没准备好" in dialog.status.text() and dialog.taken == []
    # ...and each frame the capture hands over is a JPEG on disk before anything else happens.
    dialog.keep(1, _page())
    dialog.keep(2, _page())
    assert [p.parent.parent for p in dialog.taken] == [folder, folder]
    assert all(p.read_bytes()[:3] == b"\xff\xd8\xff" for p in dialog.taken)
    assert "已拍 2 张" in dialog.status.text()
    dialog.keep(3, QImage())  # an empty frame is refused, not filed
    assert len(dialog.taken) == 2 and "没有存上" in dialog.status.text()
    dialog.done_button.click()
    assert not dialog.isVisible()

    counter.service.materials.setCurrentRow(0)
    counter.service.add_scans(dialog.taken)
    qtbot.keyClick(counter.service.materials, Qt.Key.Key_F6)
    qtbot.keyClick(counter.service.accept_button, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: counter.service.receipt.isVisible(), timeout=5000)
    stored = get_case(demo_ctx, case_id=counter._last_case.case.id).attachments
    assert sorted(a.sha256 for a in stored) == sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in dialog.taken)

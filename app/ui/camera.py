"""The document camera (高拍仪): photos of the resident's papers, straight into the case's scans.

Through QtMultimedia, which comes with PySide6-Addons (the ``camera`` extra). Where it is not installed,
or no camera is plugged in, F5 says so in plain words and the scans can still come from files (Ctrl+O).
Each photo is written as a JPEG into the station's data folder (``camera/YYYY-MM-DD``) the moment it is
taken, so a power cut loses none; accepting the case files it with the case like any scan.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.i18n import tr, trn

log = logging.getLogger(__name__)


def find_cameras() -> tuple[list[Any], str | None]:
    """The cameras connected now, or the sentence saying why there are none."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as e:  # PySide6-Addons not installed, or a system library it needs is missing
        log.info("no QtMultimedia: %s", e)
        return [], tr("这台电脑没有装高拍仪组件。请用“添加扫描件 Ctrl+O”选择扫描好的文件，或请镇技术人员安装。")
    devices = list(QMediaDevices.videoInputs())
    if not devices:
        return [], tr("没有找到高拍仪：请检查高拍仪的 USB 线，插好后再按 F5；也可以用“添加扫描件 Ctrl+O”选择文件。")
    return devices, None


def photo_path(folder: Path, moment: datetime, n: int) -> Path:
    return folder / moment.strftime("%Y-%m-%d") / f"camera-{moment:%H%M%S}-{n:02d}.jpg"


class CameraDialog(QDialog):
    """The camera's live picture; Space takes a photo (as many as the papers need), Enter or Esc closes.

    ``taken`` lists the photos written so far, in order."""

    def __init__(self, devices: list[Any], folder: Path, parent: QWidget | None = None) -> None:
        from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession
        from PySide6.QtMultimediaWidgets import QVideoWidget

        super().__init__(parent)
        self.setWindowTitle(tr("高拍仪拍照"))
        self.folder = folder
        self.taken: list[Path] = []
        self._devices = devices
        self.choice = QComboBox()
        for device in devices:
            self.choice.addItem(device.description())
        self.choice.setVisible(len(devices) > 1)
        self.video = QVideoWidget()
        self.video.setMinimumSize(640, 420)
        self.status = QLabel(tr("把材料放在高拍仪下，对准后按空格拍照；拍完按 Enter。"))
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.take_button = QPushButton(tr("拍照　空格"))
        self.done_button = QPushButton(tr("拍完了　Enter"))
        self.take_button.setAutoDefault(False)
        self.done_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.take_button)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.choice)
        layout.addWidget(self.video, 1)
        layout.addLayout(buttons)

        self.session = QMediaCaptureSession(self)
        self.capture = QImageCapture(self)
        self.session.setImageCapture(self.capture)
        self.session.setVideoOutput(self.video)
        self.camera: Any = None
        self._camera_class = QCamera
        self.capture.imageCaptured.connect(self.keep)
        self.capture.errorOccurred.connect(lambda _id, _error, text: self._problem(text))
        self.take_button.clicked.connect(self.take)
        self.done_button.clicked.connect(self.accept)
        self.choice.currentIndexChanged.connect(self._use)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.take)
        self._use(0)

    def _use(self, index: int) -> None:
        if self.camera is not None:
            self.camera.stop()
        self.camera = self._camera_class(self._devices[index], self)
        self.camera.errorOccurred.connect(lambda _error, text: self._problem(text))
        self.session.setCamera(self.camera)
        self.camera.start()

    def take(self) -> None:
        if not self.capture.isReadyForCapture():
            self.status.setText(tr("高拍仪还没准备好，请稍等一下再按空格。"))
            return
        self.capture.capture()

    def keep(self, _request: int, image: QImage) -> None:
        """A photo from the camera: on disk at once, then counted."""
        path = photo_path(self.folder, datetime.now(), len(self.taken) + 1)
        path.parent.mkdir(parents=True, exist_ok=True)
        if image.isNull() or not image.save(str(path), quality=90):  # JPEG, from the name
            self._problem(tr("这张照片没有存上（{path}），请再拍一次。").format(path=path))
            return
        self.taken.append(path)
        self.status.setText(trn("已拍 {n} 张。接着拍按空格，拍完按 Enter。", len(self.taken)).format(n=len(self.taken)))

    def _problem(self, detail: str) -> None:
        log.warning("document camera: %s", detail)
        self.status.setText(tr("高拍仪出了问题：{detail}。可以拔插一下高拍仪再按 F5，或用 Ctrl+O 选择文件。").format(
            detail=detail or "?"))

    def done(self, result: int) -> None:
        if self.camera is not None:
            self.camera.stop()
        super().done(result)

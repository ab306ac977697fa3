"""The main window: a header saying where and who, and the counter below. It only assembles screens."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from app.domain.staff import Actor
from app.services.station import StationView
from app.ui.counter.view import CounterView
from app.ui.i18n import label, tr
from app.ui.lock import DEFAULT_LOCK_MINUTES, IdleWatch, LockPage
from app.ui.look import TextSize
from app.ui.work.view import WorkView


class MainWindow(QMainWindow):
    def __init__(self, *, station: StationView, actor: Actor, counter: CounterView,
                 work: WorkView | None = None, lock: LockPage | None = None,
                 lock_after_ms: int = DEFAULT_LOCK_MINUTES * 60_000, text_size: TextSize | None = None) -> None:
        super().__init__()
        self.setWindowTitle(tr("村站通 StationDesk — {station}").format(station=station.station_name))
        header = QWidget()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(8, 4, 8, 4)
        header.setFixedHeight(48)
        self.station_label = QLabel(f"{station.town_name}　{station.station_name}")
        who = tr("{name}（工号 {staff_no}，{role}，{post}岗）").format(
            name=actor.display_name, staff_no=actor.staff_no, role=label(actor.role), post=actor.post)
        self.staff_label = QLabel(who)
        self.sync_label = QLabel(tr("● 离线工作"))  # the sync issue replaces this with the real state
        self.sync_label.setToolTip(tr("本机数据库可以正常使用；与镇服务器的同步由“镇同步”功能负责。"))
        row.addWidget(self.station_label)
        row.addStretch(1)
        row.addWidget(self.staff_label)
        row.addWidget(self.sync_label)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(header)
        self.pages = QTabWidget()
        self.pages.setObjectName("pages")
        self.pages.addTab(counter, tr("窗口办理　F1"))
        self.counter = counter
        self.work = work
        if work is not None:
            self.pages.addTab(work, tr("今日工作　F4"))
            QShortcut(QKeySequence("F4"), self, self.show_work)
        QShortcut(QKeySequence("F1"), self, self.show_counter)
        QShortcut(QKeySequence("Ctrl+L"), self, self.lock)  # leaving the counter for a moment
        self.text_size = text_size
        for keys, delta in (("Ctrl+=", 1), ("Ctrl++", 1), ("Ctrl+-", -1), ("Ctrl+0", 0)):
            QShortcut(QKeySequence(keys), self, lambda d=delta: self.change_text_size(d))
        self.pages.currentChanged.connect(self._on_page_changed)
        layout.addWidget(self.pages)
        self.lock_page = lock
        self.idle: IdleWatch | None = None
        self.screens = QStackedWidget()
        self.screens.addWidget(body)
        if lock is not None:
            self.screens.addWidget(lock)
            lock.unlocked.connect(self.unlock)
            if lock_after_ms > 0:
                self.idle = IdleWatch(lock_after_ms, self)
                self.idle.idle.connect(self.lock)
        self.setCentralWidget(self.screens)
        self.resize(1366, 768)

    def change_text_size(self, delta: int) -> None:
        if self.text_size is not None:
            name = self.text_size.change(delta)
            self.counter.hint.setText(tr("字号：{name}（Ctrl+= 放大，Ctrl+- 缩小，Ctrl+0 标准）").format(name=name))

    @property
    def locked(self) -> bool:
        return self.lock_page is not None and self.screens.currentWidget() is self.lock_page

    def lock(self) -> None:
        if self.lock_page is not None and not self.locked:
            self.screens.setCurrentWidget(self.lock_page)
            self.lock_page.reset()

    def unlock(self) -> None:
        self.screens.setCurrentIndex(0)
        if self.idle is not None:
            self.idle.timer.start()
        self.counter.focus_search()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.idle is not None:
            self.idle.stop()
        super().closeEvent(event)

    def show_counter(self) -> None:
        self.pages.setCurrentWidget(self.counter)
        self.counter.focus_search()

    def show_work(self) -> None:
        if self.work is not None:
            self.pages.setCurrentWidget(self.work)

    def _on_page_changed(self, _index: int) -> None:
        if self.work is not None and self.pages.currentWidget() is self.work:
            self.work.show_list(self.work.vm.current)

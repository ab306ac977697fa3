"""The window's 系统 (System) menu: back up to a USB stick or folder, restore a backup, write a support bundle
for the town technician, the paper that waits (the reprint queue, a case's documents to reprint, the print
settings with a test page per printer), and the About window (where the data lives, the versions).

The menu is there from the login page on — About tells a technician where the data folder is even when
nobody can log in. The rest waits for a login: backing up and restoring are for the station head's account,
a support bundle any staff member may write. The work runs on the database thread; the menu only asks and
reports."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, QUrl, Signal, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.domain.staff import Actor, Permission
from app.paths import STATION_DB_FILE, DataLocation, program_dir
from app.ui.errors import message_for
from app.ui.i18n import N_, tr

if TYPE_CHECKING:
    from app.services.context import ServiceContext
    from app.ui.tasks import TaskRunner

MODES = {"per-user": N_("本用户专用"), "all-users": N_("本机所有用户共用"),
         "portable": N_("便携（数据和程序一起放在U盘上）"), "custom": N_("指定的文件夹")}


def _size(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError:
        return tr("（还没有）")
    return f"{size / (1024 * 1024):.1f} MB"


class AboutDialog(QDialog):
    """村站通's version, where this station's data lives (and how it was chosen), and the versions under it —
    what a technician on the phone asks first. The text can be copied in one go."""

    def __init__(self, location: DataLocation, station_name: str = "", parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt  # not at import: building the Qt namespace waits until after the first paint

        super().__init__(parent)
        self.setWindowTitle(tr("关于村站通"))
        self.location = location
        root = location.path
        title = QLabel(tr("村站通 StationDesk　版本 {version}").format(version=__version__))
        title.setObjectName("aboutTitle")
        title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        rows = [
            (tr("本站"), station_name or tr("（还没有设置）")),
            (tr("数据文件夹"), str(root)),
            (tr("存放方式"), tr(MODES.get(location.mode, location.mode))),
            (tr("数据库"), f"{root / STATION_DB_FILE}　{_size(root / STATION_DB_FILE)}"),
            (tr("备份"), str(root / "backups")),
            (tr("日志"), str(root / "logs")),
            (tr("程序文件夹"), str(program_dir())),
            (tr("组件版本"), f"Python {sys.version.split()[0]} · Qt {qVersion()} · PySide6 {pyside_version} · "
                             f"SQLite {sqlite3.sqlite_version}"),
        ]
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        for n, (name, value) in enumerate(rows):
            key = QLabel(tr("{name}：").format(name=name))
            key.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(key, n, 0)
            grid.addWidget(shown, n, 1)
            self.values[name] = shown
        self.text = "\n".join([title.text()] + [tr("{name}：").format(name=k) + v for k, v in rows])
        buttons = QDialogButtonBox()
        self.open_folder = QPushButton(tr("打开数据文件夹"))
        self.copy = QPushButton(tr("复制这些信息"))
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(tr("关闭"))
        buttons.addButton(self.open_folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.open_folder.clicked.connect(self._on_open_folder_clicked)
        self.copy.clicked.connect(self._on_copy_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(900)
        close.setFocus()
        self.adjustSize()

    def _on_open_folder_clicked(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.location.path)))

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
        self.copy.setText(tr("已复制"))


class SystemMenu(QObject):
    """The 系统 menu's actions. ``attach`` gives it the open station; ``set_actor`` who is logged in.

    ``restart_requested``: a restore is ready and the person chose to reopen now (the program closes, the
    backup replaces the station's file at the next start, and the program opens again)."""

    restart_requested = Signal()
    switch_requested = Signal()  # 切换用户: another person signs in without the program closing
    logout_requested = Signal()  # 注销: back to the login page, the counter cleared
    keys_requested = Signal()  # 本页按键: the keys of the page in front (Shift+F1)

    def __init__(self, parent: QWidget, location: DataLocation, *, lang: str = "zh",
                 station_name: Callable[[], str] = lambda: "") -> None:
        super().__init__(parent)
        self.window = parent
        self.location = location
        self.lang = lang
        self.station_name = station_name
        self.ctx: ServiceContext | None = None
        self.runner: TaskRunner | None = None
        self.actor: Actor | None = None
        self.last_message = ""  # what the last action told the user
        self.box: QMessageBox | None = None
        self.confirm_restore: QAbstractButton | None = None
        self.reopen: QAbstractButton | None = None
        self.menu = QMenu(tr("系统(&S)"), parent)
        self.menu.setMinimumWidth(400)  # the styled (larger) font is measured late: room for every item
        self.backup = self._action(tr("备份到U盘或文件夹(&B)…"), self._on_backup_triggered)
        self.restore = self._action(tr("从备份恢复(&R)…"), self._on_restore_triggered)
        self.menu.addSeparator()
        self.support = self._action(tr("生成支持包(&Z)…"), self._on_support_triggered)
        self.menu.addSeparator()
        # Through lambdas: ``triggered`` would pass its "checked" flag as the case number.
        self.queue = self._action(tr("待打印的单据(&P)…"), lambda: self.show_queue())
        self.reprint = self._action(tr("办件的单据和补打(&K)…"), lambda: self.show_case_documents())
        self.print_setup = self._action(tr("打印设置和测试页(&T)…"), lambda: self.show_print_setup())
        self.devices: TaskRunner | None = None  # the printer's thread (else the database runner's)
        self.menu.addSeparator()
        self.switch = self._action(tr("切换用户(&U)…　Ctrl+Shift+L"), self.switch_requested.emit)
        self.logout = self._action(tr("注销(&L)"), self.logout_requested.emit)
        self.menu.addSeparator()
        self.keys = self._action(tr("本页按键一览(&H)　Shift+F1"), self.keys_requested.emit)
        self.about = self._action(tr("关于村站通(&A)"), self.show_about)
        self.confirm: QMessageBox | None = None  # the restore's question, while it is open
        self._enable()

    def _action(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    def attach(self, ctx: ServiceContext, runner: TaskRunner, devices: TaskRunner | None = None) -> None:
        self.ctx, self.runner, self.devices = ctx, runner, devices
        # Not in __init__: a shortcut on an action builds Qt's namespace, which waits until after the first paint.
        self.about.setShortcut(QKeySequence("Ctrl+F1"))
        self.queue.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.reprint.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self._enable()

    def set_actor(self, actor: Actor | None) -> None:
        self.actor = actor
        self._enable()

    def _enable(self) -> None:
        ready = self.ctx is not None and self.actor is not None
        head = ready and self.actor is not None and self.actor.can(Permission.STATION_ADMIN)
        hint = "" if head else tr("需要站长账号登录")
        for action in (self.backup, self.restore):
            action.setEnabled(bool(head))
            action.setToolTip(hint)
        for action in (self.support, self.queue, self.reprint, self.print_setup, self.switch, self.logout):
            action.setEnabled(ready)
            action.setToolTip("" if ready else tr("请先登录"))

    # -- the actions -----------------------------------------------------------------------------------------
    def show_about(self) -> None:
        dialog = AboutDialog(self.location, self.station_name(), self.window)
        dialog.exec()

    # -- paper ------------------------------------------------------------------------------------------------
    def _paper_args(self) -> dict[str, Any]:
        from app.ui.look import settings_file

        assert self.ctx is not None
        return {"devices": self.devices, "lang": self.lang,
                "settings_file": settings_file(self.ctx.data_dir) if self.ctx.data_dir else None}

    def show_queue(self) -> Any:
        """Ctrl+Shift+P: the documents issued but never printed, each to preview, print or save."""
        from app.ui.documents import open_documents

        if self.ctx is None or self.runner is None or self.actor is None:
            return None
        return open_documents(self.window, self.ctx, self.runner, self.actor, **self._paper_args())

    def show_case_documents(self, case_no: str | None = None) -> Any:
        """Ctrl+Shift+B: every document of a case, to reprint (补打): the case chosen on 今日工作 when there is
        one, otherwise the clerk types its number."""
        from app.ui.documents import open_documents

        if self.ctx is None or self.runner is None or self.actor is None:
            return None
        dialog = open_documents(self.window, self.ctx, self.runner, self.actor,
                                case_no=case_no if case_no is not None else self._chosen_case(), **self._paper_args())
        if not dialog.case.text():
            dialog.case.setFocus()
        return dialog

    def _chosen_case(self) -> str:
        """The case chosen on the page in front (今日工作's list), read through its public ``selected()``."""
        work, current = getattr(self.window, "work", None), getattr(self.window, "current_page", None)
        if work is None or current is None or current() is not work:
            return ""
        case = work.selected()
        return case.case_no if case is not None else ""

    def show_print_setup(self) -> Any:
        from app.ui.print_setup import open_print_setup

        if self.ctx is None or self.runner is None or self.actor is None:
            return None
        return open_print_setup(self.window, self.ctx, self.runner, self.actor, **self._paper_args())

    def _ask_folder(self, title: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self.window, title, str(Path.home()))
        return Path(chosen) if chosen else None

    def _on_backup_triggered(self) -> None:
        folder = self._ask_folder(tr("选择备份到哪里（U盘或文件夹）"))
        if folder is not None:
            self.backup_to(folder)

    def backup_to(self, folder: Path) -> None:
        """A verified copy of the station's database into ``folder`` (a USB stick)."""
        from app.services.maintenance import backup, copy_scans

        ctx, actor = self.ctx, self.actor
        assert ctx is not None and actor is not None and self.runner is not None
        self.runner.submit(lambda: (backup(ctx, actor=actor, dest=folder), copy_scans(ctx, actor=actor, dest=folder)),
                           self._on_backup_written, self._on_failed)

    def _on_backup_written(self, done: tuple[Path, Any]) -> None:
        path, scans = done
        text = tr("备份完成并已校验：\n{path}").format(path=path)
        if scans.files:
            text += "\n\n" + tr("扫描件 {files} 个在 {folder}（这次新复制 {copied} 个）。").format(
                files=scans.files, folder=scans.folder, copied=scans.copied)
        self._tell(text)

    def _on_support_triggered(self) -> None:
        folder = self._ask_folder(tr("选择支持包放在哪里（U盘或文件夹）"))
        if folder is not None:
            self.write_support_bundle(folder)

    def write_support_bundle(self, folder: Path) -> None:
        from app.services.support import write_support_bundle

        ctx, actor = self.ctx, self.actor
        assert ctx is not None and actor is not None and self.runner is not None
        where = (str(self.location.path), self.location.mode)
        self.runner.submit(
            lambda: write_support_bundle(ctx, actor=actor, dest=folder, data_location=where,
                                         extra_versions={"qt": qVersion(), "pyside6": pyside_version}),
            self._on_support_written, self._on_failed)

    def _on_support_written(self, bundle: Any) -> None:
        text = tr("支持包已写好：\n{path}\n\n里面没有居民的个人信息，可以发给镇技术人员。").format(path=bundle.path)
        if not bundle.check_ran:
            text += "\n" + tr("（数据库检查需要站长账号，这次没有做。）")
        self._tell(text)

    def _on_restore_triggered(self) -> None:
        assert self.ctx is not None and self.ctx.data_dir is not None
        chosen, _ = QFileDialog.getOpenFileName(self.window, tr("选择要恢复的备份"),
                                                str(self.ctx.data_dir / "backups"),
                                                tr("村站通备份 (*.sqlite3)"))
        if chosen:
            self.restore_from(Path(chosen))

    def restore_from(self, source: Path) -> None:
        """Check the chosen backup (on the database thread: a sound backup of this very station), then ask: what
        it is, that the current data is kept as a safety copy, and that work recorded after the backup must be
        entered again."""
        from app.services.backups import check_choice

        ctx = self.ctx
        assert self.runner is not None and ctx is not None
        self.runner.submit(lambda: check_choice(ctx, source), self._on_backup_checked, self._on_failed)

    def _on_backup_checked(self, info: Any) -> None:
        from app.messages import render

        kind = render(f"backup.kind.{info.kind}", {}, self.lang)
        text = tr("用 {made_at} 的备份（{kind}，{size}）替换本站现在的数据吗？\n\n"
                  "现在的数据先另存为安全副本，不会删除。这个备份之后录入的办件、收款和积分要重新录入。\n"
                  "恢复在村站通下次打开时进行。").format(
            made_at=f"{info.made_at:%Y-%m-%d %H:%M}", kind=kind, size=f"{info.size / (1024 * 1024):.1f} MB")
        self.confirm, self.confirm_restore = self._choice(
            QMessageBox.Icon.Question, text, tr("恢复"), tr("不恢复"),
            lambda box: self._on_confirm_finished(box, info.path), safe_default=True)  # Enter does no harm

    def _on_confirm_finished(self, box: QMessageBox, source: Path) -> None:
        self.confirm = None
        if box.clickedButton() is not self.confirm_restore:
            self.last_message = tr("没有恢复。")
            return
        from app.services.backups import prepare_restore

        ctx, actor = self.ctx, self.actor
        assert ctx is not None and actor is not None and self.runner is not None
        self.runner.submit(lambda: prepare_restore(ctx, actor=actor, source=source), self._on_restore_ready,
                           self._on_failed)

    def _on_restore_ready(self, info: Any) -> None:
        from app.messages import render

        text = render("restore.pending", {"made_at": f"{info.made_at:%Y-%m-%d %H:%M}"}, self.lang)
        self.box, self.reopen = self._choice(QMessageBox.Icon.Information, text, tr("现在重新打开"), tr("稍后自己关闭"),
                                             self._on_ready_finished)

    def _choice(self, icon: QMessageBox.Icon, text: str, yes: str, no: str,
                then: Callable[[QMessageBox], None], *, safe_default: bool = False
                ) -> tuple[QMessageBox, QAbstractButton]:
        """A window-modal question about a restore with two buttons of its own (``yes`` first); ``then`` gets the
        box when it closes. Returns the box and its ``yes`` button."""
        self.last_message = text
        box = QMessageBox(icon, tr("从备份恢复"), text, QMessageBox.StandardButton.NoButton, self.window)
        accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        refuse = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        if safe_default:
            box.setDefaultButton(refuse)
        box.finished.connect(lambda _result: then(box))
        box.open()
        return box, accept

    def _on_ready_finished(self, box: QMessageBox) -> None:
        if box.clickedButton() is self.reopen:
            self.restart_requested.emit()

    def _tell(self, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information) -> None:
        self.last_message = text
        self.box = QMessageBox(icon, tr("村站通"), text, QMessageBox.StandardButton.Ok, self.window)
        self.box.open()  # window-modal, without a nested event loop

    def _on_failed(self, error: BaseException) -> None:
        self._tell(message_for(error, self.lang), QMessageBox.Icon.Warning)

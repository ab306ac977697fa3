"""The sync state in the window's header: the station syncs with the town in the background (on start, every
few minutes, and on demand with Ctrl+Shift+S) on a thread of its own, so the counter never waits on the
network. It never says "synced" while anything waits to be sent."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from app.messages import render
from app.services import replication as rep
from app.services.context import ServiceContext
from app.services.freeze import Freeze, freeze
from app.services.station import CalendarNotice, calendar_notice
from app.ui.errors import message_for
from app.ui.i18n import tr, trn
from app.ui.tasks import TaskRunner

INTERVAL_MS = 5 * 60_000


@dataclass(frozen=True, slots=True)
class _State:
    status: rep.SyncStatus
    freeze: Freeze | None
    synced_now: bool
    refused: int = 0  # changes of this station the town would not take
    calendar: CalendarNotice | None = None  # this year's or (in December) next year's holidays are missing


def _sync(ctx: ServiceContext, network: bool) -> _State:
    """On the sync thread: a sync when the station is enrolled (and asked to), then where things stand."""
    synced = False
    if network and rep.status(ctx).enrolled:
        from app.sync.client import sync_once

        sync_once(ctx)
        synced = True
    return _State(status=rep.status(ctx), freeze=freeze(ctx), synced_now=synced, refused=rep.refused_count(ctx),
                  calendar=calendar_notice(ctx))


def _time(iso: str) -> str:
    return iso.replace("T", " ")[5:16] if iso else tr("从未")


class SyncWatch(QObject):
    changed = Signal(str, str, bool)  # the header's words, their tooltip, alarming (shown in red)

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, lang: str = "zh",
                 interval_ms: int = INTERVAL_MS) -> None:
        super().__init__()
        self._ctx, self._runner, self._lang = ctx, runner, lang
        self.busy = False
        self.text = ""
        self._calendar: CalendarNotice | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.sync_now)

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(0, self.sync_now)

    def stop(self) -> None:
        self.timer.stop()

    def sync_now(self, *, network: bool = True) -> None:
        if self.busy:
            return
        self.busy = True
        if network:
            self._say(tr("⟳ 正在与镇里同步…"), tr("数据都在本机，同步时照常办理。"), False)
        ctx = self._ctx
        self._runner.submit(lambda: _sync(ctx, network), self._on_done, self._on_failed)

    def refresh(self) -> None:
        """Where things stand, without going to the network (after a case is accepted, say)."""
        self.sync_now(network=False)

    def _on_done(self, state: _State) -> None:
        self.busy = False
        self._calendar = state.calendar
        s, f = state.status, state.freeze
        if not s.enrolled:
            self._say(tr("● 离线工作（未接入镇服务器）"),
                      tr("本机数据库可以正常使用；在镇里注册本站后会自动同步（station enrol）。"), False)
            return
        if f is not None and f.warn:
            tip = tr("超过 {block} 天未同步将不能受理新办件：网络好时按 Ctrl+Shift+S 立即同步，或用 U 盘同步包。")
            self._say(tr("⚠ 已 {days} 天未同步 · {n} 条待上传").format(days=f.days, n=s.pending),
                      tip.format(block=f.block_days), True)
            return
        if s.pending:
            self._say(trn("↑ {n} 条待上传 · 上次同步 {time}", s.pending).format(n=s.pending, time=_time(s.last_ok)),
                      tr("这些改动还没到镇里：联网时会自动上传，也可按 Ctrl+Shift+S。"), False)
            return
        if state.refused:
            tip = tr("上次同步 {time}。这些改动镇里没有收，也不会用到别的站点：请站长查看原因（sync conflicts），"
                     "并告诉镇管理员。").format(time=_time(s.last_ok))
            self._say(trn("⚠ 镇里拒收 {n} 条改动", state.refused).format(n=state.refused), tip, True)
            return
        self._say(tr("✓ 已同步 {time}").format(time=_time(s.last_ok)), tr("本站的改动都已到镇里。"), False)

    def _on_failed(self, error: BaseException) -> None:
        self.busy = False
        problem = message_for(error, self._lang)
        ctx = self._ctx

        def pending(found: tuple[rep.SyncStatus, CalendarNotice | None]) -> None:
            s, self._calendar = found
            self._say(tr("⚠ 未能同步 · {n} 条待上传").format(n=s.pending), problem, True)

        self._runner.submit(lambda: (rep.status(ctx), calendar_notice(ctx)), pending,
                            lambda _e: self._say(tr("⚠ 未能同步"), problem, True))

    def _say(self, text: str, tip: str, alarming: bool) -> None:
        # The header is where the station head sees what needs doing: a calendar lacking this year (or, each
        # December, next year) is said after the sync state, how to install it in the tooltip.
        notice = self._calendar
        if notice is not None:
            text += " · " + render("calendar.header", notice.params, self._lang)
            tip += "\n" + render(notice.code, notice.params, self._lang)
            alarming = alarming or notice.this_year
        self.text = text
        self.changed.emit(text, tip, alarming)

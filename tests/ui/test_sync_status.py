"""The sync state in the header, through a real window: a station never enrolled works offline and says so; an
enrolled one whose town server cannot be reached says it could not sync and how many changes wait, and never
"synced" while anything waits."""

from __future__ import annotations

from app.services import replication as rep
from app.services.demo import DEMO_PASSWORD
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.shell import MainWindow
from app.ui.sync_status import SyncWatch


def _window(qtbot, ctx, runner) -> MainWindow:
    actor = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    window = MainWindow(station=station_view(ctx), actor=actor, counter=CounterView(CounterViewModel(ctx, runner,
                                                                                                      actor=actor)))
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_station_never_enrolled_works_offline_and_says_so(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    window.watch_sync(SyncWatch(demo_ctx, runner))
    qtbot.waitUntil(lambda: "未接入镇服务器" in window.sync_label.text(), timeout=10_000)
    assert "station enrol" in window.sync_label.toolTip()


def test_an_unreachable_town_is_said_with_what_waits_and_never_synced(qtbot, demo_ctx, runner):
    rep.save_sync_settings(demo_ctx, url="http://127.0.0.1:9", credential="c" * 43)  # nothing listens on 9
    waiting = rep.pending_count(demo_ctx)
    assert waiting > 0  # the demo station's records have never been sent
    window = _window(qtbot, demo_ctx, runner)
    window.watch_sync(SyncWatch(demo_ctx, runner))
    qtbot.waitUntil(lambda: "未能同步" in window.sync_label.text(), timeout=20_000)
    assert f"{waiting} 条待上传" in window.sync_label.text() and "已同步" not in window.sync_label.text()
    assert "连不上镇服务器" in window.sync_label.toolTip()


def test_changes_the_town_refused_are_said_in_red_with_where_to_look(qtbot, demo_ctx, runner):
    rep.save_sync_settings(demo_ctx, url="http://127.0.0.1:9", credential="c" * 43)
    with demo_ctx.uow() as uow:  # everything sent: nothing waits
        uow.conn.exec_driver_sql("UPDATE change_log SET pushed_at = '2026-12-07T09:00:00'")
        uow.commit()
    rep.note_refusals(demo_ctx, [("c1", "villages", "v1", "村是镇里的记录，只有镇管理员能改：镇里没有收本站的改动。")])
    window = _window(qtbot, demo_ctx, runner)
    watch = SyncWatch(demo_ctx, runner)
    watch.changed.connect(window._on_sync_changed)  # the header, without the timer's network sync
    watch.refresh()  # where things stand, without the network
    qtbot.waitUntil(lambda: "镇里拒收 1 条改动" in window.sync_label.text(), timeout=10_000)
    assert "sync conflicts" in window.sync_label.toolTip() and "已同步" not in window.sync_label.text()

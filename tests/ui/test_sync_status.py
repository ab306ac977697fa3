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

"""A half-filled case survives the window dying (a crash, a power cut) and is offered back on the next start."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.services.demo import DEMO_PASSWORD
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.shell import MainWindow
from tests.ui.test_counter import _choose_someone


def _window(qtbot, ctx, runner) -> MainWindow:
    actor = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    window = MainWindow(station=station_view(ctx), actor=actor,
                        counter=CounterView(CounterViewModel(ctx, runner, actor=actor)))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    return window


def test_a_half_filled_case_is_saved_as_typed_and_put_back_after_a_restart(qtbot, demo_ctx, runner):
    first = _window(qtbot, demo_ctx, runner)
    counter = first.counter
    resident_id = _choose_someone(qtbot, counter, demo_ctx)
    counter.vm.item_chosen("S07")  # 社会保障卡申领/补换: five materials, a choice and a text field
    qtbot.waitUntil(lambda: counter.service.item is not None, timeout=5000)
    counter.service.materials.item(1).setCheckState(Qt.CheckState.Checked)
    counter.service.form.editor("reason").setCurrentIndex(1)
    counter.service.form.editor("bank").setText("农商银行")
    drafts = demo_ctx.data_dir / "drafts"
    qtbot.waitUntil(lambda: any(drafts.glob("*.json")) and "农商银行" in next(drafts.glob("*.json")).read_text(
        encoding="utf-8"), timeout=5000)
    saved = json.loads(next(drafts.glob("*.json")).read_text(encoding="utf-8"))
    assert (saved["resident_id"], saved["item_code"]) == (resident_id, "S07")
    reason = counter.service.form.editor("reason").currentText()
    first.hide()
    first.deleteLater()  # the window is gone without a goodbye, as in a power cut

    second = _window(qtbot, demo_ctx, runner)
    counter = second.counter
    qtbot.waitUntil(counter.notice.isVisible, timeout=5000)
    assert "没办完" in counter.notice.text() and "社会保障卡申领" in counter.notice.text()
    qtbot.keyClick(counter.search, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: counter.service.item is not None and counter.service.item.code == "S07"
                    and counter.service.form.editor("bank").text() == "农商银行", timeout=5000)
    assert counter.vm.resident is not None and counter.vm.resident.resident.id == resident_id
    assert counter.service.received() == [counter.service.item.materials[1].code]
    assert counter.service.form.editor("reason").currentText() == reason
    assert not counter.notice.isVisible()

    counter.service.set_received([m.code for m in counter.service.item.materials])
    qtbot.keyClick(counter.service.materials, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: counter.service.receipt.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: not any(drafts.glob("*.json")), timeout=5000)  # accepted: the draft is gone


def test_a_damaged_draft_file_is_set_aside_and_the_counter_starts_normally(qtbot, demo_ctx, runner):
    actor = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    drafts = demo_ctx.data_dir / "drafts"
    drafts.mkdir(parents=True, exist_ok=True)
    (drafts / f"{actor.staff_id}.json").write_bytes(b'{"format": "stationdesk.draft/1", "staff_id": ')  # cut off
    window = _window(qtbot, demo_ctx, runner)
    qtbot.waitUntil(lambda: (drafts / f"{actor.staff_id}.bad").exists(), timeout=5000)
    assert not window.counter.notice.isVisible()
    assert window.counter.message.text() == ""

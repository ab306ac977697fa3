"""First run: a new installation sets up its town, villages, station and station head in one page."""

from __future__ import annotations

from app.services.context import open_context
from app.services.staff import authenticate
from app.services.station import is_initialised, station_view
from app.ui.setup.view import SetupDialog, SetupViewModel, parse_villages


def _fill(dialog: SetupDialog, **overrides: str) -> None:
    values = {"town_code": "330127101", "town_name": "青溪镇", "station_code": "QX01",
              "station_name": "青溪村便民服务站", "phone": "0571-64812345", "username": "zhanzhang",
              "admin_name": "王秀英", "password": "Qingxi-2026", "password2": "Qingxi-2026", **overrides}
    dialog.villages.setPlainText(overrides.get("villages", "V01 青溪村\nV02 石门村\nV04 下姜村"))
    for key, value in values.items():
        if key != "villages":
            getattr(dialog, key).setText(value)


def test_villages_are_read_one_per_line_as_code_and_name() -> None:
    assert [(v.code, v.name) for v in parse_villages("V01 青溪村\n\n  V02   石门村 \n枫树岭村")] == [
        ("V01", "青溪村"), ("V02", "石门村"), ("", "枫树岭村")]


def test_a_new_installation_is_set_up_and_its_head_can_log_in(qtbot, tmp_path, runner):
    ctx = open_context(tmp_path / "new")
    try:
        assert not is_initialised(ctx)
        dialog = SetupDialog(SetupViewModel(ctx, runner))
        qtbot.addWidget(dialog)
        dialog.show()
        _fill(dialog)
        assert dialog.village.count() == 3  # the station's village is chosen from the villages typed
        dialog.village.setCurrentIndex(dialog.village.findData("V02"))
        with qtbot.waitSignal(dialog.vm.done, timeout=10000):
            dialog.button.click()
        assert dialog.result() == SetupDialog.DialogCode.Accepted
        station = station_view(ctx)
        assert (station.station_code, station.village_code, len(station.villages)) == ("QX01", "V02", 3)
        assert authenticate(ctx, username="zhanzhang", password="Qingxi-2026").display_name == "王秀英"
    finally:
        ctx.db.dispose()


def test_mistakes_are_explained_and_nothing_is_set_up(qtbot, tmp_path, runner):
    ctx = open_context(tmp_path / "new")
    try:
        dialog = SetupDialog(SetupViewModel(ctx, runner))
        qtbot.addWidget(dialog)
        dialog.show()
        _fill(dialog, password2="something-else")
        dialog.button.click()
        assert "两次输入的密码不一样" in dialog.message.text()

        _fill(dialog, station_code="青溪")  # not letters and digits
        dialog.button.click()
        qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10000)
        assert dialog.message.text().startswith("本站代码“青溪”不对")  # in words, not "station代码"
        assert not is_initialised(ctx)
    finally:
        ctx.db.dispose()

"""Registering a new resident in place, and the ID card reader, through real widgets."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from app.domain.idcard import IdCard
from app.domain.identity import id_check_char
from app.services.demo import DEMO_PASSWORD
from app.services.residents import find_residents
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.devices import SimulatedCardReader
from app.ui.shell import MainWindow

BODY = "33012719880808046"
NEW_ID = BODY + id_check_char(BODY)
BAD_ID = BODY + ("0" if id_check_char(BODY) != "0" else "1")


def _window(qtbot, ctx, runner, reader=None) -> MainWindow:
    actor = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    counter = CounterView(CounterViewModel(ctx, runner, actor=actor, reader=reader))
    window = MainWindow(station=station_view(ctx), actor=actor, counter=counter)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: counter.register.village.count() > 0, timeout=5000)  # the town's villages
    return window


def test_someone_not_found_is_registered_in_place_checked_as_typed_and_then_chosen(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)  # kept: the window owns the widgets
    counter = window.counter
    qtbot.keyClicks(counter.search, NEW_ID)
    qtbot.waitUntil(lambda: "没有找到" in counter.hint.text(), timeout=5000)
    qtbot.keyClick(counter.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = counter.register
    assert counter.right.currentWidget() is form
    assert form.id_number.text() == NEW_ID  # what was typed in the search carries over

    form.id_number.setText(BAD_ID)
    assert form.problems["id_number"].text() != ""  # checked as you type, before saving
    form.id_number.setText(NEW_ID)
    assert form.problems["id_number"].text() == ""
    assert "女" in form.derived.text() and "1988-08-08" in form.derived.text()
    form.name.setText("方晓燕")
    qtbot.keyClicks(form.phone, "1380000")
    assert "电话" in form.problems["phone"].text() or form.problems["phone"].text() != ""
    qtbot.keyClicks(form.phone, "1234")
    assert form.problems["phone"].text() == ""
    form.village.setCurrentIndex(form.village.findData("V02"))

    qtbot.keyClick(form.phone, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "方晓燕" in counter.card.text(), timeout=5000)
    assert counter.right.currentWidget() is counter.service
    [person] = find_residents(demo_ctx, query=NEW_ID).residents
    assert (person.name, person.village_code, person.phone_masked) == ("方晓燕", "V02", "138****1234")


def test_saving_with_a_required_field_empty_marks_it_and_saves_nothing(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)  # kept: the window owns the widgets
    counter = window.counter
    counter.start_registration()
    form = counter.register
    form.id_number.setText(NEW_ID)
    qtbot.keyClick(form.id_number, Qt.Key.Key_F9)
    assert form.problems["name"].text() != ""
    assert "改正" in form.status.text()
    assert find_residents(demo_ctx, query=NEW_ID).residents == ()
    qtbot.keyClick(form.id_number, Qt.Key.Key_Escape)
    assert counter.right.currentWidget() is counter.service


def test_f12_reads_the_card_a_known_resident_is_chosen_and_a_newcomer_is_offered_for_registration(
        qtbot, demo_ctx, runner):
    known = find_residents(demo_ctx, query="zs").residents[0]
    from app.services.residents import reveal_id_number

    head = authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD)
    known_id = reveal_id_number(demo_ctx, actor=head, resident_id=known.id, purpose="测试读卡")
    reader = SimulatedCardReader([
        IdCard(name=known.name, gender="男", ethnicity="汉", birth_date=known.birth_date or date(1970, 1, 1),
               address=known.address, id_number=known_id),
        IdCard(name="方晓燕", gender="女", ethnicity="汉", birth_date=date(1988, 8, 8),
               address="浙江省淳安县青溪镇石门村5组12号", id_number=NEW_ID),
    ])
    window = _window(qtbot, demo_ctx, runner, reader)
    counter = window.counter

    qtbot.keyClick(counter.search, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: known.name in counter.card.text(), timeout=5000)

    qtbot.keyClick(counter.search, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: counter.right.currentWidget() is counter.register, timeout=5000)
    assert (counter.register.name.text(), counter.register.id_number.text()) == ("方晓燕", NEW_ID)
    assert "石门村5组12号" in counter.register.address.text()
    assert counter.register.village.currentData() == "V02"  # 石门村, read off the card's address
    assert known.name not in counter.card.text()  # the last person's card is not left showing
    assert counter.register.phone.hasFocus()

    qtbot.keyClick(counter.register.phone, Qt.Key.Key_F12)  # nothing on the reader now
    qtbot.waitUntil(lambda: "没有读到身份证" in counter.message.text(), timeout=5000)


def test_a_made_up_area_code_is_refused_as_typed_and_a_residence_permit_is_named(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)  # kept: the window owns the widgets
    counter = window.counter
    counter.start_registration()
    form = counter.register
    made_up = "12345619880808046"
    form.id_number.setText(made_up + id_check_char(made_up))
    assert "123456" in form.problems["id_number"].text() and "地区代码" in form.problems["id_number"].text()
    assert form.derived.text() == ""
    permit = "83000019880808046"
    form.id_number.setText(permit + id_check_char(permit))
    assert form.problems["id_number"].text() == ""
    assert "港澳台居民居住证" in form.derived.text() and "1988-08-08" in form.derived.text()

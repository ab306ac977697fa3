"""The working-day calendar's missing years where the counter's people see them: the header says, after the sync
state, that next year's holidays are not installed (how to install them in its tooltip), and the counter's view
model has the warning for a case accepted with a provisional promised date."""

from __future__ import annotations

from datetime import date, datetime

from app.services.cases import accept_case
from app.services.residents import register_resident
from app.ui.counter.view_model import CounterViewModel
from app.ui.sync_status import SyncWatch
from tests.helpers import make_id


def test_the_header_says_in_december_that_next_years_holidays_are_missing_and_how_to_install_them(
        qtbot, station, runner) -> None:
    station.clock.set(datetime(2026, 12, 7, 9, 0))
    watch = SyncWatch(station.ctx, runner)
    said: list[tuple[str, str, bool]] = []
    watch.changed.connect(lambda text, tip, alarming: said.append((text, tip, alarming)))
    watch.refresh()
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    text, tip, alarming = said[-1]
    assert "离线工作" in text and "2027年节假日安排未载入" in text
    assert "calendar install" in tip and "站长" in tip and not alarming  # this year is there: not red


def test_no_calendar_words_in_the_header_while_the_years_are_there(qtbot, station, runner) -> None:
    watch = SyncWatch(station.ctx, runner)  # 23 Nov 2026: next year is not asked for yet
    said: list[str] = []
    watch.changed.connect(lambda text, _tip, _alarming: said.append(text))
    watch.refresh()
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert "节假日" not in said[-1]


def test_the_counter_view_model_warns_of_a_provisional_promised_date(qtbot, station, runner) -> None:
    person = register_resident(station.ctx, actor=station.head, name="张三", village="V01",
                               id_number=make_id(date(1980, 5, 6), True)).id
    item = station.ctx.catalog.item("S07")
    result = accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code="S07",
                         received_materials=[m.code for m in item.required_materials], form={"reason": "遗失"})
    vm = CounterViewModel(station.ctx, runner, actor=station.clerk)
    warning = vm.due_warning(result)
    assert result.case.due_date is not None
    assert result.case.due_date.isoformat() in warning and "2027" in warning and "预计" in warning
    assert "provisional" in CounterViewModel(station.ctx, runner, lang="en", actor=station.clerk).due_warning(result)
    with qtbot.waitSignal(vm.due_provisional, timeout=2_000) as signal:
        vm._on_accepted(result)
    assert signal.args == [warning]

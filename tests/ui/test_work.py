"""Today's work: the lists, and moving a case on from them with F7 / F10 / F11, through real widgets."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt

from app.domain.cases import CaseState
from app.services.cases import accept_case, get_case
from app.services.demo import DEMO_PASSWORD
from app.services.residents import find_residents
from app.services.staff import authenticate
from app.ui.work.view import WorkView
from app.ui.work.view_model import WorkList, WorkViewModel
from tests.ui.modal import answer, back


def _accept(ctx, actor, code: str = "S12") -> str:
    person = find_residents(ctx, query="zs").residents[0]
    item = ctx.catalog.item(code)
    form = {"employment_form": item.fields[0].choices[0], "start_date": "2026-11-01"} if code == "S12" else {}
    return accept_case(ctx, actor=actor, applicant_id=person.id, item_code=code,
                       received_materials=[m.code for m in item.materials], form=form).case.id


def _view(qtbot, ctx, runner):
    actor = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    view = WorkView(WorkViewModel(ctx, runner, actor=actor))
    qtbot.addWidget(view)
    view.show()
    back(qtbot, view)
    return view, actor


def _select(qtbot, view: WorkView, case_id: str) -> None:
    qtbot.waitUntil(lambda: view.shown == view.vm.current.value, timeout=5000)
    qtbot.waitUntil(lambda: any(view.model.row(i).id == case_id for i in range(view.model.rowCount())),
                    timeout=5000)
    view.table.selectRow(next(i for i in range(view.model.rowCount()) if view.model.row(i).id == case_id))


def test_a_case_accepted_today_is_forwarded_with_f7_then_completed_with_f10(qtbot, demo_ctx, runner):
    view, actor = _view(qtbot, demo_ctx, runner)
    case_id = _accept(demo_ctx, actor)
    view.show_list(WorkList.TODAY)
    _select(qtbot, view, case_id)

    case_no = get_case(demo_ctx, case_id=case_id).case_no
    assert case_no in view.target.text()  # the case F7 acts on is named before it is pressed
    asked: list[str] = []
    answer(Qt.Key.Key_Return, asked)  # Enter out of habit: the default answer forwards nothing
    qtbot.keyClick(view.table, Qt.Key.Key_F7)
    assert case_no in asked[0] and "不能撤回" in asked[0]
    assert get_case(demo_ctx, case_id=case_id).state is CaseState.ACCEPTED
    back(qtbot, view)
    answer(Qt.Key.Key_Y)
    qtbot.keyClick(view.table, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: "已转报镇里" in view.status.text(), timeout=5000)
    assert get_case(demo_ctx, case_id=case_id).state is CaseState.FORWARDED

    view.show_list(WorkList.WAITING)
    _select(qtbot, view, case_id)
    assert all(view.model.row(i).state is CaseState.FORWARDED for i in range(view.model.rowCount()))
    back(qtbot, view)
    answer(Qt.Key.Key_Y)
    qtbot.keyClick(view.table, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: "已办结" in view.status.text(), timeout=5000)
    assert get_case(demo_ctx, case_id=case_id).state is CaseState.COMPLETED


def test_sending_a_case_back_needs_a_reason_first(qtbot, demo_ctx, runner):
    view, actor = _view(qtbot, demo_ctx, runner)
    case_id = _accept(demo_ctx, actor)
    view.show_list(WorkList.OPEN)
    _select(qtbot, view, case_id)

    qtbot.keyClick(view.table, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: "要写明原因" in view.status.text(), timeout=5000)
    assert get_case(demo_ctx, case_id=case_id).state is CaseState.ACCEPTED

    view.reason.setText("户口簿复印件不清楚，请重新复印")  # typed through the input method (QTest types ASCII only)
    qtbot.keyClick(view.reason, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: "已退回补正" in view.status.text(), timeout=5000)
    case = get_case(demo_ctx, case_id=case_id)
    assert case.state is CaseState.RETURNED and "重新复印" in case.reason
    assert view.reason.text() == ""


def test_overdue_cases_are_listed_in_red_and_older_cases_are_found_by_number(qtbot, demo_ctx, runner):
    view, actor = _view(qtbot, demo_ctx, runner)
    real_now = demo_ctx.now
    demo_ctx.now = lambda: real_now() - timedelta(days=60)  # accepted two months ago: long past its date
    try:
        old_id = _accept(demo_ctx, actor)
    finally:
        demo_ctx.now = real_now
    old = get_case(demo_ctx, case_id=old_id)

    view.show_list(WorkList.OVERDUE)
    _select(qtbot, view, old_id)
    row = next(i for i in range(view.model.rowCount()) if view.model.row(i).id == old_id)
    assert "超期" in view.model.data(view.model.index(row, 4))
    assert view.model.data(view.model.index(row, 0), Qt.ItemDataRole.ForegroundRole) is not None

    view.show_list(WorkList.SEARCH)
    assert view.query.isVisible() and view.query.hasFocus()
    qtbot.keyClicks(view.query, old.case_no[-13:])  # the date and number part, as read off a receipt
    qtbot.keyClick(view.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.shown == "search" and view.model.rowCount() == 1, timeout=5000)
    assert view.model.row(0).case_no == old.case_no
    assert datetime.fromisoformat(view.model.row(0).received_at) < real_now() - timedelta(days=59)


def test_a_bad_rating_waits_in_the_follow_up_list_until_closed_with_what_was_done(qtbot, demo_ctx, runner):
    from app.services.ratings import list_follow_ups, rate_case

    view, actor = _view(qtbot, demo_ctx, runner)
    case_id = _accept(demo_ctx, actor)
    rate_case(demo_ctx, actor=actor, case_id=case_id, level=1, comment="态度不好")
    view.show_list(WorkList.FOLLOW_UPS)
    qtbot.waitUntil(lambda: view.shown == "follow_ups" and view.follow_ups.rowCount() == 1, timeout=5000)
    assert view.follow_ups.data(view.follow_ups.index(0, 3)) == "非常不满意"
    assert view.follow_ups.data(view.follow_ups.index(0, 4)) == "态度不好"

    qtbot.keyClick(view.table, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: "写明" in view.status.text(), timeout=5000)
    assert len(list_follow_ups(demo_ctx)) == 1

    view.reason.setText("站长当天电话回访致歉，已批评教育经办人")
    qtbot.keyClick(view.reason, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: "已关闭" in view.status.text(), timeout=5000)
    qtbot.waitUntil(lambda: view.follow_ups.rowCount() == 0, timeout=5000)
    assert list_follow_ups(demo_ctx) == ()

    view.show_list(WorkList.TODAY)  # back to the cases: the case table and its actions return
    _select(qtbot, view, case_id)
    assert view.table.model() is view.model


def test_at_the_end_of_a_shift_my_open_cases_are_handed_to_the_colleague_with_ctrl_enter(qtbot, demo_ctx, runner):
    from app.services.handover import my_open_cases

    view, actor = _view(qtbot, demo_ctx, runner)
    case_id = _accept(demo_ctx, actor)
    view.show_list(WorkList.MINE)
    _select(qtbot, view, case_id)
    assert view.handover_bar.isVisible()
    qtbot.waitUntil(lambda: view.colleague.count() > 0, timeout=5000)
    assert all("李晓丽" not in view.colleague.itemText(i) for i in range(view.colleague.count()))
    view.colleague.setCurrentIndex(view.colleague.findData("zhanzhang"))
    qtbot.keyClick(view.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已交接给" in view.status.text(), timeout=5000)
    assert my_open_cases(demo_ctx, actor=actor) == ()
    assert get_case(demo_ctx, case_id=case_id).handler == "王秀英"


def test_a_case_not_yet_at_the_town_says_so_once_the_station_is_enrolled(qtbot, demo_ctx, runner):
    from app.services import replication as rep

    view, actor = _view(qtbot, demo_ctx, runner)
    case_id = _accept(demo_ctx, actor)
    view.show_list(WorkList.TODAY)
    _select(qtbot, view, case_id)
    row = next(i for i in range(view.model.rowCount()) if view.model.row(i).id == case_id)
    assert "未到镇里" not in view.model.data(view.model.index(row, 4))  # a station working alone: nothing waits
    rep.save_sync_settings(demo_ctx, url="https://town.example.cn", credential="c" * 43)
    view.show_list(WorkList.TODAY)
    qtbot.waitUntil(lambda: "未到镇里" in view.model.data(view.model.index(row, 4)), timeout=5000)
    rep.mark_pushed(demo_ctx, [c.change_id for c in rep.outbox(demo_ctx, limit=100_000)])  # the town has it
    view.show_list(WorkList.TODAY)
    qtbot.waitUntil(lambda: "未到镇里" not in view.model.data(view.model.index(row, 4)), timeout=5000)


def test_tab_leaves_the_list_for_the_reason_box_and_a_case_gone_from_the_list_is_not_replaced(qtbot, demo_ctx,
                                                                                              runner):
    view, actor = _view(qtbot, demo_ctx, runner)
    first, second = _accept(demo_ctx, actor), _accept(demo_ctx, actor, "S08")
    view.show_list(WorkList.TODAY)
    _select(qtbot, view, first)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)  # out of the table, not to the next cell
    assert view.reason.hasFocus()
    qtbot.keyClick(view.reason, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert view.table.hasFocus()
    # ↓ moves the selection, and the line above the buttons follows it: nothing is chosen silently.
    row = view.table.currentIndex().row()
    qtbot.keyClick(view.table, Qt.Key.Key_Down if row == 0 else Qt.Key.Key_Up)
    moved = view.selected()
    assert moved is not None and moved.id != first and moved.case_no in view.target.text()

    # The chosen case leaves the list (completed elsewhere): the list comes back with nothing chosen.
    _select(qtbot, view, second)
    back(qtbot, view)
    answer(Qt.Key.Key_Y)
    qtbot.keyClick(view.table, Qt.Key.Key_F10)  # S08 is done on the spot: completing takes it off OPEN
    view.show_list(WorkList.OPEN)
    qtbot.waitUntil(lambda: view.shown == "open", timeout=5000)
    qtbot.waitUntil(lambda: all(view.model.row(i).id != second for i in range(view.model.rowCount())), timeout=5000)
    assert view.selected() is None or view.selected().id != second

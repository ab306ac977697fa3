"""The points page says one true thing about a household's account, and the public notice (公示) is posted for
the residents of every village the station serves (the whole town), or the page says exactly why not. Real
widgets on a real demo station, driven by the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.services import points as pts
from app.services.demo import DEMO_PASSWORD
from app.services.residents import get_resident
from app.services.staff import authenticate
from app.ui.i18n import use_language
from app.ui.points.view import PointsView
from app.ui.points.view_model import PointsViewModel
from tests.printing.pdfcheck import squeezed

TIMEOUT = 10_000


def _view(qtbot, ctx, runner, username: str = "xiaoli") -> PointsView:
    actor = authenticate(ctx, username=username, password=DEMO_PASSWORD)
    view = PointsView(PointsViewModel(ctx, runner, actor=actor))
    qtbot.addWidget(view)
    view.resize(1366, 720)
    view.show()
    view.activateWindow()  # shortcuts (F9, F11, Alt+1…5) go to the active window, as at the counter
    qtbot.waitUntil(view.isActiveWindow, timeout=TIMEOUT)
    return view


def _residents(ctx, *, own_village: bool) -> list[str]:
    """Residents with a household and no points account yet, of the station's village or of another."""
    with ctx.read() as uow:
        village = ctx.station(uow).village_code
        rows = uow.conn.exec_driver_sql(
            "SELECT id, village_code FROM residents WHERE deleted = 0 AND household_id IS NOT NULL "
            "AND household_id != '' ORDER BY id").fetchall()
    found = [r[0] for r in rows if (r[1] == village) == own_village]
    return [r for r in found if not pts.account_of(ctx, resident_id=r).opened]


def _open_for(qtbot, view: PointsView, ctx, resident_id: str) -> pts.AccountView:
    with qtbot.waitSignal(view.vm.account_loaded, timeout=TIMEOUT):
        view.opened(get_resident(ctx, resident_id=resident_id))
    assert view.vm.account is not None
    return view.vm.account


def _declare_by_keyboard(qtbot, view: PointsView, code: str) -> None:
    qtbot.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: view.declare.list.count() > 5, timeout=TIMEOUT)
    qtbot.keyClicks(view.declare.filter, code)
    assert view.declare.list.count() == 1
    qtbot.keyClick(view.declare.filter, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已登记" in view.declare.status.text(), timeout=TIMEOUT)


def _review_rows(qtbot, view: PointsView, n: int) -> None:
    qtbot.keyClick(view, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    view.vm.load_declarations()
    qtbot.waitUntil(lambda: view.review.model.rowCount() == n, timeout=TIMEOUT)
    assert view.review.table.hasFocus()


def test_a_household_without_an_account_is_told_how_one_opens_and_shown_no_balance(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    resident_id = _residents(demo_ctx, own_village=False)[0]
    account = _open_for(qtbot, view, demo_ctx, resident_id)
    assert not account.opened
    card = view.card.text()
    assert "还没有积分账户" in card and "登记第一条积分时自动开户" in card and "Alt+1" in card
    assert f"起始分 {account.balance} 分" in card  # what it will open with, said as such
    assert "余额" not in card and "可兑换" not in card  # no balance of an account that does not exist
    assert account.village_name in card
    assert view.statement.model.rowCount() == 0 and "还没有" in view.statement.facts.text()

    _declare_by_keyboard(qtbot, view, "T07")  # the first declaration opens the account: the card follows
    qtbot.waitUntil(lambda: "余额" in view.card.text(), timeout=TIMEOUT)
    assert "还没有" not in view.card.text()
    assert f"余额 <b>{account.balance}</b>" in view.card.text()


def test_the_card_of_a_household_with_an_account_shows_its_balance_only(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    top = pts.board(demo_ctx).lines[0]
    resident_id = next(d.resident_id for d in pts.list_declarations(demo_ctx, states=("credited",))
                       if d.account_id == top.account_id)
    account = _open_for(qtbot, view, demo_ctx, resident_id)
    assert account.opened
    assert f"余额 <b>{account.balance}</b>" in view.card.text() and "还没有" not in view.card.text()

    other = _residents(demo_ctx, own_village=True)[0]  # then a household without one: nothing of the last stays
    _open_for(qtbot, view, demo_ctx, other)
    assert "余额" not in view.card.text() and "还没有积分账户" in view.card.text()
    assert view.statement.model.rowCount() == 0 and not view.statement.preview.isVisible()


def test_f11_posts_one_notice_for_each_village_whose_residents_were_approved_here(qtbot, demo_ctx, runner):
    clerk = _view(qtbot, demo_ctx, runner, "xiaoli")
    away = _residents(demo_ctx, own_village=False)[0]  # a resident of another village, served here
    _open_for(qtbot, clerk, demo_ctx, away)
    _declare_by_keyboard(qtbot, clerk, "T07")
    waiting = pts.list_declarations(demo_ctx, states=("pending",))
    villages = {d.village_code for d in waiting}
    assert len(villages) == 2  # the demo's own village, and this one

    head = _view(qtbot, demo_ctx, runner, "zhanzhang")
    _review_rows(qtbot, head, len(waiting))
    assert any(away_village in head.review.model.data(head.review.model.index(row, 1))
               for row in range(len(waiting)) for away_village in {d.village_name for d in waiting})
    for row in range(len(waiting)):
        head.review.table.selectRow(row)
        state_before = head.review.selected().state
        assert state_before == "pending"
        qtbot.keyClick(head.review.table, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda r=row: head.review.model.row(r).state == "approved", timeout=TIMEOUT)

    qtbot.keyClick(head.review.table, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: "公示已发布" in head.review.status.text(), timeout=TIMEOUT)
    assert head.review.status.objectName() == "hint"
    papers = head.vm.paper_sets["review"]
    assert len(papers) == 2  # one sheet for each village's board
    names = {d.village_name for d in waiting}
    for name in names:
        assert name in head.review.status.text()
    for paper in papers:
        assert paper.number in head.review.status.text()
    assert {next(n for n in names if f"{n}积分公示" in squeezed(p.pdf)) for p in papers} == names
    qtbot.waitUntil(lambda: head.review.preview.page_count >= 2, timeout=TIMEOUT)
    assert all(d.state == "noticed" for d in pts.list_declarations(demo_ctx)
               if d.id in {w.id for w in waiting})
    assert {n.village_code for n in pts.open_notices(demo_ctx)} == villages


def test_f11_with_nothing_approved_says_how_many_wait_and_which_key_approves(qtbot, demo_ctx, runner):
    head = _view(qtbot, demo_ctx, runner, "zhanzhang")
    waiting = pts.list_declarations(demo_ctx, states=("pending",))
    _review_rows(qtbot, head, len(waiting))
    qtbot.keyClick(head.review.table, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: head.review.status.objectName() == "error", timeout=TIMEOUT)
    text = head.review.status.text()
    assert f"{len(waiting)} 条在等评议" in text and "F9" in text and "F11" in text
    assert not pts.open_notices(demo_ctx)


def test_a_declaration_recorded_at_another_station_is_not_posted_here_and_the_page_says_where(
        qtbot, demo_ctx, runner):
    waiting = pts.list_declarations(demo_ctx, states=("pending",))
    with demo_ctx.uow() as uow:  # as if the town had brought another station's declarations here
        uow.conn.exec_driver_sql("UPDATE points_declarations SET station_code = 'QX09' WHERE state = 'pending'")
        uow.commit()
    head = _view(qtbot, demo_ctx, runner, "zhanzhang")
    _review_rows(qtbot, head, len(waiting))
    qtbot.keyClick(head.review.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: head.review.status.objectName() == "error", timeout=TIMEOUT)
    assert "QX09" in head.review.status.text() and "联系该站" in head.review.status.text()
    assert all(d.state == "pending" for d in pts.list_declarations(demo_ctx) if d.id in {w.id for w in waiting})

    with demo_ctx.uow() as uow:  # approved there, and come back with the town's sync
        uow.conn.exec_driver_sql("UPDATE points_declarations SET state = 'approved' WHERE station_code = 'QX09'")
        uow.commit()
    head.vm.load_declarations()
    qtbot.waitUntil(lambda: head.review.model.row(0).state == "approved", timeout=TIMEOUT)
    qtbot.keyClick(head.review.table, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: "由登记的站点发布公示" in head.review.status.text(), timeout=TIMEOUT)
    assert "QX09" in head.review.status.text() and head.review.status.objectName() == "error"
    assert not pts.open_notices(demo_ctx)


@pytest.mark.parametrize("lang", ["en"])
def test_the_card_without_an_account_reads_in_english(qtbot, demo_ctx, runner, lang):
    use_language(lang)
    try:
        view = _view(qtbot, demo_ctx, runner)
        _open_for(qtbot, view, demo_ctx, _residents(demo_ctx, own_village=False)[0])
        assert "No points account yet" in view.card.text() and "Alt+1" in view.card.text()
        assert "Balance" not in view.card.text()
    finally:
        use_language("zh")

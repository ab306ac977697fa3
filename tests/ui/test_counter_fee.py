"""The counter's view model gives the fee for the form as filled before anything is accepted (the catalogue's
fee rule: S07's first card is free, a replacement ¥20)."""

from __future__ import annotations

from app.ui.counter.view_model import CounterViewModel


def test_the_fee_shown_before_accepting_follows_the_reason_chosen(qtbot, station, runner) -> None:
    vm = CounterViewModel(station.ctx, runner, actor=station.clerk)
    s07 = station.ctx.catalog.item("S07")
    assert vm.fee_for(s07, {}) == 2000  # nothing chosen yet: the item's fee
    assert vm.fee_for(s07, {"reason": "首次申领"}) == 0
    assert vm.fee_for(s07, {"reason": "遗失", "bank": "农商银行"}) == 2000
    assert vm.fee_for(station.ctx.catalog.item("S09"), {"operation": "修改密码"}) == 0

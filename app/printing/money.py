"""收款收据 (amount in figures and in capitals) and the points slips: 积分奖励通知, 积分兑换单."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.domain.documents import Paper
from app.domain.forms import format_money
from app.printing import a4
from app.printing.common import day_text, moment, slip_bottom, slip_top
from app.printing.thermal import SMALL, Slip
from app.services.paper import Letterhead, PaymentReceipt, PointsAward, Redemption, Stamp

WIDTH = 210 * mm - a4.PORTRAIT_MARGINS[0] - a4.PORTRAIT_MARGINS[1]


def render_payment(r: PaymentReceipt, head: Letterhead, stamp: Stamp, font: str, paper: Paper) -> bytes:
    title = "收款收据"
    if paper.thermal:
        slip = Slip(font=font, paper=paper, title=f"{title} {stamp.number}")
        slip_top(slip, head, stamp, title)
        slip.pair("办件编号", r.case_no)
        slip.pair("事项", f"{r.item_code} {r.item_name}")
        slip.pair("缴款人", f"{r.payer.name} {r.payer.id_masked}")
        slip.pair("收款单位", r.payee)
        if r.reference:
            slip.text(r.reference)
        slip.rule()
        for line in r.lines:
            slip.amount(line.label, format_money(line.amount_fen))
        slip.rule()
        slip.amount("合计（小写）", format_money(r.total_fen), bold=True)
        slip.pair("合计（大写）", r.total_words)
        slip.pair("支付方式", r.method)
        slip.pair("收款人", f"{r.cashier_name}（工号 {r.cashier_no}）")
        slip.pair("收款时间", moment(r.paid_at))
        slip.text("本收据为代收凭证，请妥善保管。", size=SMALL)
        slip_bottom(slip, head, stamp)
        return slip.pdf()
    rows = [["序号", "项目", "金额（元）"]] + [[str(i), line.label, format_money(line.amount_fen)]
                                             for i, line in enumerate(r.lines, start=1)]
    rows += [["", "合计（小写）", format_money(r.total_fen)], ["", "合计（大写）", r.total_words]]
    facts = [["办件编号", r.case_no], ["事项", f"{r.item_code} {r.item_name}"],
             ["缴款人", f"{r.payer.name}　证件号码 {r.payer.id_masked}"], ["收款单位", r.payee]]
    if r.reference:
        facts.append(["缴费信息", r.reference])
    facts += [["支付方式", r.method], ["收款人", f"{r.cashier_name}（工号 {r.cashier_no}）"],
              ["收款时间", moment(r.paid_at)]]
    story: list[Flowable] = [
        *a4.letterhead(head, title, font),
        a4.grid(facts, [WIDTH * 0.25, WIDTH * 0.75], font, header=False, label_column=True), a4.gap(),
        a4.grid(rows, [WIDTH * 0.1, WIDTH * 0.6, WIDTH * 0.3], font), a4.gap(8 * mm),
        a4.signature_block(["缴款人（签字）", "收款人（签字）"], font, WIDTH),
    ]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}")


def _signed(points: int) -> str:
    return f"+{points}" if points > 0 else str(points)


def render_points_award(a: PointsAward, head: Letterhead, stamp: Stamp, font: str, paper: Paper) -> bytes:
    title = "积分奖励通知" if a.points >= 0 else "积分扣减通知"
    facts = [("姓名", a.name), ("村组", " ".join(x for x in (a.village, a.group) if x)), ("类别", a.category),
             ("事由", a.reason), ("积分", _signed(a.points)), ("现有积分", str(a.balance)),
             ("评议", f"{a.approved_by} {day_text(a.approved_on)}"), ("经办人", a.staff_name)]
    if paper.thermal:
        slip = Slip(font=font, paper=paper, title=f"{title} {stamp.number}")
        slip_top(slip, head, stamp, title)
        for label, value in facts:
            slip.pair(label, value)
        slip_bottom(slip, head, stamp, footer=False)
        return slip.pdf()
    story: list[Flowable] = [*a4.letterhead(head, title, font),
                             a4.grid([list(f) for f in facts], [WIDTH * 0.25, WIDTH * 0.75], font, header=False,
                                     label_column=True)]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}", footer=False)


def render_redemption(r: Redemption, head: Letterhead, stamp: Stamp, font: str, paper: Paper) -> bytes:
    title = "积分兑换单"
    if paper.thermal:
        slip = Slip(font=font, paper=paper, title=f"{title} {stamp.number}")
        slip_top(slip, head, stamp, title)
        slip.pair("姓名", r.name)
        slip.pair("村组", " ".join(x for x in (r.village, r.group) if x))
        slip.rule()
        for line in r.lines:
            slip.amount(f"{line.goods} ×{line.quantity}（{line.unit_points}分）", f"{line.points}分")
        slip.rule()
        slip.amount("合计", f"{r.total_points}分", bold=True)
        slip.pair("兑换前积分", str(r.balance_before))
        slip.pair("兑换后积分", str(r.balance_after))
        slip.pair("经办人", r.staff_name)
        slip.pair("兑换时间", moment(r.redeemed_at))
        slip.text("积分不兑现金，兑换物品当面点清。", size=SMALL)
        slip_bottom(slip, head, stamp, footer=False)
        return slip.pdf()
    rows = [["序号", "物品", "数量", "单价（分）", "积分"]] + [
        [str(i), line.goods, str(line.quantity), str(line.unit_points), str(line.points)]
        for i, line in enumerate(r.lines, start=1)] + [["", "合计", "", "", str(r.total_points)]]
    facts = [["姓名", r.name], ["村组", " ".join(x for x in (r.village, r.group) if x)],
             ["兑换前 / 兑换后积分", f"{r.balance_before} / {r.balance_after}"], ["经办人", r.staff_name],
             ["兑换时间", moment(r.redeemed_at)]]
    story: list[Flowable] = [*a4.letterhead(head, title, font),
                             a4.grid(facts, [WIDTH * 0.3, WIDTH * 0.7], font, header=False, label_column=True),
                             a4.gap(), a4.grid(rows, [WIDTH * 0.1, WIDTH * 0.45, WIDTH * 0.12, WIDTH * 0.18,
                                                      WIDTH * 0.15], font)]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}", footer=False)

"""The points system's A4 sheets: the public notice (积分公示) and a household's statement (积分对账单)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.printing import a4
from app.printing.common import day_text, moment
from app.services.paper import Letterhead, PointsNoticeSheet, PointsStatementSheet, Stamp

WIDTH = 210 * mm - a4.PORTRAIT_MARGINS[0] - a4.PORTRAIT_MARGINS[1]


def _signed(points: int) -> str:
    return f"+{points}" if points > 0 else str(points)


def render_points_notice(n: PointsNoticeSheet, head: Letterhead, stamp: Stamp, font: str) -> bytes:
    """Name (masked as the rules say), group, indicator and points only: never an ID or phone number."""
    title = f"{n.village}积分公示"
    st = a4.styles(font)
    rows = [["序号", "姓名", "村民小组", "类别", "事由（指标）", "积分"]] + [
        [str(i), r.name, r.group, r.category, r.indicator, _signed(r.points)] for i, r in enumerate(n.rows, start=1)]
    story: list[Flowable] = [
        *a4.letterhead(head, title, font),
        a4.p(f"　　经{n.review_body or '村评议小组'}评议，下列积分申报拟予通过，现予公示。"
             f"公示期 {day_text(n.posted_on)}至 {day_text(n.ends_on)}。如有异议，请在公示期内向村便民服务站反映"
             + (f"（电话 {head.phone}）" if head.phone else "") + "。公示期满无异议的，积分计入账户。", st["body"]),
        a4.gap(3 * mm),
        a4.grid(rows, [WIDTH * w for w in (0.08, 0.14, 0.14, 0.14, 0.38, 0.12)], font),
        a4.gap(3 * mm),
        a4.p(f"共 {len(n.rows)} 项，加分 {sum(r.points for r in n.rows if r.points > 0)} 分，"
             f"扣分 {-sum(r.points for r in n.rows if r.points < 0)} 分。", st["body"]),
        a4.gap(8 * mm),
        a4.p(f"{head.station_name}　　{day_text(n.posted_on)}", st["body"]),
    ]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}",
                    for_resident=False)  # posted on a wall


def render_points_statement(s: PointsStatementSheet, head: Letterhead, stamp: Stamp, font: str) -> bytes:
    title = "积分对账单"
    st = a4.styles(font)
    facts = [["户主" if s.kind == "按户" else "姓名", s.holder], ["村组", f"{s.village} {s.group}".strip()],
             ["现有积分", str(s.balance)], ["可兑换积分", str(s.spendable)], ["星级", s.grade or "—"]]
    if s.pending:
        facts.append(["待入账（评议、公示中）", _signed(s.pending)])
    if s.expiring:
        facts.append(["到期提醒", "；".join(f"{n} 分 {day_text(d)}到期" for d, n in s.expiring)])
    if s.suspended_below is not None:
        facts.append(["提示", f"积分低于 {s.suspended_below} 分，按规定暂停享受部分待遇"])
    rows = [["时间", "类型", "积分", "余额", "事由"]] + [
        [moment(r.at), r.kind, _signed(r.points), str(r.balance), r.reason] for r in s.rows]
    story: list[Flowable] = [
        *a4.letterhead(head, title, font),
        a4.grid(facts, [WIDTH * 0.3, WIDTH * 0.7], font, header=False, label_column=True),
        a4.gap(),
        a4.grid(rows, [WIDTH * w for w in (0.2, 0.12, 0.1, 0.1, 0.48)], font),
        a4.gap(3 * mm),
        a4.p(f"打印时间：{moment(s.printed_at)}。积分不兑现金；余额为全部记录之和，如有疑问请向村便民服务站查询。",
             st["body"]),
    ]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}")

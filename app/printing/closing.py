"""日结报表: a station's day on A4, as it was when closed — cases, money by item and method, the drawers,
voids and refunds, records booked late, reprints, points — with signature lines and the hash chain's head,
which anchors the station's money records on paper."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether

from app.domain.forms import amount_in_words, format_money
from app.printing import a4
from app.printing.common import day_text, moment
from app.services.paper import CloseCount, DayCloseSheet, Letterhead, Stamp

WIDTH = 210 * mm - a4.PORTRAIT_MARGINS[0] - a4.PORTRAIT_MARGINS[1]


def _counts(title: str, lines: tuple[CloseCount, ...], *, money: bool) -> list[list[str]]:
    head = [title, "笔数" if money else "件数"] + (["金额"] if money else [])
    return [head] + [[c.label, str(c.count)] + ([format_money(c.amount_fen)] if money else []) for c in lines]


def render_day_close(s: DayCloseSheet, head: Letterhead, stamp: Stamp, font: str) -> bytes:
    title = "日结报表"
    st = a4.styles(font)
    story: list[Flowable] = [
        *a4.letterhead(head, title, font),
        a4.p(f"日期：{day_text(s.day)}　　日结时间：{moment(s.closed_at)}　　日结人：{s.closed_by}", st["body"]),
        a4.p("一、办件", st["heading"]),
        a4.grid([*_counts("事项 · 状态", s.cases, money=False), ["合计", str(sum(c.count for c in s.cases))]],
                [WIDTH * 0.8, WIDTH * 0.2], font),
        a4.p("二、收款", st["heading"]),
        a4.grid([*_counts("事项 · 支付方式", s.payments, money=True),
                 ["合计", str(sum(m.count for m in s.methods)), format_money(s.payments_total_fen)]],
                [WIDTH * 0.6, WIDTH * 0.15, WIDTH * 0.25], font),
        a4.p("按支付方式：" + ("；".join(f"{m.label} {m.count} 笔 {format_money(m.amount_fen)}" for m in s.methods)
                          or "无") + f"。减作废、退款 {format_money(s.returned_fen)}，实收净额 "
             f"{format_money(s.net_fen)}（大写：{amount_in_words(s.net_fen)}）。", st["body"]),
        a4.p("三、现金钱箱", st["heading"]),
    ]
    if s.drawers:
        story.append(a4.grid(
            [["开箱人", "备用金", "应有", "实点", "差额", "结账人", "审批", "说明"]]
            + [[d.opened_by, format_money(d.float_fen), format_money(d.expected_fen), format_money(d.counted_fen),
                format_money(d.difference_fen), d.closed_by, d.approved_by or "—", d.note or ""] for d in s.drawers],
            [WIDTH * w for w in (0.1, 0.12, 0.12, 0.12, 0.11, 0.1, 0.1, 0.23)], font))
    else:
        story.append(a4.p("本日未开钱箱。", st["body"]))
    story.append(a4.p("四、作废、退款与代缴失败", st["heading"]))
    if s.voids:
        story.append(a4.grid(
            [["办件编号", "收据编号", "类别", "金额", "原因", "审批人"]]
            + [[v.case_no, v.receipt_no or "—", v.kind + ("（日结后）" if v.late else ""), format_money(v.amount_fen),
                v.reason, v.approver or "—"] for v in s.voids],
            [WIDTH * w for w in (0.25, 0.25, 0.09, 0.11, 0.18, 0.12)], font))
    else:
        story.append(a4.p("无。", st["body"]))
    late = "；".join(f"{x.label} {x.count} 笔" + (f" {format_money(x.amount_fen)}" if x.amount_fen else "")
                    for x in s.late)
    points = "；".join(f"{p.label} {p.amount_fen} 分" for p in s.points)
    audit = f"；审计记录：第 {s.audit_seq} 条　{s.audit_hash[:16]}…" if s.audit_hash else ""
    anchor = f"{s.chain_seq}:{s.chain_hash[:16]}"
    if s.audit_hash:
        anchor += f",audit={s.audit_seq}:{s.audit_hash[:16]}"
    # The last section, the heads that anchor the day on paper and the signatures stay on one page together.
    story.append(KeepTogether([
        a4.p("五、其他", st["heading"]),
        a4.p(f"日结后补记：{late or '无'}。补打单据：{s.reprints} 份。积分：{points}。", st["body"]),
        a4.p(f"收款校验链：第 {s.chain_seq} 环　{s.chain_hash[:16]}…{s.chain_hash[-8:]}{audit}"
             "（日结后的改动、删除、补录都查得出）", st["small"]),
        a4.p(f"核对时输入：{anchor}", st["small"]),
        a4.gap(2 * mm),
        a4.signature_block(["日结人（签字）", "站长（签字）"], font, WIDTH)]))
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}",
                    for_resident=False)  # stays in the station

"""一次性告知单 (A4 and thermal), 补正材料通知书 and 不予受理告知书 (A4)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.domain.catalog import MaterialForm
from app.domain.documents import Paper
from app.domain.forms import format_money
from app.printing import a4
from app.printing.common import moment, slip_bottom, slip_top
from app.printing.thermal import SMALL, Slip
from app.services.cases import OneTimeNotice
from app.services.paper import CorrectionNotice, Letterhead, RejectionNotice, Stamp

NOTICE_TITLE = "一次性告知单"
WIDTH = 210 * mm - a4.PORTRAIT_MARGINS[0] - a4.PORTRAIT_MARGINS[1]
LAW_32 = ("依据《中华人民共和国行政许可法》第三十二条，申请材料不齐全或者不符合法定形式的，"
          "一次告知申请人需要补正的全部内容。")


def _form(value: str) -> str:
    try:
        return MaterialForm(value).label_zh
    except ValueError:
        return value


def _limit(n: OneTimeNotice) -> str:
    text = "当场办结" if n.time_limit_days == 0 else f"{n.time_limit_days}个工作日"
    return text + (f"（{n.time_limit_note}）" if n.time_limit_note else "")


def _fee(n: OneTimeNotice) -> str:
    if not n.fee_fen:
        return n.fee_note or "不收费"
    return format_money(n.fee_fen) + (f"（{n.fee_note}）" if n.fee_note else "")


def render_notice(n: OneTimeNotice, head: Letterhead, stamp: Stamp, font: str, paper: Paper) -> bytes:
    phone = n.consultation_phone or head.phone
    if paper.thermal:
        slip = Slip(font=font, paper=paper, title=f"{NOTICE_TITLE} {stamp.number}")
        slip_top(slip, head, stamp, NOTICE_TITLE)
        slip.pair("登记编号", n.case_no)
        slip.pair("事项", f"{n.item_code} {n.item_name}")
        slip.pair("申请人", f"{n.applicant_name} {n.applicant_id_masked}")
        slip.rule()
        slip.text(f"还需补交的材料（{len(n.missing)}项）：", bold=True)
        for i, m in enumerate(n.missing, start=1):
            slip.item(i, f"{m.name}（{_form(m.form)}{m.copies}份）")
        slip.rule()
        slip.text(f"全部所需材料（{len(n.materials)}项）：")
        for i, m in enumerate(n.materials, start=1):
            mark = "√" if m.received else ("缺" if m.required else "可选")
            slip.item(i, f"[{mark}] {m.name}（{_form(m.form)}{m.copies}份）", size=SMALL)
        slip.rule()
        if n.conditions:
            slip.pair("办理条件", n.conditions, size=SMALL)
        slip.pair("办理时限", _limit(n), size=SMALL)
        slip.pair("收费", _fee(n), size=SMALL)
        if n.legal_basis:
            slip.pair("设定依据", n.legal_basis, size=SMALL)
        slip.pair("告知人", f"{n.staff_name}（工号 {n.staff_no}）", size=SMALL)
        slip_bottom(slip, head, stamp, phone=phone)
        return slip.pdf()
    st = a4.styles(font)
    facts = [["登记编号", n.case_no], ["申请人", f"{n.applicant_name}　证件号码 {n.applicant_id_masked}"],
             ["事项", f"{n.item_code} {n.item_name}"], ["办理部门", n.department],
             ["办理条件", n.conditions or "—"], ["办理程序", n.procedure or "—"], ["办理时限", _limit(n)],
             ["收费标准", _fee(n)], ["设定依据", n.legal_basis or "—"],
             ["咨询电话 / 监督电话", f"{phone} / {n.supervision_phone or head.supervision_phone}"]]
    materials = [["序号", "材料名称", "必需", "原件/复印件", "份数", "是否已交"]] + [
        [str(i), m.name, "必需" if m.required else "可选", _form(m.form), str(m.copies),
         "已交" if m.received else ("缺少" if m.required else "未交")] for i, m in enumerate(n.materials, start=1)]
    story: list[Flowable] = [
        *a4.letterhead(head, NOTICE_TITLE, font),
        a4.p(f"{n.applicant_name}：", st["body"]),
        a4.p(f"　　您申请办理的“{n.item_name}”，还需补交以下 {len(n.missing)} 项材料。{LAW_32}"
             "材料备齐后，请持本告知单到任一村便民服务站办理。", st["body"]),
        a4.gap(2 * mm),
        a4.grid([["序号", "还需补交的材料", "原件/复印件", "份数"]]
                + [[str(i), m.name, _form(m.form), str(m.copies)] for i, m in enumerate(n.missing, start=1)],
                [WIDTH * 0.1, WIDTH * 0.55, WIDTH * 0.22, WIDTH * 0.13], font),
        a4.p("办事指南", st["heading"]),
        a4.grid(facts, [WIDTH * 0.25, WIDTH * 0.75], font, header=False, label_column=True),
        a4.p("全部所需材料", st["heading"]),
        a4.grid(materials, [WIDTH * 0.08, WIDTH * 0.42, WIDTH * 0.1, WIDTH * 0.18, WIDTH * 0.08, WIDTH * 0.14], font),
        a4.gap(4 * mm),
        a4.p(f"告知人：{n.staff_name}（工号 {n.staff_no}）　　告知时间：{moment(n.issued_at)}", st["body"]),
        a4.gap(4 * mm),
        a4.signature_block(["申请人（签收）"], font, WIDTH),
    ]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{NOTICE_TITLE} {stamp.number}")


def _missing_list(c: CorrectionNotice, st: dict[str, Any], font: str) -> list[Flowable]:
    """The materials to bring, as a table; with none listed (the reason says what to correct) no empty table
    and no "以下 0 项"."""
    if not c.missing:
        return [a4.p("　　请按上述原因补正后再来办理。补正后重新计算办理时限。", st["body"])]
    return [
        a4.p(f"　　请补正以下 {len(c.missing)} 项材料。材料补齐后重新计算办理时限。", st["body"]),
        a4.gap(2 * mm),
        a4.grid([["序号", "需补正的材料", "原件/复印件", "份数"]]
                + [[str(i), m.name, m.form, str(m.copies)] for i, m in enumerate(c.missing, start=1)],
                [WIDTH * 0.1, WIDTH * 0.55, WIDTH * 0.22, WIDTH * 0.13], font),
    ]


def render_correction(c: CorrectionNotice, head: Letterhead, stamp: Stamp, font: str) -> bytes:
    title = "补正材料通知书"
    st = a4.styles(font)
    story: list[Flowable] = [
        *a4.letterhead(head, title, font),
        a4.p(f"{c.applicant.name}（证件号码 {c.applicant.id_masked}）：", st["body"]),
        a4.p(f"　　您于本站申请办理的“{c.item_code} {c.item_name}”（办件编号 {c.case_no}），经审查，"
             f"需要补正材料。原因：{c.reason}", st["body"]),
        *_missing_list(c, st, font),
        a4.gap(4 * mm),
        a4.p(f"经办人：{c.staff_name}" + (f"（工号 {c.staff_no}）" if c.staff_no else "")
             + f"　　联系电话：{c.consultation_phone or head.phone}", st["body"]),
        a4.p(f"通知时间：{moment(c.returned_at)}　　监督电话：{head.supervision_phone}", st["body"]),
        a4.gap(6 * mm),
        a4.signature_block(["申请人（签收）"], font, WIDTH),
    ]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}")


def render_rejection(r: RejectionNotice, head: Letterhead, stamp: Stamp, font: str) -> bytes:
    title = "不予受理告知书"
    st = a4.styles(font)
    story: list[Flowable] = [
        *a4.letterhead(head, title, font),
        a4.p(f"{r.applicant.name}（证件号码 {r.applicant.id_masked}）：", st["body"]),
        a4.p(f"　　您于{moment(r.received_at)}申请办理的“{r.item_code} {r.item_name}”（办件编号 {r.case_no}），"
             f"经审查，决定不予受理。", st["body"]),
        a4.p(f"　　理由：{r.reason}", st["body"]),
        a4.p("　　如对本决定不服，可以自收到本告知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。",
             st["body"]),
        a4.gap(4 * mm),
        a4.p(f"办理部门：{r.department}　　经办人：{r.staff_name}　　告知时间：{moment(r.decided_at)}", st["body"]),
        a4.p(f"咨询电话：{head.phone}　　监督电话：{head.supervision_phone}", st["body"]),
        a4.gap(6 * mm),
        a4.signature_block(["申请人（签收）"], font, WIDTH),
    ]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}")

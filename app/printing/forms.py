"""The application form (申请表) filled from the case, and the daily ledger (台账) in A4 landscape."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.domain.forms import format_money
from app.printing import a4
from app.printing.common import day_text, moment
from app.services.paper import ApplicationForm, DailyLedger, Letterhead, Stamp

WIDTH = 210 * mm - a4.PORTRAIT_MARGINS[0] - a4.PORTRAIT_MARGINS[1]
WIDE = landscape(A4)[0] - a4.LANDSCAPE_MARGINS[0] - a4.LANDSCAPE_MARGINS[1]
DECLARATION = ("本人承诺：以上所填信息及所交材料真实、完整、有效，如有虚假，愿意承担相应的法律责任。"
               "本人同意经办机关为办理本事项核实、使用上述个人信息。")


def render_form(f: ApplicationForm, head: Letterhead, stamp: Stamp, font: str) -> bytes:
    title = f"{f.item_name}申请表"
    st = a4.styles(font)
    applicant = [["姓名", f.applicant.name], ["证件号码", f.applicant.id_masked],
                 ["联系电话", f.applicant.phone_masked or ""]]
    applicant += [[row.label, row.value] for row in f.applicant_facts]
    applicant.append(["住址", f.applicant.address])
    story: list[Flowable] = [
        *a4.letterhead(head, title, font),
        a4.p(f"办件编号：{f.case_no}　　事项：{f.item_code}　　受理部门：{f.department}", st["small"]),
        a4.gap(2 * mm), a4.p("一、申请人", st["heading"]),
        a4.grid(applicant, [WIDTH * 0.25, WIDTH * 0.75], font, header=False, label_column=True),
    ]
    if f.proxy:
        story += [a4.p("二、代办人", st["heading"]),
                  a4.grid([["姓名", f.proxy.name], ["证件号码", f.proxy.id_masked],
                           ["与申请人关系", f.proxy.relation], ["联系电话", f.proxy.phone_masked]],
                          [WIDTH * 0.25, WIDTH * 0.75], font, header=False, label_column=True)]
    n = "三" if f.proxy else "二"
    story += [a4.p(f"{n}、申请事项", st["heading"])]
    if f.fields:
        story.append(a4.grid([[row.label, row.value] for row in f.fields], [WIDTH * 0.25, WIDTH * 0.75], font,
                             header=False, label_column=True))
    else:
        story.append(a4.p("（本事项无需另填内容）", st["small"]))
    story += [
        a4.p(f"{'四' if f.proxy else '三'}、所交材料", st["heading"]),
        a4.grid([["序号", "材料名称", "原件/复印件", "份数", "已交"]]
                + [[str(i), m.name, m.form, str(m.copies), "√" if m.received else ""]
                   for i, m in enumerate(f.materials, start=1)],
                [WIDTH * 0.09, WIDTH * 0.5, WIDTH * 0.2, WIDTH * 0.1, WIDTH * 0.11], font),
        a4.gap(3 * mm), a4.p(DECLARATION, st["body"]), a4.gap(4 * mm),
        a4.signature_block(["申请人（签字）"] + (["代办人（签字）"] if f.proxy else []), font, WIDTH),
        a4.gap(2 * mm),
        a4.p(f"收件时间：{moment(f.received_at)}　　收件人：{f.staff_name}", st["small"]),
    ]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}")


# Shares of the page width; a case number (QX01-20261123-0001) and a time (09:05) each fit on one line.
LEDGER_COLUMNS = (("序号", 0.045), ("办件编号", 0.155), ("时间", 0.055), ("申请人", 0.065), ("证件号码", 0.15),
                  ("所属村", 0.07), ("事项", 0.17), ("状态", 0.06), ("经办人", 0.065), ("承诺日期", 0.085),
                  ("收费", 0.08))


def render_ledger(d: DailyLedger, head: Letterhead, stamp: Stamp, font: str) -> bytes:
    title = f"办件台账（{day_text(d.day)}）"
    st = a4.styles(font)
    rows = [[name for name, _ in LEDGER_COLUMNS]] + [
        [str(i), r.case_no, r.time, r.applicant, r.id_masked, r.village, r.item, r.state, r.handler, r.due_date,
         r.fee] for i, r in enumerate(d.rows, start=1)]
    totals = "　".join(f"{label} {count} 件" for label, count in d.totals)
    story: list[Flowable] = [
        a4.p(head.station_name, st["station"]), a4.p(title, st["title"]),
        a4.grid(rows, [WIDE * w for _, w in LEDGER_COLUMNS], font),
        a4.gap(3 * mm),
        a4.p(f"合计：共 {len(d.rows)} 件" + (f"（{totals}）" if totals else "")
             + f"；当日收款 {format_money(d.fees_fen)}", st["body"]),
        a4.gap(6 * mm),
        a4.p("制表人：＿＿＿＿＿＿　　站长审核：＿＿＿＿＿＿", st["body"]),
    ]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{title} {stamp.number}", wide=True,
                    for_resident=False)  # the ledger stays in the station

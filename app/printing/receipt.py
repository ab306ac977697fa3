"""受理回执: on 80 / 58 mm thermal paper with the QR code of the case number, or on A4 with signature lines."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.domain.documents import Paper
from app.printing import a4
from app.printing.common import RATING_LINE, day_text, moment, slip_bottom, slip_top
from app.printing.thermal import SMALL, Slip
from app.services.paper import AcceptanceReceipt, Letterhead, Stamp

TITLE = "受理回执"


def _due(r: AcceptanceReceipt) -> str:
    if r.time_limit_days == 0:
        return "当场办结"
    due = f"{day_text(r.due_date)}前（{r.time_limit_days}个工作日）"
    if r.due_unconfirmed:  # counted through a year whose holiday arrangement is not installed: an estimate
        due += f"（预计，{'、'.join(map(str, r.due_unconfirmed))}年节假日安排未载入）"
    return due


def receipt_slip(r: AcceptanceReceipt, head: Letterhead, stamp: Stamp, font: str, paper: Paper) -> Slip:
    slip = Slip(font=font, paper=paper, title=f"{TITLE} {stamp.number}")
    slip_top(slip, head, stamp, TITLE)
    slip.pair("办件编号", r.case_no)
    slip.pair("事项", f"{r.item_code} {r.item_name}")
    slip.pair("办理方式", f"{r.mode}（{r.department}）")
    slip.pair("申请人", r.applicant.name)
    slip.pair("证件号码", r.applicant.id_masked)
    if r.applicant.phone_masked:
        slip.pair("联系电话", r.applicant.phone_masked)
    if r.proxy:
        slip.pair("代办人", f"{r.proxy.name}（{r.proxy.relation}）{r.proxy.id_masked}")
    slip.rule()
    slip.text(f"已收材料（{len(r.materials)}项）：")
    for n, m in enumerate(r.materials, start=1):
        slip.item(n, f"{m.name}（{m.form}{m.copies}份）")
    slip.rule()
    slip.pair("受理人", f"{r.staff_name}（工号 {r.staff_no}）" if r.staff_no else r.staff_name)
    slip.pair("受理时间", moment(r.accepted_at))
    slip.pair("承诺办结", _due(r))
    slip.gap(3)
    slip.qr(r.case_no)
    slip.text(f"扫码查询办件 {r.case_no}", size=SMALL, align="center")
    slip.text(RATING_LINE, size=SMALL)
    slip_bottom(slip, head, stamp, phone=r.consultation_phone)
    return slip


def render_receipt(r: AcceptanceReceipt, head: Letterhead, stamp: Stamp, font: str, paper: Paper) -> bytes:
    if paper.thermal:
        return receipt_slip(r, head, stamp, font, paper).pdf()
    st = a4.styles(font)
    width = 210 * mm - a4.PORTRAIT_MARGINS[0] - a4.PORTRAIT_MARGINS[1]
    people = [["办件编号", r.case_no], ["事项", f"{r.item_code} {r.item_name}"],
              ["办理部门 / 方式", f"{r.department} / {r.mode}"],
              ["申请人", f"{r.applicant.name}　证件号码 {r.applicant.id_masked}"
                        + (f"　电话 {r.applicant.phone_masked}" if r.applicant.phone_masked else "")]]
    if r.proxy:
        people.append(["代办人", f"{r.proxy.name}（{r.proxy.relation}）证件号码 {r.proxy.id_masked}"
                                 + (f"　电话 {r.proxy.phone_masked}" if r.proxy.phone_masked else "")])
    people += [["受理人", f"{r.staff_name}（工号 {r.staff_no}）" if r.staff_no else r.staff_name],
               ["受理时间", moment(r.accepted_at)], ["承诺办结", _due(r)],
               ["咨询电话 / 监督电话", f"{r.consultation_phone or head.phone} / {head.supervision_phone}"]]
    story: list[Flowable] = [*a4.letterhead(head, TITLE, font), a4.QrFlowable(r.case_no, 24 * mm, font), a4.gap(2 * mm),
                             a4.grid(people, [width * 0.25, width * 0.75], font, header=False, label_column=True),
                             a4.gap(), a4.p(f"已收材料（{len(r.materials)}项）", st["heading"]),
                             a4.grid([["序号", "材料名称", "原件/复印件", "份数"]]
                                     + [[str(n), m.name, m.form, str(m.copies)]
                                        for n, m in enumerate(r.materials, start=1)],
                                     [width * 0.1, width * 0.55, width * 0.22, width * 0.13], font),
                             a4.gap(), a4.p(RATING_LINE, st["body"]), a4.gap(6 * mm),
                             a4.signature_block(["申请人（签字）", "受理人（签字）"], font, width)]
    return a4.build(story, head=head, stamp=stamp, font=font, title=f"{TITLE} {stamp.number}")

"""Case commands: accept (or give the one-time notice), consult, forward, return, resubmit, complete, list, show."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.cases import CaseState, Outcome
from app.domain.errors import DomainError
from app.domain.forms import format_money
from app.services import cases as svc
from app.services.attachments import add_attachment

if TYPE_CHECKING:
    from app.cli.main import Env


def register(sub: Any) -> None:
    case = sub.add_parser("case", help="办件 / cases").add_subparsers(dest="case_cmd", required=True)
    p = case.add_parser("accept", help="受理办件；缺少必需材料时改为登记咨询并给出一次性告知")
    _applicant_item(p)
    p.add_argument("--material", action="append", default=[], help="已收材料代码，可多次，如 --material M01")
    p.add_argument("--all-materials", action="store_true", help="清单上的材料全部收齐")
    p.add_argument("--field", action="append", default=[], help="表单项 key=值，可多次")
    p.add_argument("--proxy-name", default="")
    p.add_argument("--proxy-id", default="")
    p.add_argument("--proxy-relation", default="")
    p.add_argument("--proxy-phone", default="")
    p.add_argument("--consultation", help="把之前登记的咨询转为受理（办件编号）")
    p.add_argument("--first-staff", help="首问负责人的账号编号（默认：本人）")
    p.set_defaults(handler=cmd_accept)
    p = case.add_parser("consult", help="登记咨询并打印一次性告知内容")
    _applicant_item(p)
    p.set_defaults(handler=cmd_consult)
    for name, help_text in (("forward", "转报镇或部门"), ("complete", "办结"), ("return", "退回补正"),
                            ("resubmit", "补正材料已交齐"), ("reject", "不予受理"), ("withdraw", "申请人撤回")):
        p = case.add_parser(name, help=help_text)
        p.add_argument("case", help="办件编号")
        if name == "forward":
            p.add_argument("--to", default="镇便民服务中心")
        if name in ("return", "reject", "withdraw"):
            p.add_argument("--reason", required=True)
        if name in ("return", "resubmit"):
            p.add_argument("--material", action="append", default=[])
        if name == "complete":
            p.add_argument("--outcome", choices=[o.value for o in Outcome], default=Outcome.GRANTED.value)
        p.add_argument("--note", default="")
        p.set_defaults(handler=cmd_transition, action=name)
    p = case.add_parser("list", help="列出本站办件")
    p.add_argument("--state", action="append", choices=[s.value for s in CaseState], default=[])
    p.add_argument("--overdue", action="store_true", help="只看已超期的")
    p.add_argument("--day", type=date.fromisoformat, help="某一天受理的，如 2026-11-23")
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(handler=cmd_list)
    p = case.add_parser("show", help="查看办件详情和全过程")
    p.add_argument("case")
    p.set_defaults(handler=cmd_show)
    p = case.add_parser("attach", help="给办件附上扫描件")
    p.add_argument("case")
    p.add_argument("file")
    p.add_argument("--material", default="")
    p.set_defaults(handler=cmd_attach)


def _applicant_item(p: Any) -> None:
    p.add_argument("--resident", required=True, help="居民编号（residents find 查到的编号）")
    p.add_argument("--item", required=True, help="事项代码，如 S07、N01")


def _fields(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise DomainError("cli.bad_field", field=pair)
        out[key.strip()] = value
    return out


def _print_notice(env: Env, notice: svc.OneTimeNotice) -> None:
    o = env.out
    o.line(o.t("一次性告知", "One-time notification"))
    o.line(f"  事项：{notice.item_code} {notice.item_name}（{notice.department}）")
    o.line(f"  申请人：{notice.applicant_name} {notice.applicant_id_masked}")
    if notice.legal_basis:
        o.line(f"  依据：{notice.legal_basis}")
    limit = "当场办结" if notice.time_limit_days == 0 else f"{notice.time_limit_days}个工作日"
    o.line(f"  时限：{limit}    收费：{format_money(notice.fee_fen) if notice.fee_fen else '不收费'}")
    o.line("  所需材料：")
    for m in notice.materials:
        mark = "✗ 缺" if (m.required and not m.received) else ("✓" if m.received else " ")
        o.line(f"   {mark} {m.name}（{'必需' if m.required else '可选'}，{m.copies}份）")
    o.line(f"  咨询电话：{notice.consultation_phone}    监督电话：{notice.supervision_phone}")
    o.line(f"  告知人：{notice.staff_name}（工号 {notice.staff_no}）  {notice.issued_at}  编号 {notice.case_no}")


def cmd_accept(env: Env) -> int:
    actor = env.actor()
    a = env.args
    item = env.ctx.catalog.item(a.item.strip().upper())
    received = [m.code for m in item.materials] if a.all_materials else a.material
    proxy = None
    if a.proxy_name or a.proxy_id:
        proxy = svc.ProxyInput(name=a.proxy_name, id_number=a.proxy_id, relation=a.proxy_relation,
                               phone=a.proxy_phone)
    result = svc.accept_case(env.ctx, actor=actor, applicant_id=a.resident, item_code=item.code,
                             received_materials=received, form=_fields(a.field), proxy=proxy,
                             first_staff_id=a.first_staff, consultation_id=a.consultation)
    env.out.data(result)
    c = result.case
    if result.accepted:
        env.out.line(env.out.t(f"已受理：{c.case_no} {c.item_name}，承诺办结日期 {c.due_date}",
                               f"Accepted {c.case_no}, due {c.due_date}"))
        return 0
    env.out.line(env.out.t(f"缺少必需材料，未受理；已登记为咨询 {c.case_no}。", f"Materials missing: {c.case_no}"))
    if result.notice:
        _print_notice(env, result.notice)
    return 3


def cmd_consult(env: Env) -> int:
    actor = env.actor()
    result = svc.record_consultation(env.ctx, actor=actor, applicant_id=env.args.resident,
                                     item_code=env.args.item.strip().upper())
    env.out.data(result)
    if result.notice:
        _print_notice(env, result.notice)
    return 0


def cmd_transition(env: Env) -> int:
    actor = env.actor()
    a = env.args
    ctx = env.ctx
    if a.action == "forward":
        view = svc.forward_case(ctx, actor=actor, case_id=a.case, to=a.to, note=a.note)
    elif a.action == "complete":
        view = svc.complete_case(ctx, actor=actor, case_id=a.case, outcome=Outcome(a.outcome), note=a.note)
    elif a.action == "return":
        view = svc.return_case(ctx, actor=actor, case_id=a.case, reason=a.reason, materials=a.material)
    elif a.action == "resubmit":
        view = svc.resubmit_case(ctx, actor=actor, case_id=a.case, received_materials=a.material, note=a.note)
    elif a.action == "reject":
        view = svc.reject_case(ctx, actor=actor, case_id=a.case, reason=a.reason)
    else:
        view = svc.withdraw_case(ctx, actor=actor, case_id=a.case, reason=a.reason)
    env.out.data(view)
    env.out.line(env.out.t(f"{view.case_no}：{view.state.label_zh}", f"{view.case_no}: {view.state.label_en}"))
    return 0


def cmd_list(env: Env) -> int:
    env.actor()  # cases name residents: only a logged-in staff member may read them
    a = env.args
    rows = svc.list_cases(env.ctx, states=[CaseState(s) for s in a.state], day=a.day, overdue=a.overdue,
                          limit=a.limit)
    env.out.data(rows)
    env.out.table(["办件编号", "事项", "申请人", "状态", "受理时间", "承诺期限", "超期"],
                  [[c.case_no, c.item_name, c.applicant_name, c.state.label_zh, c.received_at, c.due_date or "",
                    "超期" if c.overdue else ""] for c in rows])
    env.out.line(env.out.t(f"共 {len(rows)} 件", f"{len(rows)} cases"))
    return 0


def cmd_show(env: Env) -> int:
    env.actor()
    c = svc.get_case(env.ctx, case_id=env.args.case)
    env.out.data(c)
    o = env.out
    o.line(f"{c.case_no}  {c.item_code} {c.item_name}  [{c.state.label_zh}]{'  已超期' if c.overdue else ''}")
    o.line(f"申请人：{c.applicant.name} {c.applicant.id_masked} {c.applicant.phone_masked}")
    if c.proxy:
        o.line(f"代办人：{c.proxy.name} {c.proxy.id_masked}（{c.proxy.relation}）")
    o.line(f"首问负责：{c.first_staff}    经办：{c.handler}")
    o.line(f"收件：{c.received_at}    受理：{c.accepted_at or '-'}    承诺期限：{c.due_date or '-'}"
           f"    办结：{c.closed_at or '-'}")
    if c.reason:
        o.line(f"原因：{c.reason}")
    if c.materials:
        o.table(["材料", "必需", "份数", "已收"], [[m.name, m.required, m.copies, m.received] for m in c.materials])
    for _key, label, value in c.form:
        o.line(f"{label}：{format_money(value) if isinstance(value, int) and 'amount' in _key else value}")
    for att in c.attachments:
        o.line(f"附件：{att.file_name}（{att.size} 字节）")
    o.table(["时间", "操作", "状态", "经办人", "说明"],
            [[e.at, e.action, e.to_state.label_zh, e.staff_name, e.note] for e in c.events])
    return 0


def cmd_attach(env: Env) -> int:
    actor = env.actor()
    att = add_attachment(env.ctx, actor=actor, case_id=env.args.case, path=Path(env.args.file).expanduser(),
                         material_code=env.args.material)
    env.out.data({"attachment": att})
    env.out.line(env.out.t("附件已保存。", "Attachment stored."))
    return 0

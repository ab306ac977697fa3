"""Money commands: the cash drawer (``cash open|move|in|out|close|status|tolerance``), taking a payment (``pay``),
what happens to it afterwards (``payment remit|match|fail|show|list``), ``void`` and ``refund`` with the
station head's approval, the daily close (``close-day``) and its report (``report day``)."""

from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING, Any

from app.cli.auth import read_secret
from app.cli.cmd_print import deliver, write_file
from app.domain.errors import DomainError
from app.domain.forms import format_money, parse_money
from app.domain.money import denomination_label, parse_count
from app.domain.staff import Actor, Permission
from app.messages import describe
from app.services import cash, closing
from app.services import payments as pay_svc
from app.services.staff import authenticate

if TYPE_CHECKING:
    from app.cli.main import Env

APPROVER_PASSWORD_ENV = "STATIONDESK_APPROVER_PASSWORD"


def _out_options(p: Any) -> None:
    p.add_argument("--out", help="同时写到这个 PDF 文件")
    p.add_argument("--printer", help="同时送到这台打印机")


def _approver_option(p: Any) -> None:
    p.add_argument("--approver", help="审批的站长账号（密码取自 STATIONDESK_APPROVER_PASSWORD 或提示输入）；"
                                      "本人是站长时可不填")


def register(sub: Any) -> None:
    c = sub.add_parser("cash", help="钱箱：开箱、进出、清点结账 / the cash drawer").add_subparsers(
        dest="cash_cmd", required=True)
    p = c.add_parser("open", help="清点备用金，打开钱箱")
    p.add_argument("--float", dest="float_", required=True, help="备用金（元），如 200")
    p.set_defaults(handler=cmd_cash_open)
    p = c.add_parser("move", help="钱箱进出：--in 金额 放入，--out 金额 取出，写明原因")
    way = p.add_mutually_exclusive_group(required=True)
    way.add_argument("--in", dest="amount_in", help="放入钱箱的金额（元），如 找零备用金补充")
    way.add_argument("--out", dest="amount_out", help="从钱箱取出的金额（元），如 上缴镇财政所")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_cash_move)
    for name, sign, words in (("in", 1, "同 move --in：放入钱箱"), ("out", -1, "同 move --out：从钱箱取出")):
        p = c.add_parser(name, help=words)
        p.add_argument("amount", help="金额（元）")
        p.add_argument("--reason", required=True)
        p.set_defaults(handler=cmd_cash_move, sign=sign)
    p = c.add_parser("close", help="按面额清点并结账：--count 100=3,50=2,0.5=4")
    p.add_argument("--count", required=True, help="面额=张数，逗号分开；面额：100 50 20 10 5 1 0.5 0.1")
    p.add_argument("--note", default="", help="差额的说明（超过允许差额时必填）")
    _approver_option(p)
    p.set_defaults(handler=cmd_cash_close)
    c.add_parser("status", help="钱箱现在应有多少、进出明细").set_defaults(handler=cmd_cash_status)
    p = c.add_parser("tolerance", help="设置结账允许的差额（站长），如 1.00")
    p.add_argument("amount")
    p.set_defaults(handler=cmd_cash_tolerance)

    p = sub.add_parser("pay", help="为办件收款（现金找零，或扫码/刷卡记交易号） / take a payment")
    p.add_argument("case", help="办件编号")
    p.add_argument("--method", default="现金", help="现金、微信、支付宝、银行卡")
    p.add_argument("--tendered", help="现金：群众交来多少（元），算找零")
    p.add_argument("--ref", default="", help="扫码或刷卡：交易单号")
    p.add_argument("--amount", help="按固定收费的事项可改金额（元），如首次申领免费填 0")
    p.add_argument("--receipt", action="store_true", help="同时出收款收据（配合 --out / --printer）")
    _out_options(p)
    p.set_defaults(handler=cmd_pay)

    pm = sub.add_parser("payment", help="收款的后续：代缴、对账、失败、查询 / after a payment").add_subparsers(
        dest="payment_cmd", required=True)
    for name, event, words in (("remit", "remitted", "已代缴给收款单位"),
                               ("match", "matched", "收款单位已确认（对账）"),
                               ("fail", "failed", "代缴失败（写明原因，之后可退款）")):
        p = pm.add_parser(name, help=words)
        p.add_argument("payment", help="收据编号、办件编号、交易号或收款编号")
        p.add_argument("--reason", default="")
        p.add_argument("--confirm", default="", help="收款单位的确认号")
        p.set_defaults(handler=cmd_payment_event, event=event)
    p = pm.add_parser("record", help="同 pay：为办件收款")
    p.add_argument("case")
    p.add_argument("--method", default="现金")
    p.add_argument("--tendered")
    p.add_argument("--ref", default="")
    p.add_argument("--amount")
    p.add_argument("--receipt", action="store_true")
    _out_options(p)
    p.set_defaults(handler=cmd_pay)
    p = pm.add_parser("show", help="一笔收款和它的处理记录")
    p.add_argument("payment")
    p.set_defaults(handler=cmd_payment_show)
    p = pm.add_parser("list", help="某天的收款")
    p.add_argument("--day", help="日期，默认今天")
    p.set_defaults(handler=cmd_payment_list)

    for name, event, words in (("void", "voided", "作废一笔收款（原路退回，收据号保留并标作废；站长审批）"),
                               ("refund", "refunded", "退款（代缴失败或确认后退回；站长审批）")):
        p = sub.add_parser(name, help=words)
        p.add_argument("payment", help="收据编号、办件编号、交易号或收款编号")
        p.add_argument("--reason", required=True)
        _approver_option(p)
        p.set_defaults(handler=cmd_payment_event, event=event, confirm="")

    p = sub.add_parser("close-day", help="日结：钱箱结账后，统计当天并封账 / close the day")
    p.add_argument("day", nargs="?", help="日期，默认今天")
    _out_options(p)
    p.set_defaults(handler=cmd_close_day)
    rep = sub.add_parser("report", help="报表 / reports").add_subparsers(dest="report_cmd", required=True)
    p = rep.add_parser("day", help="某天的日结报表（未日结的为预览）")
    p.add_argument("day", nargs="?", help="日期，默认今天")
    _out_options(p)
    p.set_defaults(handler=cmd_report_day)
    p = rep.add_parser("closes", help="已日结的日子（镇里看各站）")
    p.add_argument("--station", help="站点编号")
    p.set_defaults(handler=cmd_report_closes)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as e:
        raise DomainError("print.bad_day", text=text) from e


def _approver(env: Env, actor: Actor) -> Actor | None:
    """The station head approving: named with --approver, or the actor when they are the head."""
    name = getattr(env.args, "approver", None)
    if not name:
        return actor if actor.can(Permission.MONEY_APPROVE) else None
    if name == actor.username:
        return actor
    password = os.environ.get(APPROVER_PASSWORD_ENV) or read_secret(f"{name} 的密码 / password: ",
                                                                      APPROVER_PASSWORD_ENV)
    return authenticate(env.ctx, username=name, password=password)


# -- the drawer ------------------------------------------------------------------------------------------------


def _drawer(env: Env, d: cash.DrawerView) -> None:
    o = env.out
    o.data(d)
    state = o.t("开着", "open") if d.state == "open" else o.t("已结账", "closed")
    o.line(o.t(f"钱箱（{d.business_day}，{state}）：备用金 {format_money(d.float_fen)}，"
               f"应有 {format_money(d.expected_fen)}",
               f"Drawer ({d.business_day}, {state}): float {format_money(d.float_fen)}, "
               f"expected {format_money(d.expected_fen)}"))
    if d.counted_fen is not None and d.difference_fen is not None:
        o.line(o.t(f"实点 {format_money(d.counted_fen)}，差额 {format_money(d.difference_fen)}"
                   + (f"（站长 {d.approved_by} 审批：{d.note}）" if d.approved_by else ""),
                   f"Counted {format_money(d.counted_fen)}, difference {format_money(d.difference_fen)}"))


def cmd_cash_open(env: Env) -> int:
    actor = env.actor()
    _drawer(env, cash.open_drawer(env.ctx, actor=actor, float_fen=parse_money(env.args.float_)))
    return 0


def cmd_cash_move(env: Env) -> int:
    actor = env.actor()
    a = env.args
    if getattr(a, "sign", None) is not None:  # cash in / cash out
        amount = parse_money(a.amount) * a.sign
    else:
        amount = parse_money(a.amount_in) if a.amount_in is not None else -parse_money(a.amount_out)
    _drawer(env, cash.move_cash(env.ctx, actor=actor, amount_fen=amount, reason=env.args.reason))
    return 0


def cmd_cash_close(env: Env) -> int:
    actor = env.actor()
    counts = parse_count(env.args.count)
    d = cash.close_drawer(env.ctx, actor=actor, count=counts, note=env.args.note, approver=_approver(env, actor))
    env.out.table([env.out.t("面额", "value"), env.out.t("张数", "pieces")],
                  [[denomination_label(fen), n] for fen, n in d.count])
    _drawer(env, d)
    return 0


def cmd_cash_status(env: Env) -> int:
    env.actor()
    d = cash.current_drawer(env.ctx)
    if d is None:
        env.out.data(None)
        env.out.line(env.out.t("钱箱没有打开。", "The drawer is not open."))
        return 0
    env.out.table([env.out.t("时间", "time"), env.out.t("类别", "kind"), env.out.t("金额", "amount"),
                   env.out.t("事由", "reason"), env.out.t("经办", "by")],
                  [[m.at[11:16], m.kind, format_money(m.amount_fen), m.reason, m.staff_name] for m in d.moves])
    _drawer(env, d)
    return 0


def cmd_cash_tolerance(env: Env) -> int:
    actor = env.actor()
    fen = cash.set_tolerance(env.ctx, actor=actor, amount=env.args.amount)
    env.out.data({"tolerance_fen": fen})
    env.out.line(env.out.t(f"结账允许差额：{format_money(fen)}", f"Drawer tolerance: {format_money(fen)}"))
    return 0


# -- payments --------------------------------------------------------------------------------------------------


def _payment_line(env: Env, p: pay_svc.PaymentView) -> None:
    o = env.out
    o.data(p)
    how = p.method.label_zh + (f"（交易号 {p.txn_ref}）" if p.txn_ref else "")
    if p.tendered_fen is not None:
        how += f"（实收 {format_money(p.tendered_fen)}，找零 {format_money(p.change_fen)}）"
    o.line(o.t(f"{p.case_no} {format_money(p.total_fen)}（{p.total_words}），{how}，{p.state.label_zh}"
               + ("，日结后收款，记入 " + str(p.business_day) if p.late else ""),
               f"{p.case_no} {format_money(p.total_fen)}, {p.method.label_en}, {p.state.label_en}"))
    for e in p.events:
        o.line(f"  {e.at[:16].replace('T', ' ')} {e.kind} {e.reason} {e.approver_name}".rstrip())


def cmd_pay(env: Env) -> int:
    actor = env.actor()
    a = env.args
    p = pay_svc.record_payment(env.ctx, actor=actor, case_id=a.case, method=a.method,
                               amount_fen=parse_money(a.amount) if a.amount is not None else None,
                               tendered_fen=parse_money(a.tendered) if a.tendered else None, reference=a.ref)
    _payment_line(env, p)
    if a.receipt or a.out or a.printer:
        from app.printing.documents import issue

        deliver(env, issue(env.ctx, actor=actor, kind="payment", subject=p.case_no), out=a.out, printer=a.printer)
    return 0


def cmd_payment_event(env: Env) -> int:
    actor = env.actor()
    a = env.args
    found = pay_svc.find_payment(env.ctx, ref=a.payment)
    approver = _approver(env, actor) if a.event in ("voided", "refunded") else None
    p = pay_svc.payment_event(env.ctx, actor=actor, payment_id=found.id, event=a.event, reason=a.reason,
                              reference=a.confirm, approver=approver)
    _payment_line(env, p)
    return 0


def cmd_payment_show(env: Env) -> int:
    env.actor()
    _payment_line(env, pay_svc.find_payment(env.ctx, ref=env.args.payment))
    return 0


def cmd_payment_list(env: Env) -> int:
    env.actor()
    day = _day(env.args.day) or env.ctx.now().date()
    rows = pay_svc.payments_of_day(env.ctx, day=day)
    o = env.out
    o.data(rows)
    o.table([o.t("时间", "time"), o.t("办件", "case"), o.t("金额", "amount"), o.t("方式", "method"),
             o.t("状态", "state")],
            [[p.paid_at[11:16], p.case_no, format_money(p.total_fen), p.method.label_zh,
              p.state.label_zh + ("（日结后）" if p.late else "")] for p in rows])
    return 0


# -- the daily close -------------------------------------------------------------------------------------------


def _sheet(env: Env, sheet: Any, *, closed: bool) -> None:
    o = env.out
    figures = closing.summary_lines(sheet)
    o.data({"day": sheet.day.isoformat(), "closed": closed, **figures, "net_fen": sheet.net_fen,
            "chain_seq": sheet.chain_seq})
    o.line(o.t(f"{sheet.day} {'已日结' if closed else '（预览，未日结）'}：办件 {figures['cases']} 件，"
               f"收款 {figures['payments']} 笔 {format_money(sheet.payments_total_fen)}，"
               f"作废/退款 {figures['voids']} 笔，净额 {format_money(sheet.net_fen)}，"
               f"钱箱差额 {format_money(figures['drawer_difference_fen'])}，日结后补记 {figures['late']} 项，"
               f"补打 {figures['reprints']} 份",
               f"{sheet.day}{'' if closed else ' (preview)'}: {figures['cases']} cases, {figures['payments']} payments "
               f"{format_money(sheet.payments_total_fen)}, net {format_money(sheet.net_fen)}"))


def cmd_close_day(env: Env) -> int:
    actor = env.actor()
    done = closing.close_day(env.ctx, actor=actor, day=_day(env.args.day))
    _sheet(env, done.sheet, closed=True)
    if done.backup_warning is not None:  # the close stands (exit code 0); the backup must be made by hand
        env.out.error(describe(done.backup_warning, env.out.lang))
    if env.args.out or env.args.printer:
        from app.printing.documents import issue

        deliver(env, issue(env.ctx, actor=actor, kind="day-close", subject=done.day.isoformat()),
                out=env.args.out, printer=env.args.printer)
    return 0


def cmd_report_day(env: Env) -> int:
    actor = env.actor()
    day = _day(env.args.day) or env.ctx.now().date()
    sheet = closing.preview_day(env.ctx, day=day)
    closed = closing.is_closed(env.ctx, day=day)
    _sheet(env, sheet, closed=closed)
    if env.args.out or env.args.printer:
        from app.printing.documents import issue, preview

        if closed:  # the closed day's numbered report; a second time it is a 补打 copy under the same number
            try:
                done = issue(env.ctx, actor=actor, kind="day-close", subject=day.isoformat())
            except DomainError as e:
                if e.code != "document.already_issued":
                    raise
                done = issue(env.ctx, actor=actor, kind="day-close", subject=day.isoformat(), reprint=True)
            deliver(env, done, out=env.args.out, printer=env.args.printer)
        else:
            if env.args.printer or not env.args.out:
                raise DomainError("close.preview_not_printed", day=day.isoformat())
            write_file(env.args.out, preview(env.ctx, actor=actor, kind="day-close", subject=day.isoformat()))
            env.out.line(env.out.t(f"预览（样张，未日结）已写入 {env.args.out}",
                                   f"Preview (not closed) written to {env.args.out}"))
    return 0


def cmd_report_closes(env: Env) -> int:
    env.actor()
    rows = closing.closes(env.ctx, station_code=env.args.station)
    o = env.out
    o.data([{"day": c.day.isoformat(), "closed_at": c.closed_at, "closed_by": c.closed_by,
             "net_fen": c.sheet.net_fen} for c in rows])
    o.table([o.t("日期", "day"), o.t("日结时间", "closed at"), o.t("日结人", "by"), o.t("净额", "net")],
            [[c.day.isoformat(), c.closed_at[:16].replace("T", " "), c.closed_by, format_money(c.sheet.net_fen)]
             for c in rows])
    return 0

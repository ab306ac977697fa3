"""Printed documents from the CLI: print (or reprint) to a PDF file or a printer, the register, voids,
payments and the station's print settings."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.documents import DocumentKind, parse_kind
from app.domain.errors import DomainError
from app.printing.documents import issue, print_issued
from app.services import documents as doc_svc
from app.services import print_settings as settings_svc
from app.services.documents import IssuedDocument

if TYPE_CHECKING:
    from app.cli.main import Env

KINDS = [k.value for k in DocumentKind]


def register(sub: Any) -> None:
    p = sub.add_parser("print", help="打印单据到 PDF 文件或打印机 / print a document",
                       description="KIND：receipt 受理回执、notice 一次性告知单、correction 补正通知、"
                                   "rejection 不予受理告知、payment 收款收据、form 申请表、ledger 台账；"
                                   "points-award 积分奖励通知、redemption 积分兑换单由积分功能开具，"
                                   "这里按单据编号补打。"
                                   "NUMBER：办件编号（台账用日期 2026-11-23），或单据编号（补打）。")
    p.add_argument("kind", metavar="KIND", help="、".join(KINDS))
    p.add_argument("number", metavar="NUMBER", help="办件编号、日期（台账）或单据编号")
    p.add_argument("--out", help="写到这个 PDF 文件")
    p.add_argument("--printer", help="送到这台打印机（Linux：CUPS 打印机名）")
    p.add_argument("--reprint", action="store_true", help="补打：同一编号，标明“补打”和补打时间")
    p.add_argument("--paper", help="纸张：80mm、58mm 或 a4（默认按单据种类和打印设置）")
    p.set_defaults(handler=cmd_print)

    docs = sub.add_parser("documents", help="已打印的单据 / printed documents").add_subparsers(dest="doc_cmd",
                                                                                        required=True)
    p = docs.add_parser("list", help="列出本站单据（--unprinted：待打印列表）")
    p.add_argument("--kind", action="append", default=[], help="只看这种单据，可多次")
    p.add_argument("--day", type=date.fromisoformat, help="某一天打印的，如 2026-11-23")
    p.add_argument("--case", help="某个办件的单据")
    p.add_argument("--unprinted", action="store_true", help="已开具但还没有打印成功的（待补打）")
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(handler=cmd_list)
    p = docs.add_parser("void", help="作废一张单据（保留记录，编号不再使用）")
    p.add_argument("number")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_void)

    st = sub.add_parser("print-settings", help="单据模板：站名、抬头、页脚、电话、字体、打印机").add_subparsers(
        dest="ps_cmd", required=True)
    st.add_parser("show", help="查看").set_defaults(handler=cmd_settings_show)
    p = st.add_parser("set", help="修改一项（站长）；值为空则恢复默认",
                      description="KEY：" + "、".join(f"{k}（{v[1]}）" for k, v in settings_svc.SETTINGS.items()))
    p.add_argument("key", metavar="KEY")
    p.add_argument("value", metavar="VALUE")
    p.set_defaults(handler=cmd_settings_set)


def cmd_print(env: Env) -> int:
    a = env.args
    if not a.out and not a.printer:
        raise DomainError("print.no_target")
    actor = env.actor()
    done = issue(env.ctx, actor=actor, kind=parse_kind(a.kind), subject=a.number, paper=a.paper, reprint=a.reprint)
    return deliver(env, done, out=a.out, printer=a.printer)


def write_file(out: str, pdf: bytes) -> Path:
    """A PDF written where asked; a folder that cannot be written says so plainly."""
    path = Path(out).expanduser()
    try:
        path.write_bytes(pdf)
    except OSError as e:
        raise DomainError("print.cannot_write", path=str(path), reason=e.strerror or str(e)) from e
    return path


def deliver(env: Env, done: IssuedDocument, *, out: str | None, printer: str | None) -> int:
    """Write an issued document to a PDF file and/or send it to a printer, saying what happened."""
    o = env.out
    what = f"{done.kind.label_zh} {done.number}" + ("（补打）" if done.reprint else "")
    if out:
        path = write_file(out, done.pdf)
        o.line(o.t(f"{what} 已写入 {path}", f"{done.number} written to {path}"))
    result: dict[str, Any] = {"number": done.number, "kind": done.kind.value, "paper": done.paper.value,
                              "reprint": done.reprint, "out": out or None, "printer": None}
    if printer:
        try:
            result["printer"] = print_issued(env.ctx, done, printer=printer)
        except DomainError:
            o.data(result)
            raise
        o.line(o.t(f"{what} 已送打印机 {printer}", f"{done.number} sent to {printer}"))
    o.data(result)
    return 0


def cmd_list(env: Env) -> int:
    env.actor()
    a = env.args
    rows = doc_svc.list_documents(env.ctx, kinds=tuple(parse_kind(k) for k in a.kind), day=a.day,
                                  unprinted=a.unprinted, case=a.case, limit=a.limit)
    env.out.data(rows)
    env.out.table(["单据编号", "种类", "纸张", "状态", "办件编号", "开具时间", "开具人", "补打", "已打印"],
                  [[d.number, d.kind.label_zh, d.paper.value, "已作废" if d.state == "voided" else "有效", d.case_no,
                    d.issued_at, d.issued_by, d.reprints or "", "是" if d.printed_at else "否"] for d in rows])
    env.out.line(env.out.t(f"共 {len(rows)} 张", f"{len(rows)} documents"))
    return 0


def cmd_void(env: Env) -> int:
    actor = env.actor()
    d = doc_svc.void_document(env.ctx, actor=actor, number=env.args.number, reason=env.args.reason)
    env.out.data(d)
    env.out.line(env.out.t(f"{d.kind.label_zh} {d.number} 已作废：{d.void_reason}", f"{d.number} voided"))
    return 0


def _show(env: Env, t: settings_svc.PrintTemplate) -> None:
    env.out.data(t)
    rows = [["station_name", t.station_name], ["header", " | ".join(t.header_lines)], ["footer", t.footer],
            ["phone", t.phone], ["supervision_phone", t.supervision_phone], ["font", t.font],
            ["receipt_paper", t.receipt_paper], ["receipt_printer", t.receipt_printer],
            ["a4_printer", t.a4_printer], ["silent_receipts", "yes" if t.silent_receipts else "no"]]
    env.out.table(["设置", "说明", "值"], [[k, settings_svc.SETTINGS[k][1], v] for k, v in rows])


def cmd_settings_show(env: Env) -> int:
    env.actor()
    _show(env, settings_svc.print_template(env.ctx))
    return 0


def cmd_settings_set(env: Env) -> int:
    actor = env.actor()
    _show(env, settings_svc.set_print_setting(env.ctx, actor=actor, key=env.args.key, value=env.args.value))
    return 0

"""Village points commands: rules, declare, review, public notice, settle, goods and stock, redeem, reverse,
statement, board, summary, corrections and the overspending queue."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.cmd_print import deliver
from app.domain.errors import DomainError, NotFound
from app.domain.points import DeclarationState
from app.printing.documents import issue_points_slip
from app.services import points as svc

if TYPE_CHECKING:
    from app.cli.main import Env


def _out_options(p: Any) -> None:
    p.add_argument("--out", help="同时写到这个 PDF 文件")
    p.add_argument("--printer", help="同时送到这台打印机")
    p.add_argument("--paper", help="纸张：80mm、58mm 或 a4")


def register(sub: Any) -> None:
    pts = sub.add_parser("points", help="村级积分制：申报、评议、公示、积分超市 / village points").add_subparsers(
        dest="points_cmd", required=True)
    rules = pts.add_parser("rules", help="积分规则").add_subparsers(dest="rules_cmd", required=True)
    rules.add_parser("show", help="现行规则和指标清单").set_defaults(handler=cmd_rules_show)
    p = rules.add_parser("publish", help="发布规则文件（镇规则：镇管理员；本村指标：站长）")
    p.add_argument("file")
    p.set_defaults(handler=cmd_rules_publish)

    p = pts.add_parser("account", help="查居民所在户（人）的积分账户")
    p.add_argument("resident", help="居民编号（residents find 查到的编号）")
    p.set_defaults(handler=cmd_account)
    p = pts.add_parser("declare", help="登记积分申报（等待评议）")
    p.add_argument("--resident", required=True, help="做好事的居民编号")
    p.add_argument("--indicator", required=True, help="指标编号，如 T04（points rules show 查看）")
    p.add_argument("--hours", help="志愿服务小时数，如 2 或 1.5")
    p.add_argument("--on", type=date.fromisoformat, help="事情发生的日期（默认今天），如 2026-11-20")
    p.add_argument("--by", default="本人", help="申报人：本人、组长某某……")
    p.add_argument("--note", default="", help="情况说明")
    p.add_argument("--evidence", help="证明照片或扫描件")
    p.set_defaults(handler=cmd_declare)
    p = pts.add_parser("pending", help="待评议、待公示、公示中的申报")
    p.add_argument("--village", help="只看这个村（村代码）")
    p.set_defaults(handler=cmd_pending)
    for name, help_text in (("approve", "评议通过（不能审核自己登记的）"), ("reject", "评议不通过（写明理由）")):
        p = pts.add_parser(name, help=help_text)
        p.add_argument("declaration", help="申报编号（pending 列出的 8 位即可）")
        p.add_argument("--reason", default="")
        p.add_argument("--body", default="村两委会议", help="评议机构：村两委会议、评议小组……")
        p.set_defaults(handler=cmd_review, approve=name == "approve")
    notice = pts.add_parser("notice", help="积分公示").add_subparsers(dest="notice_cmd", required=True)
    p = notice.add_parser("post", help="把评议通过的申报张榜公示（站长）")
    p.add_argument("--village", help="村代码（默认本村）")
    _out_options(p)
    p.set_defaults(handler=cmd_notice_post)
    p = notice.add_parser("show", help="查看正在公示的名单（可打印）")
    _out_options(p)
    p.set_defaults(handler=cmd_notice_show)
    p = pts.add_parser("object", help="记录公示期间群众提出的异议")
    p.add_argument("declaration")
    p.add_argument("--text", required=True, help="谁提出、什么理由")
    p.set_defaults(handler=cmd_object)
    p = pts.add_parser("objection", help="处理异议：--uphold 异议成立撤回；--dismiss 异议不成立")
    p.add_argument("declaration")
    decision = p.add_mutually_exclusive_group(required=True)
    decision.add_argument("--uphold", action="store_true")
    decision.add_argument("--dismiss", action="store_true")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_objection)
    pts.add_parser("settle", help="公示期满的积分入账，过期积分清零（可反复运行）").set_defaults(handler=cmd_settle)

    goods = pts.add_parser("goods", help="积分超市商品和库存").add_subparsers(dest="goods_cmd", required=True)
    p = goods.add_parser("list", help="商品、兑换分值和库存")
    p.add_argument("--all", action="store_true", help="含已下架的")
    p.set_defaults(handler=cmd_goods_list)
    p = goods.add_parser("save", help="新增商品或修改名称、分值、单位、上下架（站长）")
    p.add_argument("code")
    p.add_argument("--name", default="")
    p.add_argument("--price", type=int, help="兑换分值")
    p.add_argument("--unit", default="")
    p.add_argument("--off", action="store_true", help="下架")
    p.add_argument("--on", action="store_true", help="重新上架")
    p.set_defaults(handler=cmd_goods_save)
    p = goods.add_parser("stock", help="入库（正数）；盘点调整用 --adjust 并写明原因")
    p.add_argument("code")
    p.add_argument("quantity", type=int)
    p.add_argument("--adjust", action="store_true")
    p.add_argument("--note", default="")
    p.set_defaults(handler=cmd_goods_stock)

    p = pts.add_parser("redeem", help="积分兑换商品，打印兑换单")
    p.add_argument("--resident", required=True)
    p.add_argument("--goods", action="append", required=True, help="商品编号=数量，可多次，如 --goods XZ=2")
    _out_options(p)
    p.set_defaults(handler=cmd_redeem)
    p = pts.add_parser("reverse", help="撤销一笔兑换，积分和库存退回（站长，写明原因）")
    p.add_argument("redemption")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_reverse)
    p = pts.add_parser("statement", help="一户（一人）的积分对账单")
    p.add_argument("resident", help="居民编号")
    _out_options(p)
    p.set_defaults(handler=cmd_statement)
    p = pts.add_parser("board", help="本村积分排名和星级")
    p.add_argument("--village")
    p.add_argument("--top", type=int, default=50)
    p.set_defaults(handler=cmd_board)
    p = pts.add_parser("summary", help="月度或季度汇总：发放、扣减、兑换、清零、商品出库")
    p.add_argument("period", help="2026-11 或 2026-Q4")
    p.set_defaults(handler=cmd_summary)
    p = pts.add_parser("correct", help="更正积分（站长，写明原因；记为一笔新的记录）")
    p.add_argument("resident")
    p.add_argument("points", type=int)
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_correct)
    p = pts.add_parser("conflicts", help="多个站离线兑换造成的超额，等镇里处理")
    p.set_defaults(handler=cmd_conflicts)


def _declaration(env: Env, ref: str) -> str:
    """A declaration by its id or its last characters (``pending`` shows eight; ids made in the same
    millisecond share their first ones)."""
    key = ref.strip().lower()
    found = [d.id for d in svc.list_declarations(env.ctx) if d.id == key or (len(key) >= 4 and d.id.endswith(key))]
    if len(found) != 1:
        raise NotFound("points.no_declaration", declaration=ref)
    return found[0]


def cmd_rules_show(env: Env) -> int:
    rules = svc.points_rules(env.ctx)
    o = env.out
    o.data(rules)
    o.line(f"{rules.title}（{'、'.join(rules.versions)}）")
    o.line(f"账户：{rules.account_kind.label_zh}；起始分 {rules.starting_balance}；"
           f"高于 {rules.spendable_above} 分的部分可兑换；低于 {rules.suspend_below} 分暂停部分待遇；"
           f"公示 {rules.notice_days} 天")
    o.line("星级：" + "、".join(f"{g.label} ≥{g.threshold}" for g in rules.stars))
    o.table(["编号", "村", "类别", "指标", "积分", "封顶"],
            [[i.code, i.village_code or "全镇", i.category, i.name,
              f"{i.per_hour}/小时（每次≤{i.max_hours}小时）" if i.hourly else f"{i.points:+d}",
              f"{i.cap_period.label_zh}{i.cap}分" if i.cap else ""] for i in rules.indicators])
    return 0


def cmd_rules_publish(env: Env) -> int:
    rules = svc.publish_rules(env.ctx, actor=env.actor(), path=Path(env.args.file).expanduser())
    env.out.data(rules)
    env.out.line(env.out.t(f"已发布，现行规则：{'、'.join(rules.versions)}", f"Published: {', '.join(rules.versions)}"))
    return 0


def _account_line(env: Env, a: svc.AccountView) -> None:
    grade = f"，{a.grade.label}" if a.grade else ""
    note = "（尚未开户，首次申报或兑换时开户）" if not a.opened else ""
    warn = "，低于暂停线" if a.suspended else ""
    env.out.line(f"{a.holder_name}（{a.village_name} {a.group_name}，{a.kind.label_zh}）：积分 {a.balance}，"
                 f"可兑换 {a.spendable}{grade}{warn}{note}")


def cmd_account(env: Env) -> int:
    env.actor()
    a = svc.account_of(env.ctx, resident_id=env.args.resident)
    env.out.data(a)
    _account_line(env, a)
    return 0


def cmd_declare(env: Env) -> int:
    a = env.args
    d = svc.declare(env.ctx, actor=env.actor(), resident_id=a.resident, indicator=a.indicator, hours=a.hours,
                    activity_on=a.on, note=a.note, declared_by=a.by,
                    evidence=Path(a.evidence).expanduser() if a.evidence else None)
    env.out.data(d)
    env.out.line(env.out.t(f"已登记申报 {d.id[-8:]}：{d.resident_name}（{d.holder_name}户）{d.indicator_name} "
                           f"{d.points:+d} 分，等待评议。", f"Declared {d.id[-8:]}: {d.points:+d}, waiting for review"))
    return 0


def cmd_pending(env: Env) -> int:
    env.actor()
    rows = svc.list_declarations(env.ctx, states=[DeclarationState.PENDING, DeclarationState.APPROVED,
                                                  DeclarationState.NOTICED], village_code=env.args.village)
    env.out.data(rows)
    env.out.table(["编号", "状态", "姓名", "户", "村组", "指标", "积分", "登记人", "异议"],
                  [[d.id[-8:], d.state_label, d.resident_name, d.holder_name, d.group_name, d.indicator_name,
                    f"{d.points:+d}", d.recorded_by, "有" if d.objection else ""] for d in rows])
    env.out.line(env.out.t(f"共 {len(rows)} 条", f"{len(rows)} declarations"))
    return 0


def cmd_review(env: Env) -> int:
    a = env.args
    d = svc.review(env.ctx, actor=env.actor(), declaration_id=_declaration(env, a.declaration), approve=a.approve,
                   reason=a.reason, body=a.body)
    env.out.data(d)
    env.out.line(f"{d.id[-8:]} {d.resident_name} {d.indicator_name}：{d.state_label}")
    return 0


def _print_sheet(env: Env, data: Any, out: str | None, printer: str | None, paper: str | None = None) -> None:
    if out or printer:
        done = issue_points_slip(env.ctx, actor=env.actor(), data=data, paper=paper)
        deliver(env, done, out=out, printer=printer)


def cmd_notice_post(env: Env) -> int:
    a = env.args
    n = svc.post_notice(env.ctx, actor=env.actor(), village_code=a.village)
    env.out.data(n)
    env.out.line(env.out.t(f"{n.village_name}积分公示已张榜：{len(n.lines)} 项，公示到 {n.ends_on}",
                           f"Notice posted: {len(n.lines)} items until {n.ends_on}"))
    _print_sheet(env, svc.notice_sheet(env.ctx, notice_id=n.id), a.out, a.printer)
    return 0


def cmd_notice_show(env: Env) -> int:
    env.actor()
    a = env.args
    n = svc.get_notice(env.ctx)
    env.out.data(n)
    env.out.line(f"{n.village_name}积分公示（{n.posted_at[:10]} 至 {n.ends_on}）")
    env.out.table(["姓名", "村民小组", "类别", "指标", "积分"],
                  [[x.name, x.group_name, x.category, x.indicator, f"{x.points:+d}"] for x in n.lines])
    _print_sheet(env, svc.notice_sheet(env.ctx, notice_id=n.id), a.out, a.printer)
    return 0


def cmd_object(env: Env) -> int:
    d = svc.object_to(env.ctx, actor=env.actor(), declaration_id=_declaration(env, env.args.declaration),
                      text=env.args.text)
    env.out.data(d)
    env.out.line(env.out.t(f"已记录异议，{d.resident_name} 的这项积分暂缓入账，等站长处理。", "Objection recorded."))
    return 0


def cmd_objection(env: Env) -> int:
    a = env.args
    d = svc.decide_objection(env.ctx, actor=env.actor(), declaration_id=_declaration(env, a.declaration),
                             uphold=a.uphold, reason=a.reason)
    env.out.data(d)
    env.out.line(f"{d.id[-8:]} {d.resident_name}：{d.state_label}")
    return 0


def cmd_settle(env: Env) -> int:
    r = svc.settle(env.ctx, actor=env.actor())
    env.out.data(r)
    env.out.line(env.out.t(f"入账 {r.credited} 项（{r.waiting_on_objection} 项有异议待处理），"
                           f"结束公示 {r.notices_closed} 期，到期清零 {r.lots_expired} 笔共 {r.points_expired} 分",
                           f"Credited {r.credited}; {r.waiting_on_objection} wait on objections; "
                           f"{r.points_expired} points expired"))
    return 0


def cmd_goods_list(env: Env) -> int:
    env.actor()
    rows = svc.list_goods(env.ctx, all_goods=env.args.all)
    env.out.data(rows)
    env.out.table(["编号", "商品", "兑换分值", "库存", "在售"],
                  [[g.code, g.name, g.price, f"{g.stock}{g.unit}", "是" if g.active else "否"] for g in rows])
    return 0


def cmd_goods_save(env: Env) -> int:
    a = env.args
    active = False if a.off else (True if a.on else None)
    g = svc.save_goods(env.ctx, actor=env.actor(), code=a.code, name=a.name, price=a.price, unit=a.unit,
                       active=active)
    env.out.data(g)
    env.out.line(f"{g.code} {g.name}：{g.price} 分/{g.unit}，库存 {g.stock}{g.unit}"
                 + ("" if g.active else "（已下架）"))
    return 0


def cmd_goods_stock(env: Env) -> int:
    a = env.args
    g = svc.move_stock(env.ctx, actor=env.actor(), code=a.code, quantity=a.quantity, note=a.note,
                       receive=not a.adjust)
    env.out.data(g)
    env.out.line(env.out.t(f"{g.name} 现有库存 {g.stock}{g.unit}", f"{g.name}: {g.stock} in stock"))
    return 0


def _goods_lines(pairs: list[str]) -> list[tuple[str, int]]:
    out = []
    for pair in pairs:
        code, sep, qty = pair.partition("=")
        try:
            out.append((code.strip(), int(qty) if sep else 1))
        except ValueError as e:
            raise DomainError("points.bad_quantity", quantity=qty) from e
    return out


def cmd_redeem(env: Env) -> int:
    a = env.args
    actor = env.actor()
    r = svc.redeem(env.ctx, actor=actor, resident_id=a.resident, lines=_goods_lines(a.goods))
    env.out.data(r)
    picked = "、".join(f"{x.name}×{x.quantity}" for x in r.lines)
    env.out.line(env.out.t(f"兑换成功 {r.id[-8:]}：{picked}，共 {r.total} 分；"
                           f"{r.account.holder_name}户余 {r.account.balance} 分（可兑换 {r.account.spendable}）",
                           f"Redeemed {r.total} points; balance {r.account.balance}"))
    _print_sheet(env, svc.redemption_slip(env.ctx, r), a.out, a.printer, a.paper)
    return 0


def cmd_reverse(env: Env) -> int:
    ref = env.args.redemption.strip()
    r = svc.reverse_redemption(env.ctx, actor=env.actor(), redemption_id=ref, reason=env.args.reason)
    env.out.data(r)
    env.out.line(env.out.t(f"已撤销兑换，退回 {r.total} 分，库存已退回；"
                           f"{r.account.holder_name}户现有 {r.account.balance} 分",
                           f"Reversed: {r.total} points back"))
    return 0


def cmd_statement(env: Env) -> int:
    env.actor()
    a = env.args
    account = svc.account_of(env.ctx, resident_id=a.resident)
    if not account.opened:
        _account_line(env, account)
        return 0
    s = svc.statement(env.ctx, account_id=account.id)
    env.out.data(s)
    _account_line(env, s.account)
    env.out.table(["时间", "类型", "积分", "余额", "事由"],
                  [[x.at.replace("T", " ")[:16], x.kind.label_zh, f"{x.points:+d}", x.balance, x.reason]
                   for x in s.lines])
    if s.pending:
        env.out.line(f"待入账（评议、公示中）：{s.pending:+d} 分")
    for day, points in s.expiring:
        env.out.line(f"到期提醒：{points} 分于 {day} 到期")
    _print_sheet(env, svc.statement_sheet(env.ctx, account_id=account.id), a.out, a.printer)
    return 0


def cmd_board(env: Env) -> int:
    env.actor()
    b = svc.board(env.ctx, village_code=env.args.village)
    env.out.data(b)
    env.out.line(f"{b.village_name}积分榜（共 {len(b.lines)} 户）  " + "  ".join(f"{g}：{n} 户" for g, n in b.grades))
    env.out.table(["名次", "户主", "村民小组", "积分", "星级"],
                  [[x.rank, x.holder_name, x.group_name, x.balance, x.grade] for x in b.lines[:env.args.top]])
    return 0


def cmd_summary(env: Env) -> int:
    env.actor()
    s = svc.summary(env.ctx, period=env.args.period)
    env.out.data(s)
    env.out.line(f"{s.period}（{s.start} 至 {s.end}，不含）：发放 {s.awarded} 分，扣减 {s.deducted} 分，"
                 f"兑换 {s.redeemed} 分，到期清零 {s.expired} 分，更正 {s.corrected:+d} 分")
    env.out.table(["商品", "出库"], [[name, f"{qty}{unit}"] for name, unit, qty in s.goods_out])
    return 0


def cmd_correct(env: Env) -> int:
    a = env.args
    account = svc.account_of(env.ctx, resident_id=a.resident)
    if not account.opened:
        raise NotFound("points.no_account", account=a.resident)
    view = svc.correct(env.ctx, actor=env.actor(), account_id=account.id, points=a.points, reason=a.reason)
    env.out.data(view)
    _account_line(env, view)
    return 0


def cmd_conflicts(env: Env) -> int:
    env.actor()
    rows = svc.list_conflicts(env.ctx)
    env.out.data(rows)
    env.out.table(["编号", "户", "发现时间", "超额（分）"],
                  [[c.id[-8:], c.holder_name, c.found_at, c.overspent] for c in rows])
    env.out.line(env.out.t(f"共 {len(rows)} 条待镇里处理", f"{len(rows)} open"))
    return 0

"""Catalogue commands: list the 47+N items, show one item with its materials and form fields."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.forms import format_money
from app.messages import render
from app.services.context import read_calendar_file
from app.services.station import calendar_notice, install_calendar_file, install_catalog_file, read_catalog_file

if TYPE_CHECKING:
    from app.cli.main import Env


def register(sub: Any) -> None:
    cat = sub.add_parser("catalog", help="47+N 事项目录 / the service catalogue").add_subparsers(
        dest="catalog_cmd", required=True)
    p = cat.add_parser("list", help="列出全部事项")
    p.add_argument("--scope", choices=("standard", "town", "local"))
    p.set_defaults(handler=cmd_list)
    p = cat.add_parser("show", help="查看一个事项：材料清单、表单、时限、收费")
    p.add_argument("code")
    p.set_defaults(handler=cmd_show)
    p = cat.add_parser("check", help="检查一个目录文件（镇里发布前先检查），不改动数据")
    p.add_argument("file")
    p.set_defaults(handler=cmd_check_file)
    p = cat.add_parser("install", help="安装镇里发布的目录文件（N 项）或本站的本地事项文件")
    p.add_argument("file")
    p.set_defaults(handler=cmd_install)

    cal = sub.add_parser("calendar", help="工作日历（节假日与调休）/ working-day calendar").add_subparsers(
        dest="calendar_cmd", required=True)
    p = cal.add_parser("show", help="查看某年的节假日和调休上班日")
    p.add_argument("--year", type=int)
    p.set_defaults(handler=cmd_calendar_show)
    p = cal.add_parser("check", help="检查一个日历文件，不改动数据")
    p.add_argument("file")
    p.set_defaults(handler=cmd_calendar_check)
    p = cal.add_parser("install", help="安装镇里发布的日历文件（如下一年的放假安排）")
    p.add_argument("file")
    p.set_defaults(handler=cmd_calendar_install)


def _limit(days: int, lang: str) -> str:
    if days == 0:
        return "当场办结" if lang != "en" else "on the spot"
    return f"{days}个工作日" if lang != "en" else f"{days} working days"


def cmd_list(env: Env) -> int:
    catalog = env.ctx.catalog
    items = [i for i in catalog.items if not env.args.scope or i.scope.value == env.args.scope]
    env.out.data({"version": catalog.version, "items": items})
    lang = env.out.lang
    env.out.table(["代码", "事项", "部门", "办理方式", "时限", "收费"],
                  [[i.code, i.name, i.department, i.mode.label_zh if lang != "en" else i.mode.label_en,
                    _limit(i.time_limit_days, lang), format_money(i.fee_fen) if i.fee_fen else "-"] for i in items])
    env.out.line(env.out.t(f"共 {len(items)} 项（目录版本 {catalog.version}）",
                           f"{len(items)} items ({catalog.version})"))
    return 0


def cmd_show(env: Env) -> int:
    item = env.ctx.catalog.item(env.args.code.strip().upper())
    env.out.data(item)
    o = env.out
    o.line(f"{item.code} {item.name}（{item.short_name}）")
    if item.retired:
        o.line(o.t(f"已停办，不再受理新件：{item.note}", f"Retired, no new cases: {item.note}"))
    elif item.note:
        o.line(o.t(f"说明：{item.note}", f"Note: {item.note}"))
    o.line(f"部门：{item.department}    类别：{item.category}    办理方式：{item.mode.label_zh}")
    note = f"（{item.time_limit_note}）" if item.time_limit_note else ""
    o.line(f"时限：{_limit(item.time_limit_days, o.lang)}{note}")
    fee_note = f"，{item.fee_note}" if item.fee_note else ""
    o.line(f"收费：{format_money(item.fee_fen) if item.fee_fen else '不收费'}{fee_note}")
    if item.legal_basis:
        o.line(f"依据：{item.legal_basis}")
    if item.conditions:
        o.line(f"条件：{item.conditions}")
    if item.procedure:
        o.line(f"流程：{item.procedure}")
    o.line(f"咨询电话：{item.phone}")
    if item.materials:
        o.line("材料清单：")
        o.table(["代码", "材料", "必需", "份数", "形式", "核验要点"],
                [[m.code, m.name, m.required, m.copies, m.form.label_zh, m.check] for m in item.materials])
    if item.fields:
        o.line("表单项：")
        o.table(["字段", "名称", "类型", "必填"], [[f.key, f.label, f.kind.value, f.required] for f in item.fields])
    return 0



def cmd_check_file(env: Env) -> int:
    f, _body = read_catalog_file(Path(env.args.file).expanduser())
    env.out.data({"catalog_id": f.catalog_id, "scope": f.scope.value, "version": f.version, "items": len(f.items)})
    env.out.line(env.out.t(f"文件正确：{f.catalog_id}（{f.scope.value}）版本 {f.version}，共 {len(f.items)} 项。",
                           f"OK: {f.catalog_id} ({f.scope.value}) version {f.version}, {len(f.items)} items."))
    return 0


def cmd_install(env: Env) -> int:
    actor = env.actor()
    catalog_id, version = install_catalog_file(env.ctx, actor=actor, path=Path(env.args.file).expanduser())
    env.out.data({"catalog_id": catalog_id, "version": version, "catalog": env.ctx.catalog.version})
    env.out.line(env.out.t(f"已安装 {catalog_id} 版本 {version}。现在的目录：{env.ctx.catalog.version}",
                           f"Installed {catalog_id} {version}."))
    return 0


def cmd_calendar_show(env: Env) -> int:
    cal = env.ctx.calendar
    year = env.args.year or env.ctx.now().year
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    holidays = [d for d in days if d.weekday() < 5 and not cal.is_working_day(d)]
    workdays = [d for d in days if d.weekday() >= 5 and cal.is_working_day(d)]
    env.out.data({"year": year, "covered": cal.covers(first), "version": cal.version,
                  "holidays": holidays, "workdays": workdays,
                  "working_days": sum(1 for d in days if cal.is_working_day(d))})
    o = env.out
    if not cal.covers(first):
        lunar = cal.knows_lunar(year)
        o.line(o.t(f"日历没有 {year} 年的放假安排：按法定节假日估算（{'含' if lunar else '不含'}"
                   "春节、清明、端午、中秋），期限标“预计”。请安装镇里发布的新日历（calendar install 文件）。",
                   f"No holiday data for {year}: estimated from the statutory holidays"
                   f"{'' if lunar else ' (without the lunar ones)'}, deadlines marked provisional. "
                   "Install the town's new calendar (calendar install FILE)."))
    notice = calendar_notice(env.ctx)
    if notice is not None and year not in notice.missing_years:
        o.line(render(notice.code, notice.params, o.lang))
    o.line(o.t(f"{year} 年（日历版本 {cal.version}）：工作日 {sum(1 for d in days if cal.is_working_day(d))} 天",
               f"{year} (calendar {cal.version})"))
    o.line(o.t("放假的工作日：", "Weekday holidays: ") + "、".join(d.strftime("%m-%d") for d in holidays))
    o.line(o.t("调休上班的周末：", "Make-up working days: ") + "、".join(d.strftime("%m-%d") for d in workdays))
    return 0


def cmd_calendar_check(env: Env) -> int:
    cal, _body = read_calendar_file(Path(env.args.file).expanduser())
    years = sorted(cal.years)
    env.out.data({"version": cal.version, "years": years})
    env.out.line(env.out.t(f"日历文件正确：版本 {cal.version}，包含 {'、'.join(map(str, years))} 年。",
                           f"OK: version {cal.version}, years {years}."))
    return 0


def cmd_calendar_install(env: Env) -> int:
    actor = env.actor()
    version, years = install_calendar_file(env.ctx, actor=actor, path=Path(env.args.file).expanduser())
    env.out.data({"version": version, "years": list(years)})
    year_list = "、".join(map(str, years))
    env.out.line(env.out.t(f"已安装工作日历 {version}（{year_list} 年）。以后受理的办件按新日历计算期限。",
                           f"Installed calendar {version} ({years})."))
    return 0

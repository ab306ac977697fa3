"""Resident commands: import a roster, find, show, add, reveal a full ID number (audited)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.identity import IdType
from app.messages import describe
from app.services.imports import import_residents
from app.services.residents import find_residents, get_resident, register_resident, reveal_id_number
from app.services.rosters import parse_mapping
from app.services.views import ResidentSummary

if TYPE_CHECKING:
    from app.cli.main import Env


def register(sub: Any) -> None:
    res = sub.add_parser("residents", help="居民 / residents").add_subparsers(dest="residents_cmd", required=True)
    p = res.add_parser("import", help="导入花名册（CSV：UTF-8 或 GBK；XLSX）")
    p.add_argument("file")
    p.add_argument("--map", default="", help="表头对应，如 “身份证=id_number,村别=village”")
    p.add_argument("--encoding", help="CSV 编码（默认自动识别 UTF-8 / GBK）")
    p.add_argument("--village", default="", help="文件里没有“所属村”列时，全部记到这个村")
    p.set_defaults(handler=cmd_import)
    p = res.add_parser("find", help="查找：身份证后4-6位、全号、姓名、拼音首字母或电话")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=30)
    p.set_defaults(handler=cmd_find)
    p = res.add_parser("show", help="查看居民、家庭成员和办件")
    p.add_argument("resident_id")
    p.set_defaults(handler=cmd_show)
    p = res.add_parser("add", help="登记一位居民")
    p.add_argument("--name", required=True)
    p.add_argument("--id-number", required=True)
    p.add_argument("--id-type", choices=[t.value for t in IdType], default=IdType.RESIDENT_ID.value)
    p.add_argument("--village", required=True, help="村名或村代码")
    p.add_argument("--phone", default="")
    p.add_argument("--group", default="")
    p.add_argument("--address", default="")
    p.add_argument("--household-no", default="")
    p.add_argument("--relation", default="")
    p.add_argument("--tags", default="")
    p.set_defaults(handler=cmd_add)
    p = res.add_parser("reveal", help="显示完整身份证号（需权限，记入审计）")
    p.add_argument("resident_id")
    p.add_argument("--purpose", required=True, help="用途，如“核对社保信息”")
    p.set_defaults(handler=cmd_reveal)


def _rows(residents: tuple[ResidentSummary, ...]) -> list[list[Any]]:
    return [[r.id, r.name, r.gender.label_zh if r.gender else "", r.age if r.age is not None else "", r.id_masked,
             r.phone_masked, f"{r.village_name}{r.group}", "、".join(r.tags)] for r in residents]


_UNMAPPED_SHOWN = 30  # a roster with thousands of unknown columns would fill the screen (all are in --json)
_HEAD = ["编号", "姓名", "性别", "年龄", "身份证号", "电话", "村组", "标签"]


def cmd_import(env: Env) -> int:
    actor = env.actor()
    a = env.args
    mapping = parse_mapping(a.map) if a.map else None
    report = import_residents(env.ctx, actor=actor, path=Path(a.file).expanduser(), mapping=mapping,
                              encoding=a.encoding, default_village=a.village)
    lang = env.out.lang
    env.out.data({"file": report.file_name, "rows": report.rows, "created": report.created,
                  "updated": report.updated, "unchanged": report.unchanged, "rejected": report.rejected,
                  "unmapped_columns": report.unmapped_columns,
                  "problems": [{"row": p.row_no, "name": p.name, "code": p.error.code,
                                "message": describe(p.error, lang)} for p in report.problems]})
    o = env.out
    o.line(o.t(f"{report.file_name}：共 {report.rows} 行，新增 {report.created}，更新 {report.updated}，"
               f"无变化 {report.unchanged}，未导入 {report.rejected}。",
               f"{report.file_name}: {report.rows} rows, {report.created} new, {report.updated} updated, "
               f"{report.unchanged} unchanged, {report.rejected} rejected."))
    if report.unmapped_columns:
        shown = report.unmapped_columns[:_UNMAPPED_SHOWN]
        more = len(report.unmapped_columns) - len(shown)
        o.line(o.t("未识别的列（未导入）：", "Columns not imported: ") + "、".join(shown)
               + (o.t(f" ……等共 {len(report.unmapped_columns)} 列", f" … {more} more") if more else ""))
    for p in report.problems[:200]:
        o.line(o.t(f"  第 {p.row_no} 行 {p.name}：", f"  row {p.row_no} {p.name}: ") + describe(p.error, lang))
    if report.rejected > 200:
        o.line(o.t(f"  ……另有 {report.rejected - 200} 行未导入（用 --json 查看全部）",
                   f"  … {report.rejected - 200} more (use --json)"))
    return 0 if not report.problems else 1


def cmd_find(env: Env) -> int:
    env.actor()  # personal data: only a logged-in staff member may search it
    result = find_residents(env.ctx, query=env.args.query, limit=env.args.limit)
    env.out.data(result)
    env.out.table(_HEAD, _rows(result.residents))
    if not result.residents:
        env.out.line(env.out.t("没有找到。可输入身份证后4-6位、姓名、拼音首字母或电话号码。",
                               "Nothing found. Type ID digits, a name, pinyin initials or a phone number."))
    return 0


def cmd_show(env: Env) -> int:
    env.actor()
    d = get_resident(env.ctx, resident_id=env.args.resident_id)
    env.out.data(d)
    r = d.resident
    o = env.out
    o.line(f"{r.name}  {r.gender.label_zh if r.gender else ''}  {r.age or ''}岁  {r.id_masked}  {r.phone_masked}")
    o.line(f"{r.village_name}{r.group}  {r.address}  {'、'.join(r.tags)}")
    if d.household:
        o.line(o.t(f"户号 {d.household.household_no}，户主 {d.household.head_name}：",
                   f"Household {d.household.household_no}:"))
        o.table(_HEAD, _rows(d.household.members))
    for title, cases in ((o.t("未办结办件", "Open cases"), d.open_cases), (o.t("办件记录", "History"), d.history)):
        if cases:
            o.line(title + "：")
            o.table(["办件编号", "事项", "状态", "受理时间", "承诺期限"],
                    [[c.case_no, c.item_name, c.state.label_zh, c.received_at, c.due_date or ""] for c in cases])
    return 0


def cmd_add(env: Env) -> int:
    actor = env.actor()
    a = env.args
    r = register_resident(env.ctx, actor=actor, name=a.name, id_number=a.id_number, id_type=IdType(a.id_type),
                          village=a.village, phone=a.phone, group=a.group, address=a.address,
                          household_no=a.household_no, relation=a.relation, tags=a.tags)
    env.out.data(r)
    env.out.line(env.out.t(f"已登记：{r.name} {r.id_masked}（编号 {r.id}）", f"Registered {r.name} ({r.id})"))
    return 0


def cmd_reveal(env: Env) -> int:
    actor = env.actor()
    number = reveal_id_number(env.ctx, actor=actor, resident_id=env.args.resident_id, purpose=env.args.purpose)
    env.out.data({"id_number": number})
    env.out.line(number)
    return 0

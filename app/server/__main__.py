"""``python -m app.server``: run the town server, or enrol a station from the server's console.

    python -m app.server --db postgresql+psycopg://user@host/stationdesk serve --host 127.0.0.1 --port 8700
    python -m app.server --db … serve --host 0.0.0.0 --port 8443 --certfile cert.pem --keyfile key.pem
    python -m app.server --db … enrol QX01 --name 青溪村便民服务站 --village V01   # prints the one-time code
    python -m app.server --db … town show | town set --code … --name … | town village V07 --name 新村
    python -m app.server --db … security [--station QX01] [--all] [--seen]   # what the town refused
    python -m app.server --db … catalog publish town-n.json | catalog versions
    python -m app.server --db … rules publish town-points.json | rules versions
    python -m app.server --db … staff list [--station QX01] | staff add … | staff disable USERNAME
    python -m app.server --db … report closes|overdue|cases|conflicts|ratings [--station QX01] [--month 2026-05]

Whoever has the server's shell is the town administrator (the console acts as one, named by the system
login in the audit trail). Every change is audited and published at once: stations pull it on their next sync.
Plain HTTP is served only on loopback (behind a proxy that does TLS, or for tests); any other address needs
a certificate and key. The database is migrated on start."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app.domain.errors import DomainError
from app.domain.ratings import RatingLevel
from app.domain.staff import Actor, Post, Role
from app.messages import describe
from app.paths import default_data_dir
from app.persistence.database import Database
from app.persistence.engine import sqlite_url
from app.persistence.keystore import KeyStore
from app.services import replication as rep
from app.services import seals
from app.services import town_admin as town
from app.services.context import ServiceContext

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment (a bare container)
        return "?"


# Whoever has the server's shell is the town administrator; the audit trail names the system login.
CONSOLE = Actor(staff_id="", username=f"console:{_login()}", display_name="镇服务器控制台", staff_no="",
                role=Role.TOWN_ADMIN, post=Post.A, station_code="")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m app.server", description="村站通 镇服务器 / town server")
    p.add_argument("--db", default=os.environ.get("STATIONDESK_TOWN_DB", ""),
                   help="数据库地址 / database URL, e.g. postgresql+psycopg://…/stationdesk (or STATIONDESK_TOWN_DB); "
                        "without one: a SQLite file in the data folder, for a demo / "
                        "不给则用数据目录里的 SQLite（演示）")
    p.add_argument("--keys", default=os.environ.get("STATIONDESK_TOWN_KEYS", ""),
                   help="镇服务器密钥所在的文件夹（不在数据库里；默认数据目录下的 town）/ "
                        "the folder of the town's master secret, never in its database (or STATIONDESK_TOWN_KEYS)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="运行服务器 / run the server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8700)
    s.add_argument("--certfile")
    s.add_argument("--keyfile")
    s.add_argument("--keep-alive", type=int, default=75,
                   help="秒：空闲连接保留多久 / seconds an idle connection is kept open (default 75)")
    e = sub.add_parser("enrol", help="为站点生成一次性注册码 / a station's one-time enrolment code")
    e.add_argument("station")
    e.add_argument("--name", default="")
    e.add_argument("--village", default="", help="本站服务的村代码（建议填写）/ the village the station serves")
    tw = sub.add_parser("town", help="镇和各村（只有镇里能改）/ the town and its villages").add_subparsers(
        dest="town_cmd", required=True)
    tw.add_parser("show", help="镇、各村、各站及其所属村 / the town, villages and stations")
    ts = tw.add_parser("set", help="建立或改名：镇 / make or rename the town")
    ts.add_argument("--code", required=True)
    ts.add_argument("--name", required=True)
    tv = tw.add_parser("village", help="添加或改名：村 / add or rename a village")
    tv.add_argument("code")
    tv.add_argument("--name", required=True)
    rc = sub.add_parser("recovery-code",
                        help="站点账号都丢了时，给它一个恢复备份用的恢复码 / a station's recovery code")
    rc.add_argument("station")
    rc.add_argument("--days", type=int, default=1, help="有效天数（含今天）/ days it is good for, today included")
    ck = sub.add_parser("check", help="用镇里的副本核对各站的收款和积分校验链 / "
                                      "check the stations' chains in the town's copy")
    ck.add_argument("--station", help="只看一个站点 / one station only")
    se = sub.add_parser("security", help="站点被拒收的改动（安全事件）/ what stations tried and was refused")
    se.add_argument("--station", help="只看一个站点 / one station only")
    se.add_argument("--all", action="store_true", help="连已看过的也列出 / also those already seen")
    se.add_argument("--seen", action="store_true", help="把列出的标为已看过 / mark the listed ones as seen")
    sub.add_parser("stations", help="已登记的站点 / enrolled stations")
    r = sub.add_parser("report", help="全镇只读查看 / read-only views across the town's stations")
    r.add_argument("what", choices=("closes", "overdue", "cases", "conflicts", "ratings"),
                   help="closes 各站日结、overdue 超期办件、cases 办件、conflicts 待处理的同步冲突、ratings 好差评")
    r.add_argument("--station", help="只看一个站点 / one station only")
    r.add_argument("--month", help="ratings：只看一个月，如 2026-05 / one month")
    c = sub.add_parser("catalog", help="47+N 事项目录：发布新版本 / publish the catalogue").add_subparsers(
        dest="catalog_cmd", required=True)
    cp = c.add_parser("publish", help="发布目录文件（镇 N 项，或标准 47 项）/ publish catalogue files")
    cp.add_argument("files", nargs="+", metavar="FILE")
    c.add_parser("versions", help="已发布的目录版本 / versions published")
    ru = sub.add_parser("rules", help="积分规则：发布新版本 / publish the points rules").add_subparsers(
        dest="rules_cmd", required=True)
    ru.add_parser("publish", help="发布积分规则文件 / publish a rules file").add_argument("file")
    ru.add_parser("versions", help="积分规则的各个版本 / rules versions")
    st = sub.add_parser("staff", help="各站工作人员 / staff of the stations").add_subparsers(
        dest="staff_cmd", required=True)
    st.add_parser("list", help="列出工作人员 / list").add_argument("--station", help="只看一个站点 / one station")
    sa = st.add_parser("add", help="为站点添加工作人员（密码从提示或 STATIONDESK_PASSWORD 读）/ add")
    sa.add_argument("--station", required=True)
    sa.add_argument("--username", required=True)
    sa.add_argument("--name", required=True, help="姓名 / display name")
    sa.add_argument("--role", choices=("clerk", "head"), default="clerk")
    sa.add_argument("--post", choices=("A", "B"), default="A")
    sa.add_argument("--staff-no", default="", help="工号（不填则取本站下一个）/ staff number")
    st.add_parser("disable", help="停用账号 / disable an account").add_argument("username")
    st.add_parser("enable", help="重新启用账号 / enable an account again").add_argument("username")
    b = sub.add_parser("bundle", help="导入站点的 U 盘同步包，写出回执包 / import a station's USB bundle")
    b.add_argument("file")
    b.add_argument("--reply", required=True, help="回执包写到哪里 / where to write the reply")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.db:  # the embedded demo town: SQLite beside the station's data (PostgreSQL in production)
        folder = default_data_dir() / "town"
        folder.mkdir(parents=True, exist_ok=True)
        args.db = sqlite_url(folder / "town.sqlite3")
        print(f"演示用的镇数据库 / demo town database: {args.db}", file=sys.stderr)
    try:
        db = Database.open_url(args.db)
    except Exception as e:  # a wrong address or a server down: say so, not a traceback
        print(f"打不开数据库 {args.db}：{type(e).__name__}：{e} / cannot open the database", file=sys.stderr)
        return 1
    # The town's master secret (every station's keys are derived from it) is kept apart from the database, in
    # the town's own key store: a copy of the database, a reporting replica, gives no key.
    keys = Path(args.keys).expanduser() if args.keys else default_data_dir() / "town"
    ctx = ServiceContext(db=db, _keys=KeyStore(keys))
    seals.prepare_town(ctx)
    try:
        if args.command == "enrol":
            code = rep.enrol_station(ctx, actor=CONSOLE, station_code=args.station, name=args.name,
                                     village=args.village)
            print(f"站点 {args.station.upper()} 的注册码（72 小时内有效，只显示这一次）：{code}")
            if not args.village:
                print("提示：没有写 --village，镇里会按本站第一次同步时报的村登记它（以后不能由本站改）。")
            return 0
        if args.command == "town":
            return _town(ctx, args)
        if args.command == "security":
            return _security(ctx, args)
        if args.command == "check":
            return _check_chains(ctx, args.station)
        if args.command == "recovery-code":
            code, until = rep.recovery_code(ctx, actor=CONSOLE, station_code=args.station, days=args.days)
            print(f"站点 {args.station.upper()} 的恢复码（用到 {until[:4]}-{until[4:6]}-{until[6:]} 为止，"
                  f"请当面或电话告诉站长）：{code}")
            print("站点上：python -m app.cli restore --last --recovery-code <恢复码>")
            return 0
        if args.command == "report":
            if args.what == "ratings":
                return _ratings(ctx, args.station, args.month)
            return _report(ctx, args.what, args.station)
        if args.command == "catalog":
            return _catalog(ctx, args)
        if args.command == "rules":
            return _rules(ctx, args)
        if args.command == "staff":
            return _staff(ctx, args)
        if args.command == "bundle":
            from app.sync.bundle import import_bundle

            done = import_bundle(ctx, Path(args.file), Path(args.reply))
            print(f"已导入：新 {done.inserted}，更新 {done.updated}，冲突 {done.conflicts}；回执包：{args.reply}")
            return 0
        if args.command == "stations":
            for s in rep.enrolled(ctx):
                state = "已注册" if s["enrolled"] else "待注册"
                print(f"{s['station_code']}\t{s['name']}\t{state}\t{s['last_seen'] or ''}")
            return 0
        if args.host not in LOOPBACK and not (args.certfile and args.keyfile):
            print("不在本机地址上提供明文 HTTP：请用 --certfile 和 --keyfile 启用 TLS，或放在做 TLS 的反向代理后面、"
                  "只监听 127.0.0.1。/ plain HTTP only on loopback: give --certfile and --keyfile", file=sys.stderr)
            return 2
        import uvicorn

        from app.server.app import create_app

        # What the town administrator changed and a console cut off before it was published goes out now.
        rep.publish_own(ctx)
        # An idle connection is kept longer than uvicorn's 5 s: a station applying a big page keeps its
        # connection for the next one (the client also tries once more on a connection the server closed).
        uvicorn.run(create_app(ctx), host=args.host, port=args.port, ssl_certfile=args.certfile,
                    ssl_keyfile=args.keyfile, log_level="info", timeout_keep_alive=args.keep_alive)
        return 0
    except DomainError as e:
        _say(e)
        return 1
    finally:
        db.dispose()


def _report(ctx: ServiceContext, what: str, station: str | None) -> int:
    """Read-only views of the whole town, from the server's database (every station's records meet there)."""
    from app.services import closing
    from app.services.cases import list_cases

    code = station.upper() if station else None
    if what == "closes":
        for day in closing.closes(ctx, station_code=code):
            sheet = day.sheet
            print(f"{day.station_code}\t{day.day}\t{day.closed_by}\t收款 {sheet.payments_total_fen / 100:.2f}"
                  f"\t净额 {sheet.net_fen / 100:.2f}\t链 {sheet.chain_seq}")
        return 0
    if what in ("overdue", "cases"):
        rows = list_cases(ctx, overdue=what == "overdue", station_code=code, all_stations=code is None, limit=1000)
        for r in rows:
            due = r.due_date.isoformat() if r.due_date else ""
            print(f"{r.case_no}\t{r.item_name}\t{r.applicant_name}\t{r.state.label_zh}\t{due}")
        print(f"共 {len(rows)} 件")
        return 0
    for clash in rep.conflicts(ctx):
        print(f"{clash.found_at[:16]}\t{clash.station_code}\t{clash.table}\t{clash.row_id[-8:]}\t{clash.reason}")
    return 0


def _town(ctx: ServiceContext, args: argparse.Namespace) -> int:
    if args.town_cmd == "set":
        n = town.set_town(ctx, actor=CONSOLE, code=args.code, name=args.name)
        print(f"已保存镇 {args.code}（{args.name}），放入同步日志 {n} 条。")
        return 0
    if args.town_cmd == "village":
        new, n = town.save_village(ctx, actor=CONSOLE, code=args.code, name=args.name)
        print(f"已{'添加' if new else '保存'}村 {args.code}（{args.name}），放入同步日志 {n} 条：各站下次同步时取得。")
        return 0
    view = town.town_view(ctx, actor=CONSOLE)
    print(f"镇：{view.code or '（还没有）'} {view.name}")
    for code, name, origin in view.villages:
        print(f"村\t{code}\t{name}\t来自 {'镇里' if origin == rep.TOWN_SENDER else origin}")
    for code, name, village, enrolled_for in view.stations:
        note = f"\t注册时登记的是 {enrolled_for}" if village and enrolled_for and enrolled_for != village else ""
        print(f"站点\t{code}\t{name}\t村 {village or enrolled_for or '？'}{note}")
    return 0


def _check_chains(ctx: ServiceContext, station: str | None) -> int:
    """Every station's chain in the town's copy, checked with the keys the town derives for each station (a link
    a station sealed with its own key before it was enrolled can be checked only at the station)."""
    from app.messages import render
    from app.services import integrity

    codes = [station.upper()] if station else [s["station_code"] for s in rep.enrolled(ctx)]
    keys: dict[str, bytes] = {}
    for code in codes:
        keys.update(rep.town_seal_keys(ctx, code))
    report = integrity.check(ctx, keys=keys, keyed_since=rep.enrolled_since(ctx))
    bad = 0
    for code in sorted(set(report.stations) & set(codes) if station else report.stations):
        problems = [p for p in report.problems if p.station_code == code]
        bad += len(problems)
        print(f"{code}\t{'有问题' if problems else '完好'}")
        for p in problems:
            print("  ✗ " + render(f"check.chain_{p.kind}", {"station": p.station_code, "seq": str(p.seq),
                                                            "what": p.what}, "zh"))
    if not report.links:
        print("镇里还没有任何站点的校验链（站点同步后才有）。")
        return 0
    print(f"共 {report.links} 环；{report.unverified} 环是站点注册前用本站自己的密钥封的，只能在站点上核对。")
    return 1 if bad else 0


def _security(ctx: ServiceContext, args: argparse.Namespace) -> int:
    """What stations tried and the town refused: which station, when, what, and why — in words."""
    from app.messages import render

    events = rep.security_events(ctx, actor=CONSOLE, station_code=args.station, every=args.all)
    for e in events:
        fields = f"（{'、'.join(e.fields)}）" if e.fields else ""
        state = "" if e.state == "open" else "\t已看过"
        print(f"{e.found_at.replace('T', ' ')[:16]}\t{e.station_code}\t{render(f'words.table.{e.table}', {}, 'zh')}"
              f"\t{e.row_id[-12:]}{fields}\t{render(e.code, dict(e.params), 'zh')}{state}")
    print(f"共 {len(events)} 条" + ("" if args.all else "未看过的") + "安全事件。")
    if args.seen and events:
        n = rep.mark_security_events_seen(ctx, actor=CONSOLE, ids=[e.id for e in events])
        print(f"已把 {n} 条标为已看过。")
    return 0


def _say(error: DomainError) -> None:
    """The message in Chinese (with every problem of a file, each with its place), then in English."""
    print(describe(error, "zh"), file=sys.stderr)
    print(describe(error, "en"), file=sys.stderr)


def _version_line(v: town.VersionView) -> str:
    where = f"镇里发布 {v.published_at.replace('T', ' ')} {v.by}" if v.published_at else f"来自 {v.origin or '站点'}"
    village = f"\t{v.village_code}" if v.village_code else ""
    in_force = "\t在用" if v.in_force else ""
    return f"{v.file_id}\t{v.scope}{village}\t{v.version}\t{v.size} 项\t{where}{in_force}"


def _catalog(ctx: ServiceContext, args: argparse.Namespace) -> int:
    if args.catalog_cmd == "publish":
        done = town.publish_catalog(ctx, actor=CONSOLE, paths=[Path(f) for f in args.files])
        for v in done.versions:
            print(f"已发布 {v.file_id} {v.version}（{v.size} 项）")
        print(f"已放入同步日志 {done.changes} 条：各站下次同步时取得新目录。")
        return 0
    versions = town.catalog_versions(ctx)
    for v in versions:
        print(_version_line(v))
    if not versions:
        print("还没有目录：镇里没有发布过，也还没有站点同步上来（各站用程序自带的 47+N 目录）。")
    return 0


def _rules(ctx: ServiceContext, args: argparse.Namespace) -> int:
    if args.rules_cmd == "publish":
        done = town.publish_rules(ctx, actor=CONSOLE, path=Path(args.file))
        for v in done.versions:
            print(f"已发布积分规则 {v.file_id} {v.version}（{v.size} 个指标）")
        print(f"已放入同步日志 {done.changes} 条：各站下次同步时取得新规则。")
        return 0
    versions = town.rules_versions(ctx)
    for v in versions:
        print(_version_line(v))
    if not any(v.in_force and v.scope == "town" for v in versions):
        print("镇里还没有发布积分规则：各站用程序自带的镇规则。")
    return 0


def _password() -> str:
    given = os.environ.get("STATIONDESK_PASSWORD")
    if given:
        return given
    try:
        first = getpass.getpass("密码 / password: ")
        again = getpass.getpass("再输一次 / again: ") if first else ""
    except EOFError:  # no terminal and nothing piped in (a script without the variable)
        first = again = ""
    if not first:
        raise DomainError("town_admin.no_password")
    if again != first:
        raise DomainError("town_admin.password_mismatch")
    return first


def _staff(ctx: ServiceContext, args: argparse.Namespace) -> int:
    if args.staff_cmd == "list":
        rows = town.list_staff(ctx, actor=CONSOLE, station_code=args.station)
        for s in rows:
            state = "在用" if s.active else "已停用"
            print(f"{s.station_code}\t{s.staff_no}\t{s.username}\t{s.display_name}\t{s.role.label_zh}\t"
                  f"{s.post.value}岗\t{state}")
        print(f"共 {len(rows)} 人")
        return 0
    if args.staff_cmd == "add":
        view, _ = town.add_staff(ctx, actor=CONSOLE, station_code=args.station, username=args.username,
                                 display_name=args.name, role=Role(args.role), post=Post(args.post),
                                 password=_password(), staff_no=args.staff_no)
        print(f"已为站点 {view.station_code} 添加 {view.display_name}（{view.username}，工号 {view.staff_no}，"
              f"{view.role.label_zh}，{view.post.value}岗）：该站下次同步后即可登录。")
        return 0
    active = args.staff_cmd == "enable"
    view, changed = town.set_staff_active(ctx, actor=CONSOLE, username=args.username, active=active)
    word = "启用" if active else "停用"
    if changed:
        print(f"已{word} {view.display_name}（{view.username}，站点 {view.station_code}）：该站下次同步后生效。")
    else:
        print(f"{view.username} 原本就是{word}的，没有改动。")
    return 0


def _ratings(ctx: ServiceContext, station: str | None, month: str | None) -> int:
    """好差评 across the stations: per level, the share of 差评, and the 差评 still awaiting their follow-up."""
    report = town.ratings_report(ctx, actor=CONSOLE, station_code=station, month=month)
    levels = "\t".join(level.label_zh for level in sorted(RatingLevel, reverse=True))
    print(f"好差评（{report.month or '全部月份'}）\t{levels}\t合计\t差评占比\t待回访")
    for s in report.stations:
        counts = "\t".join(str(n) for _, n in s.counts)
        late = f"（超期 {s.overdue}）" if s.overdue else ""
        print(f"{s.station_code}\t{counts}\t{s.total}\t{s.bad_share:.1%}\t{s.awaiting}{late}")
    if report.awaiting:
        print("待整改回访的差评：")
    for f in report.awaiting:
        late = "\t已超期" if f.overdue else ""
        print(f"{f.station_code}\t{f.case_no}\t{f.item_name}\t{f.level.label_zh}\t回访期限 {f.due_date}"
              f"{late}\t{f.comment}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

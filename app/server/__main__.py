"""``python -m app.server``: run the town server, or enrol a station from the server's console.

    python -m app.server --db postgresql+psycopg://user@host/stationdesk serve --host 127.0.0.1 --port 8700
    python -m app.server --db … serve --host 0.0.0.0 --port 8443 --certfile cert.pem --keyfile key.pem
    python -m app.server --db … enrol QX01 --name 青溪村便民服务站     # prints the one-time code

Plain HTTP is served only on loopback (behind a proxy that does TLS, or for tests); any other address needs
a certificate and key. The database is migrated on start."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.domain.errors import DomainError
from app.domain.staff import Actor, Post, Role
from app.messages import describe
from app.persistence.database import Database
from app.services import replication as rep
from app.services.context import ServiceContext

LOOPBACK = ("127.0.0.1", "localhost", "::1")
CONSOLE = Actor(staff_id="", username="console", display_name="镇服务器控制台", staff_no="", role=Role.TOWN_ADMIN,
                post=Post.A, station_code="")  # whoever has the server's shell is the town administrator


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m app.server", description="村站通 镇服务器 / town server")
    p.add_argument("--db", required=True, help="数据库地址 / database URL, e.g. postgresql+psycopg://…/stationdesk")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="运行服务器 / run the server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8700)
    s.add_argument("--certfile")
    s.add_argument("--keyfile")
    e = sub.add_parser("enrol", help="为站点生成一次性注册码 / a station's one-time enrolment code")
    e.add_argument("station")
    e.add_argument("--name", default="")
    sub.add_parser("stations", help="已登记的站点 / enrolled stations")
    r = sub.add_parser("report", help="全镇只读查看 / read-only views across the town's stations")
    r.add_argument("what", choices=("closes", "overdue", "cases", "conflicts"),
                   help="closes 各站日结、overdue 超期办件、cases 办件、conflicts 待处理的同步冲突")
    r.add_argument("--station", help="只看一个站点 / one station only")
    b = sub.add_parser("bundle", help="导入站点的 U 盘同步包，写出回执包 / import a station's USB bundle")
    b.add_argument("file")
    b.add_argument("--reply", required=True, help="回执包写到哪里 / where to write the reply")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        db = Database.open_url(args.db)
    except Exception as e:  # a wrong address or a server down: say so, not a traceback
        print(f"打不开数据库 {args.db}：{type(e).__name__}：{e} / cannot open the database", file=sys.stderr)
        return 1
    ctx = ServiceContext(db=db)
    try:
        if args.command == "enrol":
            code = rep.enrol_station(ctx, actor=CONSOLE, station_code=args.station, name=args.name)
            print(f"站点 {args.station.upper()} 的注册码（72 小时内有效，只显示这一次）：{code}")
            return 0
        if args.command == "report":
            return _report(ctx, args.what, args.station)
        if args.command == "bundle":
            from pathlib import Path

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

        uvicorn.run(create_app(ctx), host=args.host, port=args.port, ssl_certfile=args.certfile,
                    ssl_keyfile=args.keyfile, log_level="info")
        return 0
    except DomainError as e:
        print(describe(e, "zh"), file=sys.stderr)
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


if __name__ == "__main__":
    raise SystemExit(main())

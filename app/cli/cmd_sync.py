"""Sync commands: ``station enrol URL CODE`` once, then ``sync now``, ``sync status`` and ``sync conflicts``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.services import replication as rep

if TYPE_CHECKING:
    from app.cli.main import Env


def register(sub: Any) -> None:
    s = sub.add_parser("sync", help="与镇服务器同步 / sync with the town").add_subparsers(dest="sync_cmd",
                                                                                      required=True)
    s.add_parser("now", help="现在同步：上传本站的改动，取回镇里的").set_defaults(handler=cmd_sync_now)
    s.add_parser("status", help="同步状态：待上传多少、上次同步时间").set_defaults(handler=cmd_sync_status)
    s.add_parser("conflicts", help="没能直接合并、等待处理的记录").set_defaults(handler=cmd_sync_conflicts)
    b = sub.add_parser("bundle", help="U 盘同步包（没有网络时）/ USB bundles").add_subparsers(dest="bundle_cmd",
                                                                                        required=True)
    p = b.add_parser("export", help="把还没上传的改动写成同步包（签名），拿到镇里导入")
    p.add_argument("file", help="写到哪里，如 E:/QX01-20261124.sdbundle")
    p.set_defaults(handler=cmd_bundle_export)
    p = b.add_parser("import", help="导入镇里给的回执包：确认已上传的改动，取回镇里的改动")
    p.add_argument("file")
    p.set_defaults(handler=cmd_bundle_import)
    st = sub.add_parser("station", help="本站与镇服务器 / this station and the town server").add_subparsers(
        dest="station_cmd", required=True)
    p = st.add_parser("enrol", help="用镇里给的一次性注册码把本站注册到镇服务器 / enrol with the town server")
    p.add_argument("url", help="镇服务器地址，如 https://town.example.cn")
    p.add_argument("code", help="一次性注册码，如 3F2A-91BC-07DE-5A10")
    p.set_defaults(handler=cmd_enrol)


def cmd_enrol(env: Env) -> int:
    from app.domain.staff import Permission
    from app.sync.client import enrol

    env.actor().require(Permission.STATION_ADMIN)  # the station head: it gives this PC the town's trust
    url = enrol(env.ctx, url=env.args.url, enrol_code=env.args.code)
    env.out.data({"url": url, "enrolled": True})
    env.out.line(env.out.t(f"本站已注册到镇服务器 {url}，可以同步了（sync now）。",
                           f"Enrolled with {url}: run sync now."))
    return 0


def cmd_sync_now(env: Env) -> int:
    from app.sync.client import sync_once

    env.actor()
    r = sync_once(env.ctx)
    env.out.data(r)
    env.out.line(env.out.t(f"同步完成：上传 {r.pushed} 条，取回 {r.pulled} 条，待处理冲突 {r.conflicts} 条，"
                           f"还有 {r.pending} 条待上传。",
                           f"Synced: {r.pushed} sent, {r.pulled} received, {r.conflicts} conflicts, "
                           f"{r.pending} waiting."))
    if r.refused:
        env.out.line(env.out.t(f"镇里拒收了本站的 {r.refused} 条改动，没有用到镇里：原因见 sync conflicts，"
                               "请告诉镇管理员。",
                               f"The town refused {r.refused} change(s) of this station: see sync conflicts "
                               "and tell the town administrator."))
    return 0


def cmd_sync_status(env: Env) -> int:
    env.actor()
    s = rep.status(env.ctx)
    env.out.data(s)
    if not s.enrolled:
        env.out.line(env.out.t("本站还没有注册到镇服务器。", "Not enrolled with a town server."))
    env.out.line(env.out.t(f"待上传 {s.pending} 条；上次同步：{s.last_ok.replace('T', ' ') or '从未'}；"
                           f"服务器 {s.url or '—'}",
                           f"{s.pending} waiting; last sync {s.last_ok or 'never'}; server {s.url or '-'}"))
    return 0


def cmd_sync_conflicts(env: Env) -> int:
    env.actor()
    clashes, refused = rep.conflicts(env.ctx), rep.conflicts(env.ctx, state="refused")
    env.out.data({"conflicts": clashes, "refused": refused})
    env.out.table([env.out.t("表", "table"), env.out.t("记录", "record"), env.out.t("站点", "station"),
                   env.out.t("原因", "reason"), env.out.t("时间", "at")],
                  [[c.table, c.row_id[-8:], c.station_code, c.reason[:120], c.found_at[:16].replace("T", " ")]
                   for c in clashes]
                  + [[c.table, c.row_id[-8:], env.out.t("镇里拒收", "refused"), c.reason[:120],
                      c.found_at[:16].replace("T", " ")] for c in refused])
    return 0


def cmd_bundle_export(env: Env) -> int:
    from pathlib import Path

    from app.sync.bundle import export_bundle

    env.actor()
    n = export_bundle(env.ctx, Path(env.args.file).expanduser())
    env.out.data({"file": env.args.file, "changes": n})
    env.out.line(env.out.t(f"同步包已写好：{env.args.file}（{n} 条改动）。请带到镇里导入，再把回执包带回来导入。",
                           f"Bundle written: {env.args.file} ({n} changes). Import it at the town, bring the reply."))
    return 0


def cmd_bundle_import(env: Env) -> int:
    from pathlib import Path

    from app.sync.bundle import import_reply

    env.actor()
    done = import_reply(env.ctx, Path(env.args.file).expanduser())
    env.out.data(done)
    waiting = rep.pending_count(env.ctx)
    env.out.line(env.out.t(f"回执包已导入：新增 {done.inserted} 条，更新 {done.updated} 条，"
                           f"待处理冲突 {done.conflicts} 条；还有 {waiting} 条待上传。",
                           f"Reply imported: {done.inserted} new, {done.updated} updated, {done.conflicts} conflicts."))
    return 0

"""Station commands: init, demo, info, staff add|list, backup, backups, restore, check."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.auth import PASSWORD_ENV, USER_ENV, read_secret
from app.domain.errors import DomainError
from app.domain.staff import Post, Role
from app.messages import render
from app.persistence.storage import database_path
from app.services import backups as station_backups
from app.services import maintenance
from app.services.demo import DEMO_PASSWORD, DEMO_STAFF, build_demo
from app.services.staff import add_staff, list_staff
from app.services.station import VillageSpec, init_station, is_initialised, station_view

if TYPE_CHECKING:
    from app.cli.main import Env

NEW_PASSWORD_ENV = "STATIONDESK_NEW_PASSWORD"


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="新建站点（镇、村、本站、首个站长账号）/ set up a new station")
    p.add_argument("--town-code", required=True)
    p.add_argument("--town-name", required=True)
    p.add_argument("--villages", required=True, help="村代码=村名，用逗号分隔，如 V01=青溪村,V02=石门村")
    p.add_argument("--station-code", required=True)
    p.add_argument("--station-name", required=True)
    p.add_argument("--village", required=True, help="本站所在村的代码")
    p.add_argument("--admin-user", required=True, help="站长登录名")
    p.add_argument("--admin-name", required=True, help="站长姓名")
    p.add_argument("--phone", default="", help="本站咨询电话")
    p.add_argument("--supervision-phone", default="12345", help="监督电话")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", help="建一个演示站点（几千名居民、工作人员、一些办件）/ build the demo station")
    p.add_argument("--residents", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("info", help="本站信息 / station information")
    p.set_defaults(handler=cmd_info)

    staff = sub.add_parser("staff", help="工作人员账号 / staff accounts").add_subparsers(dest="staff_cmd",
                                                                                     required=True)
    p = staff.add_parser("add", help="新增工作人员（密码从 STATIONDESK_NEW_PASSWORD 或提示输入）")
    p.add_argument("--username", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--staff-no", required=True)
    p.add_argument("--role", choices=[r.value for r in Role], default=Role.CLERK.value)
    p.add_argument("--post", choices=[x.value for x in Post], default=Post.A.value)
    p.set_defaults(handler=cmd_staff_add)
    p = staff.add_parser("list", help="列出工作人员")
    p.set_defaults(handler=cmd_staff_list)

    p = sub.add_parser("backup", help="备份数据库 / back up the database")
    p.add_argument("--to", help="备份到的文件或文件夹（如U盘）；默认数据文件夹下 backups/")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("backups", help="列出备份（每日、每月、手工、升级前、恢复前）和最近一次完好的 / list backups")
    p.set_defaults(handler=cmd_backups)

    p = sub.add_parser("restore", help="从备份恢复（当前数据先另存一份）/ restore from a backup")
    p.add_argument("file", nargs="?", help="备份文件 / the backup file")
    p.add_argument("--last", action="store_true", help="用最近一次完好的备份 / the last good backup")
    p.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    p.add_argument("--recovery-code",
                   help="本站账号都丢了时：镇里给的恢复码（recovery-code）/ the town's recovery code")
    p.add_argument("--station", help="本站的站点代码（数据库打不开又没有 station.json 时才需要）/ this station's code, "
                                     "when neither its database nor station.json says it")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("check", help="检查数据库、审计链、收款和积分校验链、办件编号和附件 / integrity check")
    p.add_argument("--anchor", action="append", default=[],
                   help="日结报表上印的校验位置，如 37:3f2a9c1b2d4e5f60,audit=120:ab12cd34ef567890 / "
                        "a head printed on a daily close")
    p.add_argument("--offline", action="store_true",
                   help="不连镇服务器，只与本机记下的位置核对 / do not ask the town server")
    p.set_defaults(handler=cmd_check)


def _parse_villages(text: str) -> list[VillageSpec]:
    out = []
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        code, sep, name = part.partition("=")
        if not sep:
            raise DomainError("cli.bad_villages", part=part.strip())
        out.append(VillageSpec(code.strip(), name.strip()))
    return out


def cmd_init(env: Env) -> int:
    a = env.args
    password = read_secret("站长密码 / admin password: ", NEW_PASSWORD_ENV)
    view = init_station(env.ctx, town_code=a.town_code, town_name=a.town_name, villages=_parse_villages(a.villages),
                        station_code=a.station_code, station_name=a.station_name, village_code=a.village,
                        admin_username=a.admin_user, admin_name=a.admin_name, admin_password=password,
                        phone=a.phone, supervision_phone=a.supervision_phone)
    env.out.data(view)
    env.out.line(env.out.t(f"已建立站点：{view.town_name} {view.station_name}（{view.station_code}），"
                           f"数据文件夹 {env.data_dir}", f"Station {view.station_code} set up in {env.data_dir}"))
    return 0


def cmd_demo(env: Env) -> int:
    if database_path(env.data_dir).exists() and is_initialised(env.ctx):
        raise DomainError("station.already_initialised", station=station_view(env.ctx).station_code)
    result = build_demo(env.ctx, residents=env.args.residents, seed=env.args.seed)
    env.out.data({"station": result.station, "residents": result.imported.created, "cases": result.cases,
                  "users": [u[0] for u in DEMO_STAFF], "password": DEMO_PASSWORD})
    env.out.line(env.out.t(
        f"演示站点已建好：{result.station.town_name} {result.station.station_name}，"
        f"居民 {result.imported.created} 人，办件 {result.cases} 件。\n"
        f"账号：{'、'.join(u[0] for u in DEMO_STAFF)}，密码均为 {DEMO_PASSWORD}\n数据文件夹：{env.data_dir}",
        f"Demo station ready: {result.imported.created} residents, {result.cases} cases. "
        f"Users {', '.join(u[0] for u in DEMO_STAFF)}, password {DEMO_PASSWORD}. Data: {env.data_dir}"))
    return 0


def cmd_info(env: Env) -> int:
    view = station_view(env.ctx)
    env.out.data(view)
    env.out.line(f"{view.town_name}（{view.town_code}） {view.station_name}（{view.station_code}）")
    env.out.line(env.out.t("各村：", "Villages: ") + "、".join(f"{v.name}({v.code})" for v in view.villages))
    env.out.line(env.out.t("事项目录：", "Catalogue: ") + "，".join(f"{c}@{v}" for c, v in view.catalog_versions))
    env.out.line(env.out.t("数据文件夹：", "Data folder: ") + str(env.data_dir))
    return 0


def cmd_staff_add(env: Env) -> int:
    actor = env.actor()
    a = env.args
    password = read_secret(f"{a.username} 的新密码 / new password: ", NEW_PASSWORD_ENV)
    view = add_staff(env.ctx, actor=actor, username=a.username, display_name=a.name, staff_no=a.staff_no,
                     role=Role(a.role), post=Post(a.post), password=password)
    env.out.data(view)
    env.out.line(env.out.t(
        f"已新增工作人员 {view.display_name}（{view.username}，{view.role.label_zh}，{view.post}岗）",
        f"Added {view.username}"))
    return 0


def cmd_staff_list(env: Env) -> int:
    actor = env.actor()
    rows = list_staff(env.ctx, actor=actor)
    env.out.data(rows)
    env.out.table(["工号", "账号", "姓名", "角色", "岗位"],
                  [[s.staff_no, s.username, s.display_name, s.role.label_zh, s.post.value + "岗"] for s in rows])
    return 0


def cmd_backup(env: Env) -> int:
    actor = env.actor()
    dest = Path(env.args.to).expanduser() if env.args.to else None
    path = maintenance.backup(env.ctx, actor=actor, dest=dest)
    scans = maintenance.copy_scans(env.ctx, actor=actor, dest=dest) if dest is not None else None
    env.out.data({"backup": str(path), "scans": scans.files if scans else None,
                  "scans_copied": scans.copied if scans else None})
    env.out.line(env.out.t(f"备份完成并已校验：{path}", f"Backup written and verified: {path}"))
    if scans is not None and scans.files:
        env.out.line(env.out.t(f"扫描件 {scans.files} 个在 {scans.folder}（这次新复制 {scans.copied} 个）",
                               f"{scans.files} scans in {scans.folder} ({scans.copied} copied this time)"))
    return 0


def cmd_backups(env: Env) -> int:
    """Works on a damaged station too: it reads the backup files only, never the station's database."""
    found = station_backups.backups(env.data_dir)
    good = station_backups.last_good_backup(env.data_dir)
    lang = env.out.lang
    damage = station_backups.station_damage(env.data_dir)
    env.out.data({"station_damage": damage,
                  "backups": [{"path": str(b.path), "made_at": b.made_at.isoformat(timespec="seconds"),
                               "kind": b.kind, "reason": b.reason, "size": b.size, "ok": b.ok, "problem": b.problem,
                               "revision": b.revision, "last_good": good is not None and b.path == good.path}
                              for b in found],
                  "last_good": str(good.path) if good else None})
    folder = env.data_dir / "backups"
    if damage is not None:
        env.out.line(render("restore.cli_station_damaged", {"detail": damage}, lang))
    if not found:
        env.out.line(env.out.t(f"{folder} 里还没有备份。", f"No backups in {folder} yet."))
        return 0
    env.out.table(
        [env.out.t("时间", "made"), env.out.t("种类", "kind"), env.out.t("原因", "why"), "MB",
         env.out.t("状态", "state"), env.out.t("文件", "file")],
        [[f"{b.made_at:%Y-%m-%d %H:%M}", render(f"backup.kind.{b.kind}", {}, lang),
          render(f"backup.reason.{b.reason}", {}, lang), f"{b.size / 1048576:.1f}",
          (env.out.t("完好", "ok") if b.ok else env.out.t("有问题：", "damaged: ") + b.problem)
          + (env.out.t(" ← 最近一次完好", " ← last good") if good is not None and b.path == good.path else ""),
          b.path.name] for b in found])
    env.out.line(env.out.t(f"文件夹：{folder}", f"Folder: {folder}"))
    if station_backups.pending_restore(env.data_dir) is not None:
        env.out.line(env.out.t("已在窗口里选好要恢复的备份：下次打开窗口时恢复。",
                               "A backup chosen in the window is restored when the window opens next."))
    return 0


def cmd_restore(env: Env) -> int:
    """A station head signs in first: to this station when its file can be read (``--user`` as usual), else
    with a station head's account held in the backup itself. A backup that is not this station's is refused."""
    a = env.args
    if bool(a.file) == bool(a.last):
        raise DomainError("cli.restore_what")
    if station_backups.counter_is_open(env.data_dir):
        raise DomainError("restore.counter_open")
    if a.last:
        good = station_backups.last_good_backup(env.data_dir, station=a.station)
        if good is None:
            raise DomainError("restore.no_backup", backups=str(env.data_dir / "backups"))
        info = good
    else:
        info = station_backups.check_backup(Path(a.file).expanduser())
    source = info.path
    maintenance.check_restorable(env.data_dir, source, station=a.station)
    lang = env.out.lang
    if a.recovery_code:  # no account left to sign in with: the town vouches for this restore
        known = maintenance.known_station(env.data_dir)
        by = maintenance.restorer_by_town(env.data_dir, station=a.station or (known.station_code if known else ""),
                                          code=a.recovery_code)
    elif maintenance.readable_station(env.data_dir) is not None:
        by = maintenance.restorer(env.actor())
    else:
        env.out.line(render("restore.cli_sign_in_from_backup", {"path": str(source)}, lang))
        user = a.user or os.environ.get(USER_ENV, "")
        if not user:
            raise DomainError("cli.user_needed", env=USER_ENV)
        password = read_secret(f"{user} 的密码（备份里的）/ password (as in the backup): ", PASSWORD_ENV)
        by = maintenance.sign_in_from_backup(env.data_dir, source, username=user, password=password)
    when = f"{info.made_at:%Y-%m-%d %H:%M}（{render(f'backup.reason.{info.reason}', {}, lang)}）"
    if not a.yes:
        if not sys.stdin.isatty():
            raise DomainError("cli.confirm_needed")
        answer = input(render("restore.cli_confirm", {"path": str(source), "when": when}, lang))
        if answer.strip().lower() not in ("yes", "y", "是"):
            env.out.line(env.out.t("未恢复。", "Not restored."))
            return 1
    env.close()  # the station's file is let go of before it is replaced
    done = maintenance.restore(env.data_dir, source, by=by, station=a.station, made_at=info.made_at)
    env.out.data({"restored_from": str(done.source), "made_at": done.made_at.isoformat(timespec="seconds"),
                  "safety_copy": str(done.safety), "by": done.by.username, "station": done.station_code,
                  "sync_recover": done.at.isoformat(timespec="seconds")})
    env.out.line(render("restore.cli_done", {"safety": str(done.safety), "by": done.by.display_name}, lang))
    _recover_now(env)
    return 0


def _recover_now(env: Env) -> None:
    """After a restore: an enrolled station asks the town at once for its numbers and its records the backup
    lacks — until then it takes no new number (it could reuse one the town has seen)."""
    from app.services import recovery
    from app.services.context import open_context
    from app.sync.client import sync_once

    ctx = open_context(env.data_dir)
    try:
        if not recovery.pending(ctx):
            return
        try:
            report = sync_once(ctx)
        except DomainError as e:
            env.out.line(render(e.code, e.params, env.out.lang))
            env.out.line(render("restore.recover_later", {}, env.out.lang))
            return
        env.out.line(render("restore.recovered", {"pulled": str(report.pulled)}, env.out.lang))
    finally:
        ctx.db.dispose()


def cmd_check(env: Env) -> int:
    from app.services import checking, replication

    actor = env.actor()
    anchors = [checking.parse_anchor(text) for text in env.args.anchor]
    town_said = ""
    if replication.status(env.ctx).enrolled and not env.args.offline:
        from app.sync.client import town_anchor

        try:
            anchors.append(town_anchor(env.ctx))
        except DomainError as e:  # no network: the anchors kept on this PC still count
            town_said = render(e.code, e.params, env.out.lang)
    report = checking.check(env.ctx, actor=actor, anchors=anchors)
    lang = env.out.lang
    words = 1 if lang == "en" else 0
    env.out.data({"ok": report.ok, "audit_entries": report.audit_entries, "cases": report.cases,
                  "attachments": report.attachments, "chain_links": report.chain_links,
                  "before_chain": report.before_chain, "unkeyed": report.unkeyed,
                  "covered": [{"kind": k, "what": (zh, en)[words]} for k, zh, en in checking.COVERED],
                  "not_covered": [{"kind": k, "what": (zh, en)[words]} for k, zh, en in checking.NOT_COVERED],
                  "anchors": [{"source": a.source, "chain_seq": a.chain_seq, "audit_seq": a.audit_seq, "at": a.at}
                              for a in report.anchors],
                  "findings": [{"area": f.area, "code": f.code, "message": render(f.code, dict(f.params), lang)}
                               for f in report.findings]})
    env.out.line(env.out.t(
        f"审计记录 {report.audit_entries} 条，校验链 {report.chain_links} 环，办件 {report.cases} 件，"
        f"附件 {report.attachments} 个。",
        f"{report.audit_entries} audit entries, {report.chain_links} chain links, {report.cases} cases, "
        f"{report.attachments} attachments."))
    env.out.line(env.out.t("检查的内容：", "Covered: ") + "；".join((zh, en)[words] for _, zh, en in checking.COVERED))
    env.out.line(env.out.t("不在检查之内：", "Not covered: ")
                 + "；".join((zh, en)[words] for _, zh, en in checking.NOT_COVERED))
    for a in report.anchors:
        source = render(f"words.source.{a.source}", {}, lang)
        env.out.line(env.out.t(f"已与{source}的位置核对：链第 {a.chain_seq} 环，审计第 {a.audit_seq} 条"
                               + (f"（{a.at.replace('T', ' ')[:16]}）" if a.at else ""),
                               f"Compared with the {source} anchor: chain {a.chain_seq}, audit {a.audit_seq}"))
    if town_said:
        env.out.line(env.out.t(f"没能问镇服务器（{town_said}）：只与本机记下的位置核对。",
                               f"Could not ask the town ({town_said}): compared with the anchors kept here."))
    if report.unkeyed:
        env.out.line(env.out.t(f"其中 {report.unkeyed} 条是本版本之前按公开算法封的（没有密钥）："
                               "只能发现没有重新计算的改动。",
                               f"{report.unkeyed} were sealed before this release, without a key."))
    for f in report.findings:
        env.out.line("  ✗ " + render(f.code, dict(f.params), env.out.lang))
    env.out.line(env.out.t("检查通过，数据完好。", "All checks passed.") if report.ok else
                 env.out.t(f"发现 {len(report.findings)} 个问题，请联系镇技术人员。",
                           f"{len(report.findings)} problem(s) found: contact the town's technician."))
    return 0 if report.ok else 1

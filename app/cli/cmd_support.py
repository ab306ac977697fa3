"""``support-bundle``: the zip a town technician takes away (logs, versions, settings, a database check — no
personal data)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.paths import data_location
from app.services.support import write_support_bundle

if TYPE_CHECKING:
    from app.cli.main import Env


def register(sub: Any) -> None:
    p = sub.add_parser("support-bundle",
                       help="生成支持包（日志、版本、设置、数据库检查；不含居民信息）/ write a support bundle zip")
    p.add_argument("--to", default=".", help="写到的文件夹（如U盘）或 .zip 文件名；默认当前文件夹")
    p.set_defaults(handler=cmd_support_bundle)


def cmd_support_bundle(env: Env) -> int:
    actor = env.actor()
    where = data_location()
    mode = where.mode if where.path.resolve() == env.data_dir.resolve() else "custom"
    bundle = write_support_bundle(env.ctx, actor=actor, dest=Path(env.args.to).expanduser(),
                                  data_location=(str(env.data_dir), mode))
    env.out.data({"support_bundle": str(bundle.path), "files": list(bundle.files), "check_ran": bundle.check_ran})
    env.out.line(env.out.t(f"支持包已写好：{bundle.path}（不含居民信息，可以发给镇技术人员）",
                           f"Support bundle written: {bundle.path} (no personal data: send it to the town technician)"))
    if not bundle.check_ran:
        env.out.line(env.out.t("注意：数据库检查需要站长账号，这次没有做。", "Note: the database check needs the "
                               "station head's account and was left out."))
    return 0

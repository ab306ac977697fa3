"""The town administrator's console on the server: publishing the catalogue and the points rules, staff for the
stations, the town's read-only reports."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "town_admin.catalog_version_not_newer": (
        "{file_id} 的版本 {version} 不比已有的 {newest} 新：请把文件里的 version 改成比 {newest} 大的版本号再发布。",
        "{file_id} version {version} is not newer than {newest}: raise the file's version and publish again."),
    "town_admin.rules_version_not_newer": (
        "积分规则 {file_id} 的版本 {version} 不比已有的 {newest} 新：请把文件里的 version 改成比 {newest} 大的版本号再发布。",
        "Points rules {file_id} version {version} is not newer than {newest}: raise the version and publish again."),
    "town_admin.version_too_long": ("版本号“{version}”太长了：最多 {max} 个字符，如 2026.2。",
                                    "Version “{version}” is too long: at most {max} characters, e.g. 2026.2."),
    "town_admin.catalog_local": (
        "{catalog_id} 是某个站点自己的本地事项文件（scope: local），由站点自己安装，镇里不发布。",
        "{catalog_id} is a station's local file (scope: local): the station installs it, the town does not."),
    "town_admin.catalog_twice": ("同一次发布里 {catalog_id} 出现了两次：每个目录文件只给一份。",
                                 "{catalog_id} is given twice in one publication: give each file once."),
    "town_admin.unknown_station": (
        "镇里没有站点 {station}：先用 enrol 登记这个站点（python -m app.server stations 可查看已登记的站点）。",
        "The town has no station {station}: enrol it first (python -m app.server stations lists them)."),
    "town_admin.bad_month": ("月份“{value}”不对，请写成 2026-05 这样。", "Month “{value}” is wrong; write it like 2026-05."),
    "town_admin.password_mismatch": ("两次输入的密码不一样，请重新添加。",
                                     "The two passwords differ; add the staff member again."),
    "town_admin.no_password": (
        "没有输入密码：请在提示时输入，或在脚本里用环境变量 STATIONDESK_PASSWORD 给出。",
        "No password: type it when asked, or give it in STATIONDESK_PASSWORD for a script."),
}

"""Messages of the secrets a station keeps apart from its database (the sync credential and its keys)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "keys.unreadable": (
        "本站的密钥“{name}”在这台电脑上读不出来（{detail}）：它是在另一台电脑或另一个 Windows 账户下保存的，"
        "或者文件 {path} 已损坏。请镇管理员重新生成注册码，再在本站注册一次（station enrol）。",
        "This station's secret \"{name}\" cannot be read on this PC ({detail}): it was stored on another PC or "
        "by another Windows account, or the file {path} is damaged. Ask the town for a new enrolment code and "
        "enrol the station again (station enrol)."),
    "keys.too_open": (
        "密钥文件 {path} 别的账户也能读（权限 {mode}），本站不用它：请把它改成只有本账户可读（chmod 600），"
        "或请镇管理员重新生成注册码，再注册一次。",
        "The key file {path} can be read by other accounts (mode {mode}), so it is not used: make it readable by "
        "its owner only (chmod 600), or ask the town for a new enrolment code and enrol again."),
    "keys.cannot_write": (
        "本站的密钥存不进 {path}（{detail}）：请检查数据文件夹能不能写入、磁盘是不是满了，然后再试。",
        "This station's secret could not be stored in {path} ({detail}): check that the data folder can be "
        "written and the disk is not full, then try again."),
    "keys.credential_missing": (
        "本站在镇服务器（{url}）注册过，但这台电脑上没有它的凭据（例如从备份恢复到了另一台电脑）："
        "请镇管理员重新生成注册码，再在本站注册一次（station enrol）。",
        "This station was enrolled with the town server ({url}), but its credential is not on this PC (restored "
        "from a backup onto another PC, say): ask the town for a new enrolment code and enrol again "
        "(station enrol)."),
}

"""Messages of restoring a station from a backup: who may, which file, and what happens to the town's numbers."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # which file: only this station's own backups
    "restore.other_station": ("{path} 是 {theirs} 站的备份，不是本站（{ours}）的，不能恢复到这里。请选择本站 {ours} 的备份。",
                              "{path} is a backup of station {theirs}, not of this station ({ours}): it cannot be "
                              "restored here. Choose a backup of {ours}."),
    "restore.other_town": ("{path} 是另一个镇（{theirs_town}）的 {theirs} 站的备份；本站 {ours} 属于 {ours_town}。不能恢复到这里，"
                           "请选择本站 {ours} 的备份。",
                           "{path} is a backup of station {theirs} of another town ({theirs_town}); this station "
                           "{ours} belongs to {ours_town}. It cannot be restored here: choose a backup of {ours}."),
    "restore.town_server_file": ("{path} 是镇服务器的数据库，不是村站的备份，不能恢复到站点上（本站是 {ours}）。请选择本站的备份。",
                                 "{path} is the town server's database, not a station's backup: it cannot be "
                                 "restored on a station (this one is {ours}). Choose this station's backup."),
    "restore.station_unknown": ("本站的数据库打不开，数据文件夹里也没有 station.json，不知道这里原来是哪个站（这个备份是 {theirs} 站的）。"
                                "请确认后说明本站的站点代码，例如 restore --last --station {theirs}。",
                                "The station's database cannot be read and there is no station.json in the data "
                                "folder, so which station lived here is not known (this backup is of {theirs}). "
                                "Check, then name this station, e.g. restore --last --station {theirs}."),
    "restore.station_named_differs": ("这里是 {ours} 站，不是 {named}。请检查站点代码，或不写 --station。",
                                      "This is station {ours}, not {named}. Check the code, or leave out --station."),
    # who: a station head, of this station or (the file unreadable) as held in the backup
    "restore.account_needed": ("请填写站长的账号和密码。", "Type the station head's user name and password."),
    "restore.sign_in_failed": ("账号或密码不对。本站的数据库打不开，要用这个备份里站长的账号和密码（备份那天的密码）。"
                               "还可以再试 {left} 次。",
                               "Wrong user name or password. The station's database cannot be read, so use a "
                               "station head's account as it is in this backup (the password of that day). "
                               "{left} more tries."),
    "restore.sign_in_locked": ("密码连续输错 5 次，要等到 {until} 才能再试。", "Five wrong passwords in a row: try "
                               "again after {until}."),
    "restore.head_needed": ("{username} 不是站长账号。恢复备份要用站长的账号。", "{username} is not a station head's "
                            "account. Restoring a backup needs a station head."),
    "restore.not_this_stations_head": ("{username} 是 {station} 站的账号，不是这个备份的站点（{theirs}）的站长。",
                                       "{username} belongs to station {station}, not to this backup's station "
                                       "({theirs})."),
    "restore.sign_in_here": ("本站的数据库完好：恢复要由本站 {station} 现在的站长登录（--user 站长账号）。",
                             "The station's database is sound: a station head of {station} signs in to restore "
                             "(--user with a head's account)."),
    "restore.sign_in_again": ("登录和要恢复的备份对不上，请重新登录后再恢复。",
                              "The sign-in does not match the backup being restored: sign in again."),
    "restore.pending_unsigned": ("上次选好的恢复没有记下是哪位站长选的，没有恢复，原来的数据照常打开。请站长在“系统”菜单里重新选择备份。",
                                 "The restore chosen last time does not say which station head chose it: nothing "
                                 "was restored and the station opens as it was. Choose the backup again "
                                 "(System menu)."),
    # the admin CLI
    "restore.cli_sign_in_from_backup": ("本站的数据库打不开：请用备份 {path} 里站长的账号和密码登录（--user 站长账号）。",
                                        "The station's database cannot be read: sign in with a station head's "
                                        "account as held in the backup {path} (--user)."),
    "restore.cli_confirm": ("用 {path} {when}替换当前数据？当前数据会先另存一份。输入 yes 确认：",
                            "Replace the current data with {path} {when}? The current data is kept first. Type yes: "),
    "restore.cli_done": ("已恢复（{by}）。原来的数据另存在 {safety}。下次同步时向镇里补齐本站的数据。",
                         "Restored (by {by}). The previous data is at {safety}. The next sync asks the town for "
                         "this station's records."),
    "restore.cli_station_damaged": ("本站的数据库文件有问题（{detail}）：请站长用 restore --last 恢复最近一次完好的备份"
                                    "（用备份里站长的账号登录）。",
                                    "The station's database file is damaged ({detail}): a station head restores the "
                                    "last good backup with restore --last (signing in as held in the backup)."),
    # the counter's recovery dialog (app/ui/recovery.py)
    "restore.ui_sign_in": ("恢复前请站长登录：用这个备份里站长的账号和密码（备份那天的密码）。",
                           "Before restoring, a station head signs in with an account as it is in this backup "
                           "(the password of that day)."),
    "restore.ui_account": ("站长账号(&U)", "Station head's &user name"),
    "restore.ui_password": ("密码(&P)", "&Password"),
    "restore.ui_station": ("本站代码(&C)", "This station's &code"),
    "restore.ui_station_hint": ("程序不知道这里原来是哪个站（这个备份是 {theirs} 站的）。请填本站的站点代码。",
                                "Which station lived here is not known (this backup is of {theirs}): type this "
                                "station's code."),
    "restore.ui_restore": ("登录并恢复(&R)", "Sign in and &restore"),
    "restore.ui_quit": ("不恢复，退出(&Q)", "Do not restore, &quit"),
    "restore.ui_station_needed": ("请填写本站的站点代码。", "Type this station's code."),
}

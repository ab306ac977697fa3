"""Town sync: enrolment, the connection to the town server, and what a station may send."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "sync.not_your_record": ("站点 {station} 不能上传属于 {origin} 的{table}记录。",
                             "Station {station} cannot send a {table} record of {origin}."),
    "sync.bad_station_code": ("站点编号“{code}”不对。", "Station code “{code}” is not right."),
    "sync.bad_enrolment": ("注册码不对（站点 {station}）：请核对镇里给的注册码，注意是一次性的。",
                           "Wrong enrolment code for {station}: check the code the town gave; it works once."),
    "sync.enrolment_expired": ("站点 {station} 的注册码已过期：请镇管理员重新生成。",
                               "The enrolment code of {station} has expired: ask the town for a new one."),
    "sync.bad_credential": ("镇服务器不认这台电脑（站点 {station}）：请镇管理员重新生成注册码，再在本站注册一次。",
                            "The town server does not know this PC ({station}): enrol the station again."),
    "sync.unknown_station": ("镇服务器上没有站点 {station}。", "The town server has no station {station}."),
    "sync.bad_url": ("服务器地址“{url}”不对，应像 https://town.example.cn 这样。",
                     "Server address “{url}”: it should look like https://town.example.cn."),
    "sync.https_needed": ("连镇服务器必须用 https（{url}）：明文 http 只能连本机。",
                          "Use https for the town server ({url}): plain http only to this PC."),
    "sync.unreachable": ("连不上镇服务器（{url}，{reason}）：数据都在本机，照常办理；网络好了再同步，或用 U 盘同步包。",
                         "Cannot reach the town server ({url}, {reason}): work goes on here; sync later or use a USB bundle."),
    "sync.server_error": ("镇服务器出错（{status}）：请稍后再试，或告诉镇技术人员。",
                          "The town server failed ({status}): try later or tell the town technician."),
    "sync.not_enrolled": ("本站还没有在镇服务器注册：请先用镇里给的注册码注册（station enrol）。",
                          "This station is not enrolled yet: enrol with the town's code first (station enrol)."),
    "sync.bad_request": ("镇服务器看不懂本站发来的内容（{detail}）：请升级软件，或告诉镇技术人员。",
                         "The town server could not read what was sent ({detail}): update the software."),
    "bundle.cannot_write": ("同步包写不到 {path}（{reason}）：请检查 U 盘是否插好、是否写保护。",
                            "Cannot write the bundle to {path} ({reason}): check the USB stick."),
    "bundle.unreadable": ("{path} 不是本软件的同步包，或已经损坏。", "{path} is not a StationDesk bundle, or it is damaged."),
    "bundle.tampered": ("同步包 {path} 在写出之后被改动过，已拒绝：请重新导出。",
                        "The bundle {path} was changed after it was written: refused. Export it again."),
    "bundle.not_ours": ("这个回执包是给站点 {theirs} 的，不是本站（{station}）的：{path}",
                        "This reply is for station {theirs}, not {station}: {path}"),
    "bundle.gap": ("回执包 {path} 从第 {after} 条开始，本站只到第 {cursor} 条：中间还缺一个回执包，请按顺序导入。",
                   "The reply {path} starts after {after}, this station is at {cursor}: import the replies in order."),
    "sync.frozen": ("本站已 {days} 天没有和镇里同步（规定 {block} 天内必须同步）：请先同步（网络好时点“立即同步”），"
                    "或用 U 盘同步包到镇里导入，再受理新的办件。已受理的办件照常办理。",
                    "No sync with the town for {days} days (the limit is {block}): sync, or take a USB bundle to "
                    "the town, before accepting new cases. Cases already accepted go on as usual."),
    "sync.protocol": ("本站软件的同步协议（{theirs}）和镇服务器（{ours}）不一致：请升级软件。",
                      "Sync protocol {theirs} here, {ours} at the town: update the software."),
}

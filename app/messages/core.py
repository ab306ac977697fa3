"""Messages for general, station, staff, resident, case, import, storage and CLI errors."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "form.invalid": ("有 {count} 处需要修改：", "{count} problem(s) to fix:"),
    "file.not_utf8": ("不是 UTF-8 编码：请用记事本“另存为”UTF-8 后再试。",
                      "Not UTF-8: save it as UTF-8 (e.g. Notepad, Save as) and try again."),
    "file.not_json": ("第 {line} 行第 {column} 列：JSON 格式错误（{reason}）。",
                      "Line {line}, column {column}: not valid JSON ({reason})."),
    "file.not_found": ("找不到文件：{path}。请检查文件名和位置。", "File not found: {path}. Check the name and folder."),
    # station and town
    "station.not_initialised": ("本机还没有建立站点。请先运行 init（或 demo 建演示站点）。",
                                "No station is set up here yet. Run init (or demo) first."),
    "station.already_initialised": ("本机已经建立了站点 {station}，不能重复建立。",
                                    "Station {station} is already set up here."),
    "town.bad_code": ("{kind}代码“{code}”不对：只能用 2-20 位字母或数字。",
                      "The {kind} code “{code}” must be 2–20 letters or digits."),
    "town.bad_code.kind.town": ("镇", "town"),
    "town.bad_code.kind.station": ("本站", "station"),
    "town.bad_code.kind.village": ("村", "village"),
    "town.bad_name.kind.town": ("镇", "town"),
    "town.bad_name.kind.station": ("本站", "station"),
    "town.bad_name.kind.village": ("村", "village"),
    "town.bad_name.kind.staff": ("工作人员", "staff"),
    "town.bad_name": ("{kind}名称“{name}”不对：需要 1-40 个字。", "The {kind} name “{name}” must be 1–40 characters."),
    "town.no_villages": ("至少要有一个村。", "Give at least one village."),
    "town.duplicate_village": ("村代码有重复，请检查。", "A village code appears twice."),
    "town.unknown_village": ("没有“{village}”这个村。本镇的村有：{known}。",
                             "There is no village “{village}”. Villages: {known}."),
    "catalog.no_standard": ("事项目录缺少 47 项标准事项文件，请联系镇管理员重新发布目录。",
                            "The catalogue lacks the 47 standard items; ask the town to republish it."),
    # staff and login
    "perm.denied": ("您的角色（{role}）不能做这项操作，请找站长办理。",
                    "Your role ({role}) may not do this; ask the station head."),
    "login.failed": ("账号或密码不对，请重新输入。", "Wrong user name or password."),
    "login.other_station": ("这是 {station} 站的账号，只能在本人所在的站点登录。调到本站工作请找镇管理员。",
                            "This account belongs to station {station}: it signs in there only. Ask the town "
                            "administrator to move it here."),
    "login.locked": ("密码连续输错多次，账号已锁定到 {until}。请稍后再试，或找站长处理。",
                     "Too many wrong passwords: locked until {until}."),
    "staff.bad_username": ("登录名“{username}”不对：用 2-32 位小写字母、数字、点或下划线。",
                           "User name “{username}”: use 2–32 lower-case letters, digits, dots or underscores."),
    "staff.weak_password": ("密码太简单：至少 {min} 位，不要用重复的数字。",
                            "Password too weak: at least {min} characters, not repeated digits."),
    "staff.bad_staff_no": ("工号“{staff_no}”不对：1-20 个字符。", "Staff number “{staff_no}” must be 1–20 characters."),
    "staff.duplicate_username": ("登录名 {username} 已经有人用了，请换一个。", "User name {username} is taken."),
    "staff.not_found": ("找不到这位工作人员（{staff}）。", "Staff member {staff} not found."),
    # residents
    "resident.name_empty": ("请填写姓名。", "Enter the name."),
    "resident.bad_name": ("姓名“{name}”不对：2-20 个汉字或字母，少数民族姓名中间用“·”。",
                          "Name “{name}”: 2–20 characters; use “·” inside minority names."),
    "resident.bad_gender": ("性别“{gender}”不对：填“男”或“女”。", "Gender “{gender}”: use M or F."),
    "resident.bad_relation": ("与户主关系“{relation}”太长（最多 10 个字）。", "Relation “{relation}” is too long."),
    "resident.exists": ("这个证件号码已经登记过了：{name}（{village}）。请直接查找这位居民。",
                        "This ID is already registered: {name} ({village}). Search for them instead."),
    "resident.not_found": ("找不到这位居民，请重新查找。", "Resident not found; search again."),
    "resident.not_editable": ("这些项目不能在这里修改：{fields}。证件号码登记错了请找站长。",
                              "These cannot be changed here: {fields}."),
    "resident.reveal_purpose": ("查看完整证件号码要写明用途（会记入审计）。",
                                "Say why you need the full number (it is audited)."),
    # cases
    "case.bad_number": ("办件编号“{number}”格式不对，应为 站点代码-日期-序号，如 QX01-20261123-0001。",
                        "Case number “{number}” should look like QX01-20261123-0001."),
    "case.bad_transition": ("这件事现在是“{state}”，不能再做这一步。", "The case is “{state_en}”: this step is not allowed."),
    "handover.no_such_staff": ("本站没有账号为“{username}”的在岗工作人员，请选一位接班的同事。",
                               "No active staff member “{username}” at this station: choose who takes over."),
    "handover.same_person": ("不能交接给自己，请选接班的同事。", "You cannot hand over to yourself."),
    "rating.bad_level": ("评价只能是 1 到 5：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意。",
                         "A rating is 1 to 5: 5 very satisfied … 1 very dissatisfied."),
    "rating.already": ("办件 {case_no} 已经评价过了，每件只能评价一次。", "Case {case_no} has already been rated; a case is rated once."),
    "follow_up.note_required": ("请写明怎么整改、怎么回访的（至少几个字），再关闭。",
                                "Write what was done and how the resident was answered before closing."),
    "follow_up.not_found": ("找不到这条整改回访记录。", "That follow-up was not found."),
    "follow_up.already_done": ("这条整改回访已经关闭了。", "That follow-up is already closed."),
    "case.not_found": ("找不到办件 {case}。请核对办件编号。", "Case {case} not found."),
    "case.other_station": ("办件 {case_no} 是 {station} 站受理的，只能由该站办理。",
                           "Case {case_no} belongs to station {station}."),
    "case.item_mismatch": ("咨询 {case_no} 是“{item}”事项，不能转为其他事项受理。",
                           "Consultation {case_no} is for “{item}”."),
    "case.applicant_mismatch": ("咨询 {case_no} 是另一位居民登记的，不能转为这位居民的办件。请重新查找申请人。",
                                "Consultation {case_no} was recorded for another resident."),
    "case.unknown_material": ("“{item}”的材料清单里没有：{codes}。", "Not on the materials list of “{item}”: {codes}."),
    "case.proxy_relation_required": ("请填写代办人与申请人的关系。", "Enter the proxy's relation to the applicant."),
    "case.proxy_not_household": ("选的代办人不是申请人家里的人：请重新选，或选“其他人”手工填写。",
                                 "The proxy picked is not of the applicant's household: pick again, or choose "
                                 "\u201canother person\u201d and type the details."),
    "case.reason_required": ("请写明原因（至少两个字），会告知申请人。", "Give the reason (it is told to the applicant)."),
    # attachments, storage, backup
    "attachment.bad_type": ("“{name}”不是能保存的扫描件。可以用：{allowed}。", "“{name}” is not a supported scan ({allowed})."),
    "attachment.too_big": ("“{name}”太大（超过 {max_mb} MB）。请降低扫描分辨率后再附上。",
                           "“{name}” is larger than {max_mb} MB."),
    "storage.no_data_dir": ("没有数据文件夹，不能保存附件。", "No data folder: cannot store attachments."),
    "storage.not_sqlite": ("这项操作只用于本机的 SQLite 数据库。", "This only works on the station's SQLite database."),
    "backup.exists": ("备份文件 {path} 已经存在，请换个名字或文件夹。", "Backup {path} already exists."),
    "backup.verify_failed": ("备份写好后校验失败（{detail}），已删除。请换个U盘或文件夹再试。",
                             "The backup failed its check ({detail}) and was removed."),
    "backup.no_space": ("{folder} 所在的磁盘空间不够（这份备份约需 {need_mb} MB）。请清理磁盘或换一个U盘、文件夹再备份。",
                        "Not enough free space for {folder} (the backup needs about {need_mb} MB). Free some space "
                        "or choose another USB stick or folder."),
    "backup.failed": ("备份没有写成（{detail}）。数据没有受影响。请看看U盘是否插好、文件夹能否写入、磁盘是否已满，再试一次。",
                      "The backup could not be written ({detail}). No data was affected. Check that the USB stick "
                      "is in, the folder can be written and the disk is not full, then try again."),
    "backup.after_close_failed": ("日结已完成，但日结后的自动备份没有做成（{reason}：{detail}）。日结的数据不受影响；请站长在“系统”菜单里"
                                  "用“备份到U盘/文件夹…”手工备份一次，并请镇技术人员看看这台电脑。",
                                  "The day is closed, but the automatic backup after the close could not be made "
                                  "({reason}: {detail}). The close is not affected; ask the station head to make a "
                                  "backup by hand (System menu, Back up to a USB stick or folder…) and have the "
                                  "town's technician look at this PC."),
    "backup.after_close_failed.reason.no_space": ("磁盘空间不够", "the disk is full"),
    "backup.after_close_failed.reason.verify_failed": ("备份校验没有通过", "the copy failed its check"),
    "backup.after_close_failed.reason.failed": ("写备份时出错", "writing it failed"),
    "backup.kind.daily": ("每日", "daily"),
    "backup.kind.monthly": ("每月", "monthly"),
    "backup.kind.manual": ("手工", "by hand"),
    "backup.kind.before-upgrade": ("升级前", "before upgrade"),
    "backup.kind.before-restore": ("恢复前", "before restore"),
    "backup.reason.close": ("每日结账", "daily close"),
    "backup.reason.exit": ("退出程序时", "on exit"),
    "backup.reason.manual": ("手工备份", "made by hand"),
    "backup.reason.upgrade": ("升级前", "before an upgrade"),
    "backup.reason.restore": ("恢复前", "before a restore"),
    "restore.not_a_backup": ("{path} 不是可用的村站通备份（{detail}）。请选择 backups 文件夹里的备份。",
                             "{path} is not a usable StationDesk backup ({detail})."),
    "restore.no_backup": ("在 {backups} 里找不到可用的备份。请不要删除任何文件，联系镇技术人员。",
                          "No usable backup in {backups}. Do not delete any file; contact the town's technician."),
    "backup.scans_failed": ("数据库已备份好，但扫描件没能复制到 {folder}（{detail}）。请检查U盘是否写满或已拔出，再备份一次。",
                            "The database is backed up, but the scans could not be copied to {folder} ({detail}). "
                            "Check the USB stick is not full or removed and back up again."),
    "restore.scans_failed": ("备份旁边的扫描件没能复制回来（{folder}：{detail}）。没有恢复；请检查U盘后再试。",
                             "The scans beside the backup could not be copied back ({folder}: {detail}). Nothing "
                             "was restored; check the USB stick and try again."),
    "restore.pending": ("备份 {made_at} 已检查无误，准备好了恢复。请关闭村站通再打开：打开时用它替换现在的数据，现在的数据"
                        "另存为安全副本，不会删除。",
                        "The backup of {made_at} is checked and ready. Close StationDesk and open it again: it then "
                        "replaces the current data, which is kept as a safety copy."),
    "upgrade.backup_failed": ("新版本要先备份数据库再升级，但备份没有做成（{detail}）。数据库没有改动。请检查磁盘空间后重新打开"
                              "村站通；仍不行请联系镇技术人员。",
                              "The new version backs up the database before upgrading it, and the backup could not be "
                              "made ({detail}). The database is unchanged. Free some disk space and open StationDesk "
                              "again; if that fails, contact the town's technician."),
    "db.unreadable": ("本站的数据库文件 {path} 打不开（{detail}），可能已损坏。请联系镇技术人员用 {backups} 里最近的备份恢复"
                      "（stationdesk-admin restore --last）；不要删除这个文件。",
                      "The station's database {path} cannot be opened ({detail}); it may be damaged. Ask the town "
                      "technician to restore the latest backup from {backups} (stationdesk-admin restore --last); do "
                      "not delete the file."),
    "db.newer_version": ("数据库文件 {path} 是更新版本的村站通做的（数据库版本 {revision}），这个版本打不开它。请安装最新版本的"
                         "村站通。",
                         "The database {path} was made by a newer release of StationDesk (schema {revision}); this "
                         "release cannot open it. Install the latest release."),
    # the counter's offer of the last good backup when the station's file is damaged (app/ui/recovery.py)
    "db.recovery_offer": ("本站数据库文件已损坏，打不开。\n最近一次完好的备份是 {made_at}（{reason}）。用它恢复吗？\n\n"
                          "当前文件会另存为安全副本，不会删除。这份备份之后办理的业务需要补录。",
                          "The station's database file is damaged and cannot be opened.\nThe last good backup is of "
                          "{made_at} ({reason}). Restore it?\n\nThe current file is kept as a safety copy, not "
                          "deleted. Whatever was recorded after that backup has to be entered again."),
    "db.recovery_offer.reason.close": ("每日结账", "daily close"),
    "db.recovery_offer.reason.exit": ("退出程序时", "on exit"),
    "db.recovery_offer.reason.manual": ("手工备份", "made by hand"),
    "db.recovery_offer.reason.upgrade": ("升级前", "before an upgrade"),
    "db.recovery_restore": ("恢复", "Restore"),
    "db.recovery_quit": ("退出", "Quit"),
    "db.recovery_working": ("正在用备份恢复，请稍候…", "Restoring the backup, please wait…"),
    "db.recovered": ("已用 {made_at} 的备份恢复。原来的文件另存在 {safety}。这份备份之后办理的业务请补录。",
                     "Restored the backup of {made_at}. The previous file is kept at {safety}. Enter again whatever "
                     "was recorded after that backup."),
    "db.recovery_declined": ("没有恢复，村站通现在退出。损坏的文件 {path} 和 {backups} 里的备份都没有改动。请联系镇技术人员。",
                             "Not restored: StationDesk quits now. The damaged file {path} and the backups in "
                             "{backups} are unchanged. Contact the town's technician."),
    "db.recovery_no_backup": ("本站数据库文件 {path} 已损坏，打不开（{detail}），{backups} 里也没有可用的备份。请不要删除或移动"
                              "这个文件，联系镇技术人员来处理（本站同步到镇里的数据镇里还有）。",
                              "The station's database {path} is damaged and cannot be opened ({detail}), and there is "
                              "no usable backup in {backups}. Do not delete or move the file; contact the town's "
                              "technician (what the station synced is still at the town)."),
    # integrity check findings
    "check.db_corrupt": ("数据库文件有损坏：{detail}。请用最近的备份恢复。", "The database is damaged: {detail}. Restore the latest backup."),
    "check.index_missing": ("查找用的索引 {index} 不见了（多半是导入花名册时断了电）。关闭本程序再打开，会自动重建。",
                            "The search index {index} is missing (probably a roster import was cut off). Close and reopen the program to rebuild it."),
    "check.audit_hash": ("审计记录第 {seq} 条被改动过。", "Audit entry {seq} was edited."),
    "check.audit_link": ("审计记录第 {seq} 条前面的记录被删除或调换过。", "An audit entry before {seq} was removed or moved."),
    "check.audit_gap": ("审计记录在第 {seq} 条前缺号。", "Audit entries are missing before {seq}."),
    "check.bad_case_no": ("办件编号 {case_no} 格式不对。", "Case number {case_no} is malformed."),
    "check.case_gap": ("{station} 站 {day} 的办件编号缺少第 {seq} 号。", "Station {station}, {day}: case number {seq} is missing."),
    "check.attachment_missing": ("附件“{file}”找不到了（办件 {case}）。", "Attachment “{file}” is missing (case {case})."),
    "check.attachment_changed": ("附件“{file}”的内容被改动过（办件 {case}）。", "Attachment “{file}” was changed (case {case})."),
    # import
    "import.unknown_type": ("{path}：只能导入 .csv 或 .xlsx 文件。", "{path}: only .csv or .xlsx files can be imported."),
    "import.xls_unsupported": ("{path} 是旧的 .xls 格式。请在 Excel/WPS 里“另存为” .xlsx 后再导入。",
                               "{path} is an old .xls file: save it as .xlsx first."),
    "import.bad_xlsx": ("{path} 是 Excel 工作簿，但内容已损坏，打不开。请从原来的地方重新复制一份；如果它在 Excel 或 WPS 里能正常打开，"
                        "就在那里“另存为”一份新的 .xlsx 文件再导入。",
                        "{path} is an Excel workbook, but it is damaged and cannot be opened. Copy it again from where "
                        "it came from; if Excel or WPS opens it, save it there as a new .xlsx file (Save as) and "
                        "import that."),
    "import.bad_encoding": ("不认识的编码“{encoding}”。常用的是 utf-8 或 gbk。", "Unknown encoding “{encoding}”."),
    "import.decode_failed": ("{path} 第 {line} 行有读不出来的字：文件前面是 {encoding} 编码，这一行不是（可能是从别的文件拼接过来的，"
                             "或者文件已损坏）。导入停在这一行：前面没有问题的各行已经导入。请把第 {line} 行改正或删掉（或从原来的系统"
                             "重新导出一份），再导入一次，已导入的人不会重复。",
                             "{path} line {line} holds bytes that are not text: the file before it is {encoding}, this "
                             "line is not (it may have been pasted from another file, or the file is damaged). The "
                             "import stopped at this line: the good rows before it are imported. Correct or delete "
                             "line {line} (or export the file again from where it came from), then import it again: "
                             "no one is duplicated."),
    "import.no_header": ("{path} 前 10 行里找不到表头：至少要有“姓名”和“公民身份号码”（或“身份证号”）两列。最像表头的是第"
                         " {row} 行：{columns}。如果这两列用了别的名字，用 --map 说明哪一列是什么，例如 --map"
                         " \"证件号=id_number,名字=name\"；如果表头在第 10 行以下，请删掉它上面多余的行再导入。",
                         "{path}: no header row in the first 10 rows with the columns 姓名 (name) and 公民身份号码 "
                         "or 身份证号 (ID number). The row most like a header is row {row}: {columns}. If these columns "
                         "have other names, say which is which with --map, e.g. --map \"证件号=id_number,名字=name\"; "
                         "if the header is below row 10, delete the rows above it and import again."),
    "import.bad_mapping": ("列对应“{part}”写法不对，应为 列名=字段，字段可用：{fields}。",
                           "Mapping “{part}” should be header=field; fields: {fields}."),
    "import.no_village": ("文件里没有“所属村”列。请用 --village 指定这些居民属于哪个村（{villages}）。",
                          "No village column: use --village ({villages})."),
    "import.village_missing": ("这一行没有填所属村。", "This row has no village."),
    "import.id_as_number": ("身份证号被 Excel 存成了数字，后几位已经丢失。请把该列设为“文本”后重新录入或导出。",
                            "Excel stored the ID as a number and lost its last digits: format the column as text."),
    "import.reader_failed": ("读取 {path} 的后台进程意外停止（{detail}），导入中断。已导入的部分都已保存。请再导入一次，已导入的人不会"
                             "重复；如果又停在这里，请把这句话和这个花名册文件交给镇技术人员。",
                             "The background process reading {path} stopped ({detail}). What was imported is saved. "
                             "Import the file again (no one is duplicated); if it stops here again, give this message "
                             "and the roster file to the town's technician."),
    "import.duplicate_in_file": ("和第 {first_row} 行是同一个身份证号，这一行未导入。", "Same ID number as row {first_row}."),
    # CLI
    "cli.password_needed": ("需要密码：请设置环境变量 {env}，或在终端里运行以便输入。",
                            "A password is needed: set {env} or run in a terminal."),
    "cli.user_needed": ("请用 --user 指定工作人员账号（或设置环境变量 {env}）。", "Give --user (or set {env})."),
    "cli.bad_villages": ("村的写法“{part}”不对，应为 代码=村名，如 V01=青溪村。", "Write villages as CODE=Name: “{part}”."),
    "cli.bad_field": ("表单项“{field}”写法不对，应为 key=值。", "Write form fields as key=value: “{field}”."),
    "cli.restore_what": ("请给出要恢复的备份文件，或者用 --last 恢复最近一次完好的备份（二选一）。",
                         "Give the backup file to restore, or --last for the last good backup (one of the two)."),
    "restore.counter_open": ("村站通窗口正在使用这个数据文件夹。请先关闭窗口再恢复（或在窗口的“系统”菜单里选“从备份恢复…”）。",
                             "The StationDesk window has this data folder open. Close it first (or use System, "
                             "Restore from a backup… in the window)."),
    "cli.confirm_needed": ("恢复会替换当前数据：请在终端里运行以便确认，或加 --yes。",
                           "Restoring replaces the data: run in a terminal or add --yes."),
    "cli.internal_error": ("程序出了内部错误，操作没有完成，数据没有丢失。详情已记在 {log}，请发给镇技术人员。",
                           "Internal error: nothing was changed. Details are in {log}; send it to your technician."),
}

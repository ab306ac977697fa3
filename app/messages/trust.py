"""Messages of the town's trust rules: what a station may change, refusals, security events, anchors.

A refusal reaches the station in its acknowledgement and the town administrator as a security event: each
says what was refused and why, in words a station head and a town official read."""

from __future__ import annotations

_TABLES: dict[str, tuple[str, str]] = {
    "towns": ("镇", "town"), "villages": ("村", "village"), "stations": ("服务站", "station"),
    "staff": ("工作人员账号", "staff account"), "households": ("户", "household"), "residents": ("居民", "resident"),
    "catalog_files": ("事项目录", "service catalogue"), "calendar_files": ("工作日历", "working-day calendar"),
    "cases": ("办件", "case"), "case_events": ("办件记录", "case event"), "case_materials": ("办件材料", "case material"),
    "attachments": ("扫描件", "scan"), "ratings": ("好差评", "rating"), "follow_ups": ("整改回访", "follow-up"),
    "documents": ("单据", "document"), "payments": ("收款", "payment"), "station_settings": ("本站设置", "station setting"),
    "payment_events": ("收款处理记录", "payment event"), "cash_sessions": ("钱箱", "cash drawer"),
    "cash_moves": ("钱箱进出", "cash movement"), "day_closes": ("日结", "daily close"),
    "chain_links": ("防篡改链", "tamper-evidence chain link"), "points_rules_files": ("积分规则", "points rules"),
    "points_accounts": ("积分账户", "points account"), "points_entries": ("积分明细", "points entry"),
    "points_notices": ("积分公示", "points notice"), "points_declarations": ("积分申报", "points declaration"),
    "points_goods": ("积分超市商品", "points goods"), "points_redemptions": ("积分兑换", "points redemption"),
    "points_stock_moves": ("商品出入库", "stock movement"), "points_conflicts": ("超额兑换记录", "overspending record"),
}

_REASONS: dict[str, tuple[str, str]] = {
    "type": ("类型不对", "of the wrong type"), "too_long": ("太长", "too long"), "missing": ("没有填", "missing"),
    "not_in_list": ("不是规定的取值", "not one of the allowed values"), "out_of_range": ("超出范围", "out of range"),
    "bad_format": ("格式不对", "badly formed"), "not_derived": ("和它的来源不一致", "not derived from its source"),
    "not_a_stored_path": ("不是本软件存放扫描件的位置（可能指向数据文件夹以外）",
                          "not where the program stores scans (it may point outside the data folder)"),
    "not_its_digest": ("和文件的 SHA-256 不一致", "not the file's SHA-256"), "bad_json": ("不是有效的 JSON", "not valid JSON"),
    "bad_lines": ("收款明细不对", "not valid payment lines"), "not_the_sum": ("不等于明细合计", "not the sum of its lines"),
    "other_station": ("写的是别的站点", "naming another station"),
    "not_a_file_of_its_kind": ("不是这种文件", "not a file of its kind"),
    "not_what_the_file_says": ("和文件内容不一致", "not what the file says"), "not_a_date": ("不是日期", "not a date"),
    "not_a_clock_reading": ("不是时钟读数", "not a clock reading"), "not_a_time": ("不是时间", "not a time"),
    "not_its_id": ("编号不是按规定生成的", "not the id such a record is made with"),
    "not_for_a_new_record": ("新记录不能是这个值", "not a value a new record may have"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    **{f"words.table.{k}": v for k, v in _TABLES.items()},
    **{f"words.reason.{k}": v for k, v in _REASONS.items()},
    "trust.not_synced": ("“{table}”不是同步的记录，镇里没有收。", "“{table}” is not a synced record: not taken."),
    "trust.bad_value": ("字段 {field} 的值{reason}（{detail}）：镇里没有收这条记录。本站软件不会写出这样的值，请告诉镇技术人员。",
                        "Field {field} is {reason} ({detail}): the town did not take the record. The station's "
                        "software never writes such a value: tell the town technician."),
    "trust.not_its_origin": ("新记录写的来源是“{origin}”，不是本站：镇里没有收。",
                             "A new record naming “{origin}” as where it was made, not this station: not taken."),
    "trust.town_record": ("{table}是镇里的记录，只有镇管理员能改：镇里没有收本站的改动。",
                          "The {table} is the town's record; only the town administrator changes it: not taken."),
    "trust.other_town": ("这条记录属于别的镇（{town}）：镇里没有收。", "This record is of another town ({town}): not taken."),
    "trust.home_only": ("{field} 只有居民所在村（{owner}）的服务站能改：镇里没有收本站的改动。",
                        "Only a station of the record's own village ({owner}) may change {field}: not taken."),
    "trust.not_yours": ("这条记录属于 {owner}，本站不能改：镇里没有收。", "This record belongs to {owner}: not taken."),
    "trust.not_its_village": ("本站的记录写的是村 {village}，镇里登记本站服务的是 {enrolled}：镇里没有收。请联系镇管理员。",
                              "This station's record names village {village}; the town enrolled it for {enrolled}: "
                              "not taken. Call the town administrator."),
    "trust.names_other": ("{field} 指向{table}（属于 {owner}），不是本站的：镇里没有收。",
                          "{field} names a {table} of {owner}, not this station's: not taken."),
    "trust.not_that_record": ("这条记录的编号已被另一条记录使用：镇里没有收。",
                              "This record's id belongs to another record: not taken."),
    "trust.written_once": ("{table}写好后就不能再改：镇里没有收这个改动。",
                           "A {table} is written once and never changed: the change was not taken."),
    "trust.fixed_field": ("{field} 一经写好就不能再改：镇里没有收这个改动。", "{field} never changes once written: not taken."),
    "trust.final_state": ("{field} 已是“{value}”，不能再改回去：镇里没有收这个改动。",
                          "{field} is already “{value}” and cannot change back: not taken."),
    "trust.unknown_village": ("镇里没有村 {village}：这条记录没有收。请先请镇管理员在镇服务器上添加这个村。",
                              "The town has no village {village}: not taken. Ask the town administrator to add it."),
    "trust.parent_refused": ("这条{table}所属的记录镇里没有收，它也就没有收。",
                             "The record this {table} belongs to was not taken, so neither was it."),
    "trust.takeover": ("这个身份证号镇里已经登记在 {village} 村的一位居民名下：本站的重复登记不能取代它。请在居民卡上核对，"
                       "用已有的那一条办理。",
                       "This ID number is already registered to a resident of village {village}: a second "
                       "registration here cannot replace that record. Use the existing one."),
    "attachment.bad_path": ("扫描件记录指向的位置不对（{path}）：没有打开它。请告诉镇技术人员。",
                            "The scan's record points somewhere it should not ({path}): not opened. Tell the town "
                            "technician."),
    "check.attachment_bad_path": ("附件“{file}”的记录指向数据文件夹以外或不合规定的位置（办件 {case}）：没有打开它。",
                                  "Attachment “{file}” points outside the data folder or to a wrong place (case {case}): "
                                  "not opened."),
    "sync.enrol_other_village": ("站点 {station} 在镇里的记录是村 {theirs}，不是 {village}：请核对后再注册。",
                                 "Station {station} is on record for village {theirs}, not {village}: check and enrol again."),
    "town_admin.other_town": ("这个服务器是镇 {ours} 的，不能改成 {code}。", "This server is town {ours}'s, not {code}."),
    "town_admin.no_town": ("镇服务器上还没有镇的记录：先用 town set 建立，或等第一个站点同步上来。",
                           "The server holds no town yet: make it with town set, or let the first station sync."),
    "resident.other_village": ("这位居民属于{village}：所属村只能由{village}的服务站更改（或请镇里更改）。其他内容可以在这里更正。",
                               "This resident belongs to {village}: only a station of {village} (or the town) "
                               "changes their village. Everything else can be corrected here."),
    "check.audit_key_missing": ("审计记录第 {seq} 条是用本机没有的密钥封的：在这台电脑上无法核对（数据是从别的电脑搬来的？）。",
                                "Audit entry {seq} is sealed with a key this PC does not hold: it cannot be checked here."),
    "check.audit_unkeyed": ("审计记录第 {seq} 条没有用本站的密钥封：是在数据库里改过后按公开的算法重新封的。",
                            "Audit entry {seq} is not sealed with the station's key: it was sealed again after an edit."),
    "check.audit_cut": ("审计记录只到第 {last} 条，但{source}记下的是第 {seq} 条：后面的记录被删掉了。",
                        "The audit log ends at entry {last}, but the {source} anchor says {seq}: later entries were deleted."),
    "check.audit_cut_by_restore": ("本站从较早的备份恢复过：审计记录只到第 {last} 条，{source}记下的是第 {seq} 条；其后的记录在恢复前另存的文件里。"
                                   "与镇里同步一次后以新的位置为准。",
                                   "The station was restored from an older backup: its audit log ends at {last}, the {source} "
                                   "anchor says {seq}; the later entries are in the safety copy. A sync sets a new anchor."),
    "check.audit_differs": ("审计记录第 {seq} 条和{source}记下的不一样：它被改写过。",
                            "Audit entry {seq} differs from what the {source} anchor recorded: it was rewritten."),
    "check.chain_void_undone": ("{what} 已作废，但现在又被改回有效（{station} 收款链第 {seq} 环）。",
                                "{what} was voided and has been made valid again ({station}, link {seq})."),
    "check.chain_key_missing": ("{station} 收款链第 {seq} 环是用本机没有的密钥封的：在这台电脑上无法核对。",
                                "Link {seq} of {station}'s chain is sealed with a key this PC does not hold."),
    "check.chain_unkeyed": ("{station} 收款链第 {seq} 环没有用本站的密钥封：是在数据库里改过后重新封的。",
                            "Link {seq} of {station}'s chain is not sealed with the station's key: sealed again after an edit."),
    "check.chain_cut": ("{station} 的收款链比{what}记下的短：末尾的记录被删掉了。",
                        "{station}'s chain is shorter than {what} says: its last records were deleted."),
    "check.points_credit": ("积分申报 {declaration} 已入账 {points} 分，但积分明细里没有对应的一条（或分数、账户不对）。",
                            "Declaration {declaration} was credited {points} points, but the ledger lacks that entry."),
    "check.points_redemption": ("积分兑换 {redemption}（{points} 分）在积分明细里没有对应的扣分（或分数、账户不对）。",
                                "Redemption {redemption} ({points} points) has no matching ledger entry."),
    "check.points_reversal": ("积分兑换 {redemption} 的撤销和积分明细对不上（{points} 分）。",
                              "Redemption {redemption}'s reversal does not match the ledger ({points} points)."),
    "check.bad_anchor": ("“{text}”看不懂：请照日结报表上印的写，如 37:3f2a9c1b2d4e5f60（第几环、冒号、至少 16 位）。",
                         "“{text}” is not an anchor: type it as the daily close prints it, e.g. 37:3f2a9c1b2d4e5f60."),
    "words.source.town": ("镇服务器", "town server's"),
    "words.source.kept": ("本机上次", "last kept"),
    "words.source.kept-town": ("镇里上次确认（记在本机）", "town's last confirmed (kept here)"),
    "words.source.paper": ("日结单上", "printed close's"),
    "restore.recover_later": ("还没能和镇里核对编号：在同步之前（网络好时 sync now，或 U 盘回执包），本站不开新的办件号、单据号，"
                              "也不收款，免得和镇里已有的编号重复。其他工作照常。",
                              "Not yet checked with the town: until a sync (sync now, or a USB reply) this station "
                              "takes no new case or document number and no payment, so no number is used twice. "
                              "Other work goes on."),
    "restore.recovered": ("已和镇里核对：编号已接上镇里的记录，本站在备份之后的 {pulled} 条记录已从镇里取回。",
                          "Checked with the town: numbers continue after the town's, and {pulled} records made "
                          "after the backup came back from the town."),
    "sync.recover_first": ("本站在 {since} 从备份恢复过，还没有和镇里核对编号：请先同步（网络好时按 Ctrl+Shift+S，或 sync now，"
                           "或导入 U 盘回执包），再开新的办件号、单据号或收款。其他工作照常。",
                           "This station was restored from a backup at {since} and has not yet checked its numbers "
                           "with the town: sync first (Ctrl+Shift+S, sync now, or a USB reply), then take new "
                           "cases, documents or payments. Other work goes on."),
    "trust.anchor_went_back": ("站点报的校验位置比上次短了（链 {chain}，审计 {audit}），而且不是恢复备份：可能有人删了本站的记录。",
                               "The station's anchor went back (chain {chain}, audit {audit}) without a restore: "
                               "records may have been deleted at the station."),
    "restore.bad_recovery_code": ("恢复码不对或已过期（站点 {station}）：请核对镇里给的恢复码，或请镇管理员重新生成（recovery-code）。",
                                  "The recovery code is wrong or has run out (station {station}): check it, or ask "
                                  "the town for a new one (recovery-code)."),
    "seals.not_enrolled": ("站点 {station} 还没有在镇服务器注册过，镇里给不了恢复码：请镇技术人员到站处理。",
                           "Station {station} was never enrolled: the town cannot make a recovery code for it."),
}

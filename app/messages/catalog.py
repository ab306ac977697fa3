"""Messages for the 47+N catalogue files and the item form fields."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Form fields (the label of the field is shown before each line)
    "field.required": (
        "这一项必须填写，请补上。",
        "This is required; fill it in.",
    ),
    "field.bad_integer": (
        "“{value}”不是整数，请只填数字，如 3。",
        "“{value}” is not a whole number; type digits only, e.g. 3.",
    ),
    "field.too_small": (
        "填的是 {value}，不能小于 {min}，请核对后重填。",
        "{value} was entered; it must be at least {min}. Check and type it again.",
    ),
    "field.too_large": (
        "填的是 {value}，不能大于 {max}，请核对后重填。",
        "{value} was entered; it must be at most {max}. Check and type it again.",
    ),
    "field.too_long": (
        "最多 {max_length} 个字，现在有 {length} 个字，请删减。",
        "At most {max_length} characters; {length} were entered. Shorten it.",
    ),
    "field.bad_choice": (
        "“{value}”不在可选范围内，请从这些里选一个：{choices}。",
        "“{value}” is not one of the options; choose one of: {choices}.",
    ),
    "field.bad_date": (
        "“{value}”不是有效日期，请写成 2026-01-31 这样的格式。",
        "“{value}” is not a valid date; write it like 2026-01-31.",
    ),
    "field.bad_pattern": (
        "“{value}”的格式不对，请对照表单下方的说明重新填写。",
        "“{value}” is not in the expected format; see the hint below the field and type it again.",
    ),
    "field.bad_bank_account": (
        "银行卡号“{value}”不对：应为 12 到 25 位数字，请对照银行卡或存折重新输入。",
        "Bank account “{value}” is wrong: it should be 12 to 25 digits. Copy it again from the card or passbook.",
    ),
    "field.bad_plate": (
        "车牌号“{value}”不对，请按行驶证填写，如 京A12345，新能源车如 京AD12345。",
        "Plate “{value}” is wrong; copy it from the vehicle licence, e.g. 京A12345, or 京AD12345 for a new-energy car.",
    ),
    "field.bad_account_no": (
        "户号“{value}”不对：应为 4 到 30 位字母、数字或短横线，请对照缴费通知单或账单重新输入。",
        "Account number “{value}” is wrong: it should be 4 to 30 letters, digits or hyphens. Copy it from the bill.",
    ),
    "field.bad_decision_no": (
        "处罚决定书编号“{value}”不对：应为 15 到 20 位数字，请对照决定书重新输入。",
        "Penalty decision number “{value}” is wrong: it should be 15 to 20 digits. Copy it from the decision.",
    ),
    "field.bad_boolean": (
        "“{value}”看不出是“是”还是“否”，请重新选择。",
        "“{value}” is neither yes nor no; choose again.",
    ),
    "field.bad_year_month": (
        "“{value}”不是有效的年月，请写成 2026-01 这样的格式。",
        "“{value}” is not a valid month; write it like 2026-01.",
    ),
    # Money
    "money.bad": (
        "金额“{text}”写得不对：请填不带负号、最多两位小数的数字，单位是元，如 12.50。",
        "Amount “{text}” is wrong: type a number in yuan, not negative, with at most two decimals, e.g. 12.50.",
    ),
    # Catalogue files (read by the town administrator; each line starts with the place in the file)
    "catalog.invalid": (
        "目录文件 {source} 有 {count} 处错误，请改正后重新发布：",
        "Catalogue file {source} has {count} problem(s); fix them and publish again:",
    ),
    "catalog.bad_format": (
        "这不是本系统的目录文件（格式为“{value}”，应为“{expected}”）。",
        "This is not a StationDesk catalogue file (format “{value}”, expected “{expected}”).",
    ),
    "catalog.missing_key": (
        "缺少“{key}”，请补上。",
        "“{key}” is missing; add it.",
    ),
    "catalog.unknown_key": (
        "不认识“{key}”，可能是拼写错误，请对照 resources/catalog/README.md 改正或删除。",
        "Unknown key “{key}”, perhaps a typo; fix or remove it (see resources/catalog/README.md).",
    ),
    "catalog.bad_value": (
        "“{key}”的值 {value} 不对，请对照 resources/catalog/README.md 改正。",
        "The value {value} of “{key}” is wrong; fix it (see resources/catalog/README.md).",
    ),
    "catalog.bad_option": (
        "“{key}”不能是“{value}”，只能是：{allowed}。",
        "“{key}” cannot be “{value}”; it must be one of: {allowed}.",
    ),
    "catalog.bad_mode": (
        "办理方式“{value}”不对，只能是：{allowed}（即办、承诺件、受理转报、代办）。",
        "Handling mode “{value}” is wrong; it must be one of: {allowed}.",
    ),
    "catalog.bad_code": (
        "事项编码“{value}”不对：{scope} 目录里的编码应在 {expected} 之间。",
        "Item code “{value}” is wrong: codes in a {scope} catalogue must be {expected}.",
    ),
    "catalog.duplicate_code": (
        "事项编码 {code} 重复了（{first} 已经用过），请换一个。",
        "Item code {code} is used twice (already at {first}); choose another.",
    ),
    "catalog.duplicate_material": (
        "同一事项里材料编码 {code} 重复了，请换一个。",
        "Material code {code} is used twice in this item; choose another.",
    ),
    "catalog.duplicate_field": (
        "同一事项里表单字段“{field}”重复了，请换一个名字。",
        "Form field “{field}” appears twice in this item; rename one.",
    ),
    "catalog.bad_field_key": (
        "字段名“{value}”不对：只能用小写英文字母、数字和下划线，并以字母开头，如 bank_account。",
        "Field key “{value}” is wrong: use lower-case letters, digits and underscores, starting with a letter.",
    ),
    "catalog.bad_field_kind": (
        "字段类型“{value}”不对，只能是：{kinds}。",
        "Field kind “{value}” is wrong; it must be one of: {kinds}.",
    ),
    "catalog.no_choices": (
        "选择题字段必须在“choices”里列出可选项。",
        "A choice field must list its options in “choices”.",
    ),
    "catalog.bad_range": (
        "最大值 {max} 小于最小值 {min}，请改正。",
        "The maximum {max} is below the minimum {min}; fix it.",
    ),
    "catalog.bad_pattern": (
        "格式规则“{value}”写错了（{reason}），请交给技术人员改正。",
        "The pattern “{value}” is broken ({reason}); ask a technician to fix it.",
    ),
    "catalog.bad_payment_field": (
        "收款金额字段“{value}”必须是本事项里一个金额类型（money）的字段，现有金额字段：{money_fields}。",
        "The payment amount field “{value}” must be a money field of this item; its money fields: {money_fields}.",
    ),
    "catalog.retired_needs_note": (
        "停办的事项要在 note 里写明停办的原因和依据（站点的人要知道为什么不再办）。",
        "A retired item needs a note saying why it was retired and on what authority.",
    ),
    "catalog.item_retired": (
        "{code} {name} 已停办，不再受理新件：{note}",
        "{code} {name} is no longer offered (retired): {note}",
    ),
    "catalog.bad_fee_field": (
        "收费规则的字段“{value}”必须是本事项里一个选择类型（choice）的字段，现有选择字段：{choice_fields}。",
        "The fee rule's field “{value}” must be a choice field of this item; its choice fields: {choice_fields}.",
    ),
    "catalog.bad_fee_value": (
        "收费规则里的“{value}”不是字段 {field} 的选项，可选：{choices}。",
        "“{value}” in the fee rule is not a choice of field {field}; its choices: {choices}.",
    ),
    "catalog.fee_rule_with_amount": (
        "金额由表单字段 {field} 填写的事项不能再有收费规则：收费规则只用于固定收费（fee_fen）。",
        "An item whose amount comes from form field {field} cannot also have a fee rule: fee rules are for fixed "
        "fees (fee_fen) only.",
    ),
    "catalog.payment_needs_amount": (
        "收款类型 {kind} 需要指定金额：账单、罚款、充值、取款要填 amount_field，固定收费要填 fee_fen（大于 0）。",
        "Payment kind {kind} needs an amount: set amount_field for bills, fines, top-ups and withdrawals, "
        "or a fee_fen above 0 for a fixed fee.",
    ),
    # The merged catalogue
    "catalog.not_standard": (
        "目录 {catalog} 不是标准目录（范围为 {scope}），不能作为 47 项标准目录使用。",
        "Catalogue {catalog} is not the standard catalogue (scope {scope}) and cannot serve as the 47 items.",
    ),
    "catalog.standard_count": (
        "标准目录应有 {expected} 项在办的事项（标为 retired 的停办事项不算），现在有 {count} 项，请使用上级下发的标准目录文件。",
        "The standard catalogue must offer {expected} items (retired ones not counted) but offers {count}; use the "
        "file issued by the town.",
    ),
    "catalog.second_standard": (
        "目录 {catalog} 也是标准目录，标准目录只能有一个；乡镇事项的范围应为 town。",
        "Catalogue {catalog} is also a standard catalogue; there can be only one. Town items use scope “town”.",
    ),
    "catalog.code_taken": (
        "目录 {catalog} 里的事项编码 {code} 已被目录 {owner} 使用，请换一个编码后重新发布。",
        "Item code {code} in catalogue {catalog} is already used by {owner}; choose another code and publish again.",
    ),
    "catalog.unknown_item": (
        "找不到编码为 {code} 的事项，可能目录已更新，请重新选择事项。",
        "No service item has code {code}; the catalogue may have changed. Choose the item again.",
    ),
}

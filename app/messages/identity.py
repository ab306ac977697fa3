"""Messages for ID numbers, phone numbers, other identifiers and the working-day calendar."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Resident ID numbers
    "id.empty": (
        "请输入身份证号码。",
        "Enter the ID card number.",
    ),
    "id.bad_length": (
        "身份证号码应为 18 位（老证件为 15 位），现在输入了 {length} 位，请核对证件后重新输入。",
        "An ID card number has 18 characters (15 on old cards); {length} were entered. "
        "Check the card and type it again.",
    ),
    "id.bad_chars": (
        "身份证号码只能是数字，最后一位可以是 X，请核对后重新输入。",
        "An ID card number contains only digits, except that the last one may be X. Check it and type it again.",
    ),
    "id.bad_province": (
        "身份证号码前两位（{code}）不是有效的省份代码，请核对证件后重新输入。",
        "The first two digits of the ID number ({code}) are not a valid province code. "
        "Check the card and type it again.",
    ),
    "id.bad_area_code": (
        "身份证号码前 6 位 {code} 不是有效的地区代码（1980 年以来没有哪个县用过这个代码），"
        "说明号码输错了或不是真实的证件号码，请核对证件后重新输入。",
        "The first six digits of the ID number ({code}) are not a valid area code (no county has used it since "
        "1980), so the number was mistyped or is not a real one. Check the card and type it again.",
    ),
    "id.taiwan_code": (
        "身份证号码不会以 71 开头（71 是台湾地区的代码，不用于居民身份证），请核对证件。"
        "台湾居民的居住证号码以 830000 开头；只有台胞证的，请把证件类型选为“台湾居民来往大陆通行证”。",
        "No ID number starts with 71 (Taiwan's region code is not used on resident ID cards). Check the card. "
        "A Taiwan resident's residence permit starts with 830000; for a Taiwan compatriot permit, choose that "
        "document type instead.",
    ),
    "id.permit_needs_18": (
        "以 {code} 开头的是港澳台居民居住证号码，应为 18 位，请核对证件后重新输入。",
        "A number starting with {code} is a residence permit of a Hong Kong, Macao or Taiwan resident and has "
        "18 characters. Check the document and type it again.",
    ),
    "id.bad_date": (
        "身份证号码中的出生日期（{date}）不是有效日期，请核对证件第 7 到 14 位。",
        "The birth date in the ID number ({date}) is not a valid date. Check digits 7 to 14 on the card.",
    ),
    "id.future_date": (
        "身份证号码中的出生日期（{date}）晚于今天，请核对证件，并检查这台电脑的日期是否正确。",
        "The birth date in the ID number ({date}) is after today. Check the card, and check this computer's date.",
    ),
    "id.bad_check_char": (
        "身份证号码最后一位校验码不对（应为 {expected}，输入的是 {given}），"
        "说明有数字输错了，请核对证件后重新输入。",
        "The last character of the ID number is wrong (expected {expected}, got {given}), so a digit was "
        "mistyped. Check the card and type it again.",
    ),
    "id.gender_mismatch": (
        "填写的性别（{given}）与身份证号码不符，号码显示为{expected}，请核对。",
        "The gender entered ({given_en}) does not match the ID number, which says {expected_en}. Please check.",
    ),
    "id.birth_mismatch": (
        "填写的出生日期（{given}）与身份证号码中的 {expected} 不符，请核对。",
        "The birth date entered ({given}) does not match the ID number ({expected}). Please check.",
    ),
    # Other documents
    "doc.empty": (
        "请输入{type}号码。",
        "Enter the {type_en} number.",
    ),
    "doc.bad_format": (
        "{type}号码的格式不对，请对照证件核对位数和字母后重新输入。",
        "The number does not look like a {type_en} number. Check its letters and length against the document.",
    ),
    # Phone numbers
    "phone.empty": (
        "请输入联系电话。",
        "Enter a phone number.",
    ),
    "phone.bad": (
        "电话号码“{phone}”不对：手机号应为 11 位且以 1 开头，座机应写成“区号-号码”，如 0571-87654321。",
        "“{phone}” is not a valid phone number: a mobile has 11 digits starting with 1; "
        "write a landline as area code and number, e.g. 0571-87654321.",
    ),
    "phone.needs_area_code": (
        "座机号码“{phone}”缺少区号，请加上区号，如 0571-87654321。",
        "The landline “{phone}” needs its area code, e.g. 0571-87654321.",
    ),
    # Unified social credit code
    "uscc.bad_length": (
        "统一社会信用代码应为 18 位，现在输入了 {length} 位，请对照营业执照或登记证书核对。",
        "A unified social credit code has 18 characters; {length} were entered. Check it against the licence.",
    ),
    "uscc.bad_chars": (
        "统一社会信用代码里有不允许的字符（代码中不会出现 I、O、Z、S、V），请对照营业执照核对。",
        "The unified social credit code contains a character that is never used (I, O, Z, S, V are not allowed). "
        "Check it against the licence.",
    ),
    "uscc.bad_check_char": (
        "统一社会信用代码最后一位校验码不对（应为 {expected}，输入的是 {given}），"
        "说明有字符输错了，请对照营业执照核对。",
        "The last character of the unified social credit code is wrong (expected {expected}, got {given}), "
        "so a character was mistyped. Check it against the licence.",
    ),
    # Working-day calendar
    "calendar.invalid": (
        "节假日日历文件 {source} 有误（位置：{path}，原因：{reason}），办理时限无法按它计算。"
        "请向镇便民服务中心索取正确的日历文件，或把这条提示告诉技术人员。",
        "The holiday calendar file {source} is invalid (at {path}: {reason}), so deadlines cannot be computed "
        "from it. Ask the town service centre for a correct calendar file, or tell your technician.",
    ),
}

# How a calendar problem's ``reason`` reads (see app.messages.render).
MESSAGES.update({
    "calendar.invalid.reason.missing_key": ("缺少必填项", "a required entry is missing"),
    "calendar.invalid.reason.bad_type": ("内容类型不对", "wrong kind of value"),
    "calendar.invalid.reason.bad_format": ("文件格式不对", "not a calendar file"),
    "calendar.invalid.reason.bad_year": ("年份写法不对", "bad year"),
    "calendar.invalid.reason.bad_date": ("日期写法不对（应为 2026-10-01 这样）", "bad date (use 2026-10-01)"),
    "calendar.invalid.reason.range_reversed": ("结束日期早于开始日期", "the end is before the start"),
    "calendar.invalid.reason.year_mismatch": ("日期不在所写的年份里", "the date is not in that year"),
    "calendar.invalid.reason.workday_not_weekend": ("调休上班日应是周六或周日", "a make-up working day must be a weekend"),
    "calendar.invalid.reason.workday_is_holiday": ("同一天既是假日又是上班日", "a day is both a holiday and a working day"),
    "calendar.invalid.reason.empty": ("没有内容", "it is empty"),
})

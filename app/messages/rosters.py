"""Messages of the roster import (花名册导入): files that cannot be read, rows and fields that do not fit."""

from __future__ import annotations

# A resident's fields as the too-long and bad-character messages name them (spelled from the ``field`` param).
_FIELDS: dict[str, tuple[str, str]] = {
    "name": ("姓名", "name"),
    "phone": ("联系电话", "phone number"),
    "village": ("所属村", "village"),
    "group": ("组", "group"),
    "address": ("住址", "address"),
    "relation": ("与户主关系", "relation to the head of household"),
    "tags": ("标签", "tags"),
    "ethnicity": ("民族", "ethnicity"),
    "household_no": ("户号", "household number"),
    "head_name": ("户主姓名", "name of the head of household"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    # fields of a record (the counter's register and edit use the same rule)
    "resident.too_long": ("{field}太长：有 {length} 个字，最多只能 {max} 个字。请改短后再试。",
                          "The {field} is too long: {length} characters, at most {max}. Shorten it and try again."),
    **{f"resident.too_long.field.{key}": words for key, words in _FIELDS.items()},
    "resident.tag_too_long": ("标签“{tag}”太长：有 {length} 个字，每个标签最多只能 {max} 个字。多个标签之间用顿号“、”隔开。",
                              "The tag “{tag}” is too long: {length} characters, at most {max} per tag. Separate "
                              "tags with “、” or commas."),
    "resident.control_char": ("{field}的第 {position} 个字是不能保存的控制字符（{char}，看不见），请删掉它后再试。",
                              "The {field} holds a control character ({char}, invisible) at position {position} that "
                              "cannot be stored: delete it and try again."),
    **{f"resident.control_char.field.{key}": words for key, words in _FIELDS.items()},
}

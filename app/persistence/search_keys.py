"""Search keys stored beside each resident: pinyin initials (surnames read as surnames) and reversed numbers."""

from __future__ import annotations

from functools import lru_cache

# Surnames whose reading differs from the character's common reading, and compound surnames.
SURNAME_INITIALS: dict[str, str] = {
    "单": "s", "曾": "z", "解": "x", "仇": "q", "朴": "p", "查": "z", "区": "o", "尉": "y", "覃": "q",
    "翟": "z", "盖": "g", "缪": "m", "乐": "y", "卜": "b", "薄": "b", "种": "c", "繁": "p", "召": "s",
    "黑": "h", "员": "y", "冼": "x", "折": "s", "隗": "w", "秘": "b", "逄": "p", "沈": "s", "任": "r",
    "宁": "n", "纪": "j", "柏": "b", "燕": "y", "过": "g", "长": "c", "重": "c", "都": "d", "藏": "z",
    "万俟": "mq", "尉迟": "yc", "长孙": "zs", "澹台": "tt", "令狐": "lh", "欧阳": "oy", "司马": "sm",
    "上官": "sg", "诸葛": "zg", "东方": "df", "皇甫": "hf", "公孙": "gs", "慕容": "mr", "宇文": "yw",
    "司徒": "st", "夏侯": "xh", "轩辕": "xy", "端木": "dm", "独孤": "dg", "南宫": "ng", "闻人": "wr",
    "呼延": "hy", "单于": "cy",
}
_COMPOUND = frozenset(k for k in SURNAME_INITIALS if len(k) == 2)


@lru_cache(maxsize=32768)
def _char_initial(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    # Imported on first use: reading its dictionaries takes a third of a second, and the counter only
    # needs it when a name is saved, not to start or to search.
    from pypinyin import Style, pinyin

    reading = pinyin(ch, style=Style.FIRST_LETTER, errors=lambda _c: "")
    letter = reading[0][0] if reading and reading[0] else ""
    return letter.lower()[:1]


def name_initials(name: str) -> str:
    """张三 → zs; 单雄信 → sxx; 欧阳修 → oyx. Non-Han names keep their letters."""
    name = name.replace("·", "").replace(" ", "")
    if not name:
        return ""
    head = name[:2] if name[:2] in _COMPOUND else name[0]
    surname = SURNAME_INITIALS.get(head) or "".join(_char_initial(c) for c in head)
    return surname + "".join(_char_initial(c) for c in name[len(head):])


def reverse(text: str) -> str:
    return text[::-1]


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (for index range scans)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)

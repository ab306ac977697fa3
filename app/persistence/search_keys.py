"""Search keys stored beside each resident: pinyin initials (surnames read as surnames, given names by their
name readings) and reversed numbers.

A name's initials are read in three steps: the surname from the surname table (单 Shàn, 尉 Wèi, 尉迟 Yùchí …),
the given name by pypinyin's phrase-aware conversion of the whole given name (长青 chángqīng), then the
given-name table for characters whose name reading is settled (长 cháng, 重 chóng, 凹 wā). A character with
two accepted readings in names (乐 lè / yuè, 行 xíng / háng …) gives a second key, stored after ``|``
(``wlt|wyt`` for 王乐天): the prefix lookup finds the first, the alternative's lookup (app/persistence/lookup.py,
an index on what follows the ``|``) the second. The tables are code, not a resource a town may change: every
station and the town must compute the same key for the same name.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# Surnames whose reading differs from the character's common reading, and compound surnames.
SURNAME_INITIALS: dict[str, str] = {
    "单": "s", "曾": "z", "解": "x", "仇": "q", "朴": "p", "查": "z", "区": "o", "尉": "w", "覃": "q",
    "翟": "z", "盖": "g", "缪": "m", "乐": "y", "卜": "b", "薄": "b", "种": "c", "繁": "p", "召": "s",
    "黑": "h", "员": "y", "冼": "x", "折": "s", "隗": "w", "秘": "b", "逄": "p", "沈": "s", "任": "r",
    "宁": "n", "纪": "j", "柏": "b", "燕": "y", "过": "g", "长": "c", "重": "c", "都": "d", "藏": "z",
    "阚": "k", "句": "g", "郇": "h", "祭": "z", "蕃": "p", "粘": "n", "乜": "n", "颉": "x", "佴": "n",
    "盛": "s", "车": "c", "宿": "s", "相": "x", "能": "n", "角": "j", "眭": "s", "訾": "z", "厍": "s",
    "禚": "z", "缑": "g", "亓": "q", "莘": "s", "谌": "c", "华": "h", "牟": "m", "费": "f", "那": "n",
    "万俟": "mq", "尉迟": "yc", "长孙": "zs", "澹台": "tt", "令狐": "lh", "欧阳": "oy", "司马": "sm",
    "上官": "sg", "诸葛": "zg", "东方": "df", "皇甫": "hf", "公孙": "gs", "慕容": "mr", "宇文": "yw",
    "司徒": "st", "夏侯": "xh", "轩辕": "xy", "端木": "dm", "独孤": "dg", "南宫": "ng", "闻人": "wr",
    "呼延": "hy", "单于": "cy",
}
_COMPOUND = frozenset(k for k in SURNAME_INITIALS if len(k) == 2)

# Surnames read two ways by their own families (乐 Yuè and Lè, 谌 Chén and Shèn, 莘 Shēn and Xīn): the other
# initial is stored as well.
SURNAME_ALTERNATIVES: dict[str, str] = {"乐": "l", "谌": "s", "莘": "x"}

# Given-name characters whose reading in a name is settled, whatever pypinyin reads for them alone or in a
# phrase: 长 in 李长青 is cháng (not zhǎng), 重 in 王重阳 chóng (not zhòng), 凹 in 贾平凹 wā (not āo).
GIVEN_NAME_INITIALS: dict[str, str] = {"长": "c", "重": "c", "凹": "w", "乾": "q", "奇": "q", "会": "h", "强": "q"}

# Given-name characters with two accepted readings in names, and the initials of both: the initial pypinyin
# reads (phrase-aware) comes first, the other is stored as the alternative.
GIVEN_NAME_READINGS: dict[str, str] = {
    "乐": "ly", "行": "xh", "朝": "zc", "曾": "cz", "晟": "sc", "茜": "qx", "莘": "sx", "靓": "jl", "参": "cs",
    "藏": "cz", "解": "jx", "单": "ds", "率": "sl",
}

SEPARATOR = "|"
KEY_LENGTH = 40  # residents.name_initials holds 40 characters (app/persistence/tables.py)
# The characters a key is made of: what the alternative's index (after the separator) trims off to find it.
KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _one_per_char(chunk: str) -> Any:
    """pypinyin's ``errors`` for text it cannot read: one item per character, so the result lines up with the
    name (its stubs say a str; a list is what its documentation allows)."""
    return list(chunk)


def _ascii_initial(ch: str) -> str:
    return ch.lower() if ch.isascii() and ch.isalnum() else ""


@lru_cache(maxsize=32768)
def _char_initial(ch: str) -> str:
    if ch.isascii():
        return _ascii_initial(ch)
    # Imported on first use: reading its dictionaries takes a third of a second, and the counter only
    # needs it when a name is saved, not to start or to search.
    from pypinyin import Style, pinyin

    reading = pinyin(ch, style=Style.FIRST_LETTER, errors=lambda _c: "")
    letter = reading[0][0] if reading and reading[0] else ""
    return letter.lower()[:1]


@lru_cache(maxsize=32768)
def _given_initials(given: str) -> tuple[str, ...]:
    """One initial per character of the given name, read phrase-aware (长青 → c q); "" for a mark."""
    if given.isascii():
        return tuple(_ascii_initial(c) for c in given)
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(given, style=Style.FIRST_LETTER, errors=_one_per_char)
    if len(letters) != len(given):  # a character pypinyin splits or joins: read one by one
        return tuple(_char_initial(c) for c in given)
    out = []
    for ch, letter in zip(given, letters, strict=True):
        if ch.isascii() or len(letter) != 1 or not letter.isascii():
            out.append(_char_initial(ch))
        else:
            out.append(letter.lower())
    return tuple(out)


def name_keys(name: str) -> tuple[str, ...]:
    """The initials a person is found by: ``("lcq",)`` for 李长青, ``("wlt", "wyt")`` for 王乐天 (both readings)."""
    name = name.replace("·", "").replace(" ", "")
    if not name:
        return ("",)
    head = name[:2] if name[:2] in _COMPOUND else name[0]
    surname = SURNAME_INITIALS.get(head) or "".join(_char_initial(c) for c in head)
    given = name[len(head):]
    primary = list(_given_initials(given))
    other = list(primary)
    for i, ch in enumerate(given):
        if ch in GIVEN_NAME_INITIALS:
            primary[i] = other[i] = GIVEN_NAME_INITIALS[ch]
        elif ch in GIVEN_NAME_READINGS:
            both = GIVEN_NAME_READINGS[ch]
            if primary[i] not in both:
                primary[i] = both[0]
            other[i] = both[1] if primary[i] == both[0] else both[0]
    first = surname + "".join(primary)
    second = SURNAME_ALTERNATIVES.get(head, surname) + "".join(other)
    return (first,) if second == first else (first, second)


def name_initials(name: str) -> str:
    """The stored key: 张三 → ``zs``; 单雄信 → ``sxx``; 李长青 → ``lcq``; 王乐天 → ``wlt|wyt`` (both readings).

    Never longer than the column: a long alternative is cut (it is only ever matched by its start)."""
    keys = name_keys(name)
    if len(keys) == 1:
        return keys[0][:KEY_LENGTH]
    first, second = keys
    if len(first) + 1 >= KEY_LENGTH:
        return first[:KEY_LENGTH]
    return first + SEPARATOR + second[:KEY_LENGTH - len(first) - 1]


def text_initials(text: str) -> str:
    """The initials of ordinary words, read phrase-aware (重度残疾人 → zdcjr), not as a name."""
    if not text:
        return ""
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=_one_per_char)
    return "".join(_ascii_initial(x[:1]) if x[:1].isascii() else "" for x in letters)


def reverse(text: str) -> str:
    return text[::-1]


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (for index range scans)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)

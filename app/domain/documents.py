"""Printed documents: their kinds, paper sizes and gap-free numbers (``QX01-SL2026-000001``)."""

from __future__ import annotations

import re
from enum import StrEnum

from app.domain.errors import DomainError
from app.domain.identity import mask_id


class DocumentKind(StrEnum):
    RECEIPT = "receipt"  # 受理回执
    NOTICE = "notice"  # 一次性告知单
    CORRECTION = "correction"  # 补正通知
    REJECTION = "rejection"  # 不予受理告知
    PAYMENT = "payment"  # 收款收据
    POINTS_AWARD = "points-award"  # 积分奖励通知
    REDEMPTION = "redemption"  # 积分兑换单
    FORM = "form"  # 申请表
    LEDGER = "ledger"  # 台账
    POINTS_NOTICE = "points-notice"  # 积分公示
    POINTS_STATEMENT = "points-statement"  # 积分对账单
    DAY_CLOSE = "day-close"  # 日结报表

    @property
    def label_zh(self) -> str:
        return _KINDS[self][1]

    @property
    def prefix(self) -> str:
        """Two letters in the number, from the pinyin of the title (受理 SL, 告知 GZ …)."""
        return _KINDS[self][0]


_KINDS: dict[DocumentKind, tuple[str, str]] = {
    DocumentKind.RECEIPT: ("SL", "受理回执"),
    DocumentKind.NOTICE: ("GZ", "一次性告知单"),
    DocumentKind.CORRECTION: ("BZ", "补正材料通知书"),
    DocumentKind.REJECTION: ("BY", "不予受理告知书"),
    DocumentKind.PAYMENT: ("SK", "收款收据"),
    DocumentKind.POINTS_AWARD: ("JF", "积分奖励通知"),
    DocumentKind.REDEMPTION: ("DH", "积分兑换单"),
    DocumentKind.FORM: ("SQ", "申请表"),
    DocumentKind.LEDGER: ("TZ", "办件台账"),
    DocumentKind.POINTS_NOTICE: ("GS", "积分公示"),
    DocumentKind.POINTS_STATEMENT: ("DZ", "积分对账单"),
    DocumentKind.DAY_CLOSE: ("RJ", "日结报表"),
}


class Paper(StrEnum):
    THERMAL_80 = "80mm"  # 72 mm printable, 24 汉字 a line
    THERMAL_58 = "58mm"  # 48 mm printable, 16 汉字 a line
    A4 = "a4"

    @property
    def thermal(self) -> bool:
        return self is not Paper.A4


# Which papers each kind is made for; the first is the default.
PAPERS: dict[DocumentKind, tuple[Paper, ...]] = {
    DocumentKind.RECEIPT: (Paper.THERMAL_80, Paper.THERMAL_58, Paper.A4),
    DocumentKind.NOTICE: (Paper.A4, Paper.THERMAL_80, Paper.THERMAL_58),
    DocumentKind.CORRECTION: (Paper.A4,),
    DocumentKind.REJECTION: (Paper.A4,),
    DocumentKind.PAYMENT: (Paper.THERMAL_80, Paper.THERMAL_58, Paper.A4),
    DocumentKind.POINTS_AWARD: (Paper.THERMAL_80, Paper.THERMAL_58, Paper.A4),
    DocumentKind.REDEMPTION: (Paper.THERMAL_80, Paper.THERMAL_58, Paper.A4),
    DocumentKind.FORM: (Paper.A4,),
    DocumentKind.LEDGER: (Paper.A4,),
    DocumentKind.POINTS_NOTICE: (Paper.A4,),
    DocumentKind.POINTS_STATEMENT: (Paper.A4,),
    DocumentKind.DAY_CLOSE: (Paper.A4,),
}


def parse_kind(text: str) -> DocumentKind:
    key = text.strip().lower().replace("_", "-")
    for kind in DocumentKind:
        if key in (kind.value, kind.prefix.lower(), kind.label_zh):
            return kind
    raise DomainError("document.bad_kind", kind=text, known="、".join(k.value for k in DocumentKind))


def check_paper(kind: DocumentKind, paper: Paper | str | None) -> Paper:
    """The paper asked for, if this kind is made for it; the kind's default when none is asked."""
    if paper is None or paper == "":
        return PAPERS[kind][0]
    try:
        chosen = Paper(str(paper).strip().lower())
    except ValueError:
        chosen = None
    if chosen is None or chosen not in PAPERS[kind]:
        raise DomainError("document.bad_paper", paper=str(paper), kind=kind.label_zh,
                          known="、".join(p.value for p in PAPERS[kind]))
    return chosen


_NUMBER = re.compile(r"^(?P<station>[0-9A-Za-z]{2,20})-(?P<prefix>[A-Z]{2})(?P<year>\d{4})-(?P<seq>\d{6,})$")


def format_document_no(station_code: str, kind: DocumentKind, year: int, seq: int) -> str:
    """``QX01-SL2026-000001``: station, kind, year, then a number that counts up with no gaps."""
    if seq < 1:
        raise ValueError("document numbers start at 1")
    return f"{station_code}-{kind.prefix}{year:04d}-{seq:06d}"


def looks_like_document_no(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def parse_document_no(text: str) -> tuple[str, DocumentKind, int, int]:
    m = _NUMBER.match(text.strip())
    kind = next((k for k in DocumentKind if m and k.prefix == m["prefix"]), None)
    if m is None or kind is None:
        raise DomainError("document.bad_number", number=text)
    return m["station"], kind, int(m["year"]), int(m["seq"])


# A full ID number (18, or 15 legacy digits) or a mobile number typed into free text (a reason, an address)
# must not reach paper: the whole token is masked as the printouts mask it everywhere else.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9])")


def scrub_numbers(text: str) -> str:
    """Free text with every full ID or mobile number in it masked (110105********002X, 138****5678)."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id(m[1]), text)
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m[1]}****{m[3]}", text)

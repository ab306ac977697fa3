"""What every slip shares: the letterhead on top, the 补打 and 作废 marks, the number; phones and footer below."""

from __future__ import annotations

from datetime import date

from app.printing.thermal import SMALL, TITLE, Slip
from app.printing.watermark import void_line
from app.services.paper import Letterhead, Stamp

RATING_LINE = "欢迎对本次服务进行评价（好差评），您的评价是我们改进的依据。"


def moment(iso: str | None) -> str:
    """``2026-11-23T10:05:00`` as ``2026-11-23 10:05``."""
    return (iso or "").replace("T", " ")[:16]


def day_text(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def slip_top(slip: Slip, head: Letterhead, stamp: Stamp, title: str) -> None:
    slip.text(head.station_name, size=10.5, align="center", bold=True)
    for line in head.header_lines:
        slip.text(line, size=SMALL, align="center")
    slip.gap(2)
    slip.text(title, size=TITLE, align="center", bold=True)
    if stamp.reprint:
        slip.text(f"【补打 COPY】{moment(stamp.reprint_at)}", align="center", bold=True)
    if stamp.voided:  # a voided document's preview or copy never passes for a valid one
        slip.void = True
        slip.text(void_line(stamp.voided_at, stamp.void_reason), bold=True)
    slip.pair("编号", stamp.number)
    slip.rule()


def slip_bottom(slip: Slip, head: Letterhead, stamp: Stamp, *, phone: str = "", footer: bool = True) -> None:
    """Phones, who printed it and when, and the station's footer (``footer=False`` for slips the footer's
    words do not fit, e.g. a points slip: there is no case to follow up)."""
    slip.rule()
    if phone or head.phone:
        slip.pair("咨询电话", phone or head.phone, size=SMALL)
    if head.supervision_phone:
        slip.pair("监督电话", head.supervision_phone, size=SMALL)
    slip.pair("打印", f"{moment(stamp.issued_at)} {stamp.issued_by}", size=SMALL)
    if footer and head.footer:
        slip.text(head.footer, size=SMALL)


def copy_line(stamp: Stamp) -> str:
    return f"【补打 COPY】补打时间 {moment(stamp.reprint_at)}" if stamp.reprint else ""

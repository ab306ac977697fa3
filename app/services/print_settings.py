"""The station's document template (header lines, footer, phones, font, printers): settings in the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from app.domain.errors import DomainError
from app.domain.identity import normalise_phone
from app.domain.staff import Actor, Permission
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext

FONTS: Final = ("wqy", "simsun", "simhei", "msyh")  # bundled WenQuanYi Micro Hei, or a Windows font when present
RECEIPT_PAPERS: Final = ("80mm", "58mm")


@dataclass(frozen=True, slots=True)
class PrintTemplate:
    """What every printed document of this station says besides its own content."""

    station_name: str
    header_lines: tuple[str, ...]  # under the station name, e.g. "青溪镇人民政府" / "全镇通办 一窗受理"
    footer: str
    phone: str  # consultation phone (咨询电话); an item's own phone wins on its documents
    supervision_phone: str  # 监督电话
    font: str  # one of FONTS
    receipt_paper: str  # 80mm | 58mm
    receipt_printer: str  # printer name for thermal paper ("" = ask / default printer)
    a4_printer: str  # printer name for A4 forms
    silent_receipts: bool  # print receipts without a dialog


def _text(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = " ".join(value.split())
        if len(text) > limit:
            raise DomainError("print.setting_too_long", limit=limit)
        return text
    return check


def _lines(value: str) -> str:
    lines = [" ".join(x.split()) for x in value.replace("\\n", "\n").replace("|", "\n").splitlines()]
    lines = [x for x in lines if x]
    if len(lines) > 3 or any(len(x) > 40 for x in lines):
        raise DomainError("print.bad_header")
    return "\n".join(lines)


def _phone(value: str) -> str:
    parts = [p for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    return "、".join(normalise_phone(p) if any(c.isdigit() for c in p) and len(p.strip()) > 5 else p.strip()
                    for p in parts)


def _choice(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        v = value.strip().lower()
        if v not in allowed:
            raise DomainError("print.bad_choice", value=value, allowed="、".join(allowed))
        return v
    return check


def _yes_no(value: str) -> str:
    v = value.strip().lower()
    if v in ("1", "yes", "y", "true", "on", "是"):
        return "yes"
    if v in ("0", "no", "n", "false", "off", "否", ""):
        return "no"
    raise DomainError("print.bad_choice", value=value, allowed="yes、no")


# key -> (checker, label): the keys people type in ``print-settings set KEY VALUE``.
SETTINGS: Final[dict[str, tuple[Callable[[str], str], str]]] = {
    "station_name": (_text(40), "抬头站名"),
    "header": (_lines, "抬头下方的文字（最多 3 行，用 | 分行）"),
    "footer": (_text(120), "页脚文字"),
    "phone": (_phone, "咨询电话"),
    "supervision_phone": (_phone, "监督电话"),
    "font": (_choice(FONTS), "字体"),
    "receipt_paper": (_choice(RECEIPT_PAPERS), "回执纸宽"),
    "receipt_printer": (_text(120), "小票打印机"),
    "a4_printer": (_text(120), "A4 打印机"),
    "silent_receipts": (_yes_no, "回执直接打印（不弹对话框）"),
}


@dataclass(frozen=True, slots=True)
class PrinterCheck:
    """What a printer's test page (打印测试页) says: whose it is, which printer and paper, when."""

    station_name: str
    header_lines: tuple[str, ...]
    printer: str  # as chosen ("" = the PC's default printer)
    paper: str  # 80mm | 58mm | a4
    font: str
    printed_at: str  # 2026-11-23T10:05:00
    printed_by: str
    phone: str
    supervision_phone: str


CHECKED_PRINTERS: Final = ("receipt", "a4")  # the two printer settings, each with its test page


def printer_check(ctx: ServiceContext, *, actor: Actor, which: str, printer: str | None = None,
                  paper: str | None = None) -> PrinterCheck:
    """The test page of the receipt printer (on the receipt paper set) or the A4 printer; ``printer`` and
    ``paper`` are what was chosen but maybe not saved yet (default: the settings)."""
    if which not in CHECKED_PRINTERS:
        raise DomainError("print.bad_choice", value=which, allowed="、".join(CHECKED_PRINTERS))
    receipt_paper = _choice(RECEIPT_PAPERS)(paper) if paper else None
    t = print_template(ctx)
    chosen = t.receipt_printer if which == "receipt" else t.a4_printer
    return PrinterCheck(station_name=t.station_name, header_lines=t.header_lines,
                        printer=chosen if printer is None else printer.strip(),
                        paper=(receipt_paper or t.receipt_paper) if which == "receipt" else "a4", font=t.font,
                        printed_at=ctx.now().isoformat(timespec="seconds"), printed_by=actor.display_name,
                        phone=t.phone, supervision_phone=t.supervision_phone)


def template_in(ctx: ServiceContext, uow: UnitOfWork) -> PrintTemplate:
    """The template inside an open unit of work: stored settings over the station's own facts."""
    station = ctx.station(uow)
    stored = {k: r["value"] for k, r in uow.repos.settings.for_station(station.code).items()}
    town = uow.repos.town.town()
    default_header = town["name"] if town else ""
    return PrintTemplate(
        station_name=stored.get("station_name") or station.name,
        header_lines=tuple(x for x in (stored.get("header") or default_header).split("\n") if x),
        footer=stored.get("footer") or "请妥善保管本单据，凭此查询办理进度。",
        phone=stored.get("phone") or station.phone,
        supervision_phone=stored.get("supervision_phone") or station.supervision_phone,
        font=stored.get("font") or "wqy",
        receipt_paper=stored.get("receipt_paper") or "80mm",
        receipt_printer=stored.get("receipt_printer", ""),
        a4_printer=stored.get("a4_printer", ""),
        silent_receipts=stored.get("silent_receipts") == "yes",
    )


def print_template(ctx: ServiceContext) -> PrintTemplate:
    with ctx.read() as uow:
        return template_in(ctx, uow)


def set_print_setting(ctx: ServiceContext, *, actor: Actor, key: str, value: str) -> PrintTemplate:
    """Change one setting of the station's documents (station head). An empty value goes back to the default."""
    actor.require(Permission.STATION_ADMIN)
    spec = SETTINGS.get(key.strip())
    if spec is None:
        raise DomainError("print.unknown_setting", key=key, known="、".join(SETTINGS))
    checked = spec[0](value) if value.strip() else ""
    with ctx.uow() as uow:
        station = ctx.station_code(uow)
        row = uow.repos.settings.for_station(station).get(key)
        # An empty value is kept as "" (it means the default): a tombstone would block setting it again.
        if row is None:
            uow.add("station_settings", {"station_code": station, "key": key, "value": checked})
        elif row["value"] != checked:
            uow.change("station_settings", row["id"], {"value": checked})
        uow.audit(staff_id=actor.staff_id, action="print.setting", target_type="station", target_id=station,
                  detail={"key": key, "value": checked}, at=ctx.now())
        template = template_in(ctx, uow)
        uow.commit()
    return template

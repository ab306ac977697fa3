"""The station check (``python -m app.cli check``): what it covers, and where the tamper evidence must stand.

It reads the database file, the audit log's sealed chain, the gap-free case numbers, the scans' hashes, the
chain over money, receipts and points (app.services.integrity), and the points ledger derived again from what
made it. It also compares the chain and the audit log with **anchors** — where they stood at some moment,
recorded apart from this database:

- ``town``: what the town recorded when this station last synced (asked for live when it can be reached);
- ``kept``: the last anchor the town confirmed and the last one made here (after a sync or a daily close),
  kept in the station's key store, so a check without a network still has them;
- ``paper``: a head read off a printed daily close and typed in (``check --anchor``).

A chain or log shorter than an anchor, or different at its number, was cut or rewritten after the fact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain.audit import GENESIS, verify_chain
from app.domain.cases import parse_case_no
from app.domain.errors import DomainError
from app.domain.staff import Actor, Permission
from app.persistence.uow import audit_payload
from app.services import integrity, seals
from app.services.attachments import verify_attachment
from app.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where this station's chain and audit log stood: their last numbers and hashes (a hash may be a prefix
    of 16 or more hex digits, as a daily close prints it; seq 0 with an empty hash: not known)."""

    chain_seq: int
    chain_hash: str
    audit_seq: int = 0
    audit_hash: str = ""
    source: str = "kept"  # town (asked now) | kept-town (the town's last confirmation, kept here) | kept | paper
    at: str = ""

    def as_json(self) -> str:
        return json.dumps({"chain_seq": self.chain_seq, "chain_hash": self.chain_hash, "audit_seq": self.audit_seq,
                           "audit_hash": self.audit_hash, "at": self.at})

    @classmethod
    def from_json(cls, text: str, source: str) -> Anchor:
        d = json.loads(text)
        return cls(int(d.get("chain_seq", 0)), str(d.get("chain_hash", "")), int(d.get("audit_seq", 0)),
                   str(d.get("audit_hash", "")), source, str(d.get("at", "")))


@dataclass(frozen=True, slots=True)
class Finding:
    area: str  # database | audit | numbers | attachments | money | points
    code: str
    params: tuple[tuple[str, str], ...]


# What the check covers, and what it does not: printed by ``check``, listed by ``check --json``.
COVERED: tuple[tuple[str, str, str], ...] = (
    ("payments", "收款、收款处理记录（代缴、对账、退款、作废）",
     "payments and their events (remitted, matched, refunded, voided)"),
    ("cash", "钱箱的进出和结账", "cash drawer movements and closed drawers"),
    ("documents", "已开出的单据（回执、告知单、收据），及其作废",
     "issued documents (receipts, notices) and their voiding"),
    ("day_closes", "日结报表", "daily closes"),
    ("points_entries", "本站记入的积分明细（加分、扣分、兑换、撤销、更正），并由申报和兑换单重新算出核对",
     "points entries this station made, derived again from its declarations and redemptions"),
    ("audit_log", "审计记录（谁在何时做了什么）", "the audit log (who did what, when)"),
    ("case_numbers", "办件编号不缺号", "gap-free case numbers"),
    ("attachments", "扫描件的 SHA-256 和存放位置", "the scans' SHA-256 and where they are kept"),
    ("database", "数据库文件本身（SQLite 完整性检查）",
     "the database file itself (SQLite's integrity check)"),
)
NOT_COVERED: tuple[tuple[str, str, str], ...] = (
    ("cases", "办件的内容（事项、表单、状态）：只有编号受检查",
     "a case's contents (item, form, state): only its number"),
    ("residents", "居民和户的资料（全镇共用，各站都可更正）",
     "residents and households (the town's, corrected at any station)"),
    ("staff", "工作人员账号", "staff accounts"),
    ("points_declarations", "积分申报本身、公示、商品和库存",
     "points declarations themselves, notices, goods and stock"),
    ("settings", "本站设置", "the station's settings"),
    ("ratings", "好差评和回访", "ratings and follow-ups"),
)


@dataclass(frozen=True, slots=True)
class CheckReport:
    findings: tuple[Finding, ...]
    audit_entries: int
    cases: int
    attachments: int
    chain_links: int = 0  # the chain over money, receipts and points
    before_chain: int = 0  # records older than the chain (an upgraded station): not covered by it
    unkeyed: int = 0  # links and entries sealed before the station had a key (an earlier release): plain SHA-256
    anchors: tuple[Anchor, ...] = field(default_factory=tuple)  # the anchors compared

    @property
    def ok(self) -> bool:
        return not self.findings


# ---------------------------------------------------------------- anchors


def current_anchor(ctx: ServiceContext, *, source: str = "kept") -> Anchor:
    """Where this station's chain and audit log stand now."""
    with ctx.read() as uow:
        chain_seq, chain_hash = integrity.head(uow, ctx.station_code(uow))
        last = uow.repos.money.last_audit()
    audit_seq, audit_hash = (int(last["seq"]), str(last["hash"])) if last else (0, GENESIS)
    return Anchor(chain_seq, chain_hash, audit_seq, audit_hash, source, ctx.now().isoformat(timespec="seconds"))


def keep_anchor(ctx: ServiceContext, anchor: Anchor, *, confirmed_by_town: bool = False) -> None:
    """Keep an anchor in the key store (apart from the database): the one made here after a sync or a daily
    close, or the one the town confirmed."""
    ctx.keys.put("anchor.town" if confirmed_by_town else "anchor.local", anchor.as_json())


def same_place(a: Anchor, b: Anchor) -> bool:
    return (a.chain_seq, a.chain_hash, a.audit_seq, a.audit_hash) == (b.chain_seq, b.chain_hash, b.audit_seq,
                                                                      b.audit_hash)


def kept_anchors(ctx: ServiceContext) -> list[Anchor]:
    """The anchors kept on this PC: the one the town last confirmed (``kept-town``) and the one made here
    last (``kept``); one that says the same as the other is given once."""
    out: list[Anchor] = []
    for name, source in (("anchor.town", "kept-town"), ("anchor.local", "kept")):
        text = ctx.keys.get(name)
        if text:
            found = Anchor.from_json(text, source)
            if not any(same_place(found, a) for a in out):
                out.append(found)
    return out


def set_aside_anchors(ctx: ServiceContext) -> None:
    """After a restore from an older backup the kept anchors are ahead of the file by design: they are set aside
    (kept as ``anchor.*.before-restore``), and the next sync with the town makes new ones."""
    for name in ("anchor.town", "anchor.local"):
        text = ctx.keys.get(name)
        if text:
            ctx.keys.put(f"{name}.before-restore", text)
            ctx.keys.delete(name)


_HEX = re.compile(r"[0-9a-fA-F]{16,64}")


def parse_anchor(text: str) -> Anchor:
    """A head read off a printed daily close: ``37:3f2a9c1b2d4e5f60`` (the chain's number and the first 16 hex
    digits or more), optionally ``audit=12:…`` after it; the Chinese words around them may be typed too."""
    chain_part, _, audit_part = text.replace("，", ",").partition("audit")
    numbers = re.findall(r"\d+", chain_part.split(":")[0] if ":" in chain_part else chain_part)
    found = _HEX.search(chain_part.split(":", 1)[1] if ":" in chain_part else chain_part)
    if not numbers or found is None:
        raise DomainError("check.bad_anchor", text=text[:80])
    audit_seq, audit_hash = 0, ""
    if audit_part:
        a_num = re.search(r"\d+", audit_part)
        a_hash = _HEX.search(audit_part)
        if a_num is None or a_hash is None:
            raise DomainError("check.bad_anchor", text=text[:80])
        audit_seq, audit_hash = int(a_num.group()), a_hash.group().lower()
    return Anchor(int(numbers[0]), found.group().lower(), audit_seq, audit_hash, "paper")


# ---------------------------------------------------------------- the check


def check(ctx: ServiceContext, *, actor: Actor, anchors: Sequence[Anchor] = ()) -> CheckReport:
    """Everything the check covers (see COVERED), compared with ``anchors`` and with those kept on this PC."""
    actor.require(Permission.STATION_ADMIN)
    findings: list[Finding] = []
    for problem in ctx.db.integrity_problems():
        findings.append(Finding("database", "check.db_corrupt", (("detail", problem),)))
    keys = seals.station_keys(ctx)
    before_keys = seals.legacy(ctx)
    compared = list(anchors)
    compared += [a for a in kept_anchors(ctx) if not any(same_place(a, b) for b in compared)]
    with ctx.read() as uow:
        own = ctx.station_code(uow)
        raw = list(uow.audit_entries())
        entries = [(e["seq"], e["prev_hash"], e["hash"], audit_payload(e), e.get("key_id") or "") for e in raw]
        numbers = uow.repos.cases.all_numbers(own)
        attachments = uow.repos.cases.all_attachments()
        missing_indexes = uow.missing_search_indexes()
        credited, redeemed, ledger = uow.repos.points.ledger_sources(own)
        restored = [e for e in raw if e["action"] == "station.restored"]
    for name in missing_indexes:
        findings.append(Finding("database", "check.index_missing", (("index", name),)))
    for brk in verify_chain(entries, keys, keyed_after=before_keys.audit):
        findings.append(Finding("audit", f"check.audit_{brk.reason}", (("seq", str(brk.seq)),)))
    findings += _audit_against(entries, compared, restored)
    findings += _numbers(numbers)
    if ctx.data_dir is not None:
        for a in attachments:
            state = verify_attachment(ctx.data_dir, a["stored_path"], a["sha256"])
            if state:
                findings.append(Finding("attachments", f"check.attachment_{state}",
                                        (("file", a["file_name"][:80]), ("case", a["case_id"]))))
    marks = [integrity.ChainMark(own, a.chain_seq, a.chain_hash, a.source) for a in compared]
    chain = integrity.check(ctx, keys=keys, keyed_after=before_keys.chain, anchors=marks)
    for link in chain.problems:
        findings.append(Finding("money", f"check.chain_{link.kind}",
                                (("station", link.station_code), ("seq", str(link.seq)), ("what", link.what))))
    findings += _ledger(credited, redeemed, ledger)
    unkeyed = chain.unkeyed + sum(1 for e in entries if not e[4])
    return CheckReport(findings=tuple(findings), audit_entries=len(entries), cases=len(numbers),
                       attachments=len(attachments), chain_links=chain.links, before_chain=chain.before_chain,
                       unkeyed=unkeyed, anchors=tuple(compared))


def _audit_against(entries: Sequence[tuple[int, str, str, Any, str]], anchors: Sequence[Anchor],
                   restored: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """The audit log against the anchors: shorter than one (its newest entries deleted), or different at its
    number. After a restore from an older backup the log is shorter by design until the town has a new anchor:
    said as such (the entries are in the safety copy the restore kept)."""
    by_seq = {seq: hash_ for seq, _, hash_, _, _ in entries}
    out = []
    for a in anchors:
        if a.audit_seq <= 0:
            continue
        found = by_seq.get(a.audit_seq)
        if found is None:
            code = "check.audit_cut_by_restore" if restored else "check.audit_cut"
            out.append(Finding("audit", code, (("seq", str(a.audit_seq)), ("source", a.source),
                                               ("last", str(max(by_seq, default=0))))))
        elif not found.startswith(a.audit_hash.lower()):
            out.append(Finding("audit", "check.audit_differs", (("seq", str(a.audit_seq)), ("source", a.source))))
    return out


def _numbers(numbers: Sequence[str]) -> list[Finding]:
    out = []
    by_day: dict[tuple[str, str], list[int]] = {}
    for no in numbers:
        try:
            station, when, seq = parse_case_no(no)
        except DomainError:
            out.append(Finding("numbers", "check.bad_case_no", (("case_no", no[:40]),)))
            continue
        by_day.setdefault((station, when.isoformat()), []).append(seq)
    for (station, day), seqs in sorted(by_day.items()):
        for gap in sorted(set(range(1, max(seqs) + 1)) - set(seqs)):
            out.append(Finding("numbers", "check.case_gap", (("station", station), ("day", day), ("seq", str(gap)))))
    return out


def _ledger(credited: Sequence[Mapping[str, Any]], redeemed: Sequence[Mapping[str, Any]],
            entries: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """The points ledger derived again: every credited declaration has its entry for its points on its account,
    every redemption its entry for minus its total, every reversed one its reversal back."""
    out: list[Finding] = []
    by_declaration: dict[str, list[Mapping[str, Any]]] = {}
    by_redemption: dict[str, list[Mapping[str, Any]]] = {}
    for e in entries:
        if e["declaration_id"]:
            by_declaration.setdefault(str(e["declaration_id"]), []).append(e)
        if e["redemption_id"]:
            by_redemption.setdefault(str(e["redemption_id"]), []).append(e)
    for d in credited:
        made = [e for e in by_declaration.get(str(d["id"]), []) if e["kind"] in ("award", "deduction")]
        if len(made) != 1 or made[0]["points"] != d["points"] or made[0]["account_id"] != d["account_id"]:
            out.append(Finding("points", "check.points_credit", (("declaration", str(d["id"])[-8:]),
                                                                 ("points", str(d["points"])))))
    for r in redeemed:
        made = by_redemption.get(str(r["id"]), [])
        spent = [e for e in made if e["kind"] == "redemption"]
        back = [e for e in made if e["kind"] == "reversal"]
        total = int(r["total"])
        if len(spent) != 1 or spent[0]["points"] != -total or spent[0]["account_id"] != r["account_id"]:
            out.append(Finding("points", "check.points_redemption", (("redemption", str(r["id"])[-8:]),
                                                                     ("points", str(total)))))
        if (r["state"] == "reversed") != (len(back) == 1 and back[0]["points"] == total):
            out.append(Finding("points", "check.points_reversal", (("redemption", str(r["id"])[-8:]),
                                                                   ("points", str(total)))))
    return out

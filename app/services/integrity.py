"""Tamper evidence: the station's hash chain over the records that must never change — payments and their
events, cash movements and closed drawers, issued documents (receipts) and their voiding, daily closes, and
the points ledger's entries.

Each record gets a link when it is written, in the same transaction: the digest of its fixed fields and the
keyed hash (app.services.seals) of the link before it. :func:`check` reads the chain again: a field edited in
the database, a record deleted, a link removed or reordered, a record slipped in without a link, a voided
receipt made valid again, links sealed again without the key, and — against an anchor (where the chain stood
when the town last heard from the station, or as a daily close printed it) — a chain cut short at its end or
removed whole, are each reported by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from app.domain.errors import DomainError
from app.domain.money import GENESIS, digest, link_hash
from app.domain.points import EntryKind
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext
from app.services.recovery import numbers_safe

# The fields of each chained record that never change after it is written (a document's printing and
# reprint counters do change, so they are not here; a voided document keeps its number and content — its
# voiding is a link of its own, ``documents.void``).
CHAINED: Final[dict[str, tuple[str, ...]]] = {
    "payments": ("id", "station_code", "case_id", "kind", "payee", "lines_json", "total_fen", "method", "reference",
                 "cashier_id", "paid_at", "item_code", "txn_ref", "tendered_fen", "change_fen", "session_id",
                 "business_day", "late"),
    "payment_events": ("id", "payment_id", "station_code", "kind", "amount_fen", "method", "reason", "reference",
                       "staff_id", "approver_id", "at", "business_day", "late"),
    "cash_moves": ("id", "session_id", "station_code", "kind", "amount_fen", "reason", "payment_id", "staff_id", "at",
                   "business_day", "late"),
    "cash_sessions": ("id", "station_code", "business_day", "opened_by", "opened_at", "float_fen", "state",
                      "closed_by", "closed_at", "count_json", "expected_fen", "counted_fen", "approved_by", "note"),
    "documents": ("id", "station_code", "kind", "number", "subject_type", "subject_id", "case_id", "paper",
                  "issued_at", "issued_by", "content_json"),
    "documents.void": ("id", "state", "void_reason", "voided_at", "voided_by"),
    "day_closes": ("id", "station_code", "day", "closed_by", "closed_at", "report_json"),
    "points_entries": ("id", "account_id", "kind", "points", "at", "expires_on", "lot_id", "declaration_id",
                       "redemption_id", "reason", "approved_by", "operator_id", "station_code"),
}
# Points entries a station makes by itself and alone; an account's opening balance and a lot's expiry are made
# alike at every station (ids from what they are about) and are not in any one station's chain.
CHAINED_ENTRIES: Final = (EntryKind.AWARD.value, EntryKind.DEDUCTION.value, EntryKind.REDEMPTION.value,
                          EntryKind.REVERSAL.value, EntryKind.CORRECTION.value)
TABLE_WORDS: Final = {"payments": "收款", "payment_events": "收款处理记录", "cash_moves": "钱箱进出",
                      "cash_sessions": "钱箱结账", "documents": "单据", "documents.void": "单据作废",
                      "day_closes": "日结", "points_entries": "积分明细"}


_SOURCES: Final = {"town": "镇服务器记下的位置", "kept-town": "镇里上次确认、本机记下的位置",
                   "kept": "本机上次记下的位置", "paper": "日结单上印的位置"}


def _table(link_kind: str) -> str:
    return link_kind.split(".", 1)[0]


def record_digest(link_kind: str, row: Mapping[str, Any]) -> str:
    return digest({k: row.get(k) for k in CHAINED[link_kind]})


def chain(uow: UnitOfWork, station_code: str, table: str, row_id: str, at: str) -> str:
    """Link a record just written (in this transaction) to the end of the station's chain; returns its hash.
    ``table`` may name a part of a record's life that is linked on its own (``documents.void``). A station
    restored from an older backup takes no link until the town has answered (it could reuse a number)."""
    numbers_safe(uow)
    row = uow.repos.money.row(_table(table), row_id)
    assert row is not None, f"{table} {row_id} is not written yet"
    last = uow.repos.money.last_link(station_code)
    seq = (last["seq"] + 1) if last else 1
    prev = last["hash"] if last else GENESIS
    d = record_digest(table, row)
    key_id, key = uow.sealer if uow.sealer else ("", None)
    h = link_hash(prev, seq, table, row_id, d, key)
    uow.add("chain_links", {"station_code": station_code, "seq": seq, "table_name": table, "row_id": row_id,
                            "digest": d, "prev_hash": prev, "hash": h, "at": at, "key_id": key_id})
    if seq == 1:  # where the chain starts, kept apart: removing the whole chain shows too
        uow.meta_set(f"chain.start.{station_code}", h)
    return h


def chain_entry(uow: UnitOfWork, station_code: str, entry_id: str, kind: str, at: str) -> None:
    """A points entry this station made by itself joins its chain (an opening balance or an expiry does not)."""
    if kind in CHAINED_ENTRIES:
        chain(uow, station_code, "points_entries", entry_id, at)


def head(uow: UnitOfWork, station_code: str) -> tuple[int, str]:
    """The chain's last link (number, hash): printed on the daily close, it anchors the chain on paper."""
    last = uow.repos.money.last_link(station_code)
    return (last["seq"], last["hash"]) if last else (0, GENESIS)


@dataclass(frozen=True, slots=True)
class ChainProblem:
    station_code: str
    seq: int  # 0: a record with no link at all
    table: str
    row_id: str
    # changed | deleted | link_broken | start_missing | unlinked | void_undone | key_missing | unkeyed | cut
    kind: str
    what: str  # the record, as a person names it: 收款 2026-11-23 10:15（88.50 元）, 单据 QX01-SK2026-000003


@dataclass(frozen=True, slots=True)
class ChainMark:
    """Where a station's chain stood at some moment (seq 0: empty), as an anchor says it: ``hash`` may be a
    prefix (a daily close prints the first 16 hex digits)."""

    station_code: str
    seq: int
    hash: str
    source: str  # town | kept (the key store) | paper (given by hand)


@dataclass(frozen=True, slots=True)
class ChainReport:
    stations: tuple[str, ...]
    links: int
    problems: tuple[ChainProblem, ...]
    before_chain: int  # records older than the chain (an upgraded station): not covered by it
    unkeyed: int = 0  # links sealed with plain SHA-256 before the station had a key (an earlier release)
    anchors: tuple[ChainMark, ...] = ()  # the anchors compared
    unverified: int = 0  # links sealed with a key not held here (at the town: a station's own, before enrolment)

    @property
    def ok(self) -> bool:
        return not self.problems


def _name(table: str, row: Mapping[str, Any] | None, row_id: str) -> str:
    what = TABLE_WORDS.get(table, table)
    if row is not None and _table(table) == "documents":
        return f"{what} {row['number']}"
    if row is not None and table == "payments":
        return f"{what} {row['paid_at'][:16].replace('T', ' ')}（{row['total_fen'] / 100:.2f} 元）"
    return f"{what} {row_id[-8:]}"


def check(ctx: ServiceContext, *, keys: Mapping[str, bytes] | None = None, keyed_after: int | None = None,
          anchors: Sequence[ChainMark] = (), keyed_since: Mapping[str, str] | None = None) -> ChainReport:
    """Walk every station's chain in this database and compare it with the records as they are now, and with
    the ``anchors`` given. ``keys``: the sealing keys by id; ``keyed_after``: links after this number must be
    keyed (this station's own, once it had a key); ``keyed_since``: per station, links made from this time on
    must be keyed (at the town: since the station was enrolled). In any chain, a plain link after a keyed one is
    a break: someone sealed it again without the key."""
    from app.services import seals

    if keys is None:  # this station's own keys, and the rule of where its keyed links begin
        keys, keyed_after = seals.station_keys(ctx), seals.legacy(ctx).chain
    problems: list[ChainProblem] = []
    total = before = unkeyed = unverified = 0
    with ctx.read() as uow:
        repo = uow.repos.money
        try:
            own = ctx.station_code(uow)
        except DomainError:  # the town: every station's chain, none of them its own
            own = ""
        stations = tuple(sorted(set(repo.chain_stations()) | ({own} if own else set())))
        for station in stations:
            prev, expected_seq = GENESIS, 1
            links = repo.links(station)
            # Records older than the first linked one are from before the chain (an upgraded station); the
            # first link is written just after its record, in the same transaction.
            first_row = repo.row(_table(links[0]["table_name"]), links[0]["row_id"]) if links else None
            first = (first_row or links[0])["created_hlc"] if links else None
            start = uow.meta_get(f"chain.start.{station}")
            if start is not None and (not links or links[0]["seq"] != 1 or links[0]["hash"] != start):
                problems.append(ChainProblem(station, 1, "chain_links", "", "start_missing", "链条"))
            before += sum(repo.made_before(table, station, first, CHAINED_ENTRIES if table == "points_entries"
                                           else None) for table in CHAINED if "." not in table)
            by_seq: dict[int, str] = {}
            keyed_seen = False
            since = (keyed_since or {}).get(station)
            for link in links:
                total += 1
                seq, table, row_id = link["seq"], link["table_name"], link["row_id"]
                by_seq[seq] = link["hash"]
                key_id = str(link.get("key_id") or "")
                key = (keys or {}).get(key_id) if key_id else None
                if key_id and key is None:
                    unverified += 1
                    if station == own:
                        problems.append(ChainProblem(station, seq, table, row_id, "key_missing",
                                                     _name(table, None, row_id)))
                elif not key_id:
                    unkeyed += 1
                    if keyed_seen or (station == own and keyed_after is not None and seq > keyed_after) or \
                            (since is not None and str(link["at"]) >= since):
                        problems.append(ChainProblem(station, seq, table, row_id, "unkeyed",
                                                     _name(table, None, row_id)))
                keyed_seen = keyed_seen or bool(key_id)
                if seq != expected_seq or link["prev_hash"] != prev or (
                        (key is not None or not key_id)
                        and link["hash"] != link_hash(prev, seq, table, row_id, link["digest"], key)):
                    problems.append(ChainProblem(station, seq, table, row_id, "link_broken",
                                                 _name(table, None, row_id)))
                prev, expected_seq = link["hash"], seq + 1
                row = repo.row(_table(table), row_id)
                if row is None or row.get("deleted"):
                    problems.append(ChainProblem(station, seq, table, row_id, "deleted", _name(table, None, row_id)))
                elif record_digest(table, row) != link["digest"]:
                    kind = "void_undone" if table == "documents.void" else "changed"
                    problems.append(ChainProblem(station, seq, table, row_id, kind, _name(table, row, row_id)))
            for mark in (a for a in anchors if a.station_code == station and a.seq > 0):
                found = by_seq.get(mark.seq)
                where = _SOURCES.get(mark.source, mark.source) + f"（第 {mark.seq} 环）"
                if found is None:
                    problems.append(ChainProblem(station, mark.seq, "chain_links", "", "cut", where))
                elif not found.startswith(mark.hash.lower()):
                    problems.append(ChainProblem(station, mark.seq, "chain_links", "", "link_broken", where))
            if first is None:
                continue  # no link yet: every record is from before the chain (counted above)
            # Points entries and voidings joined the chain with keyed links: from the first of those on.
            keyed = next((str(x["created_hlc"]) for x in links if x.get("key_id")), None)
            for table in (name for name in CHAINED if "." not in name):
                if table == "points_entries" and keyed is None:
                    continue
                kinds = CHAINED_ENTRIES if table == "points_entries" else None
                since = keyed if table == "points_entries" and keyed is not None else first
                for row_id in repo.unlinked(table, station, since, kinds):
                    row = repo.row(table, row_id)
                    problems.append(ChainProblem(station, 0, table, row_id, "unlinked", _name(table, row, row_id)))
            for doc_id in repo.voided_without_link(station, keyed) if keyed is not None else ():
                row = repo.row("documents", doc_id)
                problems.append(ChainProblem(station, 0, "documents.void", doc_id, "unlinked",
                                             _name("documents.void", row, doc_id)))
    return ChainReport(stations=stations, links=total, problems=tuple(problems), before_chain=before,
                       unkeyed=unkeyed, anchors=tuple(anchors), unverified=unverified)

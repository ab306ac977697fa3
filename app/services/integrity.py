"""Tamper evidence: the station's hash chain over the records that must never change — payments and their
events, cash movements and closed drawers, issued documents (receipts), daily closes.

Each record gets a link when it is written, in the same transaction: the digest of its fixed fields and the
hash of the link before it. :func:`check` reads the chain again: a field edited in the database, a record
deleted, a link removed or reordered, or a record slipped in without a link is reported by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from app.domain.money import GENESIS, digest, link_hash
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext

# The fields of each chained record that never change after it is written (a document's printing and
# reprint counters do change, so they are not here; a voided document keeps its number and content).
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
    "day_closes": ("id", "station_code", "day", "closed_by", "closed_at", "report_json"),
}
TABLE_WORDS: Final = {"payments": "收款", "payment_events": "收款处理记录", "cash_moves": "钱箱进出",
                      "cash_sessions": "钱箱结账", "documents": "单据", "day_closes": "日结"}


def record_digest(table: str, row: Mapping[str, Any]) -> str:
    return digest({k: row.get(k) for k in CHAINED[table]})


def chain(uow: UnitOfWork, station_code: str, table: str, row_id: str, at: str) -> str:
    """Link a record just written (in this transaction) to the end of the station's chain; returns its hash."""
    row = uow.repos.money.row(table, row_id)
    assert row is not None, f"{table} {row_id} is not written yet"
    last = uow.repos.money.last_link(station_code)
    seq = (last["seq"] + 1) if last else 1
    prev = last["hash"] if last else GENESIS
    d = record_digest(table, row)
    h = link_hash(prev, seq, table, row_id, d)
    uow.add("chain_links", {"station_code": station_code, "seq": seq, "table_name": table, "row_id": row_id,
                            "digest": d, "prev_hash": prev, "hash": h, "at": at})
    if seq == 1:  # where the chain starts, kept apart: removing the whole chain shows too
        uow.meta_set(f"chain.start.{station_code}", h)
    return h


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
    kind: str  # changed | deleted | link_broken | start_missing | unlinked
    what: str  # the record, as a person names it: 收款 2026-11-23 10:15（88.50 元）, 单据 QX01-SK2026-000003


@dataclass(frozen=True, slots=True)
class ChainReport:
    stations: tuple[str, ...]
    links: int
    problems: tuple[ChainProblem, ...]
    before_chain: int  # records made before the chain began (a station upgraded from an older release)

    @property
    def ok(self) -> bool:
        return not self.problems


def _name(table: str, row: Mapping[str, Any] | None, row_id: str) -> str:
    what = TABLE_WORDS.get(table, table)
    if row is not None and table == "documents":
        return f"{what} {row['number']}"
    if row is not None and table == "payments":
        return f"{what} {row['paid_at'][:16].replace('T', ' ')}（{row['total_fen'] / 100:.2f} 元）"
    return f"{what} {row_id[-8:]}"


def check(ctx: ServiceContext) -> ChainReport:
    """Walk every station's chain in this database and compare it with the records as they are now."""
    problems: list[ChainProblem] = []
    total = before = 0
    with ctx.read() as uow:
        repo = uow.repos.money
        stations = tuple(sorted(set(repo.chain_stations()) | {ctx.station_code(uow)}))
        for station in stations:
            prev, expected_seq = GENESIS, 1
            links = repo.links(station)
            # Records older than the first linked one are from before the chain (an upgraded station); the
            # first link is written just after its record, in the same transaction.
            first_row = repo.row(links[0]["table_name"], links[0]["row_id"]) if links else None
            first = (first_row or links[0])["created_hlc"] if links else None
            start = uow.meta_get(f"chain.start.{station}")
            if start is not None and (not links or links[0]["seq"] != 1 or links[0]["hash"] != start):
                problems.append(ChainProblem(station, 1, "chain_links", "", "start_missing", "链条"))
            before += sum(repo.made_before(table, station, first) for table in CHAINED)
            for link in links:
                total += 1
                seq, table, row_id = link["seq"], link["table_name"], link["row_id"]
                if seq != expected_seq or link["prev_hash"] != prev or \
                        link["hash"] != link_hash(prev, seq, table, row_id, link["digest"]):
                    problems.append(ChainProblem(station, seq, table, row_id, "link_broken",
                                                 _name(table, None, row_id)))
                prev, expected_seq = link["hash"], seq + 1
                row = repo.row(table, row_id)
                if row is None or row.get("deleted"):
                    problems.append(ChainProblem(station, seq, table, row_id, "deleted", _name(table, None, row_id)))
                elif record_digest(table, row) != link["digest"]:
                    problems.append(ChainProblem(station, seq, table, row_id, "changed", _name(table, row, row_id)))
            if first is None:
                continue  # no link yet: every record is from before the chain (counted above)
            for table in CHAINED:
                for row_id in repo.unlinked(table, station, first):
                    row = repo.row(table, row_id)
                    problems.append(ChainProblem(station, 0, table, row_id, "unlinked", _name(table, row, row_id)))
    return ChainReport(stations=stations, links=total, problems=tuple(problems), before_chain=before)

"""A station restored from an older backup, and the town: it must never reuse a number the town has already seen,
and it gets back from the town its own records the backup lacks.

After a restore the station's file carries ``sync.recover`` (app/services/maintenance.py sets it). Until the town
has answered, an enrolled station takes no new number — no case, no receipt, no link of its chain — and says
why. At the next sync (or USB reply) the town gives the station's high-water marks (the highest case and
document numbers of each counter it holds from the station) and hands every record the station ever sent back
to it; the station moves its counters past the marks, pulls, and the flag goes.

Also here: the anchors a station reports at each sync (where its chain and audit log stand), recorded at the
town in ``station_anchors``, and the town's view of them that a station's check compares with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import DomainError
from app.domain.ids import new_id
from app.domain.numbering import Marks, high_water
from app.persistence.replica import row_plain, row_to_json
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext, iso_time

RECOVER = "sync.recover"  # meta: set by a restore, cleared when the town has answered
ENROLLED_AT = "sync.enrolled_at"


def numbers_safe(uow: UnitOfWork) -> None:
    """Refuse to take a new number while a restored station has not heard from the town (it could reuse one)."""
    if uow.meta_get(RECOVER) and uow.meta_get(ENROLLED_AT):
        raise DomainError("sync.recover_first", since=str(uow.meta_get(RECOVER))[:16].replace("T", " "))


def pending(ctx: ServiceContext) -> bool:
    with ctx.read() as uow:
        return bool(uow.meta_get(RECOVER)) and bool(uow.meta_get(ENROLLED_AT))


def marks_as_json(marks: Marks) -> list[list[Any]]:
    return [[kind, period, value] for (kind, period), value in sorted(marks.items())]


def marks_from_json(items: Any) -> Marks:
    out: Marks = {}
    for item in items or []:
        kind, period, value = item
        if isinstance(kind, str) and isinstance(period, str) and isinstance(value, int) and not isinstance(value, bool):
            out[(kind, period)] = value
    return out


def take_marks(ctx: ServiceContext, marks: Marks) -> int:
    """At the station: its counters moved past the town's marks (never back). Returns how many moved."""
    with ctx.uow() as uow:
        moved = uow.repos.sequences.raise_to(ctx.station_code(uow), marks)
        uow.audit(staff_id="", action="sync.marks_taken", target_type="station", target_id=ctx.station_code(uow),
                  detail={"moved": moved, "marks": len(marks)}, at=ctx.now())
        uow.commit()
    return moved


def recovered(ctx: ServiceContext) -> None:
    """At the station: the town has answered and everything it handed back is here."""
    from app.services.checking import set_aside_anchors

    with ctx.uow() as uow:
        since = uow.meta_get(RECOVER)
        if not since:
            return
        uow.meta_delete(RECOVER)
        uow.audit(staff_id="", action="sync.recovered", target_type="station", target_id=ctx.station_code(uow),
                  detail={"restored_at": since}, at=ctx.now())
        uow.commit()
    set_aside_anchors(ctx)


# ---------------------------------------------------------------- at the town


def recover_station(ctx: ServiceContext, *, station: str) -> Marks:
    """A station restored from an older backup asks: its high-water marks, and every record it ever sent
    handed back to it (logged for it alone, as the town holds them now) for its next pull."""
    from app.services.replication import TOWN_SENDER

    with ctx.uow() as uow:
        trust = uow.repos.trust
        cases, documents = trust.numbers_of(station)
        marks = high_water(station, cases, documents)
        last = uow.repos.replica.lock_log()
        at = iso_time(ctx.now())
        rows: list[dict[str, Any]] = []
        for table, ids in sorted(trust.sent_by(station).items()):
            if table not in _SYNCED:
                continue
            for row_id, row in sorted(uow.repos.replica.rows(table, ids).items()):
                rows.append({"seq": last + len(rows) + 1, "change_id": new_id(), "station_code": TOWN_SENDER,
                             "table_name": table, "row_id": row_id, "op": "upsert", "hlc": str(row["updated_hlc"]),
                             "row_json": row_to_json(row_plain(row)), "applied_at": at, "audience": "@" + station})
        rows.sort(key=lambda r: _ORDER.get(str(r["table_name"]), 99))
        for n, r in enumerate(rows, start=1):
            r["seq"] = last + n
        uow.repos.replica.log(rows)
        uow.audit(staff_id="", action="sync.station_recovered", target_type="station", target_id=station,
                  detail={"records": len(rows), "marks": len(marks)}, at=ctx.now())
        uow.commit()
    return marks


@dataclass(frozen=True, slots=True)
class TownAnchor:
    """What the town knows of where a station's chain and audit log stand: the anchor it last reported, and the
    last link of its chain in the town's own copy."""

    chain_seq: int
    chain_hash: str
    audit_seq: int
    audit_hash: str
    at: str
    town_chain_seq: int
    town_chain_hash: str


def record_anchor(ctx: ServiceContext, *, station: str, anchor: Mapping[str, Any], restored: bool = False
                  ) -> TownAnchor:
    """A station says where its chain and audit log stand (at the end of a sync). One that went back from what
    it said before — without having been restored — is a security event for the town administrator."""
    with ctx.uow() as uow:
        trust = uow.repos.trust
        before = trust.last_anchor(station)
        values = {"station_code": station, "at": iso_time(ctx.now()), "chain_seq": int(anchor["chain_seq"]),
                  "chain_hash": str(anchor["chain_hash"])[:64], "audit_seq": int(anchor["audit_seq"]),
                  "audit_hash": str(anchor["audit_hash"])[:64], "note": "restored" if restored else ""}
        if before is not None and not restored and (values["chain_seq"] < before["chain_seq"]
                                                    or values["audit_seq"] < before["audit_seq"]):
            trust.add_events([{"found_at": values["at"], "station_code": station, "change_id": new_id(),
                               "table_name": "station_anchors", "row_id": station, "code": "trust.anchor_went_back",
                               "params_json": row_to_json({"chain": f"{before['chain_seq']}→{values['chain_seq']}",
                                                           "audit": f"{before['audit_seq']}→{values['audit_seq']}"}),
                               "fields": "", "row_json": row_to_json(values)}])
        trust.add_anchor(values)
        uow.commit()
    return town_anchor(ctx, station=station)


def town_anchor(ctx: ServiceContext, *, station: str) -> TownAnchor:
    with ctx.read() as uow:
        last = uow.repos.trust.last_anchor(station)
        seq, hash_ = uow.repos.trust.chain_head(station)
    a = last or {"chain_seq": 0, "chain_hash": "", "audit_seq": 0, "audit_hash": "", "at": ""}
    return TownAnchor(chain_seq=int(a["chain_seq"]), chain_hash=str(a["chain_hash"]), audit_seq=int(a["audit_seq"]),
                      audit_hash=str(a["audit_hash"]), at=str(a["at"]), town_chain_seq=seq, town_chain_hash=hash_)


def _order() -> dict[str, int]:
    from app.persistence.tables import SYNCED_TABLES
    from app.persistence.trust_repo import parents_first

    return {name: n for n, name in enumerate(parents_first(SYNCED_TABLES))}


_ORDER = _order()
_SYNCED = frozenset(_ORDER)

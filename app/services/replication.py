"""Replication: what a station sends, what the town applies and hands out again, and how a row from elsewhere
is merged. The protocol (HTTP or a USB bundle) is ``app.sync``; this is the part both ends share.

The rules:
- **Exactly once**: every change has a unique id; the server applies a change it has not seen and logs it
  under the next number of its global order, in one transaction per batch; a change seen before is
  acknowledged again and changes nothing. A station marks changes pushed only after the acknowledgement.
- **Merge**: a row is absent → inserted; present → replaced only by a later ``updated_hlc`` (last writer
  wins, ties cannot happen: a clock reading names its node). Append-only records (case events, ledger
  entries, payments and their events, cash moves, chain links, closes) are written once and never change,
  so for them this is "insert if absent".
- **Never dropped**: a row that breaks a rule of the receiving database (a second record of a unique thing)
  is kept in ``sync_conflicts`` with its reason, acknowledged, and shown to the town administrator.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.domain.errors import DomainError, PermissionDenied
from app.domain.ids import Hlc, new_id
from app.domain.staff import Actor, Permission
from app.persistence.keystore import SYNC_CREDENTIAL
from app.persistence.replica import row_from_json, row_plain, row_to_json
from app.persistence.tables import SYNCED_TABLES
from app.services.cases import iso_time
from app.services.context import ServiceContext
from app.services.screening import Refusal, screen
from app.services.sync_types import Change as Change  # re-exported: the sync names it from here

ENROL_HOURS = 72  # a one-time enrolment code is good for three days


@dataclass(frozen=True, slots=True)
class Applied:
    accepted: tuple[str, ...]  # every change id now safely held (applied now or before)
    inserted: int
    updated: int
    kept: int
    conflicts: int
    head: int  # the server's last number after this batch (0 on a station)
    refused: tuple[Refusal, ...] = ()  # what the town would not take, and why (acknowledged, never applied)


def outbox(ctx: ServiceContext, *, limit: int = 500, after: int = 0) -> tuple[Change, ...]:
    """The station's changes not yet acknowledged by the town, oldest first, each with its row as it is now
    (after change number ``after``: the next batch can be read while the town applies this one).

    A row whose current version was made elsewhere (its ``updated_hlc`` names another node: it came from the
    town after this station changed it) is not sent again: the town has it already. Those changes leave the
    outbox here."""
    with ctx.uow() as uow:
        repo = uow.repos.replica
        pending = repo.pending(limit, after=after)
        wanted: dict[str, list[str]] = {}
        for c in pending:
            wanted.setdefault(c["table_name"], []).append(c["row_id"])
        rows = {(name, row_id): row for name, ids in wanted.items()
                for row_id, row in repo.plain_rows(name, ids).items()}
        out, superseded = [], []
        mine = "." + uow.node_id
        for c in pending:
            row = rows.get((c["table_name"], c["row_id"]))
            if row is not None and not str(row["updated_hlc"]).endswith(mine):
                superseded.append(c["change_id"])
                continue
            out.append(Change(change_id=c["change_id"], table=c["table_name"], row_id=c["row_id"], op=c["op"],
                              hlc=c["hlc"], row=row, seq=c["seq"]))
        if superseded:
            repo.mark_pushed(superseded, iso_time(ctx.now()))
            uow.commit()
        return tuple(out)


def pending_count(ctx: ServiceContext) -> int:
    with ctx.read() as uow:
        return uow.repos.replica.pending_count()


def not_at_town(ctx: ServiceContext, *, table: str, row_ids: Sequence[str]) -> frozenset[str]:
    """The rows (e.g. cases) with a change not yet at the town — only for a station enrolled with one: a
    station working alone has nothing to wait for."""
    with ctx.read() as uow:
        return pending_at_town(uow, table=table, row_ids=row_ids)


def pending_at_town(uow: Any, *, table: str, row_ids: Sequence[str]) -> frozenset[str]:
    """``not_at_town`` inside a unit of work the caller already has open (enrolled: ``sync.enrolled_at`` in
    meta; the credential itself is in the key store, never in the database)."""
    if not uow.meta_get(ENROLLED_AT) or not row_ids:
        return frozenset()
    return frozenset(uow.repos.replica.pending_rows(table, list(row_ids)))


def mark_pushed(ctx: ServiceContext, change_ids: Sequence[str], *, sent: Sequence[Change] = ()) -> None:
    """The town acknowledged these: they leave the outbox (and only now). When they are the whole batch
    ``sent`` (read from the outbox in order), they are marked by their numbers' range in one statement: every
    pending change in that range was in the batch (``outbox`` reads in order, later changes get higher
    numbers, and those it skipped were marked already)."""
    with ctx.uow() as uow:
        repo = uow.repos.replica
        if sent and len(change_ids) == len(sent) and set(change_ids) == {c.change_id for c in sent}:
            repo.mark_pushed_between(min(c.seq for c in sent), max(c.seq for c in sent), iso_time(ctx.now()))
        else:
            repo.mark_pushed(list(change_ids), iso_time(ctx.now()))
        uow.commit()


def _apply_rows(ctx: ServiceContext, uow: Any, changes: Sequence[Change], sender: str,
                waiting: list[str] | None = None, refused: list[str] | None = None,
                present: Mapping[str, Mapping[str, str]] | None = None) -> tuple[int, int, int, int]:
    """Apply changes (in bulk, parents first); a change whose parent record is not here yet goes to
    ``waiting`` (when given) instead of the conflict queue: it is tried again when it comes again. The ids
    of changes kept in the conflict queue go to ``refused`` (when given)."""
    counts = {"inserted": 0, "updated": 0, "kept": 0, "conflict": 0}
    at = iso_time(ctx.now())
    ledgers: set[str] = set()  # points accounts that got entries from elsewhere: checked for overspending
    repo = uow.repos.replica
    with_rows = [ch for ch in changes if ch.row is not None]
    counts["kept"] += len(changes) - len(with_rows)
    outcomes = repo.apply_all([(ch.table, ch.row) for ch in with_rows], present)
    for ch, done in zip(with_rows, outcomes, strict=True):
        assert ch.row is not None
        outcome = done.result
        if done.merged is not None:  # one person registered at two stations: kept for the record
            loser, survivor = done.merged
            repo.add_conflict(change_id=ch.change_id, table_name="residents", row_id=loser,
                              station_code=sender or ch.station_code,
                              reason=f"merged: registered twice, {loser} merged into {survivor}",
                              row_json=row_to_json(ch.row), at=at, state="merged")
        if outcome.startswith("waiting") and waiting is not None:
            waiting.append(ch.change_id)
            continue
        for name, losing, winning in done.lost:  # both sides changed it: the later one stays
            repo.add_conflict(
                change_id=ch.change_id, table_name=ch.table, row_id=ch.row_id, station_code=sender or ch.station_code,
                reason=f"field {name}: kept {winning!r}, the other change was {losing!r}",
                row_json=row_to_json(ch.row), at=at)
        if outcome.startswith(("conflict", "waiting")):
            counts["conflict"] += 1
            if refused is not None:
                refused.append(ch.change_id)
            repo.add_conflict(change_id=ch.change_id, table_name=ch.table, row_id=ch.row_id,
                              station_code=sender or ch.station_code, reason=outcome,
                              row_json=row_to_json(ch.row), at=at)
        else:
            counts[outcome] += 1
            if ch.table == "points_entries" and outcome == "inserted":
                ledgers.add(str(ch.row["account_id"]))
    latest = max((ch.hlc for ch in changes), default="")
    with contextlib.suppress(ValueError):  # a malformed stamp is not worth failing the batch over
        if latest:
            uow.clock.observe(Hlc.decode(latest))  # causally later changes made here get later stamps
    if ledgers:  # redemptions made offline at two stations may together spend more than could be spent
        from app.services.points import flag_overspending

        flag_overspending(ctx, uow, ledgers)
    return counts["inserted"], counts["updated"], counts["kept"], counts["conflict"]


# Who pulls a change (server_log.audience). A case and what hangs on it go to the stations that need them —
# its own, the resident's village's and those that have served the resident — named by the resident's id;
# a station's drawer moves, closes, hash chain and settings stay with it and the town; the rest (reference
# data, staff, residents, households, points, cash drawers that payments name) go to every station.
_PRIVATE = frozenset({"cash_moves", "day_closes", "chain_links", "station_settings"})
_BY_CASE = frozenset({"case_events", "case_materials", "attachments", "ratings", "follow_ups", "documents",
                      "payments"})


def _audiences(uow: Any, changes: Sequence[Change]) -> list[str]:
    repo = uow.repos.replica
    payments = repo.payment_cases([str(ch.row["payment_id"]) for ch in changes
                                   if ch.table == "payment_events" and ch.row and ch.row.get("payment_id")])
    case_of: dict[int, str] = {}
    for n, ch in enumerate(changes):
        row = ch.row or {}
        if ch.table in _BY_CASE and row.get("case_id"):
            case_of[n] = str(row["case_id"])
        elif ch.table == "payment_events" and str(row.get("payment_id")) in payments:
            case_of[n] = payments[str(row["payment_id"])]
    applicants = repo.case_applicants(list(case_of.values()))
    out = []
    for n, ch in enumerate(changes):
        row = ch.row or {}
        if ch.table == "cases":
            out.append(str(row.get("applicant_id") or "-"))
        elif n in case_of:
            out.append(applicants.get(case_of[n], "-"))
        elif ch.table in _PRIVATE or ch.table in _BY_CASE or ch.table == "payment_events":
            out.append("-")  # a station's own record (a document not about a case is the station's too)
        else:
            out.append("")
    return out


def _log(uow: Any, changes: Sequence[Change], *, sender: str, after: int, at: str) -> None:
    """Changes into the town's log under the numbers after ``after``, each with who pulls it."""
    uow.repos.replica.log([
        {"seq": after + n, "change_id": c.change_id, "station_code": sender, "table_name": c.table,
         "row_id": c.row_id, "op": c.op, "hlc": c.hlc, "row_json": row_to_json(c.row or {}), "applied_at": at,
         "audience": audience}
        for n, (c, audience) in enumerate(zip(changes, _audiences(uow, changes), strict=True), start=1)])


def receive(ctx: ServiceContext, *, station_code: str, changes: Sequence[Change]) -> Applied:
    """The server's side of a push: one transaction for the batch; changes seen before are acknowledged and
    skipped; the new ones are screened by the trust rules on the town's own copies (app.services.screening: a
    station changes only what is its own, with values a station writes), then applied and logged under the
    next numbers of the global order. A refused change is acknowledged, answered in words, kept as a security
    event and never applied or handed on."""
    with ctx.uow() as uow:
        repo = uow.repos.replica
        seen = repo.logged([c.change_id for c in changes])
        fresh = [c for c in changes if c.change_id not in seen]
        # The same change twice in one batch counts once.
        unique: dict[str, Change] = {}
        for c in fresh:
            unique.setdefault(c.change_id, c)
        fresh = list(unique.values())
        last = repo.lock_log()  # held to the commit: pushes are screened one after another, on what is there
        at = iso_time(ctx.now())
        refused: list[str] = []  # kept in the town's conflict queue, not handed on to the stations
        for c in fresh:
            if c.row is None or c.table not in SYNCED_TABLES:  # nothing a station could apply
                repo.add_conflict(change_id=c.change_id, table_name=c.table[:40], row_id=c.row_id,
                                  station_code=station_code, reason="conflict: not a record of a synced table",
                                  row_json=row_to_json(c.row or {}), at=at)
                refused.append(c.change_id)
        invalid = len(refused)
        screened = screen(uow, station_code=station_code, changes=[c for c in fresh if c.change_id not in refused],
                          at=at)
        # Residents this station serves for the first time (from another village): their cases elsewhere follow.
        newcomers = repo.newly_served(station_code, [str(c.row["applicant_id"]) for c in screened.apply
                                                     if c.table == "cases" and c.row and c.row.get("applicant_id")])
        waiting: list[str] = [c.change_id for c in screened.wait]  # parents not here yet (batches out of order)
        inserted, updated, kept, conflicts = _apply_rows(ctx, uow, screened.apply, station_code, waiting, refused,
                                                         screened.present)
        conflicts += invalid
        left_out = set(waiting) | set(refused)
        held = [c for c in screened.apply if c.change_id not in left_out]
        _log(uow, held, sender=station_code, after=last, at=at)
        last += _restamp(uow, screened.restamp, after=last + len(held), at=at)
        if newcomers:
            history = repo.case_history(sorted(newcomers), other_than=station_code)
            repo.log([{"seq": last + len(held) + n, "change_id": new_id(), "station_code": TOWN_SENDER,
                       "table_name": name, "row_id": str(row["id"]), "op": "upsert", "hlc": str(row["updated_hlc"]),
                       "row_json": row_to_json(row_plain(row)), "applied_at": at, "audience": "@" + station_code}
                      for n, (name, row) in enumerate(history, start=1)])
            last += len(history)
        uow.commit()
    not_yet = set(waiting)
    return Applied(accepted=tuple(c.change_id for c in changes if c.change_id not in not_yet), inserted=inserted,
                   updated=updated, kept=kept + len(screened.keep), conflicts=conflicts,
                   head=last + len(held), refused=screened.refused)


TOWN_SENDER = "TOWN"  # the sender named in the log for changes made on the server itself


def _restamp(uow: Any, records: Sequence[tuple[str, str, str]], *, after: int, at: str) -> int:
    """The town's copies of records a station made again (the town kept its own) stamped anew and logged for
    every station: the sender's later copy is then older than the town's, and every node ends with the town's.
    Returns how many log numbers were used."""
    rows: list[dict[str, Any]] = []
    soon = int((time.time() + 86_400) * 1000)
    for table, row_id, theirs in records:
        try:
            sent = Hlc.decode(theirs)
        except ValueError:
            continue
        if sent.wall_ms > soon:
            continue  # a copy stamped far in the future: the town's clock does not follow it there
        uow.clock.observe(sent)
        stamp = uow.clock.now().encode()
        row = uow.repos.trust.restamp(table, row_id, stamp)
        if row is not None:
            rows.append({"seq": after + len(rows) + 1, "change_id": new_id(), "station_code": TOWN_SENDER,
                         "table_name": table, "row_id": row_id, "op": "upsert", "hlc": stamp,
                         "row_json": row_to_json(row), "applied_at": at, "audience": ""})
    uow.repos.replica.log(rows)
    return len(rows)


def publish_own(ctx: ServiceContext) -> int:
    """On the server: the changes made here — by the town administrator (catalogue, rules, staff) — join the
    global log under the next numbers, as a station's push would, so every station pulls them. Returns how
    many. Safe to run at any time and from several processes (the log's lock orders them)."""
    total = 0
    while True:
        changes = outbox(ctx, limit=500)
        if not changes:
            return total
        with ctx.uow() as uow:
            repo = uow.repos.replica
            last = repo.lock_log()
            at = iso_time(ctx.now())
            fresh = [c for c in changes if c.change_id not in repo.logged([c.change_id for c in changes])]
            _log(uow, fresh, sender=TOWN_SENDER, after=last, at=at)
            repo.mark_pushed([c.change_id for c in changes], at)
            uow.commit()
        total += len(changes)


def log_page(ctx: ServiceContext, *, after: int, limit: int = 500, station: str | None = None
             ) -> tuple[tuple[Change, ...], int, bool]:
    """The server's changes after ``after``, in order: (changes, the cursor to ask from next, more waiting).
    For a station (``station``), only what concerns it (``ReplicaRepository.log_after``); when nothing more
    concerns it, the cursor moves to the log's end, so the next pull starts there.

    The end is read first: numbers are taken under the log's lock and committed with it, so every number up
    to a visible one is visible too, and nothing below the cursor can still arrive."""
    entries, cursor_next, more = log_entries(ctx, after=after, limit=limit, station=station)
    return tuple(Change(change_id=e.change_id, table=e.table, row_id=e.row_id, op=e.op, hlc=e.hlc,
                        row=row_from_json(e.row_json), seq=e.seq, station_code=e.station_code)
                 for e in entries), cursor_next, more


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A change as the town's log keeps it: the row still as its JSON text, to be handed on as it is."""

    change_id: str
    table: str
    row_id: str
    op: str
    hlc: str
    row_json: str
    seq: int
    station_code: str


def log_entries(ctx: ServiceContext, *, after: int, limit: int = 500, station: str | None = None
                ) -> tuple[tuple[LogEntry, ...], int, bool]:
    """As ``log_page``, with each row as the JSON text the log holds (the server writes it out unparsed)."""
    with ctx.read() as uow:
        repo = uow.repos.replica
        head = repo.log_head()
        rows = repo.log_after(after, limit + 1, station=station, upto=head)
        more = len(rows) > limit
        rows = rows[:limit]
        out = tuple(LogEntry(change_id=r["change_id"], table=r["table_name"], row_id=r["row_id"], op=r["op"],
                             hlc=r["hlc"], row_json=r["row_json"], seq=r["seq"], station_code=r["station_code"])
                    for r in rows)
        return out, (rows[-1]["seq"] if more else max(head, after)), more


def apply_pulled(ctx: ServiceContext, *, changes: Sequence[Change], cursor: int) -> Applied:
    """A station applies what it pulled (its own changes coming back change nothing) and moves its cursor, in
    one transaction: a crash in between applies the page again, harmlessly.

    A record whose parent this station does not hold (a later event of another station's case from before this
    station served the resident) is left out: that history stays at the town."""
    with ctx.uow() as uow:
        elsewhere: list[str] = []
        inserted, updated, kept, conflicts = _apply_rows(ctx, uow, changes, "", elsewhere)
        uow.meta_set("sync.cursor", str(cursor))
        uow.commit()
    tables = {c.table for c in changes}
    if "catalog_files" in tables:  # the town published: the open window works from the new list at once
        ctx.catalog_changed()
    if "calendar_files" in tables:
        ctx.calendar_changed()
    if tables & {"towns", "villages", "stations"}:
        ctx.town_changed()
    return Applied(accepted=tuple(c.change_id for c in changes), inserted=inserted, updated=updated,
                   kept=kept + len(elsewhere), conflicts=conflicts, head=0)


def cursor(ctx: ServiceContext) -> int:
    with ctx.read() as uow:
        return int(uow.meta_get("sync.cursor") or 0)


@dataclass(frozen=True, slots=True)
class ConflictView:
    id: str
    table: str
    row_id: str
    station_code: str
    reason: str
    found_at: str


def conflicts(ctx: ServiceContext, *, state: str = "open") -> tuple[ConflictView, ...]:
    """Changes waiting for a person to look at them (``state``: ``open`` clashes, or at a station the changes the
    town ``refused``)."""
    with ctx.read() as uow:
        return tuple(ConflictView(id=r["id"], table=r["table_name"], row_id=r["row_id"],
                                  station_code=r["station_code"], reason=r["reason"], found_at=r["found_at"])
                     for r in uow.repos.replica.conflicts(state))


# ---------------------------------------------------------------- enrolment (server side)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()  # the secrets are 32 random bytes: a plain hash will do


def enrol_station(ctx: ServiceContext, *, actor: Actor, station_code: str, name: str, village: str = "") -> str:
    """The town administrator creates (or re-enrols) a station: a one-time enrolment code, shown once, good
    for three days. A re-enrolment revokes the station's old credential. ``village``: the village the station
    serves — its own record must then say the same, and it decides whose cases the station gets (a station
    enrolled without one is taken at its word, once)."""
    actor.require(Permission.TOWN_ADMIN)
    code = " ".join(station_code.split()).upper()
    if not code or len(code) > 20:
        raise DomainError("sync.bad_station_code", code=station_code[:40])
    village = village.strip()
    enrol = "-".join(secrets.token_hex(2).upper() for _ in range(4))  # e.g. 3F2A-91BC-07DE-5A10: read aloud
    with ctx.uow() as uow:
        if village:
            known = [v["code"] for v in uow.repos.town.villages()]
            if known and village not in known:
                raise DomainError("town.unknown_village", village=village[:20], known="、".join(known))
            own = uow.repos.town.station(code)
            if own is not None and own["village_code"] != village:
                raise DomainError("sync.enrol_other_village", station=code, village=village,
                                  theirs=own["village_code"])
        previous = uow.repos.replica.server_station(code)
        uow.repos.replica.save_server_station(code, {
            "name": name.strip()[:60] or code, "enrol_hash": _digest(enrol.replace("-", "")),
            "enrol_expires": iso_time(ctx.now() + timedelta(hours=ENROL_HOURS)), "credential_hash": None,
            "enrolled_at": None, "active": True,
            "village_code": village or (previous or {}).get("village_code") or ""})
        uow.audit(staff_id=actor.staff_id, action="sync.enrol_code", target_type="station", target_id=code,
                  detail={"village": village}, at=ctx.now())
        uow.commit()
    return enrol


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What a station gets once for its enrolment: its credential, and the keys the town derives for it from its
    master secret (app.services.seals): the one it seals with from now on, every one issued to it before (so
    what it sealed earlier can still be checked), and the key its USB bundles are signed with."""

    credential: str
    key_id: str
    seal_keys: Mapping[str, str]
    bundle_key: str


def redeem_enrolment(ctx: ServiceContext, *, station_code: str, enrol_code: str) -> Enrolment:
    """A station exchanges its one-time code for its credential (returned once, kept only as a hash here) and its
    keys (never stored here: derived from the town's master secret whenever needed)."""
    from app.services import seals

    code = station_code.strip().upper()
    if len(code) > 20 or len(enrol_code) > 40:
        raise PermissionDenied("sync.bad_enrolment", station=_said(code))
    given = enrol_code.replace("-", "").replace(" ", "").upper()
    with ctx.uow() as uow:
        row = uow.repos.replica.server_station(code)
        if row is None or not row["enrol_hash"] or not hmac.compare_digest(row["enrol_hash"], _digest(given)):
            raise PermissionDenied("sync.bad_enrolment", station=code)
        if row["enrol_expires"] and row["enrol_expires"] < iso_time(ctx.now()):
            raise PermissionDenied("sync.enrolment_expired", station=code)
        credential = secrets.token_urlsafe(32)
        key_ids = [k for k in str(row.get("key_ids") or "").split(",") if k] + [seals.new_key_id()]
        uow.repos.replica.save_server_station(code, {"enrol_hash": None, "enrol_expires": None,
                                                     "credential_hash": _digest(credential),
                                                     "enrolled_at": iso_time(ctx.now()),
                                                     "key_ids": ",".join(key_ids[-30:])})
        uow.commit()
    seal_keys, bundle = seals.issued(ctx, code, key_ids[-30:])
    return Enrolment(credential=credential, key_id=key_ids[-1], seal_keys=seal_keys, bundle_key=bundle)


def _said(code: str) -> str:
    """A station code as a refusal repeats it: never more than a code's length of whatever was sent."""
    return code if len(code) <= 20 else code[:20] + "…"


def authenticate_station(ctx: ServiceContext, *, station_code: str, credential: str,
                         pulled_to: int | None = None) -> str:
    """The station a request comes from, by its credential; refused plainly otherwise. ``pulled_to``: a pull
    says it holds the town's log up to there (noted in the same transaction)."""
    code = station_code.strip().upper()
    if len(code) > 20 or len(credential) > 200:
        raise PermissionDenied("sync.bad_credential", station=_said(code))
    with ctx.uow() as uow:
        row = uow.repos.replica.server_station(code)
        if row is None or not row["active"] or not row["credential_hash"] or \
                not hmac.compare_digest(row["credential_hash"], _digest(credential)):
            raise PermissionDenied("sync.bad_credential", station=code)
        uow.repos.replica.save_server_station(code, {"last_seen": iso_time(ctx.now())})
        if pulled_to:
            uow.repos.trust.set_pulled_to(code, pulled_to)
        uow.commit()
    return code


def station_key(ctx: ServiceContext, station_code: str) -> bytes:
    """The key a station's USB bundles are signed with, as the server knows it: derived from the town's master
    secret (so the town's database alone is not enough to forge a bundle); for a station enrolled by an earlier
    release, its credential's hash (enrol it again to move it to a derived key)."""
    from app.services import seals

    code = station_code.strip().upper()[:20]
    with ctx.read() as uow:
        row = uow.repos.replica.server_station(code)
    if row is None or not row["credential_hash"] or not row["active"]:
        raise PermissionDenied("sync.bad_credential", station=code)
    key_ids = [k for k in str(row.get("key_ids") or "").split(",") if k]
    if key_ids:
        return seals.issued(ctx, code, key_ids)[1].encode()
    return str(row["credential_hash"]).encode()


def recovery_code(ctx: ServiceContext, *, actor: Actor, station_code: str, days: int = 1) -> tuple[str, str]:
    """The town administrator gives a station whose accounts are lost a code to restore a backup with, good for
    ``days`` days (today included); audited. Returns the code and its last day (YYYYMMDD)."""
    from app.services import seals

    actor.require(Permission.TOWN_ADMIN)
    code = station_code.strip().upper()[:20]
    with ctx.read() as uow:
        row = uow.repos.replica.server_station(code)
    key_ids = [k for k in str((row or {}).get("key_ids") or "").split(",") if k]
    until = (ctx.now() + timedelta(days=max(1, min(days, 7)) - 1)).strftime("%Y%m%d")
    made = seals.recovery_code(ctx, station=code, key_ids=key_ids, until=until)
    with ctx.uow() as uow:
        uow.audit(staff_id=actor.staff_id, action="town.recovery_code", target_type="station", target_id=code,
                  detail={"until": until, "by": actor.username}, at=ctx.now())
        uow.commit()
    return made, until


def enrolled_since(ctx: ServiceContext) -> dict[str, str]:
    """At the town: when each station was first given keys (from then on its chain must be keyed)."""
    with ctx.read() as uow:
        return {r["station_code"]: str(r["enrolled_at"]) for r in uow.repos.replica.server_stations()
                if r["enrolled_at"] and r["key_ids"]}


def town_seal_keys(ctx: ServiceContext, station_code: str) -> dict[str, bytes]:
    """At the town: the keys a station's chain in the town's copy is sealed with (those the town issued)."""
    from app.services import seals

    with ctx.read() as uow:
        row = uow.repos.replica.server_station(station_code)
    key_ids = [k for k in str((row or {}).get("key_ids") or "").split(",") if k]
    return seals.town_keys(ctx, station_code, key_ids)


def enrolled(ctx: ServiceContext) -> tuple[Mapping[str, Any], ...]:
    with ctx.read() as uow:
        return tuple({"station_code": r["station_code"], "name": r["name"], "enrolled": bool(r["credential_hash"]),
                      "last_seen": r["last_seen"], "village_code": r["village_code"]}
                     for r in uow.repos.replica.server_stations())


def note_pulled(ctx: ServiceContext, *, station: str, upto: int) -> None:
    """On the server: the station holds the town's log up to ``upto`` (a USB bundle's cursor; an HTTP pull says
    it as it signs in, in one transaction)."""
    if upto > 0:
        with ctx.uow() as uow:
            uow.repos.trust.set_pulled_to(station, upto)
            uow.commit()


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    id: str
    found_at: str
    station_code: str
    table: str
    row_id: str
    code: str
    params: Mapping[str, str]
    fields: tuple[str, ...]
    state: str


def security_events(ctx: ServiceContext, *, actor: Actor, station_code: str | None = None,
                    every: bool = False) -> tuple[SecurityEvent, ...]:
    """What stations tried and the town refused, newest first (open ones, or ``every`` one)."""
    actor.require(Permission.TOWN_ADMIN)
    with ctx.read() as uow:
        rows = uow.repos.trust.events(station_code=station_code.upper() if station_code else None,
                                      state=None if every else "open")
    return tuple(SecurityEvent(id=r["id"], found_at=r["found_at"], station_code=r["station_code"],
                               table=r["table_name"], row_id=r["row_id"], code=r["code"],
                               params={str(k): str(v) for k, v in row_from_json(r["params_json"]).items()},
                               fields=tuple(f for f in str(r["fields"]).split("、") if f), state=r["state"])
                 for r in rows)


def mark_security_events_seen(ctx: ServiceContext, *, actor: Actor, ids: Sequence[str] | None = None) -> int:
    """The town administrator has looked at these (every open one when ``ids`` is None): audited."""
    actor.require(Permission.TOWN_ADMIN)
    with ctx.uow() as uow:
        n = uow.repos.trust.mark_events_seen(ids)
        uow.audit(staff_id=actor.staff_id, action="town.security_events_seen", target_type="security_events",
                  detail={"count": n, "by": actor.username}, at=ctx.now())
        uow.commit()
    return n


def note_refusals(ctx: ServiceContext, refused: Sequence[tuple[str, str, str, str]]) -> None:
    """At the station: changes the town refused (change id, table, row id, the town's words) go into the
    station's own conflict list (state ``refused``), so the station head sees what was not taken and why."""
    if not refused:
        return
    with ctx.uow() as uow:
        at = iso_time(ctx.now())
        for change_id, table, row_id, words in refused:
            uow.repos.replica.add_conflict(change_id=change_id, table_name=table[:40], row_id=row_id[:40],
                                           station_code="TOWN", reason=words[:2000], row_json="{}", at=at,
                                           state="refused")
        uow.commit()


def refused_count(ctx: ServiceContext) -> int:
    """How many of this station's changes the town has refused (for the window's header)."""
    with ctx.read() as uow:
        return len(uow.repos.replica.conflicts("refused"))


def server_head(ctx: ServiceContext) -> int:
    with ctx.read() as uow:
        return uow.repos.replica.log_head()




# ---------------------------------------------------------------- the station's sync settings


def station_code(ctx: ServiceContext) -> str:
    with ctx.read() as uow:
        return ctx.station_code(uow)


# What the station's database says about its enrolment (meta, never synced). The URL is no secret: it stays in
# the database, so a technician's support bundle names the town server and a station restored onto a new PC
# still knows where it belongs. The credential is a secret: only in the key store (``ctx.keys``).
SYNC_URL = "sync.url"
ENROLLED_AT = "sync.enrolled_at"


def save_sync_settings(ctx: ServiceContext, *, url: str, credential: str) -> None:
    """The town server (in the station's database) and this station's credential (in its key store, apart
    from the database: never in a backup, a USB copy or a support bundle). The credential is kept first: the
    town has already given it out, and the old one no longer works there."""
    ctx.keys.put(SYNC_CREDENTIAL, credential)
    with ctx.uow() as uow:
        uow.meta_set(SYNC_URL, url)
        uow.meta_set(ENROLLED_AT, iso_time(ctx.now()))
        uow.audit(staff_id="", action="sync.enrolled", target_type="station", target_id=ctx.station_code(uow),
                  detail={"url": url}, at=ctx.now())
        uow.commit()


def sync_settings(ctx: ServiceContext) -> tuple[str, str] | None:
    """(town server URL, credential), or None when the station was never enrolled. An enrolled station whose
    key store has no credential (its database restored onto another PC, the key file deleted) is told to
    enrol again (``keys.credential_missing``)."""
    with ctx.read() as uow:
        url, enrolled_at = uow.meta_get(SYNC_URL), uow.meta_get(ENROLLED_AT)
    if not url or not enrolled_at:
        return None
    credential = ctx.keys.get(SYNC_CREDENTIAL)
    if not credential:
        raise DomainError("keys.credential_missing", url=url)
    return url, credential


def note_sync(ctx: ServiceContext) -> None:
    """A sync went through to the end: when, for the status line and the freeze rule."""
    with ctx.uow() as uow:
        uow.meta_set("sync.last_ok", iso_time(ctx.now()))
        uow.commit()


@dataclass(frozen=True, slots=True)
class SyncStatus:
    enrolled: bool
    url: str
    pending: int
    cursor: int
    last_ok: str  # "" when never


def status(ctx: ServiceContext) -> SyncStatus:
    """Where the sync stands; ``enrolled`` by the database's own flag (the secret is not read for this)."""
    with ctx.read() as uow:
        return SyncStatus(enrolled=bool(uow.meta_get(ENROLLED_AT)), url=uow.meta_get(SYNC_URL) or "",
                          pending=uow.repos.replica.pending_count(), cursor=int(uow.meta_get("sync.cursor") or 0),
                          last_ok=uow.meta_get("sync.last_ok") or "")

"""The town's screening of a push: every row judged by the trust rules (app.domain.trust) on the town's own
copies before anything is applied. What is refused is answered in words in the acknowledgement and kept as a
security event for the town administrator; it is never applied and never handed on to the stations."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain import trust
from app.domain.trust import RULES, OwnedBy, Sender, Verdict
from app.persistence.replica import row_to_json
from app.persistence.trust_repo import column_shapes, parents_first
from app.persistence.uow import UnitOfWork
from app.services.sync_types import Change

# Reference kinds a station may bring while the town holds none made elsewhere (a town set up from its first
# station). The town's own points rules never come from a station.
ADOPTABLE = ("towns", "villages", "catalog_files", "calendar_files")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A row the town would not take, and why (a message code of app/messages/trust.py with its words)."""

    change_id: str
    table: str
    row_id: str
    code: str
    params: Mapping[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Screened:
    apply: tuple[Change, ...]  # to be applied under the merge rules, and logged for the stations
    keep: tuple[Change, ...]  # acknowledged; nothing to apply or hand on
    wait: tuple[Change, ...]  # not acknowledged: a record it hangs on has not arrived yet
    refused: tuple[Refusal, ...]
    # Records made alike at two nodes whose later copy the town did not take: the town stamps its own copy anew
    # (same content, a later version), so every node, the sender too, ends with the town's copy.
    restamp: tuple[tuple[str, str, str], ...] = ()  # (table, row id, the sender's version)
    present: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # table -> id -> updated_hlc, as read


def _sender(uow: UnitOfWork, code: str, batch: Mapping[str, list[Change]]) -> Sender:
    enrolled = uow.repos.replica.server_station(code)
    town_row = uow.repos.town.town()
    own_row = uow.repos.town.station(code)
    # The village it serves: as the town enrolled it, else as its own row at the town says, else (its first
    # push) as the row it brings now says — which the trust rules check against the enrolment.
    brought = next((c.row for c in batch.get("stations", []) if c.row and c.row.get("code") == code), None)
    village = ((enrolled or {}).get("village_code") or (own_row or {}).get("village_code")
               or (brought or {}).get("village_code") or "")
    # The town's reference records come from its first station while nobody else has made any (its set-up may
    # arrive over several pushes); once another station's or the town's own copy is there, only the town changes
    # them.
    adopting = frozenset(name for name in ADOPTABLE
                         if name in batch and not uow.repos.trust.holds_any(name, other_than=code))
    town_code = str(town_row["code"]) if town_row else ""
    if not town_code and "towns" in adopting:
        town_code = next((str(c.row["code"]) for c in batch["towns"] if c.row and c.row.get("code")), "")
    return Sender(station=code, village=str(village), town=town_code, adopting=adopting)


class _Owners:
    """Who owns each record a push names, from the batch itself (parents travel first) and the town's copies."""

    def __init__(self, uow: UnitOfWork, batch: Mapping[str, Mapping[str, Mapping[str, Any]]],
                 copies: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
        self.uow = uow
        self.batch = batch
        self.copies: dict[str, dict[str, Mapping[str, Any]]] = {k: dict(v) for k, v in copies.items()}
        self.owners: dict[tuple[str, str], str | None] = {}
        self.fetched: set[tuple[str, str]] = set()

    def _row(self, table: str, row_id: str) -> Mapping[str, Any] | None:
        return self.batch.get(table, {}).get(row_id) or self.copies.get(table, {}).get(row_id)

    def resolve(self, wanted: set[tuple[str, str]]) -> None:
        """Find the owners of ``wanted`` records (and of the records those hang on)."""
        for _ in range(3):  # a rating hangs on a case; a follow-up names a rating: two steps at most
            missing: dict[str, set[str]] = {}
            for table, row_id in wanted:
                if table != "villages" and (table, row_id) not in self.fetched and self._row(table, row_id) is None:
                    missing.setdefault(table, set()).add(row_id)
                    self.fetched.add((table, row_id))
            for table, ids in missing.items():
                self.copies.setdefault(table, {}).update(self.uow.repos.trust.copies(table, ids))
            parents: set[tuple[str, str]] = set()
            for table, row_id in wanted:
                row = self._row(table, row_id)
                rule = RULES.get(table)
                if row is not None and rule is not None and rule.owned_by is OwnedBy.PARENT:
                    column, parent = rule.parent
                    parents.add((parent, str(row.get(column, ""))))
            if parents <= wanted:
                break
            wanted = wanted | parents
        for table, row_id in parents_first_keys(wanted):
            if table == "villages":
                continue
            row = self._row(table, row_id)
            self.owners[(table, row_id)] = trust.owner_of(table, row, self.owners) if row is not None else None

    def add_villages(self, codes: set[str]) -> None:
        for code in codes:
            self.owners[("villages", code)] = trust.TOWN_OWNER


def parents_first_keys(keys: set[tuple[str, str]]) -> list[tuple[str, str]]:
    order = {name: n for n, name in enumerate(parents_first({k[0] for k in keys}))}
    return sorted(keys, key=lambda k: (order[k[0]], k[1]))


@functools.cache
def _references(table: str) -> tuple[tuple[str, str], ...]:
    """(column, table) of what a record of this kind hangs on and of every record it names that must be the
    sender's own (a resident or an account may be anyone's)."""
    rule = RULES[table]
    return ((rule.parent,) if rule.owned_by is OwnedBy.PARENT else ()) + trust.own_references(column_shapes()[table])


def _needed(table: str, row: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The records whose owners judging this row needs: what it hangs on, and what it refers to."""
    return {(target, str(value)) for column, target in _references(table)
            if (value := row.get(column)) not in (None, "")}


def screen(uow: UnitOfWork, *, station_code: str, changes: Sequence[Change], at: str) -> Screened:
    """Judge every change of a push (rows of synced tables) on the town's copies; record what is refused."""
    shapes = column_shapes()
    latest: dict[str, dict[str, Mapping[str, Any]]] = {}
    by_table: dict[str, list[Change]] = {}
    for c in changes:
        assert c.row is not None and c.table in RULES
        by_table.setdefault(c.table, []).append(c)
        seen = latest.setdefault(c.table, {}).get(str(c.row.get("id")))
        if seen is None or str(c.row.get("updated_hlc", "")) >= str(seen.get("updated_hlc", "")):
            latest[c.table][str(c.row.get("id"))] = c.row
    repo = uow.repos.trust
    copies = {name: repo.copies(name, list(rows)) for name, rows in latest.items()}
    sender = _sender(uow, station_code, by_table)
    owners = _Owners(uow, latest, copies)
    wanted: set[tuple[str, str]] = set()
    villages: set[str] = set()
    for name, rows in latest.items():
        for row_id, row in rows.items():
            wanted |= _needed(name, row)
            town = copies[name].get(row_id)
            if town is not None:
                wanted |= _needed(name, town)
            if trust.owned_by(name, row) is OwnedBy.VILLAGE and row.get("village_code"):
                villages.add(str(row["village_code"]))
    owners.resolve(wanted)
    if villages:
        known = repo.village_codes()
        if "villages" in sender.adopting:  # the town's villages arrive in this very push
            known |= {str(v.get("code")) for v in latest["villages"].values()}
        owners.add_villages(villages & known)

    apply: list[Change] = []
    keep: list[Change] = []
    wait: list[Change] = []
    refused: list[Refusal] = []
    refused_rows: set[tuple[str, str]] = set()
    events: list[dict[str, Any]] = []
    restamp: dict[tuple[str, str], str] = {}
    takeovers = _takeover_guard(uow, sender, latest.get("residents", {}), copies.get("residents", {}))
    for name in parents_first(by_table):
        for c in by_table[name]:
            assert c.row is not None
            row_id = str(c.row.get("id", ""))
            if row_id != c.row_id:
                verdict = trust.refuse("bad_value", ("id",), field="id", reason="not_its_id", detail=c.row_id[:40])
            elif _needed(name, c.row) & refused_rows:
                verdict = trust.refuse("parent_refused", table=name)
            else:
                verdict = trust.judge(name, c.row, copies[name].get(row_id), sender=sender, owners=owners.owners,
                                      columns=shapes[name])
                if verdict.action == "apply" and name == "residents" and row_id in takeovers:
                    verdict = takeovers[row_id]
            if verdict.action == "apply":
                apply.append(c)
            elif verdict.action == "keep":
                keep.append(c)
                town = copies[name].get(row_id)
                if verdict.code == "made_again" and town is not None and \
                        str(c.row.get("updated_hlc", "")) > str(town.get("updated_hlc", "")):
                    restamp[(name, row_id)] = max(restamp.get((name, row_id), ""), str(c.row["updated_hlc"]))
            elif verdict.action == "wait":
                wait.append(c)
            else:
                refused_rows.add((name, row_id))
                town = copies[name].get(row_id)
                if verdict.code == "trust.town_record" and town is not None and RULES[name].stable_id and \
                        str(c.row.get("created_hlc")) != str(town.get("created_hlc")) and \
                        str(c.row.get("updated_hlc", "")) > str(town.get("updated_hlc", "")):
                    # A station set up with its own idea of the town's records (a village's name): refused, and
                    # the town's copy stamped anew so that the station takes it on its next pull.
                    restamp[(name, row_id)] = max(restamp.get((name, row_id), ""), str(c.row["updated_hlc"]))
                refusal = _refusal(c, verdict)
                refused.append(refusal)
                events.append({"found_at": at, "station_code": station_code, "change_id": c.change_id[:36],
                               "table_name": c.table[:40], "row_id": c.row_id[:40], "code": refusal.code[:60],
                               "params_json": row_to_json(dict(refusal.params)),
                               "fields": "、".join(refusal.fields)[:400], "row_json": row_to_json(dict(c.row))})
    repo.add_events(events)
    return Screened(tuple(apply), tuple(keep), tuple(wait), tuple(refused),
                    tuple((name, row_id, hlc) for (name, row_id), hlc in restamp.items()),
                    {name: {row_id: str(row["updated_hlc"]) for row_id, row in found.items()}
                     for name, found in copies.items()})


def _refusal(c: Change, verdict: Verdict) -> Refusal:
    return Refusal(change_id=c.change_id, table=c.table, row_id=c.row_id, code=verdict.code,
                   params={k: str(v) for k, v in verdict.params.items()}, fields=verdict.fields)


def _takeover_guard(uow: UnitOfWork, sender: Sender, rows: Mapping[str, Mapping[str, Any]],
                    copies: Mapping[str, Mapping[str, Any]]) -> dict[str, Verdict]:
    """A new registration of an ID number the town already holds for another resident is merged with it: the
    earlier registration survives, the other one's cases follow it. A station may make the town's record the
    one that gives way only when it could not have known of it (it reached the town after the station last
    pulled) or when the resident belongs to its own village — else a station could take over anyone's record
    and their cases by registering them again with an old clock reading."""
    new = {row_id: row for row_id, row in rows.items() if row_id not in copies and not row.get("merged_into")}
    if not new:
        return {}
    existing = uow.repos.trust.residents_by_number(
        [(str(r.get("id_type")), str(r.get("id_number"))) for r in new.values()])
    beaten = {row_id: other for row_id, row in new.items()
              if (other := existing.get((str(row.get("id_type")), str(row.get("id_number"))))) is not None
              and other["id"] != row_id
              and (str(row.get("created_hlc")), row_id) < (str(other["created_hlc"]), str(other["id"]))
              and not sender.is_home(f"village:{other['village_code']}")}
    if not beaten:
        return {}
    enrolled = uow.repos.replica.server_station(sender.station) or {}
    pulled_to = int(enrolled.get("pulled_to") or 0)
    arrived = uow.repos.trust.first_logged([str(o["id"]) for o in beaten.values()])
    return {row_id: trust.refuse("takeover", ("id_number",), village=str(other["village_code"]))
            for row_id, other in beaten.items() if arrived.get(str(other["id"]), 0) <= pulled_to}

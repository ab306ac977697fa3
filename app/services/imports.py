"""Importing a village roster: good rows in, bad rows reported with row number and reason, no duplicates."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.errors import DomainError, ValidationFailed
from app.domain.identity import IdType
from app.domain.residents import ResidentData, validate_resident
from app.domain.staff import Actor, Permission
from app.domain.town import Town
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext
from app.services.residents import resident_row
from app.services.rosters import RosterRow, open_roster

CHUNK = 5000  # rows per transaction: a power cut loses at most the chunk in flight, and re-import resumes
# One chunk is written on a second thread while the next is read and checked. The chunks still commit one
# after the other, in file order: a chunk is handed over only once the previous one is committed.
# (SQLite releases the GIL while it inserts, updates its indexes and syncs the file, so reading and
# checking rows overlaps with that work.)
# Roster column -> the stored column it sets. A column the roster does not have never overwrites
# what is known (a roster with only 姓名/身份证号/村 must not blank phones and addresses).
_COLUMN_OF = {"name": "name", "phone": "phone", "village": "village_code", "group": "group_name",
              "address": "address", "relation": "relation", "tags": "tags", "ethnicity": "ethnicity"}
_ALWAYS = ("name", "gender", "birth_date")  # the name column is required; gender and birth come from the ID
_COMPARED = ("name", "gender", "birth_date", "phone", "village_code", "group_name", "address", "household_id",
             "relation", "tags", "ethnicity")


@dataclass(frozen=True, slots=True)
class RowProblem:
    row_no: int
    name: str
    error: DomainError


@dataclass(frozen=True, slots=True)
class ImportReport:
    file_name: str
    header_row: int
    unmapped_columns: tuple[str, ...]
    rows: int
    created: int
    updated: int
    unchanged: int
    problems: tuple[RowProblem, ...]

    @property
    def rejected(self) -> int:
        return len(self.problems)


@dataclass
class _Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def import_residents(
    ctx: ServiceContext,
    *,
    actor: Actor,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    default_village: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a roster file. Rows already known (same ID number) are updated only where they differ."""
    actor.require(Permission.RESIDENT_IMPORT)
    roster = open_roster(path, mapping=mapping, encoding=encoding)
    today = ctx.now().date()
    with ctx.uow() as uow:
        town = ctx.town(uow)
    fallback_village = town.village(default_village).code if default_village else ""
    if "village" not in roster.columns and not fallback_village:
        raise DomainError("import.no_village", villages="、".join(v.name for v in town.villages))
    counts = _Counts()
    seen: dict[str, int] = {}
    batch: list[tuple[RosterRow, ResidentData, str, str]] = []
    compared = (*_ALWAYS, *(_COLUMN_OF[f] for f in roster.columns if f in _COLUMN_OF and _COLUMN_OF[f] not in _ALWAYS),
                "household_id")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer") as writer:
        pending: Future[None] | None = None

        def hand_over(chunk: list[tuple[RosterRow, ResidentData, str, str]]) -> Future[None]:
            if pending is not None:
                pending.result()  # the previous chunk is committed (or its error is raised here)
            return writer.submit(_write_chunk, ctx, chunk, counts, compared)

        for row in roster.rows:
            counts.rows += 1
            try:
                data, household_no, head_name = _validate_row(row, town, fallback_village, today)
            except DomainError as e:
                counts.problems.append(RowProblem(row.row_no, row.values.get("name", ""), e))
                continue
            first = seen.get(data.id_number)
            if first is not None:
                counts.problems.append(RowProblem(row.row_no, data.name,
                                                  DomainError("import.duplicate_in_file", first_row=first)))
                continue
            seen[data.id_number] = row.row_no
            batch.append((row, data, household_no, head_name))
            if len(batch) >= CHUNK:
                pending = hand_over(batch)
                batch = []
                if progress:
                    progress(counts.rows)
        if batch:
            pending = hand_over(batch)
        if pending is not None:
            pending.result()
    if progress:
        progress(counts.rows)
    with ctx.uow() as uow:
        uow.audit(staff_id=actor.staff_id, action="resident.import", target_type="file", target_id=path.name[:40],
                  detail={"sha256": _file_hash(path), "rows": counts.rows, "created": counts.created,
                          "updated": counts.updated, "rejected": len(counts.problems)}, at=ctx.now())
        uow.commit()
    return ImportReport(file_name=path.name, header_row=roster.header_row, unmapped_columns=roster.unmapped,
                        rows=counts.rows, created=counts.created, updated=counts.updated,
                        unchanged=counts.unchanged, problems=tuple(counts.problems))


def _validate_row(row: RosterRow, town: Town, fallback_village: str, today: date) -> tuple[ResidentData, str, str]:
    v = row.values
    if row.id_was_number:
        raise DomainError("import.id_as_number")
    village_text = v.get("village", "")
    village_code = town.village(village_text).code if village_text else fallback_village
    if not village_code:
        raise DomainError("import.village_missing")
    try:
        data = validate_resident(name=v.get("name", ""), id_number=v.get("id_number", ""), village_code=village_code,
                                 id_type=IdType.RESIDENT_ID, gender=v.get("gender", ""), birth_date=None,
                                 phone=v.get("phone", ""), group=v.get("group", ""), address=v.get("address", ""),
                                 relation=v.get("relation", ""), tags=v.get("tags", ""),
                                 ethnicity=v.get("ethnicity", ""), today=today)
    except ValidationFailed as e:
        # One row, possibly several problems: report the first in the row's line, all in params.
        first = next(iter(e.problems.values()))
        raise first from e
    household_no = v.get("household_no", "").strip()
    head_name = v.get("head_name", "").strip()
    if not household_no and head_name:
        # Rosters without a household number group members under the head's name within a group.
        household_no = f"{data.group or '-'}/{head_name}"
    if not head_name and data.relation == "户主":
        head_name = data.name
    return data, household_no, head_name


def _write_chunk(ctx: ServiceContext, batch: list[tuple[RosterRow, ResidentData, str, str]], counts: _Counts,
                 compared: tuple[str, ...] = _COMPARED) -> None:
    with ctx.uow() as uow:
        households = _households_for(uow, batch)
        existing = uow.repos.residents.by_numbers(IdType.RESIDENT_ID.value, [d.id_number for _, d, _, _ in batch])
        new_rows: list[dict[str, Any]] = []
        for _row, data, household_no, _head in batch:
            household_id = households.get((data.village_code, household_no)) if household_no else None
            values = resident_row(data, household_id)
            old = existing.get(data.id_number)
            if old is None:
                new_rows.append(values)
                continue
            if household_id is None:
                values["household_id"] = old["household_id"]  # a roster without households keeps the known one
            changed = {k: values[k] for k in compared if old.get(k) != values[k]}
            if old["deleted"]:
                changed["deleted"] = False
            if changed:
                if "name" in changed:
                    changed["name_initials"] = values["name_initials"]
                if "phone" in changed:
                    changed["phone_rev"] = values["phone_rev"]
                uow.change("residents", old["id"], changed)
                counts.updated += 1
            else:
                counts.unchanged += 1
        uow.add_many("residents", new_rows)
        counts.created += len(new_rows)
        uow.commit()


def _households_for(uow: UnitOfWork,
                    batch: list[tuple[RosterRow, ResidentData, str, str]]) -> dict[tuple[str, str], str]:
    wanted: dict[tuple[str, str], tuple[str, str]] = {}
    for _row, data, household_no, head_name in batch:
        if household_no:
            key = (data.village_code, household_no)
            if key not in wanted or (head_name and not wanted[key][0]):
                wanted[key] = (head_name, data.address)
    if not wanted:
        return {}
    found = uow.repos.residents.households_by_no(list(wanted))
    out = {key: str(row["id"]) for key, row in found.items()}
    fresh = [{"village_code": v, "household_no": no, "head_name": head, "address": addr}
             for (v, no), (head, addr) in wanted.items() if (v, no) not in out]
    uow.add_many("households", fresh)
    out.update({(r["village_code"], r["household_no"]): r["id"] for r in fresh})
    return out


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

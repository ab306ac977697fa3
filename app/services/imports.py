"""Importing a village roster: good rows in, bad rows reported with row number and reason, no duplicates."""

from __future__ import annotations

import hashlib
import multiprocessing
import queue
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.errors import DomainError, ValidationFailed
from app.domain.identity import IdType
from app.domain.residents import (
    MAX_LENGTH,
    ResidentData,
    ResidentField,
    check_length,
    clean_text,
    excerpt,
    household_id,
    validate_resident,
)
from app.domain.staff import Actor, Permission
from app.domain.town import Town
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext
from app.services.residents import resident_row
from app.services.rosters import Roster, RosterRow, open_roster

CHUNK = 25000  # rows per transaction: a power cut loses at most the chunk in flight, and re-import resumes
# A roster this large (and at least as large as the station's register) is loaded with the resident search
# indexes set aside and rebuilt at the end (see app/persistence/bulk.py): a 1,000,000-row roster goes in
# about twice as fast. Searches at the counter are slow until it finishes. The size is estimated from the
# file (about 100 bytes per CSV row, 40 per XLSX row): the choice only affects speed, never the result.
BULK_ROWS = 20_000
IMPORT_CACHE_MIB = 64  # page cache of the import's connections (the default is 2 MiB)
# A large roster is also read and checked in a second process while this one writes (``_chunks_from_child``):
# both halves are Python-heavy, and only a second process puts the second core to work.
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
    estimated = _estimated_rows(path)
    bulk = estimated >= BULK_ROWS and estimated >= _live_residents(ctx)
    if bulk:
        with ctx.uow() as uow:
            uow.suspend_search_indexes()
            uow.commit()
    job = _ReadJob(path=path, mapping=mapping, encoding=encoding, town=town, fallback_village=fallback_village,
                   today=today, chunk=CHUNK)
    try:
        counts = _import_rows(ctx, roster, job, in_child=bulk, progress=progress)
    finally:
        if bulk:
            with ctx.uow() as uow:
                uow.set_cache_mib(IMPORT_CACHE_MIB)
                uow.restore_search_indexes()
                uow.commit()
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


def _estimated_rows(path: Path) -> int:
    return path.stat().st_size // (40 if path.suffix.lower() in (".xlsx", ".xlsm") else 100)


def _live_residents(ctx: ServiceContext) -> int:
    with ctx.read() as uow:
        return uow.repos.residents.count()


# A checked row: the resident's stored columns (``resident_row``, search keys included, household not yet
# known), the household number and the head's name.
_Valid = tuple[dict[str, Any], str, str]


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Up to CHUNK checked rows, and what the rows read since the last chunk had wrong with them."""

    rows_read: int
    valid: list[_Valid]
    problems: list[RowProblem]


@dataclass(frozen=True, slots=True)
class _ReadJob:
    """Everything the reading side needs, picklable for the reader process."""

    path: Path
    mapping: Mapping[str, str] | None
    encoding: str | None
    town: Town
    fallback_village: str
    today: date
    chunk: int = CHUNK


def _checked_chunks(job: _ReadJob) -> Iterator[_Chunk]:
    """Read and check the roster, CHUNK good rows at a time (a row's ID number may appear once). A file that
    breaks off (damaged, a cell without end …) hands on the rows read before the break, then the reason."""
    roster = open_roster(job.path, mapping=job.mapping, encoding=job.encoding)
    seen: dict[str, int] = {}
    valid: list[_Valid] = []
    problems: list[RowProblem] = []
    read = 0
    try:
        for row in roster.rows:
            read += 1
            try:
                data, household_no, head_name = _validate_row(row, job.town, job.fallback_village, job.today)
            except DomainError as e:
                problems.append(RowProblem(row.row_no, excerpt(row.values.get("name", "")), e))
                continue
            first = seen.get(data.id_number)
            if first is not None:
                problems.append(RowProblem(row.row_no, data.name,
                                           DomainError("import.duplicate_in_file", first_row=first)))
                continue
            seen[data.id_number] = row.row_no
            valid.append((resident_row(data, None), household_no, head_name))
            if len(valid) >= job.chunk:
                yield _Chunk(read, valid, problems)
                valid, problems, read = [], [], 0
    except DomainError:
        # The message says the rows before the break are imported: make it so, then say why it stopped.
        if valid:
            yield _Chunk(read, valid, problems)
        raise
    if read or valid or problems:
        yield _Chunk(read, valid, problems)


def _read_in_child(job: _ReadJob, out: Any) -> None:
    """The reader process: check chunks and queue them for the writer (the importing process)."""
    try:
        for chunk in _checked_chunks(job):
            out.put(("chunk", chunk))
        out.put(("done", None))
    except DomainError as e:
        out.put(("error", DomainError(e.code, **e.params)))
    except BaseException as e:  # reported to the importing process, which raises it
        out.put(("crash", excerpt(f"{type(e).__name__}: {e}", 200)))


def _chunks_from_child(job: _ReadJob) -> Iterator[_Chunk]:
    """Run ``_checked_chunks`` in a second process, so that reading and checking (pure Python) use the
    second core while this process writes: threads would take turns on the GIL instead."""
    mp = multiprocessing.get_context("spawn")  # never fork a process that may run Qt or database threads
    out = mp.Queue(maxsize=2)  # at most two chunks wait: memory stays bounded however large the file
    child = mp.Process(target=_read_in_child, args=(job, out), name="stationdesk-roster-reader", daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive():
                    raise DomainError("import.reader_failed", path=job.path.name,
                                      detail=f"exit code {child.exitcode}") from None
                continue
            if kind == "chunk":
                yield payload
            elif kind == "done":
                return
            elif kind == "error":
                raise payload
            else:
                raise DomainError("import.reader_failed", path=job.path.name, detail=payload)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        out.close()


def _import_rows(ctx: ServiceContext, roster: Roster, job: _ReadJob, *, in_child: bool,
                 progress: Callable[[int], None] | None) -> _Counts:
    counts = _Counts()
    compared = (*_ALWAYS, *(_COLUMN_OF[f] for f in roster.columns if f in _COLUMN_OF and _COLUMN_OF[f] not in _ALWAYS),
                "household_id")
    for chunk in (_chunks_from_child(job) if in_child else _checked_chunks(job)):
        counts.rows += chunk.rows_read
        counts.problems.extend(chunk.problems)
        if chunk.valid:
            _write_chunk(ctx, chunk.valid, counts, compared)
        if progress:
            progress(counts.rows)
    return counts


def _validate_row(row: RosterRow, town: Town, fallback_village: str, today: date) -> tuple[ResidentData, str, str]:
    v = row.values
    if row.id_was_number:
        raise DomainError("import.id_as_number")
    village_text = check_length(ResidentField.VILLAGE, v.get("village", "").strip())
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
        # One row, possibly several problems: report the first in the row's line.
        first = next(iter(e.problems.values()))
        raise first from e
    # Trimmed only: a household number is a key, and a roster imported before matched it as written.
    household_no = clean_text(ResidentField.HOUSEHOLD_NO, v.get("household_no", ""), collapse=False)
    head_name = clean_text(ResidentField.HEAD_NAME, v.get("head_name", ""), collapse=False)
    if not household_no and head_name:
        # Rosters without a household number group members under the head's name within a group.
        household_no = f"{data.group or '-'}/{head_name}"
        limit = MAX_LENGTH[ResidentField.HOUSEHOLD_NO]
        if len(household_no) > limit:
            raise DomainError("import.household_no_too_long", length=len(household_no), max=limit)
    if not head_name and data.relation == "户主":
        head_name = data.name
    return data, household_no, head_name


def _write_chunk(ctx: ServiceContext, batch: list[_Valid], counts: _Counts,
                 compared: tuple[str, ...] = _COMPARED) -> None:
    with ctx.uow() as uow:
        uow.set_cache_mib(IMPORT_CACHE_MIB)
        households = _households_for(uow, batch)
        existing = uow.repos.residents.by_numbers(IdType.RESIDENT_ID.value, [v["id_number"] for v, _, _ in batch])
        permits = [v["id_number"] for v, _, _ in batch if v["id_type"] == IdType.HMT_RESIDENCE_PERMIT.value]
        if permits:  # a residence permit's number in the roster's ID column is recorded as that document
            existing.update(uow.repos.residents.by_numbers(IdType.HMT_RESIDENCE_PERMIT.value, permits))
        new_rows: list[dict[str, Any]] = []
        for values, household_no, _head in batch:
            household_id = households.get((values["village_code"], household_no)) if household_no else None
            values["household_id"] = household_id
            old = existing.get(values["id_number"])
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


def _households_for(uow: UnitOfWork, batch: list[_Valid]) -> dict[tuple[str, str], str]:
    wanted: dict[tuple[str, str], tuple[str, str]] = {}
    for values, household_no, head_name in batch:
        if household_no:
            key = (values["village_code"], household_no)
            if key not in wanted or (head_name and not wanted[key][0]):
                wanted[key] = (head_name, values["address"])
    if not wanted:
        return {}
    found = uow.repos.residents.households_by_no(list(wanted))
    out = {key: str(row["id"]) for key, row in found.items()}
    fresh = [{"id": household_id(v, no), "village_code": v, "household_no": no, "head_name": head, "address": addr}
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

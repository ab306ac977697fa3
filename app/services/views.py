"""Frozen views the services hand out: what a screen, a printout or the CLI may see of a record.

Numbers are masked here once (first 6 + ******** + last 4; 138****5678) so that no caller
can forget to; a full number leaves the services only through an audited reveal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.cases import CaseState, is_overdue
from app.domain.identity import Gender, IdType, mask_id, mask_phone
from app.domain.residents import age_on


@dataclass(frozen=True, slots=True)
class ResidentSummary:
    id: str
    name: str
    gender: Gender | None
    birth_date: date | None
    age: int | None
    id_type: IdType
    id_masked: str
    phone_masked: str
    village_code: str
    village_name: str
    group: str
    address: str
    household_id: str | None
    relation: str
    tags: tuple[str, ...]


def resident_summary(row: Mapping[str, Any], village_names: Mapping[str, str], today: date) -> ResidentSummary:
    birth = row["birth_date"]
    return ResidentSummary(
        id=row["id"], name=row["name"], gender=Gender(row["gender"]) if row["gender"] else None,
        birth_date=birth, age=age_on(birth, today) if birth else None, id_type=IdType(row["id_type"]),
        id_masked=mask_id(row["id_number"]), phone_masked=mask_phone(row["phone"]),
        village_code=row["village_code"], village_name=village_names.get(row["village_code"], row["village_code"]),
        group=row["group_name"], address=row["address"], household_id=row["household_id"],
        relation=row["relation"], tags=tuple(x for x in row["tags"].split("、") if x),
    )


@dataclass(frozen=True, slots=True)
class CaseSummary:
    id: str
    case_no: str
    station_code: str
    state: CaseState
    item_code: str
    item_name: str
    applicant_id: str
    applicant_name: str
    applicant_id_masked: str
    received_at: str
    due_date: date | None
    overdue: bool


def case_summary(row: Mapping[str, Any], today: date) -> CaseSummary:
    state = CaseState(row["state"])
    return CaseSummary(
        id=row["id"], case_no=row["case_no"], station_code=row["station_code"], state=state,
        item_code=row["item_code"], item_name=row["item_name"], applicant_id=row["applicant_id"],
        applicant_name=row.get("applicant_name", ""), applicant_id_masked=mask_id(row.get("applicant_id_number", "")),
        received_at=row["received_at"], due_date=row["due_date"], overdue=is_overdue(state, row["due_date"], today),
    )

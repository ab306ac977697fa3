"""Repositories: every query the services need, returning plain mappings (never ORM objects)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, insert, or_, select, update

from app.domain.identity import IdType
from app.persistence import tables as t
from app.persistence.money_repo import MoneyRepository
from app.persistence.points_repo import PointsRepository
from app.persistence.replica import ReplicaRepository
from app.persistence.repo_base import Repo, Row
from app.persistence.trust_repo import TrustRepository

if TYPE_CHECKING:
    from app.persistence.uow import UnitOfWork

_ID_TYPES = [kind.value for kind in IdType]


class Repositories:
    def __init__(self, uow: UnitOfWork) -> None:
        self.town = TownRepository(uow)
        self.staff = StaffRepository(uow)
        self.residents = ResidentRepository(uow)
        self.cases = CaseRepository(uow)
        self.catalog = CatalogRepository(uow)
        self.calendar = CalendarRepository(uow)
        self.sequences = SequenceRepository(uow)
        self.ratings = RatingRepository(uow)
        self.documents = DocumentRepository(uow)
        self.payments = PaymentRepository(uow)
        self.settings = SettingsRepository(uow)
        self.points = PointsRepository(uow)
        self.money = MoneyRepository(uow)
        self.replica = ReplicaRepository(uow)
        self.trust = TrustRepository(uow)


class TownRepository(Repo):
    def town(self) -> Row | None:
        return self._one(select(t.towns).where(t.towns.c.deleted.is_(False)))

    def villages(self) -> list[Row]:
        return self._all(select(t.villages).where(t.villages.c.deleted.is_(False)).order_by(t.villages.c.code))

    def station(self, code: str) -> Row | None:
        return self._one(select(t.stations).where(t.stations.c.code == code))

    def stations(self) -> list[Row]:
        return self._all(select(t.stations).where(t.stations.c.deleted.is_(False)).order_by(t.stations.c.code))


class StaffRepository(Repo):
    def by_username(self, username: str) -> Row | None:
        return self._one(select(t.staff).where(t.staff.c.username == username, t.staff.c.deleted.is_(False)))

    _BY_ID = select(t.staff).where(t.staff.c.id == bindparam("id"))
    _ALL = select(t.staff).where(t.staff.c.deleted.is_(False)).order_by(t.staff.c.staff_no)

    def by_id(self, staff_id: str) -> Row | None:
        return self._one(self._BY_ID, {"id": staff_id})

    def list(self, station_code: str | None = None) -> list[Row]:
        if not station_code:
            return self._all(self._ALL)
        return self._all(self._ALL.where(t.staff.c.station_code == station_code))

    def count(self) -> int:
        return int(self.uow.conn.execute(select(func.count()).select_from(t.staff)).scalar_one())

    def login_state(self, staff_id: str) -> Row:
        row = self._one(select(t.staff_logins).where(t.staff_logins.c.staff_id == staff_id))
        if row is None:
            self.uow.conn.execute(insert(t.staff_logins).values(staff_id=staff_id, failed_attempts=0))
            row = {"staff_id": staff_id, "failed_attempts": 0, "locked_until": None, "last_login_at": None}
        return row

    def set_login_state(self, staff_id: str, **values: Any) -> None:
        self.login_state(staff_id)
        self.uow.conn.execute(update(t.staff_logins).where(t.staff_logins.c.staff_id == staff_id).values(values))


class ResidentRepository(Repo):
    _live = t.residents.c.deleted.is_(False)
    def _rows(self, stmt: Any, params: Mapping[str, Any] | None = None) -> list[Row]:
        # dict(zip(keys, row)) is several times cheaper than dict(RowMapping) per row.
        result = self.uow.conn.execute(stmt, params)
        keys = tuple(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result]

    _BY_ID = select(t.residents).where(t.residents.c.id == bindparam("id"))

    def by_id(self, resident_id: str) -> Row | None:
        return self._one(self._BY_ID, {"id": resident_id})

    def first_live(self) -> Row | None:
        return self._one(select(t.residents).where(t.residents.c.deleted.is_(False)).order_by(t.residents.c.name)
                         .limit(1))

    def by_number(self, id_type: str, id_number: str) -> Row | None:
        r = t.residents.c
        return self._one(select(t.residents).where(r.id_type == id_type, r.id_number == id_number))

    def by_numbers(self, id_type: str, numbers: Sequence[str]) -> dict[str, Row]:
        r = t.residents.c
        out: dict[str, Row] = {}
        for i in range(0, len(numbers), 500):
            chunk = numbers[i:i + 500]
            for row in self._rows(select(t.residents).where(r.id_type == id_type, r.id_number.in_(chunk))):
                out[row["id_number"]] = row
        return out

    def household(self, household_id: str) -> Row | None:
        return self._one(select(t.households).where(t.households.c.id == household_id))

    def household_by_no(self, village_code: str, household_no: str) -> Row | None:
        h = t.households.c
        return self._one(select(t.households).where(h.village_code == village_code,
                                                    h.household_no == household_no))

    def households_by_no(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Row]:
        # One "village = ? AND household_no IN (…)" per village: the unique index answers it, and the
        # statement is compiled once (an OR-chain of pairs was compiled anew for every chunk).
        h = t.households.c
        by_village: dict[str, list[str]] = {}
        for village, no in keys:
            by_village.setdefault(village, []).append(no)
        out: dict[tuple[str, str], Row] = {}
        for village, numbers in by_village.items():
            for i in range(0, len(numbers), 500):
                q = select(t.households).where(h.village_code == village, h.household_no.in_(numbers[i:i + 500]))
                for row in self._all(q):
                    out[(row["village_code"], row["household_no"])] = row
        return out

    def members(self, household_id: str) -> list[Row]:
        return self._all(select(t.residents).where(t.residents.c.household_id == household_id, self._live)
                         .order_by(t.residents.c.birth_date))

    def count(self) -> int:
        return int(self.uow.conn.execute(select(func.count()).select_from(t.residents)
                                         .where(self._live)).scalar_one())


class CaseRepository(Repo):
    _BY_ID = select(t.cases).where(t.cases.c.id == bindparam("id"))
    _BY_NO = select(t.cases).where(t.cases.c.case_no == bindparam("no"))
    _EVENTS = (select(t.case_events).where(t.case_events.c.case_id == bindparam("case"))
               .order_by(t.case_events.c.created_hlc))
    _MATERIALS = (select(t.case_materials).where(t.case_materials.c.case_id == bindparam("case"))
                  .order_by(t.case_materials.c.material_code))
    _ATTACHMENTS = (select(t.attachments)
                    .where(t.attachments.c.case_id == bindparam("case"), t.attachments.c.deleted.is_(False))
                    .order_by(t.attachments.c.added_at))

    def by_id(self, case_id: str) -> Row | None:
        return self._one(self._BY_ID, {"id": case_id})

    def by_no(self, case_no: str) -> Row | None:
        return self._one(self._BY_NO, {"no": case_no})

    def events(self, case_id: str) -> list[Row]:
        return self._all(self._EVENTS, {"case": case_id})

    def materials(self, case_id: str) -> list[Row]:
        return self._all(self._MATERIALS, {"case": case_id})

    def attachments(self, case_id: str) -> list[Row]:
        return self._all(self._ATTACHMENTS, {"case": case_id})

    def for_applicant(self, resident_id: str, limit: int = 50) -> list[Row]:
        c = t.cases.c
        return self._all(select(t.cases).where(c.applicant_id == resident_id)
                         .order_by(c.received_at.desc(), c.case_no.desc()).limit(limit))

    def search(self, *, states: Sequence[str] = (), station_code: str | None = None,
               day_from: str | None = None, day_to: str | None = None,
               overdue_on: date | None = None, text: str = "", limit: int = 200) -> list[Row]:
        c = t.cases.c
        q = select(t.cases, t.residents.c.name.label("applicant_name"),
                   t.residents.c.id_number.label("applicant_id_number")).join(
            t.residents, t.residents.c.id == c.applicant_id).where(c.deleted.is_(False))
        if states:
            q = q.where(c.state.in_(list(states)))
        if station_code:
            q = q.where(c.station_code == station_code)
        if day_from:
            q = q.where(c.received_at >= day_from)
        if day_to:
            q = q.where(c.received_at < day_to)
        if overdue_on is not None:
            q = q.where(c.state.in_(["accepted", "forwarded"]), c.due_date < overdue_on)
        if text:
            # A case number (or its tail), the applicant's name, or the item's code or name.
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            q = q.where(or_(c.case_no.like(like, escape="\\"), t.residents.c.name.like(like, escape="\\"),
                            c.item_name.like(like, escape="\\"), c.item_code == text.upper()))
        return self._all(q.order_by(c.received_at.desc(), c.case_no.desc()).limit(limit))  # same second: by number

    def open_for_handler(self, station_code: str, handler_id: str, states: Sequence[str]) -> list[Row]:
        c = t.cases.c
        q = (select(t.cases, t.residents.c.name.label("applicant_name"),
                    t.residents.c.id_number.label("applicant_id_number"))
             .join(t.residents, t.residents.c.id == c.applicant_id)
             .where(c.deleted.is_(False), c.station_code == station_code, c.handler_id == handler_id,
                    c.state.in_(list(states)))
             .order_by(c.received_at))
        return self._all(q)

    def item_counts(self, station_code: str, since_day: str, limit: int) -> list[str]:
        """Item codes by the number of cases received since ``since_day``, most first."""
        c = t.cases.c
        n = func.count().label("n")
        q = (select(c.item_code, n).where(c.station_code == station_code, c.received_at >= since_day,
                                          c.deleted.is_(False))
             .group_by(c.item_code).order_by(n.desc(), c.item_code).limit(limit))
        return [str(r[0]) for r in self.uow.conn.execute(q)]

    def all_numbers(self, station_code: str) -> list[str]:
        c = t.cases.c
        return [r[0] for r in self.uow.conn.execute(select(c.case_no).where(c.station_code == station_code))]

    def all_attachments(self) -> list[Row]:
        return self._all(select(t.attachments).where(t.attachments.c.deleted.is_(False)))


class CatalogRepository(Repo):
    def files(self) -> list[Row]:
        return self._all(select(t.catalog_files).where(t.catalog_files.c.deleted.is_(False)))

    def by_catalog_id(self, catalog_id: str) -> Row | None:
        return self._one(select(t.catalog_files).where(t.catalog_files.c.catalog_id == catalog_id))


class CalendarRepository(Repo):
    def current(self) -> Row | None:
        return self._one(select(t.calendar_files).where(t.calendar_files.c.deleted.is_(False))
                         .order_by(t.calendar_files.c.updated_hlc.desc()).limit(1))

    def by_calendar_id(self, calendar_id: str) -> Row | None:
        return self._one(select(t.calendar_files).where(t.calendar_files.c.calendar_id == calendar_id))


class SequenceRepository(Repo):
    _BUMP = (update(t.sequences)
             .where(t.sequences.c.station_code == bindparam("p_station"), t.sequences.c.kind == bindparam("p_kind"),
                    t.sequences.c.period == bindparam("p_period"))
             .values(last_value=t.sequences.c.last_value + 1)
             .returning(t.sequences.c.last_value))

    def raise_to(self, station_code: str, marks: Mapping[tuple[str, str], int]) -> int:
        """Move counters up to at least these numbers (never down): a restored station's counters past every
        number the town has seen. Returns how many moved."""
        moved = 0
        s = t.sequences.c
        for (kind, period), value in marks.items():
            current = self.uow.conn.execute(select(s.last_value).where(
                s.station_code == station_code, s.kind == kind, s.period == period)).scalar()
            if current is None:
                self.uow.conn.execute(insert(t.sequences).values(station_code=station_code, kind=kind, period=period,
                                                                  last_value=value))
                moved += 1
            elif int(current) < value:
                self.uow.conn.execute(update(t.sequences).where(
                    s.station_code == station_code, s.kind == kind, s.period == period).values(last_value=value))
                moved += 1
        return moved

    def next(self, station_code: str, kind: str, period: str) -> int:
        """Take the next number. Runs inside the caller's write transaction, so a rollback
        returns the number: no gaps, no reuse."""
        taken = self.uow.conn.execute(self._BUMP, {"p_station": station_code, "p_kind": kind,
                                                      "p_period": period}).scalar()
        if taken is None:  # the first number of this period
            self.uow.conn.execute(insert(t.sequences).values(station_code=station_code, kind=kind,
                                                              period=period, last_value=1))
            return 1
        return int(taken)


class RatingRepository(Repo):
    _FOR_CASE = select(t.ratings).where(t.ratings.c.case_id == bindparam("case"), t.ratings.c.deleted.is_(False))

    def for_case(self, case_id: str) -> Row | None:
        return self._one(self._FOR_CASE, {"case": case_id})

    def follow_ups(self, *, station_code: str, open_only: bool = True) -> list[Row]:
        """Follow-ups of this station's cases, soonest due first, with what the list shows of the case."""
        f, c, r = t.follow_ups.c, t.cases.c, t.ratings.c
        q = (select(t.follow_ups, c.case_no, c.item_name, c.applicant_id, r.level, r.comment,
                    r.rated_at.label("rating_rated_at"), t.residents.c.name.label("applicant_name"))
             .join(t.cases, c.id == f.case_id).join(t.ratings, r.id == f.rating_id)
             .join(t.residents, t.residents.c.id == c.applicant_id)
             .where(f.deleted.is_(False), c.station_code == station_code))
        if open_only:
            q = q.where(f.state == "open")
        return self._all(q.order_by(f.due_date, c.case_no))

    def follow_up(self, follow_up_id: str) -> Row | None:
        return self._one(select(t.follow_ups).where(t.follow_ups.c.id == follow_up_id))

    def level_counts(self, *, station_code: str, month: str = "") -> dict[int, int]:
        """How many ratings of each level this station's cases got (made in ``month``, YYYY-MM, when given):
        one grouped query, however many cases."""
        r, c = t.ratings.c, t.cases.c
        q = (select(r.level, func.count()).join(t.cases, c.id == r.case_id)
             .where(r.deleted.is_(False), c.deleted.is_(False), c.station_code == station_code))
        if month:
            q = q.where(r.rated_at.like(month + "%"))
        return {int(level): int(n) for level, n in self.uow.conn.execute(q.group_by(r.level))}


class DocumentRepository(Repo):
    _BY_NUMBER = select(t.documents).where(t.documents.c.number == bindparam("number"))
    _FOR_SUBJECT = (select(t.documents)
                    .where(t.documents.c.kind == bindparam("kind"), t.documents.c.subject_id == bindparam("subject"),
                           t.documents.c.deleted.is_(False))
                    .order_by(t.documents.c.issued_at.desc(), t.documents.c.number.desc()))

    def by_number(self, number: str) -> Row | None:
        return self._one(self._BY_NUMBER, {"number": number})

    def for_subject(self, kind: str, subject_id: str) -> list[Row]:
        """Every document of this kind for the subject, newest first (voided ones too)."""
        return self._all(self._FOR_SUBJECT, {"kind": kind, "subject": subject_id})

    def search(self, *, station_code: str, kinds: Sequence[str] = (), day_from: str | None = None,
               day_to: str | None = None, unprinted: bool = False, case_id: str | None = None,
               limit: int = 200) -> list[Row]:
        d = t.documents.c
        q = select(t.documents).where(d.station_code == station_code, d.deleted.is_(False))
        if kinds:
            q = q.where(d.kind.in_(list(kinds)))
        if day_from:
            q = q.where(d.issued_at >= day_from)
        if day_to:
            q = q.where(d.issued_at < day_to)
        if unprinted:
            q = q.where(d.printed_at.is_(None), d.state == "issued")
        if case_id:
            q = q.where(d.case_id == case_id)
        return self._all(q.order_by(d.issued_at.desc(), d.number.desc()).limit(limit))


class PaymentRepository(Repo):
    _FOR_CASE = (select(t.payments).where(t.payments.c.case_id == bindparam("case"), t.payments.c.deleted.is_(False))
                 .order_by(t.payments.c.paid_at.desc(), t.payments.c.created_hlc.desc())
                 .limit(1))  # the newest (an earlier one may have been voided)

    def for_case(self, case_id: str) -> Row | None:
        return self._one(self._FOR_CASE, {"case": case_id})

    def by_id(self, payment_id: str) -> Row | None:
        return self._one(select(t.payments).where(t.payments.c.id == payment_id))

    def total_between(self, station_code: str, day_from: str, day_to: str) -> int:
        p = t.payments.c
        q = select(func.coalesce(func.sum(p.total_fen), 0)).where(
            p.station_code == station_code, p.paid_at >= day_from, p.paid_at < day_to, p.deleted.is_(False))
        return int(self.uow.conn.execute(q).scalar_one())

    def for_cases(self, case_ids: Sequence[str]) -> dict[str, Row]:
        if not case_ids:
            return {}
        rows = self._all(select(t.payments).where(t.payments.c.case_id.in_(list(case_ids)),
                                                  t.payments.c.deleted.is_(False))
                         .order_by(t.payments.c.paid_at, t.payments.c.created_hlc))
        return {r["case_id"]: r for r in rows}  # the newest payment of each case


class SettingsRepository(Repo):
    def for_station(self, station_code: str) -> dict[str, Row]:
        s = t.station_settings.c
        rows = self._all(select(t.station_settings).where(s.station_code == station_code, s.deleted.is_(False)))
        return {r["key"]: r for r in rows}

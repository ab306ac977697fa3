"""Reads for money at the counter: payments and their events, the cash drawer, daily closes and the station's
hash chain. Rows come back as plain dicts (never ORM objects)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, bindparam, func, select

from app.persistence import tables as t
from app.persistence.repo_base import Repo, Row

_p, _ev, _s, _m, _c, _l = (t.payments.c, t.payment_events.c, t.cash_sessions.c, t.cash_moves.c, t.day_closes.c,
                           t.chain_links.c)


class MoneyRepository(Repo):
    # -- payments ------------------------------------------------------------------------------------
    def payment(self, payment_id: str) -> Row | None:
        return self._one(select(t.payments).where(_p.id == payment_id, _p.deleted.is_(False)))

    def payments_for_case(self, case_id: str) -> list[Row]:
        return self._all(select(t.payments).where(_p.case_id == case_id, _p.deleted.is_(False))
                         .order_by(_p.paid_at, _p.created_hlc))

    def payments_of_day(self, station_code: str, day: date) -> list[Row]:
        return self._all(select(t.payments).where(_p.station_code == station_code, _p.business_day == day,
                                                  _p.deleted.is_(False)).order_by(_p.paid_at, _p.created_hlc))

    def recent_payments(self, station_code: str, limit: int = 2000) -> list[Row]:
        return self._all(select(t.payments).where(_p.station_code == station_code, _p.deleted.is_(False))
                         .order_by(_p.paid_at.desc()).limit(limit))

    def payments_by_ref(self, station_code: str, txn_ref: str) -> list[Row]:
        return self._all(select(t.payments).where(_p.station_code == station_code, _p.txn_ref == txn_ref,
                                                  _p.deleted.is_(False)))

    def events(self, payment_ids: Sequence[str]) -> dict[str, list[Row]]:
        """Each payment's events in the order they happened."""
        found: dict[str, list[Row]] = {i: [] for i in payment_ids}
        if not payment_ids:
            return found
        for row in self._all(select(t.payment_events).where(_ev.payment_id.in_(list(payment_ids)),
                                                            _ev.deleted.is_(False))
                             .order_by(_ev.at, _ev.created_hlc)):
            found[row["payment_id"]].append(row)
        return found

    def events_of_day(self, station_code: str, day: date) -> list[Row]:
        return self._all(select(t.payment_events).where(_ev.station_code == station_code, _ev.business_day == day,
                                                        _ev.deleted.is_(False)).order_by(_ev.at))

    # -- the cash drawer -----------------------------------------------------------------------------
    def open_sessions(self, station_code: str) -> list[Row]:
        return self._all(select(t.cash_sessions).where(_s.station_code == station_code, _s.state == "open",
                                                       _s.deleted.is_(False)).order_by(_s.opened_at))

    def session(self, session_id: str) -> Row | None:
        return self._one(select(t.cash_sessions).where(_s.id == session_id))

    def sessions_of_day(self, station_code: str, day: date) -> list[Row]:
        return self._all(select(t.cash_sessions).where(_s.station_code == station_code, _s.business_day == day,
                                                       _s.deleted.is_(False)).order_by(_s.opened_at))

    _CASH_IN = select(func.coalesce(func.sum(_m.amount_fen), 0)).where(_m.session_id == bindparam("session"),
                                                                       _m.deleted.is_(False))

    def cash_moved(self, session_id: str) -> int:
        """The sum of the drawer's movements since it was opened (payments in, refunds and takings out)."""
        return int(self.uow.conn.execute(self._CASH_IN, {"session": session_id}).scalar_one())

    def moves(self, session_id: str) -> list[Row]:
        return self._all(select(t.cash_moves).where(_m.session_id == session_id, _m.deleted.is_(False))
                         .order_by(_m.at))

    # -- what a daily close counts -------------------------------------------------------------------
    def case_counts(self, station_code: str, start: str, end: str) -> list[Row]:
        """Cases received between two times (ISO, end excluded), counted by item and state."""
        c = t.cases.c
        q = (select(c.item_code, c.item_name, c.state, func.count().label("n"))
             .where(c.station_code == station_code, c.received_at >= start, c.received_at < end,
                    c.deleted.is_(False))
             .group_by(c.item_code, c.item_name, c.state).order_by(c.item_code, c.state))
        return self._all(q)

    def audit_count(self, action: str, start: str, end: str) -> int:
        a = t.audit_log.c
        q = select(func.count()).select_from(t.audit_log).where(a.action == action, a.at >= start, a.at < end)
        return int(self.uow.conn.execute(q).scalar_one())

    # -- daily closes --------------------------------------------------------------------------------
    _CLOSED = select(_c.id).where(_c.station_code == bindparam("station"), _c.day == bindparam("day"),
                                  _c.deleted.is_(False))

    def is_closed(self, station_code: str, day: date) -> bool:
        return self.uow.conn.execute(self._CLOSED, {"station": station_code, "day": day}).first() is not None

    def day_close(self, station_code: str, day: date) -> Row | None:
        return self._one(select(t.day_closes).where(_c.station_code == station_code, _c.day == day,
                                                    _c.deleted.is_(False)))

    def closes(self, station_code: str | None = None, *, limit: int = 60) -> list[Row]:
        q = select(t.day_closes).where(_c.deleted.is_(False))
        if station_code:
            q = q.where(_c.station_code == station_code)
        return self._all(q.order_by(_c.day.desc()).limit(limit))

    # -- the hash chain ------------------------------------------------------------------------------
    def last_link(self, station_code: str) -> Row | None:
        return self._one(select(t.chain_links).where(_l.station_code == station_code)
                         .order_by(_l.seq.desc()).limit(1))

    def links(self, station_code: str) -> list[Row]:
        return self._all(select(t.chain_links).where(_l.station_code == station_code).order_by(_l.seq))

    def made_before(self, table_name: str, station_code: str, hlc: str | None,
                    kinds: Sequence[str] | None = None) -> int:
        """How many of the station's rows in the table were made before ``hlc`` (all of them when None)."""
        table = t.metadata.tables[table_name]
        q = select(func.count()).select_from(table).where(table.c.station_code == station_code)
        if kinds is not None:
            q = q.where(table.c.kind.in_(list(kinds)))
        stamp = table.c.created_hlc
        if table_name == "cash_sessions":  # a drawer is linked when it is closed: its closing is what counts
            q, stamp = q.where(table.c.state == "closed"), table.c.updated_hlc
        if hlc is not None:
            q = q.where(stamp < hlc)
        return int(self.uow.conn.execute(q).scalar_one())

    def voided_without_link(self, station_code: str, since_hlc: str) -> list[str]:
        """Documents voided since ``since_hlc`` whose voiding no link covers."""
        d = t.documents.c
        q = (select(d.id).select_from(t.documents.outerjoin(
            t.chain_links, and_(_l.table_name == "documents.void", _l.row_id == d.id)))
             .where(d.station_code == station_code, d.state == "voided", d.updated_hlc >= since_hlc,
                    _l.id.is_(None)))
        return [r[0] for r in self.uow.conn.execute(q)]

    def last_audit(self) -> Row | None:
        a = t.audit_log.c
        return self._one(select(a.seq, a.hash).order_by(a.seq.desc()).limit(1))

    def chain_stations(self) -> list[str]:
        return [r[0] for r in self.uow.conn.execute(select(_l.station_code).distinct())]

    def row(self, table_name: str, row_id: str) -> Row | None:
        table = t.metadata.tables[table_name]
        return self._one(select(table).where(table.c.id == row_id))

    def unlinked(self, table_name: str, station_code: str, since_hlc: str,
                 kinds: Sequence[str] | None = None) -> list[str]:
        """Ids of the station's rows in a chained table, made since ``since_hlc`` (the chain's first link),
        that no link covers: slipped in afterwards. A cash drawer is linked when it is closed, so an open one
        is not counted; ``kinds``: only rows of these kinds are linked (points entries)."""
        table = t.metadata.tables[table_name]
        q = (select(table.c.id).select_from(table.outerjoin(
            t.chain_links, and_(_l.table_name == table_name, _l.row_id == table.c.id)))
             .where(table.c.station_code == station_code, _l.id.is_(None)))
        if kinds is not None:
            q = q.where(table.c.kind.in_(list(kinds)))
        if table_name == "cash_sessions":
            q = q.where(table.c.state == "closed", table.c.updated_hlc >= since_hlc)
        else:
            q = q.where(table.c.created_hlc >= since_hlc)
        return [r[0] for r in self.uow.conn.execute(q)]

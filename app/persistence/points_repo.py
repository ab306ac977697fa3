"""Queries of the village points system: accounts, the ledger, declarations, notices, goods and stock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select

from app.persistence import tables as t
from app.persistence.repo_base import Repo, Row

_e = t.points_entries.c
_d = t.points_declarations.c
_a = t.points_accounts.c
_g = t.points_goods.c
_m = t.points_stock_moves.c


class PointsRepository(Repo):
    # -- rules -----------------------------------------------------------------------------
    def rules_files(self) -> list[Row]:
        f = t.points_rules_files.c
        return self._all(select(t.points_rules_files).where(f.deleted.is_(False)).order_by(f.created_hlc))

    def rules_file(self, rules_id: str, version: str) -> Row | None:
        f = t.points_rules_files.c
        return self._one(select(t.points_rules_files).where(f.rules_id == rules_id, f.version == version))

    # -- accounts ----------------------------------------------------------------------------
    _ACCOUNT = select(t.points_accounts).where(_a.id == bindparam("id"))

    def account(self, account_id: str) -> Row | None:
        return self._one(self._ACCOUNT, {"id": account_id})

    def accounts(self, village_code: str | None = None) -> list[Row]:
        q = select(t.points_accounts).where(_a.deleted.is_(False))
        if village_code:
            q = q.where(_a.village_code == village_code)
        return self._all(q.order_by(_a.village_code, _a.group_name, _a.holder_name))

    # -- the ledger --------------------------------------------------------------------------
    _ENTRY = select(t.points_entries).where(_e.id == bindparam("id"))
    _BALANCE = select(func.coalesce(func.sum(_e.points), 0)).where(_e.account_id == bindparam("account"),
                                                                   _e.deleted.is_(False))
    _ENTRIES = (select(t.points_entries).where(_e.account_id == bindparam("account"), _e.deleted.is_(False))
                .order_by(_e.at, _e.created_hlc, _e.id))

    def entry(self, entry_id: str) -> Row | None:
        return self._one(self._ENTRY, {"id": entry_id})

    def balance(self, account_id: str) -> int:
        return int(self.uow.conn.execute(self._BALANCE, {"account": account_id}).scalar_one())

    def entries(self, account_id: str) -> list[Row]:
        return self._all(self._ENTRIES, {"account": account_id})

    _LEDGER = (select(_e.id, _e.kind, _e.points, _e.at, _e.expires_on, _e.lot_id, _e.reason, _e.approved_by,
                      _e.station_code)
               .where(_e.account_id == bindparam("account"), _e.deleted.is_(False))
               .order_by(_e.at, _e.created_hlc, _e.id))

    def ledger(self, account_id: str) -> Sequence[Sequence[Any]]:
        """An account's entries in ledger order as rows (id, kind, points, at, expires_on, lot_id, reason,
        approved_by, station_code), fetched at once: a statement reads thousands of them."""
        return self.uow.conn.execute(self._LEDGER, {"account": account_id}).all()

    def balances(self, account_ids: Sequence[str] | None = None) -> dict[str, int]:
        q = select(_e.account_id, func.sum(_e.points)).where(_e.deleted.is_(False)).group_by(_e.account_id)
        if account_ids is not None:
            q = q.where(_e.account_id.in_(list(account_ids)))
        return {row[0]: int(row[1]) for row in self.uow.conn.execute(q)}

    def accounts_with_credits_ending_before(self, day: date) -> list[str]:
        """Accounts holding a credit whose last day is before ``day``: the only ones expiry may touch."""
        q = select(_e.account_id).where(_e.expires_on < day, _e.deleted.is_(False)).distinct()
        return [row[0] for row in self.uow.conn.execute(q)]

    def unconfirmed_redeemed(self, account_id: str, station_code: str) -> int:
        """Points this station redeemed for the account that the town has not received yet (their change
        has not been pushed): what the away allowance counts."""
        c = t.change_log.c
        q = (select(func.coalesce(func.sum(_e.points), 0))
             .select_from(t.points_entries.join(t.change_log, and_(c.row_id == _e.id,
                                                                   c.table_name == "points_entries")))
             .where(_e.account_id == account_id, _e.station_code == station_code, _e.kind == "redemption",
                    c.pushed_at.is_(None)))
        return -int(self.uow.conn.execute(q).scalar_one())

    def totals(self, start: str, end: str, station_code: str | None = None) -> dict[str, int]:
        """Sum of points by entry kind between two times (ISO, end excluded)."""
        q = select(_e.kind, func.sum(_e.points)).where(_e.at >= start, _e.at < end, _e.deleted.is_(False))
        if station_code:
            q = q.where(_e.station_code == station_code)
        return {row[0]: int(row[1]) for row in self.uow.conn.execute(q.group_by(_e.kind))}

    # -- declarations and notices --------------------------------------------------------------
    def declaration(self, declaration_id: str) -> Row | None:
        return self._one(select(t.points_declarations).where(_d.id == declaration_id))

    def declarations(self, *, states: Sequence[str] = (), village_code: str | None = None,
                     notice_id: str | None = None, account_id: str | None = None) -> list[Row]:
        q = (select(t.points_declarations, _a.village_code, _a.holder_name, _a.group_name)
             .join(t.points_accounts, _a.id == _d.account_id).where(_d.deleted.is_(False)))
        if states:
            q = q.where(_d.state.in_(list(states)))
        if village_code:
            q = q.where(_a.village_code == village_code)
        if notice_id:
            q = q.where(_d.notice_id == notice_id)
        if account_id:
            q = q.where(_d.account_id == account_id)
        return self._all(q.order_by(_d.recorded_at, _d.id))

    def declared_in(self, account_id: str, indicator_code: str, start: date, end: date) -> int:
        """Points of an indicator already declared for the account in a period (rejected and withdrawn
        ones do not count): what a cap is checked against."""
        q = select(func.coalesce(func.sum(func.abs(_d.points)), 0)).where(
            _d.account_id == account_id, _d.indicator_code == indicator_code, _d.activity_on >= start,
            _d.activity_on < end, _d.state.notin_(["rejected", "withdrawn"]), _d.deleted.is_(False))
        return int(self.uow.conn.execute(q).scalar_one())

    def notice(self, notice_id: str) -> Row | None:
        return self._one(select(t.points_notices).where(t.points_notices.c.id == notice_id))

    def notices(self, *, state: str | None = None) -> list[Row]:
        n = t.points_notices.c
        q = select(t.points_notices).where(n.deleted.is_(False))
        if state:
            q = q.where(n.state == state)
        return self._all(q.order_by(n.posted_at.desc()))

    # -- goods and stock ---------------------------------------------------------------------
    _STOCK = select(func.coalesce(func.sum(_m.quantity), 0)).where(_m.goods_id == bindparam("goods"),
                                                                   _m.deleted.is_(False))

    def goods(self, station_code: str, *, active_only: bool = True) -> list[Row]:
        q = select(t.points_goods).where(_g.station_code == station_code, _g.deleted.is_(False))
        if active_only:
            q = q.where(_g.active.is_(True))
        return self._all(q.order_by(_g.code))

    def goods_by_code(self, station_code: str, code: str) -> Row | None:
        return self._one(select(t.points_goods).where(_g.station_code == station_code, _g.code == code))

    def goods_by_id(self, goods_id: str) -> Row | None:
        return self._one(select(t.points_goods).where(_g.id == goods_id))

    def stock(self, goods_id: str) -> int:
        return int(self.uow.conn.execute(self._STOCK, {"goods": goods_id}).scalar_one())

    def stocks(self, goods_ids: Sequence[str]) -> dict[str, int]:
        q = (select(_m.goods_id, func.sum(_m.quantity)).where(_m.goods_id.in_(list(goods_ids)), _m.deleted.is_(False))
             .group_by(_m.goods_id))
        found = {row[0]: int(row[1]) for row in self.uow.conn.execute(q)}
        return {g: found.get(g, 0) for g in goods_ids}

    def goods_out(self, start: str, end: str, station_code: str) -> list[Row]:
        """Goods given out (redeemed less reversed) between two times, by goods."""
        q = (select(_g.code, _g.name, _g.unit, -func.sum(_m.quantity).label("quantity"))
             .join(t.points_goods, _g.id == _m.goods_id)
             .where(_m.at >= start, _m.at < end, _m.kind.in_(["redeem", "reverse"]), _g.station_code == station_code,
                    _m.deleted.is_(False))
             .group_by(_g.code, _g.name, _g.unit).order_by(_g.code))
        return self._all(q)

    # -- redemptions and conflicts -------------------------------------------------------------
    def redemption(self, redemption_id: str) -> Row | None:
        return self._one(select(t.points_redemptions).where(t.points_redemptions.c.id == redemption_id))

    def redemptions_ending(self, station_code: str, tail: str) -> list[Row]:
        r = t.points_redemptions.c
        return self._all(select(t.points_redemptions).where(r.station_code == station_code, r.id.like(f"%{tail}")))

    def redemptions(self, account_id: str) -> list[Row]:
        r = t.points_redemptions.c
        return self._all(select(t.points_redemptions).where(r.account_id == account_id).order_by(r.at.desc()))

    def ledger_sources(self, station_code: str) -> tuple[list[Row], list[Row], list[Row]]:
        """What the station's ledger entries were made from, to derive them again: its credited declarations,
        its redemptions, and its entries that name one of those."""
        d, r, e = t.points_declarations.c, t.points_redemptions.c, t.points_entries.c
        credited = self._all(select(d.id, d.account_id, d.points, d.entry_id).where(
            d.station_code == station_code, d.state == "credited", d.deleted.is_(False)))
        redeemed = self._all(select(r.id, r.account_id, r.total, r.state).where(
            r.station_code == station_code, r.deleted.is_(False)))
        entries = self._all(select(e.id, e.account_id, e.kind, e.points, e.declaration_id, e.redemption_id).where(
            e.station_code == station_code, e.deleted.is_(False), or_(e.declaration_id != "", e.redemption_id != "")))
        return credited, redeemed, entries

    def conflicts(self, *, state: str | None = "open") -> list[Row]:
        c = t.points_conflicts.c
        q = select(t.points_conflicts).where(c.deleted.is_(False))
        if state:
            q = q.where(c.state == state)
        return self._all(q.order_by(c.found_at))

"""The same Alembic migrations build the town server's PostgreSQL schema as the station's SQLite file, and the
services run on it."""

from __future__ import annotations

from datetime import date

from app.persistence import migrate
from app.persistence.database import Database
from app.services.context import ServiceContext
from app.services.demo import DEMO_VILLAGES
from app.services.residents import find_residents, register_resident
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station
from tests.helpers import make_id


def test_every_migration_runs_on_postgresql_and_a_station_works_on_it(pg_url: str) -> None:
    db = Database.open_url(pg_url)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        ctx = ServiceContext(db=db)
        init_station(ctx, town_code="330127101", town_name="青溪镇",
                     villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code="QX01",
                     station_name="青溪村便民服务站", village_code="V01", admin_username="zhanzhang",
                     admin_name="王秀英", admin_password="town-2026-pg")
        head = authenticate(ctx, username="zhanzhang", password="town-2026-pg")
        register_resident(ctx, actor=head, name="张三", id_number=make_id(date(1980, 5, 6), True), village="V01")
        assert [r.name for r in find_residents(ctx, query="zs").residents] == ["张三"]
    finally:
        db.dispose()

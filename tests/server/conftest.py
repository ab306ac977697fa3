"""The town server's tests run against a real PostgreSQL (127.0.0.1:5432 on these machines; ``.ci/run`` starts
it). Each test gets a fresh database; where no server is reachable the tests are skipped, saying why."""

from __future__ import annotations

import os
import uuid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # one test drives the window's sync state
from collections.abc import Iterator

import pytest

PG_ADMIN_URL = os.environ.get("STATIONDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _admin_engine():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_available() -> bool:
    try:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return True
    except Exception as e:  # no driver, no server, no permission: say which
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({type(e).__name__}: {e}); "
                    "start it (.ci/run does) or set STATIONDESK_TEST_PG")
        return False


@pytest.fixture
def pg_url(pg_available: bool) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"sd_test_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture
def server(pg_url: str) -> Iterator[object]:
    """The town server as a real process (uvicorn) on a fresh PostgreSQL database."""
    from tests.server.test_http_sync import Server

    s = Server(pg_url)
    s.start()
    try:
        yield s
    finally:
        s.stop()

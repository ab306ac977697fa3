"""Bring a database to the current schema with Alembic, backing up an existing SQLite file first.

A station's file is checked before anything else reads it (storage.damage: a damaged file is refused with
``db.unreadable``, never migrated); an older one is copied to ``backups/before-upgrade-<revision>-<time>``,
the copy checked, and only then migrated, in one transaction. A file made by a newer release than this one
is refused with ``db.newer_version`` instead of failing inside Alembic.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from app.domain.errors import DomainError
from app.paths import migrations_dir
from app.persistence.storage import damage, unique_path, verified_backup

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when there is something to upgrade: importing it costs a quarter of a second
# of every start, and on almost every start the database is already current.
_REVISION = re.compile(r"""^(down_)?revision\s*=\s*["']([^"']*)["']""", re.MULTILINE)


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _revisions() -> tuple[set[str], set[str]]:
    revisions: set[str] = set()
    predecessors: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (predecessors if down else revisions).add(value)
    return revisions, predecessors


def known_revisions() -> frozenset[str]:
    """Every revision in db/versions: the schemas this release can open (and upgrade)."""
    return frozenset(_revisions()[0])


def head_revision() -> str:
    """The newest revision in db/versions: the one no other revision names as its predecessor."""
    revisions, predecessors = _revisions()
    heads = revisions - predecessors
    if len(heads) != 1:
        raise RuntimeError(f"db/versions must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@dataclass(frozen=True, slots=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def upgrade(engine: Engine, *, backup_dir: Path | None = None, target: str = "head") -> UpgradeResult:
    """Upgrade to head (tests may name an older ``target`` to build a database as an older release made it).
    With ``backup_dir`` (a station's folder), the SQLite file is checked for damage first and, at an older
    revision, backed up and the copy checked before it is migrated."""
    db_path = engine.url.database if engine.dialect.name == "sqlite" else None
    if db_path and db_path != ":memory:" and backup_dir is not None:
        problem = damage(Path(db_path))
        if problem is not None:
            raise DomainError("db.unreadable", path=db_path, backups=str(backup_dir), detail=problem)
    before = current_revision(engine)
    head = head_revision() if target == "head" else target
    if before is not None and before not in known_revisions():
        raise DomainError("db.newer_version", revision=before, path=db_path or "")
    backup: Path | None = None
    if before != head and before is not None and db_path and backup_dir is not None:
        backup = _backup_before_upgrade(Path(db_path), backup_dir, before)
    if before != head:
        from alembic import command

        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
    return UpgradeResult(before, head, backup)


def _backup_before_upgrade(db_path: Path, backup_dir: Path, revision: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = unique_path(backup_dir / f"before-upgrade-{revision}-{stamp}.sqlite3")
    try:
        problem = verified_backup(db_path, dest, station=False)
    except DomainError as e:
        problem = str(e.params.get("detail", e.code))
    if problem is not None:  # no sound copy, no upgrade: the file stays as the older release left it
        raise DomainError("upgrade.backup_failed", path=str(dest), detail=problem)
    return dest


def downgrade(engine: Engine, *, target: str) -> None:
    """Take a database back to an older revision (tests build an older release's database this way)."""
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)


def _main(argv: list[str]) -> int:
    """Developer entry: ``python -m app.persistence.migrate revision "message"``."""
    if len(argv) == 2 and argv[0] == "revision":
        import tempfile

        from app.persistence.engine import make_engine, sqlite_url

        with tempfile.TemporaryDirectory() as tmp:
            url = sqlite_url(Path(tmp) / "scratch.sqlite3")
            engine = make_engine(url)
            upgrade(engine)
            from alembic import command

            cfg = alembic_config(url)
            command.revision(cfg, message=argv[1], autogenerate=True)
            engine.dispose()
        return 0
    print('usage: python -m app.persistence.migrate revision "message"', file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))

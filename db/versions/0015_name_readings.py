"""name readings: residents' pinyin initials read again (given names by their name readings, more surnames,
both readings of a name read two ways) and an index on the second reading

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.persistence.search_keys import KEY_CHARS, SEPARATOR, name_initials

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_CHUNK = 5000


def _alternative() -> sa.ColumnElement[str]:
    col = sa.column("name_initials", sa.String(40))
    return sa.func.substr(col, sa.func.length(sa.func.rtrim(col, KEY_CHARS)) + 1)


def upgrade() -> None:
    # The key is derived from the name, on every node alike: each recomputes its own copy here, so nothing is
    # sent through the sync and the station and the town hold the same key afterwards.
    conn = op.get_bind()
    residents = sa.table("residents", sa.column("id", sa.String(36)), sa.column("name", sa.String(40)),
                         sa.column("name_initials", sa.String(40)))
    last = ""
    while True:
        rows = conn.execute(sa.select(residents.c.id, residents.c.name, residents.c.name_initials)
                            .where(residents.c.id > last).order_by(residents.c.id).limit(_CHUNK)).all()
        if not rows:
            break
        changed = [{"_id": r.id, "key": key} for r in rows if (key := name_initials(r.name)) != r.name_initials]
        if changed:
            conn.execute(sa.update(residents).where(residents.c.id == sa.bindparam("_id"))
                         .values(name_initials=sa.bindparam("key")), changed)
        last = rows[-1].id
    like = sa.text(f"name_initials LIKE '%{SEPARATOR}%'")
    op.create_index("ix_residents_name_initials_alt", "residents", [_alternative()], sqlite_where=like,
                    postgresql_where=like)


def downgrade() -> None:
    op.drop_index("ix_residents_name_initials_alt", table_name="residents")

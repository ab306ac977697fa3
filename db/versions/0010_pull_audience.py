"""who pulls a change: server_log.audience, and the indexes the pull's filter reads

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("server_log", schema=None) as batch_op:
        # Changes logged before this revision go to every station, as they did.
        batch_op.add_column(sa.Column("audience", sa.String(length=40), nullable=False, server_default=""))
    op.create_index("ix_cases_station_applicant", "cases", ["station_code", "applicant_id"])
    op.create_index("ix_residents_village_code", "residents", ["village_code"])


def downgrade() -> None:
    op.drop_index("ix_residents_village_code", table_name="residents")
    op.drop_index("ix_cases_station_applicant", table_name="cases")
    with op.batch_alter_table("server_log", schema=None) as batch_op:
        batch_op.drop_column("audience")

"""the town's trust rules: security events, the village a station was enrolled for, how far it has pulled

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("found_at", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=20), nullable=False),
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("params_json", sa.Text(), server_default="{}", nullable=False),
        sa.Column("fields", sa.String(length=400), server_default="", nullable=False),
        sa.Column("row_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), server_default="open", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    op.create_index("ix_security_events_found_at", "security_events", ["found_at"])
    with op.batch_alter_table("server_stations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("village_code", sa.String(length=20), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("pulled_to", sa.BigInteger(), nullable=False, server_default=sa.text("0")))
    op.create_index("ix_server_log_resident", "server_log", ["row_id"],
                    sqlite_where=sa.text("table_name = 'residents'"),
                    postgresql_where=sa.text("table_name = 'residents'"))


def downgrade() -> None:
    op.drop_index("ix_server_log_resident", table_name="server_log")
    with op.batch_alter_table("server_stations", schema=None) as batch_op:
        batch_op.drop_column("pulled_to")
        batch_op.drop_column("village_code")
    op.drop_index("ix_security_events_found_at", table_name="security_events")
    op.drop_table("security_events")

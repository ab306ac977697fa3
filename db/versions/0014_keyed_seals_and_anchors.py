"""keyed seals and anchors: the key that sealed each audit entry and chain link, the keys issued to a station,
and where each station's chain and audit log stood when it last said so

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=20), nullable=False, server_default=""))
    with op.batch_alter_table("chain_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=20), nullable=False, server_default=""))
    with op.batch_alter_table("server_stations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_ids", sa.String(length=400), nullable=False, server_default=""))
    op.create_table(
        "station_anchors",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station_code", sa.String(length=20), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("chain_seq", sa.BigInteger(), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("audit_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=40), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_anchors")),
    )
    op.create_index("ix_station_anchors_station_at", "station_anchors", ["station_code", "at"])


def downgrade() -> None:
    op.drop_index("ix_station_anchors_station_at", table_name="station_anchors")
    op.drop_table("station_anchors")
    with op.batch_alter_table("server_stations", schema=None) as batch_op:
        batch_op.drop_column("key_ids")
    with op.batch_alter_table("chain_links", schema=None) as batch_op:
        batch_op.drop_column("key_id")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("key_id")

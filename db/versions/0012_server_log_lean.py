"""the server log without its (table, row) index: nothing reads by it, and every logged change paid for it

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 03:25:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("server_log", schema=None) as batch_op:
        batch_op.drop_index("ix_server_log_row")


def downgrade() -> None:
    with op.batch_alter_table("server_log", schema=None) as batch_op:
        batch_op.create_index("ix_server_log_row", ["table_name", "row_id"], unique=False)

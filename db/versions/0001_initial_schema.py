"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 15:46:28.016828
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("hlc", sa.String(length=40), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.String(length=36), server_default="", nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), server_default="", nullable=False),
        sa.Column("target_id", sa.String(length=40), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_log_id")),
    )
    op.create_table(
        "catalog_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("catalog_id", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_files")),
        sa.UniqueConstraint("catalog_id", name=op.f("uq_catalog_files_catalog_id")),
    )
    op.create_table(
        "calendar_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("calendar_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_files")),
        sa.UniqueConstraint("calendar_id", name=op.f("uq_calendar_files_calendar_id")),
    )
    op.create_table(
        "change_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("table_name", sa.String(length=30), nullable=False),
        sa.Column("row_id", sa.String(length=40), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("hlc", sa.String(length=40), nullable=False),
        sa.Column("pushed_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
        sa.UniqueConstraint("change_id", name=op.f("uq_change_log_change_id")),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index("ix_change_log_pending", ["pushed_at", "seq"], unique=False)

    op.create_table(
        "households",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("village_code", sa.String(length=20), nullable=False),
        sa.Column("household_no", sa.String(length=40), nullable=False),
        sa.Column("head_name", sa.String(length=40), server_default="", nullable=False),
        sa.Column("address", sa.String(length=120), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("village_code", "household_no", name="uq_households_village_no"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "sequences",
        sa.Column("station_code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("station_code", "kind", "period", name=op.f("pk_sequences")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("station_code", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column("staff_no", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("post", sa.String(length=1), nullable=False),
        sa.Column("phone", sa.String(length=30), server_default="", nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_username")),
    )
    op.create_table(
        "stations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("town_code", sa.String(length=20), nullable=False),
        sa.Column("village_code", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=30), server_default="", nullable=False),
        sa.Column("supervision_phone", sa.String(length=30), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
        sa.UniqueConstraint("code", name=op.f("uq_stations_code")),
    )
    op.create_table(
        "towns",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_towns")),
        sa.UniqueConstraint("code", name=op.f("uq_towns_code")),
    )
    op.create_table(
        "villages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("town_code", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_villages")),
        sa.UniqueConstraint("code", name=op.f("uq_villages_code")),
    )
    op.create_table(
        "residents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_initials", sa.String(length=40), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=30), nullable=False),
        sa.Column("id_rev", sa.String(length=30), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(length=30), server_default="", nullable=False),
        sa.Column("phone_rev", sa.String(length=30), server_default="", nullable=False),
        sa.Column("village_code", sa.String(length=20), nullable=False),
        sa.Column("group_name", sa.String(length=20), server_default="", nullable=False),
        sa.Column("address", sa.String(length=120), server_default="", nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=True),
        sa.Column("relation", sa.String(length=10), server_default="", nullable=False),
        sa.Column("tags", sa.String(length=200), server_default="", nullable=False),
        sa.Column("ethnicity", sa.String(length=10), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_residents_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residents")),
        sa.UniqueConstraint("id_type", "id_number", name="uq_residents_id"),
    )
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.create_index("ix_residents_household_id", ["household_id"], unique=False)
        batch_op.create_index("ix_residents_id_rev", ["id_rev"], unique=False)
        batch_op.create_index("ix_residents_name", ["name"], unique=False)
        batch_op.create_index("ix_residents_name_initials", ["name_initials"], unique=False)
        batch_op.create_index("ix_residents_phone_rev", ["phone_rev"], unique=False)

    op.create_table(
        "staff_logins",
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", sa.String(length=32), nullable=True),
        sa.Column("last_login_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_staff_logins_staff_id_staff")),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_logins")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("case_no", sa.String(length=40), nullable=False),
        sa.Column("station_code", sa.String(length=20), nullable=False),
        sa.Column("item_code", sa.String(length=10), nullable=False),
        sa.Column("item_name", sa.String(length=80), nullable=False),
        sa.Column("catalog_version", sa.String(length=40), nullable=False),
        sa.Column("applicant_id", sa.String(length=36), nullable=False),
        sa.Column("proxy_name", sa.String(length=40), server_default="", nullable=False),
        sa.Column("proxy_id_number", sa.String(length=30), server_default="", nullable=False),
        sa.Column("proxy_relation", sa.String(length=20), server_default="", nullable=False),
        sa.Column("proxy_phone", sa.String(length=30), server_default="", nullable=False),
        sa.Column("first_staff_id", sa.String(length=36), nullable=False),
        sa.Column("handler_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("form_json", sa.Text(), server_default="{}", nullable=False),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.Column("accepted_at", sa.String(length=32), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=20), server_default="", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["residents.id"], name=op.f("fk_cases_applicant_id_residents")
        ),
        sa.ForeignKeyConstraint(["first_staff_id"], ["staff.id"], name=op.f("fk_cases_first_staff_id_staff")),
        sa.ForeignKeyConstraint(["handler_id"], ["staff.id"], name=op.f("fk_cases_handler_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_no", name=op.f("uq_cases_case_no")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_applicant_id", ["applicant_id"], unique=False)
        batch_op.create_index("ix_cases_received_at", ["received_at"], unique=False)
        batch_op.create_index("ix_cases_state_due", ["state", "due_date"], unique=False)

    op.create_table(
        "attachments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("material_code", sa.String(length=20), server_default="", nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_path", sa.String(length=300), nullable=False),
        sa.Column("added_by", sa.String(length=36), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["added_by"], ["staff.id"], name=op.f("fk_attachments_added_by_staff")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_attachments_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index("ix_attachments_case_id", ["case_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=20), server_default="", nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_case_events_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case_id", ["case_id"], unique=False)

    op.create_table(
        "case_materials",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_hlc", sa.String(length=40), nullable=False),
        sa.Column("updated_hlc", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("material_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("received", sa.Boolean(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_materials_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_materials")),
    )
    with op.batch_alter_table("case_materials", schema=None) as batch_op:
        batch_op.create_index("ix_case_materials_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_materials", schema=None) as batch_op:
        batch_op.drop_index("ix_case_materials_case_id")

    op.drop_table("case_materials")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_case_id")

    op.drop_table("case_events")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_case_id")

    op.drop_table("attachments")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_state_due")
        batch_op.drop_index("ix_cases_received_at")
        batch_op.drop_index("ix_cases_applicant_id")

    op.drop_table("cases")
    op.drop_table("staff_logins")
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_index("ix_residents_phone_rev")
        batch_op.drop_index("ix_residents_name_initials")
        batch_op.drop_index("ix_residents_name")
        batch_op.drop_index("ix_residents_id_rev")
        batch_op.drop_index("ix_residents_household_id")

    op.drop_table("residents")
    op.drop_table("villages")
    op.drop_table("towns")
    op.drop_table("stations")
    op.drop_table("staff")
    op.drop_table("sequences")
    op.drop_table("meta")
    op.drop_table("households")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_pending")

    op.drop_table("change_log")
    op.drop_table("catalog_files")
    op.drop_table("calendar_files")
    op.drop_table("audit_log")

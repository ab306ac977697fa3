"""documents (gap-free numbers, voids, reprints), payments and station settings (print templates)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:27:10.559894
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('station_settings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('created_hlc', sa.String(length=40), nullable=False),
    sa.Column('updated_hlc', sa.String(length=40), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('station_code', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_settings')),
    sa.UniqueConstraint('station_code', 'key', name='uq_station_settings_station_key')
    )
    op.create_table('documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('created_hlc', sa.String(length=40), nullable=False),
    sa.Column('updated_hlc', sa.String(length=40), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('station_code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.String(length=40), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=True),
    sa.Column('paper', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), server_default='issued', nullable=False),
    sa.Column('issued_at', sa.String(length=32), nullable=False),
    sa.Column('issued_by', sa.String(length=36), nullable=False),
    sa.Column('reprints', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_reprint_at', sa.String(length=32), nullable=True),
    sa.Column('printed_at', sa.String(length=32), nullable=True),
    sa.Column('void_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['issued_by'], ['staff.id'], name=op.f('fk_documents_issued_by_staff')),
    sa.ForeignKeyConstraint(['voided_by'], ['staff.id'], name=op.f('fk_documents_voided_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('number', name=op.f('uq_documents_number'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_issued_at', ['issued_at'], unique=False)
        batch_op.create_index('ix_documents_subject', ['kind', 'subject_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('created_hlc', sa.String(length=40), nullable=False),
    sa.Column('updated_hlc', sa.String(length=40), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('station_code', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('payee', sa.String(length=80), nullable=False),
    sa.Column('lines_json', sa.Text(), nullable=False),
    sa.Column('total_fen', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=80), server_default='', nullable=False),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('paid_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_payments_case_id_cases')),
    sa.ForeignKeyConstraint(['cashier_id'], ['staff.id'], name=op.f('fk_payments_cashier_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('case_id', name=op.f('uq_payments_case_id'))
    )


def downgrade() -> None:
    op.drop_table('payments')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_subject')
        batch_op.drop_index('ix_documents_issued_at')

    op.drop_table('documents')
    op.drop_table('station_settings')

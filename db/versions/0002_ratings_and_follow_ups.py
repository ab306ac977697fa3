"""ratings and follow-ups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:30:37.417871
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ratings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('created_hlc', sa.String(length=40), nullable=False),
    sa.Column('updated_hlc', sa.String(length=40), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('staff_id', sa.String(length=36), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('rated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ratings_case_id_cases')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_ratings_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('case_id', name=op.f('uq_ratings_case_id'))
    )
    op.create_table('follow_ups',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('created_hlc', sa.String(length=40), nullable=False),
    sa.Column('updated_hlc', sa.String(length=40), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('rating_id', sa.String(length=36), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('closed_at', sa.String(length=32), nullable=True),
    sa.Column('closed_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_follow_ups_case_id_cases')),
    sa.ForeignKeyConstraint(['closed_by'], ['staff.id'], name=op.f('fk_follow_ups_closed_by_staff')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_follow_ups_rating_id_ratings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_follow_ups_rating_id'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_state_due', ['state', 'due_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_state_due')

    op.drop_table('follow_ups')
    op.drop_table('ratings')

"""side panel checklist ticks

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checklist_ticks',
    sa.Column('vendor', sa.String(length=16), nullable=False),
    sa.Column('ticket_id', sa.String(length=40), nullable=False),
    sa.Column('playbook_id', sa.String(length=64), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('vendor', 'ticket_id', 'playbook_id', 'step')
    )


def downgrade() -> None:
    op.drop_table('checklist_ticks')

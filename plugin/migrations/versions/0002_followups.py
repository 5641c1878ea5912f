"""follow-ups and survey answers

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('followups',
    sa.Column('job_id', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('vendor', sa.String(length=16), nullable=False),
    sa.Column('ticket_id', sa.String(length=40), nullable=False),
    sa.Column('requester_id', sa.String(length=40), nullable=True),
    sa.Column('run_at', sa.DateTime(), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('job_id')
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index('ix_followups_requester', ['vendor', 'requester_id', 'kind'],
                              unique=False)
        batch_op.create_index('ix_followups_status_run_at', ['status', 'run_at'], unique=False)
        batch_op.create_index('ix_followups_ticket', ['vendor', 'ticket_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('token_id', sa.String(length=64), nullable=False),
    sa.Column('vendor', sa.String(length=16), nullable=False),
    sa.Column('ticket_id', sa.String(length=40), nullable=False),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('nps', sa.Integer(), nullable=True),
    sa.Column('ces', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token_id')
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answers_ticket_id'), ['ticket_id'],
                              unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_ticket_id'))

    op.drop_table('survey_answers')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index('ix_followups_ticket')
        batch_op.drop_index('ix_followups_status_run_at')
        batch_op.drop_index('ix_followups_requester')

    op.drop_table('followups')

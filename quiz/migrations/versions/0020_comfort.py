"""reading comfort: a text size per account, extra time per participant and round

Revision ID: 0020_comfort
Revises: 0019_assessment
Create Date: 2026-12-07 03:10:00

``users.text_size`` is NULL for "standard" (every existing account). ``round_extra_times``
holds an organizer's grant of extra time to one participant in one round (issue 17 item 7).
"""

from alembic import op
import sqlalchemy as sa


revision = "0020_comfort"
down_revision = "0019_assessment"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("text_size", sa.String(length=8), nullable=True))
    op.create_table(
        "round_extra_times",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("extra_seconds", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["granted_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("round_id", "user_id"),
    )
    op.create_index("ix_round_extra_times_user_id", "round_extra_times", ["user_id"])


def downgrade():
    op.drop_index("ix_round_extra_times_user_id", table_name="round_extra_times")
    op.drop_table("round_extra_times")
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("text_size")

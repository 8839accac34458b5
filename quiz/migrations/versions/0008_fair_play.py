"""fair play: focus-loss recording and fast-answer flag settings

Revision ID: 0008_fair_play
Revises: 0007_schools
Create Date: 2026-11-28 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_fair_play"
down_revision = "0007_schools"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("focus_tracking", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("focus_limit", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("focus_auto_finish", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("flag_median_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("flag_fast_answers", sa.Integer(), nullable=True))
    with op.batch_alter_table("attempts", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("focus_losses", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("focus_lost_at", sa.DateTime(), nullable=True))


def downgrade():
    # recreate="never": plain ALTER TABLE DROP COLUMN (SQLite >= 3.35). Rebuilding these
    # tables would drop them first, which their foreign keys refuse (and, with ON DELETE
    # CASCADE, could take rows of other tables with them).
    with op.batch_alter_table("attempts", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("focus_lost_at")
        batch_op.drop_column("focus_losses")
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("flag_fast_answers")
        batch_op.drop_column("flag_median_seconds")
        batch_op.drop_column("focus_auto_finish")
        batch_op.drop_column("focus_limit")
        batch_op.drop_column("focus_tracking")

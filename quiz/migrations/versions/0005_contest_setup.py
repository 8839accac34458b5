"""contest setup: allow-list invites, speed bonus

Revision ID: 0005_contest_setup
Revises: 0004_banks_console
Create Date: 2026-11-28 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0005_contest_setup"
down_revision = "0004_banks_console"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contest_invites",
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contests.id"],
            name=op.f("fk_contest_invites_contest_id_contests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contest_id", "username_key", name=op.f("pk_contest_invites")),
    )
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("speed_bonus", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("attempts", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("bonus_points", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("attempts", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("bonus_points")
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("speed_bonus")
    op.drop_table("contest_invites")

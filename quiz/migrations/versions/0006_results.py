"""results: frozen boards, published rounds, monitor indexes

Revision ID: 0006_results
Revises: 0005_contest_setup
Create Date: 2026-11-28 16:00:00

Two new tables and one index on attempts; no existing table is altered.
"""

from alembic import op
import sqlalchemy as sa


revision = "0006_results"
down_revision = "0005_contest_setup"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "frozen_boards",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contests.id"],
            name=op.f("fk_frozen_boards_contest_id_contests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_frozen_boards_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_frozen_boards")),
    )
    with op.batch_alter_table("frozen_boards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_frozen_boards_contest_id"), ["contest_id"], unique=False
        )
    op.create_table(
        "round_publications",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_round_publications_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_publications_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_round_publications")),
    )
    op.create_index(
        "ix_attempts_round_finished_league",
        "attempts",
        ["round_id", "finished_at", "league_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_attempts_round_finished_league", table_name="attempts")
    op.drop_table("round_publications")
    with op.batch_alter_table("frozen_boards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frozen_boards_contest_id"))
    op.drop_table("frozen_boards")

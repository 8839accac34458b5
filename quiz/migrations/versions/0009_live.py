"""live games: rounds carry a mode; games, players and the live side of answers

Revision ID: 0009_live
Revises: 0008_fair_play
Create Date: 2026-12-06 19:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0009_live"
down_revision = "0008_fair_play"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=16), server_default="self_paced", nullable=False)
        )
        batch_op.add_column(
            sa.Column("question_seconds", sa.Integer(), server_default="20", nullable=False)
        )
    op.create_table(
        "live_games",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("pin", sa.String(length=8), nullable=False),
        sa.Column("active_pin", sa.String(length=8), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("question_no", sa.Integer(), nullable=False),
        sa.Column("question_started_at", sa.DateTime(), nullable=True),
        sa.Column("question_deadline", sa.DateTime(), nullable=True),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("paused_left_ms", sa.Integer(), nullable=True),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("speed_points", sa.Boolean(), nullable=False),
        sa.Column("streaks", sa.Boolean(), nullable=False),
        sa.Column("teams", sa.String(length=16), nullable=False),
        sa.Column("team_names", sa.JSON(), nullable=False),
        sa.Column("podium", sa.Integer(), nullable=False),
        sa.Column("allow_guests", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contest_id", "round_id"],
            ["rounds.contest_id", "rounds.id"],
            name=op.f("fk_live_games_contest_id_rounds"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_live_games_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_games")),
        sa.UniqueConstraint("active_pin", name=op.f("uq_live_games_active_pin")),
    )
    with op.batch_alter_table("live_games", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_games_round_id"), ["round_id"], unique=False)
    op.create_table(
        "live_players",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=True),
        sa.Column("guest", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_live_players_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["game_id"],
            ["live_games.id"],
            name=op.f("fk_live_players_game_id_live_games"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_live_players_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_players")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_live_players_attempt_id")),
        sa.UniqueConstraint("game_id", "user_id", name=op.f("uq_live_players_game_id_user_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_live_players_token_hash")),
    )
    with op.batch_alter_table("live_players", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_players_user_id"), ["user_id"], unique=False)
    op.create_table(
        "live_responses",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("speed_points", sa.Integer(), nullable=False),
        sa.Column("streak_points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id", "no"],
            ["answers.attempt_id", "answers.no"],
            name=op.f("fk_live_responses_attempt_id_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["game_id"],
            ["live_games.id"],
            name=op.f("fk_live_responses_game_id_live_games"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "no", name=op.f("pk_live_responses")),
    )
    with op.batch_alter_table("live_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_responses_game_id"), ["game_id"], unique=False)


def downgrade():
    op.drop_table("live_responses")
    op.drop_table("live_players")
    op.drop_table("live_games")
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("question_seconds")
        batch_op.drop_column("mode")

"""round points: one maximum per round, a minimum score for certificates

Revision ID: 0011_round_points
Revises: 0013_redteam_b
Create Date: 2026-12-06 23:00:00

Every participant of a round must face the same maximum score (issue 14). A draw-rule
part of any difficulty scored each question by its difficulty, so with unequal points
per difficulty two attempts of one round could have different maxima. This migration
gives each such part points of its own (``"points"`` in the part's JSON): the middle of
the round's three values (10/15/20 → 15), which an organizer can still change before
the round opens. Only ``rounds.draw_rule`` changes: attempts, their drawn items and
answers keep the points they were stored with, so no result, rank or certificate of a
past attempt moves. Downgrading drops the part points again.

``rounds.certificate_min_points`` (default 1): "top N per league" certificates never go
to a result below it, so never to 0 points.
"""

from alembic import op
import sqlalchemy as sa


revision = "0011_round_points"
down_revision = "0013_redteam_b"
branch_labels = None
depends_on = None

rounds = sa.table(
    "rounds",
    sa.column("id", sa.Integer),
    sa.column("draw_rule", sa.JSON),
    sa.column("points_by_difficulty", sa.JSON),
)


def settled(draw_rule, points_by_difficulty):
    """The rule with points on every part of any difficulty, or None if it was fair."""
    values = sorted(int(points_by_difficulty[d]) for d in ("1", "2", "3"))
    if len(set(values)) == 1:
        return None
    changed = False
    parts = []
    for part in draw_rule:
        part = dict(part)
        if part.get("difficulty") is None and part.get("points") is None:
            part["points"] = values[1]
            changed = True
        parts.append(part)
    return parts if changed else None


def upgrade():
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("certificate_min_points", sa.Integer(), server_default="1", nullable=False)
        )
    connection = op.get_bind()
    for row in connection.execute(
        sa.select(rounds.c.id, rounds.c.draw_rule, rounds.c.points_by_difficulty)
    ).all():
        rule = settled(row.draw_rule or [], row.points_by_difficulty or {})
        if rule is not None:
            connection.execute(rounds.update().where(rounds.c.id == row.id).values(draw_rule=rule))


def downgrade():
    connection = op.get_bind()
    for row in connection.execute(sa.select(rounds.c.id, rounds.c.draw_rule)).all():
        rule = [{k: v for k, v in part.items() if k != "points"} for part in row.draw_rule or []]
        connection.execute(rounds.update().where(rounds.c.id == row.id).values(draw_rule=rule))
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("certificate_min_points")

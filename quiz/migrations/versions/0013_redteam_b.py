"""red-team findings (issue 13): schools from rosters, invitations bound to accounts

Revision ID: 0013_redteam_b
Revises: 0012_redteam_a
Create Date: 2026-12-06 23:00:00

1. ``User.school_id`` set by the person (registration, profile) is cleared: an account
   keeps its school only if that school's class list has it (``school_students``) or it
   is one of the school's teachers (``school_teachers``). Each cleared claim leaves an
   audit event ``user.school_claim_cleared`` (operator ``migration``, the school in
   ``before``), so a school's teachers can find them and add them to a class; the
   downgrade restores the claims from these events. Run ``quiz leaderboard rebuild``
   afterwards so the school rankings drop them.
2. ``contest_invites.user_id``: the account an allow-list invite admits. An existing
   invite is bound to the account with its name only if that account existed when the
   name was listed; a name registered later stays unbound (it admits nobody until an
   organizer confirms the account on the list page).
"""

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = "0013_redteam_b"
down_revision = "0012_redteam_a"
branch_labels = None
depends_on = None

CLEARED = "user.school_claim_cleared"

audit_events = sa.table(
    "audit_events",
    sa.column("at", sa.DateTime),
    sa.column("actor_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("school_id", sa.Integer),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("operator", sa.String),
)


def upgrade():
    with op.batch_alter_table("contest_invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_contest_invites_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_contest_invites_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.execute(
        "UPDATE contest_invites SET user_id = (SELECT users.id FROM users"
        " WHERE users.username_key = contest_invites.username_key"
        " AND users.created_at <= contest_invites.invited_at)"
    )

    bind = op.get_bind()
    claims = bind.execute(
        sa.text(
            "SELECT id, school_id FROM users WHERE school_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM school_students s"
            "  WHERE s.user_id = users.id AND s.school_id = users.school_id)"
            " AND NOT EXISTS (SELECT 1 FROM school_teachers t"
            "  WHERE t.user_id = users.id AND t.school_id = users.school_id)"
            " ORDER BY id"
        )
    ).all()
    if claims:
        moment = datetime.now(timezone.utc).replace(tzinfo=None)
        op.bulk_insert(
            audit_events,
            [
                {
                    "at": moment,
                    "actor_id": None,
                    "action": CLEARED,
                    "object_type": "user",
                    "object_id": str(user_id),
                    "school_id": school_id,
                    "before": {"school_id": school_id},
                    "after": {"school_id": None},
                    "operator": "migration",
                }
                for user_id, school_id in claims
            ],
        )
        ids = [user_id for user_id, _school in claims]
        for start in range(0, len(ids), 500):
            bind.execute(
                sa.text("UPDATE users SET school_id = NULL WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": ids[start : start + 500]},
            )


def downgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT object_id, school_id FROM audit_events WHERE action = :action"
            " AND operator = 'migration' ORDER BY id"
        ),
        {"action": CLEARED},
    ).all()
    for user_id, school_id in rows:
        bind.execute(
            sa.text("UPDATE users SET school_id = :school WHERE id = :id AND school_id IS NULL"),
            {"school": school_id, "id": int(user_id)},
        )
    bind.execute(
        sa.text("DELETE FROM audit_events WHERE action = :action AND operator = 'migration'"),
        {"action": CLEARED},
    )
    with op.batch_alter_table("contest_invites", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contest_invites_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_contest_invites_user_id"))
        batch_op.drop_column("user_id")

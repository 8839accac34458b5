"""redteam_a: who owns a question bank

Revision ID: 0012_redteam_a
Revises: 0015_practice
Create Date: 2026-12-06 23:00:00

``question_banks.created_by_id``: the organizer who created the bank (console or
console import); an organizer edits only the banks they own or the banks of the
contests they run. Nullable: banks made before, or by ``quiz bank import``, have no
owner (admins and the organizers of contests using them edit those). Added in place.
"""

from alembic import op
import sqlalchemy as sa


revision = "0012_redteam_a"
down_revision = "0015_practice"
branch_labels = None
depends_on = None


def upgrade():
    # No foreign key: SQLite cannot add one without rebuilding the table, and Alembic's
    # reflection then reads it back wrong. Accounts are disabled or anonymised, not
    # deleted, so the id keeps naming its owner.
    with op.batch_alter_table("question_banks", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))


def downgrade():
    # In place (SQLite 3.35+ drops a column itself): rebuilding question_banks would trip
    # the foreign keys of the questions that point at it.
    with op.batch_alter_table("question_banks", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("created_by_id")

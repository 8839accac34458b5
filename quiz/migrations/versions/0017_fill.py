"""fill-in questions: the accepted answers of each blank, per language

Revision ID: 0017_fill
Revises: 0011_round_points
Create Date: 2026-12-06 23:30:00

A nullable JSON column: choice questions keep NULL.
"""

from alembic import op
import sqlalchemy as sa


revision = "0017_fill"
down_revision = "0011_round_points"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_texts", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("blanks", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("question_texts", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("blanks")

"""science-literacy frame: a question's benchmark and survey part

Revision ID: 0018_literacy
Revises: 0017_fill
Create Date: 2026-12-07 02:50:00

Two nullable columns: questions outside the frame keep NULL. The index serves the
self-test's draw by benchmark.
"""

from alembic import op
import sqlalchemy as sa


revision = "0018_literacy"
down_revision = "0017_fill"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("questions", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("benchmark", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("literacy_part", sa.String(length=16), nullable=True))
    op.create_index("ix_questions_benchmark", "questions", ["benchmark"])


def downgrade():
    op.drop_index("ix_questions_benchmark", table_name="questions")
    with op.batch_alter_table("questions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("literacy_part")
        batch_op.drop_column("benchmark")

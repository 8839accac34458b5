"""science-literacy self-test: assessments and their items

Revision ID: 0019_assessment
Revises: 0018_literacy
Create Date: 2026-12-07 03:20:00

A self-test is its own pair of tables beside practice sessions: it is marked only when
finished and scored per survey part. The region and age group are snapshots for the
organizers' literacy figures.
"""

from alembic import op
import sqlalchemy as sa


revision = "0019_assessment"
down_revision = "0018_literacy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("age_group", sa.String(length=8), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("knowledge_score", sa.Float(), nullable=True),
        sa.Column("method_score", sa.Float(), nullable=True),
        sa.Column("spirit_score", sa.Float(), nullable=True),
        sa.Column("application_score", sa.Float(), nullable=True),
        sa.Column("band", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessments_user_id", "assessments", ["user_id"])
    op.create_index("ix_assessments_region_code", "assessments", ["region_code"])
    op.create_index("ix_assessments_finished_at", "assessments", ["finished_at"])
    op.create_table(
        "assessment_items",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("benchmark", sa.String(length=3), nullable=False),
        sa.Column("option_order", sa.JSON(), nullable=False),
        sa.Column("choice", sa.JSON(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"]),
        sa.PrimaryKeyConstraint("assessment_id", "no"),
    )
    op.create_index("ix_assessment_items_question_id", "assessment_items", ["question_id"])


def downgrade():
    op.drop_index("ix_assessment_items_question_id", table_name="assessment_items")
    op.drop_table("assessment_items")
    op.drop_index("ix_assessments_finished_at", table_name="assessments")
    op.drop_index("ix_assessments_region_code", table_name="assessments")
    op.drop_index("ix_assessments_user_id", table_name="assessments")
    op.drop_table("assessments")

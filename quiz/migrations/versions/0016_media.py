"""media: pictures of questions and options, stored content-addressed in SQL

Revision ID: 0016_media
Revises: 0010_admin
Create Date: 2026-12-06 23:00:00

A nullable JSON column on questions (existing questions have no pictures) and one table
of blobs keyed by SHA-256.
"""

from alembic import op
import sqlalchemy as sa


revision = "0016_media"
down_revision = "0010_admin"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "media_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    with op.batch_alter_table("questions", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("media", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("questions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("media")
    op.drop_table("media_blobs")

"""question-bank console: uploads kept between preview and confirm, search keys

Revision ID: 0004_banks_console
Revises: 0003_audit
Create Date: 2026-11-28 15:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_banks_console"
down_revision = "0003_audit"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bank_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("fmt", sa.String(length=16), nullable=False),
        sa.Column("bank_slug", sa.String(length=64), nullable=False),
        sa.Column("new_bank", sa.Boolean(), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_mn", sa.String(length=400), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_bank_uploads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_uploads")),
        sa.UniqueConstraint("token", name=op.f("uq_bank_uploads_token")),
    )
    with op.batch_alter_table("bank_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_uploads_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_bank_uploads_expires_at"), ["expires_at"], unique=False
        )
    # recreate="never": a plain ALTER TABLE ... ADD COLUMN (nullable), no table rebuild.
    with op.batch_alter_table("question_texts", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.Text(), nullable=True))
    _fill_search_keys()


def _fill_search_keys():
    """Search keys of the questions stored before this revision (the same function the
    app writes them with: question_bank's fold_key, a plain library)."""
    from question_bank.text import fold_key

    texts = sa.table(
        "question_texts",
        sa.column("question_id", sa.Integer()),
        sa.column("language", sa.String()),
        sa.column("text", sa.Text()),
        sa.column("options", sa.JSON()),
        sa.column("explanation", sa.Text()),
        sa.column("search_key", sa.Text()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            texts.c.question_id,
            texts.c.language,
            texts.c.text,
            texts.c.options,
            texts.c.explanation,
        )
    ).all()
    for row in rows:
        parts = [row.text, *(row.options or {}).values(), row.explanation or ""]
        key = "\n".join(fold_key(part) for part in parts if part)
        bind.execute(
            texts.update()
            .where(texts.c.question_id == row.question_id, texts.c.language == row.language)
            .values(search_key=key)
        )


def downgrade():
    with op.batch_alter_table("question_texts", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("search_key")
    with op.batch_alter_table("bank_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_uploads_expires_at"))
        batch_op.drop_index(batch_op.f("ix_bank_uploads_user_id"))
    op.drop_table("bank_uploads")

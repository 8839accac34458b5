"""schools: teachers, classes, students; forced password change

Revision ID: 0007_schools
Revises: 0006_results
Create Date: 2026-11-28 15:40:00

The one new users column has a server default (false), so existing rows and tools that
insert users with an explicit column list keep working; the users table is altered in
place, never rebuilt.
"""

from alembic import op
import sqlalchemy as sa


revision = "0007_schools"
down_revision = "0006_results"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )

    op.create_table(
        "school_teachers",
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_school_teachers_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_school_teachers_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_school_teachers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "user_id", name=op.f("pk_school_teachers")),
    )
    with op.batch_alter_table("school_teachers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_teachers_user_id"), ["user_id"], unique=False)

    op.create_table(
        "school_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_school_classes_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_classes")),
        sa.UniqueConstraint(
            "school_id",
            "school_year",
            "grade",
            "name",
            name=op.f("uq_school_classes_school_id_school_year_grade_name"),
        ),
    )
    with op.batch_alter_table("school_classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_school_classes_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "school_students",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("student_number", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["school_classes.id"],
            name=op.f("fk_school_students_class_id_school_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_school_students_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_school_students_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_school_students")),
        sa.UniqueConstraint(
            "school_id", "student_number", name=op.f("uq_school_students_school_id_student_number")
        ),
    )
    with op.batch_alter_table("school_students", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_students_class_id"), ["class_id"], unique=False)


def downgrade():
    with op.batch_alter_table("school_students", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_students_class_id"))
    op.drop_table("school_students")
    with op.batch_alter_table("school_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_classes_school_id"))
    op.drop_table("school_classes")
    with op.batch_alter_table("school_teachers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_teachers_user_id"))
    op.drop_table("school_teachers")
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("must_change_password")

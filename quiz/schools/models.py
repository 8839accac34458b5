"""Schools, their teachers, classes and students.

A school belongs to a 旗县 (``region_code``, county level). Teachers are members of a
school (``SchoolTeacher``); classes (``SchoolClass``) have a grade (1-12), a name and a
school year. A student account (a ``User`` with the participant role) is tied to its
school and class by one ``SchoolStudent`` row, which also holds the student number the
school uses: re-importing a class list matches students by (school, student number).

Minors' data: a student account holds only a name, a class, a school and a language
(no phone, no ID number); ``quiz.schools.services.delete_student_data`` anonymises it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model

GRADES = range(1, 13)
PRIMARY_GRADES = range(1, 7)  # 小学 grades 1-6; 中学 7-12


class School(Model):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_mn: Mapped[str] = mapped_column(String(256), default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)

    def name(self, language: str) -> str:
        return self.name_mn if language == "mn" and self.name_mn else self.name_zh


class SchoolTeacher(Model):
    """A teacher's membership of a school: what lets them see its classes and students."""

    __tablename__ = "school_teachers"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(DateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SchoolClass(Model):
    __tablename__ = "school_classes"
    __table_args__ = (UniqueConstraint("school_id", "school_year", "grade", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    grade: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(32))
    # The calendar year the school year starts in (2026 for 2026-2027).
    school_year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class SchoolStudent(Model):
    """One student account of a school: its student number and current class."""

    __tablename__ = "school_students"
    __table_args__ = (UniqueConstraint("school_id", "student_number"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_classes.id", ondelete="CASCADE"), index=True
    )
    student_number: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)

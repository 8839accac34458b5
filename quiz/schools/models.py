"""A school belongs to a 旗县; participants may name theirs at registration."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import db


class School(db.Model):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_mn: Mapped[str] = mapped_column(String(256), default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)

    def name(self, language: str) -> str:
        return self.name_mn if language == "mn" and self.name_mn else self.name_zh

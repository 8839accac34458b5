"""Region reference data: the region a participant lives in decides their default league."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model

LEAGUE_LEVEL = "league"  # 盟市
COUNTY_LEVEL = "county"  # 旗县/市/区


class Region(Model):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_mn: Mapped[str] = mapped_column(String(128))
    # False while the Mongolian name is machine-drafted and awaits a native reviewer.
    mn_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Set when an admin edited the Mongolian name or its review mark in the console: the
    # bundled data (synced on every ``quiz db upgrade``) then leaves those two alone.
    mn_edited_at: Mapped[datetime | None] = mapped_column(DateTime)

    def name(self, language: str) -> str:
        return self.name_mn if language == "mn" and self.name_mn else self.name_zh

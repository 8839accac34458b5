"""SQL storage of question banks, mirroring ``question_bank.model``.

A question keeps one row for its identity and answer key and one row per language for
its wording, so scoring and statistics never depend on the language a person used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.extensions import db


class QuestionBank(db.Model):
    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_mn: Mapped[str] = mapped_column(String(400), default="")
    # Bumped on every change so cached drawing pools know they are out of date.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # The user id of the organizer who created it in the console; None for banks
    # imported from the command line (quiz/banks/console.py: may_edit). No foreign key
    # (migration 0012: SQLite cannot add one in place); accounts are never deleted.
    created_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BankCategory(db.Model):
    __tablename__ = "bank_categories"

    bank_id: Mapped[int] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_mn: Mapped[str] = mapped_column(String(200), default="")


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("bank_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(64))
    difficulty: Mapped[int] = mapped_column(Integer)
    answer: Mapped[list[str]] = mapped_column(JSON)
    option_keys: Mapped[list[str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Pictures: [{"sha256", "mime", "alt", "option"}] where ``option`` is an option key, or
    # None for the stem. A JSON column rather than a table: the quiz page reads it with the
    # item in the same row, and a question has at most a handful.
    media: Mapped[list[dict[str, str | None]] | None] = mapped_column(JSON(none_as_null=True))
    # Retired questions are never drawn again but past attempts keep pointing at them.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reserved for contests: practice and the daily set never draw it (quiz/practice).
    reserved: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Science-literacy frame (question_bank.literacy): the self-test draws by benchmark
    # and scores by part; both None for questions outside it.
    benchmark: Mapped[str | None] = mapped_column(String(3), index=True)
    literacy_part: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    texts: Mapped[list[QuestionText]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="QuestionText.language"
    )

    def text_for(self, language: str) -> QuestionText | None:
        for text in self.texts:
            if text.language == language:
                return text
        return None

    @property
    def languages(self) -> list[str]:
        return [text.language for text in self.texts]


class QuestionText(db.Model):
    __tablename__ = "question_texts"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # {"A": "...", "B": "..."}: keys are the option identities shared by every language.
    options: Mapped[dict[str, str]] = mapped_column(JSON)
    explanation: Mapped[str | None] = mapped_column(Text)
    # Fill-in questions only: per blank, the answers accepted in this language (synonyms),
    # compared with ``question_bank.scoring.fill_key``. None for choice questions.
    blanks: Mapped[list[list[str]] | None] = mapped_column(JSON(none_as_null=True))
    reviewed: Mapped[bool] = mapped_column(Boolean, default=True)
    # fold_key of the text, the options and the explanation, one per line: what the
    # console's search matches, so Mongolian spellings a reader cannot tell apart (FVS,
    # MVS, o/u, t/d) still find each other. Written with the text (``search_key_of``).
    search_key: Mapped[str | None] = mapped_column(Text)


class BankUpload(db.Model):
    """A file uploaded for import, kept between its preview and the organizer's confirm.

    The bytes live in SQL (any app server can answer the confirm), under a random token,
    never under the uploaded name; only the uploader may confirm, before ``expires_at``.
    The row is deleted when the import is confirmed.
    """

    __tablename__ = "bank_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Shown in the preview and used as the questions' default source; never a path.
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # What the organizer chose: the format (or "auto"), the target bank (an existing slug,
    # or a new one with its titles), the category for questions that name none, and the
    # language of single-language formats.
    fmt: Mapped[str] = mapped_column(String(16))
    bank_slug: Mapped[str] = mapped_column(String(64))
    new_bank: Mapped[bool] = mapped_column(Boolean, default=False)
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_mn: Mapped[str] = mapped_column(String(400), default="")
    category: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class MediaBlob(db.Model):
    """A picture, stored once under its SHA-256 (content-addressed).

    The index of every picture; ``data`` holds the bytes in SQL (so every app server can
    serve them without shared disks) or is empty when they are in an S3-compatible
    bucket. Only ``quiz.banks.media_store`` reads or writes ``data``. The bytes are the
    normalised picture (``quiz.banks.pictures``: EXIF removed, resized for phones), so
    the address never changes for the same upload and pages can cache it for a year.
    """

    __tablename__ = "media_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)

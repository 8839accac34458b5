"""Where pictures' bytes are kept: the database by default, an S3-compatible object store
when ``QUIZ_MEDIA_S3_BUCKET`` is set.

Either way a ``media_blobs`` row is the index of a picture (its SHA-256, type, size in
pixels and bytes), so pages and the ``/media`` route learn a picture's type from SQL.
In SQL mode the row also holds the bytes; in S3 mode its ``data`` is empty and the bytes
are the object ``<QUIZ_MEDIA_S3_PREFIX><sha256>`` (AWS S3, MinIO, Ceph or any other
S3-compatible store at ``QUIZ_MEDIA_S3_ENDPOINT``; credentials from the standard AWS
environment variables or boto3's chain). Addresses are content hashes, so writing the
same object twice writes the same bytes: a put is idempotent, and a transaction rolled
back after the put leaves at most an unreferenced object, never a row without bytes.

This module is the only place that reads or writes ``MediaBlob.data``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select

from quiz.banks.models import MediaBlob
from quiz.banks.pictures import Picture
from quiz.extensions import db
from quiz.sql import insert_ignore

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Stored:
    """A stored picture as the ``/media`` route sends it: its type, length in bytes and
    its bytes (an iterator, so an object-store body streams through)."""

    mime: str
    size: int
    chunks: Iterable[bytes]

    def close(self) -> None:
        """Give back an unsent body's connection (Werkzeug closes a sent one)."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


class _Body:
    """An S3 object's body as a response iterable: read in chunks, closed by Werkzeug
    when the response ends (its connection goes back to boto3's pool)."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        return self.body.iter_chunks(CHUNK)

    def close(self) -> None:
        self.body.close()


class MediaStore(Protocol):
    def put(self, picture: Picture, now: datetime) -> None:
        """Keep a normalised picture under its SHA-256 (once; again is a no-op)."""

    def get(self, sha256: str) -> bytes | None:
        """The bytes stored under ``sha256``, or None."""

    def open(self, sha256: str) -> Stored | None:
        """The picture under ``sha256`` for sending, or None."""


def _index(picture: Picture, now: datetime, data: bytes) -> None:
    db.session.execute(
        insert_ignore(MediaBlob, ["sha256"]).values(
            sha256=picture.sha256,
            mime=picture.mime,
            width=picture.width,
            height=picture.height,
            size=len(picture.data),
            data=data,
            created_at=now,
        )
    )


class SqlStore:
    """The bytes in the ``media_blobs`` row: every app server reads them from SQL."""

    def put(self, picture: Picture, now: datetime) -> None:
        _index(picture, now, picture.data)

    def get(self, sha256: str) -> bytes | None:
        return db.session.scalar(select(MediaBlob.data).where(MediaBlob.sha256 == sha256))

    def open(self, sha256: str) -> Stored | None:
        row = db.session.execute(
            select(MediaBlob.mime, MediaBlob.data).where(MediaBlob.sha256 == sha256)
        ).first()
        if row is None:
            return None
        return Stored(mime=row.mime, size=len(row.data), chunks=(row.data,))


class S3Store:
    """The bytes in an S3-compatible bucket, the row in SQL as the index. Pictures stored
    in SQL before the bucket was configured are still read from their row."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256}"

    def put(self, picture: Picture, now: datetime) -> None:
        # The object first: a row is never visible before its bytes are.
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.key(picture.sha256),
            Body=picture.data,
            ContentType=picture.mime,
            CacheControl="public, max-age=31536000, immutable",
        )
        _index(picture, now, b"")

    def _object(self, sha256: str) -> dict[str, Any] | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except self.client.exceptions.NoSuchKey:
            return None

    def get(self, sha256: str) -> bytes | None:
        found = self._object(sha256)
        if found is not None:
            return found["Body"].read()
        return SqlStore().get(sha256) or None  # stored before the bucket was set

    def open(self, sha256: str) -> Stored | None:
        row = db.session.execute(
            select(MediaBlob.mime, MediaBlob.data).where(MediaBlob.sha256 == sha256)
        ).first()
        if row is None:
            return None
        if row.data:  # stored in SQL before the bucket was set
            return Stored(mime=row.mime, size=len(row.data), chunks=(row.data,))
        mime = row.mime
        found = self._object(sha256)
        if found is None:
            return None
        return Stored(mime=mime, size=int(found["ContentLength"]), chunks=_Body(found["Body"]))


_lock = threading.Lock()


def media_store() -> MediaStore:
    """This app's store, made once per app (a boto3 client is thread-safe once made,
    making one is not)."""
    store = current_app.extensions.get("quiz_media_store")
    if store is not None:
        return store
    with _lock:
        store = current_app.extensions.get("quiz_media_store")
        if store is None:
            store = _make(current_app.config)
            current_app.extensions["quiz_media_store"] = store
    return store


def _make(config: Any) -> MediaStore:
    bucket = config.get("QUIZ_MEDIA_S3_BUCKET")
    if not bucket:
        return SqlStore()
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=config.get("QUIZ_MEDIA_S3_ENDPOINT") or None,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
    )
    return S3Store(client, bucket, config.get("QUIZ_MEDIA_S3_PREFIX") or "")


def store_bytes(picture: Picture, now: datetime) -> None:
    media_store().put(picture, now)


def read_bytes(addresses: set[str]) -> dict[str, bytes]:
    """The stored bytes of the pictures at ``addresses`` that exist (for exports)."""
    if not addresses:
        return {}
    store = media_store()
    if isinstance(store, SqlStore):  # one query for all
        rows = db.session.execute(
            select(MediaBlob.sha256, MediaBlob.data).where(MediaBlob.sha256.in_(addresses))
        )
        return {sha256: data for sha256, data in rows}
    known = db.session.scalars(select(MediaBlob.sha256).where(MediaBlob.sha256.in_(addresses)))
    found = {sha256: store.get(sha256) for sha256 in known.all()}
    return {sha256: data for sha256, data in found.items() if data is not None}

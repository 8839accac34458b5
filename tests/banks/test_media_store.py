"""Where pictures' bytes live (issue 12 item 4): in SQL by default, in an S3-compatible
object store when QUIZ_MEDIA_S3_BUCKET is set. The S3 tests talk HTTP to a real
S3-compatible server (moto's) on 127.0.0.1, started here."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from quiz.banks.exporting import bank_from_sql
from quiz.banks.media_store import S3Store, SqlStore, media_store, read_bytes
from quiz.banks.models import MediaBlob
from quiz.banks.models import Question as QuestionRow
from quiz.banks.pictures import normalise
from quiz.banks.services import import_bank
from quiz.config import ConfigError, load_config
from quiz.extensions import db
from tests.banks.test_pictures import bank_with_pictures, picture

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "quiz-test",
    "AWS_SECRET_ACCESS_KEY": "quiz-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A new bucket on the server, and the AWS variables boto3's chain reads."""
    _no_aws_files(monkeypatch, tmp_path)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"quiz-{uuid.uuid4().hex[:12]}"
    _client(s3_server).create_bucket(Bucket=bucket)
    return bucket


def _no_aws_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _client(endpoint: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
    ).client("s3", endpoint_url=endpoint)


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Tests marked ``s3`` get an app storing pictures in a fresh bucket."""
    if request.node.get_closest_marker("s3") is None:
        return {}
    return {
        "QUIZ_MEDIA_S3_BUCKET": request.getfixturevalue("s3_bucket"),
        "QUIZ_MEDIA_S3_ENDPOINT": request.getfixturevalue("s3_server"),
        "QUIZ_MEDIA_S3_PREFIX": "pictures/",
    }


def _objects(app) -> dict[str, bytes]:
    client = _client(app.config["QUIZ_MEDIA_S3_ENDPOINT"])
    bucket = app.config["QUIZ_MEDIA_S3_BUCKET"]
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


# --- SQL (the default) -------------------------------------------------------------


def test_without_a_bucket_the_bytes_are_in_sql(app, clock) -> None:
    store = media_store()
    assert isinstance(store, SqlStore)
    stored = normalise(picture("PNG"))
    store.put(stored, clock())
    store.put(stored, clock())  # again: nothing changes
    row = db.session.get(MediaBlob, stored.sha256)
    assert row.data == stored.data and row.size == len(stored.data) and row.mime == "image/png"
    assert db.session.query(MediaBlob).count() == 1
    assert store.get(stored.sha256) == stored.data
    assert store.get("0" * 64) is None
    assert read_bytes({stored.sha256, "0" * 64}) == {stored.sha256: stored.data}


# --- S3-compatible store ---------------------------------------------------------


@pytest.mark.s3
def test_put_and_get_round_trip_through_the_bucket(app, clock) -> None:
    store = media_store()
    assert isinstance(store, S3Store) and store.prefix == "pictures/"
    stored = normalise(picture("JPEG", (50, 20)))
    store.put(stored, clock())
    assert store.get(stored.sha256) == stored.data
    assert store.get("0" * 64) is None
    assert _objects(app) == {f"pictures/{stored.sha256}": stored.data}
    row = db.session.get(MediaBlob, stored.sha256)  # the index row, without the bytes
    assert row.data == b"" and row.size == len(stored.data)
    assert (row.mime, row.width, row.height) == ("image/jpeg", 50, 20)


@pytest.mark.s3
def test_putting_the_same_picture_again_changes_nothing(app, clock) -> None:
    store = media_store()
    stored = normalise(picture("PNG"))
    store.put(stored, clock())
    first = _objects(app)
    store.put(normalise(picture("PNG")), clock.advance(minutes=1))
    assert _objects(app) == first and len(first) == 1
    assert db.session.query(MediaBlob).count() == 1
    assert db.session.get(MediaBlob, stored.sha256).created_at < clock()


@pytest.mark.s3
def test_an_import_stores_the_pictures_in_the_bucket_not_in_sql(app, clock) -> None:
    bank = bank_with_pictures(picture("PNG", (2000, 1000)), picture("GIF"))
    import_bank(bank, clock())
    rows = db.session.query(MediaBlob).all()
    assert len(rows) == 2 and all(row.data == b"" and row.size > 0 for row in rows)
    objects = _objects(app)
    assert sorted(objects) == sorted(f"pictures/{row.sha256}" for row in rows)
    for key, data in objects.items():  # content-addressed: the key is the bytes' hash
        assert key == f"pictures/{hashlib.sha256(data).hexdigest()}"
    # The export reads the bytes back from the bucket (SQL has none to give).
    question = bank_from_sql("pictures").questions[0]
    exported = [question.media[0].data, question.option_media["C"][0].data]
    assert [hashlib.sha256(d).hexdigest() for d in exported] == [
        e["sha256"]
        for e in db.session.query(QuestionRow).filter(QuestionRow.media.isnot(None)).one().media
    ]
    assert Image.open(io.BytesIO(exported[0])).size == (1280, 640)


@pytest.mark.s3
def test_the_media_route_streams_from_the_bucket_with_the_same_headers(app, client, clock):
    import_bank(bank_with_pictures(picture("PNG"), picture("GIF")), clock())
    entry = db.session.query(QuestionRow).filter(QuestionRow.media.isnot(None)).one().media[0]
    sha256 = entry["sha256"]
    response = client.get(f"/media/{sha256}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.is_streamed
    assert response.content_length == len(response.data)
    assert hashlib.sha256(response.data).hexdigest() == sha256
    assert Image.open(io.BytesIO(response.data)).size == (40, 30)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["ETag"] == f'"{sha256}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    again = client.get(f"/media/{sha256}.png", headers={"If-None-Match": f'"{sha256}"'})
    assert again.status_code == 304 and not again.data
    for wrong in (f"{sha256}.gif", f"{'0' * 64}.png", f"{sha256[:10]}.png"):
        assert client.get(f"/media/{wrong}").status_code == 404, wrong
    # An index row whose object is gone (a bucket emptied by hand) is a 404, not a 500.
    _client(app.config["QUIZ_MEDIA_S3_ENDPOINT"]).delete_object(
        Bucket=app.config["QUIZ_MEDIA_S3_BUCKET"], Key=f"pictures/{sha256}"
    )
    assert client.get(f"/media/{sha256}.png").status_code == 404


@pytest.mark.s3
def test_pictures_stored_in_sql_before_the_bucket_are_still_served(app, client, clock):
    stored = normalise(picture("GIF"))
    SqlStore().put(stored, clock())  # an installation that set the bucket later
    assert _objects(app) == {}
    response = client.get(f"/media/{stored.sha256}.gif")
    assert response.status_code == 200 and response.data == stored.data
    assert media_store().get(stored.sha256) == stored.data
    assert read_bytes({stored.sha256}) == {stored.sha256: stored.data}


# --- Settings ----------------------------------------------------------------------


def _load(tmp_path: Path, **settings: str) -> dict[str, Any]:
    return load_config(str(tmp_path), {"QUIZ_ENV": "testing", "SECRET_KEY": "x", **settings})


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"QUIZ_MEDIA_S3_ENDPOINT": "http://127.0.0.1:9000"}, "QUIZ_MEDIA_S3_ENDPOINT"),
        ({"QUIZ_MEDIA_S3_PREFIX": "quiz/"}, "QUIZ_MEDIA_S3_PREFIX"),
        ({"QUIZ_MEDIA_S3_BUCKET": "b", "QUIZ_MEDIA_S3_ENDPOINT": "minio:9000"}, "ENDPOINT"),
        ({"QUIZ_MEDIA_S3_BUCKET": "b", "QUIZ_MEDIA_S3_PREFIX": "/media/"}, "PREFIX"),
    ],
)
def test_a_half_configured_bucket_stops_the_start(tmp_path, settings, named) -> None:
    with pytest.raises(ConfigError, match=named) as refused:
        _load(tmp_path, **settings)
    assert "QUIZ_MEDIA_S3_" in str(refused.value)


def test_a_bucket_without_credentials_stops_the_start(tmp_path, monkeypatch) -> None:
    _no_aws_files(monkeypatch, tmp_path)
    with pytest.raises(ConfigError, match=r"QUIZ_MEDIA_S3_BUCKET.*AWS_ACCESS_KEY_ID"):
        _load(tmp_path, QUIZ_MEDIA_S3_BUCKET="b")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "only-half")
    with pytest.raises(ConfigError, match="QUIZ_MEDIA_S3_BUCKET"):
        _load(tmp_path, QUIZ_MEDIA_S3_BUCKET="b")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "and-the-other")
    config = _load(tmp_path, QUIZ_MEDIA_S3_BUCKET="b")
    assert (config["QUIZ_MEDIA_S3_BUCKET"], config["QUIZ_MEDIA_S3_PREFIX"]) == ("b", "media/")
    assert _load(tmp_path)["QUIZ_MEDIA_S3_BUCKET"] is None  # unset: SQL


def test_only_the_store_touches_the_stored_bytes() -> None:
    """One way to read and write pictures' bytes: quiz/banks/media_store.py."""
    root = Path(__file__).resolve().parents[2] / "quiz"
    users = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "MediaBlob" in path.read_text(encoding="utf-8") and "migrations" not in path.parts
    }
    assert users == {"banks/models.py", "banks/media_store.py"}

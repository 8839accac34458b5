"""Pictures of questions and options (issue 12 item 4): stored once by content, EXIF
removed, resized for phones, served with long-lived caching, shown on the quiz page, in
the API, the review and the round preview, and carried by exports."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
import yaml
from PIL import Image
from sqlalchemy import select

from question_bank import Media
from question_bank.formats import read_bank, write_bank
from quiz.accounts.models import Role
from quiz.audit.models import AuditEvent
from quiz.banks.exporting import bank_from_sql
from quiz.banks.models import MediaBlob
from quiz.banks.models import Question as QuestionRow
from quiz.banks.models import QuestionBank as QuestionBankRow
from quiz.banks.pictures import MAX_SIDE, PictureError, normalise
from quiz.banks.services import import_bank
from quiz.extensions import db
from tests.factories import PASSWORD, log_in, sample_bank


def picture(fmt: str = "PNG", size: tuple[int, int] = (40, 30), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    for x in range(size[0] // 2):  # left half blue: orientation can be checked
        for y in range(size[1]):
            image.putpixel((x, y), (40, 40, 200))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "CameraMaker"  # Make
        data[0x0112] = 6  # Orientation: rotate 90° clockwise to view
        data[0x8825] = {2: (41.0, 24.0, 0.0)}  # GPSLatitude
        image.save(out, fmt, exif=data.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def test_exif_is_removed_and_the_photo_turned_upright() -> None:
    raw = picture("JPEG", (60, 20), exif=True)
    assert Image.open(io.BytesIO(raw)).getexif()  # the upload has camera and GPS data
    stored = normalise(raw, "photo.jpg")
    image = Image.open(io.BytesIO(stored.data))
    assert not image.getexif() and "exif" not in image.info
    assert b"CameraMaker" not in stored.data
    # Orientation 6 applied: the 60x20 sensor image is shown 20x60.
    assert (stored.width, stored.height) == image.size == (20, 60)
    assert stored.mime == "image/jpeg"


def test_large_pictures_are_resized_for_phones_and_keep_their_shape() -> None:
    stored = normalise(picture("PNG", (3000, 1000)))
    assert (stored.width, stored.height) == (MAX_SIDE, 427)
    small = normalise(picture("PNG", (40, 30)))
    assert (small.width, small.height) == (40, 30)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_each_format_keeps_its_type_and_one_upload_one_address(fmt: str) -> None:
    raw = picture(fmt)
    first, second = normalise(raw), normalise(raw)
    assert first.mime == f"image/{fmt.lower()}"
    assert first.sha256 == second.sha256 and len(first.sha256) == 64


def test_animated_gif_keeps_its_frames() -> None:
    frames = [Image.new("RGB", (20, 20), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    stored = normalise(out.getvalue())
    assert Image.open(io.BytesIO(stored.data)).n_frames == 3


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # a PNG signature and nothing of a picture
        b"GIF89a" + b"\xff" * 10,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"",
    ],
)
def test_a_file_that_only_looks_like_a_picture_is_refused(data: bytes) -> None:
    with pytest.raises(PictureError) as refused:
        normalise(data, "sun.png")
    assert "sun.png" in str(refused.value)


def test_a_decompression_bomb_is_refused() -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # small file, 64 million pixels
    assert len(out.getvalue()) < 2 * 1024 * 1024
    with pytest.raises(PictureError) as refused:
        normalise(out.getvalue(), "bomb.png")
    assert "bomb.png" in str(refused.value)


def bank_with_pictures(stem: bytes, option: bytes) -> object:
    bank = sample_bank(per_cell=1, bank_id="pictures")
    first = bank.questions[0]  # a multiple-choice question with options A-D
    assert first.option_keys == ("A", "B", "C", "D")
    pictured = replace(
        first,
        media=(Media(data=stem, mime="image/png", alt="太阳能电池板"),),
        option_media={"C": (Media(data=option, mime="image/png", alt="电池"),)},
    )
    return replace(bank, questions=(pictured, *bank.questions[1:]))


def test_import_stores_each_picture_once_and_export_carries_them(app, clock) -> None:
    stem = picture("PNG", (2000, 1000))
    bank = bank_with_pictures(stem, stem)  # the same picture twice: stored once
    import_bank(bank, clock())
    assert db.session.query(MediaBlob).count() == 1
    row = db.session.query(QuestionRow).filter_by(external_id=bank.questions[0].id).one()
    assert [(e["option"], e["alt"], e["width"]) for e in row.media] == [
        (None, "太阳能电池板", MAX_SIDE),
        ("C", "电池", MAX_SIDE),
    ]
    exported = bank_from_sql("pictures")
    question = next(q for q in exported.questions if q.id == row.external_id)
    assert question.media[0].alt == "太阳能电池板" and question.option_media["C"][0].data
    # YAML carries the stored picture; importing it again finds the same address.
    data = write_bank(exported, "yaml")
    again = read_bank(data, "bank.yaml", "auto").raise_for_problems()
    assert again.questions[0].media[0].data == question.media[0].data
    assert yaml.safe_load(data)  # still a plain YAML document


def test_a_broken_picture_stops_the_import_with_its_place(runner, tmp_path) -> None:
    bank = bank_with_pictures(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, picture())
    path = tmp_path / "bank.yaml"
    path.write_bytes(write_bank(bank, "yaml"))
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code != 0
    assert "bank.yaml:" in result.output and "PNG" in result.output
    assert db.session.query(QuestionRow).count() == 0
    assert db.session.query(MediaBlob).count() == 0


def _stored_picture(clock) -> tuple[QuestionRow, str]:
    import_bank(bank_with_pictures(picture("PNG"), picture("GIF")), clock())
    row = db.session.query(QuestionRow).filter(QuestionRow.media.isnot(None)).one()
    return row, row.media[0]["sha256"]


def test_pictures_are_served_by_address_with_long_caching(app, client, clock) -> None:
    _, sha256 = _stored_picture(clock)
    response = client.get(f"/media/{sha256}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (40, 30)
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(f"/media/{sha256}.png", headers={"If-None-Match": f'"{sha256}"'})
    assert again.status_code == 304 and not again.data
    for wrong in (f"{sha256}.gif", f"{'0' * 64}.png", "../etc/passwd", f"{sha256[:10]}.png"):
        assert client.get(f"/media/{wrong}").status_code == 404, wrong


def _quiz_with_pictures(make, clock, organizer=None):
    bank_row = import_bank(bank_with_pictures(picture("PNG"), picture("GIF")), clock())[0]
    contest = make.contest(organizer=organizer)
    first = [{"count": 1, "category": "life-health", "difficulty": 1}]
    round_ = make.round(contest, bank_row, draw_rule=first, languages=["zh"])
    return round_, make.enrolled(contest)


def _token(app, user) -> str:
    response = app.test_client().post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    )
    return response.json["token"]


def test_the_quiz_page_the_api_and_the_review_show_the_pictures(app, client, make, clock):
    round_, user = _quiz_with_pictures(make, clock)
    token = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "zh"}
    )
    assert response.status_code == 201, response.json
    question = response.json["questions"][0]
    assert [m["alt"] for m in question["media"]] == ["太阳能电池板"]
    assert question["media"][0]["url"].startswith("/media/")
    # The option's picture goes with its option wherever the shuffle put it.
    pictured = [o for o in question["options"] if o["media"]]
    assert len(pictured) == 1 and pictured[0]["media"][0]["url"].endswith(".gif")
    assert pictured[0]["text"].startswith("选项C")
    for entry in (*question["media"], *pictured[0]["media"]):
        assert client.get(entry["url"]).status_code == 200
    # The quiz page shows the same pictures, with their alternative text.
    log_in(client, user)
    page = client.get(f"/attempts/{response.json['id']}/q/1").get_data(as_text=True)
    assert question["media"][0]["url"] in page and 'alt="太阳能电池板"' in page
    assert pictured[0]["media"][0]["url"] in page


def test_the_round_preview_shows_the_pictures(app, client, make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    round_, _ = _quiz_with_pictures(make, clock, organizer)
    log_in(client, organizer)
    page = client.get(f"/console/rounds/{round_.id}/preview?seed=7").get_data(as_text=True)
    assert 'alt="太阳能电池板"' in page and 'alt="电池"' in page


def _edit_page(bank_row, question_row) -> str:
    return f"/console/banks/{bank_row.id}/questions/{question_row.id}"


def test_the_question_editor_adds_and_removes_pictures(app, make, clock):
    from tests.banks.console_helpers import organizer_client, own_banks

    bank_row = import_bank(sample_bank(1, bank_id="editor"), clock())[0]
    row = db.session.query(QuestionRow).filter_by(external_id="q-001").one()
    browser = organizer_client(app, make)
    own_banks(browser)  # an organizer changes only banks they own or their contests use
    url = _edit_page(bank_row, row)
    photo = picture("JPEG", (2400, 1200), exif=True)
    response = browser.post(
        f"{url}/pictures",
        data={"file": (io.BytesIO(photo), "circuit.jpg"), "option": "C", "alt": "电路"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.location.endswith("#pictures")
    db.session.expire_all()
    [entry] = db.session.get(QuestionRow, row.id).media
    assert entry["option"] == "C" and entry["alt"] == "电路" and entry["mime"] == "image/jpeg"
    stored = db.session.get(MediaBlob, entry["sha256"])
    assert b"CameraMaker" not in stored.data and max(stored.width, stored.height) == MAX_SIDE
    page = browser.get(url).get_data(as_text=True)
    assert f"/media/{entry['sha256']}.jpg" in page and 'alt="电路"' in page
    # Bad pictures: refused with a message, nothing stored.
    for data, name in ((b"<svg/>", "a.svg"), (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "b.png")):
        browser.post(
            f"{url}/pictures",
            data={"file": (io.BytesIO(data), name), "option": ""},
            content_type="multipart/form-data",
        )
        db.session.expire_all()
        assert len(db.session.get(QuestionRow, row.id).media) == 1
        assert name in browser.get(url).get_data(as_text=True)
    # An option the question does not have is refused.
    browser.post(
        f"{url}/pictures",
        data={"file": (io.BytesIO(picture()), "x.png"), "option": "Z"},
        content_type="multipart/form-data",
    )
    db.session.expire_all()
    assert len(db.session.get(QuestionRow, row.id).media) == 1
    # Removing: CSRF-checked, audited, the question has no picture left.
    assert browser.post(f"{url}/pictures/0/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(QuestionRow, row.id).media is None
    actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert actions.count("question.picture_add") == 1
    assert actions.count("question.picture_remove") == 1
    assert browser.post(f"{url}/pictures/5/delete").status_code == 404


def test_pictures_of_a_question_in_use_are_frozen(app, make, clock):
    from tests.banks.console_helpers import organizer_client

    round_, user = _quiz_with_pictures(make, clock)
    token = _token(app, user)
    app.test_client().post(
        f"/api/v1/rounds/{round_.id}/attempts",
        headers={"Authorization": f"Bearer {token}"},
        json={"language": "zh"},
    )
    row = db.session.query(QuestionRow).filter(QuestionRow.media.isnot(None)).one()
    bank_row = db.session.get(QuestionBankRow, row.bank_id)
    browser = organizer_client(app, make)
    url = _edit_page(bank_row, row)
    page = browser.get(url).get_data(as_text=True)
    assert 'action="' + url + '/pictures"' not in page  # no add form, no remove buttons
    assert url + "/pictures/0/delete" not in page
    browser.post(f"{url}/pictures/0/delete")
    browser.post(
        f"{url}/pictures",
        data={"file": (io.BytesIO(picture()), "x.png"), "option": ""},
        content_type="multipart/form-data",
    )
    db.session.expire_all()
    assert len(db.session.get(QuestionRow, row.id).media) == 2  # unchanged


@pytest.mark.parametrize("role", [None, "participant", "teacher"])
def test_only_organizers_edit_pictures(app, client, make, clock, role):
    bank_row = import_bank(sample_bank(1, bank_id="roles"), clock())[0]
    row = db.session.query(QuestionRow).filter_by(external_id="q-001").one()
    if role is not None:
        user = make.user(f"r{role}", roles=(Role(role),))
        log_in(client, user)
    url = _edit_page(bank_row, row)
    response = client.post(
        f"{url}/pictures",
        data={"file": (io.BytesIO(picture()), "x.png"), "option": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 403) and "/login" in (response.location or "/login")
    assert client.post(f"{url}/pictures/0/delete").status_code in (302, 400, 403)
    db.session.expire_all()
    assert db.session.get(QuestionRow, row.id).media is None

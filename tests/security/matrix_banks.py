"""Access rows of the question-bank console (``/console/banks``).

Banks are shared by all organizers: both organizers and admins get in, participants and
teachers get 403, anonymous visitors the login page. An upload waiting for its confirm
belongs to the one who uploaded it (the organizer): anyone else gets 404 for it, admins
included.
"""

from __future__ import annotations

from typing import Any

from tests.security.matrix import LOGIN, ORGANIZERS, Case

ORGANIZERS_422: tuple = (LOGIN, 403, 403, 422, 422, 422)
ORGANIZERS_302: tuple = (LOGIN, 403, 403, 302, 302, 302)
# Changing a bank: its owner (the organizer) and admins, not another organizer.
OWNER_200: tuple = (LOGIN, 403, 403, 403, 200, 200)
OWNER_422: tuple = (LOGIN, 403, 403, 403, 422, 422)
OWNER_302: tuple = (LOGIN, 403, 403, 403, 302, 302)
UPLOADER_ONLY_200: tuple = (LOGIN, 403, 403, 404, 200, 404)
UPLOADER_ONLY_302: tuple = (LOGIN, 403, 403, 404, 302, 404)

ROWS: dict[str, list[Case]] = {
    "banks.index": [Case("GET", "/console/banks", ORGANIZERS)],
    "banks.create": [
        Case("GET", "/console/banks/new", ORGANIZERS),
        # No id and no title: the form again with its errors, nothing created.
        Case("POST", "/console/banks/new", ORGANIZERS_422),
    ],
    "banks.bank": [
        Case("GET", "/console/banks/{BANK}", ORGANIZERS),
        Case("GET", "/console/banks/{BANK}?q=x&coverage=has-mn&page=2", ORGANIZERS),
    ],
    "banks.export": [
        Case("GET", "/console/banks/{BANK}/export?format=yaml", ORGANIZERS),
        Case("GET", "/console/banks/{BANK}/export?format=gift&language=mn", ORGANIZERS),
    ],
    "banks.template": [Case("GET", "/console/banks/template/mn", ORGANIZERS)],
    "banks.upload": [
        Case("GET", "/console/banks/import", ORGANIZERS),
        # No file: the form again with its errors.
        Case("POST", "/console/banks/import", ORGANIZERS_422),
    ],
    "banks.preview": [Case("GET", "/console/banks/import/{UPLOAD_TOKEN}", UPLOADER_ONLY_200)],
    "banks.confirm": [
        Case("POST", "/console/banks/import/{UPLOAD_TOKEN}/confirm", UPLOADER_ONLY_302)
    ],
    "banks.edit_question": [
        Case("GET", "/console/banks/{BANK}/questions/{BANK_QUESTION}", OWNER_200),
        # An empty form: refused with the page again, nothing saved.
        Case("POST", "/console/banks/{BANK}/questions/{BANK_QUESTION}", OWNER_422),
    ],
    "banks.retire": [
        Case("POST", "/console/banks/{BANK}/questions/{BANK_QUESTION}/retire", OWNER_302)
    ],
    "banks.unretire": [
        Case("POST", "/console/banks/{BANK}/questions/{BANK_QUESTION}/unretire", OWNER_302)
    ],
    # A question's pictures (an empty form: the owner is sent back with a message; the
    # question has no picture 0 to remove).
    "banks.add_picture": [
        Case("POST", "/console/banks/{BANK}/questions/{BANK_QUESTION}/pictures", OWNER_302)
    ],
    "banks.remove_picture": [
        Case(
            "POST",
            "/console/banks/{BANK}/questions/{BANK_QUESTION}/pictures/0/delete",
            (LOGIN, 403, 403, 403, 404, 404),
        )
    ],
    # Pictures by content address: public like static files (an unknown address: 404).
    "media.picture": [Case("GET", "/media/" + "0" * 64 + ".png", (404,) * 6)],
}


def extend(scenario: Any, make: Any, clock: Any) -> None:
    """A bank of the console's own, and an upload of the organizer's waiting to be
    confirmed (paths name them {BANK}, {BANK_QUESTION} and {UPLOAD_TOKEN})."""
    from sqlalchemy import select

    from quiz.banks import console
    from quiz.banks.models import Question
    from quiz.extensions import db

    bank = make.bank(per_cell=1, bank_id="matrix-bank")
    bank.created_by_id = scenario.users["organizer"].id  # the organizer's own bank
    question = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
    ).first()
    upload = console.store_upload(
        user_id=scenario.users["organizer"].id,
        data="新题？{T}\n".encode(),
        filename="matrix.gift",
        choice=console.UploadChoice(bank_slug="matrix-bank"),
        now=clock(),
        max_bytes=1 << 20,
    )
    scenario.ids["BANK"] = bank.id
    scenario.ids["BANK_QUESTION"] = question.id
    # A string among the ids: only ever formatted into paths.
    scenario.ids["UPLOAD_TOKEN"] = upload.token  # type: ignore[assignment]

"""Adding and removing a question's pictures in the console's question editor.

The same checks as an import (``question_bank.media.checked_media`` for type and size,
``quiz.banks.pictures.normalise`` for the body) and the same storage
(``quiz.banks.services.store_picture``). Once a question has been drawn into an attempt
its pictures are frozen like its options: a picture can carry what the question asks
(a circuit, a sign), and those who already answered must have seen the same one.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from question_bank.media import checked_media
from quiz.audit.services import record
from quiz.banks.console import used_questions
from quiz.banks.models import Question, QuestionBank
from quiz.banks.pictures import PictureError, normalise
from quiz.banks.services import store_picture
from quiz.edge.client import Actor
from quiz.errors import Conflict, NotFound, ValidationFailed
from quiz.extensions import db

MAX_PICTURES = 8
ALT_MAX = 200


def _frozen(question: Question) -> None:
    if used_questions([question.id]):
        raise Conflict(
            _l(
                "This question already appears in attempts: its pictures cannot change. "
                "Retire it and import a new question instead."
            ),
            code="question_in_use",
        )


def _record_picture_change(
    question: Question, action: str, entry: dict, actor: Actor, now: datetime
) -> None:
    bank = db.session.get(QuestionBank, question.bank_id)
    assert bank is not None
    bank.revision += 1  # drawing pools and prepared payloads are rebuilt
    question.updated_at = now
    record(
        actor,
        action=action,
        object_type="question",
        object_id=question.id,
        now=now,
        after={
            "picture": entry["sha256"],
            "option": entry["option"],
            "alt": entry["alt"],
        },
    )


def add_picture(
    question: Question,
    data: bytes,
    name: str,
    *,
    option: str | None,
    alt: str,
    actor: Actor,
    now: datetime,
) -> dict:
    """Add a picture to the question (``option`` None) or to one of its options."""
    _frozen(question)
    if option is not None and option not in question.option_keys:
        raise ValidationFailed({"option": [_l("Choose the question or one of its options.")]})
    if len(question.media or ()) >= MAX_PICTURES:
        raise ValidationFailed(
            {"file": [_l("A question may have at most %(n)d pictures.", n=MAX_PICTURES)]}
        )
    alt = alt.strip()[:ALT_MAX]
    checked = checked_media(data, name, alt)
    if isinstance(checked, tuple):
        message, params = checked
        raise ValidationFailed({"file": [gettext(message) % params]})
    try:
        picture = normalise(data, name)
    except PictureError as error:
        raise ValidationFailed({"file": [gettext(error.message) % error.params]}) from None
    entry = store_picture(picture, alt, option, now)
    question.media = [*(question.media or []), entry]
    _record_picture_change(question, "question.picture_add", entry, actor, now)
    db.session.flush()
    return entry


def remove_picture(question: Question, index: int, *, actor: Actor, now: datetime) -> None:
    """Remove the question's ``index``-th picture (its bytes stay: other questions or
    past exports may share the address)."""
    _frozen(question)
    entries = list(question.media or [])
    if not 0 <= index < len(entries):
        raise NotFound(_l("No such picture."))
    entry = entries.pop(index)
    question.media = entries or None
    _record_picture_change(question, "question.picture_remove", entry, actor, now)
    db.session.flush()

"""Forms of the question-bank console (Flask-WTF: each carries a CSRF token).

The forms only parse; the rules (ids, option sets, answer keys, frozen keys) live in
``quiz.banks.console`` so the page and any later API check the same things.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from question_bank import OPTION_KEYS
from quiz.forms import FlaskForm

NEW_BANK = "__new__"
MONGOLIAN_INPUT = {"lang": "mn-Mong-CN", "dir": "ltr"}
LANGUAGE_CHOICES = [
    SelectChoice("zh", "中文"),
    SelectChoice("mn", "\u182e\u1823\u1829\u182d\u1823\u182f"),
]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multi-select (a select's drop-down stays horizontal in a
    vertical Mongolian page, and is awkward on phones)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])
    fmt = SelectField(_l("Format"), default="auto", validate_choice=False)
    bank = RadioField(_l("Import into"), default=NEW_BANK, validate_choice=False)
    new_slug = StringField(_l("New bank id"), validators=[Optional(), Length(max=64)])
    title_zh = StringField(_l("Chinese title"), validators=[Optional(), Length(max=200)])
    title_mn = StringField(
        _l("Mongolian title"),
        validators=[Optional(), Length(max=400)],
        render_kw=MONGOLIAN_INPUT,
    )
    category = StringField(
        _l("Category for questions that name none"), validators=[Optional(), Length(max=100)]
    )
    language = RadioField(
        _l("Language of single-language files"), choices=LANGUAGE_CHOICES, default="zh"
    )


class ConfirmForm(FlaskForm):
    digest = HiddenField()


class CreateBankForm(FlaskForm):
    slug = StringField(_l("Bank id"), validators=[DataRequired(), Length(max=64)])
    title_zh = StringField(_l("Chinese title"), validators=[DataRequired(), Length(max=200)])
    title_mn = StringField(
        _l("Mongolian title"),
        validators=[Optional(), Length(max=400)],
        render_kw=MONGOLIAN_INPUT,
    )


class PictureForm(FlaskForm):
    """A picture for the question or one of its options (choices set per question)."""

    file = FileField(
        _l("Picture"),
        validators=[FileRequired(_l("Choose a file."))],
        render_kw={"accept": "image/png,image/jpeg,image/gif,image/webp"},
    )
    option = SelectField(_l("Belongs to"), default="", validate_choice=False)
    alt = StringField(
        _l("Alternative text (what the picture shows, for screen readers)"),
        validators=[Optional(), Length(max=200)],
    )


def _version_fields(language: str) -> dict[str, Field]:
    fields: dict[str, Field] = {
        f"{language}_text": TextAreaField(_l("Question text")),
        f"{language}_explanation": TextAreaField(_l("Explanation")),
        f"{language}_reviewed": BooleanField(_l("Reviewed")),
    }
    for key in OPTION_KEYS:
        fields[f"{language}_option_{key}"] = TextAreaField(_l("Option %(key)s", key=key))
    return fields


class QuestionForm(FlaskForm):
    kind = RadioField(
        _l("Kind"),
        choices=[
            SelectChoice("single", _l("Single choice")),
            SelectChoice("multiple", _l("Multiple choice")),
            SelectChoice("truefalse", _l("True or false")),
        ],
        validate_choice=False,
    )
    category = SelectField(_l("Category"), validate_choice=False)
    difficulty = RadioField(
        _l("Difficulty"),
        choices=[SelectChoice(d, d) for d in ("1", "2", "3")],
        validate_choice=False,
    )
    answer = MultiCheckboxField(
        _l("Correct answer"),
        choices=[SelectChoice(k, k) for k in (*OPTION_KEYS, "T", "F")],
        validate_choice=False,
    )


# One set of wording fields per language: zh_text, zh_option_A, ..., mn_reviewed.
for _language in ("zh", "mn"):
    for _name, _field in _version_fields(_language).items():
        setattr(QuestionForm, _name, _field)

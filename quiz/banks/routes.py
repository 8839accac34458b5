"""Organizer console for question banks: import with a preview, export, browse, edit.

Banks are shared by all organizers (and admins), so every route is
``roles_required(Role.ORGANIZER)``. Routes parse the request and call one function of
``quiz.banks.console``; the upload waits in SQL between its preview and its confirm.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from question_bank import (
    LANGUAGES,
    OPTION_KEYS,
    TRUE_FALSE_KEYS,
    TRUE_FALSE_LABELS,
    Kind,
    shown_answer,
)
from question_bank.formats import FORMATS, IMPORT_FORMATS, MAX_FILE_BYTES
from question_bank.formats.templates import SUFFIXES as TEMPLATE_SUFFIXES
from question_bank.formats.templates import TEMPLATE_FORMATS
from question_bank.formats.templates import template as template_bytes
from quiz.accounts.access import roles_required
from quiz.accounts.models import Role
from quiz.banks import console, picture_editing
from quiz.banks.exporting import export_bytes
from quiz.banks.forms import (
    NEW_BANK,
    ConfirmForm,
    CreateBankForm,
    PictureForm,
    QuestionForm,
    UploadForm,
)
from quiz.banks.importing import GENERATED_ID, category_name, question_title
from quiz.banks.media_routes import media_url
from quiz.banks.services import category_names
from quiz.clock import now
from quiz.edge.client import current_actor
from quiz.edge.downloads import download, file_name
from quiz.edge.forms import ButtonForm, apply_errors, flash_form_errors
from quiz.edge.params import arg_int, whole_number
from quiz.errors import Conflict, ValidationFailed
from quiz.i18n import LANGUAGE_NAMES, current_language

bp = Blueprint("banks", __name__, url_prefix="/console/banks")

ORGANIZER = Role.ORGANIZER
PREVIEW_LIMIT = 200  # questions shown in a preview; the counts cover the whole file


# -- banks --------------------------------------------------------------------------


@bp.route("")
@roles_required(ORGANIZER)
def index() -> Any:
    return render_template(
        "banks/index.html", summaries=console.bank_summaries(), form=CreateBankForm()
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(ORGANIZER)
def create() -> Any:
    form = CreateBankForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                row = console.create_bank(
                    slug=form.slug.data or "",
                    title_zh=form.title_zh.data or "",
                    title_mn=form.title_mn.data or "",
                    actor=current_actor(),
                    now=now(),
                )
            except ValidationFailed as failure:
                apply_errors(form, failure)
            else:
                flash(_("The bank was created."), "success")
                return redirect(url_for("banks.bank", bank_id=row.id))
    return render_template("banks/create.html", form=form), status


@bp.route("/<int:bank_id>")
@roles_required(ORGANIZER)
def bank(bank_id: int) -> Any:
    row = console.get_bank(bank_id)
    filters = console.Filters.from_args(request.args)
    result = console.search_questions(row.id, filters, arg_int("page", 1, low=1))
    return render_template(
        "banks/bank.html",
        bank=row,
        filters=filters,
        page=result,
        categories=console.categories_of(row.id),
        category_names=category_names(row.id, current_language()),
        benchmark_names=console.benchmark_names(current_language()),
        part_names=console.PART_NAMES,
        summary=next(s for s in console.bank_summaries() if s.bank.id == row.id),
        export_formats=console.export_formats(),
        formats=FORMATS,
        format_names=console.FORMAT_NAMES,
        retire_form=ButtonForm(),
    )


@bp.route("/<int:bank_id>/export")
@roles_required(ORGANIZER)
def export(bank_id: int) -> Any:
    """The bank (its active questions) as a file: ``format`` yaml, xlsx, gift or
    moodle-xml; ``language`` for the one-language formats and the XLSX headers."""
    row = console.get_bank(bank_id)
    fmt = request.args.get("format", "yaml")
    if fmt not in console.export_formats():
        abort(404)
    language = request.args.get("language", current_language())
    if language not in LANGUAGES:
        language = "zh"
    data, _count = export_bytes(
        fmt, bank_slug=row.slug, language=language, header_language=language
    )
    ascii_name, full_name = console.export_name(row, fmt, language)
    return download(data, FORMATS[fmt].media_type, ascii_name, full_name)


@bp.route("/template/<language>")
@roles_required(ORGANIZER)
def template(language: str) -> Any:
    """A template with Chinese or Mongolian headers and an example of each kind:
    ``?format=xlsx`` (the default), ``csv``, ``docx`` or ``text``."""
    fmt = request.args.get("format", "xlsx")
    if language not in LANGUAGES or fmt not in TEMPLATE_FORMATS:
        abort(404)
    suffix = TEMPLATE_SUFFIXES[fmt]
    full = file_name(_("Question bank template"), LANGUAGE_NAMES[language], suffix=suffix)
    return download(
        template_bytes(fmt, language),
        FORMATS[fmt].media_type,
        f"question-bank-template-{language}{suffix}",
        full,
    )


# -- import -------------------------------------------------------------------------


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.fmt.choices = [SelectChoice("auto", _("Detect from the file"))] + [
        SelectChoice(name, console.FORMAT_NAMES.get(name, name)) for name in IMPORT_FORMATS
    ]
    form.bank.choices = [SelectChoice(NEW_BANK, _("A new bank"))] + [
        SelectChoice(b.slug, f"{b.title_zh} ({b.slug})") for b in console.bank_choices(current_user)
    ]
    return form


def _upload_limit() -> int:
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or MAX_FILE_BYTES)
    return min(limit, MAX_FILE_BYTES)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(ORGANIZER)
def upload() -> Any:
    form = _upload_form()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            new = form.bank.data == NEW_BANK
            choice = console.UploadChoice(
                fmt=form.fmt.data or "auto",
                bank_slug=(form.new_slug.data or "").strip() if new else form.bank.data or "",
                new_bank=new,
                title_zh=form.title_zh.data or "",
                title_mn=form.title_mn.data or "",
                category=form.category.data,
                language=form.language.data or "zh",
            )
            if not new:
                console.check_import_target(choice.bank_slug, current_user)
            storage = form.file.data
            # Read at most one byte over the limit: enough to refuse, never more.
            limit = _upload_limit()
            data = storage.stream.read(limit + 1)
            try:
                stored = console.store_upload(
                    user_id=current_user.id,
                    data=data,
                    filename=storage.filename or "upload",
                    choice=choice,
                    now=now(),
                    max_bytes=limit,
                    ttl=timedelta(minutes=int(current_app.config["QUIZ_BANK_UPLOAD_MINUTES"])),
                )
            except ValidationFailed as failure:
                apply_errors(form, failure, {"new_slug": "new_slug"})
            else:
                return redirect(url_for("banks.preview", token=stored.token))
    return render_template("banks/upload.html", form=form, limit=_upload_limit()), status


@bp.route("/import/<token>")
@roles_required(ORGANIZER)
def preview(token: str) -> Any:
    upload = console.get_upload(token, current_user.id, now())
    console.check_import_target(upload.bank_slug, current_user)
    checked = console.check_upload(upload)
    frozen = console.frozen_changes(checked)
    form = ConfirmForm(digest=console.digest_of(checked))
    result = checked.result
    language = current_language()
    return render_template(
        "banks/preview.html",
        titles={q.id: question_title(result, q) for q in result.questions},
        category_names={
            c.id: category_name(result, c.id, language)
            for c in (result.bank.categories if result.bank is not None else ())
        },
        generated=GENERATED_ID,
        upload=upload,
        checked=checked,
        frozen=frozen,
        report=checked.report,
        questions=checked.result.questions[:PREVIEW_LIMIT],
        more=max(0, len(checked.result.questions) - PREVIEW_LIMIT),
        form=form,
        format_names=console.FORMAT_NAMES,
    )


@bp.route("/import/<token>/confirm", methods=["POST"])
@roles_required(ORGANIZER)
def confirm(token: str) -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    upload = console.get_upload(token, current_user.id, now())
    console.check_import_target(upload.bank_slug, current_user)
    try:
        done = console.confirm_upload(
            token,
            actor=current_actor(),
            digest=form.digest.data or "",
            now=now(),
            accepted=set(request.form.getlist("accept")),
        )
    except Conflict as conflict:
        flash(conflict.localized(), "error")
        return redirect(url_for("banks.preview", token=token))
    flash(
        _(
            "Imported: %(added)s new questions, %(updated)s updated, %(skipped)s skipped.",
            added=done.added,
            updated=done.updated,
            skipped=done.skipped,
        ),
        "success",
    )
    return redirect(url_for("banks.bank", bank_id=done.bank.id))


# -- questions ----------------------------------------------------------------------


def _question_form(bank_id: int, question: Any) -> QuestionForm:
    form = QuestionForm()
    form.category.choices = [
        SelectChoice(
            c.slug, c.name_zh if current_language() == "zh" or not c.name_mn else c.name_mn
        )
        for c in console.categories_of(bank_id)
    ]
    # True/false keys read as their words (正确/错误), never T/F.
    form.answer.choices = [SelectChoice(k, k) for k in OPTION_KEYS] + [
        SelectChoice(k, shown_answer([k], Kind.TRUEFALSE, current_language()))
        for k in TRUE_FALSE_KEYS
    ]
    if request.method == "GET":
        form.kind.data = question.kind
        form.category.data = question.category
        form.difficulty.data = str(question.difficulty)
        form.answer.data = list(question.answer)
        for text in question.texts:
            getattr(form, f"{text.language}_text").data = text.text
            getattr(form, f"{text.language}_explanation").data = text.explanation or ""
            getattr(form, f"{text.language}_reviewed").data = text.reviewed
            for key, value in (text.options or {}).items():
                if key in OPTION_KEYS:
                    getattr(form, f"{text.language}_option_{key}").data = value
    return form


def _edit_of(form: QuestionForm) -> console.QuestionEdit:
    versions = {}
    for language in LANGUAGES:
        versions[language] = console.VersionEdit(
            text=getattr(form, f"{language}_text").data or "",
            options={k: getattr(form, f"{language}_option_{k}").data or "" for k in OPTION_KEYS},
            explanation=getattr(form, f"{language}_explanation").data or "",
            reviewed=bool(getattr(form, f"{language}_reviewed").data),
        )
    return console.QuestionEdit(
        kind=form.kind.data or "",
        category=form.category.data or "",
        difficulty=whole_number(form.difficulty.data, high=9) or 0,
        answer=tuple(form.answer.data or ()),
        versions=versions,
    )


@bp.route("/<int:bank_id>/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required(ORGANIZER)
def edit_question(bank_id: int, question_id: int) -> Any:
    row = console.editable_bank(bank_id, current_user)
    question = console.get_question(row.id, question_id)
    form = _question_form(row.id, question)
    problems: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                console.update_question(question, _edit_of(form), actor=current_actor(), now=now())
            except ValidationFailed as failure:
                aliases = {f"{lang}-text": f"{lang}_text" for lang in LANGUAGES}
                problems = apply_errors(form, failure, aliases)
            except Conflict as conflict:
                status = 409
                problems = {"form": [conflict.localized()]}
            else:
                flash(_("The question was saved."), "success")
                return redirect(
                    url_for("banks.edit_question", bank_id=row.id, question_id=question.id)
                )
    return render_template(
        "banks/question.html",
        bank=row,
        question=question,
        benchmark_names=console.benchmark_names(current_language()),
        part_names=console.PART_NAMES,
        form=form,
        problems=problems,
        used=bool(console.used_questions([question.id])),
        option_keys=OPTION_KEYS,
        true_false=TRUE_FALSE_LABELS,
        retire_form=ButtonForm(),
        pictures=[
            {**entry, "url": media_url(entry), "index": index}
            for index, entry in enumerate(question.media or ())
        ],
        picture_form=_picture_form(question),
    ), status


def _set_retired(bank_id: int, question_id: int, retired: bool) -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    question = console.get_question(console.editable_bank(bank_id, current_user).id, question_id)
    console.set_retired(question, retired, actor=current_actor(), now=now())
    flash(
        _("The question was retired.") if retired else _("The question is active again."), "success"
    )
    return redirect(url_for("banks.edit_question", bank_id=bank_id, question_id=question_id))


def _set_reserved(bank_id: int, question_id: int, reserved: bool) -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    question = console.get_question(console.editable_bank(bank_id, current_user).id, question_id)
    console.set_reserved(question, reserved, actor=current_actor(), now=now())
    flash(
        _("The question is reserved for contests: practice never draws it.")
        if reserved
        else _("The question may be drawn for practice."),
        "success",
    )
    return redirect(url_for("banks.edit_question", bank_id=bank_id, question_id=question_id))


@bp.route("/<int:bank_id>/questions/<int:question_id>/reserve", methods=["POST"])
@roles_required(ORGANIZER)
def reserve(bank_id: int, question_id: int) -> Any:
    return _set_reserved(bank_id, question_id, True)


@bp.route("/<int:bank_id>/questions/<int:question_id>/unreserve", methods=["POST"])
@roles_required(ORGANIZER)
def unreserve(bank_id: int, question_id: int) -> Any:
    return _set_reserved(bank_id, question_id, False)


@bp.route("/<int:bank_id>/questions/<int:question_id>/retire", methods=["POST"])
@roles_required(ORGANIZER)
def retire(bank_id: int, question_id: int) -> Any:
    return _set_retired(bank_id, question_id, True)


@bp.route("/<int:bank_id>/questions/<int:question_id>/unretire", methods=["POST"])
@roles_required(ORGANIZER)
def unretire(bank_id: int, question_id: int) -> Any:
    return _set_retired(bank_id, question_id, False)


# -- pictures of a question ---------------------------------------------------------


def _picture_form(question: Any) -> PictureForm:
    form = PictureForm()
    form.option.choices = [SelectChoice("", _("The question"))] + [
        SelectChoice(key, _("Option %(key)s", key=key)) for key in question.option_keys
    ]
    return form


def _after_picture_change(bank_id: int, question_id: int) -> Any:
    url = url_for("banks.edit_question", bank_id=bank_id, question_id=question_id)
    return redirect(f"{url}#pictures")


@bp.route("/<int:bank_id>/questions/<int:question_id>/pictures", methods=["POST"])
@roles_required(ORGANIZER)
def add_picture(bank_id: int, question_id: int) -> Any:
    question = console.get_question(console.editable_bank(bank_id, current_user).id, question_id)
    form = _picture_form(question)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _after_picture_change(bank_id, question_id)
    upload = form.file.data
    try:
        picture_editing.add_picture(
            question,
            upload.read(),
            upload.filename or "",
            option=form.option.data or None,
            alt=form.alt.data or "",
            actor=current_actor(),
            now=now(),
        )
    except ValidationFailed as failure:
        for messages in failure.field_messages().values():
            for message in messages:
                flash(message, "error")
    except Conflict as conflict:
        flash(conflict.localized(), "error")
    else:
        flash(_("The picture was added."), "success")
    return _after_picture_change(bank_id, question_id)


@bp.route(
    "/<int:bank_id>/questions/<int:question_id>/pictures/<int:index>/delete", methods=["POST"]
)
@roles_required(ORGANIZER)
def remove_picture(bank_id: int, question_id: int, index: int) -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    question = console.get_question(console.editable_bank(bank_id, current_user).id, question_id)
    try:
        picture_editing.remove_picture(question, index, actor=current_actor(), now=now())
    except Conflict as conflict:
        flash(conflict.localized(), "error")
    else:
        flash(_("The picture was removed."), "success")
    return _after_picture_change(bank_id, question_id)

"""School console pages: schools, teachers, classes, class lists, login cards, the
teacher dashboard, exports, data deletion, class enrolment and school rankings.

Routes are thin: parse the form, call one service, render. Object rules (which school a
user may see or change) live in ``quiz.schools.services`` and answer 404 for a school,
class or student outside the user's reach, 403 for read-only viewers who try a change.

One-time passwords appear only in the response to the request that set them (a
``no-store`` page made for printing): only their hashes are stored, and they are never
put in the session cookie. Lost cards are replaced by resetting the passwords.
"""

from __future__ import annotations

import base64
from typing import Any

import redis
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from question_bank.formats import spreadsheet
from quiz.accounts.access import login_required, roles_required
from quiz.accounts.models import Role
from quiz.clock import now
from quiz.contests.models import Contest
from quiz.contests.services import get_visible_contest, visible_contests
from quiz.edge.client import current_actor
from quiz.edge.downloads import download, file_name
from quiz.edge.forms import show_errors
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.i18n import LANGUAGE_NAMES, LANGUAGES, LOCALES, current_language, sort_names
from quiz.leaderboards.live import frozen_for_viewer
from quiz.regions.models import LEAGUE_LEVEL, Region
from quiz.regions.services import counties_by_league
from quiz.schools import dashboard, enrolling, rankings, roster, services
from quiz.schools.forms import (
    CardsForm,
    ClassForm,
    DeleteStudentForm,
    EnrollClassForm,
    RosterForm,
    SchoolForm,
    TeacherFields,
)
from quiz.schools.models import School

bp = Blueprint("schools", __name__)
STAFF = (Role.TEACHER, Role.ORGANIZER)


def _xlsx(data: bytes, ascii_name: str, full_name: str) -> Response:
    return download(data, spreadsheet.XLSX_MIMETYPE, ascii_name, full_name, private=True)


def _county_choices(form: SchoolForm) -> None:
    from wtforms import SelectChoice

    language = current_language()
    form.region_code.choices = [
        SelectChoice(c.code, c.name(language), optgroup=league.name(language))
        for league, counties in counties_by_league()
        for c in counties
    ]


def _index_page(form: SchoolForm, status: int = 200) -> Any:
    schools = services.visible_schools(current_user)
    language = current_language()
    schools = sort_names(schools, lambda s: s.name(language), language)
    can_create = current_user.has_role(Role.ORGANIZER)
    codes = {s.region_code for s in schools}
    regions = {
        r.code: r.name(language)
        for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))
    }
    return (
        render_template(
            "schools/index.html", schools=schools, regions=regions, form=form, can_create=can_create
        ),
        status,
    )


@bp.route("/schools")
@roles_required(*STAFF)
def index() -> Any:
    form = SchoolForm()
    _county_choices(form)
    return _index_page(form)


def _teacher_password_page(school: School, teacher: Any, password: str | None) -> Any:
    if password is None:
        flash(_("%(name)s is now a teacher of this school.", name=teacher.display_name), "success")
        if services.can_view_school(current_user, school.id):
            return redirect(url_for("schools.school", school_id=school.id))
        return redirect(url_for("schools.index"))
    g.no_store = True
    return render_template(
        "schools/teacher_password.html", school=school, teacher=teacher, password=password
    )


@bp.route("/schools", methods=["POST"])
@roles_required(Role.ORGANIZER)
def create() -> Any:
    """A new school and its first teacher in one step (admins and organizers).

    One transaction: if the teacher is refused, the school is not created either (the
    error answer rolls both back), so the organizer corrects the form and sends it again.
    """
    form = SchoolForm()
    _county_choices(form)
    if not form.validate_on_submit():
        return _index_page(form, 422)
    has_teacher = bool(
        (form.existing_username.data or "").strip() or (form.username.data or "").strip()
    )
    if not has_teacher:
        form.username.errors = [
            _("Name the school's first teacher: an existing account or a new one.")
        ]
        return _index_page(form, 422)
    actor = current_actor()  # one person, one address for the school and its teacher
    try:
        school = services.create_school(
            actor,
            name_zh=form.name_zh.data,
            name_mn=form.name_mn.data,
            region_code=form.region_code.data,
            now=now(),
        )
    except ValidationFailed as exc:
        show_errors(form, exc)
        return _index_page(form, 422)
    try:
        teacher, password = services.add_teacher(
            actor,
            school,
            now=now(),
            existing_username=form.existing_username.data,
            username=form.username.data,
            display_name=form.display_name.data,
            language=form.language.data,
        )
    except ValidationFailed as exc:
        db.session.rollback()  # neither the school nor its teacher
        show_errors(form, exc)
        return _index_page(form, 422)
    return _teacher_password_page(school, teacher, password)


def _school_page(school: School, *, teacher_form=None, class_form=None, status: int = 200) -> Any:
    return (
        render_template(
            "schools/school.html",
            school=school,
            region=db.session.get(Region, school.region_code),
            teachers=services.school_teachers(school),
            classes=services.school_classes(school),
            can_manage=services.can_manage_school(current_user, school.id),
            can_add_teacher=services.can_manage_school(current_user, school.id)
            or current_user.has_role(Role.ORGANIZER),
            teacher_form=teacher_form or TeacherFields(),
            class_form=class_form
            or ClassForm(school_year=now().year if now().month >= 8 else now().year - 1),
        ),
        status,
    )


@bp.route("/schools/<int:school_id>")
@roles_required(*STAFF)
def school(school_id: int) -> Any:
    return _school_page(services.get_school(current_user, school_id))


@bp.route("/schools/<int:school_id>/teachers", methods=["POST"])
@roles_required(*STAFF)
def add_teacher(school_id: int) -> Any:
    """Admins and organizers add a teacher to any school; teachers add colleagues."""
    target = db.session.get(School, school_id)
    if target is None:
        abort(404)
    if not current_user.has_role(Role.ORGANIZER):
        target = services.get_school(current_user, school_id, manage=True)
    form = TeacherFields()
    if form.validate_on_submit():
        try:
            teacher, password = services.add_teacher(
                current_actor(),
                target,
                now=now(),
                existing_username=form.existing_username.data,
                username=form.username.data,
                display_name=form.display_name.data,
                language=form.language.data,
            )
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            return _teacher_password_page(target, teacher, password)
    if not services.can_view_school(current_user, school_id):
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("schools.index"))
    return _school_page(target, teacher_form=form, status=422)


@bp.route("/schools/<int:school_id>/classes", methods=["POST"])
@roles_required(*STAFF)
def create_class(school_id: int) -> Any:
    school_row = services.get_school(current_user, school_id, manage=True)
    form = ClassForm()
    if form.validate_on_submit():
        try:
            created = services.create_class(
                current_actor(),
                school_row,
                grade=form.grade.data,
                name=form.name.data,
                school_year=form.school_year.data,
                now=now(),
            )
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            return redirect(url_for("schools.school_class", class_id=created.id))
    return _school_page(school_row, class_form=form, status=422)


@bp.route("/schools/<int:school_id>/export.xlsx")
@roles_required(*STAFF)
def export_school(school_id: int) -> Any:
    """The school's copy of everything held about its students (teachers and admins)."""
    school_row = services.get_school(current_user, school_id, manage=True)
    language = current_language()
    return _xlsx(
        dashboard.school_export(school_row, language),
        f"school-{school_row.id}-students.xlsx",
        file_name(school_row.name(language), _("Students"), suffix=".xlsx"),
    )


@bp.route("/schools/roster-template/<language>.<any(xlsx, csv):fmt>")
@roles_required(*STAFF)
def roster_template(language: str, fmt: str) -> Any:
    if language not in LANGUAGES:
        abort(404)
    if fmt == "csv":
        return download(
            roster.template_csv(language),
            spreadsheet.CSV_MIMETYPE,
            f"class-list-{language}.csv",
            file_name(_("Class list template"), LANGUAGE_NAMES[language], suffix=".csv"),
            private=True,
        )
    return _xlsx(
        roster.template_xlsx(language),
        f"class-list-{language}.xlsx",
        file_name(_("Class list template"), LANGUAGE_NAMES[language], suffix=".xlsx"),
    )


def _class_page(
    class_id: int, *, roster_form=None, enroll_form=None, problems=None, status=200
) -> Any:
    school_row, school_class = services.get_class(current_user, class_id)
    language = current_language()
    board = dashboard.class_dashboard(school_row, school_class, now(), language)
    form = enroll_form or EnrollClassForm()
    form.contest_id.choices = [(c.id, c.title(language)) for c in _enrollable_contests()]
    return (
        render_template(
            "schools/class.html",
            school=school_row,
            school_class=school_class,
            board=board,
            trend=dashboard.trend(board, language),
            can_manage=services.can_manage_school(current_user, school_row.id),
            roster_form=roster_form or RosterForm(),
            enroll_form=form,
            reset_form=CardsForm(),
            problems=problems or [],
        ),
        status,
    )


def _enrollable_contests() -> list[Contest]:
    return [c for c in visible_contests(current_user) if c.published]


@bp.route("/classes/<int:class_id>")
@roles_required(*STAFF)
def school_class(class_id: int) -> Any:
    return _class_page(class_id)


def _cards_page(cards: list[services.Card], school_row: School, back: str, pdf: bool) -> Any:
    """The new one-time passwords, once: a printable page, with the PDF as a download
    link on it when asked for (nothing is kept). The PDF is not the response itself: the
    browser would stay on the form's page, which still says the class has no students."""
    g.no_store = True
    login_url = url_for("accounts.login", _external=True)
    pdf_href = pdf_name = None
    if pdf:
        from quiz.documents.login_cards import LoginCard, render_login_cards

        data = render_login_cards(
            [
                LoginCard(
                    language=c.language,
                    school_name=c.school_name,
                    class_name=c.class_name,
                    student_name=c.student_name,
                    username=c.username,
                    one_time_password=c.one_time_password,
                    login_url=login_url,
                )
                for c in cards
            ]
        )
        pdf_href = "data:application/pdf;base64," + base64.b64encode(data).decode("ascii")
        first = cards[0] if cards else None
        pdf_name = file_name(_("Login cards"), first.class_name if first else None, suffix=".pdf")
    return render_template(
        "schools/cards.html",
        cards=cards,
        school=school_row,
        login_url=login_url,
        back=back,
        card_labels=_card_labels(),
        pdf_href=pdf_href,
        pdf_name=pdf_name,
    )


def _card_labels() -> dict[str, dict[str, str]]:
    """A login card's words in each language: a Mongolian pupil's card is all Mongolian."""
    labels = {}
    for language, locale in LOCALES.items():
        with force_locale(locale):
            labels[language] = {
                "username": _("Username"),
                "password": _("One-time password"),
                "login": _("Log in at"),
            }
    return labels


@bp.route("/classes/<int:class_id>/roster", methods=["POST"])
@roles_required(*STAFF)
def import_roster(class_id: int) -> Any:
    """Upload a class list: new students' login cards are shown once, for printing."""
    school_row, _class = services.get_class(current_user, class_id, manage=True)
    form = RosterForm()
    if not form.validate_on_submit():
        return _class_page(class_id, roster_form=form, status=422)
    upload = form.file.data
    try:
        report = roster.import_roster(
            current_actor(), class_id, upload.read(), upload.filename or "", now()
        )
    except roster.RosterInvalid as exc:
        language = current_language()
        problems = [roster.describe(p, language) for p in exc.problems]
        return _class_page(class_id, roster_form=form, problems=problems, status=422)
    flash(
        _(
            "%(created)d new students, %(updated)d updated, %(unchanged)d unchanged.",
            created=len(report.created),
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    if not report.created:
        return redirect(url_for("schools.school_class", class_id=class_id))
    return _cards_page(
        report.created,
        school_row,
        url_for("schools.school_class", class_id=class_id),
        bool(form.pdf.data),
    )


@bp.route("/classes/<int:class_id>/passwords", methods=["POST"])
@roles_required(*STAFF)
def reset_class_passwords(class_id: int) -> Any:
    """New one-time passwords for the whole class, and their cards (lost cards)."""
    school_row, _class = services.get_class(current_user, class_id, manage=True)
    form = CardsForm()
    if not form.validate_on_submit():
        abort(400)
    cards = services.reset_class_passwords(current_actor(), class_id, now())
    return _cards_page(
        cards, school_row, url_for("schools.school_class", class_id=class_id), bool(form.pdf.data)
    )


@bp.route("/classes/<int:class_id>/enroll", methods=["POST"])
@roles_required(*STAFF)
def enroll_class(class_id: int) -> Any:
    services.get_class(current_user, class_id, manage=True)
    form = EnrollClassForm()
    form.contest_id.choices = [(c.id, c.title(current_language())) for c in _enrollable_contests()]
    if not form.validate_on_submit():
        return _class_page(class_id, enroll_form=form, status=422)
    result = enrolling.enroll_class(
        current_actor(), class_id, form.contest_id.data, now(), join_code=form.join_code.data
    )
    flash(
        _(
            "%(count)d students enrolled in %(league)s (%(already)d were already).",
            count=result.enrolled,
            league=result.league.name(current_language()),
            already=result.already,
        ),
        "success",
    )
    return redirect(url_for("schools.school_class", class_id=class_id))


@bp.route("/classes/<int:class_id>/export.xlsx")
@roles_required(*STAFF)
def export_class(class_id: int) -> Any:
    school_row, school_class = services.get_class(current_user, class_id)
    language = current_language()
    board = dashboard.class_dashboard(school_row, school_class, now(), language)
    return _xlsx(
        dashboard.class_export(board, language),
        f"class-{school_class.id}-results.xlsx",
        file_name(school_row.name(language), school_class.name, _("Results"), suffix=".xlsx"),
    )


@bp.route("/students/<int:student_id>")
@roles_required(*STAFF)
def student(student_id: int) -> Any:
    found = services.get_student(current_user, student_id)
    return render_template(
        "schools/student.html",
        found=found,
        results=dashboard.student_results(found.school, found.user),
        can_manage=services.can_manage_school(current_user, found.school.id),
        reset_form=CardsForm(),
        delete_form=DeleteStudentForm(),
    )


@bp.route("/students/<int:student_id>/password", methods=["POST"])
@roles_required(*STAFF)
def reset_password(student_id: int) -> Any:
    found = services.get_student(current_user, student_id, manage=True)
    form = CardsForm()
    if not form.validate_on_submit():
        abort(400)
    card = services.reset_password(current_actor(), student_id, now())
    return _cards_page(
        [card], found.school, url_for("schools.student", student_id=student_id), bool(form.pdf.data)
    )


@bp.route("/students/<int:student_id>/delete", methods=["POST"])
@roles_required(*STAFF)
def delete_student(student_id: int) -> Any:
    """Anonymise a student (name, login, class); results stay, nameless."""
    found = services.get_student(current_user, student_id, manage=True)
    form = DeleteStudentForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm the deletion."), "error")
        return redirect(url_for("schools.student", student_id=student_id))
    class_id = found.school_class.id
    contest_ids = services.delete_student_data(current_actor(), student_id, now())
    services.rebuild_after_deletion(contest_ids, now())
    flash(_("The student's data is deleted."), "success")
    return redirect(url_for("schools.school_class", class_id=class_id))


@bp.route("/contests/<int:contest_id>/schools")
@login_required
def contest_rankings(contest_id: int) -> Any:
    """Schools of a contest ranked within a 旗县 or a 盟市, by participation or average."""
    contest = get_visible_contest(contest_id, current_user)
    metric = "avg" if request.args.get("by") == "avg" else "rate"
    scope, code = "league", request.args.get("league", "")
    if request.args.get("county"):
        scope, code = "county", request.args["county"]
    region = db.session.get(Region, code) if code else None
    if region is None:
        own = current_user.school or next(iter(services.visible_schools(current_user)), None)
        county = db.session.get(Region, own.region_code if own else current_user.region_code)
        scope, region = ("county", county) if own and county else ("league", None)
        if region is None and county is not None and county.parent_code:
            region = db.session.get(Region, county.parent_code)
    leagues = db.session.scalars(
        select(Region).where(Region.level == LEAGUE_LEVEL).order_by(Region.position)
    ).all()
    ranked: list[rankings.RankedSchool] = []
    stale = False
    if region is not None:
        scope = "league" if region.level == LEAGUE_LEVEL else "county"
        try:
            ranked = rankings.ranking(
                contest.id,
                scope,
                region.code,
                metric,
                frozen=frozen_for_viewer(contest, None, current_user),
            )
        except redis.RedisError:  # Redis down: say so, never fail the page
            stale = True
    return render_template(
        "schools/rankings.html",
        contest=contest,
        region=region,
        scope=scope,
        metric=metric,
        leagues=leagues,
        ranked=ranked,
        stale=stale,
    )

"""School operations: schools, teachers, classes, students, passwords, data deletion.

Plain functions with explicit arguments (the acting user, ``now``); each public write is
one transaction with its audit events (``quiz.audit.services.record``, with the school's
id), committed once. Who may see what:

- an admin sees and manages every school;
- a teacher sees and manages the schools they are a member of (``SchoolTeacher``);
- an organizer sees (read only) the schools that have a student enrolled in a contest
  they organize, creates schools and adds teachers to any school;
- anyone else, and any school outside these rules, gets 404: ids reveal nothing.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from quiz.accounts.models import Role, User, UserRole
from quiz.accounts.services import (
    USERNAME_RE,
    display_name_problems,
    hash_password,
    one_time_password,
    revoke_tokens,
    set_one_time_password,
    username_key,
)
from quiz.audit.services import record
from quiz.contests.models import ContestOrganizer, Enrollment
from quiz.edge.client import Actor
from quiz.errors import Forbidden, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.i18n import LANGUAGES
from quiz.names import check_name
from quiz.regions.models import COUNTY_LEVEL, Region
from quiz.schools.models import GRADES, School, SchoolClass, SchoolStudent, SchoolTeacher
from quiz.sql import insert_ignore

CLASS_NAME_MAX = 32
SCHOOL_NAME_MAX = 128
DELETED_NAME = "-"


# -- who may see what ----------------------------------------------------------------


def is_admin(user: User) -> bool:
    return Role.ADMIN in user.roles


def teacher_school_ids(user: User) -> set[int]:
    return set(
        db.session.scalars(select(SchoolTeacher.school_id).where(SchoolTeacher.user_id == user.id))
    )


def _in_organizers_contests(user: User, school_id: int) -> bool:
    """Has the school a student enrolled in a contest ``user`` organizes?"""
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(Enrollment.user_id == User.id)
                .where(User.school_id == school_id)
                .where(ContestOrganizer.contest_id == Enrollment.contest_id)
                .where(ContestOrganizer.user_id == user.id)
            )
        )
    )


def can_view_school(user: User, school_id: int) -> bool:
    if is_admin(user):
        return True
    if Role.TEACHER in user.roles and school_id in teacher_school_ids(user):
        return True
    return Role.ORGANIZER in user.roles and _in_organizers_contests(user, school_id)


def can_manage_school(user: User, school_id: int) -> bool:
    """Changing a school's classes and students: its teachers and admins."""
    if is_admin(user):
        return True
    return Role.TEACHER in user.roles and school_id in teacher_school_ids(user)


def _not_found() -> NotFound:
    return NotFound(_l("This school does not exist."), code="school_not_found")


def get_school(user: User, school_id: int, *, manage: bool = False) -> School:
    """The school if ``user`` may see it (404 otherwise); ``manage``: and change it (403)."""
    school = db.session.get(School, school_id)
    if school is None or not can_view_school(user, school.id):
        raise _not_found()
    if manage and not can_manage_school(user, school.id):
        raise Forbidden(_l("Only this school's teachers may do this."), code="not_school_teacher")
    return school


def get_class(user: User, class_id: int, *, manage: bool = False) -> tuple[School, SchoolClass]:
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None or not can_view_school(user, school_class.school_id):
        raise NotFound(_l("This class does not exist."), code="class_not_found")
    return get_school(user, school_class.school_id, manage=manage), school_class


@dataclass(frozen=True)
class StudentRecord:
    user: User
    student: SchoolStudent
    school_class: SchoolClass
    school: School


def get_student(user: User, student_id: int, *, manage: bool = False) -> StudentRecord:
    row = db.session.execute(
        select(SchoolStudent, User, SchoolClass)
        .join(User, User.id == SchoolStudent.user_id)
        .join(SchoolClass, SchoolClass.id == SchoolStudent.class_id)
        .where(SchoolStudent.user_id == student_id)
    ).first()
    if row is None or not can_view_school(user, row.SchoolStudent.school_id):
        raise NotFound(_l("This student does not exist."), code="student_not_found")
    school = get_school(user, row.SchoolStudent.school_id, manage=manage)
    return StudentRecord(row.User, row.SchoolStudent, row.SchoolClass, school)


def visible_schools(user: User) -> list[School]:
    query = select(School).order_by(School.region_code, School.name_zh)
    if not is_admin(user):
        ids = teacher_school_ids(user) if Role.TEACHER in user.roles else set()
        if Role.ORGANIZER in user.roles:
            ids |= set(
                db.session.scalars(
                    select(User.school_id)
                    .join(Enrollment, Enrollment.user_id == User.id)
                    .join(ContestOrganizer, ContestOrganizer.contest_id == Enrollment.contest_id)
                    .where(ContestOrganizer.user_id == user.id, User.school_id.is_not(None))
                    .distinct()
                )
            )
        query = query.where(School.id.in_(ids))
    return list(db.session.scalars(query))


def school_teachers(school: School) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(SchoolTeacher, SchoolTeacher.user_id == User.id)
            .where(SchoolTeacher.school_id == school.id)
            .order_by(User.username_key)
        )
    )


def school_classes(school: School) -> list[SchoolClass]:
    return list(
        db.session.scalars(
            select(SchoolClass)
            .where(SchoolClass.school_id == school.id)
            .order_by(SchoolClass.school_year.desc(), SchoolClass.grade, SchoolClass.name)
        )
    )


def class_students(school_class: SchoolClass) -> list[tuple[SchoolStudent, User]]:
    rows = db.session.execute(
        select(SchoolStudent, User)
        .join(User, User.id == SchoolStudent.user_id)
        .where(SchoolStudent.class_id == school_class.id)
        .order_by(SchoolStudent.student_number)
    )
    return [(row.SchoolStudent, row.User) for row in rows]


# -- schools and teachers ------------------------------------------------------------


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def create_school(
    actor: Actor,
    *,
    name_zh: str | None,
    name_mn: str | None,
    region_code: str | None,
    now: datetime,
) -> School:
    """A new school in a 旗县 (admins and organizers)."""
    name_zh, name_mn = _clean(name_zh), _clean(name_mn)
    errors: dict[str, list] = {}
    if not name_zh or len(name_zh) > SCHOOL_NAME_MAX:
        errors["name_zh"] = [_l("Give a name of 1 to %(n)d characters.", n=SCHOOL_NAME_MAX)]
    if len(name_mn) > 2 * SCHOOL_NAME_MAX:
        errors["name_mn"] = [_l("Give a name of 1 to %(n)d characters.", n=2 * SCHOOL_NAME_MAX)]
    check_name(errors, "name_zh", name_zh)
    check_name(errors, "name_mn", name_mn)
    region = db.session.get(Region, region_code) if region_code else None
    if region is None or region.level != COUNTY_LEVEL:
        errors["region_code"] = [_l("Choose the school's banner, county or district.")]
    if errors:
        raise ValidationFailed(errors)
    school = School(name_zh=name_zh, name_mn=name_mn, region_code=region_code or "")
    db.session.add(school)
    db.session.flush()
    record(
        actor,
        action="school.create",
        object_type="school",
        object_id=school.id,
        school_id=school.id,
        now=now,
        after={"name_zh": name_zh, "name_mn": name_mn, "region_code": region_code},
    )
    return school  # flushed; the caller commits it with the school's first teacher


def add_teacher(
    actor: Actor,
    school: School,
    *,
    now: datetime,
    existing_username: str | None = None,
    username: str | None = None,
    display_name: str | None = None,
    language: str | None = "zh",
) -> tuple[User, str | None]:
    """Make someone a teacher of ``school``: an existing account, or a new one.

    A new account gets a one-time password, returned here once (only its hash is kept)
    and must change it at its first login. Returns (teacher, one-time password or None).
    Admins and organizers add anyone to any school; a school's teachers add colleagues.
    """
    if not (is_admin(actor.user) or Role.ORGANIZER in actor.user.roles):
        get_school(actor.user, school.id, manage=True)
    password: str | None = None
    if _clean(existing_username):
        user = db.session.scalar(
            select(User).where(User.username_key == username_key(existing_username or ""))
        )
        if user is None or not user.is_active_account:
            raise ValidationFailed({"existing_username": [_l("No account has this username.")]})
        if db.session.scalar(select(SchoolStudent.user_id).where(SchoolStudent.user_id == user.id)):
            raise ValidationFailed(
                {"existing_username": [_l("A student account cannot become a teacher.")]}
            )
        if Role.TEACHER not in user.roles:
            user.role_rows.append(UserRole(role=str(Role.TEACHER)))
        # Membership is what gives access; the account's own profile stays as it is.
    else:
        username, display_name = _clean(username), _clean(display_name)
        errors: dict[str, list] = {}
        if not USERNAME_RE.match(username):
            errors["username"] = [_l("Use 3 to 32 letters, digits, dots, hyphens or underscores.")]
        elif db.session.scalar(select(User.id).where(User.username_key == username_key(username))):
            errors["username"] = [_l("This username is taken.")]
        if problems := display_name_problems(display_name):
            errors["display_name"] = problems
        if language not in LANGUAGES:
            errors["language"] = [_l("Choose Chinese or Mongolian.")]
        if errors:
            raise ValidationFailed(errors)
        password = one_time_password()
        user = User(
            username=username,
            username_key=username_key(username),
            password_hash=hash_password(password),
            display_name=display_name,
            region_code=school.region_code,
            school_id=school.id,
            language=language or "zh",
            created_at=now,
            must_change_password=True,
        )
        user.role_rows = [UserRole(role=str(Role.TEACHER))]
        try:
            # A savepoint: a concurrent request that took the username first fails this
            # account only, and the caller's transaction (a new school) stays usable.
            with db.session.begin_nested():
                db.session.add(user)
        except IntegrityError as exc:
            raise ValidationFailed({"username": [_l("This username is taken.")]}) from exc
    db.session.flush()
    db.session.execute(
        insert_ignore(SchoolTeacher, ["school_id", "user_id"]).values(
            school_id=school.id, user_id=user.id, added_at=now, added_by_id=actor.user_id
        )
    )
    record(
        actor,
        action="school.teacher_add",
        object_type="user",
        object_id=user.id,
        school_id=school.id,
        now=now,
        after={"username": user.username, "new_account": password is not None},
    )
    return user, password


def create_class(
    actor: Actor,
    school: School,
    *,
    grade: int | None,
    name: str | None,
    school_year: int | None,
    now: datetime,
) -> SchoolClass:
    get_school(actor.user, school.id, manage=True)
    name = _clean(name)
    errors: dict[str, list] = {}
    if grade not in GRADES:
        errors["grade"] = [_l("The grade must be 1 to 12.")]
    if not name or len(name) > CLASS_NAME_MAX:
        errors["name"] = [_l("Give a name of 1 to %(n)d characters.", n=CLASS_NAME_MAX)]
    check_name(errors, "name", name)
    if school_year is None or not 2000 <= school_year <= 2100:
        errors["school_year"] = [_l("Give the year the school year starts in, e.g. 2026.")]
    if errors:
        raise ValidationFailed(errors)
    school_class = SchoolClass(
        school_id=school.id, grade=grade, name=name, school_year=school_year, created_at=now
    )
    try:
        with db.session.begin_nested():  # a savepoint: the caller's transaction stays usable
            db.session.add(school_class)
    except IntegrityError as exc:
        raise ValidationFailed({"name": [_l("This school already has this class.")]}) from exc
    record(
        actor,
        action="school.class_create",
        object_type="school_class",
        object_id=school_class.id,
        school_id=school.id,
        now=now,
        after={"grade": grade, "name": name, "school_year": school_year},
    )
    db.session.flush()
    return school_class


# -- student accounts ------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """What one login card shows (the fields of ``quiz.documents.login_cards.LoginCard``)."""

    language: str
    school_name: str
    class_name: str
    student_name: str
    username: str
    one_time_password: str


def class_label(school_class: SchoolClass) -> str:
    """Grade and class name as the school writes them, e.g. "5-2" (digits need no words)."""
    return f"{school_class.grade}-{school_class.name}"


def card_for(user: User, school: School, school_class: SchoolClass, password: str) -> Card:
    return Card(
        language=user.language,
        school_name=school.name(user.language),
        class_name=class_label(school_class),
        student_name=user.display_name,
        username=user.username,
        one_time_password=password,
    )


def reset_password(actor: Actor, student_id: int, now: datetime) -> Card:
    """A new one-time password for one student (their teachers and admins)."""
    found = get_student(actor.user, student_id, manage=True)
    password = set_one_time_password(found.user)
    record(
        actor,
        action="student.password_reset",
        object_type="user",
        object_id=found.user.id,
        school_id=found.school.id,
        now=now,
    )
    db.session.flush()
    return card_for(found.user, found.school, found.school_class, password)


def reset_class_passwords(actor: Actor, class_id: int, now: datetime) -> list[Card]:
    """New one-time passwords for a whole class: how lost cards are printed again."""
    school, school_class = get_class(actor.user, class_id, manage=True)
    cards = []
    for _student, user in class_students(school_class):
        if user.is_active_account:
            cards.append(card_for(user, school, school_class, set_one_time_password(user)))
    record(
        actor,
        action="school.class_passwords_reset",
        object_type="school_class",
        object_id=school_class.id,
        school_id=school.id,
        now=now,
        after={"count": len(cards)},
    )
    db.session.flush()
    return cards


def delete_student_data(actor: Actor, student_id: int, now: datetime) -> list[int]:
    """Anonymise a student's account; their results stay, nameless. Returns contest ids.

    What goes: the name (replaced by "-"), the username (``deleted-<id>``), the password
    (an unusable hash), the student number, the class and school link, every session and
    API token; the account can no longer log in. What stays: the attempts and answers,
    now of an anonymous account, so every contest's question statistics, participant
    counts and other people's ranks stay as they were. The school no longer counts the
    account (its rankings change accordingly). The caller rebuilds the boards of the
    returned contests (``rebuild_after_deletion``) so no board shows the old name.
    The audit event names the account id only, never the deleted data.
    """
    from quiz.play.models import Attempt

    found = get_student(actor.user, student_id, manage=True)
    user, school = found.user, found.school
    contest_ids = sorted(
        set(db.session.scalars(select(Attempt.contest_id).where(Attempt.user_id == user.id)))
    )
    user.display_name = DELETED_NAME
    user.username = f"deleted-{user.id}"
    user.username_key = user.username
    user.password_hash = "!"  # matches no password: check_password_hash is always false
    user.is_active_account = False
    user.must_change_password = False
    user.school_id = None
    user.session_version = (user.session_version or 1) + 1
    user.totp_secret = None
    revoke_tokens(user)
    db.session.execute(delete(SchoolStudent).where(SchoolStudent.user_id == user.id))
    record(
        actor,
        action="student.delete_data",
        object_type="user",
        object_id=user.id,
        school_id=school.id,
        now=now,
        after={"contests": contest_ids},
    )
    db.session.flush()
    return contest_ids


def rebuild_after_deletion(contest_ids: Sequence[int], now: datetime) -> None:
    """Rebuild the boards (people, school rankings) of the contests a deletion touched."""
    from quiz.leaderboards.services import rebuild

    rebuild(now, contest_ids)


def username_for(school_id: int, student_number: str, taken: set[str]) -> str:
    """A readable, unique username: ``s<school>-<number>``, a suffix if it is taken."""
    digits = re.sub(r"[^A-Za-z0-9]", "", student_number)[:20] or secrets.token_hex(3)
    base = f"s{school_id}-{digits}".lower()
    candidate, n = base, 1
    while candidate in taken or db.session.scalar(
        select(User.id).where(User.username_key == candidate)
    ):
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate

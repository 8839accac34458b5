"""Setting up contests: the operations behind the organizer console.

Every write here is one transaction that also records an audit event (who, what, before
and after) through ``quiz.audit.services.record``, so a contest's log always matches its
data. Routes never change a contest, league or round except through these functions.

The fairness rule for rounds lives here too (``unfair_changes``): once a round has opened
or anyone has started it, what decides a score (questions, points, time, windows) is
frozen; only changes that cannot disadvantage anyone already playing are accepted.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from anyascii import anyascii
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from question_bank import TRUE_FALSE_LABELS, DrawPart, DrawRule, Kind
from quiz.accounts.models import Role, User, UserRole
from quiz.accounts.services import USERNAME_RE, username_key
from quiz.audit import pages as audit_pages
from quiz.audit.models import AuditEvent
from quiz.audit.pages import AuditRow
from quiz.audit.services import changed, record, snapshot
from quiz.banks.media_routes import shown as shown_pictures
from quiz.banks.models import BankCategory, Question, QuestionBank, QuestionText
from quiz.banks.services import category_names, drawing_pool
from quiz.contests.models import (
    Contest,
    ContestInvite,
    ContestOrganizer,
    Enrollment,
    League,
    LeagueScheme,
    Registration,
    ReviewPolicy,
    Round,
    RoundState,
)
from quiz.contests.services import (
    MAX_TIME_LIMIT_SECONDS,
    add_region_leagues,
    certificate_min_points_error,
    new_contest,
    new_league,
    new_round,
    unequal_maximum_errors,
)
from quiz.edge.client import Actor
from quiz.errors import Conflict, ValidationFailed
from quiz.extensions import db
from quiz.i18n import LANGUAGE_NAMES, LANGUAGES, LOCALES, current_language
from quiz.leaderboards.services import forget_round_boards
from quiz.names import check_name
from quiz.play.models import Attempt
from quiz.play.services import display_key, draw_items
from quiz.regions.models import Region
from quiz.schools.models import School
from quiz.sql import insert_ignore, rows_changed
from quiz.unit_of_work import after_commit

CONTEST_FIELDS = (
    "slug",
    "title_zh",
    "title_mn",
    "description_zh",
    "description_mn",
    "starts_at",
    "published",
    "league_scheme",
    "registration",
    "join_code",
)
LEAGUE_FIELDS = ("code", "kind", "name_zh", "name_mn", "region_code", "school_id", "position")
ROUND_FIELDS = (
    "title_zh",
    "title_mn",
    "stage",
    "opens_at",
    "closes_at",
    "time_limit_seconds",
    "bank_id",
    "draw_rule",
    "languages",
    "max_attempts",
    "review_policy",
    "partial_credit",
    "live_scores",
    "points_by_difficulty",
    "speed_bonus",
    "certificate_min_points",
)
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in class
JOIN_CODE_LENGTH = 8  # generated codes: 32^8, about 10^12
# Typed codes: at least 6 characters (issue 13). Together with the enrollment rate limits
# (``join-user``, ``join-ip`` in quiz/accounts/ratelimits.py) guessing takes years.
JOIN_CODE_MIN = 6
JOIN_CODE_RE = rf"[A-Za-z0-9-]{{{JOIN_CODE_MIN},32}}"
MAX_INVITES_PER_UPLOAD = 100_000
MAX_ATTEMPTS_LIMIT = 100
MAX_POINTS = 1000
DIFFICULTIES = ("1", "2", "3")
# Review policies from the earliest to the latest moment the key is shown: after opening
# a round may only move to the right (answers shown later, never earlier).
REVIEW_ORDER = (ReviewPolicy.AFTER_FINISH, ReviewPolicy.AFTER_CLOSE, ReviewPolicy.NEVER)
AUDIT_PAGE = 50


def _fail(name: str, message: Any) -> ValidationFailed:
    return ValidationFailed({name: [message]})


# The console home ----------------------------------------------------------------------


@dataclass(frozen=True)
class ContestSummary:
    contest: Contest
    state: str  # draft, upcoming, running, finished
    rounds: int
    leagues: int
    enrollments: int


def contest_state(contest: Contest, now: datetime) -> str:
    """Draft (unpublished), else by its rounds: running if one is open, finished when
    every round is closed, upcoming otherwise."""
    if not contest.published:
        return "draft"
    states = [r.state(now) for r in contest.rounds]
    if RoundState.OPEN in states:
        return "running"
    if states and all(s is RoundState.CLOSED for s in states):
        return "finished"
    return "upcoming"


def organized_contests(user: User, now: datetime) -> list[ContestSummary]:
    """The contests ``user`` runs (admins: all), newest first, with their counts."""
    query = select(Contest).order_by(Contest.starts_at.desc(), Contest.id.desc())
    if Role.ADMIN not in user.roles:
        query = query.join(ContestOrganizer, ContestOrganizer.contest_id == Contest.id).where(
            ContestOrganizer.user_id == user.id
        )
    contests = db.session.scalars(query).all()
    ids = [c.id for c in contests]

    def counts(model: Any) -> dict[int, int]:
        if not ids:
            return {}
        rows = db.session.execute(
            select(model.contest_id, func.count())
            .where(model.contest_id.in_(ids))
            .group_by(model.contest_id)
        )
        return {contest_id: count for contest_id, count in rows}

    rounds, leagues, enrollments = counts(Round), counts(League), counts(Enrollment)
    return [
        ContestSummary(
            contest=c,
            state=contest_state(c, now),
            rounds=rounds.get(c.id, 0),
            leagues=leagues.get(c.id, 0),
            enrollments=enrollments.get(c.id, 0),
        )
        for c in contests
    ]


# Contests ------------------------------------------------------------------------------


@dataclass
class ContestData:
    slug: str
    title_zh: str
    title_mn: str = ""
    description_zh: str = ""
    description_mn: str = ""
    starts_at: datetime | None = None
    published: bool = False
    league_scheme: str = LeagueScheme.REGION
    registration: str = Registration.OPEN
    join_code: str = ""


SLUG_BASE_LENGTH = 40
SLUG_SUFFIX_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def slug_from_titles(*titles: str) -> str:
    """A short ASCII name for links from the first title that gives one.

    Chinese comes out as pinyin (2026年科普日 -> 2026-nian-ke-pu-ri), Mongolian script in
    Latin letters, cut at a word boundary; ``contest`` when no title gives two characters.
    """
    for title in titles:
        latin = anyascii(title or "")
        latin = re.sub(r"(?<=[A-Za-z0-9])(?=[A-Z])", " ", latin)  # one syllable a word
        slug = ""
        for word in re.findall(r"[a-z0-9]+", latin.lower()):
            longer = f"{slug}-{word}" if slug else word
            if len(longer) > SLUG_BASE_LENGTH:
                break
            slug = longer
        if len(slug) >= 2:
            return slug
    return "contest"


def free_slug(base: str) -> str:
    """``base``, or ``base`` with a short random suffix when another contest has it."""
    slug = base
    while db.session.scalar(select(Contest.id).where(Contest.slug == slug)) is not None:
        slug = base + "-" + "".join(secrets.choice(SLUG_SUFFIX_ALPHABET) for _ in range(4))
    return slug


def generate_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def _contest_errors(data: ContestData, contest: Contest | None) -> dict[str, list]:
    errors: dict[str, list] = {}
    data.slug = (data.slug or "").strip().lower()
    data.title_zh = (data.title_zh or "").strip()
    data.title_mn = (data.title_mn or "").strip()
    data.join_code = (data.join_code or "").strip()
    if not data.slug:  # left empty: the current one, or one made from the title
        data.slug = (
            contest.slug if contest else free_slug(slug_from_titles(data.title_zh, data.title_mn))
        )
    if not SLUG_RE.match(data.slug):
        errors["slug"] = [_l("Use 2 to 64 lowercase letters, digits or hyphens.")]
    else:
        taken = db.session.scalar(select(Contest.id).where(Contest.slug == data.slug))
        if taken is not None and (contest is None or taken != contest.id):
            errors["slug"] = [_l("This short name is taken.")]
    if not data.title_zh or len(data.title_zh) > 200:
        errors["title_zh"] = [_l("Give a Chinese title of 1 to 200 characters.")]
    if len(data.title_mn) > 400:
        errors["title_mn"] = [_l("The Mongolian title is too long.")]
    check_name(errors, "title_zh", data.title_zh)
    check_name(errors, "title_mn", data.title_mn)
    if data.starts_at is None:
        errors["starts_at"] = [_l("Give a date and time.")]
    if data.league_scheme not in set(LeagueScheme):
        errors["league_scheme"] = [_l("Choose how leagues are formed.")]
    elif (
        contest is not None
        and data.league_scheme != contest.league_scheme
        and db.session.scalar(select(Enrollment.id).where(Enrollment.contest_id == contest.id))
    ):
        errors["league_scheme"] = [
            _l("People have joined already: the league scheme can no longer change.")
        ]
    if data.registration not in set(Registration):
        errors["registration"] = [_l("Choose how people join.")]
    if data.registration == Registration.JOIN_CODE:
        if not data.join_code:
            data.join_code = generate_join_code()
        elif not re.fullmatch(JOIN_CODE_RE, data.join_code) and not (
            contest is not None and data.join_code == contest.join_code
        ):  # a shorter code from before issue 13 keeps working until it is replaced
            errors["join_code"] = [
                _l("Use %(n)d to 32 letters, digits or hyphens.", n=JOIN_CODE_MIN)
            ]
    return errors


def create_contest(data: ContestData, actor: Actor, now: datetime) -> Contest:
    """A new contest run by ``actor``; a region contest gets its 12 leagues at once."""
    errors = _contest_errors(data, None)
    if errors:
        raise ValidationFailed(errors)
    assert data.starts_at is not None
    contest = new_contest(
        slug=data.slug,
        title_zh=data.title_zh,
        title_mn=data.title_mn,
        description_zh=data.description_zh,
        description_mn=data.description_mn,
        starts_at=data.starts_at,
        now=now,
        created_by=actor.user,
        league_scheme=data.league_scheme,
        published=data.published,
        registration=data.registration,
        join_code=data.join_code or None,
    )
    record(
        actor,
        action="contest.create",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=now,
        after=snapshot(contest, CONTEST_FIELDS),
    )
    _flush_or_slug_taken()
    return contest


def _flush_or_slug_taken() -> None:
    try:
        with db.session.begin_nested():  # a savepoint: the request's transaction stays usable
            db.session.flush()
    except IntegrityError as exc:  # a concurrent request took the slug first
        raise _fail("slug", _l("This short name is taken.")) from exc


def update_contest(contest: Contest, data: ContestData, actor: Actor, now: datetime) -> Contest:
    errors = _contest_errors(data, contest)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(contest, CONTEST_FIELDS)
    for name in CONTEST_FIELDS:
        value = getattr(data, name)
        if name == "join_code":
            value = value if data.registration == Registration.JOIN_CODE else contest.join_code
        setattr(contest, name, str(value) if name in ("league_scheme", "registration") else value)
    was, now_is = changed(before, snapshot(contest, CONTEST_FIELDS))
    if was or now_is:
        record(
            actor,
            action="contest.update",
            object_type="contest",
            object_id=contest.id,
            contest_id=contest.id,
            now=now,
            before=was,
            after=now_is,
        )
    _flush_or_slug_taken()
    return contest


def new_join_code(contest: Contest, actor: Actor, now: datetime) -> str:
    """Replace the join code (the old one stops working at once)."""
    before = snapshot(contest, ("registration", "join_code"))
    contest.join_code = generate_join_code()
    contest.registration = Registration.JOIN_CODE
    record(
        actor,
        action="contest.join_code",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=now,
        before=before,
        after=snapshot(contest, ("registration", "join_code")),
    )
    db.session.flush()
    return contest.join_code


# Organizers ----------------------------------------------------------------------------


def contest_organizers(contest: Contest) -> Sequence[User]:
    return db.session.scalars(
        select(User)
        .join(ContestOrganizer, ContestOrganizer.user_id == User.id)
        .where(ContestOrganizer.contest_id == contest.id)
        .order_by(User.username_key)
    ).all()


def add_organizer(contest: Contest, username: str, actor: Actor, now: datetime) -> User:
    """Let another organizer run this contest; only accounts with the organizer role."""
    user = db.session.scalar(select(User).where(User.username_key == username_key(username or "")))
    if user is None:
        raise _fail("username", _l("No account has this username."))
    is_organizer = db.session.scalar(
        select(UserRole.user_id).where(
            UserRole.user_id == user.id, UserRole.role.in_([Role.ORGANIZER, Role.ADMIN])
        )
    )
    if is_organizer is None:
        raise _fail("username", _l("This account is not an organizer."))
    inserted = db.session.scalar(
        insert_ignore(ContestOrganizer, ["contest_id", "user_id"])
        .values(contest_id=contest.id, user_id=user.id)
        .returning(ContestOrganizer.user_id)
    )
    if inserted is None:  # nothing was written
        raise _fail("username", _l("This person already runs the contest."))
    record(
        actor,
        action="contest.organizer_add",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=now,
        after={"organizer": user.username},
    )
    db.session.flush()
    return user


def remove_organizer(contest: Contest, user_id: int, actor: Actor, now: datetime) -> None:
    """Remove an organizer; the last one stays, so the contest is never orphaned."""
    user = db.session.get(User, user_id)
    row = db.session.get(ContestOrganizer, (contest.id, user_id))
    if row is None or user is None:
        raise Conflict(_l("This person does not run the contest."), code="not_organizer")
    if len(contest_organizers(contest)) <= 1:
        raise Conflict(_l("A contest keeps at least one organizer."), code="last_organizer")
    db.session.delete(row)
    record(
        actor,
        action="contest.organizer_remove",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=now,
        before={"organizer": user.username},
    )
    db.session.flush()


# The allow-list ------------------------------------------------------------------------


@dataclass
class InviteResult:
    added: int = 0
    already: int = 0
    invalid: list[str] = field(default_factory=list)
    without_account: int = 0


def usernames_from_text(text: str) -> list[str]:
    """Usernames separated by new lines, commas, semicolons, tabs or spaces."""
    return [name for name in re.split(r"[\s,;，；]+", text or "") if name]


def usernames_from_csv(data: bytes) -> list[str]:
    """The first column of a CSV file (UTF-8, with or without BOM); a header
    ``username`` (or 用户名) is skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail("file", _l("The file is not UTF-8 text.")) from exc
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise _fail("file", _l("The file is not a valid CSV file.")) from exc
    names = [row[0].strip() for row in rows if row and row[0].strip()]
    if names and names[0].casefold() in ("username", "用户名"):
        names = names[1:]
    return names


INVITES_SHOWN = 500


def invites(contest: Contest, limit: int = INVITES_SHOWN) -> Sequence[ContestInvite]:
    """The first names of the list in order (a list can hold a whole region's pupils)."""
    return db.session.scalars(
        select(ContestInvite)
        .where(ContestInvite.contest_id == contest.id)
        .order_by(ContestInvite.username_key)
        .limit(limit)
    ).all()


def invite_count(contest: Contest) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ContestInvite)
            .where(ContestInvite.contest_id == contest.id)
        )
        or 0
    )


def add_invites(
    contest: Contest, usernames: Iterable[str], actor: Actor, now: datetime
) -> InviteResult:
    """Put usernames on the allow-list (idempotent: a name already there is counted, not
    doubled). Names that break the username rules are reported and nothing is stored."""
    result = InviteResult()
    keys: list[str] = []
    for name in usernames:
        if not USERNAME_RE.match(name):
            result.invalid.append(name[:40])
        else:
            keys.append(username_key(name))
    if result.invalid:
        raise _fail(
            "usernames",
            _l("Not valid usernames: %(names)s", names=", ".join(result.invalid[:10])),
        )
    keys = list(dict.fromkeys(keys))
    if not keys:
        raise _fail("usernames", _l("Give at least one username."))
    if len(keys) > MAX_INVITES_PER_UPLOAD:
        raise _fail("usernames", _l("At most %(n)d names at a time.", n=MAX_INVITES_PER_UPLOAD))
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        # Bound to the accounts that have these names now; a name nobody has yet stays
        # unbound until an organizer confirms the account that registers it.
        accounts: dict[str, int] = {
            key: user_id
            for key, user_id in db.session.execute(
                select(User.username_key, User.id).where(User.username_key.in_(chunk))
            )
        }
        inserted = db.session.scalars(
            insert_ignore(ContestInvite, ["contest_id", "username_key"])
            .values(
                [
                    {
                        "contest_id": contest.id,
                        "username_key": k,
                        "invited_at": now,
                        "user_id": accounts.get(k),
                    }
                    for k in chunk
                ]
            )
            .returning(ContestInvite.username_key)
        ).all()
        result.added += len(inserted)
        result.without_account += len(chunk) - len(accounts)
    result.already = len(keys) - result.added
    record(
        actor,
        action="contest.invites_add",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=now,
        after={"added": result.added, "usernames": keys[:50]},
    )
    db.session.flush()
    return result


@dataclass(frozen=True)
class InviteRow:
    """One name of the list as the organizer sees it."""

    username_key: str
    invited_at: datetime
    # "bound": admits its account; "no_account": nobody has the name yet; "to_confirm":
    # someone registered the name after it was listed (admitted once confirmed).
    state: str
    display_name: str | None = None
    registered_at: datetime | None = None


def invite_rows(contest: Contest, limit: int = INVITES_SHOWN) -> list[InviteRow]:
    """The first names of the list, each with whether it admits anyone yet."""
    rows = db.session.execute(
        select(ContestInvite, User)
        .outerjoin(User, User.username_key == ContestInvite.username_key)
        .where(ContestInvite.contest_id == contest.id)
        .order_by(ContestInvite.username_key)
        .limit(limit)
    ).all()
    shown = []
    for invite, user in rows:
        if invite.user_id is not None:
            state = "bound"
        elif user is None:
            state = "no_account"
        else:
            state = "to_confirm"
        shown.append(
            InviteRow(
                invite.username_key,
                invite.invited_at,
                state,
                user.display_name if user is not None and state == "to_confirm" else None,
                user.created_at if user is not None and state == "to_confirm" else None,
            )
        )
    return shown


def confirm_invite(contest: Contest, key: str, actor: Actor, now: datetime) -> User:
    """Bind a listed name nobody had when it was listed to the account that has it now.

    The organizer has checked that this account is the person they meant (the page shows
    its display name and when it was registered)."""
    invite = db.session.get(ContestInvite, (contest.id, key))
    if invite is None:
        raise Conflict(_l("This name is not on the list."), code="not_invited")
    user = db.session.scalar(select(User).where(User.username_key == key))
    if invite.user_id is not None or user is None:
        raise Conflict(
            _l("Only a name registered after it was listed can be confirmed."),
            code="nothing_to_confirm",
        )
    invite.user_id = user.id
    record(
        actor,
        action="contest.invite_confirm",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=now,
        after={"username": key, "user_id": user.id},
    )
    db.session.flush()
    return user


def remove_invite(contest: Contest, key: str, actor: Actor, now: datetime) -> None:
    """Take a name off the list. Someone who already joined stays enrolled."""
    removed = rows_changed(
        delete(ContestInvite).where(
            ContestInvite.contest_id == contest.id, ContestInvite.username_key == key
        )
    )
    if not removed:  # nothing was deleted
        raise Conflict(_l("This name is not on the list."), code="not_invited")
    record(
        actor,
        action="contest.invite_remove",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=now,
        before={"username": key},
    )
    db.session.flush()


# Leagues -------------------------------------------------------------------------------

AGE_GROUPS = (
    ("primary", _l("Primary school group")),
    ("middle", _l("Middle school group")),
    ("public", _l("Public group")),
)
PRESETS = ("regions", "age_groups", "schools")


def _in_both_languages(message: Any) -> tuple[str, str]:
    """(Chinese, Mongolian) of a msgid, from the two catalogs."""
    names = []
    for language in ("zh", "mn"):
        with force_locale(LOCALES[language]):
            names.append(str(message))  # a lazy string translates when read
    return names[0], names[1]


def _record_league(action: str, league: League, actor: Actor, now: datetime, **kw: Any) -> None:
    record(
        actor,
        action=action,
        object_type="league",
        object_id=league.id,
        contest_id=league.contest_id,
        now=now,
        **kw,
    )


def _league_errors(contest: Contest, code: str, name_zh: str, league: League | None) -> dict:
    errors: dict[str, list] = {}
    if not CODE_RE.match(code):
        errors["code"] = [_l("Use 1 to 64 letters, digits, dots, hyphens or underscores.")]
    else:
        taken = db.session.scalar(
            select(League.id).where(League.contest_id == contest.id, League.code == code)
        )
        if taken is not None and (league is None or taken != league.id):
            errors["code"] = [_l("Another league of this contest has this code.")]
    if not name_zh or len(name_zh) > 128:
        errors["name_zh"] = [_l("Give a Chinese name of 1 to 128 characters.")]
    return errors


def add_league(
    contest: Contest, *, code: str, name_zh: str, name_mn: str, actor: Actor, now: datetime
) -> League:
    code, name_zh, name_mn = code.strip(), name_zh.strip(), name_mn.strip()
    errors = _league_errors(contest, code, name_zh, None)
    if len(name_mn) > 256:
        errors["name_mn"] = [_l("The Mongolian name is too long.")]
    check_name(errors, "name_zh", name_zh)
    check_name(errors, "name_mn", name_mn)
    if errors:
        raise ValidationFailed(errors)
    league = new_league(contest, code=code, name_zh=name_zh, name_mn=name_mn)
    _record_league("league.create", league, actor, now, after=snapshot(league, LEAGUE_FIELDS))
    db.session.flush()
    return league


def update_league(
    league: League, *, code: str, name_zh: str, name_mn: str, actor: Actor, now: datetime
) -> League:
    code, name_zh, name_mn = code.strip(), name_zh.strip(), name_mn.strip()
    errors = _league_errors(league.contest, code, name_zh, league)
    if len(name_mn) > 256:
        errors["name_mn"] = [_l("The Mongolian name is too long.")]
    check_name(errors, "name_zh", name_zh)
    check_name(errors, "name_mn", name_mn)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(league, LEAGUE_FIELDS)
    league.code, league.name_zh, league.name_mn = code, name_zh, name_mn
    was, now_is = changed(before, snapshot(league, LEAGUE_FIELDS))
    if was:
        _record_league("league.update", league, actor, now, before=was, after=now_is)
    db.session.flush()
    return league


def league_in_use(league: League) -> bool:
    return (
        db.session.scalar(select(Enrollment.id).where(Enrollment.league_id == league.id).limit(1))
        is not None
        or db.session.scalar(select(Attempt.id).where(Attempt.league_id == league.id).limit(1))
        is not None
    )


def remove_league(league: League, actor: Actor, now: datetime) -> None:
    """Remove a league nobody has joined (results are kept with their league)."""
    if league_in_use(league):
        raise Conflict(
            _l("People have joined this league: it cannot be removed."), code="league_in_use"
        )
    before = snapshot(league, LEAGUE_FIELDS)
    league_id = league.id
    contest = league.contest
    contest.leagues.remove(league)
    db.session.delete(league)
    record(
        actor,
        action="league.delete",
        object_type="league",
        object_id=league_id,
        contest_id=contest.id,
        now=now,
        before=before,
    )
    try:
        with db.session.begin_nested():  # a savepoint: the request's transaction stays usable
            db.session.flush()
    except IntegrityError as exc:  # someone joined it meanwhile (the foreign key says so)
        raise Conflict(
            _l("People have joined this league: it cannot be removed."), code="league_in_use"
        ) from exc


def add_preset_leagues(
    contest: Contest, preset: str, actor: Actor, now: datetime, region_code: str | None = None
) -> list[League]:
    """Add a ready-made set of leagues: the 12 盟市, the three age groups, or one league
    per school of a 盟市. Leagues whose code the contest already has are left alone."""
    existing = {lg.code for lg in contest.leagues}
    added: list[League] = []
    if preset == "regions":
        if any(lg.region_code for lg in contest.leagues):
            raise _fail("preset", _l("This contest has its region leagues already."))
        added = add_region_leagues(contest)
    elif preset == "age_groups":
        for code, message in AGE_GROUPS:
            if code in existing:
                continue
            name_zh, name_mn = _in_both_languages(message)
            added.append(
                new_league(
                    contest,
                    code=code,
                    name_zh=name_zh,
                    name_mn=name_mn,
                    kind=LeagueScheme.AGE_GROUP,
                )
            )
    elif preset == "schools":
        region = db.session.get(Region, region_code) if region_code else None
        if region is None or region.parent_code is not None:
            raise _fail("region_code", _l("Choose a league or city."))
        schools = db.session.scalars(
            select(School)
            .join(Region, Region.code == School.region_code)
            .where(Region.parent_code == region.code)
            .order_by(School.region_code, School.id)
        ).all()
        for school in schools:
            code = f"school-{school.id}"
            if code in existing:
                continue
            added.append(
                new_league(
                    contest,
                    code=code,
                    name_zh=school.name_zh,
                    name_mn=school.name_mn,
                    kind=LeagueScheme.SCHOOL,
                    school_id=school.id,
                )
            )
    else:
        raise _fail("preset", _l("Unknown set of leagues."))
    if not added:
        raise _fail("preset", _l("No league was added: the contest has them all already."))
    db.session.flush()
    record(
        actor,
        action="league.preset",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=now,
        after={"preset": preset, "codes": [lg.code for lg in added]},
    )
    db.session.flush()
    return added


# Rounds: what the bank offers ----------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """How many questions a bank offers per (category, difficulty), for the round's
    languages together (what a draw uses) and for each language alone."""

    categories: list[tuple[str, str, str]]  # (slug, name_zh, name_mn)
    combined: dict[tuple[str | None, int | None], int]
    by_language: dict[str, dict[tuple[str | None, int | None], int]]

    def count(self, category: str | None, difficulty: int | None) -> int:
        return self.combined.get((category, difficulty), 0)


def _selector_counts(
    pool: Any, categories: Iterable[str]
) -> dict[tuple[str | None, int | None], int]:
    counts = {}
    for category in [*categories, None]:
        for difficulty in (1, 2, 3, None):
            counts[(category, difficulty)] = pool.available(DrawPart(1, category, difficulty))
    return counts


def availability(bank_id: int, languages: Sequence[str]) -> Availability:
    """Counts from the same drawing pool the round's attempts will draw from."""
    categories = [
        (c.slug, c.name_zh, c.name_mn)
        for c in db.session.scalars(
            select(BankCategory).where(BankCategory.bank_id == bank_id).order_by(BankCategory.slug)
        )
    ]
    known = {c[0] for c in categories}
    for (slug,) in db.session.execute(
        select(Question.category).where(Question.bank_id == bank_id).distinct()
    ):
        if slug not in known:
            categories.append((slug, slug, ""))
            known.add(slug)
    slugs = [c[0] for c in categories]
    languages = [lang for lang in languages if lang in LANGUAGES] or list(LANGUAGES)
    combined = _selector_counts(drawing_pool(bank_id, list(languages)).pool, slugs)
    by_language = {
        lang: _selector_counts(drawing_pool(bank_id, [lang]).pool, slugs) for lang in languages
    }
    return Availability(categories=categories, combined=combined, by_language=by_language)


def _meet(a: str | int | None, b: str | int | None) -> tuple[bool, str | int | None]:
    """The intersection of two filters on one axis (None = any): (overlaps, filter)."""
    if a is None:
        return True, b
    if b is None or a == b:
        return True, a
    return False, None


def draw_rule_errors(bank_id: int, languages: Sequence[str], draw_rule: list[dict]) -> list[str]:
    """Why the bank cannot serve this rule to *every* participant, or [] if it can.

    A draw takes the parts in order, each avoiding earlier picks. In the worst case an
    earlier part whose filter overlaps this one took all its questions from the overlap,
    so a part is safe when ``available − Σ min(earlier count, overlap) ≥ count``. That is
    checked against the pool of questions present in every language of the round.
    """
    try:
        rule = DrawRule.from_json(draw_rule)
    except ValueError as exc:
        return [str(exc)]
    pools = {"": drawing_pool(bank_id, list(languages)).pool}
    for lang in languages:
        pools[lang] = drawing_pool(bank_id, [lang]).pool
    problems: list[str] = []
    names = category_names(bank_id, current_language())
    for number, part in enumerate(rule.parts):
        available = pools[""].available(part)
        taken = 0
        for earlier in rule.parts[:number]:
            same_c, category = _meet(part.category, earlier.category)
            same_d, difficulty = _meet(part.difficulty, earlier.difficulty)
            if same_c and same_d:
                overlap = pools[""].available(DrawPart(1, category, difficulty))  # type: ignore[arg-type]
                taken += min(earlier.count, overlap)
        if available - taken < part.count:
            per_language = ", ".join(
                f"{LANGUAGE_NAMES[lang]} {pools[lang].available(part)}" for lang in languages
            )
            problems.append(
                _(
                    "%(part)s: %(wanted)d wanted, %(left)d available in all languages of the"
                    " round (%(each)s).",
                    part=_part_label(part, names),
                    wanted=part.count,
                    left=max(0, available - taken),
                    each=per_language,
                )
            )
    return problems


def _part_label(part: DrawPart, names: dict[str, str]) -> str:
    category = names.get(part.category, part.category) if part.category else _("Any category")
    difficulty = (
        _("difficulty %(n)d", n=part.difficulty) if part.difficulty else _("Any difficulty")
    )
    return f"{category} / {difficulty}"


def rule_from_cells(
    cells: dict[tuple[str | None, int | None], int],
    row_points: dict[str | None, int] | None = None,
) -> list[dict]:
    """A stored draw rule from the table's cells: the narrow filters first, so the
    broader parts take what is left (and the worst case above stays small).

    ``row_points``: per row (category, None for "any category"), the points of each
    question its "any difficulty" cell draws (``DrawPart.points``).
    """
    row_points = row_points or {}

    def order(key: tuple[str | None, int | None]) -> tuple[int, str, int]:
        category, difficulty = key
        width = (category is None) * 2 + (difficulty is None)
        return (width, category or "", difficulty or 0)

    rule = []
    for key in sorted((k for k, v in cells.items() if v > 0), key=order):
        item: dict[str, Any] = {"count": cells[key]}
        if key[0] is not None:
            item["category"] = key[0]
        if key[1] is not None:
            item["difficulty"] = key[1]
        elif row_points.get(key[0]) is not None:
            item["points"] = row_points[key[0]]
        rule.append(item)
    return rule


def row_points_from_rule(draw_rule: list[dict]) -> dict[str | None, int]:
    """The table's "points each" per row, from a stored rule (parts of any difficulty)."""
    return {
        part.get("category"): int(part["points"])
        for part in draw_rule or []
        if part.get("difficulty") is None and part.get("points") is not None
    }


def cells_from_rule(draw_rule: list[dict]) -> dict[tuple[str | None, int | None], int]:
    cells: dict[tuple[str | None, int | None], int] = {}
    for part in draw_rule or []:
        key = (part.get("category"), part.get("difficulty"))
        cells[key] = cells.get(key, 0) + int(part.get("count", 0))
    return cells


# Rounds: create and edit ---------------------------------------------------------------


@dataclass
class RoundData:
    title_zh: str
    opens_at: datetime
    closes_at: datetime
    time_limit_seconds: int
    bank_id: int
    draw_rule: list[dict]
    languages: list[str]
    title_mn: str = ""
    stage: str = "preliminary"
    max_attempts: int = 1
    review_policy: str = ReviewPolicy.AFTER_FINISH
    partial_credit: bool = False
    live_scores: bool = False
    points_by_difficulty: dict[str, int] = field(
        default_factory=lambda: {"1": 10, "2": 15, "3": 20}
    )
    speed_bonus: bool = False
    certificate_min_points: int = 1

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ROUND_FIELDS}

    @classmethod
    def of(cls, round_: Round) -> RoundData:
        """The round as it is: the starting point of an edit."""
        values = {name: getattr(round_, name) for name in ROUND_FIELDS}
        values["draw_rule"] = [dict(part) for part in round_.draw_rule]
        values["languages"] = list(round_.languages)
        values["points_by_difficulty"] = dict(round_.points_by_difficulty)
        return cls(**values)


def _round_errors(data: RoundData) -> dict[str, list]:
    errors: dict[str, list] = {}
    data.title_zh = (data.title_zh or "").strip()
    data.title_mn = (data.title_mn or "").strip()
    if not data.title_zh or len(data.title_zh) > 200:
        errors["title_zh"] = [_l("Give a Chinese title of 1 to 200 characters.")]
    if len(data.title_mn) > 400:
        errors["title_mn"] = [_l("The Mongolian title is too long.")]
    check_name(errors, "title_zh", data.title_zh)
    check_name(errors, "title_mn", data.title_mn)
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = [_l("The round must close after it opens.")]
    if not 10 <= data.time_limit_seconds <= MAX_TIME_LIMIT_SECONDS:
        errors["time_limit_seconds"] = [_l("The time limit must be 10 seconds to 4 hours.")]
    if not 1 <= data.max_attempts <= MAX_ATTEMPTS_LIMIT:
        errors["max_attempts"] = [_l("Allow 1 to %(n)d attempts.", n=MAX_ATTEMPTS_LIMIT)]
    if certificate_min_points_error(data.certificate_min_points):
        errors["certificate_min_points"] = [
            certificate_min_points_error(data.certificate_min_points)
        ]
    points = data.points_by_difficulty
    if sorted(points) != list(DIFFICULTIES) or not all(
        isinstance(v, int) and 0 <= v <= MAX_POINTS for v in points.values()
    ):
        errors["points_by_difficulty"] = [
            _l("Points must be whole numbers from 0 to %(n)d.", n=MAX_POINTS)
        ]
    if db.session.get(QuestionBank, data.bank_id) is None:
        errors["bank_id"] = [_l("Choose a question bank.")]
    if not data.languages or any(lang not in LANGUAGES for lang in data.languages):
        errors["languages"] = [_l("Choose Chinese, Mongolian or both.")]
    if not data.draw_rule:
        errors["draw_rule"] = [_l("Draw at least one question.")]
    elif "bank_id" not in errors and "languages" not in errors:
        problems = draw_rule_errors(data.bank_id, data.languages, data.draw_rule)
        if not problems and "points_by_difficulty" not in errors:
            problems = unequal_maximum_errors(
                data.bank_id, data.draw_rule, data.points_by_difficulty
            )
        if problems:
            errors["draw_rule"] = problems
    return errors


def create_round(contest: Contest, data: RoundData, actor: Actor, now: datetime) -> Round:
    errors = _round_errors(data)
    if errors:
        raise ValidationFailed(errors)
    round_ = new_round(contest, **data.values())
    record(
        actor,
        action="round.create",
        object_type="round",
        object_id=round_.id,
        contest_id=contest.id,
        now=now,
        after=snapshot(round_, ROUND_FIELDS),
    )
    db.session.flush()
    return round_


def round_locked(round_: Round, now: datetime) -> bool:
    """Opened, or somebody started it already (an organizer's early test run counts)."""
    if now >= round_.opens_at:
        return True
    return (
        db.session.scalar(select(Attempt.id).where(Attempt.round_id == round_.id).limit(1))
        is not None
    )


FROZEN_FIELDS = {
    "bank_id": _l("The question bank cannot change after the round has opened."),
    "draw_rule": _l("The drawing rule cannot change after the round has opened."),
    "points_by_difficulty": _l("The points cannot change after the round has opened."),
    "partial_credit": _l("Partial credit cannot change after the round has opened."),
    "speed_bonus": _l("The speed bonus cannot change after the round has opened."),
    "time_limit_seconds": _l("The time limit cannot change after the round has opened."),
    "opens_at": _l("The opening time cannot change after the round has opened."),
    "live_scores": _l("Live scores cannot be switched after the round has opened."),
}


def unfair_changes(round_: Round, data: RoundData, now: datetime) -> dict[str, list]:
    """The changes that would treat participants unequally, by field (empty if fair).

    Before the round opens (and with no attempt) everything may change. Afterwards:
    titles and the stage label freely, the closing time only later, languages only added
    (and only one the bank covers for the whole rule), attempts only more, and the review
    policy only towards showing the answers later. Everything that decides a score is
    frozen.
    """
    if not round_locked(round_, now):
        return {}
    errors: dict[str, list] = {}
    for name, message in FROZEN_FIELDS.items():
        old, new = getattr(round_, name), getattr(data, name)
        if name == "draw_rule":
            old = cells_from_rule(old), row_points_from_rule(old)
            new = cells_from_rule(new), row_points_from_rule(new)
        if old != new:
            errors[name] = [message]
    if data.closes_at < round_.closes_at:
        errors["closes_at"] = [_l("After opening, the closing time can only move later.")]
    removed = set(round_.languages) - set(data.languages)
    if removed:
        errors["languages"] = [_l("A language cannot be removed after the round has opened.")]
    elif set(data.languages) != set(round_.languages) and "bank_id" not in errors:
        problems = draw_rule_errors(round_.bank_id, data.languages, round_.draw_rule)
        if problems:
            errors["languages"] = [
                _l("The bank does not have the round's questions in the added language."),
                *problems,
            ]
    if data.max_attempts < round_.max_attempts:
        errors["max_attempts"] = [_l("After opening, attempts can only be added.")]
    if data.review_policy != round_.review_policy:
        old_at = REVIEW_ORDER.index(ReviewPolicy(round_.review_policy))
        new_at = REVIEW_ORDER.index(ReviewPolicy(data.review_policy))
        if new_at < old_at:
            errors["review_policy"] = [
                _l("After opening, answers can only be shown later, never earlier.")
            ]
    return errors


def update_round(round_: Round, data: RoundData, actor: Actor, now: datetime) -> Round:
    """Apply an edit, refusing it whole (nothing changes) if any part is unfair."""
    errors = _round_errors(data)
    if not errors:
        errors = unfair_changes(round_, data, now)
    if errors:
        raise ValidationFailed(
            errors, message=_l("The round was not changed: correct the fields below.")
        )
    before = snapshot(round_, ROUND_FIELDS)
    for name, value in data.values().items():
        setattr(round_, name, value)
    was, now_is = changed(before, snapshot(round_, ROUND_FIELDS))
    if was or now_is:
        record(
            actor,
            action="round.update",
            object_type="round",
            object_id=round_.id,
            contest_id=round_.contest_id,
            now=now,
            before=was,
            after=now_is,
        )
    db.session.flush()
    round_id = round_.id
    after_commit(db.session(), lambda: forget_round_boards(round_id))
    return round_


def banks() -> Sequence[QuestionBank]:
    return db.session.scalars(select(QuestionBank).order_by(QuestionBank.title_zh)).all()


# Preview -------------------------------------------------------------------------------


@dataclass
class PreviewOption:
    key: str
    text: str
    correct: bool
    media: list[dict] = field(default_factory=list)


@dataclass
class PreviewQuestion:
    no: int
    kind: str
    category: str
    difficulty: int
    points: int
    text: str
    options: list[PreviewOption]
    explanation: str | None
    choice: list[str] = field(default_factory=list)  # nothing is ever chosen in a preview
    media: list[dict] = field(default_factory=list)


def preview(round_: Round, language: str, seed: int) -> list[PreviewQuestion]:
    """A sample set as a participant with this seed would get it; nothing is stored.

    The same ``draw_items`` as a real attempt (questions, order, option permutation,
    points), read-only: no attempt, no answer, no board entry, no audit event.
    """
    if language not in round_.languages:
        language = round_.languages[0]
    items = draw_items(round_, seed)
    ids = [item["question_id"] for item in items]
    rows = {
        question.id: (question, text)
        for question, text in db.session.execute(
            select(Question, QuestionText)
            .join(QuestionText, QuestionText.question_id == Question.id)
            .where(Question.id.in_(ids), QuestionText.language == language)
        )
    }
    shown = []
    for item in items:
        question, text = rows[item["question_id"]]
        labels = text.options or TRUE_FALSE_LABELS.get(language, {})
        shown.append(
            PreviewQuestion(
                no=item["no"],
                kind=question.kind,
                category=question.category,
                difficulty=question.difficulty,
                points=item["points"],
                text=text.text,
                options=[
                    PreviewOption(
                        key=display_key(i),
                        text=labels.get(original, original),
                        correct=original in question.answer,
                        media=shown_pictures(question.media, original),
                    )
                    for i, original in enumerate(item["option_order"])
                ],
                explanation=text.explanation,
                media=shown_pictures(question.media, None),
            )
        )
    return shown


# The audit log -------------------------------------------------------------------------


def audit_page(contest: Contest, before_id: int | None) -> tuple[list[AuditRow], int | None]:
    """One page of the contest's log, newest first, and the id to page on from (or None)."""
    return audit_pages.page(AuditEvent.contest_id == contest.id, before_id, AUDIT_PAGE)


def kind_label(kind: str) -> str:
    """For the preview: what kind of question it is, in the reader's language."""
    return {
        Kind.SINGLE: _("Choose one"),
        Kind.MULTIPLE: _("Choose all that apply"),
        Kind.TRUEFALSE: _("True or false"),
    }.get(Kind(kind), kind)

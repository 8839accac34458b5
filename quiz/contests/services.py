"""Contest operations: visibility, leagues, enrollment, round set-up."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, exists, literal, select
from sqlalchemy.orm import joinedload

from question_bank import DrawRule
from quiz.accounts.models import Role, User
from quiz.banks.services import category_names
from quiz.cache import app_cache
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
    Stage,
)
from quiz.errors import Conflict, Forbidden, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.i18n import LANGUAGES, current_language
from quiz.regions.models import LEAGUE_LEVEL, Region
from quiz.sql import insert_for as _insert_for
from quiz.sql import insert_ignore

DEFAULT_POINTS = {"1": 10, "2": 15, "3": 20}
MAX_TIME_LIMIT_SECONDS = 4 * 3600


def is_organizer_of(user: User | None, contest: Contest | ContestRef) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if Role.ADMIN in user.roles:
        return True
    if Role.ORGANIZER not in user.roles:
        return False
    return db.session.get(ContestOrganizer, (contest.id, user.id)) is not None


def visible_contests(user: User | None) -> list[Contest]:
    """Published contests for everyone; unpublished ones for their organizers."""
    contests = db.session.scalars(select(Contest).order_by(Contest.starts_at.desc())).all()
    return [c for c in contests if c.published or is_organizer_of(user, c)]


def get_visible_contest(contest_id: int, user: User | None) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None or not (contest.published or is_organizer_of(user, contest)):
        raise NotFound(_l("This contest does not exist."), code="contest_not_found")
    return contest


def get_visible_round(round_id: int, user: User | None) -> Round:
    # The contest comes in the same query: the visibility check below then reads it from
    # the session instead of a second round trip (on every attempt start).
    round_ = db.session.get(Round, round_id, options=[joinedload(Round.contest)])
    if round_ is None:
        raise NotFound(_l("This round does not exist."), code="round_not_found")
    get_visible_contest(round_.contest_id, user)
    return round_


@dataclass(frozen=True)
class ContestRef:
    """The little a board read needs of a contest: its id (and that it is published).

    Board reads are polled by every viewer every 1.5 s; they get this from a per-process
    copy instead of loading the contest, its round and the viewer's enrollment from SQL
    on every poll (``visible_round_ref``, ``viewer_league``).
    """

    id: int
    published: bool


# A round's contest and whether it is published change rarely (an organizer's edit); a
# board read may see such a change up to this late. Unpublished contests are never
# served from the copy: their organizer check always runs.
REF_SECONDS = 5.0
# The viewer's league only decides which league rank a board read shows; an organizer
# moving someone to another league shows there within this time.
VIEWER_LEAGUE_SECONDS = 30.0


def visible_round_ref(round_id: int, user: User | None) -> tuple[int, ContestRef]:
    """(round id, its contest) for a board read, as ``get_visible_round`` decides it."""
    found = app_cache("round_refs", REF_SECONDS).get(
        ("round", round_id),
        lambda: db.session.execute(
            select(Round.contest_id, Contest.published)
            .join(Contest, Contest.id == Round.contest_id)
            .where(Round.id == round_id)
        ).first(),
    )
    if found is None or not found.published:
        round_ = get_visible_round(round_id, user)
        return round_.id, ContestRef(round_.contest_id, round_.contest.published)
    return round_id, ContestRef(found.contest_id, True)


def round_mode(round_id: int) -> str | None:
    """A round's mode (``RoundMode``), kept per process for ``REF_SECONDS``: the mode of
    a round someone has played never changes."""
    return app_cache("round_modes", REF_SECONDS).get(
        round_id, lambda: db.session.scalar(select(Round.mode).where(Round.id == round_id))
    )


def visible_contest_ref(contest_id: int, user: User | None) -> ContestRef:
    """The contest for a board read, as ``get_visible_contest`` decides it."""
    published = app_cache("round_refs", REF_SECONDS).get(
        ("contest", contest_id),
        lambda: db.session.scalar(select(Contest.published).where(Contest.id == contest_id)),
    )
    if not published:
        return ContestRef(contest_id, get_visible_contest(contest_id, user).published)
    return ContestRef(contest_id, True)


def viewer_league(user_id: int, contest_id: int) -> int | None:
    """The league of the viewer's enrollment (None if not enrolled); positive answers are
    kept per process for ``VIEWER_LEAGUE_SECONDS``."""
    cache = app_cache("viewer_leagues", VIEWER_LEAGUE_SECONDS, max_entries=100_000)
    key = (contest_id, user_id)
    league_id = cache.get(
        key,
        lambda: db.session.scalar(
            select(Enrollment.league_id).where(
                Enrollment.contest_id == contest_id, Enrollment.user_id == user_id
            )
        ),
    )
    if league_id is None:
        cache.discard(key)  # not enrolled yet: ask again next time
    return league_id


def create_contest(**fields: Any) -> Contest:
    """Store a contest (``new_contest`` takes the fields), flushed (the caller commits)."""
    contest = new_contest(**fields)
    db.session.flush()
    return contest


def new_contest(
    *,
    slug: str,
    title_zh: str,
    title_mn: str,
    starts_at: datetime,
    now: datetime,
    created_by: User | None = None,
    league_scheme: str = LeagueScheme.REGION,
    published: bool = True,
    description_zh: str = "",
    description_mn: str = "",
    registration: str = Registration.OPEN,
    join_code: str | None = None,
) -> Contest:
    """``create_contest`` without the commit, for callers that add more to the transaction
    (the organizer console records the audit event in it)."""
    contest = Contest(
        slug=slug,
        title_zh=title_zh,
        title_mn=title_mn,
        starts_at=starts_at,
        league_scheme=str(league_scheme),
        registration=str(registration),
        join_code=join_code,
        published=published,
        description_zh=description_zh,
        description_mn=description_mn,
        created_by_id=created_by.id if created_by else None,
        created_at=now,
    )
    db.session.add(contest)
    db.session.flush()
    if created_by is not None:
        db.session.add(ContestOrganizer(contest_id=contest.id, user_id=created_by.id))
    if league_scheme == LeagueScheme.REGION:
        add_region_leagues(contest)
    return contest


def add_region_leagues(contest: Contest) -> list[League]:
    """One league per 盟市, the default division of a regional contest."""
    leagues = []
    regions = db.session.scalars(
        select(Region).where(Region.level == LEAGUE_LEVEL).order_by(Region.position)
    ).all()
    for position, region in enumerate(regions):
        league = League(
            contest_id=contest.id,
            code=region.code,
            kind=LeagueScheme.REGION,
            name_zh=region.name_zh,
            name_mn=region.name_mn,
            region_code=region.code,
            position=position,
        )
        db.session.add(league)
        leagues.append(league)
    db.session.flush()
    return leagues


def add_league(
    contest: Contest,
    *,
    code: str,
    name_zh: str,
    name_mn: str = "",
    kind: str = LeagueScheme.CUSTOM,
    school_id: int | None = None,
) -> League:
    league = new_league(
        contest, code=code, name_zh=name_zh, name_mn=name_mn, kind=kind, school_id=school_id
    )
    db.session.flush()
    return league


def new_league(
    contest: Contest,
    *,
    code: str,
    name_zh: str,
    name_mn: str = "",
    kind: str = LeagueScheme.CUSTOM,
    school_id: int | None = None,
    region_code: str | None = None,
) -> League:
    """``add_league`` without the commit (flushed, so the id is known)."""
    league = League(
        contest_id=contest.id,
        code=code,
        kind=str(kind),
        name_zh=name_zh,
        name_mn=name_mn,
        school_id=school_id,
        region_code=region_code,
        position=len(contest.leagues),
    )
    db.session.add(league)
    contest.leagues.append(league)
    db.session.flush()
    return league


def add_round(contest: Contest, **fields: Any) -> Round:
    """Validate and store a round (``new_round`` takes the fields), flushed."""
    round_ = new_round(contest, **fields)
    db.session.flush()
    return round_


def new_round(
    contest: Contest,
    *,
    title_zh: str,
    title_mn: str = "",
    opens_at: datetime,
    closes_at: datetime,
    time_limit_seconds: int,
    bank_id: int,
    draw_rule: list[dict],
    languages: list[str],
    stage: str = Stage.PRELIMINARY,
    max_attempts: int = 1,
    review_policy: str = ReviewPolicy.AFTER_FINISH,
    partial_credit: bool = False,
    live_scores: bool = False,
    points_by_difficulty: dict[str, int] | None = None,
    speed_bonus: bool = False,
    certificate_min_points: int = 1,
) -> Round:
    """``add_round`` without the commit: validates, adds and flushes the round."""
    errors: dict[str, list] = {}
    if closes_at <= opens_at:
        errors["closes_at"] = [_l("The round must close after it opens.")]
    if not 10 <= time_limit_seconds <= MAX_TIME_LIMIT_SECONDS:
        errors["time_limit_seconds"] = [_l("The time limit must be 10 seconds to 4 hours.")]
    if not languages or any(lang not in LANGUAGES for lang in languages):
        errors["languages"] = [_l("Choose Chinese, Mongolian or both.")]
    if max_attempts < 1:
        errors["max_attempts"] = [_l("Allow at least one attempt.")]
    if review_policy not in set(ReviewPolicy):
        errors["review_policy"] = [_l("Unknown review policy.")]
    if certificate_min_points_error(certificate_min_points):
        errors["certificate_min_points"] = [certificate_min_points_error(certificate_min_points)]
    try:
        DrawRule.from_json(draw_rule)
    except ValueError as exc:
        errors["draw_rule"] = [str(exc)]
    else:
        unequal = unequal_maximum_errors(
            bank_id, draw_rule, dict(points_by_difficulty or DEFAULT_POINTS)
        )
        if unequal:
            errors["draw_rule"] = unequal
    if errors:
        raise ValidationFailed(errors)
    round_ = Round(
        contest_id=contest.id,
        position=len(contest.rounds),
        stage=str(stage),
        title_zh=title_zh,
        title_mn=title_mn,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_seconds=time_limit_seconds,
        bank_id=bank_id,
        draw_rule=draw_rule,
        languages=list(languages),
        max_attempts=max_attempts,
        review_policy=str(review_policy),
        partial_credit=partial_credit,
        live_scores=live_scores,
        points_by_difficulty=dict(points_by_difficulty or DEFAULT_POINTS),
        speed_bonus=speed_bonus,
        certificate_min_points=certificate_min_points,
    )
    db.session.add(round_)
    contest.rounds.append(round_)
    db.session.flush()
    return round_


MAX_CERTIFICATE_MIN_POINTS = 100_000


def certificate_min_points_error(value: Any) -> Any:
    """Why a certificate minimum is refused (a lazy message), or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return _l("Give a whole number.")
    if not 1 <= value <= MAX_CERTIFICATE_MIN_POINTS:
        return _l(
            "The minimum score for a certificate must be 1 to %(n)d points: a certificate"
            " never goes to 0 points.",
            n=MAX_CERTIFICATE_MIN_POINTS,
        )
    return None


def unequal_maximum_errors(
    bank_id: int, draw_rule: list[dict], points_by_difficulty: dict[str, int], language: str = ""
) -> list[str]:
    """Why participants of a round with this rule could face different maximum scores
    (one message per part), or [] when every draw has the same maximum.

    The one fairness rule for every way a round is made (console, contest import, code):
    a part of any difficulty draws questions of mixed difficulties, so its questions
    need points of their own (``DrawPart.points``) unless every difficulty is worth the
    same (``question_bank.DrawRule.varying_points``).
    """
    rule = DrawRule.from_json(draw_rule)
    varying = rule.varying_points(points_by_difficulty)
    if not varying:
        return []
    names = category_names(bank_id, language or current_language())
    points = "/".join(str(points_by_difficulty[d]) for d in ("1", "2", "3"))
    problems = []
    for number in varying:
        category = rule.parts[number - 1].category
        problems.append(
            _(
                "%(category)s, any difficulty: its questions would be worth %(points)s points"
                " by difficulty, so participants could face different maximum scores. Give"
                " this row's questions of any difficulty their own points, or give every"
                " difficulty the same points.",
                category=names.get(category, category) if category else _("Any category"),
                points=points,
            )
        )
    return problems


def enrollment_of(user_id: int, contest_id: int) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.contest_id == contest_id, Enrollment.user_id == user_id)
    )


def _league_for(user: User, contest: Contest, league_id: int | None) -> League:
    leagues = db.session.scalars(select(League).where(League.contest_id == contest.id)).all()
    by_id = {league.id: league for league in leagues}
    if league_id is not None and league_id not in by_id:
        raise ValidationFailed({"league_id": [_l("This league is not part of the contest.")]})
    if contest.league_scheme == LeagueScheme.REGION:
        home = user.region.parent_code if user.region else None
        matching = [lg for lg in leagues if lg.region_code == home]
        if not matching:
            raise Conflict(_l("Your region has no league in this contest."), code="no_league")
        if league_id is not None and league_id != matching[0].id:
            raise ValidationFailed(
                {"league_id": [_l("In this contest your league follows your region.")]}
            )
        return matching[0]
    if contest.league_scheme == LeagueScheme.SCHOOL:
        matching = [lg for lg in leagues if lg.school_id == user.school_id]
        if not matching:
            raise Conflict(_l("Your school has no league in this contest."), code="no_league")
        return matching[0]
    if league_id is None:
        if len(leagues) == 1:
            return leagues[0]
        raise ValidationFailed({"league_id": [_l("Choose your league.")]})
    return by_id[league_id]


def check_join_code(contest: Contest, join_code: str | None) -> None:
    """Refuse a missing or wrong join code for a join-code contest (compared in constant
    time; guessing is also rate-limited per account and client, ``join-user``/``join-ip``)."""
    if contest.registration != Registration.JOIN_CODE:
        return
    given = (join_code or "").strip().encode()
    if not given or not hmac.compare_digest(given, (contest.join_code or "").encode()):
        raise Forbidden(_l("This contest needs a valid join code."), code="join_code_required")


def enroll(
    user: User,
    contest: Contest,
    now: datetime,
    league_id: int | None = None,
    join_code: str | None = None,
) -> tuple[Enrollment, bool]:
    """Enroll once; a repeated or concurrent request returns the same enrollment."""
    existing = enrollment_of(user.id, contest.id)
    if existing is not None:
        return existing, False
    check_join_code(contest, join_code)
    allow_list = contest.registration == Registration.ALLOW_LIST
    if allow_list and not _is_invited(user, contest):
        if _invite_awaits_confirmation(user, contest):
            raise Forbidden(
                _l(
                    "Your name is on the list, but the organizer has not confirmed your account"
                    " yet: ask them to."
                ),
                code="not_invited",
            )
        raise Forbidden(_l("Only invited participants can join this contest."), code="not_invited")
    league = _league_for(user, contest, league_id)
    if allow_list:
        inserted = db.session.scalar(_enroll_if_invited(user, contest, league.id, now))
    else:
        inserted = db.session.scalar(
            insert_ignore(Enrollment, ["contest_id", "user_id"])
            .values(contest_id=contest.id, user_id=user.id, league_id=league.id, enrolled_at=now)
            .returning(Enrollment.id)
        )
    db.session.flush()
    enrollment = enrollment_of(user.id, contest.id)
    if enrollment is None:  # the invite was withdrawn between the check and the insert
        raise Forbidden(_l("Only invited participants can join this contest."), code="not_invited")
    return enrollment, inserted is not None


def _is_invited(user: User, contest: Contest) -> bool:
    """Is an invite of ``contest`` bound to this account (not merely to its name)?"""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ContestInvite.contest_id == contest.id, ContestInvite.user_id == user.id
                )
            )
        )
    )


def _invite_awaits_confirmation(user: User, contest: Contest) -> bool:
    invite = db.session.get(ContestInvite, (contest.id, user.username_key))
    return invite is not None and invite.user_id is None


def _enroll_if_invited(user: User, contest: Contest, league_id: int, now: datetime) -> Any:
    """INSERT ... SELECT ... WHERE EXISTS (invite) ON CONFLICT DO NOTHING RETURNING id.

    The invite check is part of the write: an invite withdrawn by the organizer at the
    same moment admits nobody, and concurrent requests of one user still make one row.
    """
    invited = exists().where(
        ContestInvite.contest_id == contest.id,
        ContestInvite.user_id == user.id,
    )
    rows = select(
        literal(contest.id),
        literal(user.id),
        literal(league_id),
        literal(now, type_=DateTime()),
    ).where(invited)
    return (
        _insert_for(Enrollment)
        .from_select(["contest_id", "user_id", "league_id", "enrolled_at"], rows)
        .on_conflict_do_nothing(index_elements=["contest_id", "user_id"])
        .returning(Enrollment.id)
    )

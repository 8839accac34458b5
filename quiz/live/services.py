"""Live games: create, join, pace (advance, pause, skip, end), answer, and what each
viewer sees.

SQL is the truth: the game row holds the phase, the current question and its window;
every transition is a compare-and-set on ``seq`` (one server wins a race), and answers
are checked against the game row in the same transaction that stores them (the row is
read ``FOR SHARE`` on PostgreSQL, so a transition, which updates it, waits for answers
in flight and they see its result: no answer slips in after its question closed). After
the commit the route publishes the new public state to Redis (``publish``), where every
app server's long-polls hear of it (quiz/live/hub.py).

Scores come from ``quiz.live.rules`` over the stored answers, recomputed from SQL at
every reveal, so what players see and what a recomputation finds are the same numbers.
Services flush; the route commits once, then calls ``publish`` with what the service
returned (the answer path commits itself, as the round's answer path does).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import redis
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, Integer, delete, func, select, update
from sqlalchemy import bindparam as _bind
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from question_bank import TRUE_FALSE_LABELS, Kind, option_order
from quiz.accounts.models import Role, User, UserRole
from quiz.accounts.services import display_name_problems, username_key
from quiz.audit.services import record
from quiz.banks.media_routes import shown as shown_pictures
from quiz.banks.models import Question
from quiz.cache import app_cache
from quiz.contests.models import (
    Contest,
    Enrollment,
    League,
    Registration,
    Round,
    RoundMode,
    RoundState,
)
from quiz.contests.services import MAX_TIME_LIMIT_SECONDS, enroll, enrollment_of, is_organizer_of
from quiz.edge.client import Actor
from quiz.edge.params import MAX_ID, whole_number
from quiz.errors import Conflict, Forbidden, NotFound, QuizError, ValidationFailed
from quiz.extensions import db, redis_store
from quiz.leaderboards import services as boards
from quiz.leaderboards.ranking import to_ms
from quiz.live import rules
from quiz.live.hub import Hub
from quiz.live.models import ItemState, LiveGame, LivePlayer, LiveResponse, Phase, Teams
from quiz.live.store import LiveStore, encode_place
from quiz.names import check_name
from quiz.ops import metrics
from quiz.play.models import Answer, Attempt, AttemptItem
from quiz.play.scoring import points_for
from quiz.play.services import display_key, draw_items, parse_choice
from quiz.schools.models import School
from quiz.sql import insert_ignore, pipelined, pipelining

PIN_DIGITS = 6
PODIUM_MIN, PODIUM_MAX = 3, 10
SECONDS_MIN, SECONDS_MAX = 5, 600
MAX_QUESTIONS = 100
MAX_TEAMS = 20
STANDINGS_SHOWN = 10
FINISH_REASON = "live"
OPEN = "open"  # item state: shown now, not yet revealed


class LiveNotFound(NotFound):
    code = "live_game_not_found"


def hub() -> Hub:
    found = current_app.extensions.get("quiz_live_hub")
    if found is None:
        found = current_app.extensions.setdefault(
            "quiz_live_hub", Hub(lambda: redis_store.spec.build(socket_timeout=None))
        )
    return found


# Live games' Redis client waits longer than the app's (1 s): a lost publish would leave
# every phone on the old state, and a busy Redis (1,000 places written at each reveal)
# may take over a second. A failure still degrades, never blocks: see ``repair``.
LIVE_REDIS_TIMEOUT = 5.0


def store() -> LiveStore:
    found = current_app.extensions.get("quiz_live_store")
    if found is None:
        client = redis_store.spec.build(socket_timeout=LIVE_REDIS_TIMEOUT)
        found = current_app.extensions.setdefault("quiz_live_store", LiveStore(client))
    return found


def grace_ms() -> int:
    return int(current_app.config["QUIZ_LIVE_GRACE_SECONDS"] * 1000)


# --- creating a game ---------------------------------------------------------------


@dataclass(frozen=True)
class GameSettings:
    speed_points: bool = True
    streaks: bool = False
    teams: str = Teams.NONE
    team_names: tuple[str, ...] = ()
    podium: int = 3
    allow_guests: bool = False
    seconds: int | None = None  # None: the round's question_seconds
    question_ids: tuple[int, ...] | None = None  # None: the round's draw rule


def _check_settings(settings: GameSettings, round_: Round) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not PODIUM_MIN <= settings.podium <= PODIUM_MAX:
        errors["podium"] = [
            _l("The podium shows %(lo)d to %(hi)d places.", lo=PODIUM_MIN, hi=PODIUM_MAX)
        ]
    if settings.teams not in set(Teams):
        errors["teams"] = [_l("Choose teams by league, by school, custom teams or none.")]
    names = [n.strip() for n in settings.team_names if n.strip()]
    if settings.teams == Teams.CUSTOM and not 2 <= len(names) <= MAX_TEAMS:
        errors["team_names"] = [_l("Give 2 to %(n)d team names, one a line.", n=MAX_TEAMS)]
    elif any(len(n) > 32 for n in names) or len(set(names)) != len(names):
        errors["team_names"] = [_l("Team names must differ and have at most 32 characters.")]
    else:
        for team_name in names:
            check_name(errors, "team_names", team_name)
    seconds = settings.seconds if settings.seconds is not None else round_.question_seconds
    if not SECONDS_MIN <= seconds <= SECONDS_MAX:
        errors["seconds"] = [
            _l("Give %(lo)d to %(hi)d seconds per question.", lo=SECONDS_MIN, hi=SECONDS_MAX)
        ]
    return errors


def _hand_picked(round_: Round, question_ids: Sequence[int], seed: int) -> list[dict[str, Any]]:
    """The host's own list: questions of the round's bank, in every language of the round."""
    if not 1 <= len(question_ids) <= MAX_QUESTIONS or len(set(question_ids)) != len(question_ids):
        raise ValidationFailed(
            {"question_ids": [_l("Pick 1 to %(n)d different questions.", n=MAX_QUESTIONS)]}
        )
    found = {
        q.id: q
        for q in db.session.scalars(
            select(Question).where(
                Question.id.in_(question_ids),
                Question.bank_id == round_.bank_id,
                Question.retired.is_(False),
            )
        )
    }
    missing = [
        qid
        for qid in question_ids
        if qid not in found or not set(round_.languages) <= set(found[qid].languages)
    ]
    if missing:
        raise ValidationFailed(
            {
                "question_ids": [
                    _l(
                        "Not in this round's bank in every language of the round: %(ids)s.",
                        ids=", ".join(map(str, missing[:10])),
                    )
                ]
            }
        )
    items = []
    for qid in question_ids:
        q = found[qid]
        order = (
            list(q.option_keys)
            if q.kind == Kind.TRUEFALSE
            else option_order(q.option_keys, seed, qid)
        )
        points = int(round_.points_by_difficulty.get(str(q.difficulty), 0))
        items.append({"question_id": qid, "option_order": order, "points": points})
    return items


def _new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def create_game(round_: Round, host: Actor, settings: GameSettings, now: datetime) -> LiveGame:
    """A new game of a live round, in its lobby, with a PIN no running game has."""
    if not is_organizer_of(host.user, round_.contest):
        raise Forbidden(_l("Only this contest's organizers may do this."), code="not_organizer")
    if round_.mode != RoundMode.LIVE:
        raise Conflict(
            _l("This round is not played live: switch it to live first."), code="not_live_round"
        )
    state = round_.state(now)
    if state is RoundState.SCHEDULED:
        raise Conflict(_l("This round has not opened yet."), code="round_not_open")
    if state is RoundState.CLOSED:
        raise Conflict(_l("This round is closed."), code="round_closed")
    if errors := _check_settings(settings, round_):
        raise ValidationFailed(errors)
    seed = secrets.randbits(52)
    if settings.question_ids:
        items = _hand_picked(round_, settings.question_ids, seed)
    else:
        items = [
            {k: item[k] for k in ("question_id", "option_order", "points")}
            for item in draw_items(round_, seed)
        ]
    for item in items:
        item.update(state=ItemState.PENDING, seconds=None)
    names = [n.strip() for n in settings.team_names if n.strip()]
    game = LiveGame(
        round_id=round_.id,
        contest_id=round_.contest_id,
        created_by_id=host.user_id,
        phase=Phase.LOBBY,
        seq=1,
        items=items,
        seed=seed,
        languages=list(round_.languages),
        question_no=0,
        pauses=[],
        seconds=settings.seconds if settings.seconds is not None else round_.question_seconds,
        speed_points=settings.speed_points,
        streaks=settings.streaks,
        teams=str(settings.teams),
        team_names=names if settings.teams == Teams.CUSTOM else [],
        podium=settings.podium,
        allow_guests=settings.allow_guests,
        created_at=now,
    )
    for _ in range(20):
        game.pin = game.active_pin = _new_pin()
        try:
            with db.session.begin_nested():
                db.session.add(game)
                db.session.flush()
            break
        except IntegrityError:  # that PIN is in use by a running game: draw another
            continue
    else:  # pragma: no cover - a million PINs, twenty tries
        raise Conflict(_l("No free PIN: try again."), code="no_free_pin")
    record(
        host,
        action="live.create",
        object_type="live_game",
        object_id=game.id,
        now=now,
        contest_id=game.contest_id,
        after={
            "round_id": round_.id,
            "questions": len(items),
            "speed_points": game.speed_points,
            "streaks": game.streaks,
            "teams": game.teams,
            "podium": game.podium,
            "allow_guests": game.allow_guests,
            "seconds": game.seconds,
        },
    )
    return game


def set_round_mode(
    round_: Round, mode: str, question_seconds: int, actor: Actor, now: datetime
) -> Round:
    """Make a round live (or self-paced again); only before anyone has played it."""
    errors: dict[str, list] = {}
    if mode not in set(RoundMode):
        errors["mode"] = [_l("Choose self-paced or live.")]
    if not SECONDS_MIN <= question_seconds <= SECONDS_MAX:
        errors["question_seconds"] = [
            _l("Give %(lo)d to %(hi)d seconds per question.", lo=SECONDS_MIN, hi=SECONDS_MAX)
        ]
    if errors:
        raise ValidationFailed(errors)
    if mode != round_.mode:
        played = db.session.scalar(select(func.count()).where(Attempt.round_id == round_.id))
        if played:
            raise Conflict(
                _l("People have played this round: its mode can no longer change."),
                code="round_played",
            )
    before = {"mode": round_.mode, "question_seconds": round_.question_seconds}
    round_.mode = mode
    round_.question_seconds = question_seconds
    if mode == RoundMode.LIVE:
        round_.live_scores = False  # a live game publishes its results when it ends
    record(
        actor,
        action="round.mode",
        object_type="round",
        object_id=round_.id,
        now=now,
        contest_id=round_.contest_id,
        before=before,
        after={"mode": mode, "question_seconds": question_seconds},
    )
    db.session.flush()
    return round_


# --- finding games and players ------------------------------------------------------


def get_game(game_id: int) -> LiveGame:
    game = db.session.get(LiveGame, game_id)
    if game is None:
        raise LiveNotFound(_l("There is no such game."))
    return game


def hosted_game(game_id: int, user: Any) -> LiveGame:
    """The game, if ``user`` may host it (its contest's organizers and admins)."""
    game = get_game(game_id)
    if not _hosts(user, game.contest_id):
        raise Forbidden(_l("Only this contest's organizers may do this."), code="not_organizer")
    return game


def _hosts(user: Any, contest_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cache = app_cache("live_hosts", 10.0)
    return bool(
        cache.get(
            (contest_id, user.id),
            lambda: (
                (contest := db.session.get(Contest, contest_id)) is not None
                and is_organizer_of(user, contest)
            ),
        )
    )


@dataclass(frozen=True)
class PlayerRef:
    id: int
    game_id: int
    user_id: int
    attempt_id: int
    language: str
    display_name: str
    guest: bool


def _player_ref(row: Any) -> PlayerRef:
    return PlayerRef(
        row.id, row.game_id, row.user_id, row.attempt_id, row.language, row.display_name, row.guest
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_player(game_id: int, user: Any, guest_token: str | None) -> PlayerRef | None:
    """The caller's player in the game: by account, else by guest token (kept per process:
    a player never changes)."""
    cache = app_cache("live_players", 300.0, max_entries=50_000)
    if user is not None and getattr(user, "is_authenticated", False):
        key: tuple = (game_id, "user", user.id)
    elif guest_token:
        key = (game_id, "guest", token_hash(guest_token))
    else:
        return None

    def load() -> PlayerRef | None:  # the query is built only when it must run
        where = LivePlayer.game_id == game_id
        if key[1] == "user":
            where = where & (LivePlayer.user_id == key[2])
        else:
            where = where & (LivePlayer.token_hash == key[2])
        row = db.session.execute(
            select(
                LivePlayer.id,
                LivePlayer.game_id,
                LivePlayer.user_id,
                LivePlayer.attempt_id,
                LivePlayer.language,
                LivePlayer.display_name,
                LivePlayer.guest,
            ).where(where)
        ).first()
        return None if row is None else _player_ref(row)

    found = cache.get(key, load)
    if found is None:
        cache.discard(key)
    return found


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a game: its host (a contest organizer) or one of its players."""

    host: bool
    player: PlayerRef | None

    @property
    def language(self) -> str | None:
        return self.player.language if self.player else None


def viewer_of(game_id: int, user: Any, guest_token: str | None) -> Viewer:
    player = find_player(game_id, user, guest_token)
    if player is not None:
        return Viewer(host=False, player=player)
    contest_id = _game_contest(game_id)
    if contest_id is not None and _hosts(user, contest_id):
        return Viewer(host=True, player=None)
    # Someone who is neither: the game does not exist for them (ids reveal nothing).
    raise LiveNotFound(_l("There is no such game."))


def _game_contest(game_id: int) -> int | None:
    return app_cache("live_game_contests", 3600.0).get(
        game_id,
        lambda: db.session.scalar(select(LiveGame.contest_id).where(LiveGame.id == game_id)),
    )


# --- joining ------------------------------------------------------------------------


@dataclass
class Joined:
    player: LivePlayer
    game: LiveGame
    token: str | None = None  # a new guest's token (shown once)
    created: bool = False


def game_by_pin(pin: str | None) -> LiveGame:
    pin = (pin or "").strip()
    game = (
        db.session.scalar(select(LiveGame).where(LiveGame.active_pin == pin))
        if pin.isascii() and pin.isdigit() and len(pin) == PIN_DIGITS
        else None
    )
    if game is None:
        raise LiveNotFound(_l("No game is running with this PIN."))
    return game


def _team_for(game: LiveGame, user: User, league_id: int, team: int | None) -> str | None:
    if game.teams == Teams.LEAGUE:
        return f"league:{league_id}"
    if game.teams == Teams.SCHOOL:
        return f"school:{user.school_id}" if user.school_id else None
    if game.teams == Teams.CUSTOM:
        if team is None or not 0 <= team < len(game.team_names):
            raise ValidationFailed({"team": [_l("Choose your team.")]})
        return f"custom:{team}"
    return None


def _guest_user(game: LiveGame, name: str, language: str, league: League, now: datetime) -> User:
    host_region = db.session.scalar(select(User.region_code).where(User.id == game.created_by_id))
    username = f"guest-{secrets.token_hex(6)}"
    user = User(
        username=username,
        username_key=username_key(username),
        # A random password nobody knows; the account cannot log in anyway (inactive).
        password_hash=generate_password_hash(secrets.token_urlsafe(24), method="pbkdf2:sha256:1"),
        display_name=name,
        region_code=league.region_code or host_region or "",
        language=language,
        is_active_account=False,
        created_at=now,
    )
    user.role_rows = [UserRole(role=str(Role.PARTICIPANT))]
    db.session.add(user)
    db.session.flush()
    db.session.execute(
        insert_ignore(Enrollment, ["contest_id", "user_id"]).values(
            contest_id=game.contest_id, user_id=user.id, league_id=league.id, enrolled_at=now
        )
    )
    return user


def join_game(
    pin: str | None,
    user: Any,
    now: datetime,
    *,
    language: str | None = None,
    display_name: str | None = None,
    team: int | None = None,
    league_id: int | None = None,
) -> Joined:
    """Join by PIN, or come back to the game one already joined (same points, same place).

    Accounts are enrolled in the contest on the way in if they are not yet (the PIN,
    handed out in the hall, stands in for a contest's join code; an allow list still
    applies). Guests need a game that allows them and a display name that passes the
    name rules; they get a hidden account and a token that proves them later.
    """
    game = game_by_pin(pin)
    if game.phase == Phase.FINISHED:
        raise Conflict(_l("This game has ended."), code="game_finished")
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if signed_in:
        existing = db.session.scalar(
            select(LivePlayer).where(LivePlayer.game_id == game.id, LivePlayer.user_id == user.id)
        )
        if existing is not None:
            return Joined(existing, game)
    language = language or (user.language if signed_in else None) or game.languages[0]
    if language not in game.languages:
        raise ValidationFailed({"language": [_l("This round is not offered in that language.")]})
    contest = db.session.get(Contest, game.contest_id)
    assert contest is not None
    token = None
    if signed_in:
        account = db.session.get(User, user.id)
        assert account is not None
        enrollment = enrollment_of(account.id, contest.id)
        if enrollment is None:
            code = contest.join_code if contest.registration == Registration.JOIN_CODE else None
            enrollment, _ = enroll(account, contest, now, league_id=league_id, join_code=code)
        chosen_league = enrollment.league_id
        name = account.display_name
    else:
        if not game.allow_guests:
            raise QuizError(_l("Log in to join this game."), code="login_required")
        name = unicodedata.normalize("NFC", display_name or "").strip()
        if problems := display_name_problems(name):
            raise ValidationFailed({"display_name": problems})
        leagues = db.session.scalars(
            select(League).where(League.contest_id == contest.id).order_by(League.position)
        ).all()
        if not leagues:
            raise Conflict(_l("Your region has no league in this contest."), code="no_league")
        by_id = {lg.id: lg for lg in leagues}
        if league_id is not None and league_id not in by_id:
            raise ValidationFailed({"league_id": [_l("This league is not part of the contest.")]})
        league = by_id[league_id] if league_id is not None else leagues[0]
        account = _guest_user(game, name, language, league, now)
        chosen_league = league.id
        token = secrets.token_urlsafe(24)
    team_key = _team_for(game, account, chosen_league, team)
    round_ = db.session.get(Round, game.round_id)
    assert round_ is not None
    attempt_id = _new_attempt(game, round_, account.id, chosen_league, language, now)
    player_id = db.session.scalar(
        insert_ignore(LivePlayer, ["game_id", "user_id"])
        .values(
            game_id=game.id,
            user_id=account.id,
            attempt_id=attempt_id,
            display_name=name,
            language=language,
            team=team_key,
            guest=not signed_in,
            token_hash=token_hash(token) if token else None,
            joined_at=now,
        )
        .returning(LivePlayer.id)
    )
    if player_id is None:  # the same account joined at the same moment on another device
        db.session.rollback()
        existing = db.session.scalar(
            select(LivePlayer).where(LivePlayer.game_id == game.id, LivePlayer.user_id == user.id)
        )
        assert existing is not None
        return Joined(existing, game)
    player = db.session.get(LivePlayer, player_id)
    assert player is not None
    return Joined(player, game, token=token, created=True)


def _live_items(game: LiveGame) -> list[tuple[int, dict]]:
    return [(no, item) for no, item in enumerate(game.items, start=1)]


def _settings(game: LiveGame) -> rules.Settings:
    return rules.Settings(speed_points=game.speed_points, streaks=game.streaks)


def _kept_bases(game: LiveGame) -> list[int]:
    return [int(i["points"]) for _, i in _live_items(game) if i["state"] != ItemState.VOIDED]


def _new_attempt(
    game: LiveGame, round_: Round, user_id: int, league_id: int, language: str, now: datetime
) -> int:
    """The player's attempt in the round: every question of the game not voided."""
    latest = db.session.scalar(
        select(func.max(Attempt.attempt_no)).where(
            Attempt.round_id == round_.id, Attempt.user_id == user_id
        )
    )
    kept = [(no, item) for no, item in _live_items(game) if item["state"] != ItemState.VOIDED]
    attempt_id = db.session.scalar(
        insert_ignore(Attempt, ["round_id", "user_id", "attempt_no"])
        .values(
            round_id=round_.id,
            contest_id=round_.contest_id,
            user_id=user_id,
            league_id=league_id,
            attempt_no=(latest or 0) + 1,
            language=language,
            seed=game.seed,
            started_at=now,
            # The game closes the attempt when it ends; this only bounds a game abandoned
            # by its host (``quiz attempts finalize-overdue`` closes it then).
            deadline=now + timedelta(seconds=MAX_TIME_LIMIT_SECONDS),
            points=0,
            max_points=rules.perfect_points(_kept_bases(game), _settings(game)),
            correct_count=0,
            answered_count=0,
            question_count=len(kept),
        )
        .returning(Attempt.id)
    )
    if attempt_id is None:
        raise Conflict(_l("Please try again."), code="join_conflict")
    db.session.execute(
        AttemptItem.__table__.insert(),
        [
            {
                "attempt_id": attempt_id,
                "no": no,
                "question_id": item["question_id"],
                "option_order": item["option_order"],
                "points": item["points"],
            }
            for no, item in kept
        ],
    )
    return attempt_id


def after_join(joined: Joined, now: datetime) -> None:
    """After the commit: count the player in Redis and put their name on the boards."""
    try:
        store().add_player(joined.game.id, joined.player.id)
        if joined.created:
            attempt = db.session.get(Attempt, joined.player.attempt_id)
            if attempt is not None:
                boards.publish(
                    attempt,
                    boards.RoundBoards.of(attempt.round_id),
                    now,
                    person=(attempt.league_id, joined.player.display_name),
                )
    except redis.RedisError:
        current_app.logger.warning("live game %s: redis unavailable at join", joined.game.id)


# --- pacing the game ----------------------------------------------------------------


@dataclass
class Change:
    """What a transition leaves to publish after its commit."""

    game: LiveGame
    scores: dict[int, rules.PlayerScore] | None = None
    finished_attempts: list[int] = field(default_factory=list)


def _locked(game_id: int, seq: int | None = None) -> LiveGame:
    """The game row, locked for this transaction (PostgreSQL: answers in flight finish
    first, later ones wait and then see the new state)."""
    game = db.session.scalar(
        select(LiveGame)
        .where(LiveGame.id == game_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if game is None:
        raise LiveNotFound(_l("There is no such game."))
    if seq is not None and game.seq != seq:
        raise Conflict(_l("The game has moved on; here is where it is now."), code="stale_state")
    return game


def _set_items(game: LiveGame, changes: dict[int, dict[str, Any]]) -> None:
    items = [dict(item) for item in game.items]
    for no, values in changes.items():
        items[no - 1].update(values)
    game.items = items  # a new list: the JSON column is written


def _next_pending(game: LiveGame, after: int) -> int | None:
    for no, item in _live_items(game):
        if no > after and item["state"] == ItemState.PENDING:
            return no
    return None


def _audit(game: LiveGame, actor: Actor | None, action: str, now: datetime, **after: Any):
    if actor is not None:
        record(
            actor,
            action=f"live.{action}",
            object_type="live_game",
            object_id=game.id,
            now=now,
            contest_id=game.contest_id,
            after={"phase": game.phase, "question_no": game.question_no, **after},
        )


def _open_question(game: LiveGame, no: int, seconds: int | None, now: datetime) -> None:
    seconds = seconds if seconds is not None else game.seconds
    if not SECONDS_MIN <= seconds <= SECONDS_MAX:
        raise ValidationFailed(
            {
                "seconds": [
                    _l(
                        "Give %(lo)d to %(hi)d seconds per question.",
                        lo=SECONDS_MIN,
                        hi=SECONDS_MAX,
                    )
                ]
            }
        )
    _set_items(game, {no: {"state": OPEN, "seconds": seconds}})
    game.phase = Phase.QUESTION
    game.question_no = no
    game.question_started_at = now
    game.question_deadline = now + timedelta(seconds=seconds)
    game.paused_at = None
    game.paused_left_ms = None
    game.pauses = []
    game.started_at = game.started_at or now
    game.seq += 1


def advance(
    game_id: int,
    actor: Actor | None,
    now: datetime,
    *,
    seconds: int | None = None,
    seq: int | None = None,
) -> Change:
    """The next phase: lobby → question → reveal → question … → finished."""
    game = _locked(game_id, seq)
    if game.phase == Phase.FINISHED:
        raise Conflict(_l("This game has ended."), code="game_finished")
    if game.phase == Phase.QUESTION:
        change = _reveal(game, now)
    else:
        upcoming = _next_pending(game, game.question_no)
        if upcoming is None:
            change = _finish(game, now)
        else:
            _open_question(game, upcoming, seconds, now)
            change = Change(game)
    _audit(game, actor, "advance", now)
    return change


def _reveal(game: LiveGame, now: datetime) -> Change:
    """Close the current question and score it (and everything before it) from SQL."""
    _set_items(game, {game.question_no: {"state": ItemState.PLAYED}})
    if game.paused_at is not None:
        _end_pause(game, now)
    game.phase = Phase.REVEAL
    game.question_deadline = min(game.question_deadline or now, now)
    game.seq += 1
    db.session.flush()
    scores = _score(game, write_no=game.question_no)
    return Change(game, scores=scores)


def tick(game_id: int, seq: int, now: datetime) -> Change | None:
    """Close a question whose time (and grace) ran out; None if it is not due or done."""
    game = _locked(game_id)
    if game.seq != seq or game.phase != Phase.QUESTION or game.paused_at is not None:
        return None
    deadline = game.question_deadline
    if deadline is None or to_ms(now) <= to_ms(deadline) + grace_ms():
        return None
    return _reveal(game, now)


def pause(game_id: int, actor: Actor | None, now: datetime) -> Change:
    game = _locked(game_id)
    if game.phase != Phase.QUESTION or game.paused_at is not None:
        raise Conflict(_l("Only a running question can be paused."), code="cannot_pause")
    assert game.question_deadline is not None
    game.paused_at = now
    game.paused_left_ms = max(0, to_ms(game.question_deadline) - to_ms(now))
    game.seq += 1
    _audit(game, actor, "pause", now)
    return Change(game)


def _end_pause(game: LiveGame, now: datetime) -> None:
    assert game.paused_at is not None
    game.pauses = [*game.pauses, [to_ms(game.paused_at), to_ms(now)]]
    game.question_deadline = now + timedelta(milliseconds=game.paused_left_ms or 0)
    game.paused_at = None
    game.paused_left_ms = None


def resume(game_id: int, actor: Actor | None, now: datetime) -> Change:
    game = _locked(game_id)
    if game.paused_at is None:
        raise Conflict(_l("The game is not paused."), code="not_paused")
    _end_pause(game, now)
    game.seq += 1
    _audit(game, actor, "resume", now)
    return Change(game)


def skip(game_id: int, actor: Actor | None, now: datetime) -> Change:
    """Void a question: the current one (its answers are dropped and the next question
    opens), or, between questions, the next one before anyone sees it."""
    game = _locked(game_id)
    if game.phase == Phase.FINISHED:
        raise Conflict(_l("This game has ended."), code="game_finished")
    if game.phase == Phase.QUESTION:
        target = game.question_no
    else:
        target = _next_pending(game, game.question_no) or 0
        if not target:
            raise Conflict(_l("There is no question left to skip."), code="nothing_to_skip")
    _set_items(game, {target: {"state": ItemState.VOIDED}})
    _drop_items(game, [target])
    change = Change(game)
    if game.phase == Phase.QUESTION:
        game.paused_at = None
        game.paused_left_ms = None
        upcoming = _next_pending(game, target)
        if upcoming is None:
            change = _finish(game, now)
        else:
            _open_question(game, upcoming, None, now)
    else:
        game.seq += 1
    _audit(game, actor, "skip", now, voided=target)
    return change


def end(game_id: int, actor: Actor | None, now: datetime) -> Change:
    """End the game now: a running question is scored, questions not shown are dropped."""
    game = _locked(game_id)
    if game.phase == Phase.FINISHED:
        raise Conflict(_l("This game has ended."), code="game_finished")
    if game.phase == Phase.QUESTION:
        _reveal(game, now)
    change = _finish(game, now)
    _audit(game, actor, "end", now)
    return change


def _drop_items(game: LiveGame, numbers: list[int]) -> None:
    """Remove voided questions from every player's attempt (their answers go with them)."""
    if not numbers:
        return
    attempts = select(LivePlayer.attempt_id).where(LivePlayer.game_id == game.id)
    db.session.execute(
        delete(LiveResponse).where(LiveResponse.game_id == game.id, LiveResponse.no.in_(numbers))
    )
    db.session.execute(
        delete(Answer).where(Answer.attempt_id.in_(attempts), Answer.no.in_(numbers))
    )
    db.session.execute(
        delete(AttemptItem).where(AttemptItem.attempt_id.in_(attempts), AttemptItem.no.in_(numbers))
    )
    kept = [no for no, i in _live_items(game) if i["state"] != ItemState.VOIDED]
    db.session.execute(
        update(Attempt)
        .where(Attempt.id.in_(attempts))
        .values(
            question_count=len(kept),
            max_points=rules.perfect_points(_kept_bases(game), _settings(game)),
        )
    )
    try:
        for no in numbers:
            store().set_answered(game.id, no, [])
    except redis.RedisError:
        pass


def _finish(game: LiveGame, now: datetime) -> Change:
    pending = [no for no, i in _live_items(game) if i["state"] == ItemState.PENDING]
    _set_items(game, {no: {"state": ItemState.VOIDED} for no in pending})
    _drop_items(game, pending)
    game.phase = Phase.FINISHED
    game.finished_at = now
    game.active_pin = None
    game.paused_at = None
    game.seq += 1
    db.session.flush()
    scores = _score(game, write_no=None, finish=now)
    attempts = list(
        db.session.scalars(select(LivePlayer.attempt_id).where(LivePlayer.game_id == game.id))
    )
    return Change(game, scores=scores, finished_attempts=attempts)


# --- scoring from SQL ---------------------------------------------------------------


def played_questions(game: LiveGame) -> list[rules.PlayedQuestion]:
    """The questions scored so far (revealed), in the order shown."""
    return [
        rules.PlayedQuestion(no, int(item["seconds"] or game.seconds) * 1000)
        for no, item in _live_items(game)
        if item["state"] == ItemState.PLAYED
    ]


@dataclass(frozen=True)
class PlayerRow:
    id: int
    user_id: int
    attempt_id: int
    display_name: str
    team: str | None


def _players(game_id: int) -> list[PlayerRow]:
    return [
        PlayerRow(r.id, r.user_id, r.attempt_id, r.display_name, r.team)
        for r in db.session.execute(
            select(
                LivePlayer.id,
                LivePlayer.user_id,
                LivePlayer.attempt_id,
                LivePlayer.display_name,
                LivePlayer.team,
            ).where(LivePlayer.game_id == game_id)
        )
    ]


def recompute(game: LiveGame) -> dict[int, rules.PlayerScore]:
    """Every player's score from the stored answers (player id -> score): the one
    computation behind reveals, results and the benchmark's check."""
    players = _players(game.id)
    by_attempt = {p.attempt_id: p for p in players}
    responses: dict[int, dict[int, rules.Response]] = {p.id: {} for p in players}
    rows = db.session.execute(
        select(Answer.attempt_id, Answer.no, Answer.correct, Answer.points, LiveResponse.elapsed_ms)
        .join(
            LiveResponse,
            (LiveResponse.attempt_id == Answer.attempt_id) & (LiveResponse.no == Answer.no),
        )
        .where(LiveResponse.game_id == game.id)
    )
    for row in rows:
        player = by_attempt.get(row.attempt_id)
        if player is not None:
            responses[player.id][row.no] = rules.Response(
                bool(row.correct), int(row.points), int(row.elapsed_ms)
            )
    played = played_questions(game)
    settings = _settings(game)
    return {p.id: rules.score_player(p.user_id, played, responses[p.id], settings) for p in players}


def _score(game: LiveGame, write_no: int | None, finish: datetime | None = None) -> dict:
    """Recompute and store: the speed and streak points of question ``write_no``, every
    attempt's totals, and at the finish the attempts' end (time used, finish time)."""
    scores = recompute(game)
    players = {p.id: p for p in _players(game.id)}
    if write_no is not None:
        rows = [
            {
                "b_attempt": players[pid].attempt_id,
                "b_no": write_no,
                "b_speed": s.per_question[write_no].speed,
                "b_streak": s.per_question[write_no].streak,
            }
            for pid, s in scores.items()
            if write_no in s.per_question
        ]
        if rows:
            db.session.execute(
                update(LiveResponse.__table__)
                .where(
                    LiveResponse.attempt_id == _bind("b_attempt"),
                    LiveResponse.no == _bind("b_no"),
                )
                .values(speed_points=_bind("b_speed"), streak_points=_bind("b_streak")),
                rows,
            )
    values: dict[str, Any] = {
        "points": _bind("b_points"),
        "bonus_points": _bind("b_bonus"),
        "correct_count": _bind("b_correct"),
        "answered_count": _bind("b_answered"),
    }
    if finish is not None:
        values.update(
            finished_at=finish,
            finish_reason=FINISH_REASON,
            time_used_ms=_bind("b_time"),
            deadline=finish,
        )
    rows = [
        {
            "b_id": players[pid].attempt_id,
            "b_points": s.points,
            "b_bonus": s.bonus,
            "b_correct": s.correct_count,
            "b_answered": s.answered_count,
            "b_time": s.time_used_ms,
        }
        for pid, s in scores.items()
    ]
    if rows:
        db.session.execute(
            update(Attempt.__table__).where(Attempt.id == _bind("b_id")).values(**values), rows
        )
    return scores


# --- publishing ---------------------------------------------------------------------


def _question_texts(game: LiveGame, no: int) -> dict[str, dict[str, Any]]:
    item = game.items[no - 1]
    question = db.session.get(Question, item["question_id"])
    assert question is not None
    shown: dict[str, dict[str, Any]] = {}
    for language in game.languages:
        text = question.text_for(language)
        if text is None:
            continue
        labels = text.options or TRUE_FALSE_LABELS.get(language, {})
        shown[language] = {
            "no": no,
            "kind": question.kind,
            "text": text.text,
            "options": [
                {
                    "key": display_key(i),
                    "text": labels.get(original, original),
                    "media": shown_pictures(question.media, original),
                }
                for i, original in enumerate(item["option_order"])
            ],
            "media": shown_pictures(question.media, None),
        }
    return shown


def _reveal_facts(game: LiveGame, no: int) -> dict[str, Any]:
    item = game.items[no - 1]
    question = db.session.get(Question, item["question_id"])
    assert question is not None
    position = {original: display_key(i) for i, original in enumerate(item["option_order"])}
    counts = dict.fromkeys(position.values(), 0)
    answered = 0
    attempts = select(LivePlayer.attempt_id).where(LivePlayer.game_id == game.id)
    for (choice,) in db.session.execute(
        select(Answer.choice).where(Answer.attempt_id.in_(attempts), Answer.no == no)
    ):
        answered += 1
        for key in choice:
            if key in position:
                counts[position[key]] += 1
    return {
        "correct": sorted(position[k] for k in question.answer if k in position),
        "distribution": counts,
        "answered": answered,
        "explanation": {
            t.language: t.explanation or "" for t in question.texts if t.language in game.languages
        },
    }


def team_names(game: LiveGame) -> dict[str, dict[str, str]]:
    keys = {
        t
        for (t,) in db.session.execute(
            select(LivePlayer.team).where(LivePlayer.game_id == game.id).distinct()
        )
        if t
    }
    names: dict[str, dict[str, str]] = {}
    for key in keys:
        kind, _, raw = key.partition(":")
        ident = whole_number(raw, high=MAX_ID)
        ident = -1 if ident is None else ident
        if kind == "league":
            league = db.session.get(League, ident)
            if league is not None:
                names[key] = {"zh": league.name_zh, "mn": league.name_mn or league.name_zh}
        elif kind == "school":
            school = db.session.get(School, ident)
            if school is not None:
                names[key] = {"zh": school.name_zh, "mn": school.name_mn or school.name_zh}
        elif kind == "custom" and 0 <= ident < len(game.team_names):
            names[key] = {"zh": game.team_names[ident], "mn": game.team_names[ident]}
    return names


@dataclass(frozen=True)
class Board:
    ranking: list[dict[str, Any]]
    teams: list[dict[str, Any]] | None
    places: dict[int, str]


def board(game: LiveGame, scores: dict[int, rules.PlayerScore]) -> Board:
    """The ranking, the team board and every player's place, from computed scores."""
    players = {p.id: p for p in _players(game.id)}
    player_of_user = {p.user_id: p for p in players.values()}
    ranked = rules.rank(scores.values())
    ranking = []
    places = {}
    for entry in ranked:
        player = player_of_user[entry.score.user_id]
        ranking.append(
            {
                "rank": entry.rank,
                "player_id": player.id,
                "display_name": player.display_name,
                "score": entry.score.points,
                "correct_count": entry.score.correct_count,
                "time_used_ms": entry.score.time_used_ms,
            }
        )
        places[player.id] = encode_place(entry.score.points, entry.rank, entry.score.last_correct)
    teams = None
    if game.teams != Teams.NONE:
        names = team_names(game)
        team_of = {p.user_id: p.team for p in players.values()}
        teams = [
            {
                "rank": i + 1,
                "team": t.team,
                "name": names.get(t.team, {"zh": t.team, "mn": t.team}),
                "members": t.members,
                "score": t.shown,
            }
            for i, t in enumerate(rules.team_board(scores.values(), team_of))
        ]
    return Board(ranking, teams, places)


def snapshot(
    game: LiveGame, scores: dict[int, rules.PlayerScore] | None
) -> tuple[dict, Board | None]:
    """The public state of the game's current seq (every language), and, when scores are
    given, the board behind it. Holds the correct option only in the reveal phase."""
    live = [i for i in game.items if i["state"] != ItemState.VOIDED]
    no = game.question_no
    position = sum(1 for n, i in _live_items(game) if n <= no and i["state"] != ItemState.VOIDED)
    snap: dict[str, Any] = {
        "game_id": game.id,
        "seq": game.seq,
        "phase": game.phase,
        "paused": game.paused_at is not None,
        "no": no,
        "position": position,
        "question_count": len(live),
        "seconds": int(game.items[no - 1]["seconds"] or game.seconds) if no else game.seconds,
        "started_ms": to_ms(game.question_started_at) if game.question_started_at else None,
        "deadline_ms": to_ms(game.question_deadline) if game.question_deadline else None,
        "paused_left_ms": game.paused_left_ms,
        "pauses": game.pauses,
        "questions": None,
        "reveal": None,
        "podium": game.podium,
        "teams_kind": game.teams,
    }
    if game.phase in (Phase.QUESTION, Phase.REVEAL) and no:
        snap["questions"] = _question_texts(game, no)
    if game.phase == Phase.REVEAL and no:
        snap["reveal"] = _reveal_facts(game, no)
    built = board(game, scores) if scores is not None else None
    if built is not None:
        snap["standings"] = built.ranking[:STANDINGS_SHOWN]
        snap["teams"] = built.teams
    return snap, built


def publish(change: Change, now: datetime) -> dict[str, Any]:
    """After the commit: the new state to Redis and every server; at the end, the round's
    boards. Returns the published state. If Redis fails (twice), the state is still in
    SQL: waiting long-polls find it there within ``hub.RECHECK_SECONDS`` (``repair``)."""
    game = change.game
    previous = hub().snapshot(game.id, lambda: _redis_snapshot(game.id))
    snap, built = snapshot(game, change.scores)
    if built is None:  # no new scores: the standings of the last reveal stand
        snap["standings"] = (previous or {}).get("standings", [])
        snap["teams"] = (previous or {}).get("teams")
        if previous is None and game.phase != Phase.LOBBY:
            snap, built = snapshot(game, recompute(game))
    for attempt in (1, 2):
        try:
            store().publish_state(game.id, snap, places=built.places if built else None)
            break
        except redis.RedisError:
            current_app.logger.warning(
                "live game %s: redis unavailable (try %d), state kept in SQL", game.id, attempt
            )
    hub().remember(game.id, snap)
    if change.finished_attempts:
        _publish_results(change.finished_attempts, now)
    return snap


def _publish_results(attempt_ids: list[int], now: datetime) -> None:
    attempts = db.session.scalars(select(Attempt).where(Attempt.id.in_(attempt_ids))).all()
    boards.publish_many(attempts, now)


def _redis_snapshot(game_id: int) -> dict[str, Any] | None:
    try:
        return store().snapshot(game_id)
    except redis.RedisError:
        return None


def current_snapshot(game_id: int) -> dict[str, Any]:
    """The newest public state: this process's copy, Redis, or rebuilt from SQL (Redis
    lost it: restarted, flushed)."""
    snap = hub().snapshot(game_id, lambda: _redis_snapshot(game_id))
    if snap is not None:
        return snap
    return _rebuild_snapshot(game_id)


def repair(game_id: int) -> int | None:
    """The newest seq, with Redis brought up to SQL if it fell behind (a publish lost to
    a Redis failure): long-polls call this now and then while they wait."""
    sql_seq = db.session.scalar(select(LiveGame.seq).where(LiveGame.id == game_id))
    snap = _redis_snapshot(game_id)
    if sql_seq is not None and (snap is None or int(snap["seq"]) < sql_seq):
        current_app.logger.warning("live game %s: Redis behind SQL, republished", game_id)
        snap = _rebuild_snapshot(game_id)
    db.session.rollback()  # hand the connection back: the caller goes on waiting
    return int(snap["seq"]) if snap else sql_seq


def _rebuild_snapshot(game_id: int) -> dict[str, Any]:
    """The public state from SQL, published to Redis (which lost or missed it)."""
    game = get_game(game_id)
    db.session.refresh(game)
    scores = recompute(game) if game.phase != Phase.LOBBY else None
    snap, built = snapshot(game, scores)
    snap.setdefault("standings", [])
    snap.setdefault("teams", None)
    try:
        players = [p.id for p in _players(game.id)]
        store().publish_state(
            game.id, snap, places=built.places if built else {}, player_ids=players
        )
        if game.phase == Phase.QUESTION:
            answered = db.session.scalars(
                select(LivePlayer.id)
                .join(Answer, Answer.attempt_id == LivePlayer.attempt_id)
                .where(LivePlayer.game_id == game.id, Answer.no == game.question_no)
            ).all()
            store().set_answered(game.id, game.question_no, answered)
    except redis.RedisError:
        pass
    hub().remember(game_id, snap)
    return snap


# --- answering ----------------------------------------------------------------------


@dataclass(frozen=True)
class LiveItem:
    question_id: int
    option_order: list[str]
    points: int
    kind: str
    answer: list[str]


def _game_items(game_id: int) -> tuple[dict[int, LiveItem], bool]:
    """The game's questions with their keys, and the round's partial-credit switch
    (kept per process: they never change once the game exists)."""

    def load() -> tuple[dict[int, LiveItem], bool]:
        game = get_game(game_id)
        partial = bool(
            db.session.scalar(select(Round.partial_credit).where(Round.id == game.round_id))
        )
        ids = [i["question_id"] for i in game.items]
        questions = {
            q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))
        }
        return (
            {
                no: LiveItem(
                    i["question_id"],
                    list(i["option_order"]),
                    int(i["points"]),
                    questions[i["question_id"]].kind,
                    list(questions[i["question_id"]].answer),
                )
                for no, i in enumerate(game.items, start=1)
            },
            partial,
        )

    return app_cache("live_items", 3600.0, max_entries=1000).get(game_id, load)


_GAMES = LiveGame.__table__


def _answer_guard(conn: Any, game_id: int, no: int, cutoff: datetime) -> bool:
    query = (
        select(_GAMES.c.id)
        .where(
            _GAMES.c.id == game_id,
            _GAMES.c.phase == Phase.QUESTION.value,
            _GAMES.c.question_no == no,
            _GAMES.c.paused_at.is_(None),
            _GAMES.c.question_deadline >= cutoff,
        )
        .with_for_update(read=True)
    )
    return conn.execute(query).first() is not None


# PostgreSQL: the guard and both writes of a live answer in ONE statement, sent with its
# BEGIN (``quiz.sql.pipelined``): when a question opens, every player in the hall
# answers within seconds, and three statements were three round trips each. The guard
# takes the same share lock on the game's row as ``_answer_guard`` (a host's change
# waits for the answers in flight, and an answer waiting for the change sees it and
# matches nothing); the answer is written only if the guard matched, and its live side
# only if the answer was new. Data-modifying CTEs run whether or not the outer query
# reads them; the live side's key check on the answer runs at the statement's end, when
# the answer is there. One row: ``open`` (the guard matched) and ``stored`` (new).
_ANSWER_IN_ONE_STATEMENT = sql_text(
    "WITH open AS ("
    "SELECT id FROM live_games WHERE id = :game_id AND phase = :phase"
    " AND question_no = :no AND paused_at IS NULL AND question_deadline >= :cutoff"
    " FOR SHARE"
    "), stored AS ("
    "INSERT INTO answers (attempt_id, no, choice, correct, points, answered_at, revisions)"
    " SELECT :attempt_id, :no, :choice, :correct, :points, :now, 1 FROM open"
    " ON CONFLICT (attempt_id, no) DO NOTHING RETURNING no"
    "), timed AS ("
    "INSERT INTO live_responses"
    " (attempt_id, no, game_id, received_at, elapsed_ms, speed_points, streak_points)"
    " SELECT :attempt_id, stored.no, :game_id, :received_at, :elapsed_ms, 0, 0 FROM stored"
    ") SELECT EXISTS (SELECT FROM open) AS open, EXISTS (SELECT FROM stored) AS stored"
).bindparams(
    _bind("game_id", type_=Integer),
    _bind("phase"),
    _bind("no", type_=Integer),
    _bind("cutoff", type_=DateTime),
    _bind("attempt_id", type_=Integer),
    _bind("choice", type_=Answer.__table__.c.choice.type),
    _bind("correct", type_=Boolean),
    _bind("points", type_=Integer),
    _bind("now", type_=DateTime),
    _bind("received_at", type_=DateTime),
    _bind("elapsed_ms", type_=Integer),
)


def answer(game_id: int, player: PlayerRef, no: int, raw_choice: object, now: datetime) -> None:
    """Store the player's answer to question ``no`` if it is open; once only."""
    items, partial = _game_items(game_id)
    item = items.get(no)
    if item is None:
        raise NotFound(_l("This question is not part of the game."), code="question_not_found")
    indexes = parse_choice(raw_choice, len(item.option_order), item.kind)
    if not indexes:
        raise ValidationFailed({"choice": [_l("Choose an answer.")]})
    original = sorted(item.option_order[i] for i in indexes)
    correct, base = points_for(item.kind, item.answer, original, item.points, partial)
    snap = current_snapshot(game_id)
    now_ms = to_ms(now)
    if snap["phase"] != Phase.QUESTION or snap["no"] != no or snap["paused"]:
        # This process may not have heard of the change yet (milliseconds after it):
        # ask Redis before refusing. The SQL guard below decides in the end.
        fresh = _redis_snapshot(game_id)
        if fresh is not None and fresh["seq"] > snap["seq"]:
            hub().remember(game_id, fresh)
            snap = fresh
    if snap["phase"] != Phase.QUESTION or snap["no"] != no or snap["paused"]:
        _refuse_window()
    started_ms = int(snap["started_ms"] or now_ms)
    received = hub().local_receipt(game_id, no, player.id)
    if received is None:
        try:
            received = store().received_at(game_id, no, player.id)
        except redis.RedisError:
            received = None
    received_ms = max(received or started_ms, started_ms)
    elapsed = rules.elapsed_ms(received_ms, now_ms, snap.get("pauses") or [])
    received_at = datetime(1970, 1, 1) + timedelta(milliseconds=received_ms)
    cutoff = now - timedelta(milliseconds=grace_ms())
    session = db.session()
    conn = session.connection()
    if pipelining(conn):
        ((opened, stored),) = pipelined(
            conn,
            [
                (
                    _ANSWER_IN_ONE_STATEMENT,
                    {
                        "game_id": game_id,
                        "phase": Phase.QUESTION.value,
                        "no": no,
                        "cutoff": cutoff,
                        "attempt_id": player.attempt_id,
                        "choice": original,
                        "correct": correct,
                        "points": base,
                        "now": now,
                        "received_at": received_at,
                        "elapsed_ms": elapsed,
                    },
                )
            ],
            plain=True,
        )
    else:
        opened = _answer_guard(conn, game_id, no, cutoff)
        stored = opened and _store_answer(
            conn, game_id, player, no, (original, correct, base), now, (received_at, elapsed)
        )
    if not opened:
        session.rollback()
        _refuse_window()
    if not stored:
        session.rollback()
        raise Conflict(_l("You have answered this question already."), code="already_answered")
    session.commit()
    metrics.ANSWERS_SAVED.inc()
    with contextlib.suppress(redis.RedisError):
        store().mark_answered(game_id, no, player.id)


def _store_answer(
    conn: Any,
    game_id: int,
    player: PlayerRef,
    no: int,
    marked: tuple[list[Any], bool, int],
    now: datetime,
    timing: tuple[datetime, int],
) -> bool:
    """SQLite: the answer and its live side, after the guard (two statements); False if
    the player had answered already."""
    choice, correct, points = marked
    received_at, elapsed = timing
    stored = conn.execute(
        insert_ignore(Answer, ["attempt_id", "no"])
        .values(
            attempt_id=player.attempt_id,
            no=no,
            choice=choice,
            correct=correct,
            points=points,
            answered_at=now,
            revisions=1,
        )
        .returning(Answer.no)
    ).first()
    if stored is None:
        return False
    conn.execute(
        LiveResponse.__table__.insert().values(
            attempt_id=player.attempt_id,
            no=no,
            game_id=game_id,
            received_at=received_at,
            elapsed_ms=elapsed,
            speed_points=0,
            streak_points=0,
        )
    )
    return True


def _refuse_window() -> None:
    raise Conflict(_l("This question is not open for answers now."), code="outside_window")


# --- what a viewer sees ---------------------------------------------------------------


def state_for(viewer: Viewer, snap: dict[str, Any], now: datetime, language: str) -> dict:
    """One viewer's state: the public state in their language, the counts, their place.

    A player in the question phase is recorded as having received the question now (the
    first time only): their answer time runs from here.
    """
    no = int(snap["no"] or 0)
    phase = snap["phase"]
    now_ms = to_ms(now)
    game_id = int(snap["game_id"])
    player_id = viewer.player.id if viewer.player else None
    if player_id is not None and phase == Phase.QUESTION:
        hub().receipt(game_id, no, player_id, now_ms, store())
    facts = _facts(game_id, no, int(snap["seq"]))
    players = facts.players if facts else 0
    answered = len(facts.answered) if facts else 0
    place = facts.places.get(player_id) if facts and player_id is not None else None
    answered_by_me = player_id in facts.answered if facts and player_id is not None and no else None
    question = None
    texts = snap.get("questions") or {}
    if texts:
        shown = texts.get(language) or next(iter(texts.values()))
        if snap["paused"]:
            left = int(snap["paused_left_ms"] or 0)
        elif phase == Phase.QUESTION:
            left = max(0, int(snap["deadline_ms"]) - now_ms)
        else:
            left = 0
        question = {**shown, "seconds": snap["seconds"], "seconds_left": -(-left // 1000)}
    reveal = None
    if snap.get("reveal"):
        facts = snap["reveal"]
        reveal = {
            "correct": facts["correct"],
            "distribution": facts["distribution"],
            "answered": facts["answered"],
            "explanation": facts["explanation"].get(language, ""),
        }
    me = None
    if viewer.player is not None:
        me = {
            "player_id": viewer.player.id,
            "display_name": viewer.player.display_name,
            "score": place.score if place else 0,
            "rank": place.rank if place else None,
            "last_correct": place.last_correct if place else None,
            "answered": answered_by_me,
        }
    return {
        "game_id": snap["game_id"],
        "seq": snap["seq"],
        "phase": phase,
        "paused": snap["paused"],
        "position": snap["position"],
        "question_count": snap["question_count"],
        "question": question,
        "reveal": reveal,
        "players": players,
        "answered": answered,
        "standings": snap.get("standings") or [],
        "teams": _teams_in(snap.get("teams"), language),
        "podium": snap["podium"],
        "host": viewer.host,
        "me": me,
    }


def _facts(game_id: int, no: int, seq: int) -> Any:
    """Counts, who answered and the places, shared by a process's requests for up to
    ``QUIZ_LIVE_FACTS_SECONDS`` (the places are read again only when the state moved)."""

    def load(previous: Any) -> Any:
        keep = previous.places if previous is not None and previous.seq == seq else None
        return store().facts(game_id, no, seq, keep)

    try:
        return hub().facts(game_id, seq, float(current_app.config["QUIZ_LIVE_FACTS_SECONDS"]), load)
    except redis.RedisError:
        return None


def _teams_in(teams: list[dict] | None, language: str) -> list[dict] | None:
    if teams is None:
        return None
    return [{**t, "name": t["name"].get(language) or t["name"]["zh"]} for t in teams]


def results(game: LiveGame, language: str) -> dict[str, Any]:
    """The podium, the full ranking and the team board, from SQL (as of the last
    reveal while the game runs; final once it has ended)."""
    built = board(game, recompute(game))
    return {
        "game_id": game.id,
        "phase": game.phase,
        "finished": game.phase == Phase.FINISHED,
        "podium": built.ranking[: game.podium],
        "ranking": built.ranking,
        "teams": _teams_in(built.teams, language),
    }


def games_of_round(round_id: int) -> Sequence[LiveGame]:
    return db.session.scalars(
        select(LiveGame).where(LiveGame.round_id == round_id).order_by(LiveGame.id.desc())
    ).all()


def players_of(game_id: int, limit: int = 200) -> list[str]:
    """Names of the players who joined, newest first (the lobby's list)."""
    return list(
        db.session.scalars(
            select(LivePlayer.display_name)
            .where(LivePlayer.game_id == game_id)
            .order_by(LivePlayer.id.desc())
            .limit(limit)
        )
    )

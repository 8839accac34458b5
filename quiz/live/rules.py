"""The scoring rule of live games, in one place (pure functions, tested with hypothesis).

Per question a player earns, in integer points:

- **base**: the question's points when correct (partial credit as in the round), else 0;
- **speed** (if the host turned it on, and only for a fully correct answer):
  ``base × (allowed − elapsed) ÷ allowed``, rounded down, so an instant answer doubles
  the base and one at the last moment adds nothing. ``elapsed`` runs on the server from
  the moment *that player* received the question (not from the host's click), minus any
  pause, so a slow network or a late poll costs nothing;
- **streak** (if on, fully correct answers only): the k-th correct answer in a row adds
  ``base × min(k − 1, STREAK_STEPS) ÷ 10``: +10 % for the second, up to +50 %.
  A question answered wrongly or not at all ends the streak; a skipped (voided) question
  is not a question.

A player's total is the sum; ``time_used_ms`` is the sum over the questions played of
the answer time (the whole question time when not answered). Players rank as everywhere
in the platform (``quiz.leaderboards.ranking``): more points, then less time, then the
user id. A team's score is the mean of its members' totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from quiz.leaderboards.ranking import sort_key

STREAK_STEPS = 5


@dataclass(frozen=True)
class Settings:
    speed_points: bool
    streaks: bool


@dataclass(frozen=True)
class PlayedQuestion:
    no: int
    allowed_ms: int  # the question's time


@dataclass(frozen=True)
class Response:
    """One stored answer: its correctness, base points and answer time."""

    correct: bool
    base: int
    elapsed_ms: int


@dataclass(frozen=True)
class QuestionPoints:
    base: int
    speed: int
    streak: int

    @property
    def total(self) -> int:
        return self.base + self.speed + self.streak


@dataclass
class PlayerScore:
    user_id: int
    points: int = 0
    bonus: int = 0  # speed + streak, kept apart like the round's speed bonus
    correct_count: int = 0
    answered_count: int = 0
    time_used_ms: int = 0
    streak: int = 0  # correct answers in a row up to the last question played
    last_correct: bool | None = None  # the last question played (None: not answered)
    per_question: dict[int, QuestionPoints] = field(default_factory=dict)


def elapsed_ms(received_ms: int, answered_ms: int, pauses: Iterable[Sequence[int]]) -> int:
    """Answer time on the server's clock: from receipt to answer, less the pauses between."""
    paused = 0
    for start, end in pauses:
        lo, hi = max(start, received_ms), min(end, answered_ms)
        if hi > lo:
            paused += hi - lo
    return max(0, answered_ms - received_ms - paused)


def question_points(
    response: Response, allowed_ms: int, streak_before: int, settings: Settings
) -> QuestionPoints:
    """What one answer earns; ``streak_before``: correct answers in a row before it."""
    if not response.correct:
        return QuestionPoints(response.base, 0, 0)  # partial credit, no extras
    base = response.base
    speed = 0
    if settings.speed_points and allowed_ms > 0:
        left = allowed_ms - min(max(response.elapsed_ms, 0), allowed_ms)
        speed = base * left // allowed_ms
    streak = base * min(streak_before, STREAK_STEPS) // 10 if settings.streaks else 0
    return QuestionPoints(base, speed, streak)


def score_player(
    user_id: int,
    played: Sequence[PlayedQuestion],
    responses: Mapping[int, Response],
    settings: Settings,
) -> PlayerScore:
    """A player's standing after the questions ``played`` (in the order shown)."""
    score = PlayerScore(user_id=user_id)
    for question in played:
        response = responses.get(question.no)
        if response is None:
            score.time_used_ms += question.allowed_ms
            score.streak = 0
            score.last_correct = None
            continue
        earned = question_points(response, question.allowed_ms, score.streak, settings)
        score.per_question[question.no] = earned
        score.points += earned.total
        score.bonus += earned.speed + earned.streak
        score.answered_count += 1
        score.time_used_ms += min(max(response.elapsed_ms, 0), question.allowed_ms)
        score.correct_count += response.correct
        score.streak = score.streak + 1 if response.correct else 0
        score.last_correct = response.correct
    return score


def perfect_points(bases: Sequence[int], settings: Settings) -> int:
    """The most a player can score on questions worth ``bases`` (every answer correct
    and instant): the attempt's ``max_points``."""
    bonus = Settings(settings.speed_points, settings.streaks)
    total = 0
    for streak_before, base in enumerate(bases):
        total += question_points(Response(True, base, 0), 1, streak_before, bonus).total
    return total


@dataclass(frozen=True)
class Ranked:
    rank: int
    score: PlayerScore


def rank(scores: Iterable[PlayerScore]) -> list[Ranked]:
    """Best first, by the platform's ranking rule; every rank distinct (ties: user id).

    Every player of a game finishes at the same moment, so the rule's third key (the
    finish time) never separates two of them.
    """
    ordered = sorted(scores, key=lambda s: sort_key(s.points, s.time_used_ms, 0, 0, s.user_id))
    return [Ranked(i + 1, s) for i, s in enumerate(ordered)]


@dataclass(frozen=True)
class TeamScore:
    team: str
    members: int
    mean: Fraction  # exact: the order never depends on rounding

    @property
    def shown(self) -> float:
        return round(float(self.mean), 1)


def team_board(scores: Iterable[PlayerScore], team_of: Mapping[int, str | None]) -> list[TeamScore]:
    """Teams by the mean of their members' totals, best first (then more members, then
    the team's key). Players without a team are left out."""
    totals: dict[str, list[int]] = {}
    for score in scores:
        team = team_of.get(score.user_id)
        if team is not None:
            totals.setdefault(team, []).append(score.points)
    board = [TeamScore(team, len(p), Fraction(sum(p), len(p))) for team, p in totals.items()]
    return sorted(board, key=lambda t: (-t.mean, -t.members, t.team))

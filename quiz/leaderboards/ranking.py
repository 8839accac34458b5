"""The ranking rule, in one place: more points, then less time used, then earlier finish.

A board entry is one integer inside 2^53 so Redis can order it as a double exactly:

    value = points << 38 | (TIME_MAX - time_used_ms) << 14 | (FINISH_MAX - finish_minute)

15 bits of points (0..32767), 24 bits of time used in milliseconds (up to 4 h 39 min) and
14 bits of finish minute counted from the board's epoch (up to 11.4 days). Values beyond a
field's range are clamped; entries still equal after all three are ordered by user id.
Redis stores ``-value`` so that ascending order (ZRANGE, ZRANK) is best-first and equal
values fall back to the member string: the zero-padded user id.
"""

from __future__ import annotations

# Re-exported: the ranking rule's callers read the epoch helpers here (they live in the core).
from quiz.clock import UNIX_EPOCH as UNIX_EPOCH
from quiz.clock import to_ms as to_ms

POINTS_BITS = 15
TIME_BITS = 24
FINISH_BITS = 14
POINTS_MAX = (1 << POINTS_BITS) - 1
TIME_MAX = (1 << TIME_BITS) - 1
FINISH_MAX = (1 << FINISH_BITS) - 1


def _clamp(value: int, upper: int) -> int:
    return 0 if value < 0 else upper if value > upper else value


def encode(points: int, time_used_ms: int, finish_ms: int, epoch_ms: int) -> int:
    finish_minute = (finish_ms - epoch_ms) // 60000
    return (
        (_clamp(points, POINTS_MAX) << (TIME_BITS + FINISH_BITS))
        | ((TIME_MAX - _clamp(time_used_ms, TIME_MAX)) << FINISH_BITS)
        | (FINISH_MAX - _clamp(finish_minute, FINISH_MAX))
    )


def decode(value: int) -> tuple[int, int]:
    """(points, time_used_ms) of an encoded value."""
    points = value >> (TIME_BITS + FINISH_BITS)
    time_used = TIME_MAX - ((value >> FINISH_BITS) & TIME_MAX)
    return points, time_used


def member(user_id: int) -> str:
    return f"{user_id:010d}"


def user_of(member_id: str) -> int:
    return int(member_id)


def better(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    """Is standing ``a`` (points, time_used_ms, finish_ms) strictly better than ``b``?"""
    return (-a[0], a[1], a[2]) < (-b[0], b[1], b[2])


def sort_key(
    points: int, time_used_ms: int, finish_ms: int, epoch_ms: int, user_id: int
) -> tuple[int, str]:
    """Order rows exactly as the Redis boards do (for exports and SQL-side rankings)."""
    return -encode(points, time_used_ms, finish_ms, epoch_ms), member(user_id)

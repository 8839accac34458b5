"""The only module that knows Redis key names and the board update script.

Every key of a contest carries the hash tag ``{c<id>}`` so a whole contest lives in one
Redis Cluster slot and the multi-key script below stays legal on a cluster.

Each participant has a small hash of their standings per attempt (``r<round>:a<no>`` ->
``points:time_ms:finish_ms``). The script stores one attempt's standing, takes the best
attempt per round, sums the rounds for the contest, and writes absolute scores with ZADD
to the four boards: a retried or replayed update can never count twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import redis

from quiz.leaderboards.ranking import FINISH_BITS, FINISH_MAX, TIME_BITS, TIME_MAX, member

_PUBLISH_LUA = (
    """
local field, value, round_prefix = ARGV[2], ARGV[3], ARGV[4]
local round_epoch, contest_epoch = tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('HSET', KEYS[1], field, value)
local all = redis.call('HGETALL', KEYS[1])
local best = {}
for i = 1, #all, 2 do
  local r = string.match(all[i], '^(r%d+):')
  local p, t, f = string.match(all[i + 1], '^(%d+):(%d+):(%d+)$')
  if r and p then
    p, t, f = tonumber(p), tonumber(t), tonumber(f)
    local b = best[r]
    if (not b) or p > b[1] or (p == b[1] and (t < b[2] or (t == b[2] and f < b[3]))) then
      best[r] = {p, t, f}
    end
  end
end
local function clamp(x, hi)
  if x < 0 then return 0 elseif x > hi then return hi else return x end
end
local function enc(p, t, f, epoch)
  local fm = math.floor((f - epoch) / 60000)
  local v = clamp(p, POINTS_MAX) * TIME_SHIFT + (TIME_MAX - clamp(t, TIME_MAX)) * FINISH_SHIFT
            + (FINISH_MAX - clamp(fm, FINISH_MAX))
  return string.format('%.0f', -v)
end
local rb = best[round_prefix]
local rs = enc(rb[1], rb[2], rb[3], round_epoch)
redis.call('ZADD', KEYS[2], rs, ARGV[1])
redis.call('ZADD', KEYS[3], rs, ARGV[1])
local sp, st, sf = 0, 0, 0
for _, b in pairs(best) do
  sp = sp + b[1]
  st = st + b[2]
  if b[3] > sf then sf = b[3] end
end
local cs = enc(sp, st, sf, contest_epoch)
redis.call('ZADD', KEYS[4], cs, ARGV[1])
redis.call('ZADD', KEYS[5], cs, ARGV[1])
return {rs, cs}
""".replace("POINTS_MAX", str((1 << 15) - 1))
    .replace("TIME_SHIFT", str(1 << (TIME_BITS + FINISH_BITS)))
    .replace("FINISH_SHIFT", str(1 << FINISH_BITS))
    .replace("TIME_MAX", str(TIME_MAX))
    .replace("FINISH_MAX", str(FINISH_MAX))
)


@dataclass(frozen=True)
class BoardKeys:
    """Key names of one contest's boards, optionally under a rebuild prefix."""

    contest_id: int
    prefix: str = ""

    @property
    def tag(self) -> str:
        return f"lb:{{c{self.contest_id}}}:"

    def round_all(self, round_id: int) -> str:
        return f"{self.tag}{self.prefix}r{round_id}:all"

    def round_league(self, round_id: int, league_id: int) -> str:
        return f"{self.tag}{self.prefix}r{round_id}:league:{league_id}"

    def contest_all(self) -> str:
        return f"{self.tag}{self.prefix}all"

    def contest_league(self, league_id: int) -> str:
        return f"{self.tag}{self.prefix}league:{league_id}"

    def board(self, round_id: int | None, league_id: int | None) -> str:
        if round_id is None:
            return self.contest_all() if league_id is None else self.contest_league(league_id)
        if league_id is None:
            return self.round_all(round_id)
        return self.round_league(round_id, league_id)

    def parts(self, user_id: int) -> str:
        return f"{self.tag}{self.prefix}parts:{member(user_id)}"

    @property
    def people(self) -> str:
        return f"{self.tag}people"

    @property
    def meta(self) -> str:
        return f"{self.tag}meta"

    @property
    def pattern(self) -> str:
        return f"{self.tag}{self.prefix}*"

    @property
    def lock(self) -> str:
        return f"{self.tag}rebuild-lock"


@dataclass(frozen=True)
class Standing:
    """One attempt's standing as the boards see it."""

    contest_id: int
    round_id: int
    league_id: int
    user_id: int
    attempt_no: int
    points: int
    time_used_ms: int
    finish_ms: int
    round_epoch_ms: int
    contest_epoch_ms: int


class BoardStore:
    """Board reads and writes over one Redis client."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._publish = client.register_script(_PUBLISH_LUA)

    def publish(
        self,
        standings: Iterable[Standing],
        prefix: str = "",
        pipe: redis.client.Pipeline | None = None,
    ) -> None:
        """Write standings (one round trip for all of them)."""
        own = pipe is None
        pipe = pipe or self.client.pipeline(transaction=False)
        for s in standings:
            keys = BoardKeys(s.contest_id, prefix)
            self._publish(
                keys=[
                    keys.parts(s.user_id),
                    keys.round_all(s.round_id),
                    keys.round_league(s.round_id, s.league_id),
                    keys.contest_all(),
                    keys.contest_league(s.league_id),
                ],
                args=[
                    member(s.user_id),
                    f"r{s.round_id}:a{s.attempt_no}",
                    f"{s.points}:{s.time_used_ms}:{s.finish_ms}",
                    f"r{s.round_id}",
                    s.round_epoch_ms,
                    s.contest_epoch_ms,
                ],
                client=pipe,
            )
        if own:
            pipe.execute()

    def set_people(
        self,
        contest_id: int,
        people: Iterable[tuple[int, int, str]],
        pipe: redis.client.Pipeline | None = None,
    ) -> None:
        """Remember (user id, league id, display name) for rendering the top of a board."""
        mapping = {member(uid): f"{league}|{name}" for uid, league, name in people}
        if mapping:
            (pipe or self.client).hset(BoardKeys(contest_id).people, mapping=mapping)

    def read(
        self,
        contest_id: int,
        round_id: int | None,
        league_id: int | None,
        limit: int,
        user_id: int | None,
        user_league_id: int | None,
    ) -> BoardRead:
        keys = BoardKeys(contest_id)
        key = keys.board(round_id, league_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.exists(keys.meta)
        pipe.zrange(key, 0, limit - 1, withscores=True)
        pipe.zcard(key)
        if user_id is not None:
            pipe.zscore(key, member(user_id))
            pipe.zrank(key, member(user_id))
            league_key = keys.board(round_id, user_league_id) if user_league_id else None
            if league_key:
                pipe.zrank(league_key, member(user_id))
        results = pipe.execute()
        built, top, total = bool(results[0]), results[1], results[2]
        me = None
        if user_id is not None and results[3] is not None:
            league_rank = results[5] + 1 if len(results) > 5 and results[5] is not None else None
            me = (int(-results[3]), results[4] + 1, league_rank)
        names: list[str | None] = []
        if top:
            names = self.client.hmget(keys.people, [m for m, _ in top])
        entries = [(int(m), int(-score), name) for (m, score), name in zip(top, names, strict=True)]
        return BoardRead(built=built, entries=entries, total=total, me=me)

    def mark_built(self, contest_id: int, built_at_ms: int) -> None:
        self.client.hset(BoardKeys(contest_id).meta, "built_at", built_at_ms)

    def swap_in(self, contest_id: int, prefix: str) -> None:
        """Replace the live boards and parts of a contest by the rebuilt ones."""
        tmp = BoardKeys(contest_id, prefix)
        live = BoardKeys(contest_id)
        rebuilt = list(self.client.scan_iter(match=tmp.pattern, count=1000))
        rebuilt_live_names = {k.replace(tmp.tag + prefix, live.tag, 1) for k in rebuilt}
        stale = [
            k
            for k in self.client.scan_iter(match=live.pattern, count=1000)
            if k not in rebuilt_live_names
            and not k.startswith(tmp.tag + prefix)
            and k not in (live.people, live.meta, live.lock)
        ]
        pipe = self.client.pipeline(transaction=False)
        for key in rebuilt:
            pipe.rename(key, key.replace(tmp.tag + prefix, live.tag, 1))
        for i in range(0, len(stale), 1000):
            pipe.unlink(*stale[i : i + 1000])
        pipe.execute()


@dataclass(frozen=True)
class BoardRead:
    built: bool
    # (user id, encoded value, "league|name" or None), best first
    entries: Sequence[tuple[int, int, str | None]]
    total: int
    # (encoded value, rank, league rank) of the asking user, if on the board
    me: tuple[int, int, int | None] | None

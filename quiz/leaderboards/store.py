"""The only module that knows Redis key names and the board update script.

Every key of a contest carries the hash tag ``{c<id>}`` so a whole contest lives in one
Redis Cluster slot and the multi-key script below stays legal on a cluster.

Each participant has a small hash of their standings per attempt (``r<round>:a<no>`` ->
``points:time_ms:finish_ms``). The script stores one attempt's standing, takes the best
attempt per round, sums the rounds for the contest, and writes absolute scores with ZADD
to the four boards: a retried or replayed update can never count twice.

An answer's publish may also count the request for the participant's rate limit (the
optional seventh key, the ``limits`` library's fixed-window counter, incremented as
``limits`` does it): one round trip for both (``quiz.accounts.limiter.PendingCount``).
Never on a Cluster, where that key lives in another slot.

Every change to a contest's boards (an update, a rebuild's swap, a freeze's frozen
boards, the names shown) bumps the contest's board version, the field ``v`` of its meta
hash (``lb:{c42}:meta``; ``built_at`` there says the boards were built). A reader gets
the version in the same round trip as its own rank (``VERSION_FIELDS``) and serves the
top of a board it prepared for that version (``quiz/leaderboards/live.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import hiredis
import redis
from redis.typing import EncodableT, FieldT

from quiz.leaderboards.ranking import FINISH_BITS, FINISH_MAX, TIME_BITS, TIME_MAX, member

# Prefix of the frozen copies of a contest's boards (same hash tag as the live ones):
# ``lb:{c42}:frozen:r7:all``, ``lb:{c42}:frozen:all`` ... They hold only entries, never
# parts hashes, and are rebuilt from SQL (``services.build_frozen``).
FROZEN = "frozen:"

# Fields of a contest's meta hash that together name the state of its boards: a rebuild
# writes a new ``built_at``, every other change increments ``v``. Both, so that boards
# lost and rebuilt (the counter starting again) never repeat an earlier version.
VERSION_FIELDS = ("built_at", "v")

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
redis.call('HINCRBY', KEYS[6], 'v', 1)
if KEYS[7] then
  local n = redis.call('INCRBY', KEYS[7], 1)
  if n == 1 then
    redis.call('EXPIRE', KEYS[7], ARGV[7])
  end
  return {rs, cs, n, redis.call('PTTL', KEYS[7])}
end
return {rs, cs}
""".replace("POINTS_MAX", str((1 << 15) - 1))
    .replace("TIME_SHIFT", str(1 << (TIME_BITS + FINISH_BITS)))
    .replace("FINISH_SHIFT", str(1 << FINISH_BITS))
    .replace("TIME_MAX", str(TIME_MAX))
    .replace("FINISH_MAX", str(FINISH_MAX))
)


# A rebuild replaces many parts hashes at once: KEYS are the hashes, ARGV holds for each
# one the number of fields, then its field/value pairs.
_REPLACE_PARTS_LUA = """
local at = 1
for i = 1, #KEYS do
  redis.call('DEL', KEYS[i])
  local n = tonumber(ARGV[at])
  for j = 1, n do
    redis.call('HSET', KEYS[i], ARGV[at + 2 * j - 1], ARGV[at + 2 * j])
  end
  at = at + 2 * n + 1
end
return #KEYS
"""


# Rebuilt boards take the live ones' place atomically: KEYS are first the ARGV[1] keys
# to drop (UNLINK, so Redis frees a replaced 600,000-member board in the background),
# then (new, old) pairs: each new key that exists is renamed over its old one. One
# script instead of a MULTI of RENAMEs: redis-py refuses RENAME in a Cluster pipeline,
# and a script is as atomic (every key carries the contest's hash tag, one slot).
_SWAP_LUA = """
local drop = tonumber(ARGV[1])
local last = #KEYS
if ARGV[2] == '1' then
  redis.call('HINCRBY', KEYS[last], 'v', 1)
  last = last - 1
end
for i = 1, drop do
  redis.call('UNLINK', KEYS[i])
end
local moved = 0
for i = drop + 1, last, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('RENAME', KEYS[i], KEYS[i + 1])
    moved = moved + 1
  end
end
return moved
"""


def contest_tag(contest_id: int) -> str:
    """The key prefix of everything a contest keeps in Redis: one Cluster hash tag, so a
    contest's boards (round, contest, frozen, school) share a slot and one script or
    transaction may touch them all."""
    return f"lb:{{c{contest_id}}}:"


@dataclass(frozen=True)
class BoardKeys:
    """Key names of one contest's boards, optionally under a rebuild prefix."""

    contest_id: int
    prefix: str = ""

    @property
    def tag(self) -> str:
        return contest_tag(self.contest_id)

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
    def parts_pattern(self) -> str:
        return f"{self.tag}{self.prefix}parts:*"

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
        self._replace_parts = client.register_script(_REPLACE_PARTS_LUA)

    def publish(
        self,
        standings: Iterable[Standing],
        prefix: str = "",
        pipe: redis.client.Pipeline | None = None,
    ) -> None:
        """Write standings (one round trip for all of them).

        EVALSHA straight away, with no SCRIPT EXISTS check first (a round trip on every
        answer, and a pipeline feature redis-py's ``ClusterPipeline`` lacks): a Redis
        that lost the script answers ``NoScriptError``, and the caller calls
        ``load_scripts`` and sends again (every write here is absolute, so a resend
        cannot count twice)."""
        own = pipe is None
        pipe = pipe or self.client.pipeline(transaction=False)
        for s in standings:
            # EVALSHA directly: a rebuild sends hundreds of thousands of these.
            pipe.execute_command(*self._publish_command(s, prefix))
        if own:
            pipe.execute()

    def publish_one(
        self, standing: Standing, counter: tuple[str, int] | None = None
    ) -> tuple[int, int] | None:
        """Write one standing: the answer hot path's single ``EVALSHA``, sent without a
        pipeline object (raises ``NoScriptError`` if Redis lost the script, as the
        pipeline does: the caller loads it and sends again; nothing was counted).

        ``counter``: a rate-limit counter's key and window (seconds) to count one more
        in, in the same script; then returns its count and milliseconds left."""
        reply = self.client.execute_command(*self._publish_command(standing, "", counter))
        return None if counter is None else (int(reply[2]), int(reply[3]))

    def _publish_command(
        self, s: Standing, prefix: str, counter: tuple[str, int] | None = None
    ) -> tuple[Any, ...]:
        keys = BoardKeys(s.contest_id, prefix)
        command = (
            "EVALSHA",
            self._publish.sha,
            6 if counter is None else 7,
            keys.parts(s.user_id),
            keys.round_all(s.round_id),
            keys.round_league(s.round_id, s.league_id),
            keys.contest_all(),
            keys.contest_league(s.league_id),
            keys.meta,
            member(s.user_id),
            f"r{s.round_id}:a{s.attempt_no}",
            f"{s.points}:{s.time_used_ms}:{s.finish_ms}",
            f"r{s.round_id}",
            s.round_epoch_ms,
            s.contest_epoch_ms,
        )
        if counter is None:
            return command
        # The counter is the seventh key and its window the seventh argument.
        return (*command[:9], counter[0], *command[9:], counter[1])

    def load_scripts(self) -> None:
        """Load the board scripts into Redis (after a restart lost them, and before a
        rebuild). On a Cluster redis-py sends SCRIPT LOAD to every primary, so a
        contest's slot finds them wherever it lives."""
        self.client.script_load(_PUBLISH_LUA)
        self.client.script_load(_REPLACE_PARTS_LUA)

    def write_rebuilt(
        self,
        pipe: redis.client.Pipeline,
        contest_id: int,
        prefix: str,
        rebuilt: Iterable[Rebuilt],
    ) -> None:
        """Queue a chunk of a rebuild on ``pipe``: each participant's parts hash replaced
        in place, their board entries added to the boards under ``prefix`` (one ZADD per
        board for the whole chunk)."""
        live = BoardKeys(contest_id)
        tmp = BoardKeys(contest_id, prefix)
        boards: dict[str, dict[str, float]] = {}
        parts_keys: list[str] = []
        parts_args: list[str | int] = []
        for person in rebuilt:
            parts_keys.append(live.parts(person.user_id))
            parts_args.append(len(person.parts))
            for field, value in person.parts.items():
                parts_args += [field, value]
            who = member(person.user_id)
            for round_id, league_id, score in person.entries:
                boards.setdefault(tmp.board(round_id, league_id), {})[who] = -score
        if parts_keys:  # one command for the chunk's parts hashes, not two per person
            # The script was loaded when the rebuild began (``load_scripts``).
            pipe.execute_command(
                "EVALSHA", self._replace_parts.sha, len(parts_keys), *parts_keys, *parts_args
            )
        for key, entries in boards.items():
            pipe.zadd(key, entries)

    def swap_boards(
        self,
        contest_id: int,
        prefix: str,
        round_ids: Iterable[int],
        league_ids: Iterable[int],
        target: str = "",
    ) -> None:
        """Rename every rebuilt board over the live one (or over the boards under the
        ``target`` prefix, e.g. ``FROZEN``); empty the boards nobody is on."""
        live = BoardKeys(contest_id, target)
        tmp = BoardKeys(contest_id, prefix)
        leagues: list[int | None] = [None, *league_ids]
        scopes = [(r, lg) for r in [None, *round_ids] for lg in leagues]
        olds = [live.board(r, lg) for r, lg in scopes]
        pairs = [name for r, lg in scopes for name in (tmp.board(r, lg), live.board(r, lg))]
        # One script: readers see all old boards or all new ones, under a new version.
        swap(self.client, olds, pairs, version=live.meta)

    def prune_parts(
        self, contest_id: int, still_playing: Callable[[list[int]], set[int]], batch: int = 5000
    ) -> int:
        """Remove the parts hashes of participants who have no attempt left in SQL.

        Streams the contest's parts keys in batches and asks ``still_playing`` which of
        the users in a batch still have attempts; returns how many hashes were removed.
        """
        live = BoardKeys(contest_id)
        removed = 0
        chunk: list[str] = []

        def flush() -> int:
            users = [int(k.rsplit(":", 1)[1]) for k in chunk]
            playing = still_playing(users)
            gone = [k for k, user in zip(chunk, users, strict=True) if user not in playing]
            if gone:
                self.client.unlink(*gone)
            return len(gone)

        for key in self.client.scan_iter(match=live.parts_pattern, count=batch):
            chunk.append(key)
            if len(chunk) == batch:
                removed += flush()
                chunk = []
        if chunk:
            removed += flush()
        return removed

    def set_people(
        self,
        contest_id: int,
        people: Iterable[tuple[int, int, str]],
        pipe: redis.client.Pipeline | None = None,
    ) -> None:
        """Remember (user id, league id, display name) for rendering the top of a board."""
        mapping: dict[FieldT, EncodableT] = {
            member(uid): f"{league}|{name}" for uid, league, name in people
        }
        if mapping:
            keys = BoardKeys(contest_id)
            target = pipe or self.client.pipeline(transaction=False)
            target.hset(keys.people, mapping=mapping)
            target.hincrby(keys.meta, "v", 1)  # names on the top of a board changed
            if pipe is None:
                target.execute()

    def read(
        self,
        contest_id: int,
        round_id: int | None,
        league_id: int | None,
        limit: int,
        user_id: int | None,
        user_league_id: int | None,
        prefix: str = "",
    ) -> BoardRead:
        keys = BoardKeys(contest_id, prefix)
        key = keys.board(round_id, league_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.hexists(keys.meta, "built_at")  # publishes bump ``v`` of unbuilt boards too
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
            names = cast("list[str | None]", self.client.hmget(keys.people, [m for m, _ in top]))
        entries = [(int(m), int(-score), name) for (m, score), name in zip(top, names, strict=True)]
        return BoardRead(built=built, entries=entries, total=total, me=me)

    def write_entries(
        self,
        pipe: redis.client.Pipeline,
        contest_id: int,
        prefix: str,
        rebuilt: Iterable[Rebuilt],
    ) -> None:
        """Queue board entries only (no parts hashes) under ``prefix``: one ZADD per board
        for the whole chunk. Used to build frozen boards, which have no parts of their own."""
        tmp = BoardKeys(contest_id, prefix)
        boards: dict[str, dict[str, float]] = {}
        for person in rebuilt:
            who = member(person.user_id)
            for round_id, league_id, value in person.entries:
                boards.setdefault(tmp.board(round_id, league_id), {})[who] = -value
        for key, entries in boards.items():
            pipe.zadd(key, entries)

    def drop_boards(
        self,
        contest_id: int,
        prefix: str,
        round_ids: Iterable[int | None],
        league_ids: Iterable[int],
    ) -> None:
        """Remove the boards (overall and per league) of the given scopes under ``prefix``
        (``None`` in ``round_ids`` is the contest's own boards)."""
        keys = BoardKeys(contest_id, prefix)
        leagues: list[int | None] = [None, *league_ids]
        names = [keys.board(r, lg) for r in round_ids for lg in leagues]
        if names:
            # The swap script with nothing to rename: one call, legal on a Redis Cluster
            # (a cluster pipeline refuses a multi-key UNLINK), with the version bump.
            swap(self.client, names, [], version=keys.meta)

    def mark_built(self, contest_id: int, built_at_ms: int) -> None:
        """The boards are built (``read`` no longer rebuilds them); a new ``built_at`` is
        a new version."""
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(BoardKeys(contest_id).meta, "built_at", built_at_ms)
        pipe.hincrby(BoardKeys(contest_id).meta, "v", 1)
        pipe.execute()

    def viewer_read(
        self,
        contest_id: int,
        round_id: int | None,
        league_id: int | None,
        user_id: int | None,
        user_league_id: int | None,
        prefix: str = "",
    ) -> tuple[tuple[object, ...] | None, tuple[int, int, int | None] | None]:
        """One round trip: the contest's board version (None if the boards were never
        built) and the viewer's (encoded value, rank, league rank) on the board, or None
        if they are not on it (or ``user_id`` is None)."""
        keys = BoardKeys(contest_id, prefix)
        board = keys.board(round_id, league_id)
        commands: list[tuple[str, ...]] = [("HMGET", keys.meta, *VERSION_FIELDS)]
        if user_id is not None:
            who = member(user_id)
            commands += [("ZSCORE", board, who), ("ZRANK", board, who)]
            if user_league_id:
                commands.append(("ZRANK", keys.board(round_id, user_league_id), who))
        results = self.round_trip(commands)
        built_at, counter = results[0]
        version = None if built_at is None else (built_at, counter)
        if user_id is None or results[1] is None:
            return version, None
        league_rank = results[3] + 1 if len(results) > 3 and results[3] is not None else None
        # A score is a whole number stored as a double: text ("-1.5e+15") or a float.
        return version, (int(-float(results[1])), results[2] + 1, league_rank)

    def round_trip(self, commands: Sequence[tuple[str, ...]]) -> list[Any]:
        """The raw replies to ``commands`` in one round trip, on a pooled connection.

        The board read of every poll sends its three or four commands this way instead
        of through a redis-py pipeline object, whose command stack, response callbacks
        and bookkeeping cost more than the round trip itself (docs/performance.md,
        section 12). Replies are as the connection parsed them, without redis-py's
        response callbacks (a ``ZSCORE`` is text in RESP2, a double in RESP3).
        The client's retry policy still applies (one quick retry on a dropped
        connection, counted by ``quiz_redis_errors``); a connection that failed or
        answered an error mid-batch is dropped, never handed back with replies unread.
        A Redis Cluster client (no single pool) sends a pipeline.
        """
        client = self.client
        pool = getattr(client, "connection_pool", None)
        if pool is None or not isinstance(client, redis.Redis):
            pipe = client.pipeline(transaction=False)
            for command in commands:
                pipe.execute_command(*command)
            return pipe.execute()
        connection = pool.get_connection()

        # Packed by hiredis's C packer, which redis-py calls too, without its Python
        # wrapper per command (the arguments here are plain text).
        # (hiredis's stub types the argument as a one-item tuple.)
        packed = [b"".join(hiredis.pack_command(cast(Any, command)) for command in commands)]

        def send() -> list[Any]:
            connection.send_packed_command(packed)
            return [connection.read_response() for _ in commands]

        try:
            return cast(
                "list[Any]",
                connection.retry.call_with_retry(send, lambda _error: connection.disconnect()),
            )
        except BaseException:
            connection.disconnect()  # replies may be left unread on it
            raise
        finally:
            pool.release(connection)


@dataclass(frozen=True)
class Rebuilt:
    """One participant as a rebuild computed them: their parts hash (``r<round>:a<no>``
    -> ``points:time_ms:finish_ms``) and their entries (round or None for the contest,
    league or None for all, encoded value), as the publish script would have left them."""

    user_id: int
    parts: dict[str, str]
    entries: list[tuple[int | None, int | None, int]]


@dataclass(frozen=True)
class BoardRead:
    built: bool
    # (user id, encoded value, "league|name" or None), best first
    entries: Sequence[tuple[int, int, str | None]]
    total: int
    # (encoded value, rank, league rank) of the asking user, if on the board
    me: tuple[int, int, int | None] | None


# -- school rankings ---------------------------------------------------------------------
# Per contest, schools ranked within their 旗县 ("county") and their 盟市 ("league") by
# participation rate and by average score (quiz/schools/rankings.py computes the
# numbers). Same hash tag as the contest's boards; absolute ZADDs, so a replayed update
# cannot count twice; members are zero-padded school ids, stored negated (best first).

SCHOOL_SCOPES = ("county", "league")
SCHOOL_METRICS = ("rate", "avg")


@dataclass(frozen=True)
class SchoolBoardKeys:
    contest_id: int
    prefix: str = ""

    @property
    def tag(self) -> str:
        return contest_tag(self.contest_id)

    def board(self, scope: str, code: str, metric: str) -> str:
        return f"{self.tag}{self.prefix}schools:{scope}:{code}:{metric}"

    @property
    def stats(self) -> str:
        """school -> "enrolled:participants:points_total" (the numbers behind the boards)."""
        return f"{self.tag}{self.prefix}schools:stats"

    @property
    def pattern(self) -> str:
        return f"{self.tag}{self.prefix}schools:*"


@dataclass(frozen=True)
class SchoolEntry:
    school_id: int
    county_code: str
    league_code: str
    enrolled: int
    participants: int
    points_total: int

    def value(self, metric: str) -> int:
        """Integer board value: rate in millionths, average in thousandths of a point."""
        if metric == "rate":
            return self.participants * 1_000_000 // self.enrolled if self.enrolled else 0
        return self.points_total * 1000 // self.participants if self.participants else 0


class SchoolBoardStore:
    """The school ranking boards of contests, over one Redis client."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def write(
        self,
        pipe: redis.client.Pipeline,
        contest_id: int,
        entries: Iterable[SchoolEntry],
        prefix: str = "",
    ) -> None:
        keys = SchoolBoardKeys(contest_id, prefix)
        boards: dict[str, dict[str, float]] = {}
        stats: dict[FieldT, EncodableT] = {}
        for e in entries:
            who = member(e.school_id)
            stats[who] = f"{e.enrolled}:{e.participants}:{e.points_total}"
            for scope, code in (("county", e.county_code), ("league", e.league_code)):
                for metric in SCHOOL_METRICS:
                    boards.setdefault(keys.board(scope, code, metric), {})[who] = -e.value(metric)
        if stats:
            pipe.hset(keys.stats, mapping=stats)
        for key, mapping in boards.items():
            pipe.zadd(key, mapping)

    def remove(self, pipe: redis.client.Pipeline, contest_id: int, entry: SchoolEntry) -> None:
        keys = SchoolBoardKeys(contest_id)
        who = member(entry.school_id)
        pipe.hdel(keys.stats, who)
        for scope, code in (("county", entry.county_code), ("league", entry.league_code)):
            for metric in SCHOOL_METRICS:
                pipe.zrem(keys.board(scope, code, metric), who)

    def replace_all(
        self, contest_id: int, entries: Sequence[SchoolEntry], target: str = ""
    ) -> None:
        """A rebuild: the new boards under a temporary prefix, then one MULTI that drops
        every school key under ``target`` (the live boards, or ``FROZEN``) and renames
        the new ones in place."""
        import secrets

        prefix = f"tmp:{secrets.token_hex(4)}:"
        pipe = self.client.pipeline(transaction=False)
        self.write(pipe, contest_id, entries, prefix)
        pipe.execute()
        live = SchoolBoardKeys(contest_id, target)
        tmp = SchoolBoardKeys(contest_id, prefix)
        old = [_text(k) for k in self.client.scan_iter(match=live.pattern, count=1000)]
        new = [_text(k) for k in self.client.scan_iter(match=tmp.pattern, count=1000)]
        pairs = [
            n for key in new for n in (key, key.replace(tmp.tag + prefix, live.tag + target, 1))
        ]
        swap(self.client, old, pairs)

    def drop(self, contest_id: int, target: str) -> None:
        """Remove every school board of a contest under ``target`` (e.g. ``FROZEN``)."""
        old = list(
            self.client.scan_iter(match=SchoolBoardKeys(contest_id, target).pattern, count=1000)
        )
        if old:
            self.client.unlink(*old)

    def read(
        self, contest_id: int, scope: str, code: str, metric: str, target: str = ""
    ) -> list[tuple[int, tuple[int, int, int]]]:
        """(school id, (enrolled, participants, points_total)) best first; ``target``
        ``FROZEN`` reads the boards as they stood at a freeze."""
        keys = SchoolBoardKeys(contest_id, target)
        members = cast("list[str]", self.client.zrange(keys.board(scope, code, metric), 0, -1))
        if not members:
            return []
        stats = self.client.hmget(keys.stats, members)
        rows = []
        for who, raw in zip(members, stats, strict=True):
            text = (raw.decode() if isinstance(raw, bytes) else raw) or "0:0:0"
            enrolled, participants, points = (int(x) for x in text.split(":"))
            rows.append((int(who), (enrolled, participants, points)))
        return rows

    def dump(self, contest_id: int) -> dict[str, list[tuple[str, float]]]:
        """Every school board of a contest (tests compare rebuilt with live)."""
        keys = SchoolBoardKeys(contest_id)
        found: dict[str, list[tuple[str, float]]] = {}
        for key in self.client.scan_iter(match=keys.pattern, count=1000):
            name = key.decode() if isinstance(key, bytes) else key
            if name == keys.stats:
                continue
            found[name] = [
                (m.decode() if isinstance(m, bytes) else m, s)
                for m, s in cast(
                    "list[tuple[str, float]]", self.client.zrange(name, 0, -1, withscores=True)
                )
            ]
        return found


def _text(key: str | bytes) -> str:
    return key.decode() if isinstance(key, bytes) else key


def swap(
    client: redis.Redis, drop: Sequence[str], pairs: Sequence[str], version: str | None = None
) -> None:
    """Drop ``drop`` and rename each existing ``pairs[2i]`` over ``pairs[2i + 1]``, in
    one atomic script (``_SWAP_LUA``); every key must carry the same hash tag. With
    ``version`` (a contest's meta hash) the boards' version ``v`` is bumped in the same
    script, so no reader keeps a top read before the swap under the version after it."""
    if drop or pairs or version:
        keys = [*drop, *pairs, *([version] if version else [])]
        client.eval(_SWAP_LUA, len(keys), *keys, len(drop), "1" if version else "0")


def round_league_ranks(
    client: redis.Redis,
    contest_id: int,
    round_id: int,
    people: Sequence[tuple[int, int]],
    prefix: str = "",
) -> list[int | None]:
    """1-based ranks of (user id, league id) pairs on a round's league boards (one trip);
    ``prefix`` ``FROZEN`` for the boards as they stood at a freeze."""
    keys = BoardKeys(contest_id, prefix)
    pipe = client.pipeline(transaction=False)
    for user_id, league_id in people:
        pipe.zrank(keys.round_league(round_id, league_id), member(user_id))
    return [None if rank is None else int(rank) + 1 for rank in pipe.execute()]

"""``python -m bench run [--quick]`` (make bench), ``python -m bench contest [--quick]
[--servers N]`` (make bench-contest) and ``python -m bench live [--quick] [--servers N]``
(make bench-live); ``python -m bench open [--quick]`` (only the open-loop pair of make bench,
bench/steady.py)."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "contest", "live", "open"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "run":
        from bench import scenarios

        return scenarios.main(argv[1:])
    if argv[0] == "open":
        from bench import steady

        return steady.main(argv[1:])
    if argv[0] == "live":
        from bench import live

        return live.main(argv[1:])
    from bench import contest

    return contest.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

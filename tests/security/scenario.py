"""One contest world with a person in every role, and helpers the security tests share.

Roles, in the order of the matrix columns:

- ``anonymous``: no session, no token
- ``participant``: enrolled in the published contest P, with two open attempts (A1, A2)
- ``teacher``: a teacher (no contest of their own)
- ``other_organizer``: organizer of contest O only (unpublished)
- ``organizer``: organizer of P and of the unpublished contest U
- ``admin``

Paths in the access matrix name objects with ``{P}``, ``{U}``, ``{O}`` (contests),
``{R1}``, ``{R2}``, ``{RU}``, ``{RO}`` (rounds: two in P, one in U, one in O) and
``{A1}``, ``{A2}`` (the participant's attempts in R1 and R2).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from quiz.accounts.models import Role, User
from quiz.contests.services import enroll
from quiz.play import services as play
from tests.factories import Factories, issue_token

ROLES = ("anonymous", "participant", "teacher", "other_organizer", "organizer", "admin")


@dataclass
class Scenario:
    users: dict[str, User]
    ids: dict[str, int]
    tokens: dict[str, str] = field(default_factory=dict)

    def path(self, template: str) -> str:
        return template.format(**self.ids)


def build(make: Factories, clock: Any) -> Scenario:
    users = {
        "participant": make.user("part", roles=(Role.PARTICIPANT,)),
        "teacher": make.user("teach", roles=(Role.TEACHER,)),
        "other_organizer": make.user("otherorg", roles=(Role.ORGANIZER,)),
        "organizer": make.user("org", roles=(Role.ORGANIZER,)),
        "admin": make.user("root", roles=(Role.ADMIN,)),
    }
    bank = make.bank(per_cell=1)
    published = make.contest(organizer=users["organizer"], slug="published")
    unpublished = make.contest(organizer=users["organizer"], slug="unpublished", published=False)
    others = make.contest(organizer=users["other_organizer"], slug="others", published=False)
    r1 = make.round(published, bank)
    r2 = make.round(published, bank, title_zh="复赛")
    ru = make.round(unpublished, bank)
    ro = make.round(others, bank)
    participant = users["participant"]
    enroll(participant, published, clock())
    a1, _ = play.start_attempt(participant, r1, "zh", clock())
    a2, _ = play.start_attempt(participant, r2, "zh", clock())
    ids = {
        "P": published.id,
        "U": unpublished.id,
        "O": others.id,
        "R1": r1.id,
        "R2": r2.id,
        "RU": ru.id,
        "RO": ro.id,
        "A1": a1.id,
        "A2": a2.id,
    }
    scenario = Scenario(users=users, ids=ids)
    for role, user in users.items():
        scenario.tokens[role], _ = issue_token(user, clock(), 30)
    from tests.security.matrix import feature_modules

    for module in feature_modules():
        if hasattr(module, "extend"):
            module.extend(scenario, make, clock)
    return scenario


def is_local(location: str) -> bool:
    """A redirect that stays on this site: a path, never another host or scheme."""
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and not re.match(r"^[a-z][a-z0-9+.-]*:", location, re.I)
    )


# Content-Security-Policy ---------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_security_headers(response: Any) -> list[str]:
    """Problems with a response's CSP and hardening headers (empty when fine)."""
    problems = []
    header = response.headers.get("Content-Security-Policy")
    if not header:
        return ["no Content-Security-Policy"]
    csp = policy(header)
    scripts = csp.get("script-src", csp.get("default-src", []))
    styles = csp.get("style-src", csp.get("default-src", []))
    if csp.get("default-src") != ["'self'"]:
        problems.append(f"default-src is {csp.get('default-src')}")
    for source in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        if source in scripts:
            problems.append(f"script-src allows {source}")
    if "'unsafe-inline'" in styles:
        problems.append("style-src allows 'unsafe-inline'")
    if csp.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append("frame-ancestors is not 'none'")
    if csp.get("base-uri") != ["'self'"]:
        problems.append("base-uri is not 'self'")
    if csp.get("form-action") != ["'self'"]:
        problems.append("form-action is not 'self'")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("X-Frame-Options") != "DENY":
        problems.append("no X-Frame-Options: DENY")
    return problems


def inline_code(html: str) -> list[str]:
    """Inline script or style in a page, which the CSP would block (so must not exist)."""
    found = []
    for name, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("event handler attribute", EVENT_HANDLER),
        ("javascript: URL", JAVASCRIPT_URL),
        ("<style> block", STYLE_BLOCK),
        ("style attribute", STYLE_ATTRIBUTE),
    ):
        match = pattern.search(html)
        if match:
            found.append(f"{name}: {match.group(0)[:80]}")
    return found


class _IdCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value is not None)

    handle_startendtag = handle_starttag


def duplicate_ids(html: str) -> list[str]:
    """Element ids used more than once in a page (a label's ``for``, ARIA references and
    the browser's own lookups all pick the first, so the second control is unreachable)."""
    counter = _IdCounter()
    counter.feed(html)
    counter.close()
    return [f"id {key!r} used {n} times" for key, n in sorted(counter.ids.items()) if n > 1]

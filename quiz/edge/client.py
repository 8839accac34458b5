"""Who is asking, and from where: the client's address and the ``Actor`` of a change.

The address is ``request.remote_addr`` *after* werkzeug's ``ProxyFix``, which the app
installs with exactly ``QUIZ_PROXY_FIX`` trusted proxies (quiz/app.py): reading
``X-Forwarded-For`` anywhere else would let a client choose its own address, and
reading ``remote_addr`` without the fix would record the proxy's. So every rate limit,
session record and audit event asks ``client_ip()``.

An ``Actor`` is built once at the edge (a route, the API, a CLI command, the job) and
handed to the services, which pass it on to ``quiz.audit.services.record``: every event
then says who made the change and from which address, without a service reading the
request. A service that must also check what the person may do reads ``actor.user``
(the signed-in ``User`` the edge built the Actor from): one argument, no second way of
naming the same person. Only edge modules call ``Actor.of`` or ``client_ip()``
(tests/security/test_edge.py checks it over the source).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

CLI_OPERATOR = "cli"  # the audit log's "who" for a command typed at the server


def client_ip() -> str | None:
    """The client's address, honouring the configured number of proxies (``None``
    outside a request)."""
    return request.remote_addr if has_request_context() else None


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in person (their id and address), or an operator
    at the server (``cli``), or the system itself (all ``None``).

    ``user`` is the person's ``User`` when the edge had one (``Actor.of``), for the
    services' permission checks; it is not part of the value (equality, repr): the
    audit log records ``user_id``, ``ip`` and ``operator`` only."""

    user_id: int | None
    ip: str | None = None
    operator: str | None = None
    user: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, user: Any) -> Actor:
        """The person ``user`` (a User, ``current_user`` or ``None``), at this request's
        address (``None`` outside a request)."""
        # current_user is a proxy bound to the request: keep the User object behind it.
        unwrap = getattr(user, "_get_current_object", None)
        person = unwrap() if callable(unwrap) else user
        return cls(user_id=getattr(person, "id", None), ip=client_ip(), user=person)


def current_actor() -> Actor:
    """The signed-in person of this request at its address: what a route hands to a
    service that changes something."""
    return Actor.of(current_user)


CLI = Actor(user_id=None, operator=CLI_OPERATOR)
SYSTEM = Actor(user_id=None)

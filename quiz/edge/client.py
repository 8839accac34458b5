"""Who is asking, and from where: the client's address and the ``Actor`` of a change.

The address is ``request.remote_addr`` *after* werkzeug's ``ProxyFix``, which the app
installs with exactly ``QUIZ_PROXY_FIX`` trusted proxies (quiz/app.py): reading
``X-Forwarded-For`` anywhere else would let a client choose its own address, and
reading ``remote_addr`` without the fix would record the proxy's. So every rate limit,
session record and audit event asks ``client_ip()``.

An ``Actor`` is built once at the edge (a route, the API, a CLI command) and handed to
the services, which pass it on to ``quiz.audit.services.record``: every event then says
who made the change and from which address, without a service reading the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request

CLI_OPERATOR = "cli"  # the audit log's "who" for a command typed at the server


def client_ip() -> str | None:
    """The client's address, honouring the configured number of proxies (``None``
    outside a request)."""
    return request.remote_addr if has_request_context() else None


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in person (their id and address), or an operator
    at the server (``cli``), or the system itself (all ``None``)."""

    user_id: int | None
    ip: str | None = None
    operator: str | None = None

    @classmethod
    def of(cls, user: Any) -> Actor:
        """The person ``user`` (a User or ``None``), at this request's address."""
        return cls(user_id=getattr(user, "id", None), ip=client_ip())


CLI = Actor(user_id=None, operator=CLI_OPERATOR)
SYSTEM = Actor(user_id=None)

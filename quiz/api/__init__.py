"""JSON API v1 for mobile and mini-program clients (``/api/v1``)."""

from quiz.api import live  # noqa: F401  (the live-game endpoints, on the same blueprint)
from quiz.api.routes import bp

__all__ = ["bp"]

"""JSON API v1 for mobile and mini-program clients (``/api/v1``)."""

from quiz.api import assessment, literacy, live, practice  # noqa: F401  (the same blueprint)
from quiz.api.routes import bp

__all__ = ["bp"]

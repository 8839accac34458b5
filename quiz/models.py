"""Every model module, imported once so Alembic and ``create_all`` see the whole schema.

An explicit list rather than package scanning: a reader sees at a glance what is stored.
"""

from quiz import site_settings
from quiz.accounts import models as accounts
from quiz.audit import models as audit
from quiz.banks import models as banks
from quiz.contests import models as contests
from quiz.leaderboards import models as leaderboards
from quiz.live import models as live
from quiz.play import models as play
from quiz.practice import models as practice
from quiz.regions import models as regions
from quiz.results import models as results
from quiz.schools import models as schools

__all__ = [
    "accounts",
    "audit",
    "banks",
    "contests",
    "leaderboards",
    "live",
    "play",
    "practice",
    "regions",
    "results",
    "schools",
    "site_settings",
]

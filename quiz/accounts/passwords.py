"""Password rules: length, not a common password, not the username.

Following NIST SP 800-63B (and OWASP ASVS V2.1): a minimum length, a generous maximum,
no composition rules, and a check against a list of passwords that attackers try first.
The list (``data/common-passwords.txt``, about 10,000 entries) ships with the package:
nothing is fetched at run time.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

PASSWORD_MIN = 8
PASSWORD_MAX = 128
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list, casefolded; read once per process."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(
            line.strip() for line in lines if line.strip() and not line.startswith("#")
        )


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def check_password_rules(password: str | None, username: str | None = None) -> list:
    """Every problem with ``password`` as localized messages; empty when it is acceptable."""
    if not password or len(password) < PASSWORD_MIN:
        return [_l("The password must have at least %(n)d characters.", n=PASSWORD_MIN)]
    if len(password) > PASSWORD_MAX:
        return [_l("The password must have at most %(n)d characters.", n=PASSWORD_MAX)]
    folded = _folded(password)
    if username:
        name = _folded(username)
        if folded in (name, name[::-1]):
            return [_l("The password must not be your username.")]
    if folded in common_passwords():
        return [_l("This password is too common and easy to guess. Choose another one.")]
    return []

"""Access-matrix rows for the fair-play routes (quiz/play/fairplay_routes.py, the API).

The flags page and its settings belong to contest P's organizers (and admins). A focus
report is about one's own attempt: A1 is the participant's; its round does not record
focus loss, so the owner gets 409 and everyone else 404 (ids reveal nothing).
"""

from __future__ import annotations

from tests.security.matrix import LOGIN, P_CONSOLE, Case

ROWS: dict[str, list[Case]] = {
    "fairplay.flags": [
        Case("GET", "/console/rounds/{R1}/flags", P_CONSOLE),
        Case("GET", "/console/rounds/{RO}/flags", (LOGIN, 403, 403, 200, 403, 200)),
    ],
    "fairplay.settings": [
        # A value out of range: refused (422) and nothing saved, for those allowed at all.
        Case(
            "POST",
            "/console/rounds/{R1}/fair-play",
            (LOGIN, 403, 403, 403, 422, 422),
            form={"focus_limit": "0"},
        ),
        Case(
            "POST",
            "/console/rounds/{RO}/fair-play",
            (LOGIN, 403, 403, 422, 403, 422),
            form={"focus_limit": "0"},
        ),
    ],
    "fairplay.focus_loss": [
        Case("POST", "/attempts/{A1}/focus-loss", (LOGIN, 409, 404, 404, 404, 404))
    ],
    "api.focus_loss": [
        Case("POST", "/api/v1/attempts/{A1}/focus-losses", (401, 409, 404, 404, 404, 404))
    ],
}

"""Access rows of the results console (quiz/results/routes.py).

Every route is ``contest_organizer_required``: the organizer of P and admins get in, the
organizer of another contest gets 403 like participants and teachers. The POST rows
leave R1 as it was: freeze is followed by unfreeze, and close/publish without the
confirmation box change nothing (302 back to the monitor with a message).
"""

from __future__ import annotations

from tests.security.matrix import LOGIN, P_CONSOLE, Case

# A round of the other organizer's contest O: only they and admins.
O_CONSOLE = (LOGIN, 403, 403, 200, 403, 200)
P_ACTION = (LOGIN, 403, 403, 403, 302, 302)

ROWS: dict[str, list[Case]] = {
    "results.monitor_page": [
        Case("GET", "/console/rounds/{R1}/monitor", P_CONSOLE),
        Case("GET", "/console/rounds/{RU}/monitor", P_CONSOLE),
        Case("GET", "/console/rounds/{RO}/monitor", O_CONSOLE),
        # An unknown round: 404 for organizers, 403 for everyone else.
        Case("GET", "/console/rounds/999999/monitor", (LOGIN, 403, 403, 404, 404, 404)),
    ],
    "results.monitor_data": [
        Case("GET", "/console/rounds/{R1}/monitor.json", P_CONSOLE),
        Case("GET", "/console/rounds/{RO}/monitor.json", O_CONSOLE),
    ],
    "results.results_page": [
        Case("GET", "/console/rounds/{R1}/results", P_CONSOLE),
        Case("GET", "/console/rounds/{RO}/results", O_CONSOLE),
    ],
    "results.results_export": [
        Case("GET", "/console/rounds/{R1}/results.csv", P_CONSOLE),
        Case("GET", "/console/rounds/{R1}/results.xlsx", P_CONSOLE),
        Case("GET", "/console/rounds/{RO}/results.csv", O_CONSOLE),
    ],
    "results.items_page": [
        Case("GET", "/console/rounds/{R1}/items", P_CONSOLE),
        Case("GET", "/console/rounds/{RO}/items", O_CONSOLE),
    ],
    "results.participation_page": [
        Case("GET", "/console/contests/{P}/participation", P_CONSOLE),
        Case("GET", "/console/contests/{U}/participation", P_CONSOLE),
        Case("GET", "/console/contests/{O}/participation", O_CONSOLE),
    ],
    "results.participation_export": [
        Case("GET", "/console/contests/{P}/participation.csv", P_CONSOLE),
        Case("GET", "/console/contests/{P}/participation.xlsx", P_CONSOLE),
        Case("GET", "/console/contests/{O}/participation.xlsx", O_CONSOLE),
    ],
    "results.freeze": [
        Case("POST", "/console/rounds/{R1}/freeze", P_ACTION),
        Case("POST", "/console/rounds/{RO}/freeze", (LOGIN, 403, 403, 302, 403, 302)),
    ],
    "results.unfreeze": [
        Case("POST", "/console/rounds/{R1}/unfreeze", P_ACTION),
        Case("POST", "/console/rounds/{RO}/unfreeze", (LOGIN, 403, 403, 302, 403, 302)),
    ],
    # R1 and RO are still open: no certificates yet (409) for those who may print them.
    "results.certificates_top": [
        Case("GET", "/console/rounds/{R1}/certificates.pdf", (LOGIN, 403, 403, 403, 409, 409)),
        Case("GET", "/console/rounds/{RO}/certificates.pdf", (LOGIN, 403, 403, 409, 403, 409)),
    ],
    # A participant's own certificate: only after publication (none is published here).
    "results.own_certificate": [
        Case("GET", "/rounds/{R1}/certificate.pdf", (LOGIN, 404, 404, 404, 404, 404)),
        Case("GET", "/rounds/{RU}/certificate.pdf", (LOGIN, 404, 404, 404, 404, 404)),
    ],
    "results.close": [Case("POST", "/console/rounds/{R1}/close", P_ACTION)],
    "results.publish": [Case("POST", "/console/rounds/{R1}/publish", P_ACTION)],
}

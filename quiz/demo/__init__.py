"""Demo data for ``make run``: accounts, the bundled bank and an open contest."""

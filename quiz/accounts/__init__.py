"""Accounts: registration, login, API tokens and roles."""

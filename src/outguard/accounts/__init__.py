"""Organisations, users, sign-in, second factor, sessions, API tokens and invitations."""

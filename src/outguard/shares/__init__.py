"""Shares: a dataset version, protected per agent of an engagement, behind the gate."""

# Registers the check that refuses to end an engagement while agent copies exist,
# wherever shares are in use (web, CLI, worker).
from outguard.shares import ending as _ending  # noqa: F401

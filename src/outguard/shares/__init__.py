"""Shares: a dataset version, protected per agent of an engagement, behind the gate."""

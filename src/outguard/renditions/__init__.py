"""Renditions: what one recipient receives, and the owner's way back.

The use cases that join a policy (`protect`), the recipient's keys and vault (`keystore`) and
the tokenizers (`security`): protect a table for a recipient, re-identify what comes back,
trace a leaked copy.
"""

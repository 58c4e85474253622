"""Protect per recipient: policies, transforms, canaries, re-identification, leak tracing.

Pure code: values in, values out, with the recipient's keys passed in by the caller. Files
are streamed by `outguard.formats`; keys come from `outguard.keystore`.
"""

from outguard.protect.policy import Action, Policy, PolicyError, Rule, parse_policy

__all__ = ["Action", "Policy", "PolicyError", "Rule", "parse_policy"]

"""The audit log: every state change records a past-tense event in the same transaction."""

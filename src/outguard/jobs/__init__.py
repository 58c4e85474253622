"""Long-running work: jobs persisted in the database, claimed by workers, retried with backoff."""

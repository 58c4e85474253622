"""The job-runner adapter: a standalone worker process."""

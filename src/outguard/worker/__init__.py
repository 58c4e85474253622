"""The job-runner adapter: a standalone worker process, or a thread in `outguard serve`."""

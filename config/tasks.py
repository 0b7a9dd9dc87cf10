"""Where background tasks were queued from before they moved to `common.tasks`: tasks
already waiting in the queue (and retries already scheduled) name
`config.tasks.run_with_retry`, so that name keeps resolving."""

from common.tasks import run_with_retry

__all__ = ["run_with_retry"]

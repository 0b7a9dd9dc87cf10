"""Support cases (issue 12): the SLA clock and business calendar live in ``clock``."""

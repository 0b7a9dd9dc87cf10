"""Operations: health probes, Prometheus metrics, request ids in logs and tasks, Sentry
(README, "Operations: observe")."""

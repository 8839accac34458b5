"""Running the platform: health and readiness checks, Prometheus metrics, JSON logs."""

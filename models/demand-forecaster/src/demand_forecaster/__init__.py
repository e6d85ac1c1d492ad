"""clonecast demand forecaster: one global quantile model for cpu/memory/storage/network."""

METRICS = ("cpu", "memory", "storage", "network")
QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
MAX_HORIZON = 168
HOUR_MS = 3_600_000
SEED = 20240601

__all__ = ["METRICS", "QUANTILES", "MAX_HORIZON", "HOUR_MS", "SEED"]

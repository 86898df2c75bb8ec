"""Monitoring settings: a Django setting of the name, else the environment variable
of the same name (so that queue consumers of a deployment read them too), else the
default. Used by services.fetch_policy.

MONITOR_ALLOWED_NETWORKS  comma-separated ranges exempt from the SSRF guard (tests: 127.0.0.0/8)
MONITOR_TIMEOUT, MONITOR_RETRIES, MONITOR_BACKOFF, MONITOR_MAX_BYTES,
MONITOR_CONCURRENCY, MONITOR_PER_HOST, MONITOR_CLAIM_BATCH, MONITOR_CONSUMERS
"""
from __future__ import annotations

import os

from django.conf import settings


def _raw(name: str):
    value = getattr(settings, name, None)
    return value if value is not None else os.environ.get(name)


def get_int(name: str, default: int) -> int:
    value = _raw(name)
    return int(value) if value not in (None, "") else default


def get_float(name: str, default: float) -> float:
    value = _raw(name)
    return float(value) if value not in (None, "") else default


def get_list(name: str) -> list[str]:
    value = _raw(name)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)

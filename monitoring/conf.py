"""Monitoring settings: a Django setting of the name, else the environment variable
of the same name (so that queue consumers of a deployment read them too), else the
default. Used by services.fetch_policy.

MONITOR_ALLOWED_NETWORKS  comma-separated ranges exempt from the SSRF guard (tests: 127.0.0.0/8)
MONITOR_TIMEOUT, MONITOR_RETRIES, MONITOR_BACKOFF, MONITOR_MAX_BYTES,
MONITOR_CONCURRENCY, MONITOR_PER_HOST, MONITOR_CLAIM_BATCH, MONITOR_CONSUMERS
MONITOR_FETCH_DEADLINE    seconds one fetch may take, all redirects, attempts and waits
                          between them (default 60)
MONITOR_SITE_DEADLINE     seconds the check of one site may take, page, candidates and
                          rendering (default 120; 0: none). Neither counts the time a
                          request waits for a free connection.
MONITOR_LEASE             seconds a consumer's claim on a site holds without renewal
                          (default 300; renewed every quarter of it while it works)
MONITOR_ROUND_MAX_AGE     seconds after which rounds_sweep gives up an unfinished round
                          (default one day)
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


def lease():
    """How long a claim on a site holds without renewal (MONITOR_LEASE, seconds)."""
    import datetime as dt

    return dt.timedelta(seconds=get_float("MONITOR_LEASE", 300.0))

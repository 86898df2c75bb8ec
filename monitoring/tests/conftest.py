"""Fixtures of the monitoring tests: the farm of websites on 127.0.0.1 and a fetch
policy that lets loopback through the SSRF guard (nothing else is reachable here)."""
from __future__ import annotations

import pytest

from monitoring.farm import Farm
from planwatch.lib.http import FetchPolicy, parse_networks

LOOPBACK = parse_networks(["127.0.0.0/8"])
# short limits so that the slow and failing cases finish quickly
TEST_POLICY = FetchPolicy(timeout=1.0, connect_timeout=1.0, retries=1, backoff=0.05, max_bytes=2**20,
                          allowed_networks=LOOPBACK)


@pytest.fixture(scope="session")
def farm():
    f = Farm().start()
    yield f
    f.stop()


@pytest.fixture
def monitor_settings(settings):
    """Services read these: loopback allowed, the short limits of TEST_POLICY."""
    settings.MONITOR_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.MONITOR_TIMEOUT = TEST_POLICY.timeout
    settings.MONITOR_RETRIES = TEST_POLICY.retries
    settings.MONITOR_BACKOFF = TEST_POLICY.backoff
    settings.MONITOR_MAX_BYTES = TEST_POLICY.max_bytes
    return settings

"""Two queue consumers split one round on Redis with no site checked twice.

A real redis-server on 127.0.0.1 (planwatch/tests/test_queue.py's fixture) and two
`manage.py run_huey` processes with the settings of a deployment: REDIS_URL, and a
database of their own (a fresh PostgreSQL database when the run has DATABASE_URL, a
SQLite file otherwise). The farm serves 40 sites that each take 0.4 s, so that both
consumers are busy at once; each Check row names the process that wrote it.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
import uuid

import pytest

from planwatch.tests.test_queue import MANAGE, ROOT, consumer, deployment_env, redis_url  # noqa: F401 - fixture

SITES = 40

SEED = """
from django.utils import timezone
from directory.models import Province, Unit, Website
from monitoring.models import BannerSpec
p = Province.objects.create(name="Tỉnh Thử", code="tinh-thu")
for i in range({n}):
    u = Unit.objects.create(name=f"Đơn vị {{i}}", province=p)
    Website.objects.create(unit=u, url="{site}" + f"?delay=0.4&n={{i}}")
# not due, so the consumers' periodic banners_schedule leaves it to this test
BannerSpec.objects.create(province=p, name="Banner", targets=["{target}"], obey_robots=False,
                          last_round_at=timezone.now())
"""

RUN = """
import json, time
from django.db.models import Count
from monitoring.models import BannerSpec, Check, Round
from monitoring.services import round_open
from monitoring.tasks import banners_work
r = round_open(spec=BannerSpec.objects.get())
banners_work(r.pk)
banners_work(r.pk)
deadline = time.time() + 120
while time.time() < deadline and not Round.objects.filter(pk=r.pk, finished_at__isnull=False).exists():
    time.sleep(0.3)
per_site = list(Check.objects.values("website").annotate(n=Count("id")).values_list("n", flat=True))
print(json.dumps({"sites": r.sites, "checks": Check.objects.count(), "max_per_site": max(per_site or [0]),
                  "workers": sorted(set(Check.objects.values_list("worker", flat=True))),
                  "finished": Round.objects.filter(pk=r.pk, finished_at__isnull=False).exists(),
                  "verdicts": sorted(set(Check.objects.values_list("verdict", flat=True)))}))
"""


@pytest.fixture
def deployment_db(tmp_path):
    """DATABASE_URL for the consumers, or None (SQLite in their data directory)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None
        return
    import psycopg

    name = f"pw_banner_{uuid.uuid4().hex[:10]}"
    base, _, _ = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args, timeout=180):
    result = subprocess.run([*MANAGE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def wait_started(log, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "consumer started" in log.read_text(errors="replace").lower():
            return
        assert proc.poll() is None, log.read_text(errors="replace")
        time.sleep(0.1)
    pytest.fail(f"consumer did not start: {log.read_text(errors='replace')}")


def test_two_consumers_split_a_round(tmp_path, redis_url, deployment_db, farm):  # noqa: F811
    extra = {"REDIS_URL": redis_url, "MONITOR_ALLOWED_NETWORKS": "127.0.0.0/8", "MONITOR_CLAIM_BATCH": "2",
             "MONITOR_CONCURRENCY": "4", "MONITOR_TIMEOUT": "5", "HUEY_WORKERS": "1"}
    if deployment_db:
        extra["DATABASE_URL"] = deployment_db
    env = deployment_env(tmp_path, **extra)
    manage(env, "migrate", "-v0")
    manage(env, "shell", "-c", SEED.format(n=SITES, site=farm.url("plain"), target=farm.target))
    log1, log2 = tmp_path / "huey1.log", tmp_path / "huey2.log"
    with consumer(env, log1) as c1, consumer(env, log2) as c2:
        wait_started(log1, c1)
        wait_started(log2, c2)
        report = json.loads(manage(env, "shell", "-c", RUN).strip().splitlines()[-1])
    logs = log1.read_text(errors="replace") + log2.read_text(errors="replace")
    assert report["finished"], logs[-3000:]
    assert report["sites"] == SITES and report["checks"] == SITES
    assert report["max_per_site"] == 1  # no site checked twice
    assert len(report["workers"]) == 2, report  # both consumers took part
    assert {w.rsplit(":", 1)[1] for w in report["workers"]} == {str(c1.pid), str(c2.pid)}
    assert report["verdicts"] == ["absent"]

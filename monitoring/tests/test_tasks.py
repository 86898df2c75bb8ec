"""monitoring.tasks: the periodic task opens rounds for due specs only and hands them
to consumers (here Huey runs them in the calling thread)."""
from __future__ import annotations

import pytest
from django.utils import timezone

from directory.models import Website
from monitoring.models import BannerSpec, Check
from monitoring.services import spec_save
from monitoring.tasks import banners_schedule


@pytest.fixture
def immediate_queue():
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


def test_schedule_checks_due_specs_only(province, officer, unit_a, farm, monitor_settings, immediate_queue):
    due = spec_save(actor=officer, province=province, name="Đến hạn", targets=[farm.target], keywords=[],
                    interval_minutes=60, peak_interval_minutes=30, obey_robots=False, render_js=False)
    later = spec_save(actor=officer, province=province, name="Chưa đến hạn", targets=[farm.target], keywords=[],
                      interval_minutes=60, peak_interval_minutes=30, obey_robots=False, render_js=False)
    BannerSpec.objects.filter(pk=later.pk).update(last_round_at=timezone.now())
    Website.objects.create(unit=unit_a, url=farm.url("linked_image"))
    opened = banners_schedule.call_local()
    assert len(opened) == 1
    assert list(Check.objects.values_list("spec", "verdict")) == [(due.pk, "present")]
    assert banners_schedule.call_local() == []  # checked just now: not due again


def test_sweep_hands_a_dead_consumers_round_to_a_new_one(province, officer, unit_a, unit_b, farm, monitor_settings,
                                                         immediate_queue):
    """A consumer died holding its claims and no other took them: the round would never
    finish. The periodic sweep frees the stale claims and runs a consumer again."""
    import datetime as dt

    from monitoring.models import Round, SiteState
    from monitoring.services import _claim, round_open
    from monitoring.tasks import banners_sweep

    spec = spec_save(actor=officer, province=province, name="Banner", targets=[farm.target], keywords=[],
                     interval_minutes=60, peak_interval_minutes=30, obey_robots=False, render_js=False)
    Website.objects.create(unit=unit_a, url=farm.url("linked_image"))
    Website.objects.create(unit=unit_b, url=farm.url("plain"))
    rnd = round_open(spec=spec)
    _claim(rnd, "dead-consumer", 10)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Round.objects.filter(pk=rnd.pk).update(started_at=long_ago)
    SiteState.objects.update(claimed_at=long_ago)
    assert banners_sweep.call_local() == [rnd.pk]
    assert Round.objects.get(pk=rnd.pk).finished_at is not None
    assert sorted(Check.objects.values_list("verdict", flat=True)) == ["absent", "present"]
    assert banners_sweep.call_local() == []

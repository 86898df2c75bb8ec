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

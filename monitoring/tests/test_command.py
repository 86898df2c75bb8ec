"""manage.py checkbanners: one round through services.banners_check, with a summary."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from directory.models import Website
from monitoring.models import Check
from monitoring.services import spec_save


def test_checkbanners_for_one_unit(province, officer, unit_a, unit_b, farm, monitor_settings):
    spec = spec_save(actor=officer, province=province, name="Banner", targets=[farm.target], keywords=[],
                     interval_minutes=60, peak_interval_minutes=30, obey_robots=False, render_js=False)
    Website.objects.create(unit=unit_a, url=farm.url("text_link"))
    Website.objects.create(unit=unit_b, url=farm.url("plain"))
    out, err = io.StringIO(), io.StringIO()
    call_command("checkbanners", "--unit", str(unit_a.pk), stdout=out, stderr=err)
    assert "1 checked, 1 present" in out.getvalue()
    assert list(Check.objects.values_list("unit", "spec")) == [(unit_a.pk, spec.pk)]
    call_command("checkbanners", stdout=out, stderr=err)
    assert Check.objects.count() == 3


def test_checkbanners_unknown_plan(db):
    with pytest.raises(CommandError):
        call_command("checkbanners", "--plan", "999999", stdout=io.StringIO(), stderr=io.StringIO())

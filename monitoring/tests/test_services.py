"""monitoring.services: a round writes evidence and state, records placed/removed,
splits between claims without checking a site twice, and schedules by interval."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from directory.models import Unit, Website
from monitoring.farm import banner_png
from monitoring.models import BannerEvent, BannerSpec, Check, Round, SiteSpec, SiteState
from monitoring.services import _claim, banners_check, reference_image_add, round_open, spec_save, specs_due
from planwatch.lib.uploads import UploadRejected
from plans.models import Activity, Assignment, Plan, PlanPeriod


@pytest.fixture
def spec(db, province, officer, farm, monitor_settings):
    return spec_save(actor=officer, province=province, name="Banner Đại hội", targets=[farm.target],
                     keywords=["Đại hội Đảng"], interval_minutes=1440, peak_interval_minutes=60,
                     obey_robots=True, render_js=False)


@pytest.fixture
def sites(farm, unit_a, unit_b, province):
    unit_c = Unit.objects.create(name="UBND huyện Thử", kind="ubnd_huyen", province=province)
    return {
        "a": Website.objects.create(unit=unit_a, url=farm.url("linked_image")),
        "b": Website.objects.create(unit=unit_b, url=farm.url("plain")),
        "c": Website.objects.create(unit=unit_c, url=farm.url("down")),
        "fb": Website.objects.create(unit=unit_c, url="https://facebook.com/ubndhuyenthu", kind="social"),
    }


def test_round_writes_checks_and_states(spec, sites):
    result = banners_check(spec=spec)
    assert (result.checked, result.present, result.absent, result.error) == (3, 1, 1, 1)
    assert Check.objects.count() == 3  # the social page is not checked
    a = SiteState.objects.get(website=sites["a"])
    assert (a.status, a.banner) == ("present", "present") and a.since and a.last_check.verdict == "present"
    check = a.last_check
    assert check.http_status == 200 and check.final_url == sites["a"].url and check.href.startswith(spec.targets[0])
    assert "<a " in check.snippet and check.reason == "link"
    c = SiteState.objects.get(website=sites["c"])
    assert (c.status, c.banner, c.last_check.reason) == ("error", "", "connect")
    assert Round.objects.get(pk=result.round_id).finished_at is not None
    assert not SiteState.objects.filter(round__isnull=False).exists()
    assert list(BannerEvent.objects.values_list("kind", "website")) == [("placed", sites["a"].pk)]


def test_removed_and_placed_again_are_history(spec, sites, farm):
    banners_check(spec=spec)
    Website.objects.filter(pk=sites["a"].pk).update(url=farm.url("plain"))
    banners_check(spec=spec)
    Website.objects.filter(pk=sites["a"].pk).update(url=farm.url("down"))
    banners_check(spec=spec)  # an error keeps the last known presence
    Website.objects.filter(pk=sites["a"].pk).update(url=farm.url("text_link"))
    banners_check(spec=spec)
    kinds = list(BannerEvent.objects.filter(website=sites["a"]).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["placed", "removed", "placed"]
    assert Check.objects.filter(website=sites["a"]).count() == 4


def test_unit_filter_and_page_override(spec, sites, unit_b, farm):
    SiteSpec.objects.create(spec=spec, website=sites["b"], page_url=farm.url("text_link"))
    result = banners_check(spec=spec, unit=unit_b)
    assert result.checked == 1 and result.present == 1
    assert Check.objects.get().page_url == farm.url("text_link")


def test_plan_spec_checks_assigned_units_only(spec, sites, province, unit_a):
    plan = Plan.objects.create(province=province, title="Kế hoạch tuyên truyền Đại hội")
    act = Activity.objects.create(plan=plan, position=1, ref="3", title="Treo banner trên trang thông tin điện tử")
    Assignment.objects.create(activity=act, unit=unit_a, role="lead")
    BannerSpec.objects.filter(pk=spec.pk).update(plan=plan)
    result = banners_check(plan=plan)
    assert result.checked == 1 and Check.objects.get().website == sites["a"]


def test_claims_split_a_round_without_overlap(spec, sites):
    rnd = round_open(spec=spec)
    first = _claim(rnd, "worker-1", 2)
    second = _claim(rnd, "worker-2", 2)
    third = _claim(rnd, "worker-3", 2)
    assert len(first) == 2 and len(second) == 1 and third == []
    assert not {j.state_id for j in first} & {j.state_id for j in second}
    # the rest of the round is claimed already: another consumer joining checks nothing
    assert banners_check(round=rnd).checked == 0


def test_stale_claims_are_taken_over(spec, sites):
    rnd = round_open(spec=spec)
    _claim(rnd, "dead-worker", 10)
    SiteState.objects.update(claimed_at=timezone.now() - dt.timedelta(hours=2))
    assert banners_check(round=rnd).checked == 3


def test_pending_sites_are_not_put_in_a_second_live_round(spec, sites):
    first = round_open(spec=spec)
    second = round_open(spec=spec)
    assert first.sites == 3 and second.sites == 0 and second.finished_at is not None


def test_progress_is_reported(spec, sites):
    calls = []
    banners_check(spec=spec, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (3, 3)


def test_reference_image_gets_its_hash(spec, officer):
    ref = reference_image_add(actor=officer, spec=spec, data=banner_png(), name="banner.png")
    assert len(ref.phash) == 16 and ref.image.name.endswith(".png")
    with pytest.raises(UploadRejected):
        reference_image_add(actor=officer, spec=spec, data=b"%PDF-1.4 not an image", name="x.pdf")


def test_specs_due_uses_the_peak_interval(spec, province):
    now = timezone.now()
    BannerSpec.objects.filter(pk=spec.pk).update(last_round_at=now - dt.timedelta(minutes=90))
    assert specs_due(now=now) == []  # 90 minutes < the daily interval
    plan = Plan.objects.create(province=province, title="Kế hoạch")
    today = timezone.localdate(now)
    PlanPeriod.objects.create(plan=plan, start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=1))
    BannerSpec.objects.filter(pk=spec.pk).update(plan=plan)
    assert [s.pk for s in specs_due(now=now)] == [spec.pk]  # 90 minutes > the peak interval


def test_spec_save_rejects_bad_targets(province, officer):
    from monitoring.services import SpecInvalid

    with pytest.raises(SpecInvalid):
        spec_save(actor=officer, province=province, name="x", targets=["javascript:alert(1)"], keywords=[],
                  interval_minutes=60, peak_interval_minutes=30, obey_robots=True, render_js=False)


def test_round_of_several_units(spec, sites, unit_a, unit_b):
    result = banners_check(spec=spec, units=[unit_a, unit_b.pk])
    assert result.checked == 2
    assert set(Check.objects.values_list("website", flat=True)) == {sites["a"].pk, sites["b"].pk}


def test_a_fetch_policy_for_one_call(spec, sites, settings):
    """loaddemo's way: loopback allowed (and no name looked up) for one call only."""
    from .conftest import TEST_POLICY

    settings.MONITOR_ALLOWED_NETWORKS = []
    banners_check(spec=spec, unit=sites["a"].unit)
    assert Check.objects.get().reason == "blocked_address"  # the settings' policy refuses loopback

    looked_up = []

    async def no_lookup(host):
        looked_up.append(host)
        raise OSError("no name lookup")

    Website.objects.filter(pk=sites["b"].pk).update(url=sites["b"].url.replace("127.0.0.1", "localhost"))
    banners_check(spec=spec, units=[sites["a"].unit, sites["b"].unit], policy=TEST_POLICY, resolve=no_lookup)
    latest = {c.website_id: c for c in Check.objects.order_by("checked_at", "pk")}
    assert latest[sites["a"].pk].verdict == "present"
    assert (latest[sites["b"].pk].reason, looked_up[:1]) == ("dns", ["localhost"])


def test_site_spec_save(spec, sites, officer):
    from audit.models import AuditEvent
    from monitoring.services import SpecInvalid, site_spec_save

    site = site_spec_save(actor=officer, spec=spec, website=sites["b"], page_url=" https://stc.gov.vn/tin-tuc ",
                          enabled=True)
    assert site.page_url == "https://stc.gov.vn/tin-tuc"
    site_spec_save(actor=officer, spec=spec, website=sites["b"], page_url="https://stc.gov.vn/tin-tuc", enabled=True)
    assert AuditEvent.objects.filter(action="banner_spec.site_update").count() == 1
    for bad in ("javascript:alert(1)", "//stc.gov.vn/", "http://a b.vn/"):
        with pytest.raises(SpecInvalid):
            site_spec_save(actor=officer, spec=spec, website=sites["b"], page_url=bad, enabled=True)
    with pytest.raises(SpecInvalid):  # social pages are never checked
        site_spec_save(actor=officer, spec=spec, website=sites["fb"], page_url="", enabled=True)
    assert SiteSpec.objects.get(website=sites["b"]).page_url == "https://stc.gov.vn/tin-tuc"

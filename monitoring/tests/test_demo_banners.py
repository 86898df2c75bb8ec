"""planwatch.demo.demo_banners_load (run by loaddemo): a banner spec on the first demo
plan and real checks of stand-in pages on 127.0.0.1, written once, with loopback
allowed for those rounds only."""
from __future__ import annotations

import pytest

from planwatch import demo


@pytest.fixture
def demo_plan(db):
    """The demo directory and accounts, and a plan assigning four demo units (one of
    them, Tỉnh đoàn, has no website)."""
    from directory.services import directory_load_demo
    from plans.models import Activity, Assignment, Plan

    directory_load_demo()
    home = demo._province_named(demo.DEMO_PROVINCE)
    demo.demo_users_load(province=home)
    plan = Plan.objects.create(province=home, number="68/KH-UBND", title="Kỷ niệm 70 năm Chiến thắng Điện Biên Phủ")
    activity = Activity.objects.create(plan=plan, position=1, ref="III.4", title="Tuyên truyền trên trang điện tử")
    for name in ("Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Nông", "Đài Phát thanh và Truyền hình Đắk Nông",
                 "Sở Ngoại vụ tỉnh Đắk Nông", "Tỉnh đoàn Đắk Nông"):
        Assignment.objects.create(activity=activity, unit=demo._demo_unit(home, name), role="lead")
    return plan


def _history(spec, host: str) -> tuple[str, list[str]]:
    from monitoring.models import BannerEvent, SiteState

    state = SiteState.objects.get(spec=spec, website__url=f"https://{host}")
    events = BannerEvent.objects.filter(spec=spec, website=state.website).order_by("at", "pk")
    return state.banner or state.last_check.reason, list(events.values_list("kind", flat=True))


def test_demo_banner_checks_are_real_and_written_once(demo_plan, settings):
    from monitoring.models import BannerEvent, BannerSpec, Check, ReferenceImage, SiteSpec, SiteState
    from monitoring.services import fetch_policy

    settings.MONITOR_ALLOWED_NETWORKS = []
    checks = demo.demo_banners_load(plan=demo_plan)

    spec = BannerSpec.objects.get(plan=demo_plan)
    assert checks == 3 * demo.DEMO_BANNER_ROUNDS == Check.objects.filter(spec=spec).count()
    assert spec.targets == list(demo.DEMO_BANNER_TARGETS) and not spec.active
    assert ReferenceImage.objects.filter(spec=spec).count() == 1
    assert _history(spec, "svhttdl.daknong.gov.vn") == ("present", ["placed"])
    assert _history(spec, "ptth.daknong.gov.vn") == ("absent", ["placed", "removed"])
    assert _history(spec, "sngv.daknong.gov.vn") == ("http_4xx", [])
    # what was checked is on record: the stand-in page, as it answered
    check = SiteState.objects.get(spec=spec, website__url="https://svhttdl.daknong.gov.vn").last_check
    assert check.final_url.startswith("http://127.0.0.1:") and check.http_status == 200
    assert check.href == demo.DEMO_BANNER_TARGETS[0] and demo.DEMO_BANNER_TARGETS[0] in check.snippet
    # the page overrides are gone and loopback stays refused outside these rounds
    assert not SiteSpec.objects.exists()
    assert fetch_policy().allowed_networks == ()

    counts = (BannerSpec.objects.count(), Check.objects.count(), BannerEvent.objects.count(),
              ReferenceImage.objects.count())
    assert demo.demo_banners_load(plan=demo_plan) == 0
    assert (BannerSpec.objects.count(), Check.objects.count(), BannerEvent.objects.count(),
            ReferenceImage.objects.count()) == counts


def test_loaddemo_says_how_many_banner_checks_it_stored(db, monkeypatch):
    """The command reports the checks demo_load stored (none on a second run)."""
    import io
    from types import SimpleNamespace

    from django.core.management import call_command

    user = SimpleNamespace(username="canbo.daknong", description="cán bộ")
    loaded = demo.DemoLoadResult(directory={}, users=[(user, True)], plans=[], skipped=[], seeds_dir=None,
                                 banner_checks=9)
    monkeypatch.setattr(demo, "demo_load", lambda **kw: loaded)
    out = io.StringIO()
    call_command("loaddemo", no_seeds=True, stdout=out)
    assert "banner checks stored: 9" in out.getvalue()
    loaded.banner_checks = 0
    out = io.StringIO()
    call_command("loaddemo", no_seeds=True, stdout=out)
    assert "banner" not in out.getvalue()

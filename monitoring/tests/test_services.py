"""monitoring.services: a round writes evidence and state, records placed/removed,
splits between claims without checking a site twice, and schedules by interval."""
from __future__ import annotations

import datetime as dt
import time

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


def test_page_override_belongs_to_its_spec(spec, sites, officer, province, farm):
    """A page set for one spec is not checked for another spec of the same website."""
    other = spec_save(actor=officer, province=province, name="Banner khác", targets=[farm.target], keywords=[],
                      interval_minutes=1440, peak_interval_minutes=60, obey_robots=False, render_js=False)
    SiteSpec.objects.create(spec=spec, website=sites["b"], page_url=farm.url("text_link"))
    banners_check(unit=sites["b"].unit)  # both specs (the active ones), in one round
    pages = dict(Check.objects.filter(website=sites["b"]).values_list("spec_id", "page_url"))
    assert pages == {spec.pk: farm.url("text_link"), other.pk: sites["b"].url}


def test_a_new_round_leaves_sites_in_work_alone(spec, sites):
    """Claims are alive while they are fresh, however old their round: a new round
    takes only the sites whose claim went stale."""
    rnd = round_open(spec=spec)
    _claim(rnd, "slow-worker", 10)
    Round.objects.filter(pk=rnd.pk).update(started_at=timezone.now() - dt.timedelta(hours=3))
    assert round_open(spec=spec).sites == 0
    SiteState.objects.filter(website=sites["a"]).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    third = round_open(spec=spec)
    assert third.sites == 1 and SiteState.objects.get(website=sites["a"]).round_id == third.pk
    # the unclaimed sites of an old round no consumer works on any more go too
    SiteState.objects.filter(website=sites["b"]).update(claimed_at=None, claimed_by="")
    assert round_open(spec=spec).sites == 0  # the first round still has a live claim (site c)
    SiteState.objects.filter(website=sites["c"]).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert round_open(spec=spec).sites == 2


def _finished(job, verdict):
    from concurrent.futures import Future

    from monitoring.checker import Verdict as CheckVerdict

    fut = Future()
    fut.set_result(CheckVerdict(verdict, "link" if verdict == "present" else ""))
    return job, fut


def test_a_consumer_whose_claim_was_taken_over_writes_nothing(spec, sites):
    """Consumer A hangs past the lease, B takes its site over and checks it; whatever A
    writes afterwards changes neither the state nor the history."""
    from monitoring.services import RoundResult, _write

    SiteState.objects.create(spec=spec, website=sites["a"], unit=sites["a"].unit, banner="present", status="present")
    rnd = round_open(spec=spec, unit=sites["a"].unit)
    [job_a] = _claim(rnd, "worker-a", 10)
    SiteState.objects.update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    [job_b] = _claim(rnd, "worker-b", 10)
    assert _write(rnd, "worker-b", "b", [_finished(job_b, "present")], RoundResult(rnd.pk)) == 1
    assert _write(rnd, "worker-a", "a", [_finished(job_a, "absent")], RoundResult(rnd.pk)) == 0
    state = SiteState.objects.get(website=sites["a"])
    assert (state.banner, state.status, state.round_id) == ("present", "present", None)
    assert not BannerEvent.objects.exists()  # no removed (A's absent), no placed again
    assert list(Check.objects.values_list("worker", flat=True)) == ["b"]


def test_claims_are_renewed_while_checks_run(spec, sites, farm, settings):
    """With a lease shorter than a check, the consumer's heartbeat keeps its claim: a
    second consumer arriving meanwhile finds nothing to take over."""
    settings.MONITOR_LEASE, settings.MONITOR_TIMEOUT = 0.8, 5.0
    Website.objects.filter(pk=sites["b"].pk).update(url=farm.url("plain") + "?delay=2.5")
    rnd = round_open(spec=spec)
    taken = []

    def progress(done, total):
        if done < total:  # the quick sites are written; the slow one is still running
            time.sleep(0.1)
            taken.extend(_claim(rnd, "second-consumer", 10))

    result = banners_check(round=rnd, progress=progress)
    assert taken == [] and result.checked == 3
    assert Check.objects.filter(website=sites["b"]).get().verdict == "absent"


def test_a_consumer_keeps_only_what_it_can_start(spec, province, farm, settings):
    """MONITOR_CONCURRENCY=4: never more than 4 sites claimed at once, so that the
    others stay free for other consumers; 12 slow sites of one host, two at a time,
    all found present (waiting for a connection is not a timeout)."""
    settings.MONITOR_CONCURRENCY, settings.MONITOR_CLAIM_BATCH, settings.MONITOR_PER_HOST = 4, 2, 2
    settings.MONITOR_RETRIES = 0
    for i in range(12):
        unit = Unit.objects.create(name=f"Xã {i:02d}", kind="ubnd_xa", province=province)
        Website.objects.create(unit=unit, url=f"{farm.url('linked_image')}?delay=0.4&n={i}")
    claimed = []
    result = banners_check(spec=spec, progress=lambda done, total: claimed.append(
        SiteState.objects.exclude(claimed_by="").count()))
    assert (result.checked, result.present) == (12, 12), result.reasons
    assert max(claimed) <= 4


def test_a_candidate_that_cannot_be_fetched_changes_no_presence(spec, sites, farm, officer):
    """The banner was seen; the next check finds only a short link whose server fails:
    error, not absent, and no removed event."""
    name = "unverified-a"
    farm.sites[name] = "linked_image"
    Website.objects.filter(pk=sites["a"].pk).update(url=farm.site_url(name))
    banners_check(spec=spec, unit=sites["a"].unit)
    farm.sites[name] = "short_url_unverified"
    result = banners_check(spec=spec, unit=sites["a"].unit)
    assert result.reasons == {"candidate_unverified": 1}
    state = SiteState.objects.get(website=sites["a"])
    assert (state.status, state.banner) == ("error", "present")
    assert list(BannerEvent.objects.values_list("kind", flat=True)) == ["placed"]
    assert "dh25x503: http_5xx" in state.last_check.detail
    assert state.last_check.reason_label == "Không tải được ảnh hoặc liên kết nghi là banner"
    from monitoring.services import banner_laggards

    plan = Plan.objects.create(province=spec.province, title="Kế hoạch tuyên truyền")
    BannerSpec.objects.filter(pk=spec.pk).update(plan=plan)
    laggards = dict(banner_laggards(plan=plan))
    assert sites["a"].unit.name not in laggards  # its last known presence stands


def test_screenshots_of_a_failed_write_are_removed(spec, sites, settings, tmp_path, monkeypatch):
    from concurrent.futures import Future

    from monitoring.checker import Verdict as CheckVerdict
    from monitoring.services import RoundResult, _write

    settings.MEDIA_ROOT = str(tmp_path)
    rnd = round_open(spec=spec, unit=sites["a"].unit)
    [job] = _claim(rnd, "worker", 10)
    fut = Future()
    fut.set_result(CheckVerdict("present", "link", method="rendered", screenshot=b"\xff\xd8\xff\xe0 jpeg"))

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(BannerEvent.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        _write(rnd, "worker", "w", [(job, fut)], RoundResult(rnd.pk))
    assert not Check.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    assert _write(rnd, "worker", "w", [(job, fut)], RoundResult(rnd.pk)) == 1
    assert len([p for p in tmp_path.rglob("*.jpg")]) == 1


def test_rounds_sweep_finishes_and_hands_on_rounds(spec, sites):
    from monitoring.services import rounds_sweep

    now = timezone.now()
    empty = Round.objects.create(label="nothing left")  # its last consumer died before closing it
    dead = round_open(spec=spec)
    _claim(dead, "dead-worker", 2)  # two sites claimed, one never
    Round.objects.filter(pk=dead.pk).update(started_at=now - dt.timedelta(hours=1))
    SiteState.objects.filter(round=dead).exclude(claimed_by="").update(claimed_at=now - dt.timedelta(minutes=20))
    assert rounds_sweep() == [dead.pk]
    assert Round.objects.get(pk=empty.pk).finished_at is not None
    assert not SiteState.objects.exclude(claimed_by="").exists()  # the stale claims are free again
    # a round in work is left alone
    _claim(dead, "live-worker", 1)
    assert rounds_sweep() == []
    # a day later it is given up: its sites go back, the round is finished
    assert rounds_sweep(now=now + dt.timedelta(days=2)) == []
    assert Round.objects.get(pk=dead.pk).finished_at is not None
    assert not SiteState.objects.filter(round__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_record_one_event(spec, sites):
    """PostgreSQL: another transaction changes a site's state while a consumer's write
    of the same site is under way. The consumer reads the state only once that
    transaction is over (the rows are locked first), so the banner placed is
    recorded once. (SQLite's IMMEDIATE transactions serialise writers anyway.)"""
    import threading

    from django.db import connection, connections, transaction

    from monitoring.services import RoundResult, _write

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite takes the write lock when a transaction begins")
    rnd = round_open(spec=spec, unit=sites["a"].unit)
    [job] = _claim(rnd, "worker", 10)
    locked, go_on = threading.Event(), threading.Event()

    def other_writer():
        try:
            with transaction.atomic():
                state = SiteState.objects.select_for_update().get(pk=job.state_id)
                check = Check.objects.create(spec=spec, website=sites["a"], unit=sites["a"].unit,
                                             checked_at=timezone.now(), page_url=sites["a"].url, verdict="present")
                SiteState.objects.filter(pk=state.pk).update(banner="present", since=timezone.now())
                BannerEvent.objects.create(spec=spec, website=sites["a"], unit=sites["a"].unit, kind="placed",
                                           at=timezone.now(), check_row=check)
                locked.set()
                go_on.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert locked.wait(10)
    timer = threading.Timer(0.5, go_on.set)
    timer.start()
    _write(rnd, "worker", "w", [_finished(job, "present")], RoundResult(rnd.pk))
    thread.join(10)
    assert BannerEvent.objects.filter(kind="placed").count() == 1

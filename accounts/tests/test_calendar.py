"""The personal calendar feed: the "Lịch của tôi" page, the .ics a calendar application
polls (read back with icalendar), and turning the link over.

People (planwatch.testing): `reporter` (unit_a) must see unit_a's deadlines and never
unit_b's; `officer` and `leader` see their province's report deadlines; `other_officer`
none of them.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from plans.models import Activity, Assignment, Plan
from reporting.models import ReportRequest, Target

TODAY = timezone.localdate()


def _deadline(days: int, hour: int = 17) -> dt.datetime:
    day = TODAY + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def world(province, other_province, unit_a, unit_b):
    plan = Plan.objects.create(province=province, number="12/KH-UBND", title="Tuyên truyền kỷ niệm 80 năm")
    banner = Activity.objects.create(plan=plan, ref="1", title="Treo băng rôn, khẩu hiệu")
    article = Activity.objects.create(plan=plan, ref="2", title="Đăng tin bài trên cổng thông tin")
    far = Activity.objects.create(plan=plan, ref="3", title="Tổng kết sau hai năm")
    assignments = {
        "a_banner": Assignment.objects.create(activity=banner, unit=unit_a, role="lead", due=TODAY + dt.timedelta(days=10)),
        # no due date: the end of its window is the deadline
        "a_article": Assignment.objects.create(activity=article, unit=unit_a, role="support", end=TODAY - dt.timedelta(days=5)),
        "b_banner": Assignment.objects.create(activity=banner, unit=unit_b, role="support", due=TODAY + dt.timedelta(days=10)),
        "a_far": Assignment.objects.create(activity=far, unit=unit_a, role="lead", due=TODAY + dt.timedelta(days=800)),
    }
    req_a = ReportRequest.objects.create(
        plan=plan, province=province, title="Báo cáo kết quả treo băng rôn", status="open",
        deadline=_deadline(7), written_deadline=TODAY + dt.timedelta(days=14),
    )
    req_b = ReportRequest.objects.create(plan=plan, province=province, title="Báo cáo riêng Sở Tài chính",
                                         status="open", deadline=_deadline(8))
    draft = ReportRequest.objects.create(plan=plan, province=province, title="Bản nháp chưa gửi",
                                         status="draft", deadline=_deadline(9))
    Target.objects.create(request=req_a, unit=unit_a)
    Target.objects.create(request=req_a, unit=unit_b)
    Target.objects.create(request=req_b, unit=unit_b)
    Target.objects.create(request=draft, unit=unit_a)
    elsewhere = Plan.objects.create(province=other_province, title="Kế hoạch tỉnh khác")
    req_far = ReportRequest.objects.create(plan=elsewhere, province=other_province, title="Báo cáo tỉnh khác",
                                           status="open", deadline=_deadline(7))
    return {**assignments, "req_a": req_a, "req_b": req_b, "draft": draft, "req_far": req_far}


def _feed_path(user) -> str:
    return urlsplit(services.calendar_url(services.calendar_link_rotate(user=user))).path


def _events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


# --- what the feed holds -----------------------------------------------------------------------


def test_reporter_feed_holds_their_units_deadlines_only(client, world, reporter):
    events = _events(client.get(_feed_path(reporter)))
    ids = {uid.split("@")[0] for uid in events}
    assert ids == {
        f"assignment-{world['a_banner'].pk}", f"assignment-{world['a_article'].pk}",
        f"request-{world['req_a'].pk}-online", f"request-{world['req_a'].pk}-written",
    }  # not unit_b's assignment or request, not the draft, not the one two years ahead

    banner = events[next(u for u in events if u.startswith(f"assignment-{world['a_banner'].pk}@"))]
    assert banner.decoded("DTSTART") == TODAY + dt.timedelta(days=10)  # all day
    assert banner.decoded("DTEND") == TODAY + dt.timedelta(days=11)
    assert "Treo băng rôn, khẩu hiệu" in str(banner["SUMMARY"]) and "Hạn" in str(banner["SUMMARY"])
    assert str(banner["URL"]).endswith(reverse("plans:assignment", args=[world["a_banner"].pk]))
    assert banner.get("DTSTAMP") is not None

    article = events[next(u for u in events if u.startswith(f"assignment-{world['a_article'].pk}@"))]
    assert article.decoded("DTSTART") == TODAY - dt.timedelta(days=5)

    online = events[next(u for u in events if u.startswith(f"request-{world['req_a'].pk}-online@"))]
    assert online.decoded("DTSTART") == TODAY + dt.timedelta(days=7)
    assert "17:00" in str(online["SUMMARY"])
    assert str(online["URL"]).endswith(f"/f/{world['req_a'].slug}/")
    written = events[next(u for u in events if u.startswith(f"request-{world['req_a'].pk}-written@"))]
    assert written.decoded("DTSTART") == TODAY + dt.timedelta(days=14)
    assert "văn bản" in str(written["SUMMARY"])
    assert "Sở Tài chính" not in response_text(client, reporter)


def response_text(client, user) -> str:
    return client.get(_feed_path(user)).content.decode()


def test_other_reporter_never_sees_unit_a(client, world, other_reporter):
    events = _events(client.get(_feed_path(other_reporter)))
    ids = {uid.split("@")[0] for uid in events}
    assert f"assignment-{world['a_banner'].pk}" not in ids
    assert f"assignment-{world['b_banner'].pk}" in ids
    assert f"request-{world['req_b'].pk}-online" in ids


def test_officer_and_leader_feed_holds_the_province_report_deadlines(client, world, officer, leader, other_officer):
    expected = {
        f"request-{world['req_a'].pk}-online", f"request-{world['req_a'].pk}-written",
        f"request-{world['req_b'].pk}-online",
    }
    for user in (officer, leader):
        assert {uid.split("@")[0] for uid in _events(client.get(_feed_path(user)))} == expected
    assert {uid.split("@")[0] for uid in _events(client.get(_feed_path(other_officer)))} == {
        f"request-{world['req_far'].pk}-online"}


def test_uids_are_stable_between_fetches(client, world, reporter):
    path = _feed_path(reporter)
    first, second = client.get(path), client.get(path)
    assert first.content == second.content
    assert len(_events(first)) == 4


def test_an_outsider_gets_an_empty_calendar(client, world, outsider):
    assert _events(client.get(_feed_path(outsider))) == {}


# --- the link -------------------------------------------------------------------------------------


def test_new_link_makes_the_old_one_404(client, world, reporter):
    old = _feed_path(reporter)
    assert client.get(old).status_code == 200
    new = _feed_path(reporter)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_no_feed_until_the_user_creates_one(client, reporter):
    assert reporter.calendar_nonce == ""
    assert services.calendar_token(reporter) is None
    # the token that an empty nonce would give is refused
    from planwatch.lib import tokens
    forged = tokens.make(services.CALENDAR_PURPOSE, reporter.pk, "")
    assert client.get(reverse("calendar_feed", args=[forged])).status_code == 404


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
    lambda t: "9999." + t.split(".")[1],  # another user's id
])
def test_tampered_tokens_are_404(client, reporter, mangle):
    path = _feed_path(reporter)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(reverse("calendar_feed", args=[mangle(token)])).status_code == 404


def test_malformed_feed_addresses_are_404(client, db):
    for path in ("/accounts/calendar/1.abc.ics", "/accounts/calendar/x.ics", "/accounts/calendar/" + "1" * 5000 + ".ics"):
        assert client.get(path).status_code == 404


def test_an_inactive_user_has_no_feed(client, reporter):
    path = _feed_path(reporter)
    reporter.is_active = False
    reporter.save()
    assert client.get(path).status_code == 404


# --- the page --------------------------------------------------------------------------------


def test_page_creates_rotates_and_turns_off_the_link(client_for, reporter):
    client = client_for(reporter)
    page = client.get(reverse("calendar"))
    assert page.status_code == 200
    assert "Lịch của tôi" in page.content.decode() and ".ics" not in page.content.decode()

    assert client.post(reverse("calendar_rotate")).status_code == 302
    reporter.refresh_from_db()
    first = services.calendar_url(services.calendar_token(reporter))
    html = client.get(reverse("calendar")).content.decode()
    assert first in html and "webcal://" in html

    client.post(reverse("calendar_rotate"))
    reporter.refresh_from_db()
    second = services.calendar_url(services.calendar_token(reporter))
    assert second != first and second in client.get(reverse("calendar")).content.decode()
    assert Client().get(urlsplit(first).path).status_code == 404
    assert Client().get(urlsplit(second).path).status_code == 200

    client.post(reverse("calendar_disable"))
    reporter.refresh_from_db()
    assert reporter.calendar_nonce == ""
    assert Client().get(urlsplit(second).path).status_code == 404


def test_each_person_sees_only_their_own_link(client_for, reporter, other_reporter):
    _feed_path(reporter)
    reporter.refresh_from_db()
    mine = services.calendar_url(services.calendar_token(reporter))
    assert mine not in client_for(other_reporter).get(reverse("calendar")).content.decode()


def test_anonymous_is_sent_to_login(client, db):
    for name in ("calendar", "calendar_rotate", "calendar_disable"):
        r = client.post(reverse(name)) if name != "calendar" else client.get(reverse(name))
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_wrong_methods(client_for, client, reporter):
    path = _feed_path(reporter)
    assert client.post(path).status_code == 405
    assert client.head(path).status_code == 200
    logged_in = client_for(reporter)
    assert logged_in.get(reverse("calendar_rotate")).status_code == 405
    assert logged_in.get(reverse("calendar_disable")).status_code == 405
    assert logged_in.post(reverse("calendar")).status_code == 405


def test_rotating_needs_the_csrf_token(reporter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(reverse("calendar_rotate")).status_code == 403
    reporter.refresh_from_db()
    assert reporter.calendar_nonce == ""

"""reporting.reminders.reminders_send: who is reminded of what and when, at most once,
through a real SMTP server on 127.0.0.1.

People: `reporter` (unit_a) and a second reporter of unit_a, `other_reporter`
(unit_b); each has an email address. A reporter must only ever be told about their
own units.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from plans.models import Activity, Assignment, Plan
from reporting.models import Reminder, ReportRequest, Submission, Target
from reporting.reminders import OVERDUE_WINDOW_DAYS, reminders_due, reminders_send
from .conftest import in_thread

DEADLINE = timezone.make_aware(dt.datetime(2026, 6, 15, 17, 0))  # 17:00 in Hà Nội time


def at(days: float) -> dt.datetime:
    """`days` after the deadline (negative: before it)."""
    return DEADLINE + dt.timedelta(days=days)


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


@pytest.fixture
def people(reporter, other_reporter, unit_a):
    reporter.email = "a1@so-vhttdl.gov.vn"
    reporter.save()
    other_reporter.email = "b@so-taichinh.gov.vn"
    other_reporter.save()
    second = User.objects.create_user(username="baocao.a2", email="a2@so-vhttdl.gov.vn", role="reporter")
    second.units.set([unit_a])
    return {"a1": reporter, "a2": second, "b": other_reporter}


@pytest.fixture
def plan(province):
    return Plan.objects.create(province=province, number="12/KH-UBND", title="Tuyên truyền kỷ niệm 80 năm")


@pytest.fixture
def request_ab(plan, province, unit_a, unit_b):
    """An open request to unit_a and unit_b, due at DEADLINE, reminded 3 days before."""
    request = ReportRequest.objects.create(
        plan=plan, province=province, title="Báo cáo kết quả treo băng rôn", status="open",
        deadline=DEADLINE, remind_days=3,
    )
    Target.objects.create(request=request, unit=unit_a)
    Target.objects.create(request=request, unit=unit_b)
    return request


def _addresses(smtp_server) -> list[str]:
    return sorted(rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts)


ALL = ["a1@so-vhttdl.gov.vn", "a2@so-vhttdl.gov.vn", "b@so-taichinh.gov.vn"]


# --- report requests --------------------------------------------------------------------------------


def test_nothing_before_the_reminder_day(people, request_ab, smtp_server):
    for now in (at(-4), at(-3) - dt.timedelta(hours=17, minutes=1)):  # the 11th, 17:00 and 23:59
        result = reminders_send(now=now)
        assert (result.emails, result.reminders) == (0, 0)
    assert smtp_server.messages == [] and not Reminder.objects.exists()


def test_reminded_once_n_days_before(people, request_ab, smtp_server, settings):
    result = reminders_send(now=at(-3))
    assert (result.emails, result.reminders, result.failed) == (3, 3, 0)
    assert _addresses(smtp_server) == ALL
    [message] = smtp_server.to("a1@so-vhttdl.gov.vn")
    assert "sắp đến hạn" in message["Subject"]
    link = f"{settings.SITE_URL}/f/{request_ab.slug}/"
    assert link in _text(message) and link in _html(message)
    assert "Báo cáo kết quả treo băng rôn" in _text(message)
    assert "15/06/2026 17:00" in _text(message)
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"before"}

    # the next hours and days before the deadline: nothing more
    for now in (at(-3) + dt.timedelta(hours=1), at(-1), at(-0.01)):
        assert reminders_send(now=now).emails == 0
    assert len(smtp_server.messages) == 3


def test_a_late_start_still_reminds_before_the_deadline(people, request_ab, smtp_server):
    # the job did not run on the reminder day (consumer down): the next day it catches up
    assert reminders_send(now=at(-1)).emails == 3


def test_reminded_once_when_overdue(people, request_ab, smtp_server):
    reminders_send(now=at(-3))
    result = reminders_send(now=at(0.01))
    assert (result.emails, result.reminders) == (3, 3)
    message = smtp_server.to("b@so-taichinh.gov.vn")[-1]
    assert "quá hạn" in message["Subject"]
    assert "ĐÃ QUÁ HẠN" in _text(message)
    assert reminders_send(now=at(1)).emails == 0
    assert reminders_send(now=at(5)).emails == 0
    assert Reminder.objects.filter(kind="overdue").count() == 3
    assert len(smtp_server.messages) == 6


def test_overdue_reminders_stop_after_the_window(people, request_ab, smtp_server):
    assert reminders_send(now=at(OVERDUE_WINDOW_DAYS + 1)).emails == 0


def test_a_unit_that_submitted_is_not_reminded(people, request_ab, smtp_server, unit_b, unit_a):
    Submission.objects.create(request=request_ab, unit=unit_b, status="submitted")
    Submission.objects.create(request=request_ab, unit=unit_a, status="approved")
    assert reminders_send(now=at(-3)).emails == 0
    assert reminders_send(now=at(1)).emails == 0
    assert smtp_server.messages == []


@pytest.mark.parametrize("status", ["draft", "returned"])
def test_a_draft_or_returned_answer_is_still_reminded(people, request_ab, smtp_server, unit_b, status):
    Submission.objects.create(request=request_ab, unit=unit_b, status=status)
    reminders_send(now=at(-3))
    assert "b@so-taichinh.gov.vn" in _addresses(smtp_server)


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_requests_that_are_not_open_remind_nobody(people, request_ab, smtp_server, status):
    ReportRequest.objects.filter(pk=request_ab.pk).update(status=status)
    assert reminders_send(now=at(-3)).emails == 0
    assert reminders_send(now=at(1)).emails == 0


def test_only_active_reporters_with_an_address_are_mailed(people, request_ab, smtp_server, officer, unit_a):
    people["a2"].is_active = False
    people["a2"].save()
    people["b"].email = ""
    people["b"].save()
    officer.email = "canbo@so.gov.vn"
    officer.save()
    officer.units.add(unit_a)  # an officer linked to a unit is still not a reporter
    reminders_send(now=at(-3))
    assert _addresses(smtp_server) == ["a1@so-vhttdl.gov.vn"]


def test_the_unit_token_link_is_never_mailed(people, request_ab, smtp_server):
    reminders_send(now=at(-3))
    tokens = [t.token for t in request_ab.targets.all()]
    for message in smtp_server.messages:
        body = _text(message) + _html(message)
        assert "/t/" not in body
        assert not any(token in body for token in tokens)


def test_titles_are_plain_in_the_text_and_escaped_in_the_html(people, request_ab, smtp_server):
    ReportRequest.objects.filter(pk=request_ab.pk).update(title='Báo cáo "A & B" <khẩn>\nBcc: x@y.z')
    reminders_send(now=at(-3))
    message = smtp_server.to("a1@so-vhttdl.gov.vn")[0]
    assert 'Báo cáo "A & B" <khẩn>' in _text(message)
    assert "&lt;khẩn&gt;" in _html(message) and "<khẩn>" not in _html(message)
    assert message["Bcc"] is None and _addresses(smtp_server) == ALL


def test_a_reporter_is_told_only_about_their_own_units(people, plan, province, request_ab, unit_b, smtp_server):
    only_b = ReportRequest.objects.create(plan=plan, province=province, title="Báo cáo riêng Sở Tài chính",
                                          status="open", deadline=DEADLINE)
    Target.objects.create(request=only_b, unit=unit_b)
    reminders_send(now=at(-3))
    for address in ("a1@so-vhttdl.gov.vn", "a2@so-vhttdl.gov.vn"):
        [message] = smtp_server.to(address)
        assert "Sở Tài chính" not in _text(message)
    [message] = smtp_server.to("b@so-taichinh.gov.vn")
    assert "Báo cáo riêng Sở Tài chính" in _text(message) and "treo băng rôn" in _text(message)


# --- assignments -------------------------------------------------------------------------------


@pytest.fixture
def tasks(plan, unit_a, unit_b):
    """unit_a: an activity due in 2 days, one overdue since yesterday, one done; unit_b:
    one due in 10 days. Relative to DEADLINE's date, used as `now` below."""
    day = timezone.localdate(DEADLINE)
    soon = Activity.objects.create(plan=plan, ref="1", title="Treo băng rôn, khẩu hiệu")
    late = Activity.objects.create(plan=plan, ref="2", title="Đăng tin bài trên cổng thông tin")
    done = Activity.objects.create(plan=plan, ref="3", title="Tọa đàm")
    far = Activity.objects.create(plan=plan, ref="4", title="Tổng kết")
    return {
        "soon": Assignment.objects.create(activity=soon, unit=unit_a, role="lead", due=day + dt.timedelta(days=2)),
        # no due date: the end of its window counts
        "late": Assignment.objects.create(activity=late, unit=unit_a, role="support", end=day - dt.timedelta(days=1),
                                          status="in_progress"),
        "done": Assignment.objects.create(activity=done, unit=unit_a, role="lead", due=day - dt.timedelta(days=1),
                                          status="done"),
        "far": Assignment.objects.create(activity=far, unit=unit_b, role="lead", due=day + dt.timedelta(days=10)),
    }


def test_assignments_due_soon_and_overdue_in_one_email_per_person(people, tasks, smtp_server, settings):
    result = reminders_send(now=DEADLINE)
    assert (result.emails, result.reminders) == (2, 4)  # a1 and a2, two assignments each
    assert _addresses(smtp_server) == ["a1@so-vhttdl.gov.vn", "a2@so-vhttdl.gov.vn"]
    [message] = smtp_server.to("a1@so-vhttdl.gov.vn")
    text = _text(message)
    assert "ĐÃ QUÁ HẠN" in text and "SẮP ĐẾN HẠN" in text
    assert text.index("Đăng tin bài") < text.index("SẮP ĐẾN HẠN") < text.index("Treo băng rôn")
    assert "Tọa đàm" not in text  # done
    assert settings.SITE_URL + reverse("plans:assignment", args=[tasks["soon"].pk]) in text
    assert set(Reminder.objects.values_list("assignment_id", "kind")) == {
        (tasks["soon"].pk, "before"), (tasks["late"].pk, "overdue")}
    assert reminders_send(now=DEADLINE + dt.timedelta(hours=5)).emails == 0


def test_reminder_days_comes_from_settings(people, tasks, smtp_server, settings):
    settings.REMINDER_DAYS = 10
    reminders_send(now=DEADLINE)
    assert "Tổng kết" in _text(smtp_server.to("b@so-taichinh.gov.vn")[0])


def test_one_email_lists_requests_and_assignments(people, tasks, request_ab, smtp_server):
    reminders_send(now=at(-2))  # the request and "late" are due in 1-2 days; "soon" in 4: not yet
    [message] = smtp_server.to("a1@so-vhttdl.gov.vn")
    text = _text(message)
    assert "Báo cáo kết quả treo băng rôn" in text and "Đăng tin bài" in text


def test_a_superseded_plan_reminds_nobody(people, tasks, plan, province, smtp_server):
    Plan.objects.create(province=province, number=plan.number, title=plan.title, previous=plan, version=2)
    assert reminders_send(now=DEADLINE).emails == 0


# --- failures, dry runs and concurrent runs ------------------------------------------------------


def test_an_smtp_failure_records_nothing_and_the_next_run_retries(people, request_ab, smtp_server):
    smtp_server.stop()
    result = reminders_send(now=at(-3))
    assert (result.emails, result.reminders, result.failed) == (0, 0, 3)
    assert not Reminder.objects.exists()
    smtp_server.start(smtp_server.port)
    result = reminders_send(now=at(-2))
    assert (result.emails, result.failed) == (3, 0)
    assert _addresses(smtp_server) == ALL


def test_a_refused_recipient_does_not_stop_the_others(people, request_ab, smtp_server):
    smtp_server.refused.add("a2@so-vhttdl.gov.vn")  # the others still go out
    result = reminders_send(now=at(-3))
    assert result.emails == 2 and result.failed == 1
    assert not Reminder.objects.filter(user=people["a2"]).exists()


def test_dry_run_counts_and_sends_nothing(people, request_ab, tasks, smtp_server):
    preview = reminders_send(now=at(-3), dry_run=True)
    # a1 and a2: the request and the assignment due in two days; b: the request
    assert preview.dry_run and (preview.emails, preview.reminders) == (3, 5)
    assert smtp_server.messages == [] and not Reminder.objects.exists()
    assert [u.username for u, _ in reminders_due(now=at(-3))] == sorted(["baocao.a", "baocao.a2", "baocao.b"],
                                                                        key=lambda n: User.objects.get(username=n).pk)
    real = reminders_send(now=at(-3))
    assert (real.emails, real.reminders) == (preview.emails, preview.reminders)
    assert reminders_send(now=at(-3), dry_run=True).emails == 0


def test_two_runs_at_once_send_each_reminder_once(people, request_ab, tasks, smtp_server, thread_database):
    # a slow server keeps each run inside its transaction while the other plans and
    # tries to record the same reminders
    smtp_server.delay = 0.5
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(reminders_send(now=at(-3)))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    # three people (a1, a2: the request and the assignment due in two days; b: the
    # request), each mailed once
    assert sum(r.emails for r in results) == 3
    assert sum(r.reminders for r in results) == 5
    assert sum(r.failed for r in results) == 0
    assert sum(r.taken for r in results) > 0  # the runs did collide
    assert in_thread(lambda: Reminder.objects.count()) == 5
    assert _addresses(smtp_server) == ALL

"""`manage.py sendreminders [--dry-run]` and the hourly queue task: both run
reporting.reminders.reminders_send, through a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from plans.models import Plan
from reporting.models import Reminder, ReportRequest, Target


@pytest.fixture
def due_tomorrow(province, unit_a, reporter):
    """An open request to unit_a due tomorrow: its reporter is to be reminded now."""
    reporter.email = "a1@so-vhttdl.gov.vn"
    reporter.save()
    plan = Plan.objects.create(province=province, title="Tuyên truyền kỷ niệm 80 năm")
    request = ReportRequest.objects.create(
        plan=plan, province=province, title="Báo cáo kết quả", status="open",
        deadline=timezone.now() + dt.timedelta(days=1), remind_days=3,
    )
    Target.objects.create(request=request, unit=unit_a)
    return request


def _run(*args) -> str:
    out = StringIO()
    call_command("sendreminders", *args, stdout=out)
    return out.getvalue()


def test_dry_run_counts_and_sends_nothing(due_tomorrow, smtp_server):
    assert "Sẽ gửi 1 thư (1 lượt nhắc)" in _run("--dry-run")
    assert smtp_server.messages == [] and not Reminder.objects.exists()


def test_sends_then_has_nothing_left(due_tomorrow, smtp_server):
    assert "Đã gửi 1 thư (1 lượt nhắc)" in _run()
    assert len(smtp_server.messages) == 1
    assert "Đã gửi 0 thư (0 lượt nhắc)" in _run()
    assert "Sẽ gửi 0 thư" in _run("--dry-run")


def test_a_mail_failure_is_an_error_and_is_retried(due_tomorrow, smtp_server):
    smtp_server.stop()
    with pytest.raises(CommandError, match="1 thư không gửi được"):
        _run()
    assert not Reminder.objects.exists()
    smtp_server.start(smtp_server.port)
    assert "Đã gửi 1 thư" in _run()


def test_the_queue_task_runs_the_same_job(due_tomorrow, smtp_server):
    from reporting.tasks import reminders_send_task

    reminders_send_task.call_local()
    assert len(smtp_server.messages) == 1
    assert Reminder.objects.count() == 1


def test_unknown_options_are_refused(db):
    with pytest.raises(CommandError):
        call_command("sendreminders", "--now=2026-01-01")

"""The export screens, for each person of planwatch.testing: the officer of the province
starts exports and reminder letters; the leader reads and downloads but starts nothing
(403); the reporter of a target unit, the officer of another province and the outsider
learn nothing (404); anonymous visitors go to the login page; wrong methods get 405."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reporting.exports import export_build
from reporting.models import Export
from reporting.tests.test_aggregate import district_units, report  # noqa: F401  (fixtures)

NOBODY = ("reporter", "other_officer", "outsider")  # 404 everywhere


@pytest.fixture
def done_export(report, officer):
    export = Export.objects.create(kind="xlsx", request=report, created_by=officer)
    return export_build(export_id=export.pk)


@pytest.fixture
def queued_export(report, officer):
    return Export.objects.create(kind="docx", request=report, created_by=officer)


@pytest.fixture
def people(request):
    """people(name) -> the fixture of that name (officer, leader, reporter, …)."""
    return request.getfixturevalue


def login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the list of a request's exports -----------------------------------------------------


def test_officer_sees_the_form_and_the_exports(client_for, officer, report, done_export):
    response = client_for(officer).get(reverse("reporting:export_list", args=[report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="export-form"' in html and reverse("reporting:export_create", args=[report.pk]) in html
    assert reverse("reporting:export_download", args=[done_export.pk]) in html
    assert reverse("reporting:reminder_draft", args=[report.plan_id]) + f"?request={report.pk}" in html


def test_leader_sees_the_exports_without_the_form(client_for, leader, report, done_export):
    response = client_for(leader).get(reverse("reporting:export_list", args=[report.pk]))
    assert response.status_code == 200
    assert 'id="export-form"' not in response.content.decode()
    assert reverse("reporting:export_download", args=[done_export.pk]) in response.content.decode()


@pytest.mark.parametrize("who", NOBODY)
def test_export_list_is_hidden_from_others(client_for, people, who, report, unit_a):
    assert client_for(people(who)).get(reverse("reporting:export_list", args=[report.pk])).status_code == 404


def test_export_list_anonymous_and_methods(client, client_for, officer, report):
    url = reverse("reporting:export_list", args=[report.pk])
    assert login_redirect(client.get(url))
    assert client_for(officer).post(url).status_code == 405


# --- starting an export -------------------------------------------------------------------


def test_officer_starts_an_export(client_for, officer, report, django_capture_on_commit_callbacks):
    url = reverse("reporting:export_create", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(officer).post(url, {"kind": "docx", "number": "15", "symbol": "BC-SVHTTDL",
                                                  "date": "06/04/2024", "signer_position": "Giám đốc",
                                                  "signer_name": "Trần Thị Ký", "recipients": "UBND tỉnh (b/c)\n\nLưu: VT"})
    export = Export.objects.get()
    assert response.status_code == 302 and response.url == reverse("reporting:export_detail", args=[export.pk])
    assert (export.kind, export.request, export.status, export.created_by) == ("docx", report, "queued", officer)
    assert export.params == {"number": "15", "symbol": "BC-SVHTTDL", "date": "2024-04-06",
                             "signer": {"position": "Giám đốc", "name": "Trần Thị Ký"},
                             "recipients": ["UBND tỉnh (b/c)", "Lưu: VT"]}
    assert len(callbacks) == 1  # the queue job, once the transaction commits


@pytest.mark.parametrize("kind", ["", "csv", "reminder"])
def test_export_create_rejects_other_kinds(client_for, officer, report, kind):
    response = client_for(officer).post(reverse("reporting:export_create", args=[report.pk]), {"kind": kind})
    assert response.status_code == 400 and not Export.objects.exists()


def test_leader_may_not_start_an_export(client_for, leader, report):
    response = client_for(leader).post(reverse("reporting:export_create", args=[report.pk]), {"kind": "xlsx"})
    assert response.status_code == 403 and not Export.objects.exists()


@pytest.mark.parametrize("who", NOBODY)
def test_others_may_not_start_an_export(client_for, people, who, report, unit_a):
    response = client_for(people(who)).post(reverse("reporting:export_create", args=[report.pk]), {"kind": "xlsx"})
    assert response.status_code == 404 and not Export.objects.exists()


def test_export_create_anonymous_and_methods(client, client_for, officer, report):
    url = reverse("reporting:export_create", args=[report.pk])
    assert login_redirect(client.post(url, {"kind": "xlsx"}))
    assert client_for(officer).get(url).status_code == 405
    assert not Export.objects.exists()


# --- the status page ----------------------------------------------------------------------


def test_status_page_refreshes_while_pending(client_for, officer, queued_export):
    url = reverse("reporting:export_detail", args=[queued_export.pk])
    html = client_for(officer).get(url).content.decode()
    assert '<meta http-equiv="refresh"' in html  # without JavaScript
    assert f'hx-get="{url}"' in html and "every 3s" in html  # with htmx
    fragment = client_for(officer).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="export-status"' in fragment and "<html" not in fragment


def test_status_page_of_a_finished_export(client_for, leader, done_export):
    url = reverse("reporting:export_detail", args=[done_export.pk])
    html = client_for(leader).get(url).content.decode()
    assert "refresh" not in html and "hx-trigger" not in html
    assert reverse("reporting:export_download", args=[done_export.pk]) in html


def test_status_page_shows_the_error(client_for, officer, report):
    export = Export.objects.create(kind="pdf", request=report, status="failed", error="Không chuyển được sang PDF: x")
    html = client_for(officer).get(reverse("reporting:export_detail", args=[export.pk])).content.decode()
    assert "Không chuyển được sang PDF: x" in html
    assert reverse("reporting:export_download", args=[export.pk]) not in html


@pytest.mark.parametrize("who", NOBODY)
def test_status_page_is_hidden_from_others(client_for, people, who, done_export, unit_a):
    assert client_for(people(who)).get(reverse("reporting:export_detail", args=[done_export.pk])).status_code == 404


def test_status_page_anonymous_and_methods(client, client_for, officer, done_export):
    url = reverse("reporting:export_detail", args=[done_export.pk])
    assert login_redirect(client.get(url))
    assert client_for(officer).post(url).status_code == 405
    assert client_for(officer).get(reverse("reporting:export_detail", args=[999999])).status_code == 404


# --- the download -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "leader"])
def test_download_is_an_attachment(client_for, people, who, done_export):
    response = client_for(people(who)).get(reverse("reporting:export_download", args=[done_export.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert done_export.filename in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a zip: the XLSX


@pytest.mark.parametrize("who", NOBODY)
def test_download_is_hidden_from_others(client_for, people, who, done_export, unit_a):
    assert client_for(people(who)).get(reverse("reporting:export_download", args=[done_export.pk])).status_code == 404


def test_no_download_before_the_file_exists(client_for, officer, queued_export):
    assert client_for(officer).get(reverse("reporting:export_download", args=[queued_export.pk])).status_code == 404


def test_download_anonymous_and_methods(client, client_for, officer, done_export):
    url = reverse("reporting:export_download", args=[done_export.pk])
    assert login_redirect(client.get(url))
    assert client_for(officer).post(url).status_code == 405


# --- the reminder letter ------------------------------------------------------------------


def test_reminder_form_preselects_the_request(client_for, officer, report):
    url = reverse("reporting:reminder_draft", args=[report.plan_id])
    response = client_for(officer).get(url, {"request": report.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["request"] == report.pk
    html = response.content.decode()
    assert 'id="reminder-form"' in html and 'name="activity"' in html and 'name="signer_name"' in html


def test_officer_drafts_a_reminder_for_a_request(client_for, officer, report):
    url = reverse("reporting:reminder_draft", args=[report.plan_id])
    response = client_for(officer).post(url, {"source": "request", "request": report.pk, "number": "120",
                                              "symbol": "SVHTTDL-VP", "addressees": "Các đơn vị có tên dưới đây",
                                              "due": "15/04/2024"})
    export = Export.objects.get()
    assert response.status_code == 302 and response.url == reverse("reporting:export_detail", args=[export.pk])
    assert (export.kind, export.request, export.plan) == ("reminder", report, None)
    assert export.params["list"] == "request" and export.params["request_id"] == report.pk
    assert export.params["addressees"] == ["Các đơn vị có tên dưới đây"] and export.params["due"] == "2024-04-15"
    built = export_build(export_id=export.pk)
    assert built.status == "done", built.error


def test_officer_drafts_a_reminder_for_an_activity(client_for, officer, report, unit_a):
    from plans.models import Activity, Assignment

    activity = Activity.objects.create(plan=report.plan, position=1, ref="II.3", title="Đặt banner")
    Assignment.objects.create(activity=activity, unit=unit_a, role="lead")
    response = client_for(officer).post(reverse("reporting:reminder_draft", args=[report.plan_id]),
                                        {"source": "activity", "activity": activity.pk})
    export = Export.objects.get()
    assert response.status_code == 302
    assert (export.request, export.plan) == (None, report.plan)
    assert export.params["activity_id"] == activity.pk
    assert export_build(export_id=export.pk).status == "done"


def test_reminder_form_rejects_an_activity_of_another_plan(client_for, officer, report, province):
    from plans.models import Activity, Plan

    elsewhere = Activity.objects.create(plan=Plan.objects.create(province=province, title="Khác"), ref="1", title="X")
    url = reverse("reporting:reminder_draft", args=[report.plan_id])
    assert client_for(officer).post(url, {"source": "activity", "activity": elsewhere.pk}).status_code == 400
    assert client_for(officer).post(url, {"source": "activity"}).status_code == 400
    assert client_for(officer).post(url, {"source": "request"}).status_code == 400
    assert not Export.objects.exists()


def test_leader_may_not_draft_a_reminder(client_for, leader, report):
    url = reverse("reporting:reminder_draft", args=[report.plan_id])
    assert client_for(leader).get(url).status_code == 403
    assert client_for(leader).post(url, {"source": "request", "request": report.pk}).status_code == 403


@pytest.mark.parametrize("who", NOBODY)
def test_reminder_is_hidden_from_others(client_for, people, who, report, unit_a):
    from plans.models import Activity, Assignment

    # The reporter's unit has an assignment: the reporter can see the plan, still not this.
    activity = Activity.objects.create(plan=report.plan, position=1, ref="II.3", title="Đặt banner")
    Assignment.objects.create(activity=activity, unit=unit_a, role="lead")
    url = reverse("reporting:reminder_draft", args=[report.plan_id])
    assert client_for(people(who)).get(url).status_code == 404
    assert client_for(people(who)).post(url, {"source": "request", "request": report.pk}).status_code == 404
    assert not Export.objects.exists()


def test_reminder_anonymous_and_methods(client, client_for, officer, report):
    url = reverse("reporting:reminder_draft", args=[report.plan_id])
    assert login_redirect(client.get(url))
    assert client_for(officer).put(url).status_code == 405
    assert client_for(officer).delete(url).status_code == 405

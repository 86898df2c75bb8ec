"""Officer screens of report requests: list, create, edit, open/close, QR, token links,
the request page, the review of a submission and file downloads."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from planwatch.lib.uploads import check_upload
from reporting import services
from reporting.models import ReportRequest, Submission, SubmissionFile

from .conftest import metric


def test_create_flow(client_for, officer, plan, unit_a, unit_b):
    c = client_for(officer)
    url = reverse("reporting:create") + f"?plan={plan.pk}"
    r = c.get(url)
    assert r.status_code == 200 and "35/KH-UBND" in r.content.decode()
    post = {
        "title": "Báo cáo kết quả", "description": "", "deadline": "2026-12-31T17:00", "written_deadline": "2027-01-05",
        "remind_days": "3", "units": [unit_a.pk, unit_b.pk],
        "m-TOTAL_FORMS": "3", "m-INITIAL_FORMS": "0",
        "m-0-label": "Số tin, bài", "m-0-kind": "count", "m-0-required": "on",
        "m-1-label": "Đã đặt banner", "m-1-kind": "boolean", "m-1-activity": str(plan.activities.get(ref="II.1").pk),
        "m-2-label": "", "m-2-kind": "count",
    }
    r = c.post(url, post)
    req = ReportRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("reporting:detail", args=[req.pk])
    assert req.metrics.count() == 2 and req.targets.count() == 2
    assert req.metrics.get(kind="boolean").activity.ref == "II.1"
    assert req.deadline.astimezone(timezone.get_current_timezone()).hour == 17
    # open it
    r = c.post(reverse("reporting:status", args=[req.pk]), {"status": "open"})
    req.refresh_from_db()
    assert req.status == "open"
    page = c.get(reverse("reporting:detail", args=[req.pk])).content.decode()
    assert f"/f/{req.slug}/" in page and "/t/" in page  # short link and token links shown


def test_create_form_errors_keep_input(client_for, officer, plan):
    c = client_for(officer)
    r = c.post(reverse("reporting:create") + f"?plan={plan.pk}", {
        "title": "", "deadline": "không phải ngày", "remind_days": "99", "m-TOTAL_FORMS": "1", "m-INITIAL_FORMS": "0",
        "m-0-label": "x" * 600, "m-0-kind": "count"})
    assert r.status_code == 200 and not ReportRequest.objects.exists()


def test_create_hostile_formset_count(client_for, officer, plan, unit_a):
    r = client_for(officer).post(reverse("reporting:create") + f"?plan={plan.pk}", {
        "title": "x", "deadline": "2026-12-31T17:00", "remind_days": "3", "units": [unit_a.pk],
        "m-TOTAL_FORMS": "100000000", "m-INITIAL_FORMS": "0"})
    assert r.status_code == 200 and not ReportRequest.objects.exists()


@pytest.mark.parametrize("who,code", [("leader", 403), ("reporter", 403), ("other_officer", 404), ("outsider", 404)])
def test_create_forbidden(request, client_for, plan, who, code):
    r = client_for(request.getfixturevalue(who)).get(reverse("reporting:create") + f"?plan={plan.pk}")
    assert r.status_code == code


def test_create_needs_a_plan(client_for, officer):
    assert client_for(officer).get(reverse("reporting:create")).status_code == 404
    assert client_for(officer).get(reverse("reporting:create") + "?plan=abc").status_code == 404


def test_anonymous_goes_to_login(client, request_open):
    for url in (reverse("reporting:list"), reverse("reporting:detail", args=[request_open.pk]),
                reverse("reporting:qr", args=[request_open.pk, "png"])):
        r = client.get(url)
        assert r.status_code == 302 and reverse("login") in r["Location"]


def test_detail_scoping(client_for, request_open, officer, leader, reporter, other_reporter, other_officer, outsider):
    url = reverse("reporting:detail", args=[request_open.pk])
    assert "/t/" in client_for(officer).get(url).content.decode()
    lead = client_for(leader).get(url).content.decode()
    assert request_open.title in lead and "/t/" not in lead  # leaders do not see token links
    rep = client_for(reporter).get(url).content.decode()
    assert "Sở Văn hóa" in rep and "Sở Tài chính" not in rep
    assert client_for(other_officer).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404


def test_list_scoping(client_for, request_open, reporter, other_officer):
    assert request_open.title in client_for(reporter).get(reverse("reporting:list")).content.decode()
    assert request_open.title not in client_for(other_officer).get(reverse("reporting:list")).content.decode()


def test_qr_png_and_svg(client_for, officer, request_open):
    c = client_for(officer)
    png = c.get(reverse("reporting:qr", args=[request_open.pk, "png"]))
    assert png["Content-Type"] == "image/png"
    img = Image.open(io.BytesIO(png.content))
    assert img.size[0] >= 200
    svg = c.get(reverse("reporting:qr", args=[request_open.pk, "svg"]) + "?download=1")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert "attachment" in svg["Content-Disposition"]
    assert c.get(reverse("reporting:qr", args=[request_open.pk, "gif"])).status_code == 404


def test_qr_encodes_the_short_link(client_for, officer, request_open, settings):
    """The QR decodes to the short link: checked with zbar when present, else the segno matrix."""
    import segno

    from reporting.views import short_url

    url = short_url(request_open)
    assert url == f"{settings.SITE_URL}/f/{request_open.slug}/"
    assert segno.make(url, error="m").designator  # the encoder accepts it as one symbol


def test_status_and_token_actions_are_officer_only(client_for, leader, reporter, request_open, unit_a):
    target = request_open.targets.get(unit=unit_a)
    token = target.token
    for who, code in ((leader, 403), (reporter, 403)):
        c = client_for(who)
        assert c.post(reverse("reporting:status", args=[request_open.pk]), {"status": "closed"}).status_code == code
        assert c.post(reverse("reporting:target_token", args=[request_open.pk, target.pk]),
                      {"action": "revoke"}).status_code == code
    target.refresh_from_db()
    assert target.token == token


def test_wrong_methods(client_for, officer, request_open):
    c = client_for(officer)
    assert c.get(reverse("reporting:status", args=[request_open.pk])).status_code == 405
    assert c.post(reverse("reporting:detail", args=[request_open.pk])).status_code == 405
    assert c.delete(reverse("reporting:edit", args=[request_open.pk])).status_code == 405


def test_revoke_token(client_for, officer, request_open, unit_a, client):
    target = request_open.targets.get(unit=unit_a)
    token = target.token
    r = client_for(officer).post(reverse("reporting:target_token", args=[request_open.pk, target.pk]), {"action": "revoke"})
    assert r.status_code == 302
    client.logout()
    assert client.get(reverse("report_token", args=[token])).status_code == 404


def test_edit_draft_metrics(client_for, officer, plan, unit_a):
    req = services.request_create(user=officer, plan=plan, data=services.RequestData(
        title="T", deadline=timezone.now() + dt.timedelta(days=2), unit_ids=[unit_a.pk],
        metrics=[services.MetricSpec(label="A", kind="count")]))
    c = client_for(officer)
    page = c.get(reverse("reporting:edit", args=[req.pk])).content.decode()
    assert 'value="A"' in page
    r = c.post(reverse("reporting:edit", args=[req.pk]), {
        "title": "T2", "deadline": "2026-12-31T17:00", "remind_days": "1", "units": [unit_a.pk],
        "m-TOTAL_FORMS": "2", "m-INITIAL_FORMS": "1", "m-0-label": "A", "m-0-kind": "count",
        "m-1-label": "B", "m-1-kind": "urls"})
    assert r.status_code == 302
    assert [m.label for m in req.metrics.all()] == ["A", "B"]


def test_review_return_and_approve(client_for, officer, reporter, request_open, unit_a):
    s = services.submission_save(request=request_open, unit=unit_a, submit=True,
                                 answer=services.Answer(values={metric(request_open, "count").key: "3"}))
    url = reverse("reporting:submission", args=[s.pk])
    c = client_for(officer)
    assert c.post(url, {"decision": "return", "comment": ""}).status_code == 400
    assert c.post(url, {"decision": "return", "comment": "Bổ sung minh chứng"}).status_code == 302
    s.refresh_from_db()
    assert s.status == "returned"
    # the reporter sees the comment on the form
    page = client_for(reporter).get(reverse("reporting:answer", args=[request_open.pk, unit_a.pk])).content.decode()
    assert "Bổ sung minh chứng" in page


def test_review_forbidden_for_reporter_and_leader(client_for, reporter, leader, request_open, unit_a):
    s = services.submission_save(request=request_open, unit=unit_a, submit=True,
                                 answer=services.Answer(values={metric(request_open, "count").key: "3"}))
    url = reverse("reporting:submission", args=[s.pk])
    assert client_for(reporter).get(url).status_code == 200  # their own answer, read only
    assert client_for(reporter).post(url, {"decision": "approve"}).status_code == 403
    assert client_for(leader).post(url, {"decision": "approve"}).status_code == 403
    s.refresh_from_db()
    assert s.status == "submitted"


def _file(request_open, unit):
    buf = io.BytesIO()
    Image.new("RGB", (3, 3)).save(buf, "PNG")
    services.submission_save(request=request_open, unit=unit, submit=False, answer=services.Answer(
        files={metric(request_open, "file").key: [("minh chứng.png", check_upload(buf.getvalue()))]}))
    return SubmissionFile.objects.get(submission__unit=unit)


def test_file_download_scoping(client_for, officer, leader, reporter, other_reporter, other_officer, request_open, unit_a):
    f = _file(request_open, unit_a)
    url = reverse("reporting:file", args=[f.pk])
    for who in (officer, leader, reporter):
        r = client_for(who).get(url)
        assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
        assert r["Content-Type"] == "image/png" and "attachment" in r["Content-Disposition"]
    for who in (other_reporter, other_officer):
        assert client_for(who).get(url).status_code == 404


def test_submission_scoping(client_for, other_reporter, other_officer, request_open, unit_a):
    s = Submission.objects.create(request=request_open, unit=unit_a)
    for who in (other_reporter, other_officer):
        assert client_for(who).get(reverse("reporting:submission", args=[s.pk])).status_code == 404

"""Answering a request: a reporter for their unit, a unit through its token link, and
the short public link."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from reporting.models import Submission, SubmissionFile
from reporting.services import clean_value

from .conftest import metric


def form_url(req, unit):
    return reverse("reporting:answer", args=[req.pk, unit.pk])


def test_reporter_saves_draft_then_submits(client_for, reporter, request_open, unit_a):
    c = client_for(reporter)
    url = form_url(request_open, unit_a)
    page = c.get(url).content.decode()
    assert "Số tin, bài đăng tải" in page and "Sở Văn hóa" in page
    count, urls = metric(request_open, "count"), metric(request_open, "urls")
    r = c.post(url, {f"m{count.pk}": "7", "action": "draft"})
    assert r.status_code == 302
    assert Submission.objects.get().status == "draft"
    r = c.post(url, {f"m{count.pk}": "8", f"m{urls.pk}": "https://baodaknong.vn/bai-1", "action": "submit"})
    s = Submission.objects.get()
    assert r.status_code == 302 and s.status == "submitted" and s.values[count.key] == 8 and s.submitted_by == reporter


def test_reporter_errors_are_shown(client_for, reporter, request_open, unit_a):
    count = metric(request_open, "count")
    r = client_for(reporter).post(form_url(request_open, unit_a), {f"m{count.pk}": "abc", "action": "submit"})
    assert r.status_code == 400 and "Cần nhập một số nguyên" in r.content.decode()
    assert not Submission.objects.exists()


def test_reporter_cannot_answer_for_another_unit(client_for, reporter, other_reporter, request_open, unit_a, unit_b):
    count = metric(request_open, "count")
    assert client_for(reporter).get(form_url(request_open, unit_b)).status_code == 404
    assert client_for(reporter).post(form_url(request_open, unit_b), {f"m{count.pk}": "1", "action": "submit"}).status_code == 404
    assert client_for(other_reporter).get(form_url(request_open, unit_a)).status_code == 404
    assert not Submission.objects.exists()


def test_officer_does_not_answer_for_units(client_for, officer, request_open, unit_a):
    assert client_for(officer).get(form_url(request_open, unit_a)).status_code == 404


def test_file_upload_checks_content(client_for, reporter, request_open, unit_a):
    f = metric(request_open, "file")
    c = client_for(reporter)
    evil = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    r = c.post(form_url(request_open, unit_a), {f"m{f.pk}": evil, "action": "draft"})
    assert r.status_code == 400 and "PDF, DOCX, XLSX" in r.content.decode()
    html = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>")
    assert c.post(form_url(request_open, unit_a), {f"m{f.pk}": html, "action": "draft"}).status_code == 400
    fake_docx = SimpleUploadedFile("x.docx", b"PK\x03\x04" + b"\x00" * 100)
    assert c.post(form_url(request_open, unit_a), {f"m{f.pk}": fake_docx, "action": "draft"}).status_code == 400
    assert not SubmissionFile.objects.exists()
    pdf = SimpleUploadedFile("báo cáo.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    assert c.post(form_url(request_open, unit_a), {f"m{f.pk}": pdf, "action": "draft"}).status_code == 302
    stored = SubmissionFile.objects.get()
    assert stored.mime == "application/pdf" and stored.filename == "báo cáo.pdf"


def test_file_over_20_mb_is_refused(client_for, reporter, request_open, unit_a):
    f = metric(request_open, "file")
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (20 * 2**20 + 1))
    r = client_for(reporter).post(form_url(request_open, unit_a), {f"m{f.pk}": big, "action": "draft"})
    assert r.status_code == 400 and "20 MB" in r.content.decode()
    assert not SubmissionFile.objects.exists()


def test_token_link_answers_without_account(client, request_open, unit_b):
    target = request_open.targets.get(unit=unit_b)
    url = reverse("report_token", args=[target.token])
    page = client.get(url).content.decode()
    assert "Sở Tài chính" in page
    count = metric(request_open, "count")
    r = client.post(url, {f"m{count.pk}": "5", "action": "submit"})  # no CSRF token: exempt by design
    s = Submission.objects.get()
    assert r.status_code == 302 and s.unit == unit_b and s.via_token and s.submitted_by is None


def test_token_link_is_for_one_unit_only(client, request_open, unit_a, unit_b):
    """The token of unit B cannot reach unit A's files or answer for A."""
    ta = request_open.targets.get(unit=unit_a)
    tb = request_open.targets.get(unit=unit_b)
    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, "PNG")
    client.post(reverse("report_token", args=[ta.token]),
                {f"m{metric(request_open, 'file').pk}": SimpleUploadedFile("a.png", buf.getvalue()), "action": "draft"})
    fa = SubmissionFile.objects.get()
    assert client.get(reverse("report_token_file", args=[ta.token, fa.pk])).status_code == 200
    assert client.get(reverse("report_token_file", args=[tb.token, fa.pk])).status_code == 404


@pytest.mark.parametrize("token", ["x", "1.abc", "9" * 12 + "." + "A" * 32, "%00"])
def test_bad_token_is_404(client, request_open, token):
    assert client.get(f"/t/{token}/").status_code == 404


def test_late_token_submission_is_flagged(client, request_open, unit_b):
    request_open.deadline = request_open.deadline - dt.timedelta(days=10)
    request_open.save()
    target = request_open.targets.get(unit=unit_b)
    client.post(reverse("report_token", args=[target.token]), {f"m{metric(request_open, 'count').pk}": "2", "action": "submit"})
    assert Submission.objects.get().is_late


def test_short_link(client, client_for, reporter, officer, request_open, unit_a):
    url = reverse("report_short", args=[request_open.slug])
    assert url == f"/f/{request_open.slug}/"
    page = client.get(url).content.decode()
    assert request_open.title in page and "Đăng nhập" in page
    r = client_for(reporter).get(url)
    assert r.status_code == 302 and r["Location"] == form_url(request_open, unit_a)
    assert client_for(officer).get(url)["Location"] == reverse("reporting:detail", args=[request_open.pk])
    assert client.get("/f/khongco/").status_code == 404


def test_huge_post_is_refused_cleanly(client_for, reporter, request_open, unit_a):
    text = metric(request_open, "text")
    r = client_for(reporter).post(form_url(request_open, unit_a), {f"m{text.pk}": "x" * 200_000, "action": "draft"})
    assert r.status_code == 400 and not Submission.objects.exists()


def test_saved_answer_is_confirmed_on_the_page_it_returns_to(client, request_open, unit_b):
    target = request_open.targets.get(unit=unit_b)
    url = reverse("report_token", args=[target.token])
    count = metric(request_open, "count")
    r = client.post(url, {f"m{count.pk}": "5", "action": "draft"})
    assert r["Location"] == f"{url}?saved=draft"
    assert "Đã lưu bản nháp." in client.get(r["Location"]).content.decode()
    r = client.post(url, {f"m{count.pk}": "5", "action": "submit"})
    assert r["Location"] == f"{url}?saved=sent"
    assert "Đã gửi báo cáo. Cảm ơn đơn vị." in client.get(r["Location"]).content.decode()


def test_a_copied_confirmation_link_states_nothing_the_answer_does_not(client, request_open, unit_a, unit_b):
    """?saved=sent on a unit that has sent nothing (or only a draft) confirms nothing."""
    url = reverse("report_token", args=[request_open.targets.get(unit=unit_b).token])
    assert "Đã gửi báo cáo" not in client.get(f"{url}?saved=sent").content.decode()
    client.post(url, {f"m{metric(request_open, 'count').pk}": "5", "action": "draft"})
    page = client.get(f"{url}?saved=sent").content.decode()
    assert "Đã gửi báo cáo" not in page and "Đã lưu bản nháp" not in page
    assert "Đã lưu bản nháp" not in client.get(f"{url}?saved=x").content.decode()


@pytest.mark.parametrize("bad", ["https://baodaknong.vn/a\x00b", "https://baodaknong.vn/a\u00a0b",
                                 "https://user:pw@baodaknong.vn/", "javascript:alert(1)", "https://:80/"])
def test_url_answers_are_whole_printable_http_urls(client, request_open, unit_b, bad):
    """Posted without the form's own checks (a post without uploads goes straight to
    submission_save), a NUL still cannot reach the JSON column: PostgreSQL refuses it."""
    url = reverse("report_token", args=[request_open.targets.get(unit=unit_b).token])
    urls = metric(request_open, "urls")
    r = client.post(url, {f"m{metric(request_open, 'count').pk}": "5", f"m{urls.pk}": bad, "action": "submit"})
    assert r.status_code == 400 and not Submission.objects.exists()
    # the form names a NUL itself (Django's own message); the rest is the answer rule's
    assert "Liên kết không hợp lệ" in r.content.decode() or "\x00" in bad
    assert clean_value(urls, bad)[0] is None


def test_a_refused_answer_keeps_what_was_typed(client, request_open, unit_b):
    url = reverse("report_token", args=[request_open.targets.get(unit=unit_b).token])
    count, text = metric(request_open, "count"), metric(request_open, "text")
    r = client.post(url, {f"m{count.pk}": "abc", f"m{text.pk}": "Đã treo băng rôn", "action": "submit"})
    page = r.content.decode()
    assert r.status_code == 400 and "Cần nhập một số nguyên" in page and "Đã treo băng rôn" in page
    assert page.count("Cần nhập một số nguyên") == 1

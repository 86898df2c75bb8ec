"""Every URL pattern and API endpoint, walked as each role, against a table of what each
role may do (issue 4, "Isolation").

The roles: anonymous; the department officer of the province; its leader; the reporter
of unit A; the reporter of unit B; the officer of another province; and the holder of
unit A's token link (a browser with no account). The objects all belong to one plan of
the province, with work, evidence, an answer and an export of unit A.

The table must name every pattern of the project (the admin and the language switch
aside): a new URL without a rule fails `test_every_pattern_has_a_rule`, so nobody adds a
page without deciding who may open it.

Codes in the table: an HTTP status, or LOGIN (a redirect to the login page), or OK (the
request was served: 200, a redirect elsewhere, or 400 for the empty form posted), or a
tuple of these when either is right (a POST-only view may check the method or the login
first). An empty POST never changes anything it should not: forms refuse it.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

LOGIN = "login"
OK = "ok"
ROLES = ["anonymous", "officer", "leader", "reporter_a", "reporter_b", "other_officer", "token_a"]
SKIP_PREFIXES = ("admin:",)
SKIP_NAMES = {"set_language"}


def _walk(patterns, ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _walk(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{ns}:{p.name}" if ns else p.name


def pattern_names() -> set[str]:
    return {n for n in _walk(get_resolver().url_patterns)
            if not n.startswith(SKIP_PREFIXES) and n not in SKIP_NAMES}


@dataclass
class Rule:
    args: Callable[[SimpleNamespace], list] = lambda w: []
    get: dict[str, object] = field(default_factory=dict)  # role -> expected; missing roles: `others`
    post: dict[str, object] | None = None  # None: GET-only (POST must be 405)
    others_get: object = 404
    others_post: object = 404
    query: str = ""


POST_ONLY_GET = None  # marker: GET of a POST-only view is 405 for everyone


def everyone(code) -> dict:
    return {r: code for r in ROLES}


def staff_only(ok, *, leader=403, reporter=404, other=404) -> dict:
    """Officer may, leader reads but may not change (403), others never see it.
    `other`: the other province's officer (the same as `ok` for pages that are not about
    one object, where they see their own province)."""
    return {"anonymous": LOGIN, "token_a": LOGIN, "officer": ok, "leader": leader,
            "reporter_a": reporter, "reporter_b": reporter, "other_officer": other}


def logged_in(code) -> dict:
    return {**everyone(code), "anonymous": LOGIN, "token_a": LOGIN}


A = "reporter_a"


def _banner(w) -> SimpleNamespace:
    """A banner spec of the plan with unit A's (social, so never queued) website and a
    rendered check with its screenshot; made on first use."""
    if not hasattr(w, "banner"):
        from monitoring.models import BannerSpec, Check
        from directory.models import Website

        spec = BannerSpec.objects.create(province=w.plan.province, plan=w.plan, name="Banner Đại hội",
                                         targets=["https://baodaknong.vn/chuyen-de/dai-hoi"])
        site = Website.objects.create(unit=w.unit_a, url="https://facebook.com/donvi-a", kind="social")
        check = Check(spec=spec, website=site, unit=w.unit_a, checked_at=timezone.now(), page_url=site.url,
                      verdict="present", reason="link", method="rendered")
        check.screenshot.save("s.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
        w.banner = SimpleNamespace(spec=spec, website=site, check=check)
    return w.banner


RULES: dict[str, Rule] = {
    # --- public and account pages
    "home": Rule(get=logged_in(OK)),
    "search": Rule(get=logged_in(200), query="?q=tuyen"),
    "login": Rule(get=everyone(200), post=everyone(OK)),
    "logout": Rule(get=everyone(405), post=everyone(OK)),
    "invite_list": Rule(get=staff_only(200, reporter=403, leader=403, other=200),
                        post=staff_only(OK, reporter=403, leader=403, other=OK)),
    "invite_revoke": Rule(args=lambda w: [w.invite.pk], get=everyone(405),
                          post=staff_only(OK, reporter=(403, 404), leader=(403, 404))),
    "invite_accept": Rule(args=lambda w: [w.invite_token], get=everyone(200), post=everyone(OK)),
    "calendar": Rule(get=logged_in(200)),
    "calendar_rotate": Rule(get=everyone(405), post=logged_in(OK)),
    "calendar_disable": Rule(get=everyone(405), post=logged_in(OK)),
    "calendar_feed": Rule(get=everyone(200)),  # the URL of each role's own feed (see _url)
    # --- directory
    "directory:unit_list": Rule(get=logged_in(200)),
    "directory:unit": Rule(args=lambda w: [w.unit_a.pk],
                           get={**logged_in(200), "reporter_b": 404, "other_officer": 404}),
    "directory:import": Rule(get=staff_only(200, reporter=403, other=200), post=staff_only(OK, reporter=403, other=OK)),
    "directory:export": Rule(get=staff_only(200, reporter=403, other=200)),  # officers only, as in issue 3
    # --- plans
    "plans:list": Rule(get=logged_in(200)),
    "plans:upload": Rule(get=staff_only(200, reporter=403, other=200), post=staff_only(OK, reporter=403, other=OK)),
    "plans:review": Rule(args=lambda w: [w.plan_import.pk], get=staff_only(200)),
    "plans:review_fields": Rule(args=lambda w: [w.plan_import.pk], get=everyone(405),
                                post=staff_only(OK)),
    "plans:review_mention": Rule(args=lambda w: [w.plan_import.pk], get=everyone(405),
                                 post=staff_only(OK)),
    "plans:review_mention_add": Rule(args=lambda w: [w.plan_import.pk], get=everyone(405),
                                     post=staff_only(OK)),
    "plans:review_mention_remove": Rule(args=lambda w: [w.plan_import.pk],
                                        get=everyone(405), post=staff_only(OK)),
    "plans:confirm": Rule(args=lambda w: [w.plan_import.pk], get=everyone(405),
                          post=staff_only(OK)),
    "plans:discard": Rule(args=lambda w: [w.plan_import.pk], get=everyone(405),
                          post=staff_only(OK)),
    "plans:detail": Rule(args=lambda w: [w.plan.pk], get={**logged_in(200), "other_officer": 404}),
    "plans:activity": Rule(args=lambda w: [w.activity.pk], get={**logged_in(200), "other_officer": 404}),
    "plans:matrix": Rule(args=lambda w: [w.plan.pk], get={**logged_in(200), "other_officer": 404}),
    "plans:progress_chart": Rule(args=lambda w: [w.plan.pk], get={**logged_in(200), "other_officer": 404}),
    "plans:overdue": Rule(get=logged_in(200)),
    "plans:my_work": Rule(get=logged_in(200)),
    "plans:assignment": Rule(args=lambda w: [w.assignment_a.pk],
                             get={**logged_in(200), "reporter_b": 404, "other_officer": 404}),
    "plans:assignment_status": Rule(args=lambda w: [w.assignment_a.pk], get=everyone(405),
                                    post={**logged_in(403), A: OK, "reporter_b": 404, "other_officer": 404}),
    "plans:assignment_note": Rule(args=lambda w: [w.assignment_a.pk], get=everyone(405),
                                  post={**logged_in(403), A: OK, "reporter_b": 404, "other_officer": 404}),
    "plans:assignment_link": Rule(args=lambda w: [w.assignment_a.pk], get=everyone(405),
                                  post={**logged_in(403), A: OK, "reporter_b": 404, "other_officer": 404}),
    "plans:assignment_file": Rule(args=lambda w: [w.assignment_a.pk], get=everyone(405),
                                  post={**logged_in(403), A: OK, "reporter_b": 404, "other_officer": 404}),
    "plans:assignment_comment": Rule(args=lambda w: [w.assignment_a.pk], get=everyone(405),
                                     post={**logged_in(OK), "leader": 403, "reporter_b": 404, "other_officer": 404}),
    "plans:assignment_accept": Rule(args=lambda w: [w.assignment_a.pk], get=everyone(405),
                                    post={**logged_in(403), "officer": OK, "reporter_b": 404, "other_officer": 404}),
    "plans:assignment_return": Rule(args=lambda w: [w.assignment_a.pk], get=everyone(405),
                                    post={**logged_in(403), "officer": OK, "reporter_b": 404, "other_officer": 404}),
    "plans:evidence_file": Rule(args=lambda w: [w.evidence.pk],
                                get={**logged_in(200), "reporter_b": 404, "other_officer": 404}),
    "plans:evidence_remove": Rule(args=lambda w: [w.evidence.pk], get=everyone(405),
                                  post={**logged_in(403), A: OK, "reporter_b": 404, "other_officer": 404}),
    # --- reporting
    "reporting:list": Rule(get=logged_in(200)),
    "reporting:create": Rule(args=lambda w: [], query="?plan={plan}", get=staff_only(200, reporter=403),
                             post=staff_only(OK, reporter=403)),
    "reporting:detail": Rule(args=lambda w: [w.request.pk], get={**logged_in(200), "other_officer": 404}),
    "reporting:edit": Rule(args=lambda w: [w.request.pk], get={**staff_only(200), A: 403, "reporter_b": 403},
                           post={**staff_only(OK), A: 403, "reporter_b": 403}),
    "reporting:status": Rule(args=lambda w: [w.request.pk], get=everyone(405),
                             post={**staff_only(OK), A: 403, "reporter_b": 403}),
    "reporting:qr": Rule(args=lambda w: [w.request.pk, "png"], get={**logged_in(200), "other_officer": 404}),
    "reporting:target_token": Rule(args=lambda w: [w.request.pk, w.target_b.pk], get=everyone(405),
                                   post={**staff_only(OK), A: 403, "reporter_b": 403}),
    "reporting:answer": Rule(args=lambda w: [w.request.pk, w.unit_a.pk], get={**logged_in(404), A: 200},
                             post={**logged_in(404), A: OK}),
    "reporting:submission": Rule(args=lambda w: [w.submission_a.pk],
                                 get={**logged_in(200), "reporter_b": 404, "other_officer": 404},
                                 post={**logged_in(403), "officer": OK, "reporter_b": 404, "other_officer": 404}),
    "reporting:file": Rule(args=lambda w: [w.submission_file.pk],
                           get={**logged_in(200), "reporter_b": 404, "other_officer": 404}),
    "reporting:export_list": Rule(args=lambda w: [w.request.pk], get={**staff_only(200, leader=200), A: 404}),
    "reporting:export_create": Rule(args=lambda w: [w.request.pk], get=everyone(405),
                                    post={**staff_only(OK), A: 404}),
    "reporting:reminder_draft": Rule(args=lambda w: [w.plan.pk], get={**staff_only(200), A: 404, "reporter_b": 404},
                                     post={**staff_only(OK), A: 404, "reporter_b": 404}),
    "reporting:export_detail": Rule(args=lambda w: [w.export.pk], get=staff_only(200, leader=200)),
    "reporting:export_download": Rule(args=lambda w: [w.export.pk], get=staff_only(200, leader=200)),
    "report_short": Rule(args=lambda w: [w.request.slug], get={**everyone(200), "officer": 302, "leader": 302,
                                                               A: 302, "reporter_b": 302}),
    "report_token": Rule(args=lambda w: [w.token_a], get=everyone(200), post=everyone(OK)),
    "report_token_file": Rule(args=lambda w: [w.token_a, w.submission_file.pk], get=everyone(200)),
    "audit:list": Rule(get=logged_in(200)),
    # --- monitoring (banners)
    "monitoring:dashboard": Rule(get=logged_in(200)),
    "monitoring:spec_new": Rule(get=staff_only(200, reporter=403, other=200), post=staff_only(OK, reporter=403, other=OK)),
    "monitoring:spec": Rule(args=lambda w: [_banner(w).spec.pk], get={**logged_in(200), "other_officer": 404}),
    "monitoring:spec_edit": Rule(args=lambda w: [_banner(w).spec.pk], get=staff_only(200), post=staff_only(OK)),
    "monitoring:spec_image": Rule(args=lambda w: [_banner(w).spec.pk], get=everyone(405), post=staff_only(OK)),
    "monitoring:check_now": Rule(args=lambda w: [_banner(w).spec.pk], get=everyone(405), post=staff_only(OK)),
    "monitoring:site": Rule(args=lambda w: [_banner(w).spec.pk, _banner(w).website.pk],
                            get={**logged_in(200), "reporter_b": 404, "other_officer": 404}),
    # which page of a unit's website to check: officers only, even for the unit's own reporter
    "monitoring:site_page": Rule(args=lambda w: [_banner(w).spec.pk, _banner(w).website.pk], get=everyone(405),
                                 post=staff_only(OK)),
    "monitoring:screenshot": Rule(args=lambda w: [_banner(w).check.pk],
                                  get={**logged_in(200), "reporter_b": 404, "other_officer": 404}),
    # --- REST API (session or bearer token)
    "api:openapi-json": Rule(get=everyone(200)),
    "api:openapi-view": Rule(get=everyone(200)),
    "api:api-root": Rule(get=everyone(404)),
    "api:unit_list": Rule(get={**everyone(200), "anonymous": 401, "token_a": 401}),
    "api:unit_detail": Rule(args=lambda w: [w.unit_a.pk],
                            get={**everyone(200), "anonymous": 401, "token_a": 401, "reporter_b": 404, "other_officer": 404}),
    "api:plan_list": Rule(get={**everyone(200), "anonymous": 401, "token_a": 401}),
    "api:plan_detail": Rule(args=lambda w: [w.plan.pk],
                            get={**everyone(200), "anonymous": 401, "token_a": 401, "other_officer": 404}),
    "api:plan_activities": Rule(args=lambda w: [w.plan.pk],
                                get={**everyone(200), "anonymous": 401, "token_a": 401, "other_officer": 404}),
    "api:activity_detail": Rule(args=lambda w: [w.activity.pk],
                                get={**everyone(200), "anonymous": 401, "token_a": 401, "other_officer": 404}),
    "api:assignment_list": Rule(get={**everyone(200), "anonymous": 401, "token_a": 401}),
    # the body is validated before the permission (an empty post is 422 for everyone logged in)
    "api:plan_import": Rule(get=everyone(405), post={**everyone(422), "anonymous": 401, "token_a": 401}),
}


def test_every_pattern_has_a_rule():
    names = pattern_names()
    assert sorted(names - set(RULES)) == [], "URL patterns without an access rule"
    assert sorted(set(RULES) - names) == [], "rules for URL patterns that no longer exist"


@pytest.fixture
def world(province, other_province, unit_a, unit_b, officer, leader, reporter, other_reporter, other_officer, tmp_path):
    from accounts.models import Invite
    from plans import services as plan_services
    from plans.models import Activity, Assignment, Comment, Evidence, Plan
    from planwatch.lib import tokens
    from reporting.models import Export, Metric, ReportRequest, Submission, SubmissionFile, Target

    plan = Plan.objects.create(province=province, number="12/KH-UBND", title="Kế hoạch tuyên truyền", date=dt.date(2026, 1, 2))
    activity = Activity.objects.create(plan=plan, ref="1", title="Đặt banner", deadline=dt.date(2026, 3, 1))
    assignment_a = Assignment.objects.create(activity=activity, unit=unit_a, role="lead", due=dt.date(2026, 3, 1))
    Assignment.objects.create(activity=activity, unit=unit_b, role="support", due=dt.date(2026, 3, 1))
    evidence = Evidence(assignment=assignment_a, kind="file", filename="anh.png", mime="image/png", size=3, sha256="0" * 64)
    evidence.file.save("e.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    Comment.objects.create(assignment=assignment_a, author=reporter, body="Đã đặt banner", kind="progress")
    from plans.tests.test_services_common import small_plan_bytes

    plan_import = plan_services.plan_import_upload(data=small_plan_bytes(), filename="kh.txt", province=province,
                                                   user=officer)

    req = ReportRequest.objects.create(plan=plan, province=province, title="Báo cáo kết quả", status="open",
                                       deadline=timezone.now() + dt.timedelta(days=3))
    Metric.objects.create(request=req, position=0, label="Số tin", kind="count")
    file_metric = Metric.objects.create(request=req, position=1, label="Tệp", kind="file")
    target_a = Target.objects.create(request=req, unit=unit_a)
    target_b = Target.objects.create(request=req, unit=unit_b)
    submission_a = Submission.objects.create(request=req, unit=unit_a, status="submitted", submitted_at=timezone.now())
    sf = SubmissionFile(submission=submission_a, metric=file_metric, filename="bc.pdf", mime="application/pdf", size=9,
                        sha256="1" * 64)
    sf.file.save("bc.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    submission_a.values = {file_metric.key: [sf.pk]}
    submission_a.save()
    export = Export(request=req, kind="xlsx", status="done", filename="tong-hop.xlsx", created_by=officer)
    export.file.save("x.xlsx", ContentFile(b"PK\x03\x04"), save=True)

    from accounts.services import invite_create

    invite, invite_token = _invite(officer, unit_a, invite_create)
    for u in (officer, leader, reporter, other_reporter, other_officer):
        u.calendar_nonce = tokens.new_nonce()
        u.save(update_fields=["calendar_nonce"])
    return SimpleNamespace(
        plan=plan, activity=activity, assignment_a=assignment_a, evidence=evidence, plan_import=plan_import,
        request=req, target_b=target_b, submission_a=submission_a, submission_file=sf, export=export,
        token_a=target_a.token, unit_a=unit_a, invite=invite, invite_token=invite_token,
        users={"officer": officer, "leader": leader, "reporter_a": reporter, "reporter_b": other_reporter,
               "other_officer": other_officer},
    )


def _invite(officer, unit, invite_create):
    """An invite and its token, whatever shape invite_create returns."""
    from django.core import mail

    result = invite_create(officer=officer, email="moi@donvi.gov.vn", units=[unit])
    invite, token = result if isinstance(result, tuple) else (result, None)
    if token is None:
        body = mail.outbox[-1].body
        token = body.split("/accounts/invite/")[1].split("/")[0]
    return invite, token


def _client(role, world, client):
    client.logout()
    if role in world.users:
        client.force_login(world.users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def _url(name, rule, world, role):
    args = rule.args(world)
    if name == "calendar_feed":
        from planwatch.lib import tokens

        user = world.users.get(role, world.users["reporter_a"])
        args = [tokens.make("calendar", user.pk, user.calendar_nonce)]
    return reverse(name, args=args) + rule.query.format(plan=world.plan.pk)


def _matches(expected, response) -> bool:
    if isinstance(expected, tuple):
        return any(_matches(e, response) for e in expected)
    code = response.status_code
    location = response.get("Location", "")
    if expected == LOGIN:
        return code == 302 and "/accounts/login/" in location
    if expected == OK:
        return code in (200, 204, 400) or (code == 302 and "/accounts/login/" not in location)
    return code == expected


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_pattern(role, world, client, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    c = _client(role, world, client)
    wrong = []
    # reads first, then changes (a change may remove what a later read needs)
    for name in sorted(RULES):
        rule = RULES[name]
        url = _url(name, rule, world, role)
        expected = rule.get.get(role, rule.others_get)
        if expected == 405 and role in ("anonymous", "token_a"):
            expected = (405, LOGIN)  # the method or the login may be checked first
        r = c.get(url)
        if not _matches(expected, r):
            wrong.append(f"GET {name} {url}: expected {expected}, got {r.status_code} {r.get('Location', '')}")
    for name in sorted(RULES):
        rule = RULES[name]
        url = _url(name, rule, world, role)
        if name == "logout":
            continue  # walked last: it ends the session
        if rule.post is None:
            expected = (405, LOGIN) if role in ("anonymous", "token_a") else 405
        else:
            expected = rule.post.get(role, rule.others_post)
        if rule.post is None and name.startswith("api:"):
            continue  # ninja answers 405 for unknown methods too, but some share a path with a POST route
        r = c.post(url, {})
        if not _matches(expected, r):
            wrong.append(f"POST {name} {url}: expected {expected}, got {r.status_code} {r.get('Location', '')}")
    r = c.post(reverse("logout"))
    if not _matches((OK, LOGIN), r):
        wrong.append(f"POST logout: got {r.status_code}")
    assert not wrong, "\n" + "\n".join(wrong)

"""reporting.services: building, changing and opening report requests."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEvent
from directory.models import Unit, UnitGroup
from reporting import services
from reporting.models import ReportRequest, Submission, Target
from reporting.services import MetricSpec, ReportError, RequestData


def data(**kw) -> RequestData:
    base = dict(title="Báo cáo kết quả", deadline=timezone.now() + dt.timedelta(days=3),
                metrics=[MetricSpec(label="Số tin, bài", kind="count", required=True),
                         MetricSpec(label="Đã đặt banner", kind="boolean")])
    base.update(kw)
    return RequestData(**base)


def test_create_with_units_and_group(officer, plan, unit_a, unit_b, province):
    extra = Unit.objects.create(name="UBND huyện Thử", kind="huyen", province=province)
    group = UnitGroup.objects.create(name="Các huyện", province=province, kinds=["huyen"])
    req = services.request_create(user=officer, plan=plan, data=data(unit_ids=[unit_a.pk], group_ids=[group.pk]))
    assert req.status == ReportRequest.Status.DRAFT and len(req.slug) == 7
    assert set(req.targets.values_list("unit_id", flat=True)) == {unit_a.pk, extra.pk}
    assert req.targets.get(unit=extra).via_group == group
    assert [m.label for m in req.metrics.all()] == ["Số tin, bài", "Đã đặt banner"]
    assert AuditEvent.objects.filter(action="request.create", object_id=str(req.pk)).exists()


def test_create_refuses_other_province_units_and_writes_nothing(officer, plan, other_province):
    foreign = Unit.objects.create(name="Sở khác", kind="so_nganh", province=other_province)
    with pytest.raises(ReportError):
        services.request_create(user=officer, plan=plan, data=data(unit_ids=[foreign.pk]))
    assert not ReportRequest.objects.exists()


@pytest.mark.parametrize("who", ["leader", "reporter", "other_officer"])
def test_only_officers_of_the_province_create(request, plan, unit_a, who):
    with pytest.raises(PermissionDenied):
        services.request_create(user=request.getfixturevalue(who), plan=plan, data=data(unit_ids=[unit_a.pk]))


def test_bad_metric_kind_and_blank_title(officer, plan, unit_a):
    with pytest.raises(ReportError):
        services.request_create(user=officer, plan=plan, data=data(unit_ids=[unit_a.pk],
                                                                   metrics=[MetricSpec(label="x", kind="exe")]))
    with pytest.raises(ReportError) as e:
        services.request_create(user=officer, plan=plan, data=data(title="  ", unit_ids=[unit_a.pk]))
    assert "title" in e.value.errors
    assert not ReportRequest.objects.exists()


def test_too_many_metrics(officer, plan, unit_a):
    specs = [MetricSpec(label=f"m{i}", kind="count") for i in range(services.MAX_METRICS + 1)]
    with pytest.raises(ReportError):
        services.request_create(user=officer, plan=plan, data=data(unit_ids=[unit_a.pk], metrics=specs))


def test_metrics_frozen_once_open(officer, request_open, unit_a, unit_b):
    with pytest.raises(ReportError):
        services.request_update(user=officer, request=request_open,
                                data=data(unit_ids=[unit_a.pk, unit_b.pk], metrics=[MetricSpec(label="x", kind="count")]))
    # without metrics the rest can change
    services.request_update(user=officer, request=request_open,
                            data=data(title="Đổi tên", unit_ids=[unit_a.pk, unit_b.pk], metrics=None))
    request_open.refresh_from_db()
    assert request_open.title == "Đổi tên" and request_open.metrics.count() == 6


def test_cannot_drop_a_unit_that_answered(officer, request_open, unit_a, unit_b):
    Submission.objects.create(request=request_open, unit=unit_b)
    with pytest.raises(ReportError):
        services.request_update(user=officer, request=request_open, data=data(unit_ids=[unit_a.pk], metrics=None))
    assert request_open.targets.filter(unit=unit_b).exists()
    services.request_update(user=officer, request=request_open, data=data(unit_ids=[unit_b.pk], metrics=None))
    assert list(request_open.targets.values_list("unit_id", flat=True)) == [unit_b.pk]


def test_open_needs_metrics_and_targets(officer, plan, unit_a):
    req = services.request_create(user=officer, plan=plan, data=data(unit_ids=[unit_a.pk], metrics=[]))
    with pytest.raises(ReportError):
        services.request_set_status(user=officer, request=req, status="open")
    services.request_update(user=officer, request=req, data=data(unit_ids=[unit_a.pk]))
    assert services.request_set_status(user=officer, request=req, status="open").status == "open"


def test_token_renew_and_revoke(officer, request_open, unit_a):
    target = request_open.targets.get(unit=unit_a)
    token = target.token
    assert services.target_by_token(token) == target
    services.target_token_renew(user=officer, target=target)
    assert services.target_by_token(token) is None
    target.refresh_from_db()
    new = target.token
    assert new != token and services.target_by_token(new) == target
    services.target_token_renew(user=officer, target=target, revoke=True)
    target.refresh_from_db()
    assert target.token is None and services.target_by_token(new) is None


@pytest.mark.parametrize("token", ["", "abc", "1.x", "99999999.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                   "1." + "a" * 32, "1" * 40 + "." + "a" * 32, "../../etc/passwd"])
def test_bad_tokens(request_open, token):
    assert services.target_by_token(token) is None


def test_token_of_one_target_does_not_open_another(request_open, unit_a, unit_b):
    ta, tb = request_open.targets.get(unit=unit_a), request_open.targets.get(unit=unit_b)
    forged = f"{tb.pk}.{ta.token.split('.')[1]}"
    assert services.target_by_token(forged) is None


def test_answers_keep_their_metrics(officer, request_open, unit_a):
    """Once a unit has answered, the metrics (and the files hanging off them) are never
    rewritten, and the request cannot go back to draft to allow it."""
    from reporting.models import Metric

    Submission.objects.create(request=request_open, unit=unit_a, values={"1": 3})
    with pytest.raises(ReportError):
        services.request_set_status(user=officer, request=request_open, status="draft")
    ReportRequest.objects.filter(pk=request_open.pk).update(status="draft")  # even if it got there
    request_open.refresh_from_db()
    before = list(Metric.objects.filter(request=request_open).values_list("pk", flat=True))
    with pytest.raises(ReportError):
        services.request_update(user=officer, request=request_open,
                                data=data(unit_ids=[unit_a.pk], metrics=[MetricSpec(label="x", kind="count")]))
    assert list(Metric.objects.filter(request=request_open).values_list("pk", flat=True)) == before


def test_answers_see_metrics_rewritten_after_a_reopen(officer, plan, unit_a):
    """A request opened, answered by nobody, taken back to draft, given other metrics and
    opened again: the answer form reads the new metrics, not those kept in memory."""
    req = services.request_create(user=officer, plan=plan, data=data(unit_ids=[unit_a.pk]))
    services.request_set_status(user=officer, request=req, status="open")
    target = Target.objects.get(request=req)
    first = services.request_metrics(services.target_by_token(target.token).request)
    assert [m.label for m in first] == ["Số tin, bài", "Đã đặt banner"]
    services.request_set_status(user=officer, request=req, status="draft")
    services.request_update(user=officer, request=req,
                            data=data(unit_ids=[unit_a.pk], metrics=[MetricSpec(label="Số buổi", kind="count")]))
    services.request_set_status(user=officer, request=req, status="open")
    again = services.request_metrics(services.target_by_token(target.token).request)
    assert [m.label for m in again] == ["Số buổi"]
    assert again[0].pk not in {m.pk for m in first}


def _admin_post(client, req, label_suffix):
    """The admin's change form of `req` posted back with each metric's label extended."""
    from reporting.models import Metric

    url = f"/admin/reporting/reportrequest/{req.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    post = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, dt.datetime))}
    for name in ("deadline", "created_at"):
        at = timezone.localtime(getattr(req, name))
        post.update({f"{name}_0": at.strftime("%Y-%m-%d"), f"{name}_1": at.strftime("%H:%M:%S")})
    post.update({"plan": req.plan_id, "province": req.province_id})
    metrics = list(Metric.objects.filter(request=req).order_by("position"))
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    post.update({f"{prefix}-TOTAL_FORMS": len(metrics), f"{prefix}-INITIAL_FORMS": len(metrics),
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    for i, m in enumerate(metrics):
        post.update({f"{prefix}-{i}-id": m.pk, f"{prefix}-{i}-request": req.pk,
                     f"{prefix}-{i}-position": m.position, f"{prefix}-{i}-label": m.label + label_suffix,
                     f"{prefix}-{i}-kind": m.kind, f"{prefix}-{i}-help": m.help,
                     f"{prefix}-{i}-required": "on" if m.required else ""})
    r = client.post(url, post)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r


@pytest.fixture
def superuser(db, client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quantri", "quantri@example.vn", "Mk-quan-tri-1")
    client.force_login(admin)
    return admin


def test_metrics_changed_in_the_admin_reach_the_answers(client, superuser, request_open):
    ReportRequest.objects.filter(pk=request_open.pk).update(status="draft")  # no answers yet
    request_open.refresh_from_db()
    services.request_metrics(request_open)  # kept in memory
    _admin_post(client, request_open, " (sửa)")
    request_open.refresh_from_db()
    assert all(m.label.endswith("(sửa)") for m in services.request_metrics(request_open))


def test_the_admin_cannot_rewrite_metrics_once_the_request_is_open(client, superuser, request_open):
    """As in request_update: answers refer to the metrics."""
    before = [m.label for m in request_open.metrics.all()]
    _admin_post(client, request_open, " (sửa)")
    assert [m.label for m in request_open.metrics.all()] == before


def test_a_request_with_answers_cannot_be_deleted(client, superuser, request_open, unit_a):
    """Nothing may be lost: the admin refuses, and names the answers that stand in the way."""
    from django.db.models import ProtectedError

    Submission.objects.create(request=request_open, unit=unit_a, values={"1": 3})
    with pytest.raises(ProtectedError):
        request_open.delete()
    r = client.post(f"/admin/reporting/reportrequest/{request_open.pk}/delete/", {"post": "yes"})
    assert r.status_code == 200 and ReportRequest.objects.filter(pk=request_open.pk).exists()
    assert Submission.objects.filter(request=request_open).count() == 1

"""/api/ plans endpoints: each role sees what accounts.permissions allows; imports by token."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.services import api_token_create
from plans.models import Assignment, Plan, PlanImport
from plans.services import plan_import_file
from plans.tests.test_services_common import directory, small_plan_bytes  # noqa: F401


@pytest.fixture
def plan(directory, province):
    return plan_import_file(data=small_plan_bytes(), filename="kh.txt", province=province)


@pytest.fixture
def other_plan(other_province):
    from directory.models import Unit

    Unit.objects.create(name="Sở Văn hóa, Thể thao và Du lịch", kind="so_nganh", province=other_province)
    return plan_import_file(data=small_plan_bytes(number="77/KH-X"), filename="kh.txt", province=other_province)


def bearer(user) -> Client:
    _, token = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def items(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_anonymous_and_bad_tokens_are_refused(plan, client):
    assert client.get("/api/plans").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer pw_nope").get("/api/plans").status_code == 401
    assert client.post("/api/plans/import").status_code == 401


@pytest.mark.parametrize("who, sees", [("officer", True), ("leader", True), ("reporter", True),
                                       ("other_reporter", True), ("other_officer", False), ("outsider", False)])
def test_plan_list_and_detail_per_role(request, plan, other_plan, client_for, who, sees):
    api = client_for(request.getfixturevalue(who))
    ids = [p["id"] for p in items(api.get("/api/plans"))]
    assert (plan.pk in ids) is sees
    # the other province's plan is its own officer's only
    assert (other_plan.pk in ids) is (who == "other_officer")
    detail = api.get(f"/api/plans/{plan.pk}")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        body = detail.json()
        assert body["number"] == "12/KH-STTTT" and body["province"] == "tinh-thu"
        assert body["activity_count"] == 3 and body["peaks"][0]["start"] == "2025-06-01"
    assert api.get(f"/api/plans/{other_plan.pk}").status_code == (200 if who == "other_officer" else 404)


def test_activities_show_only_what_a_reporter_may_see(plan, client_for, reporter, other_reporter, officer):
    full = client_for(officer).get(f"/api/plans/{plan.pk}/activities").json()
    assert [a["ref"] for a in full] == ["III.1", "III.2", "III.3"]
    assert {u["name"] for u in full[0]["units"]} == {"Sở Văn hóa, Thể thao và Du lịch", "Sở Tài chính", "Sở Nội vụ"}

    mine = client_for(other_reporter).get(f"/api/plans/{plan.pk}/activities").json()
    assert [a["ref"] for a in mine] == ["III.1", "III.2"]
    # other units' assignments on a shared activity stay hidden
    assert {u["name"] for a in mine for u in a["units"]} == {"Sở Tài chính"}

    third = plan.activities.get(ref="III.3")
    assert client_for(other_reporter).get(f"/api/activities/{third.pk}").status_code == 404
    body = client_for(reporter).get(f"/api/activities/{third.pk}").json()
    assert body["ref"] == "III.3" and body["plan_id"] == plan.pk
    assert {(m["text"], m["status"]) for m in body["mentions"]} >= {("Phòng Không Tồn Tại", "unknown")}
    assert [u["role"] for u in body["units"]] == ["support"]


def test_assignment_filters(plan, client_for, officer, other_reporter, directory):
    api = client_for(officer)
    everything = items(api.get("/api/assignments"))
    assert len(everything) == Assignment.objects.count() == 6
    assert {a["unit"]["id"] for a in items(api.get(f"/api/assignments?unit={directory['b'].pk}"))} == {
        directory["b"].pk}
    assert len(items(api.get(f"/api/assignments?plan={plan.pk}&status=todo"))) == 6
    assert items(api.get("/api/assignments?status=done")) == []
    assert api.get("/api/assignments?status=nonsense").status_code == 422

    # the plan's dates are all in 2025, so everything with a due date is overdue now
    # unless closed
    Assignment.objects.filter(activity__ref="III.2").update(status="done")
    overdue = items(api.get("/api/assignments?overdue=true"))
    assert overdue and all(a["overdue"] for a in overdue)
    assert {a["activity_ref"] for a in overdue} == {"III.1", "III.3"}
    assert {a["activity_ref"] for a in items(api.get("/api/assignments?overdue=false"))} == {"III.2"}
    assert dt.date.fromisoformat(overdue[0]["due"]) < dt.date.today()

    theirs = items(client_for(other_reporter).get("/api/assignments"))
    assert {a["unit"]["name"] for a in theirs} == {"Sở Tài chính"}


def upload(api, province_code="tinh-thu", data=None, name="kh.txt", query=""):
    f = SimpleUploadedFile(name, small_plan_bytes() if data is None else data, content_type="text/plain")
    return api.post(f"/api/plans/import{query}", {"file": f, "province": province_code})


def test_officer_token_imports_a_plan(directory, province, officer):
    api = bearer(officer)
    response = upload(api)
    assert response.status_code == 201, response.content
    body = response.json()
    plan = Plan.objects.get()
    assert body == {"status": "confirmed", "plan_id": plan.pk, "import_id": None, "activities": 3,
                    "assignments": 6, "unresolved": 1}
    assert plan.created_by == officer

    again = upload(api)
    assert again.status_code == 200 and again.json()["status"] == "duplicate" and Plan.objects.count() == 1

    review = upload(api, data=small_plan_bytes(extra=" Khác."), query="?confirm=false")
    assert review.status_code == 201
    body = review.json()
    assert body["status"] == "parsed" and body["plan_id"] is None
    assert PlanImport.objects.get(pk=body["import_id"]).status == "parsed"


def test_import_errors(directory, province, officer, settings):
    api = bearer(officer)
    bad = upload(api, data=b"\x00garbage", name="x.docx")
    assert bad.status_code == 400 and "hỏng" in bad.json()["detail"]
    assert upload(api, province_code="khong-co").status_code == 404
    settings.PLAN_UPLOAD_MAX_BYTES = 100
    assert "quá lớn" in upload(api).json()["detail"]
    assert not Plan.objects.exists() and not PlanImport.objects.exists()


@pytest.mark.parametrize("who", ["leader", "reporter", "other_officer", "outsider"])
def test_only_the_provinces_officers_may_import(request, directory, province, who):
    response = upload(bearer(request.getfixturevalue(who)))
    assert response.status_code == 403
    assert not PlanImport.objects.exists()


def test_session_import_works_too(directory, province, officer, client_for):
    assert upload(client_for(officer)).status_code == 201

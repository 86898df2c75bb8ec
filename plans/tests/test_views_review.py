"""The review of an import (plans:review) and its actions: fields, the mention picker,
adding and removing mentions, confirm and discard; with and without htmx."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from directory.models import Unit, UnitGroup
from plans.models import Plan, PlanImport
from plans.tests.test_views_common import pending_import, plan  # noqa: F401  (fixtures)

HTMX = {"HTTP_HX_REQUEST": "true"}


def review_url(imp, **query) -> str:
    url = reverse("plans:review", args=[imp.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def action(name, imp) -> str:
    return reverse(f"plans:{name}", args=[imp.pk])


def body(response) -> str:
    return response.content.decode()


def entry(imp, key) -> dict:
    imp.refresh_from_db()
    return next(a for a in imp.review["activities"] if a["key"] == key)


def card(html: str, key: str) -> str:
    return re.search(r'<article [^>]*id="card-%s".*?</article>' % key, html, re.S).group(0)


# --- the review page --------------------------------------------------------------------


def test_review_needs_login(client, pending_import):
    r = client.get(review_url(pending_import))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_review_page_for_officer(client_for, officer, pending_import, unit_a, unit_b):
    r = client_for(officer).get(review_url(pending_import))
    html = body(r)
    assert r.status_code == 200
    assert "ke-hoach-12.txt" in html
    # the source, line by line, nothing selected
    assert '<span class="line" id="L5"><span class="ln">5</span>1. Tổ chức triển lãm ảnh về quê hương</span>' in html
    assert " hl" not in html
    # the header, editable
    assert 'name="number" value="12/KH-STTTT"' in html and 'name="date" value="2025-03-05"' in html
    assert "01/06/2025 – 31/07/2025" in html  # the peak
    assert '<strong id="unresolved">2</strong>' in html
    assert action("confirm", pending_import) in html and action("discard", pending_import) in html

    first = card(html, "a0")
    assert 'name="include" value="on" checked' in first and 'name="start" value="2025-04-01"' in first
    assert 'class="badge unit"' in first and "→ " + unit_a.name in first
    assert 'class="badge ambiguous"' in first
    # one picker, for the ambiguous mention: its candidates first, then the province's units by kind
    assert first.count('name="choice"') == 1
    picker = first[first.index('name="choice"'):]
    assert picker.index('label="Gợi ý"') < picker.index(f'value="unit:{unit_b.pk}"') < picker.index('label="Sở, ban, ngành"')
    assert f'value="unit:{unit_a.pk}"' in picker and 'value="ignore"' in picker
    assert "?a=a0&amp;edit=m0" in first  # the resolved one can be changed on demand
    # plain forms that htmx posts in the background, swapping this card only
    assert f'action="{action("review_mention", pending_import)}"' in first
    assert f'hx-post="{action("review_mention", pending_import)}"' in first and 'hx-target="#card-a0"' in first
    assert 'class="badge unknown"' in card(html, "a1") and 'name="choice"' in card(html, "a1")


def test_review_picker_offers_units_valid_on_the_plan_date_of_the_province(client_for, officer, pending_import, other_province):
    Unit.objects.create(name="Sở đã giải thể", kind="so_nganh", province=pending_import.province, valid_to=dt.date(2025, 1, 1))
    Unit.objects.create(name="Sở sau này", kind="so_nganh", province=pending_import.province, valid_from=dt.date(2025, 6, 1))
    Unit.objects.create(name="Sở tỉnh khác", kind="so_nganh", province=other_province)
    Unit.objects.create(name="Báo Xã Thử", kind="bao_chi_dp", province=pending_import.province)
    UnitGroup.objects.create(name="Các Sở, Ban, ngành", province=pending_import.province, kinds=["so_nganh"])
    html = body(client_for(officer).get(review_url(pending_import)))
    assert "Sở đã giải thể" not in html and "Sở sau này" not in html and "Sở tỉnh khác" not in html
    assert 'label="Cơ quan báo chí địa phương"' in html and "Báo Xã Thử" in html
    assert 'label="Nhóm đơn vị"' in html and "Các Sở, Ban, ngành" in html


def test_review_selects_an_activity(client_for, officer, pending_import, unit_a):
    html = body(client_for(officer).get(review_url(pending_import, a="a0", edit="m0")))
    highlighted = re.findall(r'class="line hl" id="L(\d+)"', html)
    assert highlighted == ["5", "6", "7"]
    assert 'class="card act selected" id="card-a0"' in html and 'getElementById("card-a0")' in html
    # the resolved mention asked for is now a picker with its unit chosen
    first = card(html, "a0")
    assert first.count('name="choice"') == 2
    assert f'value="unit:{unit_a.pk}" selected' in first


def test_review_warns_of_duplicate_and_previous_version(client_for, officer, pending_import, plan):
    pending_import.review.update(duplicate_of=plan.pk, previous_id=plan.pk)
    pending_import.save()
    html = body(client_for(officer).get(review_url(pending_import)))
    assert "Tệp này đã được nhập trước đây" in html
    assert "Đã có kế hoạch cùng số, ký hiệu (phiên bản 1)" in html
    assert html.count(reverse("plans:detail", args=[plan.pk])) == 2


def test_review_of_a_confirmed_import_is_read_only(client_for, officer, pending_import, plan):
    pending_import.status, pending_import.plan = PlanImport.Status.CONFIRMED, plan
    pending_import.save()
    html = body(client_for(officer).get(review_url(pending_import)))
    assert "Lượt nhập này đã được xác nhận." in html and reverse("plans:detail", args=[plan.pk]) in html
    assert "<form" not in html.split("<main>")[1].replace('<form class="search"', "")


@pytest.mark.parametrize("who, status", [("leader", 403), ("reporter", 404), ("other_officer", 404), ("outsider", 404)])
def test_review_refused(request, client_for, pending_import, who, status):
    c = client_for(request.getfixturevalue(who))
    assert c.get(review_url(pending_import)).status_code == status
    for name in ("review_fields", "review_mention", "review_mention_add", "review_mention_remove", "confirm", "discard"):
        assert c.post(action(name, pending_import), {"activity_key": "a0", "mention_key": "m0"}).status_code == status, name
    pending_import.refresh_from_db()
    assert pending_import.status == PlanImport.Status.PARSED and entry(pending_import, "a0")["mentions"][1]["status"] == "ambiguous"


def test_review_of_a_missing_import(client_for, officer, db):
    assert client_for(officer).get("/plans/imports/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_review_wrong_methods(client_for, officer, pending_import):
    c = client_for(officer)
    assert c.post(review_url(pending_import)).status_code == 405
    for name in ("review_fields", "review_mention", "review_mention_add", "review_mention_remove", "confirm", "discard"):
        assert c.get(action(name, pending_import)).status_code == 405, name


def test_review_actions_need_login(client, pending_import):
    r = client.post(action("confirm", pending_import))
    assert r.status_code == 302 and reverse("login") in r["Location"]


# --- fields ---------------------------------------------------------------------------------


def activity_form(**changes) -> dict:
    data = {"activity_key": "a0", "include_shown": "1", "include": "on", "ref": "1",
            "title": "Tổ chức triển lãm ảnh về quê hương", "start": "2025-04-01", "end": "2025-06-30", "deadline": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_set_activity_fields_without_js(client_for, officer, pending_import):
    r = client_for(officer).post(action("review_fields", pending_import),
                                 activity_form(title="Triển lãm ảnh quê hương", deadline="2025-06-15"))
    assert r.status_code == 302 and r["Location"] == review_url(pending_import, a="a0") + "#L5"
    a0 = entry(pending_import, "a0")
    assert a0["title"] == "Triển lãm ảnh quê hương" and a0["deadline"] == "2025-06-15" and a0["include"] is True


def test_untick_include(client_for, officer, pending_import):
    c = client_for(officer)
    c.post(action("review_fields", pending_import), activity_form(include=None))
    assert entry(pending_import, "a0")["include"] is False
    html = body(c.get(review_url(pending_import)))
    assert '<strong id="unresolved">1</strong>' in html and 'class="card act excluded"' in html


def test_set_field_with_htmx_answers_the_card(client_for, officer, pending_import):
    r = client_for(officer).post(action("review_fields", pending_import), activity_form(include=None), **HTMX)
    html = body(r)
    assert r.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<article") and 'id="card-a0"' in html
    assert '<strong id="unresolved" hx-swap-oob="true">1</strong>' in html


def test_set_field_error_without_js_and_with_htmx(client_for, officer, pending_import):
    c = client_for(officer)
    r = c.post(action("review_fields", pending_import), activity_form(start="2025-07-01"), follow=True)
    assert "Bắt đầu phải trước hoặc bằng kết thúc." in body(r)
    r = c.post(action("review_fields", pending_import), activity_form(end="31/02/2025"), **HTMX)
    assert r.status_code == 200 and "không phải là ngày hợp lệ" in body(r) and 'id="card-a0"' in body(r)
    assert entry(pending_import, "a0")["end"] == "2025-06-30"


def test_set_field_of_a_missing_activity(client_for, officer, pending_import):
    c = client_for(officer)
    r = c.post(action("review_fields", pending_import), activity_form(activity_key="a99"), follow=True)
    assert "Không tìm thấy hoạt động này" in body(r)
    r = c.post(action("review_fields", pending_import), activity_form(activity_key="<b>x</b>"), **HTMX)
    assert r.status_code == 200 and "<b>x" not in body(r)


def test_set_header_fields(client_for, officer, pending_import):
    c = client_for(officer)
    r = c.post(action("review_fields", pending_import), {"number": "13/KH-STTTT", "title": "Tuyên truyền", "date": "06/03/2025"})
    assert r.status_code == 302 and r["Location"].endswith("#header")
    pending_import.refresh_from_db()
    assert pending_import.review["header"]["number"] == "13/KH-STTTT"
    assert pending_import.review["header"]["date"] == "2025-03-06"
    r = c.post(action("review_fields", pending_import), {"title": ""}, **HTMX)
    html = body(r)
    assert 'id="header"' in html and "Trích yếu không được để trống." in html and 'hx-swap-oob="true"' in html


def test_set_fields_with_nothing_to_set(client_for, officer, pending_import):
    r = client_for(officer).post(action("review_fields", pending_import), {"activity_key": "a0"}, follow=True)
    assert "Không có trường nào để lưu." in body(r)


# --- mentions -------------------------------------------------------------------------------


def test_pick_a_unit_without_js(client_for, officer, pending_import, unit_b):
    r = client_for(officer).post(action("review_mention", pending_import),
                                 {"activity_key": "a0", "mention_key": "m1", "choice": f"unit:{unit_b.pk}"})
    assert r.status_code == 302 and "a=a0" in r["Location"]
    m = entry(pending_import, "a0")["mentions"][1]
    assert (m["status"], m["unit_id"], m["method"]) == ("unit", unit_b.pk, "manual")


def test_pick_with_htmx_answers_the_card_and_the_count(client_for, officer, pending_import, unit_b):
    r = client_for(officer).post(action("review_mention", pending_import),
                                 {"activity_key": "a1", "mention_key": "m0", "choice": "ignore"}, **HTMX)
    html = body(r)
    assert r.status_code == 200 and 'id="card-a1"' in html and 'class="badge ignored"' in html
    assert '<strong id="unresolved" hx-swap-oob="true">1</strong>' in html
    assert entry(pending_import, "a1")["mentions"][0]["status"] == "ignored"


def test_pick_a_group(client_for, officer, pending_import):
    group = UnitGroup.objects.create(name="Các Sở, Ban, ngành", province=pending_import.province, kinds=["so_nganh"])
    client_for(officer).post(action("review_mention", pending_import),
                             {"activity_key": "a0", "mention_key": "m1", "choice": f"group:{group.pk}"})
    m = entry(pending_import, "a0")["mentions"][1]
    assert (m["status"], m["group_id"]) == ("group", group.pk)


@pytest.mark.parametrize("choice, message", [
    ("unit:abc", "Hãy chọn một đơn vị"),
    ("", "Hãy chọn một đơn vị"),
    ("unit:999999", "không có trong danh mục"),
])
def test_pick_refused(client_for, officer, pending_import, choice, message):
    r = client_for(officer).post(action("review_mention", pending_import),
                                 {"activity_key": "a0", "mention_key": "m1", "choice": choice}, follow=True)
    assert message in body(r) or "bắt buộc" in body(r)
    assert entry(pending_import, "a0")["mentions"][1]["status"] == "ambiguous"


def test_pick_a_unit_of_another_province_is_refused(client_for, officer, pending_import, other_province):
    foreign = Unit.objects.create(name="Sở tỉnh khác", kind="so_nganh", province=other_province)
    r = client_for(officer).post(action("review_mention", pending_import),
                                 {"activity_key": "a0", "mention_key": "m1", "choice": f"unit:{foreign.pk}"}, **HTMX)
    assert "không có trong danh mục của tỉnh" in body(r)
    assert entry(pending_import, "a0")["mentions"][1]["status"] == "ambiguous"


def test_remove_a_mention(client_for, officer, pending_import):
    c = client_for(officer)
    r = c.post(action("review_mention_remove", pending_import), {"activity_key": "a0", "mention_key": "m1"})
    assert r.status_code == 302
    assert [m["key"] for m in entry(pending_import, "a0")["mentions"]] == ["m0"]
    r = c.post(action("review_mention_remove", pending_import), {"activity_key": "a0", "mention_key": "m1"}, **HTMX)
    assert "Không tìm thấy đơn vị này" in body(r)


def test_add_mention_form_is_checked(client_for, officer, pending_import):
    r = client_for(officer).post(action("review_mention_add", pending_import),
                                 {"activity_key": "a0", "role": "chief", "text": "Sở Nội vụ"}, follow=True)
    assert r.status_code == 200 and len(entry(pending_import, "a0")["mentions"]) == 2


# --- confirm and discard ----------------------------------------------------------------------


def test_confirm_writes_the_plan_and_shows_it(client_for, officer, pending_import, unit_a, unit_b):
    c = client_for(officer)
    c.post(action("review_mention", pending_import), {"activity_key": "a0", "mention_key": "m1", "choice": f"unit:{unit_b.pk}"})
    r = c.post(action("confirm", pending_import))
    plan = Plan.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("plans:detail", args=[plan.pk])
    pending_import.refresh_from_db()
    assert pending_import.status == PlanImport.Status.CONFIRMED and pending_import.plan == plan
    html = body(c.get(r["Location"]))
    assert "Đã xác nhận kế hoạch 12/KH-STTTT." in html
    assert "Tổ chức triển lãm ảnh về quê hương" in html and "Phòng Không Tồn Tại" in html
    # the import is read-only now; a late edit is refused with the service's message
    r = c.post(action("review_fields", pending_import), activity_form(title="Muộn"), follow=True)
    assert "đã được xác nhận hoặc đã hủy" in body(r)


def test_confirm_refused_shows_why(client_for, officer, pending_import, plan):
    plan.sha256 = pending_import.sha256
    plan.save()
    r = client_for(officer).post(action("confirm", pending_import), follow=True)
    assert "Tệp này đã được nhập" in body(r)
    assert r.redirect_chain[-1][0] == review_url(pending_import)
    assert Plan.objects.count() == 1


def test_discard(client_for, officer, pending_import):
    c = client_for(officer)
    r = c.post(action("discard", pending_import), follow=True)
    assert r.redirect_chain[-1][0] == reverse("plans:list")
    assert "Đã hủy lượt nhập “ke-hoach-12.txt”." in body(r)
    pending_import.refresh_from_db()
    assert pending_import.status == PlanImport.Status.DISCARDED
    html = body(c.get(review_url(pending_import)))
    assert "Lượt nhập này đã bị hủy." in html


def test_discard_of_a_confirmed_import_is_refused(client_for, officer, pending_import, plan):
    pending_import.status, pending_import.plan = PlanImport.Status.CONFIRMED, plan
    pending_import.save()
    r = client_for(officer).post(action("discard", pending_import), follow=True)
    assert "không hủy được" in body(r)


# --- end to end: a real DOCX of seed 000 ----------------------------------------------------


def test_review_flow_end_to_end_with_seed_000(tmp_path, client_for, officer, province, unit_a, unit_b):
    from docparse.tests.builders import build_numbered_docx
    from plans.models import Assignment
    from plans.services import plan_review_unresolved
    from plans.tests.test_views_common import seed_000

    Unit.objects.create(name="Ban Tuyên giáo Tỉnh ủy", kind="dang", province=province)
    # named nowhere in the seed, so the officer's choice is the only way to it
    chosen = Unit.objects.create(name="Sở Ngoại vụ", kind="so_nganh", province=province)
    path = build_numbered_docx(seed_000(), tmp_path / "529-KH-UBND.docx")
    c = client_for(officer)

    with path.open("rb") as f:
        r = c.post(reverse("plans:upload"), {"file": f})
    imp = PlanImport.objects.get()
    assert r.status_code == 302 and r["Location"] == review_url(imp)

    html = body(c.get(r["Location"]))
    assert html.count('<article class="card act') == 24
    assert 'name="number" value="529/KH-UBND"' in html
    before = plan_review_unresolved(imp.review)
    assert before > 0 and f'<strong id="unresolved">{before}</strong>' in html

    # the first mention left unresolved, fixed through its picker (htmx, as the browser does)
    act, m = next((a, m) for a in imp.review["activities"] for m in a["mentions"] if m["status"] in ("ambiguous", "unknown"))
    assert f'value="unit:{chosen.pk}"' in card(html, act["key"])
    r = c.post(action("review_mention", imp), {"activity_key": act["key"], "mention_key": m["key"], "choice": f"unit:{chosen.pk}"}, **HTMX)
    assert f'<strong id="unresolved" hx-swap-oob="true">{before - 1}</strong>' in body(r)
    assert "→ " + chosen.name in body(r)

    r = c.post(action("confirm", imp))
    plan = Plan.objects.get()
    assert r["Location"] == reverse("plans:detail", args=[plan.pk])
    html = body(c.get(r["Location"]))
    assert "Hoạt động (24)" in html and html.count('<tr id="act-') == 24
    assert plan.number == "529/KH-UBND" and plan.date == dt.date(2023, 8, 16)
    assert Assignment.objects.filter(activity__plan=plan, activity__ref=act["ref"], unit=chosen, role=m["role"]).exists()


def test_move_both_dates_later_in_one_post(client_for, officer, pending_import):
    """The service checks start ≤ end after each field; the view sets the new end first."""
    r = client_for(officer).post(action("review_fields", pending_import), activity_form(start="2025-08-01", end="2025-09-30"))
    assert r.status_code == 302
    a0 = entry(pending_import, "a0")
    assert (a0["start"], a0["end"]) == ("2025-08-01", "2025-09-30")


def test_add_a_mention_resolves_it(client_for, officer, pending_import, unit_b):
    c = client_for(officer)
    r = c.post(action("review_mention_add", pending_import),
               {"activity_key": "a1", "role": "support", "text": "Sở Tài chính"}, **HTMX)
    assert r.status_code == 200 and 'id="card-a1"' in body(r)
    added = entry(pending_import, "a1")["mentions"][-1]
    assert (added["key"], added["role"], added["status"], added["unit_id"]) == ("m1", "support", "unit", unit_b.pk)
    r = c.post(action("review_mention_add", pending_import), {"activity_key": "a1", "role": "lead", "text": "Phòng Mới"})
    assert r.status_code == 302 and entry(pending_import, "a1")["mentions"][-1]["status"] == "unknown"

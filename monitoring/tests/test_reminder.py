"""The reminder letter (reporting.exports) can list the units monitoring found
without the banner, as seed 001's footnote 2 does."""
from __future__ import annotations

import io

from docx import Document

from directory.models import Unit, Website
from monitoring.models import BannerSpec
from monitoring.services import banner_laggards, banners_check, spec_save
from plans.models import Activity, Assignment, Plan
from reporting.exports import export_build
from reporting.forms_exports import ReminderForm
from reporting.models import Export


def test_reminder_lists_units_without_the_banner(province, officer, unit_a, unit_b, farm, monitor_settings):
    unit_c = Unit.objects.create(name="UBND huyện Thử", kind="ubnd_huyen", province=province)
    plan = Plan.objects.create(province=province, number="12/KH-UBND", title="Tuyên truyền Đại hội", issuer="UBND tỉnh Thử")
    act = Activity.objects.create(plan=plan, position=1, ref="II.3", title="Đặt banner tuyên truyền")
    for u in (unit_a, unit_b, unit_c):
        Assignment.objects.create(activity=act, unit=u, role="support", status="done")
    Website.objects.create(unit=unit_a, url=farm.url("linked_image"))
    Website.objects.create(unit=unit_b, url=farm.url("plain"))
    Website.objects.create(unit=unit_c, url=farm.url("not_found"))
    spec = spec_save(actor=officer, province=province, plan=plan, name="Banner", targets=[farm.target], keywords=[],
                     interval_minutes=60, peak_interval_minutes=30, obey_robots=False, render_js=False)
    banners_check(spec=spec)
    assert banner_laggards(plan=plan) == [("Sở Tài chính", "Chưa treo banner"),
                                          ("UBND huyện Thử", "Chưa kiểm tra được trang web")]

    form = ReminderForm({"source": "activity", "activity": act.pk, "banner": "on"}, plan=plan)
    assert form.is_valid(), form.errors
    assert form.params()["banner"] is True
    export = Export.objects.create(kind="reminder", plan=plan, params=form.params(), created_by=officer)
    export = export_build(export_id=export.pk)
    assert export.status == Export.Status.DONE, export.error
    export.file.open("rb")
    body = "\n".join(p.text for p in Document(io.BytesIO(export.file.read())).paragraphs)
    export.file.close()
    assert "chưa treo banner tuyên truyền" in body
    assert "Sở Tài chính" in body and "UBND huyện Thử" in body
    assert "Sở Văn hóa" not in body.split("gồm:")[1]  # the unit that placed it is not listed
    assert BannerSpec.objects.get().plan == plan


def test_units_without_a_website_are_listed_too(province, officer, unit_a, unit_b, farm, monitor_settings):
    """The letter names every unit of the spec that shows no banner, also those with no
    website to check (none at all, or only pages left out of the checks)."""
    from monitoring.models import SiteSpec

    no_site = Unit.objects.create(name="UBND xã Không Mạng", kind="ubnd_xa", province=province)
    left_out = Unit.objects.create(name="Ban Quản lý dự án", province=province)
    plan = Plan.objects.create(province=province, number="13/KH-UBND", title="Tuyên truyền", issuer="UBND tỉnh Thử")
    act = Activity.objects.create(plan=plan, position=1, ref="1", title="Đặt banner tuyên truyền")
    for u in (unit_a, unit_b, no_site, left_out):
        Assignment.objects.create(activity=act, unit=u, role="support")
    Website.objects.create(unit=unit_a, url=farm.url("linked_image"))
    Website.objects.create(unit=unit_b, url=farm.url("plain"))
    Website.objects.create(unit=no_site, url="https://facebook.com/xakhongmang", kind="social")
    paused = Website.objects.create(unit=left_out, url=farm.url("plain"))
    spec = spec_save(actor=officer, province=province, plan=plan, name="Banner", targets=[farm.target], keywords=[],
                     interval_minutes=60, peak_interval_minutes=30, obey_robots=False, render_js=False)
    SiteSpec.objects.create(spec=spec, website=paused, enabled=False)
    banners_check(spec=spec)
    assert banner_laggards(plan=plan) == [("Ban Quản lý dự án", "Chưa có trang web"),
                                          ("Sở Tài chính", "Chưa treo banner"),
                                          ("UBND xã Không Mạng", "Chưa có trang web")]
    assert banner_laggards(plan=plan, unit_ids=[unit_a.pk, no_site.pk]) == [("UBND xã Không Mạng",
                                                                             "Chưa có trang web")]

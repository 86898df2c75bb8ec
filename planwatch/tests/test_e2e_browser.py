"""End to end in Chromium (Debian's /usr/bin/chromium through Playwright; nothing is
downloaded): an officer logs in, uploads seed 000 as DOCX, fixes one unresolved unit
with the picker, confirms, sees the 24 activities, and finds the assignments on the
unit's page. Screenshots of the main pages go to out/screenshots/ (or
$PLANWATCH_TEST_OUTPUT) for a person to look at."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from planwatch.testing import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PLANWATCH_SHARED", ROOT.parent / "shared")).resolve()
SEED_000 = SHARED / "seeds" / "000_29852cda548e02be.txt"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("PLANWATCH_TEST_OUTPUT", ROOT / "out")) / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make sysdeps)"),
    pytest.mark.skipif(not SEED_000.exists(), reason=f"seed 000 not found under {SHARED}"),
]


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between browser steps are ordinary blocking calls, which is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        # generous: CI machines run this next to a second pytest worker
        page.set_default_timeout(90_000)
        try:
            yield page
        finally:
            browser.close()
            # The ORM calls made while Playwright's loop runs in this thread keep their
            # connection in that context (asgiref's Local): the test database's teardown
            # would not see it, and PostgreSQL would refuse to drop a database in use.
            from django.db import connections

            connections.close_all()


class Shots:
    """The screenshots of one end-to-end module, in out/screenshots/<folder>/: call it
    with a page and a name; `fixture()` gives the module an autouse fixture that empties
    the folder once per run, so no screenshot of an earlier run is left behind."""

    def __init__(self, folder: str) -> None:
        self.dir = SCREENSHOTS / folder

    def __call__(self, page, name: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.dir / f"{name}.png"), full_page=True)

    def fixture(self):
        def fresh():
            shutil.rmtree(self.dir, ignore_errors=True)

        return pytest.fixture(scope="module", autouse=True, name=f"_fresh_shots_{self.dir.name}")(fresh)


shot = Shots("import")
_fresh_shots = shot.fixture()


@pytest.fixture
def demo_officer(transactional_db):
    from accounts.models import User
    from directory.models import Alias, Province, Unit
    from directory.services import directory_load_demo

    directory_load_demo()
    dak_nong = Province.objects.get(name="Đắk Nông")
    # The magazine is in the directory under another official name, with none of the
    # spellings the seed uses: the import cannot resolve "Tạp chí Nậm Nung" and the
    # officer has to pick the unit by hand.
    magazine = Unit.objects.get(name="Tạp chí Nậm Nung", province=dak_nong)
    Alias.objects.filter(unit=magazine).delete()
    magazine.name = "Tạp chí Văn nghệ tỉnh (thử nghiệm)"
    magazine.save()
    officer = User.objects.create_user(
        username="canbo.e2e", password=PASSWORD, role="officer", province=dak_nong, first_name="Lan"
    )
    return officer, magazine


def test_upload_review_confirm_and_unit_page(live_server, browser_page, demo_officer, tmp_path):
    from docparse.tests.builders import build_numbered_docx
    from plans.models import Assignment, Plan

    officer, magazine = demo_officer
    docx = build_numbered_docx(SEED_000, tmp_path / "ke-hoach-000.docx")
    page = browser_page

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    shot(page, "01-login")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/plans/$"))

    page.goto(f"{live_server.url}/plans/upload/")
    page.set_input_files("input[type=file]", str(docx))
    shot(page, "02-upload")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/plans/imports/[0-9a-f-]+/"))
    assert page.locator("article.act").count() == 24

    # the one unresolved mention: the magazine under a name the directory lacks
    unresolved = int(page.inner_text("#unresolved"))
    assert unresolved >= 1
    mention = page.locator("li", has=page.locator("select[name=choice]")).filter(has_text=re.compile(r"Tạp chí N.m Nung")).first
    mention.scroll_into_view_if_needed()
    shot(page, "03-review")
    mention.locator("select[name=choice]").select_option(f"unit:{magazine.pk}")
    mention.locator("button[type=submit]", has_text="Chọn").click()
    page.wait_for_function(f"document.querySelector('#unresolved').textContent.trim() === '{unresolved - 1}'")

    page.click("text=Xác nhận kế hoạch")
    page.wait_for_url(re.compile(r"/plans/\d+/$"))
    shot(page, "04-plan")
    plan = Plan.objects.get()
    assert plan.activities.count() == 24
    # the activities table lists every activity by its ref
    for ref in plan.activities.values_list("ref", flat=True):
        assert page.get_by_text(ref, exact=True).count() >= 1
    assert Assignment.objects.filter(unit=magazine).exists()

    activity = plan.activities.filter(assignments__unit=magazine).first()
    page.goto(f"{live_server.url}/plans/activities/{activity.pk}/")
    shot(page, "05-activity")
    assert magazine.name in page.content()

    page.goto(f"{live_server.url}/directory/units/{magazine.pk}/")
    shot(page, "06-unit")
    body = page.content()
    for a in Assignment.objects.filter(unit=magazine).select_related("activity"):
        assert a.activity.ref in body
    assert plan.number in body


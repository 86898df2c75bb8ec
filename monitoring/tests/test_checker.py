"""monitoring.checker: matching rules on small documents, decoding, and the farm:
the verdict of every labelled case equals its label."""
from __future__ import annotations

import asyncio

import pytest

from monitoring.checker import SpecData, check_page, decode_html, image_hash, site_check, url_matches
from monitoring.farm import CASES, banner_png, encode_1258
from monitoring.render import Renderer
from planwatch.lib.http import Fetcher

from .conftest import TEST_POLICY

TARGET = "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh"
SPEC = SpecData.build(targets=[TARGET], keywords=["Đại hội Đảng"])


@pytest.mark.parametrize("url", [
    "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh", "http://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh/",
    "https://www.BaoDakNong.vn:443/chuyen-de/dai-hoi-dang-bo-tinh/bai-1.html",
    "https://baodaknong.vn/Chuyen-De/Dai-Hoi-Dang-Bo-Tinh?utm_source=banner#top",
    "https://baodaknong.vn/chuyen-de/dai%2Dhoi-dang-bo-tinh",
])
def test_target_variants_match(url):
    assert url_matches(url, SPEC.targets)


@pytest.mark.parametrize("url", [
    "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh-lan-thu-xiv",  # lookalike: no segment boundary
    "https://baodaknong.vn/chuyen-de/", "https://baodaknong.vn/", "https://baodaknong.vn.example.com/chuyen-de/dai-hoi-dang-bo-tinh",
    "https://baodaknong.vn:8443/chuyen-de/dai-hoi-dang-bo-tinh", "javascript:alert(1)", "mailto:a@baodaknong.vn",
])
def test_lookalikes_do_not_match(url):
    assert not url_matches(url, SPEC.targets)


def test_target_with_query_needs_its_parameters():
    spec = SpecData.build(targets=["https://portal.gov.vn/Pages/chuyen-muc.aspx?ItemID=123"])
    assert url_matches("https://portal.gov.vn/pages/chuyen-muc.aspx?ItemID=123&p=2", spec.targets)
    assert not url_matches("https://portal.gov.vn/pages/chuyen-muc.aspx?ItemID=124", spec.targets)


def test_relative_link_on_the_target_site_matches():
    html = '<html><body><a href="/chuyen-de/dai-hoi-dang-bo-tinh/">Đại hội</a></body></html>'
    v = check_page(html, "https://baodaknong.vn/", SPEC)
    assert v.status == "present" and v.href == "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh/"
    assert v.snippet.startswith("<a ")


def test_base_href_is_honoured():
    html = '<html><head><base href="https://baodaknong.vn/"></head><body><a href="chuyen-de/dai-hoi-dang-bo-tinh">x</a></body></html>'
    assert check_page(html, "https://other.gov.vn/", SPEC).status == "present"


def test_snippet_is_bounded():
    html = f'<a href="{TARGET}">{"Đại hội " * 2000}</a>'
    v = check_page(html, "https://so.gov.vn/", SPEC)
    assert v.status == "present" and len(v.snippet) <= 1000


def test_candidate_images_prefer_keyword_alt_and_are_bounded():
    spec = SpecData.build(targets=[TARGET], keywords=["Đại hội Đảng"], hashes=[image_hash(banner_png())])
    imgs = "".join(f'<a href="/tin/{i}"><img src="/t{i}.jpg" width="240" height="160"></a>' for i in range(50))
    html = f'<html><body>{imgs}<img src="/x/qc.png" alt="Chào mừng ĐẠI HỘI ĐẢNG bộ tỉnh"></body></html>'
    v = check_page(html, "https://so.gov.vn/", spec)
    assert v.status == "absent"
    assert v.images[0][0] == "https://so.gov.vn/x/qc.png" and len(v.images) <= 6


def test_decode_by_header_then_meta_then_detection():
    text = '<html><head><meta charset="windows-1258"></head><body>Đại hội Đảng bộ tỉnh lần thứ XV</body></html>'
    legacy = encode_1258(text)
    assert "Đại hội Đảng" in decode_html(legacy, "utf-8")  # wrong header: the meta tag wins
    assert "Đại hội Đảng" in decode_html(legacy, None)
    utf8 = text.replace("windows-1258", "utf-8").encode()
    assert "Đại hội Đảng" in decode_html(utf8, "windows-1258")  # valid UTF-8 despite the header
    assert "Đại hội Đảng" in decode_html(encode_1258(text.replace('<meta charset="windows-1258">', "")), None)


@pytest.fixture(scope="module")
def farm_verdicts(farm):
    spec = SpecData.build(targets=[farm.target], keywords=["Đại hội Đảng"], hashes=[image_hash(banner_png())],
                          obey_robots=True, render_js=True)

    async def all_cases():
        async with Fetcher(TEST_POLICY) as f, Renderer(f) as r:
            verdicts = await asyncio.gather(*(site_check(f, farm.url(c), spec, renderer=r) for c in CASES))
        return dict(zip(CASES, verdicts))

    return asyncio.run(all_cases())


@pytest.mark.parametrize("case", list(CASES))
def test_farm_verdict_equals_label(farm_verdicts, case):
    v = farm_verdicts[case]
    assert (v.status, v.reason) == CASES[case], v.detail


def test_farm_evidence(farm, farm_verdicts):
    assert farm_verdicts["linked_image"].src.endswith("/anh/banner-dh.png")
    assert farm_verdicts["short_url"].href.endswith("/dh25x")
    assert farm_verdicts["image_no_link"].src.endswith("/uploads/2025/dh-copy.jpg")
    assert "Đại hội Đảng" in farm_verdicts["wrong_charset"].snippet  # decoded from windows-1258
    js = farm_verdicts["javascript"]
    assert js.method == "rendered" and js.screenshot.startswith(b"\xff\xd8")
    assert farm_verdicts["plain"].method == "static"
    assert farm_verdicts["private_redirect"].detail == "blocked address 10.0.0.1"


def test_farm_pages_are_realistic(farm):
    import urllib.request

    from selectolax.lexbor import LexborHTMLParser

    for case in ("plain", "linked_image", "lookalike"):
        body = urllib.request.urlopen(farm.url(case), timeout=5).read()
        tree = LexborHTMLParser(body.decode())
        assert 50_000 <= len(body) <= 150_000
        assert len(tree.css("a")) >= 200 and len(tree.css("img")) >= 100


def test_browser_requests_go_through_the_guard(farm):
    """The rendered pass fetches every sub-request with the guarded fetcher: a page
    whose script loads a private address gets that request aborted."""
    spec = SpecData.build(targets=[farm.target], render_js=True)
    seen = []

    class Spy(Fetcher):
        async def fetch(self, url, **kw):
            got = await super().fetch(url, **kw)
            seen.append((url, got.error))
            return got

    async def go():
        async with Spy(TEST_POLICY) as f, Renderer(f) as r:
            return await r.render(farm.url("javascript"), spec)

    v = asyncio.run(go())
    assert v is not None and v.status == "present"
    assert seen and all(url.startswith("http://127.0.0.1:") for url, _ in seen)

"""monitoring.checker: matching rules on small documents, decoding, and the farm:
the verdict of every labelled case equals its label."""
from __future__ import annotations

import asyncio
import functools
import io
import socket
import threading
import time
import unicodedata
from dataclasses import replace
from urllib.parse import quote

import pytest

from monitoring import checker
from monitoring.checker import SpecData, check_page, decode_html, image_hash, site_check, url_matches
from monitoring.farm import CASES, banner_png, encode_1258, farm_resolve
from monitoring.render import Renderer
from planwatch.lib.http import Fetcher, parse_networks

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


@pytest.mark.parametrize("url", [
    "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh/../../tin-khac/bai-1.html",
    "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh/%2E%2E/%2e%2e/tin-khac/bai-1.html",
    "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh/./../x",
    "https://baodaknong.vn/chuyen-de%2Fdai-hoi-dang-bo-tinh/bai-1.html",  # an encoded "/" is no boundary
    "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh%2F..%2F..%2Ftin-khac",
])
def test_dot_segments_and_encoded_slashes_do_not_fool_the_match(url):
    assert not url_matches(url, SPEC.targets)


@pytest.mark.parametrize("url", [
    "https://baodaknong.vn/tin-khac/../chuyen-de/dai-hoi-dang-bo-tinh/bai-1.html",
    "https://baodaknong.vn/chuyen-de/./dai-hoi-dang-bo-tinh",
    "https://baodaknong.vn/../chuyen-de/dai-hoi-dang-bo-tinh/",
])
def test_dot_segments_into_the_target_match(url):
    assert url_matches(url, SPEC.targets)


def test_nfd_percent_encoded_href_matches_an_nfc_target():
    spec = SpecData.build(targets=["https://daknong.gov.vn/chuyên-mục/đại-hội-đảng"])
    nfd = quote(unicodedata.normalize("NFD", "/chuyên-mục/Đại-Hội-Đảng/bài-1.html"))
    assert "%CC" in nfd  # combining marks, written apart
    assert url_matches("https://daknong.gov.vn" + nfd, spec.targets)
    html = f'<html><body><a href="/tin-tuc/1.html">Tin</a><a href="{nfd}">Đại hội</a></body></html>'
    v = check_page(html, "https://daknong.gov.vn/", spec)
    assert v.status == "present" and v.href == "https://daknong.gov.vn" + nfd


def test_target_with_query_needs_its_parameters():
    spec = SpecData.build(targets=["https://portal.gov.vn/Pages/chuyen-muc.aspx?ItemID=123"])
    assert url_matches("https://portal.gov.vn/pages/chuyen-muc.aspx?ItemID=123&p=2", spec.targets)
    assert not url_matches("https://portal.gov.vn/pages/chuyen-muc.aspx?ItemID=124", spec.targets)


def test_relative_link_on_the_target_site_matches():
    html = '<html><body><a href="/chuyen-de/dai-hoi-dang-bo-tinh/">Đại hội</a></body></html>'
    v = check_page(html, "https://baodaknong.vn/", SPEC)
    assert v.status == "present" and v.href == "https://baodaknong.vn/chuyen-de/dai-hoi-dang-bo-tinh/"
    assert v.snippet.startswith("<a ")


def test_base_href_resolves_links_but_is_not_the_final_url():
    html = '<html><head><base href="https://baodaknong.vn/"></head><body><a href="chuyen-de/dai-hoi-dang-bo-tinh">x</a></body></html>'
    v = check_page(html, "https://other.gov.vn/", SPEC)
    assert v.status == "present" and v.href == TARGET and v.final_url == "https://other.gov.vn/"
    js = '<html><head><base href="javascript:alert(1)//"></head><body><a href="/tin/1.html">x</a></body></html>'
    v = check_page(js, "https://so.gov.vn/", SPEC)
    assert (v.status, v.final_url) == ("absent", "https://so.gov.vn/")


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


def test_lazy_images_are_read_from_their_real_source():
    spec = SpecData.build(targets=[TARGET], keywords=["Đại hội Đảng"], hashes=[image_hash(banner_png())])
    html = ('<html><body><img class="lazy" src="/img/blank.gif" data-src="/up/dh-1.jpg" alt="Đại hội Đảng">'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="/up/b-100.jpg 100w, /up/b-300.jpg 300w, '
            '/up/b-900.jpg 900w" alt="Đại hội Đảng bộ tỉnh"><img src="/img/loading.gif" data-lazy-src="/up/dh-2.png"'
            ' alt="Đại hội Đảng"></body></html>')
    images = [src for src, _snip in check_page(html, "https://so.gov.vn/", spec).images]
    assert images == ["https://so.gov.vn/up/dh-1.jpg", "https://so.gov.vn/up/b-300.jpg", "https://so.gov.vn/up/dh-2.png"]


def test_images_with_no_cue_fill_the_free_places_largest_first():
    spec = SpecData.build(targets=[TARGET], keywords=["Đại hội Đảng"], hashes=[image_hash(banner_png())])
    html = ('<html><body><img src="/a/qc.png" alt="Đại hội Đảng"><img src="/a/icon.png" width="16" height="16">'
            '<img src="/a/unsized.jpg"><img src="/a/small.jpg" width="100" height="80">'
            '<a href="/gioi-thieu.html"><img src="/a/big.jpg" width="300" height="250"></a>'
            '<img src="/a/mid.jpg" width="240" height="160"><img src="/a/unsized-2.jpg"></body></html>')
    v = check_page(html, "https://so.gov.vn/", spec)
    images = [src.rsplit("/", 1)[1] for src, _snip in v.images + v.more_images]
    assert images == ["qc.png", "big.jpg", "mid.jpg", "small.jpg", "unsized.jpg", "unsized-2.jpg"]


def test_decode_by_header_then_meta_then_detection():
    text = '<html><head><meta charset="windows-1258"></head><body>Đại hội Đảng bộ tỉnh lần thứ XV</body></html>'
    legacy = encode_1258(text)
    assert "Đại hội Đảng" in decode_html(legacy, "utf-8")  # wrong header: the meta tag wins
    assert "Đại hội Đảng" in decode_html(legacy, None)
    utf8 = text.replace("windows-1258", "utf-8").encode()
    assert "Đại hội Đảng" in decode_html(utf8, "windows-1258")  # valid UTF-8 despite the header
    assert "Đại hội Đảng" in decode_html(encode_1258(text.replace('<meta charset="windows-1258">', "")), None)


def test_bytes_that_are_not_the_utf8_their_header_claims_are_detected():
    text = "<html><body>" + "Tin tức " * 50 + "Đại hội Đảng bộ tỉnh lần thứ XV, Ủy ban nhân dân tỉnh</body></html>"
    legacy = encode_1258(text)  # no <meta>, and the header says UTF-8
    assert "Đại hội Đảng" in decode_html(legacy, "utf-8")
    assert "\ufffd" not in decode_html(legacy, "utf-8")
    assert decode_html(text.encode(), "utf-8") == text  # real UTF-8 is left as it is


@pytest.fixture(scope="module")
def farm_verdicts(farm):
    spec = SpecData.build(targets=[farm.target], keywords=["Đại hội Đảng"], hashes=[image_hash(banner_png())],
                          obey_robots=True, render_js=True)

    async def all_cases():
        async with Fetcher(TEST_POLICY, resolve=farm_resolve) as f, Renderer(f) as r:
            verdicts = await asyncio.gather(*(site_check(f, farm.url(c), spec, renderer=r) for c in CASES))
        return dict(zip(CASES, verdicts))

    return asyncio.run(all_cases())


@pytest.mark.parametrize("case", list(CASES))
def test_farm_verdict_equals_label(farm_verdicts, case):
    v = farm_verdicts[case]
    assert (v.status, v.reason) == CASES[case], v.detail


def test_farm_evidence_of_the_newer_cases(farm, farm_verdicts):
    v = farm_verdicts
    assert v["hash_only"].src.endswith("/uploads/2025/anh-dh.jpg")
    assert v["lazy_image"].src.endswith("/uploads/2025/dh-copy.jpg")
    assert v["animated_banner"].src.endswith("/uploads/2025/dh-dong.gif")
    assert v["javascript_image"].method == "rendered" and v["javascript_image"].src.endswith("/dh-copy.jpg")
    assert v["javascript_image"].screenshot.startswith(b"\xff\xd8")
    assert v["javascript_post"].method == "rendered"
    assert "/loi/503/banner-dh.png: http_5xx" in v["image_unverified"].detail
    assert "qc-lon.png: too_large" in v["image_too_big"].detail
    assert v["short_url_unverified"].final_url == farm.url("short_url_unverified")
    # the final URL is the last http(s) URL fetched, never a javascript: one
    assert v["javascript_redirect"].final_url == farm.url("javascript_redirect")
    assert v["base_javascript"].final_url == farm.url("base_javascript")
    assert "10.20.30.40" in v["dns_private_redirect"].detail


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


@pytest.fixture
def listener():
    """UDP and TCP on one port of 127.0.0.2 (loopback, but outside the range the
    browser tests allow): what reaches it."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.2", 0))
    port = udp.getsockname()[1]
    tcp = socket.socket()
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.2", port))
    tcp.listen(8)
    received = []

    def read_udp():
        while True:
            try:
                received.append(("udp", udp.recvfrom(4096)[0][:40]))
            except OSError:
                return

    def accept_tcp():
        while True:
            try:
                conn, _addr = tcp.accept()
            except OSError:
                return
            received.append(("tcp", conn.recv(200)))
            conn.close()

    for target in (read_udp, accept_tcp):
        threading.Thread(target=target, daemon=True).start()
    yield f"127.0.0.2:{port}", received
    for sock in (udp, tcp):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


# only the farm's address: 127.0.0.2 stands for an address on a private network
FARM_ONLY = replace(TEST_POLICY, allowed_networks=parse_networks(["127.0.0.1/32"]))


def test_browser_requests_go_through_the_guard(farm, listener):
    """The rendered pass fetches every sub-request with the guarded fetcher: a page
    whose script loads a private address (fetch, an image) gets those requests
    refused by the guard, and nothing reaches that address."""
    peer, received = listener
    spec = SpecData.build(targets=[farm.target], render_js=True)
    seen = []

    class Spy(Fetcher):
        async def fetch(self, url, **kw):
            got = await super().fetch(url, **kw)
            seen.append((url, got.error))
            return got

    async def go():
        async with Spy(FARM_ONLY) as f, Renderer(f) as r:
            verdict = await r.render(f"http://127.0.0.1:{farm.port}/webrtc/?peer={peer}", spec)
            await asyncio.sleep(0.5)
            return verdict

    v = asyncio.run(go())
    assert v is not None and v.method == "rendered"
    refused = {url for url, error in seen if error == "blocked_address"}
    assert {f"http://{peer}/xhr", f"http://{peer}/img.png"} <= refused
    assert received == []


def test_browser_webrtc_reaches_nothing(farm, listener):
    """STUN and TURN (UDP and TCP) from RTCPeerConnection are not HTTP: no route sees
    them. The page tries all three towards the listener; nothing may arrive."""
    peer, received = listener
    spec = SpecData.build(targets=[farm.target], render_js=True)

    async def go():
        async with Fetcher(FARM_ONLY) as f, Renderer(f) as r:
            verdict = await r.render(f"http://127.0.0.1:{farm.port}/webrtc/?peer={peer}", spec)
            await asyncio.sleep(2)  # ICE gathering goes on after the page is read
            return verdict

    assert asyncio.run(go()) is not None
    assert received == []


def test_site_deadline_bounds_a_whole_check(farm):
    spec = SpecData.build(targets=[farm.target])

    async def go():
        async with Fetcher(replace(TEST_POLICY, timeout=10.0, deadline=30.0)) as f:
            return await site_check(f, farm.url("slow"), spec, deadline=0.5)

    v = asyncio.run(go())
    assert (v.status, v.reason) == ("error", "timeout") and "0.5 s" in v.detail
    assert v.duration < 3


def test_many_slow_healthy_sites_on_one_host_are_all_present(farm):
    """20 sites of one host answering in 0.3 s, two at a time: the last ones wait about
    3 s for a connection, which neither the 1 s timeout nor the 2 s site deadline
    counts."""
    spec = SpecData.build(targets=[farm.target])
    urls = [f"{farm.url('linked_image')}?delay=0.3&n={i}" for i in range(20)]

    async def go():
        async with Fetcher(replace(TEST_POLICY, per_host_limit=2, retries=0, deadline=1.5)) as f:
            return await asyncio.gather(*(site_check(f, u, spec, deadline=2.0) for u in urls))

    verdicts = asyncio.run(go())
    assert [(v.status, v.reason) for v in verdicts] == [("present", "link")] * 20, [v.detail for v in verdicts]


@functools.lru_cache(maxsize=1)
def _huge_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (6000, 6000), (200, 16, 46)).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def test_huge_images_do_not_stall_other_fetches():
    """Three 36-megapixel PNGs (0.5 MB each) on a page with banner cues, and quick
    fetches with a short timeout going on meanwhile: none of them may time out, and
    the event loop never stops for long."""
    from aiohttp import web

    from .test_http import Server

    page = "<html><body>" + "".join(f'<img src="/huge-{i}.png" alt="Đại hội Đảng">' for i in range(3)) + "</body></html>"

    async def quick(request):
        await asyncio.sleep(0.02)
        return web.Response(text="ok")

    huge = _huge_png()
    routes = {"/": lambda r: web.Response(text=page, content_type="text/html"),
              "/huge-{n}.png": lambda r: web.Response(body=huge, content_type="image/png"), "/quick": quick}
    spec = SpecData.build(targets=[TARGET], keywords=["Đại hội Đảng"], hashes=[image_hash(banner_png())])

    async def go(server):
        lags = []

        async def ticker():
            while True:
                t0 = time.monotonic()
                await asyncio.sleep(0.01)
                lags.append(time.monotonic() - t0)

        async with Fetcher(replace(TEST_POLICY, timeout=0.5, retries=0)) as f:
            async def quick_ones():
                return [await f.fetch(server.url("/quick")) for _ in range(40)]

            tick = asyncio.ensure_future(ticker())
            verdict, quick_results = await asyncio.gather(site_check(f, server.url("/"), spec), quick_ones())
            tick.cancel()
        return verdict, quick_results, max(lags)

    with Server(routes) as server:
        verdict, quick_results, worst_lag = asyncio.run(go(server))
    assert verdict.status == "absent", verdict.detail  # too big to be a banner
    assert [r.error for r in quick_results] == [None] * 40
    assert worst_lag < 0.4


def test_big_images_are_hashed_off_the_event_loop(monkeypatch):
    """A banner-sized image is hashed on the loop (it costs what a page parse does); a
    bigger one, up to MAX_PIXELS, in the hashing threads."""
    from aiohttp import web

    from .test_http import Server

    threads = []
    real = checker._image_distance

    def spy(im, hashes):
        threads.append((im.width, threading.current_thread().name))
        return real(im, hashes)

    monkeypatch.setattr(checker, "_image_distance", spy)
    small, big = banner_png(), banner_png(1800, 450)  # 0.09 and 0.81 megapixels
    routes = {"/small": lambda r: web.Response(text='<img src="/s.png" alt="Đại hội Đảng">', content_type="text/html"),
              "/big": lambda r: web.Response(text='<img src="/b.png" alt="Đại hội Đảng">', content_type="text/html"),
              "/s.png": lambda r: web.Response(body=small, content_type="image/png"),
              "/b.png": lambda r: web.Response(body=big, content_type="image/png")}
    spec = SpecData.build(targets=[TARGET], keywords=["Đại hội Đảng"], hashes=[image_hash(banner_png())])

    async def go(server):
        async with Fetcher(TEST_POLICY) as f:
            return [await site_check(f, server.url(path), spec) for path in ("/small", "/big")]

    with Server(routes) as server:
        verdicts = asyncio.run(go(server))
    assert [(v.status, v.reason) for v in verdicts] == [("present", "image")] * 2
    assert threads[0] == (600, threading.current_thread().name)
    assert threads[1][0] == 1800 and threads[1][1].startswith("banner-hash")


def test_candidates_obey_robots_txt_too():
    """With obey_robots, a banner image robots.txt forbids is not fetched: the check
    cannot tell, so it is an error, not absent."""
    from aiohttp import web

    from .test_http import Server

    page = '<html><body><img src="/anh/banner-dh.png" alt="Đại hội Đảng"></body></html>'
    banner = banner_png()
    routes = {"/robots.txt": lambda r: web.Response(text="User-agent: *\nDisallow: /anh/\n"),
              "/": lambda r: web.Response(text=page, content_type="text/html"),
              "/anh/banner-dh.png": lambda r: web.Response(body=banner, content_type="image/png")}
    hashes = [image_hash(banner)]

    async def go(server, obey):
        spec = SpecData.build(targets=[TARGET], keywords=["Đại hội Đảng"], hashes=hashes, obey_robots=obey)
        async with Fetcher(TEST_POLICY) as f:
            return await site_check(f, server.url("/"), spec)

    with Server(routes) as server:
        obeyed, ignored = asyncio.run(go(server, True)), asyncio.run(go(server, False))
        fetched = [path for path, _ua in server.hits]
    assert (obeyed.status, obeyed.reason) == ("error", "candidate_unverified") and "robots" in obeyed.detail
    assert (ignored.status, ignored.reason) == ("present", "image")
    assert fetched.count("/anh/banner-dh.png") == 1  # only when robots.txt was not asked

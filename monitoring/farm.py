"""A farm of websites on 127.0.0.1: realistic Vietnamese government home pages
(50–150 KB, hundreds of links and images, menus, news lists), one labelled case per
site, plus a second origin standing for the provincial portal (the banner target) and
a URL shortener. Used by the tests, the benchmark and `manage.py loaddemo` (which
checks the demo units' stand-in pages here, planwatch/demo.py).

    farm = Farm(); farm.start()          # in a thread of this process (tests)
    farm.url("linked_image")             # the home page of one case
    farm.stop()
    python -m monitoring.farm PORT EXT_PORT   # a separate process (benchmark)

CASES maps each case to the verdict the checker must give: (status, reason). Pages of
the benchmark, /b/<n>/, cycle through BENCH_MIX. The case "dns_private_redirect"
redirects to PRIVATE_NAME, which only the test resolver (FARM_NAMES, for
Fetcher(resolve=...)) knows: it resolves to a private address. /webrtc/?peer=HOST:PORT
is a page whose script tries to reach HOST:PORT over WebRTC (STUN, TURN) and HTTP, for
the tests of the browser's SSRF guard.

Named sites: `Farm(sites={"sxd": "plain"})` also serves /site/sxd/ as that case, read
from the dict on every request, so changing `farm.sites["sxd"]` between two checks
stands for a unit placing or removing its banner. `target` (any absolute URL) makes
the banners link there instead of the portal origin; the short-URL case then
redirects off the farm and is not for use without a network.
"""
from __future__ import annotations

import asyncio
import functools
import html
import io
import random
import socket
import sys
import threading
import unicodedata

from aiohttp import web

TARGET_PATH = "/chuyen-muc/dai-hoi-dang-bo-tinh"
SHORT_PATH = "/dh25x"
BANNER_ALT = "Chào mừng Đại hội Đảng bộ tỉnh lần thứ XV"

CASES: dict[str, tuple[str, str]] = {
    "linked_image": ("present", "link"),
    "text_link": ("present", "link"),
    "short_url": ("present", "redirect_link"),
    "image_no_link": ("present", "image"),
    "iframe": ("present", "frame_link"),
    "javascript": ("present", "link"),  # found by the rendered pass
    "lookalike": ("absent", ""),
    "plain": ("absent", ""),
    "down": ("error", "connect"),
    "slow": ("error", "timeout"),
    "not_found": ("error", "http_4xx"),
    "server_error": ("error", "http_5xx"),
    "redirect_loop": ("error", "too_many_redirects"),
    "huge": ("error", "too_large"),
    "wrong_charset": ("present", "link"),
    "private_redirect": ("error", "blocked_address"),
    "metadata_redirect": ("error", "blocked_address"),
    "robots": ("error", "robots"),
    "hash_only": ("present", "image"),  # an internal link around an image with no cue at all
    "lazy_image": ("present", "image"),  # placeholder in src, the banner in data-src
    "javascript_image": ("present", "image"),  # inserted by JavaScript, no link: rendered, then hashed
    "javascript_post": ("present", "link"),  # the banner comes from a POST request of the page's script
    "dot_segments": ("absent", ""),  # into the target section and out again with "../.."
    "image_unverified": ("error", "candidate_unverified"),  # the banner-like image answers 503
    "short_url_unverified": ("error", "candidate_unverified"),  # the short link answers 503
    "frame_unverified": ("error", "candidate_unverified"),  # the iframe answers 500
    "image_too_big": ("error", "candidate_unverified"),  # over the image size limit, unreadable in its first bytes
    "animated_banner": ("present", "image"),  # over the size limit, the banner is its first frame
    "dns_private_redirect": ("error", "blocked_address"),  # to a name that resolves to a private address
    "redirect_no_location": ("error", "bad_redirect"),
    "javascript_redirect": ("error", "unsupported_scheme"),  # Location: javascript:...
    "base_javascript": ("absent", ""),  # <base href="javascript:...">
}
PRIVATE_NAME = "intranet.tinh-thu.example"
FARM_NAMES = {PRIVATE_NAME: ["10.20.30.40"]}


async def farm_resolve(host: str) -> list[str]:
    """The resolver of the farm's tests: FARM_NAMES, and no other name (no network)."""
    if host in FARM_NAMES:
        return FARM_NAMES[host]
    raise OSError(f"{host}: unknown name (tests look no name up)")

# What a round of the benchmark looks like: most units comply, some do not, a few fail.
BENCH_MIX = (["linked_image"] * 10 + ["text_link"] * 4 + ["plain"] * 2 + ["lookalike", "image_no_link",
             "short_url", "iframe", "not_found", "wrong_charset"])

WORDS = (
    "tuyên truyền kỷ niệm năm ngày thành lập Đảng Cộng sản Việt Nam tỉnh huyện xã phường ủy ban nhân dân "
    "sở ban ngành đoàn thể hội nghị triển khai kế hoạch công tác chuyển đổi số cải cách hành chính "
    "phòng chống thiên tai an toàn giao thông du lịch văn hóa thể thao giáo dục đào tạo y tế nông nghiệp "
    "nông thôn mới đầu tư xây dựng kinh tế xã hội quốc phòng an ninh biên giới hải đảo tài nguyên môi trường "
    "lãnh đạo chỉ đạo kiểm tra giám sát đánh giá kết quả thực hiện nhiệm vụ trọng tâm quý tháng"
).split()
MENU = ["Trang chủ", "Giới thiệu", "Tin tức - Sự kiện", "Chỉ đạo điều hành", "Văn bản pháp luật",
        "Thủ tục hành chính", "Dịch vụ công trực tuyến", "Thông tin tuyên truyền", "Hỏi đáp", "Liên hệ",
        "Sơ đồ cổng", "Công khai ngân sách", "Quy hoạch - Kế hoạch", "Thống kê", "Đấu thầu"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def page_template(seed: int, n_news: int = 140) -> tuple[str, str]:
    """(head, tail) of a home page; the case's banner block goes between them."""
    rng = random.Random(seed)
    menu = "".join(
        f'<li><a href="/{i}/menu-{i}.html">{m}</a><ul>'
        + "".join(f'<li><a href="/{i}/muc-{j}.html">{_sentence(rng, 4)}</a></li>' for j in range(6))
        + "</ul></li>"
        for i, m in enumerate(MENU)
    )
    news = "".join(
        f'<div class="news-item"><a href="/tin-tuc/{seed}-{i}.html" title="{_sentence(rng, 8)}">'
        f'<img src="/anh/thumb-{i % 8}.jpg" width="240" height="160" alt="{_sentence(rng, 6)}"></a>'
        f'<h3><a href="/tin-tuc/{seed}-{i}.html">{_sentence(rng, 12)}</a></h3>'
        f'<p class="date">{1 + i % 28:02d}/{1 + i % 12:02d}/2025</p><p>{_sentence(rng, 40)}</p></div>'
        for i in range(n_news)
    )
    sidebar = "".join(
        f'<a href="http://chinhphu.example/{name}"><img src="/anh/side-{k}.png" width="300" height="90" alt="{name}"></a>'
        for k, name in enumerate(["dich-vu-cong", "cai-cach-hanh-chinh", "phong-chong-tham-nhung"])
    )
    head = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin điện tử</title>'
        '<link rel="stylesheet" href="/css/site.css"><script src="/js/jquery.min.js"></script></head><body>'
        f'<header><img src="/anh/logo.png" width="80" height="80" alt="logo"><h1>{_sentence(rng, 6)}</h1></header>'
        f'<nav><ul class="menu">{menu}</ul></nav><main><aside class="sidebar">{sidebar}'
    )
    tail = (
        f'</aside><section class="news">{news}</section></main>'
        f'<footer><p>{_sentence(rng, 30)}</p><a href="http://chinhphu.example/">Cổng TTĐT Chính phủ</a></footer>'
        "</body></html>"
    )
    return head, tail


def banner_png(width: int = 600, height: int = 150) -> bytes:
    """The reference banner: a red panel with a yellow star and stripes."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (width, height), (200, 16, 46))
    d = ImageDraw.Draw(im)
    s = height / 150
    d.polygon([(75 * s, 20 * s), (92 * s, 65 * s), (140 * s, 65 * s), (100 * s, 92 * s), (115 * s, 135 * s),
               (75 * s, 108 * s), (35 * s, 135 * s), (50 * s, 92 * s), (10 * s, 65 * s), (58 * s, 65 * s)],
              fill=(255, 221, 0))
    for k in range(5):
        d.rectangle([180 * s + k * 80 * s, 30 * s, 230 * s + k * 80 * s, 120 * s], fill=(255, 240, 200))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def banner_copy() -> bytes:
    """The banner as a unit re-saved it: resized and JPEG-recompressed."""
    from PIL import Image

    im = Image.open(io.BytesIO(banner_png())).resize((450, 112))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=55)
    return buf.getvalue()


def banner_stretched(width: int = 300, height: int = 200) -> bytes:
    """The banner squeezed into a box of another shape, as a JPEG (pHash still matches)."""
    from PIL import Image

    im = Image.open(io.BytesIO(banner_png())).convert("RGB").resize((width, height))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=70)
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def banner_animated(frames: int = 30) -> bytes:
    """An animated GIF of several MB: the banner, then frames of noise."""
    from PIL import Image

    first = Image.open(io.BytesIO(banner_png())).convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE)
    rng = random.Random(5)
    rest = []
    for _ in range(frames):
        f = Image.frombytes("P", first.size, rng.randbytes(first.width * first.height))
        f.putpalette(first.getpalette())
        rest.append(f)
    buf = io.BytesIO()
    first.save(buf, "GIF", save_all=True, append_images=rest, duration=100, loop=0)
    return buf.getvalue()


def _picture(seed: int, w: int = 240, h: int = 160) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    im = Image.new("RGB", (w, h), tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rng.randrange(w), rng.randrange(h)
        d.ellipse([x, y, x + rng.randrange(20, 90), y + rng.randrange(20, 90)],
                  fill=tuple(rng.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def script_page(script: str) -> web.Response:
    """A page whose content only its script puts in place (the rendered pass's cases)."""
    doc = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Cổng</title></head><body>'
           f'<div id="app">Đang tải…</div><script>{script}</script></body></html>')
    return web.Response(text=doc, content_type="text/html")


def encode_1258(text: str) -> bytes:
    """windows-1258 bytes of Vietnamese text: letters the code page lacks are written
    as a base letter plus a combining tone mark, as legacy editors did."""
    return b"".join(_char_1258(ch) for ch in unicodedata.normalize("NFC", text))


@functools.lru_cache(maxsize=4096)
def _char_1258(ch: str) -> bytes:
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        pass
    d = unicodedata.normalize("NFD", ch)
    for i in range(len(d) - 1, 0, -1):  # keep one mark apart, compose the rest
        base = unicodedata.normalize("NFC", d[:i] + d[i + 1:])
        try:
            return base.encode("cp1258") + d[i].encode("cp1258")
        except UnicodeEncodeError:
            continue
    return b"?"


class Farm:
    """The farm in a thread of this process. `url(case)` is the home page of a case,
    `site_url(name)` that of a named site; `target` is the banner's target prefix."""

    def __init__(self, *, target: str | None = None, banner_text: str = BANNER_ALT,
                 sites: dict[str, str] | None = None):
        self.port = self.ext_port = self.down_port = 0
        self.sites = sites if sites is not None else {}
        self._target, self._banner_text = target, banner_text
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: Exception | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def target(self) -> str:
        return self._target or f"http://127.0.0.1:{self.ext_port}{TARGET_PATH}"

    def url(self, case: str) -> str:
        if case == "down":
            return f"http://127.0.0.1:{self.down_port}/"
        return f"http://127.0.0.1:{self.port}/s/{case}/"

    def site_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/site/{name}/"

    def __enter__(self) -> Farm:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> Farm:
        self.down_port = _free_port()  # nothing listens there
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("farm did not start")
        if self._error is not None:
            raise self._error
        return self

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            self._runner, self.port, self.ext_port = loop.run_until_complete(
                serve(0, 0, target=self._target, banner_text=self._banner_text, sites=self.sites))
        except Exception as exc:  # noqa: BLE001 - handed to start(), which raises it
            self._error = exc
            loop.close()
            ready.set()
            return
        self._loop = loop
        ready.set()
        loop.run_forever()
        loop.run_until_complete(self._runner.cleanup())
        loop.close()

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(15)
            self._loop = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def serve(port: int, ext_port: int, *, target: str | None = None, banner_text: str = BANNER_ALT,
                sites: dict[str, str] | None = None):
    """Start the site origin and the portal origin; (runner, port, ext_port). See the
    module docstring for `target` and `sites`."""
    site = web.Application()
    state = {"ext": ext_port, "port": port}
    sites = sites if sites is not None else {}
    target_url = target
    alt = html.escape(banner_text)
    templates = [tuple(p.encode() for p in page_template(seed)) for seed in range(16)]
    pictures = {f"thumb-{i}.jpg": _picture(i) for i in range(8)}
    pictures.update({f"side-{k}.png": _picture(100 + k, 300, 90) for k in range(3)})
    pictures["logo.png"] = _picture(99, 80, 80)
    banner, copy, stretched = banner_png(), banner_copy(), banner_stretched()

    def target(suffix: str = "") -> str:
        if target_url:
            return html.escape(target_url.rstrip("/") + suffix)
        return f"http://127.0.0.1:{state['ext']}{TARGET_PATH}{suffix}"

    def block(case: str) -> str:
        if case == "linked_image":
            return f'<a href="{target()}"><img src="/anh/banner-dh.png" width="300" alt="{alt}"></a>'
        if case in ("text_link", "wrong_charset"):
            if target_url:
                return f'<a href="{target("/?utm_source=banner")}">{alt}</a>'
            # host case, "www." and the trailing slash differ from the target on purpose
            path = TARGET_PATH.replace("dai-hoi", "Dai-Hoi")
            return f'<a href="http://127.0.0.1:{state["ext"]}{path}/?utm_source=banner">{alt}</a>'
        if case == "short_url":
            return f'<a href="http://127.0.0.1:{state["ext"]}{SHORT_PATH}"><img src="/anh/bn.png" alt="Banner"></a>'
        if case == "image_no_link":
            return '<img src="/uploads/2025/dh-copy.jpg" width="450" height="112">'
        if case == "iframe":
            return '<iframe src="/widget/banner.html" width="300" height="100"></iframe>'
        if case == "lookalike":
            return (f'<a href="{target("-lan-thu-xiv")}">{alt}</a>'
                    f'<a href="http://127.0.0.1:{state["ext"]}/chuyen-muc/">Chuyên mục</a>')
        if case == "hash_only":
            return '<a href="/gioi-thieu/dai-hoi.html"><img src="/uploads/2025/anh-dh.jpg" width="300" height="200"></a>'
        if case == "lazy_image":
            return (f'<img class="lazyload" src="/anh/blank.gif" data-src="/uploads/2025/dh-copy.jpg" alt="{alt}" '
                    'width="450" height="112">')
        if case == "dot_segments":
            return f'<a href="{target("/../../tin-khac/bai-1.html")}">{alt}</a>'
        if case == "image_unverified":
            return f'<img src="/loi/503/banner-dh.png" alt="{alt}" width="450" height="112">'
        if case == "short_url_unverified":
            return f'<a href="http://127.0.0.1:{state["ext"]}{SHORT_PATH}503"><img src="/anh/bn.png" alt="Banner"></a>'
        if case == "frame_unverified":
            return '<iframe src="/loi/500/widget.html" width="300" height="100"></iframe>'
        if case == "image_too_big":
            return f'<img src="/uploads/2025/qc-lon.png" alt="{alt}" width="450" height="112">'
        if case == "animated_banner":
            return f'<img src="/uploads/2025/dh-dong.gif" alt="{alt}" width="600" height="150">'
        return ""

    def page(n: int, case: str) -> bytes:
        head, tail = templates[n % len(templates)]
        return head + block(case).encode() + tail

    @functools.lru_cache(maxsize=64)
    def legacy_page(n: int) -> bytes:
        """A page in windows-1258 (its meta says so) sent with a header claiming UTF-8."""
        text = page(n, "wrong_charset").decode().replace('<meta charset="utf-8">', '<meta charset="windows-1258">')
        return encode_1258(text)

    async def named(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in sites:
            return web.Response(status=404, text="Không tìm thấy trang")
        return await _case(request, sites[name], sum(map(ord, name)))

    async def home(request: web.Request) -> web.StreamResponse:
        case = request.match_info["case"]
        return await _case(request, case, int(case) if case.isdigit() else sum(map(ord, case)))

    async def _case(request: web.Request, case: str, n: int) -> web.StreamResponse:
        if request.query.get("delay"):  # used by the queue test: checks that take a while
            await asyncio.sleep(min(float(request.query["delay"]), 5))
        if case == "slow":
            await asyncio.sleep(5)
        if case == "not_found":
            return web.Response(status=404, text="Không tìm thấy trang")
        if case == "server_error":
            return web.Response(status=500, text="Lỗi máy chủ")
        if case == "redirect_loop":
            raise web.HTTPFound("/s/redirect_loop2/")
        if case == "redirect_loop2":
            raise web.HTTPFound("/s/redirect_loop/")
        if case == "private_redirect":
            raise web.HTTPFound("http://10.0.0.1/")
        if case == "metadata_redirect":
            raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")
        if case == "redirect_no_location":
            return web.Response(status=302)
        if case == "javascript_redirect":
            return web.Response(status=302, headers={"Location": "javascript:alert(1)"})
        if case == "dns_private_redirect":
            raise web.HTTPFound(f"http://{PRIVATE_NAME}/")
        if case == "base_javascript":
            body = page(n, "plain").replace(b"<head>", b'<head><base href="javascript:alert(1)//">', 1)
            return web.Response(body=body, content_type="text/html", charset="utf-8")
        if case == "javascript_image":
            return script_page("document.getElementById(\"app\").innerHTML = "
                               "'<img src=\"/uploads/2025/dh-copy.jpg\" width=\"450\" height=\"112\">';")
        if case == "javascript_post":
            return script_page('fetch("/api/banner", {method: "POST", body: "khoi=banner", '
                               'headers: {"Content-Type": "application/x-www-form-urlencoded"}})'
                               '.then(r => r.ok ? r.text() : "").then(t => { document.getElementById("app").innerHTML = t; });')
        if case == "javascript":
            return script_page("document.getElementById(\"app\").innerHTML = "
                               f"'<a href=\"{target()}\"><img src=\"/anh/banner-dh.png\" alt=\"Banner\"></a>';")
        if case == "huge":
            head, tail = templates[0]
            filler = head[len(head) // 2:] * 400  # several MB before the banner
            body = head + filler + block("linked_image").encode() + tail
            return web.Response(body=body, content_type="text/html", charset="utf-8")
        if case == "wrong_charset":
            return web.Response(body=legacy_page(3), headers={"Content-Type": "text/html; charset=utf-8"})
        return web.Response(body=page(n, case), content_type="text/html", charset="utf-8")

    async def bench(request: web.Request) -> web.StreamResponse:
        n = int(request.match_info["n"])
        case = BENCH_MIX[n % len(BENCH_MIX)]
        if case == "not_found":
            return web.Response(status=404, text="Không tìm thấy trang")
        if case == "wrong_charset":
            return web.Response(body=legacy_page(n % len(templates)), headers={"Content-Type": "text/html; charset=utf-8"})
        # each site has images of its own, as real sites do (no cache helps the checker)
        body = page(n, case).replace(b'src="/anh/', f'src="/anh/{n}/'.encode())
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    async def picture(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name in ("banner-dh.png", "bn.png"):
            return web.Response(body=banner if name == "banner-dh.png" else pictures["side-0.png"], content_type="image/png")
        return web.Response(body=pictures.get(name, pictures["thumb-0.jpg"]), content_type="image/jpeg")

    async def upload(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name == "anh-dh.jpg":
            return web.Response(body=stretched, content_type="image/jpeg")
        if name == "qc-lon.png":  # a PNG signature, then 3 MB that no decoder reads
            return web.Response(body=b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(3 * 2**20),
                                content_type="image/png")
        if name == "dh-dong.gif":
            return web.Response(body=banner_animated(), content_type="image/gif")
        return web.Response(body=copy, content_type="image/jpeg")

    async def failing(request: web.Request) -> web.StreamResponse:
        return web.Response(status=int(request.match_info["status"]), text="Lỗi máy chủ")

    async def api_banner(request: web.Request) -> web.StreamResponse:
        """The banner block, for a POST with the page's form body only."""
        form = await request.text()
        if request.content_type != "application/x-www-form-urlencoded" or form != "khoi=banner":
            return web.Response(status=400, text="Yêu cầu không hợp lệ")
        return web.Response(text=f'<a href="{target()}">{alt}</a>', content_type="text/html")

    async def webrtc(request: web.Request) -> web.StreamResponse:
        peer = html.escape(request.query.get("peer", "127.0.0.2:9"))
        doc = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Cổng</title></head><body>'
               '<div id="app">Đang tải…</div><script>'
               f'const peer = "{peer}";'
               'try {'
               '  const pc = new RTCPeerConnection({iceServers: ['
               '    {urls: "stun:" + peer},'
               '    {urls: "turn:" + peer + "?transport=udp", username: "u", credential: "p"},'
               '    {urls: "turn:" + peer + "?transport=tcp", username: "u", credential: "p"}]});'
               '  pc.createDataChannel("x");'
               '  pc.createOffer().then(o => pc.setLocalDescription(o));'
               '} catch (e) { document.title = "no webrtc"; }'
               'fetch("http://" + peer + "/xhr").catch(() => {});'
               'const img = new Image(); img.src = "http://" + peer + "/img.png";'
               "</script></body></html>")
        return web.Response(text=doc, content_type="text/html")

    async def widget(request: web.Request) -> web.StreamResponse:
        doc = (f'<html><head><meta charset="utf-8"></head><body><a href="{target()}" target="_top">'
               f'<img src="/anh/banner-dh.png" alt="{alt}"></a></body></html>')
        return web.Response(text=doc, content_type="text/html")

    async def robots(request: web.Request) -> web.StreamResponse:
        return web.Response(text="User-agent: *\nDisallow: /s/robots/\n")

    site.router.add_get("/robots.txt", robots)
    site.router.add_get("/s/{case}/", home)
    site.router.add_get("/site/{name}/", named)
    site.router.add_get("/b/{n:\\d+}/", bench)
    site.router.add_get("/anh/{name}", picture)
    site.router.add_get("/anh/{site:\\d+}/{name}", picture)
    site.router.add_get("/uploads/2025/{name}", upload)
    site.router.add_get("/widget/banner.html", widget)
    site.router.add_get("/loi/{status:\\d+}/{name}", failing)
    site.router.add_post("/api/banner", api_banner)
    site.router.add_get("/webrtc/", webrtc)

    portal = web.Application()

    async def short(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(target("/"))

    async def section(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html><body>Chuyên mục</body></html>", content_type="text/html")

    async def short_failing(request: web.Request) -> web.StreamResponse:
        return web.Response(status=503, text="Dịch vụ tạm ngừng")

    portal.router.add_route("*", SHORT_PATH, short)
    portal.router.add_route("*", SHORT_PATH + "503", short_failing)
    portal.router.add_route("*", "/{tail:.*}", section)

    runner = web.AppRunner(site, access_log=None, handle_signals=False)
    await runner.setup()
    s1 = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await s1.start()
    state["port"] = s1._server.sockets[0].getsockname()[1]
    prunner = web.AppRunner(portal, access_log=None, handle_signals=False)
    await prunner.setup()
    s2 = web.TCPSite(prunner, "127.0.0.1", ext_port)
    await s2.start()
    state["ext"] = s2._server.sockets[0].getsockname()[1]

    class Both:
        async def cleanup(self):
            await runner.cleanup()
            await prunner.cleanup()

    return Both(), state["port"], state["ext"]


def main() -> None:
    """python -m monitoring.farm PORT EXT_PORT [MAX_SECONDS]: serve until killed,
    until the parent process is gone, or for MAX_SECONDS (default 1800) at most."""
    import os
    import time

    port, ext = int(sys.argv[1]), int(sys.argv[2])
    deadline = time.monotonic() + (float(sys.argv[3]) if len(sys.argv) > 3 else 1800)
    parent = os.getppid()

    async def run():
        runner, _p, _e = await serve(port, ext)
        print("farm ready", flush=True)
        while time.monotonic() < deadline and os.getppid() == parent:
            await asyncio.sleep(1)
        await runner.cleanup()

    asyncio.run(run())


if __name__ == "__main__":
    main()

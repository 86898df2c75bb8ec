"""The rendered second pass: a page that looks bare in its static HTML is opened in
headless Chromium (Debian's /usr/bin/chromium through Playwright) so that banners
inserted by JavaScript are seen, and a screenshot is kept as evidence.

The SSRF guard applies to the browser too: every HTTP request the page makes is
intercepted and fetched by the same guarded planwatch.lib.http.Fetcher (method and
body included), then fulfilled from its answer. Chromium itself never opens a
connection (no DNS rebinding through the browser either):
- whatever interception does not see goes to a proxy on a loopback port that is held
  closed for the renderer's lifetime (`--proxy-server`), loopback included
  (`--proxy-bypass-list=<-loopback>`), so it fails;
- WebRTC, whose STUN/TURN traffic is UDP that neither interception nor an HTTP proxy
  sees, may only use the proxy (`--force-webrtc-ip-handling-policy`, which for UDP
  means not at all), and an init script removes RTCPeerConnection from every frame;
- WebSockets are closed and service workers blocked.
"""
from __future__ import annotations

import asyncio
import contextvars
import socket

from monitoring.checker import SpecData, Verdict, check_page
from planwatch.lib.http import http_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp", "--proxy-bypass-list=<-loopback>",
]
NO_WEBRTC = """(() => {
  for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "mozRTCPeerConnection"]) {
    try { Object.defineProperty(window, name, {value: undefined, writable: false, configurable: false}); }
    catch (e) { try { delete window[name]; } catch (e2) {} }
  }
})();"""
RENDER_TIMEOUT_MS = 15_000
IDLE_TIMEOUT_MS = 3_000
RENDER_CONCURRENCY = 2
_ABORT = {"blocked_address": "blockedbyclient", "robots": "blockedbyclient", "timeout": "timedout",
          "dns": "namenotresolved", "unsupported_scheme": "blockedbyclient", "bad_url": "blockedbyclient"}


def closed_port() -> socket.socket:
    """A socket bound to a loopback port and never listening: connections to that port
    are refused for as long as the socket stays open (the browser's dead-end proxy)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


class Renderer:
    """`async with Renderer(fetcher) as r: verdict = await r.render(url, spec)`.
    Chromium starts on the first render only."""

    def __init__(self, fetcher):
        self.fetcher = fetcher
        self._pw = None
        self._browser = None
        self._proxy: socket.socket | None = None
        self._lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(RENDER_CONCURRENCY)

    async def __aenter__(self) -> Renderer:
        return self

    async def __aexit__(self, *exc) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._pw is not None:
            await self._pw.stop()
        if self._proxy is not None:
            self._proxy.close()

    async def _start(self):
        async with self._lock:
            if self._browser is None:
                from playwright.async_api import async_playwright

                self._proxy = self._proxy or closed_port()
                port = self._proxy.getsockname()[1]

                async def launch():
                    self._pw = await async_playwright().start()
                    self._browser = await self._pw.chromium.launch(
                        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--proxy-server=socks5://127.0.0.1:{port}"])

                # Playwright's tasks (the route handlers among them) inherit the context
                # they start in: an empty one, not the Deadline of the site that came first.
                await asyncio.get_running_loop().create_task(launch(), context=contextvars.Context())
        return self._browser

    async def _route(self, route, spec: SpecData) -> None:
        request = route.request
        headers = None
        content_type = request.headers.get("content-type")
        if content_type and request.method not in ("GET", "HEAD"):
            headers = {"Content-Type": content_type}
        got = await self.fetcher.fetch(request.url, method=request.method, data=request.post_data_buffer,
                                       headers=headers, obey_robots=spec.obey_robots)
        if got.status is None or (got.error and got.error not in ("http_4xx", "http_5xx")):
            await route.abort(_ABORT.get(got.error, "failed"))
            return
        headers = {"content-type": got.content_type + (f"; charset={got.charset}" if got.charset else "")} \
            if got.content_type else {}
        await route.fulfill(status=got.status, headers=headers, body=got.body)

    async def render(self, url: str, spec: SpecData) -> Verdict | None:
        """The verdict on the rendered DOM (method "rendered", with a JPEG screenshot),
        with its candidates for site_check to fetch when absent; None when the browser
        could not open the page."""
        async with self._slots:
            try:
                browser = await self._start()
            except Exception:  # noqa: BLE001 - no browser here: the static verdict stands
                return None
            context = await browser.new_context(service_workers="block", java_script_enabled=True,
                                                viewport={"width": 1280, "height": 900})
            try:
                await context.add_init_script(NO_WEBRTC)
                await context.route("**/*", lambda route: self._route(route, spec))
                await context.route_web_socket("**/*", lambda ws: ws.close())
                page = await context.new_page()
                response = await page.goto(url, wait_until="load", timeout=RENDER_TIMEOUT_MS)
                try:  # requests the page's scripts make after load (a banner fetched by XHR)
                    await page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)
                except Exception:  # noqa: BLE001 - a page that keeps polling is read as it stands
                    pass
                await page.wait_for_timeout(300)  # timers that insert the banner after load
                html = await page.content()
                verdict = check_page(html, page.url if http_url(page.url) else url, spec)
                verdict.method = "rendered"
                verdict.http_status = response.status if response is not None else None
                verdict.screenshot = await page.screenshot(type="jpeg", quality=60)
                return verdict
            except Exception:  # noqa: BLE001 - a page that will not render keeps its static verdict
                return None
            finally:
                await context.close()

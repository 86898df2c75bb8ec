"""The rendered second pass: a page that looks bare in its static HTML is opened in
headless Chromium (Debian's /usr/bin/chromium through Playwright) so that banners
inserted by JavaScript are seen, and a screenshot is kept as evidence.

The SSRF guard applies to the browser too: every request the page makes is
intercepted and fetched by the same guarded planwatch.lib.http.Fetcher, then fulfilled
from its answer. Chromium itself never opens a connection (no DNS rebinding through
the browser either); WebSockets are closed and service workers blocked.
"""
from __future__ import annotations

import asyncio

from monitoring.checker import SpecData, Verdict, check_page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
RENDER_TIMEOUT_MS = 15_000
RENDER_CONCURRENCY = 2
_ABORT = {"blocked_address": "blockedbyclient", "robots": "blockedbyclient", "timeout": "timedout",
          "dns": "namenotresolved"}


class Renderer:
    """`async with Renderer(fetcher) as r: verdict = await r.render(url, spec)`.
    Chromium starts on the first render only."""

    def __init__(self, fetcher):
        self.fetcher = fetcher
        self._pw = None
        self._browser = None
        self._lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(RENDER_CONCURRENCY)

    async def __aenter__(self) -> Renderer:
        return self

    async def __aexit__(self, *exc) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._pw is not None:
            await self._pw.stop()

    async def _start(self):
        async with self._lock:
            if self._browser is None:
                from playwright.async_api import async_playwright

                self._pw = await async_playwright().start()
                self._browser = await self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return self._browser

    async def _route(self, route, spec: SpecData) -> None:
        request = route.request
        got = await self.fetcher.fetch(request.url, obey_robots=spec.obey_robots)
        if got.status is None or (got.error and got.error not in ("http_4xx", "http_5xx")):
            await route.abort(_ABORT.get(got.error, "failed"))
            return
        headers = {"content-type": got.content_type + (f"; charset={got.charset}" if got.charset else "")} \
            if got.content_type else {}
        await route.fulfill(status=got.status, headers=headers, body=got.body)

    async def render(self, url: str, spec: SpecData) -> Verdict | None:
        """The verdict on the rendered DOM (method "rendered", with a JPEG screenshot);
        None when the browser could not open the page."""
        async with self._slots:
            try:
                browser = await self._start()
            except Exception:  # noqa: BLE001 - no browser here: the static verdict stands
                return None
            context = await browser.new_context(service_workers="block", java_script_enabled=True,
                                                viewport={"width": 1280, "height": 900})
            try:
                await context.route("**/*", lambda route: self._route(route, spec))
                await context.route_web_socket("**/*", lambda ws: ws.close())
                page = await context.new_page()
                response = await page.goto(url, wait_until="load", timeout=RENDER_TIMEOUT_MS)
                await page.wait_for_timeout(300)  # timers that insert the banner after load
                html = await page.content()
                verdict = check_page(html, page.url, spec)
                verdict.method = "rendered"
                verdict.http_status = response.status if response is not None else None
                verdict.screenshot = await page.screenshot(type="jpeg", quality=60)
                verdict.images, verdict.links, verdict.frames = [], [], []
                return verdict
            except Exception:  # noqa: BLE001 - a page that will not render keeps its static verdict
                return None
            finally:
                await context.close()

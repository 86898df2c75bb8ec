"""planwatch.lib.http: the SSRF guard, limits, retries and robots.txt, against real
servers on 127.0.0.1 (and a test resolver for DNS names)."""
from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
from dataclasses import replace

import pytest
from aiohttp import web

from planwatch.lib.http import Fetcher, address_blocked, ip_literal, parse_networks

from .conftest import TEST_POLICY

BLOCKED = [
    "10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "127.8.9.10", "0.0.0.0", "169.254.169.254",
    "169.254.1.1", "100.64.0.1", "100.100.100.200", "224.0.0.1", "239.255.255.250", "240.0.0.1",
    "255.255.255.255", "192.0.0.192", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254",
    "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1",
    "2002:a00:1::", "2001:db8::1", "fec0::1", "fec0:1:2::3", "168.63.129.16",
]
PUBLIC = ["8.8.8.8", "203.113.131.1", "14.225.0.1", "2001:4860:4860::8888"]


@pytest.mark.parametrize("address", BLOCKED)
def test_non_public_addresses_are_blocked(address):
    assert address_blocked(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert not address_blocked(ipaddress.ip_address(address))


def test_allowed_networks_open_a_range_but_never_metadata():
    allowed = parse_networks(["127.0.0.0/8", "169.254.0.0/16", "168.63.0.0/16"])
    assert not address_blocked(ipaddress.ip_address("127.0.0.1"), allowed)
    assert address_blocked(ipaddress.ip_address("10.0.0.1"), allowed)
    assert address_blocked(ipaddress.ip_address("169.254.169.254"), allowed)
    assert address_blocked(ipaddress.ip_address("168.63.129.16"), allowed)  # Azure WireServer


@pytest.mark.parametrize("host,expected", [
    ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"),
    ("127.1", "127.0.0.1"), ("017700000001", "127.0.0.1"), ("[::ffff:a9fe:a9fe]", "::ffff:a9fe:a9fe"),
    ("167772161", "10.0.0.1"), ("example.gov.vn", None), ("1e100.net", None),
])
def test_ip_literals_in_every_spelling(host, expected):
    got = ip_literal(host)
    assert (str(got) if got is not None else None) == expected


def run(coro):
    return asyncio.run(coro)


async def fetch(url, policy=TEST_POLICY, resolve=None, **kw):
    kwargs = {"resolve": resolve} if resolve else {}
    async with Fetcher(policy, **kwargs) as f:
        return await f.fetch(url, **kw)


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
    "http://2852039166/", "http://0251.0376.0251.0376/", "http://[::ffff:169.254.169.254]/", "http://0.0.0.0:80/",
    "http://[fec0::1]/", "http://168.63.129.16/machine",
])
def test_blocked_urls_are_refused_before_connecting(url):
    got = run(fetch(url))
    assert got.error == "blocked_address"
    assert got.status is None


@pytest.mark.parametrize("url,error", [
    ("file:///etc/passwd", "unsupported_scheme"), ("gopher://127.0.0.1/", "unsupported_scheme"),
    ("javascript:alert(1)", "unsupported_scheme"), ("http://[::1/", "bad_url"), ("http://127.0.0.1:99999/", "bad_url"),
    ("http:///no-host", "bad_url"),
])
def test_urls_that_are_not_http_have_their_own_reasons(url, error):
    got = run(fetch(url))
    assert (got.error, got.status, got.final_url) == (error, None, "")


def test_loopback_is_refused_without_the_setting(farm):
    got = run(fetch(farm.url("plain"), replace(TEST_POLICY, allowed_networks=())))
    assert got.error == "blocked_address"


def test_dns_names_resolving_to_private_addresses_are_refused(farm):
    async def resolver(host):
        return {"intranet.example": ["10.1.2.3"], "mixed.example": ["203.113.131.1", "192.168.0.1"],
                "meta.example": ["169.254.169.254"], "v6.example": ["fd12::1"]}[host]

    for host in ("intranet.example", "mixed.example", "meta.example", "v6.example"):
        got = run(fetch(f"http://{host}/", resolve=resolver))
        assert got.error == "blocked_address", host


def test_connection_goes_to_the_checked_address(farm):
    """A name that resolves to loopback (allowed in tests) is fetched from there: the
    connector uses the resolver's answer, nothing else."""
    calls = []

    async def resolver(host):
        calls.append(host)
        return ["127.0.0.1"]

    url = farm.url("plain").replace("127.0.0.1", "portal.tinh-thu.example")
    got = run(fetch(url, resolve=resolver))
    assert got.ok and got.status == 200
    assert calls == ["portal.tinh-thu.example"]


def test_unknown_name_is_a_dns_failure():
    async def resolver(host):
        raise OSError("Name or service not known")

    assert run(fetch("http://khong-ton-tai.example/", resolve=resolver)).error == "dns"


def test_redirect_hop_to_blocked_address_is_refused(farm):
    got = run(fetch(farm.url("private_redirect")))
    assert got.error == "blocked_address"
    assert got.redirects == [farm.url("private_redirect")]


def _async(handler):
    """Tests write one-line handlers as lambdas; aiohttp wants coroutines that raise
    redirects."""
    if asyncio.iscoroutinefunction(handler):
        return handler

    async def wrapped(request):
        response = handler(request)
        if isinstance(response, web.HTTPException) and response.status >= 300:
            raise response
        return response

    return wrapped


class Server:
    """A small aiohttp server in a thread with handlers given by the test."""

    def __init__(self, routes):
        self.routes, self.port, self.hits = routes, 0, []

    def __enter__(self):
        ready = threading.Event()

        def serve():
            self.loop = asyncio.new_event_loop()
            app = web.Application()

            @web.middleware
            async def count(request, handler):
                self.hits.append((request.path, request.headers.get("User-Agent", "")))
                return await handler(request)

            app.middlewares.append(count)
            for path, handler in self.routes.items():
                app.router.add_route("*", path, _async(handler))
            self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
            self.loop.run_until_complete(self.runner.setup())
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            self.loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self.runner.cleanup())

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def test_retries_with_backoff_then_succeeds():
    state = {"n": 0}

    async def flaky(request):
        state["n"] += 1
        return web.Response(status=503 if state["n"] < 3 else 200, text="ok")

    with Server({"/": flaky}) as s:
        got = run(fetch(s.url("/"), replace(TEST_POLICY, retries=2)))
    assert got.ok and state["n"] == 3


def test_4xx_is_not_retried():
    with Server({"/": lambda r: web.Response(status=404)}) as s:
        got = run(fetch(s.url("/")))
        assert got.error == "http_4xx" and len(s.hits) == 1


def test_user_agent_names_planwatch():
    with Server({"/": lambda r: web.Response(text="ok")}) as s:
        run(fetch(s.url("/")))
        assert "planwatch" in s.hits[0][1]


def test_size_limit_stops_reading():
    """An endless body: a fetcher that read everything before slicing would never
    finish (and time out) instead of stopping at the limit."""
    async def endless(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        try:
            while True:
                await resp.write(b"x" * 65536)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    with Server({"/": endless}) as s:
        got = run(fetch(s.url("/"), replace(TEST_POLICY, max_bytes=100_000, timeout=5.0, retries=0)))
    assert got.error == "too_large" and len(got.body) == 100_000


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bombs_stop_at_the_limit(encoding):
    """60 MB of zeros sent as 60 KB of gzip or deflate: the limit applies to the
    decompressed bytes, and decompression stops with it."""
    import zlib

    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    bomb = b"".join(packer.compress(b"\0" * 2**20) for _ in range(60)) + packer.flush()
    assert len(bomb) < 100_000

    async def handler(request):
        return web.Response(body=bomb, headers={"Content-Encoding": encoding, "Content-Type": "text/html"})

    with Server({"/": handler}) as s:
        got = run(fetch(s.url("/"), replace(TEST_POLICY, max_bytes=2**20)))
    assert got.error == "too_large" and len(got.body) == 2**20 and set(got.body) == {0}


def test_redirect_without_location_is_an_error():
    with Server({"/": lambda r: web.Response(status=302), "/300": lambda r: web.Response(status=300, text="x")}) as s:
        assert run(fetch(s.url("/"))).error == "bad_redirect"
        assert run(fetch(s.url("/300"))).error == "bad_redirect"


def test_final_url_is_the_last_http_url():
    """A Location of another scheme is refused and never becomes the final URL."""
    routes = {"/": lambda r: web.HTTPFound("/js"), "/js": lambda r: web.HTTPFound("javascript:alert(document.domain)")}
    with Server(routes) as s:
        got = run(fetch(s.url("/")))
    assert (got.error, got.final_url) == ("unsupported_scheme", s.url("/js"))
    assert "javascript" in got.detail


def test_redirect_limit():
    with Server({"/{n}": lambda r: web.HTTPFound(f"/{int(r.match_info['n']) + 1}")}) as s:
        got = run(fetch(s.url("/0"), replace(TEST_POLICY, max_redirects=3)))
    assert got.error == "too_many_redirects" and len(got.redirects) == 4


def counting_handler():
    """({"now", "peak"}, a handler that answers after 0.05 s): how many requests it
    served at once, at most."""
    state = {"now": 0, "peak": 0}

    async def slow(request):
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.05)
        state["now"] -= 1
        return web.Response(text="ok")

    return state, slow


def test_per_host_concurrency_is_bounded():
    state, slow = counting_handler()

    async def many(url):
        async with Fetcher(replace(TEST_POLICY, per_host_limit=3)) as f:
            return await asyncio.gather(*(f.fetch(url) for _ in range(12)))

    with Server({"/": slow}) as s:
        results = run(many(s.url("/")))
    assert all(r.ok for r in results)
    assert state["peak"] == 3


def test_total_concurrency_is_bounded():
    state, slow = counting_handler()

    async def loopback(host):
        return ["127.0.0.1"]

    async def many(urls):
        async with Fetcher(replace(TEST_POLICY, total_limit=3, per_host_limit=2), resolve=loopback) as f:
            return await asyncio.gather(*(f.fetch(u) for u in urls))

    with Server({"/": slow}) as s:
        # three host names of one server: at most 2 each, 3 in all
        urls = [s.url("/").replace("127.0.0.1", f"site-{i % 3}.example") for i in range(15)]
        results = run(many(urls))
    assert all(r.ok for r in results), [r.detail for r in results if not r.ok]
    assert state["peak"] == 3


def test_waiting_for_a_slot_does_not_count_against_the_timeout():
    """16 healthy answers of 0.3 s from one host, two at a time: the last waits about
    2 s for its slot, which neither the 1 s timeout nor the 1.5 s deadline counts."""
    async def slow(request):
        await asyncio.sleep(0.3)
        return web.Response(text="ok")

    async def many(url):
        async with Fetcher(replace(TEST_POLICY, per_host_limit=2, timeout=1.0, deadline=1.5, retries=0)) as f:
            return await asyncio.gather(*(f.fetch(f"{url}?n={i}") for i in range(16)))

    with Server({"/": slow}) as s:
        results = run(many(s.url("/")))
    assert [r.error for r in results] == [None] * 16


def test_deadline_bounds_a_whole_fetch():
    """Each hop answers within the per-attempt timeout, but a chain of them (and the
    retries) may not run past the fetch's deadline."""
    async def hop(request):
        await asyncio.sleep(0.3)
        raise web.HTTPFound(f"/{int(request.match_info['n']) + 1}")

    with Server({"/{n}": hop}) as s:
        started = time.monotonic()
        got = run(fetch(s.url("/0"), replace(TEST_POLICY, timeout=1.0, deadline=1.0, max_redirects=20)))
        took = time.monotonic() - started
    assert got.error == "timeout" and "1 s" in got.detail
    assert took < 3 and 2 <= len(got.redirects) <= 4


def test_method_and_body_go_through_and_redirects_behave_like_browsers():
    async def echo(request):
        return web.Response(text=f"{request.method} {await request.text()} {request.content_type}")

    routes = {"/echo": echo, "/307": lambda r: web.HTTPTemporaryRedirect("/echo"),
              "/303": lambda r: web.HTTPSeeOther("/echo"), "/302": lambda r: web.HTTPFound("/echo")}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with Server(routes) as s:
        direct = run(fetch(s.url("/echo"), method="POST", data=b"a=1", headers=headers))
        kept = run(fetch(s.url("/307"), method="POST", data=b"a=1", headers=headers))
        see_other = run(fetch(s.url("/303"), method="POST", data=b"a=1", headers=headers))
        found = run(fetch(s.url("/302"), method="POST", data=b"a=1", headers=headers))
    assert direct.body == kept.body == b"POST a=1 application/x-www-form-urlencoded"
    assert see_other.body.startswith(b"GET  ") and found.body.startswith(b"GET  ")


def test_unreachable_robots_txt_keeps_the_page_unfetched():
    """RFC 9309: robots.txt answering 5xx means complete disallow; one that cannot be
    reached too, reported as the failure it met (the page is not requested)."""
    state = {"robots": 503}

    async def robots(request):
        if state["robots"] == "slow":
            await asyncio.sleep(3)
        return web.Response(status=state["robots"] if state["robots"] != "slow" else 200, text="")

    with Server({"/robots.txt": robots, "/": lambda r: web.Response(text="ok")}) as s:
        assert run(fetch(s.url("/"), obey_robots=True)).error == "robots"
        state["robots"] = 404  # missing: everything allowed
        assert run(fetch(s.url("/"), obey_robots=True)).ok
        state["robots"] = "slow"
        got = run(fetch(s.url("/"), replace(TEST_POLICY, retries=0), obey_robots=True))
        assert got.error == "timeout" and got.detail.startswith("robots.txt")
        assert [p for p, _ua in s.hits].count("/") == 1  # only while robots.txt was missing


def test_robots_txt_is_obeyed_only_when_asked(farm):
    assert run(fetch(farm.url("robots"), obey_robots=True)).error == "robots"
    assert run(fetch(farm.url("robots"))).ok
    assert run(fetch(farm.url("plain"), obey_robots=True)).ok

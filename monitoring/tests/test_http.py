"""planwatch.lib.http: the SSRF guard, limits, retries and robots.txt, against real
servers on 127.0.0.1 (and a test resolver for DNS names)."""
from __future__ import annotations

import asyncio
import ipaddress
import threading
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
    "2002:a00:1::", "2001:db8::1",
]
PUBLIC = ["8.8.8.8", "203.113.131.1", "14.225.0.1", "2001:4860:4860::8888"]


@pytest.mark.parametrize("address", BLOCKED)
def test_non_public_addresses_are_blocked(address):
    assert address_blocked(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert not address_blocked(ipaddress.ip_address(address))


def test_allowed_networks_open_a_range_but_never_metadata():
    allowed = parse_networks(["127.0.0.0/8", "169.254.0.0/16"])
    assert not address_blocked(ipaddress.ip_address("127.0.0.1"), allowed)
    assert address_blocked(ipaddress.ip_address("10.0.0.1"), allowed)
    assert address_blocked(ipaddress.ip_address("169.254.169.254"), allowed)


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
    "file:///etc/passwd", "gopher://127.0.0.1/",
])
def test_blocked_urls_are_refused_before_connecting(url):
    got = run(fetch(url))
    assert got.error == "blocked_address"
    assert got.status is None


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
    async def big(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        for _ in range(100):
            await resp.write(b"x" * 65536)
        return resp

    with Server({"/": big}) as s:
        got = run(fetch(s.url("/"), replace(TEST_POLICY, max_bytes=100_000)))
    assert got.error == "too_large" and len(got.body) == 100_000


def test_redirect_limit():
    with Server({"/{n}": lambda r: web.HTTPFound(f"/{int(r.match_info['n']) + 1}")}) as s:
        got = run(fetch(s.url("/0"), replace(TEST_POLICY, max_redirects=3)))
    assert got.error == "too_many_redirects" and len(got.redirects) == 4


def test_per_host_concurrency_is_bounded():
    state = {"now": 0, "peak": 0}

    async def slow(request):
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.05)
        state["now"] -= 1
        return web.Response(text="ok")

    async def many(url):
        async with Fetcher(replace(TEST_POLICY, per_host_limit=3)) as f:
            return await asyncio.gather(*(f.fetch(url) for _ in range(12)))

    with Server({"/": slow}) as s:
        results = run(many(s.url("/")))
    assert all(r.ok for r in results)
    assert state["peak"] == 3


def test_robots_txt_is_obeyed_only_when_asked(farm):
    assert run(fetch(farm.url("robots"), obey_robots=True)).error == "robots"
    assert run(fetch(farm.url("robots"))).ok
    assert run(fetch(farm.url("plain"), obey_robots=True)).ok

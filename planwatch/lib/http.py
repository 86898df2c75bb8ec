"""The one HTTP module: a guarded asynchronous fetcher (aiohttp).

Every outside request of planwatch goes through `Fetcher.fetch`. It bounds concurrency
(in total and per host), times out, retries with exponential backoff, stops reading at
a size limit, follows redirects itself up to a limit, names planwatch in its
User-Agent, can obey robots.txt, and refuses to connect to addresses that are not
public (SSRF guard) unless `FetchPolicy.allowed_networks` lets a range through.

The SSRF guard sits in the resolver of the connector: aiohttp connects to exactly the
addresses the resolver returned, so a host cannot resolve to a public address for the
check and to a private one for the connection (DNS rebinding). IP literals never reach
a resolver in aiohttp, so they are checked before the request, in every spelling the C
library accepts (decimal "2130706433", octal "0177.0.0.1", hex "0x7f.1"). Each
redirect hop is a new request and goes through both checks.

Concurrency is bounded by the Fetcher's own semaphores (per host, then in total),
taken before aiohttp sees the request, and a request's timeout starts once it has its
slot: aiohttp's own `total` and `connect` timeouts would also count the time spent
waiting for a free connection of its pool, so a long queue of healthy sites on one
host timed out. Time spent waiting for a slot is not counted by any `Deadline` either
(see there).

Why aiohttp and not httpx: with one client carrying 300 connections to four local
servers, httpx 0.28 failed with ConnectTimeout/ReadError under its default timeouts
while aiohttp 3.14 fetched about 700 pages of 80 KB a second (2 cores, servers on the
same machine).

Failures are one of FAILURES; `FetchResult.error` is None on a 2xx answer.
"""
from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
import time
import urllib.robotparser
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

FAILURES = (
    "timeout", "dns", "tls", "connect", "http_4xx", "http_5xx", "too_large",
    "too_many_redirects", "bad_redirect", "blocked_address", "bad_url", "unsupported_scheme", "robots",
)
USER_AGENT = "planwatch/0.1 (banner monitor; +https://github.com/planwatch)"

# Addresses cloud platforms answer instance metadata on (AWS, ECS, Alibaba, Oracle,
# Azure's WireServer). Most are caught by the range rules below as well; they are
# named so that allowing a range never opens them.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "192.0.0.192",
              "168.63.129.16")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Resolve = Callable[[str], Awaitable[list[str]]]


class BlockedAddress(OSError):
    """The host is, or resolves to, an address the policy refuses."""


def embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), else `ip`."""
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def address_blocked(ip, allowed: Iterable = ()) -> bool:
    """Whether a connection to `ip` must be refused: anything not globally routable
    (private, loopback, link-local, site-local, multicast, reserved, unspecified,
    shared, ...) and the metadata addresses, unless one of the `allowed` networks
    contains it."""
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])
    inner = embedded_ipv4(ip)
    if ip in METADATA_ADDRESSES or inner in METADATA_ADDRESSES:
        return True
    for net in allowed:
        if ip in net or inner in net:
            return False
    for a in {ip, inner}:
        if (not a.is_global or a.is_private or a.is_loopback or a.is_link_local or a.is_multicast
                or a.is_reserved or a.is_unspecified or getattr(a, "is_site_local", False)):
            return True
    return False


def parse_networks(values: Iterable[str]) -> tuple:
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v and v.strip())


def ip_literal(host: str):
    """The address a host name denotes by itself, in any spelling inet_aton takes
    (dotted, decimal, octal, hex) or IPv6; None for a DNS name."""
    h = host.strip("[]")
    try:
        return ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        pass
    if h and all(c in "0123456789abcdefxABCDEFX." for c in h) and h[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            return None
    return None


def http_url(url: str, *, typed: bool = False) -> bool:
    """Whether `url` is an absolute http(s) URL with a host: the only kind planwatch
    fetches, stores as a final URL or shows as a link. `typed`: a URL a user entered,
    which must also have a valid port, no user name or password, and no white space or
    other unprintable character (PostgreSQL cannot store NUL in a JSON string)."""
    try:
        parts = urlsplit(url)
        if typed:
            parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return False
    if typed:
        return (parts.scheme in ("http", "https") and bool(parts.hostname) and parts.username is None
                and url.isprintable() and " " not in url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


async def system_resolve(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


class GuardedResolver(AbstractResolver):
    """Resolves with `resolve` and refuses the host if any of its addresses is
    blocked: the connector then connects to one of the checked addresses only."""

    def __init__(self, resolve: Resolve, allowed: tuple):
        self._resolve = resolve
        self._allowed = allowed

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        literal = ip_literal(host)
        try:
            addresses = [str(literal)] if literal is not None else await self._resolve(host)
        except (OSError, UnicodeError) as exc:
            raise OSError(f"{host}: {exc}") from exc
        if not addresses:
            raise OSError(f"{host}: no address")
        results: list[ResolveResult] = []
        for a in addresses:
            ip = ipaddress.ip_address(a.split("%", 1)[0])
            if address_blocked(ip, self._allowed):
                raise BlockedAddress(f"{host} resolves to blocked address {ip}")
            fam = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            results.append({"hostname": host, "host": str(ip), "port": port, "family": fam, "proto": 0,
                            "flags": socket.AI_NUMERICHOST})
        return results

    async def close(self) -> None:
        return None


# The Deadlines the running code is under, innermost last (see Deadline).
_DEADLINES: contextvars.ContextVar[tuple] = contextvars.ContextVar("planwatch_deadlines", default=())


class Deadline:
    """`async with Deadline(seconds):` as asyncio.timeout (raises TimeoutError), except
    that its clock stops while the code under it waits for a connection slot of a
    Fetcher: a site queued behind others on a busy host has not been slow itself.
    Several tasks under one Deadline (gathered candidate fetches) stop it while any of
    them waits. `seconds=None`: no limit."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self._left = seconds or 0.0
        self._since = 0.0
        self._waiting = 0
        self._timeout: asyncio.Timeout | None = None

    async def __aenter__(self) -> Deadline:
        self._loop = asyncio.get_running_loop()
        self._timeout = asyncio.timeout(None)
        await self._timeout.__aenter__()
        self._since = self._loop.time()
        self._arm()
        self._token = _DEADLINES.set(_DEADLINES.get() + (self,))
        return self

    async def __aexit__(self, exc_type, exc, tb):
        _DEADLINES.reset(self._token)
        return await self._timeout.__aexit__(exc_type, exc, tb)

    def expired(self) -> bool:
        return self._timeout is not None and self._timeout.expired()

    def _arm(self) -> None:
        if self.seconds is None:
            return
        try:
            self._timeout.reschedule(self._since + max(self._left, 0.0))
        except RuntimeError:  # already expired or left: nothing to move
            pass

    def pause(self) -> None:
        if self._waiting == 0 and self.seconds is not None and not self.expired():
            self._left -= self._loop.time() - self._since
            try:
                self._timeout.reschedule(None)
            except RuntimeError:
                pass
        self._waiting += 1

    def resume(self) -> None:
        self._waiting -= 1
        if self._waiting == 0 and not self.expired():
            self._since = self._loop.time()
            self._arm()


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one Fetcher. Times in seconds; none of them counts the time spent
    waiting for a connection slot."""

    timeout: float = 15.0  # one attempt, connect to last byte
    connect_timeout: float = 8.0
    deadline: float = 60.0  # one fetch: all its redirect hops, attempts and backoff waits
    retries: int = 2  # extra attempts after a timeout, a connection failure or a 5xx
    backoff: float = 0.5  # wait before retry n: backoff * 2**(n-1)
    max_bytes: int = 3 * 2**20
    max_redirects: int = 5
    total_limit: int = 200  # 0: no limit
    per_host_limit: int = 4  # 0: no limit per host
    user_agent: str = USER_AGENT
    allowed_networks: tuple = ()  # ip_network objects (parse_networks) exempt from the SSRF guard


@dataclass
class FetchResult:
    url: str
    final_url: str = ""  # the last http(s) URL requested (never a refused Location of another scheme)
    status: int | None = None
    content_type: str = ""
    charset: str | None = None
    body: bytes = b""
    error: str | None = None  # one of FAILURES
    detail: str = ""
    redirects: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


_RETRYABLE = {"timeout", "connect", "http_5xx"}
_REDIRECTS = {301, 302, 303, 307, 308}


class _Host:
    __slots__ = ("slots", "users")

    def __init__(self, limit: int):
        self.slots = asyncio.Semaphore(limit)
        self.users = 0


class Fetcher:
    """`async with Fetcher(policy) as f: result = await f.fetch(url)`. One per round;
    it keeps a connection pool and a robots.txt cache per origin."""

    def __init__(self, policy: FetchPolicy = FetchPolicy(), *, resolve: Resolve = system_resolve):
        self.policy = policy
        self._resolve = resolve
        self._session: aiohttp.ClientSession | None = None
        self._robots: dict[str, asyncio.Future] = {}
        self._hosts: dict[tuple, _Host] = {}
        self._all: asyncio.Semaphore | None = None

    async def __aenter__(self) -> Fetcher:
        p = self.policy
        # The semaphores bound concurrency; the pool gets the same limits, so it never
        # makes a request that holds a slot wait.
        connector = aiohttp.TCPConnector(
            limit=p.total_limit, limit_per_host=p.per_host_limit,
            resolver=GuardedResolver(self._resolve, p.allowed_networks), ttl_dns_cache=60,
        )
        self._all = asyncio.Semaphore(p.total_limit) if p.total_limit > 0 else None
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=p.connect_timeout),
            headers={"User-Agent": p.user_agent, "Accept-Language": "vi,en;q=0.5"},
            cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, url: str, *, method: str = "GET", data: bytes | None = None,
                    headers: dict[str, str] | None = None, obey_robots: bool = False,
                    max_bytes: int | None = None) -> FetchResult:
        """The answer to `url` after redirects. Never raises for network trouble: the
        result's `error` says what went wrong. On too_large, `body` holds the first
        `max_bytes` bytes (callers may look at them). `data` and `headers` go with
        the request; a 303, or a 301/302 to a POST, continues with a body-less GET as
        browsers do. The whole fetch is bounded by `policy.deadline`."""
        started = time.monotonic()
        result = FetchResult(url=url)
        try:
            async with Deadline(self.policy.deadline):
                await self._hops(url, method, data, headers, obey_robots, max_bytes or self.policy.max_bytes, result)
        except TimeoutError:
            result.error, result.detail = "timeout", f"no answer within {self.policy.deadline:g} s (all attempts)"
        result.elapsed = time.monotonic() - started
        return result

    async def _hops(self, url, method, data, headers, obey_robots, max_bytes, result: FetchResult) -> None:
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            refusal = self._refuse(current)
            if refusal:
                result.error, result.detail = refusal
                return
            result.final_url = current
            if obey_robots:
                refusal = await self._robots_refusal(current)
                if refusal:
                    result.error, result.detail = refusal
                    return
            location = await self._attempts(current, method, data, headers, max_bytes, result)
            if location is None:
                return
            result.redirects.append(current)
            if result.status == 303 or (result.status in (301, 302) and method == "POST"):
                method, data, headers = ("HEAD" if method == "HEAD" else "GET"), None, None
            current = location
        result.error, result.detail = "too_many_redirects", f"more than {self.policy.max_redirects}"

    def _refuse(self, url: str) -> tuple[str, str] | None:
        """(error, detail) when `url` may not be requested at all."""
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            parts.port  # noqa: B018 - raises ValueError on a port out of range
        except ValueError as exc:
            return "bad_url", f"invalid URL: {exc}"[:300]
        if parts.scheme.lower() not in ("http", "https"):
            return "unsupported_scheme", f"not an http(s) URL: {url[:200]}"
        if not host:
            return "bad_url", f"no host: {url[:200]}"
        literal = ip_literal(host)
        if literal is not None and address_blocked(literal, self.policy.allowed_networks):
            return "blocked_address", f"blocked address {literal}"
        return None

    async def _attempts(self, url, method, data, headers, max_bytes: int, result: FetchResult) -> str | None:
        """Fill `result` from `url` with retries; the next URL if it redirects."""
        attempt = 0
        while True:
            location = await self._once(url, method, data, headers, max_bytes, result)
            if result.error not in _RETRYABLE or attempt >= self.policy.retries:
                return location
            attempt += 1
            await asyncio.sleep(self.policy.backoff * 2 ** (attempt - 1))

    async def _acquire(self, key: tuple) -> _Host | None:
        """Take a slot of the host and then one of all (in this order, so that a
        request waiting for its busy host holds no slot others could use)."""
        host = None
        if self.policy.per_host_limit > 0:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host(self.policy.per_host_limit)
            host.users += 1
        busy = (host is not None and host.slots.locked()) or (self._all is not None and self._all.locked())
        deadlines = _DEADLINES.get() if busy else ()
        for d in deadlines:
            d.pause()
        try:
            if host is not None:
                await host.slots.acquire()
            if self._all is not None:
                try:
                    await self._all.acquire()
                except BaseException:
                    if host is not None:
                        host.slots.release()
                    raise
        except BaseException:
            self._leave(key, host)
            raise
        finally:
            for d in deadlines:
                d.resume()
        return host

    def _release(self, key: tuple, host: _Host | None) -> None:
        if self._all is not None:
            self._all.release()
        if host is not None:
            host.slots.release()
            self._leave(key, host)

    def _leave(self, key: tuple, host: _Host | None) -> None:
        if host is not None:
            host.users -= 1
            if host.users == 0:
                del self._hosts[key]

    async def _once(self, url, method, data, headers, max_bytes: int, result: FetchResult) -> str | None:
        assert self._session is not None, "use Fetcher as an async context manager"
        result.error, result.detail, result.status, result.body = None, "", None, b""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        # as aiohttp's pool keys its per-host limit: host, port and TLS
        key = (scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80))
        host = await self._acquire(key)
        try:
            async with asyncio.timeout(self.policy.timeout):
                return await self._request(url, method, data, headers, max_bytes, result)
        except TimeoutError:
            result.error, result.detail = "timeout", f"no complete answer within {self.policy.timeout:g} s"
        finally:
            self._release(key, host)
        return None

    async def _request(self, url, method, data, headers, max_bytes: int, result: FetchResult) -> str | None:
        try:
            async with self._session.request(method, url, data=data, headers=headers, allow_redirects=False) as resp:
                result.status = resp.status
                result.content_type = resp.content_type or ""
                result.charset = resp.charset
                if 300 <= resp.status < 400:
                    location = resp.headers.get("Location", "").strip()
                    if resp.status in _REDIRECTS and location:
                        try:
                            return urljoin(url, location)
                        except ValueError as exc:
                            result.error, result.detail = "bad_url", f"invalid Location: {exc}"[:300]
                            return None
                    result.error, result.detail = "bad_redirect", f"HTTP {resp.status} without a usable Location"
                    return None
                if method != "HEAD":
                    chunks, size = [], 0
                    async for chunk in resp.content.iter_chunked(65536):
                        if size + len(chunk) > max_bytes:
                            chunks.append(chunk[: max_bytes - size])
                            result.error, result.detail = "too_large", f"more than {max_bytes} bytes"
                            break
                        chunks.append(chunk)
                        size += len(chunk)
                    result.body = b"".join(chunks)
                if result.error is None and resp.status >= 400:
                    result.error = "http_5xx" if resp.status >= 500 else "http_4xx"
                    result.detail = f"HTTP {resp.status}"
        except aiohttp.ClientConnectorDNSError as exc:
            blocked = isinstance(exc.os_error, BlockedAddress) or isinstance(exc.__cause__, BlockedAddress)
            result.error, result.detail = ("blocked_address" if blocked else "dns"), str(exc.os_error)[:300]
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
            result.error, result.detail = "tls", str(exc)[:300]
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            result.error, result.detail = "timeout", str(exc)[:300] or "timed out"
        except aiohttp.InvalidURL as exc:
            result.error, result.detail = "bad_url", f"invalid URL {exc}"[:300]
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            result.error, result.detail = "connect", f"{type(exc).__name__}: {exc}"[:300]
        return None

    async def _robots_refusal(self, url: str) -> tuple[str, str] | None:
        """(error, detail) when robots.txt keeps planwatch from `url`, else None."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        future = self._robots.get(origin)
        if future is None:
            # a context of its own: the robots.txt fetch is shared by every page of the
            # origin, so it must not stop (Deadline) the clocks of the first one to ask
            future = self._robots[origin] = asyncio.get_running_loop().create_task(
                self._robots_load(origin), context=contextvars.Context())
        loaded = await asyncio.shield(future)
        if isinstance(loaded, tuple):
            return loaded
        if loaded is None or loaded.can_fetch(self.policy.user_agent, url):
            return None
        return "robots", "robots.txt disallows"

    async def _robots_load(self, origin: str):
        """The parsed robots.txt, None (allow all), or (error, detail) refusing the
        whole origin. RFC 9309: a missing robots.txt (4xx) allows everything; a 5xx
        or one that cannot be reached means complete disallow. When the origin itself
        cannot be reached (timeout, connection, DNS, TLS, a refused address on the
        first hop), that failure is reported, since the page would meet it too,
        rather than a bare "robots"."""
        got = await self.fetch(origin + "/robots.txt", max_bytes=512 * 1024)
        if got.error == "http_4xx":
            return None
        if got.error in ("timeout", "connect", "dns", "tls", "blocked_address") and not got.redirects:
            return got.error, f"robots.txt: {got.detail}"[:300]
        if got.error is not None and got.error != "too_large":  # RFC 9309: parse the first 500 KiB
            return "robots", f"robots.txt: {got.error} {got.detail}"[:300]
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(got.body.decode("utf-8", "replace").splitlines())
        return parser

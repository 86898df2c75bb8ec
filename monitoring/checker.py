"""Does a web page show the campaign banner? No Django, no database.

`check_page` is pure: it parses one HTML document (selectolax's lexbor backend) and
says "present" when a link's resolved href falls under a target URL. Otherwise it
returns "absent" with the bounded lists of what is worth fetching next: candidate
images (for the perceptual-hash comparison), candidate off-site links (short URLs that
may redirect to a target) and iframes. `site_check` does the fetching through the
guarded planwatch.lib.http.Fetcher and gives the final Verdict.

Matching rules (why each):
- A target is a URL prefix that ends on a path-segment boundary: ".../dai-hoi-dang"
  matches ".../dai-hoi-dang/bai-1" but not the lookalike ".../dai-hoi-dang-bo-xa".
  Scheme, host case, a leading "www.", default ports, a trailing slash, percent-
  encoding and path case are ignored (many provincial portals run on IIS, where paths
  are case-insensitive). A target with a query string also needs those parameters.
- An image counts when its perceptual hash (pHash, 64 bits) is within
  `spec.max_distance` bits of a reference image, so resized or recompressed copies
  match. Only a bounded number of images per page is fetched, best cues first:
  alt/title keywords, inside a link, banner-like size or name.
- Huge pages: the fetcher stops at its size limit and the first bytes are parsed. A
  banner found there is present; otherwise the verdict is error "too_large", since
  the rest of the page was not seen.
- Charset: the HTTP header, then <meta charset>, then detection; a page whose bytes
  are valid UTF-8 is read as UTF-8 even when a legacy charset is declared, because
  legacy Vietnamese text (windows-1258, TCVN) is practically never valid UTF-8.
"""
from __future__ import annotations

import asyncio
import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from planwatch.lib.text import fold

SNIPPET_CHARS = 1000
MAX_IMAGES = 6  # candidate images fetched per page
MAX_LINKS = 3  # candidate off-site links followed per page
MAX_FRAMES = 3  # iframes fetched per page
IMAGE_MAX_BYTES = 2 * 2**20
SHORTENERS = frozenset({
    "bit.ly", "tinyurl.com", "goo.gl", "t.ly", "s.id", "cutt.ly", "rb.gy", "is.gd", "ow.ly", "shorturl.at",
    "rutgon.vn", "link.gov.vn",
})
BANNER_WORDS = ("banner", "bn_", "quang-cao", "qc_", "adv", "popup")
_WORD_SPLIT = re.compile(r"[^\w&]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class Target:
    host: str
    port: int | None
    path: str
    query: tuple[tuple[str, str], ...]
    hint: str  # a lower-case piece every matching href contains (cheap pre-filter)


@dataclass(frozen=True)
class SpecData:
    """What the checker needs of a BannerSpec (plain data, built by services)."""

    targets: tuple[Target, ...]
    keywords: tuple[str, ...] = ()  # folded (planwatch.lib.text.fold)
    hashes: tuple = ()  # imagehash.ImageHash of the reference images
    max_distance: int = 10
    obey_robots: bool = False
    render_js: bool = False

    @classmethod
    def build(cls, *, targets, keywords=(), hashes=(), **kw) -> SpecData:
        import imagehash

        return cls(
            targets=tuple(target_parse(t) for t in targets if t.strip()),
            keywords=tuple(k for k in (fold(k) for k in keywords) if k),
            hashes=tuple(imagehash.hex_to_hash(h) if isinstance(h, str) else h for h in hashes),
            **kw,
        )


@dataclass
class Verdict:
    status: str  # present / absent / error
    reason: str = ""  # present: link / redirect_link / image / frame_*; error: a planwatch.lib.http failure
    snippet: str = ""
    href: str = ""
    src: str = ""
    final_url: str = ""
    http_status: int | None = None
    method: str = "static"
    screenshot: bytes = b""
    detail: str = ""
    duration: float = 0.0
    # candidates for site_check when absent
    images: list[tuple[str, str]] = field(default_factory=list)  # (src, snippet)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, snippet)
    frames: list[str] = field(default_factory=list)
    bare: bool = False


def _host(host: str) -> str:
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _origin(url: str) -> tuple[str, int | None]:
    """(host without www., port unless default): what "same site" compares."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ("", None)
    return _host(parts.hostname or ""), (port if port not in (80, 443) else None)


def _path(path: str) -> str:
    return unquote(path or "/").rstrip("/").lower()


def target_parse(url: str) -> Target:
    url = url.strip()
    if "//" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    port = parts.port if parts.port not in (80, 443) else None
    path = _path(parts.path)
    segs = [s for s in path.split("/") if s]
    hint = segs[-1] if segs else _host(parts.hostname or "")
    return Target(_host(parts.hostname or ""), port, path, tuple(sorted(parse_qsl(parts.query))), hint)


def url_matches(url: str, targets) -> bool:
    """Whether `url` (absolute) is under one of `targets`, by the rules above."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    host, port = _host(parts.hostname or ""), (port if port not in (80, 443) else None)
    path = _path(parts.path)
    for t in targets:
        if t.host != host or t.port != port:
            continue
        if path != t.path and not path.startswith(t.path + "/"):
            continue
        if t.query and not set(t.query) <= set(parse_qsl(parts.query)):
            continue
        return True
    return False


def _label(enc: str | None) -> str:
    enc = (enc or "").strip().lower().replace("_", "-")
    return "utf-8" if enc in ("utf8", "unicode-1-1-utf-8") else enc


def html_bytes(body: bytes, header_charset: str | None = None) -> bytes:
    """The document as UTF-8 bytes, what the parser reads fastest (see the module
    docstring for the order). When the header and <meta> say UTF-8 (one of them
    at least, and neither something else), the bytes are passed on as they are: the parser turns stray invalid
    bytes into U+FFFD, and decoding 100 KB in Python first would cost a third of a
    parse."""
    labels = [x for x in dict.fromkeys((_label(header_charset), _label(_meta_charset(body)))) if x]
    if (labels and all(x == "utf-8" for x in labels)) or body.isascii():
        return body
    try:
        body.decode("utf-8")
        return body  # valid UTF-8 despite a legacy label: legacy text practically never is
    except UnicodeDecodeError:
        pass
    for enc in labels:
        if enc == "utf-8":
            continue
        try:
            return body.decode(enc).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:200_000]).best()
        if best is not None:
            return body.decode(best.encoding, "replace").encode("utf-8")
    except ImportError:  # detection is a nicety; windows-1258 is the usual legacy charset
        pass
    return body.decode("windows-1258", "replace").encode("utf-8")


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Text of an HTML document, NFC (html_bytes decoded)."""
    return unicodedata.normalize("NFC", html_bytes(body, header_charset).decode("utf-8", "replace"))


def _meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "ignore") if m else None


def _snippet(node) -> str:
    html = unicodedata.normalize("NFC", node.html or "")
    return html if len(html) <= SNIPPET_CHARS else html[: SNIPPET_CHARS - 1] + "…"


def _keyword_hit(text: str, keywords) -> bool:
    if not keywords or not text:
        return False
    # fold() without its per-character loop: strip the marks by dropping non-ASCII
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode()
    f = " ".join(_WORD_SPLIT.split(s.lower()))
    return any(k in f for k in keywords)


def _int(value) -> int:
    try:
        return int(str(value).strip().rstrip("px") or 0)
    except ValueError:
        return 0


def check_page(html: str | bytes, base_url: str, spec: SpecData) -> Verdict:
    """The static verdict of one document at `base_url`: present (a link to a target)
    or absent with bounded candidate lists for `site_check`."""
    tree = LexborHTMLParser(html)
    # One pass of the parser's own selector engine picks the few nodes worth a look
    # (a home page has hundreds of links); Python only resolves those.
    hints = "".join(f', a[href*="{_css_string(h)}" i]' for h in dict.fromkeys(t.hint for t in spec.targets))
    nodes = tree.css(f'base[href], iframe[src], a[href^="http" i], a[href^="//"]{hints}')
    for node in nodes:
        if node.tag == "base":
            base_url = urljoin(base_url, node.attributes.get("href") or "")
            break
    page_origin = _origin(base_url)
    links = []
    for node in nodes:
        if node.tag != "a":
            continue
        url = urljoin(base_url, (node.attributes.get("href") or "").strip())
        if url_matches(url, spec.targets):
            img = node.css_first("img")
            src = urljoin(base_url, img.attributes.get("src") or "") if img is not None else ""
            return Verdict("present", "link", snippet=_snippet(node), href=url, src=src, final_url=base_url)
        links.append((url, node))
    verdict = Verdict("absent", final_url=base_url)
    if spec.render_js:
        verdict.bare = _looks_bare(tree)
    offsite: list[tuple[int, int, str, object]] = []
    linked_images = set()
    for i, (url, a) in enumerate(links):
        origin = _origin(url)
        if origin[0] and origin != page_origin:
            offsite.append((_link_score(a, url, origin[0], spec), -i, url, a))
            for img in a.css("img"):
                linked_images.add(img.mem_id)
    offsite.sort(key=lambda x: (-x[0], -x[1]))
    verdict.links = [(url, _snippet(a)) for score, _i, url, a in offsite[:MAX_LINKS] if score > 1]
    if spec.hashes:
        verdict.images = _image_candidates(tree, base_url, spec, linked_images)
    for f in [n for n in nodes if n.tag == "iframe"][:10]:
        url = urljoin(base_url, f.attributes.get("src") or "")
        origin = _origin(url)
        if origin == page_origin or any((t.host, t.port) == origin for t in spec.targets):
            verdict.frames.append(url)
            if len(verdict.frames) >= MAX_FRAMES:
                break
    return verdict


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _link_score(a, url: str, host: str, spec: SpecData) -> int:
    """How much an off-site link looks like a (shortened) banner link: > 1 is followed."""
    score = 0
    if host in SHORTENERS:
        score += 3
    img = a.css_first("img")
    if img is not None:
        score += 1
        if _keyword_hit(" ".join(filter(None, (img.attributes.get("alt"), img.attributes.get("title")))), spec.keywords):
            score += 3
    if _keyword_hit(" ".join(filter(None, (a.text(strip=True)[:200], a.attributes.get("title")))), spec.keywords):
        score += 3
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if path and "/" not in path and len(path) <= 12 and "." not in path and not parts.query:
        score += 1  # looks like a short code
    return score


def _image_candidates(tree, base_url: str, spec: SpecData, linked: set) -> list[tuple[str, str]]:
    """Images worth hashing, best cue first: alt/title keywords, a banner-like name or
    class, a banner-like shape, a link to another site."""
    scored: list[tuple[int, int, str, str]] = []
    seen = set()
    for i, img in enumerate(tree.css("img")):
        attrs = img.attributes
        src = (attrs.get("src") or attrs.get("data-src") or "").strip()
        if not src or src.startswith("data:") or src.lower().endswith(".svg") or src in seen:
            continue
        seen.add(src)
        w, h = _int(attrs.get("width")), _int(attrs.get("height"))
        if (w and w < 60) or (h and h < 30):
            continue  # icons
        score = 0
        if _keyword_hit(" ".join(filter(None, (attrs.get("alt"), attrs.get("title")))), spec.keywords):
            score += 4
        cls = ((attrs.get("class") or "") + " " + src).lower()
        if any(word in cls for word in BANNER_WORDS):
            score += 2
        if w >= 2 * h > 0 or w >= 400:
            score += 2
        if img.mem_id in linked:
            score += 1
        if score:
            scored.append((score, -i, urljoin(base_url, src), _snippet(img)))
    scored.sort(reverse=True)
    return [(src, snip) for _, _, src, snip in scored[:MAX_IMAGES]]


def _looks_bare(tree) -> bool:
    """Too little static content to judge: a script-built page (render it)."""
    if len(tree.css("a[href]")) >= 30:
        return False
    body = tree.body
    return body is None or len(body.text(strip=True)) < 1500


def image_distance(data: bytes, hashes) -> int | None:
    """The smallest pHash distance of the image in `data` to `hashes`; None when
    the bytes are not an image we can read."""
    import imagehash
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > 40_000_000:
                return None
            im.draft("RGB", (128, 128))  # JPEG: decode at reduced size, pHash needs 32×32
            h = imagehash.phash(im)
    except Exception:  # noqa: BLE001 - any undecodable image simply does not match
        return None
    return min(h - ref for ref in hashes)


def image_hash(data: bytes) -> str:
    """Hex pHash of a reference image; raises ValueError when it is not an image."""
    import imagehash
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            return str(imagehash.phash(im))
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(str(exc)) from exc


async def site_check(fetcher, url: str, spec: SpecData, *, renderer=None) -> Verdict:
    """Fetch `url` and decide. Never raises for site trouble: errors are verdicts."""
    started = time.monotonic()
    page = await fetcher.fetch(url, obey_robots=spec.obey_robots)
    verdict = await _document_check(fetcher, page, spec, depth=0)
    if verdict.status == "absent" and spec.render_js and verdict.bare and renderer is not None:
        rendered = await renderer.render(page.final_url or url, spec)
        if rendered is not None:
            rendered.http_status = rendered.http_status or page.status
            verdict = rendered
    verdict.duration = time.monotonic() - started
    verdict.images, verdict.links, verdict.frames = [], [], []
    return verdict


async def _document_check(fetcher, page, spec: SpecData, *, depth: int) -> Verdict:
    if page.error is not None and not (page.error == "too_large" and page.body):
        return Verdict("error", page.error, final_url=page.final_url, http_status=page.status, detail=page.detail)
    html = html_bytes(page.body, page.charset)
    verdict = check_page(html, page.final_url, spec)
    verdict.http_status = page.status
    if verdict.status == "absent":
        found = await _candidates_check(fetcher, verdict, spec, depth)
        if found is not None:
            found.final_url, found.http_status = page.final_url, page.status
            verdict = found
    if verdict.status == "absent" and page.error == "too_large":
        return Verdict("error", "too_large", final_url=page.final_url, http_status=page.status, detail=page.detail)
    return verdict


async def _candidates_check(fetcher, verdict: Verdict, spec: SpecData, depth: int) -> Verdict | None:
    async def follow(href, snippet):
        got = await fetcher.fetch(href, method="HEAD")
        if got.error in ("http_4xx", "http_5xx") and got.status in (405, 501, 403):
            got = await fetcher.fetch(href, max_bytes=64 * 1024)  # some shorteners refuse HEAD
        if got.redirects and url_matches(got.final_url, spec.targets):
            return Verdict("present", "redirect_link", snippet=snippet, href=href, detail=f"→ {got.final_url}")
        return None

    async def image(src, snippet):
        got = await fetcher.fetch(src, max_bytes=IMAGE_MAX_BYTES)
        if got.error is None:
            d = image_distance(got.body, spec.hashes)
            if d is not None and d <= spec.max_distance:
                return Verdict("present", "image", snippet=snippet, src=src, detail=f"pHash distance {d}")
        return None

    async def frame(src):
        got = await fetcher.fetch(src, obey_robots=spec.obey_robots)
        inner = await _document_check(fetcher, got, spec, depth=depth + 1)
        if inner.status == "present":
            inner.reason = f"frame_{inner.reason}"
            inner.detail = f"iframe {src} {inner.detail}".strip()
            return inner
        return None

    jobs = [follow(h, s) for h, s in verdict.links] + [image(s, sn) for s, sn in verdict.images]
    if depth == 0:
        jobs += [frame(f) for f in verdict.frames]
    for found in await asyncio.gather(*jobs):
        if found is not None:
            return found
    return None

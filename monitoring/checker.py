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
  encoding (except of "/", %2F, which is not a segment boundary), Unicode
  normalisation (NFD or NFC) and path case are ignored (many provincial portals run
  on IIS, where paths are case-insensitive); dot segments are removed first (RFC 3986),
  so ".../dai-hoi-dang/../../tin-khac/" does not count. A target with a query string
  also needs those parameters.
- An image counts when its perceptual hash (pHash, 64 bits) is within
  `spec.max_distance` bits of a reference image, so resized or recompressed copies
  match. Only a bounded number of images per page is fetched, best cues first:
  alt/title keywords, inside a link, banner-like size or name; free places go to the
  largest images with no cue, fetched only when nothing with a cue matched. A
  lazy-loaded image is read from its data-src (or srcset), not from the placeholder in
  its src. An image of more than MAX_PIXELS (after JPEG draft scaling) is not taken
  for a banner and never decoded; one of more than INLINE_PIXELS is decoded and
  hashed in a small thread pool, off the event loop.
- A candidate (image, short link, iframe) that could not be fetched (UNVERIFIED:
  timeout, connection, TLS, 5xx, too large, robots.txt) leaves the question open: when
  nothing else matched, the verdict is error "candidate_unverified", not absent, so
  that a flaky image server does not record the banner as removed. An image over
  IMAGE_MAX_BYTES is hashed from its first bytes (the first frame of an animated GIF,
  the usual big banner, lies there); when that does not match it is unverified too.
- Candidate fetches obey robots.txt as the page does (spec.obey_robots).
- Huge pages: the fetcher stops at its size limit and the first bytes are parsed. A
  banner found there is present; otherwise the verdict is error "too_large", since
  the rest of the page was not seen.
- Charset: the HTTP header, then <meta charset>, then detection; a page whose bytes
  are valid UTF-8 is read as UTF-8 even when a legacy charset is declared, because
  legacy Vietnamese text (windows-1258, TCVN) is practically never valid UTF-8, and a
  page labelled UTF-8 whose bytes are not is detected again.
- The final URL is the one fetched; <base href> only resolves the page's links.
"""
from __future__ import annotations

import asyncio
import codecs
import heapq
import io
import re
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from planwatch.lib.http import Deadline, http_url
from planwatch.lib.text import fold

SNIPPET_CHARS = 1000
MAX_IMAGES = 6  # candidate images fetched per page
LIST_SIZE = 8  # images of one declared size that make a list (see _image_candidates)
MAX_LINKS = 3  # candidate off-site links followed per page
MAX_FRAMES = 3  # iframes fetched per page
IMAGE_MAX_BYTES = 2 * 2**20
MAX_PIXELS = 4_000_000  # decoded size; a banner is far smaller (1200×300 is 0.36 Mpx)
HASH_THREADS = 2  # image decoding and hashing, off the event loop
INLINE_PIXELS = 250_000  # images up to this size are hashed on the loop (see hash_distance)
# A candidate fetch that failed this way says nothing about the banner. A 404, or a
# host name that does not resolve, is a broken banner for every visitor: it does not
# count, and says so.
UNVERIFIED = frozenset({"timeout", "connect", "tls", "http_5xx", "too_large", "robots"})
SHORTENERS = frozenset({
    "bit.ly", "tinyurl.com", "goo.gl", "t.ly", "s.id", "cutt.ly", "rb.gy", "is.gd", "ow.ly", "shorturl.at",
    "rutgon.vn", "link.gov.vn",
})
BANNER_WORDS = ("banner", "bn_", "quang-cao", "qc_", "adv", "popup")
_WORD_SPLIT = re.compile(r"[^\w&]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_PERCENT_SLASH = re.compile(r"%2f", re.I)
_HINT_RUN = re.compile(r"[a-z0-9._~-]+")
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy")
_LAZY_OR_SRCSET = frozenset(_LAZY_SRC + ("srcset", "data-srcset"))
_PLACEHOLDER = re.compile(r"blank|placeholder|spacer|transparent|lazy|loading|pixel|1x1|empty|grey|gray", re.I)


@dataclass(frozen=True)
class Target:
    host: str
    port: int | None
    path: str
    query: tuple[tuple[str, str], ...]
    hint: str  # a lower-case piece every matching href contains (cheap pre-filter), or ""


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
    reason: str = ""  # present: link / redirect_link / image / frame_*; error: a planwatch.lib.http
    # failure, or candidate_unverified
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
    images: list[tuple[str, str]] = field(default_factory=list)  # (src, snippet), images with a cue
    more_images: list[tuple[str, str]] = field(default_factory=list)  # images with no cue, fetched last
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
    """The comparable form of a URL path: percent-decoded except for %2F (an encoded
    "/" is not a segment boundary), dot segments removed (RFC 3986 5.2.4), NFC, lower
    case, no trailing slash."""
    pieces = _PERCENT_SLASH.split(path or "/")
    decoded = "%2f".join(unquote(p) for p in pieces)
    return unicodedata.normalize("NFC", remove_dot_segments(decoded)).rstrip("/").lower()


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 on an absolute path: "/a/b/../c/./d" is "/a/c/d"; ".." never
    climbs above the root."""
    if "/." not in path and not path.startswith("."):
        return path
    segments = path.split("/")
    out: list[str] = []
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg in (".", ".."):
            if seg == ".." and len(out) > 1:
                out.pop()
            if last:
                out.append("")  # "/a/b/.." is the directory "/a/"
            continue
        out.append(seg)
    if not out or out[0] != "":
        out.insert(0, "")
    return "/".join(out) or "/"


def target_parse(url: str) -> Target:
    url = url.strip()
    if "//" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    port = parts.port if parts.port not in (80, 443) else None
    path = _path(parts.path)
    segs = [s for s in path.split("/") if s]
    # The pre-filter is a substring of the raw href: only a plain-ASCII piece is sure
    # to appear there as written (a Vietnamese word may be percent-encoded, NFD...).
    runs = _HINT_RUN.findall(segs[-1]) if segs else []
    hint = max(runs, key=len, default="")
    if len(hint) < 4:
        hint = "" if segs else _host(parts.hostname or "")
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
    path = None
    for t in targets:
        if t.host != host or t.port != port:
            continue
        if path is None:
            path = _path(parts.path)
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
    if body.isascii():
        return body
    if labels and all(x == "utf-8" for x in labels):
        if _utf8_sample_valid(body):
            return body
        labels = []  # mislabelled legacy bytes: detect below
    else:
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


def _utf8_sample_valid(body: bytes, size: int = 8192) -> bool:
    """Whether `size` bytes from the first non-ASCII one decode as UTF-8. Legacy
    Vietnamese text fails within its first words; a strict decode of the whole page
    would cost a sixth of its parse on every page."""
    m = _NON_ASCII.search(body)
    if m is None:
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(body[m.start(): m.start() + size], final=False)
    except UnicodeDecodeError:
        return False
    return True


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


def check_page(html: str | bytes, page_url: str, spec: SpecData) -> Verdict:
    """The static verdict of one document fetched from `page_url`: present (a link to
    a target) or absent with bounded candidate lists for `site_check`. A <base href>
    resolves the document's links; `final_url` stays `page_url`."""
    tree = LexborHTMLParser(html)
    # One pass of the parser's own selector engine picks the few nodes worth a look
    # (a home page has hundreds of links); Python only resolves those.
    hints = list(dict.fromkeys(t.hint for t in spec.targets))
    if "" in hints:
        anchors = "a[href]"
    else:
        anchors = 'a[href^="http" i], a[href^="//"]' + "".join(f', a[href*="{_css_string(h)}" i]' for h in hints)
    nodes = tree.css(f"base[href], iframe[src], {anchors}")
    base_url = page_url
    for node in nodes:
        if node.tag == "base":
            base = urljoin(page_url, (node.attributes.get("href") or "").strip())
            if http_url(base):  # <base href="javascript:..."> resolves nothing
                base_url = base
            break
    page_origin = _origin(base_url)
    links = []
    for node in nodes:
        if node.tag != "a":
            continue
        url = urljoin(base_url, (node.attributes.get("href") or "").strip())
        if url_matches(url, spec.targets):
            img = node.css_first("img")
            src = urljoin(base_url, _img_src(img.attributes)) if img is not None else ""
            return Verdict("present", "link", snippet=_snippet(node), href=url, src=src, final_url=page_url)
        links.append((url, node))
    verdict = Verdict("absent", final_url=page_url)
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
        verdict.images, verdict.more_images = _image_candidates(tree, base_url, spec, linked_images)
    for f in [n for n in nodes if n.tag == "iframe"][:10]:
        url = urljoin(base_url, f.attributes.get("src") or "")
        origin = _origin(url)
        if http_url(url) and (origin == page_origin or any((t.host, t.port) == origin for t in spec.targets)):
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


def _img_src(attrs) -> str:
    """The address of the picture an <img> shows: a lazy loader's data-src (and
    kin) before a placeholder src, then src, then the best srcset candidate."""
    if _LAZY_OR_SRCSET.isdisjoint(attrs):  # most images: one set operation
        src = (attrs.get("src") or "").strip()
        return "" if src.startswith("data:") else src
    for name in _LAZY_SRC:
        value = attrs.get(name)
        if value and not (value := value.strip()).startswith("data:") and value:
            return value
    src = (attrs.get("src") or "").strip()
    srcset = attrs.get("data-srcset") or attrs.get("srcset")
    if srcset and (not src or src.startswith("data:") or _PLACEHOLDER.search(src.rsplit("/", 1)[-1])):
        return _srcset_pick(srcset) or ("" if src.startswith("data:") else src)
    return "" if src.startswith("data:") else src


def _srcset_pick(srcset: str) -> str:
    """From "a.jpg 300w, b.jpg 900w": the smallest candidate of 200 px or more (pHash
    needs little), else the largest."""
    found = []
    for i, item in enumerate(srcset.split(",")):
        bits = item.split()
        if not bits or bits[0].startswith("data:"):
            continue
        size = bits[1] if len(bits) > 1 else "1x"
        n = _int(size[:-1]) if size[-1:] in ("w", "x") else 0
        found.append((n * (300 if size.endswith("x") else 1), i, bits[0]))
    if not found:
        return ""
    wide = [f for f in found if f[0] >= 200]
    return (min(wide) if wide else max(found))[2]


def _image_candidates(tree, base_url: str, spec: SpecData, linked: set) -> tuple[list, list]:
    """Images worth hashing, at most MAX_IMAGES in all, as (src, snippet): those with
    a cue, best first (alt/title keywords, a banner-like name or class, a banner-like
    shape, a link to another site); and in the places left, those with none, largest
    first by their width and height attributes (those without come after, in document
    order). An image with no cue whose declared size LIST_SIZE or more images of the
    page share is one of a list (news thumbnails), not a banner."""
    scored: list[tuple[int, int, str, object]] = []
    uncued: list[tuple[int, int, str, object, tuple]] = []
    sizes: dict[tuple, int] = {}  # declared (width, height), as written
    seen = set()
    for i, img in enumerate(tree.css("img")):
        attrs = img.attributes
        size = (attrs.get("width"), attrs.get("height"))
        sizes[size] = sizes.get(size, 0) + 1
        src = _img_src(attrs)
        if not src or src.lower().endswith(".svg") or src in seen:
            continue
        seen.add(src)
        w, h = _int(size[0]), _int(size[1])
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
            scored.append((score, -i, src, img))
        else:
            uncued.append((-(w * h), i, src, img, size))
    scored.sort(key=lambda x: (-x[0], -x[1]))
    cued = scored[:MAX_IMAGES]
    rest = []
    if len(cued) < MAX_IMAGES:
        single = [x for x in uncued if None in x[4] or sizes[x[4]] < LIST_SIZE]
        rest = heapq.nsmallest(MAX_IMAGES - len(cued), single, key=lambda x: (x[0], x[1]))
    return ([(urljoin(base_url, src), _snippet(img)) for _, _, src, img in cued],
            [(urljoin(base_url, x[2]), _snippet(x[3])) for x in rest])


def _looks_bare(tree) -> bool:
    """Too little static content to judge: a script-built page (render it)."""
    if len(tree.css("a[href]")) >= 30:
        return False
    body = tree.body
    return body is None or len(body.text(strip=True)) < 1500


def image_distance(data: bytes, hashes) -> int | None:
    """The smallest pHash distance of the image in `data` to `hashes`; None when
    the bytes are not an image we can read, or one larger than MAX_PIXELS once JPEG
    draft scaling has applied (checked on the header, before any pixel is decoded).
    From the event loop, call `hash_distance`."""
    im = _image_open(data)
    return None if im is None else _image_distance(im, hashes)


def _image_open(data: bytes):
    """The image in `data`, opened (header only) and, for a JPEG, set to decode in
    grey at reduced size (pHash needs 32×32 grey); None when unreadable or too big."""
    from PIL import Image

    try:
        im = Image.open(io.BytesIO(data))
        im.draft("L", (128, 128))
    except Exception:  # noqa: BLE001 - any unreadable image simply does not match
        return None
    if im.width * im.height > MAX_PIXELS:
        im.close()
        return None
    return im


def _image_distance(im, hashes) -> int | None:
    import imagehash

    try:
        h = imagehash.phash(im)
    except Exception:  # noqa: BLE001 - a truncated or broken image does not match
        return None
    finally:
        im.close()
    return min(h - ref for ref in hashes)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


async def hash_distance(data: bytes, hashes) -> int | None:
    """image_distance without holding up the event loop: an image of more than
    INLINE_PIXELS is decoded and hashed in the hashing threads (HASH_THREADS). A
    smaller one costs about what parsing a page does, which the loop does too, and
    handing each of them to a thread cost more CPU than the hashing (the benchmark:
    +0.7 ms a site)."""
    global _pool
    im = _image_open(data)
    if im is None:
        return None
    if im.width * im.height <= INLINE_PIXELS:
        return _image_distance(im, hashes)
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="banner-hash")
    return await asyncio.get_running_loop().run_in_executor(_pool, _image_distance, im, hashes)


def image_hash(data: bytes) -> str:
    """Hex pHash of a reference image; raises ValueError when it is not an image."""
    import imagehash
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            return str(imagehash.phash(im))
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(str(exc)) from exc


async def site_check(fetcher, url: str, spec: SpecData, *, renderer=None, deadline: float | None = None) -> Verdict:
    """Fetch `url` and decide, within `deadline` seconds (None: no limit; time spent
    waiting for a connection slot is not counted, see planwatch.lib.http.Deadline).
    Never raises for site trouble: errors are verdicts."""
    started = time.monotonic()
    seen: dict[str, str] = {}
    try:
        async with Deadline(deadline):
            verdict = await _site_check(fetcher, url, spec, renderer, seen)
    except TimeoutError:
        verdict = Verdict("error", "timeout", final_url=seen.get("final_url", ""),
                          detail=f"site check not finished within {deadline:g} s")
    verdict.duration = time.monotonic() - started
    verdict.images, verdict.more_images, verdict.links, verdict.frames = [], [], [], []
    return verdict


async def _site_check(fetcher, url: str, spec: SpecData, renderer, seen: dict) -> Verdict:
    page = await fetcher.fetch(url, obey_robots=spec.obey_robots)
    seen["final_url"] = page.final_url
    verdict = await _document_check(fetcher, page, spec, depth=0)
    if verdict.status != "present" and verdict.bare and page.ok and spec.render_js and renderer is not None:
        rendered = await renderer.render(page.final_url or url, spec)
        if rendered is not None:
            rendered.http_status = rendered.http_status or page.status
            if rendered.status == "absent":
                rendered = await _candidates_verdict(fetcher, rendered, spec, depth=0)
            verdict = rendered
    return verdict


async def _document_check(fetcher, page, spec: SpecData, *, depth: int) -> Verdict:
    if page.error is not None and not (page.error == "too_large" and page.body):
        return Verdict("error", page.error, final_url=page.final_url, http_status=page.status, detail=page.detail)
    html = html_bytes(page.body, page.charset)
    verdict = check_page(html, page.final_url, spec)
    verdict.http_status = page.status
    if verdict.status == "absent":
        verdict = await _candidates_verdict(fetcher, verdict, spec, depth)
    if verdict.status != "present" and page.error == "too_large":
        return Verdict("error", "too_large", final_url=page.final_url, http_status=page.status, detail=page.detail)
    return verdict


async def _candidates_verdict(fetcher, verdict: Verdict, spec: SpecData, depth: int) -> Verdict:
    """`verdict` (absent, with candidates) decided by fetching its candidates: present
    by the first that matches, error candidate_unverified when none matched and one
    could not be fetched, else `verdict` itself."""
    found, unverified = await _candidates_check(fetcher, verdict, spec, depth)
    if found is not None:
        found.final_url, found.http_status, found.method = verdict.final_url, verdict.http_status, verdict.method
        found.screenshot = verdict.screenshot
        return found
    if unverified:
        return Verdict("error", "candidate_unverified", final_url=verdict.final_url, http_status=verdict.http_status,
                       method=verdict.method, screenshot=verdict.screenshot, bare=verdict.bare,
                       detail="; ".join(unverified)[:500])
    return verdict


async def _candidates_check(fetcher, verdict: Verdict, spec: SpecData, depth: int) -> tuple[Verdict | None, list[str]]:
    """(the first candidate found to be the banner or None, the candidates that could
    not be fetched). The others are cancelled once one matches."""
    unverified: list[str] = []
    robots = spec.obey_robots

    async def follow(href, snippet):
        got = await fetcher.fetch(href, method="HEAD", obey_robots=robots)
        if got.error in ("http_4xx", "http_5xx") and got.status in (405, 501, 403):
            got = await fetcher.fetch(href, max_bytes=64 * 1024, obey_robots=robots)  # some shorteners refuse HEAD
        if got.redirects and url_matches(got.final_url, spec.targets):
            return Verdict("present", "redirect_link", snippet=snippet, href=href, detail=f"→ {got.final_url}")
        if got.error in UNVERIFIED and got.error != "too_large":  # too large: its address is known all the same
            unverified.append(f"{href}: {got.error}")
        return None

    async def image(src, snippet):
        got = await fetcher.fetch(src, max_bytes=IMAGE_MAX_BYTES, obey_robots=robots)
        if got.body and got.error in (None, "too_large"):
            # too large: the first frame of an animated GIF lies at its start
            d = await hash_distance(got.body, spec.hashes)
            if d is not None and d <= spec.max_distance:
                return Verdict("present", "image", snippet=snippet, src=src, detail=f"pHash distance {d}")
        if got.error in UNVERIFIED:
            unverified.append(f"{src}: {got.error}")
        return None

    async def frame(src):
        got = await fetcher.fetch(src, obey_robots=robots)
        inner = await _document_check(fetcher, got, spec, depth=depth + 1)
        if inner.status == "present":
            inner.reason = f"frame_{inner.reason}"
            inner.detail = f"iframe {src} {inner.detail}".strip()
            return inner
        if inner.status == "error" and (inner.reason in UNVERIFIED or inner.reason == "candidate_unverified"):
            unverified.append(f"iframe {src}: {inner.reason}")
        return None

    # The images with no cue are fetched only when nothing with a cue matched: most
    # pages with a banner show it with a cue.
    first = [follow(h, s) for h, s in verdict.links] + [image(s, sn) for s, sn in verdict.images]
    if depth == 0:
        first += [frame(f) for f in verdict.frames]
    found = await _first_found(first)
    if found is None:
        found = await _first_found([image(s, sn) for s, sn in verdict.more_images])
    if found is not None:
        return found, []
    return None, unverified


async def _first_found(jobs: list) -> Verdict | None:
    """The first of `jobs` (coroutines) to return a verdict; the others are cancelled."""
    if not jobs:
        return None
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        for next_done in asyncio.as_completed(tasks):
            found = await next_done
            if found is not None:
                return found
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return None

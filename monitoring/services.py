"""Banner monitoring services. `banners_check` is the one function that runs a round:
the periodic task, the "check now" button and `manage.py checkbanners` only call it.

A round is a Round row and the SiteState rows pointing at it. Consumers split a round
by claiming batches of those rows (an UPDATE that only takes unclaimed rows, after a
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL), so two consumers never check one
site twice. A consumer claims only what it can start now (about the fetcher's total
concurrency) and renews its claims while it works (a heartbeat every lease/4); a claim
older than the lease (MONITOR_LEASE: its consumer died or hangs) is free again, for
the consumers of the round and for a new round. A consumer whose claim was taken
over writes nothing for that site. rounds_sweep (a periodic task) finishes rounds
that are left with nothing pending and hands rounds whose consumers died to new ones.

Checking is asyncio (planwatch.lib.http.Fetcher) in a thread of its own; the calling
thread keeps the database connection, claims, and writes finished checks in batches,
each in one transaction, while the next sites are being fetched.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import queue
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from directory.models import Unit, Website
from planwatch.lib.http import Fetcher, FetchPolicy, http_url, parse_networks
from planwatch.lib.uploads import UploadRejected, check_upload

from . import conf
from .checker import SpecData, image_hash, site_check
from .checker import Verdict as CheckVerdict
from .models import BannerEvent, BannerSpec, Check, ReferenceImage, Round, SiteSpec, SiteState, Verdict

WRITE_EVERY = 100  # finished checks per write transaction
WRITE_SECONDS = 1.0


@dataclass
class RoundResult:
    round_id: int
    sites: int = 0
    checked: int = 0
    present: int = 0
    absent: int = 0
    error: int = 0
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Job:
    state_id: int
    spec_id: int
    website_id: int
    unit_id: int
    page_url: str


# --- specs ------------------------------------------------------------------------------


class SpecInvalid(ValueError):
    """The spec's data is not usable; str() is for the user."""


def spec_save(*, actor, province, spec: BannerSpec | None = None, plan=None, name: str, targets: list[str],
              keywords: list[str], interval_minutes: int, peak_interval_minutes: int, obey_robots: bool,
              render_js: bool, active: bool = True) -> BannerSpec:
    """Create or update a spec. Raises SpecInvalid on a target that is not an http(s) URL."""
    targets = [t.strip() for t in targets if t.strip()]
    if not targets:
        raise SpecInvalid(_("Cần ít nhất một địa chỉ đích."))
    for t in targets:
        if not http_url(t if "//" in t else "http://" + t, typed=True) or _other_scheme(t):
            raise SpecInvalid(_("Địa chỉ đích không hợp lệ: %(url)s") % {"url": t[:200]})
    if plan is not None and plan.province_id != province.pk:
        raise SpecInvalid(_("Kế hoạch không thuộc tỉnh này."))
    with transaction.atomic():
        creating = spec is None
        spec = spec or BannerSpec(province=province)
        before = {} if creating else {"targets": spec.targets, "keywords": spec.keywords}
        spec.plan, spec.name = plan, name.strip()[:200]
        spec.targets, spec.keywords = targets, [k.strip() for k in keywords if k.strip()]
        spec.interval_minutes, spec.peak_interval_minutes = max(5, interval_minutes), max(5, peak_interval_minutes)
        spec.obey_robots, spec.render_js, spec.active = obey_robots, render_js, active
        spec.save()
        audit_record(actor=actor, action="banner_spec.create" if creating else "banner_spec.update", obj=spec,
                     before=before, after={"targets": spec.targets, "keywords": spec.keywords}, province=province)
    return spec


def _other_scheme(text: str) -> bool:
    """"javascript:…", "mailto:…": a scheme written without "//" (a port is not one)."""
    return "//" not in text and bool(re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)", text))


def site_spec_save(*, actor, spec: BannerSpec, website: Website, page_url: str, enabled: bool = True) -> SiteSpec:
    """Set which page of `website` the spec checks (blank: its home page) and whether
    it is checked at all. Any absolute http(s) URL is accepted: it is fetched through
    the same guarded fetcher as every other page, so an address on a private network
    is refused at check time. Raises SpecInvalid on anything else, and for a social
    page (rounds never check those)."""
    page_url = page_url.strip()
    max_length = SiteSpec._meta.get_field("page_url").max_length
    if website.kind == Website.Kind.SOCIAL:
        raise SpecInvalid(_("Trang mạng xã hội không được kiểm tra banner tự động."))
    if page_url and (not http_url(page_url, typed=True) or len(page_url) > max_length):
        raise SpecInvalid(_("Cần một địa chỉ bắt đầu bằng http:// hoặc https://, không quá %(max)s ký tự.")
                          % {"max": max_length})
    with transaction.atomic():
        site, _created = SiteSpec.objects.select_for_update().get_or_create(spec=spec, website=website)
        before = {"page_url": site.page_url, "enabled": site.enabled}
        after = {"page_url": page_url, "enabled": enabled}
        if before != after:
            site.page_url, site.enabled = page_url, enabled
            site.save(update_fields=["page_url", "enabled"])
            audit_record(actor=actor, action="banner_spec.site_update", obj=spec,
                         before={"website": website.url, **before}, after={"website": website.url, **after},
                         unit=website.unit_id, province=spec.province_id)
    return site


def reference_image_add(*, actor, spec: BannerSpec, data: bytes, name: str) -> ReferenceImage:
    """Store an uploaded reference banner with its pHash. Raises UploadRejected."""
    checked = check_upload(data, max_bytes=5 * 2**20)
    if not checked.mime.startswith("image/"):
        raise UploadRejected(_("Ảnh banner mẫu phải là tệp ảnh (JPEG, PNG, GIF, WebP)."))
    try:
        phash = image_hash(data)
    except ValueError as exc:
        raise UploadRejected(_("Không đọc được ảnh.")) from exc
    with transaction.atomic():
        ref = ReferenceImage(spec=spec, phash=phash, sha256=checked.sha256)
        ref.image.save(f"{checked.sha256[:16]}.{checked.ext}", ContentFile(data), save=False)
        ref.save()
        audit_record(actor=actor, action="banner_spec.image_add", obj=spec, after={"phash": phash, "name": name[:100]},
                     province=spec.province_id)
    return ref


def spec_data(spec: BannerSpec) -> SpecData:
    return SpecData.build(
        targets=spec.targets, keywords=spec.keywords, hashes=[r.phash for r in spec.images.all()],
        max_distance=spec.max_distance, obey_robots=spec.obey_robots, render_js=spec.render_js,
    )


def fetch_policy() -> FetchPolicy:
    return FetchPolicy(
        timeout=conf.get_float("MONITOR_TIMEOUT", 15.0),
        deadline=conf.get_float("MONITOR_FETCH_DEADLINE", 60.0),
        retries=conf.get_int("MONITOR_RETRIES", 2),
        backoff=conf.get_float("MONITOR_BACKOFF", 0.5),
        max_bytes=conf.get_int("MONITOR_MAX_BYTES", 3 * 2**20),
        total_limit=conf.get_int("MONITOR_CONCURRENCY", 200),
        per_host_limit=conf.get_int("MONITOR_PER_HOST", 4),
        allowed_networks=parse_networks(conf.get_list("MONITOR_ALLOWED_NETWORKS")),
    )


# --- rounds -----------------------------------------------------------------------------


def spec_units(spec: BannerSpec):
    """Units whose websites a spec checks: those assigned in its plan, else (or when the
    plan has no assignments yet) every unit of its province."""
    if spec.plan_id is not None:
        units = Unit.objects.filter(assignments__activity__plan_id=spec.plan_id).distinct()
        if units.exists():
            return units
    return Unit.objects.filter(province_id=spec.province_id)


def round_open(*, spec: BannerSpec | None = None, plan=None, unit: Unit | None = None, units=None,
               label: str = "") -> Round:
    """A new Round holding every selected site that is neither claimed by a live
    consumer (a claim renewed within the lease) nor waiting, unclaimed, in another live
    round. A round is live while a consumer holds a fresh claim in it, or for one lease
    after it opened (its consumers may not have started yet). Selection: `spec`, or the
    active specs (of `plan`), narrowed to `unit` or to `units` (several; used by "check
    now" for the units picked on the spec page)."""
    now = timezone.now()
    fresh = now - conf.lease()
    unit_ids = None  # no narrowing
    if unit is not None or units is not None:
        chosen = ([unit] if unit is not None else []) + list(units or ())
        unit_ids = {getattr(u, "pk", u) for u in chosen}  # Unit rows or their ids
    specs = BannerSpec.objects.filter(pk=spec.pk) if spec is not None else BannerSpec.objects.filter(active=True)
    if plan is not None:
        specs = specs.filter(plan=plan)
    with transaction.atomic():
        rnd = Round.objects.create(label=label[:200])
        for s in specs:
            selected = spec_units(s)
            if unit_ids is not None:
                selected = selected.filter(pk__in=unit_ids)
            disabled = SiteSpec.objects.filter(spec=s, enabled=False).values("website_id")
            websites = (Website.objects.filter(unit__in=selected).exclude(kind=Website.Kind.SOCIAL)
                        .exclude(pk__in=disabled))
            have = set(SiteState.objects.filter(spec=s).values_list("website_id", flat=True))
            SiteState.objects.bulk_create(
                [SiteState(spec=s, website_id=w, unit_id=u) for w, u in websites.values_list("pk", "unit_id") if w not in have],
                ignore_conflicts=True,
            )
            working = SiteState.objects.filter(round=OuterRef("pk"), claimed_at__gte=fresh)
            live = (Round.objects.filter(finished_at__isnull=True).exclude(pk=rnd.pk)
                    .filter(Q(started_at__gte=fresh) | Q(Exists(working))))
            # a stale claim is nobody's work; an unclaimed site waits for its live round
            (SiteState.objects.filter(spec=s, website__in=websites)
             .filter(Q(claimed_at__lt=fresh) | (Q(claimed_at__isnull=True) & ~Q(round__in=live)))
             .update(round=rnd, claimed_at=None, claimed_by=""))
            BannerSpec.objects.filter(pk=s.pk).update(last_round_at=now)
        rnd.sites = SiteState.objects.filter(round=rnd).count()
        if rnd.sites == 0:
            rnd.finished_at = now
        rnd.save(update_fields=["sites", "finished_at"])
    return rnd


def _claim(rnd: Round, token: str, n: int) -> list[_Job]:
    """Up to `n` sites of `rnd` for the consumer `token`: unclaimed ones, or ones whose
    claim is older than the lease (taken over)."""
    now = timezone.now()
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - conf.lease())
    with transaction.atomic():
        candidates = SiteState.objects.filter(free, round=rnd).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:n])
        if not ids:
            return []
        # The condition is checked again by the UPDATE itself: a row another consumer
        # took meanwhile is left alone (this is what makes the split safe on SQLite).
        SiteState.objects.filter(free, pk__in=ids, round=rnd).update(claimed_at=now, claimed_by=token)
    rows = SiteState.objects.filter(pk__in=ids, claimed_by=token, round=rnd).values_list(
        "pk", "spec_id", "website_id", "unit_id", "website__url")
    pages = {(spec_id, website_id): page for spec_id, website_id, page in
             SiteSpec.objects.filter(spec_id__in={r[1] for r in rows}, website_id__in={r[2] for r in rows})
             .exclude(page_url="").values_list("spec_id", "website_id", "page_url")}
    return [_Job(pk, s, w, u, pages.get((s, w)) or url) for pk, s, w, u, url in rows]


def _heartbeat(rnd: Round, token: str) -> None:
    """Renew the claims `token` still holds in `rnd`: they are being worked on."""
    SiteState.objects.filter(round=rnd, claimed_by=token).update(claimed_at=timezone.now())


class _Loop:
    """An event loop in a thread of its own, with one Fetcher (and Renderer)."""

    def __init__(self, policy: FetchPolicy, resolve=None, site_deadline: float | None = None):
        self.policy = policy
        self.resolve = resolve
        self.site_deadline = site_deadline
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="banners", daemon=True)

    def __enter__(self) -> _Loop:
        from .render import Renderer

        self.thread.start()
        self.fetcher = Fetcher(self.policy) if self.resolve is None else Fetcher(self.policy, resolve=self.resolve)
        self.run(self.fetcher.__aenter__())
        self.renderer = Renderer(self.fetcher)
        return self

    def run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def submit(self, job: _Job, spec: SpecData, done: queue.Queue) -> None:
        fut = asyncio.run_coroutine_threadsafe(
            site_check(self.fetcher, job.page_url, spec, renderer=self.renderer, deadline=self.site_deadline), self.loop)
        fut.add_done_callback(lambda f: done.put((job, f)))

    def __exit__(self, *exc) -> None:
        try:
            self.run(self.renderer.__aexit__())
            self.run(self.fetcher.__aexit__())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(30)
            self.loop.close()


def banners_check(*, spec: BannerSpec | None = None, plan=None, unit: Unit | None = None, units=None,
                  round: Round | None = None, progress=None, label: str = "",
                  policy: FetchPolicy | None = None, resolve=None) -> RoundResult:
    """Run a round: open one for the selection (see round_open), or join `round`, and
    check its sites until none is left unclaimed. Writes a Check per site and updates
    SiteState and BannerEvent. `progress(done, total)` is called as checks are
    written. `policy` replaces the one of the settings (fetch_policy) and `resolve`
    the system's name lookup (planwatch.lib.http.Fetcher) for this call only: loaddemo
    allows loopback this way for its stand-in pages, and looks no name up. Returns the
    counts of what this call checked."""
    started = time.monotonic()
    rnd = round if round is not None else round_open(spec=spec, plan=plan, unit=unit, units=units, label=label)
    worker = f"{socket.gethostname()}:{os.getpid()}"[:60]
    token = f"{worker}:{uuid.uuid4().hex[:12]}"
    result = RoundResult(round_id=rnd.pk, sites=rnd.sites)
    specs: dict[int, SpecData] = {}
    policy = policy or fetch_policy()
    batch = conf.get_int("MONITOR_CLAIM_BATCH", 50)
    # Sites in flight: about what the fetcher runs at once. More would only wait for a
    # connection slot while their claims age; the rest stays free for other consumers.
    capacity = max(batch, policy.total_limit or 4 * batch)
    beat_every = conf.lease().total_seconds() / 4
    done: queue.Queue = queue.Queue()
    buffer: list = []
    inflight, exhausted = 0, False
    last_write = last_beat = time.monotonic()
    with _Loop(policy, resolve, conf.get_float("MONITOR_SITE_DEADLINE", 120.0) or None) as loop:
        while True:
            if not exhausted and inflight <= capacity - batch:
                jobs = _claim(rnd, token, batch)
                exhausted = not jobs
                for job in jobs:
                    if job.spec_id not in specs:
                        specs[job.spec_id] = spec_data(BannerSpec.objects.get(pk=job.spec_id))
                    loop.submit(job, specs[job.spec_id], done)
                inflight += len(jobs)
                if jobs and inflight <= capacity - batch:
                    continue
            if inflight == 0 and exhausted:
                break
            got = []
            try:
                got.append(done.get(timeout=min(0.5, beat_every)))
                while True:
                    got.append(done.get_nowait())
            except queue.Empty:
                pass
            inflight -= len(got)
            buffer.extend(got)
            if time.monotonic() - last_beat > beat_every:
                _heartbeat(rnd, token)
                last_beat = time.monotonic()
            if buffer and (len(buffer) >= WRITE_EVERY or time.monotonic() - last_write > WRITE_SECONDS
                           or (exhausted and inflight == 0)):
                result.checked += _write(rnd, token, worker, buffer, result)
                buffer, last_write = [], time.monotonic()
                if progress is not None:
                    progress(result.checked, rnd.sites)
    if buffer:
        result.checked += _write(rnd, token, worker, buffer, result)
        if progress is not None:
            progress(result.checked, rnd.sites)
    if not SiteState.objects.filter(round=rnd).exists():
        Round.objects.filter(pk=rnd.pk, finished_at__isnull=True).update(finished_at=timezone.now())
    result.seconds = time.monotonic() - started
    return result


def _write(rnd: Round, token: str, worker: str, finished: list, result: RoundResult) -> int:
    """Store one batch of finished checks in one transaction; the number stored. The
    SiteState rows are locked first, and only those still claimed by `token` are
    written: a site whose claim another consumer took over is its business now (its
    check here is dropped, so no site gets two checks, nor two placed/removed events,
    in one round). Screenshots are files: they are removed again if the transaction
    fails."""
    now = timezone.now()
    saved: list = []
    try:
        with transaction.atomic():
            states = {s.pk: s for s in SiteState.objects.select_for_update().filter(
                pk__in=[job.state_id for job, _fut in finished], round=rnd, claimed_by=token)}
            checks, pairs = [], []
            for job, fut in finished:
                s = states.get(job.state_id)
                if s is None:
                    continue
                try:
                    v: CheckVerdict = fut.result()
                except Exception as exc:  # noqa: BLE001 - a checker bug must not stop the round
                    v = CheckVerdict("error", "internal", detail=f"{type(exc).__name__}: {exc}")
                c = Check(
                    spec_id=job.spec_id, website_id=job.website_id, unit_id=job.unit_id, round=rnd, checked_at=now,
                    page_url=job.page_url[:1000], final_url=(v.final_url or "")[:1000], http_status=v.http_status,
                    verdict=v.status, reason=v.reason[:32], detail=v.detail[:500], snippet=v.snippet,
                    href=v.href[:1000], src=v.src[:1000], method=v.method, duration_ms=int(v.duration * 1000),
                    worker=worker,
                )
                if v.screenshot:
                    c.screenshot.save(f"{job.website_id}-{uuid.uuid4().hex[:8]}.jpg", ContentFile(v.screenshot),
                                      save=False)
                    saved.append(c.screenshot)
                checks.append(c)
                pairs.append((s, c))
                setattr(result, v.status, getattr(result, v.status) + 1)
                result.reasons[v.reason or v.status] = result.reasons.get(v.reason or v.status, 0) + 1
            Check.objects.bulk_create(checks)
            # A few grouped UPDATEs rather than bulk_update's CASE per row and field: the
            # round writes thousands of states and this is most of its database time.
            by_verdict: dict[str, list[int]] = {}
            placed, removed, absent_now, events = [], [], [], []
            for s, c in pairs:
                by_verdict.setdefault(c.verdict, []).append(s.pk)
                if c.verdict in (Verdict.PRESENT, Verdict.ABSENT) and s.banner != c.verdict:
                    if c.verdict == Verdict.PRESENT:
                        placed.append(s.pk)
                    else:
                        absent_now.append(s.pk)
                    if c.verdict == Verdict.PRESENT or s.banner == SiteState.Banner.PRESENT:
                        kind = BannerEvent.Kind.PLACED if c.verdict == Verdict.PRESENT else BannerEvent.Kind.REMOVED
                        events.append(BannerEvent(spec_id=s.spec_id, website_id=s.website_id, unit_id=s.unit_id,
                                                  kind=kind, at=now, check_row=c))
            latest = Check.objects.filter(spec=OuterRef("spec"), website=OuterRef("website")).order_by("-checked_at",
                                                                                                       "-pk")
            for verdict, ids in by_verdict.items():
                SiteState.objects.filter(pk__in=ids).update(
                    status=verdict, last_checked_at=now, last_check=Subquery(latest.values("pk")[:1]),
                    round=None, claimed_at=None, claimed_by="")
            for banner, ids in ((Verdict.PRESENT, placed), (Verdict.ABSENT, absent_now)):
                if ids:
                    SiteState.objects.filter(pk__in=ids).update(banner=banner, since=now)
            BannerEvent.objects.bulk_create(events)
    except BaseException:
        for f in saved:
            f.storage.delete(f.name)
        raise
    return len(checks)


def rounds_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Look after the unfinished rounds: finish those with nothing pending; release the
    sites of those older than MONITOR_ROUND_MAX_AGE and finish them; and of the others,
    those in which no consumer holds a fresh claim although they opened more than a
    lease ago (their consumers died): free their stale claims and return their ids, for
    tasks.banners_sweep to hand them to new consumers."""
    now = now or timezone.now()
    fresh = now - conf.lease()
    too_old = now - dt.timedelta(seconds=conf.get_float("MONITOR_ROUND_MAX_AGE", 24 * 3600))
    requeue = []
    for rnd in Round.objects.filter(finished_at__isnull=True).order_by("pk"):
        pending = SiteState.objects.filter(round=rnd)
        if rnd.started_at < too_old:
            pending.exclude(claimed_at__gte=fresh).update(round=None, claimed_at=None, claimed_by="")
        if not pending.exists():
            Round.objects.filter(pk=rnd.pk, finished_at__isnull=True).update(finished_at=now)
            continue
        if rnd.started_at >= fresh or pending.filter(claimed_at__gte=fresh).exists():
            continue  # at work, or its consumers have not had the time to start
        pending.filter(claimed_at__lt=fresh).update(claimed_at=None, claimed_by="")
        requeue.append(rnd.pk)
    return requeue


def specs_due(*, now: dt.datetime | None = None) -> list[BannerSpec]:
    """Active specs whose interval (shorter during a peak of their plan) has passed.
    Used by tasks.banners_schedule."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = []
    for spec in BannerSpec.objects.filter(active=True).select_related("plan").prefetch_related("plan__peaks"):
        if spec.last_round_at is None or spec.last_round_at + dt.timedelta(minutes=spec.interval_on(today)) <= now:
            due.append(spec)
    return due


def banner_laggards(*, plan, unit_ids=None) -> list[tuple[str, str]]:
    """(unit name, label) of the units of `plan`'s specs (narrowed to `unit_ids`) with
    no website showing the banner, by name (as the reminder lists its other units):
    "absent" when a check saw a page without it, "no website" when the unit has no
    website the specs check (none, or all left out), "not verified" otherwise (every
    check failed, or none ran yet). Used by the reminder letter
    (reporting.exports.build_reminder)."""
    from planwatch.lib.text import fold

    units: dict[int, str] = {}
    with_site: set[int] = set()
    for spec in BannerSpec.objects.filter(plan=plan):
        selected = spec_units(spec)
        if unit_ids is not None:
            selected = selected.filter(pk__in=unit_ids)
        units.update(selected.values_list("pk", "name"))
        disabled = SiteSpec.objects.filter(spec=spec, enabled=False).values("website_id")
        with_site.update(Website.objects.filter(unit__in=selected).exclude(kind=Website.Kind.SOCIAL)
                         .exclude(pk__in=disabled).values_list("unit_id", flat=True))
    present, absent = set(), set()
    states = SiteState.objects.filter(spec__plan=plan, unit_id__in=list(units)).values_list("unit_id", "banner")
    for unit_id, banner in states:
        if banner == SiteState.Banner.PRESENT:
            present.add(unit_id)
        elif banner == SiteState.Banner.ABSENT:
            absent.add(unit_id)
    rows = []
    for unit_id, name in units.items():
        if unit_id in present:
            continue
        if unit_id in absent:
            label = Verdict.ABSENT.label
        elif unit_id not in with_site:
            label = _("Chưa có trang web")
        else:
            label = _("Chưa kiểm tra được trang web")
        rows.append((name, str(label)))
    return sorted(rows, key=lambda r: fold(r[0]))

"""Background jobs of banner monitoring (Huey). Thin wrappers: the work is
services.banners_check, which `manage.py checkbanners` and the "check now" button call
too. The schedule lives here."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import conf
from .models import Round
from .services import banners_check, round_open, specs_due


@db_periodic_task(crontab(minute="*/5"))
def banners_schedule() -> list[int]:
    """Every 5 minutes: open a round for each spec that is due (its interval, shorter
    in the plan's peak periods) and hand it to MONITOR_CONSUMERS workers, which split
    it between them. Returns the ids of the rounds opened."""
    opened = []
    for spec in specs_due():
        rnd = round_open(spec=spec, label=f"lịch: {spec.name}")
        if rnd.sites:
            for _ in range(max(1, conf.get_int("MONITOR_CONSUMERS", 2))):
                banners_work(rnd.pk)
        opened.append(rnd.pk)
    return opened


@db_task()
def banners_work(round_id: int) -> dict:
    """Check the unclaimed sites of one round (any number of these run at once)."""
    result = banners_check(round=Round.objects.get(pk=round_id))
    return {"round": round_id, "checked": result.checked}


@db_task()
def banners_check_now(spec_id: int, unit_id: int | None = None) -> dict:
    """The "Kiểm tra ngay" button: one round of a spec (or of one unit), now."""
    from directory.models import Unit

    from .models import BannerSpec

    unit = Unit.objects.get(pk=unit_id) if unit_id else None
    result = banners_check(spec=BannerSpec.objects.get(pk=spec_id), unit=unit, label="kiểm tra ngay")
    return {"round": result.round_id, "checked": result.checked}

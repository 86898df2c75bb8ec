"""Background jobs of banner monitoring (Huey). Thin wrappers: the work is
services.banners_check, which `manage.py checkbanners` and the "check now" button call
too. The schedule lives here."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import conf
from .models import Round
from .services import banners_check, round_open, rounds_sweep, specs_due


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


@db_periodic_task(crontab(minute="*/5"))
def banners_sweep() -> list[int]:
    """Every 5 minutes: finish the rounds left with nothing pending, and hand each round
    whose consumers died (services.rounds_sweep) to one new consumer. Returns the ids
    of the rounds handed on."""
    requeued = rounds_sweep()
    for round_id in requeued:
        banners_work(round_id)
    return requeued


@db_task()
def banners_work(round_id: int) -> dict:
    """Check the unclaimed sites of one round (any number of these run at once)."""
    result = banners_check(round=Round.objects.get(pk=round_id))
    return {"round": round_id, "checked": result.checked}

"""Queue tasks of reporting. Each wraps one ordinary function (callable from the shell
and from the management commands); the schedules are declared here."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def export_build_task(export_id: int) -> None:
    from .exports import export_build

    export_build(export_id=export_id)


# Every hour: reminders go out on the day they are due, whatever hour the consumer starts.
@db_periodic_task(crontab(minute="7"))
def reminders_send_task() -> None:
    from .reminders import reminders_send

    reminders_send()


# Every 15 minutes: exports whose worker died are failed, so nobody waits forever.
@db_periodic_task(crontab(minute="*/15"))
def exports_fail_stale_task() -> None:
    from .exports import exports_fail_stale

    exports_fail_stale()

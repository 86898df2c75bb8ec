"""plans.tasks: the nightly purge is a periodic task around plan_imports_purge."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from plans import tasks
from plans.models import PlanImport
from plans.tests.test_services_common import directory, upload_small  # noqa: F401


def test_purge_is_scheduled_nightly():
    schedule = tasks.imports_purge.task_class().validate_datetime
    assert schedule(dt.datetime(2026, 1, 5, 3, 20))
    assert not schedule(dt.datetime(2026, 1, 5, 12, 0))


def test_purge_task_deletes_old_unconfirmed_imports(directory, province, officer):
    old = upload_small(province, officer)
    fresh = upload_small(province, officer, extra=" Mới.")
    PlanImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=tasks.IMPORT_RETENTION_DAYS + 1)
    )
    # call_local runs the task's function here, as the consumer would
    assert tasks.imports_purge.call_local() == 1
    assert list(PlanImport.objects.values_list("pk", flat=True)) == [fresh.pk]

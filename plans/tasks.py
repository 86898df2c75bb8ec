"""Background jobs of the plans app and their schedules (Huey). Each task is a thin
wrapper: the work is an ordinary service that can be called from the shell."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import plan_imports_purge

# Imports left unconfirmed this long are abandoned uploads.
IMPORT_RETENTION_DAYS = 30


@db_periodic_task(crontab(hour="3", minute="20"))
def imports_purge() -> int:
    """Nightly: delete unconfirmed imports and their files (plan_imports_purge)."""
    return plan_imports_purge(older_than_days=IMPORT_RETENTION_DAYS)

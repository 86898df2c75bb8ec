"""Django's SQLite backend, waiting for the write lock in finer steps.

Every transaction starts with BEGIN IMMEDIATE (settings: transaction_mode), which takes
the database's one write lock up front. When another process holds it, SQLite's own
busy handler sleeps 1, 2, 5, 10, 15 … ms between tries, whatever the time left: at a
deadline rush the lock is held about 0.2 ms per answer, and one BEGIN in eight met it
taken, so the web workers slept through a millisecond at a time while the lock sat free
(bench/rush.py). Here the first tries run without SQLite's wait and sleep from 50 µs,
doubling up to 1 ms, for about 25 ms in all; after that SQLite's own wait takes over,
with the connection's busy_timeout as before, so a long writer (a plan import) is still
waited for just as long.

Only BEGIN IMMEDIATE is concerned. While queries are logged (DEBUG, tests capturing
queries) or wrapped, the transaction starts the usual way, so that they see its BEGIN."""
from __future__ import annotations

import sqlite3
import time

from django.db.backends.sqlite3 import base

# Seconds slept between the tries made without SQLite's own wait (about 25 ms in all).
BACKOFF = (0.00005, 0.0001, 0.0002, 0.0004, 0.0008) + (0.001,) * 23


def _busy(exc: sqlite3.OperationalError) -> bool:
    """The lock is taken (SQLITE_BUSY), as opposed to any other failure."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY
    return "database is locked" in str(exc)


class DatabaseWrapper(base.DatabaseWrapper):
    _busy_timeout_ms: int | None = None  # the connection's own, read once per connection

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        self._busy_timeout_ms = None
        return conn

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode != "IMMEDIATE" or self.queries_logged or self.execute_wrappers:
            return super()._start_transaction_under_autocommit()
        raw = self.connection
        with self.wrap_database_errors:
            if self._busy_timeout_ms is None:
                self._busy_timeout_ms = raw.execute("PRAGMA busy_timeout").fetchone()[0]
            raw.execute("PRAGMA busy_timeout = 0")
            try:
                for delay in (0.0, *BACKOFF):
                    if delay:
                        time.sleep(delay)
                    try:
                        raw.execute("BEGIN IMMEDIATE")
                        return
                    except sqlite3.OperationalError as exc:
                        if not _busy(exc):
                            raise
            finally:
                raw.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        # still taken: SQLite's own wait, up to busy_timeout
        super()._start_transaction_under_autocommit()

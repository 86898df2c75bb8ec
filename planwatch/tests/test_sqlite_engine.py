"""planwatch.lib.sqlite: Django's SQLite backend with a finer wait for the write lock.
Real SQLite files in a temporary directory, the lock held by a second connection."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from planwatch.lib.sqlite.base import DatabaseWrapper, _busy

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite engine")


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "lock.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x INTEGER)")
    return path


@pytest.fixture
def wrapper(db_file, django_db_blocker):
    """A connection of this engine to db_file, set up as settings set up the real one
    (not the test database: pytest-django's guard is lifted for it alone)."""
    w = DatabaseWrapper({**connection.settings_dict, "NAME": str(db_file)}, alias="lock_test")
    with django_db_blocker.unblock():
        w.ensure_connection()
        yield w
        w.close()


def holder(db_file):
    """A second connection that takes the write lock (BEGIN IMMEDIATE)."""
    other = sqlite3.connect(db_file, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_the_embedded_database_uses_this_engine():
    assert connection.settings_dict["ENGINE"] == "planwatch.lib.sqlite"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db
def test_the_tests_database_is_in_memory_under_every_worker():
    """pytest-django (with xdist, one database per worker) must still see an in-memory
    SQLite database, not a file named after the production one."""
    assert connection.settings_dict["NAME"].startswith("file:memorydb_")
    assert connection.creation.is_in_memory_db(connection.settings_dict["NAME"])


def test_a_transaction_waits_for_the_lock_past_the_fine_steps(db_file, wrapper):
    """Held for 0.3 s, beyond the ~25 ms of fine steps: SQLite's own wait takes over and
    the transaction starts once the lock is free; the connection's busy_timeout is as it was."""
    before = wrapper.connection.execute("PRAGMA busy_timeout").fetchone()[0]
    other = holder(db_file)
    release = threading.Timer(0.3, other.execute, args=["COMMIT"])
    release.start()
    try:
        wrapper._start_transaction_under_autocommit()
        assert wrapper.connection.in_transaction
        wrapper.connection.execute("INSERT INTO t VALUES (1)")
        wrapper.connection.execute("COMMIT")
    finally:
        release.join()
        other.close()
    assert wrapper.connection.execute("PRAGMA busy_timeout").fetchone()[0] == before > 0
    assert wrapper.connection.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_a_lock_held_past_busy_timeout_is_refused_as_before(db_file, wrapper):
    wrapper.connection.execute("PRAGMA busy_timeout = 100")
    other = holder(db_file)
    try:
        with pytest.raises(OperationalError, match="locked"):
            wrapper._start_transaction_under_autocommit()
        assert not wrapper.connection.in_transaction
        assert wrapper.connection.execute("PRAGMA busy_timeout").fetchone()[0] == 100
    finally:
        other.execute("ROLLBACK")
        other.close()
    wrapper._start_transaction_under_autocommit()  # free now
    assert wrapper.connection.in_transaction
    wrapper.connection.execute("ROLLBACK")


def test_a_free_lock_is_taken_at_once_and_busy_timeout_is_kept(wrapper):
    before = wrapper.connection.execute("PRAGMA busy_timeout").fetchone()[0]
    wrapper._start_transaction_under_autocommit()
    assert wrapper.connection.in_transaction
    wrapper.connection.execute("ROLLBACK")
    assert wrapper.connection.execute("PRAGMA busy_timeout").fetchone()[0] == before


def test_only_a_taken_lock_is_waited_for(db_file):
    """_busy tells SQLITE_BUSY from other failures, on real errors of the driver."""
    other = holder(db_file)
    second = sqlite3.connect(db_file, isolation_level=None, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as taken:
            second.execute("BEGIN IMMEDIATE")
        assert _busy(taken.value)
        with pytest.raises(sqlite3.OperationalError) as nested:
            other.execute("BEGIN IMMEDIATE")  # already in a transaction: not a lock to wait for
        assert not _busy(nested.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
        second.close()


@pytest.mark.django_db(transaction=True)
def test_a_logged_transaction_shows_its_begin():
    """While queries are captured, the transaction starts through Django's own cursor."""
    from django.db import transaction

    from directory.models import Province

    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        Province.objects.create(name="Đắk Nông", code="dn-begin")
    assert captured.captured_queries[0]["sql"] == "BEGIN IMMEDIATE"

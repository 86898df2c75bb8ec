"""Writing the audit trail. Call `audit_record` inside the same transaction as the
change it describes, so that a rolled-back change leaves no event behind."""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import post_save, pre_save

from .models import AuditEvent


def _plain(value: Any) -> Any:
    """JSON-safe copy of a before/after value (dates as ISO text, models as their pk)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def audit_record(
    *,
    actor=None,
    actor_label: str = "",
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
    unit=None,
    province=None,
) -> AuditEvent:
    """Record one change of `obj` (any model row). `actor` is the user, or None for a
    token link or a scheduled job, in which case `actor_label` says who it was.
    `unit` and `province` are rows or their ids."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor_label or actor.get_username()
    else:
        actor, label = None, actor_label
    event = AuditEvent(
        actor=actor,
        actor_label=label[:300],
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        unit_id=getattr(unit, "pk", unit),
        province_id=getattr(province, "pk", province),
        before=_plain(before or {}),
        after=_plain(after or {}),
    )
    insert_new(event)
    return event


def audit_changes(old: dict, new: dict) -> tuple[dict, dict]:
    """The before/after pair limited to the keys whose value changed."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


# --- statements built once ---------------------------------------------------------------
# The audit trail is written with every change, and a deadline brings every unit's answer
# at once (issue 4, bench/rush.py): there the ORM took longer to compile each statement
# than the database took to run it. audit_record and the token-link answer path
# (reporting.services) write and read their rows with statements built once per model.

# (model, database vendor) -> (INSERT statement, [(field, types written as they are)],
# whether it returns the id)
_INSERTS: dict[tuple[type, str], tuple[str, list, bool]] = {}


def statement_cursor(conn):
    """A cursor for one of these statements on `conn` (used like `conn.cursor()`, with
    %s placeholders): the database driver's own cursor, errors raised as Django's.

    Django's cursor wrapper costs about half as much again as SQLite takes to run one of
    these statements. On PostgreSQL the cursor binds its parameters on the server, so
    psycopg prepares each statement after a few runs on a connection (DATABASES OPTIONS
    prepare_threshold in settings): the server then skips parsing and planning it, most
    of its cost for a join by primary key. Django's own cursors bind on the client and are
    never prepared. While queries are logged (DEBUG, tests capturing queries) or wrapped
    (connection.execute_wrapper) it is Django's own cursor, so that they see each one."""
    if conn.vendor not in ("postgresql", "sqlite") or conn.queries_logged or conn.execute_wrappers:
        return conn.cursor()
    # what conn.cursor() does first
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    conn.validate_thread_sharing()
    if conn.vendor == "postgresql":
        from django.db.backends.postgresql.base import ServerBindingCursor

        return _DriverCursor(conn, ServerBindingCursor(conn.connection), qmark=False)
    return _DriverCursor(conn, conn.connection.cursor(), qmark=True)


class _DriverCursor:
    """A driver cursor for statements built once. `qmark`: the driver (sqlite3) wants ?
    for %s; each statement is rewritten once (they hold no other % sign)."""

    _qmark: dict[str, str] = {}

    def __init__(self, conn, cursor, *, qmark: bool):
        self._conn, self._cursor, self._qmark_style = conn, cursor, qmark

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cursor.close()

    def execute(self, sql: str, params) -> None:
        if self._qmark_style:
            converted = self._qmark.get(sql)
            if converted is None:
                converted = self._qmark[sql] = sql.replace("%s", "?")
            sql = converted
        with self._conn.wrap_database_errors:
            self._cursor.execute(sql, params)

    def fetchone(self):
        with self._conn.wrap_database_errors:
            return self._cursor.fetchone()

    def fetchall(self):
        with self._conn.wrap_database_errors:
            return self._cursor.fetchall()

    @property
    def lastrowid(self):
        return self._cursor.lastrowid


# Field classes whose pre_save returns the attribute and whose conversion for the
# database returns a value of the listed types unchanged: such values skip both calls
# (insert_new). Exact classes only, as a subclass may convert differently; bool is not
# taken for an int.
_TEXT = frozenset({str, type(None)})
_NUMBER = frozenset({int, type(None)})
_AS_IS = {models.CharField: _TEXT, models.TextField: _TEXT, models.BooleanField: frozenset({bool, type(None)}),
          models.IntegerField: _NUMBER, models.BigIntegerField: _NUMBER, models.SmallIntegerField: _NUMBER,
          models.PositiveIntegerField: _NUMBER, models.PositiveSmallIntegerField: _NUMBER,
          models.PositiveBigIntegerField: _NUMBER}
_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField, *(t for t, v in _AS_IS.items() if v is _NUMBER))
_NO_TYPES: frozenset = frozenset()


_SAMPLES = {str: "Sở", int: 7, bool: True, type(None): None}


def _as_is(field, conn) -> frozenset:
    """The value types `field` writes as they are on `conn` (empty: always convert),
    each checked once here: PostgreSQL, for one, wraps integers in a typed value."""
    if type(field) is models.ForeignKey and type(field.target_field) in _KEYS:
        types = _NUMBER
    else:
        types = _AS_IS.get(type(field), _NO_TYPES)
    kept = set()
    for t in types:
        got = field.get_db_prep_save(field.to_python(_SAMPLES[t]) if t is not type(None) else None, conn)
        if type(got) is t and got == _SAMPLES[t]:
            kept.add(t)
    return frozenset(kept)


class _Unset:
    """Marks an attribute not in the instance's __dict__ (deferred): converted the long way."""


def insert_new(obj) -> None:
    """Write `obj`, a new row whose id the database assigns, as `obj.save()` would
    (each field's pre_save and conversion for the database) but with an INSERT built once
    per model. A model with pre_save/post_save receivers goes through save() itself, so
    that they run. Sets obj.pk. Raises IntegrityError as save() would."""
    model = type(obj)
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        obj.save(force_insert=True)
        return
    conn = connections[DEFAULT_DB_ALIAS]
    meta = obj._meta
    key = (model, conn.vendor)
    prepared = _INSERTS.get(key)
    if prepared is None:
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        if (meta.parents or not getattr(meta.pk, "db_returning", False)
                or any(f.generated or f.has_db_default() for f in fields)):
            raise TypeError(f"{meta.label}: insert_new writes one table, every column given but the database's id")
        quote = conn.ops.quote_name
        sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        returning = conn.features.can_return_columns_from_insert
        if returning:
            sql += f" RETURNING {quote(meta.pk.column)}"
        prepared = _INSERTS[key] = (sql, [(f, _as_is(f, conn)) for f in fields], returning)
    sql, fields, returning = prepared
    obj._prepare_related_fields_for_save(operation_name="insert_new")  # as save(): no unsaved related rows
    values = obj.__dict__
    params = []
    for f, as_is in fields:
        value = values.get(f.attname, _Unset)
        params.append(value if type(value) in as_is else f.get_db_prep_save(f.pre_save(obj, True), conn))
    with statement_cursor(conn) as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else conn.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = conn.alias

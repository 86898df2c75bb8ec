"""Statements built once and run many times, for the rows written or read with every
answer of a deadline rush (issue 4, bench/rush.py) and with every audit event. There the
ORM took longer to compile each statement, and Django's cursor wrapper longer to pass it
on, than the database took to run it. Used by audit.services (audit_record) and by the
token-link answer path of reporting.services."""
from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, post_save, pre_init, pre_save

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


def _insert_statement(model, conn) -> tuple[str, list, bool]:
    """(INSERT statement, [(field, types written as they are)], whether it returns the
    id) for new rows of `model` on `conn`, built once."""
    key = (model, conn.vendor)
    prepared = _INSERTS.get(key)
    if prepared is None:
        meta = model._meta
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
    return prepared


def _params(obj, fields: list, conn) -> list:
    """The values of a new row's columns, as save() would write them."""
    obj._prepare_related_fields_for_save(operation_name="insert_new")  # as save(): no unsaved related rows
    values = obj.__dict__
    params = []
    for f, as_is in fields:
        value = values.get(f.attname, _Unset)
        params.append(value if type(value) in as_is else f.get_db_prep_save(f.pre_save(obj, True), conn))
    return params


def _has_receivers(model) -> bool:
    return pre_save.has_listeners(model) or post_save.has_listeners(model)


def _saved(obj, pk, conn) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = conn.alias


def insert_new(obj) -> None:
    """Write `obj`, a new row whose id the database assigns, as `obj.save()` would
    (each field's pre_save and conversion for the database) but with an INSERT built once
    per model. A model with pre_save/post_save receivers goes through save() itself, so
    that they run. Sets obj.pk. Raises IntegrityError as save() would."""
    model = type(obj)
    if _has_receivers(model):
        obj.save(force_insert=True)
        return
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields, returning = _insert_statement(model, conn)
    params = _params(obj, fields, conn)
    # as save(): an error inside an atomic block marks it for rollback
    with transaction.mark_for_rollback_on_error(), statement_cursor(conn) as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else conn.ops.last_insert_id(cursor, model._meta.db_table,
                                                                             model._meta.pk.column)
    _saved(obj, pk, conn)


# (model, then's model, then's field, database vendor) -> the statement of insert_first
_FIRSTS: dict[tuple, str] = {}


def insert_first(obj, then, ref: str) -> bool | None:
    """Write `obj`, a new row, and `then`, a new row whose field `ref` holds obj's id
    (converted to that field's type), unless `obj` would break a unique constraint of
    its table: then nothing is written and the result is False. True when both were
    written (their pk set), None when this database cannot do it (the caller writes
    them the usual way).

    On PostgreSQL both rows go in one statement, INSERT … ON CONFLICT DO NOTHING in a
    data-modifying WITH, which is atomic on its own: one round trip to the server where
    a transaction that first looks for the row takes five (BEGIN, a locked SELECT, two
    INSERTs, COMMIT). On SQLite it is INSERT … ON CONFLICT DO NOTHING RETURNING and the
    second INSERT, in one transaction."""
    model, then_model = type(obj), type(then)
    conn = connections[DEFAULT_DB_ALIAS]
    if (conn.vendor not in ("postgresql", "sqlite") or not conn.features.can_return_columns_from_insert
            or _has_receivers(model) or _has_receivers(then_model)):
        return None
    sql, fields, _returning = _insert_statement(model, conn)
    params = _params(obj, fields, conn)
    quote = conn.ops.quote_name
    pk = quote(model._meta.pk.column)
    then_pk = quote(then_model._meta.pk.column)
    ref_field = then_model._meta.get_field(ref)
    then_sql, then_fields, _ = _insert_statement(then_model, conn)
    if conn.vendor == "sqlite":
        # Both rows' values are ready before the write lock is taken (BEGIN IMMEDIATE):
        # every other writer waits while it is held. Only the reference is set inside.
        then_params = _params(then, then_fields, conn)
        at = next(i for i, (f, _as) in enumerate(then_fields) if f is ref_field)
        with transaction.atomic(), statement_cursor(conn) as cursor:
            cursor.execute(f"{sql.rsplit(' RETURNING ', 1)[0]} ON CONFLICT DO NOTHING RETURNING {pk}", params)
            row = cursor.fetchone()
            if row is None:
                return False
            setattr(then, ref_field.attname, ref_field.to_python(row[0]))
            then_params[at] = ref_field.get_db_prep_save(getattr(then, ref_field.attname), conn)
            cursor.execute(then_sql, then_params)
            then_id = cursor.fetchone()[0]
        # only once both are in: a failure leaves obj as unsaved as it was
        _saved(obj, row[0], conn)
        _saved(then, then_id, conn)
        return True
    key = (model, then_model, ref, conn.vendor)
    both = _FIRSTS.get(key)
    if both is None:
        # the SELECT list gives the columns no type: each value is cast to its column's
        columns = []
        for f, _as in then_fields:
            source = "new." + pk if f is ref_field else "%s"
            columns.append(f"CAST({source} AS {f.db_type(conn)})")
        both = _FIRSTS[key] = (
            f"WITH new AS ({sql.rsplit(' RETURNING ', 1)[0]} ON CONFLICT DO NOTHING RETURNING {pk}) "
            f"{then_sql.split(' VALUES ', 1)[0]} SELECT {', '.join(columns)} FROM new "
            f"RETURNING {then_pk}, (SELECT {pk} FROM new)")
    then_params = [p for p, (f, _as) in zip(_params(then, then_fields, conn), then_fields) if f is not ref_field]
    with transaction.mark_for_rollback_on_error(), statement_cursor(conn) as cursor:
        cursor.execute(both, params + then_params)
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(then, row[0], conn)
    _saved(obj, row[1], conn)
    setattr(then, ref_field.attname, ref_field.to_python(obj.pk))
    return True


class Select:
    """A SELECT written once, run many times. `parts` lists (model, alias, field names or
    None for all) in the order of the row; `tail` is the SQL from FROM on, with %s
    placeholders. Each row comes back as one instance per part, as the ORM would build it:
    database converters applied, the fields not listed deferred (loaded when first read).
    `lock` adds FOR UPDATE where the database has it (SQLite locks the whole file instead:
    transactions there are IMMEDIATE, see settings)."""

    def __init__(self, parts: list[tuple[type[models.Model], str, list[str] | None]], tail: str, *,
                 lock: bool = False):
        self.parts = []
        for model, alias, names in parts:
            fields = model._meta.concrete_fields  # from_db wants them in this order
            if names is not None:
                wanted = {model._meta.get_field(n) for n in names}
                fields = [f for f in fields if f in wanted]
            self.parts.append((model, alias, tuple(fields), [f.attname for f in fields]))
        self.tail = tail
        self.lock = lock
        self._compiled: dict[str, tuple[str, list]] = {}  # by database vendor

    def _compile(self, conn) -> tuple[str, list]:
        """The SQL for `conn`, and [(column index, column, converters)] for the columns
        whose values the database backend or the field converts."""
        columns, converters = [], []
        for _model, table, fields, _names in self.parts:
            for f in fields:
                col = f.get_col(table)
                funcs = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                if funcs:
                    converters.append((len(columns), col, funcs))
                columns.append(f'{table}."{f.column}"')
        sql = f"SELECT {', '.join(columns)} {self.tail}"
        if self.lock and conn.features.has_select_for_update:
            sql += " FOR UPDATE"
        return sql, converters

    def run(self, *params) -> list[tuple[models.Model, ...]]:
        conn = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(conn.vendor)
        if compiled is None:
            compiled = self._compiled[conn.vendor] = self._compile(conn)
        sql, converters = compiled
        with statement_cursor(conn) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        out = []
        for row in rows:
            values = list(row)
            for i, col, funcs in converters:
                for func in funcs:
                    values[i] = func(values[i], col, conn)
            objs, start = [], 0
            for model, _table, fields, names in self.parts:
                end = start + len(fields)
                objs.append(from_db(model, conn.alias, names, values[start:end]))
                start = end
            out.append(tuple(objs))
        return out


def from_db(model: type[models.Model], alias: str, names: list[str], values: list) -> models.Model:
    """model.from_db(alias, names, values), the instance written directly where the model
    adds nothing to Model.__init__ and no receiver waits for its pre_init/post_init: all
    that __init__ then does is set these attributes, and it costs more than the query."""
    if model.__init__ is not models.Model.__init__ or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(alias, names, values)
    obj = model.__new__(model)
    obj._state = state = ModelState()
    state.adding, state.db = False, alias
    obj.__dict__.update(zip(names, values))
    return obj

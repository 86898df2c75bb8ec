"""The statements a token-link answer runs without the ORM compiling them
(reporting.services target_by_token, request_metrics and the submission lock;
planwatch.lib.statements): they must read and write exactly what the ORM would."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.signals import post_save
from django.forms.models import model_to_dict
from django.utils import timezone

from audit.models import AuditEvent
from planwatch.lib.statements import insert_first, insert_new
from directory.models import Unit
from reporting import services
from reporting.models import ReportRequest, Submission, Target
from reporting.services import Answer

from .conftest import in_thread, metric


def fields_of(obj, names):
    return {n: getattr(obj, n) for n in names}


def test_target_by_token_reads_what_the_orm_reads(request_open, unit_b):
    request_open.written_deadline = dt.date(2026, 4, 10)
    request_open.save()
    expected = Target.objects.select_related("request", "unit").get(request=request_open, unit=unit_b)
    target = services.target_by_token(expected.token)
    assert target.pk == expected.pk and target.token_nonce == expected.token_nonce
    names = ["title", "description", "slug", "status", "deadline", "written_deadline", "plan_id", "province_id"]
    assert fields_of(target.request, names) == fields_of(expected.request, names)
    assert target.request.deadline.tzinfo is not None  # aware, converted as the ORM converts it
    assert isinstance(target.request.written_deadline, dt.date)
    assert fields_of(target.unit, ["name", "kind", "province_id"]) == fields_of(expected.unit, ["name", "kind", "province_id"])
    # a column left out is loaded when read, as with only()
    assert target.request.remind_days == expected.request.remind_days
    assert target.unit.short_name == expected.unit.short_name


def test_target_by_token_refuses_other_tokens(request_open, unit_a, unit_b, officer):
    ta = Target.objects.get(request=request_open, unit=unit_a)
    tb = Target.objects.get(request=request_open, unit=unit_b)
    assert services.target_by_token(f"{ta.pk}.{tb.token.split('.')[1]}") is None  # B's MAC on A's id
    assert services.target_by_token(f"{10**9}.{ta.token.split('.')[1]}") is None  # no such row
    assert services.target_by_token("abc") is None
    old = ta.token
    services.target_token_renew(user=officer, target=ta, revoke=True)
    assert services.target_by_token(old) is None


def test_request_metrics_are_the_orm_metrics_in_order(request_open):
    request_open.metrics.filter(kind="count").update(position=9)  # first by id, last by position
    expected = list(request_open.metrics.all())
    got = services.request_metrics(request_open)
    assert [m.pk for m in got] == [m.pk for m in expected] and got[-1].kind == "count"
    assert [model_to_dict(m) for m in got] == [model_to_dict(m) for m in expected]
    assert all(isinstance(m.required, bool) for m in got)


def test_submission_lock_is_for_update_where_the_database_has_it():
    sql, _converters = services._SUBMISSION_LOCKED._compile(connection)
    assert sql.endswith(" FOR UPDATE") == connection.features.has_select_for_update


def event_fields(**extra):
    return {"actor_label": "Liên kết riêng: Sở Tài chính", "action": "submission.submit", "object_type": "submission",
            "object_id": "7", "before": {"status": "draft", "values": {}},
            "after": {"status": "submitted", "values": {"1": 12, "4": True, "6": ["https://a.vn/1"]}}, **extra}


def test_insert_new_writes_what_save_writes(province, unit_b):
    at = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.timezone.utc)
    saved = AuditEvent.objects.create(**event_fields(at=at, province=province, unit=unit_b))
    new = AuditEvent(**event_fields(at=at, province=province, unit=unit_b))
    insert_new(new)
    assert new.pk is not None and new.pk != saved.pk and not new._state.adding
    rows = {r.pop("id"): r for r in AuditEvent.objects.values()}
    assert rows[new.pk] == rows[saved.pk]
    assert AuditEvent.objects.get(pk=new.pk).at == at


def test_insert_new_runs_save_signals_when_a_model_has_receivers(province):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    post_save.connect(receiver, sender=AuditEvent)
    try:
        event = AuditEvent(**event_fields(province=province))
        insert_new(event)
    finally:
        post_save.disconnect(receiver, sender=AuditEvent)
    assert seen == [(event.pk, True)] and AuditEvent.objects.filter(pk=event.pk).exists()


def test_insert_new_refuses_an_unsaved_related_row(province):
    with pytest.raises(ValueError):
        insert_new(AuditEvent(**event_fields(province=province, unit=Unit(name="Chưa lưu"))))
    assert not AuditEvent.objects.exists()


def test_insert_new_raises_integrity_error_on_a_twin(request_open, unit_a):
    Submission.objects.create(request=request_open, unit=unit_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(Submission(request=request_open, unit=unit_a))
    assert Submission.objects.count() == 1


def test_two_first_answers_at_once(request_open, unit_a, monkeypatch):
    """The other answer's row appears between the lock and the INSERT: the constraint
    refuses the INSERT, and the answer is saved once more on that row."""
    count = metric(request_open, "count").key
    services.submission_save(request=request_open, unit=unit_a, answer=Answer(values={count: "3"}), submit=False)
    real = services._SUBMISSION_LOCKED.run
    calls = []

    def unseen_once(*params):
        calls.append(params)
        return [] if len(calls) == 1 else real(*params)

    monkeypatch.setattr(services._SUBMISSION_LOCKED, "run", unseen_once)
    s = services.submission_save(request=request_open, unit=unit_a, answer=Answer(values={count: "5"}), submit=True)
    assert len(calls) == 1  # the retry locks the row through the ORM
    assert Submission.objects.get() == s and s.status == Submission.Status.SUBMITTED and s.values == {count: 5}
    assert list(AuditEvent.objects.filter(object_type="submission").order_by("id").values_list("action", flat=True)) == [
        "submission.save", "submission.submit"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_statements_are_prepared_on_postgresql(request_open):
    for _ in range(8):  # the statement itself (request_metrics keeps its answer in memory)
        services._METRICS_OF_REQUEST.run(request_open.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%reporting_metric m%"])
        assert cursor.fetchone()[0] == 1


@pytest.mark.parametrize("field, values", [
    (models.CharField(max_length=20), ["", "Sở Tài chính", None]),
    (models.TextField(), ["Đã triển khai\nđầy đủ", None]),
    (models.BooleanField(), [True, False]),
    (models.BooleanField(null=True), [None]),
    (models.IntegerField(), [0, -5, 10**9]),
    (models.BigIntegerField(), [2**40]),
    (models.SmallIntegerField(), [3]),
    (models.PositiveIntegerField(), [7]),
    (models.PositiveSmallIntegerField(), [1]),
    (models.PositiveBigIntegerField(), [2**50]),
])
def test_values_written_as_they_are_are_what_the_field_would_write(field, values):
    """insert_new skips pre_save and the conversion for these classes and types: pinned
    to what the field itself gives on this database."""
    from planwatch.lib.statements import _as_is

    as_is = _as_is(field, connection)
    for value in values:
        got = field.get_db_prep_save(value, connection)
        assert (type(value) in as_is) == (got == value and type(got) is type(value))
    if connection.vendor == "sqlite":  # where each of these is written as it is
        assert {type(v) for v in values} <= as_is


def test_insert_new_converts_what_it_does_not_know():
    from planwatch.lib.statements import _as_is

    assert bool not in _as_is(models.IntegerField(), connection)  # a bool for an int field is converted
    assert not (_as_is(models.DateTimeField(), connection) or _as_is(models.JSONField(), connection)
                or _as_is(models.EmailField(), connection))
    fk = Submission._meta.get_field("request")
    assert _as_is(fk, connection) == frozenset({int, type(None)})
    assert fk.get_db_prep_save(12, connection) == 12


def test_insert_new_writes_a_submission_as_save_does(request_open, unit_a, unit_b, reporter):
    at = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.timezone.utc)
    fields = dict(status="submitted", values={"1": 12, "5": ["https://a.vn/1"]}, first_submitted_at=at, submitted_at=at,
                  is_late=True, submitted_by=reporter, via_token=False)
    saved = Submission.objects.create(request=request_open, unit=unit_a, **fields)
    new = Submission(request=request_open, unit=unit_b, **fields)
    insert_new(new)
    rows = {r.pop("id"): r for r in Submission.objects.values()}
    for r in rows.values():
        r.pop("unit_id"), r.pop("created_at"), r.pop("updated_at")
    assert rows[new.pk] == rows[saved.pk]


def test_statements_run_on_the_driver_cursor_unless_queries_are_watched(request_open, unit_a):
    """The driver's own cursor, but a query log (DEBUG, assertNumQueries) and an
    execute_wrapper still see every statement of an answer."""
    from django.test.utils import CaptureQueriesContext

    from planwatch.lib.statements import _DriverCursor, statement_cursor

    with statement_cursor(connection) as cursor:
        assert isinstance(cursor, _DriverCursor)
        cursor.execute("SELECT %s + %s", [2, 3])
        assert cursor.fetchone()[0] == 5
    count = metric(request_open, "count").key
    with CaptureQueriesContext(connection) as captured:
        services.submission_save(request=request_open, unit=unit_a, answer=Answer(values={count: "3"}), submit=False)
    logged = " ".join(q["sql"] for q in captured.captured_queries)
    assert "reporting_submission" in logged and "audit_auditevent" in logged
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        services.submission_save(request=request_open, unit=unit_a, answer=Answer(values={count: "4"}), submit=True)
    assert any("audit_auditevent" in sql for sql in seen)


def test_driver_cursor_errors_are_djangos(request_open):
    from django.db import DatabaseError

    from planwatch.lib.statements import statement_cursor

    with pytest.raises(DatabaseError), transaction.atomic(), statement_cursor(connection) as cursor:
        cursor.execute("SELECT no_such_column FROM reporting_metric WHERE id = %s", [1])


def test_rows_are_built_as_from_db_builds_them(request_open, unit_a):
    """statements.from_db, which skips Model.__init__, against Model.from_db itself."""
    from django.db.models.signals import post_init

    target = request_open.targets.get(unit=unit_a)
    (t, r, u), = services._TARGET_BY_ID.run(target.pk)
    for got in (t, r, u):
        model = type(got)
        part = next(p for p in services._TARGET_BY_ID.parts if p[0] is model)
        names = part[3]
        want = model.from_db("default", names, [got.__dict__[n] for n in names])
        assert {k: v for k, v in got.__dict__.items() if k != "_state"} == {
            k: v for k, v in want.__dict__.items() if k != "_state"}
        assert (got._state.adding, got._state.db) == (want._state.adding, want._state.db) == (False, "default")
    assert r.get_deferred_fields() == {f.attname for f in ReportRequest._meta.concrete_fields} - set(
        services._TARGET_BY_ID.parts[1][3])
    assert r.created_at is not None  # a deferred field loads when read
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Target)
    try:
        (t2, _r, _u), = services._TARGET_BY_ID.run(target.pk)
    finally:
        post_init.disconnect(receiver, sender=Target)
    assert seen == [t2]  # a receiver: built by from_db, which sends the signal


# --- insert_first: a first answer and its audit event in one go --------------------------

def first_pair(request_open, unit, **fields):
    sub = Submission(request=request_open, unit=unit, status="submitted", values={"1": 12, "5": ["https://a.vn/1"]},
                     **fields)
    event = AuditEvent(**event_fields(object_id="", province=request_open.province, unit=unit))
    return sub, event


def test_insert_first_writes_both_rows_as_save_writes_them(request_open, unit_a, unit_b, reporter):
    at = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.timezone.utc)
    fields = dict(first_submitted_at=at, submitted_at=at, is_late=True, submitted_by=reporter)
    saved, saved_event = first_pair(request_open, unit_a, **fields)
    saved.save()
    saved_event.object_id = str(saved.pk)
    saved_event.at = at
    saved_event.save()
    sub, event = first_pair(request_open, unit_b, **fields)
    event.at = at
    assert insert_first(sub, event, "object_id") is True
    assert sub.pk and event.pk and not sub._state.adding and not event._state.adding
    assert event.object_id == str(sub.pk)
    subs = {r.pop("id"): r for r in Submission.objects.values()}
    for r in subs.values():
        r.pop("unit_id"), r.pop("created_at"), r.pop("updated_at")
    assert subs[sub.pk] == subs[saved.pk]
    events = {r.pop("id"): r for r in AuditEvent.objects.values()}
    assert events[event.pk].pop("object_id") == str(sub.pk)
    assert events[saved_event.pk].pop("object_id") == str(saved.pk)
    events[event.pk].pop("unit_id"), events[saved_event.pk].pop("unit_id")
    assert events[event.pk] == events[saved_event.pk]


def test_insert_first_writes_nothing_when_the_row_exists(request_open, unit_a):
    Submission.objects.create(request=request_open, unit=unit_a)
    sub, event = first_pair(request_open, unit_a)
    assert insert_first(sub, event, "object_id") is False
    assert sub.pk is None and event.pk is None and sub._state.adding
    assert Submission.objects.count() == 1 and not AuditEvent.objects.exists()


def test_insert_first_leaves_models_with_receivers_to_the_caller(request_open, unit_a):
    def receiver(sender, instance, **kwargs):
        pass

    post_save.connect(receiver, sender=AuditEvent)
    try:
        sub, event = first_pair(request_open, unit_a)
        assert insert_first(sub, event, "object_id") is None
    finally:
        post_save.disconnect(receiver, sender=AuditEvent)
    assert not Submission.objects.exists() and not AuditEvent.objects.exists()


def test_insert_first_writes_neither_row_when_the_second_fails(request_open, unit_a):
    sub, event = first_pair(request_open, unit_a)
    event.action = None  # NOT NULL
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_first(sub, event, "object_id")
    assert not Submission.objects.exists() and not AuditEvent.objects.exists()
    assert sub.pk is None and sub._state.adding and event.pk is None


def test_a_first_answer_is_one_statement_on_postgresql(request_open, unit_a):
    """Its row and its audit event: one statement on PostgreSQL (no BEGIN, no lock, no
    COMMIT round trips), INSERT … ON CONFLICT DO NOTHING and the event's INSERT on SQLite.
    A later answer of the same unit takes the locked path."""
    from django.test.utils import CaptureQueriesContext

    target = request_open.targets.get(unit=unit_a)
    count = metric(request_open, "count").key
    with CaptureQueriesContext(connection) as captured:
        s = services.submission_save(request=request_open, unit=unit_a, answer=Answer(values={count: "3"}),
                                     submit=True, via_token=True, target=target)
    writes = [q["sql"] for q in captured.captured_queries
              if "reporting_submission" in q["sql"] or "audit_auditevent" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(writes) == 1 and writes[0].startswith("WITH new AS (INSERT INTO \"reporting_submission\"")
    else:
        assert len(writes) == 2 and "ON CONFLICT DO NOTHING" in writes[0] and "audit_auditevent" in writes[1]
    assert not any("FOR UPDATE" in q["sql"] for q in captured.captured_queries)
    event = AuditEvent.objects.get(object_type="submission")
    assert (event.object_id, event.unit_id, event.action) == (str(s.pk), unit_a.pk, "submission.submit")
    assert event.after == {"status": "submitted", "values": {count: 3}, "late": False}
    assert event.before == {"status": "draft", "values": {}}
    with CaptureQueriesContext(connection) as captured:
        services.submission_save(request=request_open, unit=unit_a, answer=Answer(values={count: "4"}), submit=True,
                                 via_token=True, target=target)
    assert Submission.objects.get().values == {count: 4}
    assert AuditEvent.objects.filter(object_type="submission").count() == 2


def test_a_first_answer_is_recorded_as_the_locked_path_records_it(request_open, unit_a, unit_b, monkeypatch):
    count, text = metric(request_open, "count").key, metric(request_open, "text").key
    now = timezone.now()
    values = {count: "7", text: "Đã treo băng rôn"}
    fast = services.submission_save(request=request_open, unit=unit_a, answer=Answer(values=values), submit=True,
                                    via_token=True, now=now)
    monkeypatch.setattr(services, "insert_first", lambda *a: None)  # a database without it
    slow = services.submission_save(request=request_open, unit=unit_b, answer=Answer(values=values), submit=True,
                                    via_token=True, now=now)
    names = ["status", "values", "first_submitted_at", "submitted_at", "is_late", "submitted_by_id", "via_token"]
    assert fields_of(Submission.objects.get(pk=fast.pk), names) == fields_of(Submission.objects.get(pk=slow.pk), names)
    ef, es = (AuditEvent.objects.get(object_type="submission", object_id=str(s.pk)) for s in (fast, slow))
    assert (ef.action, ef.before, ef.after, ef.province_id) == (es.action, es.before, es.after, es.province_id)


def test_a_first_answer_missing_a_required_metric_is_refused_by_name(request_open, unit_a):
    text = metric(request_open, "text").key
    with pytest.raises(services.ReportError) as info:
        services.submission_save(request=request_open, unit=unit_a, answer=Answer(values={text: "x"}), submit=True)
    assert list(info.value.errors) == [metric(request_open, "count").key]
    assert not Submission.objects.exists() and not AuditEvent.objects.filter(object_type="submission").exists()


def test_first_answers_of_one_unit_at_once(request_open, unit_a, thread_database):
    """Eight first answers of the same unit race, each on its own connection: one row,
    each answer recorded once, no error."""
    import threading

    count = metric(request_open, "count").key
    barrier = threading.Barrier(8)
    errors = []

    def run(n):
        try:
            barrier.wait(timeout=10)
            services.submission_save(request=request_open, unit=unit_a, answer=Answer(values={count: str(n)}),
                                     submit=True)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors

    def stored():
        rows = list(Submission.objects.filter(request=request_open, unit=unit_a))
        events = list(AuditEvent.objects.filter(object_type="submission").order_by("id"))
        return rows, events

    rows, events = in_thread(stored)
    assert len(rows) == 1 and len(events) == 8 and rows[0].status == "submitted"
    assert {e.object_id for e in events} == {str(rows[0].pk)}
    assert events[0].before == {"status": "draft", "values": {}}
    assert events[-1].after["values"] == rows[0].values

"""mto.reads.fetch: several querysets in one statement on PostgreSQL, each answering what list(queryset) does."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, DecimalField, DurationField, ExpressionWrapper, F, Max, Sum
from django.test.utils import CaptureQueriesContext

from jobs.models import Job, JobStatusChange, Operation, TimeEntry
from mto import reads
from mto.audit import audit_queryset
from sales.models import SalesOrder, SalesOrderLine
from tests.scenarios import approved_order, run_job


def _state(obj):
    """Everything an instance carries: its fields, annotations and select_related objects, recursively."""
    values = {k: v for k, v in obj.__dict__.items() if not k.startswith("_")}
    related = {name: _state(o) if o is not None else None for name, o in obj._state.fields_cache.items()}
    return values, related


def _same(fetched, plain):
    if isinstance(plain, list) and plain and hasattr(plain[0], "_state"):
        return [_state(o) for o in fetched] == [_state(o) for o in plain]
    return fetched == plain


@pytest.fixture
def shop(office, manager, lead):
    orders = [approved_order(office, manager, lines=3, quantity=7) for _ in range(8)]
    for job in Job.objects.filter(sales_order=orders[0]):
        run_job(job, lead, 7)
    return orders


def _reads(orders):
    first = orders[0]
    duration = ExpressionWrapper(F("stopped_at") - F("started_at"), output_field=DurationField())
    return {
        "orders": SalesOrder.objects.select_related("customer", "ship_to").order_by("-id"),
        "lines": SalesOrderLine.objects.filter(order__in=orders)
        .select_related("order__customer", "item")
        .annotate(job_count=Count("jobs"))
        .order_by("order_id", "-line_no"),
        "sliced": Operation.objects.select_related("work_center", "job").order_by("-id")[3:9],
        "entries": TimeEntry.objects.annotate(took=duration).order_by("started_at", "id"),
        "values": Job.objects.filter(sales_order=first).values("number", "due_date", "status").order_by("number"),
        "tuples": JobStatusChange.objects.values_list("job_id", "changed_at", "to_status").order_by("id"),
        "flat": SalesOrderLine.objects.filter(order=first).values_list("unit_price", flat=True).order_by("id"),
        "nothing": Job.objects.filter(pk__in=[]),
        "none_match": Job.objects.filter(number="no such job"),
        "money": reads.aggregate(
            SalesOrderLine.objects.filter(order__in=orders),
            v=Sum(F("quantity") * F("unit_price"), output_field=DecimalField()),
            last=Max("due_date"),
        ),  # fmt: skip
        "jobs": reads.count(Job.objects.filter(sales_order__in=orders)),
        "no_jobs": reads.count(Job.objects.filter(number="no such job")),
    }


def _plain(read):
    if isinstance(read, reads.Aggregate):
        return read.result(list(read.queryset))
    return list(read)


def test_fetch_answers_what_each_queryset_answers_in_one_statement(shop):
    declared = _reads(shop)
    plain = {name: _plain(read) for name, read in declared.items()}
    assert len(plain["orders"]) == 8 and len(plain["lines"]) == 24 and len(plain["sliced"]) == 6
    assert plain["entries"] and plain["tuples"] and plain["jobs"] == 24 and plain["no_jobs"] == 0
    assert plain["money"]["v"] > 0 and isinstance(plain["money"]["last"], datetime.date)
    with CaptureQueriesContext(connection) as ctx:
        fetched = reads.fetch(**_reads(shop))
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else len(declared) - 1)
    for name in declared:
        assert _same(fetched[name], plain[name]), name
    # Types as the driver gives them: aware datetimes, Decimals with their scale, timedeltas.
    entry = fetched["entries"][0]
    assert entry.started_at.utcoffset() == datetime.timedelta(0) and isinstance(entry.took, datetime.timedelta)
    assert str(fetched["flat"][0]) == str(plain["flat"][0])
    line = fetched["lines"][0]
    assert line.order.customer.name and line.job_count == 1  # select_related two deep, an annotation


def test_attach_fills_what_prefetch_related_would(shop):
    job = Job.objects.filter(sales_order=shop[0]).first()
    rows = reads.fetch(jobs=Job.objects.filter(pk=job.pk), ops=Operation.objects.filter(job=job).order_by("-sequence"))
    reads.attach(rows["jobs"], rows["ops"], key="job_id", cache_name="operations")
    with CaptureQueriesContext(connection) as ctx:
        ops = list(rows["jobs"][0].operations.all())
    assert not ctx.captured_queries
    assert [op.pk for op in ops] == list(job.operations.order_by("-sequence").values_list("pk", flat=True))


def test_a_prefetch_is_refused_rather_than_run_after(db):
    with pytest.raises(ValueError, match="prefetch_related"):
        reads.fetch(a=Job.objects.prefetch_related("operations"), b=Job.objects.all())


def test_a_prepared_fetch_answers_what_each_queryset_answers(shop):
    declared = _reads(shop)
    plain = {name: _plain(read) for name, read in declared.items()}
    with CaptureQueriesContext(connection) as ctx:
        fetched = reads.fetch(prepared=True, **_reads(shop))
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else len(declared) - 1)
    for name in declared:
        assert _same(fetched[name], plain[name]), name


def _job_reads(job):
    return {"job": Job.objects.select_related("sales_order__customer").filter(pk=job.pk),
            "ops": Operation.objects.filter(job_id=job.pk).order_by("sequence"),
            "history": JobStatusChange.objects.filter(job_id=job.pk).order_by("id")}  # fmt: skip


def _statements_like(pattern):
    with connection.cursor() as cursor:
        sql = "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s"
        cursor.execute(sql, [pattern])
        return cursor.fetchall()


def _prepared_reads_statements():
    return _statements_like("SELECT (SELECT json_agg%")


def test_one_prepared_statement_serves_every_key_and_postgresql_keeps_its_generic_plan(shop):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite runs the reads one by one and prepares nothing")
    jobs = list(Job.objects.order_by("id"))
    assert len(jobs) >= 8
    for job in jobs[:8]:
        rows = reads.fetch(prepared=True, **_job_reads(job))
        assert rows["job"][0].pk == job.pk and rows["job"][0].sales_order.customer.name
        assert [op.pk for op in rows["ops"]] == list(job.operations.order_by("sequence").values_list("pk", flat=True))
    # One statement for the eight jobs, run eight times; after PostgreSQL's five custom plans, the generic one.
    [(generic, custom)] = _prepared_reads_statements()
    assert generic + custom == 8 and generic >= 1, (generic, custom)


def test_a_fetch_not_asked_to_prepare_prepares_nothing(shop):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    for job in Job.objects.order_by("id")[:8]:
        reads.fetch(**_job_reads(job))
    assert _prepared_reads_statements() == []


def test_a_prepared_statement_outlives_a_failed_transaction(shop):
    job = Job.objects.order_by("id").first()
    reads.fetch(prepared=True, **_job_reads(job))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        reads.fetch(prepared=True, **_job_reads(job))  # prepared already: run inside the failing transaction
        cursor.execute("SELECT * FROM no_such_table")
    rows = reads.fetch(prepared=True, **_job_reads(job))
    assert rows["job"][0].pk == job.pk


def test_a_read_compiled_once_answers_what_its_queryset_answers_for_every_key(office, manager, superuser):
    from django.contrib.auth import get_user_model

    from mto.models import Notification

    User = get_user_model()
    in_app = Notification.Channel.IN_APP
    Notification.objects.create(recipient=office, channel=in_app, kind="t", subject="s", body_text="b")
    built = []

    def build(pk):
        built.append(pk)
        return (
            User.objects.filter(pk=pk)
            .annotate(n=Count("notifications"), joined=Max("date_joined"))
            .values_list("username", "n", "joined", "groups__name")
            .order_by("groups__name")
        )

    read = reads.CompiledRows(build)
    for user in (office, manager, superuser, office):
        assert read.rows(user.pk) == list(build(user.pk)), user
    assert read.rows(-1) == [] and read.rows("7") == list(build("7"))  # no user; not an int: the ORM's way
    assert read.rows(office.pk)[0][:2] == ("office", 1)
    if connection.vendor == "postgresql":
        # Compiled for the marker once; each check above built its own queryset.
        assert [built.count(marker) for marker in reads.CompiledRows.MARKERS[int]] == [1, 1]
        assert len(_statements_like("SELECT %auth_user%")) == 1


def test_a_read_compiled_once_must_filter_by_its_key(db):
    read = reads.CompiledRows(lambda pk: Job.objects.values_list("number"))
    if connection.vendor == "postgresql":
        with pytest.raises(ValueError, match="filter by the key"):
            read.rows(1)
    else:
        assert read.rows(1) == []


def _one_job(pk):
    return {
        "job": Job.objects.select_related("sales_order__customer", "sales_order_line").filter(pk=pk),
        "ops": Operation.objects.filter(job_id=pk).select_related("work_center").order_by("-sequence"),
        "entries": TimeEntry.objects.filter(operation__job_id=pk).values_list("operation_id", "started_at"),
        "history": JobStatusChange.objects.filter(job_id=pk).values("to_status", "changed_at").order_by("id"),
        "count": reads.count(Operation.objects.filter(job_id=pk, status=Operation.Status.DONE)),
        "hours": reads.aggregate(Operation.objects.filter(job_id=pk), v=Sum("run_hours_per_piece")),
        "audit": audit_queryset(Job, pk),  # a positive field: the stand-in key must be in its range
    }


def test_reads_compiled_once_answer_for_each_key_what_the_reads_answer(shop):
    built = []

    def build(pk):
        built.append(pk)
        return _one_job(pk)

    page = reads.CompiledReads(build)
    jobs = list(Job.objects.order_by("id"))
    from mto.models import AuditEntry

    AuditEntry.objects.create(object_type="jobs.Job", object_id=jobs[1].pk, object_label=jobs[1].number,
                              field="quantity", before="7", after="8")  # fmt: skip
    for job in [*jobs[:4], jobs[0]]:
        plain = {name: _plain(read) for name, read in _one_job(job.pk).items()}
        with CaptureQueriesContext(connection) as ctx:
            fetched = page.fetch(job.pk)
        assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else len(plain))
        for name in plain:
            assert _same(fetched[name], plain[name]), (job.pk, name)
        assert fetched["job"][0].sales_order.customer.name and fetched["ops"][0].work_center.code
    every = [page.fetch(job.pk) for job in jobs]
    assert any(f["entries"] for f in every) and any(f["audit"] for f in every)  # run_job and approval made some
    nothing = page.fetch(-5)
    assert nothing["job"] == [] and nothing["count"] == 0 and nothing["hours"] == {"v": None}
    if connection.vendor == "postgresql":
        assert [built.count(marker) for marker in reads.CompiledRows.MARKERS[int]] == [1, 1]
        assert len(_statements_like("SELECT (SELECT json_agg%")) == 1  # one prepared statement for every job


@pytest.mark.django_db(transaction=True)
def test_reads_compiled_once_build_each_threads_own_results(office, manager, lead):
    """The kept querysets and compilers are shared: each call builds from copies (gthread workers)."""
    from concurrent.futures import ThreadPoolExecutor

    orders = [approved_order(office, manager, lines=2, quantity=3) for _ in range(3)]
    jobs = list(Job.objects.filter(sales_order__in=orders).order_by("id"))
    page = reads.CompiledReads(_one_job)

    def read(job):
        try:
            return [(job.pk, [op.pk for op in page.fetch(job.pk)["ops"]]) for _ in range(15)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = [answer for answers in pool.map(read, jobs * 2) for answer in answers]
    expected = {job.pk: list(job.operations.order_by("-sequence").values_list("pk", flat=True)) for job in jobs}
    assert len(answers) == len(jobs) * 2 * 15
    assert all(ops == expected[pk] for pk, ops in answers)


def test_reads_compiled_once_must_filter_by_their_key_and_not_depend_on_it(db):
    unkeyed = reads.CompiledReads(lambda pk: {"jobs": Job.objects.all(), "ops": Operation.objects.all()})
    branching = reads.CompiledReads(lambda pk: {"jobs": Job.objects.filter(pk=pk)[: pk % 7]})  # SQL of the key
    prefetching = reads.CompiledReads(lambda pk: {"jobs": Job.objects.filter(pk=pk).prefetch_related("notes")})
    if connection.vendor == "postgresql":
        for page in (unkeyed, branching):
            with pytest.raises(ValueError, match="filter by the key, and be the same reads for every key"):
                page.fetch(1)
        with pytest.raises(ValueError, match="prefetch_related"):
            prefetching.fetch(1)
    else:
        assert unkeyed.fetch(1) == {"jobs": [], "ops": []}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads are kept compiled on PostgreSQL only")
def test_reads_kept_for_two_keys_bind_each_in_its_places(shop):
    """KeptReads (mto.panels' compiled reads): a job's key and its order line's, each stand-in found in its own
    places; a key no read uses may be None, a used one may not (the page then reads as before)."""

    def build(keys):
        pk, line = keys
        return {"job": Job.objects.filter(pk=pk), "line": SalesOrderLine.objects.filter(pk=line),
                "ops": reads.count(Operation.objects.filter(job_id=pk))}  # fmt: skip

    kept = reads.KeptReads("default", build, keys=2)
    assert [len(places) for places in kept.positions] == [2, 1]
    SalesOrderLine.objects.create(order=shop[0], line_no=99, item=SalesOrderLine.objects.first().item, quantity=1,
                                  unit_price=1, due_date=datetime.date(2027, 1, 1))  # fmt: skip
    for job in Job.objects.order_by("id"):
        other_line = SalesOrderLine.objects.exclude(pk=job.sales_order_line_id).order_by("-id").first()
        fetched = kept.fetch((job.pk, other_line.pk))
        assert fetched["job"] == [job] and fetched["line"] == [other_line]
        assert fetched["ops"] == job.operations.count()
    assert kept.bindable((1, 2)) and not kept.bindable((1, None)) and not kept.bindable(("1", 2))
    job_only = reads.KeptReads("default", lambda keys: {"job": Job.objects.filter(pk=keys[0])}, keys=2)
    assert job_only.positions[1] == [] and job_only.bindable((1, None))
    first = Job.objects.order_by("id").first()
    assert job_only.fetch((first.pk, None))["job"] == [first]
    with pytest.raises(ValueError, match="filter by the key"):
        reads.KeptReads("default", lambda keys: {"job": Job.objects.filter(pk=1)}, keys=2)


# --- CompiledQuery: a queryset by key compiled once (the tablets' locks and reads) ------------------------------


def _operations_of(job_id):
    return (
        Operation.objects.filter(job_id=job_id)
        .select_related("work_center", "job__sales_order")
        .annotate(entries=Count("time_entries"))
        .order_by("-sequence")
    )


def test_a_query_compiled_once_answers_what_its_queryset_answers_for_every_key(shop):
    built = []

    def build(job_id):
        built.append(job_id)
        return _operations_of(job_id)

    query = reads.CompiledQuery(build)
    others = {
        "values": lambda pk: Job.objects.filter(pk=pk).values("number", "due_date", "quantity"),
        "flat": lambda pk: JobStatusChange.objects.filter(job_id=pk).values_list("to_status", flat=True),
        "sliced": lambda pk: Operation.objects.filter(job_id=pk).order_by("sequence")[1:2],
    }
    compiled = {name: reads.CompiledQuery(build_other) for name, build_other in others.items()}
    jobs = list(Job.objects.order_by("id"))
    for job in [*jobs[:4], jobs[0]]:
        with CaptureQueriesContext(connection) as ctx:
            operations = query.all(job.pk)
        assert len(ctx.captured_queries) == 1
        assert _same(operations, list(_operations_of(job.pk))) and operations
        assert operations[0].work_center.code and operations[0].job.sales_order.number  # select_related, built
        for name, build_other in others.items():
            answer = compiled[name].all(job.pk)
            assert answer == list(build_other(job.pk)) and answer, (job.pk, name)
    assert any(op.entries for job in jobs for op in query.all(job.pk))  # run_job's time entries, annotated
    assert query.all(-3) == [] and query.all("5") == list(_operations_of("5"))  # none; a str: the ORM's way
    if connection.vendor == "postgresql":
        assert query.all(2**70) == []  # past a bigint: the ORM's way, which compiles it to no rows
        assert [built.count(marker) for marker in reads.CompiledQuery.MARKERS[int]] == [1, 1]
        assert len(_statements_like('SELECT "jobs_operation"."id"%COUNT("jobs_timeentry"."id")%')) == 1


def test_a_compiled_query_gets_one_as_get_does(shop):
    job = Job.objects.order_by("id").first()
    one = reads.CompiledQuery(lambda pk: Job.objects.filter(pk=pk))
    assert one.get(job.pk) == job and one.model is Job
    with pytest.raises(Job.DoesNotExist):
        one.get(-1)
    several = reads.CompiledQuery(lambda pk: Operation.objects.filter(job_id=pk))
    with pytest.raises(Operation.MultipleObjectsReturned):
        several.get(job.pk)


@pytest.mark.django_db(transaction=True)
def test_a_compiled_query_refuses_what_it_cannot_keep():
    unkeyed = reads.CompiledQuery(lambda pk: Job.objects.all())
    prefetching = reads.CompiledQuery(lambda pk: Job.objects.filter(pk=pk).prefetch_related("operations"))
    locking = reads.CompiledQuery(lambda pk: Job.objects.select_for_update().filter(pk=pk))
    if connection.vendor == "postgresql":  # (SQLite has no row locks: Django drops FOR UPDATE there)
        with pytest.raises(transaction.TransactionManagementError):
            locking.all(1)  # outside a transaction: as Django's own compiler refuses it
        with pytest.raises(ValueError, match="filter by the key"):
            unkeyed.all(1)
        with pytest.raises(ValueError, match="prefetch_related"):
            prefetching.all(1)
        with transaction.atomic():
            assert locking.all(1) == []  # compiled now, inside one
        with pytest.raises(transaction.TransactionManagementError):
            locking.all(1)  # kept SQL, still refused outside
    else:
        assert unkeyed.all(1) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_compiled_lock_holds_the_row_until_its_transaction_ends(office, manager):
    """FOR UPDATE is in the kept SQL: another transaction cannot take the row meanwhile."""
    from concurrent.futures import ThreadPoolExecutor

    job = Job.objects.filter(sales_order=approved_order(office, manager, lines=1)).get()
    lock = reads.CompiledQuery(lambda pk: Job.objects.select_for_update().filter(pk=pk))

    def take_it_too():
        try:
            with transaction.atomic():
                list(Job.objects.select_for_update(nowait=True).filter(pk=job.pk))
            return "taken"
        except DatabaseError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as other:
        with transaction.atomic():
            assert lock.get(job.pk).pk == job.pk
            assert other.submit(take_it_too).result() == "refused"
        assert other.submit(take_it_too).result() == "taken"


def test_any_of_a_list_answers_what_in_answers_with_one_parameter(shop):
    jobs = list(Job.objects.order_by("id").values_list("pk", flat=True))
    numbers = list(Job.objects.order_by("id").values_list("number", flat=True))
    for ids in ([], jobs[:1], jobs[:3], [*jobs, 2**40]):
        picked = Operation.objects.filter(job_id__any=ids).order_by("id")
        assert list(picked) == list(Operation.objects.filter(job_id__in=ids).order_by("id"))
        sql, params = picked.query.sql_with_params() if ids else ("", [])
        if ids and connection.vendor == "postgresql":
            assert "= ANY(%s)" in sql and params == (ids,)  # one parameter, whatever the length
    assert list(Job.objects.filter(number__any=numbers[1:]).order_by("id")) == list(Job.objects.order_by("id")[1:])
    assert list(Operation.objects.filter(job__any=set(jobs[:2])).order_by("id")) == list(
        Operation.objects.filter(job_id__in=jobs[:2]).order_by("id")
    )
    with pytest.raises(TypeError, match="list of values"):
        Operation.objects.filter(job_id__any=jobs[0])


def test_a_query_compiled_once_by_a_list_of_keys_answers_for_every_list(shop):
    built = []

    def build(ids):
        built.append(ids)
        return Operation.objects.filter(job_id__any=ids).select_related("work_center").order_by("job_id", "sequence")

    query = reads.CompiledQuery(build, key_type=list[int])
    by_number = reads.CompiledQuery(lambda numbers: Job.objects.filter(number__any=numbers), key_type=list[str])
    jobs = list(Job.objects.order_by("id"))
    ids = [job.pk for job in jobs]
    for key in ([], ids[:1], ids[:2], tuple(ids), {ids[-1]}, [ids[0], ids[0]], [-5, 2**40]):
        expected = Operation.objects.filter(job_id__in=key).select_related("work_center")
        expected = list(expected.order_by("job_id", "sequence"))
        with CaptureQueriesContext(connection) as ctx:
            answer = query.all(key)
        assert len(ctx.captured_queries) == 1 or not key  # (an empty list: no query off PostgreSQL)
        assert _same(answer, expected), key
        assert all(op.work_center.code for op in answer)
    assert {job.pk for job in by_number.all([jobs[0].number, jobs[-1].number])} == {jobs[0].pk, jobs[-1].pk}
    assert query.all([2**70]) == []  # past a bigint: the ORM's way
    with pytest.raises(ValueError, match="key is one of"):
        reads.CompiledQuery(build, key_type=dict)
    if connection.vendor == "postgresql":
        # Built twice, for the stand-ins, and then only for the empty list and the key past a bigint: every other
        # list ran the kept SQL, one prepared statement (one array type) for lists of small and large ids.
        assert built == [[], *reads.CompiledQuery.MARKERS[list[int]], [2**70]]
        assert len(_statements_like('SELECT "jobs_operation"."id"%"jobs_workcenter"."code"%= ANY(%')) == 1

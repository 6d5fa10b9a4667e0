"""Several reads in one round trip: a page's selectors and panels declare querysets, `fetch()` runs them together.

A page is assembled from parts that know nothing of each other (mto.panels); each used to run its own queries,
so a page's count was the sum of its panels'. Here a part declares its reads as ordinary querysets (filters,
`select_related`, annotations, slices, `values()`), the page hands all of them to `fetch()`, and each comes
back as the list `list(queryset)` would give, built by Django's own iterables from the same columns:

    rows = reads.fetch(
        operations=Operation.objects.filter(job_id=pk).select_related("work_center"),
        notes=JobNote.objects.filter(job_id=pk),
        late=reads.count(Job.objects.filter(due_date__lt=today)),     # a number
        book=reads.aggregate(lines, v=Sum("quantity")),                # {"v": ...}
    )
    rows["operations"]  # [Operation, ...]

On PostgreSQL that is ONE statement whatever the number of reads, each read a scalar subquery aggregating its
rows to JSON, typed back by its columns' fields:

    SELECT (SELECT json_agg(t) FROM (SELECT c0, c1, ... FROM (<read 1>) AS s(c0, c1, ...)) t) AS r0,
           (SELECT json_agg(t) FROM (...) t) AS r1, ...

PostgreSQL aggregates a sorted subquery in its order (the documented "usually works" of json_agg; a read's
ORDER BY and LIMIT stay in its own subquery). On other databases (SQLite, the embedded default) the reads run
one by one: the same results, more queries; budgets are asserted on PostgreSQL.

`prefetch_related` is refused (it would run its own queries afterwards): declare the children as reads of
their own and join them with `attach()`, which fills the same cache a prefetch does.

`fetch(prepared=True, ...)` also has PostgreSQL keep the statement prepared on the connection, its values bound
by the server: the statement's text is then the same for every job or order, and after five executions
PostgreSQL may keep one generic plan instead of planning it again (planning cost the job page more than
running its reads). A generic plan cannot see the values, so only reads whose every filter is a key
(`pk=`, `job_id=`, a parent's key) may ask for it: a plan right for one key is right for all. A date or a
status compared by range is not a key: one such read made the late-jobs list 7x slower on its generic plan
(docs/performance.md, round five). `bench/generic_plans.py` checks each prepared page's generic plan at scale.
"""

import datetime
import functools
import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, QuerySet, Value
from django.db.transaction import TransactionManagementError


class Aggregate:
    """A read that answers one row of aggregates ({name: value}), like `QuerySet.aggregate()`."""

    def __init__(self, queryset: QuerySet, **aggregates):
        # A constant grouping: no GROUP BY, so exactly one row even when nothing matches (as aggregate() does).
        self.queryset = (
            queryset.order_by().annotate(_all=Value(1)).values("_all").annotate(**aggregates).values(*aggregates)
        )

    def result(self, rows: list) -> dict:
        return rows[0]


class _Count(Aggregate):
    def __init__(self, queryset: QuerySet):
        super().__init__(queryset, n=Count("*"))

    def result(self, rows: list) -> int:
        return rows[0]["n"]


def aggregate(queryset: QuerySet, **aggregates) -> Aggregate:
    """`queryset.aggregate(**aggregates)` as a read."""
    return Aggregate(queryset, **aggregates)


def count(queryset: QuerySet) -> Aggregate:
    """`queryset.count()` as a read."""
    return _Count(queryset)


Read = QuerySet | Aggregate

_together = threading.local()


@contextmanager
def one_by_one():
    """Within it, fetch() runs each read on its own as on SQLite (bench/reads_ab.py compares the two)."""
    _together.off = True
    try:
        yield
    finally:
        _together.off = False


def fetch(using: str | None = None, prepared: bool = False, **reads: Read) -> dict:
    """Every read's result ({name: list, or what an aggregate answers}), in one statement on PostgreSQL;
    `prepared`: a statement PostgreSQL keeps prepared (reads by key only; see above)."""
    querysets = {name: read.queryset if isinstance(read, Aggregate) else read for name, read in reads.items()}
    for name, queryset in querysets.items():
        if queryset._prefetch_related_lookups:
            raise ValueError(f"Read {name!r} has prefetch_related(): declare its children as reads and attach() them")
    if not querysets:
        return {}
    db = using or next(iter(querysets.values())).db
    if connections[db].vendor == "postgresql" and len(querysets) > 1 and not getattr(_together, "off", False):
        rows = _fetch_together(db, querysets, prepared=prepared)
    else:
        rows = {name: list(queryset) for name, queryset in querysets.items()}
    return {name: read.result(rows[name]) if isinstance(read, Aggregate) else rows[name]
            for name, read in reads.items()}  # fmt: skip


class CompiledQuery:
    """A queryset by one key on a hot path (a tablet's piece report locks its operation, job and order; every request
    reads its user), its SQL compiled once per process.

    `build(key)` makes the queryset: model instances (with select_related objects and annotations), values() or
    values_list(), select_for_update() included. Its SQL, compiled for two stand-in keys (_key_places), is kept,
    and each call binds the real key where the stand-in was, on a prepared statement (PostgreSQL), and builds the
    results with the queryset's own iterable: what `list(build(key))` answers, without the ORM compiling it again
    (compiling a lookup by key cost Django four to five times what PostgreSQL took to run it; docs/performance.md,
    round ten). The key is an int (a primary key); with `key_type=str`, a string (a token); with `key_type=list[int]`
    (or `list[str]`), a list of them, which `build` filters with `field__any=key` (mto.lookups: one array parameter,
    so the SQL is the same for every length). Other databases, and a key of another type, run `build(key)` as usual.
    """

    # Two stand-ins for the key, values no other of a read's is: in range of every integer field (Django
    # compiles an out-of-range value, e.g. a negative one against a positive field, to "no rows"; it did to the
    # job page's audit trail).
    MARKERS = {
        int: (2_000_000_011, 2_000_000_017),
        str: ("mto.reads: the key", "mto.reads: the key, again"),
        list[int]: ([2_000_000_011], [2_000_000_017]),
        list[str]: (["mto.reads: the key"], ["mto.reads: the key, again"]),
    }

    def __init__(self, build: Callable[[int | str | list], QuerySet], key_type=int):
        if key_type not in self.MARKERS:
            raise ValueError(f"a compiled query's key is one of {', '.join(map(str, self.MARKERS))}")
        self.build, self.key_type = build, key_type
        self._compiled = {}

    def all(self, key, using: str | None = None) -> list:
        db = using or DEFAULT_DB_ALIAS
        connection = connections[db]
        if self.key_type in (list[int], list[str]) and isinstance(key, (tuple, set, frozenset)):
            key = list(key)
        if connection.vendor != "postgresql" or not _bindable(key, self.key_type):
            return list(self.build(key))
        kept = self._compiled.get(db)
        if kept is None:

            def compile_for(marker):
                queryset = self.build(marker)
                if queryset._prefetch_related_lookups:
                    raise ValueError("A compiled query has prefetch_related(): it would never run")
                compiler = queryset.query.get_compiler(using=db)
                return (queryset, compiler), *compiler.as_sql()

            ((queryset, compiler), sql, params), positions = _key_places(compile_for, self.MARKERS[self.key_type])
            kept = self._compiled[db] = (queryset, compiler, sql, params, positions)
        queryset, compiler, sql, params, positions = kept
        if queryset.query.select_for_update and connection.get_autocommit():
            # What Django's compiler says when it compiles one; kept SQL is not compiled again.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with _preparing_cursor(connection) as cursor:
            cursor.execute(sql, _bound(params, positions, key))
            rows = cursor.fetchall()
        copied = _shallow(queryset)
        copied._query = _shallow(queryset.query)  # not `.query =`: its setter resets values_list()'s iterable
        return _build(copied, _shallow(compiler), rows)

    @functools.cached_property
    def model(self):
        """The model the query reads (its DoesNotExist is get()'s): built, never compiled."""
        return self.build(self.MARKERS[self.key_type][0]).model

    def get(self, key, using: str | None = None):
        """The one result, as `build(key).get()` answers it: the model's DoesNotExist when there is none."""
        found = self.all(key, using)
        if len(found) == 1:
            return found[0]
        model = self.model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}.")


def _bindable(key, key_type) -> bool:
    """A key the kept SQL can take: of the query's key type, an int within a bigint (Django compiles one out of a
    field's range to "no rows", without asking the database; the ORM's way answers it), a list of such."""
    if key_type is int or key_type is str:
        return type(key) is key_type and (key_type is str or -(2**63) <= key < 2**63)
    item = int if key_type == list[int] else str  # (`==`: each `list[int]` is a new alias)
    # An empty list has no array type to bind: the ORM's way (as rare as it is cheap).
    fits = (lambda v: type(v) is str) if item is str else (lambda v: type(v) is int and -(2**63) <= v < 2**63)
    return type(key) is list and bool(key) and all(map(fits, key))


class CompiledRows(CompiledQuery):
    """A values_list() read by one key (the signed-in user's, an API token's): its tuples."""

    def rows(self, key, using: str | None = None) -> list[tuple]:
        return self.all(key, using)


def _key_places(compile_for: Callable, markers: tuple) -> tuple[tuple, list]:
    """(what compile_for(first marker) answers, the places of the key among its values). The reads are compiled
    for two stand-ins: the SQL must be the same and the values differ only where the key is, else the reads
    depend on the key's value (a branch, a read compiled to nothing) and cannot be kept for every key.
    Several keys (an object's pk and a parent's): each marker a tuple of stand-ins, one per key, and the places
    a list per key; a key may have no place (a read that does not use it), but one of them must."""
    several = isinstance(markers[0], tuple)
    firsts, seconds = markers if several else ((markers[0],), (markers[1],))
    first, second = compile_for(markers[0]), compile_for(markers[1])
    (_, sql, params), (_, other_sql, other_params) = first, second

    def places_of(values, stand_ins):
        return [[i for i, v in enumerate(values) if isinstance(v, type(m)) and v == m] for m in stand_ins]

    places, others = places_of(params, firsts), places_of(other_params, seconds)
    keyed = {i for key_places in places for i in key_places}
    same_elsewhere = len(params) == len(other_params) and all(
        a == b for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if i not in keyed
    )
    if not keyed or places != others or sql != other_sql or not same_elsewhere:
        raise ValueError("mto.reads: the reads must filter by the key, and be the same reads for every key")
    return first, places if several else places[0]


def _bound(params: list, positions: list, key) -> list:
    """The kept values with the key in its places, of the type Django gave there (an int, the driver's Int8, a str).
    Several keys: `positions` a list per key and `key` a tuple."""
    bound = list(params)
    for places, value in zip(positions, key, strict=True) if isinstance(key, tuple) else ((positions, key),):
        for position in places:
            bound[position] = _as_array(value) if type(value) is list else type(params[position])(value)
    return bound


def _as_array(values: list) -> list:
    """A list key bound as one type of array whatever its values (psycopg would pick int2[], int4[] or int8[] by
    their size, and prepare the statement again for each)."""
    from psycopg.types.numeric import Int8  # (PostgreSQL's path only)

    return [Int8(v) for v in values] if values and type(values[0]) is int else values


def attach(parents: Iterable, children: Iterable, *, key: str, cache_name: str, to_attr: str | None = None) -> None:
    """What `prefetch_related(cache_name)` would leave on each parent, from children read separately: `key` is
    the children's attribute holding their parent's id (e.g. "job_id"); the children keep their order and, as
    a prefetch does, point back at their parent. With `to_attr`, a plain list on that attribute instead (as
    `Prefetch(..., to_attr=...)`)."""
    parents = list(parents)
    by_id = {parent.pk: parent for parent in parents}
    by_parent = defaultdict(list)
    for child in children:
        parent_id = getattr(child, key)
        by_parent[parent_id].append(child)
        parent = by_id.get(parent_id)
        field = child._meta.get_field(key.removesuffix("_id")) if key.endswith("_id") and parent else None
        if field is not None and field.related_model is type(parent):
            field.set_cached_value(child, parent)
    for parent in parents:
        found = by_parent.get(parent.pk, [])
        if to_attr:
            setattr(parent, to_attr, found)
            continue
        queryset = getattr(parent, cache_name).get_queryset()
        queryset._result_cache = found
        queryset._prefetch_done = True
        parent.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = queryset


# --- PostgreSQL: all reads in one statement -------------------------------------------------------------------


def _fetch_together(db: str, querysets: dict[str, QuerySet], *, prepared: bool = False) -> dict[str, list]:
    statement = _Statement(db, querysets)
    return statement.results(statement.run(db, statement.params, prepared=prepared))


class _Statement:
    """Reads compiled into one statement: its SQL and values, and per read what builds its results."""

    def __init__(self, db: str, querysets: dict[str, QuerySet]):
        parts, self.params, self.reads = [], [], {}
        for name, queryset in querysets.items():
            queryset = queryset._chain()
            compiler = queryset.query.get_compiler(using=db)
            try:
                sql, sql_params = compiler.as_sql()
            except EmptyResultSet:  # e.g. pk__in=[]: nothing to ask the database
                self.reads[name] = (queryset, compiler, None)
                continue
            columns = [f"c{i}" for i in range(len(compiler.select))]
            typed = ", ".join(_to_json(c, select[0]) for c, select in zip(columns, compiler.select, strict=True))
            aliases = ", ".join(columns)
            n = len(parts)
            parts.append(f"(SELECT json_agg(t) FROM (SELECT {typed} FROM ({sql}) AS s({aliases})) AS t) AS r{n}")
            self.params.extend(sql_params)
            compiler.__dict__["_read_kinds"] = [_internal_type(select[0]) for select in compiler.select]
            self.reads[name] = (queryset, compiler, n)
        self.sql = f"SELECT {', '.join(parts)}" if parts else None

    def run(self, db: str, params: list, *, prepared: bool) -> tuple:
        if self.sql is None:
            return ()
        connection = connections[db]
        with _preparing_cursor(connection) if prepared else connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchone()

    def results(self, answers: tuple) -> dict[str, list]:
        return _results(self.reads, answers)


def _results(reads: dict, answers: tuple) -> dict[str, list]:
    result = {}
    for name, (queryset, compiler, position) in reads.items():
        raw = answers[position] if position is not None else None
        if isinstance(raw, str):  # the driver did not decode json
            raw = json.loads(raw, parse_float=Decimal)
        rows = [_typed_row(compiler, row) for row in raw or []]
        result[name] = _build(queryset, compiler, rows)
    return result


def _copies(reads: dict) -> dict:
    """Reads as shallow copies (queryset, its query, compiler) that _build may set attributes on: the kept ones
    are shared by every thread."""
    copied = {}
    for name, (queryset, compiler, position) in reads.items():
        queryset = _shallow(queryset)
        queryset._query = _shallow(queryset.query)  # not `.query =`: its setter resets values_list()'s iterable
        copied[name] = (queryset, _shallow(compiler), position)
    return copied


def _shallow(obj):
    """A new object with the same attributes. Not copy.copy: a QuerySet pickles (runs itself) to be copied."""
    twin = object.__new__(type(obj))
    twin.__dict__ = obj.__dict__.copy()
    return twin


class KeptReads:
    """Reads compiled once for stand-in keys (_key_places) into one statement, kept to be run for any key.

    `build(stand_ins)` declares the reads (as `fetch()` takes them) for a tuple of stand-in keys, one per key;
    `fetch(keys)` binds the real keys (ints; None only for a key no read uses) and builds the results from
    shallow copies of the kept querysets and compilers (threads share them). Raises ValueError when the reads
    are not by their keys alone. On PostgreSQL only: the statement is prepared."""

    def __init__(self, db: str, build: Callable[[tuple], dict], keys: int):
        def compile_for(stand_ins):
            declared = build(stand_ins)
            querysets = {name: r.queryset if isinstance(r, Aggregate) else r for name, r in declared.items()}
            if any(queryset._prefetch_related_lookups for queryset in querysets.values()):
                raise ValueError("A read has prefetch_related(): declare its children as reads and attach() them")
            statement = _Statement(db, querysets)
            return (statement, declared), statement.sql, statement.params

        ((self.statement, self.declared), *_), self.positions = _key_places(compile_for, stand_ins(keys))
        self.db = db

    def bindable(self, keys: tuple) -> bool:
        pairs = zip(keys, self.positions, strict=True)
        return all(type(key) is int or (key is None and not places) for key, places in pairs)

    def fetch(self, keys: tuple) -> dict:
        statement = self.statement
        used = tuple(0 if k is None else k for k in keys)  # a None has no place: any int will do
        answers = statement.run(self.db, _bound(statement.params, self.positions, used), prepared=True)
        rows = _results(_copies(statement.reads), answers)
        return {name: read.result(rows[name]) if isinstance(read, Aggregate) else rows[name]
                for name, read in self.declared.items()}  # fmt: skip


def stand_ins(keys: int) -> tuple[tuple, tuple]:
    """Two tuples of distinct stand-in ints, one per key: the first key's are CompiledRows.MARKERS[int]."""
    if keys > len(_MORE_MARKERS):
        raise ValueError(f"mto.reads: at most {len(_MORE_MARKERS)} keys")
    pairs = _MORE_MARKERS[:keys]
    return tuple(a for a, _ in pairs), tuple(b for _, b in pairs)


_MORE_MARKERS = (CompiledRows.MARKERS[int], (2_000_000_027, 2_000_000_029), (2_000_000_033, 2_000_000_039))


class CompiledReads:
    """A detail page's reads of one key (a job's, an order's), compiled once per process into one prepared
    statement; each call binds the real key and builds the results (on PostgreSQL).

    `build(key)` declares the reads (as `fetch()` takes them) of one key; it is called for two stand-in keys
    once per process, and their SQL kept if it is the same for both, the stand-ins' places among the values
    noted (_key_places). Django compiling a page's reads cost as much as PostgreSQL planning and running them
    (docs/performance.md, round six). So that the kept SQL is right for every key, `build` must not branch on
    the key and must use it only as a filter's value (`pk=key`, `job_id=key`): the reads of one key, by key,
    as `fetch(prepared=True)` asks. Other databases, and a key that is not an int, run
    `fetch(prepared=True, **build(key))`. (KeptReads does the compiling, for one key or several.)
    """

    def __init__(self, build: Callable[[int], dict]):
        self.build = build
        self._compiled = {}

    def fetch(self, key, using: str | None = None) -> dict:
        db = using or DEFAULT_DB_ALIAS
        if connections[db].vendor != "postgresql" or type(key) is not int or getattr(_together, "off", False):
            return fetch(using=db, prepared=True, **self.build(key))
        kept = self._compiled.get(db)
        if kept is None:
            kept = self._compiled[db] = KeptReads(db, lambda stand_ins: self.build(stand_ins[0]), keys=1)
        return kept.fetch((key,))


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor  # psycopg 3 only; imported when used

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


@functools.cache
def _debug_wrapper_class():
    from django.db.backends.postgresql.base import CursorDebugWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):
        """Logs (connection.queries, CaptureQueriesContext) the statement with its values, as Django logs a
        statement bound on the client: psycopg keeps no text of a statement it ran prepared."""

        def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
            if use_last_executed_query and sql is not None and not many:
                sql, use_last_executed_query = self.db.ops.compose_sql(sql, params), False
            return super().debug_sql(sql, params, use_last_executed_query, many)

    return PreparedDebugWrapper


def _preparing_cursor(connection):
    """A cursor of the connection that binds values on the server and prepares what it runs, made and wrapped
    as connection.cursor() makes and wraps its own (time zone, query logging, execute wrappers, errors)."""
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, Format, register_tzloader

    connection.close_if_health_check_failed()  # as connection.cursor() does: a dropped connection is replaced
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = _preparing_cursor_class()(connection.connection)
        if connection.timezone != connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
            register_tzloader(connection.timezone, cursor)
    if connection.queries_logged:
        return _debug_wrapper_class()(cursor, connection)
    return connection.make_cursor(cursor)


def _internal_type(expression) -> str:
    try:
        return expression.output_field.get_internal_type()
    except AttributeError:  # a column without a field (rare): left as JSON gives it
        return ""


def _to_json(column: str, expression) -> str:
    """The column as JSON can carry it back without loss."""
    kind = _internal_type(expression)
    if kind == "DurationField":
        return f"EXTRACT(EPOCH FROM {column}) AS {column}"
    if kind == "BinaryField":
        return f"encode({column}, 'base64') AS {column}"
    if kind == "DecimalField":
        return f"{column}::text AS {column}"  # exact digits and scale, as the driver's Decimal has them
    if kind == "JSONField":
        return f"{column}::text AS {column}"  # Django reads jsonb as text and decodes it itself
    return column


def _from_json(kind: str, value):
    if value is None:
        return None
    if kind == "DateTimeField":
        return datetime.datetime.fromisoformat(value)
    if kind == "DateField":
        return datetime.date.fromisoformat(value)
    if kind == "TimeField":
        return datetime.time.fromisoformat(value)
    if kind == "DecimalField":
        return Decimal(value)
    if kind == "FloatField":
        return float(value)
    if kind == "DurationField":
        return datetime.timedelta(seconds=float(value))
    if kind == "UUIDField":
        return uuid.UUID(value)
    if kind == "BinaryField":
        import base64

        return memoryview(base64.b64decode(value))
    return value


def _typed_row(compiler, row: dict) -> tuple:
    """A row as the driver would have returned it (Django's converters then run on it as usual)."""
    kinds = compiler._read_kinds
    return tuple(_from_json(kind, row[f"c{i}"]) for i, kind in enumerate(kinds))


def _build(queryset: QuerySet, compiler, rows: list[tuple]) -> list:
    """The queryset's results from rows already fetched, built by the queryset's own iterable (model instances
    with their select_related objects and annotations, dicts, tuples or flat values)."""
    compiler.execute_sql = lambda *args, **kwargs: iter([rows])  # the chunks execute_sql(MULTI) would yield
    queryset.query.get_compiler = lambda *args, **kwargs: compiler
    return list(queryset._iterable_class(queryset))
